// Shared helpers for the browser tests. Every test gets a page that fails the test on any
// uncaught error or Content-Security-Policy violation, and helpers that read like the use case.
import { expect, test as base, type Locator, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';

export const OWNER = { email: 'owner@demo.localhost', password: 'demo-owner-password' };

const artifacts = process.env.WEB_ARTIFACTS ?? '../tests/artifacts/web';

/** A string unique to this test run, for emails, names and hostnames. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The devserver's /_dev/mail page (on plain localhost, same port as BASE_URL). */
export function mailUrl(baseURL: string): string {
  const url = new URL(baseURL);
  return `http://localhost:${url.port}/_dev/mail`;
}

export interface ApiAnswer {
  status: number;
  body: any; // test code reads the fields it expects
}

/**
 * Calls the venue's API from the test process. Node cannot resolve *.localhost (only the
 * browser does), so this connects to 127.0.0.1 and names the venue in the Host header, as
 * API Gateway would receive it.
 */
export function api(
  baseURL: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  extraHeaders: Record<string, string> = {},
): Promise<ApiAnswer> {
  const base = new URL(baseURL);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Host: base.host, Accept: 'application/json', ...extraHeaders };
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers['Authorization'] = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: Number(base.port || 80), method, path, headers, timeout: 15_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export async function ownerToken(baseURL: string): Promise<string> {
  const answer = await api(baseURL, 'POST', '/admin/v1/login', OWNER);
  expect(answer.status, 'owner login').toBe(200);
  return answer.body.token as string;
}

/** A staff member with a password, invited by the owner through the API. */
export async function activeStaff(page: Page, baseURL: string, role: string, password: string): Promise<string> {
  const email = `${unique(role.replace('_', '-'))}@example.org`;
  const token = await ownerToken(baseURL);
  const invited = await api(baseURL, 'POST', '/admin/v1/staff', { email, name: `Test ${role}`, role }, token);
  expect(invited.status, 'invitation').toBe(201);
  const code = await invitationCode(page, baseURL, email);
  const accepted = await api(baseURL, 'POST', '/admin/v1/staff/accept', { email, code, password });
  expect(accepted.status, 'acceptance').toBe(200);
  return email;
}

export const test = base.extend<{ problems: string[] }>({
  problems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        const text = message.text();
        if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(text)) {
          problems.push(`CSP: ${text}`);
        }
      });
      await use(problems);
      expect(problems, 'errors in the browser console').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Saves a full-page screenshot under tests/artifacts/web/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/admin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(email);
}

export async function openAdminPage(page: Page, linkName: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: linkName }).click();
  await expect(page.getByRole('heading', { level: 1, name: linkName })).toBeVisible();
}

/**
 * Waits for the invitation mail to `email` on the devserver's /_dev/mail page (mail goes
 * through the queue and the mailer, so it takes a moment) and returns the code in it.
 */
export async function invitationCode(page: Page, baseURL: string, email: string): Promise<string> {
  const mailbox = await page.context().newPage();
  try {
    let code = '';
    await expect
      .poll(
        async () => {
          await mailbox.goto(mailUrl(baseURL));
          const article = mailbox.locator('article').filter({ hasText: email }).first();
          if ((await article.count()) === 0) return '';
          const body = (await article.locator('pre').textContent()) ?? '';
          code = /\bcode=([0-9a-f]+)/.exec(body)?.[1] ?? '';
          return code;
        },
        { message: `invitation mail to ${email}`, timeout: 30_000, intervals: [250, 500, 1000] },
      )
      .not.toBe('');
    return code;
  } finally {
    await mailbox.close();
  }
}

// --- catalog and carts ------------------------------------------------------------------------

export interface Show {
  title: string;
  eventId: string;
  performanceId: string;
  /** RFC 3339 instant of the start (7:30 pm at the venue). */
  startsAt: string;
}

/** The demo venue's 500-seat theatre (with its 300-place lawn). */
export async function demoSeatMapId(baseURL: string, token: string): Promise<string> {
  const maps = await api(baseURL, 'GET', '/admin/v1/seatmaps', undefined, token);
  expect(maps.status, 'seat maps').toBe(200);
  const theatre = (maps.body.seatMaps as { id: string; seatCount: number; generalAdmissionAreas: number }[]).find(
    (m) => m.seatCount === 500 && m.generalAdmissionAreas === 1,
  );
  expect(theatre, 'the demo theatre').toBeTruthy();
  return theatre!.id;
}

/** A UTC instant for 7:30 pm in New York on a day `days` from now. */
export function eveningInNewYork(days: number): string {
  const day = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  // The demo venue is in America/New_York: 19:30 there is 23:30 or 00:30 UTC.
  for (const utc of [`${day}T23:30:00Z`, `${day}T00:30:00Z`]) {
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(utc));
    if (local === '19:30') return utc;
  }
  throw new Error('no 19:30 in New York on ' + day);
}

/**
 * A new event with one performance on the demo theatre, published: every test that holds
 * seats gets a house of its own. Prices: Premium $85/$42.50, Standard $60, Balcony $35/$17.50, Lawn $25.
 */
export async function publishedShow(baseURL: string, prefix: string, seatMapId?: string): Promise<Show> {
  const token = await ownerToken(baseURL);
  const mapId = seatMapId ?? (await demoSeatMapId(baseURL, token));
  const title = unique(prefix);
  const event = await api(baseURL, 'POST', '/admin/v1/events', { title, description: `A test event (${prefix}).` }, token);
  expect(event.status, 'event').toBe(201);
  const startsAt = eveningInNewYork(20 + Math.floor(Math.random() * 200));
  const prices = seatMapId
    ? [{ zone: 'floor', priceType: 'adult', amount: 5000 }]
    : [
        { zone: 'premium', priceType: 'adult', amount: 8500 },
        { zone: 'premium', priceType: 'student', amount: 4250 },
        { zone: 'standard', priceType: 'adult', amount: 6000 },
        { zone: 'balcony', priceType: 'adult', amount: 3500 },
        { zone: 'balcony', priceType: 'student', amount: 1750 },
        { zone: 'lawn', priceType: 'adult', amount: 2500 },
      ];
  const performance = await api(
    baseURL,
    'POST',
    `/admin/v1/events/${event.body.id}/performances`,
    { startsAt, seatMapId: mapId, prices, fees: [{ name: 'Booking fee', basis: 'per_ticket', fixed: 200 }] },
    token,
  );
  expect(performance.status, JSON.stringify(performance.body)).toBe(201);
  const published = await api(baseURL, 'POST', `/admin/v1/performances/${performance.body.id}/publish`, undefined, token);
  expect(published.status, 'publish').toBe(200);
  return { title, eventId: event.body.id, performanceId: performance.body.id, startsAt };
}

/** Another patron, outside any browser: a cart of their own holding `seats`. */
export async function holdElsewhere(baseURL: string, performanceId: string, seats: string[]): Promise<void> {
  const cart = await api(baseURL, 'POST', '/api/v1/carts');
  expect(cart.status, 'cart').toBe(201);
  const answer = await api(baseURL, 'POST', `/api/v1/carts/${cart.body.cartId}/holds`, { performanceId, seats }, undefined, {
    'X-Cart-Token': cart.body.cartToken,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
}

/** Fails the test on errors in a page of a second browser context (the `problems` fixture covers `page`). */
export function watch(page: Page, problems: string[]): Page {
  page.on('pageerror', (error) => problems.push(`page error (second context): ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) {
      problems.push(`CSP (second context): ${message.text()}`);
    }
  });
  return page;
}

/** Saves a screenshot of one element under tests/artifacts/web/ and, when given, a copy for the docs. */
export async function screenshotOf(locator: Locator, name: string, docsName?: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  const image = await locator.screenshot({ path: join(artifacts, `${name}.png`) });
  if (docsName) {
    const docs = join(process.cwd(), '..', 'docs', 'screenshots');
    mkdirSync(docs, { recursive: true });
    writeFileSync(join(docs, `${docsName}.png`), image);
  }
}
