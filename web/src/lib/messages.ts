// Wording for API errors that deserve more than the server's message.
import { ApiError } from './api';
import { formatWait } from './format';

export function loginMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'invalid_credentials') return 'The email or password is wrong. Check both and try again.';
    if (e.code === 'account_locked') {
      const wait = e.retryAfterSeconds;
      return wait
        ? `Too many failed logins: this account is locked. Try again in ${formatWait(wait)}.`
        : 'Too many failed logins: this account is locked for a while. Try again later.';
    }
    return e.message;
  }
  return 'Something went wrong; please try again.';
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
