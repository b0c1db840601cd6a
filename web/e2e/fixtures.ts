// Shared helpers for the browser tests. Every test gets a page that fails the test on any
// uncaught error or Content-Security-Policy violation, and helpers that read like the use case.
import { expect, test as base, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
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
export function api(baseURL: string, method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer> {
  const base = new URL(baseURL);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Host: base.host, Accept: 'application/json' };
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
