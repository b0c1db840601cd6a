import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { navigate, route } from '../lib/router.svelte';
import { signIn, signOut } from '../lib/session.svelte';
import { fakeToken, mockFetch } from '../test/fetch';
import PaymentsPage from './PaymentsPage.svelte';

const FEE = { platformFee: { basisPoints: 250, fixedPerTicket: 30 }, refundPlatformFee: true };
const NOT_CONNECTED = { status: 'not_connected', chargesEnabled: false, payoutsEnabled: false, requirements: [], ...FEE };
const INCOMPLETE = {
  status: 'incomplete',
  accountId: 'acct_1',
  chargesEnabled: false,
  payoutsEnabled: false,
  requirements: ['external_account', 'individual.verification.document'],
  disabledReason: 'requirements.past_due',
  dashboardUrl: 'https://dashboard.stripe.com/',
  checkedAt: '2027-01-01T12:00:00Z',
  ...FEE,
};
const CONNECTED = { ...INCOMPLETE, status: 'connected', chargesEnabled: true, payoutsEnabled: true, requirements: [], disabledReason: null };
const RESTRICTED = { ...INCOMPLETE, status: 'restricted', requirements: ['individual.verification.document'] };
const PAYOUTS = {
  balance: { available: [{ amount: 12345, currency: 'GBP' }], pending: [] },
  payouts: [{ id: 'po_1', amount: { amount: 5000, currency: 'GBP' }, status: 'paid', arrivalDate: '2027-01-03T00:00:00Z', created: '2027-01-01T00:00:00Z' }],
};

function asStaff(role: 'owner' | 'manager') {
  signIn({ token: fakeToken(`${role}@demo.localhost`, role), expiresAt: '2099-01-01T00:00:00Z', email: `${role}@demo.localhost`, role });
}

function show(role: 'owner' | 'manager' = 'owner') {
  asStaff(role);
  const go = vi.fn();
  render(PaymentsPage, { role, currency: 'GBP', timezone: 'Europe/London', go });
  return go;
}

beforeEach(() => {
  signOut();
  navigate('/admin/payments');
});

describe('Payments page', () => {
  it('offers the owner to connect, and sends the browser to Stripe', async () => {
    const calls = mockFetch({
      'GET /admin/v1/payments': { status: 200, body: NOT_CONNECTED },
      'POST /admin/v1/payments/onboarding': { status: 200, body: { url: 'https://connect.stripe.test/setup/abc' } },
    });
    const go = show();
    expect(await screen.findByTestId('payments-status')).toHaveProperty('textContent', 'Not connected');
    expect(screen.getByTestId('platform-fee').textContent).toBe('2.5 % + £0.30 per ticket');
    await fireEvent.click(screen.getByRole('button', { name: 'Connect with Stripe' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('https://connect.stripe.test/setup/abc'));
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/admin/v1/payments/onboarding']);
  });

  it('tells a manager that only the owner connects', async () => {
    mockFetch({ 'GET /admin/v1/payments': { status: 200, body: NOT_CONNECTED } });
    show('manager');
    expect((await screen.findByTestId('owner-only')).textContent).toMatch(/Only the venue's owner can connect a Stripe account/);
    expect(screen.queryByRole('button', { name: 'Connect with Stripe' })).toBeNull();
  });

  it("lists what Stripe still needs, and explains a refused onboarding", async () => {
    mockFetch({
      'GET /admin/v1/payments': { status: 200, body: INCOMPLETE },
      'POST /admin/v1/payments/onboarding': { status: 502, body: { error: { code: 'payment_provider_unavailable', message: 'x' } } },
    });
    const go = show();
    const list = await screen.findByTestId('payments-requirements');
    expect([...list.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['A bank account for your payouts', 'An identity document of the account holder']);
    await fireEvent.click(screen.getByRole('button', { name: 'Finish setup' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Stripe could not be reached/);
    expect(go).not.toHaveBeenCalled();
  });

  it('reads the account from Stripe at once on the way back from onboarding', async () => {
    navigate('/admin/payments?onboarding=return');
    const calls = mockFetch({
      'GET /admin/v1/payments': { status: 200, body: CONNECTED },
      'GET /admin/v1/payments/payouts': { status: 200, body: PAYOUTS },
    });
    show();
    expect((await screen.findByRole('status')).textContent).toMatch(/Your Stripe account is connected/);
    expect(calls[0]?.path).toBe('/admin/v1/payments?refresh=true');
    expect(route.search).toBe('');
    expect((await screen.findByTestId('balance-available')).textContent).toBe('£123.45');
    expect(screen.getByTestId('payouts').textContent).toContain('£50.00');
    expect(screen.getByRole('link', { name: /Open your Stripe Dashboard/ }).getAttribute('href')).toBe('https://dashboard.stripe.com/');
  });

  it('asks for a new link when the last one expired', async () => {
    navigate('/admin/payments?onboarding=refresh');
    const calls = mockFetch({
      'POST /admin/v1/payments/onboarding': { status: 200, body: { url: 'https://connect.stripe.test/setup/new' } },
    });
    const go = show();
    await waitFor(() => expect(go).toHaveBeenCalledWith('https://connect.stripe.test/setup/new'));
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /admin/v1/payments/onboarding']);
  });

  it('says why Stripe restricted the account and that refunds keep working', async () => {
    mockFetch({
      'GET /admin/v1/payments': { status: 200, body: RESTRICTED },
      'GET /admin/v1/payments/payouts': { status: 200, body: PAYOUTS },
    });
    show();
    const why = await screen.findByTestId('payments-restricted');
    expect(why.textContent).toMatch(/Stripe asked for information that has not been given in time/);
    expect(screen.getByTestId('payments-account').textContent).toMatch(/refunds keep working/);
    expect(screen.getByRole('button', { name: 'Finish setup' })).toBeTruthy();
  });
});
