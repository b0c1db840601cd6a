// Wall-clock times in the venue's timezone ⇄ UTC instants, with the browser's Intl data (no
// library). Staff type "2026-12-01T19:30" meaning 7:30 pm at the venue, whatever the zone of
// the computer they type it on.

const parts = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = parts.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    parts.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in milliseconds (New York in winter: -5 h). */
function offsetAt(utcMs: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') fields[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(fields['year']!, fields['month']! - 1, fields['day']!, fields['hour']!, fields['minute']!, fields['second']!);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * "2026-12-01T19:30" in `timeZone` → "2026-12-02T00:30:00Z". Null for a malformed value.
 * A time skipped by a DST change moves forward (2:30 on spring-forward day → 3:30); a time
 * that happens twice takes the first.
 */
export function zonedToUtc(local: string, timeZone: string): string | null {
  const m = LOCAL.exec(local.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  if (Number.isNaN(wall)) return null;
  // Two passes settle the offset, also next to a DST change.
  let guess = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(guess, timeZone);
  if (second !== guess) {
    const third = wall - offsetAt(second, timeZone);
    guess = third === second ? second : Math.max(guess, second);
  }
  return new Date(guess).toISOString().replace('.000Z', 'Z');
}

/** An instant → "2026-12-01T19:30" in `timeZone`, for a datetime-local input. */
export function utcToZonedInput(utc: string, timeZone: string): string {
  const ms = Date.parse(utc);
  if (Number.isNaN(ms)) return '';
  const local = new Date(ms + offsetAt(ms, timeZone));
  return local.toISOString().slice(0, 16);
}
