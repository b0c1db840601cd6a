// The admin's Reports page and a performance's Demand page: the venue's day by default, the
// figures and lines, field errors of a 422 by their inputs, the CSV download with the token,
// the way to a performance's demand, and the heat map over the seat map with its empty state.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { navigate, route } from '../lib/router.svelte';
import { signIn, signOut } from '../lib/session.svelte';
import { freeStatus, smallLayout } from '../test/seatmaps';
import { apiError, fakeToken, mockFetch, SITE, type Call } from '../test/fetch';

// Chart.js needs a real canvas: the page's chart module is replaced by a recorder.
const drawn = vi.hoisted(() => ({ charts: [] as { tickets: number[] }[] }));
vi.mock('../lib/salesChart', () => ({
  drawSalesChart: (_canvas: HTMLCanvasElement, series: { tickets: number[] }) => {
    drawn.charts.push({ tickets: series.tickets });
    return { update: (next: { tickets: number[] }) => drawn.charts.push({ tickets: next.tickets }), destroy: () => {} };
  },
}));

const SUMMARY = {
  orders: 3,
  tickets: 5,
  subtotal: 42500,
  discount: 2125,
  fees: 1000,
  tax: 0,
  total: 41375,
  cardOrders: 2,
  cardAmount: 41375,
  freeOrders: 1,
  promoOrders: 1,
  cashOrders: 1,
  cashAmount: 12000,
  cashRefunded: 2000,
  compOrders: 1,
  compTickets: 2,
  compValue: 9000,
  refunds: 1,
  refunded: 8700,
  refundedTickets: 1,
  net: 32675,
};
const STAFF = {
  staff: 'clerk@example.org',
  orders: 2,
  tickets: 4,
  total: 12000,
  cashOrders: 1,
  cashAmount: 12000,
  cardOrders: 0,
  cardAmount: 0,
  compOrders: 1,
  compTickets: 2,
};
const LINE = {
  performanceId: 'perf-1',
  eventId: 'ev-1',
  eventTitle: 'The Tempest',
  startsAt: '2027-03-05T19:30',
  priceType: 'adult',
  zone: 'premium',
  zoneName: 'Premium',
  tickets: 4,
  amount: 31875,
  discount: 2125,
  fees: 800,
  refundedTickets: 1,
};
const local = (utc: string) => ({ utc, local: utc, timezone: 'America/New_York' });
const EVENTS = [
  {
    id: 'ev-1',
    title: 'The Tempest',
    description: '',
    performances: [
      { id: 'perf-1', eventId: 'ev-1', startsAt: local('2027-03-06T00:30:00Z'), status: 'on_sale', prices: [], seatMapId: 'map-1' },
      { id: 'perf-draft', eventId: 'ev-1', startsAt: local('2027-03-07T00:30:00Z'), status: 'draft', prices: [], seatMapId: 'map-1' },
    ],
  },
];

function days(from: string, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const date = new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
    return { date, tickets: i === count - 1 ? 5 : 0, amount: i === count - 1 ? 40375 : 0, refundedTickets: 0 };
  });
}

function signInAs(role: 'owner' | 'box_office') {
  signIn({ token: fakeToken('someone@demo.localhost', role), expiresAt: '2099-01-01T00:00:00Z', email: 'someone@demo.localhost', role });
}

function openReports(
  sales: (call: Call) => { status: number; body?: unknown } = () => ({ status: 500 }),
  more: Record<string, { status: number; body?: unknown }> = {},
) {
  signInAs('box_office');
  const calls = mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'GET /admin/v1/session': { status: 200, body: { email: 'someone@demo.localhost', role: 'box_office' } },
    'GET /admin/v1/events': { status: 200, body: { events: EVENTS } },
    'GET /admin/v1/reports/end-of-day': (call) => ({
      status: 200,
      body: { date: new URLSearchParams(call.path.split('?')[1]).get('date'), currency: 'USD', summary: SUMMARY, byStaff: [STAFF], lines: [LINE] },
    }),
    'GET /admin/v1/reports/sales': sales,
    ...more,
  });
  navigate('/admin/reports');
  render(App);
  return calls;
}

beforeEach(() => {
  signOut();
  drawn.charts = [];
  // 03:00 UTC on 1 March 2027 is still 28 February at the venue (New York).
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2027-03-01T03:00:00Z'));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('reports page', () => {
  it("shows the venue's today: the figures and the tickets by performance", async () => {
    const calls = openReports();
    const day = await screen.findByTestId('end-of-day');
    expect(calls.find((c) => c.path.startsWith('/admin/v1/reports/end-of-day'))!.path).toBe('/admin/v1/reports/end-of-day?date=2027-02-28');
    expect(screen.getByLabelText('Day')).toHaveProperty('value', '2027-02-28');
    expect(within(day).getByRole('heading', { level: 3 }).textContent).toBe('Sunday, February 28, 2027 (today)');
    const text = (id: string) => within(day).getByTestId(id).textContent;
    expect(text('figure-orders')).toBe('3');
    expect(text('figure-tickets')).toBe('5');
    expect(text('figure-total')).toBe('$413.75');
    expect(text('figure-card')).toBe('$413.75');
    expect(text('figure-free')).toBe('1');
    expect(text('figure-discount')).toBe('$21.25');
    expect(text('figure-refunded')).toBe('$87.00');
    expect(text('figure-net')).toBe('$326.75');
    expect(day.textContent).toContain('off 1 order');
    expect(day.textContent).toContain('1 refund, 1 ticket');
    // The box office: cash for the drawers, comps apart, and each clerk's sales.
    expect(text('figure-cash')).toBe('$120.00');
    expect(text('figure-comps')).toBe('2 tickets');
    expect(day.textContent).toContain('1 order at the box office, $20.00 paid back: $100.00 in the drawers');
    expect(day.textContent).toContain('worth $90.00, 1 order');
    const clerk = within(within(day).getByTestId('staff-sales')).getByRole('row', { name: /clerk@example.org/ });
    expect([...clerk.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['2', '4', '$120.00', '$120.00', '$0.00', '2']);
    const row = within(day).getByTestId('sales-line');
    expect([...row.querySelectorAll('td')].map((td) => td.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'The Tempest',
      expect.stringMatching(/^Fri, Mar 5, 2027, 7:30\sPM$/),
      'Adult',
      'Premium',
      '4',
      '$318.75 after $21.25 off',
      '1',
    ]);
  });

  it('charts the last 30 days at the venue, with the figures per day in a table', async () => {
    const calls = openReports((call) => {
      const q = new URLSearchParams(call.path.split('?')[1]);
      return { status: 200, body: { from: q.get('from'), to: q.get('to'), currency: 'USD', days: days(q.get('from')!, 30), summary: SUMMARY, lines: [LINE] } };
    });
    const report = await screen.findByTestId('sales-report');
    expect(calls.find((c) => c.path.startsWith('/admin/v1/reports/sales'))!.path).toBe('/admin/v1/reports/sales?from=2027-01-30&to=2027-02-28');
    expect(screen.getByLabelText('From')).toHaveProperty('value', '2027-01-30');
    expect(screen.getByLabelText('To')).toHaveProperty('value', '2027-02-28');
    const chart = within(report).getByRole('img');
    expect(chart.textContent).toBe('');
    expect(chart.getAttribute('aria-labelledby')).toBeTruthy();
    expect(document.getElementById(chart.getAttribute('aria-labelledby')!)!.textContent).toBe(
      'Tickets sold per day from Jan 30 to Feb 28: 5 tickets, $403.75 in all; the most on Feb 28 (5 tickets).',
    );
    await waitFor(() => expect(drawn.charts.length).toBeGreaterThan(0));
    expect(drawn.charts[0]!.tickets).toHaveLength(30);
    expect(within(report).getAllByTestId('sales-day')).toHaveLength(30);
    expect(within(report).getAllByTestId('sales-day')[29]!.textContent).toMatch(/Sunday, February 28, 2027\s*5\s*\$403\.75\s*0/);
  });

  it('shows a refusal of the range next to the field it names', async () => {
    openReports((call) =>
      call.path.includes('eventId=')
        ? apiError(422, 'invalid_field', 'eventId: is not an event of this venue', { field: 'eventId' })
        : apiError(422, 'invalid_field', 'to: a report covers at most 366 days', { field: 'to' }),
    );
    const to = await screen.findByLabelText('To');
    await waitFor(() => expect(to.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(to.getAttribute('aria-describedby')!)!.textContent).toBe('a report covers at most 366 days');

    const select = screen.getByLabelText('Event', { selector: '#sales-event' });
    await within(select).findByRole('option', { name: 'The Tempest' });
    await fireEvent.change(select, { target: { value: 'ev-1' } });
    const form = screen.getByRole('form', { name: 'Sales over time' });
    await fireEvent.click(within(form).getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(select.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(select.getAttribute('aria-describedby')!)!.textContent).toBe('is not an event of this venue');
    expect(to.getAttribute('aria-invalid')).toBeNull();
  });

  it('checks the range before asking', async () => {
    const calls = openReports();
    await screen.findByTestId('end-of-day');
    await fireEvent.input(screen.getByLabelText('From'), { target: { value: '2027-03-02' } });
    await fireEvent.input(screen.getByLabelText('To'), { target: { value: '2027-03-01' } });
    const asked = calls.filter((c) => c.path.startsWith('/admin/v1/reports/sales')).length;
    await fireEvent.click(within(screen.getByRole('form', { name: 'Sales over time' })).getByRole('button', { name: 'Show' }));
    expect(await screen.findByText('The last day must not be before the first.')).toBeTruthy();
    expect(calls.filter((c) => c.path.startsWith('/admin/v1/reports/sales'))).toHaveLength(asked);
  });

  it('downloads the CSV with the staff token and saves it under its own name', async () => {
    openReports();
    await screen.findByTestId('end-of-day');
    const csvCalls: { url: string; auth: string }[] = [];
    const jsonFetch = globalThis.fetch;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
        if (!String(input).includes('format=csv')) return jsonFetch(input, init);
        csvCalls.push({ url: String(input), auth: (init.headers as Record<string, string>)['Authorization'] ?? '' });
        return new Response('Figure,Value\n', { status: 200, headers: { 'Content-Disposition': 'attachment; filename="end-of-day-2027-02-28.csv"' } });
      }),
    );
    Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:eod'), revokeObjectURL: vi.fn() });
    const saved: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    await fireEvent.click(within(screen.getByRole('form', { name: 'End-of-day report' })).getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(saved).toEqual(['end-of-day-2027-02-28.csv']));
    expect(csvCalls).toEqual([{ url: '/admin/v1/reports/end-of-day?date=2027-02-28&format=csv', auth: expect.stringMatching(/^Bearer /) }]);
    expect(screen.getByText('Downloaded end-of-day-2027-02-28.csv.')).toBeTruthy();
  });

  it('opens the demand of a published performance of the chosen event', async () => {
    openReports();
    const eventSelect = await screen.findByLabelText('Event', { selector: '#demand-event' });
    await screen.findAllByRole('option', { name: 'The Tempest' });
    await fireEvent.change(eventSelect, { target: { value: 'ev-1' } });
    const performance = screen.getByLabelText('Performance') as HTMLSelectElement;
    await waitFor(() => expect(performance.value).toBe('perf-1'));
    expect([...performance.options].map((o) => o.value)).toEqual(['perf-1']); // no drafts
    await fireEvent.click(screen.getByRole('button', { name: 'Show demand' }));
    expect(route.path).toBe('/admin/performances/perf-1/demand');
  });
});

const ATTENDANCE = {
  from: '2027-01-30',
  to: '2027-02-28',
  performances: [
    { performanceId: 'perf-1', eventId: 'ev-1', eventTitle: 'The Tempest', startsAt: '2027-02-20T19:30', cancelled: false, sold: 8, admitted: 6, noShows: 2, admittedPercent: 75 },
    { performanceId: 'perf-2', eventId: 'ev-1', eventTitle: 'The Tempest', startsAt: '2027-02-21T14:00', cancelled: true, sold: 0, admitted: 0, noShows: 0 },
  ],
  totals: { performances: 2, sold: 8, admitted: 6, noShows: 2, admittedPercent: 75 },
};

const HISTORY = {
  email: 'pat@example.org',
  currency: 'USD',
  orders: [
    {
      orderId: 'ord-2',
      number: 'BBBB-2222',
      placedAt: '2027-02-20T10:15',
      status: 'refunded',
      performances: [{ performanceId: 'perf-1', eventTitle: 'The Tempest', startsAt: '2027-02-20T19:30', tickets: 1 }],
      tickets: 1,
      paid: 5150,
      refunded: 5150,
    },
    {
      orderId: 'ord-1',
      number: 'AAAA-1111',
      placedAt: '2027-02-01T09:00',
      status: 'paid',
      performances: [{ performanceId: 'perf-1', eventTitle: 'The Tempest', startsAt: '2027-02-20T19:30', tickets: 2 }],
      tickets: 2,
      paid: 10300,
      refunded: 0,
      promoCode: 'HALF',
    },
  ],
  totals: { orders: 2, tickets: 3, spent: 15450, refunded: 5150 },
};

describe('attendance and patron history', () => {
  it('shows sold, admitted and no-shows per performance in the chosen range, with totals', async () => {
    const calls = openReports(undefined, { 'GET /admin/v1/reports/attendance': { status: 200, body: ATTENDANCE } });
    const form = await screen.findByRole('form', { name: 'Attendance' });
    await fireEvent.click(within(form).getByRole('button', { name: 'Show' }));
    const report = await screen.findByTestId('attendance-report');
    expect(calls.find((c) => c.path.startsWith('/admin/v1/reports/attendance'))!.path).toBe('/admin/v1/reports/attendance?from=2027-01-30&to=2027-02-28');
    const cells = (row: HTMLElement) => [...row.querySelectorAll('th, td')].map((c) => c.textContent?.replace(/\s+/g, ' ').trim());
    const lines = within(report).getAllByTestId('attendance-line');
    expect(cells(lines[0]!)).toEqual(['The Tempest', expect.stringMatching(/^Sat, Feb 20, 2027, 7:30\sPM$/), '8', '6', '2', '75.0 %']);
    expect(cells(lines[1]!)).toEqual(['The Tempest Cancelled', expect.stringMatching(/^Sun, Feb 21, 2027/), '0', '0', '0', '—']);
    expect(cells(within(report).getByTestId('attendance-totals'))).toEqual(['Total (2 performances)', '8', '6', '2', '75.0 %']);
  });

  it("opens a patron's history from ?patron= and lists their orders newest first with totals", async () => {
    signInAs('box_office');
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/session': { status: 200, body: { email: 'someone@demo.localhost', role: 'box_office' } },
      'GET /admin/v1/events': { status: 200, body: { events: EVENTS } },
      'GET /admin/v1/reports/end-of-day': { status: 500 },
      'GET /admin/v1/reports/sales': { status: 500 },
      'GET /admin/v1/reports/patron': { status: 200, body: HISTORY },
    });
    navigate('/admin/reports?patron=pat%40example.org');
    render(App);
    const history = await screen.findByTestId('patron-history');
    expect(calls.find((c) => c.path.startsWith('/admin/v1/reports/patron'))!.path).toBe('/admin/v1/reports/patron?email=pat%40example.org');
    expect(screen.getByLabelText('Email')).toHaveProperty('value', 'pat@example.org');
    expect(within(history).getByTestId('patron-orders').textContent).toBe('2');
    expect(within(history).getByTestId('patron-spent').textContent).toBe('$154.50');
    expect(within(history).getByTestId('patron-refunded').textContent).toBe('$51.50');
    const rows = within(history).getAllByTestId('patron-order');
    expect(rows.map((r) => r.querySelector('td')!.textContent)).toEqual(['BBBB-2222', 'AAAA-1111']);
    expect(within(rows[0]!).getByRole('link', { name: 'BBBB-2222' }).getAttribute('href')).toBe('/admin/orders/ord-2');
    expect(rows[1]!.textContent).toContain('HALF');
    expect(rows[1]!.textContent).toContain('2 tickets');
  });

  it('checks the email before asking, and says when an address has no orders', async () => {
    const calls = openReports(undefined, {
      'GET /admin/v1/reports/patron': {
        status: 200,
        body: { email: 'nobody@example.org', currency: 'USD', orders: [], totals: { orders: 0, tickets: 0, spent: 0, refunded: 0 } },
      },
    });
    const form = await screen.findByRole('form', { name: 'Patron history' });
    const email = within(form).getByLabelText('Email');
    await fireEvent.input(email, { target: { value: 'pat' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Show' }));
    expect(await screen.findByText('Enter an email address such as pat@example.org.')).toBeTruthy();
    expect(calls.filter((c) => c.path.startsWith('/admin/v1/reports/patron'))).toHaveLength(0);
    await fireEvent.input(email, { target: { value: 'nobody@example.org' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Show' }));
    expect((await screen.findByTestId('patron-empty')).textContent).toBe('No orders with this email address.');
  });

  it('saves a large export that the API answered with a redirect (fetch follows it)', async () => {
    openReports();
    await screen.findByTestId('end-of-day');
    const asked: string[] = [];
    const jsonFetch = globalThis.fetch;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
        if (!String(input).includes('format=csv')) return jsonFetch(input, init);
        asked.push(String(input));
        // What fetch hands back after following the 303 to the presigned link: S3's answer.
        const followed = new Response('Order,Placed\n', { status: 200, headers: { 'Content-Disposition': 'attachment; filename="patron-history.csv"' } });
        Object.defineProperty(followed, 'redirected', { value: true });
        return followed;
      }),
    );
    Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:patron'), revokeObjectURL: vi.fn() });
    const saved: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    const form = screen.getByRole('form', { name: 'Patron history' });
    await fireEvent.input(within(form).getByLabelText('Email'), { target: { value: 'pat@example.org' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(saved).toEqual(['patron-history.csv']));
    expect(asked).toEqual(['/admin/v1/reports/patron?email=pat%40example.org&format=csv']);
  });
});

const ZONES = [
  { zone: 'premium', name: 'Premium', capacity: 36, sold: 9, soldWithinHour: 4, soldWithinDay: 3, soldWithinWeek: 2, soldLater: 0, tried: 4 },
  { zone: 'standard', name: 'Standard', capacity: 20, sold: 0, soldWithinHour: 0, soldWithinDay: 0, soldWithinWeek: 0, soldLater: 0, tried: 1 },
  { zone: 'lawn', name: 'Lawn', capacity: 50, sold: 1, soldWithinHour: 0, soldWithinDay: 0, soldWithinWeek: 0, soldLater: 1, tried: 0 },
];

function openDemand(seats: { seatId: string; zone: string; tried: number }[]) {
  signInAs('box_office');
  const layout = smallLayout();
  mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'GET /admin/v1/session': { status: 200, body: { email: 'someone@demo.localhost', role: 'box_office' } },
    'GET /admin/v1/events': { status: 200, body: { events: EVENTS } },
    'GET /admin/v1/performances/perf-1/demand': { status: 200, body: { performanceId: 'perf-1', onSaleAt: '2027-02-01T15:00:00Z', zones: ZONES, seats } },
    'GET /api/v1/performances/perf-1/seatmap': { status: 200, body: { layout, status: freeStatus(layout) } },
  });
  navigate('/admin/performances/perf-1/demand');
  render(App);
}

describe('demand page', () => {
  it('shows each zone sold and how soon, and a heat map of the seats held and let go', async () => {
    openDemand([
      { seatId: 'orchestra-C-12', zone: 'premium', tried: 3 },
      { seatId: 'orchestra-C-11', zone: 'premium', tried: 1 },
      { seatId: 'balcony-D-1', zone: 'standard', tried: 1 },
    ]);
    expect(await screen.findByRole('heading', { level: 1, name: 'Demand' })).toBeTruthy();
    await screen.findByText('The Tempest', { exact: false, selector: 'h2' });
    const rows = screen.getAllByTestId('demand-zone');
    const cells = (row: HTMLElement) => [...row.querySelectorAll('th, td')].map((c) => c.textContent);
    expect(cells(rows[0]!)).toEqual(['Premium', '36', '9', '25%', '4', '3', '2', '0', '4']);
    expect(cells(rows[2]!)).toEqual(['Lawn', '50', '1', '2%', '0', '0', '0', '1', '0']);
    expect(screen.getByRole('columnheader', { name: 'In the first hour' })).toBeTruthy();

    const map = await screen.findByRole('group', { name: 'Heat map of seats held and let go' });
    const seat = (name: string) => within(map).getByRole('img', { name });
    expect(seat('Orchestra row C seat 12, Premium, held and let go 3 times').getAttribute('fill')).toBe('#800026');
    expect(seat('Orchestra row C seat 11, Premium, held and let go once').getAttribute('fill')).toBe('#fed976');
    expect(seat('Orchestra row A seat 1, Premium, not held and let go').getAttribute('fill')).toBe('#dcd8e0');
    const legend = screen.getByRole('list', { name: 'Times held and let go' });
    expect(within(legend).getAllByRole('listitem').map((li) => li.textContent?.trim())).toEqual(['Never', '1 time', '2 times', '3 times']);
    const top = screen.getAllByTestId('demand-seat').map((r) => cells(r).join(' | '));
    expect(top).toEqual(['Orchestra row C seat 12 | Premium | 3', 'Orchestra row C seat 11 | Premium | 1', 'Balcony row D seat 1 | Standard | 1']);
    expect(screen.queryByTestId('demand-empty')).toBeNull();
  });

  it('explains what it will show while no seat has been held and let go', async () => {
    openDemand([]);
    const empty = await screen.findByTestId('demand-empty');
    expect(empty.textContent).toContain('No seat has been held and let go yet.');
    expect(empty.textContent).toMatch(/release them, or let their hold run out/);
    expect(screen.queryByRole('group', { name: 'Heat map of seats held and let go' })).toBeNull();
  });
});
