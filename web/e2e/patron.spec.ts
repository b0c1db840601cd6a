import { api, expect, screenshot, test } from './fixtures';

function rgb(hex: string): string {
  const n = (i: number) => parseInt(hex.slice(i, i + 2), 16);
  return `rgb(${n(1)}, ${n(3)}, ${n(5)})`;
}

test("the home page shows the venue with its colours and what's on", async ({ page, baseURL }) => {
  const site = (await api(baseURL!, 'GET', '/api/v1/site')).body as { branding: { primaryColour: string } };
  // Whatever the venue has on sale: nothing while the events API is missing (404), or the
  // events the devserver's demo data publishes. Other tests publish (and pause) events of their
  // own meanwhile, named with unique(); only the seeded ones are compared.
  const listed = await api(baseURL!, 'GET', '/api/v1/events');
  const events = ((listed.status === 200 ? listed.body.events : []) as { title: string; performances: unknown[] }[]).filter(
    (e) => !/-[a-z0-9]+-[a-z0-9]{6}$/.test(e.title),
  );

  await page.goto('/');

  // Another test renames the venue to "Demo Playhouse (…)" for a moment; the seeded name stays a prefix.
  const header = page.getByRole('banner');
  await expect(page.getByTestId('venue-name')).toContainText('Demo Playhouse');
  await expect(page).toHaveTitle(/Demo Playhouse/);
  await expect(header).toHaveCSS('background-color', rgb(site.branding.primaryColour));
  await expect(page.getByRole('heading', { level: 1 })).toContainText("What's on at Demo Playhouse");
  if (listed.status !== 200 || listed.body.events.length === 0) {
    await expect(page.getByTestId('no-events')).toHaveText(/No upcoming events/);
  } else {
    for (const event of events) {
      await expect(page.getByRole('heading', { level: 2, name: event.title, exact: true })).toBeVisible();
      const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: event.title, exact: true }) });
      await expect(card.locator('time')).toHaveCount(event.performances.length);
    }
  }
  await expect(page.getByRole('contentinfo')).toContainText('Tickets by Marquee');
  await screenshot(page, 'patron-home');
});

test('an unknown path shows the not-found page inside the site', async ({ page }) => {
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: "See what's on" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText("What's on at");
});

test('the page runs under a Content-Security-Policy without inline scripts', async ({ page }) => {
  const response = await page.goto('/');
  const csp = (await response?.allHeaders())?.['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(await page.locator('script:not([src])').count()).toBe(0);
  await expect(page.getByTestId('venue-name')).toBeVisible();
});
