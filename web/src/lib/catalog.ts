// The public catalog (API.md "Public"): events, performances with prices and availability,
// and seat maps with the status of every seat. Types mirror the served OpenAPI document.
import { request, type Money, type PerformanceStatus } from './api';

/** An instant with its rendering in the venue's timezone. */
export interface LocalTime {
  /** RFC 3339, UTC. */
  utc: string;
  /** RFC 3339 with the venue's offset, e.g. `2026-12-01T19:30:00-05:00`. */
  local: string;
  timezone: string;
}

export interface PriceView {
  zone: string;
  zoneName: string;
  priceType: string;
  price: Money;
}

export interface Fee {
  name: string;
  basis: 'per_ticket' | 'per_order';
  /** Minor units; exactly one of `fixed` and `percentBp`. */
  fixed?: number;
  /** Basis points (250 = 2.5 %). */
  percentBp?: number;
}

export interface Tax {
  name: string;
  rateBp: number;
  inclusive: boolean;
}

export interface PerformanceView {
  id: string;
  eventId: string;
  status: PerformanceStatus;
  startsAt: LocalTime;
  onSaleAt: LocalTime;
  offSaleAt: LocalTime;
  /** Whether patrons can buy now (on sale and inside the sales window). */
  selling: boolean;
  seatMapId: string;
  prices: PriceView[];
  fees: Fee[];
  taxes: Tax[];
  maxTicketsPerOrder: number;
  holdSeconds: number;
}

export interface SeatCounts {
  total: number;
  available: number;
  held: number;
  sold: number;
  blocked: number;
}

export interface AreaAvailability {
  areaId: string;
  name: string;
  zone: string;
  capacity: number;
  available: number;
}

export interface PerformanceDetail extends PerformanceView {
  eventTitle: string;
  availability: { seats: SeatCounts; areas: AreaAvailability[] };
}

export interface EventView {
  id: string;
  title: string;
  description: string;
  imageUrl: string | null;
  performances: PerformanceView[];
}

// --- seat maps ------------------------------------------------------------------------------

export interface ZoneLayout {
  id: string;
  name: string;
  /** `#rrggbb`, when the venue chose one. */
  colour?: string | null;
}

export interface SeatLayout {
  id: string;
  label: string;
  x: number;
  y: number;
  zone: string;
  /** Best-available ranking: lower is better. */
  rank: number;
  accessible?: boolean;
  restrictedView?: boolean;
  companion?: boolean;
  note?: string | null;
}

export interface RowLayout {
  label: string;
  /** Left to right. */
  seats: SeatLayout[];
}

export interface SectionLayout {
  id: string;
  name: string;
  rows: RowLayout[];
}

export interface AreaLayout {
  id: string;
  name: string;
  zone: string;
  capacity: number;
  x: number;
  y: number;
}

export interface SeatMapLayout {
  name: string;
  zones: ZoneLayout[];
  sections: SectionLayout[];
  areas: AreaLayout[];
}

/** `f` free, `h` held, `s` sold, `b` blocked. */
export type SeatCode = 'f' | 'h' | 's' | 'b';

export interface SeatMapStatus {
  performanceId: string;
  /** Per section: one character per seat, rows in order, then seats in order. */
  sections: Record<string, string>;
  /** Places left per general-admission area. */
  areas: Record<string, number>;
  /** When the server read the status. */
  at: string;
}

export interface SeatMapWithStatus {
  layout: SeatMapLayout;
  status: SeatMapStatus;
}

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
