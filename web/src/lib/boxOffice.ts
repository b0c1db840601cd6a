// The box office window (API.md "Admin", permission `sell`): a staff cart on the same holds as
// the web (so a seat is never sold twice), the quote of what the sale costs, and the sale itself
// — cash with change, a card at the window, a phone order (a payment link emailed to the patron,
// or the card keyed in where the venue enabled MOTO), complimentary tickets with a reason
// (`comp`), or a reservation paid later — delivered printed, by email, at will call or by post
// (to an address checked by its country's rules, the venue's postage in the total) — then
// will-call: collecting, paying or cancelling.
// Everything here is pure except the calls: the pages ask these functions what to send, whether
// a button may be pressed and why not, and what a refusal means to the clerk.
import { ApiError, request, type AdminSchemas as S } from './api';
import type { HoldRequest } from './carts';
import type { PriceView } from './catalog';
import { priceTypeLabel } from './checkout';
import { currencyDigits, formatMoney } from './format';
import {
  ADDRESS_FIELDS,
  addressBody,
  addressErrors,
  addressLines,
  emptyAddress,
  findFormat,
  mailClosesAt,
  normalPostalCode,
  type AddressField,
  type AddressForm,
  type AddressFormat,
} from './postal';
import { utcToZonedInput, zonedToUtc } from './zoned';

export type { HoldRequest };

// --- the API's shapes (api/admin.d.ts) ---------------------------------------------------------

/** One held ticket: a seat (`seatId`), or a place in a general-admission area (`areaId`). */
export type StaffCartItem = S['StaffCartItem'];
/** A box office cart: holds last `holdSeconds` (30 minutes); `expiresAt` is the first to end. */
export type StaffCartView = S['StaffCartView'];
export type Totals = S['Totals'];
export type SaleTicket = S['SaleTicket'];
export type SalePatron = S['SalePatron'];
export type QuoteBody = S['QuoteBody'];
/** Printed at the window, emailed, kept at will call, or posted (`mail`, with an address). */
export type SaleDelivery = S['Delivery'];
/** How the window takes payment: cash, a card (at the window, or keyed in for a phone order
 * where the venue enabled MOTO), a comp, or a reservation paid later. */
export type SalePayment = S['SalePayment'];
export type PaymentMethod = SalePayment['method'];
/** A found patron: the details of their latest order, and how many orders. */
export type PatronSummary = S['PatronSummary'];
/** A performance's will-call list: orders to collect and reservations to pay (`toPay`). */
export type WillCallOrder = S['WillCallOrder'];
export type ReservationPaidView = S['ReservationPaidView'];
export type OrderCancelledView = S['OrderCancelledView'];
export type SellBody = S['SellBody'] & { payment: SalePayment; delivery: SaleDelivery };
/** A card payment to confirm in the browser, as the patron checkout does for its mode. */
export type SalePaymentView = S['SalePaymentView'];
/** A phone order's payment link, emailed to the patron (`sent: false` when the email could not
 * be queued): the seats are held until `until`. */
export type PaymentLinkSent = S['PaymentLinkView'];
/** The sale: `paid` for cash and comps, `pending` until a card payment succeeds (or the patron
 * pays the emailed link, `paymentLink`); `changeDue` in minor units. */
export type SoldView = S['SoldView'];
/** Tickets collected at the box office: when, and by whom. */
export type PickUp = S['PickUp'];

// --- calls ------------------------------------------------------------------------------------

const enc = encodeURIComponent;

export function openSaleCart(): Promise<StaffCartView> {
  return request<StaffCartView>('POST', '/admin/v1/carts', { body: {}, staff: true });
}

export function getSaleCart(cartId: string): Promise<StaffCartView> {
  return request<StaffCartView>('GET', `/admin/v1/carts/${enc(cartId)}`, { staff: true });
}

export function holdForSale(cartId: string, hold: HoldRequest): Promise<StaffCartView> {
  return request<StaffCartView>('POST', `/admin/v1/carts/${enc(cartId)}/holds`, { body: hold, staff: true });
}

export function releaseSaleHold(cartId: string, holdId: string): Promise<StaffCartView> {
  return request<StaffCartView>('DELETE', `/admin/v1/carts/${enc(cartId)}/holds/${enc(holdId)}`, { staff: true });
}

export function quoteSale(cartId: string, body: QuoteBody): Promise<Totals> {
  return request<Totals>('POST', `/admin/v1/carts/${enc(cartId)}/quote`, { body, staff: true });
}

export function sell(cartId: string, body: SellBody): Promise<SoldView> {
  return request<SoldView>('POST', `/admin/v1/carts/${enc(cartId)}/sell`, { body, staff: true });
}

/** Patrons whose name, email or phone starts with `q` (at least 2 characters), at most 20. */
export async function searchPatrons(q: string): Promise<PatronSummary[]> {
  const list = await request<S['PatronList']>('GET', `/admin/v1/patrons?q=${enc(q.trim())}`, { staff: true });
  return list.patrons;
}

/** A performance's will-call list (reservations to pay first). */
export async function willCall(performanceId: string, q = ''): Promise<WillCallOrder[]> {
  const query = q.trim() ? `?q=${enc(q.trim())}` : '';
  const list = await request<S['WillCallList']>('GET', `/admin/v1/performances/${enc(performanceId)}/will-call${query}`, { staff: true });
  return list.orders;
}

/** Takes a reservation's payment: cash (minor units) or a card. */
export function payReservation(orderId: string, body: S['PayBody']): Promise<ReservationPaidView> {
  return request<ReservationPaidView>('POST', `/admin/v1/orders/${enc(orderId)}/pay`, { body, staff: true });
}

/** The patron collects a will-call order: marked once (a second time is refused, naming who). */
export function pickUp(orderId: string): Promise<WillCallOrder> {
  return request<WillCallOrder>('POST', `/admin/v1/orders/${enc(orderId)}/pickup`, { body: {}, staff: true });
}

/** Cancels a reservation before its deadline: its seats are released. */
export function cancelReservation(orderId: string): Promise<OrderCancelledView> {
  return request<OrderCancelledView>('DELETE', `/admin/v1/orders/${enc(orderId)}/reservation`, { staff: true });
}

/** Cancels a card sale waiting for its payment: the seats go back to the cart (`cartId`). */
export function cancelCardSale(orderId: string): Promise<OrderCancelledView> {
  return request<OrderCancelledView>('POST', `/admin/v1/orders/${enc(orderId)}/cancel`, { body: {}, staff: true });
}

/** The venue's maximum reservation from `now`, no later than the performance's start, as a
 * `datetime-local` value in the venue's `timeZone` (the clerk's computer may be elsewhere). */
export function defaultReserveUntil(now: Date, reserveHours: number, timeZone: string, startsAt?: string): string {
  let end = now.getTime() + reserveHours * 3_600_000;
  const start = startsAt ? Date.parse(startsAt) : NaN;
  if (!Number.isNaN(start)) end = Math.min(end, start);
  return utcToZonedInput(new Date(end - (end % 60_000)).toISOString(), timeZone);
}

/** The admin performance, with every price (hidden ones marked). */
export function getSalePerformance(performanceId: string): Promise<S['PerformanceView']> {
  return request<S['PerformanceView']>('GET', `/admin/v1/performances/${enc(performanceId)}`, { staff: true });
}

// --- prices -------------------------------------------------------------------------------------

export interface SalePriceOption {
  priceType: string;
  amount: number;
  currency: string;
  hidden: boolean;
  /** "Adult — $85.00", "Friends (hidden) — $20.00". */
  label: string;
}

/** A zone's price types as staff may sell them: everyone's first (the first is the default),
 * then the hidden ones (staff may sell those without a promo code), marked. */
export function salePriceOptions(prices: readonly PriceView[], zone: string): SalePriceOption[] {
  const inZone = prices.filter((p) => p.zone === zone);
  const ordered = [...inZone.filter((p) => !p.hidden), ...inZone.filter((p) => p.hidden)];
  return ordered.map((p) => ({
    priceType: p.priceType,
    amount: p.price.amount,
    currency: p.price.currency,
    hidden: !!p.hidden,
    label: `${priceTypeLabel(p.priceType)}${p.hidden ? ' (hidden)' : ''} — ${formatMoney(p.price)}`,
  }));
}

/** Each ticket's price type: the one chosen while its zone still offers it, else the zone's
 * first. Tickets whose prices are not known yet are left out. */
export function salePriceTypes(
  items: readonly StaffCartItem[],
  pricesOf: (performanceId: string) => readonly PriceView[] | undefined,
  chosen: Readonly<Record<string, string>>,
): Record<string, string> {
  const next: Record<string, string> = {};
  for (const item of items) {
    const prices = pricesOf(item.performanceId);
    if (!prices) continue;
    const options = salePriceOptions(prices, item.zone);
    const kept = options.find((o) => o.priceType === chosen[item.holdId]) ?? options[0];
    if (kept) next[item.holdId] = kept.priceType;
  }
  return next;
}

// --- the form -----------------------------------------------------------------------------------

/** How the clerk takes the money: the API's methods, and `phone` — a card not present, paid by
 * a link emailed to the patron or keyed in by the clerk (MOTO). */
export type SaleMethod = PaymentMethod | 'phone';

/** A phone order's card: a payment link emailed to the patron (the default), or keyed in by the
 * clerk (MOTO: only where the venue enabled it, since 3-D Secure challenges would reach the clerk). */
export type PhoneCard = 'link' | 'moto';

export interface SaleForm {
  method: SaleMethod;
  phoneCard: PhoneCard;
  /** A reservation's deadline, as a `datetime-local` value in the venue's timezone. */
  until: string;
  /** As typed, in major units ("50", "50.00"). */
  tendered: string;
  reason: string;
  name: string;
  email: string;
  phone: string;
  delivery: SaleDelivery;
  /** Where posted tickets go (sent only with `delivery: "mail"`). */
  address: AddressForm;
}

/** `country`: the first the venue posts to, chosen in the address form to start with. */
export function emptySaleForm(country = ''): SaleForm {
  return {
    method: 'cash',
    phoneCard: 'link',
    until: '',
    tendered: '',
    reason: '',
    name: '',
    email: '',
    phone: '',
    delivery: 'print',
    address: emptyAddress(country),
  };
}

// --- tickets by post ----------------------------------------------------------------------------

/** Tickets by post as the window offers them (the admin venue's `mail`), with the address
 * rules of each country the venue posts to. */
export interface WindowMail {
  /** Postage added to a posted order (minor units of the venue's currency). */
  fee: number;
  /** Posting closes this many whole days before the earliest performance of the sale. */
  cutoffDays: number;
  /** Who posts them: the box office from the to-post list, or the print-and-mail provider. */
  fulfilment: S['Fulfilment'];
  /** The countries posted to, by name. */
  countries: AddressFormat[];
}

/** What the admin venue says about posting tickets; null when the venue does not post them
 * (off, or no country to post to). */
export function windowMail(venue: Pick<S['VenueView'], 'settings' | 'postalCountries'>): WindowMail | null {
  const mail = venue.settings.mail;
  if (!mail.enabled) return null;
  const countries = mail.countries
    .map((code) => findFormat(venue.postalCountries, code))
    .filter((f): f is AddressFormat => !!f)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (countries.length === 0) return null;
  return { fee: mail.fee, cutoffDays: mail.cutoffDays, fulfilment: mail.fulfilment, countries };
}

/** Whether posting has closed for a sale of performances starting at `startsAt` (UTC). */
export function windowMailClosed(mail: Pick<WindowMail, 'cutoffDays'>, startsAt: readonly string[], now: number): boolean {
  const closes = mailClosesAt(startsAt, mail.cutoffDays);
  return !!closes && closes.getTime() <= now;
}

/** The address as the envelope will read, for the clerk to read back to the patron. */
export function postedToLines(address: AddressForm, countries: readonly AddressFormat[]): string[] {
  const format = findFormat(countries, address.country);
  const body = addressBody(address);
  const upper = (field: AddressField, value: string) => (format?.upper.includes(field) ? value.toUpperCase() : value);
  return addressLines(
    {
      name: body.name ?? '',
      line1: body.line1 ?? '',
      ...(body.line2 ? { line2: body.line2 } : {}),
      city: upper('city', body.city ?? ''),
      ...(body.region ? { region: upper('region', body.region) } : {}),
      postalCode: format ? normalPostalCode(format, body.postalCode ?? '') : (body.postalCode ?? ''),
      country: body.country ?? '',
    },
    format?.name,
  );
}

/** Cash as typed ("50", "$50.00", "1,250") → minor units of `currency`; null when it is not an amount. */
export function parseCash(text: string, currency: string): number | null {
  const digits = currencyDigits(currency);
  const clean = text.trim().replace(/^[^\d.-]+/, '').replace(/,/g, '');
  const pattern = digits > 0 ? new RegExp(`^\\d+(\\.\\d{0,${digits}})?$|^\\.\\d{1,${digits}}$`) : /^\d+$/;
  if (!clean || !pattern.test(clean)) return null;
  const [whole = '', fraction = ''] = clean.split('.');
  const amount = Number(whole || '0') * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0);
  return Number.isSafeInteger(amount) ? amount : null;
}

/** Change to hand back: null until the cash covers the total. */
export function changeDue(tendered: number | null, total: number): number | null {
  return tendered === null || tendered < total ? null : tendered - total;
}

/** Where the clerk fixes what stops the sale. */
export type SaleField =
  | 'tendered'
  | 'reason'
  | 'email'
  | 'name'
  | 'phone'
  | 'delivery'
  | 'payment'
  | 'tickets'
  | 'until'
  | `address.${AddressField}`;

export type SellState = { ready: true } | { ready: false; why: string; field?: SaleField };

export interface SellInputs {
  form: SaleForm;
  /** How many tickets are held. */
  tickets: number;
  /** Every ticket has a price type. */
  priced: boolean;
  /** The server's total for the tickets and method as they are now; null while it is asked. */
  quote: Totals | null;
  /** Why the total could not be had, if it could not. */
  quoteError?: string;
  /** The holds have run out. */
  expired: boolean;
  /** The role may give comps. */
  mayComp: boolean;
  /** The venue lets staff key in phone orders' cards (MOTO). */
  motoEnabled?: boolean;
  /** A sale is under way. */
  busy: boolean;
  /** Tickets by post, when the venue posts them (null: Post is refused). */
  mail?: WindowMail | null;
  /** Posting has closed for the performances of this sale. */
  mailClosed?: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/** Whether Sell may be pressed and, if not, why (shown beside it, and announced when pressed). */
export function sellState(input: SellInputs): SellState {
  const { form, quote } = input;
  if (input.busy) return { ready: false, why: 'Selling…' };
  if (input.expired) return { ready: false, why: 'The holds have run out: hold the seats again.', field: 'tickets' };
  if (input.tickets === 0) return { ready: false, why: 'Hold seats first.', field: 'tickets' };
  if (!input.priced) return { ready: false, why: 'The prices are still loading.' };
  if (!quote) return { ready: false, why: input.quoteError || 'Working out the total…' };
  if (form.method === 'cash') {
    const tendered = parseCash(form.tendered, quote.currency);
    if (!form.tendered.trim()) return { ready: false, why: `Enter the cash tendered (the total is ${formatMoney({ amount: quote.total, currency: quote.currency })}).`, field: 'tendered' };
    if (tendered === null) return { ready: false, why: 'The cash tendered is not an amount, e.g. 50 or 50.00.', field: 'tendered' };
    if (tendered < quote.total) {
      const short = formatMoney({ amount: quote.total - tendered, currency: quote.currency });
      return { ready: false, why: `The cash tendered is ${short} short of the total.`, field: 'tendered' };
    }
  }
  if (form.method === 'comp') {
    if (!input.mayComp) return { ready: false, why: 'Your role cannot give complimentary tickets.', field: 'payment' };
    if (!form.reason.trim()) return { ready: false, why: 'Enter the reason for the complimentary tickets.', field: 'reason' };
  }
  if (form.method === 'phone') {
    if (form.phoneCard === 'moto' && !input.motoEnabled) return { ready: false, why: 'Keying in cards is not enabled for this venue: send a payment link.', field: 'payment' };
    if (!form.name.trim()) return { ready: false, why: 'A phone order needs the patron’s name.', field: 'name' };
    if (form.phoneCard === 'link' && !form.email.trim()) return { ready: false, why: 'The payment link is emailed: enter the patron’s email.', field: 'email' };
  }
  if (form.method === 'reserve') {
    if (!form.until || !LOCAL_TIME.test(form.until)) return { ready: false, why: 'Choose until when the seats are reserved.', field: 'until' };
    if (!form.name.trim()) return { ready: false, why: 'A reservation needs the patron’s name.', field: 'name' };
    if (!form.email.trim() && !form.phone.trim()) return { ready: false, why: 'A reservation needs the patron’s email or phone.', field: 'phone' };
  }
  const email = form.email.trim();
  if (form.delivery === 'email' && !email) return { ready: false, why: 'Email delivery needs the patron’s email.', field: 'email' };
  if (email && !EMAIL.test(email)) return { ready: false, why: 'The email is not valid, e.g. name@example.com.', field: 'email' };
  if ((email || form.phone.trim()) && !form.name.trim()) return { ready: false, why: 'Enter the patron’s name (or clear the email and phone for a walk-up).', field: 'name' };
  if (form.delivery === 'mail') {
    if (!input.mail) return { ready: false, why: 'This venue does not post tickets: choose another delivery.', field: 'delivery' };
    if (input.mailClosed) return { ready: false, why: 'It is too late to post tickets for this performance: choose another delivery.', field: 'delivery' };
    const [field, why] = Object.entries(saleAddressErrors(form, input.mail))[0] ?? [];
    if (field && why) return { ready: false, why, field: field as SaleField };
  }
  return { ready: true };
}

/** What the address form can tell before sending, keyed `address.<field>` in the form's order
 * (none unless the tickets are posted). */
export function saleAddressErrors(form: Pick<SaleForm, 'delivery' | 'address'>, mail: Pick<WindowMail, 'countries'> | null | undefined): Record<string, string> {
  if (form.delivery !== 'mail' || !mail) return {};
  return addressErrors(form.address, mail.countries);
}

/** The tickets with their price types, in the cart's order. */
export function saleTickets(items: readonly StaffCartItem[], priceTypes: Readonly<Record<string, string>>): SaleTicket[] | null {
  const tickets: SaleTicket[] = [];
  for (const item of items) {
    const priceType = priceTypes[item.holdId];
    if (!priceType) return null;
    tickets.push({ holdId: item.holdId, priceType });
  }
  return tickets;
}

/** Priced as the sale will be: a comp at nothing, posted tickets with the venue's postage. */
export function buildQuoteBody(tickets: readonly SaleTicket[], method: SaleMethod, delivery: SaleDelivery = 'print'): QuoteBody {
  const body: QuoteBody = { tickets: [...tickets] };
  if (method === 'comp') body.comp = true;
  if (delivery === 'mail') body.delivery = 'mail';
  return body;
}

/** The sale as sent: a walk-up has no patron; cash in minor units of `currency`; a
 * reservation's deadline read in the venue's `timeZone`. */
export function buildSellBody(form: SaleForm, tickets: readonly SaleTicket[], currency: string, timeZone: string): SellBody {
  let payment: SalePayment;
  switch (form.method) {
    case 'cash':
      payment = { method: 'cash', tendered: parseCash(form.tendered, currency) ?? 0 };
      break;
    case 'card':
      payment = { method: 'card' };
      break;
    case 'phone':
      payment = { method: 'card', phone: form.phoneCard };
      break;
    case 'reserve':
      payment = { method: 'reserve', until: zonedToUtc(form.until, timeZone) ?? form.until };
      break;
    case 'comp':
      payment = { method: 'comp', reason: form.reason.trim() };
      break;
  }
  const body: SellBody = { tickets: [...tickets], payment, delivery: form.delivery };
  if (form.delivery === 'mail') body.address = addressBody(form.address);
  const name = form.name.trim();
  const email = form.email.trim();
  const phone = form.phone.trim();
  if (name || email || phone) {
    body.patron = { name, ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
  }
  return body;
}

/** "Walk-up", or the patron's name. */
export function patronLabel(form: Pick<SaleForm, 'name'>): string {
  return form.name.trim() || 'Walk-up';
}

// --- wording ------------------------------------------------------------------------------------

function seatList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export interface HoldProblem {
  message: string;
  /** Seats someone else has: drawn as taken at once. */
  taken: string[];
  /** The cart is gone or closed: the next hold opens a new one. */
  newCart?: boolean;
}

/** Why a hold was refused, for the clerk ("Seat F3 was just taken."). */
export function holdProblem(
  e: unknown,
  context: { seatName?: (seatId: string) => string | undefined; quantity?: number; zoneName?: string } = {},
): HoldProblem {
  if (!(e instanceof ApiError)) return { message: 'Something went wrong; please try again.', taken: [] };
  switch (e.code) {
    case 'seat_unavailable': {
      if (e.details['reason'] === 'none_available') {
        const n = context.quantity ?? 1;
        const what = n === 1 ? 'No seat is' : `No ${n} seats together are`;
        return { message: `${what} free${context.zoneName ? ` in ${context.zoneName}` : ''}. Try fewer seats or another zone.`, taken: [] };
      }
      const taken = stringList(e.details['seats']);
      if (taken.length === 0) return { message: e.message.endsWith('.') ? e.message : `${e.message}.`, taken };
      const names = taken.map((id) => context.seatName?.(id) ?? id);
      return {
        message: names.length === 1 ? `Seat ${names[0]} was just taken.` : `Seats ${seatList(names)} were just taken.`,
        taken,
      };
    }
    case 'not_on_sale':
      return { message: 'This performance is not on sale (a draft, paused, cancelled or over).', taken: [] };
    case 'limit_exceeded':
      return { message: e.message.endsWith('.') ? e.message : `${e.message}.`, taken: [] };
    case 'unknown_seats': {
      const names = stringList(e.details['seats']).map((id) => context.seatName?.(id) ?? id);
      return { message: `Not on this performance’s seat map: ${seatList(names) || 'some seats'}.`, taken: [] };
    }
    case 'cart_not_found':
    case 'cart_not_open':
      return { message: 'This sale’s cart is closed. Hold the seats again to start a new sale.', taken: [], newCart: true };
    default:
      if (e.status === 403) return { message: 'Your role cannot sell tickets.', taken: [] };
      if (e.status === 0) return { message: 'The server could not be reached; nothing was held. Try again.', taken: [] };
      return { message: e.message.endsWith('.') ? e.message : `${e.message}.`, taken: [] };
  }
}

export interface SaleProblem {
  message: string;
  /** The form field the message belongs next to. */
  field?: SaleField;
  /** The cart is no longer what the page shows: read it (and the map) again. */
  refreshCart?: boolean;
  /** The price table changed: read the prices again. */
  refreshPrices?: boolean;
  /** The venue no longer posts tickets: Post goes once another delivery is chosen. */
  mailNotOffered?: boolean;
}

const FIELD_WORDS: Record<string, SaleField> = {
  tendered: 'tendered',
  reason: 'reason',
  email: 'email',
  name: 'name',
  phone: 'phone',
  delivery: 'delivery',
  payment: 'payment',
  until: 'until',
  patron: 'name',
};

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** Why a sale (or its quote) was refused: nothing was charged or sold. */
export function saleProblem(e: unknown, method: SaleMethod, money: (amount: number) => string = String, total?: number): SaleProblem {
  if (!(e instanceof ApiError)) return { message: 'Something went wrong; nothing was sold. Please try again.' };
  if (e.status === 0) return { message: 'The server could not be reached; nothing was sold. Check the connection and try again.' };
  if (e.status === 403) {
    return method === 'comp'
      ? { message: 'Your role cannot give complimentary tickets: take cash or a card.', field: 'payment' }
      : { message: 'Your role cannot sell tickets.' };
  }
  switch (e.code) {
    case 'invalid_field': {
      const field = FIELD_WORDS[e.field ?? ''];
      if (field === 'tendered') {
        return { message: total === undefined ? 'The cash tendered is less than the total.' : `The cash tendered is less than the total (${money(total)}).`, field };
      }
      if (field === 'reason') return { message: 'Enter the reason for the complimentary tickets.', field };
      if (field === 'delivery' && e.fieldMessage.includes('email')) return { message: 'Email delivery needs the patron’s email.', field: 'email' };
      if (e.field === 'address') return { message: 'Enter the address to post the tickets to.', field: 'address.line1' };
      const addressField = addressFieldOf(e.field);
      if (addressField) return { message: sentence(e.fieldMessage), field: addressField };
      return field ? { message: sentence(e.fieldMessage), field } : { message: sentence(e.message) };
    }
    case 'holds_expired':
      return { message: 'The holds ran out and the seats were released. Hold them again.', refreshCart: true };
    case 'seats_taken':
    case 'seat_unavailable':
      return { message: 'Some seats were taken meanwhile; the sale is updated. Check the tickets and sell again.', refreshCart: true };
    case 'cart_changed':
    case 'unknown_holds':
    case 'missing_tickets':
      return { message: 'The tickets changed meanwhile; the sale is updated. Check it and sell again.', refreshCart: true };
    case 'cart_not_open':
      return { message: 'This sale is already at the payment step or sold. Start a new sale.', refreshCart: true };
    case 'cart_not_found':
      return { message: 'This sale’s cart no longer exists. Start a new sale.', refreshCart: true };
    case 'invalid_price_type':
      return { message: 'A price type is no longer offered for a ticket: choose another.', refreshPrices: true, field: 'tickets' };
    case 'moto_not_enabled':
      return { message: 'Keying in cards for phone orders is not enabled for this venue: send a payment link instead.', field: 'payment' };
    case 'payments_not_ready':
      return { message: 'Card payments are not set up for this venue yet (see Payments). Take cash instead.', field: 'payment' };
    case 'mail_not_offered':
      return { message: 'This venue no longer posts tickets: choose another delivery. Nothing was sold.', field: 'delivery', mailNotOffered: true };
    case 'mail_closed': {
      const days = /(\d+) days?/.exec(e.message)?.[1];
      const until = days ? ` (tickets are posted until ${days} ${days === '1' ? 'day' : 'days'} before the performance)` : '';
      return { message: `It is too late to post these tickets${until}: choose another delivery. Nothing was sold.`, field: 'delivery' };
    }
    default:
      return { message: sentence(e.message) };
  }
}

/** `address.postalCode` → the form's field; undefined for anything else. */
function addressFieldOf(field: string | undefined): SaleField | undefined {
  const name = field?.startsWith('address.') ? field.slice('address.'.length) : '';
  return (ADDRESS_FIELDS as readonly string[]).includes(name) ? (field as SaleField) : undefined;
}

/** "Held for 29:41", from the first hold's end. */
export function secondsLeft(expiresAt: string | null, now: number): number | null {
  if (!expiresAt) return null;
  const end = Date.parse(expiresAt);
  return Number.isNaN(end) ? null : Math.max(0, Math.ceil((end - now) / 1000));
}

/** "7 Dec 2026, 19:42" in the venue's zone: short enough for a list row. */
export function shortDateTime(instant: string, timeZone: string, locale?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
  } catch {
    return `${new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`;
  }
}

/** "Payment link sent to rosa@example.org; the seats are held until 8 Dec 2026, 19:00." */
export function paymentLinkWords(link: Pick<PaymentLinkSent, 'sentTo' | 'until'>, timeZone: string): string {
  return `Payment link sent to ${link.sentTo}; the seats are held until ${shortDateTime(link.until, timeZone)}.`;
}

// --- will call ------------------------------------------------------------------------------------

/** Where an order sits on the will-call list. */
export type WillCallGroup = 'to_pay' | 'to_collect' | 'collected';

export function willCallGroup(order: Pick<WillCallOrder, 'toPay' | 'pickedUp'>): WillCallGroup {
  if (order.toPay) return 'to_pay';
  return order.pickedUp ? 'collected' : 'to_collect';
}

/** The list in its three parts, each in the server's order (by name). */
export function willCallGroups(orders: readonly WillCallOrder[]): Record<WillCallGroup, WillCallOrder[]> {
  const groups: Record<WillCallGroup, WillCallOrder[]> = { to_pay: [], to_collect: [], collected: [] };
  for (const order of orders) groups[willCallGroup(order)].push(order);
  return groups;
}

/** An order answered by a pick-up or a payment replaces the listed one (the rest stay). */
export function replaceWillCallOrder(orders: readonly WillCallOrder[], next: WillCallOrder): WillCallOrder[] {
  return orders.map((o) => (o.orderId === next.orderId ? next : o));
}

/** "Picked up 7 Dec 2026, 19:42 by ana@example.org". */
export function pickedUpWords(pickUp: PickUp, timeZone: string): string {
  return `Picked up ${shortDateTime(pickUp.at, timeZone)} by ${pickUp.by}`;
}

export type CashCheck = { ready: true; tendered: number; change: number } | { ready: false; why: string };

/** Cash for a reservation as typed: enough for `total` (minor units), and the change. */
export function cashCheck(text: string, total: number, currency: string): CashCheck {
  const money = (amount: number) => formatMoney({ amount, currency });
  if (!text.trim()) return { ready: false, why: `Enter the cash tendered (${money(total)} is due).` };
  const tendered = parseCash(text, currency);
  if (tendered === null) return { ready: false, why: 'The cash tendered is not an amount, e.g. 50 or 50.00.' };
  if (tendered < total) return { ready: false, why: `The cash tendered is ${money(total - tendered)} short of ${money(total)}.` };
  return { ready: true, tendered, change: tendered - total };
}

function isPickUp(value: unknown): value is PickUp {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['at'] === 'string' && typeof v['by'] === 'string';
}

export interface WillCallProblem {
  message: string;
  /** Handed over already: by whom and when (the row shows it). */
  pickedUp?: PickUp;
  /** The cash field is at fault. */
  field?: 'tendered';
  /** The order is not what the list shows any more: read the list again. */
  reload?: boolean;
}

/** Why a pick-up, a reservation's payment or its cancellation was refused, for the clerk. */
export function willCallProblem(e: unknown, timeZone: string): WillCallProblem {
  if (!(e instanceof ApiError)) return { message: 'Something went wrong; please try again.' };
  if (e.status === 0) return { message: 'The server could not be reached; nothing changed. Try again.' };
  if (e.status === 403) return { message: 'Your role cannot do this at the box office.' };
  switch (e.code) {
    case 'already_picked_up': {
      const pickedUp = e.details['pickedUp'];
      if (isPickUp(pickedUp)) return { message: `Already handed over: ${pickedUpWords(pickedUp, timeZone).replace(/^Picked up/, 'picked up')}.`, pickedUp, reload: true };
      return { message: sentence(e.message), reload: true };
    }
    case 'not_will_call':
      return { message: 'This order is not kept for collection (or not paid): nothing to hand over.', reload: true };
    case 'invalid_field':
      if (e.field === 'tendered') return { message: sentence(e.fieldMessage.replace(/^less/, 'The cash tendered is less')), field: 'tendered' };
      return { message: sentence(e.fieldMessage) };
    case 'already_paid':
      return { message: 'This reservation is paid already.', reload: true };
    case 'reservation_expired':
      return { message: 'This reservation’s deadline has passed: its seats were released.', reload: true };
    case 'order_cancelled':
      return { message: 'This reservation was cancelled.', reload: true };
    case 'not_reserved':
      return { message: 'This order is not a reservation to pay.', reload: true };
    case 'payment_underway':
      return { message: 'A card payment for it has gone through or is going through: wait a moment and refresh.', reload: true };
    case 'payments_not_ready':
      return { message: 'Card payments are not set up for this venue yet (see Payments). Take cash instead.' };
    case 'order_changed':
      return { message: 'The order changed meanwhile (another clerk?): the list is updated, try again.', reload: true };
    case 'seat_unavailable':
      return { message: 'A seat of this reservation is no longer free: it cannot be paid. Cancel it and sell other seats.', reload: true };
    default:
      if (e.status === 404) return { message: 'This order no longer exists.', reload: true };
      return { message: sentence(e.message) };
  }
}

/** "2 tickets · $124.00" and, for a reservation, its deadline. */
export function willCallLine(order: WillCallOrder, timeZone: string): string {
  const parts = [`${order.tickets} ${order.tickets === 1 ? 'ticket' : 'tickets'}`, formatMoney(order.total)];
  if (order.toPay && order.reservedUntil) parts.push(`reserved until ${shortDateTime(order.reservedUntil, timeZone)}`);
  return parts.join(' · ');
}
