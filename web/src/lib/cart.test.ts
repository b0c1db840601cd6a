import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { CartStore, cartStorageKey, type CartApi } from './cart.svelte';
import type { CartItem, CartStatus, CartView, HoldRequest } from './carts';
import { holdMessage } from './messages';

const KEY = cartStorageKey('demo.localhost:3000');

function item(holdId: string, seat: string, expiresAt: string): CartItem {
  const [section, row, label] = seat.split('-');
  return {
    holdId,
    performanceId: 'p1',
    seat: { id: seat, section: section!, sectionName: 'Orchestra', row: row!, label: label!, accessible: false },
    area: null,
    zone: 'premium',
    expiresAt,
  };
}

function view(items: CartItem[], cartId = 'c1', status: CartStatus = 'open', promo: CartView['promo'] = null): CartView {
  const expiresAt = items.map((i) => i.expiresAt).sort()[0] ?? null;
  return { cartId, status, limit: 10, remaining: 10 - items.length, expiresAt, items, promo };
}

/** A server with one cart per id; holds expire at `now + 600 s`. */
function fakeServer() {
  const carts = new Map<string, CartItem[]>();
  /** Carts checked out or paid for (the rest are open). */
  const statuses = new Map<string, CartStatus>();
  /** The code on each cart; the server knows only SPRING20. */
  const promos = new Map<string, NonNullable<CartView['promo']>>();
  const promoOf = (cartId: string) => promos.get(cartId) ?? null;
  let n = 0;
  const api: CartApi = {
    createCart: vi.fn(async (first?: HoldRequest) => {
      // Like the server: a refused first hold starts no cart.
      if (first && !('seats' in first)) throw new ApiError(422, 'invalid_body', 'seats only here');
      const cartId = `c${++n}`;
      carts.set(cartId, []);
      const created = { cartId, cartToken: `t-${cartId}`, expiresAt: '2099-01-01T00:00:00Z' };
      if (!first) return created;
      const { cartId: _, ...held } = await api.addHold(created, first);
      return { ...created, ...held, holdsExpireAt: held.expiresAt, expiresAt: created.expiresAt };
    }),
    getCart: vi.fn(async ({ cartId, cartToken }) => {
      const items = carts.get(cartId);
      if (!items || cartToken !== `t-${cartId}`) throw new ApiError(404, 'cart_not_found', 'Cart not found');
      const live = items.filter((i) => Date.parse(i.expiresAt) > Date.now());
      carts.set(cartId, live);
      return view(live, cartId, statuses.get(cartId), promoOf(cartId));
    }),
    addHold: vi.fn(async ({ cartId }, request: HoldRequest) => {
      const items = carts.get(cartId);
      if (!items) throw new ApiError(404, 'cart_not_found', 'Cart not found');
      if (statuses.has(cartId)) throw new ApiError(409, 'cart_not_open', `this cart is ${statuses.get(cartId)} and cannot take more holds`);
      if (!('seats' in request)) throw new ApiError(422, 'invalid_body', 'seats only here');
      const until = new Date(Date.now() + 600_000).toISOString();
      for (const seat of request.seats) items.push(item(`h-${seat}`, seat, until));
      return view(items, cartId, 'open', promoOf(cartId));
    }),
    releaseHold: vi.fn(async ({ cartId }, holdId: string) => {
      const items = carts.get(cartId) ?? [];
      carts.set(cartId, items.filter((i) => i.holdId !== holdId));
      return view(carts.get(cartId)!, cartId, 'open', promoOf(cartId));
    }),
    applyPromo: vi.fn(async ({ cartId }, code: string) => {
      const items = carts.get(cartId);
      if (!items) throw new ApiError(404, 'cart_not_found', 'Cart not found');
      if (statuses.has(cartId)) throw new ApiError(409, 'cart_not_open', `this cart is ${statuses.get(cartId)}`);
      if (code.trim().toUpperCase() !== 'SPRING20') throw new ApiError(422, 'promo_not_applicable', 'There is no such promo code');
      promos.set(cartId, { code: 'SPRING20', percentOff: 20, limited: false, unlocks: [] });
      return view(items, cartId, 'open', promoOf(cartId));
    }),
    removePromo: vi.fn(async ({ cartId }) => {
      promos.delete(cartId);
      return view(carts.get(cartId) ?? [], cartId, 'open');
    }),
  };
  return { api, carts, statuses };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-22T12:00:00Z'), toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
  localStorage.clear();
});
afterEach(() => {
  vi.useRealTimers();
  localStorage.clear();
});

describe('CartStore', () => {
  it('starts a cart on the first hold and keeps its id and token in localStorage for this venue host', async () => {
    const { api } = fakeServer();
    const cart = new CartStore(api, KEY);
    const added = await cart.hold({ performanceId: 'p1', seats: ['orchestra-C-12'] });
    expect(added.map((i) => i.holdId)).toEqual(['h-orchestra-C-12']);
    // The cart and its first hold are one request.
    expect(api.createCart).toHaveBeenCalledWith({ performanceId: 'p1', seats: ['orchestra-C-12'] });
    expect(JSON.parse(localStorage.getItem('marquee.cart.demo.localhost:3000')!)).toMatchObject({ cartId: 'c1', cartToken: 't-c1' });
    expect(cart.count).toBe(1);
    expect(cart.secondsLeft).toBe(600);

    // A reload: a new store finds the same cart.
    const reloaded = new CartStore(api, KEY);
    await reloaded.load();
    expect(reloaded.items.map((i) => i.seat?.id)).toEqual(['orchestra-C-12']);
    expect(api.createCart).toHaveBeenCalledTimes(1);
    // Another venue's host has its own cart.
    const elsewhere = new CartStore(api, cartStorageKey('other.localhost:3000'));
    await elsewhere.load();
    expect(elsewhere.count).toBe(0);
    cart.reset();
    reloaded.reset();
  });

  it('keeps no cart when the first hold is refused, and starts one with the next hold', async () => {
    const { api, carts } = fakeServer();
    const cart = new CartStore(api, KEY);
    await expect(cart.hold({ performanceId: 'p1', bestAvailable: { quantity: 2 } })).rejects.toThrow('seats only here');
    expect(cart.credentials).toBeNull();
    expect(carts.size).toBe(0);
    expect(localStorage.getItem(KEY)).toBeNull();
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-C-12'] });
    expect(cart.credentials).toEqual({ cartId: 'c1', cartToken: 't-c1' });
    expect(api.addHold).toHaveBeenCalledTimes(1); // the fake's own, inside createCart
    cart.reset();
  });

  it('runs holds one after the other, so quick clicks all land', async () => {
    const { api } = fakeServer();
    const cart = new CartStore(api, KEY);
    await Promise.all([
      cart.hold({ performanceId: 'p1', seats: ['orchestra-C-12'] }),
      cart.hold({ performanceId: 'p1', seats: ['orchestra-C-13'] }),
    ]);
    expect(api.createCart).toHaveBeenCalledTimes(1);
    expect(cart.items.map((i) => i.seat?.label)).toEqual(['12', '13']);
    cart.reset();
  });

  it('replaces a cart the server no longer knows, once, and passes other refusals on', async () => {
    const { api, carts } = fakeServer();
    const cart = new CartStore(api, KEY);
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-A-1'] });
    carts.delete('c1'); // discarded by the server
    const added = await cart.hold({ performanceId: 'p1', seats: ['orchestra-A-2'] });
    expect(added.map((i) => i.seat?.id)).toEqual(['orchestra-A-2']);
    expect(cart.cart?.cartId).toBe('c2');

    vi.mocked(api.addHold).mockRejectedValueOnce(new ApiError(404, 'not_found', 'Performance not found'));
    await expect(cart.hold({ performanceId: 'gone', seats: ['x'] })).rejects.toThrow('Performance not found');
    expect(api.createCart).toHaveBeenCalledTimes(2);
    cart.reset();
  });

  it('counts down, reads the cart again when the time is up and says it expired', async () => {
    const { api } = fakeServer();
    const cart = new CartStore(api, KEY);
    const expired = vi.fn();
    cart.onExpire(expired);
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-A-1'] });
    await vi.advanceTimersByTimeAsync(61_000);
    expect(cart.secondsLeft).toBe(539);
    await vi.advanceTimersByTimeAsync(540_000);
    expect(cart.expired).toBe(true);
    expect(cart.count).toBe(0);
    expect(expired).toHaveBeenCalledTimes(1);

    // After a reload it is still clear that the holds expired.
    const reloaded = new CartStore(api, KEY);
    await reloaded.load();
    expect(reloaded.expired).toBe(true);

    cart.startNew();
    expect(cart.expired).toBe(false);
    expect(localStorage.getItem(KEY)).toBeNull();
    cart.reset();
    reloaded.reset();
  });

  it('tells when only some holds expired', async () => {
    const { api } = fakeServer();
    const cart = new CartStore(api, KEY);
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-A-1'] });
    await vi.advanceTimersByTimeAsync(300_000);
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-A-2'] });
    await vi.advanceTimersByTimeAsync(301_000);
    expect(cart.expired).toBe(false);
    expect(cart.items.map((i) => i.seat?.id)).toEqual(['orchestra-A-2']);
    expect(cart.notice).toBe('One of your holds has expired and was released.');
    expect(cart.secondsLeft).toBe(299);
    cart.reset();
  });

  it('releases a hold', async () => {
    const { api } = fakeServer();
    const cart = new CartStore(api, KEY);
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-A-1', 'orchestra-A-2'] });
    await cart.release('h-orchestra-A-1');
    expect(cart.items.map((i) => i.holdId)).toEqual(['h-orchestra-A-2']);
    cart.reset();
  });
});

describe('CartStore after checkout', () => {
  it('refuses new holds while the cart is at the payment step, instead of starting a second cart', async () => {
    const { api, statuses } = fakeServer();
    const cart = new CartStore(api, KEY);
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-A-1'] });
    statuses.set('c1', 'checkout');
    await expect(cart.hold({ performanceId: 'p1', seats: ['orchestra-A-2'] })).rejects.toMatchObject({
      code: 'cart_in_checkout',
      message: 'Your cart is at the payment step. Finish paying at checkout before choosing more seats.',
    });
    expect(api.createCart).toHaveBeenCalledTimes(1);
    expect(cart.cart?.status).toBe('checkout');
    expect(cart.count).toBe(1);
    cart.reset();
  });

  it('starts a new cart for the next purchase once the cart is paid for', async () => {
    const { api, statuses } = fakeServer();
    const cart = new CartStore(api, KEY);
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-A-1'] });
    expect(cart.credentials).toEqual({ cartId: 'c1', cartToken: 't-c1' });
    statuses.set('c1', 'completed');

    // Paid in this tab: the page forgets the cart at once.
    cart.completed();
    expect(cart.credentials).toBeNull();
    expect(cart.count).toBe(0);
    expect(cart.expired).toBe(false);
    expect(localStorage.getItem(KEY)).toBeNull();
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-A-2'] });
    expect(cart.cart?.cartId).toBe('c2');
    cart.reset();
  });

  it('forgets a cart paid for in another tab without calling it expired', async () => {
    const { api, statuses } = fakeServer();
    const first = new CartStore(api, KEY);
    await first.hold({ performanceId: 'p1', seats: ['orchestra-A-1'] });
    statuses.set('c1', 'completed');

    const reloaded = new CartStore(api, KEY);
    await reloaded.load();
    expect(reloaded.cart).toBeNull();
    expect(reloaded.expired).toBe(false);
    expect(localStorage.getItem(KEY)).toBeNull();

    // A tab that still shows the cart: a hold on the completed cart starts a new one.
    const added = await first.hold({ performanceId: 'p1', seats: ['orchestra-A-2'] });
    expect(added.map((i) => i.seat?.id)).toEqual(['orchestra-A-2']);
    expect(first.cart?.cartId).toBe('c2');

    // Reading a cart that has since been paid for forgets it too.
    statuses.set('c2', 'completed');
    await first.refresh();
    expect(first.cart).toBeNull();
    expect(first.expired).toBe(false);
    first.reset();
    reloaded.reset();
  });
});

describe('promo codes on the cart', () => {
  it('puts a code on the cart, keeps it through later holds, and takes it off', async () => {
    const { api } = fakeServer();
    const cart = new CartStore(api, KEY);
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-C-12'] });
    expect(cart.promo).toBeNull(); // a new cart's view says "no code" like getCart's
    await cart.applyPromo('spring20');
    expect(api.applyPromo).toHaveBeenCalledWith({ cartId: 'c1', cartToken: 't-c1' }, 'spring20');
    expect(cart.promo).toEqual({ code: 'SPRING20', percentOff: 20, limited: false, unlocks: [] });
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-C-13'] });
    expect(cart.promo?.code).toBe('SPRING20');
    await cart.removePromo();
    expect(cart.promo).toBeNull();
    expect(cart.count).toBe(2);
    cart.reset();
  });

  it("rejects a refused code with the server's error and keeps the cart as it was", async () => {
    const { api } = fakeServer();
    const cart = new CartStore(api, KEY);
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-C-12'] });
    await expect(cart.applyPromo('NOPE')).rejects.toMatchObject({ code: 'promo_not_applicable', message: 'There is no such promo code' });
    expect(cart.promo).toBeNull();
    expect(cart.count).toBe(1);
    expect(cart.credentials).not.toBeNull();
    cart.reset();
  });

  it('shows a cart at the payment step as it is when its code cannot change', async () => {
    const { api, statuses } = fakeServer();
    const cart = new CartStore(api, KEY);
    await cart.hold({ performanceId: 'p1', seats: ['orchestra-C-12'] });
    statuses.set('c1', 'checkout');
    await expect(cart.applyPromo('SPRING20')).rejects.toMatchObject({ code: 'cart_not_open' });
    expect(cart.cart?.status).toBe('checkout');
    expect(cart.credentials).not.toBeNull();
    cart.reset();
  });
});

describe('hold messages', () => {
  const seatName = (id: string) => ({ 'orchestra-C-12': 'C12', 'orchestra-C-13': 'C13' })[id];

  it('names the taken seats', () => {
    const one = new ApiError(409, 'seat_unavailable', 'Some of these seats were just taken by someone else', { seats: ['orchestra-C-12'] });
    expect(holdMessage(one, { seatName })).toBe('Sorry — seat C12 was just taken by someone else.');
    const two = new ApiError(409, 'seat_unavailable', '…', { seats: ['orchestra-C-12', 'orchestra-C-13'] });
    expect(holdMessage(two, { seatName })).toBe('Sorry — seats C12 and C13 were just taken by someone else.');
  });

  it('explains best available finding nothing, full areas, the limit and sales being closed', () => {
    const none = new ApiError(409, 'seat_unavailable', 'x', { seats: [], reason: 'none_available' });
    expect(holdMessage(none, { quantity: 4, zoneName: 'Premium' })).toBe(
      'Sorry — we could not find 4 seats together in Premium. Try fewer seats or another price zone.',
    );
    const full = new ApiError(409, 'seat_unavailable', 'Only 3 places are left in this area', { seats: [], available: 3 });
    expect(holdMessage(full)).toBe('Only 3 places are left in this area');
    const limit = new ApiError(422, 'limit_exceeded', 'You can hold at most 10 tickets; you can add 0 more', { remaining: 0 });
    expect(holdMessage(limit)).toBe('You can hold at most 10 tickets; you can add 0 more.');
    expect(holdMessage(new ApiError(409, 'not_on_sale', 'This performance is not on sale'))).toBe(
      'Sorry — tickets for this performance are not on sale right now.',
    );
  });
});
