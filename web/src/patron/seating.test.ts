import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { CartItem } from '../lib/carts';
import { navigate } from '../lib/router.svelte';
import { apiError, mockFetch, SITE, type Call } from '../test/fetch';
import { freeStatus, performance, smallLayout } from '../test/seatmaps';

const EVENT = {
  id: 'event-1',
  title: 'The Tempest',
  description: 'A storm, an island.',
  imageUrl: null,
  performances: [
    performance({ id: 'perf-1' }),
    { ...performance({ id: 'perf-2', selling: false, status: 'paused' }), startsAt: { utc: '2027-03-02T00:30:00Z', local: '', timezone: 'America/New_York' } },
  ],
};

/** A cart server: holds seats (C12 is taken by someone else), GA places, releases. */
function cartRoutes(options: { limit?: number } = {}) {
  const items: CartItem[] = [];
  const until = new Date(Date.now() + 600_000).toISOString();
  const view = () => ({ cartId: 'c1', status: 'open', limit: 10, remaining: 10 - items.length, expiresAt: items.length ? until : null, items });
  let n = 0;
  let created = false;
  const hold = (call: Call) => {
    const body = call.body as { seats?: string[]; generalAdmission?: { areaId: string; quantity: number } };
    const wanted = body.seats ?? [];
    if (wanted.includes('orchestra-C-12')) {
      return apiError(409, 'seat_unavailable', 'Some of these seats were just taken by someone else', { seats: ['orchestra-C-12'] });
    }
    const quantity = body.generalAdmission?.quantity ?? wanted.length;
    if (items.length + quantity > (options.limit ?? 10)) {
      return apiError(422, 'limit_exceeded', `You can hold at most ${options.limit ?? 10} tickets; you can add ${(options.limit ?? 10) - items.length} more`, {
        remaining: (options.limit ?? 10) - items.length,
      });
    }
    for (const seat of wanted) {
      const [section, row, label] = seat.split('-');
      items.push({ holdId: `h${++n}`, performanceId: 'perf-1', seat: { id: seat, section: section!, sectionName: 'Orchestra', row: row!, label: label!, accessible: false }, area: null, zone: 'premium', expiresAt: until });
    }
    for (let i = 0; i < (body.generalAdmission?.quantity ?? 0); i++) {
      items.push({ holdId: `h${++n}`, performanceId: 'perf-1', seat: null, area: { id: 'lawn', name: 'The Lawn' }, zone: 'lawn', expiresAt: until });
    }
    return { status: 201, body: view() };
  };
  return {
    items,
    routes: {
      // The cart starts with its first hold (one request); a refused hold starts no cart.
      'POST /api/v1/carts': (call: Call) => {
        if (created) throw new Error('a second cart was started');
        const answer = hold(call);
        if (answer.status !== 201) return answer;
        created = true;
        const { cartId, expiresAt, ...rest } = view();
        return { status: 201, body: { cartId, cartToken: 'secret', expiresAt: '2099-01-01T00:00:00Z', holdsExpireAt: expiresAt, ...rest } };
      },
      'GET /api/v1/carts/c1': () => ({ status: 200, body: view() }),
      'POST /api/v1/carts/c1/holds': hold,
      'DELETE /api/v1/carts/c1/holds/h1': () => {
        items.splice(items.findIndex((i) => i.holdId === 'h1'), 1);
        return { status: 200, body: view() };
      },
    },
  };
}

function performanceRoutes(overrides: Parameters<typeof performance>[0] = {}) {
  const layout = smallLayout();
  return {
    'GET /api/v1/site': { status: 200, body: SITE },
    'GET /api/v1/performances/perf-1': { status: 200, body: performance(overrides) },
    'GET /api/v1/performances/perf-1/seatmap': { status: 200, body: { layout, status: freeStatus(layout, 'perf-1') } },
    'GET /api/v1/performances/perf-1/seatmap/status': { status: 200, body: freeStatus(layout, 'perf-1') },
  };
}

const seat = (name: string) => screen.getByRole('button', { name: new RegExp(`^${name},`) });

describe('event page', () => {
  it('lists performances at the venue’s local time with prices, availability and a way to choose seats', async () => {
    mockFetch({
      'GET /api/v1/site': { status: 200, body: SITE },
      'GET /api/v1/events/event-1': { status: 200, body: EVENT },
      'GET /api/v1/performances/perf-1': {
        status: 200,
        body: performance({ availability: { seats: { total: 56, available: 50, held: 4, sold: 2, blocked: 0 }, areas: [{ areaId: 'lawn', name: 'The Lawn', zone: 'lawn', capacity: 50, available: 0 }], soldOut: false } }),
      },
    });
    navigate('/events/event-1');
    render(App);
    expect(await screen.findByRole('heading', { level: 1, name: 'The Tempest' })).toBeTruthy();
    const rows = screen.getAllByTestId('performance');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.querySelector('time')?.textContent).toMatch(/February 28, 2027.*7:30/);
    expect(within(rows[0]!).getByTestId('price-range').textContent).toBe('$25.00 – $85.00');
    expect((await within(rows[0]!).findByTestId('availability')).textContent).toBe('50 of 56 seats left · The Lawn: sold out');
    expect(within(rows[0]!).getByRole('link', { name: /Choose seats/ }).getAttribute('href')).toBe('/performances/perf-1');
    expect(within(rows[1]!).queryByRole('link')).toBeNull();
    expect(within(rows[1]!).getByText('Sales paused')).toBeTruthy();
  });
});

describe('performance page', () => {
  it('holds a free seat on click, shows it selected with a countdown, and releases it on a second click', async () => {
    const cart = cartRoutes();
    const calls = mockFetch({ ...performanceRoutes(), ...cart.routes });
    navigate('/performances/perf-1');
    render(App);
    expect(await screen.findByRole('heading', { level: 1, name: 'The Tempest' })).toBeTruthy();
    expect(document.querySelectorAll('circle[data-seat]')).toHaveLength(56);

    await fireEvent.click(seat('Orchestra row B seat 3'));
    const yours = screen.getByTestId('your-tickets');
    expect((await within(yours).findByTestId('cart-item')).textContent).toContain('Orchestra, row B, seat 3');
    expect(seat('Orchestra row B seat 3').getAttribute('data-state')).toBe('mine');
    expect(within(yours).getByTestId('countdown').textContent).toMatch(/^(10:00|09:59)$/);
    // The first hold starts the cart: one request.
    const hold = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/carts')!;
    expect(hold.body).toEqual({ performanceId: 'perf-1', seats: ['orchestra-B-3'] });
    expect(calls.some((c) => c.path === '/api/v1/carts/c1/holds')).toBe(false);
    expect(JSON.parse(localStorage.getItem(`marquee.cart.${window.location.host}`)!)).toMatchObject({ cartId: 'c1', cartToken: 'secret' });

    // A second click while the first is still under way is ignored (a double click holds once).
    await settled();
    await fireEvent.click(seat('Orchestra row B seat 3'));
    await vi_waitFor(() => expect(seat('Orchestra row B seat 3').getAttribute('data-state')).toBe('free'));
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/carts/c1/holds/h1')).toBe(true);
    expect(within(yours).queryByTestId('cart-item')).toBeNull();
  });

  it('says a seat was just taken, and shows it held', async () => {
    const cart = cartRoutes();
    mockFetch({ ...performanceRoutes(), ...cart.routes });
    navigate('/performances/perf-1');
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'The Tempest' });
    await fireEvent.click(seat('Orchestra row C seat 12'));
    expect((await screen.findByRole('alert')).textContent).toBe('Sorry — seat C12 was just taken by someone else.');
    expect(seat('Orchestra row C seat 12').getAttribute('data-state')).toBe('held');
    // Clicking a held seat explains without asking the server.
    await fireEvent.click(seat('Orchestra row C seat 12'));
    expect(screen.getByRole('alert').textContent).toBe('Sorry — seat C12 is held by someone else.');
  });

  it('shows the limit message from the API for one seat too many', async () => {
    const cart = cartRoutes({ limit: 1 });
    mockFetch({ ...performanceRoutes(), ...cart.routes });
    navigate('/performances/perf-1');
    render(App);
    await screen.findByRole('heading', { level: 1, name: 'The Tempest' });
    await fireEvent.click(seat('Orchestra row A seat 1'));
    await within(screen.getByTestId('your-tickets')).findByTestId('cart-item');
    await fireEvent.click(seat('Orchestra row A seat 2'));
    expect((await screen.findByRole('alert')).textContent).toBe('You can hold at most 1 tickets; you can add 0 more.');
    expect(seat('Orchestra row A seat 2').getAttribute('data-state')).toBe('free');
  });

  it('holds general-admission places with the quantity picker', async () => {
    const cart = cartRoutes();
    const calls = mockFetch({ ...performanceRoutes(), ...cart.routes });
    navigate('/performances/perf-1');
    const { container } = render(App);
    await screen.findByRole('heading', { level: 1, name: 'The Tempest' });
    await fireEvent.click(container.querySelector('[data-area="lawn"]')!);
    await fireEvent.change(screen.getByLabelText('Places'), { target: { value: '3' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Hold 3 places' }));
    expect((await screen.findByRole('status')).textContent).toBe('3 places in The Lawn are yours for now.');
    expect(calls.find((c) => c.path === '/api/v1/carts')?.body).toEqual({ performanceId: 'perf-1', generalAdmission: { areaId: 'lawn', quantity: 3 } });
    expect(container.querySelector('[data-area="lawn"]')?.textContent).toContain('47 left');
    expect(within(screen.getByTestId('your-tickets')).getAllByTestId('cart-item')).toHaveLength(3);
  });

  it('shows a performance that is not on sale without letting anyone choose', async () => {
    mockFetch(performanceRoutes({ selling: false, status: 'paused' }));
    navigate('/performances/perf-1');
    render(App);
    expect((await screen.findByRole('status')).textContent).toBe('Tickets for this performance are not on sale right now.');
    expect(screen.queryByRole('button', { name: /^Orchestra row A seat 1,/ })).toBeNull();
    expect(screen.getByRole('img', { name: /^Orchestra row A seat 1,/ })).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Best available' })).toBeNull();
  });
});

describe('cart page', () => {
  it('groups held tickets by performance with the countdown, release buttons and the way to checkout', async () => {
    const cart = cartRoutes();
    mockFetch({ ...performanceRoutes(), ...cart.routes });
    navigate('/performances/perf-1');
    const { unmount } = render(App);
    await screen.findByRole('heading', { level: 1, name: 'The Tempest' });
    await fireEvent.click(seat('Orchestra row A seat 1'));
    await fireEvent.click(seat('Orchestra row A seat 2'));
    await vi_waitFor(() => expect(screen.getByTestId('cart-count').textContent).toBe('2'));
    unmount();

    navigate('/cart');
    render(App);
    const group = await screen.findByTestId('cart-group');
    expect(await within(group).findByRole('heading', { level: 2, name: 'The Tempest' })).toBeTruthy();
    expect(within(group).getAllByTestId('cart-item').map((li) => li.textContent)).toEqual([
      expect.stringContaining('Orchestra, row A, seat 1'),
      expect.stringContaining('Orchestra, row A, seat 2'),
    ]);
    expect(within(group).getAllByTestId('cart-item')[0]!.textContent).toContain('Premium · $42.50 – $85.00');
    expect(screen.getByTestId('countdown').textContent).toMatch(/^(10:00|09:5\d)$/);
    expect(screen.getByRole('link', { name: 'Checkout' }).getAttribute('href')).toBe('/checkout');
  });

  it('says clearly when the holds have expired and offers a new cart', async () => {
    localStorage.setItem(`marquee.cart.${window.location.host}`, JSON.stringify({ cartId: 'c1', cartToken: 'secret', holdsUntil: '2020-01-01T00:00:00Z' }));
    const cart = cartRoutes();
    mockFetch({ 'GET /api/v1/site': { status: 200, body: SITE }, ...cart.routes });
    navigate('/cart');
    render(App);
    const expired = await screen.findByTestId('cart-expired');
    expect(expired.textContent).toContain('Your cart has expired.');
    await fireEvent.click(within(expired).getByRole('button', { name: 'Start a new cart' }));
    expect(screen.queryByTestId('cart-expired')).toBeNull();
    expect(screen.getByTestId('cart-empty')).toBeTruthy();
    expect(localStorage.getItem(`marquee.cart.${window.location.host}`)).toBeNull();
  });
});

/** Waits until no hold or release is under way. */
async function settled(): Promise<void> {
  await vi_waitFor(() => expect(document.querySelector('svg.seatmap-svg')?.getAttribute('aria-busy')).toBe('false'));
  await new Promise((r) => setTimeout(r, 0));
}

/** Waits for an assertion (the cart queue and fetches settle over a few microtasks). */
async function vi_waitFor(assertion: () => void, timeout = 2000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      assertion();
      return;
    } catch (e) {
      if (Date.now() - started > timeout) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
