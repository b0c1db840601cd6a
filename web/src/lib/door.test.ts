import { describe, expect, it } from 'vitest';
import { apiError, mockFetch } from '../test/fetch';
import { signIn, signOut } from './session.svelte';
import { ApiError } from './api';
import {
  cancellationSummary,
  cancelPerformance,
  percentSold,
  performanceChoices,
  salesSegments,
  scanFailure,
  scanTicket,
  scanVerdict,
  sortChoices,
  type ScanResponse,
} from './door';

/** An answer of the scan endpoint; `result` may be one this page does not know yet. */
function answer(result: string, message: string, place: string | null = null): ScanResponse {
  return { result: result as ScanResponse['result'], message, ticketId: 't1', usedAt: null, door: null, place };
}

describe('scanning', () => {
  it('turns each result into a green or red verdict', () => {
    expect(scanVerdict(answer('ok', 'Welcome', 'Orchestra, row C, seat 12'), 'in')).toEqual({
      ok: true,
      headline: 'OK to enter',
      detail: 'Orchestra, row C, seat 12',
    });
    expect(scanVerdict(answer('ok', 'Checked out'), 'out')).toMatchObject({ ok: true, headline: 'OK to leave', detail: 'Checked out' });
    expect(scanVerdict(answer('already_used', 'Already used at 19:42 (door North)', 'Orchestra, row C, seat 12'), 'in')).toEqual({
      ok: false,
      headline: 'Already used',
      detail: 'Already used at 19:42 (door North) · Orchestra, row C, seat 12',
    });
    expect(scanVerdict(answer('invalid', 'Not a valid ticket'), 'in')).toEqual({ ok: false, headline: 'Not a valid ticket', detail: '' });
    expect(scanVerdict(answer('wrong_performance', 'For another performance'), 'in').headline).toBe('Wrong performance');
    expect(scanVerdict(answer('refunded', 'Refunded: not valid for entry'), 'in').headline).toBe('Refunded ticket');
    expect(scanVerdict(answer('not_inside', 'This ticket is not checked in'), 'out').headline).toBe('Not checked in');
    expect(scanVerdict(answer('something_new', 'Ask a manager'), 'in')).toMatchObject({ ok: false, headline: 'Do not admit', detail: 'Ask a manager' });
  });

  it('stops on a failed call', () => {
    expect(scanFailure(new ApiError(0, 'network_error', 'x')).headline).toBe('No connection');
    expect(scanFailure(new ApiError(403, 'forbidden', 'x')).headline).toBe('Not allowed');
    expect(scanFailure(new ApiError(422, 'invalid_field', 'performanceId: bad'))).toEqual({ ok: false, headline: 'Not checked', detail: 'performanceId: bad' });
  });

  it('sends the trimmed code, the performance, the direction and the door', async () => {
    signIn({ token: 'staff', expiresAt: '2099-01-01T00:00:00Z', email: 's@x', role: 'scanner' });
    const calls = mockFetch({ 'POST /admin/v1/scan': { status: 200, body: answer('ok', 'Welcome') } });
    await scanTicket({ code: ' ABC \n', performanceId: 'p1', direction: 'in', door: ' North ' });
    await scanTicket({ code: 'ABC', performanceId: 'p1', direction: 'out', door: '  ' });
    expect(calls.map((c) => c.body)).toEqual([
      { code: 'ABC', performanceId: 'p1', direction: 'in', door: 'North' },
      { code: 'ABC', performanceId: 'p1', direction: 'out' },
    ]);
    expect(calls[0]!.headers['Authorization']).toBe('Bearer staff');
    signOut();
  });
});

describe('sales', () => {
  it('stacks sold, held, blocked and available as shares of the house', () => {
    const segments = salesSegments({ sold: 50, held: 10, blocked: 40, available: 100, capacity: 200 });
    expect(segments.map((s) => [s.key, s.x, s.width])).toEqual([
      ['sold', 0, 25],
      ['held', 25, 5],
      ['blocked', 30, 20],
      ['available', 50, 50],
    ]);
    // An empty house does not divide by zero.
    expect(salesSegments({ sold: 0, held: 0, blocked: 0, available: 0, capacity: 0 }).every((s) => s.width === 0)).toBe(true);
    expect(percentSold({ sold: 50, capacity: 200 })).toBe('25%');
    expect(percentSold({ sold: 0, capacity: 0 })).toBe('0%');
    expect(percentSold({ sold: 1, capacity: 800 })).toBe('under 1%');
  });

  it('words a cancellation', () => {
    expect(cancellationSummary({ orders: 3, refunded: 3, failed: 0, remaining: 0 })).toBe('3 of 3 orders refunded.');
    expect(cancellationSummary({ orders: 5, refunded: 2, failed: 1, remaining: 2 })).toBe('2 of 5 orders refunded, 1 failed (try again), 2 still to do.');
  });

  it('says a cancellation is not done while refunds remain', async () => {
    signIn({ token: 'staff', expiresAt: '2099-01-01T00:00:00Z', email: 's@x', role: 'owner' });
    let remaining = 2;
    mockFetch({
      'POST /admin/v1/performances/p1/cancel': () => {
        remaining -= 1;
        return { status: remaining > 0 ? 202 : 200, body: { id: 'p1', status: 'cancelled', refunds: { orders: 2, refunded: 2 - remaining, failed: 0, remaining } } };
      },
    });
    expect((await cancelPerformance('p1')).done).toBe(false);
    expect((await cancelPerformance('p1')).done).toBe(true);
    signOut();
  });
});

describe('choosing a performance', () => {
  const at = (utc: string) => ({ utc, local: utc, timezone: 'America/New_York' });

  it('lists the admin catalog, or the public list for roles that cannot read it', async () => {
    signIn({ token: 'staff', expiresAt: '2099-01-01T00:00:00Z', email: 's@x', role: 'scanner' });
    mockFetch({
      'GET /admin/v1/events': apiError(403, 'forbidden', 'Your role does not allow this'),
      'GET /api/v1/events': { status: 200, body: { events: [{ id: 'e1', title: 'Hamlet', performances: [{ id: 'p1', startsAt: '2099-03-01T00:30:00Z', status: 'on_sale' }] }] } },
    });
    const choices = await performanceChoices('America/New_York');
    expect(choices.map((c) => [c.id, c.label])).toEqual([['p1', expect.stringMatching(/^Hamlet — .*2099.*7:30/)]]);

    mockFetch({
      'GET /admin/v1/events': {
        status: 200,
        body: { events: [{ id: 'e1', title: 'Macbeth', performances: [{ id: 'p2', startsAt: at('2099-03-02T00:30:00Z'), status: 'draft' }] }] },
      },
    });
    expect((await performanceChoices('America/New_York')).map((c) => c.id)).toEqual(['p2']);
    signOut();
  });

  it('puts upcoming performances first, soonest first, then past ones', () => {
    const c = (id: string, startsAt: string) => ({ id, label: id, startsAt, status: 'on_sale' });
    const now = new Date('2030-06-01T12:00:00Z');
    expect(
      sortChoices([c('past-old', '2030-01-01T00:00:00Z'), c('later', '2030-07-01T00:00:00Z'), c('tonight', '2030-06-01T23:00:00Z'), c('past-recent', '2030-05-01T00:00:00Z')], now).map((x) => x.id),
    ).toEqual(['tonight', 'later', 'past-recent', 'past-old']);
  });
});
