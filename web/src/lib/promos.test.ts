import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { cartPromoHint, describeCartPromo, describeDiscount, describeOffer, describeLimits, describeScope, describeValidity, isPromoRefusal, promoMessage, type EventNames } from './promos';

const NY = 'America/New_York';

describe('what a code takes off', () => {
  it('says a percentage or an amount in the venue currency, per ticket', () => {
    expect(describeDiscount({ percentOff: 20 }, 'USD')).toBe('20 % off each ticket');
    expect(describeDiscount({ amountOff: 500 }, 'USD')).toBe('$5.00 off each ticket');
    expect(describeDiscount({ amountOff: 500, percentOff: null }, 'JPY')).toBe('¥500 off each ticket');
    expect(describeDiscount({ amountOff: 1250 }, 'EUR')).toBe('€12.50 off each ticket');
  });

  it('names the code on the cart, and says when it is for some tickets only', () => {
    expect(describeCartPromo({ code: 'SPRING20', percentOff: 20, limited: false, unlocks: [] }, 'USD')).toBe('SPRING20 — 20 % off each ticket');
    expect(describeCartPromo({ code: 'STUDENT5', amountOff: 500, limited: true, unlocks: [] }, 'USD')).toBe('STUDENT5 — $5.00 off each ticket, on some tickets');
  });
});

describe('codes that unlock hidden prices', () => {
  const friends = (performanceId: string, zone: string, priceType = 'friends') => ({ performanceId, zone, priceType, amount: 2000 });

  it('says on the cart what an unlock-only code does, each price type once', () => {
    const promo = { code: 'FRIENDS', limited: true, unlocks: [friends('p1', 'premium'), friends('p1', 'balcony'), friends('p2', 'premium')] };
    expect(describeCartPromo(promo, 'USD')).toBe('FRIENDS — unlocks the friends price');
    expect(cartPromoHint(promo)).toBe('Choose the friends price for your tickets at checkout.');
    const two = { ...promo, unlocks: [friends('p1', 'premium'), friends('p1', 'premium', 'cast_and_crew')] };
    expect(describeCartPromo(two, 'USD')).toBe('FRIENDS — unlocks the friends and cast and crew prices');
  });

  it('says both when a code takes money off and unlocks prices', () => {
    const promo = { code: 'FRIENDS20', percentOff: 20, limited: false, unlocks: [friends('p1', 'premium')] };
    expect(describeCartPromo(promo, 'USD')).toBe('FRIENDS20 — 20 % off each ticket, and unlocks the friends price');
    expect(cartPromoHint(promo)).toBe('The discount is taken off at checkout, before fees and taxes. Choose the friends price for your tickets at checkout.');
  });

  it('says when an unlock-only code unlocks nothing for these tickets', () => {
    const promo = { code: 'FRIENDS', limited: false, unlocks: [] };
    expect(describeCartPromo(promo, 'USD')).toBe('FRIENDS — unlocks no prices for these tickets');
    expect(cartPromoHint(promo)).toMatch(/^It unlocks no price for these tickets/);
    // A discount code's hint is as before.
    expect(cartPromoHint({ code: 'S', amountOff: 500, limited: true, unlocks: [] })).toBe(
      'It is for some events or ticket types only: the discount is taken off at checkout, before fees and taxes.',
    );
  });

  it('describes a code in the staff list: a discount, unlocks, or both', () => {
    expect(describeOffer({ percentOff: 20, unlocks: [] }, 'USD')).toBe('20 % off each ticket');
    expect(describeOffer({ unlocks: ['friends'] }, 'USD')).toBe('Unlocks friends');
    expect(describeOffer({ percentOff: 20, unlocks: ['friends'] }, 'USD')).toBe('20 % off each ticket · unlocks friends');
    expect(describeOffer({ amountOff: 500, unlocks: ['friends', 'cast', 'band'] }, 'USD')).toBe('$5.00 off each ticket · unlocks friends, cast and band');
  });
});

describe('a code in the admin list', () => {
  it('counts uses against the limits', () => {
    expect(describeLimits({ uses: 12, maxUses: 100, perPatron: 1 })).toEqual(['12 of 100 used', '1 per patron']);
    expect(describeLimits({ uses: 0, maxUses: 5 })).toEqual(['0 of 5 used']);
    expect(describeLimits({ uses: 0 })).toEqual(['Not used yet', 'No limit']);
    expect(describeLimits({ uses: 1, perPatron: 2 })).toEqual(['Used once', '2 per patron']);
    expect(describeLimits({ uses: 7, maxUses: null, perPatron: null })).toEqual(['Used 7 times', 'No limit']);
  });

  it('shows the validity at the venue, not in the browser', () => {
    // 14:00 UTC in March is 9 or 10 am in New York (DST starts on 14 March 2027).
    expect(describeValidity({ validFrom: '2027-03-01T14:00:00Z', validTo: '2027-03-31T03:59:00Z' }, NY, 'en-US')).toBe(
      'From Mar 1, 2027, 9:00 AM to Mar 30, 2027, 11:59 PM',
    );
    expect(describeValidity({ validFrom: '2027-03-01T14:00:00Z' }, NY, 'en-US')).toBe('From Mar 1, 2027, 9:00 AM');
    expect(describeValidity({ validTo: '2027-07-01T03:59:00Z' }, 'Europe/London', 'en-GB')).toBe('Until 1 Jul 2027, 04:59');
    expect(describeValidity({}, NY)).toBe('Any time');
  });

  it('names events and performances by their titles, and lists price types', () => {
    const events = new Map<string, EventNames>([
      ['ev-1', { title: 'The Tempest', performances: [{ id: 'pf-1', startsAt: '2027-03-01T00:30:00Z' }] }],
      ['ev-2', { title: 'Hamlet', performances: [] }],
    ]);
    expect(describeScope({ eventIds: [], performanceIds: [], priceTypes: [] }, events, NY)).toEqual(['All tickets']);
    expect(describeScope({ eventIds: ['ev-2', 'ev-gone'], performanceIds: ['pf-1'], priceTypes: ['student', 'senior'] }, events, NY, 'en-US')).toEqual([
      'Events: Hamlet, ev-gone',
      'Performances: The Tempest, Feb 28, 2027, 7:30 PM',
      'Ticket types: student, senior',
    ]);
  });
});

describe('refusals on the cart', () => {
  it("shows the server's reason for a refused code", () => {
    const unknown = new ApiError(422, 'promo_not_applicable', 'There is no such promo code');
    expect(isPromoRefusal(unknown)).toBe(true);
    expect(promoMessage(unknown)).toBe('There is no such promo code.');
    expect(promoMessage(new ApiError(422, 'promo_expired', 'This promo code expired on 1 March 2027, 05:00 UTC'))).toBe(
      'This promo code expired on 1 March 2027, 05:00 UTC.',
    );
    expect(promoMessage(new ApiError(409, 'promo_exhausted', 'This promo code has been used up'))).toBe('This promo code has been used up.');
  });

  it('explains the other refusals in words', () => {
    expect(isPromoRefusal(new ApiError(409, 'cart_not_open', 'x'))).toBe(false);
    expect(isPromoRefusal(new Error('x'))).toBe(false);
    expect(promoMessage(new ApiError(422, 'invalid_field', 'code: must be 1 to 64 characters', { field: 'code' }))).toMatch(/^Enter the promo code/);
    expect(promoMessage(new ApiError(409, 'cart_not_open', 'cart is checkout'))).toMatch(/payment step/);
    expect(promoMessage(new ApiError(0, 'network_error', 'Could not reach the server'))).toBe('Could not reach the server');
    expect(promoMessage(new ApiError(500, 'internal_error', 'x'))).toBe('Something went wrong on our side; please try again.');
    expect(promoMessage(new Error('boom'))).toBe('Something went wrong; please try again.');
  });
});
