import { describe, expect, it } from 'vitest';
import { HEAT_COLOURS, heatColour, heatSteps, NOT_TRIED_COLOUR, shareSold, triedBySeat, triedWords, zoneTotals, type ZoneDemand } from './demand';

describe('the heat map scale', () => {
  it('has no steps when no seat was tried', () => {
    expect(heatSteps(0)).toEqual([]);
    expect(heatColour(0, [])).toBe(NOT_TRIED_COLOUR);
    expect(heatColour(3, [])).toBe(NOT_TRIED_COLOUR);
  });

  it('gives the most tried seats the darkest colour, even with one count', () => {
    expect(heatSteps(1)).toEqual([{ min: 1, max: 1, colour: HEAT_COLOURS[4], label: '1' }]);
    const two = heatSteps(2);
    expect(two.map((s) => [s.label, s.colour])).toEqual([
      ['1', HEAT_COLOURS[0]],
      ['2', HEAT_COLOURS[4]],
    ]);
  });

  it('has a step per count up to five, then five steps that cover every count once', () => {
    expect(heatSteps(5).map((s) => s.label)).toEqual(['1', '2', '3', '4', '5']);
    expect(heatSteps(5).map((s) => s.colour)).toEqual([...HEAT_COLOURS]);
    expect(heatSteps(7).map((s) => s.label)).toEqual(['1', '2–3', '4', '5–6', '7']);
    expect(heatSteps(20).map((s) => s.label)).toEqual(['1–4', '5–8', '9–12', '13–16', '17–20']);
    for (const max of [6, 9, 13, 101]) {
      const steps = heatSteps(max);
      expect(steps[0]!.min).toBe(1);
      expect(steps[steps.length - 1]!.max).toBe(max);
      steps.slice(1).forEach((step, i) => expect(step.min).toBe(steps[i]!.max + 1));
    }
  });

  it('is sequential: more tries, a darker (never lighter) colour', () => {
    const steps = heatSteps(20);
    const order = (colour: string) => HEAT_COLOURS.indexOf(colour as (typeof HEAT_COLOURS)[number]);
    let last = -1;
    for (let tried = 1; tried <= 20; tried++) {
      const index = order(heatColour(tried, steps));
      expect(index).toBeGreaterThanOrEqual(last);
      last = index;
    }
    expect(heatColour(0, steps)).toBe(NOT_TRIED_COLOUR);
    expect(heatColour(1, steps)).toBe(HEAT_COLOURS[0]);
    expect(heatColour(20, steps)).toBe(HEAT_COLOURS[4]);
    expect(heatColour(99, steps)).toBe(HEAT_COLOURS[4]);
  });

  it('reads light to dark (each step darker than the one before)', () => {
    const luminance = (hex: string) => {
      const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
      return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
    };
    HEAT_COLOURS.slice(1).forEach((colour, i) => expect(luminance(colour)).toBeLessThan(luminance(HEAT_COLOURS[i]!)));
  });
});

describe('demand figures', () => {
  const zone = (over: Partial<ZoneDemand>): ZoneDemand => ({
    zone: 'premium',
    name: 'Premium',
    capacity: 100,
    sold: 0,
    soldWithinHour: 0,
    soldWithinDay: 0,
    soldWithinWeek: 0,
    soldLater: 0,
    tried: 0,
    ...over,
  });

  it('adds the zones up', () => {
    expect(
      zoneTotals([zone({ sold: 10, soldWithinHour: 4, soldLater: 6, tried: 3 }), zone({ zone: 'lawn', capacity: 300, sold: 2, soldWithinDay: 2 })]),
    ).toEqual({ capacity: 400, sold: 12, soldWithinHour: 4, soldWithinDay: 2, soldWithinWeek: 0, soldLater: 6, tried: 3 });
  });

  it('says the share sold and the tries in words', () => {
    expect(shareSold(42, 100)).toBe('42%');
    expect(shareSold(1, 500)).toBe('under 1%');
    expect(shareSold(0, 500)).toBe('0%');
    expect(shareSold(0, 0)).toBe('—');
    expect(triedWords(0)).toBe('not held and let go');
    expect(triedWords(1)).toBe('held and let go once');
    expect(triedWords(3)).toBe('held and let go 3 times');
    expect(triedBySeat([{ seatId: 'a', zone: 'z', tried: 2 }]).get('a')).toBe(2);
  });
});
