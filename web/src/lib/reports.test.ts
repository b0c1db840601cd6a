import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, mockFetch, signedIn } from '../test/fetch';
import { ApiError } from './api';
import {
  addDays,
  chartSeries,
  chartSummary,
  daysInRange,
  downloadEndOfDay,
  downloadSalesReport,
  formatDay,
  formatLocalStart,
  getEndOfDay,
  getSalesReport,
  isDay,
  lastDays,
  rangeProblems,
  sortLines,
  venueToday,
  type SalesLine,
  type SalesReport,
} from './reports';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('venue-local days', () => {
  it("is today at the venue, not in the browser's zone", () => {
    // 03:00 UTC on 1 March is still 28 February in New York (UTC−5) and already 1 March in Tokyo.
    const now = new Date('2027-03-01T03:00:00Z');
    expect(venueToday('America/New_York', now)).toBe('2027-02-28');
    expect(venueToday('Asia/Tokyo', now)).toBe('2027-03-01');
    expect(venueToday('UTC', now)).toBe('2027-03-01');
    expect(venueToday('Not/AZone', now)).toBe('2027-03-01');
  });

  it('moves days across months, years and leap days', () => {
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('nonsense', 1)).toBe('nonsense');
    expect(daysInRange('2027-02-01', '2027-03-02')).toBe(30);
    expect(daysInRange('2027-03-02', '2027-03-01')).toBe(0);
  });

  it('defaults the sales range to the last 30 days at the venue, today included', () => {
    const now = new Date('2027-03-01T03:00:00Z');
    expect(lastDays('America/New_York', 30, now)).toEqual({ from: '2027-01-30', to: '2027-02-28' });
    expect(lastDays('Asia/Tokyo', 30, now)).toEqual({ from: '2027-01-31', to: '2027-03-01' });
    expect(daysInRange('2027-01-30', '2027-02-28')).toBe(30);
    // Across the spring DST change the count is still in calendar days.
    expect(lastDays('America/New_York', 7, new Date('2027-03-16T12:00:00Z'))).toEqual({ from: '2027-03-10', to: '2027-03-16' });
  });

  it('checks a range as the server does', () => {
    expect(isDay('2027-02-29')).toBe(false);
    expect(isDay('2028-02-29')).toBe(true);
    expect(rangeProblems('2027-03-01', '2027-03-31')).toEqual({});
    expect(rangeProblems('', '2027-03-31')).toEqual({ from: 'Enter a date.' });
    expect(rangeProblems('2027-03-02', '2027-03-01')).toEqual({ to: 'The last day must not be before the first.' });
    expect(rangeProblems('2027-01-01', '2028-01-01')).toEqual({}); // 366 days
    expect(rangeProblems('2027-01-01', '2028-01-02')).toEqual({ to: 'A report covers at most 366 days.' });
  });

  it('shows days and venue-local start times as they are, whatever the browser zone', () => {
    expect(formatDay('2027-03-01', 'en-US')).toBe('Monday, March 1, 2027');
    expect(formatLocalStart('2027-03-01T19:30', 'en-US')).toMatch(/^Mon, Mar 1, 2027, 7:30\sPM$/);
    expect(formatLocalStart('soon', 'en-US')).toBe('soon');
  });
});

function report(days: SalesReport['days'], from = '2027-03-01', to = '2027-03-03'): SalesReport {
  return { from, to, currency: 'USD', days, lines: [] };
}

describe('the chart series', () => {
  it('has one point per day of the range, in order, with tickets and amounts', () => {
    const series = chartSeries(
      report([
        { date: '2027-03-01', tickets: 3, amount: 25500, refundedTickets: 0 },
        { date: '2027-03-02', tickets: 0, amount: 0, refundedTickets: 1 },
        { date: '2027-03-03', tickets: 5, amount: 30000, refundedTickets: 0 },
      ]),
      'en-US',
    );
    expect(series).toEqual({
      days: ['2027-03-01', '2027-03-02', '2027-03-03'],
      labels: ['Mar 1', 'Mar 2', 'Mar 3'],
      tickets: [3, 0, 5],
      amounts: [25500, 0, 30000],
    });
  });

  it('counts a day the report left out as nothing sold', () => {
    const series = chartSeries(report([{ date: '2027-03-03', tickets: 2, amount: 1000, refundedTickets: 0 }]), 'en-US');
    expect(series.days).toEqual(['2027-03-01', '2027-03-02', '2027-03-03']);
    expect(series.tickets).toEqual([0, 0, 2]);
    expect(series.amounts).toEqual([0, 0, 1000]);
  });

  it('says in words what the chart shows', () => {
    const series = chartSeries(
      report([
        { date: '2027-03-01', tickets: 3, amount: 25500, refundedTickets: 0 },
        { date: '2027-03-02', tickets: 9, amount: 40000, refundedTickets: 0 },
        { date: '2027-03-03', tickets: 1, amount: 500, refundedTickets: 0 },
      ]),
      'en-US',
    );
    expect(chartSummary(series, 'USD', 'en-US')).toBe('Tickets sold per day from Mar 1 to Mar 3: 13 tickets, $660.00 in all; the most on Mar 2 (9 tickets).');
    expect(chartSummary(chartSeries(report([]), 'en-US'), 'USD', 'en-US')).toBe('Tickets sold per day from Mar 1 to Mar 3: none.');
  });
});

describe('lines', () => {
  const line = (over: Partial<SalesLine>): SalesLine => ({
    performanceId: 'p1',
    eventId: 'e1',
    eventTitle: 'Hamlet',
    startsAt: '2027-03-01T19:30',
    priceType: 'adult',
    zone: 'premium',
    zoneName: 'Premium',
    tickets: 1,
    amount: 8500,
    discount: 0,
    fees: 200,
    refundedTickets: 0,
    ...over,
  });

  it('are ordered by performance time, then zone and price type', () => {
    const sorted = sortLines([
      line({ performanceId: 'p2', startsAt: '2027-03-02T19:30', zone: 'balcony' }),
      line({ priceType: 'student' }),
      line({ zone: 'balcony' }),
      line({}),
    ]);
    expect(sorted.map((l) => `${l.startsAt} ${l.zone} ${l.priceType}`)).toEqual([
      '2027-03-01T19:30 balcony adult',
      '2027-03-01T19:30 premium adult',
      '2027-03-01T19:30 premium student',
      '2027-03-02T19:30 balcony adult',
    ]);
  });
});

describe('calls', () => {
  it('ask for a day and a range with the staff token', async () => {
    signedIn('box_office');
    const calls = mockFetch({
      'GET /admin/v1/reports/end-of-day': { status: 200, body: { date: '2027-03-01', currency: 'USD', summary: {}, lines: [] } },
      'GET /admin/v1/reports/sales': { status: 200, body: report([]) },
    });
    await getEndOfDay('2027-03-01');
    await getSalesReport({ from: '2027-02-01', to: '2027-03-02', eventId: 'evt 1' });
    await getSalesReport({ from: '2027-02-01', to: '2027-03-02', eventId: '' });
    expect(calls.map((c) => c.path)).toEqual([
      '/admin/v1/reports/end-of-day?date=2027-03-01',
      '/admin/v1/reports/sales?from=2027-02-01&to=2027-03-02&eventId=evt+1',
      '/admin/v1/reports/sales?from=2027-02-01&to=2027-03-02',
    ]);
    expect(calls[0]!.headers['Authorization']).toMatch(/^Bearer /);
  });

  it('name the field a 422 refuses', async () => {
    signedIn('manager');
    mockFetch({ 'GET /admin/v1/reports/sales': apiError(422, 'invalid_field', 'to: a report covers at most 366 days', { field: 'to' }) });
    const error = await getSalesReport({ from: '2020-01-01', to: '2027-01-01' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).field).toBe('to');
    expect((error as ApiError).fieldMessage).toBe('a report covers at most 366 days');
  });

  it('download the CSV with the token, named by Content-Disposition', async () => {
    signedIn('owner');
    const seen: { url: string; headers: Record<string, string> }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
        seen.push({ url: String(input), headers: { ...(init.headers as Record<string, string>) } });
        return new Response('Figure,Value\nOrders,3\n', {
          status: 200,
          headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="end-of-day-2027-03-01.csv"' },
        });
      }),
    );
    const file = await downloadEndOfDay('2027-03-01');
    expect(file.filename).toBe('end-of-day-2027-03-01.csv');
    expect(await file.blob.text()).toBe('Figure,Value\nOrders,3\n');
    expect(seen[0]!.url).toBe('/admin/v1/reports/end-of-day?date=2027-03-01&format=csv');
    expect(seen[0]!.headers['Authorization']).toMatch(/^Bearer /);
    expect(seen[0]!.headers['Accept']).toMatch(/^text\/csv/);
  });

  it('fall back to a name of their own, and turn a refusal into an ApiError', async () => {
    signedIn('owner');
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) =>
        String(input).includes('eventId=gone')
          ? new Response(JSON.stringify({ error: { code: 'invalid_field', message: 'eventId: is not an event of this venue', details: { field: 'eventId' } } }), {
              status: 422,
              headers: { 'Content-Type': 'application/json' },
            })
          : new Response('Day,Event\n', { status: 200, headers: { 'Content-Type': 'text/csv' } }),
      ),
    );
    await expect(downloadSalesReport({ from: '2027-02-01', to: '2027-03-02' })).resolves.toMatchObject({ filename: 'sales-2027-02-01-to-2027-03-02.csv' });
    await expect(downloadSalesReport({ from: '2027-02-01', to: '2027-03-02', eventId: 'gone' })).rejects.toMatchObject({ status: 422, field: 'eventId' });
  });
});
