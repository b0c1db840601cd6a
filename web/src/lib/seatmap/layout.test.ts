import { describe, expect, it } from 'vitest';
import { smallLayout } from '../../test/seatmaps';
import { bounds, clampView, flatten, neighbour, seatLabel, seatRadius, stateOf, zoneInfos, zoomView, ZONE_PALETTE } from './layout';

describe('flatten', () => {
  it('lists seats section by section, row by row, in the order of the status strings', () => {
    const flat = flatten(smallLayout());
    expect(flat.seats).toHaveLength(56);
    expect(flat.sections).toEqual([
      { id: 'orchestra', start: 0, count: 36 },
      { id: 'balcony', start: 36, count: 20 },
    ]);
    expect(flat.seats[13]).toMatchObject({ index: 13, id: 'orchestra-B-2', row: 'B', label: '2', sectionName: 'Orchestra', zone: 'premium' });
    expect(flat.seats[12]!.accessible).toBe(true);
  });

  it('gives zones without a colour one from the palette', () => {
    expect(zoneInfos([{ id: 'a', name: 'A', colour: '#123456' }, { id: 'b', name: '', colour: 'red' }])).toEqual([
      { id: 'a', name: 'A', colour: '#123456' },
      { id: 'b', name: 'b', colour: ZONE_PALETTE[1] },
    ]);
  });
});

describe('geometry', () => {
  it('sizes seats from the spacing of a row and fits the view box around seats and areas', () => {
    const flat = flatten(smallLayout());
    const r = seatRadius(flat.seats);
    expect(r).toBeCloseTo(30 * 0.42);
    const box = bounds(flat.seats, flat.areas, r);
    expect(box.x).toBeLessThan(100 - r);
    expect(box.y).toBeLessThan(100 - r);
    expect(box.x + box.w).toBeGreaterThan(430);
    // The lawn (y 500) is inside.
    expect(box.y + box.h).toBeGreaterThan(500);
  });

  it('zooms around a point and never past the whole drawing', () => {
    const limits = { x: 0, y: 0, w: 1000, h: 500 };
    const zoomed = zoomView(limits, limits, 2, 250, 125);
    expect(zoomed).toEqual({ x: 125, y: 62.5, w: 500, h: 250 });
    expect(zoomView(zoomed, limits, 0.1)).toEqual(limits);
    expect(clampView({ x: -50, y: 900, w: 100, h: 50 }, limits)).toEqual({ x: 0, y: 450, w: 100, h: 50 });
  });
});

describe('keyboard moves', () => {
  const seats = flatten(smallLayout()).seats;
  const at = (id: string) => seats.findIndex((s) => s.id === id);

  it('moves along a row with left and right, and stops at its ends', () => {
    expect(neighbour(seats, at('orchestra-B-5'), 'right')).toBe(at('orchestra-B-6'));
    expect(neighbour(seats, at('orchestra-B-5'), 'left')).toBe(at('orchestra-B-4'));
    expect(neighbour(seats, at('orchestra-A-1'), 'left')).toBeNull();
  });

  it('moves to the nearest seat of the next row with up and down, across sections', () => {
    expect(neighbour(seats, at('orchestra-B-5'), 'down')).toBe(at('orchestra-C-5'));
    expect(neighbour(seats, at('orchestra-B-5'), 'up')).toBe(at('orchestra-A-5'));
    expect(neighbour(seats, at('orchestra-C-3'), 'down')).toBe(at('balcony-D-3'));
    expect(neighbour(seats, at('orchestra-A-3'), 'up')).toBeNull();
  });
});

describe('labels', () => {
  it('reads like "Orchestra row C seat 12, Premium, $85.00, available"', () => {
    const seats = flatten(smallLayout()).seats;
    const c12 = seats.find((s) => s.id === 'orchestra-C-12')!;
    expect(seatLabel(c12, 'Premium, $85.00', 'free')).toBe('Orchestra row C seat 12, Premium, $85.00, available');
    expect(seatLabel(c12, 'Premium, $85.00', 'mine')).toBe('Orchestra row C seat 12, Premium, $85.00, in your cart');
    const b1 = seats.find((s) => s.id === 'orchestra-B-1')!;
    expect(seatLabel(b1, 'Premium', 'sold')).toBe('Orchestra row B seat 1, Premium, wheelchair space, sold');
  });

  it('maps status codes to states, my seats first', () => {
    expect(['f', 'h', 's', 'b', undefined].map((c) => stateOf(c, false))).toEqual(['free', 'held', 'sold', 'blocked', 'free']);
    expect(stateOf('h', true)).toBe('mine');
  });
});
