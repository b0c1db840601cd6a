// The catalog as staff edit it (API.md "Admin"): events, performances with prices and fees,
// publishing, and seat maps (JSON or CSV import). Every call sends the staff token.
import { request } from './api';
import type { EventView, Fee, PerformanceView, SeatMapLayout, Tax } from './catalog';

const enc = encodeURIComponent;

export async function listAdminEvents(): Promise<EventView[]> {
  const body = await request<{ events: EventView[] }>('GET', '/admin/v1/events', { staff: true });
  return body.events;
}

export function createEvent(event: { title: string; description: string }): Promise<EventView> {
  return request<EventView>('POST', '/admin/v1/events', { body: event, staff: true });
}

export interface PriceRow {
  zone: string;
  priceType: string;
  /** Minor units. */
  amount: number;
}

export interface NewPerformance {
  /** RFC 3339 instant. */
  startsAt: string;
  seatMapId: string;
  onSaleAt?: string;
  offSaleAt?: string;
  prices: PriceRow[];
  fees: Fee[];
  taxes?: Tax[];
  maxTicketsPerOrder?: number;
  holdSeconds?: number;
}

export function createPerformance(eventId: string, performance: NewPerformance): Promise<PerformanceView> {
  return request<PerformanceView>('POST', `/admin/v1/events/${enc(eventId)}/performances`, { body: performance, staff: true });
}

export function publishPerformance(performanceId: string): Promise<PerformanceView> {
  return request<PerformanceView>('POST', `/admin/v1/performances/${enc(performanceId)}/publish`, { staff: true });
}

export function pausePerformance(performanceId: string): Promise<PerformanceView> {
  return request<PerformanceView>('POST', `/admin/v1/performances/${enc(performanceId)}/pause`, { staff: true });
}

export interface SeatMapSummary {
  id: string;
  name: string;
  version: number;
  seatCount: number;
  sections: number;
  generalAdmissionAreas: number;
  updatedAt: string;
}

export interface SeatMapView extends SeatMapSummary {
  layout: SeatMapLayout;
}

export async function listSeatMaps(): Promise<SeatMapSummary[]> {
  const body = await request<{ seatMaps: SeatMapSummary[] }>('GET', '/admin/v1/seatmaps', { staff: true });
  return body.seatMaps;
}

export function getAdminSeatMap(mapId: string): Promise<SeatMapView> {
  return request<SeatMapView>('GET', `/admin/v1/seatmaps/${enc(mapId)}`, { staff: true });
}

/** A CSV file as the venue keeps it (one seat per line); refused with `invalid_csv` and `details.line`. */
export function importSeatMapCsv(name: string, csv: string): Promise<SeatMapView> {
  return request<SeatMapView>('POST', `/admin/v1/seatmaps/import?name=${enc(name)}`, {
    raw: { text: csv, contentType: 'text/csv' },
    staff: true,
  });
}
