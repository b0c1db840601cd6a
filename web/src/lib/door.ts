// At the door and in the office (API.md "Admin"): scanning tickets in and out, a
// performance's sales and attendance, cancelling a performance (which refunds every order),
// and the list of performances to choose from. Every call sends the staff token.
import { ApiError, listEvents, request, type AdminSchemas as S } from './api';
import { listAdminEvents } from './adminCatalog';
import type { PerformanceView } from './catalog';
import { formatDateTime } from './format';

const enc = encodeURIComponent;

// --- scanning ---------------------------------------------------------------------------------

export type Direction = S['ScanDirection'];
export type ScanResult = S['ScanResult'];
/** A scan as this page sends it (always with a direction). */
export type ScanRequest = S['ScanRequest'] & { direction: Direction };
/** The verdict: `message` is what the door person reads, e.g. "Already used at 19:42 (door
 * North)"; `place` where the ticket holder sits. */
export type ScanResponse = S['ScanResponse'];

export function scanTicket(body: ScanRequest): Promise<ScanResponse> {
  const door = body.door?.trim();
  return request<ScanResponse>('POST', '/admin/v1/scan', {
    body: { code: body.code.trim(), performanceId: body.performanceId, direction: body.direction, ...(door ? { door } : {}) },
    staff: true,
  });
}

export interface ScanVerdict {
  /** Green: let them through. Red: stop them. */
  ok: boolean;
  headline: string;
  /** The server's message, and where they sit. */
  detail: string;
}

/** What the big panel says for an answer of the scan endpoint. */
export function scanVerdict(answer: ScanResponse, direction: Direction): ScanVerdict {
  const place = answer.place ?? '';
  if (answer.result === 'ok') {
    return {
      ok: true,
      headline: direction === 'in' ? 'OK to enter' : 'OK to leave',
      detail: place || answer.message,
    };
  }
  const headlines: Record<string, string> = {
    already_used: 'Already used',
    wrong_performance: 'Wrong performance',
    refunded: 'Refunded ticket',
    invalid: 'Not a valid ticket',
    not_inside: 'Not checked in',
  };
  const headline = headlines[answer.result] ?? 'Do not admit';
  // The message often just repeats the headline ("Not a valid ticket"): say it once.
  const message = answer.message.trim().toLowerCase() === headline.toLowerCase() ? '' : answer.message;
  return { ok: false, headline, detail: [message, place].filter(Boolean).join(' · ') };
}

/** A refused call (not a ticket's verdict): stop, and say why. */
export function scanFailure(e: unknown): ScanVerdict {
  if (e instanceof ApiError && e.status === 0) return { ok: false, headline: 'No connection', detail: 'The ticket was not checked. Check the connection and scan again.' };
  if (e instanceof ApiError && e.status === 403) return { ok: false, headline: 'Not allowed', detail: 'Your role cannot scan tickets.' };
  const detail = e instanceof ApiError ? e.message : 'Something went wrong; scan again.';
  return { ok: false, headline: 'Not checked', detail };
}

// --- sales --------------------------------------------------------------------------------------

/** Sales and attendance; `revenue` is minor units (price + fees of the valid tickets). */
export type Sales = S['SalesView'];

export function getSales(performanceId: string): Promise<Sales> {
  return request<Sales>('GET', `/admin/v1/performances/${enc(performanceId)}/sales`, { staff: true });
}

export interface Segment {
  key: 'sold' | 'held' | 'blocked' | 'available';
  label: string;
  count: number;
  /** Start and width as a share of the bar, 0–100. */
  x: number;
  width: number;
}

/** The stacked bar of the house: sold, held, blocked, available, each as a share of the whole. */
export function salesSegments(sales: Pick<Sales, 'sold' | 'held' | 'blocked' | 'available' | 'capacity'>): Segment[] {
  const parts: [Segment['key'], string, number][] = [
    ['sold', 'Sold', sales.sold],
    ['held', 'Held in carts', sales.held],
    ['blocked', 'Blocked', sales.blocked],
    ['available', 'Available', sales.available],
  ];
  const counted = parts.reduce((sum, [, , n]) => sum + Math.max(0, n), 0);
  const whole = Math.max(counted, sales.capacity, 1);
  let x = 0;
  return parts.map(([key, label, n]) => {
    const width = (Math.max(0, n) / whole) * 100;
    const segment = { key, label, count: n, x, width };
    x += width;
    return segment;
  });
}

/** "42%" of the capacity sold. */
export function percentSold(sales: Pick<Sales, 'sold' | 'capacity'>): string {
  if (sales.capacity <= 0) return '0%';
  const percent = Math.round((sales.sold / sales.capacity) * 100);
  return percent === 0 && sales.sold > 0 ? 'under 1%' : `${percent}%`;
}

// --- cancelling -----------------------------------------------------------------------------

export type CancellationProgress = S['CancellationProgress'];
export type CancelledPerformance = PerformanceView & Pick<S['CancelledView'], 'refunds'>;

/** One cancel call: `done` is false (202) while refunds remain, so the caller calls again. */
export async function cancelPerformance(performanceId: string): Promise<{ performance: CancelledPerformance; done: boolean }> {
  const performance = await request<CancelledPerformance>('POST', `/admin/v1/performances/${enc(performanceId)}/cancel`, { staff: true });
  const done = performance.refunds.remaining === 0;
  return { performance, done };
}

export function cancellationSummary(p: CancellationProgress): string {
  const parts = [`${p.refunded} of ${p.orders} ${p.orders === 1 ? 'order' : 'orders'} refunded`];
  if (p.failed > 0) parts.push(`${p.failed} failed (try again)`);
  if (p.remaining > 0) parts.push(`${p.remaining} still to do`);
  return parts.join(', ') + '.';
}

// --- choosing a performance --------------------------------------------------------------------

export interface PerformanceChoice {
  id: string;
  /** "Hamlet — Friday, March 6, 2026 at 7:30 PM" */
  label: string;
  startsAt: string;
  status: string;
}

/**
 * The performances staff can choose: every event's from the admin catalog, or (for roles that
 * cannot read it, such as scanners) the public on-sale list. Soonest first; past ones last.
 */
export async function performanceChoices(timezone: string, now: Date = new Date()): Promise<PerformanceChoice[]> {
  const choices: PerformanceChoice[] = [];
  try {
    for (const event of await listAdminEvents()) {
      for (const p of event.performances) {
        choices.push({ id: p.id, startsAt: p.startsAt.utc, status: p.status, label: `${event.title} — ${formatDateTime(p.startsAt.utc, p.startsAt.timezone || timezone)}` });
      }
    }
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 403)) throw e;
    const list = await listEvents();
    for (const event of list.events) {
      for (const p of event.performances) {
        choices.push({ id: p.id, startsAt: p.startsAt, status: p.status, label: `${event.title} — ${formatDateTime(p.startsAt, timezone)}` });
      }
    }
  }
  return sortChoices(choices, now);
}

/** Upcoming (and today's) first, soonest first; then past ones, latest first. */
export function sortChoices(choices: PerformanceChoice[], now: Date): PerformanceChoice[] {
  const cutoff = now.getTime() - 12 * 3_600_000;
  const time = (c: PerformanceChoice) => Date.parse(c.startsAt);
  const upcoming = choices.filter((c) => time(c) >= cutoff).sort((a, b) => time(a) - time(b));
  const past = choices.filter((c) => time(c) < cutoff).sort((a, b) => time(b) - time(a));
  return [...upcoming, ...past];
}
