// Sales reports (API.md "Reports"): a day's end-of-day figures and sales over a range of days,
// as JSON for the page or as a CSV file, and the venue-local days they are asked for. Figures
// are running totals the stream worker keeps, so they trail a sale by a second or so. Money is
// minor units of the report's `currency`; days are the venue's own (its timezone).
import { request, requestFile, type AdminSchemas as S, type DownloadedFile } from './api';
import { money, priceTypeLabel } from './checkout';

export type EndOfDayReport = S['EndOfDayReport'];
export type DaySummary = S['DaySummary'];
export type SalesLine = S['SalesLine'];
export type SalesReport = S['SalesReport'];
export type SalesDay = S['SalesDay'];
export type AttendanceReport = S['AttendanceReport'];
export type AttendanceLine = S['AttendanceLine'];
export type PatronHistory = S['PatronHistory'];
export type PatronOrder = S['PatronOrder'];

/** The longest range the sales report covers, in days. */
export const MAX_RANGE_DAYS = 366;

export interface SalesQuery {
  /** First venue-local day, `YYYY-MM-DD`. */
  from: string;
  /** Last venue-local day, included. */
  to: string;
  /** Only this event's performances; empty for the whole venue. */
  eventId?: string;
}

function endOfDayPath(date: string, csv = false): string {
  const params = new URLSearchParams({ date });
  if (csv) params.set('format', 'csv');
  return `/admin/v1/reports/end-of-day?${params}`;
}

function salesPath(query: SalesQuery, csv = false): string {
  const params = new URLSearchParams({ from: query.from, to: query.to });
  if (query.eventId) params.set('eventId', query.eventId);
  if (csv) params.set('format', 'csv');
  return `/admin/v1/reports/sales?${params}`;
}

function attendancePath(query: SalesQuery, csv = false): string {
  return salesPath(query, csv).replace('/admin/v1/reports/sales?', '/admin/v1/reports/attendance?');
}

function patronPath(email: string, csv = false): string {
  const params = new URLSearchParams({ email: email.trim() });
  if (csv) params.set('format', 'csv');
  return `/admin/v1/reports/patron?${params}`;
}

export function getAttendance(query: SalesQuery): Promise<AttendanceReport> {
  return request<AttendanceReport>('GET', attendancePath(query), { staff: true });
}

export function downloadAttendance(query: SalesQuery): Promise<DownloadedFile> {
  return requestFile(attendancePath(query, true), `attendance-${query.from}-to-${query.to}.csv`, { staff: true });
}

export function getPatronHistory(email: string): Promise<PatronHistory> {
  return request<PatronHistory>('GET', patronPath(email), { staff: true });
}

/** Large files come as a redirect to a short-lived link on the site, which fetch follows. */
export function downloadPatronHistory(email: string): Promise<DownloadedFile> {
  return requestFile(patronPath(email, true), 'patron-history.csv', { staff: true });
}

/** "75.0 %" (one decimal), or "—" when nothing was sold. */
export function percentLabel(value: number | undefined | null): string {
  return value === undefined || value === null ? '—' : `${value.toFixed(1)} %`;
}

/** What is wrong with an email before asking (the server checks it too). */
export function emailProblem(email: string): string {
  const value = email.trim();
  if (!value) return 'Enter an email address.';
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? '' : 'Enter an email address such as pat@example.org.';
}

export function getEndOfDay(date: string): Promise<EndOfDayReport> {
  return request<EndOfDayReport>('GET', endOfDayPath(date), { staff: true });
}

export function getSalesReport(query: SalesQuery): Promise<SalesReport> {
  return request<SalesReport>('GET', salesPath(query), { staff: true });
}

export function downloadEndOfDay(date: string): Promise<DownloadedFile> {
  return requestFile(endOfDayPath(date, true), `end-of-day-${date}.csv`, { staff: true });
}

export function downloadSalesReport(query: SalesQuery): Promise<DownloadedFile> {
  return requestFile(salesPath(query, true), `sales-${query.from}-to-${query.to}.csv`, { staff: true });
}

// --- venue-local days ---------------------------------------------------------------------------

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDay(value: string): boolean {
  const m = DAY.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** The venue's calendar day at `now`, `YYYY-MM-DD` (UTC when the zone is unknown). */
export function venueToday(timeZone: string, now: Date = new Date()): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** `day` moved by `days` calendar days ("2027-03-01", -1 → "2027-02-28"). */
export function addDays(day: string, days: number): string {
  const m = DAY.exec(day);
  if (!m) return day;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days)).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included (0 when `to` is before `from`). */
export function daysInRange(from: string, to: string): number {
  if (!isDay(from) || !isDay(to)) return 0;
  const ms = Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`);
  return ms < 0 ? 0 : ms / 86_400_000 + 1;
}

/** The last `days` days at the venue, today included: the sales chart's default range. */
export function lastDays(timeZone: string, days = 30, now: Date = new Date()): { from: string; to: string } {
  const to = venueToday(timeZone, now);
  return { from: addDays(to, -(days - 1)), to };
}

/**
 * What is wrong with a range before asking the server (which checks the same), by field:
 * `from` or `to`.
 */
export function rangeProblems(from: string, to: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!isDay(from)) problems['from'] = 'Enter a date.';
  if (!isDay(to)) problems['to'] = 'Enter a date.';
  if (problems['from'] || problems['to']) return problems;
  if (to < from) problems['to'] = 'The last day must not be before the first.';
  else if (daysInRange(from, to) > MAX_RANGE_DAYS) problems['to'] = `A report covers at most ${MAX_RANGE_DAYS} days.`;
  return problems;
}

function utcDate(day: string): Date | null {
  return isDay(day) ? new Date(`${day}T00:00:00Z`) : null;
}

/** "Monday, March 1, 2027" for a venue-local day. */
export function formatDay(day: string, locale?: string): string {
  const date = utcDate(day);
  return date ? new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(date) : day;
}

/** "Mar 1" for a venue-local day (the chart's axis). */
export function formatShortDay(day: string, locale?: string): string {
  const date = utcDate(day);
  return date ? new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(date) : day;
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;

/** A performance's venue-local start as the API writes it ("2027-03-01T19:30") → "Mon, Mar 1, 2027, 7:30 PM". */
export function formatLocalStart(startsAt: string, locale?: string): string {
  const m = LOCAL_TIME.exec(startsAt);
  if (!m) return startsAt;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])));
  if (Number.isNaN(date.getTime())) return startsAt;
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: 'UTC',
  }).format(date);
}

// --- words and figures ---------------------------------------------------------------------------

/** A zone or price type as the lines name it ("premium" → "Premium"; the API gives ids). */
export function idLabel(id: string): string {
  return priceTypeLabel(id);
}

/** Lines in a stable order: by performance start, event, zone, price type. */
export function sortLines(lines: readonly SalesLine[]): SalesLine[] {
  return [...lines].sort(
    (a, b) =>
      a.startsAt.localeCompare(b.startsAt) ||
      a.eventTitle.localeCompare(b.eventTitle) ||
      a.performanceId.localeCompare(b.performanceId) ||
      a.zone.localeCompare(b.zone) ||
      a.priceType.localeCompare(b.priceType),
  );
}

/** "3 orders", "1 order". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

// --- the chart --------------------------------------------------------------------------------------

export interface ChartSeries {
  /** The days, `YYYY-MM-DD`, in order. */
  days: string[];
  /** Axis labels ("Mar 1"). */
  labels: string[];
  tickets: number[];
  /** Minor units. */
  amounts: number[];
}

/**
 * The chart's series from the report's days: one point per day of the range, in order. A day
 * the report leaves out (it should not) counts as nothing sold rather than vanishing.
 */
export function chartSeries(report: Pick<SalesReport, 'from' | 'to' | 'days'>, locale?: string): ChartSeries {
  const byDay = new Map(report.days.map((d) => [d.date, d]));
  const days: string[] = [];
  const total = daysInRange(report.from, report.to);
  if (total > 0 && total <= MAX_RANGE_DAYS + 1) {
    for (let i = 0; i < total; i++) days.push(addDays(report.from, i));
  } else {
    days.push(...report.days.map((d) => d.date));
  }
  return {
    days,
    labels: days.map((d) => formatShortDay(d, locale)),
    tickets: days.map((d) => byDay.get(d)?.tickets ?? 0),
    amounts: days.map((d) => byDay.get(d)?.amount ?? 0),
  };
}

/**
 * The chart in words, for its accessible name: "Tickets sold per day from Feb 1 to Mar 2: 42
 * tickets, $1,234.00 in all; the most on Feb 14 (9 tickets)."
 */
export function chartSummary(series: ChartSeries, currency: string, locale?: string): string {
  if (series.days.length === 0) return 'No days to show.';
  const first = formatShortDay(series.days[0]!, locale);
  const last = formatShortDay(series.days[series.days.length - 1]!, locale);
  const span = first === last ? `on ${first}` : `from ${first} to ${last}`;
  const tickets = series.tickets.reduce((a, b) => a + b, 0);
  const amount = series.amounts.reduce((a, b) => a + b, 0);
  if (tickets === 0 && amount === 0) return `Tickets sold per day ${span}: none.`;
  let best = 0;
  series.tickets.forEach((n, i) => {
    if (n > series.tickets[best]!) best = i;
  });
  return (
    `Tickets sold per day ${span}: ${count(tickets, 'ticket')}, ${money(amount, currency)} in all; ` +
    `the most on ${formatShortDay(series.days[best]!, locale)} (${count(series.tickets[best]!, 'ticket')}).`
  );
}
