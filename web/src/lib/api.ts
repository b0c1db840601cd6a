// The typed client for Marquee's HTTP API (see API.md). Everything is same-origin: the site,
// `/api/*` and `/admin/*` share one host, which also names the venue (tenant).
//
// Request and response types are the APIs' own: generated from their OpenAPI documents into
// `api/public.d.ts` and `api/admin.d.ts` (`npm run gen:api`; CI fails when they are stale).
//
// Errors: every non-2xx answer becomes an `ApiError` built from the JSON error body
// `{ error: { code, message, details } }`; a failed fetch becomes `network_error`.
// The staff session (token, expiry, email, role) lives in sessionStorage: it ends with the tab.

import type { components as AdminComponents } from './api/admin';
import type { components as PublicComponents } from './api/public';

/** The schemas of the public API (`/api/openapi.json`). */
export type PublicSchemas = PublicComponents['schemas'];
/** The schemas of the admin API (`/admin/openapi.json`). */
export type AdminSchemas = AdminComponents['schemas'];

export type Role = AdminSchemas['Role'];
export const ROLES: readonly Role[] = ['owner', 'manager', 'box_office', 'scanner'];

export type ErrorDetails = Record<string, unknown>;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  /** The request field a 422 names (`details.field`), if any. */
  get field(): string | undefined {
    const field = this.details['field'];
    return typeof field === 'string' ? field : undefined;
  }

  /** The message without its leading "field: " (the form shows it next to the field). */
  get fieldMessage(): string {
    const field = this.field;
    return field && this.message.startsWith(`${field}: `)
      ? this.message.slice(field.length + 2)
      : this.message;
  }

  /** How long to wait after a 429 `rate_limited`: `details.retryAfterSeconds`, else the `Retry-After` header. */
  get retryAfterSeconds(): number | undefined {
    const seconds = this.details['retryAfterSeconds'];
    return typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : undefined;
  }

  /**
   * Builds the error from a status and whatever body came with it. `retryAfter` is the
   * `Retry-After` header, used when the body does not give `details.retryAfterSeconds`.
   */
  static fromResponse(status: number, body: unknown, retryAfter: string | null = null): ApiError {
    const wait = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter.trim()) : undefined;
    if (isRecord(body) && isRecord(body['error'])) {
      const e = body['error'];
      const code = typeof e['code'] === 'string' ? e['code'] : 'http_' + status;
      const message = typeof e['message'] === 'string' ? e['message'] : genericMessage(status);
      const details = isRecord(e['details']) ? { ...e['details'] } : {};
      if (wait !== undefined && details['retryAfterSeconds'] === undefined) details['retryAfterSeconds'] = wait;
      return new ApiError(status, code, message, details);
    }
    return new ApiError(status, 'http_' + status, genericMessage(status), wait !== undefined ? { retryAfterSeconds: wait } : {});
  }
}

function genericMessage(status: number): string {
  if (status >= 500) return 'Something went wrong on our side; please try again';
  if (status === 404) return 'Not found';
  return 'The request could not be completed';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// --- staff session (sessionStorage) ---------------------------------------------------------

export interface StaffSession {
  token: string;
  /** RFC 3339 instant. */
  expiresAt: string;
  email: string;
  role: Role;
}

const SESSION_KEY = 'marquee.staff';

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined; // storage disabled by the browser
  }
}

/** The stored staff session, or null when there is none or it has expired. */
export function loadStaffSession(now: Date = new Date()): StaffSession | null {
  const raw = storage()?.getItem(SESSION_KEY);
  if (!raw) return null;
  try {
    const s: unknown = JSON.parse(raw);
    if (
      isRecord(s) &&
      typeof s['token'] === 'string' &&
      typeof s['expiresAt'] === 'string' &&
      typeof s['email'] === 'string' &&
      isRole(s['role'])
    ) {
      const expires = Date.parse(s['expiresAt']);
      if (Number.isNaN(expires) || expires <= now.getTime()) {
        clearStaffSession();
        return null;
      }
      return { token: s['token'], expiresAt: s['expiresAt'], email: s['email'], role: s['role'] };
    }
  } catch {
    // fall through: a damaged entry is dropped
  }
  clearStaffSession();
  return null;
}

export function saveStaffSession(session: StaffSession): void {
  storage()?.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearStaffSession(): void {
  storage()?.removeItem(SESSION_KEY);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

// --- transport ------------------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is with this content type (e.g. a CSV file), instead of `body`. */
  raw?: { text: string; contentType: string };
  /** Extra headers (e.g. `X-Cart-Token`). */
  headers?: Record<string, string>;
  /** Send the staff token. */
  staff?: boolean;
}

let onUnauthorized: (error: ApiError) => void = () => {};

/**
 * Called when a staff call is refused with 401: the token expired, or the session was ended
 * (the member removed, the password changed elsewhere). The session is already cleared.
 * Not called for `invalid_credentials`, which only says a typed password was wrong.
 */
export function setUnauthorizedHandler(handler: (error: ApiError) => void): void {
  onUnauthorized = handler;
}

/** Sends a request with the given Accept header; a failed fetch becomes `network_error`. */
async function send(method: Method, path: string, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept, ...options.headers };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (options.raw !== undefined) {
    headers['Content-Type'] = options.raw.contentType;
    init.body = options.raw.text;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.staff) {
    const session = loadStaffSession();
    if (!session) {
      const error = new ApiError(401, 'unauthorized', 'Log in first');
      onUnauthorized(error);
      throw error;
    }
    headers['Authorization'] = `Bearer ${session.token}`;
  }
  try {
    return await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network_error', 'Could not reach the server; check the connection and try again');
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error of a non-2xx answer; a refused staff token also ends the session. */
function refusal(response: Response, body: unknown, options: RequestOptions): ApiError {
  const error = ApiError.fromResponse(response.status, body, response.headers.get('Retry-After'));
  if (options.staff && response.status === 401 && error.code !== 'invalid_credentials') {
    clearStaffSession();
    onUnauthorized(error);
  }
  return error;
}

export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options, 'application/json');
  const body = parseJson(await response.text());
  if (!response.ok) throw refusal(response, body, options);
  if (response.status === 204) return undefined as T; // No Content: callers type it as void
  if (body === undefined) {
    throw new ApiError(response.status, 'invalid_response', 'The server sent an answer this page cannot read');
  }
  return body as T;
}

/** A file the API sent as an attachment (e.g. a CSV report). */
export interface DownloadedFile {
  blob: Blob;
  /** The name from Content-Disposition, else the fallback the caller gave. */
  filename: string;
}

/**
 * GETs a file with the same headers and errors as `request` (the staff token too, which a plain
 * link could not send); a refusal's JSON error body becomes the ApiError as usual.
 */
export async function requestFile(path: string, fallbackName: string, options: Pick<RequestOptions, 'staff' | 'headers'> = {}): Promise<DownloadedFile> {
  const response = await send('GET', path, options, 'text/csv, application/octet-stream;q=0.9, */*;q=0.5');
  if (!response.ok) throw refusal(response, parseJson(await response.text()), options);
  const blob = await response.blob();
  return { blob, filename: filenameFromDisposition(response.headers.get('Content-Disposition'), fallbackName) };
}

/**
 * The file name a Content-Disposition header suggests (`filename*=UTF-8''…` first, then
 * `filename="…"`), without any folder part; `fallback` when there is none.
 */
export function filenameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback;
  let name = '';
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      name = decodeURIComponent(extended[2]!.trim().replace(/^"(.*)"$/, '$1'));
    } catch {
      name = '';
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
    name = (plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2] ?? '').trim();
  }
  // Only the last path segment, and nothing a file system would choke on.
  name = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f<>:"|?*]/g, '_').trim();
  return name && name !== '.' && name !== '..' ? name : fallback;
}

// --- public API (patron site) ---------------------------------------------------------------

/** Minor units (cents) of a currency. */
export type Money = PublicSchemas['Money'];
export type Branding = PublicSchemas['BrandingView'];
/** The venue's public settings; `payments.mode` `local` is the Stripe test double (a test-card
 * form), `test`/`live` real Stripe, `disabled` only free orders. */
export type Site = PublicSchemas['Site'];
export type PerformanceStatus = PublicSchemas['PerformanceStatus'];

export interface PerformanceSummary {
  id: string;
  /** RFC 3339 instant (UTC); shown in the venue's timezone. The API may send it as
   * `{ utc, local, timezone }`; parseEventList keeps the `utc` part. */
  startsAt: string;
  status: PerformanceStatus | string;
  /** Whether patrons can buy now (on sale and inside the sales window), when the API says. */
  selling?: boolean;
}

export interface EventSummary {
  id: string;
  title: string;
  description?: string | null;
  imageUrl?: string | null;
  performances: PerformanceSummary[];
}

export interface EventList {
  events: EventSummary[];
  nextCursor?: string | null;
}

export function getSite(): Promise<Site> {
  return request<Site>('GET', '/api/v1/site');
}

export interface EventQuery {
  from?: string;
  to?: string;
  cursor?: string;
}

export async function listEvents(query: EventQuery = {}): Promise<EventList> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value) params.set(key, value);
  }
  const qs = params.toString();
  const body = await request<unknown>('GET', '/api/v1/events' + (qs ? `?${qs}` : ''));
  return parseEventList(body);
}

/**
 * Upcoming events, or an empty list while the venue's API has no events endpoint yet
 * (404): the home page then says there is nothing upcoming.
 */
export async function upcomingEvents(query: EventQuery = {}): Promise<EventList> {
  try {
    return await listEvents(query);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { events: [] };
    throw e;
  }
}

/** An RFC 3339 instant given as a string or as `{ utc, local, timezone }`. */
function instant(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value['utc'] === 'string') return value['utc'];
  return null;
}

/** Keeps only well-formed events (the list drives rendering, so a bad entry must not break the page). */
export function parseEventList(body: unknown): EventList {
  if (!isRecord(body) || !Array.isArray(body['events'])) {
    throw new ApiError(200, 'invalid_response', 'The server sent an answer this page cannot read');
  }
  const events: EventSummary[] = [];
  for (const e of body['events']) {
    if (!isRecord(e) || typeof e['id'] !== 'string' || typeof e['title'] !== 'string') continue;
    const performances: PerformanceSummary[] = [];
    if (Array.isArray(e['performances'])) {
      for (const p of e['performances']) {
        const startsAt = isRecord(p) ? instant(p['startsAt']) : null;
        if (isRecord(p) && typeof p['id'] === 'string' && startsAt) {
          performances.push({
            id: p['id'],
            startsAt,
            status: typeof p['status'] === 'string' ? p['status'] : 'on_sale',
            ...(typeof p['selling'] === 'boolean' ? { selling: p['selling'] } : {}),
          });
        }
      }
    }
    events.push({
      id: e['id'],
      title: e['title'],
      description: typeof e['description'] === 'string' ? e['description'] : null,
      imageUrl: typeof e['imageUrl'] === 'string' ? e['imageUrl'] : null,
      performances,
    });
  }
  const next = body['nextCursor'];
  return { events, nextCursor: typeof next === 'string' ? next : null };
}

// --- admin API (venue staff) ----------------------------------------------------------------

export type LoginResponse = AdminSchemas['LoginResponse'];

export function login(email: string, password: string): Promise<LoginResponse> {
  return request<LoginResponse>('POST', '/admin/v1/login', { body: { email, password } });
}

export type VenueSettings = AdminSchemas['VenueSettingsView'];
export type Venue = AdminSchemas['VenueView'];
/** A partial change: only the fields given change. Empty strings clear `emailSender` and `logoUrl`. */
export type VenueSettingsUpdate = AdminSchemas['VenueSettingsUpdate'];

export function getVenue(): Promise<Venue> {
  return request<Venue>('GET', '/admin/v1/venue', { staff: true });
}

export function updateVenue(update: VenueSettingsUpdate): Promise<Venue> {
  return request<Venue>('PUT', '/admin/v1/venue', { body: update, staff: true });
}

export type StaffStatus = AdminSchemas['StaffStatus'];
export type StaffMember = AdminSchemas['StaffMember'];

export async function listStaff(): Promise<StaffMember[]> {
  const body = await request<AdminSchemas['StaffList']>('GET', '/admin/v1/staff', { staff: true });
  return body.staff;
}

export type Invitation = AdminSchemas['InviteRequest'];

export function inviteStaff(invitation: Invitation): Promise<StaffMember> {
  return request<StaffMember>('POST', '/admin/v1/staff', { body: invitation, staff: true });
}

const enc = encodeURIComponent;

/** Gives a member another role; it applies from their next request. */
export function changeStaffRole(email: string, role: Role): Promise<StaffMember> {
  const body: AdminSchemas['ChangeStaffRequest'] = { role };
  return request<StaffMember>('PUT', `/admin/v1/staff/${enc(email)}`, { body, staff: true });
}

/** Removes a member (or withdraws an invitation); their sessions end. */
export async function removeStaff(email: string): Promise<void> {
  await request<void>('DELETE', `/admin/v1/staff/${enc(email)}`, { staff: true });
}

/** Changes the signed-in member's own password. Every other session ends; the answer is a
 * fresh session for this one. */
export function changePassword(currentPassword: string, newPassword: string): Promise<LoginResponse> {
  const body: AdminSchemas['ChangePasswordRequest'] = { currentPassword, newPassword };
  return request<LoginResponse>('POST', '/admin/v1/password', { body, staff: true });
}

export type SessionView = AdminSchemas['SessionView'];

/** Who the staff token belongs to and their role now (an owner may have changed it). */
export function currentSession(): Promise<SessionView> {
  return request<SessionView>('GET', '/admin/v1/session', { staff: true });
}

export type AcceptInvitation = AdminSchemas['AcceptRequest'];
/** The new staff member's session, as a login answers. */
export type AcceptedInvitation = AdminSchemas['AcceptResponse'];

export function acceptInvitation(accept: AcceptInvitation): Promise<AcceptedInvitation> {
  return request<AcceptedInvitation>('POST', '/admin/v1/staff/accept', { body: accept });
}

// Custom domains: lib/domains.ts.
