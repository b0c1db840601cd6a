import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SeatMapStatus } from './catalog';
import { FakeSocket } from '../test/fakeSocket';
import { SeatFeed } from './live.svelte';

const STATUS: SeatMapStatus = { performanceId: 'p1', sections: { s: 'ff' }, areas: {}, at: 'now' };

function setup(url: string | null = 'ws://demo.localhost/live') {
  const fetchStatus = vi.fn(async () => STATUS);
  const handlers = { status: vi.fn(), seats: vi.fn(), ga: vi.fn() };
  const feed = new SeatFeed('p1', url, handlers, {
    fetchStatus,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    pollMs: 3000,
    connectTimeoutMs: 5000,
    retryMs: 2000,
  });
  return { feed, fetchStatus, handlers };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SeatFeed', () => {
  it('polls the status every 3 s when the site has no WebSocket', async () => {
    const { feed, fetchStatus, handlers } = setup(null);
    feed.start();
    expect(feed.mode).toBe('polling');
    await vi.advanceTimersByTimeAsync(2999);
    expect(fetchStatus).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchStatus).toHaveBeenCalledTimes(1);
    expect(handlers.status).toHaveBeenCalledWith(STATUS);
    await vi.advanceTimersByTimeAsync(6000);
    expect(fetchStatus).toHaveBeenCalledTimes(3);
    feed.stop();
    await vi.advanceTimersByTimeAsync(9000);
    expect(fetchStatus).toHaveBeenCalledTimes(3);
    expect(FakeSocket.all).toHaveLength(0);
  });

  it('subscribes over the WebSocket, stops polling once subscribed and applies pushed changes', async () => {
    const { feed, fetchStatus, handlers } = setup();
    feed.start();
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe('ws://demo.localhost/live');
    socket.open();
    expect(socket.sent).toEqual([{ action: 'subscribe', performanceId: 'p1' }]);
    socket.receive({ type: 'subscribed', performanceId: 'p1' });
    expect(feed.mode).toBe('live');
    // One catch-up read for what changed before the subscription, then no polling, only a
    // re-read every 30 s (others' holds expire without a message).
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchStatus).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(fetchStatus).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchStatus).toHaveBeenCalledTimes(2);

    socket.receive({ type: 'seats', performanceId: 'p1', changes: [{ seatId: 'a-1', status: 'held' }] });
    socket.receive({ type: 'ga', performanceId: 'p1', areaId: 'lawn', available: 7 });
    socket.receive({ type: 'seats', performanceId: 'other', changes: [{ seatId: 'x', status: 'sold' }] });
    expect(handlers.seats).toHaveBeenCalledTimes(1);
    expect(handlers.seats).toHaveBeenCalledWith([{ seatId: 'a-1', status: 'held' }]);
    expect(handlers.ga).toHaveBeenCalledWith('lawn', 7);

    // refresh() still reads the status (the cart countdown ended: expired holds turn free silently).
    await feed.refresh();
    expect(fetchStatus).toHaveBeenCalledTimes(3);
    feed.stop();
    expect(socket.readyState).toBe(3);
  });

  it('polls while the socket does not connect, and keeps trying it with a growing wait', async () => {
    const { feed, fetchStatus } = setup();
    feed.start();
    FakeSocket.all[0]!.fail();
    expect(feed.mode).toBe('polling');
    await vi.advanceTimersByTimeAsync(3000);
    expect(fetchStatus).toHaveBeenCalledTimes(1);
    // Retried after 2 s, then after 4 s.
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.fail();
    await vi.advanceTimersByTimeAsync(3999);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(3);
    expect(fetchStatus).toHaveBeenCalledTimes(2); // polls at 3 s and 6 s
    // This one works: one catch-up read, then no more polling.
    FakeSocket.all[2]!.open();
    FakeSocket.all[2]!.receive({ type: 'subscribed', performanceId: 'p1' });
    expect(feed.mode).toBe('live');
    expect(fetchStatus).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(fetchStatus).toHaveBeenCalledTimes(3);
    feed.stop();
  });

  it('falls back to polling when a socket opens but never subscribes, or drops later', async () => {
    const { feed, fetchStatus } = setup();
    feed.start();
    FakeSocket.all[0]!.open(); // silent: no "subscribed"
    await vi.advanceTimersByTimeAsync(5000);
    expect(feed.mode).toBe('polling');
    expect(FakeSocket.all[0]!.readyState).toBe(3);
    await vi.advanceTimersByTimeAsync(2000);
    const second = FakeSocket.all[1]!;
    second.open();
    second.receive({ type: 'subscribed', performanceId: 'p1' });
    expect(feed.mode).toBe('live');
    await vi.advanceTimersByTimeAsync(0); // the catch-up read
    const before = fetchStatus.mock.calls.length;
    second.close(); // the connection drops
    expect(feed.mode).toBe('polling');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchStatus.mock.calls.length).toBe(before + 1); // caught up at once
    feed.stop();
  });

  it('polls when the WebSocket cannot even be created (e.g. refused by the page policy)', async () => {
    const handlers = { status: vi.fn(), seats: vi.fn(), ga: vi.fn() };
    const fetchStatus = vi.fn(async () => STATUS);
    const Throwing = function () {
      throw new DOMException('refused', 'SecurityError');
    } as unknown as typeof WebSocket;
    const feed = new SeatFeed('p1', 'wss://elsewhere/live', handlers, { fetchStatus, WebSocket: Throwing });
    feed.start();
    expect(feed.mode).toBe('polling');
    await vi.advanceTimersByTimeAsync(3000);
    expect(handlers.status).toHaveBeenCalledTimes(1);
    feed.stop();
  });
});
