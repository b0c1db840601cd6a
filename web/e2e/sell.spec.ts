// The box office window (/admin/sell): a clerk sells two seats for cash without the mouse and
// hands back the change, and a patron's seat map then shows them sold; the owner gives a comp
// with a reason; a clerk posts the tickets of a cash sale. Every test publishes a show of its own.
import type { Locator, Page } from '@playwright/test';
import { api, expect, logIn, mailUrl, openAdminPage, OWNER, ownerToken, publishedShow, screenshot, screenshotOf, test, unique } from './fixtures';

function seat(page: Page, name: string) {
  return page.getByRole('button', { name: new RegExp(`^${name},`) });
}

/** Presses Tab until `target` has the focus (at most `max` times): the keyboard's way there. */
async function tabTo(page: Page, target: Locator, max = 8): Promise<number> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return presses;
  }
  throw new Error(`Tab did not reach ${target.toString()} within ${max} presses`);
}

/** "$174.00" → 17400 */
function cents(text: string): number {
  return Math.round(Number(text.replace(/[^\d.]/g, '')) * 100);
}

test('box office: a window sale for cash, keyboard only, shows the change due; a patron then sees the seats sold', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Window');
  await logIn(page, OWNER.email, OWNER.password);
  await page.goto(`/admin/sell?performance=${show.performanceId}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sell' })).toBeVisible();
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);

  // From here on, only the keyboard: the page puts the focus on the performance.
  const performance = page.getByLabel('Performance', { exact: true });
  await expect(performance).toBeFocused();
  await expect(performance).toHaveValue(show.performanceId);
  await page.keyboard.press('Tab');
  const quantity = page.getByLabel('Seats', { exact: true });
  await expect(quantity).toBeFocused();
  await page.keyboard.type('2');
  await page.keyboard.press('Enter');
  const tickets = page.getByTestId('sale-ticket');
  await expect(tickets).toHaveCount(2);
  await expect(page.getByTestId('sell-hold-message')).toContainText(/Held seats \w+, \w+\./);
  await expect(page.getByTestId('sale-countdown')).toHaveText(/^(30:00|29:\d\d)$/);
  const names = (await tickets.locator('label').allTextContents()).map((t) => t.trim());

  // Through the price types (the first, Adult, stays) to the cash tendered.
  const firstPrice = tickets.first().getByRole('combobox');
  await tabTo(page, firstPrice);
  await expect(firstPrice).toHaveValue('adult');
  const tendered = page.getByLabel('Cash tendered');
  const presses = await tabTo(page, tendered);
  expect(presses, 'Remove, the second price type, Remove, the payment method, then the cash').toBe(5);
  const total = cents((await page.getByTestId('sale-totals').getByTestId('total').textContent()) ?? '');
  expect(total).toBeGreaterThan(0);
  const sell = page.getByRole('button', { name: /^Sell 2 tickets/ });
  await expect(sell).toBeDisabled();
  await expect(page.getByTestId('sell-why')).toContainText('Enter the cash tendered');

  // Too little first: Sell stays off and says why; then enough, and Enter sells.
  await page.keyboard.type('10');
  await expect(page.getByTestId('sell-why')).toContainText('short of the total');
  await page.keyboard.press('Enter');
  await expect(tendered).toBeFocused();
  await expect(page.getByRole('alert').filter({ hasText: 'short of the total' })).toBeVisible();
  await page.keyboard.press('Control+A');
  const cash = Math.ceil(total / 10_000) * 100 + 20; // e.g. $200 + $20 for $174
  await page.keyboard.type(String(cash));
  const change = cash * 100 - total;
  const changeText = `$${(change / 100).toFixed(2)}`;
  await expect(page.getByTestId('change-due')).toHaveText(`Change due ${changeText}`);
  await expect(sell).toBeEnabled();
  await screenshotOf(page.locator('.admin-main'), 'admin-sell', 'admin-sell');
  await page.keyboard.press('Enter');

  const done = page.getByTestId('sale-done');
  await expect(done).toBeVisible();
  await expect(done.getByTestId('sale-number')).toHaveText(/\S+/);
  await expect(done.getByTestId('sale-change')).toContainText(changeText);
  await expect(done).toContainText('Walk-up, paid in cash');
  await expect(page.getByRole('button', { name: 'New sale' })).toBeFocused();
  await screenshot(page, 'admin-sell-done');
  await screenshotOf(done, 'admin-sell-change', 'admin-sell-change');

  // New sale: an empty sale, the focus back on the performance.
  await page.keyboard.press('Enter');
  await expect(performance).toBeFocused();
  await expect(page.getByTestId('sale-empty')).toBeVisible();

  // A patron's map shows those seats sold.
  const other = await page.context().browser()!.newContext({ baseURL });
  const patron = await other.newPage();
  await patron.goto(`/performances/${show.performanceId}`);
  await expect(patron.locator('circle[data-seat]')).toHaveCount(500);
  for (const name of names) {
    const [section, row, label] = /^(.+) row (\S+) seat (\S+)$/.exec(name)!.slice(1);
    await expect(seat(patron, `${section} row ${row} seat ${label}`)).toHaveAttribute('data-state', 'sold');
  }
  await other.close();
});

test('box office: the owner gives a comp with a reason', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Comp');
  await logIn(page, OWNER.email, OWNER.password);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Sell' }).click();
  await page.getByLabel('Performance', { exact: true }).selectOption(show.performanceId);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);

  // Two seats from the map; a click on one of them again lets it go.
  await seat(page, 'Balcony row R seat 5').click();
  await expect(seat(page, 'Balcony row R seat 5')).toHaveAttribute('data-state', 'mine');
  await seat(page, 'Balcony row R seat 6').click();
  await expect(page.getByTestId('sale-ticket')).toHaveCount(2);
  await seat(page, 'Balcony row R seat 6').click();
  await expect(page.getByTestId('sale-ticket')).toHaveCount(1);
  await expect(seat(page, 'Balcony row R seat 6')).toHaveAttribute('data-state', 'free');

  const price = page.getByLabel('Balcony row R seat 5', { exact: true });
  await expect(price).toHaveValue('adult');
  await price.selectOption('student');
  await expect(page.getByTestId('sale-totals').getByTestId('total')).toHaveText('$19.50');

  await page.getByLabel('Comp', { exact: true }).check();
  await expect(page.getByTestId('sale-totals').getByTestId('total')).toHaveText('$0.00');
  await page.getByLabel('Name', { exact: true }).fill('Press Critic');
  // Sell is off without a reason; Enter asks for it and puts the focus there.
  await expect(page.getByRole('button', { name: 'Sell 1 ticket as comps' })).toBeDisabled();
  await expect(page.getByTestId('sell-why')).toHaveText('Enter the reason for the complimentary tickets.');
  await page.getByLabel('Name', { exact: true }).press('Enter');
  const reason = page.getByLabel('Reason for the comp');
  await expect(reason).toBeFocused();
  await expect(page.getByRole('alert').filter({ hasText: 'Enter the reason for the complimentary tickets.' })).toBeVisible();
  await screenshotOf(page.locator('.admin-main'), 'admin-sell-comp');
  await reason.fill('Press night');
  await page.getByRole('button', { name: 'Sell 1 ticket as comps' }).click();

  const done = page.getByTestId('sale-done');
  await expect(done).toContainText('Press Critic, complimentary: $0.00');
  await expect(done.getByTestId('sale-change')).toHaveCount(0);
  await screenshot(page, 'admin-sell-comp-done');
  // Printed at the window: the PDF opens in a tab for the browser's print dialog.
  const printed = page.waitForEvent('popup');
  const answered = page.waitForResponse((r) => r.url().includes('/tickets.pdf?format=letter'));
  await done.getByRole('group', { name: 'Print the tickets on' }).getByRole('button', { name: 'Letter' }).click();
  const response = await answered;
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/pdf');
  const tab = await printed;
  expect(tab.url()).toMatch(/^blob:/);
  await tab.close();
  const number = (await done.getByTestId('sale-number').textContent())!.trim();
  await done.getByRole('link', { name: `Open order ${number}` }).click();
  await expect(page.getByTestId('admin-order-number')).toHaveText(number);
  await expect(page.getByTestId('admin-ticket')).toHaveCount(1);
  await expect(page.getByTestId('admin-order-sale')).toHaveText(/Sold by .+, complimentary: Press night/);
});

test('box office: a card sale at the window takes the card on the test-card form and completes when paid', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Card');
  await logIn(page, OWNER.email, OWNER.password);
  await page.goto(`/admin/sell?performance=${show.performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
  await page.getByLabel('Seats', { exact: true }).fill('1');
  await page.getByLabel('Zone', { exact: true }).selectOption({ label: 'Standard' });
  await page.getByRole('button', { name: 'Hold best seats' }).click();
  await expect(page.getByTestId('sale-ticket')).toHaveCount(1);
  await page.getByLabel('Card', { exact: true }).check();
  await page.getByRole('radio', { name: 'Email' }).check();
  await expect(page.getByTestId('sell-why')).toHaveText('Email delivery needs the patron’s email.');
  await page.getByRole('textbox', { name: 'Email' }).fill('card.patron@example.org');
  await page.getByLabel('Name', { exact: true }).fill('Card Patron');
  await page.getByRole('button', { name: 'Sell 1 ticket for $62.00 by card' }).click();

  const card = page.getByRole('form', { name: 'Pay by card' });
  await expect(page.getByRole('heading', { name: 'Card payment' })).toBeFocused();
  await card.getByLabel('Card number').fill('4242 4242 4242 4242');
  await card.getByLabel('Expiry (MM/YY)').fill('12/30');
  await card.getByLabel('CVC').fill('123');
  await screenshotOf(page.locator('.admin-main'), 'admin-sell-card');
  await card.getByRole('button', { name: 'Pay $62.00' }).click();
  const done = page.getByTestId('sale-done');
  await expect(done).toContainText('Card Patron, paid by card: $62.00', { timeout: 30_000 });
  await expect(done.getByTestId('sale-change')).toHaveCount(0);
});

test('box office: a phone order sends the patron a payment link by default and holds the seats for it', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Phone');
  await logIn(page, OWNER.email, OWNER.password);
  await page.goto(`/admin/sell?performance=${show.performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
  await page.getByLabel('Seats', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Hold best seats' }).click();
  await expect(page.getByTestId('sale-ticket')).toHaveCount(1);
  await page.getByLabel('Phone order', { exact: true }).check();
  // The link is the default; the demo venue has not enabled MOTO, so keying in is not offered.
  await expect(page.getByLabel('Email a payment link')).toBeChecked();
  await expect(page.getByLabel('Key in the card (MOTO)')).toHaveCount(0);
  await expect(page.getByRole('radio', { name: 'Email', exact: true })).toBeChecked();
  await page.getByLabel('Name', { exact: true }).fill('Phone Patron');
  await expect(page.getByTestId('sell-why')).toHaveText('The payment link is emailed: enter the patron’s email.');
  const email = `${unique('phone')}@example.org`;
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('button', { name: /^Send a payment link for 1 ticket/ }).click();
  const done = page.getByTestId('sale-done');
  await expect(done.getByRole('heading', { name: 'Payment link sent' })).toBeVisible();
  await expect(done.getByTestId('sale-payment-link')).toContainText(`Payment link sent to ${email}; the seats are held until`);
  await expect(done).toContainText('Phone Patron, to pay by the emailed link');
  await screenshotOf(page.locator('.admin-main'), 'admin-sell-payment-link');

  // The patron opens the link from the email and pays on the venue's site.
  const patron = await page.context().browser()!.newPage();
  let link = '';
  await expect
    .poll(
      async () => {
        await patron.goto(mailUrl(baseURL!));
        const body = (await patron.locator('article').filter({ hasText: email }).locator('pre').allTextContents()).join('\n');
        link = /https?:\/\/[^\s]+\/orders\/[^\s?]+\?token=[A-Za-z0-9]+/.exec(body)?.[0] ?? '';
        return link;
      },
      { message: `payment link mail to ${email}`, timeout: 30_000, intervals: [250, 500, 1000] },
    )
    .not.toBe('');
  const url = new URL(link);
  await patron.goto(new URL(url.pathname + url.search, baseURL!).toString());
  await expect(patron.getByRole('heading', { name: 'Pay for your tickets' })).toBeVisible();
  await expect(patron.getByTestId('payment-link')).toContainText('The box office is keeping these seats for you until');
  const form = patron.getByRole('form', { name: 'Pay by card' });
  await form.getByLabel('Card number').fill('4242 4242 4242 4242');
  await form.getByLabel('Expiry (MM/YY)').fill('12/30');
  await form.getByLabel('CVC').fill('123');
  await screenshot(patron, 'patron-payment-link');
  await form.getByRole('button', { name: /^Pay / }).click();
  await expect(patron.getByRole('heading', { name: 'Thank you — your order is confirmed' })).toBeVisible({ timeout: 20_000 });
  await expect(patron.getByTestId('order-status')).toHaveText('Paid');
  await patron.close();
});

test('box office: a cash sale posted to a US address, a bad ZIP fixed at its field, the postage in the total and the change', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Posted at the window');
  // The owner posts tickets from the box office, for $4.50, to the US and the UK (as the
  // venue settings page saves them; mail.spec.ts walks that page).
  const token = await ownerToken(baseURL!);
  const enabled = await api(
    baseURL!,
    'PUT',
    '/admin/v1/venue',
    { mail: { enabled: true, fee: 450, cutoffDays: 7, countries: ['US', 'GB'], fulfilment: 'in_house' } },
    token,
  );
  expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);

  await logIn(page, OWNER.email, OWNER.password);
  await page.goto(`/admin/sell?performance=${show.performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
  await page.getByLabel('Seats', { exact: true }).fill('1');
  await page.getByLabel('Zone', { exact: true }).selectOption({ label: 'Standard' });
  await page.getByRole('button', { name: 'Hold best seats' }).click();
  await expect(page.getByTestId('sale-ticket')).toHaveCount(1);
  const totals = page.getByTestId('sale-totals');
  // $60 and the $2 booking fee.
  await expect(totals.getByTestId('total')).toHaveText('$62.00');

  const name = `Ada ${unique('Post').slice(-6)}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  // Post is the last delivery; choosing it adds the postage to the quote and asks for the address.
  const deliveries = page.getByRole('group', { name: 'Delivery', exact: true }).getByRole('radio');
  await expect(deliveries).toHaveCount(4);
  await expect(deliveries.last()).toHaveAccessibleName('Post');
  await deliveries.last().check();
  await expect(totals.getByTestId('mailing')).toHaveText('$4.50');
  await expect(totals.getByTestId('total')).toHaveText('$66.50');
  const address = page.getByRole('group', { name: 'Post the tickets to' });
  await expect(address.getByLabel(/^Country/).locator('option')).toHaveText(['United Kingdom', 'United States']);
  await address.getByLabel(/^Country/).selectOption('US');
  // Addressed to the patron unless the clerk says otherwise.
  await expect(address.getByLabel(/^Name on the envelope/)).toHaveValue(name);
  await address.getByLabel(/^Street address/).fill('1 Theatre Row');
  await address.getByLabel(/^City/).fill('New York');
  await address.getByLabel(/^State/).selectOption('NY');
  const zip = address.getByLabel(/^ZIP code/);
  await zip.fill('1003');
  await page.getByLabel('Cash tendered').fill('70');
  await expect(page.getByTestId('change-due')).toHaveText('Change due $3.50');
  await expect(page.getByTestId('sell-why')).toHaveText('Enter a valid ZIP code, like 95014.');

  // Enter sells: stopped at the ZIP code, with the focus there; nothing was sold.
  await zip.press('Enter');
  await expect(address.getByText('Enter a valid ZIP code, like 95014.')).toBeVisible();
  await expect(zip).toBeFocused();
  await expect(zip).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('sale-done')).toHaveCount(0);
  await screenshotOf(page.locator('.admin-main'), 'admin-sell-post-zip-error');
  await zip.fill('10036');
  await expect(address.getByText('Enter a valid ZIP code, like 95014.')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Sell 1 ticket for $66.50' })).toBeEnabled();
  await screenshotOf(page.locator('.admin-main'), 'admin-sell-post');
  await zip.press('Enter');

  const done = page.getByTestId('sale-done');
  await expect(done).toContainText(`${name}, paid in cash: $66.50`);
  await expect(done.getByTestId('sale-change')).toContainText('$3.50');
  await expect(done.getByTestId('sale-posted')).toContainText('The tickets will be posted to:');
  await expect(done.getByTestId('sale-posted-address')).toContainText('1 Theatre Row');
  await expect(done.getByTestId('sale-posted-address')).toContainText('NEW YORK NY 10036');
  await screenshotOf(done, 'admin-sell-post-done');
  const number = (await done.getByTestId('sale-number').textContent())!.trim();

  // The order waits on the box office's to-post list, with its address.
  await openAdminPage(page, 'Orders');
  const row = page.getByTestId('to-post-order').filter({ hasText: number });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('to-post-address')).toContainText(name);
  await expect(row.getByTestId('to-post-address')).toContainText('NEW YORK NY 10036');
});
