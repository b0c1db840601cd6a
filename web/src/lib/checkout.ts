// Checkout and orders (API.md "Public"): the checkout request built from the cart, what the
// server answers (totals it computed, the payment to make), guest orders read with their
// secret order token, and the wording of every refusal. The server prices everything; the
// page only shows each ticket's price options (from the performance's price table, plus the
// hidden prices the cart's promo code unlocks) and the totals it is given.
import { endPatronSessionIfRefused, patronHeaders } from './account.svelte';
import { ApiError, isRecord, request, type PublicSchemas as S } from './api';
import { describeItem, type CartCredentials, type CartItem } from './carts';
import type { LocalTime, PriceView } from './catalog';
import { formatMoney } from './format';
import { addressBody, type AddressForm } from './postal';
import { isPromoRefusal, sentence, type UnlockedPrice } from './promos';

export type Delivery = S['Delivery'];
export type OrderStatus = S['OrderStatus'];
export type PaymentMode = S['PaymentMode'];

/** Money of one order: integer minor units, all in `currency`; one line per ticket, in the order
 * the tickets were sent. */
export type LineTotal = S['LineTotal'];
export type Totals = S['Totals'];
export type PaymentView = S['PaymentView'];
export type CheckoutTicket = S['CheckoutTicket'];

/** The checkout request as this page sends it (always with a delivery). */
export type CheckoutBody = S['CheckoutBody'] & { delivery: Delivery };

/** What checkout answers: the order, its secret token (shown once), the totals, and the payment
 * to make (null for a free order, which is paid already). */
export type CheckoutResult = S['CheckoutView'];
export type Place = S['Place'];
export type OrderTicket = S['TicketView'];
export type Refund = S['RefundView'];
export type OrderView = S['OrderView'];

const enc = encodeURIComponent;

/** Rethrows `e`, ending the patron's session first when the server refused their token. */
function refusedPatron(e: unknown): never {
  endPatronSessionIfRefused(e);
  throw e;
}

export function checkout(credentials: CartCredentials, body: CheckoutBody): Promise<CheckoutResult> {
  return request<CheckoutResult>('POST', `/api/v1/carts/${enc(credentials.cartId)}/checkout`, {
    body,
    // A logged-in patron's order is filed under the account.
    headers: { 'X-Cart-Token': credentials.cartToken, ...patronHeaders() },
  }).catch(refusedPatron);
}

/** An order, with its order token, or (without one) with the logged-in patron's token. */
export function getOrder(orderId: string, orderToken: string | null): Promise<OrderView> {
  if (orderToken) return request<OrderView>('GET', `/api/v1/orders/${enc(orderId)}`, { headers: { 'X-Order-Token': orderToken } });
  return request<OrderView>('GET', `/api/v1/orders/${enc(orderId)}`, { headers: patronHeaders() }).catch(refusedPatron);
}

/**
 * The tickets' PDF of an account's order, for a browser that has no order token: the API
 * answers the patron token with a redirect to a short-lived link, which fetch follows; the
 * page then opens that link.
 */
export async function accountTicketsUrl(orderId: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`/api/v1/orders/${enc(orderId)}/tickets.pdf`, {
      headers: { Accept: 'application/pdf', ...patronHeaders() },
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Could not reach the server; check the connection and try again');
  }
  if (!response.ok) {
    let body: unknown = undefined;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    refusedPatron(ApiError.fromResponse(response.status, body));
  }
  void response.body?.cancel();
  return response.url;
}

/** The tickets' PDF (the API redirects to a short-lived download). */
export function ticketsPdfUrl(orderId: string, orderToken: string): string {
  return `/api/v1/orders/${enc(orderId)}/tickets.pdf?token=${enc(orderToken)}`;
}

// --- building the request ---------------------------------------------------------------------

/**
 * The price types a ticket of `zone` can have: everyone's, in the venue's order (the first is
 * the default), then the hidden ones the cart's promo code unlocks there (`unlocked`: the
 * cart's `promo.unlocks` for this ticket's performance), priced in `currency` (the venue's).
 */
export function priceOptions(
  prices: readonly PriceView[],
  zone: string,
  unlocked: readonly UnlockedPrice[] = [],
  currency: string = prices[0]?.price.currency ?? '',
): PriceView[] {
  const options = prices.filter((p) => p.zone === zone && !p.hidden);
  const zoneName = prices.find((p) => p.zone === zone)?.zoneName ?? zone;
  for (const u of unlocked) {
    if (u.zone !== zone || options.some((p) => p.priceType === u.priceType)) continue;
    options.push({ zone, zoneName, priceType: u.priceType, price: { amount: u.amount, currency }, hidden: true });
  }
  return options;
}

/** The hidden prices the cart's promo code unlocks for one performance (none without a code). */
export function unlockedFor(unlocks: readonly UnlockedPrice[] | null | undefined, performanceId: string): UnlockedPrice[] {
  return (unlocks ?? []).filter((u) => u.performanceId === performanceId);
}

/** "adult" → "Adult", "senior_citizen" → "Senior citizen". */
export function priceTypeLabel(priceType: string): string {
  const words = priceType.replace(/[_-]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : priceType;
}

/** "Adult — $85.00": one option of a ticket's price-type picker. */
export function priceOptionLabel(price: PriceView): string {
  return `${priceTypeLabel(price.priceType)} — ${formatMoney(price.price)}`;
}

/**
 * Each held ticket's price type: the one already chosen while the zone still offers it to this
 * cart, else the zone's first public price (so a ticket on an unlocked price falls back when the
 * promo code is removed). Tickets whose prices are not known yet are left out.
 */
export function choosePriceTypes(
  items: readonly CartItem[],
  pricesOf: (performanceId: string) => readonly PriceView[] | undefined,
  chosen: Readonly<Record<string, string>>,
  unlocks: readonly UnlockedPrice[] = [],
): Record<string, string> {
  const next: Record<string, string> = {};
  for (const item of items) {
    const prices = pricesOf(item.performanceId);
    if (!prices) continue;
    const options = priceOptions(prices, item.zone, unlockedFor(unlocks, item.performanceId));
    const current = chosen[item.holdId];
    const kept = options.find((p) => p.priceType === current) ?? options[0];
    if (kept) next[item.holdId] = kept.priceType;
  }
  return next;
}

export interface ContactForm {
  name: string;
  email: string;
  delivery: Delivery;
  /** Where to post the tickets (sent only with `delivery: "mail"`). */
  address?: AddressForm;
}

/** What the form can tell before asking the server (which still decides). */
export function contactErrors(form: ContactForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.name.trim()) errors['name'] = 'Enter your name.';
  const email = form.email.trim();
  if (!email) errors['email'] = 'Enter your email address: your tickets are sent there.';
  else if (!/^[^\s@]+@[^\s@]+$/.test(email)) errors['email'] = 'Enter a valid email address, like name@example.com.';
  return errors;
}

/** The checkout request: one entry per held ticket, in the cart's order. */
export function buildCheckoutBody(
  form: ContactForm,
  items: readonly CartItem[],
  priceTypes: Readonly<Record<string, string>>,
): CheckoutBody {
  const body: CheckoutBody = {
    email: form.email.trim(),
    name: form.name.trim(),
    delivery: form.delivery,
    tickets: items.map((item) => {
      const priceType = priceTypes[item.holdId];
      if (!priceType) throw new Error(`no price type chosen for hold ${item.holdId}`);
      return { holdId: item.holdId, priceType };
    }),
  };
  if (form.delivery === 'mail' && form.address) body.address = addressBody(form.address);
  return body;
}

/** The id of the checkout form's control for an error's field (`address.postalCode` → `address-postalCode`). */
export function checkoutFieldId(field: string): string {
  if (field === 'name' || field === 'email') return `checkout-${field}`;
  if (field === 'delivery') return 'delivery-mail';
  if (field.startsWith('address.')) return `address-${field.slice('address.'.length)}`;
  return field;
}

// --- errors ---------------------------------------------------------------------------------

export interface CheckoutProblem {
  message: string;
  /** A form field the message belongs next to: `name`, `email`, `delivery` or `address.<field>`. */
  field?: string;
  /** The cart is no longer what the page shows: read it again. */
  refreshCart?: boolean;
  /** The cart has been paid for already: the next purchase needs a new one. */
  cartCompleted?: boolean;
  /** The cart's promo code was refused: the patron changes or removes it in the cart. */
  promo?: boolean;
  /** The venue no longer posts tickets: read the site again (the "by post" choice goes). */
  mailNotOffered?: boolean;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** "A", "A and B", "A, B and C" (or "… or C"). */
function listInWords(names: string[], conjunction: 'and' | 'or' = 'and'): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
}

/**
 * What a refused checkout means to the patron. `holdName` turns a hold id into words
 * ("Orchestra, row C, seat 12") for the codes that name holds.
 */
export function checkoutProblem(e: unknown, holdName: (holdId: string) => string | undefined = () => undefined): CheckoutProblem {
  if (!(e instanceof ApiError)) return { message: 'Something went wrong; please try again.' };
  const named = (ids: string[]) => ids.map((id) => holdName(id)).filter((n): n is string => !!n);
  if (isPromoRefusal(e)) {
    // The server says why (expired, used up, not for these tickets…); nothing was ordered.
    return { message: `${sentence(e.message)} Nothing was charged.`, promo: true, refreshCart: true };
  }
  switch (e.code) {
    case 'invalid_field': {
      if (e.field === 'email') return { field: 'email', message: 'Enter a valid email address, like name@example.com.' };
      if (e.field === 'name') return { field: 'name', message: 'Enter your name (up to 120 characters).' };
      if (e.field === 'address') return { field: 'address.line1', message: 'Enter the address to post the tickets to.' };
      if (e.field?.startsWith('address.')) return { field: e.field, message: sentence(e.fieldMessage) };
      return { message: e.message };
    }
    case 'cart_not_open': {
      const status = e.details['status'];
      if (status === 'checkout') {
        return { message: 'Your cart is already at the payment step, perhaps in another tab. Finish paying there, or wait for your seats to be released.', refreshCart: true };
      }
      if (status === 'completed') {
        return { message: 'These tickets have been bought already. Choose seats again to start a new order.', cartCompleted: true };
      }
      return { message: 'Your cart has expired and its seats were released. Choose your seats again.', refreshCart: true };
    }
    case 'cart_not_found':
      return { message: 'Your cart could not be found; it may have expired. Choose your seats again.', refreshCart: true };
    case 'cart_changed':
      return { message: 'Your cart changed while you were checking out. Check your tickets and try again.', refreshCart: true };
    case 'hold_expired': {
      const names = named(stringList(e.details['holds']));
      const what = names.length > 0 ? listInWords(names) : 'some of your tickets';
      return {
        message: `Sorry — your hold on ${what} ran out and ${names.length === 1 ? 'it was' : 'they were'} released. Check your cart and try again.`,
        refreshCart: true,
      };
    }
    case 'not_on_sale':
      return { message: 'Sorry — tickets for a performance in your cart are no longer on sale. Remove them from your cart to continue.' };
    case 'missing_tickets':
      return { message: 'Your cart has tickets this page did not show yet. Check the ticket types and try again.', refreshCart: true };
    case 'unknown_holds':
      return { message: 'Some tickets are no longer in your cart. Check your tickets and try again.', refreshCart: true };
    case 'invalid_price_type': {
      const holdId = typeof e.details['holdId'] === 'string' ? e.details['holdId'] : '';
      const available = stringList(e.details['available']).map(priceTypeLabel);
      const ticket = holdName(holdId) ?? 'one of your tickets';
      const choices = available.length > 0 ? ` Choose ${listInWords(available, 'or')}.` : '';
      return { message: `That ticket type is not available for ${ticket}.${choices}` };
    }
    case 'seat_unavailable':
      return { message: 'Sorry — some of your seats were taken before the order could be completed. Choose other seats.', refreshCart: true };
    case 'payment_provider_error':
      return { message: 'We could not start the payment with our card processor. Nothing was charged; please try again in a moment.' };
    case 'payments_unavailable':
      return { message: 'Card payments are not available right now, so only free tickets can be ordered. Nothing was charged.' };
    case 'payments_not_ready':
      // The server's message is for the venue's staff (it names the admin's Payments page).
      return { message: 'This venue cannot take card payments at the moment. Nothing was charged; please try again later or contact the venue.' };
    case 'busy':
      return { message: 'Many people are buying right now. Nothing was charged; please try again.' };
    case 'mail_not_offered':
      return { field: 'delivery', message: 'This venue no longer posts tickets. Choose e-tickets instead; nothing was charged.', mailNotOffered: true };
    case 'mail_closed': {
      const days = /(\d+) days?/.exec(e.message)?.[1];
      const until = days ? ` Tickets are posted only until ${days} ${days === '1' ? 'day' : 'days'} before the performance.` : '';
      return { field: 'delivery', message: `It is too late to post these tickets.${until} Choose e-tickets instead; nothing was charged.` };
    }
    case 'unauthorized':
      // The account's token was refused (the session ended elsewhere); it is dropped already.
      if (!/X-(Cart|Order)-Token/i.test(e.message)) {
        return { message: 'Your session has ended, so you are logged out. Nothing was charged: check out again as a guest, or log in first to file the order under your account.' };
      }
      return { message: e.message };
    default:
      if (e.status >= 500) return { message: 'Something went wrong on our side. Nothing was charged; please try again.' };
      return { message: e.message };
  }
}

// --- showing orders ---------------------------------------------------------------------------

export function money(amount: number, currency: string): string {
  return formatMoney({ amount, currency });
}

/** "Orchestra, row C, seat 12", or the area's name for general admission. */
export function describePlace(place: Place): string {
  if (place.seatLabel) {
    const parts: string[] = [];
    if (place.sectionName) parts.push(place.sectionName);
    if (place.row) parts.push(`row ${place.row}`);
    parts.push(`seat ${place.seatLabel}`);
    return parts.join(', ');
  }
  if (place.areaName) return `${place.areaName} (general admission)`;
  return 'General admission';
}

export function orderStatusLabel(status: OrderStatus | string): string {
  switch (status) {
    case 'pending':
      return 'Awaiting payment';
    case 'paid':
      return 'Paid';
    case 'partially_refunded':
      return 'Partly refunded';
    case 'refunded':
      return 'Refunded';
    case 'cancelled':
      return 'Cancelled';
    default:
      return status;
  }
}

/** Whether the order has tickets to download (paid, possibly with some refunded). */
export function hasTickets(order: Pick<OrderView, 'status'>): boolean {
  return order.status === 'paid' || order.status === 'partially_refunded';
}

export interface TicketGroup {
  performanceId: string;
  eventTitle: string;
  startsAt: LocalTime | null;
  tickets: OrderTicket[];
}

/** The order's tickets by performance, in the order they first appear. */
export function groupTickets(tickets: readonly OrderTicket[]): TicketGroup[] {
  const groups = new Map<string, TicketGroup>();
  for (const ticket of tickets) {
    let group = groups.get(ticket.performanceId);
    if (!group) {
      group = { performanceId: ticket.performanceId, eventTitle: ticket.eventTitle, startsAt: ticket.startsAt ?? null, tickets: [] };
      groups.set(ticket.performanceId, group);
    }
    group.tickets.push(ticket);
  }
  return [...groups.values()];
}

// --- this tab's orders and checkout (sessionStorage) -----------------------------------------

const TOKENS_KEY = 'marquee.orderTokens';
const CHECKOUT_KEY = 'marquee.checkout';

function session(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

function readJson(key: string): unknown {
  const raw = session()?.getItem(key);
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    session()?.removeItem(key);
    return null;
  }
}

function writeJson(key: string, value: unknown): void {
  try {
    if (value === null) session()?.removeItem(key);
    else session()?.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: the order page then needs the link from the email
  }
}

/** Keeps an order's token for this tab, so `/orders/{id}` works without `?token=`. */
export function rememberOrderToken(orderId: string, token: string): void {
  const tokens = readJson(TOKENS_KEY);
  const next: Record<string, string> = isRecord(tokens)
    ? Object.fromEntries(Object.entries(tokens).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};
  next[orderId] = token;
  writeJson(TOKENS_KEY, next);
}

export function rememberedOrderToken(orderId: string): string | null {
  const tokens = readJson(TOKENS_KEY);
  const token = isRecord(tokens) ? tokens[orderId] : undefined;
  return typeof token === 'string' && token ? token : null;
}

/** A checkout waiting for its payment: enough to show the payment step again after a reload. */
export interface PendingCheckout {
  cartId: string;
  orderId: string;
  orderNumber: string;
  totals: Totals;
  payment: PaymentView;
  /** What each of `totals.lines` is, in words ("Orchestra, row C, seat 12"). */
  labels: string[];
  /** The card was accepted; the order is being confirmed. */
  paid?: boolean;
}

export function savePendingCheckout(pending: PendingCheckout | null): void {
  writeJson(CHECKOUT_KEY, pending);
}

export function loadPendingCheckout(): PendingCheckout | null {
  const value = readJson(CHECKOUT_KEY);
  if (
    isRecord(value) &&
    typeof value['cartId'] === 'string' &&
    typeof value['orderId'] === 'string' &&
    typeof value['orderNumber'] === 'string' &&
    isRecord(value['totals']) &&
    isRecord(value['payment']) &&
    typeof value['payment']['clientSecret'] === 'string' &&
    typeof value['payment']['paymentIntentId'] === 'string'
  ) {
    return value as unknown as PendingCheckout;
  }
  if (value !== null) writeJson(CHECKOUT_KEY, null);
  return null;
}

/** The pending checkout, and the labels of its lines, from a checkout answer. */
export function pendingCheckout(cartId: string, result: CheckoutResult, items: readonly CartItem[]): PendingCheckout | null {
  if (!result.payment) return null;
  return {
    cartId,
    orderId: result.orderId,
    orderNumber: result.orderNumber,
    totals: result.totals,
    payment: result.payment,
    labels: items.map(describeItem),
  };
}

/** A phone order sent as a payment link, as its page shows it: `pay` while its card payment
 * waits, `late` once the deadline passed unpaid (the seats are being released), `null` for
 * any other order, once this tab's card was accepted (`paidHere`), or once the payment is
 * no longer waiting (paid elsewhere: the order is being confirmed). */
export function paymentLinkState(
  order: Pick<OrderView, 'status' | 'payment' | 'payBy'>,
  now: Date,
  paidHere: boolean,
): 'pay' | 'late' | null {
  if (order.status !== 'pending' || !order.payBy || paidHere) return null;
  const deadline = Date.parse(order.payBy);
  if (!Number.isNaN(deadline) && deadline <= now.getTime()) return 'late';
  // No payment to take before the deadline: it went through (or is going through) elsewhere.
  return order.payment ? 'pay' : null;
}
