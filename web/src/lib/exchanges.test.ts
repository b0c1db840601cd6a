import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import {
  buildExchangeBody,
  doneWords,
  emptyExchangeForm,
  exchangeChoices,
  exchangeProblem,
  exchangeState,
  exchangeTickets,
  parseFee,
  quoteKey,
  settlementWords,
  type ExchangeFigures,
  type ExchangeForm,
  type ExchangeInputs,
} from './exchanges';

const m = (amount: number) => `$${(amount / 100).toFixed(2)}`;

function form(changes: Partial<ExchangeForm> = {}): ExchangeForm {
  return { ...emptyExchangeForm(['t1', 't2'], 'p2'), ...changes };
}

function figures(changes: Partial<ExchangeFigures> = {}): ExchangeFigures {
  return { newTotal: 12400, credit: 7400, fee: 0, due: 5000, surplus: 0, ...changes };
}

function inputs(f: ExchangeForm, rest: Partial<ExchangeInputs> = {}): ExchangeInputs {
  return { form: f, currency: 'USD', quote: figures(), quotedKey: quoteKey(f, 'USD'), cardsTaken: true, busy: false, ...rest };
}

describe('the exchange call', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('posts the body to the order with the staff token', async () => {
    sessionStorage.setItem(
      'marquee.staff',
      JSON.stringify({ token: 'tok', email: 'a@b.c', role: 'owner', expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
    );
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ figures: figures(), totals: {} }), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    vi.stubGlobal('fetch', fetchMock);
    const body = buildExchangeBody(form(), 'USD', { quote: true });
    const view = await exchangeTickets('o/1', body);
    expect(view.figures.due).toBe(5000);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toContain('/admin/v1/orders/o%2F1/exchange');
    expect(init.method).toBe('POST');
    expect(JSON.parse(String(init.body))).toEqual(body);
  });
});

describe('the body', () => {
  it('asks for the best seats, as many as tickets, in a zone when chosen', () => {
    expect(buildExchangeBody(form(), 'USD', { quote: true })).toEqual({ ticketIds: ['t1', 't2'], performanceId: 'p2', bestAvailable: { quantity: 2 }, quote: true });
    expect(buildExchangeBody(form({ zone: 'premium' }), 'USD', { quote: true }).bestAvailable).toEqual({ quantity: 2, zone: 'premium' });
  });

  it('asks for general-admission places in an area', () => {
    const body = buildExchangeBody(form({ how: 'area', areaId: 'lawn' }), 'USD', { quote: true });
    expect(body.generalAdmission).toEqual({ areaId: 'lawn', quantity: 2 });
    expect(body.bestAvailable).toBeUndefined();
  });

  it('sends a fee in minor units, and none when empty or zero', () => {
    expect(buildExchangeBody(form({ fee: '5' }), 'USD', { quote: true }).fee).toBe(500);
    expect(buildExchangeBody(form({ fee: '' }), 'USD', { quote: true }).fee).toBeUndefined();
    expect(buildExchangeBody(form({ fee: '0' }), 'USD', { quote: true }).fee).toBeUndefined();
    expect(buildExchangeBody(form({ fee: '500' }), 'JPY', { quote: true }).fee).toBe(500);
  });

  it('pays only what is due, never on a quote', () => {
    const cash = form({ tendered: '60.00' });
    expect(buildExchangeBody(cash, 'USD', { quote: true }).payment).toBeUndefined();
    expect(buildExchangeBody(cash, 'USD', { quote: false, due: 5000 })).toEqual({
      ticketIds: ['t1', 't2'],
      performanceId: 'p2',
      bestAvailable: { quantity: 2 },
      payment: { method: 'cash', tendered: 6000 },
    });
    expect(buildExchangeBody(form({ method: 'card' }), 'USD', { quote: false, due: 5000 }).payment).toEqual({ method: 'card' });
    const body = buildExchangeBody(cash, 'USD', { quote: false, due: 0 });
    expect(body.payment).toBeUndefined();
    expect(body.quote).toBeUndefined();
  });

  it('parses the fee', () => {
    expect(parseFee('', 'USD')).toBe(0);
    expect(parseFee('2.50', 'USD')).toBe(250);
    expect(parseFee('two', 'USD')).toBeNull();
  });

  it('a quote stays good while what it was asked for does not change (the cash does not count)', () => {
    const f = form();
    expect(quoteKey({ ...f, tendered: '100', method: 'card' }, 'USD')).toBe(quoteKey(f, 'USD'));
    expect(quoteKey({ ...f, zone: 'balcony' }, 'USD')).not.toBe(quoteKey(f, 'USD'));
    expect(quoteKey({ ...f, fee: '5' }, 'USD')).not.toBe(quoteKey(f, 'USD'));
    expect(quoteKey({ ...f, ticketIds: ['t1'] }, 'USD')).not.toBe(quoteKey(f, 'USD'));
  });
});

describe('whether Exchange may be pressed', () => {
  it('needs tickets, a performance and an area when by area', () => {
    expect(exchangeState(inputs(form({ ticketIds: [] })))).toMatchObject({ ready: false, field: 'tickets' });
    expect(exchangeState(inputs(form({ performanceId: '' })))).toMatchObject({ ready: false, field: 'performanceId' });
    expect(exchangeState(inputs(form({ how: 'area' })))).toMatchObject({ ready: false, field: 'seats' });
    expect(exchangeState(inputs(form({ fee: 'x' })))).toMatchObject({ ready: false, field: 'fee' });
  });

  it('needs a quote for the form as it is now', () => {
    const f = form({ tendered: '50' });
    expect(exchangeState(inputs(f, { quote: null, quotedKey: '' }))).toEqual({ ready: false, why: 'Get the price first.', needsQuote: true });
    expect(exchangeState(inputs({ ...f, zone: 'premium' }, { quotedKey: quoteKey(f, 'USD') }))).toMatchObject({ ready: false, needsQuote: true });
    expect(exchangeState(inputs(f))).toEqual({ ready: true });
  });

  it('needs the cash to cover what is due', () => {
    expect(exchangeState(inputs(form()))).toEqual({ ready: false, why: 'Enter the cash tendered ($50.00 to pay).', field: 'tendered' });
    expect(exchangeState(inputs(form({ tendered: 'lots' })))).toMatchObject({ ready: false, field: 'tendered' });
    expect(exchangeState(inputs(form({ tendered: '20' })))).toEqual({
      ready: false,
      why: 'The cash tendered is $30.00 short of the $50.00 to pay.',
      field: 'tendered',
    });
    expect(exchangeState(inputs(form({ tendered: '50' })))).toEqual({ ready: true });
  });

  it('takes a card when the venue does', () => {
    expect(exchangeState(inputs(form({ method: 'card' })))).toEqual({ ready: true });
    expect(exchangeState(inputs(form({ method: 'card' }), { cardsTaken: false }))).toMatchObject({ ready: false, field: 'payment' });
  });

  it('asks nothing when nothing is due, and waits while busy', () => {
    expect(exchangeState(inputs(form(), { quote: figures({ due: 0, surplus: 4000 }) }))).toEqual({ ready: true });
    expect(exchangeState(inputs(form({ tendered: '50' }), { busy: true }))).toMatchObject({ ready: false });
  });
});

describe('the words', () => {
  it('says who pays whom', () => {
    expect(settlementWords(figures({ due: 4500 }), 'card', m)).toBe('The patron pays $45.00');
    expect(settlementWords(figures({ due: 0, surplus: 4000 }), 'card', m)).toBe('$40.00 goes back to the patron’s card');
    expect(settlementWords(figures({ due: 0, surplus: 4000 }), 'cash', m)).toBe('Pay $40.00 back from the drawer');
    expect(settlementWords(figures({ due: 0, surplus: 0 }), 'cash', m)).toBe('Nothing to pay either way');
  });

  it('says where the surplus went after the exchange', () => {
    const surplus = figures({ due: 0, surplus: 4000 });
    expect(doneWords({ figures: surplus, surplusTo: 'card' }, m)).toBe('$40.00 goes back to the patron’s card.');
    expect(doneWords({ figures: surplus, surplusTo: 'cash' }, m)).toBe('Pay $40.00 back from the drawer.');
    expect(doneWords({ figures: surplus, surplusTo: 'failed', surplusProblem: 'card declined.' }, m)).toContain('The card refund of $40.00 failed (card declined)');
    expect(doneWords({ figures: figures() }, m)).toBe('The patron paid $50.00.');
  });

  it('lists the same event’s performances that can take the tickets, the tickets’ own included', () => {
    const events = [
      { title: 'Other', performances: [{ id: 'x1', startsAt: '2026-12-20T00:30:00Z', status: 'on_sale' }] },
      {
        title: 'Hamlet',
        performances: [
          { id: 'p3', startsAt: '2026-12-22T00:30:00Z', status: 'on_sale' },
          { id: 'p1', startsAt: '2026-12-10T00:30:00Z', status: 'on_sale' },
          { id: 'draft', startsAt: '2026-12-11T00:30:00Z', status: 'draft' },
          { id: 'past', startsAt: '2026-11-01T00:30:00Z', status: 'on_sale' },
          { id: 'p2', startsAt: '2026-12-12T00:30:00Z', status: 'sold_out' },
        ],
      },
    ];
    const choices = exchangeChoices(events, 'p1', 'America/New_York', new Date('2026-12-07T12:00:00Z'));
    expect(choices.map((c) => c.id)).toEqual(['p1', 'p2', 'p3']);
    expect(choices[0]!.current).toBe(true);
    expect(choices[0]!.label).toMatch(/^Hamlet — .+ \(these tickets\)$/);
    expect(exchangeChoices(events, 'nope', 'UTC')).toEqual([]);
  });
});

describe('refusals', () => {
  const err = (status: number, code: string, message: string, details: Record<string, unknown> = {}) => new ApiError(status, code, message, details);

  it('puts field errors at their field', () => {
    expect(exchangeProblem(err(422, 'invalid_field', 'payment: 50.00 is due', { field: 'payment' }), m, 5000)).toEqual({ message: '$50.00 is due: take cash or a card.', field: 'payment' });
    expect(exchangeProblem(err(422, 'invalid_field', 'tendered: short', { field: 'tendered' }), m, 5000)).toEqual({ message: 'The cash tendered is less than the $50.00 to pay.', field: 'tendered' });
    expect(exchangeProblem(err(422, 'invalid_field', 'performanceId: another event', { field: 'performanceId' }))).toMatchObject({ field: 'performanceId' });
    expect(exchangeProblem(err(422, 'invalid_field', 'quantity: hold as many places as tickets exchanged (2), not 1', { field: 'quantity' }))).toEqual({
      message: 'Hold as many places as tickets exchanged (2), not 1.',
      field: 'seats',
    });
    expect(exchangeProblem(err(422, 'invalid_field', 'fee: too much', { field: 'fee' }))).toMatchObject({ field: 'fee' });
  });

  it('reads the order again when it changed', () => {
    expect(exchangeProblem(err(409, 'exchange_changed', 'changed'))).toMatchObject({ reload: true });
    expect(exchangeProblem(err(409, 'not_exchangeable', 'A refunded order has no tickets to exchange'))).toEqual({
      message: 'A refunded order has no tickets to exchange. The order has been read again.',
      reload: true,
    });
    expect(exchangeProblem(err(422, 'unknown_tickets', 'unknown', { tickets: ['t1'] }))).toMatchObject({ field: 'tickets', reload: true });
  });

  it('says the seats are gone', () => {
    expect(exchangeProblem(err(409, 'seat_unavailable', 'taken', { seats: ['s1'] }))).toMatchObject({ field: 'seats' });
    expect(exchangeProblem(err(409, 'seat_unavailable', 'none', { reason: 'none_available' })).message).toContain('Not enough seats');
  });

  it('covers the rest', () => {
    expect(exchangeProblem(new Error('x')).message).toContain('nothing was exchanged');
    expect(exchangeProblem(err(0, 'network_error', 'x')).message).toContain('could not be reached');
    expect(exchangeProblem(err(403, 'forbidden', 'x')).message).toBe('Your role cannot exchange tickets.');
    expect(exchangeProblem(err(409, 'not_on_sale', 'x'))).toMatchObject({ field: 'performanceId' });
  });
});
