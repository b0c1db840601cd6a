// The catalog as staff edit it (API.md "Admin"): events, performances with prices and fees,
// publishing, and seat maps (JSON or CSV import). Every call sends the staff token.
import { request, type AdminSchemas as S } from './api';
import type { EventView, PerformanceView } from './catalog';

const enc = encodeURIComponent;

export async function listAdminEvents(): Promise<EventView[]> {
  // The admin document's EventView is the public one (one type on the server).
  const body = await request<{ events: EventView[] }>('GET', '/admin/v1/events', { staff: true });
  return body.events;
}

export function createEvent(event: S['CreateEventRequest']): Promise<EventView> {
  return request<EventView>('POST', '/admin/v1/events', { body: event, staff: true });
}

/** A price: `amount` minor units for a zone × price type. */
export type PriceRow = S['PriceRow'];
/** A new performance; times are RFC 3339 instants. */
export type NewPerformance = S['CreatePerformanceRequest'];

export function createPerformance(eventId: string, performance: NewPerformance): Promise<PerformanceView> {
  return request<PerformanceView>('POST', `/admin/v1/events/${enc(eventId)}/performances`, { body: performance, staff: true });
}

/** An edit: the fields to change, and the `updatedAt` of the copy it was made on. */
export type EditPerformance = S['EditPerformanceRequest'];

export function editPerformance(performanceId: string, edit: EditPerformance): Promise<PerformanceView> {
  return request<PerformanceView>('PUT', `/admin/v1/performances/${enc(performanceId)}`, { body: edit, staff: true });
}

/** A run of performances: dates at the venue, `times` as `{ days: ["tue"…], at: "19:30" }`. */
export type NewSeries = S['CreateSeriesRequest'];

export function createSeries(eventId: string, series: NewSeries): Promise<PerformanceView[]> {
  return request<{ performances: PerformanceView[] }>('POST', `/admin/v1/events/${enc(eventId)}/performances/series`, { body: series, staff: true }).then(
    (made) => made.performances,
  );
}

export function publishPerformance(performanceId: string): Promise<PerformanceView> {
  return request<PerformanceView>('POST', `/admin/v1/performances/${enc(performanceId)}/publish`, { staff: true });
}

export function pausePerformance(performanceId: string): Promise<PerformanceView> {
  return request<PerformanceView>('POST', `/admin/v1/performances/${enc(performanceId)}/pause`, { staff: true });
}

export type SeatMapSummary = S['SeatMapSummary'];
export type SeatMapView = S['SeatMapView'];

export async function listSeatMaps(): Promise<SeatMapSummary[]> {
  const body = await request<S['SeatMapList']>('GET', '/admin/v1/seatmaps', { staff: true });
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
