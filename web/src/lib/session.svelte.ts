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

setUnauthorizedHandler((error) => {
  const expired = /expired/i.test(error.message);
  signOut(expired ? 'Your session has expired; log in again.' : 'Please log in again.');
});
