import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import StripePaymentForm from '../patron/StripePaymentForm.svelte';
import { loadStripe } from '@stripe/stripe-js/pure';
import {
  loadStripeJs,
  mountPaymentElement,
  orderReturnUrl,
  stripeAppearance,
  usesStripeElements,
  type ElementsLike,
  type PaymentElementLike,
  type StripeLike,
} from './stripePayment';

// Stripe.js itself is never fetched in unit tests: its loader records the constructor arguments.
vi.mock('@stripe/stripe-js/pure', () => ({ loadStripe: vi.fn(async () => ({ elements: vi.fn(), confirmPayment: vi.fn() })) }));

type Confirm = StripeLike['confirmPayment'];

/** A fake Stripe.js: records what the checkout asks of it; no network. */
function fakeStripe(confirm: Confirm = async () => ({ paymentIntent: { status: 'succeeded' } }), loadError?: string) {
  const handlers: Record<string, (event: never) => void> = {};
  const element: PaymentElementLike & { mountedIn: HTMLElement | null; destroyed: boolean } = {
    mountedIn: null,
    destroyed: false,
    mount(target: HTMLElement) {
      this.mountedIn = target;
      queueMicrotask(() => (loadError ? handlers['loaderror']?.({ error: { message: loadError } } as never) : handlers['ready']?.(undefined as never)));
    },
    destroy() {
      this.destroyed = true;
    },
    on(event: string, handler: (event: never) => void) {
      handlers[event] = handler;
      return this;
    },
  };
  const elements: ElementsLike = { create: vi.fn(() => element) };
  const stripe = { elements: vi.fn(() => elements), confirmPayment: vi.fn(confirm) } satisfies StripeLike;
  const load = vi.fn(async (_key: string) => stripe as StripeLike);
  return { stripe, elements, element, load };
}

const setup = { publishableKey: 'pk_test_123', clientSecret: 'pi_1_secret_2' };

describe('Stripe payments', () => {
  it('is used in test and live mode only (local mode keeps the test-card form)', () => {
    expect(usesStripeElements('test')).toBe(true);
    expect(usesStripeElements('live')).toBe(true);
    expect(usesStripeElements('local')).toBe(false);
    expect(usesStripeElements('disabled')).toBe(false);
  });

  it('returns to the order page with its token, and takes the venue colour', () => {
    expect(orderReturnUrl('https://tickets.example.org', 'ord 1', 'tok&1')).toBe('https://tickets.example.org/orders/ord%201?token=tok%261');
    expect(orderReturnUrl('http://demo.localhost:3000', 'o1', null)).toBe('http://demo.localhost:3000/orders/o1');
    expect(stripeAppearance('#123abc')).toEqual({ theme: 'stripe', variables: { colorPrimary: '#123abc' } });
    expect(stripeAppearance('red')).toEqual({ theme: 'stripe' });
  });

  it('mounts the Payment Element for the client secret and confirms without leaving when it can', async () => {
    const fake = fakeStripe();
    const target = document.createElement('div');
    const payment = await mountPaymentElement(fake.load, { ...setup, appearance: { theme: 'stripe' } }, target);
    await payment.ready;
    expect(fake.load).toHaveBeenCalledWith('pk_test_123');
    expect(fake.stripe.elements).toHaveBeenCalledWith({ clientSecret: 'pi_1_secret_2', appearance: { theme: 'stripe' } });
    expect(fake.elements.create).toHaveBeenCalledWith('payment', { layout: 'tabs' });
    expect(fake.element.mountedIn).toBe(target);
    expect(await payment.confirm('https://x.test/orders/o1?token=t')).toEqual({ ok: true, status: 'succeeded' });
    expect(fake.stripe.confirmPayment).toHaveBeenCalledWith({
      elements: fake.elements,
      redirect: 'if_required',
      confirmParams: { return_url: 'https://x.test/orders/o1?token=t' },
    });
    payment.destroy();
    expect(fake.element.destroyed).toBe(true);
  });

  it("initialises Stripe.js for the venue's connected account when the payment names one", async () => {
    const fake = fakeStripe();
    const payment = await mountPaymentElement(fake.load, { ...setup, stripeAccount: 'acct_venue1' }, document.createElement('div'));
    await payment.ready;
    expect(fake.load).toHaveBeenCalledWith('pk_test_123', { stripeAccount: 'acct_venue1' });
    // Without one (a platform payment), the constructor gets the key alone.
    const platform = fakeStripe();
    await mountPaymentElement(platform.load, { ...setup, stripeAccount: null }, document.createElement('div'));
    expect(platform.load).toHaveBeenCalledWith('pk_test_123');
  });

  it('hands the account to Stripe(publishableKey, { stripeAccount }) and loads once per key and account', async () => {
    const constructor = vi.mocked(loadStripe);
    constructor.mockClear();
    await loadStripeJs('pk_test_once', { stripeAccount: 'acct_a' });
    await loadStripeJs('pk_test_once', { stripeAccount: 'acct_a' });
    await loadStripeJs('pk_test_once', { stripeAccount: 'acct_b' });
    await loadStripeJs('pk_test_once');
    expect(constructor.mock.calls).toEqual([['pk_test_once', { stripeAccount: 'acct_a' }], ['pk_test_once', { stripeAccount: 'acct_b' }], ['pk_test_once']]);
  });

  it("passes Stripe's message on: a declined card, a network failure", async () => {
    const declined = fakeStripe(async () => ({ error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } }));
    const payment = await mountPaymentElement(declined.load, setup, document.createElement('div'));
    expect(await payment.confirm('https://x.test/')).toEqual({ ok: false, message: 'Your card was declined.', declined: true });
    const broken = fakeStripe(async () => {
      throw new Error('offline');
    });
    const again = await mountPaymentElement(broken.load, setup, document.createElement('div'));
    expect(await again.confirm('https://x.test/')).toMatchObject({ ok: false, declined: false });
  });

  it('refuses to start without Stripe.js or the payment keys', async () => {
    await expect(mountPaymentElement(async () => null, setup, document.createElement('div'))).rejects.toThrow(/could not be loaded/);
    const fake = fakeStripe();
    await expect(mountPaymentElement(fake.load, { ...setup, clientSecret: '' }, document.createElement('div'))).rejects.toThrow();
    expect(fake.load).not.toHaveBeenCalled();
  });
});

describe('StripePaymentForm', () => {
  const payment = { ...setup, mode: 'test' };

  it('mounts the element, pays, and reports success', async () => {
    const fake = fakeStripe();
    const onpaid = vi.fn();
    render(StripePaymentForm, { payment, amount: '$174.00', returnUrl: 'https://x.test/orders/o1?token=t', onpaid, load: fake.load });
    const button = screen.getByRole('button', { name: 'Pay $174.00' });
    expect(button).toHaveProperty('disabled', true);
    await waitFor(() => expect(button).toHaveProperty('disabled', false));
    expect(fake.element.mountedIn).toBe(screen.getByTestId('payment-element'));
    expect(fake.load).toHaveBeenCalledWith('pk_test_123');
    expect(screen.getByTestId('test-mode').textContent).toContain('Stripe test mode');
    await fireEvent.click(button);
    await waitFor(() => expect(onpaid).toHaveBeenCalledTimes(1));
  });

  it("mounts the element on the venue's connected account named by the checkout", async () => {
    const fake = fakeStripe();
    render(StripePaymentForm, { payment: { ...payment, stripeAccount: 'acct_roxy' }, amount: '$5.00', returnUrl: 'https://x.test/', onpaid: vi.fn(), load: fake.load });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Pay $5.00' })).toHaveProperty('disabled', false));
    expect(fake.load).toHaveBeenCalledWith('pk_test_123', { stripeAccount: 'acct_roxy' });
  });

  it("shows Stripe's error message and lets the patron try again", async () => {
    const fake = fakeStripe(async () => ({ error: { type: 'card_error', message: 'Your card has insufficient funds.' } }));
    const onpaid = vi.fn();
    const ondeclined = vi.fn();
    render(StripePaymentForm, { payment: { ...payment, mode: 'live' }, amount: '$10.00', returnUrl: 'https://x.test/', onpaid, ondeclined, load: fake.load });
    const button = screen.getByRole('button', { name: 'Pay $10.00' });
    await waitFor(() => expect(button).toHaveProperty('disabled', false));
    expect(screen.queryByTestId('test-mode')).toBeNull();
    await fireEvent.click(button);
    expect((await screen.findByRole('alert')).textContent).toBe('Your card has insufficient funds.');
    expect(ondeclined).toHaveBeenCalledTimes(1);
    expect(onpaid).not.toHaveBeenCalled();
    expect(button).toHaveProperty('disabled', false);
  });

  it('says so when the card form cannot load', async () => {
    const fake = fakeStripe(undefined, 'Invalid API key.');
    render(StripePaymentForm, { payment, amount: '$10.00', returnUrl: 'https://x.test/', onpaid: vi.fn(), load: fake.load });
    expect((await screen.findByRole('alert')).textContent).toBe('Invalid API key.');
    expect(screen.getByRole('button', { name: 'Pay $10.00' })).toHaveProperty('disabled', true);
  });
});
