// IANA timezone names for the venue settings select.

const FALLBACK = ['UTC', 'Europe/London', 'Europe/Paris', 'America/New_York', 'America/Chicago',
  'America/Denver', 'America/Los_Angeles', 'Australia/Sydney', 'Asia/Tokyo'];

function supported(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: 'timeZone') => string[] };
  try {
    return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : FALLBACK;
  } catch {
    return FALLBACK;
  }
}

/**
 * The browser's IANA zones, sorted, always including UTC and the venue's current zone (which
 * may be an alias the browser does not list, e.g. `US/Eastern`).
 */
export function timezoneOptions(current?: string): string[] {
  const zones = new Set(supported());
  zones.add('UTC');
  if (current) zones.add(current);
  return [...zones].sort((a, b) => a.localeCompare(b));
}
