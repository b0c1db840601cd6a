import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
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

  it('explains too many attempts with the wait', async () => {
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'POST /admin/v1/login': {
        ...apiError(429, 'rate_limited', 'Too many attempts; please wait a little and try again', { retryAfterSeconds: 900 }),
        headers: { 'Retry-After': '900' },
      },
    });
    navigate('/admin');
    render(App);
    await fillLogin('owner@demo.localhost', 'x');
    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Try again in 15 minutes.');
    expect(loadStaffSession()).toBeNull();
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
      'Overview', 'Sell', 'Will call', 'Sales', 'Reports', 'Orders', 'Scan tickets', 'View the site',
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
  const TXT = { type: 'TXT', name: '_marquee.tickets.myvenue.org', value: 'marquee-verification=abc123', purpose: 'proves that the venue controls the hostname' };
  const CNAME = { type: 'CNAME', name: 'tickets.myvenue.org', value: 'd111.cloudfront.net', purpose: "sends the hostname's visitors to the venue's site" };
  function domain(status: string, more: Record<string, unknown> = {}) {
    return { hostname: 'tickets.myvenue.org', status, cnameTarget: 'd111.cloudfront.net', records: [TXT, CNAME], ...more };
  }

  async function openPage(routes: Parameters<typeof mockFetch>[0]) {
    asStaff('owner');
    const calls = mockFetch({ 'GET /api/v1/site': { status: 200, body: SITE }, ...routes });
    navigate('/admin/domains');
    render(App);
    return calls;
  }

  it('adds a domain and shows the two records to create at once', async () => {
    const calls = await openPage({
      'GET /admin/v1/domains': { status: 200, body: { domains: [] } },
      'POST /admin/v1/domains': { status: 201, body: domain('pending_dns', { nextCheckAt: new Date(Date.now() + 120_000).toISOString() }) },
    });
    await fireEvent.input(await screen.findByLabelText('Hostname'), { target: { value: ' https://Tickets.MyVenue.org/ ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add domain' }));
    expect((await screen.findByText(/tickets.myvenue.org is added/)).getAttribute('role')).toBe('status');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ hostname: 'tickets.myvenue.org' });
    const card = screen.getByTestId('domain');
    expect(within(card).getByTestId('domain-status').textContent).toBe('Waiting for DNS records');
    const rows = within(card).getAllByTestId('dns-record');
    expect(rows.map((r) => r.getAttribute('data-type'))).toEqual(['TXT', 'CNAME']);
    expect(within(rows[0]!).getByTestId('record-name').textContent).toBe('_marquee.tickets.myvenue.org');
    expect(within(rows[0]!).getByTestId('record-value').textContent).toBe('marquee-verification=abc123');
    expect(within(rows[1]!).getByTestId('record-value').textContent).toBe('d111.cloudfront.net');
    expect(within(card).getByRole('button', { name: 'Copy TXT value' })).toBeTruthy();
    expect(within(card).getByTestId('domain-times').textContent).toMatch(/Next check\s+in 2 minutes/);
  });

  it('says so when another venue proved the hostname', async () => {
    await openPage({
      'GET /admin/v1/domains': { status: 200, body: { domains: [] } },
      'POST /admin/v1/domains': apiError(409, 'hostname_taken', 'Another venue has proven this hostname'),
    });
    await fireEvent.input(await screen.findByLabelText('Hostname'), { target: { value: 'tickets.myvenue.org' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add domain' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Another venue has already proven that it controls tickets.myvenue.org/);
  });

  it('puts an invalid hostname next to the field', async () => {
    await openPage({
      'GET /admin/v1/domains': { status: 200, body: { domains: [] } },
      'POST /admin/v1/domains': apiError(422, 'invalid_field', 'hostname: must be a hostname such as tickets.myvenue.org', { field: 'hostname' }),
    });
    const input = await screen.findByLabelText('Hostname');
    await fireEvent.input(input, { target: { value: 'not a host' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add domain' }));
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById('domain-hostname-error')?.textContent).toMatch(/must be a hostname/);
  });

  it('checks now, shows the new state, and explains when DNS did not answer', async () => {
    let answer: { status: number; body?: unknown } = { status: 200, body: domain('issuing_certificate', { checkedAt: new Date().toISOString() }) };
    await openPage({
      'GET /admin/v1/domains': {
        status: 200,
        body: { domains: [domain('pending_dns', { reason: 'No TXT record at _marquee.tickets.myvenue.org yet.', checkedAt: new Date(Date.now() - 42_000).toISOString() })] },
      },
      'POST /admin/v1/domains/tickets.myvenue.org/verify': () => answer,
    });
    const card = await screen.findByTestId('domain');
    expect(within(card).getByTestId('domain-reason').textContent).toMatch(/No TXT record at _marquee/);
    expect(within(card).getByTestId('domain-times').textContent).toMatch(/Last checked\s+42 seconds ago/);
    await fireEvent.click(within(card).getByRole('button', { name: 'Check tickets.myvenue.org now' }));
    await waitFor(() => expect(within(card).getByTestId('domain-status').textContent).toBe('Issuing certificate'));
    expect(within(card).queryByTestId('domain-reason')).toBeNull();

    answer = apiError(502, 'upstream_unavailable', 'DNS or the edge did not answer; please try again in a minute');
    await fireEvent.click(within(card).getByRole('button', { name: 'Check tickets.myvenue.org now' }));
    expect((await within(card).findByRole('alert')).textContent).toMatch(/did not answer just now/);
    expect(within(card).getByTestId('domain-status').textContent).toBe('Issuing certificate');
  });

  it('shows an active domain with its link and a warning when its CNAME moved away', async () => {
    await openPage({
      'GET /admin/v1/domains': {
        status: 200,
        body: {
          domains: [
            domain('active', {
              dnsLostAt: new Date(Date.now() - 5 * 60_000).toISOString(),
              reason: 'The CNAME of tickets.myvenue.org no longer points to d111.cloudfront.net.',
            }),
          ],
        },
      },
    });
    const card = await screen.findByTestId('domain');
    expect(within(card).getByTestId('domain-status').textContent).toBe('Active');
    expect(within(card).getByRole('link', { name: 'https://tickets.myvenue.org/' }).getAttribute('href')).toBe('https://tickets.myvenue.org/');
    expect(within(card).getByTestId('domain-dns-lost').textContent).toMatch(/no longer points to d111.cloudfront.net.\s+Noticed\s+5 minutes ago/);
  });

  it('removes a domain after a confirmation', async () => {
    let domains = [domain('failed', { reason: 'No TXT record was found within 72 hours.' })];
    const calls = await openPage({
      'GET /admin/v1/domains': () => ({ status: 200, body: { domains } }),
      'DELETE /admin/v1/domains/tickets.myvenue.org': () => {
        domains = [];
        return { status: 204 };
      },
    });
    const card = await screen.findByTestId('domain');
    expect(within(card).getByTestId('domain-status').textContent).toBe('Failed');
    expect(within(card).getAllByTestId('dns-record')).toHaveLength(2);
    await fireEvent.click(within(card).getByRole('button', { name: 'Remove tickets.myvenue.org' }));
    const confirm = within(card).getByRole('alertdialog');
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(within(card).queryByRole('alertdialog')).toBeNull();
    await fireEvent.click(within(card).getByRole('button', { name: 'Remove tickets.myvenue.org' }));
    await fireEvent.click(within(card).getByRole('button', { name: 'Yes, remove' }));
    await waitFor(() => expect(screen.queryByTestId('domain')).toBeNull());
    expect(screen.getByText(/tickets.myvenue.org is removed/)).toBeTruthy();
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1);
  });

  it('re-reads the list every 5 s while a domain is on its way, and stops once none is', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let status = 'pending_dns';
      const calls = await openPage({ 'GET /admin/v1/domains': () => ({ status: 200, body: { domains: [domain(status)] } }) });
      await screen.findByTestId('domain');
      const reads = () => calls.filter((c) => c.method === 'GET' && c.path === '/admin/v1/domains').length;
      expect(reads()).toBe(1);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(reads()).toBe(2);
      status = 'active';
      await vi.advanceTimersByTimeAsync(5_000);
      expect(reads()).toBe(3);
      await waitFor(() => expect(screen.getByTestId('domain-status').textContent).toBe('Active'));
      await vi.advanceTimersByTimeAsync(20_000);
      expect(reads()).toBe(3);
    } finally {
      vi.useRealTimers();
    }
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

const MEMBERS = [
  { email: 'owner@demo.localhost', name: 'Olga Owner', role: 'owner', status: 'active', createdAt: '2026-01-01T00:00:00Z' },
  { email: 'mo@x.org', name: 'Mo Manager', role: 'manager', status: 'active', createdAt: '2026-01-02T00:00:00Z' },
  { email: 'sam@x.org', name: 'Sam Scanner', role: 'scanner', status: 'active', createdAt: '2026-01-03T00:00:00Z' },
  { email: 'ivy@x.org', name: 'Ivy Invited', role: 'box_office', status: 'invited', createdAt: '2026-01-04T00:00:00Z' },
];

describe('changing and removing staff', () => {
  it('offers a manager only the roles they may hand out, and leaves owners alone', async () => {
    asStaff('manager', 'mo@x.org');
    mockFetch({ 'GET /api/v1/site': { status: 200, body: SITE }, 'GET /admin/v1/staff': { status: 200, body: { staff: MEMBERS } } });
    navigate('/admin/staff');
    render(App);
    const sam = (await screen.findByLabelText('Role of Sam Scanner')) as HTMLSelectElement;
    expect([...sam.options].map((o) => o.textContent)).toEqual(['Manager', 'Box office', 'Scanner']);
    expect(screen.queryByLabelText('Role of Olga Owner')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Remove Olga Owner' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Remove Sam Scanner' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Withdraw invitation to Ivy Invited' })).toBeTruthy();
  });

  it("saves a member's new role", async () => {
    asStaff('owner');
    let staff = MEMBERS;
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/staff': () => ({ status: 200, body: { staff } }),
      'PUT /admin/v1/staff/sam%40x.org': (call) => {
        staff = staff.map((m) => (m.email === 'sam@x.org' ? { ...m, role: (call.body as { role: string }).role } : m));
        return { status: 200, body: staff[2] };
      },
    });
    navigate('/admin/staff');
    render(App);
    const select = (await screen.findByLabelText('Role of Sam Scanner')) as HTMLSelectElement;
    const save = screen.getByRole('button', { name: 'Save role of Sam Scanner' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await fireEvent.change(select, { target: { value: 'box_office' } });
    expect(save.disabled).toBe(false);
    await fireEvent.click(save);
    expect((await screen.findByRole('status')).textContent).toBe('Sam Scanner is now a box office.');
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ role: 'box_office' });
    expect(((await screen.findByLabelText('Role of Sam Scanner')) as HTMLSelectElement).value).toBe('box_office');
  });

  it('explains that the last owner must stay an owner', async () => {
    asStaff('owner');
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/staff': { status: 200, body: { staff: MEMBERS } },
      'PUT /admin/v1/staff/owner%40demo.localhost': apiError(409, 'last_owner', 'The venue needs at least one owner: make someone else an owner first'),
    });
    navigate('/admin/staff');
    render(App);
    const select = (await screen.findByLabelText('Role of Olga Owner')) as HTMLSelectElement;
    await fireEvent.change(select, { target: { value: 'manager' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save role of Olga Owner' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The venue needs at least one owner: make someone else an owner first.',
    );
    expect(((await screen.findByLabelText('Role of Olga Owner')) as HTMLSelectElement).value).toBe('owner');
  });

  it('removes a member after a confirmation that names them, and can be cancelled', async () => {
    asStaff('owner');
    let staff = MEMBERS;
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/staff': () => ({ status: 200, body: { staff } }),
      'DELETE /admin/v1/staff/sam%40x.org': () => {
        staff = staff.filter((m) => m.email !== 'sam@x.org');
        return { status: 204 };
      },
    });
    navigate('/admin/staff');
    render(App);
    const remove = await screen.findByRole('button', { name: 'Remove Sam Scanner' });
    await fireEvent.click(remove);
    const dialog = screen.getByRole('alertdialog', { name: 'Remove Sam Scanner from the staff?' });
    expect(dialog.textContent).toContain('sam@x.org will no longer be able to log in');
    expect(document.activeElement?.textContent?.trim()).toBe('Yes, remove');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    await fireEvent.click(screen.getByRole('button', { name: 'Remove Sam Scanner' }));
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Yes, remove' }));
    expect((await screen.findByRole('status')).textContent).toBe('Sam Scanner (sam@x.org) is no longer on the staff.');
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1);
    await waitFor(() => expect(screen.queryByRole('cell', { name: 'sam@x.org' })).toBeNull());
  });

  it('withdraws an invitation', async () => {
    asStaff('owner');
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/staff': { status: 200, body: { staff: MEMBERS } },
      'DELETE /admin/v1/staff/ivy%40x.org': { status: 204 },
    });
    navigate('/admin/staff');
    render(App);
    await fireEvent.click(await screen.findByRole('button', { name: 'Withdraw invitation to Ivy Invited' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Withdraw the invitation to Ivy Invited?' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Yes, withdraw it' }));
    expect((await screen.findByRole('status')).textContent).toBe('The invitation to Ivy Invited (ivy@x.org) is withdrawn.');
  });
});

describe("changing one's password", () => {
  async function fillPasswords(current: string, next: string, confirm = next) {
    await fireEvent.input(await screen.findByLabelText('Current password'), { target: { value: current } });
    await fireEvent.input(screen.getByLabelText('New password'), { target: { value: next } });
    await fireEvent.input(screen.getByLabelText('Repeat the new password'), { target: { value: confirm } });
    await fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
  }

  it('is linked from the header for every role, checks the new password first, then keeps the new token', async () => {
    asStaff('scanner', 'sam@x.org');
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'POST /admin/v1/password': {
        status: 200,
        body: { token: 'fresh-token', expiresAt: '2099-02-01T00:00:00Z', email: 'sam@x.org', role: 'scanner' },
      },
    });
    navigate('/admin');
    render(App);
    await fireEvent.click(await screen.findByRole('link', { name: 'Change password' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Change password' })).toBeTruthy();

    await fillPasswords('the old password', 'short');
    expect(screen.getByText('Use at least 12 characters.').id).toBe('password-new-error');
    await fillPasswords('the old password', 'a brand new password', 'a brand new passw0rd');
    expect(screen.getByText('The two new passwords are not the same.').id).toBe('password-confirm-error');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    await fillPasswords('the old password', 'a brand new password');
    expect((await screen.findByRole('status')).textContent).toMatch(/You stay logged in here; every other session .* was logged out/);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ currentPassword: 'the old password', newPassword: 'a brand new password' });
    expect(loadStaffSession()).toMatchObject({ token: 'fresh-token', email: 'sam@x.org', role: 'scanner' });
    expect(screen.getByTestId('signed-in-as').textContent).toBe('sam@x.org · Scanner');
    expect((screen.getByLabelText('Current password') as HTMLInputElement).value).toBe('');
  });

  it('says when the current password is wrong, and stays logged in', async () => {
    asStaff('owner');
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'POST /admin/v1/password': apiError(401, 'invalid_credentials', 'The email or password is wrong'),
    });
    navigate('/admin/password');
    render(App);
    await fillPasswords('not it', 'a brand new password');
    expect((await screen.findByText('This is not your current password.')).id).toBe('password-current-error');
    expect(loadStaffSession()).not.toBeNull();
    expect(screen.getByTestId('signed-in-as')).toBeTruthy();
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

  it('says how long to wait after too many codes', async () => {
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'POST /admin/v1/staff/accept': apiError(429, 'rate_limited', 'Too many attempts', { retryAfterSeconds: 45 }),
    });
    navigate('/admin/accept-invite?email=new%40x.org&code=abc123');
    render(App);
    await fireEvent.input(screen.getByLabelText('New password'), { target: { value: 'a long enough password' } });
    await fireEvent.input(screen.getByLabelText('Repeat the password'), { target: { value: 'a long enough password' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Set password and log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Try again in 45 seconds.');
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

it('returns to the login form when the session has ended elsewhere', async () => {
  asStaff('manager');
  mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'GET /admin/v1/staff': apiError(401, 'unauthorized', 'This session has ended; log in again'),
  });
  navigate('/admin/staff');
  render(App);
  expect(await screen.findByText('Your session has ended; log in again.')).toBeTruthy();
  expect(screen.getByRole('heading', { name: 'Staff login' })).toBeTruthy();
  expect(loadStaffSession()).toBeNull();
});
