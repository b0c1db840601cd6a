// Payment agreements: a new venue connects its Stripe account from the admin's Payments page
// through the Stripe double's onboarding pages (requirements left due, then finished), and the
// demo venue — connected at start — shows its balance, payouts and a card order's figures.
import { api, expect, ownerToken, publishedShow, screenshot, test, unique } from './fixtures';

/** The devserver's local platform key (infra/devserver LOCAL_PLATFORM_KEY). */
const PLATFORM_KEY = { 'x-platform-key': 'local-platform-key' };
const OWNER_PASSWORD = 'roxy owner password 2027';

/** The platform's own host (`localhost`, same port), where the platform API answers. */
function platformBase(baseURL: string): string {
  return `http://localhost:${new URL(baseURL).port}`;
}

test('a new venue connects its Stripe account from the Payments page', async ({ page, baseURL }) => {
  const slug = unique('roxy');
  const ownerEmail = `owner@${slug}.example.org`;
  const created = await api(
    platformBase(baseURL!),
    'POST',
    '/platform/v1/venues',
    { name: 'The Roxy', slug, timezone: 'Europe/London', currency: 'GBP', ownerEmail, ownerPassword: OWNER_PASSWORD },
    undefined,
    PLATFORM_KEY,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  // This venue's own fee, so the page has one to put in words.
  const fee = await api(platformBase(baseURL!), 'PUT', `/platform/v1/venues/${created.body.venue.id}`, { platformFee: { basisPoints: 250, fixedPerTicket: 30 } }, undefined, PLATFORM_KEY);
  expect(fee.status, JSON.stringify(fee.body)).toBe(200);
  // The devserver answers *.localhost on its port; Chromium resolves those names to loopback.
  const venue = `http://${created.body.venue.hostname}:${new URL(baseURL!).port}`;

  await page.goto(`${venue}/admin`);
  await page.getByLabel('Email').fill(ownerEmail);
  await page.getByLabel('Password').fill(OWNER_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(ownerEmail);

  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Payments' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Payments' })).toBeVisible();
  await expect(page.getByTestId('payments-status')).toHaveText('Not connected');
  await expect(page.getByTestId('platform-fee')).toHaveText('2.5 % + £0.30 per ticket');
  await expect(page.getByTestId('refund-fee')).toContainText('returned to you in proportion');
  await screenshot(page, 'payments-not-connected');

  // Onboarding at "Stripe" (the double's page), leaving requirements due.
  await page.getByRole('button', { name: 'Connect with Stripe' }).click();
  await expect(page.getByRole('button', { name: 'Leave requirements due' })).toBeVisible();
  await screenshot(page, 'payments-stripe-onboarding');
  await page.getByRole('button', { name: 'Leave requirements due' }).click();

  // Back on Payments: the state was read from Stripe on the way in.
  await expect(page).toHaveURL(`${venue}/admin/payments`);
  await expect(page.getByRole('status')).toContainText('Stripe still needs some details');
  await expect(page.getByTestId('payments-status')).toHaveText('Setup not finished');
  await expect(page.getByTestId('payments-requirements').getByRole('listitem')).toHaveText([
    'A bank account for your payouts',
    'An identity document of the account holder',
  ]);
  await expect(page.getByTestId('charges-enabled')).toHaveText('Disabled');
  await screenshot(page, 'payments-incomplete');

  await page.getByRole('button', { name: 'Finish setup' }).click();
  await page.getByRole('button', { name: 'Complete onboarding' }).click();
  await expect(page).toHaveURL(`${venue}/admin/payments`);
  await expect(page.getByRole('status')).toContainText('Your Stripe account is connected');
  await expect(page.getByTestId('payments-status')).toHaveText('Connected');
  await expect(page.getByTestId('charges-enabled')).toHaveText('Enabled');
  await expect(page.getByTestId('payouts-enabled')).toHaveText('Enabled');
  await expect(page.getByRole('link', { name: /Open your Stripe Dashboard/ })).toHaveAttribute('href', 'https://dashboard.stripe.com/');
  await expect(page.getByTestId('balance-available')).toHaveText('£0.00');
  await expect(page.getByTestId('payments-balance')).toContainText('No payouts yet');
  await expect(page.getByTestId('payments-requirements')).toHaveCount(0);
  await screenshot(page, 'payments-connected-new-venue');

  // A reload does not go back to Stripe or re-announce the return.
  await page.reload();
  await expect(page.getByTestId('payments-status')).toHaveText('Connected');
  await expect(page.getByRole('status')).toHaveCount(0);

  // Stripe later disables charges (the double plays it): new sales stop, the page says why.
  const double = (await api(venue, 'GET', '/api/v1/site')).body.payments.testCardUrl as string;
  const token = (await api(venue, 'POST', '/admin/v1/login', { email: ownerEmail, password: OWNER_PASSWORD })).body.token as string;
  const account = (await api(venue, 'GET', '/admin/v1/payments', undefined, token)).body.accountId as string;
  const restricted = await fetch(`${double}/_double/accounts/${account}/onboarding`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ outcome: 'restricted' }),
  });
  expect(restricted.status, await restricted.text()).toBe(200);
  await page.getByRole('button', { name: 'Check again with Stripe' }).click();
  await expect(page.getByTestId('payments-status')).toHaveText('Restricted by Stripe');
  await expect(page.getByTestId('payments-restricted')).toContainText('Stripe asked for information that has not been given in time.');
  await expect(page.getByTestId('payments-account')).toContainText('refunds keep working');
  await expect(page.getByTestId('payments-requirements').getByRole('listitem')).toHaveText(['An identity document of the account holder']);
  await expect(page.getByRole('button', { name: 'Finish setup' })).toBeVisible();
  await expect(page.getByTestId('balance-available')).toHaveText('£0.00');
  await screenshot(page, 'payments-restricted');
});

test('before the account is connected, publishing a priced performance is refused with a way to Payments', async ({ page, baseURL }) => {
  const slug = unique('lyric');
  const ownerEmail = `owner@${slug}.example.org`;
  const created = await api(
    platformBase(baseURL!),
    'POST',
    '/platform/v1/venues',
    { name: 'The Lyric', slug, timezone: 'Europe/London', currency: 'GBP', ownerEmail, ownerPassword: OWNER_PASSWORD },
    undefined,
    PLATFORM_KEY,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const venue = `http://${created.body.venue.hostname}:${new URL(baseURL!).port}`;
  const token = (await api(venue, 'POST', '/admin/v1/login', { email: ownerEmail, password: OWNER_PASSWORD })).body.token as string;
  expect(token, 'owner login').toBeTruthy();
  const maps = await api(venue, 'POST', '/admin/v1/seatmaps', {
    name: 'Small hall',
    zones: [{ id: 'floor', name: 'Floor', colour: '#3c6e71' }],
    sections: [],
    areas: [{ id: 'floor', name: 'Floor', zone: 'floor', capacity: 50, x: 0, y: 0 }],
  }, token);
  expect(maps.status, JSON.stringify(maps.body)).toBe(201);
  const event = await api(venue, 'POST', '/admin/v1/events', { title: 'Opening night', description: 'A test event.' }, token);
  expect(event.status).toBe(201);
  const startsAt = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10) + 'T19:30:00Z';
  const performance = await api(venue, 'POST', `/admin/v1/events/${event.body.id}/performances`, {
    startsAt,
    seatMapId: maps.body.id,
    prices: [{ zone: 'floor', priceType: 'adult', amount: 1500 }],
  }, token);
  expect(performance.status, JSON.stringify(performance.body)).toBe(201);

  await page.goto(`${venue}/admin`);
  await page.getByLabel('Email').fill(ownerEmail);
  await page.getByLabel('Password').fill(OWNER_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Events' }).click();
  await page.getByRole('button', { name: 'Publish' }).click();
  const refusal = page.getByTestId('admin-performance').getByRole('alert');
  await expect(refusal).toContainText('Payments page');
  await screenshot(page, 'payments-publish-refused');
  await refusal.getByRole('link', { name: 'Open Payments' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Payments' })).toBeVisible();
  await expect(page.getByTestId('payments-status')).toHaveText('Not connected');
});

test('the demo venue is connected: balance, payouts and a card order’s figures', async ({ page, baseURL }) => {
  const token = await ownerToken(baseURL!);
  const site = (await api(baseURL!, 'GET', '/api/v1/site')).body as { payments: { testCardUrl?: string } };
  const double = site.payments.testCardUrl;
  expect(double, 'the Stripe double').toBeTruthy();

  // A card order: two lawn places, paid with the test card straight at the double.
  const show = await publishedShow(baseURL!, 'Payments');
  const cart = await api(baseURL!, 'POST', '/api/v1/carts');
  const cartToken = { 'X-Cart-Token': cart.body.cartToken as string };
  const held = await api(baseURL!, 'POST', `/api/v1/carts/${cart.body.cartId}/holds`, { performanceId: show.performanceId, generalAdmission: { areaId: 'lawn', quantity: 2 } }, undefined, cartToken);
  expect(held.status, JSON.stringify(held.body)).toBe(201);
  const tickets = (held.body.items as { holdId: string }[]).map((i) => ({ holdId: i.holdId, priceType: 'adult' }));
  const checkout = await api(baseURL!, 'POST', `/api/v1/carts/${cart.body.cartId}/checkout`, { name: 'Pat Payer', email: `${unique('payer')}@example.org`, tickets }, undefined, cartToken);
  expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
  const payment = checkout.body.payment as { paymentIntentId: string; clientSecret: string; stripeAccount?: string };
  expect(payment.stripeAccount, "the PaymentIntent is on the venue's account").toMatch(/^acct_/);
  const paid = await fetch(`${double}/_double/payment_intents/${payment.paymentIntentId}/pay`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ clientSecret: payment.clientSecret, cardNumber: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' }),
  });
  expect(paid.status, await paid.text()).toBe(200);
  const orderId = checkout.body.orderId as string;
  await expect
    .poll(async () => (await api(baseURL!, 'GET', `/admin/v1/orders/${orderId}`, undefined, token)).body.payment?.gross ?? null, { timeout: 30_000, message: 'the order is paid' })
    .toBe(checkout.body.totals.total);
  // A payout of part of it, so the page has one to list.
  const payout = await fetch(`${double}/_double/accounts/${payment.stripeAccount}/payouts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ amount: 1000, currency: 'usd' }),
  });
  expect(payout.status, await payout.text()).toBe(200);

  await page.goto('/admin');
  await page.getByLabel('Email').fill('owner@demo.localhost');
  await page.getByLabel('Password').fill('demo-owner-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Payments' }).click();
  await expect(page.getByTestId('payments-status')).toHaveText('Connected');
  await expect(page.getByTestId('balance-available')).toHaveText(/^\$[\d,]+\.\d\d$/);
  await expect(page.getByTestId('balance-available')).not.toHaveText('$0.00');
  await expect(page.getByTestId('payouts').getByRole('row').filter({ hasText: '$10.00' }).first()).toContainText('Paid');
  await screenshot(page, 'payments-connected-demo');

  // The order's card payment: gross, Stripe's fee, platform fee, net.
  await page.goto(`/admin/orders?id=${encodeURIComponent(orderId)}`);
  const figures = page.getByTestId('admin-payment');
  const order = (await api(baseURL!, 'GET', `/admin/v1/orders/${orderId}`, undefined, token)).body;
  const usd = (minor: number) => `$${(minor / 100).toFixed(2)}`;
  await expect(figures.getByTestId('payment-gross')).toHaveText(usd(order.payment.gross));
  await expect(figures.getByTestId('payment-stripe-fee')).toHaveText(`− ${usd(order.payment.stripeFee)}`);
  await expect(figures.getByTestId('payment-platform-fee')).toHaveText(`− ${usd(order.payment.platformFee)}`);
  await expect(figures.getByTestId('payment-net')).toHaveText(usd(order.payment.net));
  expect(order.payment.gross - order.payment.stripeFee - order.payment.platformFee).toBe(order.payment.net);
  await screenshot(page, 'payments-order-figures');
});
