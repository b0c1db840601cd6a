import { describe, expect, it } from 'vitest';
import { PRICES } from '../test/seatmaps';
import { ApiError } from './api';
import type { CartItem } from './carts';
import {
  buildCheckoutBody,
  checkoutFieldId,
  checkoutProblem,
  choosePriceTypes,
  contactErrors,
  describePlace,
  groupTickets,
  hasTickets,
  loadPendingCheckout,
  orderStatusLabel,
  pendingCheckout,
  priceOptionLabel,
  priceOptions,
  priceTypeLabel,
  rememberedOrderToken,
  rememberOrderToken,
  savePendingCheckout,
  ticketsPdfUrl,
  unlockedFor,
  type CheckoutResult,
  type OrderTicket,
  paymentLinkState,
} from './checkout';

function seat(holdId: string, label: string, zone = 'premium', performanceId = 'perf-1'): CartItem {
  return {
    holdId,
    performanceId,
    seat: { id: `orchestra-C-${label}`, section: 'orchestra', sectionName: 'Orchestra', row: 'C', label, accessible: false },
    area: null,
    zone,
    expiresAt: '2099-01-01T00:00:00Z',
  };
}

const TOTALS = {
  lines: [
    { zone: 'premium', priceType: 'adult', price: 8500, fees: 200 },
    { zone: 'premium', priceType: 'student', price: 4250, fees: 200 },
  ],
  subtotal: 12750,
  fees: 400,
  tax: 0,
  taxIncluded: 0,
  total: 13150,
  currency: 'USD',
};

describe('price types', () => {
  it("offers the zone's price types in the venue's order, labelled with their price", () => {
    const options = priceOptions(PRICES, 'premium');
    expect(options.map((p) => p.priceType)).toEqual(['adult', 'student']);
    expect(options.map(priceOptionLabel)).toEqual(['Adult — $85.00', 'Student — $42.50']);
    expect(priceOptions(PRICES, 'balcony')).toEqual([]);
  });

  it('defaults every ticket to its zone’s first price type and keeps what the patron picked', () => {
    const items = [seat('h1', '12'), seat('h2', '13'), seat('h3', '1', 'standard'), seat('h4', '2', 'premium', 'perf-2')];
    const pricesOf = (id: string) => (id === 'perf-1' ? PRICES : undefined);
    expect(choosePriceTypes(items, pricesOf, {})).toEqual({ h1: 'adult', h2: 'adult', h3: 'adult' });
    expect(choosePriceTypes(items, pricesOf, { h2: 'student' })).toEqual({ h1: 'adult', h2: 'student', h3: 'adult' });
    // A type the zone does not offer (any more) falls back to the first.
    expect(choosePriceTypes(items, pricesOf, { h3: 'student' })['h3']).toBe('adult');
  });

  it('offers the hidden prices the promo code unlocks for the ticket’s performance and zone, after everyone’s', () => {
    const unlocks = [
      { performanceId: 'perf-1', zone: 'premium', priceType: 'friends', amount: 2000 },
      { performanceId: 'perf-1', zone: 'lawn', priceType: 'friends', amount: 1000 },
      { performanceId: 'perf-2', zone: 'premium', priceType: 'cast', amount: 500 },
    ];
    const mine = unlockedFor(unlocks, 'perf-1');
    expect(mine.map((u) => u.zone)).toEqual(['premium', 'lawn']);
    expect(unlockedFor(null, 'perf-1')).toEqual([]);
    const options = priceOptions(PRICES, 'premium', mine, 'USD');
    expect(options.map(priceOptionLabel)).toEqual(['Adult — $85.00', 'Student — $42.50', 'Friends — $20.00']);
    expect(options[2]).toEqual({ zone: 'premium', zoneName: 'Premium', priceType: 'friends', price: { amount: 2000, currency: 'USD' }, hidden: true });
    expect(priceOptions(PRICES, 'standard', mine).map((p) => p.priceType)).toEqual(['adult']);
    // A zone with only a hidden price offers it with the code, and nothing without.
    expect(priceOptions(PRICES, 'balcony', [{ performanceId: 'perf-1', zone: 'balcony', priceType: 'friends', amount: 900 }], 'USD').map(priceOptionLabel)).toEqual(['Friends — $9.00']);
    // A staff view's hidden rows are never offered by themselves.
    const withHidden = [...PRICES, { zone: 'premium', zoneName: 'Premium', priceType: 'friends', price: { amount: 2000, currency: 'USD' }, hidden: true }];
    expect(priceOptions(withHidden, 'premium').map((p) => p.priceType)).toEqual(['adult', 'student']);
  });

  it('keeps a ticket on an unlocked price while the code is on the cart, and falls back to the first public price without it', () => {
    const items = [seat('h1', '12'), seat('h2', '13'), seat('h3', '1', 'standard'), seat('h4', '2', 'premium', 'perf-2')];
    const pricesOf = () => PRICES;
    const unlocks = [
      { performanceId: 'perf-1', zone: 'premium', priceType: 'friends', amount: 2000 },
      { performanceId: 'perf-2', zone: 'premium', priceType: 'cast', amount: 500 },
    ];
    const picked = { h1: 'friends', h2: 'student', h3: 'friends', h4: 'friends' };
    // h3 (standard) and h4 (another performance) are not offered friends.
    expect(choosePriceTypes(items, pricesOf, picked, unlocks)).toEqual({ h1: 'friends', h2: 'student', h3: 'adult', h4: 'adult' });
    expect(choosePriceTypes(items, pricesOf, { h4: 'cast' }, unlocks)['h4']).toBe('cast');
    // The code removed: back to the zone's first public price; other choices stay.
    expect(choosePriceTypes(items, pricesOf, picked, [])).toEqual({ h1: 'adult', h2: 'student', h3: 'adult', h4: 'adult' });
  });

  it('turns price type names into words', () => {
    expect(priceTypeLabel('adult')).toBe('Adult');
    expect(priceTypeLabel('senior_citizen')).toBe('Senior citizen');
    expect(priceTypeLabel('under-12')).toBe('Under 12');
  });
});

describe('the checkout request', () => {
  it('has one ticket per hold in cart order, and trimmed contact details', () => {
    const body = buildCheckoutBody(
      { name: '  Ada Lovelace ', email: ' ada@example.org ', delivery: 'mail' },
      [seat('h1', '12'), seat('h2', '13')],
      { h1: 'adult', h2: 'student' },
    );
    expect(body).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.org',
      delivery: 'mail',
      tickets: [
        { holdId: 'h1', priceType: 'adult' },
        { holdId: 'h2', priceType: 'student' },
      ],
    });
    // No amounts: the server prices the order.
    expect(JSON.stringify(body)).not.toMatch(/price"|amount|total/);
  });

  it('sends the address with tickets by post, and only then', () => {
    const address = { name: ' Ada Lovelace ', line1: '1 Infinite Loop', line2: '', city: 'Cupertino', region: 'CA', postalCode: '95014 ', country: 'US' };
    const mailed = buildCheckoutBody({ name: 'Ada', email: 'ada@example.org', delivery: 'mail', address }, [seat('h1', '12')], { h1: 'adult' });
    expect(mailed.address).toEqual({ name: 'Ada Lovelace', line1: '1 Infinite Loop', city: 'Cupertino', region: 'CA', postalCode: '95014', country: 'US' });
    const emailed = buildCheckoutBody({ name: 'Ada', email: 'ada@example.org', delivery: 'email', address }, [seat('h1', '12')], { h1: 'adult' });
    expect(emailed).not.toHaveProperty('address');
  });

  it('refuses to build a request with a ticket that has no price type', () => {
    expect(() => buildCheckoutBody({ name: 'A', email: 'a@b.c', delivery: 'email' }, [seat('h1', '12')], {})).toThrow(/h1/);
  });

  it('checks the contact details the form can check', () => {
    expect(contactErrors({ name: ' ', email: '', delivery: 'email' })).toEqual({
      name: 'Enter your name.',
      email: 'Enter your email address: your tickets are sent there.',
    });
    expect(contactErrors({ name: 'Ada', email: 'not an email', delivery: 'email' })).toEqual({
      email: 'Enter a valid email address, like name@example.com.',
    });
    expect(contactErrors({ name: 'Ada', email: 'ada@example.org', delivery: 'email' })).toEqual({});
  });
});

describe('checkout refusals', () => {
  const names: Record<string, string> = { h1: 'Orchestra, row C, seat 12', h2: 'Orchestra, row C, seat 13' };
  const holdName = (id: string) => names[id];
  const problem = (status: number, code: string, details: Record<string, unknown> = {}, message = 'server text') =>
    checkoutProblem(new ApiError(status, code, message, details), holdName);

  it('puts field errors next to the field', () => {
    expect(problem(422, 'invalid_field', { field: 'email' })).toEqual({ field: 'email', message: 'Enter a valid email address, like name@example.com.' });
    expect(problem(422, 'invalid_field', { field: 'name' })).toEqual({ field: 'name', message: 'Enter your name (up to 120 characters).' });
    expect(problem(422, 'invalid_field', { field: 'tickets' }, 'tickets: hold listed twice')).toEqual({ message: 'tickets: hold listed twice' });
  });

  it("puts a refused address field next to that field, in the server's words", () => {
    expect(problem(422, 'invalid_field', { field: 'address.postalCode' }, "address.postalCode: '9501' is not a zip code of United States (like 95014)")).toEqual({
      field: 'address.postalCode',
      message: "'9501' is not a zip code of United States (like 95014).",
    });
    expect(problem(422, 'invalid_field', { field: 'address' }, 'address: required for delivery by mail')).toEqual({
      field: 'address.line1',
      message: 'Enter the address to post the tickets to.',
    });
    expect(checkoutFieldId('address.postalCode')).toBe('address-postalCode');
    expect(checkoutFieldId('email')).toBe('checkout-email');
    expect(checkoutFieldId('delivery')).toBe('delivery-mail');
  });

  it('says clearly when posting has closed or the venue no longer posts tickets', () => {
    expect(problem(422, 'mail_closed', {}, 'Tickets are posted until 7 days before the performance; choose another delivery')).toEqual({
      field: 'delivery',
      message: 'It is too late to post these tickets. Tickets are posted only until 7 days before the performance. Choose e-tickets instead; nothing was charged.',
    });
    expect(problem(422, 'mail_not_offered')).toEqual({
      field: 'delivery',
      message: 'This venue no longer posts tickets. Choose e-tickets instead; nothing was charged.',
      mailNotOffered: true,
    });
  });

  it('explains a cart that is not open by its status', () => {
    expect(problem(409, 'cart_not_open', { status: 'checkout' })).toMatchObject({ message: expect.stringContaining('already at the payment step'), refreshCart: true });
    expect(problem(409, 'cart_not_open', { status: 'completed' })).toMatchObject({ message: expect.stringContaining('bought already'), cartCompleted: true });
    expect(problem(409, 'cart_not_open', { status: 'expired' })).toMatchObject({ message: expect.stringContaining('expired'), refreshCart: true });
  });

  it('names the holds that ran out', () => {
    expect(problem(409, 'hold_expired', { holds: ['h1'] })).toEqual({
      message: 'Sorry — your hold on Orchestra, row C, seat 12 ran out and it was released. Check your cart and try again.',
      refreshCart: true,
    });
    expect(problem(409, 'hold_expired', { holds: ['h1', 'h2'] }).message).toContain(
      'your hold on Orchestra, row C, seat 12 and Orchestra, row C, seat 13 ran out and they were released',
    );
    expect(problem(409, 'hold_expired', { holds: ['gone'] }).message).toContain('your hold on some of your tickets ran out');
  });

  it('lists the price types a ticket can have', () => {
    expect(problem(422, 'invalid_price_type', { holdId: 'h2', priceType: 'senior', available: ['adult', 'student'] }).message).toBe(
      'That ticket type is not available for Orchestra, row C, seat 13. Choose Adult or Student.',
    );
  });

  it('has a message for every other refusal', () => {
    const cases: [number, string, RegExp][] = [
      [409, 'cart_changed', /cart changed while you were checking out/],
      [409, 'not_on_sale', /no longer on sale/],
      [422, 'missing_tickets', /Check the ticket types/],
      [422, 'unknown_holds', /no longer in your cart/],
      [404, 'cart_not_found', /could not be found/],
      [409, 'seat_unavailable', /taken before the order could be completed/],
      [502, 'payment_provider_error', /card processor\. Nothing was charged/],
      [503, 'payments_unavailable', /not available right now/],
      [409, 'payments_not_ready', /cannot take card payments at the moment\. Nothing was charged/],
      [503, 'busy', /Many people are buying/],
      [500, 'internal', /Something went wrong on our side\. Nothing was charged/],
    ];
    for (const [status, code, message] of cases) expect(problem(status, code).message, code).toMatch(message);
    expect(problem(0, 'network_error', {}, 'Could not reach the server').message).toBe('Could not reach the server');
    expect(checkoutProblem(new Error('boom')).message).toBe('Something went wrong; please try again.');
  });

  it("shows a refused promo code with the server's reason and sends the patron back to the cart", () => {
    expect(problem(422, 'promo_not_applicable', {}, 'This promo code does not apply to the tickets in your cart')).toEqual({
      message: 'This promo code does not apply to the tickets in your cart. Nothing was charged.',
      promo: true,
      refreshCart: true,
    });
    expect(problem(422, 'promo_expired', {}, 'This promo code expired on 1 March 2027, 05:00 UTC').promo).toBe(true);
    expect(problem(409, 'promo_exhausted', {}, 'This promo code has been used up').message).toBe('This promo code has been used up. Nothing was charged.');
    expect(problem(409, 'cart_changed').promo).toBeUndefined();
  });

  it('reads the cart again when it is no longer what the page shows', () => {
    for (const code of ['cart_changed', 'hold_expired', 'missing_tickets', 'unknown_holds']) {
      expect(problem(409, code).refreshCart, code).toBe(true);
    }
    expect(problem(409, 'not_on_sale').refreshCart).toBeUndefined();
  });
});

describe('orders', () => {
  const ticket = (id: string, performanceId: string, place: OrderTicket['place']): OrderTicket => ({
    id,
    performanceId,
    eventTitle: `Show ${performanceId}`,
    startsAt: null,
    place,
    priceType: 'adult',
    price: 8500,
    fees: 200,
    status: 'valid',
  });

  it('describes places in words', () => {
    expect(describePlace({ sectionName: 'Orchestra', row: 'C', seatLabel: '12' })).toBe('Orchestra, row C, seat 12');
    expect(describePlace({ seatLabel: '12' })).toBe('seat 12');
    expect(describePlace({ areaName: 'The Lawn' })).toBe('The Lawn (general admission)');
    expect(describePlace({})).toBe('General admission');
  });

  it('groups tickets by performance in order of appearance', () => {
    const groups = groupTickets([ticket('t1', 'p1', {}), ticket('t2', 'p2', {}), ticket('t3', 'p1', {})]);
    expect(groups.map((g) => [g.performanceId, g.eventTitle, g.tickets.map((t) => t.id)])).toEqual([
      ['p1', 'Show p1', ['t1', 't3']],
      ['p2', 'Show p2', ['t2']],
    ]);
  });

  it('labels statuses and knows when there are tickets to download', () => {
    expect(orderStatusLabel('pending')).toBe('Awaiting payment');
    expect(orderStatusLabel('partially_refunded')).toBe('Partly refunded');
    expect(hasTickets({ status: 'paid' })).toBe(true);
    expect(hasTickets({ status: 'partially_refunded' })).toBe(true);
    expect(hasTickets({ status: 'pending' })).toBe(false);
    expect(hasTickets({ status: 'refunded' })).toBe(false);
  });

  it('links to the tickets PDF with the order token', () => {
    expect(ticketsPdfUrl('o 1', 'a+b/c')).toBe('/api/v1/orders/o%201/tickets.pdf?token=a%2Bb%2Fc');
  });
});

describe('this tab’s orders', () => {
  it('keeps order tokens in sessionStorage', () => {
    expect(rememberedOrderToken('o1')).toBeNull();
    rememberOrderToken('o1', 'tok-1');
    rememberOrderToken('o2', 'tok-2');
    expect(rememberedOrderToken('o1')).toBe('tok-1');
    expect(rememberedOrderToken('o2')).toBe('tok-2');
    expect(localStorage.length).toBe(0);
    sessionStorage.setItem('marquee.orderTokens', '{broken');
    expect(rememberedOrderToken('o1')).toBeNull();
  });

  it('keeps the pending checkout for the payment step, with each line named', () => {
    const result: CheckoutResult = {
      orderId: 'o1',
      orderNumber: 'MQ-1234',
      orderToken: 'tok',
      status: 'pending',
      totals: TOTALS,
      payment: { provider: 'stripe', clientSecret: 'pi_1_secret_x', paymentIntentId: 'pi_1', publishableKey: 'pk', mode: 'local' },
      holdsUntil: '2099-01-01T00:00:00Z',
    };
    const pending = pendingCheckout('c1', result, [seat('h1', '12'), seat('h2', '13')]);
    expect(pending).toMatchObject({ cartId: 'c1', orderId: 'o1', labels: ['Orchestra, row C, seat 12', 'Orchestra, row C, seat 13'] });
    expect(JSON.stringify(pending)).not.toContain('tok"');
    savePendingCheckout(pending);
    expect(loadPendingCheckout()).toEqual(pending);
    savePendingCheckout(null);
    expect(loadPendingCheckout()).toBeNull();

    // A free order has nothing to pay.
    expect(pendingCheckout('c1', { ...result, status: 'paid', payment: null }, [])).toBeNull();
    // Damaged entries are dropped.
    sessionStorage.setItem('marquee.checkout', JSON.stringify({ cartId: 'c1' }));
    expect(loadPendingCheckout()).toBeNull();
    expect(sessionStorage.getItem('marquee.checkout')).toBeNull();
  });
});

describe('a payment link order', () => {
  const payment = { provider: 'stripe', clientSecret: 'pi_1_secret', paymentIntentId: 'pi_1', stripeAccount: null, publishableKey: 'pk', mode: 'local' } as const;
  const now = new Date('2026-12-07T12:00:00Z');
  const link = { status: 'pending' as const, payment, payBy: '2026-12-08T12:00:00Z' };

  it('asks for the card until its deadline', () => {
    expect(paymentLinkState(link, now, false)).toBe('pay');
  });

  it('stops asking once this tab paid, or for an order that is not a payment link', () => {
    expect(paymentLinkState(link, now, true)).toBeNull();
    expect(paymentLinkState({ ...link, payBy: null }, now, false)).toBeNull();
    expect(paymentLinkState({ ...link, status: 'paid' }, now, false)).toBeNull();
  });

  it('says the time has run out past the deadline', () => {
    expect(paymentLinkState(link, new Date('2026-12-08T12:00:00Z'), false)).toBe('late');
    expect(paymentLinkState({ ...link, payment: null }, new Date('2026-12-09T00:00:00Z'), false)).toBe('late');
  });

  it('is being confirmed when the payment no longer waits before the deadline (paid in another tab)', () => {
    expect(paymentLinkState({ ...link, payment: null }, now, false)).toBeNull();
  });
});
