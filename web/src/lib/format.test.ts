import { describe, expect, it } from 'vitest';
import { formatDateTime, formatMoney, formatWait, readableTextOn } from './format';
import { timezoneOptions } from './timezones';
import { loginMessage, passwordChangeMessage, staffChangeMessage } from './messages';
import { ApiError } from './api';

describe('format', () => {
  it('shows instants in the venue timezone', () => {
    const text = formatDateTime('2027-03-01T00:30:00Z', 'America/New_York', 'en-US');
    expect(text).toContain('February 28, 2027');
    expect(text).toContain('7:30');
  });

  it('formats minor units by the currency', () => {
    expect(formatMoney({ amount: 4250, currency: 'USD' }, 'en-US')).toBe('$42.50');
    expect(formatMoney({ amount: 4250, currency: 'JPY' }, 'en-US')).toBe('¥4,250');
  });

  it('says how long to wait', () => {
    expect(formatWait(900)).toBe('15 minutes');
    expect(formatWait(61)).toBe('1 minute');
    expect(formatWait(30)).toBe('30 seconds');
  });

  it('picks readable text colours', () => {
    expect(readableTextOn('#5b2a86')).toBe('#ffffff');
    expect(readableTextOn('#f2a541')).toBe('#000000');
  });
});

describe('timezones', () => {
  it('lists IANA zones and keeps the current one', () => {
    const zones = timezoneOptions('US/Eastern');
    expect(zones).toContain('Europe/London');
    expect(zones).toContain('UTC');
    expect(zones).toContain('US/Eastern');
    expect([...zones].sort((a, b) => a.localeCompare(b))).toEqual(zones);
  });
});

describe('login messages', () => {
  it('explain wrong credentials and too many attempts', () => {
    expect(loginMessage(new ApiError(401, 'invalid_credentials', 'x'))).toMatch(/email or password is wrong/);
    expect(loginMessage(new ApiError(429, 'rate_limited', 'x', { retryAfterSeconds: 840 }))).toBe(
      'Too many attempts. Try again in 14 minutes.',
    );
    expect(loginMessage(new ApiError(429, 'rate_limited', 'x', { retryAfterSeconds: 60 }))).toBe('Too many attempts. Try again in 1 minute.');
    expect(loginMessage(new ApiError(429, 'rate_limited', 'x'))).toBe('Too many attempts. Wait a few minutes and try again.');
  });
});

describe('staff and password messages', () => {
  it('word refused staff changes', () => {
    expect(staffChangeMessage(new ApiError(409, 'last_owner', 'x'))).toBe(
      'The venue needs at least one owner: make someone else an owner first.',
    );
    expect(staffChangeMessage(new ApiError(409, 'concurrent_change', 'x'))).toMatch(/at the same moment/);
    expect(staffChangeMessage(new ApiError(404, 'not_found', 'x'))).toMatch(/no longer on the staff/);
    expect(staffChangeMessage(new ApiError(403, 'forbidden', 'A manager may not change a owner'))).toBe('Your role does not allow this change.');
    expect(staffChangeMessage(new ApiError(500, 'internal', 'x'))).toMatch(/our side/);
  });

  it('put a refused password change next to the field it concerns', () => {
    expect(passwordChangeMessage(new ApiError(401, 'invalid_credentials', 'x'))).toEqual({
      field: 'current',
      message: 'This is not your current password.',
    });
    expect(
      passwordChangeMessage(new ApiError(422, 'invalid_field', 'password: is too common', { field: 'password' })),
    ).toEqual({ field: 'new', message: 'The new password is too common.' });
    expect(passwordChangeMessage(new ApiError(429, 'rate_limited', 'x', { retryAfterSeconds: 300 }))).toEqual({
      message: 'Too many attempts. Try again in 5 minutes.',
    });
  });
});
