// The price table's "Hidden — promo code only" row: existing hidden rows shown, a type ticked
// hidden sent as hidden on each of its rows.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { signIn, signOut } from '../lib/session.svelte';
import { fakeToken, mockFetch, type Call } from '../test/fetch';
import { performance, smallLayout } from '../test/seatmaps';
import PerformanceForm from './PerformanceForm.svelte';

const MAP = { id: 'map-1', name: 'Test Theatre', version: 1, seatCount: 56, sections: 2, generalAdmissionAreas: 1, updatedAt: '2026-11-01T00:00:00Z' };
const usd = (amount: number) => ({ amount, currency: 'USD' });

beforeEach(() => {
  signOut();
  signIn({ token: fakeToken('owner@demo.localhost', 'owner'), expiresAt: '2099-01-01T00:00:00Z', email: 'owner@demo.localhost', role: 'owner' });
});

describe('hidden prices in the price table', () => {
  it('shows which types are hidden, and sends hidden on the rows of a type ticked hidden', async () => {
    const shown = performance({
      id: 'perf-9',
      prices: [
        { zone: 'premium', zoneName: 'Premium', priceType: 'adult', price: usd(8500) },
        { zone: 'standard', zoneName: 'Standard', priceType: 'adult', price: usd(6000) },
        { zone: 'lawn', zoneName: 'Lawn', priceType: 'adult', price: usd(2500) },
        { zone: 'premium', zoneName: 'Premium', priceType: 'friends', price: usd(2000), hidden: true },
        { zone: 'premium', zoneName: 'Premium', priceType: 'cast', price: usd(500), hidden: true },
        { zone: 'lawn', zoneName: 'Lawn', priceType: 'cast', price: usd(300) },
      ],
    });
    const calls = mockFetch({
      'GET /admin/v1/seatmaps/map-1': { status: 200, body: { ...MAP, layout: smallLayout() } },
      'PUT /admin/v1/performances/perf-9': (call: Call) => ({ status: 200, body: { ...shown, ...(call.body as object) } }),
    });
    let saved = false;
    render(PerformanceForm, {
      eventId: 'event-1',
      seatMaps: [MAP],
      timezone: 'America/New_York',
      currency: 'USD',
      editing: shown,
      oncreated: () => (saved = true),
      oncancel: () => {},
    });

    const friends = (await screen.findByRole('checkbox', { name: 'friends hidden — promo code only' })) as HTMLInputElement;
    const adult = screen.getByRole('checkbox', { name: 'adult hidden — promo code only' }) as HTMLInputElement;
    const cast = screen.getByRole('checkbox', { name: 'cast hidden — promo code only' }) as HTMLInputElement;
    expect(screen.getByRole('rowheader', { name: 'Hidden — promo code only' })).toBeTruthy();
    expect([friends.checked, adult.checked, cast.checked]).toEqual([true, false, false]);
    // Hidden in one zone only (through the API): shown half-ticked, and said in words.
    expect(cast.indeterminate).toBe(true);
    const hint = document.getElementById(friends.getAttribute('aria-describedby')!)!;
    expect(hint.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'A hidden ticket type (say, friends) is offered only to carts whose promo code unlocks it; patrons never see it otherwise. cast is hidden in Premium only; ticking it hides it in every zone.',
    );

    await fireEvent.click(adult);
    await fireEvent.click(adult);
    await fireEvent.click(friends);
    await fireEvent.input(screen.getByLabelText('Lawn friends price'), { target: { value: '10' } });
    await fireEvent.click(cast);
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(saved).toBe(true));
    const body = calls.find((c) => c.method === 'PUT')?.body as { prices: unknown[] };
    expect(body.prices).toEqual([
      { zone: 'premium', priceType: 'adult', amount: 8500 },
      { zone: 'premium', priceType: 'friends', amount: 2000 },
      { zone: 'premium', priceType: 'cast', amount: 500, hidden: true },
      { zone: 'standard', priceType: 'adult', amount: 6000 },
      { zone: 'lawn', priceType: 'adult', amount: 2500 },
      { zone: 'lawn', priceType: 'friends', amount: 1000 },
      { zone: 'lawn', priceType: 'cast', amount: 300, hidden: true },
    ]);
  });
});
