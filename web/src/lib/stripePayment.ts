// Card payments with real Stripe (`/api/v1/site` payments.mode `test` or `live`): Stripe.js is
// loaded only when a payment step needs it (never in local mode, where the test-card form talks
// to the Stripe double), the Payment Element is mounted for the checkout's PaymentIntent, and
// confirming it either settles in place or redirects (3-D Secure, bank pages) to the order page.
// The checkout component sees only `StripeLike`: unit tests pass a fake, with no network.

/** Whether a payment mode takes cards through real Stripe (the Payment Element). */
export function usesStripeElements(mode: string): mode is 'test' | 'live' {
  return mode === 'test' || mode === 'live';
}

export interface StripeAppearance {
  theme?: 'stripe' | 'night' | 'flat';
  variables?: Record<string, string>;
}

export interface PaymentElementLike {
  mount(target: HTMLElement): void;
  destroy(): void;
  on(event: 'ready', handler: () => void): unknown;
  on(event: 'loaderror', handler: (event: { error?: { message?: string } }) => void): unknown;
}

export interface ElementsLike {
  create(type: 'payment', options?: { layout?: 'tabs' | 'accordion' }): PaymentElementLike;
}

export interface StripeErrorLike {
  type?: string;
  code?: string;
  message?: string;
}

/** The part of Stripe.js the checkout uses. */
export interface StripeLike {
  elements(options: { clientSecret: string; appearance?: StripeAppearance }): ElementsLike;
  confirmPayment(options: {
    elements: ElementsLike;
    redirect: 'if_required';
    confirmParams: { return_url: string };
  }): Promise<{ error?: StripeErrorLike; paymentIntent?: { status: string } }>;
}

/** `Stripe(publishableKey, options)`: `stripeAccount` is the venue's connected account, on which
 * the PaymentIntent of a direct charge lives (Stripe.js cannot find it on the platform's). */
export interface StripeOptions {
  stripeAccount?: string;
}

export type LoadStripe = (publishableKey: string, options?: StripeOptions) => Promise<StripeLike | null>;

const loaded = new Map<string, Promise<StripeLike | null>>();

/**
 * Stripe.js from js.stripe.com, once per key and account. The `pure` entry injects the script
 * only when called (the default entry would add it to every page on import), and the dynamic
 * import keeps the loader out of the main bundle.
 */
export const loadStripeJs: LoadStripe = (publishableKey, options) => {
  const cacheKey = `${publishableKey} ${options?.stripeAccount ?? ''}`;
  let stripe = loaded.get(cacheKey);
  if (!stripe) {
    stripe = import('@stripe/stripe-js/pure').then(
      async ({ loadStripe }) => (await (options ? loadStripe(publishableKey, options) : loadStripe(publishableKey))) as unknown as StripeLike | null,
    );
    // A failed load (offline, blocked) can be retried with a new attempt.
    stripe.catch(() => loaded.delete(cacheKey));
    loaded.set(cacheKey, stripe);
  }
  return stripe;
};

/** The constructor options for a payment: its connected account when it has one. */
export function stripeOptions(stripeAccount: string | null | undefined): StripeOptions | undefined {
  return stripeAccount ? { stripeAccount } : undefined;
}

/** Where Stripe sends the patron back after a redirect: the order page, with its token. */
export function orderReturnUrl(origin: string, orderId: string, orderToken: string | null): string {
  const url = new URL(`/orders/${encodeURIComponent(orderId)}`, origin);
  if (orderToken) url.searchParams.set('token', orderToken);
  return url.toString();
}

/** The Payment Element in the venue's colour (a `#rrggbb` brand colour, when valid). */
export function stripeAppearance(primaryColour: string | null | undefined): StripeAppearance {
  return /^#[0-9a-fA-F]{6}$/.test(primaryColour ?? '')
    ? { theme: 'stripe', variables: { colorPrimary: primaryColour! } }
    : { theme: 'stripe' };
}

export type PaymentOutcome =
  | { ok: true; status: string }
  | { ok: false; message: string; /** The card was refused; another can be tried on the same payment. */ declined: boolean };

export interface MountedPayment {
  /** Resolves when the element has drawn itself (or rejects with why it could not). */
  ready: Promise<void>;
  confirm(returnUrl: string): Promise<PaymentOutcome>;
  destroy(): void;
}

export interface PaymentSetup {
  publishableKey: string;
  clientSecret: string;
  /** The venue's connected account the PaymentIntent was made on (`acct_…`), if any. */
  stripeAccount?: string | null;
  appearance?: StripeAppearance;
}

export const STRIPE_UNAVAILABLE = 'The card form could not be loaded. Check your connection and reload the page; nothing was charged.';

/** Loads Stripe.js (through `load`) and mounts the Payment Element into `target`. */
export async function mountPaymentElement(load: LoadStripe, setup: PaymentSetup, target: HTMLElement): Promise<MountedPayment> {
  if (!setup.publishableKey || !setup.clientSecret) throw new Error('This payment has no publishable key or client secret.');
  const options = stripeOptions(setup.stripeAccount);
  const stripe = await (options ? load(setup.publishableKey, options) : load(setup.publishableKey));
  if (!stripe) throw new Error(STRIPE_UNAVAILABLE);
  const elements = stripe.elements({ clientSecret: setup.clientSecret, ...(setup.appearance ? { appearance: setup.appearance } : {}) });
  const element = elements.create('payment', { layout: 'tabs' });
  const ready = new Promise<void>((resolve, reject) => {
    element.on('ready', () => resolve());
    element.on('loaderror', (event) => reject(new Error(event.error?.message || STRIPE_UNAVAILABLE)));
  });
  element.mount(target);
  return {
    ready,
    async confirm(returnUrl) {
      try {
        const result = await stripe.confirmPayment({ elements, redirect: 'if_required', confirmParams: { return_url: returnUrl } });
        if (result.error) {
          return {
            ok: false,
            message: result.error.message || 'The payment did not go through; please try again.',
            declined: result.error.type === 'card_error',
          };
        }
        return { ok: true, status: result.paymentIntent?.status ?? 'processing' };
      } catch {
        return { ok: false, message: 'The payment could not be sent to the card processor; please try again.', declined: false };
      }
    },
    destroy() {
      element.destroy();
    },
  };
}
