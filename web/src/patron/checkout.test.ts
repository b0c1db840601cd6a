import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import type { CartItem, CartStatus } from '../lib/carts';
import { navigate, route } from '../lib/router.svelte';
import { apiError, mockFetch, SITE, type Call } from '../test/fetch';
import { MAIL_OFFER } from '../test/postal';
import { performance } from '../test/seatmaps';

const DOUBLE = 'http://127.0.0.1:8702';
const LOCAL_SITE = { ...SITE, payments: { ...SITE.payments, mode: 'local', testCardUrl: DOUBLE } };
const CART_KEY = () => `marquee.cart.${window.location.host}`;

function held(holdId: string, label: string): CartItem {
  return {
    holdId,
    performanceId: 'perf-1',
    seat: { id: `orchestra-C-${label}`, section: 'orchestra', sectionName: 'Orchestra', row: 'C', label, accessible: false },
    area: null,
    zone: 'premium',
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
  };
}

const TOTALS = {
  lines: [
    { zone: 'premium', priceType: 'adult', price: 8500, fees: 200 },
    { zone: 'premium', priceType: 'student', price: 4250, fees: 200 },
  ],
  subtotal: 12750,
  fees: 400,
  tax: 0,
  taxIncluded: 0,
  total: 13150,
  currency: 'USD',
};

function order(status: string, problem: string | null = null) {
  const ticket = (id: string, label: string, priceType: string, price: number) => ({
    id,
    performanceId: 'perf-1',
    eventTitle: 'The Tempest',
    startsAt: { utc: '2027-03-01T00:30:00Z', local: '2027-02-28T19:30:00-05:00', timezone: 'America/New_York' },
    place: { sectionName: 'Orchestra', row: 'C', seatLabel: label },
    priceType,
    price,
    fees: 200,
    status: status === 'paid' ? 'valid' : 'pending',
  });
  return {
    id: 'o1',
    number: 'MQ-7K4P',
    status,
    email: 'ada@example.org',
    name: 'Ada Lovelace',
    delivery: 'email',
    totals: TOTALS,
    tickets: [ticket('t1', '12', 'adult', 8500), ticket('t2', '13', 'student', 4250)],
    refunded: 0,
    refunds: [],
    problem,
    createdAt: '2026-11-22T12:00:00Z',
    paidAt: status === 'paid' ? '2026-11-22T12:01:00Z' : null,
  };
}

/** A cart of two held seats, the checkout, the Stripe double and the order. */
function shop(options: { checkout?: (call: Call) => { status: number; body?: unknown }; site?: unknown; performance?: unknown } = {}) {
  localStorage.setItem(CART_KEY(), JSON.stringify({ cartId: 'c1', cartToken: 'cart-secret', holdsUntil: null }));
  const state = { cart: 'open' as CartStatus, orderReads: 0, order: 'pending', problem: null as string | null };
  const items = [held('h1', '12'), held('h2', '13')];
  const calls = mockFetch({
    'GET /api/v1/site': { status: 200, body: options.site ?? LOCAL_SITE },
    'GET /api/v1/carts/c1': () => ({
      status: 200,
      body: { cartId: 'c1', status: state.cart, limit: 10, remaining: 8, expiresAt: items[0]!.expiresAt, items },
    }),
    'GET /api/v1/performances/perf-1': { status: 200, body: options.performance ?? performance() },
    'POST /api/v1/carts/c1/checkout':
      options.checkout ??
      (() => {
        state.cart = 'checkout';
        return {
          status: 201,
          body: {
            orderId: 'o1',
            orderNumber: 'MQ-7K4P',
            orderToken: 'order-secret',
            status: 'pending',
            totals: TOTALS,
            payment: { provider: 'stripe', clientSecret: 'pi_1_secret_x', paymentIntentId: 'pi_1', publishableKey: 'pk_test_local', mode: 'local' },
            holdsUntil: items[0]!.expiresAt,
          },
        };
      }),
    [`POST ${DOUBLE}/_double/payment_intents/pi_1/pay`]: (call) => {
      const card = call.body as { cardNumber: string };
      if (card.cardNumber === '4000000000000002') {
        state.cart = 'open';
        state.problem = 'Your card was declined.';
        return { status: 402, body: { error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' } } };
      }
      return { status: 200, body: { id: 'pi_1', status: 'succeeded' } };
    },
    'GET /api/v1/orders/o1': (call) => {
      if (call.headers['X-Order-Token'] !== 'order-secret') return apiError(404, 'not_found', 'Order not found');
      // Confirmed by the webhook on the second read.
      state.orderReads += 1;
      if (state.orderReads >= 2) {
        state.order = 'paid';
        state.cart = 'completed';
      }
      return { status: 200, body: order(state.order, state.problem) };
    },
  });
  return { calls, state };
}

async function fillContact(name = 'Ada Lovelace', email = 'ada@example.org') {
  await fireEvent.input(await screen.findByLabelText('Name'), { target: { value: name } });
  await fireEvent.input(screen.getByLabelText('Email'), { target: { value: email } });
}

async function fillCard(number: string) {
  await fireEvent.input(screen.getByLabelText('Card number'), { target: { value: number } });
  await fireEvent.input(screen.getByLabelText('Expiry (MM/YY)'), { target: { value: '12/30' } });
  await fireEvent.input(screen.getByLabelText('CVC'), { target: { value: '123' } });
  await fireEvent.click(screen.getByRole('button', { name: /^Pay / }));
}

describe('checkout', () => {
  it('chooses price types, checks out, survives a declined card and shows the confirmation', async () => {
    const { calls, state } = shop();
    navigate('/checkout');
    render(App);

    const tickets = await screen.findAllByTestId('checkout-ticket');
    expect(tickets.map((t) => t.querySelector('label')?.textContent)).toEqual(['Orchestra, row C, seat 12', 'Orchestra, row C, seat 13']);
    const second = within(tickets[1]!).getByRole('combobox') as HTMLSelectElement;
    await within(tickets[0]!).findByRole('option', { name: 'Adult — $85.00' });
    expect((within(tickets[0]!).getByRole('combobox') as HTMLSelectElement).value).toBe('adult');
    expect([...second.options].map((o) => o.textContent)).toEqual(['Adult — $85.00', 'Student — $42.50']);
    await fireEvent.change(second, { target: { value: 'student' } });
    expect(screen.getByTestId('countdown').textContent).toMatch(/^(10:00|09:5\d)$/);

    await fillContact();
    await fireEvent.click(screen.getByLabelText('E-tickets by email'));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));

    expect(await screen.findByTestId('pending-order-number')).toHaveProperty('textContent', 'MQ-7K4P');
    const sent = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/carts/c1/checkout')!;
    expect(sent.headers['X-Cart-Token']).toBe('cart-secret');
    expect(sent.body).toEqual({
      email: 'ada@example.org',
      name: 'Ada Lovelace',
      delivery: 'email',
      tickets: [
        { holdId: 'h1', priceType: 'adult' },
        { holdId: 'h2', priceType: 'student' },
      ],
    });
    // The totals are the server's.
    expect(screen.getByTestId('total').textContent).toBe('$131.50');
    expect(screen.getByTestId('fees').textContent).toBe('$4.00');
    expect(screen.getByTestId('test-mode').textContent).toContain('Test mode — no real payment');
    expect(screen.getByRole('button', { name: 'Pay $131.50' })).toBeTruthy();

    // A declined card: the reason, and the form stays for another card.
    await fillCard('4000 0000 0000 0002');
    expect(await screen.findByText('Your card was declined. Nothing was charged; try another card.')).toBeTruthy();
    expect((screen.getByLabelText('Card number') as HTMLInputElement).value).toBe('');
    expect(route.path).toBe('/checkout');

    await fillCard('4242 4242 4242 4242');
    await screen.findByRole('heading', { level: 1, name: 'Confirming your payment…' });
    expect(route.path).toBe('/orders/o1');
    expect(localStorage.getItem(CART_KEY())).toBeNull();

    // Read again until the webhook has confirmed it.
    await screen.findByRole('heading', { level: 1, name: 'Thank you — your order is confirmed' }, { timeout: 3000 });
    expect(state.order).toBe('paid');
    expect(screen.getByTestId('order-number').textContent).toBe('MQ-7K4P');
    expect(screen.getByTestId('order-status').textContent).toBe('Paid');
    expect(screen.getByTestId('tickets-pdf').getAttribute('href')).toBe('/api/v1/orders/o1/tickets.pdf?token=order-secret');
    expect(screen.getAllByTestId('order-ticket').map((t) => t.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'Orchestra, row C, seat 12 Adult · $85.00 + $2.00 fees',
      'Orchestra, row C, seat 13 Student · $42.50 + $2.00 fees',
    ]);
    expect(screen.getByTestId('order-group').textContent).toMatch(/February 28, 2027.*7:30/);

    // Card details only ever went to the double.
    for (const call of calls.filter((c) => !c.path.startsWith(DOUBLE))) {
      expect(JSON.stringify(call)).not.toMatch(/4242|4000000000000002|cardNumber|cvc/i);
    }
    expect(calls.filter((c) => c.path.startsWith(DOUBLE))).toHaveLength(2);
  });

  it('puts a refused email next to the field and explains an expired hold', async () => {
    let answer = apiError(422, 'invalid_field', 'email: not an email address', { field: 'email' });
    shop({ checkout: () => answer });
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Adult — $85.00' });
    await fillContact('Ada', 'ada@example');
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect(await screen.findByText('Enter a valid email address, like name@example.com.')).toBeTruthy();
    expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');

    answer = apiError(409, 'hold_expired', 'Your reservation of some tickets ran out; choose them again', { holds: ['h2'] });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect(
      await screen.findByText('Sorry — your hold on Orchestra, row C, seat 13 ran out and it was released. Check your cart and try again.'),
    ).toBeTruthy();
  });

  it('checks the contact form before asking the server', async () => {
    const { calls } = shop();
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Adult — $85.00' });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect(await screen.findByText('Enter your name.')).toBeTruthy();
    expect(calls.some((c) => c.path.endsWith('/checkout'))).toBe(false);
  });

  it('goes straight to the confirmation for a free order', async () => {
    shop({
      checkout: () => ({
        status: 201,
        body: { orderId: 'o1', orderNumber: 'MQ-FREE', orderToken: 'order-secret', status: 'paid', totals: { ...TOTALS, total: 0 }, payment: null, holdsUntil: '' },
      }),
    });
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Adult — $85.00' });
    await fillContact();
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    await screen.findByTestId('order-number');
    expect(route.path).toBe('/orders/o1');
    expect(localStorage.getItem(CART_KEY())).toBeNull();
  });
});

describe('checkout with tickets by post', () => {
  /** A performance `days` from now (posting closes 7 days before). */
  function performanceIn(days: number) {
    const utc = new Date(Date.now() + days * 86_400_000).toISOString();
    return { ...performance(), startsAt: { utc, local: utc, timezone: 'America/New_York' } };
  }
  const POSTING_SITE = { ...LOCAL_SITE, mail: MAIL_OFFER };
  const MAILED_TOTALS = { ...TOTALS, mailing: 450, total: TOTALS.total + 450 };
  const accepted = () => ({
    status: 201,
    body: {
      orderId: 'o1',
      orderNumber: 'MQ-7K4P',
      orderToken: 'order-secret',
      status: 'pending',
      totals: MAILED_TOTALS,
      payment: { provider: 'stripe', clientSecret: 'pi_1_secret_x', paymentIntentId: 'pi_1', publishableKey: 'pk_test_local', mode: 'local' },
      holdsUntil: new Date(Date.now() + 600_000).toISOString(),
    },
  });

  async function chooseMail() {
    await fireEvent.click(await screen.findByLabelText('Printed tickets by post (+$4.50 postage)'));
    await screen.findByRole('group', { name: 'Post the tickets to' });
  }

  async function fillAddress(postalCode: string) {
    await fireEvent.input(screen.getByLabelText(/^Street address/), { target: { value: '1 Infinite Loop' } });
    await fireEvent.input(screen.getByLabelText(/^City/), { target: { value: 'Cupertino' } });
    await fireEvent.change(screen.getByLabelText(/^State/), { target: { value: 'CA' } });
    await fireEvent.input(screen.getByLabelText(/^ZIP code/), { target: { value: postalCode } });
  }

  it('offers the post only when the venue posts tickets', async () => {
    shop({ performance: performanceIn(30) });
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Adult — $85.00' });
    expect(screen.getByLabelText('E-tickets by email')).toBeTruthy();
    expect(screen.queryByLabelText(/by post/)).toBeNull();
  });

  it("asks for the address in the country's terms, checks the ZIP code before sending, and shows the postage before paying", async () => {
    const { calls } = shop({ site: POSTING_SITE, performance: performanceIn(30), checkout: accepted });
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Adult — $85.00' });
    expect((await screen.findByTestId('mail-hint')).textContent).toContain('Posting closes 7 days before the performance.');
    await fillContact();
    await chooseMail();
    expect(screen.getByTestId('mail-fee').textContent).toBe('Postage of $4.50 is added to your order.');
    // The envelope is addressed to the buyer to start with; the US form asks for a state and a ZIP code.
    expect((screen.getByLabelText(/^Name on the envelope/) as HTMLInputElement).value).toBe('Ada Lovelace');
    expect((screen.getByLabelText(/^Country/) as HTMLSelectElement).value).toBe('US');
    expect(screen.getByLabelText(/^ZIP code/).hasAttribute('required')).toBe(true);
    await fillAddress('9501');
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect(await screen.findByText('Enter a valid ZIP code, like 95014.')).toBeTruthy();
    const zip = screen.getByLabelText(/^ZIP code/);
    expect(zip.getAttribute('aria-invalid')).toBe('true');
    await vi.waitFor(() => expect(document.activeElement).toBe(zip));
    expect(calls.some((c) => c.path.endsWith('/checkout'))).toBe(false);

    // A British address: the post town and postcode, no state.
    await fireEvent.change(screen.getByLabelText(/^Country/), { target: { value: 'GB' } });
    expect(screen.getByLabelText(/^Post town/)).toBeTruthy();
    expect(screen.getByLabelText(/^County/).hasAttribute('required')).toBe(false);
    await fireEvent.change(screen.getByLabelText(/^Country/), { target: { value: 'US' } });
    await fireEvent.change(screen.getByLabelText(/^State/), { target: { value: 'CA' } });

    await fireEvent.input(screen.getByLabelText(/^ZIP code/), { target: { value: '95014' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    await screen.findByTestId('pending-order-number');
    const sent = calls.find((c) => c.path.endsWith('/checkout'))!.body as Record<string, unknown>;
    expect(sent['delivery']).toBe('mail');
    expect(sent['address']).toEqual({ name: 'Ada Lovelace', line1: '1 Infinite Loop', city: 'Cupertino', region: 'CA', postalCode: '95014', country: 'US' });
    expect(screen.getByTestId('mailing').textContent).toBe('$4.50');
    expect(screen.getByTestId('total').textContent).toBe('$136.00');
  });

  it("puts the server's refusal at the address field it names, with the focus there", async () => {
    shop({
      site: POSTING_SITE,
      performance: performanceIn(30),
      checkout: () => apiError(422, 'invalid_field', "address.postalCode: '95014' is not a ZIP code of United States (like 95014)", { field: 'address.postalCode' }),
    });
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Adult — $85.00' });
    await fillContact();
    await chooseMail();
    await fillAddress('95014');
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect(await screen.findByText("'95014' is not a ZIP code of United States (like 95014).")).toBeTruthy();
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText(/^ZIP code/)));
  });

  it('says when posting has closed for the performance', async () => {
    shop({ site: POSTING_SITE, performance: performanceIn(3) });
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Adult — $85.00' });
    expect((await screen.findByTestId('mail-hint')).textContent).toMatch(/It is too late to post tickets for this performance: posting closed on/);
    expect((screen.getByLabelText(/by post/) as HTMLInputElement).disabled).toBe(true);
  });

  it('explains a refusal because posting closed meanwhile', async () => {
    shop({
      site: POSTING_SITE,
      performance: performanceIn(30),
      checkout: () => apiError(422, 'mail_closed', 'Tickets are posted until 7 days before the performance; choose another delivery'),
    });
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Adult — $85.00' });
    await fillContact();
    await chooseMail();
    await fillAddress('95014');
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect(await screen.findByText(/It is too late to post these tickets\. Tickets are posted only until 7 days before the performance\./)).toBeTruthy();
  });
});

describe('order page', () => {
  it('asks for the email link when there is no token', async () => {
    const { calls } = shop();
    navigate('/orders/o1');
    render(App);
    expect((await screen.findByTestId('order-no-token')).textContent).toContain('open the link in your confirmation email');
    expect(calls.some((c) => c.path.startsWith('/api/v1/orders'))).toBe(false);
  });

  it('reads the order with the token from the link and keeps it for this tab', async () => {
    const { state } = shop();
    state.orderReads = 5;
    navigate('/orders/o1?token=order-secret');
    const first = render(App);
    await screen.findByRole('heading', { level: 1, name: 'Thank you — your order is confirmed' });
    first.unmount();

    navigate('/orders/o1');
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'Thank you — your order is confirmed' });
  });

  it('says so when the token is wrong', async () => {
    shop();
    navigate('/orders/o1?token=wrong');
    render(App);
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      'We could not find this order. Open it with the link in your confirmation email.',
    );
  });

  it('shows where posted tickets go and where the letter is, in words', async () => {
    mockFetch({
      'GET /api/v1/site': { status: 200, body: { ...LOCAL_SITE, mail: MAIL_OFFER } },
      'GET /api/v1/orders/o1': {
        status: 200,
        body: {
          ...order('paid'),
          delivery: 'mail',
          totals: { ...TOTALS, mailing: 450, total: TOTALS.total + 450 },
          address: { name: 'Ada Lovelace', line1: '1 Infinite Loop', city: 'CUPERTINO', region: 'CA', postalCode: '95014', country: 'US' },
          mailStatus: 'mailed',
        },
      },
    });
    navigate('/orders/o1?token=order-secret');
    render(App);
    expect((await screen.findByTestId('mail-status')).textContent).toBe('Your tickets are in the post.');
    expect(screen.getByTestId('mail-status-label').textContent).toBe('In the post');
    expect([...screen.getByTestId('order-address').querySelectorAll('span')].map((l) => l.textContent)).toEqual([
      'Ada Lovelace',
      '1 Infinite Loop',
      'CUPERTINO CA 95014',
      'UNITED STATES',
    ]);
    expect(screen.getByTestId('mailing').textContent).toBe('$4.50');
  });

  it('shows why a cancelled order ended, and its refunds', async () => {
    mockFetch({
      'GET /api/v1/site': { status: 200, body: LOCAL_SITE },
      'GET /api/v1/orders/o1': {
        status: 200,
        body: {
          ...order('refunded', 'The performance was cancelled. <b>Sorry</b>'),
          refunded: 13150,
          refunds: [{ amount: 13150, reason: 'Performance cancelled', at: '2026-11-23T15:00:00Z' }],
        },
      },
    });
    navigate('/orders/o1?token=order-secret');
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'This order has been refunded' });
    expect(screen.getByTestId('order-problem').textContent).toBe('The performance was cancelled. <b>Sorry</b>');
    expect(screen.getByTestId('refunds').textContent).toContain('$131.50');
    expect(screen.getByTestId('refunds').textContent).toContain('Performance cancelled');
    expect(screen.queryByTestId('tickets-pdf')).toBeNull();
  });
});
