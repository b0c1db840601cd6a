import { describe, expect, it } from 'vitest';
import { ApiError } from '../lib/api';
import type { PromoCode } from '../lib/promos';
import { buildPromoInput, emptyPromoForm, promoFormErrors, promoToForm, type PromoForm } from './promoForm';

const NY = 'America/New_York';

function form(changes: Partial<PromoForm>): PromoForm {
  return { ...emptyPromoForm(), ...changes };
}

describe('promo code form → PromoInput', () => {
  it('builds a percentage code with limits, times at the venue in UTC, events and price types', () => {
    const result = buildPromoInput(
      form({
        code: ' spring20 ',
        value: '20',
        maxUses: '100',
        perPatron: '1',
        validFrom: '2027-03-01T09:00',
        validTo: '2027-03-31T23:59',
        eventIds: ['ev-1'],
        priceTypes: 'Student, senior,, student',
      }),
      NY,
      'USD',
    );
    expect(result).toEqual({
      ok: true,
      input: {
        code: 'SPRING20',
        percentOff: 20,
        maxUses: 100,
        perPatron: 1,
        // 9 am EST is 14:00 UTC; 11:59 pm on 31 March is EDT (−4 h).
        validFrom: '2027-03-01T14:00:00Z',
        validTo: '2027-04-01T03:59:00Z',
        eventIds: ['ev-1'],
        performanceIds: [],
        priceTypes: ['student', 'senior'],
        unlocks: [],
      },
    });
  });

  it('reads an amount in currency units as minor units, and leaves out what is empty', () => {
    expect(buildPromoInput(form({ code: 'FIVE-OFF', kind: 'amount', value: '5' }), NY, 'USD')).toEqual({
      ok: true,
      input: { code: 'FIVE-OFF', amountOff: 500, eventIds: [], performanceIds: [], priceTypes: [], unlocks: [] },
    });
    const yen = buildPromoInput(form({ code: 'YEN', kind: 'amount', value: '500' }), 'Asia/Tokyo', 'JPY');
    expect(yen.ok && yen.input.amountOff).toBe(500);
    expect(buildPromoInput(form({ code: 'PCT', value: '15 %' }), NY, 'USD')).toMatchObject({ ok: true, input: { percentOff: 15 } });
  });

  it('checks what the API would refuse, named like its fields', () => {
    const result = buildPromoInput(
      form({ code: 'no spaces', value: '101', maxUses: '0', perPatron: 'two', validFrom: '2027-03-02T10:00', validTo: '2027-03-01T10:00', priceTypes: 'adult, Ünder 16' }),
      NY,
      'USD',
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(['code', 'maxUses', 'perPatron', 'percentOff', 'priceTypes', 'validTo']);
    expect(!result.ok && result.errors['priceTypes']).toBe('"Ünder 16" is not a ticket type: letters, digits, - and _ only.');

    expect(buildPromoInput(form({ code: 'AB', value: '10' }), NY, 'USD')).toMatchObject({ ok: false, errors: { code: expect.stringContaining('3 to 32') } });
    expect(buildPromoInput(form({ code: '', value: '10' }), NY, 'USD')).toMatchObject({ ok: false, errors: { code: 'Enter the code patrons will type.' } });
    expect(buildPromoInput(form({ code: 'ZERO', kind: 'amount', value: '0' }), NY, 'USD')).toMatchObject({ ok: false, errors: { amountOff: expect.any(String) } });
    expect(buildPromoInput(form({ code: 'CENTS', kind: 'amount', value: '5.001' }), NY, 'USD')).toMatchObject({ ok: false, errors: { amountOff: expect.any(String) } });
    expect(buildPromoInput(form({ code: 'HALF', value: '12.5' }), NY, 'USD')).toMatchObject({ ok: false, errors: { percentOff: expect.any(String) } });
    expect(buildPromoInput(form({ code: 'WHEN', value: '5', validFrom: 'soon' }), NY, 'USD')).toMatchObject({ ok: false, errors: { validFrom: expect.any(String) } });
  });

  it('shows a code as it is for editing, and saving it unchanged sends the same terms (performances kept)', () => {
    const code: PromoCode = {
      code: 'SPRING20',
      amountOff: 1250,
      maxUses: 100,
      perPatron: null,
      validFrom: '2027-03-01T14:00:00Z',
      validTo: null,
      eventIds: ['ev-1'],
      performanceIds: ['pf-9'],
      priceTypes: ['student', 'senior'],
      unlocks: [],
      uses: 12,
      status: 'active',
      version: 3,
      createdAt: '2027-02-01T10:00:00Z',
    };
    const edited = promoToForm(code, NY, 'USD');
    expect(edited).toEqual({
      code: 'SPRING20',
      kind: 'amount',
      value: '12.50',
      maxUses: '100',
      perPatron: '',
      validFrom: '2027-03-01T09:00',
      validTo: '',
      eventIds: ['ev-1'],
      performanceIds: ['pf-9'],
      priceTypes: 'student, senior',
      unlocks: '',
      version: 3,
    });
    expect(buildPromoInput(edited, NY, 'USD')).toEqual({
      ok: true,
      input: {
        code: 'SPRING20',
        amountOff: 1250,
        maxUses: 100,
        validFrom: '2027-03-01T14:00:00Z',
        eventIds: ['ev-1'],
        performanceIds: ['pf-9'],
        priceTypes: ['student', 'senior'],
        unlocks: [],
        version: 3,
      },
    });
    expect(promoToForm({ ...code, amountOff: null, percentOff: 25 }, NY, 'USD')).toMatchObject({ kind: 'percent', value: '25' });
  });
});

describe('codes that unlock hidden prices', () => {
  it('may unlock price types only: no discount is sent', () => {
    expect(buildPromoInput(form({ code: 'friends', unlocks: 'Friends, cast,friends' }), NY, 'USD')).toEqual({
      ok: true,
      input: { code: 'FRIENDS', eventIds: [], performanceIds: [], priceTypes: [], unlocks: ['friends', 'cast'] },
    });
    // The amount radio chosen but left empty: still no discount.
    expect(buildPromoInput(form({ code: 'CAST', kind: 'amount', unlocks: 'cast' }), NY, 'USD')).toMatchObject({ ok: true, input: { unlocks: ['cast'] } });
  });

  it('may take money off and unlock price types', () => {
    expect(buildPromoInput(form({ code: 'FRIENDS20', value: '20', unlocks: 'friends' }), NY, 'USD')).toMatchObject({
      ok: true,
      input: { code: 'FRIENDS20', percentOff: 20, unlocks: ['friends'] },
    });
  });

  it('needs a discount or price types to unlock, and checks the types as the API does', () => {
    expect(buildPromoInput(form({ code: 'EMPTY' }), NY, 'USD')).toEqual({
      ok: false,
      errors: { percentOff: 'Enter a whole percentage from 1 to 100, or list the hidden price types it unlocks.' },
    });
    expect(buildPromoInput(form({ code: 'EMPTY', kind: 'amount' }), NY, 'USD')).toEqual({
      ok: false,
      errors: { amountOff: 'Enter an amount above zero in USD, or list the hidden price types it unlocks.' },
    });
    // A bad type is named by the unlocks field alone (not also "enter a discount").
    expect(buildPromoInput(form({ code: 'BAD', unlocks: 'friends, fr!ends' }), NY, 'USD')).toEqual({
      ok: false,
      errors: { unlocks: '"fr!ends" is not a ticket type: letters, digits, - and _ only.' },
    });
    expect(buildPromoInput(form({ code: 'LONG', unlocks: 'x'.repeat(33) }), NY, 'USD')).toMatchObject({
      ok: false,
      errors: { unlocks: expect.stringContaining('at most 32 characters') },
    });
    const many = Array.from({ length: 101 }, (_, i) => `t${i}`).join(',');
    expect(buildPromoInput(form({ code: 'MANY', unlocks: many }), NY, 'USD')).toMatchObject({ ok: false, errors: { unlocks: 'List at most 100 ticket types.' } });
    // A discount that is wrong stays wrong, whatever it unlocks.
    expect(buildPromoInput(form({ code: 'PCT', value: '150', unlocks: 'friends' }), NY, 'USD')).toMatchObject({ ok: false, errors: { percentOff: expect.any(String) } });
  });

  it('shows an unlock-only code for editing with no discount, and sends it back the same', () => {
    const code: PromoCode = {
      code: 'FRIENDS',
      eventIds: [],
      performanceIds: [],
      priceTypes: [],
      unlocks: ['friends', 'cast'],
      uses: 0,
      status: 'active',
      version: 1,
      createdAt: '2027-02-01T10:00:00Z',
    };
    const edited = promoToForm(code, NY, 'USD');
    expect(edited).toMatchObject({ kind: 'percent', value: '', unlocks: 'friends, cast' });
    expect(buildPromoInput(edited, NY, 'USD')).toEqual({
      ok: true,
      input: { code: 'FRIENDS', eventIds: [], performanceIds: [], priceTypes: [], unlocks: ['friends', 'cast'], version: 1 },
    });
  });

  it('puts the server\'s refusals by the unlocks field, or by the discount when a code does nothing', () => {
    const bad = new ApiError(422, 'invalid_field', "unlocks: 'Fr!ends' is not a price type", { field: 'unlocks' });
    expect(promoFormErrors(bad)).toEqual({ fields: { unlocks: "'Fr!ends' is not a price type." }, form: 'Please correct the highlighted field.' });
    const nothing = new ApiError(422, 'invalid_field', 'percentOff: give percentOff or amountOff, or price types it unlocks', { field: 'percentOff' });
    expect(promoFormErrors(nothing).fields).toEqual({ percentOff: 'Give a percentage or an amount, or price types it unlocks.' });
  });
});

describe('refused saves', () => {
  it('puts a 422 next to the field it names, in the words of the form', () => {
    const e = new ApiError(422, 'invalid_field', 'validTo: must be after validFrom', { field: 'validTo' });
    expect(promoFormErrors(e)).toEqual({ fields: { validTo: 'Must be after “valid from”.' }, form: 'Please correct the highlighted field.' });
    const pct = new ApiError(422, 'invalid_field', 'percentOff: give either percentOff or amountOff', { field: 'percentOff' });
    expect(promoFormErrors(pct).fields).toEqual({ percentOff: 'Give either a percentage or an amount.' });
  });

  it('puts a taken code next to the code, and explains conflicts above the buttons', () => {
    const taken = new ApiError(409, 'promo_code_taken', 'The venue already has (or had) the code SPRING20; choose another');
    expect(promoFormErrors(taken)).toEqual({
      fields: { code: 'The venue already has (or had) the code SPRING20; choose another.' },
      form: 'Please choose another code.',
    });
    expect(promoFormErrors(new ApiError(409, 'edit_conflict', 'x')).form).toMatch(/^Someone else changed this code meanwhile/);
    expect(promoFormErrors(new ApiError(404, 'not_found', 'Promo code not found')).form).toMatch(/no longer exists/);
    const perf = new ApiError(422, 'invalid_field', "performanceIds: 'x y' is not an id", { field: 'performanceIds' });
    expect(promoFormErrors(perf)).toEqual({ fields: {}, form: "PerformanceIds: 'x y' is not an id." });
    expect(promoFormErrors(new ApiError(500, 'internal_error', 'x')).form).toBe('Something went wrong on our side; please try again.');
    expect(promoFormErrors(new Error('boom')).form).toBe('Something went wrong; please try again.');
  });
});
