// Patron account pages with the API mocked: register, my orders, log out, password reset.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { expect, it } from 'vitest';
import App from '../App.svelte';
import { patron, patronSignIn, patronStorageKey } from '../lib/account.svelte';
import { navigate, route } from '../lib/router.svelte';
import { apiError, mockFetch, SITE } from '../test/fetch';

const SESSION = { token: 'patron-jwt', expiresAt: '2099-01-01T00:00:00Z', email: 'fan@example.org', name: 'Fan <b>' };
const ORDERS = {
  orders: [{ id: 'o1', number: 'K7QM-3XPD', status: 'paid', tickets: 2, total: 13150, currency: 'USD', createdAt: '2099-01-01T00:00:00Z' }],
};

async function type(label: string, value: string) {
  await fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

it('registers, shows the account orders with the token, and logs out', async () => {
  const calls = mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'POST /api/v1/account/register': { status: 201, body: SESSION },
    'GET /api/v1/account/orders': { status: 200, body: ORDERS },
  });
  navigate('/account/register');
  render(App);
  await screen.findByRole('heading', { level: 1, name: 'Create an account' });
  await type('Name', 'Fan <b>');
  await type('Email', 'fan@example.org');
  await type('Password', 'fan@example.org');
  await fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
  expect(screen.getByText('Do not use your email address in the password.')).toBeTruthy();
  expect(calls.some((c) => c.method === 'POST')).toBe(false);

  await type('Password', 'a long patron passphrase');
  await fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
  const row = await screen.findByTestId('account-order');
  expect(route.path).toBe('/account');
  expect(row.textContent).toMatch(/K7QM-3XPD/);
  expect(row.textContent).toMatch(/\$131\.50/);
  expect(within(row).getByRole('link', { name: 'K7QM-3XPD' }).getAttribute('href')).toBe('/orders/o1');
  expect(calls.find((c) => c.path === '/api/v1/account/orders')!.headers['Authorization']).toBe('Bearer patron-jwt');
  expect(JSON.parse(localStorage.getItem(patronStorageKey())!).token).toBe('patron-jwt');
  expect(screen.getByRole('navigation', { name: 'Site' }).textContent).toMatch(/My orders/);

  await fireEvent.click(screen.getByRole('button', { name: 'Log out' }));
  expect(route.path).toBe('/account/login');
  expect(localStorage.getItem(patronStorageKey())).toBeNull();
  expect(patron.session).toBeNull();
  expect(await screen.findByText('You are logged out.')).toBeTruthy();
});

it('says when the email is taken, next to the field', async () => {
  mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'POST /api/v1/account/register': apiError(409, 'account_exists', 'An account with this email exists'),
  });
  navigate('/account/register');
  render(App);
  await screen.findByRole('heading', { level: 1, name: 'Create an account' });
  await type('Name', 'Fan');
  await type('Email', 'fan@example.org');
  await type('Password', 'a long patron passphrase');
  await fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
  expect((await screen.findByText(/There is already an account with this email/)).id).toBe('register-email-error');
});

it('resets a password with the emailed code and logs in', async () => {
  const calls = mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'POST /api/v1/account/password-reset': { status: 202, body: { accepted: true } },
    'POST /api/v1/account/password-reset/confirm': (call) =>
      (call.body as { code: string }).code === '4821-0937' ? { status: 200, body: SESSION } : apiError(400, 'invalid_code', 'Wrong code'),
    'GET /api/v1/account/orders': { status: 200, body: { orders: [] } },
  });
  navigate('/account/reset');
  render(App);
  await screen.findByRole('heading', { level: 1, name: 'Reset your password' });
  await type('Email', 'fan@example.org');
  await fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
  expect((await screen.findByTestId('reset-sent')).textContent).toMatch(/fan@example\.org/);

  await type('Code', '1111 2222');
  await type('New password', 'an entirely new passphrase');
  await fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));
  expect((await screen.findByText(/That code is wrong/)).id).toBe('reset-code-error');

  await type('Code', '4821 0937');
  await fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));
  expect(await screen.findByTestId('no-orders')).toBeTruthy();
  expect(calls.filter((c) => c.path === '/api/v1/account/password-reset/confirm').map((c) => (c.body as { code: string }).code)).toEqual([
    '1111-2222',
    '4821-0937',
  ]);
  expect(patron.session?.email).toBe('fan@example.org');
});

it('says how long to wait after too many login attempts', async () => {
  mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'POST /api/v1/account/login': {
      ...apiError(429, 'rate_limited', 'Too many attempts; please wait a little and try again', { retryAfterSeconds: 540 }),
      headers: { 'Retry-After': '540' },
    },
  });
  navigate('/account/login');
  render(App);
  await screen.findByRole('heading', { level: 1, name: 'Log in' });
  await type('Email', 'fan@example.org');
  await type('Password', 'whatever it was');
  await fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
  expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Try again in 9 minutes.');
  expect(patron.session).toBeNull();
});

it('returns to the login form when the account token stops working (a reset elsewhere)', async () => {
  patronSignIn(SESSION);
  mockFetch({
    'GET /api/v1/site': { status: 200, body: SITE },
    'GET /api/v1/account/orders': apiError(401, 'unauthorized', 'This session has ended; log in again'),
  });
  navigate('/account');
  render(App);
  expect(await screen.findByText('Your session has ended; log in again.')).toBeTruthy();
  expect(route.path).toBe('/account/login');
  expect(screen.getByRole('heading', { level: 1, name: 'Log in' })).toBeTruthy();
  expect(localStorage.getItem(patronStorageKey())).toBeNull();
});
