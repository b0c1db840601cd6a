import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fakeSocket';
import type { Sales } from './door';
import { SalesFeed, type SalesFeedOptions } from './salesFeed.svelte';

const SALES = {
  performanceId: 'p1',
  capacity: 100,
  sold: 1,
  revenue: 3700,
  currency: 'USD',
  held: 0,
  available: 99,
  blocked: 0,
  refunded: 0,
  inside: 0,
  admitted: 0,
} as unknown as Sales;

const URL = 'wss://live.example/prod';

function setup(url: string | null = URL, options: SalesFeedOptions = {}) {
  let token: string | null = 'tok-1';
  /** When each read started (fake clock), and how many were in flight at most. */
  const reads: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetchSales = vi.fn(async () => {
    reads.push(Date.now());
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the API takes a while
    inFlight -= 1;
    return SALES;
  });
  const handlers = { sales: vi.fn(), readFailed: vi.fn(), ended: vi.fn() };
  const feed = new SalesFeed('p1', url, handlers, {
    fetchSales,
    token: () => token,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    ...options,
  });
  return {
    feed,
    handlers,
    fetchSales,
    reads,
    maxInFlight: () => maxInFlight,
    setToken: (next: string | null) => (token = next),
  };
}

/** Opens the latest socket and has the server accept the subscription. */
function goLive(performanceId = 'p1'): FakeSocket {
  const socket = FakeSocket.all.at(-1)!;
  socket.open();
  socket.receive({ type: 'subscribed', performanceId, channel: 'sales' });
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SalesFeed', () => {
  it('subscribes to the sales channel with the staff token, then reads the figures', async () => {
    const { feed, handlers, fetchSales } = setup();
    feed.start();
    expect(feed.mode).toBe('connecting');
    await vi.advanceTimersByTimeAsync(200);
    expect(fetchSales).toHaveBeenCalledTimes(1); // the figures at once, while the socket comes up
    expect(handlers.sales).toHaveBeenCalledWith(SALES);

    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe(URL);
    socket.open();
    expect(socket.sent).toEqual([{ action: 'subscribe', performanceId: 'p1', channel: 'sales', token: 'tok-1' }]);
    socket.receive({ type: 'subscribed', performanceId: 'p1', channel: 'sales' });
    expect(feed.mode).toBe('live');
    await vi.advanceTimersByTimeAsync(1200);
    expect(fetchSales).toHaveBeenCalledTimes(2); // caught up after subscribing
    expect(fetchSales).toHaveBeenCalledWith('p1');

    // Live: no reading without messages.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(fetchSales).toHaveBeenCalledTimes(2);
    feed.stop();
    expect(feed.mode).toBe('stopped');
    expect(socket.readyState).toBe(3);
  });

  it('coalesces a burst of 20 messages into at most 3 reads, one in flight, the last after the last message', async () => {
    const { feed, reads, fetchSales, maxInFlight } = setup();
    feed.start();
    const socket = goLive();
    await vi.advanceTimersByTimeAsync(5000); // the start and catch-up reads are done
    const before = fetchSales.mock.calls.length;
    reads.length = 0;

    let lastMessageAt = 0;
    for (let i = 0; i < 20; i++) {
      socket.receive({ type: 'sales', performanceId: 'p1' });
      lastMessageAt = Date.now();
      await vi.advanceTimersByTimeAsync(60); // 20 messages over 1.2 s
    }
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetchSales.mock.calls.length - before).toBeGreaterThanOrEqual(2);
    expect(fetchSales.mock.calls.length - before).toBeLessThanOrEqual(3);
    expect(maxInFlight()).toBe(1);
    expect(reads.at(-1)!).toBeGreaterThan(lastMessageAt);
    // At most one read a second.
    for (let i = 1; i < reads.length; i++) expect(reads[i]! - reads[i - 1]!).toBeGreaterThanOrEqual(1000);
    feed.stop();
  });

  it('reads once more after a message that came while a read was in flight', async () => {
    const { feed, reads } = setup();
    feed.start();
    const socket = goLive();
    await vi.advanceTimersByTimeAsync(5000);
    reads.length = 0;
    socket.receive({ type: 'sales', performanceId: 'p1' });
    await vi.advanceTimersByTimeAsync(100); // the read is under way
    socket.receive({ type: 'sales', performanceId: 'p1' });
    await vi.advanceTimersByTimeAsync(3000);
    expect(reads).toHaveLength(2);
    feed.stop();
  });

  it("ignores other performances' messages", async () => {
    const { feed, fetchSales } = setup();
    feed.start();
    const socket = goLive();
    await vi.advanceTimersByTimeAsync(5000);
    const before = fetchSales.mock.calls.length;
    socket.receive({ type: 'sales', performanceId: 'other' });
    socket.receive({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetchSales.mock.calls.length).toBe(before);
    feed.stop();
  });

  it('pings every 4 minutes while live', async () => {
    const { feed } = setup();
    feed.start();
    const socket = goLive();
    await vi.advanceTimersByTimeAsync(240_000);
    expect(socket.sent.at(-1)).toEqual({ action: 'ping' });
    expect(socket.sent.filter((m) => (m as { action: string }).action === 'ping')).toHaveLength(1);
    feed.stop();
  });

  it('reconnects after a drop with a doubling wait, subscribes again with the current token and reads again', async () => {
    const { feed, fetchSales, setToken } = setup();
    feed.start();
    const first = goLive();
    await vi.advanceTimersByTimeAsync(5000);
    const before = fetchSales.mock.calls.length;

    first.close(); // the connection drops
    expect(feed.mode).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1999);
    expect(fetchSales.mock.calls.length).toBe(before + 1); // caught up at once
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2); // retried after 2 s…
    FakeSocket.all[1]!.fail();
    expect(feed.mode).toBe('offline');
    await vi.advanceTimersByTimeAsync(3999);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1); // …then 4 s
    expect(FakeSocket.all).toHaveLength(3);

    setToken('tok-2'); // logged in again meanwhile
    const reconnected = fetchSales.mock.calls.length;
    const third = goLive();
    expect(third.sent).toEqual([{ action: 'subscribe', performanceId: 'p1', channel: 'sales', token: 'tok-2' }]);
    expect(feed.mode).toBe('live');
    await vi.advanceTimersByTimeAsync(1200);
    expect(fetchSales.mock.calls.length).toBe(reconnected + 1); // what changed during the outage
    feed.stop();
  });

  it('caps the wait between attempts', async () => {
    const { feed } = setup(URL, { retryMs: 2000, maxRetryMs: 8000 });
    feed.start();
    const at: number[] = [];
    for (let i = 0; i < 6; i++) {
      at.push(Date.now());
      const before = FakeSocket.all.length;
      FakeSocket.all.at(-1)!.fail();
      while (FakeSocket.all.length === before) await vi.advanceTimersByTimeAsync(100);
    }
    at.push(Date.now());
    const waits = at.slice(1).map((t, i) => t - at[i]!);
    expect(waits).toEqual([2000, 4000, 8000, 8000, 8000, 8000]);
    feed.stop();
  });

  it('gives up on a socket that opens but never subscribes', async () => {
    const { feed } = setup();
    feed.start();
    FakeSocket.all[0]!.open();
    await vi.advanceTimersByTimeAsync(5000);
    expect(feed.mode).toBe('offline');
    expect(FakeSocket.all[0]!.readyState).toBe(3);
    await vi.advanceTimersByTimeAsync(2000);
    expect(FakeSocket.all).toHaveLength(2);
    feed.stop();
  });

  it('re-reads every 30 s when the site names no socket', async () => {
    const { feed, reads } = setup(null);
    feed.start();
    expect(feed.mode).toBe('offline');
    await vi.advanceTimersByTimeAsync(29_000);
    expect(reads).toHaveLength(1); // only the first read: none at 5 s
    const start = reads[0]!;
    await vi.advanceTimersByTimeAsync(1000);
    expect(reads).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reads.map((t) => t - start)).toEqual([0, 30_000, 60_000, 90_000]);
    expect(FakeSocket.all).toHaveLength(0);
    feed.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reads).toHaveLength(4);
  });

  it('re-reads every 30 s when the WebSocket cannot even be created, and while the socket is down', async () => {
    const Throwing = function () {
      throw new DOMException('refused', 'SecurityError');
    } as unknown as typeof WebSocket;
    const { feed, reads } = setup(URL, { WebSocket: Throwing });
    feed.start();
    expect(feed.mode).toBe('offline');
    await vi.advanceTimersByTimeAsync(90_000);
    expect(reads).toHaveLength(4);

    // Refused connections: the same 30 s re-read while retrying.
    const other = setup(URL);
    other.feed.start();
    FakeSocket.all[0]!.fail();
    expect(other.feed.mode).toBe('offline');
    const sockets = () => FakeSocket.all.length;
    const failing = setInterval(() => FakeSocket.all.at(-1)!.fail(), 500);
    await vi.advanceTimersByTimeAsync(60_000);
    clearInterval(failing);
    expect(other.reads).toHaveLength(3);
    expect(sockets()).toBeGreaterThan(2);
    feed.stop();
    other.feed.stop();
  });

  it('stops for good on unauthorized: no more sockets, no more reads', async () => {
    const { feed, handlers, fetchSales } = setup();
    feed.start();
    const socket = goLive();
    await vi.advanceTimersByTimeAsync(5000);
    const before = fetchSales.mock.calls.length;
    socket.receive({ type: 'error', code: 'unauthorized', message: 'The session has expired' });
    expect(feed.mode).toBe('unauthorized');
    expect(handlers.ended).toHaveBeenCalledWith('unauthorized', 'The session has expired');
    expect(socket.readyState).toBe(3);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(fetchSales.mock.calls.length).toBe(before);
  });

  it('does not reconnect without a token (the session ended in this tab)', async () => {
    const { feed, handlers, setToken } = setup();
    feed.start();
    goLive().close();
    setToken(null);
    await vi.advanceTimersByTimeAsync(2000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(feed.mode).toBe('unauthorized');
    expect(handlers.ended).toHaveBeenCalledWith('unauthorized', expect.any(String));
  });

  it('subscribes again when the token expires (the server goes quiet then), or ends without a new token', async () => {
    let expiresAt = Date.now() + 12 * 3_600_000;
    const { feed, handlers, setToken } = setup(URL, { tokenExpiresAt: () => expiresAt });
    feed.start();
    const first = goLive();
    await vi.advanceTimersByTimeAsync(12 * 3_600_000);
    expect(feed.mode).toBe('live');
    setToken('tok-2'); // a fresh session in this tab
    expiresAt = Date.now() + 12 * 3_600_000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(first.readyState).toBe(3);
    expect(feed.mode).toBe('reconnecting');
    const second = goLive();
    expect(second.sent).toEqual([{ action: 'subscribe', performanceId: 'p1', channel: 'sales', token: 'tok-2' }]);

    // That one expires too, and now the session is over.
    setToken(null);
    await vi.advanceTimersByTimeAsync(12 * 3_600_000 - 5000);
    expect(feed.mode).toBe('live');
    await vi.advanceTimersByTimeAsync(5000);
    expect(feed.mode).toBe('unauthorized');
    expect(handlers.ended).toHaveBeenCalledWith('unauthorized', expect.stringMatching(/expired/));
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('stops on forbidden and says so', async () => {
    const { feed, handlers } = setup();
    feed.start();
    const socket = FakeSocket.all[0]!;
    socket.open();
    socket.receive({ type: 'error', code: 'forbidden', message: 'Your role does not allow this' });
    expect(feed.mode).toBe('forbidden');
    expect(handlers.ended).toHaveBeenCalledWith('forbidden', 'Your role does not allow this');
    await vi.advanceTimersByTimeAsync(600_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('retries after unavailable, but re-reads slowly without retrying after not_found', async () => {
    const { feed } = setup();
    feed.start();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.receive({ type: 'error', code: 'unavailable', message: 'try later' });
    expect(feed.mode).toBe('offline');
    await vi.advanceTimersByTimeAsync(2000);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.open();
    FakeSocket.all[1]!.receive({ type: 'error', code: 'not_found', message: 'No such performance', performanceId: 'p1' });
    expect(feed.mode).toBe('offline');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.all).toHaveLength(2);
    feed.stop();
  });

  it('does not take a subscription without the sales channel (a server that only knows seat maps)', async () => {
    const { feed } = setup();
    feed.start();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.receive({ type: 'subscribed', performanceId: 'p1' });
    expect(feed.mode).toBe('offline');
    expect(FakeSocket.all[0]!.readyState).toBe(3);
    feed.stop();
  });

  it('reports a failed read and tries again, and discards a read that ends after stop()', async () => {
    const handlers = { sales: vi.fn(), readFailed: vi.fn() };
    let answer: (sales: Sales) => void = () => {};
    const fetchSales = vi
      .fn<(id: string) => Promise<Sales>>()
      .mockRejectedValueOnce(new Error('offline'))
      .mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    const feed = new SalesFeed('p1', null, handlers, { fetchSales, token: () => 't' });
    feed.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(handlers.readFailed).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fetchSales).toHaveBeenCalledTimes(2);
    feed.stop();
    answer(SALES);
    await vi.advanceTimersByTimeAsync(0);
    expect(handlers.sales).not.toHaveBeenCalled();
  });
});
