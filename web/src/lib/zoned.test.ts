import { describe, expect, it } from 'vitest';
import { utcToZonedInput, zonedToUtc } from './zoned';

describe('venue wall-clock times', () => {
  it('turns a time at the venue into the UTC instant, in winter and in summer', () => {
    expect(zonedToUtc('2026-12-01T19:30', 'America/New_York')).toBe('2026-12-02T00:30:00Z');
    expect(zonedToUtc('2026-07-01T19:30', 'America/New_York')).toBe('2026-07-01T23:30:00Z');
    expect(zonedToUtc('2026-07-01T19:30', 'Europe/London')).toBe('2026-07-01T18:30:00Z');
    expect(zonedToUtc('2026-07-01T19:30', 'Asia/Kolkata')).toBe('2026-07-01T14:00:00Z');
    expect(zonedToUtc('2026-07-01T19:30', 'UTC')).toBe('2026-07-01T19:30:00Z');
  });

  it('handles the days the clocks change', () => {
    // New York springs forward at 2:00 on 8 March 2026: 2:30 does not exist, 3:30 is EDT.
    expect(zonedToUtc('2026-03-08T03:30', 'America/New_York')).toBe('2026-03-08T07:30:00Z');
    expect(zonedToUtc('2026-03-08T01:30', 'America/New_York')).toBe('2026-03-08T06:30:00Z');
    expect(zonedToUtc('2026-03-08T02:30', 'America/New_York')).toBe('2026-03-08T07:30:00Z');
    // Falls back on 1 November 2026: 1:30 happens twice; the first (EDT) is taken.
    expect(zonedToUtc('2026-11-01T01:30', 'America/New_York')).toBe('2026-11-01T05:30:00Z');
  });

  it('refuses what is not a date and time', () => {
    expect(zonedToUtc('', 'America/New_York')).toBeNull();
    expect(zonedToUtc('tomorrow at 8', 'America/New_York')).toBeNull();
  });

  it('shows an instant as the venue’s wall clock for an input', () => {
    expect(utcToZonedInput('2026-12-02T00:30:00Z', 'America/New_York')).toBe('2026-12-01T19:30');
    expect(utcToZonedInput('2026-07-01T18:30:00Z', 'Europe/London')).toBe('2026-07-01T19:30');
  });
});
