import { describe, expect, it } from 'vitest';
import { apiError, mockFetch } from '../test/fetch';
import {
  accountOrders,
  accountProblem,
  endPatronSessionIfRefused,
  normaliseResetCode,
  parsePatronSession,
  passwordProblem,
  patron,
  patronHeaders,
  patronSignIn,
  patronSignOut,
  patronStorageKey,
  requestPasswordReset,
} from './account.svelte';
import { ApiError } from './api';
import { checkout, getOrder } from './checkout';
import { afterSignIn } from '../patron/account/next';

const SESSION = { token: 'patron-jwt', expiresAt: '2099-01-01T00:00:00Z', email: 'fan@example.org', name: 'Fan' };

describe('the patron session', () => {
  it('is kept in localStorage per venue host and dropped on log out', () => {
    patronSignIn(SESSION);
    expect(patronStorageKey('demo.localhost')).toBe('marquee.patron.demo.localhost');
    expect(JSON.parse(localStorage.getItem(patronStorageKey())!)).toEqual(SESSION);
    expect(patronHeaders()).toEqual({ Authorization: 'Bearer patron-jwt' });
    patronSignOut('You are logged out.');
    expect(localStorage.getItem(patronStorageKey())).toBeNull();
    expect(patron.session).toBeNull();
    expect(patronHeaders()).toEqual({});
  });

  it('ignores damaged and expired entries', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(parsePatronSession(JSON.stringify(SESSION), now)).toEqual(SESSION);
    expect(parsePatronSession(JSON.stringify({ ...SESSION, expiresAt: '2029-12-31T23:59:59Z' }), now)).toBeNull();
    expect(parsePatronSession('{not json', now)).toBeNull();
    expect(parsePatronSession(JSON.stringify({ token: 'x' }), now)).toBeNull();
    expect(parsePatronSession(null, now)).toBeNull();
  });

  it('drops an expired token instead of sending it', () => {
    patronSignIn({ ...SESSION, expiresAt: '2000-01-01T00:00:00Z' });
    expect(patronHeaders()).toEqual({});
    expect(patron.session).toBeNull();
    expect(patron.notice).toMatch(/expired/);
  });
});

describe('calls with the patron token', () => {
  it('files a checkout under the account when logged in', async () => {
    const calls = mockFetch({ 'POST /api/v1/carts/c1/checkout': { status: 201, body: { orderId: 'o1' } } });
    await checkout({ cartId: 'c1', cartToken: 'ct' }, { email: 'a@b.c', name: 'A', delivery: 'email', tickets: [] });
    expect(calls[0]!.headers['Authorization']).toBeUndefined();
    patronSignIn(SESSION);
    await checkout({ cartId: 'c1', cartToken: 'ct' }, { email: 'a@b.c', name: 'A', delivery: 'email', tickets: [] });
    expect(calls[1]!.headers).toMatchObject({ 'X-Cart-Token': 'ct', Authorization: 'Bearer patron-jwt' });
  });

  it('opens an order with its order token, else with the patron token', async () => {
    const calls = mockFetch({ 'GET /api/v1/orders/o1': { status: 200, body: { id: 'o1' } } });
    patronSignIn(SESSION);
    await getOrder('o1', 'order-secret');
    expect(calls[0]!.headers).toMatchObject({ 'X-Order-Token': 'order-secret' });
    expect(calls[0]!.headers['Authorization']).toBeUndefined();
    await getOrder('o1', null);
    expect(calls[1]!.headers).toMatchObject({ Authorization: 'Bearer patron-jwt' });
  });

  it('logs the patron out when the account answers 401', async () => {
    mockFetch({ 'GET /api/v1/account/orders': apiError(401, 'unauthorized', 'Your session has expired; log in again') });
    patronSignIn(SESSION);
    await expect(accountOrders()).rejects.toBeInstanceOf(ApiError);
    expect(patron.session).toBeNull();
    expect(patron.notice).toBe('Your session has expired; log in again.');
  });

  it('says the session ended when a reset elsewhere revoked the token', async () => {
    mockFetch({ 'GET /api/v1/account/orders': apiError(401, 'unauthorized', 'This session has ended; log in again') });
    patronSignIn(SESSION);
    await expect(accountOrders()).rejects.toBeInstanceOf(ApiError);
    expect(patron.notice).toBe('Your session has ended; log in again.');
  });

  it('logs the patron out when a checkout refuses their token, but not for the cart token', async () => {
    const body = { email: 'a@b.c', name: 'A', delivery: 'email' as const, tickets: [] };
    mockFetch({ 'POST /api/v1/carts/c1/checkout': apiError(401, 'unauthorized', "Send the cart's X-Cart-Token") });
    patronSignIn(SESSION);
    await expect(checkout({ cartId: 'c1', cartToken: 'ct' }, body)).rejects.toBeInstanceOf(ApiError);
    expect(patron.session).not.toBeNull();
    mockFetch({ 'POST /api/v1/carts/c1/checkout': apiError(401, 'unauthorized', 'This session has ended; log in again') });
    await expect(checkout({ cartId: 'c1', cartToken: 'ct' }, body)).rejects.toBeInstanceOf(ApiError);
    expect(patron.session).toBeNull();
    expect(patron.notice).toBe('Your session has ended; log in again.');
  });

  it('ends the session only on a 401 that refuses the patron token', () => {
    patronSignIn(SESSION);
    expect(endPatronSessionIfRefused(new ApiError(401, 'invalid_credentials', 'wrong'))).toBe(false);
    expect(endPatronSessionIfRefused(new ApiError(404, 'not_found', 'x'))).toBe(false);
    expect(endPatronSessionIfRefused(new ApiError(401, 'unauthorized', "Send the order's X-Order-Token"))).toBe(false);
    expect(patron.session).not.toBeNull();
    expect(endPatronSessionIfRefused(new ApiError(401, 'unauthorized', 'The token is not valid'))).toBe(true);
    expect(patron.session).toBeNull();
  });

  it('takes the empty 202 of a reset request as done', async () => {
    const calls = mockFetch({ 'POST /api/v1/account/password-reset': { status: 202, body: { accepted: true } } });
    await expect(requestPasswordReset('fan@example.org')).resolves.toBeUndefined();
    expect(calls[0]!.body).toEqual({ email: 'fan@example.org' });
  });
});

describe('checks and wording', () => {
  it('checks a new password like the server', () => {
    expect(passwordProblem('short', 'a@b.c')).toMatch(/12 characters/);
    expect(passwordProblem('aaaaaaaaaaaaaa', 'a@b.c')).toMatch(/5 different/);
    expect(passwordProblem('Fan@Example.org', 'fan@example.org')).toMatch(/email/);
    expect(passwordProblem('a long patron passphrase', 'fan@example.org')).toBe('');
  });

  it('normalises a reset code', () => {
    expect(normaliseResetCode(' 4821-0937 ')).toBe('4821-0937');
    expect(normaliseResetCode('4821 0937')).toBe('4821-0937');
    expect(normaliseResetCode('48210937')).toBe('4821-0937');
    expect(normaliseResetCode('abc')).toBe('abc');
  });

  it('words every refusal', () => {
    expect(accountProblem(new ApiError(409, 'account_exists', 'exists'))).toMatchObject({ field: 'email' });
    expect(accountProblem(new ApiError(401, 'invalid_credentials', 'x')).message).toBe('The email or password is wrong.');
    expect(accountProblem(new ApiError(400, 'invalid_code', 'x'))).toMatchObject({ field: 'code' });
    expect(
      accountProblem(new ApiError(422, 'invalid_field', 'password: must be at least 12 characters', { field: 'password' })),
    ).toEqual({ field: 'password', message: 'must be at least 12 characters' });
    expect(accountProblem(new ApiError(429, 'rate_limited', 'x', { retryAfterSeconds: 600 })).message).toBe('Too many attempts. Try again in 10 minutes.');
    expect(accountProblem(new ApiError(429, 'rate_limited', 'x')).message).toBe('Too many attempts. Wait a few minutes and try again.');
    expect(accountProblem(new ApiError(500, 'internal', 'boom')).message).toMatch(/our side/);
    expect(accountProblem(new Error('x')).message).toMatch(/went wrong/);
  });

  it('only follows local paths after logging in', () => {
    expect(afterSignIn('/checkout')).toBe('/checkout');
    expect(afterSignIn('')).toBe('/account');
    expect(afterSignIn('//evil.example/x')).toBe('/account');
    expect(afterSignIn('https://evil.example')).toBe('/account');
    expect(afterSignIn('/\\evil.example')).toBe('/account');
  });
});
