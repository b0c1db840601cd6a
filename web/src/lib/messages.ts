// Wording for API errors that deserve more than the server's message.
import { ApiError } from './api';
import { formatWait } from './format';

/**
 * A 429 `rate_limited` (too many logins, codes or password changes from this address or for
 * this email), with the wait the server gave; '' for any other error.
 */
export function rateLimitMessage(e: unknown): string {
  if (!(e instanceof ApiError) || e.code !== 'rate_limited') return '';
  const wait = e.retryAfterSeconds;
  return wait ? `Too many attempts. Try again in ${formatWait(wait)}.` : 'Too many attempts. Wait a few minutes and try again.';
}

export function loginMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'invalid_credentials') return 'The email or password is wrong. Check both and try again.';
    return rateLimitMessage(e) || e.message;
  }
  return 'Something went wrong; please try again.';
}

/** What a refused role change or removal of a staff member means. */
export function staffChangeMessage(e: unknown): string {
  if (!(e instanceof ApiError)) return 'Something went wrong; please try again.';
  switch (e.code) {
    case 'last_owner':
      return 'The venue needs at least one owner: make someone else an owner first.';
    case 'concurrent_change':
      return 'Someone changed this member at the same moment. The list now shows the latest; try again.';
    case 'not_found':
      return 'This person is no longer on the staff. The list now shows the latest.';
    case 'forbidden':
      return 'Your role does not allow this change.';
    default:
      if (e.status === 0) return e.message;
      if (e.status >= 500) return 'Something went wrong on our side; please try again.';
      return e.message;
  }
}

/** What a refused password change means; `field` says which input it belongs next to. */
export function passwordChangeMessage(e: unknown): { field?: 'current' | 'new'; message: string } {
  if (!(e instanceof ApiError)) return { message: 'Something went wrong; please try again.' };
  if (e.code === 'invalid_credentials') return { field: 'current', message: 'This is not your current password.' };
  if (e.code === 'invalid_field' && e.field === 'password') return { field: 'new', message: `The new password ${e.fieldMessage}.` };
  const limited = rateLimitMessage(e);
  if (limited) return { message: limited };
  if (e.status >= 500) return { message: 'Something went wrong on our side; please try again.' };
  return { message: e.message };
}

/** What a refused hold means to the patron. `seatName` turns a seat id into "C12". */
export function holdMessage(
  e: unknown,
  context: { seatName?: (seatId: string) => string | undefined; quantity?: number; zoneName?: string } = {},
): string {
  if (!(e instanceof ApiError)) return 'Something went wrong; please try again.';
  switch (e.code) {
    case 'seat_unavailable': {
      if (e.details['reason'] === 'none_available') {
        const n = context.quantity ?? 1;
        const what = n === 1 ? 'a seat' : `${n} seats together`;
        return `Sorry — we could not find ${what}${context.zoneName ? ` in ${context.zoneName}` : ''}. Try fewer seats or another price zone.`;
      }
      const taken = Array.isArray(e.details['seats']) ? e.details['seats'].filter((s): s is string => typeof s === 'string') : [];
      if (taken.length === 0) return e.message; // e.g. "Only 3 places are left in this area"
      const names = taken.map((id) => context.seatName?.(id) ?? id);
      return names.length === 1
        ? `Sorry — seat ${names[0]} was just taken by someone else.`
        : `Sorry — seats ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} were just taken by someone else.`;
    }
    case 'limit_exceeded':
      return e.message.endsWith('.') ? e.message : `${e.message}.`;
    case 'not_on_sale':
      return 'Sorry — tickets for this performance are not on sale right now.';
    default:
      return e.message;
  }
}
