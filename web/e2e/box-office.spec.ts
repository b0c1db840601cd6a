// The box office end to end: finding a patron's order and refunding tickets (the patron's order
// page then says so), a performance's sales with its cancellation, and the scanner page turning
// away a code that is not a ticket. Every test publishes a show of its own.
import type { Page } from '@playwright/test';
import { expect, logIn, openAdminPage, OWNER, publishedShow, screenshot, screenshotOf, test, unique } from './fixtures';

function seat(page: Page, name: string) {
  return page.getByRole('button', { name: new RegExp(`^${name},`) });
}

/** A patron buys `seats` with the test card in this page; returns the order number and page URL. */
async function buy(page: Page, performanceId: string, seats: string[]): Promise<{ number: string; url: string }> {
  await page.goto(`/performances/${performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
  for (const name of seats) {
    await seat(page, name).click();
    await expect(seat(page, name)).toHaveAttribute('data-state', 'mine');
  }
  await page.goto('/checkout');
  await expect(page.getByTestId('checkout-ticket')).toHaveCount(seats.length);
  await expect(page.getByTestId('checkout-ticket').first().locator('select')).toHaveValue('adult');
  await page.getByLabel('Name', { exact: true }).fill('Refund Patron');
  await page.getByLabel('Email', { exact: true }).fill(`${unique('refund')}@example.org`);
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  const number = (await page.getByTestId('pending-order-number').textContent())!.trim();
  const card = page.getByRole('form', { name: 'Pay by card' });
  await card.getByLabel('Card number').fill('4242 4242 4242 4242');
  await card.getByLabel('Expiry (MM/YY)').fill('12/30');
  await card.getByLabel('CVC').fill('123');
  await card.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you — your order is confirmed', { timeout: 30_000 });
  return { number, url: page.url() };
}

test('box office: staff find an order, refund one ticket then the rest, and the patron sees it refunded', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Refund');
  const order = await buy(page, show.performanceId, ['Orchestra row F seat 3', 'Orchestra row F seat 4']);

  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Orders');
  await page.getByLabel('Find an order').fill(order.number);
  await page.getByRole('button', { name: 'Search' }).click();
  const result = page.getByTestId('order-result');
  await expect(result).toHaveCount(1);
  await expect(result).toContainText('Refund Patron');
  await expect(result).toContainText('Paid');
  await screenshotOf(page.locator('.admin-main'), 'admin-orders', 'admin-orders');
  await result.getByRole('link', { name: order.number }).click();
  await expect(page.getByTestId('admin-order-number')).toHaveText(order.number);
  await expect(page.getByTestId('admin-ticket')).toHaveCount(2);

  // One ticket, with a reason, after the confirmation.
  await page.getByLabel('Refund Orchestra, row F, seat 3').check();
  await page.getByLabel(/^Reason/).fill('Cannot come');
  await page.getByRole('button', { name: 'Refund selected (1)' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Refund 1 ticket?');
  await expect(dialog).toContainText('$62.00');
  await screenshotOf(page.locator('.admin-main'), 'admin-refund-confirm', 'admin-refund-confirm');
  await dialog.getByRole('button', { name: 'Confirm refund' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Refunded 1 ticket' })).toContainText('$62.00');
  await expect(page.getByTestId('admin-order-status')).toHaveText('Partly refunded');
  await expect(page.getByTestId('admin-ticket').first()).toContainText('Refunded');
  await expect(page.getByLabel('Refund Orchestra, row F, seat 3')).toBeDisabled();

  // Then the rest.
  await page.getByRole('button', { name: 'Refund all' }).click();
  await expect(page.getByRole('alertdialog')).toContainText('Refund the whole order?');
  await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm refund' }).click();
  await expect(page.getByTestId('admin-order-status')).toHaveText('Refunded');
  await expect(page.getByTestId('admin-refunded')).toHaveText('$124.00');
  await expect(page.getByTestId('admin-refunds').locator('li')).toHaveCount(2);
  await screenshot(page, 'admin-order-refunded');

  // The patron's order page says so.
  await page.goto(order.url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This order has been refunded');
  await expect(page.getByTestId('order-status')).toHaveText('Refunded');
  await expect(page.getByTestId('refunds').locator('li')).toHaveCount(2);
  await expect(page.getByTestId('refunds')).toContainText('Cannot come');
});

test('box office: a performance’s sales follow live, and cancelling it refunds every order', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Sales');
  await buy(page, show.performanceId, ['Balcony row R seat 10']);

  await logIn(page, OWNER.email, OWNER.password);
  await page.goto(`/admin/sales?performance=${show.performanceId}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sales' })).toBeVisible();
  await expect(page.getByLabel('Performance', { exact: true })).toHaveValue(show.performanceId);
  await expect(page.getByTestId('sales-sold')).toHaveText('1');
  await expect(page.getByTestId('sales-revenue')).toHaveText('$37.00');
  // The figures follow the live WebSocket's staff sales channel, not a timer.
  await expect(page.getByTestId('sales-feed')).toHaveAttribute('data-mode', 'live');
  await expect(page.locator('.sales-chart rect.bar-sold')).toHaveCount(1);
  await screenshotOf(page.locator('.admin-main'), 'admin-sales', 'admin-sales');

  // Another patron holds a seat: the figures follow at once (the fallback would take 30 s).
  const other = await page.context().browser()!.newContext({ baseURL });
  const patron = await other.newPage();
  await patron.goto(`/performances/${show.performanceId}`);
  await seat(patron, 'Balcony row R seat 11').click();
  await expect(seat(patron, 'Balcony row R seat 11')).toHaveAttribute('data-state', 'mine');
  await expect(page.getByTestId('sales-held')).toHaveText('1', { timeout: 5_000 });
  await other.close();

  await page.getByRole('button', { name: 'Cancel performance…' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('every order for this performance is refunded');
  await screenshotOf(page.locator('.admin-main'), 'admin-cancel-performance');
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await expect(dialog).toHaveCount(0);
  await page.getByRole('button', { name: 'Cancel performance…' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel the performance and refund everyone' }).click();
  await expect(page.getByTestId('cancel-progress')).toHaveText('The performance is cancelled. 1 of 1 order refunded.', { timeout: 30_000 });
  await expect(page.getByTestId('sales-sold')).toHaveText('0');
  await expect(page.getByTestId('sales-refunded')).toHaveText('1');
});

test('box office: the scanner page turns away a code that is not a ticket', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Scan');
  await logIn(page, OWNER.email, OWNER.password);
  await openAdminPage(page, 'Scan tickets');
  await page.getByLabel('Performance', { exact: true }).selectOption(show.performanceId);
  await page.getByLabel('Door').fill('North');
  const code = page.getByLabel('Ticket code');
  // A keyboard-wedge scanner types the code and Enter.
  await code.click();
  await page.keyboard.type('NOT-A-TICKET-123');
  await page.keyboard.press('Enter');
  const verdict = page.getByTestId('scan-verdict');
  await expect(verdict).toHaveAttribute('data-ok', 'false');
  await expect(verdict).toContainText('Not a valid ticket');
  await expect(code).toHaveValue('');
  await expect(code).toBeFocused();
  await screenshotOf(page.locator('.admin-main'), 'admin-scan-invalid', 'admin-scan');
  // The next scan goes straight into the same input.
  await page.keyboard.type('ANOTHER-BAD-CODE');
  await page.keyboard.press('Enter');
  await expect(verdict).toContainText('Not a valid ticket');
  await expect(code).toHaveValue('');
});
