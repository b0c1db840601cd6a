// Printing tickets at the window (API.md "Box office": `GET /admin/v1/orders/{id}/tickets.pdf`):
// the order's valid tickets as a PDF for 5.5″ × 2″ ticket stock, or four to an A4 or US Letter
// sheet. The clerk's choice of paper is remembered on this computer, since a window has one
// printer.
import { requestFile, type DownloadedFile } from './api';

export type TicketPaper = 'stock' | 'a4' | 'letter';

export const PAPERS: readonly { paper: TicketPaper; label: string }[] = [
  { paper: 'stock', label: 'Ticket stock' },
  { paper: 'a4', label: 'A4' },
  { paper: 'letter', label: 'Letter' },
];

const STORAGE_KEY = 'marquee.ticketPaper';

export function ticketsPdfPath(orderId: string, paper: TicketPaper): string {
  return `/admin/v1/orders/${encodeURIComponent(orderId)}/tickets.pdf?format=${paper}`;
}

export function fetchTicketsPdf(orderId: string, paper: TicketPaper): Promise<DownloadedFile> {
  return requestFile(ticketsPdfPath(orderId, paper), `tickets-${paper}.pdf`, { staff: true });
}

/** The paper this window printed on last, `stock` the first time. */
export function preferredPaper(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): TicketPaper {
  const saved = storage?.getItem(STORAGE_KEY);
  return PAPERS.some((p) => p.paper === saved) ? (saved as TicketPaper) : 'stock';
}

export function rememberPaper(paper: TicketPaper, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(STORAGE_KEY, paper);
  } catch {
    // Private windows may refuse storage: the choice is only a convenience.
  }
}

/**
 * Opens the PDF in a new tab, where the browser's viewer prints it; if the browser blocks the
 * tab, the file is saved instead.
 */
export function openPdf(file: DownloadedFile, win: Pick<Window, 'open'> = window, save: (file: DownloadedFile) => void): void {
  const url = URL.createObjectURL(file.blob);
  const tab = win.open(url, '_blank');
  if (!tab) {
    URL.revokeObjectURL(url);
    save(file);
    return;
  }
  // The tab has loaded it long before this: release the memory.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
