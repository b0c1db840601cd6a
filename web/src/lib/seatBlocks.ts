// Blocked seats (house seats, kills) as staff set them on a performance (API.md "Admin"):
// the call, which chosen seats each action applies to, and the wording of every refusal.
import { ApiError, request, type AdminSchemas as S } from './api';
import type { SeatState } from './seatmap/layout';

export type BlockAction = S['BlockAction'];

/** The server takes at most this many seats per call (all or none change). */
export const MAX_SEATS_PER_CHANGE = 100;

/** The seats whose block changed, as they were sent. */
export type BlocksResult = S['BlocksResult'];

export function changeBlocks(performanceId: string, action: BlockAction, seats: readonly string[]): Promise<BlocksResult> {
  return request<BlocksResult>('POST', `/admin/v1/performances/${encodeURIComponent(performanceId)}/blocks`, {
    body: { action, seats: [...seats] } satisfies S['BlocksRequest'],
    staff: true,
  });
}

/** Adds a seat to the selection, or takes it out when it is there already. */
export function toggleSeat(selected: readonly string[], seatId: string): string[] {
  return selected.includes(seatId) ? selected.filter((id) => id !== seatId) : [...selected, seatId];
}

/**
 * What each button does with the chosen seats, by their state on the map: Unblock takes the
 * blocked ones; Block takes every other one (the server is the authority: a seat a patron
 * held a moment ago is refused with its id, and the map then rings it).
 */
export function blockPlan(selected: readonly string[], stateOf: (seatId: string) => SeatState | undefined): Record<BlockAction, string[]> {
  const plan: Record<BlockAction, string[]> = { block: [], unblock: [] };
  for (const seatId of selected) {
    const state = stateOf(seatId);
    if (state === undefined) continue;
    plan[state === 'blocked' ? 'unblock' : 'block'].push(seatId);
  }
  return plan;
}

/** "Block 2 seats", "Unblock 1 seat". */
export function actionLabel(action: BlockAction, count: number): string {
  const verb = action === 'block' ? 'Block' : 'Unblock';
  return count === 0 ? `${verb} seats` : `${verb} ${count} ${count === 1 ? 'seat' : 'seats'}`;
}

/** "Blocked 2 seats: C12, C13." */
export function doneMessage(action: BlockAction, names: readonly string[]): string {
  const verb = action === 'block' ? 'Blocked' : 'Unblocked';
  return `${verb} ${names.length} ${names.length === 1 ? 'seat' : 'seats'}: ${names.join(', ')}.`;
}

export interface BlocksProblem {
  message: string;
  /** The seats the refusal names (drawn ringed on the map). */
  seats: string[];
}

/** Why a block or unblock was refused; nothing changed (all or none). */
export function blocksProblem(error: unknown, action: BlockAction, seatName: (seatId: string) => string | undefined): BlocksProblem {
  if (!(error instanceof ApiError)) return { message: 'Something went wrong; please try again.', seats: [] };
  const raw = error.details['seats'];
  const seats = Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string') : [];
  const names = seats.map((id) => seatName(id) ?? id).join(', ');
  const nothing = action === 'block' ? 'Nothing was blocked.' : 'Nothing was unblocked.';
  switch (error.code) {
    case 'seat_unavailable':
    case 'seats_in_use':
      return { message: `Held or sold by patrons, so they cannot be blocked: ${names || 'some seats'}. ${nothing}`, seats };
    case 'not_blocked':
      return { message: `Not blocked, so they cannot be unblocked: ${names || 'some seats'}. ${nothing}`, seats };
    case 'unknown_seats':
      return { message: `Not on this performance's seat map: ${names || 'some seats'}. ${nothing}`, seats };
    default:
      if (error.status === 403) return { message: 'Your role cannot block seats.', seats: [] };
      if (error.status === 404) return { message: 'This performance no longer exists.', seats: [] };
      return { message: error.status === 0 ? `The server could not be reached. ${nothing}` : `${error.message} ${nothing}`, seats };
  }
}
