// The "add a performance" form: what staff type (times at the venue, prices in currency units,
// fees as amounts or percentages) turned into the API's request (UTC instants, minor units,
// basis points), or errors named like the API's `details.field`.
import type { EditPerformance, NewPerformance, NewSeries, PriceRow } from '../lib/adminCatalog';
import type { Fee, PerformanceView, Tax } from '../lib/catalog';
import { zonedToUtc } from '../lib/zoned';

export interface FeeForm {
  name: string;
  basis: 'per_ticket' | 'per_order';
  kind: 'fixed' | 'percent';
  /** "2.00" (currency) or "2.5" (percent). */
  value: string;
}

/** Days of the week as the API spells them, Monday first. */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

/** One line of a run: on these days, at this time ("19:30"). */
export interface SeriesTimeForm {
  days: Day[];
  at: string;
}

/** A tax as staff type it: "20" or "8.25" (percent); included in the prices or added. */
export interface TaxForm {
  name: string;
  rate: string;
  inclusive: boolean;
}

export interface PerformanceForm {
  /** One performance, or a run of them ("Tue–Sat 19:30, Sun 14:00, from … to …"). */
  kind: 'one' | 'series';
  /** datetime-local at the venue, e.g. "2026-12-01T19:30". */
  startsAt: string;
  /** A run's first and last dates ("2027-03-02"), at the venue. */
  from: string;
  to: string;
  times: SeriesTimeForm[];
  seatMapId: string;
  /** Optional, like startsAt; empty means now / the start. */
  onSaleAt: string;
  offSaleAt: string;
  priceTypes: string[];
  /** Per `${zone}|${priceType}`: "85.00"; empty means no such ticket. */
  prices: Record<string, string>;
  /** Price types offered only with a promo code that unlocks them, in every zone. */
  hiddenTypes: string[];
  /**
   * Single cells (`${zone}|${priceType}`) hidden while their type is not hidden everywhere:
   * kept as a performance was saved through the API, so an edit does not change them unasked.
   */
  hiddenCells: string[];
  fees: FeeForm[];
  taxes: TaxForm[];
  /** Optional; empty means the venue's setting. */
  maxTicketsPerOrder: string;
  holdSeconds: string;
}

export const PERFORMANCE_FIELDS = ['startsAt', 'from', 'to', 'times', 'seatMapId', 'onSaleAt', 'offSaleAt', 'prices', 'fees', 'taxes', 'maxTicketsPerOrder', 'holdSeconds'] as const;

export function emptyPerformanceForm(seatMapId = ''): PerformanceForm {
  return {
    kind: 'one',
    startsAt: '',
    from: '',
    to: '',
    times: [
      { days: ['tue', 'wed', 'thu', 'fri', 'sat'], at: '19:30' },
      { days: ['sun'], at: '14:00' },
    ],
    seatMapId,
    onSaleAt: '',
    offSaleAt: '',
    priceTypes: ['adult'],
    prices: {},
    hiddenTypes: [],
    hiddenCells: [],
    fees: [],
    taxes: [],
    maxTicketsPerOrder: '',
    holdSeconds: '',
  };
}

export function priceKey(zone: string, priceType: string): string {
  return `${zone}|${priceType}`;
}

/** Whether the price of `priceType` in `zone` is offered only with an unlocking promo code. */
export function isHiddenPrice(form: Pick<PerformanceForm, 'hiddenTypes' | 'hiddenCells'>, zone: string, priceType: string): boolean {
  return form.hiddenTypes.includes(priceType) || form.hiddenCells.includes(priceKey(zone, priceType));
}

/** How a price type's column shows its "hidden" box: every zone, some zones only, or none. */
export function hiddenState(form: Pick<PerformanceForm, 'hiddenTypes' | 'hiddenCells'>, priceType: string): 'all' | 'some' | 'none' {
  if (form.hiddenTypes.includes(priceType)) return 'all';
  return form.hiddenCells.some((key) => key.endsWith(`|${priceType}`)) ? 'some' : 'none';
}

/** Ticks or unticks "hidden" for a price type: in every zone either way. */
export function setTypeHidden(form: PerformanceForm, priceType: string, hidden: boolean): void {
  form.hiddenCells = form.hiddenCells.filter((key) => !key.endsWith(`|${priceType}`));
  form.hiddenTypes = hidden
    ? form.hiddenTypes.includes(priceType) ? form.hiddenTypes : [...form.hiddenTypes, priceType]
    : form.hiddenTypes.filter((t) => t !== priceType);
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
export type SeriesResult = { ok: true; request: NewSeries } | { ok: false; errors: Record<string, string> };

/** What one performance and a run share: seat map, prices, fees, limits. */
type Terms = Omit<NewPerformance, 'startsAt' | 'onSaleAt' | 'offSaleAt'>;

export function buildPerformance(form: PerformanceForm, zones: readonly string[], timezone: string, currency: string): BuildResult {
  const errors: Record<string, string> = {};
  const startsAt = zonedToUtc(form.startsAt, timezone);
  if (!startsAt) errors['startsAt'] = 'Enter the date and time the performance starts.';
  const onSaleAt = optionalTime(form, 'onSaleAt', timezone, errors);
  const offSaleAt = optionalTime(form, 'offSaleAt', timezone, errors);
  const terms = buildTerms(form, zones, currency, errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    request: {
      startsAt: startsAt!,
      ...(onSaleAt ? { onSaleAt } : {}),
      ...(offSaleAt ? { offSaleAt } : {}),
      ...terms,
    },
  };
}

/** A run: dates and times stay at the venue (the server turns each into UTC, across clock
 *  changes); each performance's sale closes at its start. */
export function buildSeries(form: PerformanceForm, zones: readonly string[], timezone: string, currency: string): SeriesResult {
  const errors: Record<string, string> = {};
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (!date.test(form.from)) errors['from'] = 'Enter the date of the first performance.';
  if (!date.test(form.to)) errors['to'] = 'Enter the date of the last performance.';
  else if (date.test(form.from) && form.to < form.from) errors['to'] = 'The last date must be on or after the first.';
  const times = form.times.filter((t) => t.days.length > 0 || t.at.trim());
  if (times.length === 0) errors['times'] = 'Add at least one time, with its days.';
  for (const t of times) {
    if (t.days.length === 0) errors['times'] ??= `Choose the days for ${t.at || 'each time'}.`;
    else if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(t.at.trim())) errors['times'] ??= 'Enter each time as HH:MM, for example 19:30.';
  }
  if (form.offSaleAt.trim()) errors['offSaleAt'] = 'A run closes each sale at its start: leave this empty.';
  const onSaleAt = optionalTime(form, 'onSaleAt', timezone, errors);
  const terms = buildTerms(form, zones, currency, errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    request: {
      from: form.from,
      to: form.to,
      times: times.map((t) => ({ days: DAYS.filter((d) => t.days.includes(d)), at: t.at.trim() })),
      ...(onSaleAt ? { onSaleAt } : {}),
      ...terms,
    },
  };
}

function optionalTime(form: PerformanceForm, field: 'onSaleAt' | 'offSaleAt', timezone: string, errors: Record<string, string>): string | undefined {
  if (!form[field].trim()) return undefined;
  const utc = zonedToUtc(form[field], timezone);
  if (!utc) errors[field] = 'Enter a date and time, or leave it empty.';
  return utc ?? undefined;
}

function buildTerms(form: PerformanceForm, zones: readonly string[], currency: string, errors: Record<string, string>): Terms {
  const digits = currencyDigits(currency);
  if (!form.seatMapId) errors['seatMapId'] = 'Choose a seat map.';
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
      prices.push(isHiddenPrice(form, zone, priceType) ? { zone, priceType, amount, hidden: true } : { zone, priceType, amount });
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

  const taxes: Tax[] = [];
  for (const tax of form.taxes) {
    const name = tax.name.trim();
    if (!name && !tax.rate.trim()) continue; // an empty row
    const rateBp = parsePercent(tax.rate);
    if (!name) errors['taxes'] ??= 'Every tax needs a name.';
    else if (rateBp === null) errors['taxes'] ??= `The ${name} rate "${tax.rate}" is not a percentage (for example 8.25).`;
    else taxes.push({ name, rateBp, inclusive: tax.inclusive });
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

  return {
    seatMapId: form.seatMapId,
    prices,
    fees,
    taxes,
    ...(maxTicketsPerOrder !== undefined ? { maxTicketsPerOrder } : {}),
    ...(holdSeconds !== undefined ? { holdSeconds } : {}),
  };
}

/** Zones without any price: publishing is refused until each has one. */
export function unpricedZones(form: PerformanceForm, zones: readonly string[]): string[] {
  return zones.filter((zone) => !form.priceTypes.some((t) => form.prices[priceKey(zone, t)]?.trim()));
}

/** The form showing a performance as it is, for editing: times at the venue, amounts in
 *  currency units; a sale that closes at the start shows an empty "off sale". */
export function performanceToForm(performance: PerformanceView, currency: string): PerformanceForm {
  const digits = currencyDigits(currency);
  const amount = (minor: number) => (minor / 10 ** digits).toFixed(digits);
  const local = (at: { local: string }) => at.local.slice(0, 16);
  const form = emptyPerformanceForm(performance.seatMapId);
  form.startsAt = local(performance.startsAt);
  form.onSaleAt = local(performance.onSaleAt);
  form.offSaleAt = performance.offSaleAt.utc === performance.startsAt.utc ? '' : local(performance.offSaleAt);
  form.priceTypes = [...new Set(performance.prices.map((p) => p.priceType))];
  if (form.priceTypes.length === 0) form.priceTypes = ['adult'];
  form.prices = Object.fromEntries(performance.prices.map((p) => [priceKey(p.zone, p.priceType), amount(p.price.amount)]));
  // A type hidden wherever it has a price shows as hidden (new zones' prices then are too);
  // one hidden in some zones only keeps exactly those cells.
  for (const type of form.priceTypes) {
    const rows = performance.prices.filter((p) => p.priceType === type);
    if (rows.length > 0 && rows.every((p) => p.hidden)) form.hiddenTypes.push(type);
    else form.hiddenCells.push(...rows.filter((p) => p.hidden).map((p) => priceKey(p.zone, p.priceType)));
  }
  form.fees = performance.fees.map((fee) =>
    fee.percentBp != null
      ? { name: fee.name, basis: fee.basis, kind: 'percent' as const, value: String(fee.percentBp / 100) }
      : { name: fee.name, basis: fee.basis, kind: 'fixed' as const, value: amount(fee.fixed ?? 0) },
  );
  form.taxes = performance.taxes.map((tax) => ({ name: tax.name, rate: String(tax.rateBp / 100), inclusive: tax.inclusive }));
  form.maxTicketsPerOrder = String(performance.maxTicketsPerOrder);
  form.holdSeconds = String(performance.holdSeconds);
  return form;
}

/** The edit of `performance` the form describes (the seat map stays). */
export function editRequest(built: NewPerformance, performance: PerformanceView): EditPerformance {
  const { seatMapId: _seatMap, ...edit } = built;
  return { ...edit, updatedAt: performance.updatedAt };
}
