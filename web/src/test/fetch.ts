// A fetch stand-in for unit tests: answers each request from a table of routes and records calls.
import { vi } from 'vitest';
import { FORMATS } from './postal';

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Answer = Reply | ((call: Call) => Reply);

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // a raw body such as a CSV file
  }
}

export function mockFetch(routes: Record<string, Answer>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const method = (init.method ?? 'GET').toUpperCase();
      const path = String(input);
      const call: Call = {
        method,
        path,
        headers: { ...(init.headers as Record<string, string>) },
        body: typeof init.body === 'string' ? parseBody(init.body) : undefined,
      };
      calls.push(call);
      const route = routes[`${method} ${path.split('?')[0]}`];
      if (!route) {
        return new Response(JSON.stringify({ error: { code: 'not_found', message: 'No such resource' } }), {
          status: 404,
          headers: { 'content-type': 'application/json' },
        });
      }
      const answer = typeof route === 'function' ? route(call) : route;
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
        status: answer.status,
        headers: { 'content-type': 'application/json', ...answer.headers },
      });
    }),
  );
  return calls;
}

export function apiError(status: number, code: string, message: string, details?: Record<string, unknown>) {
  return { status, body: { error: { code, message, ...(details ? { details } : {}) } } };
}

export const SITE = {
  name: 'Demo Playhouse',
  slug: 'demo',
  hostname: 'demo.localhost',
  timezone: 'America/New_York',
  currency: 'USD',
  branding: { primaryColour: '#5b2a86', accentColour: '#f2a541', logoUrl: null },
  holdSeconds: 600,
  maxTicketsPerOrder: 10,
  payments: { provider: 'stripe', publishableKey: 'pk_test_local', mode: 'local' },
  /** The venue does not post tickets. */
  mail: null,
};

export const VENUE = {
  id: 'venue-1',
  slug: 'demo',
  hostname: 'demo.localhost',
  settings: {
    name: 'Demo Playhouse',
    timezone: 'America/New_York',
    currency: 'USD',
    holdSeconds: 600,
    maxTicketsPerOrder: 10,
    emailSender: null,
    branding: { primaryColour: '#5b2a86', accentColour: '#f2a541', logoUrl: null },
    reserveHours: 72,
    paymentLinkHours: 24,
    motoEnabled: false,
    mail: { enabled: false, fee: 0, cutoffDays: 7, countries: [] as string[], fulfilment: 'in_house' as const },
  },
  postalCountries: FORMATS,
};

/** A token shaped like a staff JWT (the signature is not checked client-side). */
export function fakeToken(sub: string, role: string): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64({ sub, role, tid: 't', exp: 4102444800 })}.signature`;
}

export function signedIn(role: string, email = 'someone@demo.localhost'): void {
  sessionStorage.setItem(
    'marquee.staff',
    JSON.stringify({ token: fakeToken(email, role), expiresAt: '2099-01-01T00:00:00Z', email, role }),
  );
}
