// Keeps a drawn seat map current. Uses the live WebSocket (API.md "Live seat map") when the
// site names one and it connects; otherwise, and whenever the socket is down, polls
// `…/seatmap/status` every 3 s. With the socket up, the status is still re-read on request
// (`refresh()`, when the cart's countdown ends) and every 30 s: expired holds turn free by
// time, and no message announces that.
import { getSeatMapStatus, type SeatMapStatus } from './catalog';
import type { SeatChange } from './seatmap/model.svelte';

export interface SeatFeedHandlers {
  /** A full status (polling, on connecting, on refresh). */
  status(status: SeatMapStatus): void;
  /** Seats that changed (WebSocket). */
  seats(changes: SeatChange[]): void;
  /** Places left in a general-admission area (WebSocket). */
  ga(areaId: string, available: number): void;
}

export interface SeatFeedOptions {
  pollMs?: number;
  /** Give up waiting for the socket's subscription after this long and keep polling. */
  connectTimeoutMs?: number;
  /** Wait before reconnecting, doubled after each failure up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** API Gateway closes sockets silent for 10 minutes. */
  pingMs?: number;
  /** With the socket up, re-read the whole status this often (others' holds expire silently). */
  resyncMs?: number;
  fetchStatus?: (performanceId: string) => Promise<SeatMapStatus>;
  WebSocket?: typeof WebSocket;
}

export type FeedMode = 'connecting' | 'live' | 'polling' | 'stopped';

type Timer = ReturnType<typeof setTimeout>;

export class SeatFeed {
  /** How updates arrive now. */
  mode = $state<FeedMode>('connecting');

  readonly #performanceId: string;
  readonly #url: string | null;
  readonly #on: SeatFeedHandlers;
  readonly #pollMs: number;
  readonly #connectTimeoutMs: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #pingMs: number;
  readonly #resyncMs: number;
  readonly #fetchStatus: (performanceId: string) => Promise<SeatMapStatus>;
  readonly #WebSocket: typeof WebSocket | undefined;

  #socket: WebSocket | null = null;
  #pollTimer: Timer | null = null;
  #connectTimer: Timer | null = null;
  #retryTimer: Timer | null = null;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #resyncTimer: ReturnType<typeof setInterval> | null = null;
  #retryDelay: number;
  #fetching = false;
  #stopped = true;

  constructor(performanceId: string, liveUrl: string | null | undefined, handlers: SeatFeedHandlers, options: SeatFeedOptions = {}) {
    this.#performanceId = performanceId;
    this.#url = liveUrl || null;
    this.#on = handlers;
    this.#pollMs = options.pollMs ?? 3000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.#retryMs = options.retryMs ?? 2000;
    this.#maxRetryMs = options.maxRetryMs ?? 30_000;
    this.#pingMs = options.pingMs ?? 240_000;
    this.#resyncMs = options.resyncMs ?? 30_000;
    this.#fetchStatus = options.fetchStatus ?? getSeatMapStatus;
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this.#retryDelay = this.#retryMs;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    if (this.#url && this.#WebSocket) {
      this.mode = 'connecting';
      this.#schedulePoll();
      this.#connect();
    } else {
      this.#fallBack();
    }
  }

  stop(): void {
    this.#stopped = true;
    this.mode = 'stopped';
    this.#clearPoll();
    for (const timer of [this.#connectTimer, this.#retryTimer]) if (timer) clearTimeout(timer);
    this.#connectTimer = this.#retryTimer = null;
    this.#closeSocket();
  }

  /** Re-reads the whole status now (e.g. when the cart's countdown ends). */
  async refresh(): Promise<void> {
    if (this.#stopped || this.#fetching) return;
    this.#fetching = true;
    try {
      const status = await this.#fetchStatus(this.#performanceId);
      if (!this.#stopped) this.#on.status(status);
    } catch {
      // The next poll or refresh tries again; the map keeps what it shows.
    } finally {
      this.#fetching = false;
    }
  }

  // --- polling ---------------------------------------------------------------------------------

  #fallBack(): void {
    if (this.#stopped) return;
    if (this.mode !== 'polling') this.mode = 'polling';
    this.#schedulePoll();
  }

  #schedulePoll(): void {
    if (this.#pollTimer || this.#stopped) return;
    this.#pollTimer = setTimeout(async () => {
      this.#pollTimer = null;
      if (this.#stopped || this.mode === 'live') return;
      // A hidden tab does not need the traffic; it catches up when shown again.
      if (typeof document === 'undefined' || !document.hidden) await this.refresh();
      // (The socket may have come up meanwhile.)
      if ((this.mode as FeedMode) !== 'live') this.#schedulePoll();
    }, this.#pollMs);
  }

  #clearPoll(): void {
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
  }

  // --- the socket -------------------------------------------------------------------------------

  #connect(): void {
    if (this.#stopped || !this.#url || !this.#WebSocket) return;
    let socket: WebSocket;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch {
      // A malformed URL, or a policy that forbids it: polling it is.
      this.#fallBack();
      return;
    }
    this.#socket = socket;
    this.#connectTimer = setTimeout(() => {
      if (this.#socket === socket && this.mode !== 'live') this.#lost(socket);
    }, this.#connectTimeoutMs);

    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ action: 'subscribe', performanceId: this.#performanceId }));
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
        this.#live(socket);
        break;
      case 'seats':
        if (Array.isArray(m['changes'])) this.#on.seats(m['changes'] as SeatChange[]);
        break;
      case 'ga':
        if (typeof m['areaId'] === 'string' && typeof m['available'] === 'number') this.#on.ga(m['areaId'], m['available']);
        break;
      case 'error':
        // e.g. not_found: this socket will not help; poll instead.
        this.#lost(socket);
        break;
    }
  }

  #live(socket: WebSocket): void {
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#retryDelay = this.#retryMs;
    this.#clearPoll();
    this.mode = 'live';
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      if (socket.readyState === 1) socket.send(JSON.stringify({ action: 'ping' }));
    }, this.#pingMs);
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    this.#resyncTimer = setInterval(() => {
      if (typeof document === 'undefined' || !document.hidden) void this.refresh();
    }, this.#resyncMs);
    // Whatever changed between the first load and the subscription.
    void this.refresh();
  }

  #lost(socket: WebSocket): void {
    if (socket !== this.#socket) return;
    this.#closeSocket();
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    if (this.#stopped) return;
    const wasLive = this.mode === 'live';
    this.#fallBack();
    if (wasLive) void this.refresh();
    // Try the socket again later; polling carries on meanwhile.
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, this.#retryDelay);
    this.#retryDelay = Math.min(this.#retryDelay * 2, this.#maxRetryMs);
  }

  #closeSocket(): void {
    const socket = this.#socket;
    this.#socket = null;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    this.#pingTimer = this.#resyncTimer = null;
    if (socket) closeQuietly(socket);
  }
}

// --- shared with the staff SalesFeed (salesFeed.svelte.ts) --------------------------------------

/** A server message as a plain object, or null for anything that is not a JSON object. */
export function parseLiveMessage(data: unknown): Record<string, unknown> | null {
  if (typeof data !== 'string') return null;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  return typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as Record<string, unknown>) : null;
}

/** Closes a socket that is connecting or open; one already closing is left alone. */
export function closeQuietly(socket: WebSocket): void {
  if (socket.readyState > 1) return;
  try {
    socket.close();
  } catch {
    // already closing
  }
}
