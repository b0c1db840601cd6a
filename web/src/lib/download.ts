// Saving a file the page fetched itself (one that needs the staff token, which a plain link
// cannot send): an object URL on a temporary <a download>, released once the browser has it.
import type { DownloadedFile } from './api';

export function saveFile({ blob, filename }: DownloadedFile, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  doc.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // The click starts the download asynchronously: keep the URL alive a moment longer.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
