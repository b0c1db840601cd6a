// Carts and seat holds (API.md "Public"). A cart is addressed by its id plus the secret
// `X-Cart-Token` returned once at creation; every cart call sends it.
import { request } from './api';

export interface CartCredentials {
  cartId: string;
  cartToken: string;
}

export interface CreatedCart extends CartCredentials {
  /** When the cart itself is discarded if never checked out (holds expire much sooner). */
  expiresAt: string;
}

export type CartStatus = 'open' | 'checkout' | 'completed' | 'expired';

export interface CartSeat {
  id: string;
  section: string;
  sectionName: string;
  row: string;
  label: string;
  accessible: boolean;
}

export interface CartItem {
  holdId: string;
  performanceId: string;
  seat: CartSeat | null;
  area: { id: string; name: string } | null;
  zone: string;
  /** RFC 3339: when this hold ends. */
  expiresAt: string;
}

export interface CartView {
  cartId: string;
  status: CartStatus;
  /** Tickets this cart may hold in all. */
  limit: number;
  /** Tickets it may still add. */
  remaining: number;
  /** When the first of its holds expires (the countdown); null when it holds nothing. */
  expiresAt: string | null;
  items: CartItem[];
}

/** Exactly one way of choosing: explicit seats, best available, or general admission. */
export type HoldRequest =
  | { performanceId: string; seats: string[] }
  | { performanceId: string; bestAvailable: { quantity: number; zone?: string } }
  | { performanceId: string; generalAdmission: { areaId: string; quantity: number } };

const enc = encodeURIComponent;

function token(credentials: CartCredentials) {
  return { 'X-Cart-Token': credentials.cartToken };
}

export function createCart(): Promise<CreatedCart> {
  return request<CreatedCart>('POST', '/api/v1/carts');
}

export function getCart(credentials: CartCredentials): Promise<CartView> {
  return request<CartView>('GET', `/api/v1/carts/${enc(credentials.cartId)}`, { headers: token(credentials) });
}

export function addHold(credentials: CartCredentials, hold: HoldRequest): Promise<CartView> {
  return request<CartView>('POST', `/api/v1/carts/${enc(credentials.cartId)}/holds`, {
    body: hold,
    headers: token(credentials),
  });
}

export function releaseHold(credentials: CartCredentials, holdId: string): Promise<CartView> {
  return request<CartView>('DELETE', `/api/v1/carts/${enc(credentials.cartId)}/holds/${enc(holdId)}`, {
    headers: token(credentials),
  });
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
