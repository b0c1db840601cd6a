// The catalog as staff edit it (API.md "Admin"): events, performances with prices and fees,
// publishing, and seat maps (JSON or CSV import). Every call sends the staff token.
import { ApiError, request, type AdminSchemas as S } from './api';
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

/** Changes to an event's title, description or image (`imageKey`: an uploaded image's key; "" removes it). */
export type EventChanges = S['UpdateEventRequest'];

export function updateEvent(eventId: string, changes: EventChanges): Promise<EventView> {
  return request<EventView>('PUT', `/admin/v1/events/${enc(eventId)}`, { body: changes, staff: true });
}

/** The image types and size the server accepts for an event. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** Uploads `file` as the event's image (a presigned PUT the server signed for exactly this
 *  type and size), then makes it the event's image. */
export async function uploadEventImage(eventId: string, file: File): Promise<EventView> {
  const upload = await request<S['Upload']>('POST', `/admin/v1/events/${enc(eventId)}/image`, {
    body: { contentType: file.type, size: file.size },
    staff: true,
  });
  let response: Response;
  try {
    response = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: file });
  } catch {
    throw new ApiError(0, 'network_error', 'The image could not be uploaded; check the connection and try again');
  }
  if (!response.ok) throw new ApiError(response.status, 'upload_failed', 'The image could not be uploaded; try again');
  return updateEvent(eventId, { imageKey: upload.key });
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
