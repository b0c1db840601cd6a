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
