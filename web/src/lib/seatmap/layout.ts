// The seat map's geometry and wording, free of any rendering: a layout flattened into one
// array of seats (the order of the status strings), the drawing's bounds, seat size, zone
// colours, the screen-reader label of a seat and the seat an arrow key moves to.
import type { SeatMapLayout, ZoneLayout } from '../catalog';

export interface SeatInfo {
  /** Position in `seats` and in the concatenated status strings of its section. */
  index: number;
  id: string;
  label: string;
  row: string;
  sectionId: string;
  sectionName: string;
  zone: string;
  x: number;
  y: number;
  rank: number;
  accessible: boolean;
  restrictedView: boolean;
  companion: boolean;
  note: string;
}

export interface AreaInfo {
  id: string;
  name: string;
  zone: string;
  capacity: number;
  x: number;
  y: number;
}

export interface ZoneInfo {
  id: string;
  name: string;
  colour: string;
}

/** Where one section's seats are in the flat array (its status string has `count` characters). */
export interface SectionSpan {
  id: string;
  start: number;
  count: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A figure per seat drawn as colour over the map (the admin's demand heat map). */
export interface SeatHeat {
  /** The seat's fill. */
  fill: (seat: SeatInfo) => string;
  /** What the seat's name ends with, e.g. "held and let go 3 times". */
  words: (seat: SeatInfo) => string;
  /** The scale, lightest first, for the legend. */
  legend: readonly { colour: string; label: string }[];
  /** The legend's accessible name, e.g. "Times held and let go". */
  legendLabel: string;
}

/** What a patron sees for a seat; `mine` is a seat held in this browser's cart. */
export type SeatState = 'free' | 'held' | 'sold' | 'blocked' | 'mine';

/** Distinct, colour-blind-friendly fills for zones without a colour of their own (Okabe–Ito). */
export const ZONE_PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];

const HEX = /^#[0-9a-f]{6}$/i;

export function zoneInfos(zones: readonly ZoneLayout[]): ZoneInfo[] {
  return zones.map((zone, i) => ({
    id: zone.id,
    name: zone.name || zone.id,
    colour: zone.colour && HEX.test(zone.colour) ? zone.colour : ZONE_PALETTE[i % ZONE_PALETTE.length]!,
  }));
}

export interface FlatLayout {
  name: string;
  zones: ZoneInfo[];
  seats: SeatInfo[];
  areas: AreaInfo[];
  sections: SectionSpan[];
}

export function flatten(layout: SeatMapLayout): FlatLayout {
  const seats: SeatInfo[] = [];
  const sections: SectionSpan[] = [];
  for (const section of layout.sections) {
    const start = seats.length;
    for (const row of section.rows) {
      for (const seat of row.seats) {
        seats.push({
          index: seats.length,
          id: seat.id,
          label: seat.label,
          row: row.label,
          sectionId: section.id,
          sectionName: section.name || section.id,
          zone: seat.zone,
          x: seat.x,
          y: seat.y,
          rank: seat.rank,
          accessible: !!seat.accessible,
          restrictedView: !!seat.restrictedView,
          companion: !!seat.companion,
          note: seat.note ?? '',
        });
      }
    }
    sections.push({ id: section.id, start, count: seats.length - start });
  }
  return {
    name: layout.name,
    zones: zoneInfos(layout.zones),
    seats,
    areas: layout.areas.map((a) => ({ ...a })),
    sections,
  };
}

/**
 * The seat radius: a little under half the typical distance between neighbouring seats of a
 * row (the median, so one wide aisle does not inflate it).
 */
export function seatRadius(seats: readonly SeatInfo[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < seats.length && gaps.length < 5000; i++) {
    const a = seats[i - 1]!;
    const b = seats[i]!;
    if (a.sectionId === b.sectionId && a.row === b.row) {
      const d = Math.hypot(b.x - a.x, b.y - a.y);
      if (d > 0) gaps.push(d);
    }
  }
  if (gaps.length === 0) return 10;
  gaps.sort((p, q) => p - q);
  return gaps[Math.floor(gaps.length / 2)]! * 0.42;
}

/** A general-admission area's drawn rectangle, centred on its point. */
export function areaBox(area: AreaInfo, radius: number): Box {
  const w = radius * 24;
  const h = radius * 6;
  return { x: area.x - w / 2, y: area.y - h / 2, w, h };
}

/** Everything drawn, with a margin. */
export function bounds(seats: readonly SeatInfo[], areas: readonly AreaInfo[], radius: number): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const s of seats) {
    if (s.x < minX) minX = s.x;
    if (s.y < minY) minY = s.y;
    if (s.x > maxX) maxX = s.x;
    if (s.y > maxY) maxY = s.y;
  }
  for (const a of areas) {
    const box = areaBox(a, radius);
    minX = Math.min(minX, box.x);
    minY = Math.min(minY, box.y);
    maxX = Math.max(maxX, box.x + box.w);
    maxY = Math.max(maxY, box.y + box.h);
  }
  if (!Number.isFinite(minX)) return { x: 0, y: 0, w: 100, h: 100 };
  const margin = radius * 3;
  return { x: minX - margin, y: minY - margin, w: maxX - minX + 2 * margin, h: maxY - minY + 2 * margin };
}

export function stateOf(code: string | undefined, mine: boolean): SeatState {
  if (mine) return 'mine';
  switch (code) {
    case 'h':
      return 'held';
    case 's':
      return 'sold';
    case 'b':
      return 'blocked';
    default:
      return 'free';
  }
}

export const STATE_WORDS: Record<SeatState, string> = {
  free: 'available',
  held: 'held by someone else',
  sold: 'sold',
  blocked: 'not available',
  mine: 'in your cart',
};

/** The same states as staff see them (blocking seats in the admin). */
export const STAFF_STATE_WORDS: Record<SeatState, string> = {
  free: 'available',
  held: 'held by a patron',
  sold: 'sold',
  blocked: 'blocked',
  mine: 'in your cart',
};

/** "C12": how a seat is named in short messages. */
export function shortSeatName(seat: Pick<SeatInfo, 'row' | 'label'>): string {
  return `${seat.row}${seat.label}`;
}

/**
 * What a screen reader says for a seat:
 * "Orchestra row C seat 12, Premium, $85.00, wheelchair space, available".
 */
export function seatLabel(seat: SeatInfo, zoneText: string, state: SeatState, words: Record<SeatState, string> = STATE_WORDS): string {
  return seatLabelWith(seat, zoneText, words[state]);
}

/** The same name with other closing words than a state (the demand heat map's count). */
export function seatLabelWith(seat: SeatInfo, zoneText: string, last: string): string {
  const parts = [`${seat.sectionName} row ${seat.row} seat ${seat.label}`];
  if (zoneText) parts.push(zoneText);
  if (seat.accessible) parts.push('wheelchair space');
  if (seat.companion) parts.push('companion seat');
  if (seat.restrictedView) parts.push('restricted view');
  if (seat.note) parts.push(seat.note);
  if (last) parts.push(last);
  return parts.join(', ');
}

export type Direction = 'left' | 'right' | 'up' | 'down';

/**
 * The seat an arrow key moves to from `from`: the nearest seat in that direction, preferring
 * seats straight ahead (a seat in the same row for left/right, the nearest seat of the next
 * row for up/down). Null at the edge. Linear in the number of seats: fine for 20,000.
 */
export function neighbour(seats: readonly SeatInfo[], from: number, direction: Direction): number | null {
  const origin = seats[from];
  if (!origin) return null;
  let best: number | null = null;
  let bestScore = Infinity;
  for (const seat of seats) {
    if (seat.index === from) continue;
    const dx = seat.x - origin.x;
    const dy = seat.y - origin.y;
    const ahead = direction === 'right' ? dx : direction === 'left' ? -dx : direction === 'down' ? dy : -dy;
    const aside = Math.abs(direction === 'left' || direction === 'right' ? dy : dx);
    // Inside a cone of ±63° around the direction; sideways distance costs more than forward.
    if (ahead <= 0.5 || aside > ahead * 2) continue;
    const score = ahead + aside * 3;
    if (score < bestScore) {
      bestScore = score;
      best = seat.index;
    }
  }
  return best;
}

/** Clamps a view box inside `limits` (zoomed out at most to the whole drawing, in at most ×`maxZoom`). */
export function clampView(view: Box, limits: Box, maxZoom = 24): Box {
  const aspect = limits.h / limits.w;
  const w = Math.min(limits.w, Math.max(limits.w / maxZoom, view.w));
  const h = w * aspect;
  const x = Math.min(limits.x + limits.w - w, Math.max(limits.x, view.x));
  const y = Math.min(limits.y + limits.h - h, Math.max(limits.y, view.y));
  return { x, y, w, h };
}

/** Zooms by `factor` (>1 zooms in) keeping the point (px, py) where it is on screen. */
export function zoomView(view: Box, limits: Box, factor: number, px = view.x + view.w / 2, py = view.y + view.h / 2): Box {
  const w = view.w / factor;
  const h = view.h / factor;
  const x = px - ((px - view.x) * w) / view.w;
  const y = py - ((py - view.y) * h) / view.h;
  return clampView({ x, y, w, h }, limits);
}
