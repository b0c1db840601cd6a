// Patron accounts (API.md "Public"): register, log in, reset a forgotten password with the
// code from the email, the account's orders. The patron token is a stateless JWT kept in
// localStorage per venue host; logging out only drops it. The checkout sends it so the order
// is filed under the account, and it opens the account's own orders without their order token.
import { ApiError, isRecord, request, type PublicSchemas as S } from './api';
import { rateLimitMessage } from './messages';
import { newPasswordProblem } from './passwords';

/** The patron's token, until when it works (RFC 3339), and who they are. */
export type PatronSession = S['TokenResponse'];
export type AccountOrder = S['AccountOrder'];

// --- the stored session ---------------------------------------------------------------------

export function patronStorageKey(host: string = globalThis.location?.host ?? ''): string {
  return `marquee.patron.${host}`;
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** A stored session, if well formed and not expired. */
export function parsePatronSession(raw: string | null | undefined, now: Date = new Date()): PatronSession | null {
  if (!raw) return null;
  try {
    const s: unknown = JSON.parse(raw);
    if (
      isRecord(s) &&
      typeof s['token'] === 'string' &&
      s['token'] &&
      typeof s['expiresAt'] === 'string' &&
      typeof s['email'] === 'string' &&
      typeof s['name'] === 'string'
    ) {
      const expires = Date.parse(s['expiresAt']);
      if (Number.isNaN(expires) || expires <= now.getTime()) return null;
      return { token: s['token'], expiresAt: s['expiresAt'], email: s['email'], name: s['name'] };
    }
  } catch {
    // a damaged entry counts as none
  }
  return null;
}

function loadPatronSession(): PatronSession | null {
  const raw = storage()?.getItem(patronStorageKey());
  const session = parsePatronSession(raw);
  if (raw && !session) storage()?.removeItem(patronStorageKey());
  return session;
}

export const patron = $state<{ session: PatronSession | null; notice: string }>({
  session: loadPatronSession(),
  notice: '',
});

export function patronSignIn(session: PatronSession): void {
  try {
    storage()?.setItem(patronStorageKey(), JSON.stringify(session));
  } catch {
    // storage disabled: signed in for this page only
  }
  patron.session = session;
  patron.notice = '';
}

export function patronSignOut(notice = ''): void {
  storage()?.removeItem(patronStorageKey());
  patron.session = null;
  patron.notice = notice;
}

/** The token to send, or null when logged out or expired (an expired one is dropped). */
export function patronToken(now: Date = new Date()): string | null {
  const session = patron.session;
  if (!session) return null;
  const expires = Date.parse(session.expiresAt);
  if (Number.isNaN(expires) || expires <= now.getTime()) {
    patronSignOut(PATRON_SESSION_EXPIRED);
    return null;
  }
  return session.token;
}

export const PATRON_SESSION_EXPIRED = 'Your session has expired; log in again.';
/** The token stopped working early: the password was reset or changed elsewhere. */
export const PATRON_SESSION_ENDED = 'Your session has ended; log in again.';

/**
 * After a call that sent the patron token: a 401 that refuses the token (not the cart's or the
 * order's own token) ends the session here too, so the login form shows with the reason.
 * Returns whether it did.
 */
export function endPatronSessionIfRefused(e: unknown): boolean {
  if (!(e instanceof ApiError) || e.status !== 401 || e.code !== 'unauthorized') return false;
  if (/X-(Cart|Order)-Token/i.test(e.message)) return false;
  if (!patron.session) return false;
  patronSignOut(/expired/i.test(e.message) ? PATRON_SESSION_EXPIRED : PATRON_SESSION_ENDED);
  return true;
}

/** `Authorization` for a logged-in patron, else nothing. */
export function patronHeaders(): Record<string, string> {
  const token = patronToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// --- calls ----------------------------------------------------------------------------------

export type Registration = S['RegisterRequest'];

export function register(registration: Registration): Promise<PatronSession> {
  return request<PatronSession>('POST', '/api/v1/account/register', { body: registration });
}

export function patronLogin(email: string, password: string): Promise<PatronSession> {
  return request<PatronSession>('POST', '/api/v1/account/login', { body: { email, password } });
}

/** The answer (202) is the same whether or not the account exists. */
export async function requestPasswordReset(email: string): Promise<void> {
  await request<S['ResetRequested']>('POST', '/api/v1/account/password-reset', { body: { email } });
}

export function confirmPasswordReset(email: string, code: string, password: string): Promise<PatronSession> {
  return request<PatronSession>('POST', '/api/v1/account/password-reset/confirm', { body: { email, code, password } });
}

export async function accountOrders(): Promise<AccountOrder[]> {
  const token = patronToken();
  if (!token) throw new ApiError(401, 'unauthorized', 'Log in first');
  try {
    const body = await request<S['AccountOrders']>('GET', '/api/v1/account/orders', {
      headers: { Authorization: `Bearer ${token}` },
    });
    return body.orders;
  } catch (e) {
    endPatronSessionIfRefused(e);
    throw e;
  }
}

// --- checks and wording ---------------------------------------------------------------------

/** "4821 0937", "48210937", " 4821-0937 " → "4821-0937"; anything else as typed (trimmed). */
export function normaliseResetCode(raw: string): string {
  const digits = raw.replace(/[\s-]/g, '');
  return /^\d{8}$/.test(digits) ? `${digits.slice(0, 4)}-${digits.slice(4)}` : raw.trim();
}

/** What the form can tell about a new password before the server (which still decides). */
export function passwordProblem(password: string, email: string): string {
  return newPasswordProblem(password, email);
}

export interface AccountProblem {
  message: string;
  field?: 'email' | 'name' | 'password' | 'code';
}

/** What a refused account call means to the patron. */
export function accountProblem(e: unknown): AccountProblem {
  if (!(e instanceof ApiError)) return { message: 'Something went wrong; please try again.' };
  switch (e.code) {
    case 'account_exists':
      return { field: 'email', message: 'There is already an account with this email. Log in, or reset the password if you forgot it.' };
    case 'invalid_credentials':
      return { message: 'The email or password is wrong.' };
    case 'invalid_code':
      return { field: 'code', message: 'That code is wrong or has expired. Check the latest email, or ask for a new code.' };
    case 'invalid_field': {
      const field = e.field;
      if (field === 'email' || field === 'name' || field === 'password' || field === 'code') {
        return { field, message: e.fieldMessage };
      }
      return { message: e.message };
    }
    case 'rate_limited':
      return { message: rateLimitMessage(e) };
    default:
      if (e.status === 0) return { message: e.message };
      if (e.status >= 500) return { message: 'Something went wrong on our side; please try again.' };
      return { message: e.message };
  }
}
