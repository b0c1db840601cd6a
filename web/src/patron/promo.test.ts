// A promo code on the cart page, refused at checkout, and the discount in the totals.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { CartItem, CartView } from '../lib/carts';
import { cart } from '../lib/cart.svelte';
import { navigate } from '../lib/router.svelte';
import { apiError, mockFetch, SITE, type Call } from '../test/fetch';
import { performance } from '../test/seatmaps';
import OrderTotals from './OrderTotals.svelte';

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

const SPRING20: NonNullable<CartView['promo']> = { code: 'SPRING20', percentOff: 20, limited: true, unlocks: [] };
/** Unlocks the hidden friends price ($20) of perf-1's premium zone (the cart's seat). */
const FRIENDS: NonNullable<CartView['promo']> = {
  code: 'FRIENDS',
  limited: false,
  unlocks: [{ performanceId: 'perf-1', zone: 'premium', priceType: 'friends', amount: 2000 }],
};

/** A cart holding one seat, with `initial` on it; the server knows SPRING20 (20 % off, any ticket). */
function shop(checkout?: (call: Call) => { status: number; body?: unknown }, initial: CartView['promo'] = null) {
  localStorage.setItem(CART_KEY(), JSON.stringify({ cartId: 'c1', cartToken: 'cart-secret', holdsUntil: null }));
  const items = [held('h1', '12')];
  let promo: CartView['promo'] = initial;
  const cartView = () => ({ status: 200, body: { cartId: 'c1', status: 'open', limit: 10, remaining: 9, expiresAt: items[0]!.expiresAt, items, promo } });
  const calls = mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'GET /api/v1/carts/c1': cartView,
    'GET /api/v1/performances/perf-1': { status: 200, body: performance() },
    'POST /api/v1/carts/c1/promo': (call) => {
      const code = (call.body as { code: string }).code;
      if (code.toUpperCase() !== 'SPRING20') return apiError(422, 'promo_not_applicable', 'There is no such promo code');
      promo = SPRING20;
      return cartView();
    },
    'DELETE /api/v1/carts/c1/promo': () => {
      promo = null;
      return cartView();
    },
    ...(checkout ? { 'POST /api/v1/carts/c1/checkout': checkout } : {}),
  });
  return calls;
}

describe('the promo code on the cart', () => {
  it('shows a refusal by the field, then applies a code typed in any case and removes it', async () => {
    const calls = shop();
    navigate('/cart');
    render(App);
    const field = (await screen.findByLabelText('Promo code')) as HTMLInputElement;

    await fireEvent.input(field, { target: { value: 'nope' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('There is no such promo code.');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBe(alert.id);

    await fireEvent.input(field, { target: { value: 'spring20' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect((await screen.findByTestId('cart-promo-applied')).textContent).toBe('SPRING20 — 20 % off each ticket, on some tickets');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ code: 'nope' }, { code: 'spring20' }]);
    expect(calls.find((c) => c.method === 'POST')?.headers['X-Cart-Token']).toBe('cart-secret');
    expect(screen.queryByRole('alert')).toBeNull();
    const remove = screen.getByRole('button', { name: 'Remove the promo code SPRING20' });
    await waitFor(() => expect(document.activeElement).toBe(remove));

    await fireEvent.click(remove);
    const again = await screen.findByLabelText('Promo code');
    await waitFor(() => expect(document.activeElement).toBe(again));
    expect(screen.queryByTestId('cart-promo-applied')).toBeNull();
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/carts/c1/promo')).toBe(true);
  });
});

describe('checkout with a promo code', () => {
  it("shows the code's refusal with the server's message and a link back to the cart", async () => {
    shop(() => apiError(422, 'promo_not_applicable', 'This promo code does not apply to the tickets in your cart'));
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Adult — $85.00' });
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Ada' } });
    await fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ada@example.org' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This promo code does not apply to the tickets in your cart. Nothing was charged.');
    const link = within(screen.getByTestId('promo-refused')).getByRole('link', { name: /remove or change the promo code/ });
    expect(link.getAttribute('href')).toBe('/cart');
  });
});

describe('checkout with a code that unlocks a hidden price', () => {
  it('offers the unlocked price for the ticket beside everyone’s, and falls back to the first when the code is removed', async () => {
    const bodies: unknown[] = [];
    shop((call) => {
      bodies.push(call.body);
      return apiError(503, 'busy', 'busy');
    }, FRIENDS);
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Friends — $20.00' });
    const select = screen.getByLabelText(/seat 12/) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['Adult — $85.00', 'Student — $42.50', 'Friends — $20.00']);
    expect(select.value).toBe('adult');
    expect(screen.getByTestId('checkout-promo').textContent).toBe('Promo code: FRIENDS — unlocks the friends price');

    await fireEvent.change(select, { target: { value: 'friends' } });
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Ada' } });
    await fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ada@example.org' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    await screen.findByRole('alert');
    expect(bodies).toMatchObject([{ tickets: [{ holdId: 'h1', priceType: 'friends' }] }]);

    // The code taken off (in the cart, say): the friends price goes, the ticket is an adult again.
    await cart.removePromo();
    await waitFor(() => expect([...select.options].map((o) => o.value)).toEqual(['adult', 'student']));
    expect(select.value).toBe('adult');
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    await waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]).toMatchObject({ tickets: [{ holdId: 'h1', priceType: 'adult' }] });
  });

  it('reads the cart again when checkout refuses an unlocked price (the code was taken off elsewhere), and falls back', async () => {
    const calls = shop(() => apiError(422, 'invalid_price_type', 'friends is not offered', { holdId: 'h1', priceType: 'friends', available: ['adult', 'student'] }), FRIENDS);
    navigate('/checkout');
    render(App);
    await screen.findAllByRole('option', { name: 'Friends — $20.00' });
    const select = screen.getByLabelText(/seat 12/) as HTMLSelectElement;
    await fireEvent.change(select, { target: { value: 'friends' } });
    // Meanwhile, in another tab, the code is removed.
    await fetch('/api/v1/carts/c1/promo', { method: 'DELETE' });
    const before = calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/carts/c1').length;
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Ada' } });
    await fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ada@example.org' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That ticket type is not available for Orchestra, row C, seat 12. Choose Adult or Student.');
    await waitFor(() => expect(calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/carts/c1').length).toBeGreaterThan(before));
    await waitFor(() => expect(select.value).toBe('adult'));
    expect([...select.options].map((o) => o.value)).toEqual(['adult', 'student']);
  });

  it('says on the cart what the code unlocks', async () => {
    shop(undefined, FRIENDS);
    navigate('/cart');
    render(App);
    expect((await screen.findByTestId('cart-promo-applied')).textContent).toBe('FRIENDS — unlocks the friends price');
    expect(screen.getByTestId('cart-promo-hint').textContent).toBe('Choose the friends price for your tickets at checkout.');
  });
});

describe('totals with a discount', () => {
  const totals = {
    lines: [
      { zone: 'premium', priceType: 'adult', price: 8500, discount: 2125, fees: 200 },
      { zone: 'premium', priceType: 'student', price: 4250, discount: 0, fees: 200 },
    ],
    subtotal: 12750,
    discount: 2125,
    fees: 400,
    tax: 0,
    taxIncluded: 0,
    total: 11025,
    currency: 'USD',
  };

  it('shows the discount below the tickets, and on each line it applies to', () => {
    render(OrderTotals, { totals, labels: ['Orchestra, row C, seat 12', 'Orchestra, row C, seat 13'] });
    expect(screen.getByTestId('discount').textContent).toBe('−$21.25');
    const rows = screen.getAllByRole('row').map((r) =>
      [...r.children].map((cell) => cell.textContent?.replace(/\s+/g, ' ').trim()).join(' | '),
    );
    expect(rows).toEqual([
      'Orchestra, row C, seat 12 · Adult | was $85.00 now $63.75',
      'Orchestra, row C, seat 13 · Student | $42.50',
      'Tickets | $127.50',
      'Discount | −$21.25',
      'Fees | $4.00',
      'Total | $110.25',
    ]);
  });

  it('has no discount row without a discount', () => {
    render(OrderTotals, { totals: { ...totals, discount: 0, lines: [] } });
    expect(screen.queryByTestId('discount')).toBeNull();
  });
});
