import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { navigate } from '../lib/router.svelte';
import { signIn, signOut } from '../lib/session.svelte';
import { apiError, fakeToken, mockFetch, SITE, VENUE, type Call } from '../test/fetch';
import { performance, smallLayout } from '../test/seatmaps';

beforeEach(() => {
  signOut();
  signIn({ token: fakeToken('owner@demo.localhost', 'owner'), expiresAt: '2099-01-01T00:00:00Z', email: 'owner@demo.localhost', role: 'owner' });
});

const MAP = { id: 'map-1', name: 'Test Theatre', version: 1, seatCount: 56, sections: 2, generalAdmissionAreas: 1, updatedAt: '2026-11-01T00:00:00Z' };

describe('events', () => {
  it('creates an event, adds a performance at the venue’s local time with a price table and fees, and publishes it', async () => {
    const draft = performance({ id: 'perf-9', eventId: 'event-9', status: 'draft', selling: false });
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/venue': { status: 200, body: VENUE },
      'GET /admin/v1/events': { status: 200, body: { events: [] } },
      'GET /admin/v1/seatmaps': { status: 200, body: { seatMaps: [MAP] } },
      'GET /admin/v1/seatmaps/map-1': { status: 200, body: { ...MAP, layout: smallLayout() } },
      'POST /admin/v1/events': (call: Call) => ({ status: 201, body: { id: 'event-9', ...(call.body as object), imageUrl: null, performances: [] } }),
      'POST /admin/v1/events/event-9/performances': { status: 201, body: draft },
      'POST /admin/v1/performances/perf-9/publish': { status: 200, body: { ...draft, status: 'on_sale', selling: true } },
    });
    navigate('/admin/events');
    render(App);
    expect(await screen.findByText('No events yet.')).toBeTruthy();
    await fireEvent.input(screen.getByLabelText('Title'), { target: { value: '  Gala  ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create event' }));
    const form = await screen.findByRole('form', { name: 'New performance' });
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ title: 'Gala', description: '' });

    await fireEvent.input(within(form).getByLabelText('Starts at (America/New York)'), { target: { value: '2027-02-28T19:30' } });
    await fireEvent.input(await within(form).findByLabelText('Premium adult price'), { target: { value: '85' } });
    await fireEvent.input(within(form).getByLabelText('Standard adult price'), { target: { value: '60.00' } });
    await fireEvent.input(within(form).getByLabelText('Add a ticket type'), { target: { value: 'Student' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Add type' }));
    await fireEvent.input(within(form).getByLabelText('Premium student price'), { target: { value: '42.50' } });
    await fireEvent.input(within(form).getByLabelText('Lawn adult price'), { target: { value: '25' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Add a fee' }));
    await fireEvent.input(within(form).getByLabelText('Fee name'), { target: { value: 'Booking fee' } });
    await fireEvent.input(within(form).getByLabelText('Amount'), { target: { value: '2' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Save performance' }));

    const row = await screen.findByTestId('admin-performance');
    expect(calls.find((c) => c.path === '/admin/v1/events/event-9/performances')?.body).toEqual({
      startsAt: '2027-03-01T00:30:00Z',
      seatMapId: 'map-1',
      prices: [
        { zone: 'premium', priceType: 'adult', amount: 8500 },
        { zone: 'premium', priceType: 'student', amount: 4250 },
        { zone: 'standard', priceType: 'adult', amount: 6000 },
        { zone: 'lawn', priceType: 'adult', amount: 2500 },
      ],
      fees: [{ name: 'Booking fee', basis: 'per_ticket', fixed: 200 }],
      taxes: [],
    });
    expect(within(row).getByTestId('performance-status').textContent).toBe('Draft');
    await fireEvent.click(within(row).getByRole('button', { name: 'Publish' }));
    expect(await within(row).findByText('On sale')).toBeTruthy();
  });

  it('explains a refused publish with the zones that have no price', async () => {
    const draft = performance({ id: 'perf-9', eventId: 'event-9', status: 'draft', selling: false });
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/venue': { status: 200, body: VENUE },
      'GET /admin/v1/events': { status: 200, body: { events: [{ id: 'event-9', title: 'Gala', description: '', imageUrl: null, performances: [draft] }] } },
      'GET /admin/v1/seatmaps': { status: 200, body: { seatMaps: [MAP] } },
      'POST /admin/v1/performances/perf-9/publish': apiError(422, 'unpriced_zones', 'Every price zone of the seat map needs a price', { zones: ['lawn'] }),
    });
    navigate('/admin/events');
    render(App);
    await fireEvent.click(await screen.findByRole('button', { name: 'Publish' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Every price zone of the seat map needs a price: lawn.');
  });

  it('sends the way to the Payments page when the venue cannot take card payments yet', async () => {
    const draft = performance({ id: 'perf-8', eventId: 'event-8', status: 'draft', selling: false });
    const message = "Finish setting up the venue's Stripe account on the Payments page before selling tickets by card.";
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/venue': { status: 200, body: VENUE },
      'GET /admin/v1/events': { status: 200, body: { events: [{ id: 'event-8', title: 'Gala', description: '', imageUrl: null, performances: [draft] }] } },
      'GET /admin/v1/seatmaps': { status: 200, body: { seatMaps: [MAP] } },
      'POST /admin/v1/performances/perf-8/publish': apiError(409, 'payments_not_ready', message),
    });
    navigate('/admin/events');
    render(App);
    await fireEvent.click(await screen.findByRole('button', { name: 'Publish' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(`${message} Open Payments`);
    expect(within(alert).getByRole('link', { name: 'Open Payments' }).getAttribute('href')).toBe('/admin/payments');
  });
});

describe('seat maps', () => {
  it('imports a CSV as text/csv and draws the preview read-only', async () => {
    const calls = mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/seatmaps': { status: 200, body: { seatMaps: [] } },
      'POST /admin/v1/seatmaps/import': { status: 201, body: { ...MAP, layout: smallLayout() } },
    });
    navigate('/admin/seatmaps');
    render(App);
    const csv = 'section,row,seat,price zone,best-available rank,x,y,note\nstalls,A,1,std,1,10,10,\n';
    await fireEvent.change(await screen.findByLabelText('CSV file'), { target: { files: [new File([csv], 'Test Theatre.csv', { type: 'text/csv' })] } });
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Test Theatre');
    await fireEvent.click(screen.getByRole('button', { name: 'Import seat map' }));
    expect((await screen.findByRole('status')).textContent).toBe('Imported “Test Theatre”: 56 seats in 2 sections, 1 general-admission area.');
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe('/admin/v1/seatmaps/import?name=Test%20Theatre');
    expect(post.headers['Content-Type']).toBe('text/csv');
    expect(post.body).toBe(csv);
    const preview = screen.getByTestId('seatmap-preview');
    expect(preview.querySelectorAll('circle[data-seat]')).toHaveLength(56);
    expect(within(preview).queryAllByRole('button', { name: /row A seat 1/ })).toHaveLength(0);
  });

  it('points at the line and column of a bad CSV line and shows it', async () => {
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /admin/v1/seatmaps': { status: 200, body: { seatMaps: [] } },
      'POST /admin/v1/seatmaps/import': apiError(422, 'invalid_csv', "line 3, column 'x': is not a number", { line: 3, column: 'x' }),
    });
    navigate('/admin/seatmaps');
    render(App);
    const csv = 'section,row,seat,price zone,best-available rank,x,y,note\r\nstalls,A,1,std,1,10,10,\r\nstalls,A,2,std,2,abc,10,\r\n';
    await fireEvent.input(await screen.findByLabelText('Name'), { target: { value: 'Broken' } });
    await fireEvent.change(screen.getByLabelText('CSV file'), { target: { files: [new File([csv], 'broken.csv')] } });
    await fireEvent.click(screen.getByRole('button', { name: 'Import seat map' }));
    const problem = await screen.findByTestId('csv-problem');
    expect(problem.textContent).toContain('Problem on line 3, column “x”');
    expect(problem.querySelector('pre')?.textContent).toBe('3 stalls,A,2,std,2,abc,10,');
  });
});
