import { describe, expect, it, vi } from 'vitest';
import { openPdf, preferredPaper, rememberPaper, ticketsPdfPath } from './printing';

function memory(): Storage {
  const values = new Map<string, string>();
  return {
    getItem: (k: string) => values.get(k) ?? null,
    setItem: (k: string, v: string) => void values.set(k, v),
    removeItem: (k: string) => void values.delete(k),
    clear: () => values.clear(),
    key: () => null,
    get length() {
      return values.size;
    },
  };
}

describe('printing tickets at the window', () => {
  it('asks for the order and the paper', () => {
    expect(ticketsPdfPath('01 abc', 'letter')).toBe('/admin/v1/orders/01%20abc/tickets.pdf?format=letter');
  });

  it('remembers the paper this window prints on, ticket stock at first', () => {
    const storage = memory();
    expect(preferredPaper(storage)).toBe('stock');
    rememberPaper('a4', storage);
    expect(preferredPaper(storage)).toBe('a4');
    storage.setItem('marquee.ticketPaper', 'postcard');
    expect(preferredPaper(storage)).toBe('stock');
  });

  it('saves the file when the browser blocks the new tab', () => {
    const file = { blob: new Blob(['%PDF-1.7']), filename: 'tickets.pdf' };
    const save = vi.fn();
    openPdf(file, { open: () => null }, save);
    expect(save).toHaveBeenCalledWith(file);
    const opened = vi.fn(() => ({}) as Window);
    const notSaved = vi.fn();
    openPdf(file, { open: opened }, notSaved);
    expect(opened).toHaveBeenCalledOnce();
    expect(notSaved).not.toHaveBeenCalled();
  });
});
