// The public catalog (API.md "Public"): events, performances with prices and availability,
// and seat maps with the status of every seat. Types are the public API's (api/public.d.ts).
import { request, type Money, type PublicSchemas as S } from './api';

/** An instant with its rendering in the venue's timezone. */
export type LocalTime = S['LocalTime'];
export type Fee = S['Fee'];
export type Tax = S['Tax'];

export type PriceView = S['PriceView'];
export type PerformanceView = S['PerformanceView'];

export type SeatCounts = S['SeatCounts'];
export type AreaAvailability = S['AreaAvailability'];
export type PerformanceDetail = PerformanceView & Pick<S['PerformanceDetail'], 'eventTitle' | 'availability'>;
export type EventView = S['EventView'];

// --- seat maps ------------------------------------------------------------------------------

export type ZoneLayout = S['PriceZone'];
export type SeatLayout = S['Seat'];
export type RowLayout = S['Row'];
export type SectionLayout = S['Section'];
export type AreaLayout = S['GaArea'];
export type SeatMapLayout = S['SeatMap'];

/** `f` free, `h` held, `s` sold, `b` blocked. */
export type SeatCode = 'f' | 'h' | 's' | 'b';

/** Per section one character per seat (rows in order, then seats), places left per
 * general-admission area, and when the server read them. */
export type SeatMapStatus = S['SeatMapStatus'];
export type SeatMapWithStatus = S['SeatMapWithStatus'];

const enc = encodeURIComponent;

export function getEvent(eventId: string): Promise<EventView> {
  return request<EventView>('GET', `/api/v1/events/${enc(eventId)}`);
}

export function getPerformance(performanceId: string): Promise<PerformanceDetail> {
  return request<PerformanceDetail>('GET', `/api/v1/performances/${enc(performanceId)}`);
}

export function getSeatMap(performanceId: string): Promise<SeatMapWithStatus> {
  return request<SeatMapWithStatus>('GET', `/api/v1/performances/${enc(performanceId)}/seatmap`);
}

export function getSeatMapStatus(performanceId: string): Promise<SeatMapStatus> {
  return request<SeatMapStatus>('GET', `/api/v1/performances/${enc(performanceId)}/seatmap/status`);
}

// --- prices ---------------------------------------------------------------------------------

/** The cheapest and dearest ticket of a performance, or null when it has no prices. */
export function priceRange(prices: readonly PriceView[]): { min: Money; max: Money } | null {
  if (prices.length === 0) return null;
  let min = prices[0]!.price;
  let max = min;
  for (const { price } of prices) {
    if (price.amount < min.amount) min = price;
    if (price.amount > max.amount) max = price;
  }
  return { min, max };
}

/** The prices of each zone, cheapest to dearest (several price types per zone). */
export function pricesByZone(prices: readonly PriceView[]): Map<string, PriceView[]> {
  const zones = new Map<string, PriceView[]>();
  for (const price of prices) {
    const list = zones.get(price.zone) ?? [];
    list.push(price);
    zones.set(price.zone, list);
  }
  for (const list of zones.values()) list.sort((a, b) => a.price.amount - b.price.amount);
  return zones;
}

// Performances named by the cart are read once per page visit, not once per item.
const detailCache = new Map<string, { at: number; detail: Promise<PerformanceDetail> }>();

/** A performance, from a short-lived cache (the cart page and header ask for the same ones). */
export function cachedPerformance(performanceId: string, maxAgeMs = 30_000): Promise<PerformanceDetail> {
  const hit = detailCache.get(performanceId);
  if (hit && Date.now() - hit.at < maxAgeMs) return hit.detail;
  const detail = getPerformance(performanceId);
  detailCache.set(performanceId, { at: Date.now(), detail });
  detail.catch(() => detailCache.delete(performanceId));
  return detail;
}

export function clearPerformanceCache(): void {
  detailCache.clear();
}
