// A performance's seat map as reactive state: the static layout (flattened once) and, per
// seat, one fine-grained state that the SeatMap component reads. Applying a status or a live
// change writes only the seats whose state changed, so only their SVG elements update; the
// DOM is never re-created.
import type { SeatMapLayout, SeatMapStatus } from '../catalog';
import { flatten, stateOf, type AreaInfo, type SectionSpan, type SeatInfo, type SeatState, type ZoneInfo } from './layout';

export interface SeatChange {
  seatId: string;
  status: 'free' | 'held' | 'sold' | 'blocked' | string;
}

const CODES: Record<string, string> = { free: 'f', held: 'h', sold: 's', blocked: 'b' };

export class SeatMapModel {
  readonly name: string;
  readonly zones: ZoneInfo[];
  readonly seats: readonly SeatInfo[];
  readonly areas: readonly AreaInfo[];
  readonly sections: readonly SectionSpan[];
  readonly #byId = new Map<string, number>();
  /** The server's status per seat (`f`, `h`, `s`, `b`), plain: `states` is what renders. */
  readonly #codes: string[];
  #mine = new Set<number>();

  /** What each seat shows; one signal per seat. */
  readonly states: SeatState[] = $state([]);
  /** Places left per general-admission area. */
  gaAvailable: Record<string, number> = $state({});
  /** Staff only (blocking seats): the seats chosen for the next action; one signal per seat. */
  readonly selected: boolean[] = $state([]);
  /** Staff only: the seats the server refused in the last action. */
  readonly refused: boolean[] = $state([]);

  constructor(layout: SeatMapLayout, status?: SeatMapStatus) {
    const flat = flatten(layout);
    this.name = flat.name;
    this.zones = flat.zones;
    this.seats = flat.seats;
    this.areas = flat.areas;
    this.sections = flat.sections;
    for (const seat of flat.seats) this.#byId.set(seat.id, seat.index);
    this.#codes = flat.seats.map(() => 'f');
    this.states = flat.seats.map((): SeatState => 'free');
    this.selected = flat.seats.map(() => false);
    this.refused = flat.seats.map(() => false);
    const ga: Record<string, number> = {};
    for (const area of flat.areas) ga[area.id] = area.capacity;
    this.gaAvailable = ga;
    if (status) this.applyStatus(status);
  }

  indexOf(seatId: string): number | undefined {
    return this.#byId.get(seatId);
  }

  seat(seatId: string): SeatInfo | undefined {
    const i = this.#byId.get(seatId);
    return i === undefined ? undefined : this.seats[i];
  }

  code(index: number): string {
    return this.#codes[index] ?? 'f';
  }

  #set(index: number, code: string): void {
    this.#codes[index] = code;
    this.#render(index);
  }

  #render(index: number): void {
    const next = stateOf(this.#codes[index], this.#mine.has(index));
    if (this.states[index] !== next) this.states[index] = next;
  }

  /** A full status (first load, polling, after the cart's countdown): returns how many seats changed. */
  applyStatus(status: SeatMapStatus): number {
    let changed = 0;
    for (const span of this.sections) {
      const codes = status.sections[span.id];
      if (typeof codes !== 'string') continue;
      for (let k = 0; k < span.count; k++) {
        const code = codes[k] ?? 'f';
        const index = span.start + k;
        if (this.#codes[index] !== code) {
          this.#set(index, code);
          changed++;
        }
      }
    }
    for (const [areaId, available] of Object.entries(status.areas ?? {})) this.setGa(areaId, available);
    return changed;
  }

  /** Changes pushed over the WebSocket. Unknown seats are ignored. */
  applyChanges(changes: readonly SeatChange[]): void {
    for (const change of changes) {
      const index = this.#byId.get(change.seatId);
      const code = CODES[change.status];
      if (index !== undefined && code) this.#set(index, code);
    }
  }

  /** Marks seats as held (by this cart after a hold, or by someone else after a refusal) or free. */
  markSeats(seatIds: Iterable<string>, status: 'free' | 'held'): void {
    this.applyChanges([...seatIds].map((seatId) => ({ seatId, status })));
  }

  setGa(areaId: string, available: number): void {
    if (this.gaAvailable[areaId] !== available && Number.isFinite(available)) this.gaAvailable[areaId] = Math.max(0, available);
  }

  /** The seats in this browser's cart ("selected"). */
  setMine(seatIds: Iterable<string>): void {
    const next = new Set<number>();
    for (const id of seatIds) {
      const index = this.#byId.get(id);
      if (index !== undefined) next.add(index);
    }
    const previous = this.#mine;
    this.#mine = next;
    for (const index of previous) if (!next.has(index)) this.#render(index);
    for (const index of next) if (!previous.has(index)) this.#render(index);
  }

  isMine(index: number): boolean {
    return this.#mine.has(index);
  }

  /** Staff: the seats chosen for the next block or unblock (unknown ids are ignored). */
  setSelected(seatIds: Iterable<string>): void {
    this.#setFlags(this.selected, seatIds);
  }

  /** Staff: the seats named in the last refusal (none to clear). */
  setRefused(seatIds: Iterable<string>): void {
    this.#setFlags(this.refused, seatIds);
  }

  /** Writes only the seats whose flag changes. */
  #setFlags(flags: boolean[], seatIds: Iterable<string>): void {
    const next = new Set<number>();
    for (const id of seatIds) {
      const index = this.#byId.get(id);
      if (index !== undefined) next.add(index);
    }
    for (let i = 0; i < flags.length; i++) {
      const on = next.has(i);
      if (flags[i] !== on) flags[i] = on;
    }
  }

  /** Counts per state, for summaries and tests. */
  counts(): Record<SeatState, number> {
    const counts: Record<SeatState, number> = { free: 0, held: 0, sold: 0, blocked: 0, mine: 0 };
    for (const state of this.states) counts[state]++;
    return counts;
  }
}
