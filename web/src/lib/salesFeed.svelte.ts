// Keeps the admin Sales page's figures current through the live WebSocket: a staff `sales`
// subscription (the patron protocol of docs/live-seat-map.md plus `channel` and the staff
// token). A `sales` message carries no figures, only "they may have changed", so the feed
// re-reads `GET /admin/v1/performances/{id}/sales`, coalesced: one read in flight at most, one
// read a second at most while messages keep coming, and always one read after the last message.
// On every (re)subscription it reads once (whatever changed meanwhile). While the socket is
// down or cannot be had at all it re-reads every 30 s and tries the socket again with a
// doubling wait; `unauthorized` (the session ended) and `forbidden` end the feed for good.
// The server silently stops a subscription when its token expires (12 h), so the feed
// subscribes again at that moment, with the tab's token then, or ends as `unauthorized`.
import { loadStaffSession } from './api';
import { getSales, type Sales } from './door';
import { closeQuietly, parseLiveMessage } from './live.svelte';

/**
 * - `connecting`: the first socket is opening; `live`: subscribed, reads follow messages;
 * - `reconnecting`: a live socket dropped and a new one is on its way;
 * - `offline`: no socket (none named, refused, or down): re-reads every 30 s meanwhile;
 * - `unauthorized`, `forbidden`: refused by the server, nothing more is read;
 * - `stopped`: the page closed the feed.
 */
export type SalesFeedMode = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'unauthorized' | 'forbidden' | 'stopped';

export type SalesFeedRefusal = 'unauthorized' | 'forbidden';

export interface SalesFeedHandlers {
  /** Fresh figures. */
  sales(sales: Sales): void;
  /** A read failed; the page keeps what it shows and the next read tries again. */
  readFailed?(error: unknown): void;
  /** The server refused the subscription for good. */
  ended?(reason: SalesFeedRefusal, message: string): void;
}

export interface SalesFeedOptions {
  /** Re-read this often while there is no live socket. */
  fallbackMs?: number;
  /** While `sales` messages keep coming, read at most this often. */
  minReadGapMs?: number;
  /** Give up on a socket that has not subscribed after this long. */
  connectTimeoutMs?: number;
  /** Wait before reconnecting, doubled after each failure up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** API Gateway closes sockets silent for 10 minutes. */
  pingMs?: number;
  /** The staff access token to subscribe with, read at every (re)subscription. */
  token?: () => string | null;
  /** When that token expires (epoch ms), if known. */
  tokenExpiresAt?: () => number | null;
  fetchSales?: (performanceId: string) => Promise<Sales>;
  WebSocket?: typeof WebSocket;
}

type Timer = ReturnType<typeof setTimeout>;
type Interval = ReturnType<typeof setInterval>;

/** Error codes after which a new socket would get the same answer: stay on the slow re-read. */
const HOPELESS = new Set(['not_found', 'bad_request']);

export class SalesFeed {
  /** How the figures arrive now. */
  mode = $state<SalesFeedMode>('stopped');

  readonly #performanceId: string;
  readonly #url: string | null;
  readonly #on: SalesFeedHandlers;
  readonly #fallbackMs: number;
  readonly #minReadGapMs: number;
  readonly #connectTimeoutMs: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #pingMs: number;
  readonly #token: () => string | null;
  readonly #tokenExpiresAt: () => number | null;
  readonly #fetchSales: (performanceId: string) => Promise<Sales>;
  readonly #WebSocket: typeof WebSocket | undefined;

  #socket: WebSocket | null = null;
  #connectTimer: Timer | null = null;
  #retryTimer: Timer | null = null;
  #pingTimer: Interval | null = null;
  #fallbackTimer: Interval | null = null;
  #expiryTimer: Timer | null = null;
  #retryDelay: number;
  #stopped = true;

  // Coalesced reads: `#wanted` is a read asked for and not yet started.
  #wanted = false;
  #reading = false;
  #readTimer: Timer | null = null;
  #lastReadAt = -Infinity;

  constructor(performanceId: string, liveUrl: string | null | undefined, handlers: SalesFeedHandlers, options: SalesFeedOptions = {}) {
    this.#performanceId = performanceId;
    this.#url = liveUrl || null;
    this.#on = handlers;
    this.#fallbackMs = options.fallbackMs ?? 30_000;
    this.#minReadGapMs = options.minReadGapMs ?? 1000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.#retryMs = options.retryMs ?? 2000;
    this.#maxRetryMs = options.maxRetryMs ?? 30_000;
    this.#pingMs = options.pingMs ?? 240_000;
    this.#token = options.token ?? (() => loadStaffSession()?.token ?? null);
    this.#tokenExpiresAt = options.tokenExpiresAt ?? (() => expiryOf(loadStaffSession()?.expiresAt));
    this.#fetchSales = options.fetchSales ?? getSales;
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this.#retryDelay = this.#retryMs;
  }

  /** Reads the figures now, then keeps them current. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.refresh();
    if (this.#url && this.#WebSocket) {
      this.mode = 'connecting';
      this.#startFallback();
      this.#connect();
    } else {
      this.#offline();
    }
  }

  /** Closes the socket and stops every timer; a read under way is discarded. */
  stop(): void {
    this.#halt();
    this.mode = 'stopped';
  }

  /** Reads the figures again (coalesced with the reads messages ask for). */
  refresh(): void {
    if (this.#stopped) return;
    this.#wanted = true;
    this.#pump();
  }

  // --- coalesced reads ---------------------------------------------------------------------------

  #pump(): void {
    if (this.#stopped || !this.#wanted || this.#reading || this.#readTimer) return;
    const wait = this.#lastReadAt + this.#minReadGapMs - Date.now();
    if (wait > 0) {
      this.#readTimer = setTimeout(() => {
        this.#readTimer = null;
        this.#pump();
      }, wait);
      return;
    }
    this.#wanted = false;
    this.#reading = true;
    this.#lastReadAt = Date.now();
    void this.#read();
  }

  async #read(): Promise<void> {
    try {
      const sales = await this.#fetchSales(this.#performanceId);
      if (!this.#stopped) this.#on.sales(sales);
    } catch (error) {
      if (!this.#stopped) this.#on.readFailed?.(error);
    } finally {
      this.#reading = false;
      // A message that came during the read asks for one more, after the gap.
      this.#pump();
    }
  }

  // --- without a socket ------------------------------------------------------------------------------

  #offline(): void {
    this.mode = 'offline';
    this.#startFallback();
  }

  #startFallback(): void {
    if (this.#fallbackTimer || this.#stopped) return;
    this.#fallbackTimer = setInterval(() => this.refresh(), this.#fallbackMs);
  }

  #stopFallback(): void {
    if (this.#fallbackTimer) clearInterval(this.#fallbackTimer);
    this.#fallbackTimer = null;
  }

  // --- the socket ------------------------------------------------------------------------------------

  #connect(): void {
    if (this.#stopped || !this.#url || !this.#WebSocket) return;
    if (!this.#token()) {
      this.#refused('unauthorized', 'Your session has expired');
      return;
    }
    let socket: WebSocket;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch {
      // A malformed URL, or a page policy that forbids it: another try would fail the same way.
      this.#offline();
      return;
    }
    this.#socket = socket;
    this.#connectTimer = setTimeout(() => {
      if (this.#socket === socket && this.mode !== 'live') this.#lost(socket);
    }, this.#connectTimeoutMs);

    socket.addEventListener('open', () => {
      if (socket !== this.#socket) return;
      // The token as it is now: a reconnect after a new login uses the new one.
      const token = this.#token();
      if (!token) {
        this.#refused('unauthorized', 'Your session has expired');
        return;
      }
      socket.send(JSON.stringify({ action: 'subscribe', performanceId: this.#performanceId, channel: 'sales', token }));
    });
    socket.addEventListener('message', (event: MessageEvent) => this.#message(socket, event.data));
    socket.addEventListener('close', () => this.#lost(socket));
    socket.addEventListener('error', () => this.#lost(socket));
  }

  #message(socket: WebSocket, data: unknown): void {
    if (socket !== this.#socket) return;
    const m = parseLiveMessage(data);
    if (!m) return;
    if (m['performanceId'] !== undefined && m['performanceId'] !== this.#performanceId) return;
    switch (m['type']) {
      case 'subscribed':
        // A server without the sales channel would subscribe us to seat changes instead.
        if (m['channel'] === 'sales') this.#live(socket);
        else this.#giveUp(socket);
        break;
      case 'sales':
        this.refresh();
        break;
      case 'error': {
        const code = typeof m['code'] === 'string' ? m['code'] : '';
        const message = typeof m['message'] === 'string' ? m['message'] : '';
        if (code === 'unauthorized' || code === 'forbidden') this.#refused(code, message);
        else if (HOPELESS.has(code)) this.#giveUp(socket);
        else this.#lost(socket); // unavailable, too_many_subscriptions, …: try again later
        break;
      }
    }
  }

  #live(socket: WebSocket): void {
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#retryDelay = this.#retryMs;
    this.#stopFallback();
    this.mode = 'live';
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      if (socket.readyState === 1) socket.send(JSON.stringify({ action: 'ping' }));
    }, this.#pingMs);
    this.#watchExpiry(socket);
    // Whatever changed before this subscription (the first load, or an outage).
    this.refresh();
  }

  /** Just after the token expires, subscribe again on a new socket (or end without a token). */
  #watchExpiry(socket: WebSocket): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
    const expiresAt = this.#tokenExpiresAt();
    // (Already past by this tab's clock, yet the server took it: nothing to wait for.)
    if (expiresAt === null || expiresAt <= Date.now()) return;
    // A second late, so the tab's own check (loadStaffSession) agrees it has expired.
    const wait = Math.min(Math.max(expiresAt - Date.now() + 1000, 0), MAX_TIMEOUT_MS);
    this.#expiryTimer = setTimeout(() => {
      this.#expiryTimer = null;
      if (socket !== this.#socket || this.#stopped) return;
      this.#closeSocket();
      this.mode = 'reconnecting';
      this.#startFallback();
      this.#connect();
    }, wait);
  }

  /** The socket dropped or did not come up: re-read slowly and try again later. */
  #lost(socket: WebSocket): void {
    if (socket !== this.#socket) return;
    this.#closeSocket();
    if (this.#stopped) return;
    const wasLive = this.mode === 'live';
    this.mode = wasLive ? 'reconnecting' : 'offline';
    this.#startFallback();
    if (wasLive) this.refresh();
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, this.#retryDelay);
    this.#retryDelay = Math.min(this.#retryDelay * 2, this.#maxRetryMs);
  }

  /** The server will not give this performance's sales on any socket: re-read slowly. */
  #giveUp(socket: WebSocket): void {
    if (socket !== this.#socket) return;
    this.#closeSocket();
    if (this.#stopped) return;
    this.#offline();
  }

  #refused(reason: SalesFeedRefusal, message: string): void {
    if (this.#stopped) return;
    this.#halt();
    this.mode = reason;
    this.#on.ended?.(reason, message);
  }

  #halt(): void {
    this.#stopped = true;
    this.#wanted = false;
    this.#stopFallback();
    for (const timer of [this.#connectTimer, this.#retryTimer, this.#readTimer]) if (timer) clearTimeout(timer);
    this.#connectTimer = this.#retryTimer = this.#readTimer = null;
    this.#closeSocket();
  }

  #closeSocket(): void {
    const socket = this.#socket;
    this.#socket = null;
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
    if (socket) closeQuietly(socket);
  }
}

/** setTimeout's longest wait (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function expiryOf(instant: string | undefined): number | null {
  const ms = instant === undefined ? NaN : Date.parse(instant);
  return Number.isNaN(ms) ? null : ms;
}
