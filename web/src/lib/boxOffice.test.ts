import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import {
  buildQuoteBody,
  buildSellBody,
  changeDue,
  defaultReserveUntil,
  emptySaleForm,
  holdProblem,
  parseCash,
  patronLabel,
  salePriceOptions,
  salePriceTypes,
  saleProblem,
  saleTickets,
  secondsLeft,
  sellState,
  type SaleForm,
  type SellInputs,
  type StaffCartItem,
  type Totals,
} from './boxOffice';
import type { PriceView } from './catalog';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const PRICES: PriceView[] = [
  { zone: 'premium', zoneName: 'Premium', priceType: 'adult', price: usd(8500) },
  { zone: 'premium', zoneName: 'Premium', priceType: 'friends', price: usd(2000), hidden: true },
  { zone: 'premium', zoneName: 'Premium', priceType: 'student', price: usd(4250) },
  { zone: 'balcony', zoneName: 'Balcony', priceType: 'adult', price: usd(3500) },
];

function item(holdId: string, zone = 'premium', seatId: string | null = `s-${holdId}`): StaffCartItem {
  return { holdId, performanceId: 'p1', seatId, areaId: seatId ? null : 'lawn', zone, expiresAt: '2026-12-07T17:00:00.000Z' };
}

function totals(total: number): Totals {
  return { subtotal: total, discount: 0, fees: 0, tax: 0, taxIncluded: 0, total, currency: 'USD', lines: [] } as Totals;
}

function inputs(form: Partial<SaleForm>, rest: Partial<SellInputs> = {}): SellInputs {
  return {
    form: { ...emptySaleForm(), ...form },
    tickets: 2,
    priced: true,
    quote: totals(12_400),
    expired: false,
    mayComp: true,
    busy: false,
    ...rest,
  };
}

describe('cash and change', () => {
  it('reads cash as typed, in minor units of the currency', () => {
    expect(parseCash('150', 'USD')).toBe(15_000);
    expect(parseCash('150.5', 'USD')).toBe(15_050);
    expect(parseCash('$1,250.00', 'USD')).toBe(125_000);
    expect(parseCash(' 20. ', 'USD')).toBe(2000);
    expect(parseCash('.50', 'USD')).toBe(50);
    expect(parseCash('1000', 'JPY')).toBe(1000);
    expect(parseCash('10.5', 'JPY')).toBeNull();
    expect(parseCash('12.345', 'USD')).toBeNull();
    expect(parseCash('abc', 'USD')).toBeNull();
    expect(parseCash('', 'USD')).toBeNull();
    expect(parseCash('-5', 'USD')).toBeNull();
  });

  it('gives change only once the cash covers the total', () => {
    expect(changeDue(15_000, 12_400)).toBe(2600);
    expect(changeDue(12_400, 12_400)).toBe(0);
    expect(changeDue(12_000, 12_400)).toBeNull();
    expect(changeDue(null, 12_400)).toBeNull();
  });
});

describe('whether Sell may be pressed', () => {
  it('waits for tickets, their prices and the total', () => {
    expect(sellState(inputs({ tendered: '150' }, { tickets: 0 }))).toEqual({ ready: false, why: 'Hold seats first.', field: 'tickets' });
    expect(sellState(inputs({ tendered: '150' }, { priced: false }))).toMatchObject({ ready: false, why: 'The prices are still loading.' });
    expect(sellState(inputs({ tendered: '150' }, { quote: null }))).toMatchObject({ ready: false, why: 'Working out the total…' });
    expect(sellState(inputs({ tendered: '150' }, { quote: null, quoteError: 'The holds ran out.' }))).toMatchObject({ ready: false, why: 'The holds ran out.' });
    expect(sellState(inputs({ tendered: '150' }, { expired: true }))).toMatchObject({ ready: false, field: 'tickets' });
    expect(sellState(inputs({ tendered: '150' }, { busy: true }))).toMatchObject({ ready: false, why: 'Selling…' });
  });

  it('takes cash only when it covers the total, and says by how much it is short', () => {
    expect(sellState(inputs({ tendered: '' }))).toEqual({ ready: false, why: 'Enter the cash tendered (the total is $124.00).', field: 'tendered' });
    expect(sellState(inputs({ tendered: '100' }))).toEqual({ ready: false, why: 'The cash tendered is $24.00 short of the total.', field: 'tendered' });
    expect(sellState(inputs({ tendered: '1O0' }))).toMatchObject({ ready: false, field: 'tendered' });
    expect(sellState(inputs({ tendered: '124' }))).toEqual({ ready: true });
    expect(sellState(inputs({ tendered: '150' }))).toEqual({ ready: true });
  });

  it('needs no cash for a card, and a reason and the permission for a comp', () => {
    expect(sellState(inputs({ method: 'card' }))).toEqual({ ready: true });
    expect(sellState(inputs({ method: 'comp' }))).toEqual({ ready: false, why: 'Enter the reason for the complimentary tickets.', field: 'reason' });
    expect(sellState(inputs({ method: 'comp', reason: 'Press night' }))).toEqual({ ready: true });
    expect(sellState(inputs({ method: 'comp', reason: 'Press night' }, { mayComp: false }))).toMatchObject({ ready: false, field: 'payment' });
  });

  it('needs an email for email delivery, and a name with any contact', () => {
    expect(sellState(inputs({ method: 'card', delivery: 'email' }))).toEqual({ ready: false, why: 'Email delivery needs the patron’s email.', field: 'email' });
    expect(sellState(inputs({ method: 'card', email: 'not-an-email' }))).toMatchObject({ ready: false, field: 'email' });
    expect(sellState(inputs({ method: 'card', delivery: 'email', email: 'ann@example.org' }))).toMatchObject({ ready: false, field: 'name' });
    expect(sellState(inputs({ method: 'card', delivery: 'email', email: 'ann@example.org', name: 'Ann' }))).toEqual({ ready: true });
    expect(sellState(inputs({ method: 'card', delivery: 'will_call', name: 'Ann' }))).toEqual({ ready: true });
  });
});

describe('request bodies', () => {
  const items = [item('h1'), item('h2', 'balcony')];

  it('lists a price type for every ticket, or nothing while one is missing', () => {
    expect(saleTickets(items, { h1: 'adult', h2: 'adult' })).toEqual([
      { holdId: 'h1', priceType: 'adult' },
      { holdId: 'h2', priceType: 'adult' },
    ]);
    expect(saleTickets(items, { h1: 'adult' })).toBeNull();
  });

  it('quotes comps as comps', () => {
    const tickets = [{ holdId: 'h1', priceType: 'adult' }];
    expect(buildQuoteBody(tickets, 'cash')).toEqual({ tickets });
    expect(buildQuoteBody(tickets, 'card')).toEqual({ tickets });
    expect(buildQuoteBody(tickets, 'comp')).toEqual({ tickets, comp: true });
  });

  it('sells a walk-up for cash in minor units, with no patron', () => {
    const tickets = [{ holdId: 'h1', priceType: 'adult' }];
    expect(buildSellBody({ ...emptySaleForm(), tendered: '150.00' }, tickets, 'USD')).toEqual({
      tickets,
      payment: { method: 'cash', tendered: 15_000 },
      delivery: 'print',
    });
    expect(patronLabel(emptySaleForm())).toBe('Walk-up');
  });

  it('names the patron with only the contact details given, and sends a comp’s reason', () => {
    const tickets = [{ holdId: 'h1', priceType: 'friends' }];
    const form: SaleForm = { ...emptySaleForm(), method: 'comp', reason: ' Press night ', name: ' Ann Lee ', email: 'ann@example.org', delivery: 'email' };
    expect(buildSellBody(form, tickets, 'USD')).toEqual({
      tickets,
      payment: { method: 'comp', reason: 'Press night' },
      delivery: 'email',
      patron: { name: 'Ann Lee', email: 'ann@example.org' },
    });
    expect(buildSellBody({ ...emptySaleForm(), method: 'card', name: 'Bo', phone: '555 0100', delivery: 'will_call' }, tickets, 'USD')).toEqual({
      tickets,
      payment: { method: 'card' },
      delivery: 'will_call',
      patron: { name: 'Bo', phone: '555 0100' },
    });
    expect(patronLabel(form)).toBe('Ann Lee');
  });
});

describe('prices at the window', () => {
  it('offers a zone’s public prices first, then its hidden ones, marked', () => {
    expect(salePriceOptions(PRICES, 'premium').map((o) => o.label)).toEqual(['Adult — $85.00', 'Student — $42.50', 'Friends (hidden) — $20.00']);
    expect(salePriceOptions(PRICES, 'lawn')).toEqual([]);
  });

  it('keeps a chosen price type while the zone offers it, else takes the first', () => {
    const items = [item('h1'), item('h2', 'balcony'), item('h3')];
    const pricesOf = (id: string) => (id === 'p1' ? PRICES : undefined);
    expect(salePriceTypes(items, pricesOf, { h1: 'friends', h2: 'student' })).toEqual({ h1: 'friends', h2: 'adult', h3: 'adult' });
    expect(salePriceTypes([{ ...item('h4'), performanceId: 'p2' }], pricesOf, {})).toEqual({});
  });
});

describe('refusals in words', () => {
  const seatName = (id: string) => ({ 's-a12': 'A12', 's-a13': 'A13' })[id];

  it('names the seats just taken', () => {
    const taken = new ApiError(409, 'seat_unavailable', 'seats unavailable', { seats: ['s-a12'] });
    expect(holdProblem(taken, { seatName })).toEqual({ message: 'Seat A12 was just taken.', taken: ['s-a12'] });
    const two = new ApiError(409, 'seat_unavailable', 'seats unavailable', { seats: ['s-a12', 's-a13'] });
    expect(holdProblem(two, { seatName }).message).toBe('Seats A12 and A13 were just taken.');
    const none = new ApiError(409, 'seat_unavailable', 'none', { reason: 'none_available' });
    expect(holdProblem(none, { quantity: 4, zoneName: 'Premium' }).message).toBe('No 4 seats together are free in Premium. Try fewer seats or another zone.');
  });

  it('says when a performance is not on sale, a limit is reached or the cart is gone', () => {
    expect(holdProblem(new ApiError(409, 'not_on_sale', 'x')).message).toMatch(/not on sale/);
    expect(holdProblem(new ApiError(422, 'limit_exceeded', 'At most 100 tickets per order')).message).toBe('At most 100 tickets per order.');
    expect(holdProblem(new ApiError(404, 'cart_not_found', 'x'))).toMatchObject({ newCart: true });
    expect(holdProblem(new Error('boom')).message).toBe('Something went wrong; please try again.');
  });

  it('puts a sale’s refusal next to its field', () => {
    const money = (n: number) => `$${(n / 100).toFixed(2)}`;
    const short = new ApiError(422, 'invalid_field', 'tendered: less than the total', { field: 'tendered' });
    expect(saleProblem(short, 'cash', money, 12_400)).toEqual({ message: 'The cash tendered is less than the total ($124.00).', field: 'tendered' });
    const reason = new ApiError(422, 'invalid_field', 'reason: give a reason', { field: 'reason' });
    expect(saleProblem(reason, 'comp')).toEqual({ message: 'Enter the reason for the complimentary tickets.', field: 'reason' });
    const delivery = new ApiError(422, 'invalid_field', 'delivery: email delivery needs an email', { field: 'delivery' });
    expect(saleProblem(delivery, 'cash')).toEqual({ message: 'Email delivery needs the patron’s email.', field: 'email' });
    const mail = new ApiError(422, 'invalid_field', 'delivery: posting tickets from the window is not available yet', { field: 'delivery' });
    expect(saleProblem(mail, 'cash')).toEqual({ message: 'Posting tickets from the window is not available yet.', field: 'delivery' });
    const email = new ApiError(422, 'invalid_field', 'email: not an email address', { field: 'email' });
    expect(saleProblem(email, 'cash')).toEqual({ message: 'Not an email address.', field: 'email' });
  });

  it('explains a forbidden comp, expired holds and taken seats, and reads the cart again', () => {
    expect(saleProblem(new ApiError(403, 'forbidden', 'x'), 'comp')).toMatchObject({ field: 'payment', message: expect.stringMatching(/cannot give complimentary/) });
    expect(saleProblem(new ApiError(403, 'forbidden', 'x'), 'cash').message).toBe('Your role cannot sell tickets.');
    expect(saleProblem(new ApiError(410, 'holds_expired', 'x'), 'cash')).toMatchObject({ refreshCart: true });
    expect(saleProblem(new ApiError(409, 'seats_taken', 'x'), 'card')).toMatchObject({ refreshCart: true });
    expect(saleProblem(new ApiError(422, 'invalid_price_type', 'x'), 'cash')).toMatchObject({ refreshPrices: true, field: 'tickets' });
    expect(saleProblem(new ApiError(0, 'network_error', 'x'), 'cash').message).toMatch(/nothing was sold/);
  });
});

it('counts the holds down to zero', () => {
  const now = Date.parse('2026-12-07T17:00:00.000Z');
  expect(secondsLeft('2026-12-07T17:30:00.000Z', now)).toBe(1800);
  expect(secondsLeft('2026-12-07T16:59:00.000Z', now)).toBe(0);
  expect(secondsLeft(null, now)).toBeNull();
});

describe('reservations and phone orders', () => {
  const tickets = [{ holdId: 'h1', priceType: 'adult' }];

  it('needs a deadline, the patron’s name and an email or phone to reserve', () => {
    expect(sellState(inputs({ method: 'reserve', until: '' }))).toMatchObject({ ready: false, field: 'until' });
    expect(sellState(inputs({ method: 'reserve', until: '2026-12-09T18:00' }))).toMatchObject({ ready: false, field: 'name' });
    expect(sellState(inputs({ method: 'reserve', until: '2026-12-09T18:00', name: 'Rosa' }))).toMatchObject({ ready: false, field: 'phone' });
    expect(sellState(inputs({ method: 'reserve', until: '2026-12-09T18:00', name: 'Rosa', phone: '555 0100' }))).toEqual({ ready: true });
  });

  it('sends a reservation’s deadline as an instant and a keyed-in card as MOTO', () => {
    const form = { ...emptySaleForm(), method: 'reserve' as const, until: '2026-12-09T18:00', name: 'Rosa', phone: '555 0100', delivery: 'will_call' as const };
    const body = buildSellBody(form, tickets, 'USD');
    expect(body.payment).toEqual({ method: 'reserve', until: new Date('2026-12-09T18:00').toISOString() });
    expect(body.patron).toEqual({ name: 'Rosa', phone: '555 0100' });
    const moto = buildSellBody({ ...emptySaleForm(), method: 'card', moto: true }, tickets, 'USD');
    expect(moto.payment).toEqual({ method: 'card', phone: 'moto' });
    expect(buildSellBody({ ...emptySaleForm(), method: 'card' }, tickets, 'USD').payment).toEqual({ method: 'card' });
  });

  it('starts the deadline at the venue’s maximum, never after the show', () => {
    const now = new Date(2026, 11, 7, 19, 5, 30);
    expect(defaultReserveUntil(now, 72)).toBe('2026-12-10T19:05');
    const show = new Date(2026, 11, 8, 20, 0).toISOString();
    expect(defaultReserveUntil(now, 72, show)).toBe('2026-12-08T20:00');
  });

  it('explains a refused MOTO sale next to the payment', () => {
    const e = new ApiError(422, 'moto_not_enabled', 'MOTO is not enabled', {});
    expect(saleProblem(e, 'card')).toMatchObject({ field: 'payment' });
  });
});
