// The Will-call page against a fake API: reservations to pay, orders to collect and collected
// ones apart; a reservation paid in cash shows the change due; "Picked up" marks an order once,
// and another clerk's earlier pick-up is shown with who and when; a search asks the server.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { navigate } from '../lib/router.svelte';
import { apiError, mockFetch, SITE, signedIn } from '../test/fetch';
import WillCallPage from './WillCallPage.svelte';

const EVENTS = {
  events: [
    {
      id: 'event-1',
      title: 'The Tempest',
      performances: [{ id: 'perf-1', status: 'on_sale', startsAt: { utc: '2027-03-01T00:30:00Z', local: '2027-02-28T19:30:00-05:00', timezone: 'America/New_York' } }],
    },
  ],
};
const usd = (amount: number) => ({ amount, currency: 'USD' });
const RESERVED = { orderId: 'o-res', number: 'RS-0001', name: 'Rosa Diaz', email: 'rosa@example.org', phone: '555 0100', tickets: 2, toPay: true, reservedUntil: '2027-02-28T23:00:00Z', total: usd(12_400), pickedUp: null };
const WAITING = { orderId: 'o-wait', number: 'WC-0002', name: 'Will Collins', email: 'will@example.org', tickets: 1, toPay: false, total: usd(6200), pickedUp: null };
const COLLECTED = { orderId: 'o-done', number: 'WC-0003', name: 'Ada Lane', email: 'ada@example.org', tickets: 1, toPay: false, total: usd(6200), pickedUp: { at: '2027-02-28T23:10:00Z', by: 'ana@example.org' } };

beforeEach(() => {
  signedIn('box_office', 'clerk@demo.localhost');
  navigate('/admin/will-call?performance=perf-1');
});

describe('the Will-call page', () => {
  it('pays a reservation in cash with the change shown, then hands the tickets over once', async () => {
    let paid = false;
    let pickedUp = false;
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/events': { status: 200, body: EVENTS },
      'GET /admin/v1/performances/perf-1/will-call': () => ({
        status: 200,
        body: {
          orders: paid
            ? [
                { ...RESERVED, toPay: false, reservedUntil: undefined, pickedUp: pickedUp ? { at: '2027-02-28T23:20:00Z', by: 'clerk@demo.localhost' } : null },
                WAITING,
                COLLECTED,
              ]
            : [RESERVED, WAITING, COLLECTED],
        },
      }),
      'POST /admin/v1/orders/o-res/pay': () => {
        paid = true;
        return { status: 200, body: { orderId: 'o-res', number: 'RS-0001', status: 'paid', totals: { subtotal: 12_400, discount: 0, fees: 0, tax: 0, taxIncluded: 0, total: 12_400, currency: 'USD', lines: [] }, changeDue: 2600 } };
      },
      'POST /admin/v1/orders/o-res/pickup': () => {
        pickedUp = true;
        return { status: 200, body: { ...RESERVED, toPay: false, reservedUntil: undefined, pickedUp: { at: '2027-02-28T23:20:00Z', by: 'clerk@demo.localhost' } } };
      },
      'POST /admin/v1/orders/o-wait/pickup': apiError(409, 'already_picked_up', 'These tickets were handed over already, by bo@example.org at 2027-02-28T23:15:00Z', {
        pickedUp: { at: '2027-02-28T23:15:00Z', by: 'bo@example.org' },
      }),
    });
    render(WillCallPage, { timezone: 'America/New_York' });

    expect(await screen.findByTestId('will-call-counts')).toHaveProperty('textContent', '1 to pay · 1 to collect · 1 picked up');
    const toPay = screen.getByRole('region', { name: 'Reservations to pay' });
    expect(within(toPay).getByText('Rosa Diaz')).toBeTruthy();
    expect(within(toPay).getByText(/^2 tickets · \$124\.00 · reserved until Feb 28, 2027, 6:00\sPM$/)).toBeTruthy();
    const collected = screen.getByRole('region', { name: 'Picked up' });
    expect(within(collected).getByTestId('will-call-picked-up').textContent).toMatch(/^Picked up Feb 28, 2027, 6:10\sPM by ana@example\.org$/);
    expect(within(collected).queryByRole('button')).toBeNull();

    // Cash: too little is refused at the field, enough shows the change, then it is paid.
    await fireEvent.click(within(toPay).getByRole('button', { name: 'Take payment…' }));
    const tendered = screen.getByLabelText('Cash tendered');
    await waitFor(() => expect(document.activeElement).toBe(tendered));
    await fireEvent.input(tendered, { target: { value: '100' } });
    expect(screen.getByTestId('pay-change').textContent?.trim()).toBe('The cash tendered is $24.00 short of $124.00.');
    await fireEvent.submit(screen.getByRole('button', { name: 'Take $124.00 in cash' }).closest('form')!);
    expect(calls.some((c) => c.path.endsWith('/pay'))).toBe(false);
    expect(screen.getByRole('alert').textContent).toBe('The cash tendered is $24.00 short of $124.00.');
    await fireEvent.input(tendered, { target: { value: '150' } });
    expect(screen.getByTestId('pay-change').textContent?.trim()).toBe('Change due $26.00');
    await fireEvent.submit(screen.getByRole('button', { name: 'Take $124.00 in cash' }).closest('form')!);

    const notice = await screen.findByTestId('will-call-notice');
    expect(calls.find((c) => c.path.endsWith('/pay'))?.body).toEqual({ method: 'cash', tendered: 15_000 });
    expect(within(notice).getByTestId('will-call-change').textContent).toContain('$26.00');
    await waitFor(() => expect(screen.getByTestId('will-call-counts').textContent).toBe('0 to pay · 2 to collect · 1 picked up'));

    // Picked up: marked once, then shown with who and when and no button.
    await fireEvent.click(screen.getByRole('button', { name: 'Picked up: order RS-0001, Rosa Diaz' }));
    await waitFor(() => expect(screen.getByTestId('will-call-counts').textContent).toBe('0 to pay · 1 to collect · 2 picked up'));
    expect(calls.filter((c) => c.path === '/admin/v1/orders/o-res/pickup')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: /order RS-0001/ })).toBeNull();
    expect(screen.getByText(/^Picked up Feb 28, 2027, 6:20\sPM by clerk@demo\.localhost$/)).toBeTruthy();

    // Another clerk was quicker: the refusal names who and when, and the row moves.
    await fireEvent.click(screen.getByRole('button', { name: 'Picked up: order WC-0002, Will Collins' }));
    const refusal = await screen.findByText(/^Already handed over: picked up Feb 28, 2027, 6:15\sPM by bo@example\.org\.$/);
    expect(refusal.getAttribute('role')).toBe('alert');
    expect(screen.getByTestId('will-call-counts').textContent).toBe('0 to pay · 0 to collect · 3 picked up');
  });

  it('cancels a reservation after a confirmation, and searches by name or number', async () => {
    let cancelled = false;
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/events': { status: 200, body: EVENTS },
      'GET /admin/v1/performances/perf-1/will-call': (call) => ({
        status: 200,
        body: { orders: call.path.includes('q=') ? [] : cancelled ? [WAITING] : [RESERVED, WAITING] },
      }),
      'DELETE /admin/v1/orders/o-res/reservation': () => {
        cancelled = true;
        return { status: 200, body: { orderId: 'o-res', number: 'RS-0001', status: 'cancelled' } };
      },
    });
    render(WillCallPage, { timezone: 'America/New_York' });
    const toPay = await screen.findByRole('region', { name: 'Reservations to pay' });
    await fireEvent.click(within(toPay).getByRole('button', { name: 'Cancel reservation…' }));
    const confirm = screen.getByRole('alertdialog');
    expect(confirm.textContent).toContain('Cancel reservation RS-0001 for Rosa Diaz? Its seats are released at once.');
    await fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel the reservation' }));
    expect((await screen.findByTestId('will-call-notice')).textContent).toContain('Reservation RS-0001 for Rosa Diaz cancelled');
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Reservations to pay' })).toBeNull());
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1);

    await fireEvent.input(screen.getByLabelText('Find by name or order number'), { target: { value: 'zz-99' } });
    await fireEvent.submit(screen.getByRole('button', { name: 'Find' }).closest('form')!);
    expect((await screen.findByTestId('will-call-empty')).textContent).toBe('Nothing on will call matches “zz-99”.');
    expect(calls.some((c) => c.path === '/admin/v1/performances/perf-1/will-call?q=zz-99')).toBe(true);
  });
});
