import { describe, expect, it } from 'vitest';
import { performance } from '../test/seatmaps';
import { buildPerformance, buildSeries, editRequest, emptyPerformanceForm, hiddenState, performanceToForm, normalisePriceType, parseAmount, parsePercent, priceKey, setTypeHidden, unpricedZones } from './performanceForm';

describe('performance form', () => {
  it('reads amounts in currency units as minor units', () => {
    expect(parseAmount('85', 2)).toBe(8500);
    expect(parseAmount('42.5', 2)).toBe(4250);
    expect(parseAmount('1,250.05', 2)).toBe(125005);
    expect(parseAmount('4250', 0)).toBe(4250);
    expect(parseAmount('42.505', 2)).toBeNull();
    expect(parseAmount('-1', 2)).toBeNull();
    expect(parseAmount('abc', 2)).toBeNull();
  });

  it('reads percentages as basis points and price types as the API spells them', () => {
    expect(parsePercent('2.5')).toBe(250);
    expect(parsePercent('10 %')).toBe(1000);
    expect(parsePercent('101')).toBeNull();
    expect(normalisePriceType(' Under 16 ')).toBe('under-16');
    expect(normalisePriceType('Ünder')).toBeNull();
  });

  it('builds the request: the start at the venue in UTC, a price table, fees', () => {
    const form = emptyPerformanceForm('map-1');
    form.startsAt = '2027-02-28T19:30';
    form.priceTypes = ['adult', 'student'];
    form.prices = { [priceKey('premium', 'adult')]: '85.00', [priceKey('premium', 'student')]: '42.50', [priceKey('standard', 'adult')]: '60' };
    form.fees = [
      { name: 'Booking fee', basis: 'per_ticket', kind: 'fixed', value: '2.00' },
      { name: 'Card fee', basis: 'per_order', kind: 'percent', value: '2.5' },
      { name: '', basis: 'per_ticket', kind: 'fixed', value: '' },
    ];
    form.taxes = [
      { name: 'Sales tax', rate: '8.88', inclusive: false },
      { name: '', rate: '', inclusive: false },
    ];
    form.maxTicketsPerOrder = '8';
    const result = buildPerformance(form, ['premium', 'standard'], 'America/New_York', 'USD');
    expect(result).toEqual({
      ok: true,
      request: {
        startsAt: '2027-03-01T00:30:00Z',
        seatMapId: 'map-1',
        prices: [
          { zone: 'premium', priceType: 'adult', amount: 8500 },
          { zone: 'premium', priceType: 'student', amount: 4250 },
          { zone: 'standard', priceType: 'adult', amount: 6000 },
        ],
        fees: [
          { name: 'Booking fee', basis: 'per_ticket', fixed: 200 },
          { name: 'Card fee', basis: 'per_order', percentBp: 250 },
        ],
        taxes: [{ name: 'Sales tax', rateBp: 888, inclusive: false }],
        maxTicketsPerOrder: 8,
      },
    });
    expect(unpricedZones(form, ['premium', 'standard', 'lawn'])).toEqual(['lawn']);
  });

  it('names the fields that are wrong, as the API would', () => {
    const form = emptyPerformanceForm('');
    form.prices = { [priceKey('premium', 'adult')]: 'lots' };
    form.fees = [{ name: 'Levy', basis: 'per_ticket', kind: 'percent', value: 'x' }];
    form.holdSeconds = 'ten';
    const result = buildPerformance(form, ['premium'], 'America/New_York', 'USD');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.errors).sort()).toEqual(['fees', 'holdSeconds', 'prices', 'seatMapId', 'startsAt']);
      expect(result.errors['prices']).toBe('"lots" is not a price (for example 42.50).');
    }
  });
});

describe('a run of performances', () => {
  const run = () => {
    const form = emptyPerformanceForm('map-1');
    form.kind = 'series';
    form.from = '2027-03-23';
    form.to = '2027-03-30';
    form.prices = { [priceKey('stalls', 'adult')]: '30' };
    return form;
  };

  it('sends the dates and times at the venue, days in week order, with the shared terms', () => {
    const form = run();
    form.times = [
      { days: ['sat', 'tue', 'wed', 'thu', 'fri'], at: '19:30' },
      { days: ['sun'], at: '14:00' },
      { days: [], at: '' },
    ];
    form.holdSeconds = '300';
    expect(buildSeries(form, ['stalls'], 'Europe/London', 'GBP')).toEqual({
      ok: true,
      request: {
        from: '2027-03-23',
        to: '2027-03-30',
        times: [
          { days: ['tue', 'wed', 'thu', 'fri', 'sat'], at: '19:30' },
          { days: ['sun'], at: '14:00' },
        ],
        seatMapId: 'map-1',
        prices: [{ zone: 'stalls', priceType: 'adult', amount: 3000 }],
        fees: [],
        taxes: [],
        holdSeconds: 300,
      },
    });
  });

  it('names what is missing or wrong', () => {
    const form = run();
    form.from = '';
    form.to = '2027-03-01';
    form.times = [{ days: [], at: '19:30' }];
    form.offSaleAt = '2027-03-01T10:00';
    const result = buildSeries(form, ['stalls'], 'Europe/London', 'GBP');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['from', 'offSaleAt', 'times']);
    const backwards = run();
    backwards.to = '2027-03-22';
    backwards.times = [{ days: ['mon'], at: '7pm' }];
    const refused = buildSeries(backwards, ['stalls'], 'Europe/London', 'GBP');
    expect(refused.ok ? {} : refused.errors).toEqual({
      to: 'The last date must be on or after the first.',
      times: 'Enter each time as HH:MM, for example 19:30.',
    });
  });
});

describe('editing a performance', () => {
  it('shows the performance as it is and sends it back unchanged, with the copy it was read from', () => {
    const shown = performance({ taxes: [{ name: 'VAT', rateBp: 2000, inclusive: true }] });
    const form = performanceToForm(shown, 'USD');
    expect(form.startsAt).toBe('2027-02-28T19:30');
    expect(form.offSaleAt).toBe('');
    expect(form.prices[priceKey('premium', 'student')]).toBe('42.50');
    expect(form.fees).toEqual([{ name: 'Booking fee', basis: 'per_ticket', kind: 'fixed', value: '2.00' }]);
    const built = buildPerformance(form, ['premium', 'standard', 'lawn'], 'America/New_York', 'USD');
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(editRequest(built.request, shown)).toEqual({
      startsAt: '2027-03-01T00:30:00Z',
      onSaleAt: '2026-01-01T00:00:00Z',
      prices: [
        { zone: 'premium', priceType: 'adult', amount: 8500 },
        { zone: 'premium', priceType: 'student', amount: 4250 },
        { zone: 'standard', priceType: 'adult', amount: 6000 },
        { zone: 'lawn', priceType: 'adult', amount: 2500 },
      ],
      fees: [{ name: 'Booking fee', basis: 'per_ticket', fixed: 200 }],
      taxes: [{ name: 'VAT', rateBp: 2000, inclusive: true }],
      maxTicketsPerOrder: 10,
      holdSeconds: 600,
      updatedAt: shown.updatedAt,
    });
  });
});

describe('hidden prices (promo code only)', () => {
  const priced = () => {
    const form = emptyPerformanceForm('map-1');
    form.startsAt = '2027-02-28T19:30';
    form.priceTypes = ['adult', 'friends'];
    form.prices = { [priceKey('premium', 'adult')]: '85', [priceKey('premium', 'friends')]: '20', [priceKey('lawn', 'adult')]: '25', [priceKey('lawn', 'friends')]: '10' };
    return form;
  };

  it('sends hidden on every row of a type ticked hidden, and nothing on the others', () => {
    const form = priced();
    setTypeHidden(form, 'friends', true);
    expect(hiddenState(form, 'friends')).toBe('all');
    expect(hiddenState(form, 'adult')).toBe('none');
    const built = buildPerformance(form, ['premium', 'lawn'], 'America/New_York', 'USD');
    expect(built.ok && built.request.prices).toEqual([
      { zone: 'premium', priceType: 'adult', amount: 8500 },
      { zone: 'premium', priceType: 'friends', amount: 2000, hidden: true },
      { zone: 'lawn', priceType: 'adult', amount: 2500 },
      { zone: 'lawn', priceType: 'friends', amount: 1000, hidden: true },
    ]);
    setTypeHidden(form, 'friends', false);
    const shown = buildPerformance(form, ['premium', 'lawn'], 'America/New_York', 'USD');
    expect(shown.ok && shown.request.prices.some((p) => 'hidden' in p)).toBe(false);
  });

  it('keeps the same checks: a hidden price is still a price to check', () => {
    const form = priced();
    setTypeHidden(form, 'friends', true);
    form.prices[priceKey('lawn', 'friends')] = 'free';
    const built = buildPerformance(form, ['premium', 'lawn'], 'America/New_York', 'USD');
    expect(built.ok ? {} : built.errors).toEqual({ prices: '"free" is not a price (for example 42.50).' });
  });

  it('shows existing hidden rows: a type hidden wherever it is priced, or in some zones only (kept as they are)', () => {
    const hiddenEverywhere = performance({
      prices: [
        { zone: 'premium', zoneName: 'Premium', priceType: 'adult', price: { amount: 8500, currency: 'USD' } },
        { zone: 'premium', zoneName: 'Premium', priceType: 'friends', price: { amount: 2000, currency: 'USD' }, hidden: true },
        { zone: 'lawn', zoneName: 'Lawn', priceType: 'friends', price: { amount: 1000, currency: 'USD' }, hidden: true },
      ],
    });
    const all = performanceToForm(hiddenEverywhere, 'USD');
    expect(all.hiddenTypes).toEqual(['friends']);
    expect(all.hiddenCells).toEqual([]);
    expect(hiddenState(all, 'friends')).toBe('all');

    const partly = performanceToForm(
      performance({
        prices: [
          { zone: 'premium', zoneName: 'Premium', priceType: 'friends', price: { amount: 2000, currency: 'USD' }, hidden: true },
          { zone: 'lawn', zoneName: 'Lawn', priceType: 'friends', price: { amount: 1000, currency: 'USD' } },
        ],
      }),
      'USD',
    );
    expect(partly.hiddenTypes).toEqual([]);
    expect(hiddenState(partly, 'friends')).toBe('some');
    const built = buildPerformance(partly, ['premium', 'lawn'], 'America/New_York', 'USD');
    expect(built.ok && built.request.prices).toEqual([
      { zone: 'premium', priceType: 'friends', amount: 2000, hidden: true },
      { zone: 'lawn', priceType: 'friends', amount: 1000 },
    ]);
    // Ticking the type hides it in every zone.
    setTypeHidden(partly, 'friends', true);
    expect(partly.hiddenCells).toEqual([]);
    const ticked = buildPerformance(partly, ['premium', 'lawn'], 'America/New_York', 'USD');
    expect(ticked.ok && ticked.request.prices.every((p) => p.hidden)).toBe(true);
  });

  it('reads a table without hidden rows as before', () => {
    const form = performanceToForm(performance(), 'USD');
    expect(form.hiddenTypes).toEqual([]);
    expect(form.hiddenCells).toEqual([]);
  });
});
