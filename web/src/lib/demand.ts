// Demand for one performance (API.md "Reports"): per zone, how many sold and how soon after sales
// opened; per seat, how often patrons held it and let it go without buying (released, or the
// hold ran out). Here: the call, the zone table's figures and the heat map's colour scale.
import { request, type AdminSchemas as S } from './api';

export type DemandReport = S['DemandReport'];
export type ZoneDemand = S['ZoneDemand'];
export type SeatDemand = S['SeatDemand'];

export function getDemand(performanceId: string): Promise<DemandReport> {
  return request<DemandReport>('GET', `/admin/v1/performances/${encodeURIComponent(performanceId)}/demand`, { staff: true });
}

/** "42%" of `capacity`; "under 1%" for a little; "—" with no capacity. */
export function shareSold(sold: number, capacity: number): string {
  if (capacity <= 0) return '—';
  const percent = Math.round((sold / capacity) * 100);
  return percent === 0 && sold > 0 ? 'under 1%' : `${percent}%`;
}

/** The zones added up (the table's total row). */
export function zoneTotals(zones: readonly ZoneDemand[]): Omit<ZoneDemand, 'zone' | 'name'> {
  const total = { capacity: 0, sold: 0, soldWithinHour: 0, soldWithinDay: 0, soldWithinWeek: 0, soldLater: 0, tried: 0 };
  for (const z of zones) {
    total.capacity += z.capacity;
    total.sold += z.sold;
    total.soldWithinHour += z.soldWithinHour;
    total.soldWithinDay += z.soldWithinDay;
    total.soldWithinWeek += z.soldWithinWeek;
    total.soldLater += z.soldLater;
    total.tried += z.tried;
  }
  return total;
}

/** What a seat's accessible name says of it: "held and let go 3 times", "… once", "not held and let go". */
export function triedWords(tried: number): string {
  if (tried <= 0) return 'not held and let go';
  return tried === 1 ? 'held and let go once' : `held and let go ${tried.toLocaleString()} times`;
}

// --- the heat map's colour scale ----------------------------------------------------------------

/**
 * A sequential scale, light to dark (ColorBrewer YlOrRd, its lightest step left out so every
 * step stands out from the page and from the grey of seats nobody tried).
 */
export const HEAT_COLOURS = ['#fed976', '#feb24c', '#fd8d3c', '#e31a1c', '#800026'] as const;
/** Seats nobody held and let go. */
export const NOT_TRIED_COLOUR = '#dcd8e0';

export interface HeatStep {
  /** Counts from `min` to `max`, both included. */
  min: number;
  max: number;
  colour: string;
  /** "1", "2–3", "12–20". */
  label: string;
}

/**
 * The steps of the scale for counts up to `max`: one step per count while there are at most
 * five, else five steps of about equal width. The most tried seats always get the darkest colour.
 */
export function heatSteps(max: number): HeatStep[] {
  const top = Math.max(0, Math.floor(max));
  if (top === 0) return [];
  const n = Math.min(HEAT_COLOURS.length, top);
  const steps: HeatStep[] = [];
  let min = 1;
  for (let i = 0; i < n; i++) {
    const upper = i === n - 1 ? top : Math.max(min, Math.round((top * (i + 1)) / n));
    // Spread fewer steps over the whole scale: with 2 steps, the lightest and the darkest.
    const colour = HEAT_COLOURS[n === 1 ? HEAT_COLOURS.length - 1 : Math.round((i * (HEAT_COLOURS.length - 1)) / (n - 1))]!;
    steps.push({ min, max: upper, colour, label: min === upper ? `${min}` : `${min}–${upper}` });
    min = upper + 1;
  }
  return steps;
}

/** The colour of a seat tried `tried` times on the scale `steps`. */
export function heatColour(tried: number, steps: readonly HeatStep[]): string {
  if (tried <= 0 || steps.length === 0) return NOT_TRIED_COLOUR;
  for (const step of steps) if (tried <= step.max) return step.colour;
  return steps[steps.length - 1]!.colour;
}

/** Times each seat was tried, by seat id. */
export function triedBySeat(seats: readonly SeatDemand[]): Map<string, number> {
  return new Map(seats.map((s) => [s.seatId, s.tried]));
}
