// Exchanges at the box office: the owner opens a paid order and moves its two tickets to a
// dearer performance of the same event, taking the difference in cash; the change due and the
// new order are shown, and the old order's tickets no longer admit (refunded, "Exchanged for").
import { api, expect, logIn, OWNER, ownerToken, publishedShow, screenshot, screenshotOf, test } from './fixtures';

/** A second performance of the event, published, with dearer prices ($50 in the balcony). */
async function dearerPerformance(baseURL: string, token: string, eventId: string, seatMapId: string, startsAt: string): Promise<string> {
  const later = new Date(Date.parse(startsAt) + 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const prices = [
    { zone: 'premium', priceType: 'adult', amount: 9500 },
    { zone: 'standard', priceType: 'adult', amount: 7000 },
    { zone: 'balcony', priceType: 'adult', amount: 5000 },
    { zone: 'lawn', priceType: 'adult', amount: 3000 },
  ];
  const made = await api(
    baseURL,
    'POST',
    `/admin/v1/events/${eventId}/performances`,
    { startsAt: later, seatMapId, prices, fees: [{ name: 'Booking fee', basis: 'per_ticket', fixed: 200 }] },
    token,
  );
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const published = await api(baseURL, 'POST', `/admin/v1/performances/${made.body.id}/publish`, undefined, token);
  expect(published.status, 'publish').toBe(200);
  return made.body.id as string;
}

/** Two balcony seats sold at the window for cash ($35 + $2 fee each): a paid order. */
async function paidOrder(baseURL: string, token: string, performanceId: string): Promise<{ id: string; number: string }> {
  const cart = await api(baseURL, 'POST', '/admin/v1/carts', {}, token);
  expect(cart.status, JSON.stringify(cart.body)).toBeLessThan(300);
  const held = await api(baseURL, 'POST', `/admin/v1/carts/${cart.body.cartId}/holds`, { performanceId, bestAvailable: { quantity: 2, zone: 'balcony' } }, token);
  expect(held.status, JSON.stringify(held.body)).toBeLessThan(300);
  const tickets = (held.body.items as { holdId: string }[]).map((i) => ({ holdId: i.holdId, priceType: 'adult' }));
  expect(tickets).toHaveLength(2);
  const sold = await api(
    baseURL,
    'POST',
    `/admin/v1/carts/${cart.body.cartId}/sell`,
    { tickets, payment: { method: 'cash', tendered: 7400 }, delivery: 'print', patron: { name: 'Swap Patron' } },
    token,
  );
  expect(sold.status, JSON.stringify(sold.body)).toBeLessThan(300);
  expect(sold.body.status).toBe('paid');
  return { id: sold.body.orderId as string, number: sold.body.number as string };
}

test('exchange: the owner moves a paid order’s tickets to a dearer performance, taking the difference in cash', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Exchange');
  const token = await ownerToken(baseURL!);
  const performance = await api(baseURL!, 'GET', `/admin/v1/performances/${show.performanceId}`, undefined, token);
  expect(performance.status).toBe(200);
  const dearer = await dearerPerformance(baseURL!, token, show.eventId, performance.body.seatMapId, show.startsAt);
  const old = await paidOrder(baseURL!, token, show.performanceId);

  await logIn(page, OWNER.email, OWNER.password);
  await page.goto(`/admin/orders?id=${encodeURIComponent(old.id)}`);
  await expect(page.getByTestId('admin-order-number')).toHaveText(old.number);
  await expect(page.getByTestId('admin-ticket')).toHaveCount(2);
  await screenshot(page, 'admin-exchange-order');

  // The form opens with both valid tickets ticked and the focus on the first.
  await page.getByRole('button', { name: 'Exchange…' }).click();
  const form = page.getByTestId('exchange');
  await expect(form.getByRole('heading', { name: 'Exchange tickets' })).toBeVisible();
  const tickets = form.getByRole('group', { name: 'Tickets to exchange' }).getByRole('checkbox');
  await expect(tickets).toHaveCount(2);
  await expect(tickets.first()).toBeFocused();
  for (const box of await tickets.all()) await expect(box).toBeChecked();

  // The other performance of the event is offered (the first other one is chosen).
  const to = form.getByLabel('Exchange to');
  await expect(to.locator('option')).toHaveCount(2);
  await expect(to).toHaveValue(dearer);
  await form.getByLabel('Zone').selectOption({ label: 'Balcony' });
  const exchange = form.getByRole('button', { name: /^Exchange 2 tickets/ });
  await expect(exchange).toBeDisabled();
  await expect(form.getByTestId('exchange-why')).toHaveText('Get the price first.');

  // The price: 2 × ($50 + $2) = $104 new, $74 credited: $30 to pay.
  await form.getByRole('button', { name: 'Get the price' }).click();
  const quote = form.getByTestId('exchange-quote');
  await expect(quote.getByTestId('exchange-new-total')).toHaveText('$104.00');
  await expect(quote.getByTestId('exchange-credit')).toHaveText('− $74.00');
  await expect(quote.getByTestId('exchange-settlement')).toHaveText('The patron pays $30.00');
  await expect(form.getByTestId('exchange-why')).toContainText('Enter the cash tendered ($30.00 to pay)');

  // Too little cash first, then enough: the change is worked out as it is typed.
  const tendered = form.getByLabel('Cash tendered');
  await tendered.fill('20');
  await expect(form.getByTestId('exchange-change-due')).toHaveText('Short by $10.00');
  await tendered.press('Enter');
  await expect(tendered).toBeFocused();
  await expect(form.getByRole('alert').filter({ hasText: 'short of the $30.00 to pay' })).toBeVisible();
  await tendered.fill('50');
  await expect(form.getByTestId('exchange-change-due')).toHaveText('Change due $20.00');
  await expect(exchange).toBeEnabled();
  await expect(exchange).toHaveText('Exchange 2 tickets, $30.00 in cash');
  await screenshotOf(form, 'admin-exchange-quote');
  await exchange.click();

  const done = form.getByTestId('exchange-done');
  await expect(done).toBeVisible();
  await expect(done.getByRole('heading', { name: 'Exchanged' })).toBeFocused();
  await expect(done.getByTestId('exchange-change')).toContainText('$20.00');
  await expect(done.getByTestId('exchange-money')).toHaveText('The patron paid $30.00.');
  const number = (await done.getByTestId('exchange-number').textContent())!.trim();
  expect(number).not.toBe(old.number);
  await screenshotOf(form, 'admin-exchange-done');

  // The old order read again: its tickets no longer admit.
  const statuses = page.getByTestId('admin-ticket').locator('.ticket-status');
  await expect(statuses).toHaveText(['Refunded', 'Refunded']);
  await expect(page.getByTestId('admin-refunds')).toContainText(`Exchanged for order ${number}`);
  await expect(page.getByRole('button', { name: 'Exchange…' })).toHaveCount(0);
  await screenshot(page, 'admin-exchange-old-order');

  // The new order: two valid tickets, and where they came from.
  await done.getByRole('link', { name: `Open order ${number}` }).click();
  await expect(page.getByTestId('admin-order-number')).toHaveText(number);
  await expect(page.getByTestId('admin-ticket').locator('.ticket-status')).toHaveText(['Valid', 'Valid']);
  await expect(page.getByTestId('admin-order-exchange')).toContainText(`of order ${old.number}: credit $74.00`);
});
