import { describe, expect, it } from 'vitest';
import { checkDuplicate, defaultDuplicate } from './duplicateEvent';

describe('duplicating an event', () => {
  it('starts from the title with “(copy)” and a year on, same weekday', () => {
    expect(defaultDuplicate('Hamlet')).toEqual({ title: 'Hamlet (copy)', shiftDays: '364', copyPerformances: true });
  });

  it('sends the title and the shift when performances are copied', () => {
    expect(checkDuplicate({ title: ' Hamlet 2028 ', shiftDays: '364', copyPerformances: true })).toEqual({
      ok: true,
      body: { title: 'Hamlet 2028', shiftDays: 364 },
    });
  });

  it('sends no shift when only the event is copied, whatever the field says', () => {
    expect(checkDuplicate({ title: 'Hamlet', shiftDays: 'soon', copyPerformances: false })).toEqual({
      ok: true,
      body: { title: 'Hamlet' },
    });
  });

  it('refuses an empty title and a shift out of range, by field', () => {
    for (const shiftDays of ['0', '3661', '1.5', '-3', '', 'x']) {
      const checked = checkDuplicate({ title: '', shiftDays, copyPerformances: true });
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(Object.keys(checked.fields).sort()).toEqual(['shiftDays', 'title']);
    }
    expect(checkDuplicate({ title: 'x'.repeat(201), shiftDays: '7', copyPerformances: true }).ok).toBe(false);
  });
});
