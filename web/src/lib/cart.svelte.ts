// This browser's cart as reactive state. The cart's id and token live in localStorage per
// venue host, so the cart survives reloads and one venue never sees another's. Changes go
// through a queue (two quick clicks hold two seats in order, and the last answer wins).
// While the cart holds anything a one-second tick drives the countdown to its `expiresAt`;
// when it runs out the cart is read again (expired holds drop out) and listeners are told
// (the seat map then re-reads its status: expired holds turn free without any message).
import { ApiError } from './api';
import { addHold, applyPromo, createCart, createdView, getCart, releaseHold, removePromo, type CartCredentials, type CartItem, type CartView, type HoldRequest } from './carts';

interface Stored extends CartCredentials {
  /** The countdown's end last seen: tells "expired" from "emptied" after a reload. */
  holdsUntil?: string | null;
  /** The holds ran out (and nothing was held since). */
  expired?: boolean;
}

export interface CartApi {
  createCart: typeof createCart;
  getCart: typeof getCart;
  addHold: typeof addHold;
  releaseHold: typeof releaseHold;
  applyPromo: typeof applyPromo;
  removePromo: typeof removePromo;
}

const API: CartApi = { createCart, getCart, addHold, releaseHold, applyPromo, removePromo };

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export function cartStorageKey(host: string = globalThis.location?.host ?? ''): string {
  return `marquee.cart.${host}`;
}

/** Cart calls: unknown (discarded after a day, or a token that does not match) or no longer open. */
function isGone(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 404 || e.status === 401 || e.code === 'cart_not_open');
}

/** A hold refused because of the cart (`cart_not_found`), not the performance (`not_found`). */
function isCartGone(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 401 || e.code === 'cart_not_open' || e.code === 'cart_not_found');
}

export class CartStore {
  cart = $state<CartView | null>(null);
  /** The clock the countdown is drawn from, updated every second while it runs. */
  now = $state(Date.now());
  /** The holds ran out: say so and offer a new cart. */
  expired = $state(false);
  /** Something worth telling that is not an error (some holds expired). */
  notice = $state('');
  /** The stored cart has been read (or there was none). */
  loaded = $state(false);

  readonly #api: CartApi;
  readonly #key: string;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | null = null;
  #expiring = false;
  #retryExpiryAt = 0;
  readonly #listeners = new Set<() => void>();

  constructor(api: CartApi = API, key: string = cartStorageKey()) {
    this.#api = api;
    this.#key = key;
  }

  get items(): CartItem[] {
    return this.cart?.items ?? [];
  }

  get count(): number {
    return this.items.length;
  }

  /** Whole seconds until the first hold expires; null when nothing is held. */
  get secondsLeft(): number | null {
    const until = this.cart?.expiresAt;
    if (!until || this.items.length === 0) return null;
    return Math.max(0, Math.ceil((Date.parse(until) - this.now) / 1000));
  }

  /** Called when the countdown ends (after the cart has been read again). */
  onExpire(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // --- storage -----------------------------------------------------------------------------------

  #stored(): Stored | null {
    const raw = storage()?.getItem(this.#key);
    if (!raw) return null;
    try {
      const s: unknown = JSON.parse(raw);
      if (typeof s === 'object' && s !== null) {
        const o = s as Record<string, unknown>;
        if (typeof o['cartId'] === 'string' && typeof o['cartToken'] === 'string') {
          return {
            cartId: o['cartId'],
            cartToken: o['cartToken'],
            holdsUntil: typeof o['holdsUntil'] === 'string' ? o['holdsUntil'] : null,
            expired: o['expired'] === true,
          };
        }
      }
    } catch {
      // a damaged entry is dropped below
    }
    storage()?.removeItem(this.#key);
    return null;
  }

  #store(value: Stored | null): void {
    try {
      if (value) storage()?.setItem(this.#key, JSON.stringify(value));
      else storage()?.removeItem(this.#key);
    } catch {
      // storage full or disabled: the cart lasts as long as the page
    }
  }

  #credentials: CartCredentials | null = null;

  #use(view: CartView): void {
    this.cart = view;
    this.now = Date.now();
    if (this.#credentials) {
      const holding = view.items.length > 0;
      this.#store({ ...this.#credentials, holdsUntil: holding ? view.expiresAt : null, expired: !holding && this.expired });
    }
    this.#syncTimer();
  }

  /** A new cart with `request` as its first hold, in one request: a refused hold starts no cart. */
  async #createWith(request: HoldRequest): Promise<CartView> {
    const created = await this.#api.createCart(request);
    this.#credentials = { cartId: created.cartId, cartToken: created.cartToken };
    return createdView(created);
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => {});
    return next;
  }

  // --- operations ------------------------------------------------------------------------------

  /** Reads the stored cart, if any. A cart the server no longer knows is forgotten. */
  load(): Promise<void> {
    return this.#enqueue(async () => {
      const stored = this.#stored();
      if (!stored) {
        this.loaded = true;
        return;
      }
      this.#credentials = { cartId: stored.cartId, cartToken: stored.cartToken };
      try {
        const view = await this.#api.getCart(this.#credentials);
        if (view.status === 'completed') {
          // Paid for (perhaps in another tab): the next purchase starts a new cart.
          this.#forget();
          return;
        }
        if (view.items.length === 0 && (stored.expired || (stored.holdsUntil && Date.parse(stored.holdsUntil) <= Date.now()))) {
          this.expired = true;
        }
        this.#use(view);
      } catch (e) {
        if (isGone(e)) {
          if (stored.holdsUntil) this.expired = true;
          this.#forget();
        }
        // Otherwise (offline…) keep the credentials and try again on the next action.
      } finally {
        this.loaded = true;
      }
    });
  }

  /** Reads the cart again (after its countdown, or on demand). */
  refresh(): Promise<void> {
    return this.#enqueue(async () => {
      if (!this.#credentials) return;
      const before = this.items;
      try {
        const view = await this.#api.getCart(this.#credentials);
        if (view.status === 'completed') {
          this.expired = false;
          this.notice = '';
          this.#forget();
          return;
        }
        const kept = new Set(view.items.map((i) => i.holdId));
        const lost = before.filter((i) => !kept.has(i.holdId));
        if (lost.length > 0 && view.items.length === 0) {
          this.expired = true;
          this.notice = '';
        } else if (lost.length > 0) {
          this.notice = `${lost.length === 1 ? 'One of your holds has' : `${lost.length} of your holds have`} expired and ${lost.length === 1 ? 'was' : 'were'} released.`;
        }
        this.#use(view);
      } catch (e) {
        if (isGone(e)) {
          if (before.length > 0) this.expired = true;
          this.#forget();
        }
      }
    });
  }

  /**
   * Holds seats, best available seats or GA places; resolves with the new items. A stored
   * cart the server no longer takes is replaced by a new one, once. Other refusals reject
   * with the ApiError (see messages.ts holdMessage).
   */
  hold(request: HoldRequest): Promise<CartItem[]> {
    return this.#enqueue(async () => {
      const before = new Set(this.items.map((i) => i.holdId));
      const credentials = this.#credentials;
      let view: CartView;
      if (!credentials) {
        view = await this.#createWith(request);
      } else {
        try {
          view = await this.#api.addHold(credentials, request);
        } catch (e) {
          if (!isCartGone(e)) throw e;
          await this.#refuseWhilePaying(e, credentials);
          this.#forget();
          before.clear();
          view = await this.#createWith(request);
        }
      }
      this.expired = false;
      this.notice = '';
      this.#use(view);
      return view.items.filter((i) => !before.has(i.holdId));
    });
  }

  /** Releases one hold. One that has already expired is simply gone. */
  release(holdId: string): Promise<void> {
    return this.#enqueue(async () => {
      if (!this.#credentials) return;
      try {
        this.#use(await this.#api.releaseHold(this.#credentials, holdId));
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          try {
            this.#use(await this.#api.getCart(this.#credentials));
          } catch (inner) {
            if (isGone(inner)) this.#forget();
          }
          return;
        }
        throw e;
      }
    });
  }

  /** The promo code on the cart, if any. */
  get promo(): CartView['promo'] {
    return this.cart?.promo ?? null;
  }

  /**
   * Puts a promo code on the cart. A refusal rejects with the ApiError, whose message says why
   * (see promos.ts promoMessage).
   */
  applyPromo(code: string): Promise<void> {
    return this.#enqueue(async () => {
      const credentials = this.#credentials;
      if (!credentials) throw new ApiError(404, 'cart_not_found', 'Your cart has expired. Choose your seats again.');
      try {
        this.#use(await this.#api.applyPromo(credentials, code));
      } catch (e) {
        await this.#afterRefusal(e, credentials);
        throw e;
      }
    });
  }

  /** Takes the promo code off the cart. */
  removePromo(): Promise<void> {
    return this.#enqueue(async () => {
      const credentials = this.#credentials;
      if (!credentials) return;
      try {
        this.#use(await this.#api.removePromo(credentials));
      } catch (e) {
        await this.#afterRefusal(e, credentials);
        throw e;
      }
    });
  }

  /** A cart call refused because of the cart: one at the payment step is shown as it is now;
   *  one the server no longer knows is forgotten. */
  async #afterRefusal(e: unknown, credentials: CartCredentials): Promise<void> {
    if (e instanceof ApiError && e.code === 'cart_not_open') {
      try {
        const view = await this.#api.getCart(credentials);
        if (view.status === 'completed') this.#forget();
        else this.#use(view);
      } catch (inner) {
        if (isGone(inner)) this.#forget();
      }
    } else if (isGone(e)) {
      this.#forget();
    }
  }

  /** Drops the cart (expired or not) so the next hold starts a new one. */
  startNew(): void {
    this.expired = false;
    this.#forget();
    this.notice = '';
  }

  /** The cart has been paid for (or its payment accepted): the next hold starts a new cart. */
  completed(): void {
    this.startNew();
  }

  /** The cart's id and token, for checkout; null when there is no cart. */
  get credentials(): CartCredentials | null {
    return this.#credentials;
  }

  /**
   * A cart at the payment step takes no new holds (409 cart_not_open). Its seats stay held
   * for the payment, so starting a second cart beside it would let the patron buy twice:
   * say so instead. (A completed or expired cart is simply replaced.)
   */
  async #refuseWhilePaying(e: unknown, credentials: CartCredentials): Promise<void> {
    if (!(e instanceof ApiError) || e.code !== 'cart_not_open') return;
    let view: CartView;
    try {
      view = await this.#api.getCart(credentials);
    } catch {
      return;
    }
    if (view.status !== 'checkout') return;
    this.#use(view);
    throw new ApiError(
      409,
      'cart_in_checkout',
      'Your cart is at the payment step. Finish paying at checkout before choosing more seats.',
    );
  }

  #forget(): void {
    this.#credentials = null;
    this.#store(null);
    this.cart = null;
    this.#syncTimer();
  }

  // --- countdown -------------------------------------------------------------------------------

  #syncTimer(): void {
    const running = this.items.length > 0 && !!this.cart?.expiresAt;
    if (running && !this.#timer) {
      this.#timer = setInterval(() => this.#tick(), 1000);
    } else if (!running && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  #tick(): void {
    this.now = Date.now();
    const until = this.cart?.expiresAt;
    if (!until || this.#expiring || this.now < Date.parse(until) || this.now < this.#retryExpiryAt) return;
    this.#expiring = true;
    void this.refresh().finally(() => {
      this.#expiring = false;
      // If the server still counts the hold (clocks differ), ask again a little later.
      const next = this.cart?.expiresAt;
      if (next && Date.parse(next) <= Date.now()) this.#retryExpiryAt = Date.now() + 2000;
      for (const listener of this.#listeners) listener();
    });
  }

  /** For tests: back to a blank store without touching storage. */
  reset(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#credentials = null;
    this.cart = null;
    this.expired = false;
    this.notice = '';
    this.loaded = false;
    this.#queue = Promise.resolve();
  }
}

/** The page's cart. */
export const cart = new CartStore();
