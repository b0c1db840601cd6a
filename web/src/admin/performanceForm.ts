// The "add a performance" form: what staff type (times at the venue, prices in currency units,
// fees as amounts or percentages) turned into the API's request (UTC instants, minor units,
// basis points), or errors named like the API's `details.field`.
import type { NewPerformance, PriceRow } from '../lib/adminCatalog';
import type { Fee } from '../lib/catalog';
import { zonedToUtc } from '../lib/zoned';

export interface FeeForm {
  name: string;
  basis: 'per_ticket' | 'per_order';
  kind: 'fixed' | 'percent';
  /** "2.00" (currency) or "2.5" (percent). */
  value: string;
}

export interface PerformanceForm {
  /** datetime-local at the venue, e.g. "2026-12-01T19:30". */
  startsAt: string;
  seatMapId: string;
  /** Optional, like startsAt; empty means now / the start. */
  onSaleAt: string;
  offSaleAt: string;
  priceTypes: string[];
  /** Per `${zone}|${priceType}`: "85.00"; empty means no such ticket. */
  prices: Record<string, string>;
  fees: FeeForm[];
  /** Optional; empty means the venue's setting. */
  maxTicketsPerOrder: string;
  holdSeconds: string;
}

export const PERFORMANCE_FIELDS = ['startsAt', 'seatMapId', 'onSaleAt', 'offSaleAt', 'prices', 'fees', 'maxTicketsPerOrder', 'holdSeconds'] as const;

export function emptyPerformanceForm(seatMapId = ''): PerformanceForm {
  return {
    startsAt: '',
    seatMapId,
    onSaleAt: '',
    offSaleAt: '',
    priceTypes: ['adult'],
    prices: {},
    fees: [],
    maxTicketsPerOrder: '',
    holdSeconds: '',
  };
}

export function priceKey(zone: string, priceType: string): string {
  return `${zone}|${priceType}`;
}

/** Decimal places of a currency (2 for USD, 0 for JPY). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "85", "85.5", "85.50", "1,250.00" → minor units; null when it is not an amount. */
export function parseAmount(text: string, digits: number): number | null {
  const clean = text.trim().replace(/,/g, '');
  const pattern = digits > 0 ? new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`) : /^\d+$/;
  if (!pattern.test(clean)) return null;
  const [whole, fraction = ''] = clean.split('.');
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0);
}

/** "2.5" (percent) → 250 basis points; at most two decimals and 100 %. */
export function parsePercent(text: string): number | null {
  const clean = text.trim().replace(/%$/, '').trim();
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return null;
  const bp = Math.round(Number(clean) * 100);
  return bp <= 10_000 ? bp : null;
}

/** A price type as the API accepts it: `adult`, `senior`, `under-16`. */
export function normalisePriceType(text: string): string | null {
  const type = text.trim().toLowerCase().replace(/\s+/g, '-');
  return /^[a-z0-9_-]{1,32}$/.test(type) ? type : null;
}

export type BuildResult = { ok: true; request: NewPerformance } | { ok: false; errors: Record<string, string> };

export function buildPerformance(form: PerformanceForm, zones: readonly string[], timezone: string, currency: string): BuildResult {
  const errors: Record<string, string> = {};
  const digits = currencyDigits(currency);

  const startsAt = zonedToUtc(form.startsAt, timezone);
  if (!startsAt) errors['startsAt'] = 'Enter the date and time the performance starts.';
  if (!form.seatMapId) errors['seatMapId'] = 'Choose a seat map.';

  const optionalTime = (field: 'onSaleAt' | 'offSaleAt') => {
    if (!form[field].trim()) return undefined;
    const utc = zonedToUtc(form[field], timezone);
    if (!utc) errors[field] = 'Enter a date and time, or leave it empty.';
    return utc ?? undefined;
  };
  const onSaleAt = optionalTime('onSaleAt');
  const offSaleAt = optionalTime('offSaleAt');

  const prices: PriceRow[] = [];
  const unpriced: string[] = [];
  for (const zone of zones) {
    let any = false;
    for (const priceType of form.priceTypes) {
      const text = form.prices[priceKey(zone, priceType)]?.trim() ?? '';
      if (!text) continue;
      const amount = parseAmount(text, digits);
      if (amount === null) {
        errors['prices'] ??= `"${text}" is not a price (for example 42.50).`;
        continue;
      }
      prices.push({ zone, priceType, amount });
      any = true;
    }
    if (!any) unpriced.push(zone);
  }
  if (!errors['prices'] && prices.length === 0 && zones.length > 0) errors['prices'] = 'Enter at least one price.';

  const fees: Fee[] = [];
  for (const fee of form.fees) {
    const name = fee.name.trim();
    if (!name && !fee.value.trim()) continue; // an empty row
    if (!name) {
      errors['fees'] ??= 'Every fee needs a name.';
      continue;
    }
    if (fee.kind === 'fixed') {
      const amount = parseAmount(fee.value, digits);
      if (amount === null) errors['fees'] ??= `The ${name} amount "${fee.value}" is not an amount (for example 2.00).`;
      else fees.push({ name, basis: fee.basis, fixed: amount });
    } else {
      const bp = parsePercent(fee.value);
      if (bp === null) errors['fees'] ??= `The ${name} percentage "${fee.value}" is not a percentage (for example 2.5).`;
      else fees.push({ name, basis: fee.basis, percentBp: bp });
    }
  }

  const optionalWhole = (field: 'maxTicketsPerOrder' | 'holdSeconds') => {
    const text = form[field].trim();
    if (!text) return undefined;
    if (!/^\d+$/.test(text)) {
      errors[field] = 'Enter a whole number, or leave it empty for the venue setting.';
      return undefined;
    }
    return Number(text);
  };
  const maxTicketsPerOrder = optionalWhole('maxTicketsPerOrder');
  const holdSeconds = optionalWhole('holdSeconds');

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    request: {
      startsAt: startsAt!,
      seatMapId: form.seatMapId,
      ...(onSaleAt ? { onSaleAt } : {}),
      ...(offSaleAt ? { offSaleAt } : {}),
      prices,
      fees,
      ...(maxTicketsPerOrder !== undefined ? { maxTicketsPerOrder } : {}),
      ...(holdSeconds !== undefined ? { holdSeconds } : {}),
    },
  };
}

/** Zones without any price: publishing is refused until each has one. */
export function unpricedZones(form: PerformanceForm, zones: readonly string[]): string[] {
  return zones.filter((zone) => !form.priceTypes.some((t) => form.prices[priceKey(zone, t)]?.trim()));
}
