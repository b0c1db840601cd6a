// Promo codes (API.md "Promo codes"): staff list, create, change and delete them; a patron puts
// one on the cart (see carts.ts applyPromo) and checkout takes its discount off the tickets it
// applies to. Here: the admin calls, and the words both sides show for a code.
import { ApiError, request, type AdminSchemas as A, type PublicSchemas as P } from './api';
import { formatMoney } from './format';

/** A code as staff see it, with its use count and where it stands. */
export type PromoCode = A['PromoCodeView'];
export type PromoStatus = A['PromoStatus'];
/** A code as staff write it (create, or new terms for an existing code). */
export type PromoInput = A['PromoInput'];
/** The code on a patron's cart. */
export type CartPromo = P['PromoView'];
/** A hidden price the cart's code unlocks (a price type of a zone of a performance in the cart). */
export type UnlockedPrice = P['UnlockedPrice'];

const enc = encodeURIComponent;

export async function listPromoCodes(): Promise<PromoCode[]> {
  const body = await request<A['PromoCodeList']>('GET', '/admin/v1/promo-codes', { staff: true });
  return body.promoCodes;
}

export function createPromoCode(input: PromoInput): Promise<PromoCode> {
  return request<PromoCode>('POST', '/admin/v1/promo-codes', { body: input, staff: true });
}

/** New terms for `code`; `input.code` must be the same code. */
export function updatePromoCode(code: string, input: PromoInput): Promise<PromoCode> {
  return request<PromoCode>('PUT', `/admin/v1/promo-codes/${enc(code)}`, { body: input, staff: true });
}

/** Patrons can no longer use it; orders that did keep their discount. */
export async function deletePromoCode(code: string): Promise<void> {
  await request<void>('DELETE', `/admin/v1/promo-codes/${enc(code)}`, { staff: true });
}

// --- words ------------------------------------------------------------------------------------

/** "20 % off each ticket" or "$5.00 off each ticket" (amounts in the venue's currency). */
export function describeDiscount(promo: Pick<CartPromo, 'percentOff' | 'amountOff'>, currency: string): string {
  if (promo.percentOff != null) return `${promo.percentOff} % off each ticket`;
  if (promo.amountOff != null) return `${formatMoney({ amount: promo.amountOff, currency })} off each ticket`;
  return 'a discount on each ticket';
}

/** Whether the code takes money off at all (a code may only unlock hidden prices). */
export function takesOff(promo: Pick<CartPromo, 'percentOff' | 'amountOff'>): boolean {
  return promo.percentOff != null || promo.amountOff != null;
}

/** "friends", "friends and cast", "a, b and c": price types as written, in words. */
function typesInWords(types: readonly string[]): string {
  const words = types.map((t) => t.replace(/[_-]+/g, ' ').trim() || t);
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The price types a cart's code unlocks, once each, in the order the cart lists them. */
export function unlockedTypes(unlocks: readonly UnlockedPrice[]): string[] {
  return [...new Set(unlocks.map((u) => u.priceType))];
}

/**
 * A code in the staff list, in words: "20 % off each ticket", "Unlocks friends",
 * "20 % off each ticket · unlocks friends and cast".
 */
export function describeOffer(promo: Pick<PromoCode, 'percentOff' | 'amountOff' | 'unlocks'>, currency: string): string {
  const unlocks = promo.unlocks ?? [];
  if (!takesOff(promo)) return unlocks.length > 0 ? `Unlocks ${typesInWords(unlocks)}` : 'Nothing';
  const discount = describeDiscount(promo, currency);
  return unlocks.length > 0 ? `${discount} · unlocks ${typesInWords(unlocks)}` : discount;
}

/**
 * The code on the cart: "SPRING20 — 20 % off each ticket" (", on some tickets" when its scope
 * is limited), "FRIENDS — unlocks the friends price", or both ("…, and unlocks the friends
 * price"). A code that unlocks prices only, none of them for these tickets, says so.
 */
export function describeCartPromo(promo: CartPromo, currency: string): string {
  const types = unlockedTypes(promo.unlocks ?? []);
  const unlocks = types.length > 0 ? `unlocks the ${typesInWords(types)} price${types.length > 1 ? 's' : ''}` : '';
  if (!takesOff(promo)) return `${promo.code} — ${unlocks || 'unlocks no prices for these tickets'}`;
  const discount = `${describeDiscount(promo, currency)}${promo.limited ? ', on some tickets' : ''}`;
  return `${promo.code} — ${unlocks ? `${discount}, and ${unlocks}` : discount}`;
}

/** What the cart says under the code: where the discount is taken and which prices to pick. */
export function cartPromoHint(promo: CartPromo): string {
  const lines: string[] = [];
  if (takesOff(promo)) {
    lines.push(`${promo.limited ? 'It is for some events or ticket types only: the' : 'The'} discount is taken off at checkout, before fees and taxes.`);
  }
  const types = unlockedTypes(promo.unlocks ?? []);
  if (types.length > 0) {
    lines.push(`Choose the ${typesInWords(types)} price${types.length > 1 ? 's' : ''} for your tickets at checkout.`);
  } else if (!takesOff(promo)) {
    lines.push('It unlocks no price for these tickets, so checkout would refuse it: remove it, or add tickets it is for.');
  }
  return lines.join(' ');
}

/** "12 of 100 used", "1 per patron"; "Used 3 times" and "No limit" without limits. */
export function describeLimits(promo: Pick<PromoCode, 'uses' | 'maxUses' | 'perPatron'>): string[] {
  const lines: string[] = [];
  if (promo.maxUses != null) lines.push(`${promo.uses} of ${promo.maxUses} used`);
  else lines.push(promo.uses === 1 ? 'Used once' : promo.uses === 0 ? 'Not used yet' : `Used ${promo.uses} times`);
  if (promo.perPatron != null) lines.push(`${promo.perPatron} per patron`);
  if (promo.maxUses == null && promo.perPatron == null) lines.push('No limit');
  return lines;
}

/** "1 Mar 2027, 9:00 AM" at the venue. */
export function formatVenueTime(instant: string, timeZone: string, locale?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date) + ' UTC';
  }
}

/** When the code can be used, at the venue: "From … to …", "From …", "Until …" or "Any time". */
export function describeValidity(promo: Pick<PromoCode, 'validFrom' | 'validTo'>, timeZone: string, locale?: string): string {
  const from = promo.validFrom ? formatVenueTime(promo.validFrom, timeZone, locale) : '';
  const to = promo.validTo ? formatVenueTime(promo.validTo, timeZone, locale) : '';
  if (from && to) return `From ${from} to ${to}`;
  if (from) return `From ${from}`;
  if (to) return `Until ${to}`;
  return 'Any time';
}

/** What an event id stands for on the page: its title, and its performances' start times. */
export interface EventNames {
  title: string;
  performances: { id: string; startsAt: string }[];
}

/**
 * What tickets the code is for, one line per kind of limit: events by title (an unknown id as
 * is), performances by event and start at the venue, price types; "All tickets" without limits.
 */
export function describeScope(
  promo: Pick<PromoCode, 'eventIds' | 'performanceIds' | 'priceTypes'>,
  events: ReadonlyMap<string, EventNames>,
  timeZone: string,
  locale?: string,
): string[] {
  const lines: string[] = [];
  if (promo.eventIds.length > 0) {
    lines.push(`Events: ${promo.eventIds.map((id) => events.get(id)?.title ?? id).join(', ')}`);
  }
  if (promo.performanceIds.length > 0) {
    const names = promo.performanceIds.map((id) => {
      for (const event of events.values()) {
        const performance = event.performances.find((p) => p.id === id);
        if (performance) return `${event.title}, ${formatVenueTime(performance.startsAt, timeZone, locale)}`;
      }
      return id;
    });
    lines.push(`Performances: ${names.join('; ')}`);
  }
  if (promo.priceTypes.length > 0) lines.push(`Ticket types: ${promo.priceTypes.join(', ')}`);
  if (lines.length === 0) lines.push('All tickets');
  return lines;
}

export const STATUS_LABELS: Record<PromoStatus, string> = {
  active: 'Active',
  scheduled: 'Scheduled',
  expired: 'Expired',
  used_up: 'Used up',
  deleted: 'Deleted',
};

// --- patron refusals --------------------------------------------------------------------------

const REFUSALS = new Set(['promo_not_applicable', 'promo_expired', 'promo_exhausted']);

/** A code refused when it is put on the cart or at checkout (unknown, not yet or no longer
 *  valid, used up, not for these tickets): the server's message says which. */
export function isPromoRefusal(e: unknown): boolean {
  return e instanceof ApiError && REFUSALS.has(e.code);
}

/** What to show by the promo code field when applying or removing a code fails. */
export function promoMessage(e: unknown): string {
  if (!(e instanceof ApiError)) return 'Something went wrong; please try again.';
  if (isPromoRefusal(e)) return sentence(e.message);
  if (e.code === 'invalid_field') return 'Enter the promo code as it was given to you: 3 to 32 letters or digits.';
  if (e.code === 'cart_not_open') return 'Your cart is at the payment step: the promo code cannot change now.';
  if (e.status === 0) return e.message;
  if (e.status >= 500) return 'Something went wrong on our side; please try again.';
  return sentence(e.message);
}

/** "there is no such code" → "There is no such code." */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
