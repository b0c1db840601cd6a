// A hold running out: the seat turns free on another patron's map by itself (the hold-expiry
// worker releases it and the live seat map pushes the change).
import type { Page } from '@playwright/test';
import { api, demoSeatMapId, eveningInNewYork, expect, ownerToken, screenshot, test, unique, watch } from './fixtures';

function seat(page: Page, name: string) {
  return page.getByRole('button', { name: new RegExp(`^${name},`) });
}

/** A show on the demo theatre whose holds last only 10 seconds (the shortest allowed). */
async function shortHoldShow(baseURL: string): Promise<string> {
  const token = await ownerToken(baseURL);
  const mapId = await demoSeatMapId(baseURL, token);
  const event = await api(baseURL, 'POST', '/admin/v1/events', { title: unique('Short Hold') }, token);
  expect(event.status, 'event').toBe(201);
  const prices = ['premium', 'standard', 'balcony', 'lawn'].map((zone) => ({ zone, priceType: 'adult', amount: 3000 }));
  const performance = await api(
    baseURL,
    'POST',
    `/admin/v1/events/${event.body.id}/performances`,
    { startsAt: eveningInNewYork(40 + Math.floor(Math.random() * 100)), seatMapId: mapId, prices, holdSeconds: 10 },
    token,
  );
  expect(performance.status, JSON.stringify(performance.body)).toBe(201);
  const published = await api(baseURL, 'POST', `/admin/v1/performances/${performance.body.id}/publish`, undefined, token);
  expect(published.status, 'publish').toBe(200);
  return performance.body.id as string;
}

test('a hold that runs out turns the seat free in the other browser', async ({ page, browser, baseURL, problems }) => {
  test.setTimeout(90_000);
  const performanceId = await shortHoldShow(baseURL!);
  const other = await browser.newContext({ baseURL });
  try {
    const second = watch(await other.newPage(), problems);
    for (const p of [page, second]) {
      await p.goto(`/performances/${performanceId}`);
      await expect(p.locator('circle[data-seat]')).toHaveCount(500);
    }
    const name = 'Orchestra row D seat 5';
    await seat(page, name).click();
    await expect(seat(page, name)).toHaveAttribute('data-state', 'mine');
    await expect(seat(second, name)).toHaveAttribute('data-state', 'held', { timeout: 5_000 });
    const held = Date.now();
    // 10 s of hold, then the expiry worker's release reaches the other map.
    await expect(seat(second, name)).toHaveAttribute('data-state', 'free', { timeout: 40_000 });
    const freed = Date.now() - held;
    test.info().annotations.push({ type: 'seat free again', description: `${freed} ms after the hold was seen` });
    console.log(`the expired hold turned free in the other browser ${freed} ms after it was seen`);
    expect(freed).toBeGreaterThanOrEqual(8_000);
    await screenshot(second, 'seat-map-after-expiry');
    // And the second patron can take it.
    await seat(second, name).click();
    await expect(seat(second, name)).toHaveAttribute('data-state', 'mine');
  } finally {
    await other.close();
  }
});
