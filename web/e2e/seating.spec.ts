// Patrons choosing seats: the event and performance pages, the live seat map, holds, the cart.
// Every test publishes a show of its own on the demo theatre (500 seats + a 300-place lawn), so
// tests never compete for seats.
import type { Page } from '@playwright/test';
import { expect, holdElsewhere, publishedShow, screenshotOf, test, watch } from './fixtures';

/** A seat by its screen-reader name, e.g. "Orchestra row C seat 12". */
function seat(page: Page, name: string) {
  return page.getByRole('button', { name: new RegExp(`^${name},`) });
}

async function openPerformance(page: Page, performanceId: string) {
  await page.goto(`/performances/${performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
}

test('a patron opens an event and a performance, holds two seats and sees them in the cart', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Seats');

  await page.goto('/');
  await page.getByRole('link', { name: show.title, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(show.title);
  const performance = page.getByTestId('performance');
  await expect(performance).toHaveCount(1);
  // 7:30 pm at the venue (America/New_York), whatever the browser's timezone.
  await expect(performance.locator('time')).toContainText('7:30 PM');
  await expect(performance.getByTestId('price-range')).toHaveText('$17.50 – $85.00');
  await expect(performance.getByTestId('availability')).toHaveText('500 of 500 seats left · The Lawn: 300 left');
  await performance.getByRole('link', { name: /Choose seats/ }).click();

  await expect(page).toHaveURL(new RegExp(`/performances/${show.performanceId}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(show.title);
  const map = page.getByTestId('seat-map');
  await expect(map.locator('circle[data-seat]')).toHaveCount(500);
  await expect(map.locator('[data-area="lawn"]')).toContainText('300 left');
  await expect(page.getByTestId('seat-map-legend')).toContainText('Premium $42.50 – $85.00');

  const c12 = seat(page, 'Orchestra row C seat 12');
  const c13 = seat(page, 'Orchestra row C seat 13');
  await expect(c12).toHaveAccessibleName('Orchestra row C seat 12, Premium, $85.00, available');
  await c12.click();
  await c13.click();
  for (const chosen of [c12, c13]) {
    await expect(chosen).toHaveAttribute('data-state', 'mine');
    await expect(chosen).toHaveAttribute('aria-pressed', 'true');
  }
  await expect(c12).toHaveAccessibleName(/, in your cart$/);
  const yours = page.getByTestId('your-tickets');
  await expect(yours.getByTestId('cart-item')).toHaveText([/Orchestra, row C, seat 12/, /Orchestra, row C, seat 13/]);
  await expect(yours.getByTestId('countdown')).toHaveText(/^(10:00|09:[0-5]\d)$/);
  await expect(page.getByTestId('cart-count')).toHaveText('2');
  await screenshotOf(page.locator('.performance-layout'), 'seat-map', 'seat-map');

  await yours.getByRole('link', { name: /View cart/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your cart');
  const group = page.getByTestId('cart-group');
  await expect(group.getByRole('heading', { level: 2 })).toHaveText(show.title);
  await expect(group.getByTestId('cart-item')).toHaveCount(2);
  await expect(page.getByTestId('countdown')).toHaveText(/^(10:00|09:[0-5]\d)$/);
  await expect(page.getByRole('link', { name: 'Checkout', exact: true })).toHaveAttribute('href', '/checkout');
  await screenshotOf(page.locator('.cart-page'), 'cart', 'cart');

  // The cart survives a reload (its id and token are in localStorage for this venue).
  await page.reload();
  await expect(page.getByTestId('cart-group').getByTestId('cart-item')).toHaveCount(2);

  // Releasing from the cart frees the seat on the map.
  await page.getByRole('button', { name: 'Release Orchestra, row C, seat 13' }).click();
  await expect(page.getByTestId('cart-item')).toHaveCount(1);
  await openPerformance(page, show.performanceId);
  await expect(c13).toHaveAttribute('data-state', 'free');
  await expect(c12).toHaveAttribute('data-state', 'mine');
});

test("two patrons on the same performance see each other's holds (WebSocket, else polling)", async ({ page, browser, baseURL, problems }) => {
  const show = await publishedShow(baseURL!, 'Live');
  const other = await browser.newContext({ baseURL });
  try {
    const second = watch(await other.newPage(), problems);
    await openPerformance(page, show.performanceId);
    await openPerformance(second, show.performanceId);
    // With the devserver's /live the second map is subscribed ("Live"); without it, it polls.
    await expect(second.getByTestId('live-mode')).toHaveAttribute('data-mode', /live|polling/);
    const mode = await second.getByTestId('live-mode').getAttribute('data-mode');

    await seat(page, 'Orchestra row F seat 7').click();
    await expect(seat(page, 'Orchestra row F seat 7')).toHaveAttribute('data-state', 'mine');
    const held = Date.now();
    // The brief: within a few seconds by polling, within about a second by WebSocket. 5 s covers
    // both; the time it took is recorded below.
    await expect(seat(second, 'Orchestra row F seat 7')).toHaveAttribute('data-state', 'held', { timeout: 5_000 });
    const seen = Date.now() - held;
    test.info().annotations.push({ type: 'hold seen by the other patron', description: `${seen} ms after the holder saw it (${mode})` });
    console.log(`hold seen by the other patron ${seen} ms after the holder saw it (${mode})`);

    await seat(page, 'Orchestra row F seat 7').click(); // release
    await expect(seat(second, 'Orchestra row F seat 7')).toHaveAttribute('data-state', 'free', { timeout: 5_000 });
  } finally {
    await other.close();
  }
});

test('without the WebSocket the map falls back to polling and still shows holds', async ({ browser, baseURL, problems }) => {
  const show = await publishedShow(baseURL!, 'Polling');
  const other = await browser.newContext({ baseURL });
  try {
    const second = watch(await other.newPage(), problems);
    // The socket is refused every time it is tried.
    await second.routeWebSocket(/\/live$/, (ws) => ws.close());
    await openPerformance(second, show.performanceId);
    await expect(second.getByTestId('live-mode')).toHaveAttribute('data-mode', 'polling');

    await holdElsewhere(baseURL!, show.performanceId, ['balcony-R-4']);
    await expect(seat(second, 'Balcony row R seat 4')).toHaveAttribute('data-state', 'held', { timeout: 5_000 });
  } finally {
    await other.close();
  }
});

test('a seat taken by someone else meanwhile shows the taken message', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Taken');
  // Keep this map stale, so it still shows the seat as free when it is clicked.
  await page.routeWebSocket(/\/live$/, (ws) => ws.close());
  await page.route('**/seatmap/status', (route) => route.abort());
  await openPerformance(page, show.performanceId);

  await holdElsewhere(baseURL!, show.performanceId, ['orchestra-C-12']);
  const c12 = seat(page, 'Orchestra row C seat 12');
  await expect(c12).toHaveAttribute('data-state', 'free');
  await c12.click();
  await expect(page.getByRole('alert')).toHaveText('Sorry — seat C12 was just taken by someone else.');
  await expect(c12).toHaveAttribute('data-state', 'held');
  await expect(page.getByTestId('your-tickets').getByTestId('cart-item')).toHaveCount(0);
});

test('the 11th seat is refused with the limit message', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Limit');
  await openPerformance(page, show.performanceId);

  const best = page.getByRole('form', { name: 'Best available' });
  const yours = page.getByTestId('your-tickets').getByTestId('cart-item');
  await best.getByLabel('Seats').selectOption('5');
  await best.getByRole('button', { name: 'Find seats' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'We found 5 seats for you' })).toBeVisible();
  await expect(yours).toHaveCount(5);
  await best.getByRole('button', { name: 'Find seats' }).click();
  await expect(yours).toHaveCount(10);
  await expect(page.locator('circle[data-state="mine"]')).toHaveCount(10);

  const eleventh = seat(page, 'Balcony row W seat 10');
  await eleventh.click();
  await expect(page.getByRole('alert')).toContainText('You can hold at most 10 tickets');
  await expect(eleventh).toHaveAttribute('data-state', 'free');
  await expect(yours).toHaveCount(10);
  await screenshotOf(page.locator('.performance-layout'), 'seat-map-limit');
});
