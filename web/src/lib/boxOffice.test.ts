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
  cashCheck,
  paymentLinkWords,
  pickedUpWords,
  replaceWillCallOrder,
  willCallGroup,
  willCallGroups,
  willCallLine,
  willCallProblem,
  postedToLines,
  saleAddressErrors,
  windowMail,
  windowMailClosed,
  type SaleForm,
  type WillCallOrder,
  type SellInputs,
  type StaffCartItem,
  type Totals,
} from './boxOffice';
import type { PriceView } from './catalog';
import type { AddressForm } from './postal';
import { FORMATS } from '../test/postal';

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
    expect(buildSellBody({ ...emptySaleForm(), tendered: '150.00' }, tickets, 'USD', 'UTC')).toEqual({
      tickets,
      payment: { method: 'cash', tendered: 15_000 },
      delivery: 'print',
    });
    expect(patronLabel(emptySaleForm())).toBe('Walk-up');
  });

  it('names the patron with only the contact details given, and sends a comp’s reason', () => {
    const tickets = [{ holdId: 'h1', priceType: 'friends' }];
    const form: SaleForm = { ...emptySaleForm(), method: 'comp', reason: ' Press night ', name: ' Ann Lee ', email: 'ann@example.org', delivery: 'email' };
    expect(buildSellBody(form, tickets, 'USD', 'UTC')).toEqual({
      tickets,
      payment: { method: 'comp', reason: 'Press night' },
      delivery: 'email',
      patron: { name: 'Ann Lee', email: 'ann@example.org' },
    });
    expect(buildSellBody({ ...emptySaleForm(), method: 'card', name: 'Bo', phone: '555 0100', delivery: 'will_call' }, tickets, 'USD', 'UTC')).toEqual({
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

  it('sends a reservation’s deadline as an instant read in the venue’s zone', () => {
    const form = { ...emptySaleForm(), method: 'reserve' as const, until: '2026-12-09T18:00', name: 'Rosa', phone: '555 0100', delivery: 'will_call' as const };
    const body = buildSellBody(form, tickets, 'USD', 'America/New_York');
    expect(body.payment).toEqual({ method: 'reserve', until: '2026-12-09T23:00:00Z' });
    expect(body.patron).toEqual({ name: 'Rosa', phone: '555 0100' });
  });

  it('sends a card at the window as a card, and a phone order as a payment link or MOTO', () => {
    expect(buildSellBody({ ...emptySaleForm(), method: 'card' }, tickets, 'USD', 'UTC').payment).toEqual({ method: 'card' });
    const phone = { ...emptySaleForm(), method: 'phone' as const, name: 'Rosa', email: 'rosa@example.org' };
    expect(buildSellBody(phone, tickets, 'USD', 'UTC').payment).toEqual({ method: 'card', phone: 'link' });
    expect(buildSellBody({ ...phone, phoneCard: 'moto' }, tickets, 'USD', 'UTC').payment).toEqual({ method: 'card', phone: 'moto' });
    // The quote of a phone order is a card's.
    expect(buildQuoteBody(tickets, 'phone')).toEqual({ tickets });
  });

  it('offers a payment link by default, and needs the patron’s name and email for it', () => {
    expect(emptySaleForm().phoneCard).toBe('link');
    expect(sellState(inputs({ method: 'phone' }))).toMatchObject({ ready: false, field: 'name' });
    expect(sellState(inputs({ method: 'phone', name: 'Rosa', phone: '555 0100' }))).toEqual({
      ready: false,
      why: 'The payment link is emailed: enter the patron’s email.',
      field: 'email',
    });
    expect(sellState(inputs({ method: 'phone', name: 'Rosa', email: 'rosa@example.org' }))).toEqual({ ready: true });
  });

  it('keys in a phone order’s card only where the venue enabled MOTO', () => {
    const moto = { method: 'phone' as const, phoneCard: 'moto' as const, name: 'Rosa', phone: '555 0100' };
    expect(sellState(inputs(moto))).toMatchObject({ ready: false, field: 'payment' });
    expect(sellState(inputs(moto, { motoEnabled: false }))).toMatchObject({ ready: false, field: 'payment' });
    expect(sellState(inputs(moto, { motoEnabled: true }))).toEqual({ ready: true });
  });

  it('starts the deadline at the venue’s maximum, never after the show, in the venue’s time', () => {
    const now = new Date('2026-12-08T00:05:30Z'); // 19:05 in New York
    expect(defaultReserveUntil(now, 72, 'America/New_York')).toBe('2026-12-10T19:05');
    expect(defaultReserveUntil(now, 72, 'Europe/London')).toBe('2026-12-11T00:05');
    expect(defaultReserveUntil(now, 72, 'America/New_York', '2026-12-09T01:00:00Z')).toBe('2026-12-08T20:00');
  });

  it('says where a payment link went and until when the seats are held', () => {
    expect(paymentLinkWords({ sentTo: 'rosa@example.org', until: '2026-12-09T00:00:00Z' }, 'America/New_York')).toMatch(
      /^Payment link sent to rosa@example\.org; the seats are held until Dec 8, 2026, 7:00\sPM\.$/,
    );
  });

  it('puts a refused payment link next to the payment', () => {
    const e = new ApiError(422, 'invalid_field', 'payment: payment links are not available yet: key the card in (MOTO) or reserve the seats', { field: 'payment' });
    expect(saleProblem(e, 'phone')).toEqual({
      message: 'Payment links are not available yet: key the card in (MOTO) or reserve the seats.',
      field: 'payment',
    });
  });

  it('explains a refused MOTO sale next to the payment', () => {
    const e = new ApiError(422, 'moto_not_enabled', 'MOTO is not enabled', {});
    expect(saleProblem(e, 'phone')).toMatchObject({ field: 'payment', message: expect.stringContaining('send a payment link') });
  });
});

describe('will call', () => {
  const order = (over: Partial<WillCallOrder>): WillCallOrder => ({
    orderId: 'o1',
    number: 'AB12-CD34',
    name: 'Rosa Diaz',
    email: 'rosa@example.org',
    tickets: 2,
    toPay: false,
    total: { amount: 12_400, currency: 'USD' },
    pickedUp: null,
    ...over,
  });
  const pickedUp = { at: '2026-12-08T00:42:00Z', by: 'ana@example.org' };

  it('puts reservations to pay, orders to collect and collected ones apart, in the server’s order', () => {
    const list = [
      order({ orderId: 'r1', toPay: true, reservedUntil: '2026-12-09T00:00:00Z' }),
      order({ orderId: 'w1', name: 'Ann' }),
      order({ orderId: 'w2', name: 'Bob' }),
      order({ orderId: 'c1', pickedUp }),
    ];
    const groups = willCallGroups(list);
    expect(groups.to_pay.map((o) => o.orderId)).toEqual(['r1']);
    expect(groups.to_collect.map((o) => o.orderId)).toEqual(['w1', 'w2']);
    expect(groups.collected.map((o) => o.orderId)).toEqual(['c1']);
    expect(willCallGroup(order({ toPay: true, pickedUp }))).toBe('to_pay');
  });

  it('replaces the order a pick-up answers, leaving the rest', () => {
    const list = [order({ orderId: 'a' }), order({ orderId: 'b' })];
    const next = replaceWillCallOrder(list, order({ orderId: 'b', pickedUp }));
    expect(next.map((o) => !!o.pickedUp)).toEqual([false, true]);
    expect(list[1]!.pickedUp).toBeNull();
  });

  it('says who handed the tickets over and when, in the venue’s time', () => {
    expect(pickedUpWords(pickedUp, 'America/New_York')).toMatch(/^Picked up Dec 7, 2026, 7:42\sPM by ana@example\.org$/);
  });

  it('describes a row: tickets, what is due, and a reservation’s deadline', () => {
    expect(willCallLine(order({}), 'UTC')).toBe('2 tickets · $124.00');
    expect(willCallLine(order({ tickets: 1, toPay: true, reservedUntil: '2026-12-09T18:00:00Z' }), 'UTC')).toMatch(
      /^1 ticket · \$124\.00 · reserved until Dec 9, 2026, 6:00\sPM$/,
    );
  });

  it('takes a reservation’s cash only when it covers what is due, with the change', () => {
    expect(cashCheck('', 12_400, 'USD')).toEqual({ ready: false, why: 'Enter the cash tendered ($124.00 is due).' });
    expect(cashCheck('1OO', 12_400, 'USD')).toMatchObject({ ready: false, why: expect.stringContaining('not an amount') });
    expect(cashCheck('100', 12_400, 'USD')).toEqual({ ready: false, why: 'The cash tendered is $24.00 short of $124.00.' });
    expect(cashCheck('150', 12_400, 'USD')).toEqual({ ready: true, tendered: 15_000, change: 2600 });
    expect(cashCheck('124', 12_400, 'USD')).toEqual({ ready: true, tendered: 12_400, change: 0 });
  });

  it('explains a second pick-up with who and when, and other refusals in words', () => {
    const again = new ApiError(409, 'already_picked_up', 'These tickets were handed over already, by ana@example.org at 2026-12-08T00:42:00Z', { pickedUp });
    const problem = willCallProblem(again, 'America/New_York');
    expect(problem.pickedUp).toEqual(pickedUp);
    expect(problem.message).toMatch(/^Already handed over: picked up Dec 7, 2026, 7:42\sPM by ana@example\.org\.$/);
    const short = new ApiError(422, 'invalid_field', 'tendered: less than the total of $124.00', { field: 'tendered' });
    expect(willCallProblem(short, 'UTC')).toEqual({ message: 'The cash tendered is less than the total of $124.00.', field: 'tendered' });
    expect(willCallProblem(new ApiError(409, 'reservation_expired', 'gone', {}), 'UTC')).toMatchObject({ reload: true, message: expect.stringContaining('deadline has passed') });
    expect(willCallProblem(new ApiError(409, 'not_will_call', 'no', {}), 'UTC').message).toContain('not kept for collection');
    expect(willCallProblem(new ApiError(0, 'network', 'offline', {}), 'UTC').message).toContain('could not be reached');
    expect(willCallProblem(new Error('boom'), 'UTC').message).toBe('Something went wrong; please try again.');
  });
});

describe('tickets by post', () => {
  // As the admin venue gives them: posted by the box office for $4.50 to the US and the UK.
  type Venue = Parameters<typeof windowMail>[0];
  const postsTo = { enabled: true, fee: 450, cutoffDays: 7, countries: ['US', 'GB'], fulfilment: 'in_house' as const };
  const venueWith = (changes: Partial<typeof postsTo> = {}): Venue => ({ postalCountries: FORMATS, settings: { mail: { ...postsTo, ...changes } } }) as unknown as Venue;
  const venue = venueWith();
  const mail = windowMail(venue)!;
  const address: AddressForm = { name: 'Ada Lovelace', line1: '1 Theatre Row', line2: '', city: 'New York', region: 'NY', postalCode: '10036', country: 'US' };
  const posted = (changes: Partial<AddressForm> = {}): Partial<SaleForm> => ({ delivery: 'mail', tendered: '150', address: { ...address, ...changes } });

  it('offers Post only where the venue posts, to its countries by name', () => {
    expect(mail).toMatchObject({ fee: 450, cutoffDays: 7, fulfilment: 'in_house' });
    expect(mail.countries.map((c) => c.code)).toEqual(['GB', 'US']);
    expect(windowMail(venueWith({ enabled: false }))).toBeNull();
    expect(windowMail(venueWith({ countries: [] }))).toBeNull();
  });

  it('quotes posted tickets with the postage, and a posted comp as a comp (the server makes it free)', () => {
    const tickets = [{ holdId: 'h1', priceType: 'adult' }];
    expect(buildQuoteBody(tickets, 'cash', 'mail')).toEqual({ tickets, delivery: 'mail' });
    expect(buildQuoteBody(tickets, 'comp', 'mail')).toEqual({ tickets, comp: true, delivery: 'mail' });
    expect(buildQuoteBody(tickets, 'cash', 'print')).toEqual({ tickets });
  });

  it('sends the address with a posted sale only, trimmed', () => {
    const tickets = [{ holdId: 'h1', priceType: 'adult' }];
    const form: SaleForm = { ...emptySaleForm('US'), ...posted({ line1: ' 1 Theatre Row ' }), name: 'Ada Lovelace' };
    expect(buildSellBody(form, tickets, 'USD', 'UTC')).toEqual({
      tickets,
      payment: { method: 'cash', tendered: 15_000 },
      delivery: 'mail',
      patron: { name: 'Ada Lovelace' },
      address: { name: 'Ada Lovelace', line1: '1 Theatre Row', city: 'New York', region: 'NY', postalCode: '10036', country: 'US' },
    });
    expect(buildSellBody({ ...form, delivery: 'print' }, tickets, 'USD', 'UTC')).not.toHaveProperty('address');
    expect(emptySaleForm('US').address.country).toBe('US');
  });

  it('checks the address by its country before Sell, at the first field at fault', () => {
    expect(sellState(inputs(posted(), { mail }))).toEqual({ ready: true });
    expect(sellState(inputs(posted({ postalCode: '1003' }), { mail }))).toEqual({ ready: false, why: 'Enter a valid ZIP code, like 95014.', field: 'address.postalCode' });
    expect(sellState(inputs(posted({ line1: '', postalCode: '1003' }), { mail }))).toMatchObject({ ready: false, field: 'address.line1' });
    expect(saleAddressErrors({ delivery: 'mail', address: { ...address, line1: '', postalCode: '1003' } }, mail)).toEqual({
      'address.line1': 'Enter the street address.',
      'address.postalCode': 'Enter a valid ZIP code, like 95014.',
    });
    expect(saleAddressErrors({ delivery: 'print', address: { ...address, postalCode: '' } }, mail)).toEqual({});
    // The cash is asked for first, as the form reads.
    expect(sellState(inputs({ ...posted({ postalCode: '' }), tendered: '' }, { mail }))).toMatchObject({ field: 'tendered' });
  });

  it('refuses Post where the venue does not post or posting has closed', () => {
    expect(sellState(inputs(posted(), { mail: null }))).toMatchObject({ ready: false, field: 'delivery' });
    expect(sellState(inputs(posted(), { mail, mailClosed: true }))).toEqual({
      ready: false,
      why: 'It is too late to post tickets for this performance: choose another delivery.',
      field: 'delivery',
    });
    const show = '2026-12-20T00:30:00Z';
    expect(windowMailClosed(mail, [show], Date.parse('2026-12-12T00:00:00Z'))).toBe(false);
    expect(windowMailClosed(mail, [show], Date.parse('2026-12-13T00:30:00Z'))).toBe(true);
    expect(windowMailClosed(mail, [], Date.parse('2026-12-13T00:30:00Z'))).toBe(false);
  });

  it('puts the server’s refusals of a posted sale at their field', () => {
    const zip = new ApiError(422, 'invalid_field', 'address.postalCode: not a ZIP code of United States', { field: 'address.postalCode' });
    expect(saleProblem(zip, 'cash')).toEqual({ message: 'Not a ZIP code of United States.', field: 'address.postalCode' });
    const none = new ApiError(422, 'invalid_field', 'address: enter the postal address', { field: 'address' });
    expect(saleProblem(none, 'cash')).toEqual({ message: 'Enter the address to post the tickets to.', field: 'address.line1' });
    const closed = new ApiError(422, 'mail_closed', 'Tickets are posted until 7 days before the performance; choose another delivery');
    expect(saleProblem(closed, 'cash')).toEqual({
      message: 'It is too late to post these tickets (tickets are posted until 7 days before the performance): choose another delivery. Nothing was sold.',
      field: 'delivery',
    });
    const off = new ApiError(422, 'mail_not_offered', 'This venue does not post tickets; choose another delivery');
    expect(saleProblem(off, 'cash')).toMatchObject({ field: 'delivery', mailNotOffered: true });
  });

  it('reads the address back as the envelope will, in the country’s capitals', () => {
    expect(postedToLines({ ...address, city: 'New York', postalCode: ' 10036 ' }, mail.countries)).toEqual([
      'Ada Lovelace',
      '1 Theatre Row',
      'NEW YORK NY 10036',
      'UNITED STATES',
    ]);
    const gb = postedToLines({ name: 'Ann Lee', line1: '2 Strand', line2: '', city: 'London', region: '', postalCode: 'wc2n 5du', country: 'GB' }, mail.countries);
    expect(gb).toEqual(['Ann Lee', '2 Strand', 'LONDON', 'WC2N 5DU', 'UNITED KINGDOM']);
  });
});
