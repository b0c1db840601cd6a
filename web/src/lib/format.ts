// Display helpers. Times are instants shown in the venue's timezone, never the browser's.
import type { Money } from './api';

export function formatDateTime(instant: string, timeZone: string, locale?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }).format(date) + ' UTC';
  }
}

/** Money in minor units, using the currency's own number of decimals. */
export function formatMoney(money: Money, locale?: string): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amount / 10 ** digits);
}

/** How many minor units make one major unit's decimals: 2 for USD, 0 for JPY. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "15 minutes", "1 minute", "45 seconds". */
export function formatWait(seconds: number): string {
  if (seconds >= 90) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minutes`;
  }
  if (seconds >= 60) return '1 minute';
  const s = Math.max(1, Math.round(seconds));
  return s === 1 ? '1 second' : `${s} seconds`;
}

const HEX = /^#[0-9a-f]{6}$/i;

/** Black or white, whichever reads better on the given #rrggbb background. */
export function readableTextOn(hex: string): '#000000' | '#ffffff' {
  if (!HEX.test(hex)) return '#ffffff';
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast against white vs. against black.
  return (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.05) ? '#ffffff' : '#000000';
}

export function isHexColour(value: string): boolean {
  return HEX.test(value.trim());
}

/** A countdown as mm:ss ("09:05"); minutes keep counting past 59. */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** "$17.50 – $85.00", or one price when they are the same. */
export function formatPriceRange(range: { min: Money; max: Money } | null, locale?: string): string {
  if (!range) return '';
  const min = formatMoney(range.min, locale);
  const max = formatMoney(range.max, locale);
  return min === max ? min : `${min} – ${max}`;
}
