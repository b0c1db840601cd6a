// The promo code form: what staff type (a percentage or an amount in currency units, hidden
// price types it unlocks, limits, validity at the venue, events ticked, ticket types as a list)
// turned into the API's PromoInput (minor units, UTC instants), and errors named like the API's
// `details.field`. A code may take money off, unlock hidden prices, or both.
import { ApiError } from '../lib/api';
import type { FormErrors } from '../lib/forms';
import type { PromoCode, PromoInput } from '../lib/promos';
import { sentence } from '../lib/promos';
import { utcToZonedInput, zonedToUtc } from '../lib/zoned';
import { currencyDigits, normalisePriceType, parseAmount } from './performanceForm';

export interface PromoForm {
  code: string;
  kind: 'percent' | 'amount';
  /** "20" (percent) or "5.00" (currency units); empty: no discount (then it must unlock prices). */
  value: string;
  /** "friends, cast": hidden price types a cart with the code may buy; empty means none. */
  unlocks: string;
  /** Whole numbers; empty means no limit. */
  maxUses: string;
  perPatron: string;
  /** datetime-local at the venue, e.g. "2027-03-01T09:00"; empty means no bound. */
  validFrom: string;
  validTo: string;
  eventIds: string[];
  /** Kept as they are: the form does not choose performances (the API can). */
  performanceIds: string[];
  /** "student, senior": the ticket types it is for; empty means all. */
  priceTypes: string;
  /** The version an edit started from (sent back: a change from a stale copy is refused). */
  version?: number;
}

/** The API's field names the form shows errors next to. */
export const PROMO_FIELDS = ['code', 'percentOff', 'amountOff', 'unlocks', 'maxUses', 'perPatron', 'validFrom', 'validTo', 'eventIds', 'priceTypes'] as const;

/** The API's limits (shared/domain promo.rs). */
const MAX_AMOUNT = 99_999_999;
const MAX_SCOPE = 100;
const MAX_COUNT = 4_294_967_295;
const CODE = /^[A-Za-z0-9_-]{3,32}$/;

export function emptyPromoForm(): PromoForm {
  return { code: '', kind: 'percent', value: '', unlocks: '', maxUses: '', perPatron: '', validFrom: '', validTo: '', eventIds: [], performanceIds: [], priceTypes: '' };
}

/** The form showing a code as it is, for editing: times at the venue, amounts in currency units. */
export function promoToForm(promo: PromoCode, timezone: string, currency: string): PromoForm {
  const digits = currencyDigits(currency);
  return {
    code: promo.code,
    kind: promo.amountOff != null ? 'amount' : 'percent',
    value: promo.amountOff != null ? (promo.amountOff / 10 ** digits).toFixed(digits) : String(promo.percentOff ?? ''),
    unlocks: (promo.unlocks ?? []).join(', '),
    maxUses: promo.maxUses != null ? String(promo.maxUses) : '',
    perPatron: promo.perPatron != null ? String(promo.perPatron) : '',
    validFrom: promo.validFrom ? utcToZonedInput(promo.validFrom, timezone) : '',
    validTo: promo.validTo ? utcToZonedInput(promo.validTo, timezone) : '',
    eventIds: [...promo.eventIds],
    performanceIds: [...promo.performanceIds],
    priceTypes: promo.priceTypes.join(', '),
    version: promo.version,
  };
}

export type PromoBuild = { ok: true; input: PromoInput } | { ok: false; errors: Record<string, string> };

/** The request the form describes, or what is wrong with it (keys as the API's fields). */
export function buildPromoInput(form: PromoForm, timezone: string, currency: string): PromoBuild {
  const errors: Record<string, string> = {};
  const code = form.code.trim().toUpperCase();
  if (!code) errors['code'] = 'Enter the code patrons will type.';
  else if (!CODE.test(code)) errors['code'] = 'A code has 3 to 32 letters, digits, - or _ (no spaces).';

  // Price types as the price tables spell them (a-z, 0-9, - and _; 1 to 32), each once.
  const priceTypeList = (field: 'unlocks' | 'priceTypes', text: string, what: string): string[] => {
    const types: string[] = [];
    for (const part of text.split(',')) {
      if (!part.trim()) continue;
      const type = normalisePriceType(part);
      if (type === null) {
        errors[field] ??= part.trim().length > 32
          ? `"${part.trim()}" is too long for a ticket type: at most 32 characters.`
          : `"${part.trim()}" is not a ticket type: letters, digits, - and _ only.`;
        continue;
      }
      if (!types.includes(type)) types.push(type);
    }
    if (types.length > MAX_SCOPE) errors[field] ??= `List at most ${MAX_SCOPE} ticket types${what}.`;
    return types;
  };
  const unlocks = priceTypeList('unlocks', form.unlocks, '');

  let percentOff: number | undefined;
  let amountOff: number | undefined;
  const value = form.value.trim();
  if (!value && (unlocks.length > 0 || errors['unlocks'])) {
    // No discount: the code only unlocks hidden prices.
  } else if (!value) {
    errors[form.kind === 'percent' ? 'percentOff' : 'amountOff'] =
      form.kind === 'percent'
        ? 'Enter a whole percentage from 1 to 100, or list the hidden price types it unlocks.'
        : `Enter an amount above zero in ${currency}, or list the hidden price types it unlocks.`;
  } else if (form.kind === 'percent') {
    const text = value.replace(/\s*%$/, '');
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 100) errors['percentOff'] = 'Enter a whole percentage from 1 to 100.';
    else percentOff = Number(text);
  } else {
    const amount = parseAmount(value, currencyDigits(currency));
    if (amount === null || amount < 1 || amount > MAX_AMOUNT) errors['amountOff'] = `Enter an amount above zero in ${currency}, for example 5.00.`;
    else amountOff = amount;
  }

  const count = (field: 'maxUses' | 'perPatron', text: string): number | undefined => {
    const t = text.trim();
    if (!t) return undefined;
    if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > MAX_COUNT) {
      errors[field] = 'Enter a whole number of at least 1, or leave it empty for no limit.';
      return undefined;
    }
    return Number(t);
  };
  const maxUses = count('maxUses', form.maxUses);
  const perPatron = count('perPatron', form.perPatron);

  const time = (field: 'validFrom' | 'validTo', text: string): string | undefined => {
    if (!text.trim()) return undefined;
    const utc = zonedToUtc(text, timezone);
    if (!utc) errors[field] = 'Enter a date and time, or leave it empty.';
    return utc ?? undefined;
  };
  const validFrom = time('validFrom', form.validFrom);
  const validTo = time('validTo', form.validTo);
  if (validFrom && validTo && Date.parse(validTo) <= Date.parse(validFrom)) errors['validTo'] = 'The end must be after the start.';

  if (form.eventIds.length > MAX_SCOPE) errors['eventIds'] = `Tick at most ${MAX_SCOPE} events, or none for every event.`;
  const priceTypes = priceTypeList('priceTypes', form.priceTypes, ', or none for every type');

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    input: {
      code,
      ...(percentOff !== undefined ? { percentOff } : amountOff !== undefined ? { amountOff } : {}),
      ...(maxUses !== undefined ? { maxUses } : {}),
      ...(perPatron !== undefined ? { perPatron } : {}),
      ...(validFrom ? { validFrom } : {}),
      ...(validTo ? { validTo } : {}),
      eventIds: [...form.eventIds],
      performanceIds: [...form.performanceIds],
      priceTypes,
      unlocks,
      ...(form.version !== undefined ? { version: form.version } : {}),
    },
  };
}

/** The form's words for the API's field names, in messages the server writes with them. */
const FIELD_WORDS: Record<string, string> = {
  validFrom: '“valid from”',
  validTo: '“valid to”',
  percentOff: 'a percentage',
  amountOff: 'an amount',
  maxUses: 'the number of uses',
  perPatron: 'the uses per patron',
};

/**
 * A refused save as the form shows it: a 422 that names a field goes next to it, a taken code
 * next to the code, anything else (a conflicting edit, a deleted code…) above the buttons.
 */
export function promoFormErrors(error: unknown): FormErrors {
  if (!(error instanceof ApiError)) return { fields: {}, form: 'Something went wrong; please try again.' };
  if (error.code === 'promo_code_taken') return { fields: { code: sentence(error.message) }, form: 'Please choose another code.' };
  if (error.code === 'edit_conflict') return { fields: {}, form: 'Someone else changed this code meanwhile. The list now shows the latest; check it and save again.' };
  if (error.status === 404 && error.code === 'not_found') return { fields: {}, form: 'This code no longer exists. The list now shows the latest.' };
  const field = error.field;
  if (error.code === 'invalid_field' && field && (PROMO_FIELDS as readonly string[]).includes(field)) {
    const words = error.fieldMessage.replace(/\b(validFrom|validTo|percentOff|amountOff|maxUses|perPatron)\b/g, (name) => FIELD_WORDS[name] ?? name);
    return { fields: { [field]: sentence(words) }, form: 'Please correct the highlighted field.' };
  }
  if (error.status === 0) return { fields: {}, form: error.message };
  if (error.status >= 500) return { fields: {}, form: 'Something went wrong on our side; please try again.' };
  return { fields: {}, form: sentence(error.message) };
}
