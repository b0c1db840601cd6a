import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { loadStaffSession } from '../lib/api';
import { navigate } from '../lib/router.svelte';
import { signIn, signOut } from '../lib/session.svelte';
import { apiError, fakeToken, mockFetch, SITE, VENUE } from '../test/fetch';

function asStaff(role: 'owner' | 'manager' | 'box_office' | 'scanner', email = `${role}@demo.localhost`) {
  signIn({ token: fakeToken(email, role), expiresAt: '2099-01-01T00:00:00Z', email, role });
}

async function fillLogin(email: string, password: string) {
  await fireEvent.input(screen.getByLabelText('Email'), { target: { value: email } });
  await fireEvent.input(screen.getByLabelText('Password'), { target: { value: password } });
  await fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
}

beforeEach(() => signOut());

describe('login', () => {
  it('explains a wrong password', async () => {
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'POST /admin/v1/login': apiError(401, 'invalid_credentials', 'The email or password is wrong'),
    });
    navigate('/admin');
    render(App);
    await fillLogin('owner@demo.localhost', 'wrong');
    expect((await screen.findByRole('alert')).textContent).toMatch(/The email or password is wrong/);
    expect(loadStaffSession()).toBeNull();
  });

  it('explains a locked account with the wait', async () => {
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'POST /admin/v1/login': apiError(429, 'account_locked', 'locked', { retryAfterSeconds: 900 }),
    });
    navigate('/admin');
    render(App);
    await fillLogin('owner@demo.localhost', 'x');
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Too many failed logins: this account is locked. Try again in 15 minutes.',
    );
  });

  it('signs in, keeps the token in sessionStorage and shows the role nav', async () => {
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'POST /admin/v1/login': {
        status: 200,
        body: { token: 'tok', expiresAt: '2099-01-01T00:00:00Z', email: 'bo@demo.localhost', role: 'box_office' },
      },
    });
    navigate('/admin');
    render(App);
    await fillLogin(' bo@demo.localhost ', 'secret password');
    const nav = await screen.findByRole('navigation', { name: 'Admin' });
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual([
      'Overview', 'Sales', 'Orders', 'Scan tickets', 'View the site',
    ]);
    expect(loadStaffSession()).toMatchObject({ token: 'tok', role: 'box_office' });
    expect(calls.find((c) => c.path === '/admin/v1/login')?.body).toEqual({ email: 'bo@demo.localhost', password: 'secret password' });
  });
});

describe('venue settings', () => {
  it('shows a 422 next to the field it names', async () => {
    asStaff('owner');
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/venue': { status: 200, body: VENUE },
      'PUT /admin/v1/venue': apiError(422, 'invalid_field', "timezone: 'Europe/Kyiv' is not an IANA timezone such as Europe/London", {
        field: 'timezone',
      }),
    });
    navigate('/admin/venue');
    render(App);
    const timezone = (await screen.findByLabelText('Timezone')) as HTMLSelectElement;
    await fireEvent.change(timezone, { target: { value: 'Europe/London' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    const error = await screen.findByText("'Europe/Kyiv' is not an IANA timezone such as Europe/London");
    expect(error.id).toBe('venue-timezone-error');
    expect(timezone.getAttribute('aria-invalid')).toBe('true');
    expect(timezone.getAttribute('aria-describedby')).toContain('venue-timezone-error');
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ timezone: 'Europe/London' });
  });

  it('is not offered to a manager', async () => {
    asStaff('manager');
    mockFetch({ 'GET /api/v1/site': { status: 200, body: SITE } });
    navigate('/admin/venue');
    render(App);
    expect((await screen.findByRole('alert')).textContent).toMatch(/does not give access/);
    const nav = screen.getByRole('navigation', { name: 'Admin' });
    expect(within(nav).queryByText('Venue settings')).toBeNull();
    expect(within(nav).queryByText('Custom domains')).toBeNull();
  });
});

describe('domains', () => {
  it('shows the CNAME record to create', async () => {
    asStaff('owner');
    const domain = { hostname: 'tickets.myvenue.org', cnameTarget: 'cname.marquee.example', status: 'pending_verification' };
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/domains': { status: 200, body: { domains: [] } },
      'POST /admin/v1/domains': { status: 201, body: domain },
    });
    navigate('/admin/domains');
    render(App);
    await fireEvent.input(await screen.findByLabelText('Hostname'), { target: { value: 'Tickets.MyVenue.org' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add domain' }));
    const status = await screen.findByRole('status');
    expect(within(status).getByTestId('cname-record').textContent).toBe('tickets.myvenue.org CNAME cname.marquee.example');
  });
});

describe('staff', () => {
  it('lists staff as text and invites with a role the inviter may give', async () => {
    asStaff('manager');
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/staff': {
        status: 200,
        body: { staff: [{ email: 'o@x.org', name: '<b>Olga</b>', role: 'owner', status: 'active', createdAt: '2026-01-01T00:00:00Z' }] },
      },
      'POST /admin/v1/staff': (call) => ({ status: 201, body: { ...(call.body as object), status: 'invited', createdAt: 'now' } }),
    });
    navigate('/admin/staff');
    const { container } = render(App);
    expect(await screen.findByText('<b>Olga</b>')).toBeTruthy();
    expect(container.querySelector('td b')).toBeNull();
    const role = screen.getByLabelText('Role') as HTMLSelectElement;
    expect([...role.options].map((o) => o.value)).toEqual(['manager', 'box_office', 'scanner']);

    await fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'new@x.org' } });
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Nia' } });
    await fireEvent.change(role, { target: { value: 'scanner' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send invitation' }));
    expect((await screen.findByRole('status')).textContent).toBe('Invitation sent to new@x.org.');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'new@x.org', name: 'Nia', role: 'scanner' });
  });
});

describe('accepting an invitation', () => {
  it('takes email and code from the link, then logs in with the role it answers', async () => {
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'POST /admin/v1/staff/accept': {
        status: 200,
        body: { token: fakeToken('new@x.org', 'scanner'), expiresAt: '2099-01-01T00:00:00Z', email: 'new@x.org', role: 'scanner' },
      },
    });
    navigate('/admin/accept-invite?email=new%40x.org&code=abc123');
    render(App);
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('new@x.org');
    expect((screen.getByLabelText('Invitation code') as HTMLInputElement).value).toBe('abc123');
    await fireEvent.input(screen.getByLabelText('New password'), { target: { value: 'a long enough password' } });
    await fireEvent.input(screen.getByLabelText('Repeat the password'), { target: { value: 'a long enough password' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Set password and log in' }));

    expect((await screen.findByTestId('signed-in-as')).textContent).toBe('new@x.org · Scanner');
    expect(window.location.pathname).toBe('/admin');
    expect(window.location.search).toBe('');
    const nav = screen.getByRole('navigation', { name: 'Admin' });
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Overview', 'Scan tickets', 'View the site']);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'new@x.org', code: 'abc123', password: 'a long enough password' });
  });

  it('checks that the two passwords match before sending', async () => {
    const calls = mockFetch({ 'GET /api/v1/site': { status: 200, body: SITE } });
    navigate('/admin/accept-invite?email=new%40x.org&code=abc123');
    render(App);
    await fireEvent.input(screen.getByLabelText('New password'), { target: { value: 'a long enough password' } });
    await fireEvent.input(screen.getByLabelText('Repeat the password'), { target: { value: 'another long password' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Set password and log in' }));
    expect((await screen.findByText('The two passwords are not the same.')).id).toBe('accept-confirm-error');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});

it('returns to the login form when the session has expired', async () => {
  asStaff('owner');
  mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'GET /admin/v1/staff': apiError(401, 'unauthorized', 'Your session has expired; log in again'),
  });
  navigate('/admin/staff');
  render(App);
  expect(await screen.findByText('Your session has expired; log in again.')).toBeTruthy();
  expect(screen.getByRole('heading', { name: 'Staff login' })).toBeTruthy();
});
