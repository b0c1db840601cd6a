import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import {
  addProblem,
  anyInProgress,
  nameInZone,
  nextCheckWords,
  normaliseHostname,
  orderedRecords,
  recordPurpose,
  relativeTime,
  rowProblem,
  shortDateTime,
  showsRecords,
  siteUrl,
  statusText,
  zoneLine,
  type Domain,
  type DnsRecord,
} from './domains';

const TXT: DnsRecord = { type: 'TXT', name: '_marquee.tickets.myvenue.org', value: 'marquee-verification=abc123', purpose: 'proves that the venue controls the hostname' };
const CNAME: DnsRecord = { type: 'CNAME', name: 'tickets.myvenue.org', value: 'd111.cloudfront.net', purpose: "sends the hostname's visitors to the venue's site" };

function domain(status: Domain['status'], more: Partial<Domain> = {}): Domain {
  return { hostname: 'tickets.myvenue.org', status, cnameTarget: 'd111.cloudfront.net', records: [CNAME, TXT], ...more };
}

describe('status in words', () => {
  it('names each state', () => {
    expect(statusText('pending_dns').label).toBe('Waiting for DNS records');
    expect(statusText('issuing_certificate').label).toBe('Issuing certificate');
    expect(statusText('active')).toMatchObject({ label: 'Active', tone: 'success' });
    expect(statusText('failed')).toMatchObject({ label: 'Failed', tone: 'error' });
    expect(statusText('failed').summary).toMatch(/Check now/);
  });

  it('keeps watching while a domain is on its way', () => {
    expect(anyInProgress(null)).toBe(false);
    expect(anyInProgress([])).toBe(false);
    expect(anyInProgress([domain('active'), domain('failed')])).toBe(false);
    expect(anyInProgress([domain('active'), domain('pending_dns')])).toBe(true);
    expect(anyInProgress([domain('issuing_certificate')])).toBe(true);
  });

  it('shows the records while the venue still has something to do', () => {
    expect(showsRecords(domain('pending_dns'))).toBe(true);
    expect(showsRecords(domain('failed'))).toBe(true);
    expect(showsRecords(domain('issuing_certificate'))).toBe(false);
    expect(showsRecords(domain('active'))).toBe(false);
  });

  it('links to the site over https', () => {
    expect(siteUrl('tickets.myvenue.org')).toBe('https://tickets.myvenue.org/');
  });
});

describe('records', () => {
  it('puts the TXT proof first', () => {
    expect(orderedRecords([CNAME, TXT]).map((r) => r.type)).toEqual(['TXT', 'CNAME']);
  });

  it('says what each record does', () => {
    expect(recordPurpose(TXT, 'tickets.myvenue.org')).toBe('Proves that the address is yours.');
    expect(recordPurpose(CNAME, 'tickets.myvenue.org')).toBe('Sends its visitors to your site.');
    expect(recordPurpose({ ...TXT, type: 'A', purpose: 'points somewhere' }, 'x.org')).toBe('Points somewhere.');
  });

  it('writes zone-file lines', () => {
    expect(zoneLine(TXT)).toBe('_marquee.tickets.myvenue.org. TXT "marquee-verification=abc123"');
    expect(zoneLine(CNAME)).toBe('tickets.myvenue.org. CNAME d111.cloudfront.net.');
    expect(zoneLine({ ...TXT, value: 'a "b" \\c' })).toBe('_marquee.tickets.myvenue.org. TXT "a \\"b\\" \\\\c"');
  });

  it('gives the name relative to the zone, for providers that add the domain', () => {
    expect(nameInZone(TXT.name, 'tickets.myvenue.org')).toEqual({ relative: '_marquee.tickets', zone: 'myvenue.org' });
    expect(nameInZone('_marquee.myvenue.org', 'myvenue.org')).toBeNull();
    expect(nameInZone('_marquee.tickets.myvenue.co.uk', 'tickets.myvenue.co.uk')).toEqual({ relative: '_marquee.tickets', zone: 'myvenue.co.uk' });
    expect(nameInZone('_marquee.myvenue.co.uk', 'myvenue.co.uk')).toBeNull();
  });

  it('tidies what the venue typed', () => {
    expect(normaliseHostname('  https://Tickets.MyVenue.org/shows?x=1 ')).toBe('tickets.myvenue.org');
    expect(normaliseHostname('tickets.myvenue.org.')).toBe('tickets.myvenue.org');
    expect(normaliseHostname('   ')).toBe('');
  });
});

describe('times', () => {
  const now = new Date('2026-12-06T21:00:00Z');
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

  it('says how long ago and how soon', () => {
    expect(relativeTime(at(-3), now)).toBe('just now');
    expect(relativeTime(at(4), now)).toBe('in a few seconds');
    expect(relativeTime(at(-42), now)).toBe('42 seconds ago');
    expect(relativeTime(at(120), now)).toBe('in 2 minutes');
    expect(relativeTime(at(150), now)).toBe('in 2 minutes');
    expect(relativeTime(at(-61), now)).toBe('1 minute ago');
    expect(relativeTime(at(-3 * 3600 - 5), now)).toBe('3 hours ago');
    expect(relativeTime(at(2 * 86_400), now)).toBe('in 2 days');
    expect(relativeTime('not a time', now)).toBe('');
  });

  it('says a due check comes any moment now', () => {
    expect(nextCheckWords(at(-30), now)).toBe('any moment now');
    expect(nextCheckWords(at(5), now)).toBe('any moment now');
    expect(nextCheckWords(at(3600), now)).toBe('in 1 hour');
  });

  it('shows the exact time in the venue zone', () => {
    expect(shortDateTime('2026-12-06T21:00:00Z', 'America/New_York', 'en-US')).toBe('Dec 6, 2026, 4:00 PM');
    expect(shortDateTime('2026-12-06T21:00:00Z', 'Not/AZone', 'en-US')).toBe('Dec 6, 2026, 9:00 PM UTC');
  });
});

describe('refusals', () => {
  it('explains a hostname another venue proved', () => {
    const taken = new ApiError(409, 'hostname_taken', 'Another venue has proven this hostname');
    expect(addProblem(taken, 'tickets.myvenue.org').form).toMatch(/Another venue has already proven that it controls tickets.myvenue.org/);
  });

  it('puts an invalid hostname next to the field', () => {
    const invalid = new ApiError(422, 'invalid_field', 'hostname: not a valid hostname', { field: 'hostname' });
    expect(addProblem(invalid, 'x')).toEqual({ field: 'not a valid hostname' });
  });

  it('says when DNS or the edge did not answer', () => {
    const down = new ApiError(502, 'upstream_unavailable', 'DNS or the edge did not answer');
    expect(rowProblem(down, 'tickets.myvenue.org')).toMatch(/did not answer just now/);
    expect(addProblem(down, 'x').form).toMatch(/did not answer just now/);
    expect(rowProblem(new ApiError(404, 'not_found', 'Domain not found'), 'tickets.myvenue.org')).toBe('tickets.myvenue.org is no longer one of your domains.');
    expect(rowProblem(new Error('x'), 'h')).toBe('Something went wrong; please try again.');
  });
});
