import { describe, expect, it } from 'vitest';
import { formatDateTime, formatMoney, formatWait, readableTextOn } from './format';
import { timezoneOptions } from './timezones';
import { loginMessage } from './messages';
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
  it('explain wrong credentials and locked accounts', () => {
    expect(loginMessage(new ApiError(401, 'invalid_credentials', 'x'))).toMatch(/email or password is wrong/);
    expect(loginMessage(new ApiError(429, 'account_locked', 'x', { retryAfterSeconds: 840 }))).toBe(
      'Too many failed logins: this account is locked. Try again in 14 minutes.',
    );
    expect(loginMessage(new ApiError(429, 'account_locked', 'x'))).toMatch(/locked for a while/);
  });
});
