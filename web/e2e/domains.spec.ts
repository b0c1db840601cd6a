// Custom domains (issue 14): the demo owner adds tickets-….example.org, creates the two records
// it is shown in the edge double's DNS server, checks now, watches it go "Issuing certificate" →
// "Active" (the devserver's scheduled check runs every 2 s), opens the venue's site on that
// hostname, sees another venue refused the proven hostname, and removes it.
import { chromium, type Page } from '@playwright/test';
import { api, expect, logIn, OWNER, openAdminPage, screenshot, screenshotOf, test, unique, watch } from './fixtures';

/** The edge double (infra/local/with-stack.sh exports it): CloudFront's stand-in and its DNS server. */
const EDGE_URL = process.env.MARQUEE_EDGE_URL;
/** The devserver's local platform key (infra/devserver LOCAL_PLATFORM_KEY). */
const PLATFORM_KEY = { 'x-platform-key': 'local-platform-key' };

/** Sets a record set in the edge double's DNS server (its /_double control). */
async function putDns(name: string, type: string, values: string[]): Promise<void> {
  const answer = await fetch(`${EDGE_URL}/_double/dns/${encodeURIComponent(name)}/${type}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ values }),
  });
  expect(answer.status, `PUT ${type} ${name}: ${await answer.text()}`).toBe(200);
}

async function deleteDns(name: string, type: string): Promise<void> {
  await fetch(`${EDGE_URL}/_double/dns/${encodeURIComponent(name)}/${type}`, { method: 'DELETE' });
}

function card(page: Page, hostname: string) {
  return page.getByTestId('domain').filter({ has: page.getByRole('heading', { name: hostname, exact: true }) });
}

test('a custom domain is proven by DNS, gets its certificate, serves the site and is removed', async ({ page, baseURL, problems }) => {
  expect(EDGE_URL, 'MARQUEE_EDGE_URL (the edge double) must be in the environment: run through infra/local/with-stack.sh').toBeTruthy();
  test.setTimeout(120_000);
  const port = new URL(baseURL!).port;
  const hostname = `${unique('tickets')}.example.org`;
  const site = await api(baseURL!, 'GET', '/api/v1/site');
  expect(site.status).toBe(200);
  const venueName = site.body.name as string;
  const records: { name: string; type: string }[] = [];

  try {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await logIn(page, OWNER.email, OWNER.password);
    await openAdminPage(page, 'Custom domains');

    // A bare name is refused next to the field.
    await page.getByLabel('Hostname').fill('localhostish');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await expect(page.locator('#domain-hostname-error')).toContainText('must be a full name');

    // Added: the two records to create, at once.
    await page.getByLabel('Hostname').fill(hostname);
    await page.getByRole('button', { name: 'Add domain' }).click();
    await expect(page.getByRole('status').filter({ hasText: `${hostname} is added` })).toBeVisible();
    await expect(page.locator('#domain-hostname-error')).toHaveCount(0);
    const row = card(page, hostname);
    await expect(row.getByTestId('domain-status')).toHaveText('Waiting for DNS records');
    const rows = row.getByTestId('dns-record');
    await expect(rows).toHaveCount(2);
    const txt = row.locator('[data-testid="dns-record"][data-type="TXT"]');
    const cname = row.locator('[data-testid="dns-record"][data-type="CNAME"]');
    const txtName = (await txt.getByTestId('record-name').textContent())!;
    const txtValue = (await txt.getByTestId('record-value').textContent())!;
    const cnameName = (await cname.getByTestId('record-name').textContent())!;
    const cnameValue = (await cname.getByTestId('record-value').textContent())!;
    expect(txtName).toBe(`_marquee.${hostname}`);
    expect(cnameName).toBe(hostname);
    expect(txtValue.length).toBeGreaterThan(10);
    // The page agrees with the API.
    const listed = await api(baseURL!, 'GET', '/admin/v1/domains', undefined, (await api(baseURL!, 'POST', '/admin/v1/login', OWNER)).body.token);
    const view = (listed.body.domains as { hostname: string; records: { type: string; name: string; value: string }[] }[]).find((d) => d.hostname === hostname)!;
    expect(view.records.find((r) => r.type === 'TXT')?.value).toBe(txtValue);
    expect(view.records.find((r) => r.type === 'CNAME')?.value).toBe(cnameValue);

    // Copy buttons put the value on the clipboard.
    await txt.getByRole('button', { name: 'Copy TXT value' }).click();
    await expect(txt.getByRole('button', { name: 'Copy TXT value' })).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(txtValue);
    await screenshot(page, 'domains-pending');

    // Adding it again shows the same domain, not a second one.
    await page.getByLabel('Hostname').fill(hostname.toUpperCase());
    await page.getByRole('button', { name: 'Add domain' }).click();
    await expect(page.getByRole('status').filter({ hasText: `${hostname} is added` })).toBeVisible();
    await expect(card(page, hostname)).toHaveCount(1);

    // Checked before the records exist: still waiting, and the page says what is missing.
    await row.getByRole('button', { name: `Check ${hostname} now` }).click();
    await expect(row.getByTestId('domain-reason')).toBeVisible();
    await expect(row.getByTestId('domain-status')).toHaveText('Waiting for DNS records');
    await expect(row.getByTestId('domain-times')).toContainText('Last checked');
    // Also the docs' picture of the page (docs/screenshots/admin-custom-domains.png).
    await screenshotOf(page.locator('.admin'), 'domains-pending-checked', 'admin-custom-domains');

    // The venue creates the records at "its DNS provider" (the edge double's DNS server).
    await putDns(txtName, 'TXT', [txtValue]);
    records.push({ name: txtName, type: 'TXT' });
    await putDns(cnameName, 'CNAME', [cnameValue]);
    records.push({ name: cnameName, type: 'CNAME' });

    await row.getByRole('button', { name: `Check ${hostname} now` }).click();
    await expect(row.getByTestId('domain-status')).toHaveText('Issuing certificate');
    await screenshot(page, 'domains-issuing');
    // The page re-reads the list every 5 s while a domain is on its way.
    await expect(row.getByTestId('domain-status')).toHaveText('Active', { timeout: 20_000 });
    await expect(row.getByRole('link', { name: `https://${hostname}/` })).toHaveAttribute('href', `https://${hostname}/`);
    await expect(row.getByTestId('dns-record').first()).toBeHidden(); // folded away once active
    await screenshot(page, 'domains-active');

    // The venue's site answers on its own hostname (Chromium is told the name is loopback).
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--host-resolver-rules=MAP ${hostname} 127.0.0.1`],
    });
    try {
      const visitor = watch(await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage(), problems);
      await visitor.goto(`http://${hostname}:${port}/`);
      await expect(visitor.getByTestId('venue-name')).toHaveText(venueName);
      await screenshot(visitor, 'domains-site-on-custom-hostname');
    } finally {
      await browser.close();
    }

    // The CNAME moves away: the domain stays active, with a warning and the reason.
    await deleteDns(cnameName, 'CNAME');
    await row.getByRole('button', { name: `Check ${hostname} now` }).click();
    await expect(row.getByTestId('domain-dns-lost')).toContainText(`Your DNS records changed. ${hostname} no longer points to ${cnameValue}`);
    await expect(row.getByTestId('domain-status')).toHaveText('Active');
    await screenshot(page, 'domains-active-dns-lost');
    await putDns(cnameName, 'CNAME', [cnameValue]);
    await row.getByRole('button', { name: `Check ${hostname} now` }).click();
    await expect(row.getByTestId('domain-dns-lost')).toHaveCount(0);

    // Another venue cannot take the proven hostname.
    const slug = unique('rival');
    const rivalEmail = `owner@${slug}.example.org`;
    const rivalPassword = 'rival owner password 2027';
    const platform = `http://localhost:${port}`;
    const created = await api(
      platform,
      'POST',
      '/platform/v1/venues',
      { name: 'The Rival', slug, timezone: 'Europe/London', currency: 'GBP', ownerEmail: rivalEmail, ownerPassword: rivalPassword },
      undefined,
      PLATFORM_KEY,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const rival = watch(await page.context().newPage(), problems);
    try {
      await rival.goto(`http://${created.body.venue.hostname}:${port}/admin`);
      await rival.getByLabel('Email').fill(rivalEmail);
      await rival.getByLabel('Password').fill(rivalPassword);
      await rival.getByRole('button', { name: 'Log in' }).click();
      await expect(rival.getByTestId('signed-in-as')).toContainText(rivalEmail);
      await openAdminPage(rival, 'Custom domains');
      await rival.getByLabel('Hostname').fill(hostname);
      await rival.getByRole('button', { name: 'Add domain' }).click();
      await expect(rival.getByRole('alert')).toContainText(`Another venue has already proven that it controls ${hostname}`);
      await expect(rival.getByTestId('domain')).toHaveCount(0);
      await screenshot(rival, 'domains-taken');
    } finally {
      await rival.close();
    }

    // Removed after a confirmation.
    await row.getByRole('button', { name: `Remove ${hostname}` }).click();
    const confirm = row.getByRole('alertdialog');
    await expect(confirm).toContainText(`Your site stops answering at ${hostname}`);
    await screenshot(page, 'domains-remove-confirm');
    await confirm.getByRole('button', { name: 'Yes, remove' }).click();
    await expect(card(page, hostname)).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: `${hostname} is removed` })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('heading', { level: 2, name: 'Your domains' })).toBeVisible();
    await expect(card(page, hostname)).toHaveCount(0);
    await screenshot(page, 'domains-removed');
  } finally {
    for (const r of records) await deleteDns(r.name, r.type);
  }
});
