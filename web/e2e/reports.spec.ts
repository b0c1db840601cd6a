// Reports end to end: a patron holds a seat and lets it go, then buys another with the test card
// on a show of the test's own; staff open Reports and find the order in today's end of day (the
// stream worker counts it within a second or so, so the page is asked again until it shows),
// download the CSV, see the last 30 days charted (venue-wide and for the show's event), and open
// the show's demand, where the seat let go is on the heat map. The demo venue is shared with
// tests running alongside, so venue-wide figures are checked as "at least"; the show's own lines
// are exact.
import type { Locator, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { expect, logIn, openAdminPage, OWNER, publishedShow, screenshotOf, test, unique } from './fixtures';

function seat(page: Page, name: string) {
  return page.getByRole('button', { name: new RegExp(`^${name},`) });
}

/** A figure such as "12" or "$1,234.50" as a number. */
async function figure(locator: Locator): Promise<number> {
  return Number(((await locator.textContent()) ?? '').replace(/[^0-9.]/g, ''));
}

/** Asks for the report again (Show) until `until` holds: the figures trail the sale a little. */
async function showUntil(form: Locator, until: () => Promise<boolean>, message: string): Promise<void> {
  await expect
    .poll(
      async () => {
        if (await until()) return true;
        await form.getByRole('button', { name: 'Show' }).click();
        await expect(form.getByRole('button', { name: 'Show' })).toBeEnabled();
        return until();
      },
      { message, timeout: 30_000, intervals: [500, 1000, 2000] },
    )
    .toBe(true);
}

test('reports: the day, the CSV, the sales chart and a performance\'s demand after a patron buys and lets a seat go', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const show = await publishedShow(baseURL!, 'Reports');

  // --- patron: hold C14 and let it go; buy C12 with the test card ------------------------------
  await page.goto(`/performances/${show.performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
  await seat(page, 'Orchestra row C seat 14').click();
  await expect(seat(page, 'Orchestra row C seat 14')).toHaveAttribute('data-state', 'mine');
  await seat(page, 'Orchestra row C seat 14').click();
  await expect(seat(page, 'Orchestra row C seat 14')).toHaveAttribute('data-state', 'free');
  await seat(page, 'Orchestra row C seat 12').click();
  await expect(seat(page, 'Orchestra row C seat 12')).toHaveAttribute('data-state', 'mine');
  await page.getByTestId('your-tickets').getByRole('link', { name: /View cart/ }).click();
  await page.getByRole('link', { name: 'Checkout', exact: true }).click();
  // The ticket's price types have loaded (the payment step needs them).
  await expect(page.getByLabel('Orchestra, row C, seat 12', { exact: true })).toHaveValue('adult');
  await page.getByLabel('Name', { exact: true }).fill('Report Patron');
  await page.getByLabel('Email', { exact: true }).fill(`${unique('report')}@example.org`);
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(page.getByTestId('total')).toHaveText('$87.00');
  const card = page.getByRole('form', { name: 'Pay by card' });
  await card.getByLabel('Card number').fill('4242 4242 4242 4242');
  await card.getByLabel('Expiry (MM/YY)').fill('12/30');
  await card.getByLabel('CVC').fill('123');
  await card.getByRole('button', { name: 'Pay $87.00' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you — your order is confirmed', { timeout: 30_000 });

  // --- staff: today's end of day has the order -----------------------------------------------------
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Reports');
  const eodForm = page.getByRole('form', { name: 'End-of-day report' });
  // The venue's today (New York), whatever the browser's zone.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  await expect(eodForm.getByLabel('Day')).toHaveValue(today);
  const eod = page.getByTestId('end-of-day');
  const ourLine = eod.getByTestId('sales-line').filter({ hasText: show.title });
  await showUntil(eodForm, async () => (await ourLine.count()) === 1, `today's end of day lists ${show.title}`);
  await expect(eod).toHaveAttribute('data-date', today);
  await expect(ourLine.locator('td')).toHaveText([show.title, /7:30\sPM/, 'Adult', 'Premium', '1', '$85.00', '0']);
  expect(await figure(eod.getByTestId('figure-orders'))).toBeGreaterThanOrEqual(1);
  expect(await figure(eod.getByTestId('figure-tickets'))).toBeGreaterThanOrEqual(1);
  expect(await figure(eod.getByTestId('figure-total'))).toBeGreaterThanOrEqual(87);
  expect(await figure(eod.getByTestId('figure-card'))).toBeGreaterThanOrEqual(87);
  expect(await figure(eod.getByTestId('figure-fees'))).toBeGreaterThanOrEqual(2);
  await screenshotOf(page.getByTestId('report-end-of-day'), 'admin-reports-end-of-day', 'admin-reports-end-of-day');

  // The CSV: fetched with the staff token and saved under the server's name.
  const eodDownload = page.waitForEvent('download');
  await eodForm.getByRole('button', { name: 'Download CSV' }).click();
  const eodFile = await eodDownload;
  expect(eodFile.suggestedFilename()).toBe(`end-of-day-${today}.csv`);
  const eodCsv = readFileSync(await eodFile.path(), 'utf8');
  expect(eodCsv.split(/\r?\n/)[0]).toBe('Figure,Value');
  expect(eodCsv).toContain('Event,Performance,Price type,Zone,Tickets,Amount,Discount,Fees,Refunded tickets,Performance id');
  expect(eodCsv).toContain(`${show.title},`);
  await expect(page.getByRole('status').filter({ hasText: `Downloaded end-of-day-${today}.csv.` })).toBeAttached();

  // --- sales over the last 30 days: the chart, the summary, the lines --------------------------------
  const salesForm = page.getByRole('form', { name: 'Sales over time' });
  const from = new Date(`${today}T00:00:00Z`);
  from.setUTCDate(from.getUTCDate() - 29);
  await expect(salesForm.getByLabel('From')).toHaveValue(from.toISOString().slice(0, 10));
  await expect(salesForm.getByLabel('To')).toHaveValue(today);
  const sales = page.getByTestId('sales-report');
  const todayRow = sales.locator(`[data-testid="sales-day"][data-day="${today}"]`);
  await showUntil(salesForm, async () => (await sales.getByTestId('sales-line').filter({ hasText: show.title }).count()) === 1, 'the 30 days list the show');
  const chart = sales.getByTestId('sales-chart');
  await expect(chart).toBeVisible();
  expect((await chart.locator('canvas').boundingBox())?.height ?? 0).toBeGreaterThan(100);
  await expect(sales.getByTestId('sales-chart-summary')).toHaveText(/^Tickets sold per day from .+ to .+: [\d,]+ tickets?, \$[\d,.]+ in all; the most on .+\.$/);
  await expect(sales.getByTestId('sales-day')).toHaveCount(30);
  await sales.getByText('Figures per day').click();
  expect(await figure(todayRow.locator('td').first())).toBeGreaterThanOrEqual(1);
  await sales.getByText('Figures per day').click();
  expect(await figure(sales.getByTestId('figure-orders'))).toBeGreaterThanOrEqual(1);
  await screenshotOf(page.getByTestId('report-sales'), 'admin-reports-sales', 'admin-reports-sales');

  // One event: only its lines, and the days add up to its one ticket.
  await salesForm.getByLabel('Event').selectOption({ label: show.title });
  await salesForm.getByRole('button', { name: 'Show' }).click();
  await expect(sales.getByRole('heading', { level: 3 })).toContainText(show.title);
  await expect(sales.getByTestId('sales-line')).toHaveCount(1);
  await expect(sales.getByTestId('figure-tickets')).toHaveText('1');
  await expect(sales.getByTestId('figure-amount')).toHaveText('$85.00');
  await expect(sales.getByTestId('figure-orders')).toHaveCount(0);
  const salesDownload = page.waitForEvent('download');
  await salesForm.getByRole('button', { name: 'Download CSV' }).click();
  const salesFile = await salesDownload;
  expect(salesFile.suggestedFilename()).toMatch(/\.csv$/);
  const salesCsv = readFileSync(await salesFile.path(), 'utf8');
  expect(salesCsv.split(/\r?\n/)[0]).toMatch(/^Date,/);
  expect(salesCsv).toContain(show.title);

  // --- demand: picked from Reports; the seat let go is on the heat map ---------------------------------
  const demandForm = page.getByRole('form', { name: 'Demand by performance' });
  await demandForm.getByLabel('Event').selectOption({ label: show.title });
  await expect(demandForm.getByLabel('Performance')).toBeEnabled();
  await demandForm.getByRole('button', { name: 'Show demand' }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/performances/${show.performanceId}/demand$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Demand' })).toBeVisible();
  await expect(page.getByTestId('demand').getByRole('heading', { level: 2 })).toContainText(show.title);

  const heatMap = page.getByRole('group', { name: 'Heat map of seats held and let go' });
  const letGo = heatMap.getByRole('img', { name: /^Orchestra row C seat 14, .*held and let go (once|\d+ times)$/ });
  await expect
    .poll(
      async () => {
        if ((await letGo.count()) === 1) return true;
        await page.getByRole('button', { name: 'Refresh' }).click();
        return (await letGo.count()) === 1;
      },
      { message: 'C14 on the heat map', timeout: 30_000, intervals: [500, 1000, 2000] },
    )
    .toBe(true);
  await expect(heatMap.getByRole('img', { name: /^Orchestra row C seat 12, .*not held and let go$/ })).toBeVisible();
  const premium = page.getByTestId('demand-zone').filter({ has: page.getByRole('rowheader', { name: 'Premium' }) });
  await expect(premium.getByTestId('zone-sold')).toHaveText('1');
  expect(await figure(premium.getByTestId('zone-tried'))).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('demand-seat').first()).toContainText('Orchestra row C seat 14');
  await expect(page.getByTestId('heat-legend')).toContainText('Never');
  await screenshotOf(page.locator('.admin-main'), 'admin-demand', 'admin-demand');

  // And from the Events page, each published performance links to its demand.
  await openAdminPage(page, 'Events');
  await page
    .getByTestId('admin-event')
    .filter({ has: page.getByRole('heading', { name: show.title }) })
    .getByRole('link', { name: new RegExp(`^Demand for ${show.title}`) })
    .click();
  await expect(page).toHaveURL(new RegExp(`/admin/performances/${show.performanceId}/demand$`));
});

test('reports: a patron history from the order page, its CSV download, and attendance for the show', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const show = await publishedShow(baseURL!, 'Attendance');
  const email = `${unique('history')}@example.org`;

  // --- a guest buys two seats -------------------------------------------------------------------
  await page.goto(`/performances/${show.performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
  for (const name of ['Orchestra row D seat 5', 'Orchestra row D seat 6']) {
    await seat(page, name).click();
    await expect(seat(page, name)).toHaveAttribute('data-state', 'mine');
  }
  await page.getByTestId('your-tickets').getByRole('link', { name: /View cart/ }).click();
  await page.getByRole('link', { name: 'Checkout', exact: true }).click();
  await expect(page.getByLabel('Orchestra, row D, seat 5', { exact: true })).toHaveValue('adult');
  await page.getByLabel('Name', { exact: true }).fill('History Patron');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  const number = (await page.getByTestId('pending-order-number').textContent())!.trim();
  const card = page.getByRole('form', { name: 'Pay by card' });
  await card.getByLabel('Card number').fill('4242 4242 4242 4242');
  await card.getByLabel('Expiry (MM/YY)').fill('12/30');
  await card.getByLabel('CVC').fill('123');
  await card.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you — your order is confirmed', { timeout: 30_000 });

  // --- staff: from the order's email to the patron's history ---------------------------------------
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Orders');
  await page.getByLabel('Find an order').fill(number);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('order-result').getByRole('link', { name: number }).click();
  await page.getByRole('link', { name: 'Patron history' }).click();
  await expect(page).toHaveURL(/\/admin\/reports\?patron=/);
  const history = page.getByTestId('patron-history');
  await expect(history.getByRole('heading', { level: 3 })).toHaveText(email);
  const row = history.getByTestId('patron-order');
  await expect(row).toHaveCount(1);
  await expect(row.locator('td').first()).toHaveText(number);
  await expect(row).toContainText(show.title);
  await expect(row).toContainText('2 tickets');
  await expect(history.getByTestId('patron-orders')).toHaveText('1');
  await expect(history.getByTestId('patron-tickets')).toHaveText('2');
  await screenshotOf(page.getByTestId('report-patron'), 'admin-reports-patron', 'admin-reports-patron');

  // The CSV (a 303 to a presigned /documents/ link when over the inline limit: fetch follows it).
  const form = page.getByRole('form', { name: 'Patron history' });
  const download = page.waitForEvent('download');
  await form.getByRole('button', { name: 'Download CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('patron-history.csv');
  const csv = readFileSync(await file.path(), 'utf8');
  expect(csv.split(/\r?\n/)[0]).toBe('Order,Placed,Status,Performances,Tickets,Paid,Refunded,Promo code,Email');
  expect(csv).toContain(number);
  expect(csv).toContain(email);

  // --- attendance for the show's event: 2 sold, nobody in yet ----------------------------------------
  const attendanceForm = page.getByRole('form', { name: 'Attendance' });
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const later = new Date(`${today}T00:00:00Z`);
  later.setUTCDate(later.getUTCDate() + 300);
  await attendanceForm.getByLabel('Performances from').fill(today);
  await attendanceForm.getByLabel('Performances to').fill(later.toISOString().slice(0, 10));
  await attendanceForm.getByLabel('Event').selectOption({ label: show.title });
  const line = page.getByTestId('attendance-line').filter({ hasText: show.title });
  await showUntil(attendanceForm, async () => (await line.count()) === 1 && (await line.locator('td').nth(2).textContent()) === '2', 'attendance counts the 2 tickets');
  await expect(line.locator('td')).toHaveText([show.title, /7:30\sPM/, '2', '0', '2', '0.0 %']);
  await expect(page.getByTestId('attendance-totals').locator('th, td')).toHaveText(['Total (1 performances)', '2', '0', '2', '0.0 %']);
  await screenshotOf(page.getByTestId('report-attendance'), 'admin-reports-attendance', 'admin-reports-attendance');
  const attendanceDownload = page.waitForEvent('download');
  await attendanceForm.getByRole('button', { name: 'Download CSV' }).click();
  const attendanceCsv = readFileSync(await (await attendanceDownload).path(), 'utf8');
  expect(attendanceCsv.split(/\r?\n/)[0]).toBe('Event,Performance,Cancelled,Sold,Admitted,No-shows,Admitted %,Performance id');
});
