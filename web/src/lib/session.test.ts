import { describe, expect, it } from 'vitest';
import { apiError, mockFetch } from '../test/fetch';
import { refreshRole, signIn, signOut, staff } from './session.svelte';

const SESSION = { token: 'staff-jwt', expiresAt: '2099-01-01T00:00:00Z', email: 'clerk@example.org', role: 'scanner' as const };

describe('the staff session', () => {
  it('takes the role the server has now (an owner promoted the member since they logged in)', async () => {
    signIn(SESSION);
    mockFetch({
      'GET /admin/v1/session': { status: 200, body: { email: SESSION.email, name: 'Clerk', role: 'manager' } },
    });
    await refreshRole();
    expect(staff.session?.role).toBe('manager');
    expect(staff.session?.token).toBe('staff-jwt');
    signOut();
  });

  it('ends when the server says the session has ended (the member was removed)', async () => {
    signIn(SESSION);
    mockFetch({
      'GET /admin/v1/session': apiError(401, 'unauthorized', 'This session has ended; log in again'),
    });
    await refreshRole();
    expect(staff.session).toBeNull();
    expect(staff.notice).toBe('Your session has ended; log in again.');
  });
});
