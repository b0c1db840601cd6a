import { api, expect, screenshot, test } from './fixtures';

function rgb(hex: string): string {
  const n = (i: number) => parseInt(hex.slice(i, i + 2), 16);
  return `rgb(${n(1)}, ${n(3)}, ${n(5)})`;
}

test('the home page shows the venue with its colours and no events yet', async ({ page, baseURL }) => {
  const site = (await api(baseURL!, 'GET', '/api/v1/site')).body as { branding: { primaryColour: string } };

  await page.goto('/');

  // Another test renames the venue to "Demo Playhouse (…)" for a moment; the seeded name stays a prefix.
  const header = page.getByRole('banner');
  await expect(page.getByTestId('venue-name')).toContainText('Demo Playhouse');
  await expect(page).toHaveTitle(/Demo Playhouse/);
  await expect(header).toHaveCSS('background-color', rgb(site.branding.primaryColour));
  await expect(page.getByRole('heading', { level: 1 })).toContainText("What's on at Demo Playhouse");
  // The events API does not exist yet (404): the page says so plainly.
  await expect(page.getByTestId('no-events')).toHaveText(/No upcoming events/);
  await expect(page.getByRole('contentinfo')).toContainText('Tickets by Marquee');
  await screenshot(page, 'patron-home');
});

test('an unknown path shows the not-found page inside the site', async ({ page }) => {
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: "See what's on" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('no-events')).toBeVisible();
});

test('the page runs under a Content-Security-Policy without inline scripts', async ({ page }) => {
  await page.goto('/');
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self'");
  expect(await page.locator('script:not([src])').count()).toBe(0);
  await expect(page.getByTestId('venue-name')).toBeVisible();
});
