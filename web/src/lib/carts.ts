// Carts and seat holds (API.md "Public"). A cart is addressed by its id plus the secret
// `X-Cart-Token` returned once at creation; every cart call sends it.
import { request, type PublicSchemas as S } from './api';

export interface CartCredentials {
  cartId: string;
  cartToken: string;
}

/** The new cart's credentials, and when the cart itself is discarded if never checked out
 * (holds expire much sooner). */
export type CreatedCart = S['CreatedCart'];
export type CartStatus = S['CartStatus'];
export type CartSeat = S['SeatView'];
/** A hold: `expiresAt` is when it ends. */
export type CartItem = S['CartItem'];
/** The cart with its live holds; `expiresAt` is when the first of them ends (the countdown);
 * `promo` the code checkout will apply, if any. */
export type CartView = S['CartView'];

/** Exactly one way of choosing: explicit seats, best available, or general admission (the API's
 * HoldBody, with that rule in the type). */
export type HoldRequest =
  | { performanceId: string; seats: string[] }
  | { performanceId: string; bestAvailable: { quantity: number; zone?: string } }
  | { performanceId: string; generalAdmission: { areaId: string; quantity: number } };

const enc = encodeURIComponent;

function token(credentials: CartCredentials) {
  return { 'X-Cart-Token': credentials.cartToken };
}

/** Starts a cart; with `firstHold`, the cart and that hold are one request, and a refused hold
 * (the same errors as addHold) starts no cart. */
export function createCart(firstHold?: HoldRequest): Promise<CreatedCart> {
  return request<CreatedCart>('POST', '/api/v1/carts', firstHold ? { body: firstHold satisfies S['NewCartBody'] } : {});
}

/** The cart a first hold started, as getCart shows it. */
export function createdView(created: CreatedCart): CartView {
  return {
    cartId: created.cartId,
    status: created.status ?? 'open',
    limit: created.limit ?? 0,
    remaining: created.remaining ?? 0,
    expiresAt: created.holdsExpireAt ?? null,
    items: created.items ?? [],
    // A cart is created without a code; the view says so like getCart's does.
    promo: null,
  };
}

export function getCart(credentials: CartCredentials): Promise<CartView> {
  return request<CartView>('GET', `/api/v1/carts/${enc(credentials.cartId)}`, { headers: token(credentials) });
}

export function addHold(credentials: CartCredentials, hold: HoldRequest): Promise<CartView> {
  return request<CartView>('POST', `/api/v1/carts/${enc(credentials.cartId)}/holds`, {
    body: hold satisfies S['HoldBody'],
    headers: token(credentials),
  });
}

export function releaseHold(credentials: CartCredentials, holdId: string): Promise<CartView> {
  return request<CartView>('DELETE', `/api/v1/carts/${enc(credentials.cartId)}/holds/${enc(holdId)}`, {
    headers: token(credentials),
  });
}

/** Puts a promo code on the cart (as typed; case does not matter). Refusals: 422
 * `promo_not_applicable` / `promo_expired`, 409 `promo_exhausted`, each with a message for the
 * patron (see promos.ts promoMessage). */
export function applyPromo(credentials: CartCredentials, code: string): Promise<CartView> {
  return request<CartView>('POST', `/api/v1/carts/${enc(credentials.cartId)}/promo`, {
    body: { code } satisfies S['PromoBody'],
    headers: token(credentials),
  });
}

/** Takes the promo code off the cart. */
export function removePromo(credentials: CartCredentials): Promise<CartView> {
  return request<CartView>('DELETE', `/api/v1/carts/${enc(credentials.cartId)}/promo`, { headers: token(credentials) });
}

/** "Orchestra, row C, seat 12" or the area's name. */
export function describeItem(item: CartItem): string {
  if (item.seat) {
    const section = item.seat.sectionName || item.seat.section;
    return `${section}, row ${item.seat.row}, seat ${item.seat.label}`;
  }
  if (item.area) return `${item.area.name || item.area.id} (general admission)`;
  return 'Ticket';
}
