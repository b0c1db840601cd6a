// A small History API router: the current path and query as reactive state, and
// `navigate()` for in-app links. The devserver (and CloudFront in AWS) answers every
// non-API path with index.html, so any of these URLs can also be loaded directly.

function read() {
  return { path: window.location.pathname, search: window.location.search };
}

export const route = $state(read());

function sync(): void {
  const next = read();
  route.path = next.path;
  route.search = next.search;
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', sync);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) {
    window.history.replaceState(null, '', to);
  } else {
    window.history.pushState(null, '', to);
  }
  sync();
  window.scrollTo?.(0, 0);
}

export function queryParam(name: string): string {
  return new URLSearchParams(route.search).get(name) ?? '';
}

/** Whether a click should be left to the browser (new tab, download, other origin...). */
export function isPlainClick(event: MouseEvent): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey && !event.defaultPrevented;
}
