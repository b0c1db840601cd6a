// The signed-in staff member, as reactive state over the sessionStorage copy kept by api.ts.
import {
  clearStaffSession,
  currentSession,
  loadStaffSession,
  saveStaffSession,
  setUnauthorizedHandler,
  type StaffSession,
} from './api';

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

/** Reads the member's current role from the server (an owner may have changed it since they
 * logged in), so the admin shows what they may do now. A 401 signs out through the handler. */
export async function refreshRole(): Promise<void> {
  const session = staff.session;
  if (!session) return;
  try {
    const now = await currentSession();
    if (staff.session === session && now.role !== session.role) {
      signIn({ ...session, role: now.role });
    }
  } catch {
    // Offline or refused: the pages' own calls say so (a 401 has signed out already).
  }
}
