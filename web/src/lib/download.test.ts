import { afterEach, describe, expect, it, vi } from 'vitest';
import { saveFile } from './download';

afterEach(() => {
  vi.useRealTimers();
});

describe('saving a fetched file', () => {
  it('clicks a temporary download link to an object URL, then releases it', () => {
    vi.useFakeTimers();
    const created = vi.fn(() => 'blob:report-1');
    const revoked = vi.fn();
    Object.assign(URL, { createObjectURL: created, revokeObjectURL: revoked });
    const clicks: { href: string; download: string }[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.getAttribute('href') ?? '', download: this.download });
    });
    const blob = new Blob(['Figure,Value\n'], { type: 'text/csv' });
    saveFile({ blob, filename: 'end-of-day-2027-03-01.csv' });
    expect(created).toHaveBeenCalledWith(blob);
    expect(clicks).toEqual([{ href: 'blob:report-1', download: 'end-of-day-2027-03-01.csv' }]);
    expect(document.querySelector('a[download]')).toBeNull();
    expect(revoked).not.toHaveBeenCalled();
    vi.runAllTimers();
    expect(revoked).toHaveBeenCalledWith('blob:report-1');
    click.mockRestore();
  });
});
