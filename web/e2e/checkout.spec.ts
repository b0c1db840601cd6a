// Checkout end to end: seats held on the map, ticket types and contact details, the payment
// through the repository's Stripe test double (the local test-card form posts the card straight
// to it), the webhook that settles the order, and the confirmation page. Every test publishes a
// show of its own, so tests never compete for seats.
import type { Page } from '@playwright/test';
import { request as httpRequest } from 'node:http';
import { expect, publishedShow, screenshotOf, test, unique } from './fixtures';

/** A seat by its screen-reader name, e.g. "Orchestra row C seat 12". */
function seat(page: Page, name: string) {
  return page.getByRole('button', { name: new RegExp(`^${name},`) });
}

async function holdSeats(page: Page, performanceId: string, names: string[]) {
  await page.goto(`/performances/${performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
  for (const name of names) {
    await seat(page, name).click();
    await expect(seat(page, name)).toHaveAttribute('data-state', 'mine');
  }
  await expect(page.getByTestId('your-tickets').getByTestId('cart-item')).toHaveCount(names.length);
}

async function payWith(page: Page, number: string) {
  const form = page.getByRole('form', { name: 'Pay by card' });
  await form.getByLabel('Card number').fill(number);
  await form.getByLabel('Expiry (MM/YY)').fill('12/30');
  await form.getByLabel('CVC').fill('123');
  await form.getByRole('button', { name: /^Pay / }).click();
}

/** Every request the page sends to Marquee (its own origin) that carries a card number. */
function watchForCardData(page: Page, baseURL: string): string[] {
  const leaks: string[] = [];
  const origin = new URL(baseURL).origin;
  page.on('request', (request) => {
    if (!request.url().startsWith(origin)) return;
    const text = `${request.url()} ${request.postData() ?? ''}`;
    if (/4242\s?4242|4000\s?0000\s?0000\s?0002|cardNumber/i.test(text)) leaks.push(`${request.method()} ${request.url()}`);
  });
  return leaks;
}

/** The status and Location of a GET from the test process (Node cannot resolve *.localhost). */
function head(baseURL: string, path: string): Promise<{ status: number; location: string | undefined }> {
  const base = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: Number(base.port || 80), method: 'GET', path, headers: { Host: base.host }, timeout: 15_000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

test('checkout: a patron buys two seats with the test card and sees the confirmation', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Checkout');
  const leaks = watchForCardData(page, baseURL!);
  await holdSeats(page, show.performanceId, ['Orchestra row C seat 12', 'Orchestra row C seat 13']);

  await page.getByTestId('your-tickets').getByRole('link', { name: /View cart/ }).click();
  await page.getByRole('link', { name: 'Checkout', exact: true }).click();
  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Checkout');
  await expect(page.getByTestId('countdown')).toHaveText(/^(10:00|09:[0-5]\d)$/);

  const tickets = page.getByTestId('checkout-ticket');
  await expect(tickets).toHaveCount(2);
  const c12 = page.getByLabel('Orchestra, row C, seat 12', { exact: true });
  const c13 = page.getByLabel('Orchestra, row C, seat 13', { exact: true });
  // Each ticket defaults to its zone's first price type; the options show their price.
  await expect(c12).toHaveValue('adult');
  await expect(c13.locator('option')).toHaveText(['Adult — $85.00', 'Student — $42.50']);
  await c13.selectOption('student');
  await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
  await page.getByLabel('Email', { exact: true }).fill(`${unique('buyer')}@example.org`);
  await page.getByLabel('E-tickets by email').check();
  await screenshotOf(page.locator('.checkout-page'), 'checkout', 'checkout');
  await page.getByRole('button', { name: 'Continue to payment' }).click();

  // The server's totals: $85 + $42.50, a $2 booking fee per ticket.
  const number = page.getByTestId('pending-order-number');
  await expect(number).toHaveText(/\S+/);
  const orderNumber = (await number.textContent())!.trim();
  await expect(page.getByTestId('subtotal')).toHaveText('$127.50');
  await expect(page.getByTestId('fees')).toHaveText('$4.00');
  await expect(page.getByTestId('total')).toHaveText('$131.50');
  await expect(page.getByTestId('test-mode')).toContainText('Test mode — no real payment');
  await expect(page.getByTestId('countdown')).toBeVisible();
  await screenshotOf(page.locator('.checkout-page'), 'checkout-payment', 'checkout-payment');

  await payWith(page, '4242 4242 4242 4242');
  await expect(page).toHaveURL(/\/orders\/[^/?]+$/);
  // The webhook settles the order a moment later; the page reads it again until then.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you — your order is confirmed', { timeout: 30_000 });
  await expect(page.getByTestId('order-number')).toHaveText(orderNumber);
  await expect(page.getByTestId('order-status')).toHaveText('Paid');
  await expect(page.getByTestId('order-ticket')).toHaveText([
    /Orchestra, row C, seat 12\s*Adult · \$85\.00/,
    /Orchestra, row C, seat 13\s*Student · \$42\.50/,
  ]);
  await expect(page.getByTestId('order-group').locator('time')).toContainText('7:30 PM');
  await expect(page.getByTestId('total')).toHaveText('$131.50');
  const pdf = page.getByRole('link', { name: 'Download tickets (PDF)' });
  await expect(pdf).toHaveAttribute('href', /\/api\/v1\/orders\/[^/]+\/tickets\.pdf\?token=.+/);
  await screenshotOf(page.locator('.order-page'), 'order-confirmation', 'order-confirmation');

  // The PDF link leads to the tickets.
  const download = await head(baseURL!, (await pdf.getAttribute('href'))!);
  expect(download.status, `GET tickets.pdf → ${download.status} ${download.location ?? ''}`).toBe(302);
  expect(download.location).toBeTruthy();

  // The same tab finds the order again without the token in the address.
  await page.reload();
  await expect(page.getByTestId('order-number')).toHaveText(orderNumber);

  // The cart is done with: the seats are sold and the next purchase starts a new cart.
  await expect(page.getByTestId('cart-count')).toHaveCount(0);
  await page.goto(`/performances/${show.performanceId}`);
  await expect(seat(page, 'Orchestra row C seat 12')).toHaveAttribute('data-state', 'sold');
  await seat(page, 'Orchestra row D seat 12').click();
  await expect(seat(page, 'Orchestra row D seat 12')).toHaveAttribute('data-state', 'mine');
  await expect(page.getByTestId('cart-count')).toHaveText('1');

  expect(leaks, 'card data sent to Marquee').toEqual([]);
});

test('checkout: a declined card says so, and another card then pays', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Declined');
  const leaks = watchForCardData(page, baseURL!);
  await holdSeats(page, show.performanceId, ['Balcony row R seat 4', 'Balcony row R seat 5']);

  await page.goto('/checkout');
  await expect(page.getByTestId('checkout-ticket')).toHaveCount(2);
  await expect(page.getByLabel('Balcony, row R, seat 4', { exact: true })).toHaveValue('adult');
  await page.getByLabel('Name', { exact: true }).fill('Grace Hopper');
  await page.getByLabel('Email', { exact: true }).fill(`${unique('declined')}@example.org`);
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(page.getByTestId('total')).toHaveText('$74.00');
  const orderNumber = (await page.getByTestId('pending-order-number').textContent())!.trim();

  await payWith(page, '4000 0000 0000 0002');
  await expect(page.getByRole('form', { name: 'Pay by card' }).getByRole('alert')).toHaveText(
    'Your card was declined. Nothing was charged; try another card.',
  );
  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByLabel('Card number')).toHaveValue('');
  await screenshotOf(page.locator('.checkout-page'), 'checkout-declined');

  await payWith(page, '4242424242424242');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you — your order is confirmed', { timeout: 30_000 });
  await expect(page.getByTestId('order-number')).toHaveText(orderNumber);
  await expect(page.getByTestId('order-ticket')).toHaveCount(2);
  expect(leaks, 'card data sent to Marquee').toEqual([]);
});
