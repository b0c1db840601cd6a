// The Sales page kept current through the live WebSocket (a fake one), with the API mocked.
import { render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { navigate } from '../lib/router.svelte';
import { signIn, signOut, staff } from '../lib/session.svelte';
import { FakeSocket } from '../test/fakeSocket';
import { apiError, fakeToken, mockFetch, SITE, type Call } from '../test/fetch';

const LIVE_URL = 'ws://demo.localhost:3000/live';
const at = (utc: string) => ({ utc, local: utc, timezone: 'America/New_York' });
const EVENTS = {
  events: [
    {
      id: 'e1',
      title: 'Hamlet',
      description: '',
      imageUrl: null,
      performances: [
        { id: 'p1', eventId: 'e1', status: 'on_sale', startsAt: at('2099-03-01T00:30:00Z') },
        { id: 'p2', eventId: 'e1', status: 'on_sale', startsAt: at('2099-03-02T00:30:00Z') },
      ],
    },
  ],
};
const figures = (performanceId: string, sold: number) => ({
  performanceId,
  capacity: 100,
  sold,
  revenue: sold * 3700,
  currency: 'USD',
  held: 0,
  available: 100 - sold,
  blocked: 0,
  refunded: 0,
  inside: 0,
  admitted: 0,
});

let token = '';

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  signOut();
  token = fakeToken('owner@demo.localhost', 'owner');
  signIn({ token, expiresAt: '2099-01-01T00:00:00Z', email: 'owner@demo.localhost', role: 'owner' });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function openSales(live: { url: string } | null, sold: Record<string, () => number>) {
  const salesReads = (call: Call) => call.path.match(/^\/admin\/v1\/performances\/([^/]+)\/sales$/)?.[1];
  const routes = {
    'GET /api/v1/site': { status: 200, body: { ...SITE, live } },
    'GET /admin/v1/events': { status: 200, body: EVENTS },
    'GET /admin/v1/performances/p1/sales': () => ({ status: 200, body: figures('p1', sold['p1']!()) }),
    'GET /admin/v1/performances/p2/sales': () => ({ status: 200, body: figures('p2', sold['p2']!()) }),
  };
  const calls = mockFetch(routes);
  navigate('/admin/sales?performance=p1');
  render(App);
  return { reads: (id: string) => calls.filter((c) => salesReads(c) === id).length };
}

describe('the Sales page', () => {
  it('subscribes for the sales, re-reads on a message, and follows a change of performance', async () => {
    let sold = 1;
    const page = openSales({ url: LIVE_URL }, { p1: () => sold, p2: () => 7 });
    expect((await screen.findByTestId('sales-sold')).textContent).toBe('1');
    expect(screen.getByTestId('sales-feed').textContent).toMatch(/Connecting/);

    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe(LIVE_URL);
    socket.open();
    expect(socket.sent).toEqual([{ action: 'subscribe', performanceId: 'p1', channel: 'sales', token }]);
    socket.receive({ type: 'subscribed', performanceId: 'p1', channel: 'sales' });
    await vi.advanceTimersByTimeAsync(1500);
    const status = screen.getByTestId('sales-feed');
    expect(status.getAttribute('aria-live')).toBe('polite');
    expect(status.textContent!.trim()).toBe('Live');
    expect(screen.getByTestId('sales-feed-line').textContent).toMatch(/updated at/);
    const afterSubscribe = page.reads('p1');

    // Someone buys: the server says so, the page reads the figures again.
    sold = 2;
    socket.receive({ type: 'sales', performanceId: 'p1' });
    await vi.advanceTimersByTimeAsync(1500);
    expect(page.reads('p1')).toBe(afterSubscribe + 1);
    expect(screen.getByTestId('sales-sold').textContent).toBe('2');

    // Nothing is read without a message (no more polling).
    await vi.advanceTimersByTimeAsync(60_000);
    expect(page.reads('p1')).toBe(afterSubscribe + 1);

    // Another performance: the old socket closes, a new one subscribes to it.
    const select = screen.getByLabelText('Performance') as HTMLSelectElement;
    await within(select).findByRole('option', { name: /Hamlet/, selected: true });
    select.value = 'p2';
    select.dispatchEvent(new Event('change'));
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.readyState).toBe(3);
    const second = FakeSocket.all[1]!;
    second.open();
    expect(second.sent).toEqual([{ action: 'subscribe', performanceId: 'p2', channel: 'sales', token }]);
    expect((await screen.findByTestId('sales-sold')).textContent).toBe('7');

    // Leaving the page closes the socket.
    navigate('/admin/orders');
    await vi.advanceTimersByTimeAsync(0);
    expect(second.readyState).toBe(3);
  });

  it('says when updates are paused without a socket, and re-reads every 30 s', async () => {
    const page = openSales(null, { p1: () => 1, p2: () => 0 });
    expect((await screen.findByTestId('sales-sold')).textContent).toBe('1');
    expect(screen.getByTestId('sales-feed').textContent).toMatch(/Updates paused — refreshing every 30 s/);
    expect(FakeSocket.all).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(page.reads('p1')).toBe(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(page.reads('p1')).toBe(2);
  });

  it('takes the member back to the login form when the socket says the session ended', async () => {
    openSales({ url: LIVE_URL }, { p1: () => 1, p2: () => 0 });
    await screen.findByTestId('sales-sold');
    const socket = FakeSocket.all[0]!;
    socket.open();
    socket.receive({ type: 'error', code: 'unauthorized', message: 'The session has ended' });
    expect(await screen.findByText('Your session has ended; log in again.')).toBeTruthy();
    expect(staff.session).toBeNull();
    expect(socket.readyState).toBe(3);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('says plainly when the role may not follow the figures live', async () => {
    openSales({ url: LIVE_URL }, { p1: () => 1, p2: () => 0 });
    await screen.findByTestId('sales-sold');
    const socket = FakeSocket.all[0]!;
    socket.open();
    socket.receive({ type: 'error', code: 'forbidden', message: 'Not for this role' });
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId('sales-feed').textContent).toMatch(/Your role cannot follow these figures live/);
    expect(staff.session).not.toBeNull();
  });

  it('shows a failed read and keeps going', async () => {
    mockFetch({
      'GET /api/v1/site': { status: 200, body: { ...SITE, live: null } },
      'GET /admin/v1/events': { status: 200, body: EVENTS },
      'GET /admin/v1/performances/p1/sales': apiError(503, 'unavailable', 'Try again in a moment'),
    });
    navigate('/admin/sales?performance=p1');
    render(App);
    expect(await screen.findByText('Try again in a moment')).toBeTruthy();
  });
});
