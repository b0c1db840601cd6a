import { describe, expect, it } from 'vitest';
import {
  ApiError,
  changePassword,
  filenameFromDisposition,
  changeStaffRole,
  getVenue,
  loadStaffSession,
  login,
  parseEventList,
  removeStaff,
  saveStaffSession,
  upcomingEvents,
  updateVenue,
} from './api';
import { apiError, fakeToken, mockFetch, signedIn, VENUE } from '../test/fetch';

describe('ApiError', () => {
  it('is built from the JSON error body', () => {
    const e = ApiError.fromResponse(422, {
      error: { code: 'invalid_field', message: "timezone: 'Mars/X' is not an IANA timezone", details: { field: 'timezone' } },
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.status).toBe(422);
    expect(e.code).toBe('invalid_field');
    expect(e.field).toBe('timezone');
    expect(e.fieldMessage).toBe("'Mars/X' is not an IANA timezone");
  });

  it('reads retryAfterSeconds of a rate-limited answer, else its Retry-After header', () => {
    const e = ApiError.fromResponse(429, { error: { code: 'rate_limited', message: 'Too many attempts', details: { retryAfterSeconds: 900 } } }, '5');
    expect(e.retryAfterSeconds).toBe(900);
    const fromHeader = ApiError.fromResponse(429, { error: { code: 'rate_limited', message: 'Too many attempts' } }, '120');
    expect(fromHeader.retryAfterSeconds).toBe(120);
    expect(ApiError.fromResponse(429, 'slow down', 'Wed, 21 Oct 2026 07:28:00 GMT').retryAfterSeconds).toBeUndefined();
  });

  it('copes with bodies that are not the error shape', () => {
    const e = ApiError.fromResponse(502, '<html>Bad gateway</html>');
    expect(e.code).toBe('http_502');
    expect(e.message).toMatch(/went wrong on our side/);
    expect(e.field).toBeUndefined();
  });
});

describe('requests', () => {
  it('turns an error answer into an ApiError', async () => {
    mockFetch({ 'POST /admin/v1/login': apiError(401, 'invalid_credentials', 'The email or password is wrong') });
    const error = await login('a@b.org', 'nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('invalid_credentials');
    expect((error as ApiError).status).toBe(401);
  });

  it('reports an unreachable server as network_error', async () => {
    const { vi } = await import('vitest');
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(login('a@b.org', 'x')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('sends JSON and the staff token from sessionStorage', async () => {
    signedIn('owner', 'owner@demo.localhost');
    const calls = mockFetch({ 'PUT /admin/v1/venue': { status: 200, body: VENUE } });
    await updateVenue({ name: 'New name' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe('/admin/v1/venue');
    expect(calls[0]!.headers['Content-Type']).toBe('application/json');
    expect(calls[0]!.headers['Authorization']).toBe(`Bearer ${fakeToken('owner@demo.localhost', 'owner')}`);
    expect(calls[0]!.body).toEqual({ name: 'New name' });
  });

  it('clears the session when a staff call is refused with 401', async () => {
    signedIn('owner');
    mockFetch({ 'GET /admin/v1/venue': apiError(401, 'unauthorized', 'Your session has expired; log in again') });
    await expect(getVenue()).rejects.toMatchObject({ status: 401 });
    expect(loadStaffSession()).toBeNull();
  });

  it('takes the Retry-After header of a 429 through fetch', async () => {
    mockFetch({ 'POST /admin/v1/login': { ...apiError(429, 'rate_limited', 'Too many attempts'), headers: { 'Retry-After': '600' } } });
    await expect(login('a@b.org', 'x')).rejects.toMatchObject({ code: 'rate_limited', retryAfterSeconds: 600 });
  });

  it('keeps the session when a password typed on a staff call is wrong (invalid_credentials)', async () => {
    signedIn('owner', 'owner@demo.localhost');
    mockFetch({ 'POST /admin/v1/password': apiError(401, 'invalid_credentials', 'The email or password is wrong') });
    await expect(changePassword('wrong', 'a new long password')).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect(loadStaffSession()).toMatchObject({ email: 'owner@demo.localhost' });
  });

  it('changes a role and removes a member by their (escaped) email', async () => {
    signedIn('owner', 'owner@demo.localhost');
    const calls = mockFetch({
      'PUT /admin/v1/staff/sam%2Bdoor%40example.org': {
        status: 200,
        body: { email: 'sam+door@example.org', name: 'Sam', role: 'manager', status: 'active', createdAt: '2026-01-01T00:00:00Z' },
      },
      'DELETE /admin/v1/staff/sam%2Bdoor%40example.org': { status: 204 },
    });
    await expect(changeStaffRole('sam+door@example.org', 'manager')).resolves.toMatchObject({ role: 'manager' });
    expect(calls[0]!.body).toEqual({ role: 'manager' });
    await expect(removeStaff('sam+door@example.org')).resolves.toBeUndefined();
    expect(calls[1]!.method).toBe('DELETE');
  });

  it('does not call the server for staff calls without a session', async () => {
    const calls = mockFetch({});
    await expect(getVenue()).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(0);
  });
});

describe('events', () => {
  it('are an empty list while the events API does not exist (404)', async () => {
    mockFetch({});
    await expect(upcomingEvents()).resolves.toEqual({ events: [] });
  });

  it('other failures still throw', async () => {
    mockFetch({ 'GET /api/v1/events': apiError(500, 'internal_error', 'Something went wrong on our side; please try again') });
    await expect(upcomingEvents()).rejects.toMatchObject({ status: 500 });
  });

  it('keeps only well-formed entries', () => {
    const list = parseEventList({
      events: [
        { id: 'e1', title: 'Hamlet', performances: [{ id: 'p1', startsAt: '2027-01-01T19:30:00Z', status: 'on_sale' }, { id: 2 }] },
        { title: 'no id' },
        'junk',
      ],
      nextCursor: 'abc',
    });
    expect(list.events).toHaveLength(1);
    expect(list.events[0]!.performances).toHaveLength(1);
    expect(list.nextCursor).toBe('abc');
  });

  it('accept start times as instants or as { utc, local, timezone }', () => {
    const list = parseEventList({
      events: [
        {
          id: 'e1',
          title: 'Hamlet',
          performances: [
            { id: 'p1', status: 'on_sale', selling: true, startsAt: { utc: '2027-01-01T19:30:00Z', local: '2027-01-01T14:30:00-05:00', timezone: 'America/New_York' } },
          ],
        },
      ],
    });
    expect(list.events[0]!.performances[0]).toEqual({ id: 'p1', startsAt: '2027-01-01T19:30:00Z', status: 'on_sale', selling: true });
  });
});

describe('staff session', () => {
  it('round-trips through sessionStorage and expires', () => {
    saveStaffSession({ token: 't', expiresAt: '2030-01-01T00:00:00Z', email: 'a@b.org', role: 'manager' });
    expect(loadStaffSession(new Date('2029-12-31T00:00:00Z'))?.role).toBe('manager');
    expect(loadStaffSession(new Date('2030-01-02T00:00:00Z'))).toBeNull();
    expect(sessionStorage.length).toBe(0);
  });

  it('drops damaged entries', () => {
    sessionStorage.setItem('marquee.staff', '{"token":1}');
    expect(loadStaffSession()).toBeNull();
    sessionStorage.setItem('marquee.staff', JSON.stringify({ token: 't', expiresAt: '2099-01-01T00:00:00Z', email: 'a@b.org', role: 'admin' }));
    expect(loadStaffSession()).toBeNull();
  });
});


describe('file names from Content-Disposition', () => {
  it('takes the quoted, the plain and the UTF-8 name, the UTF-8 one first', () => {
    expect(filenameFromDisposition('attachment; filename="end-of-day-2027-03-01.csv"', 'x.csv')).toBe('end-of-day-2027-03-01.csv');
    expect(filenameFromDisposition('attachment; filename=sales.csv', 'x.csv')).toBe('sales.csv');
    expect(filenameFromDisposition('attachment; FILENAME = "a \\"b\\".csv"', 'x.csv')).toBe('a _b_.csv');
    expect(filenameFromDisposition("attachment; filename=\"plain.csv\"; filename*=UTF-8''caf%C3%A9%20sales.csv", 'x.csv')).toBe('café sales.csv');
  });

  it('keeps no folders or odd characters, and falls back when there is no usable name', () => {
    expect(filenameFromDisposition('attachment; filename="../../etc/passwd"', 'x.csv')).toBe('passwd');
    expect(filenameFromDisposition('attachment; filename=C:\\temp\\r.csv', 'x.csv')).toBe('r.csv');
    expect(filenameFromDisposition('attachment', 'fallback.csv')).toBe('fallback.csv');
    expect(filenameFromDisposition('attachment; filename=""', 'fallback.csv')).toBe('fallback.csv');
    expect(filenameFromDisposition("attachment; filename*=UTF-8''%E0%A4%A", 'fallback.csv')).toBe('fallback.csv');
    expect(filenameFromDisposition(null, 'fallback.csv')).toBe('fallback.csv');
  });
});
