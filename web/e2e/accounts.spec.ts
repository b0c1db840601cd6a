// Patron accounts end to end: register, log out and in again, buy while logged in (the order is
// filed under the account), find it under "My orders" and open it with the account alone; and a
// forgotten password reset with the code from the local mail.
import type { Page } from '@playwright/test';
import { api, expect, mailUrl, publishedShow, screenshot, screenshotOf, test, unique } from './fixtures';

const PASSWORD = 'a long patron passphrase';

function seat(page: Page, name: string) {
  return page.getByRole('button', { name: new RegExp(`^${name},`) });
}

/** The newest password-reset code mailed to `email` (the mail goes through the queue first). */
async function resetCode(page: Page, baseURL: string, email: string): Promise<string> {
  const mailbox = await page.context().newPage();
  try {
    let code = '';
    await expect
      .poll(
        async () => {
          await mailbox.goto(mailUrl(baseURL));
          const articles = mailbox.locator('article').filter({ hasText: email });
          for (const body of await articles.locator('pre').allTextContents()) {
            const found = /\b(\d{4}-\d{4})\b/.exec(body)?.[1];
            if (found) {
              code = found;
              break;
            }
          }
          return code;
        },
        { message: `password-reset mail to ${email}`, timeout: 30_000, intervals: [250, 500, 1000] },
      )
      .not.toBe('');
    return code;
  } finally {
    await mailbox.close();
  }
}

test('accounts: a patron registers, logs in, buys, and finds the order under My orders', async ({ page, baseURL }) => {
  const show = await publishedShow(baseURL!, 'Account');
  const email = `${unique('fan')}@example.org`;

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create an account');
  const form = page.getByRole('form', { name: 'Create an account' });
  await form.getByLabel('Name').fill('Ada Patron');
  await form.getByLabel('Email').fill(email);
  // Too short: said next to the field before asking the server.
  await form.getByLabel('Password').fill('short');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(form.getByText('Use at least 12 characters.')).toBeVisible();
  await form.getByLabel('Password').fill(PASSWORD);
  await screenshotOf(page.locator('.account-page'), 'account-register', 'account-register');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('patron-email')).toHaveText(email);
  await expect(page.getByTestId('no-orders')).toBeVisible();

  // The same email cannot register twice.
  const again = await api(baseURL!, 'POST', '/api/v1/account/register', { email, name: 'X', password: PASSWORD });
  expect(again.status).toBe(409);

  // Log out, then in again (a wrong password first).
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/account\/login$/);
  await expect(page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Log in' })).toBeVisible();
  const login = page.getByRole('form', { name: 'Log in' });
  await login.getByLabel('Email').fill(email);
  await login.getByLabel('Password').fill('not the passphrase');
  await login.getByRole('button', { name: 'Log in' }).click();
  await expect(login.getByRole('alert')).toHaveText('The email or password is wrong.');
  await login.getByLabel('Password').fill(PASSWORD);
  await screenshotOf(page.locator('.account-page'), 'account-login', 'account-login');
  await login.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/account$/);

  // Buy while logged in: the details are filled in from the account.
  await page.goto(`/performances/${show.performanceId}`);
  await expect(page.locator('circle[data-seat]')).toHaveCount(500);
  await seat(page, 'Orchestra row E seat 7').click();
  await expect(seat(page, 'Orchestra row E seat 7')).toHaveAttribute('data-state', 'mine');
  await page.goto('/checkout');
  await expect(page.getByTestId('checkout-ticket')).toHaveCount(1);
  await expect(page.getByLabel('Orchestra, row E, seat 7', { exact: true })).toHaveValue('adult');
  await expect(page.getByTestId('checkout-account')).toContainText(email);
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Ada Patron');
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email);
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  const orderNumber = (await page.getByTestId('pending-order-number').textContent())!.trim();
  const card = page.getByRole('form', { name: 'Pay by card' });
  await card.getByLabel('Card number').fill('4242 4242 4242 4242');
  await card.getByLabel('Expiry (MM/YY)').fill('12/30');
  await card.getByLabel('CVC').fill('123');
  await card.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you — your order is confirmed', { timeout: 30_000 });

  // My orders lists it.
  await page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'My orders' }).click();
  const row = page.getByTestId('account-order');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(orderNumber);
  await expect(row).toContainText('Paid');
  await expect(row).toContainText('$87.00');
  await screenshotOf(page.locator('.account-page'), 'account-orders', 'account-orders');

  // Another tab (no order token kept) opens it with the account alone.
  const other = await page.context().newPage();
  await other.goto('/account');
  await other.getByRole('link', { name: orderNumber }).click();
  await expect(other.getByTestId('order-number')).toHaveText(orderNumber);
  await expect(other.getByTestId('order-ticket')).toHaveText([/Orchestra, row E, seat 7/]);
  await screenshot(other, 'account-order');
  // The tickets download with the account's token too (the API redirects to a short-lived link).
  const pdf = other.waitForResponse((r) => /\.pdf\b/.test(new URL(r.url()).pathname) && !r.url().includes('/api/v1/'));
  await other.getByRole('button', { name: 'Download tickets (PDF)' }).click();
  const opened = await pdf;
  expect(opened.status()).toBe(200);
  expect(opened.headers()['content-type']).toContain('application/pdf');
  await other.close();
});

test('accounts: a forgotten password is reset with the code from the email', async ({ page, baseURL }) => {
  const email = `${unique('forgetful')}@example.org`;
  const registered = await api(baseURL!, 'POST', '/api/v1/account/register', { email, name: 'Forgetful', password: PASSWORD });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);

  await page.goto('/account/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reset your password');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await expect(page.getByTestId('reset-sent')).toContainText(email);

  const code = await resetCode(page, baseURL!, email);
  const form = page.getByRole('form', { name: 'Choose a new password' });
  // A wrong code is refused next to the field.
  await form.getByLabel('Code').fill('0000-0000');
  await form.getByLabel('New password').fill('an entirely new passphrase');
  await form.getByRole('button', { name: 'Set new password' }).click();
  await expect(form.getByText(/That code is wrong/)).toBeVisible();
  await form.getByLabel('Code').fill(code);
  await screenshotOf(page.locator('.account-page'), 'account-reset', 'account-reset');
  await form.getByRole('button', { name: 'Set new password' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('patron-email')).toHaveText(email);

  // The new password works, the old one no longer does.
  expect((await api(baseURL!, 'POST', '/api/v1/account/login', { email, password: PASSWORD })).status).toBe(401);
  expect((await api(baseURL!, 'POST', '/api/v1/account/login', { email, password: 'an entirely new passphrase' })).status).toBe(200);
});
