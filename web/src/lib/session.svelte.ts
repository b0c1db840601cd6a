// The signed-in staff member, as reactive state over the sessionStorage copy kept by api.ts.
import { clearStaffSession, loadStaffSession, saveStaffSession, setUnauthorizedHandler, type StaffSession } from './api';

export const staff = $state<{ session: StaffSession | null; notice: string }>({
  session: loadStaffSession(),
  notice: '',
});

export function signIn(session: StaffSession): void {
  saveStaffSession(session);
  staff.session = session;
  staff.notice = '';
}

export function signOut(notice = ''): void {
  clearStaffSession();
  staff.session = null;
  staff.notice = notice;
}

export const SESSION_EXPIRED = 'Your session has expired; log in again.';
/** The token stopped working early: the member was removed, or the password changed elsewhere. */
export const SESSION_ENDED = 'Your session has ended; log in again.';

/** What the login form says after a staff call was refused with 401. */
export function unauthorizedNotice(error: { message: string }): string {
  return /expired/i.test(error.message) ? SESSION_EXPIRED : SESSION_ENDED;
}

// Any 401 on a staff call (also one a page does not handle itself) takes the member back to
// the login form, which AdminApp shows whenever there is no session.
setUnauthorizedHandler((error) => signOut(unauthorizedNotice(error)));
