// The Sell page against a fake API: the cart opens with the first hold, hidden prices are
// offered marked, Sell says why it is off until the cash covers the total, the sale's request,
// the change due; a taken seat is named; a box office clerk is offered no comps.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../lib/api';
import { signIn, signOut } from '../lib/session.svelte';
import { apiError, fakeToken, mockFetch, SITE, VENUE, type Call } from '../test/fetch';
import { freeStatus, performance, price, PRICES, smallLayout } from '../test/seatmaps';
import SellPage from './SellPage.svelte';

const layout = smallLayout();
const ADMIN_PERFORMANCE = { ...performance(), prices: [...PRICES, { ...price('premium', 'Premium', 'friends', 2000), hidden: true }] };
const EVENTS = {
  events: [
    {
      id: 'event-1',
      title: 'The Tempest',
      performances: [{ id: 'perf-1', status: 'on_sale', startsAt: { utc: '2027-03-01T00:30:00Z', local: '2027-02-28T19:30:00-05:00', timezone: 'America/New_York' } }],
    },
  ],
};
const EXPIRES = new Date(Date.now() + 30 * 60_000).toISOString();

function cartView(items: { holdId: string; seatId: string }[]) {
  return {
    cartId: 'cart-1',
    status: 'open',
    remaining: 100 - items.length,
    holdSeconds: 1800,
    expiresAt: items.length ? EXPIRES : null,
    items: items.map((i) => ({ ...i, performanceId: 'perf-1', areaId: null, zone: 'premium', expiresAt: EXPIRES })),
  };
}

function totals(total: number) {
  return { subtotal: total - 400, discount: 0, fees: 400, tax: 0, taxIncluded: 0, total, currency: 'USD', lines: [] };
}

function api(extra: Record<string, Parameters<typeof mockFetch>[0][string]> = {}): Call[] {
  return mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'GET /admin/v1/events': { status: 200, body: EVENTS },
    'GET /api/v1/performances/perf-1/seatmap': { status: 200, body: { layout, status: freeStatus(layout) } },
    'GET /api/v1/performances/perf-1/seatmap/status': { status: 200, body: freeStatus(layout) },
    'GET /admin/v1/performances/perf-1': { status: 200, body: ADMIN_PERFORMANCE },
    'POST /admin/v1/carts': { status: 201, body: cartView([]) },
    'POST /admin/v1/carts/cart-1/holds': {
      status: 201,
      body: cartView([
        { holdId: 'h1', seatId: 'orchestra-A-5' },
        { holdId: 'h2', seatId: 'orchestra-A-6' },
      ]),
    },
    'POST /admin/v1/carts/cart-1/quote': { status: 200, body: totals(17_400) },
    'POST /admin/v1/carts/cart-1/sell': { status: 201, body: { orderId: 'order-1', number: 'ABCD-1234', status: 'paid', totals: totals(17_400), changeDue: 2600 } },
    ...extra,
  });
}

function login(role: Role) {
  signOut();
  signIn({ token: fakeToken('clerk@demo.localhost', role), expiresAt: '2099-01-01T00:00:00Z', email: 'clerk@demo.localhost', role });
}

beforeEach(() => login('box_office'));

describe('the Sell page', () => {
  it('holds the best available, prices the tickets, and sells for cash with the change due', async () => {
    const calls = api();
    render(SellPage, { role: 'box_office', timezone: 'America/New_York', liveUrl: null });

    const select = (await screen.findByLabelText('Performance')) as HTMLSelectElement;
    await waitFor(() => expect(select.value).toBe('perf-1'));
    await waitFor(() => expect(document.activeElement).toBe(select));
    await screen.findByRole('group', { name: /^Seat map of/ });
    expect(screen.queryByLabelText('Comp')).toBeNull();

    await fireEvent.input(screen.getByLabelText('Seats'), { target: { value: '2' } });
    await fireEvent.submit(screen.getByRole('button', { name: 'Hold best seats' }).closest('form')!);
    const tickets = await screen.findAllByTestId('sale-ticket');
    expect(tickets).toHaveLength(2);
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/admin/v1/carts')).toHaveLength(1);
    expect(calls.find((c) => c.path.endsWith('/holds'))?.body).toEqual({ performanceId: 'perf-1', bestAvailable: { quantity: 2 } });
    expect(within(tickets[0]!).getByText('Orchestra row A seat 5')).toBeTruthy();
    const options = within(tickets[0]!).getAllByRole('option').map((o) => o.textContent);
    expect(options).toEqual(['Adult — $85.00', 'Student — $42.50', 'Friends (hidden) — $20.00']);

    // The total comes from the server; Sell waits for the cash.
    await screen.findByText('$174.00', { selector: '[data-testid="total"]' });
    const quote = calls.find((c) => c.path.endsWith('/quote'));
    expect(quote?.body).toEqual({ tickets: [{ holdId: 'h1', priceType: 'adult' }, { holdId: 'h2', priceType: 'adult' }] });
    const sell = screen.getByRole('button', { name: /^Sell 2 tickets for \$174\.00$/ });
    expect(sell.getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByTestId('sell-why').textContent).toBe('Enter the cash tendered (the total is $174.00).');

    const tendered = screen.getByLabelText('Cash tendered');
    await fireEvent.input(tendered, { target: { value: '150' } });
    expect(screen.getByTestId('sell-why').textContent).toBe('The cash tendered is $24.00 short of the total.');
    await fireEvent.submit(sell.closest('form')!);
    await waitFor(() => expect(document.activeElement).toBe(tendered));
    expect(screen.getByRole('alert').textContent).toContain('short of the total');
    expect(calls.some((c) => c.path.endsWith('/sell'))).toBe(false);

    await fireEvent.input(tendered, { target: { value: '200' } });
    expect(screen.getByTestId('change-due').textContent?.trim()).toBe('Change due $26.00');
    expect(sell.getAttribute('aria-disabled')).toBeNull();
    await fireEvent.submit(sell.closest('form')!);

    const done = await screen.findByTestId('sale-done');
    expect(calls.find((c) => c.path.endsWith('/sell'))?.body).toEqual({
      tickets: [{ holdId: 'h1', priceType: 'adult' }, { holdId: 'h2', priceType: 'adult' }],
      payment: { method: 'cash', tendered: 20_000 },
      delivery: 'print',
    });
    expect(within(done).getByTestId('sale-number').textContent).toBe('ABCD-1234');
    expect(within(done).getByTestId('sale-change').textContent).toContain('$26.00');
    await waitFor(() => expect(document.activeElement).toBe(within(done).getByRole('button', { name: 'New sale' })));
  });

  it('names a seat someone else just took', async () => {
    api({ 'POST /admin/v1/carts/cart-1/holds': apiError(409, 'seat_unavailable', 'Seats unavailable', { seats: ['orchestra-A-5'] }) });
    render(SellPage, { role: 'box_office', timezone: 'America/New_York', liveUrl: null });
    await screen.findByRole('group', { name: /^Seat map of/ });
    await fireEvent.submit(screen.getByRole('button', { name: 'Hold best seats' }).closest('form')!);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Seat A5 was just taken.');
    expect(screen.getByTestId('sale-empty')).toBeTruthy();
  });

  it('finds a patron by search and fills their details; Walk-up clears them', async () => {
    const calls = api({
      'GET /admin/v1/patrons': {
        status: 200,
        body: { patrons: [{ name: 'Rosa Diaz', email: 'rosa@example.org', phone: '555 0100', orders: 3 }] },
      },
    });
    render(SellPage, { role: 'box_office', timezone: 'America/New_York', liveUrl: null });
    await screen.findByRole('group', { name: /^Seat map of/ });
    const search = screen.getByRole('combobox', { name: 'Find a patron' });
    await fireEvent.input(search, { target: { value: 'ros' } });
    const found = await screen.findByRole('option', { name: /Rosa Diaz/ });
    expect(calls.find((c) => c.path.startsWith('/admin/v1/patrons'))?.path).toBe('/admin/v1/patrons?q=ros');
    expect(found.getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(search, { key: 'Enter' });
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Rosa Diaz');
    expect((screen.getByRole('textbox', { name: 'Email' }) as HTMLInputElement).value).toBe('rosa@example.org');
    expect((screen.getByLabelText('Phone') as HTMLInputElement).value).toBe('555 0100');
    expect(screen.getByTestId('sale-patron-found').textContent).toContain('Rosa Diaz · 3 orders');
    await fireEvent.click(screen.getByRole('button', { name: 'Walk-up instead' }));
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('');
    expect(screen.getByTestId('sale-summary').textContent).toContain('Walk-up');
  });

  it('takes a phone order by payment link by default, and says where it went', async () => {
    const calls = api({
      'GET /admin/v1/venue': { status: 200, body: VENUE },
      'POST /admin/v1/carts/cart-1/sell': {
        status: 201,
        body: { orderId: 'order-2', number: 'PH-0001', status: 'pending', totals: totals(17_400), paymentLink: { sentTo: 'rosa@example.org', until: '2026-12-09T00:00:00Z', sent: true } },
      },
    });
    render(SellPage, { role: 'box_office', timezone: 'America/New_York', liveUrl: null });
    await screen.findByRole('group', { name: /^Seat map of/ });
    await fireEvent.submit(screen.getByRole('button', { name: 'Hold best seats' }).closest('form')!);
    await screen.findByText('$174.00', { selector: '[data-testid="total"]' });
    await fireEvent.click(screen.getByLabelText('Phone order'));
    const link = screen.getByLabelText('Email a payment link') as HTMLInputElement;
    expect(link.checked).toBe(true);
    // MOTO is off for this venue: not offered.
    expect(screen.queryByLabelText('Key in the card (MOTO)')).toBeNull();
    expect(screen.getByTestId('sale-phone-hint').textContent).toContain('for 24 hours');
    // Tickets go by email on the phone.
    expect((screen.getByRole('radio', { name: 'Email' }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('sell-why').textContent).toBe('A phone order needs the patron’s name.');
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Rosa Diaz' } });
    expect(screen.getByTestId('sell-why').textContent).toBe('The payment link is emailed: enter the patron’s email.');
    await fireEvent.input(screen.getByRole('textbox', { name: 'Email' }), { target: { value: 'rosa@example.org' } });
    const send = screen.getByRole('button', { name: 'Send a payment link for 2 tickets for $174.00' });
    await fireEvent.submit(send.closest('form')!);
    const done = await screen.findByTestId('sale-done');
    expect(calls.find((c) => c.path.endsWith('/sell'))?.body).toMatchObject({
      payment: { method: 'card', phone: 'link' },
      patron: { name: 'Rosa Diaz', email: 'rosa@example.org' },
      delivery: 'email',
    });
    expect(within(done).getByRole('heading').textContent).toBe('Payment link sent');
    expect(within(done).getByTestId('sale-payment-link').textContent).toMatch(/^Payment link sent to rosa@example\.org; the seats are held until Dec 8, 2026, 7:00\sPM\./);
  });

  it('says when a payment link could not be sent, and cancels that sale back to its seats', async () => {
    const calls = api({
      'GET /admin/v1/venue': { status: 200, body: VENUE },
      'POST /admin/v1/carts/cart-1/sell': {
        status: 201,
        body: { orderId: 'order-3', number: 'PH-0002', status: 'pending', totals: totals(17_400), paymentLink: { sentTo: 'rosa@example.org', until: '2026-12-09T00:00:00Z', sent: false } },
      },
      'POST /admin/v1/orders/order-3/cancel': { status: 200, body: { orderId: 'order-3', number: 'PH-0002', status: 'cancelled', cartId: 'cart-1' } },
      'GET /admin/v1/carts/cart-1': {
        status: 200,
        body: cartView([
          { holdId: 'h1', seatId: 'orchestra-A-5' },
          { holdId: 'h2', seatId: 'orchestra-A-6' },
        ]),
      },
    });
    render(SellPage, { role: 'box_office', timezone: 'America/New_York', liveUrl: null });
    await screen.findByRole('group', { name: /^Seat map of/ });
    await fireEvent.submit(screen.getByRole('button', { name: 'Hold best seats' }).closest('form')!);
    await screen.findByText('$174.00', { selector: '[data-testid="total"]' });
    await fireEvent.click(screen.getByLabelText('Phone order'));
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Rosa Diaz' } });
    await fireEvent.input(screen.getByRole('textbox', { name: 'Email' }), { target: { value: 'rosa@example.org' } });
    await fireEvent.submit(screen.getByRole('button', { name: /^Send a payment link/ }).closest('form')!);
    const done = await screen.findByTestId('sale-done');
    expect(within(done).getByRole('heading').textContent).toBe('Payment link not sent');
    expect(within(done).getByTestId('sale-payment-link').textContent).toContain('could not be sent');
    await fireEvent.click(within(done).getByRole('button', { name: 'Cancel this sale' }));
    expect(await screen.findByTestId('sale-error')).toHaveProperty('textContent', 'The card payment was cancelled; the seats are still held for this sale.');
    expect(calls.some((c) => c.method === 'POST' && c.path === '/admin/v1/orders/order-3/cancel')).toBe(true);
    expect(screen.getAllByTestId('sale-ticket')).toHaveLength(2);
  });

  it('offers MOTO where the venue enabled it, and puts a refused payment link at the payment', async () => {
    api({
      'GET /admin/v1/venue': { status: 200, body: { ...VENUE, settings: { ...VENUE.settings, motoEnabled: true } } },
      'POST /admin/v1/carts/cart-1/sell': apiError(422, 'invalid_field', 'payment: payment links are not available yet: key the card in (MOTO) or reserve the seats', { field: 'payment' }),
    });
    render(SellPage, { role: 'box_office', timezone: 'America/New_York', liveUrl: null });
    await screen.findByRole('group', { name: /^Seat map of/ });
    await fireEvent.submit(screen.getByRole('button', { name: 'Hold best seats' }).closest('form')!);
    await screen.findByText('$174.00', { selector: '[data-testid="total"]' });
    await fireEvent.click(screen.getByLabelText('Phone order'));
    expect(await screen.findByLabelText('Key in the card (MOTO)')).toBeTruthy();
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Rosa Diaz' } });
    await fireEvent.input(screen.getByRole('textbox', { name: 'Email' }), { target: { value: 'rosa@example.org' } });
    await fireEvent.submit(screen.getByRole('button', { name: /^Send a payment link/ }).closest('form')!);
    const alert = await screen.findByText('Payment links are not available yet: key the card in (MOTO) or reserve the seats.');
    expect(alert.getAttribute('role')).toBe('alert');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Email a payment link')));
  });

  it('offers comps to a manager, with a reason', async () => {
    login('manager');
    api();
    render(SellPage, { role: 'manager', timezone: 'America/New_York', liveUrl: null });
    await screen.findByRole('group', { name: /^Seat map of/ });
    await fireEvent.click(screen.getByLabelText('Comp'));
    expect(screen.getByLabelText('Reason for the comp')).toBeTruthy();
  });
});
