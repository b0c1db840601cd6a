// The scanner page and the order refund flow, with the API mocked.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { navigate } from '../lib/router.svelte';
import { signIn, signOut } from '../lib/session.svelte';
import { fakeToken, mockFetch, SITE, type Call } from '../test/fetch';

function asStaff(role: 'owner' | 'box_office' | 'scanner') {
  const email = `${role}@demo.localhost`;
  signIn({ token: fakeToken(email, role), expiresAt: '2099-01-01T00:00:00Z', email, role });
}

beforeEach(() => signOut());

const at = (utc: string) => ({ utc, local: utc, timezone: 'America/New_York' });
const EVENTS = {
  events: [
    {
      id: 'e1',
      title: 'Hamlet',
      description: '',
      imageUrl: null,
      performances: [{ id: 'p1', eventId: 'e1', status: 'on_sale', startsAt: at('2099-03-01T00:30:00Z') }],
    },
  ],
};

describe('the scanner page', () => {
  it('shows OK to enter with the place, then Already used, clearing and refocusing the input', async () => {
    let scans = 0;
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/events': { status: 200, body: EVENTS },
      'POST /admin/v1/scan': () => {
        scans += 1;
        return scans === 1
          ? { status: 200, body: { result: 'ok', message: 'Welcome', ticketId: 't1', usedAt: null, door: 'North', place: 'Orchestra, row C, seat 12' } }
          : {
              status: 200,
              body: { result: 'already_used', message: 'Already used at 19:42 (door North)', ticketId: 't1', usedAt: '2099-03-01T00:42:00Z', door: 'North', place: 'Orchestra, row C, seat 12' },
            };
      },
    });
    asStaff('scanner');
    navigate('/admin/scan');
    render(App);
    const select = (await screen.findByLabelText('Performance')) as HTMLSelectElement;
    await within(select).findByRole('option', { name: /^Hamlet — / });
    expect(select.value).toBe('p1');
    await fireEvent.input(screen.getByLabelText('Door'), { target: { value: 'North' } });

    const input = screen.getByLabelText('Ticket code') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'MQ1.abc.def' } });
    await fireEvent.submit(input.form!);
    const verdict = await screen.findByTestId('scan-verdict');
    expect(verdict.dataset['ok']).toBe('true');
    expect(verdict.textContent).toMatch(/OK to enter/);
    expect(verdict.textContent).toMatch(/Orchestra, row C, seat 12/);
    expect(input.value).toBe('');
    expect(document.activeElement).toBe(input);
    const scan = calls.find((c: Call) => c.path === '/admin/v1/scan')!;
    expect(scan.body).toEqual({ code: 'MQ1.abc.def', performanceId: 'p1', direction: 'in', door: 'North' });

    await fireEvent.input(input, { target: { value: 'MQ1.abc.def' } });
    await fireEvent.submit(input.form!);
    await expect.poll(() => screen.getByTestId('scan-verdict').dataset['ok']).toBe('false');
    expect(screen.getByTestId('scan-verdict').textContent).toMatch(/Already used.*Already used at 19:42 \(door North\)/s);
    expect(input.value).toBe('');
    expect(document.activeElement).toBe(input);
  });
});

describe('refunding an order', () => {
  const detail = (status: 'valid' | 'refunded', refunded = 0) => ({
    id: 'o1',
    number: 'K7QM-3XPD',
    status: status === 'valid' ? 'paid' : 'partially_refunded',
    name: 'Ada',
    email: 'ada@example.org',
    total: 13150,
    refunded,
    currency: 'USD',
    createdAt: '2099-01-01T00:00:00Z',
    delivery: 'email',
    totals: { lines: [], subtotal: 12750, fees: 400, tax: 0, taxIncluded: 0, total: 13150, currency: 'USD' },
    tickets: [
      { id: 't1', performanceId: 'p1', place: { sectionName: 'Orchestra', row: 'C', seatLabel: '12' }, priceType: 'adult', price: 8500, fees: 200, status },
      { id: 't2', performanceId: 'p1', place: { sectionName: 'Orchestra', row: 'C', seatLabel: '13' }, priceType: 'student', price: 4250, fees: 200, status: 'valid' },
    ],
    refunds: status === 'refunded' ? [{ id: 're_1', amount: 8700, tickets: ['t1'], reason: 'Cannot come', at: '2099-01-02T00:00:00Z' }] : [],
    problem: null,
    paidAt: '2099-01-01T00:01:00Z',
    postedAt: null,
  });

  it('refunds the chosen ticket after a confirmation and shows the result', async () => {
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/orders/o1': { status: 200, body: detail('valid') },
      'POST /admin/v1/orders/o1/refund': { status: 200, body: detail('refunded', 8700) },
    });
    asStaff('box_office');
    navigate('/admin/orders?id=o1');
    render(App);
    expect((await screen.findByTestId('admin-order-number')).textContent).toBe('K7QM-3XPD');
    await fireEvent.click(screen.getByLabelText('Refund Orchestra, row C, seat 12'));
    await fireEvent.input(screen.getByLabelText(/Reason/), { target: { value: 'Cannot come' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Refund selected (1)' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toMatch(/Refund 1 ticket\?/);
    expect(dialog.textContent).toMatch(/\$87\.00/);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm refund' }));
    expect((await screen.findByText(/Refunded 1 ticket/)).textContent).toMatch(/\$87\.00 goes back/);
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ tickets: ['t1'], reason: 'Cannot come' });
    expect(screen.getByTestId('admin-order-status').textContent).toBe('Partly refunded');
    expect(screen.getByTestId('admin-refunds').textContent).toMatch(/Cannot come/);
  });

  it("shows where the card payment went, and keeps it after a refund (whose answer has no figures)", async () => {
    const payment = { gross: 17400, stripeFee: 535, platformFee: 465, net: 16400, currency: 'USD' };
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/orders/o1': { status: 200, body: { ...detail('valid'), stripeAccount: 'acct_demo', platformFee: 465, payment } },
      'POST /admin/v1/orders/o1/refund': { status: 200, body: { ...detail('refunded', 8700), stripeAccount: 'acct_demo', platformFee: 465 } },
    });
    asStaff('box_office');
    navigate('/admin/orders?id=o1');
    render(App);
    const figures = await screen.findByTestId('admin-payment');
    expect(within(figures).getByTestId('payment-gross').textContent).toBe('$174.00');
    expect(within(figures).getByTestId('payment-stripe-fee').textContent).toBe('− $5.35');
    expect(within(figures).getByTestId('payment-platform-fee').textContent).toBe('− $4.65');
    expect(within(figures).getByTestId('payment-net').textContent).toBe('$164.00');
    await fireEvent.click(screen.getByLabelText('Refund Orchestra, row C, seat 12'));
    await fireEvent.click(screen.getByRole('button', { name: 'Refund selected (1)' }));
    await fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Confirm refund' }));
    await screen.findByText(/Refunded 1 ticket/);
    expect(screen.getByTestId('payment-net').textContent).toBe('$164.00 (before refunds)');
  });
});
