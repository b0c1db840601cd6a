import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { actionLabel, blockPlan, blocksProblem, doneMessage, toggleSeat } from './seatBlocks';
import type { SeatState } from './seatmap/layout';

const names: Record<string, string> = { 'orchestra-C-12': 'C12', 'orchestra-C-13': 'C13' };
const seatName = (id: string) => names[id];

describe('seat blocks', () => {
  it('toggles a seat in and out of the selection, keeping the order of choice', () => {
    expect(toggleSeat([], 'a')).toEqual(['a']);
    expect(toggleSeat(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggleSeat(['a', 'b'], 'a')).toEqual(['b']);
  });

  it('unblocks the chosen blocked seats and blocks every other chosen seat', () => {
    const states: Record<string, SeatState> = { a: 'free', b: 'blocked', c: 'held', d: 'blocked' };
    expect(blockPlan(['a', 'b', 'c', 'd', 'gone'], (id) => states[id])).toEqual({ block: ['a', 'c'], unblock: ['b', 'd'] });
    expect(blockPlan([], () => 'free')).toEqual({ block: [], unblock: [] });
  });

  it('words the buttons and the outcome', () => {
    expect(actionLabel('block', 0)).toBe('Block seats');
    expect(actionLabel('block', 1)).toBe('Block 1 seat');
    expect(actionLabel('unblock', 2)).toBe('Unblock 2 seats');
    expect(doneMessage('block', ['C12', 'C13'])).toBe('Blocked 2 seats: C12, C13.');
    expect(doneMessage('unblock', ['C12'])).toBe('Unblocked 1 seat: C12.');
  });

  it('names the seats a refusal is about, by their short names', () => {
    const taken = new ApiError(409, 'seat_unavailable', 'Some seats are held or sold', { seats: ['orchestra-C-12', 'x-1'] });
    expect(blocksProblem(taken, 'block', seatName)).toEqual({
      message: 'Held or sold by patrons, so they cannot be blocked: C12, x-1. Nothing was blocked.',
      seats: ['orchestra-C-12', 'x-1'],
    });
    const notBlocked = new ApiError(409, 'not_blocked', 'Some seats are not blocked', { seats: ['orchestra-C-13'] });
    expect(blocksProblem(notBlocked, 'unblock', seatName)).toEqual({
      message: 'Not blocked, so they cannot be unblocked: C13. Nothing was unblocked.',
      seats: ['orchestra-C-13'],
    });
    const unknown = new ApiError(422, 'unknown_seats', 'Some seats are not on this map', { seats: ['z'] });
    expect(blocksProblem(unknown, 'block', seatName).message).toBe("Not on this performance's seat map: z. Nothing was blocked.");
  });

  it('explains refusals that name no seats', () => {
    expect(blocksProblem(new ApiError(403, 'forbidden', 'Forbidden'), 'block', seatName)).toEqual({ message: 'Your role cannot block seats.', seats: [] });
    expect(blocksProblem(new ApiError(0, 'network', 'offline'), 'unblock', seatName).message).toBe(
      'The server could not be reached. Nothing was unblocked.',
    );
    expect(blocksProblem(new Error('boom'), 'block', seatName)).toEqual({ message: 'Something went wrong; please try again.', seats: [] });
  });
});
