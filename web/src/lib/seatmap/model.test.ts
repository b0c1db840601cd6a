import { describe, expect, it } from 'vitest';
import { freeStatus, smallLayout } from '../../test/seatmaps';
import { SeatMapModel } from './model.svelte';

describe('SeatMapModel', () => {
  it('reads the status strings section by section and GA availability', () => {
    const layout = smallLayout();
    const status = freeStatus(layout);
    // orchestra: A1 held, A2 sold, A3 blocked; balcony: D1 held.
    status.sections['orchestra'] = 'hsb' + 'f'.repeat(33);
    status.sections['balcony'] = 'h' + 'f'.repeat(19);
    status.areas['lawn'] = 12;
    const model = new SeatMapModel(layout, status);
    expect(model.states.slice(0, 4)).toEqual(['held', 'sold', 'blocked', 'free']);
    expect(model.states[36]).toBe('held');
    expect(model.gaAvailable['lawn']).toBe(12);
    expect(model.counts()).toEqual({ free: 52, held: 2, sold: 1, blocked: 1, mine: 0 });
  });

  it('applies live changes and reports how many seats a full status changed', () => {
    const layout = smallLayout();
    const model = new SeatMapModel(layout, freeStatus(layout));
    model.applyChanges([
      { seatId: 'orchestra-C-12', status: 'held' },
      { seatId: 'no-such-seat', status: 'sold' },
      { seatId: 'balcony-E-1', status: 'bogus' },
    ]);
    expect(model.states[model.indexOf('orchestra-C-12')!]).toBe('held');
    expect(model.applyStatus(freeStatus(layout))).toBe(1);
    expect(model.counts().free).toBe(56);
  });

  it('shows seats in my cart as mine whatever the server says, until they leave the cart', () => {
    const layout = smallLayout();
    const model = new SeatMapModel(layout, freeStatus(layout));
    model.markSeats(['orchestra-A-1', 'orchestra-A-2'], 'held');
    model.setMine(['orchestra-A-1', 'orchestra-A-2']);
    expect(model.states.slice(0, 3)).toEqual(['mine', 'mine', 'free']);
    model.setMine(['orchestra-A-2']);
    expect(model.states.slice(0, 3)).toEqual(['held', 'mine', 'free']);
    expect(model.isMine(1)).toBe(true);
  });
});
