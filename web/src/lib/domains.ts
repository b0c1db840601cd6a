// Custom domains (owner): the calls, a domain's state in words, the DNS records the venue
// creates (a TXT proving it controls the hostname, the CNAME sending visitors to the edge),
// relative times ("in 2 minutes") and the wording of every refusal. The server does the
// checking; the page only shows what it answers and asks it to check again.
import { ApiError, request, type AdminSchemas as S } from './api';

export type Domain = S['DomainView'];
export type DomainStatus = S['DomainStatus'];
export type DnsRecord = S['DnsRecordView'];

const BASE = '/admin/v1/domains';

function path(hostname: string): string {
  return `${BASE}/${encodeURIComponent(hostname)}`;
}

export async function listDomains(): Promise<Domain[]> {
  const body = await request<S['DomainList']>('GET', BASE, { staff: true });
  return body.domains;
}

export function addDomain(hostname: string): Promise<Domain> {
  return request<Domain>('POST', BASE, { body: { hostname }, staff: true });
}

/** Checks the records now; a failed domain starts over. */
export function verifyDomain(hostname: string): Promise<Domain> {
  return request<Domain>('POST', `${path(hostname)}/verify`, { staff: true });
}

export async function removeDomain(hostname: string): Promise<void> {
  await request<void>('DELETE', path(hostname), { staff: true });
}

/** What the venue types: trimmed, lower case, without a scheme, path or trailing dot. */
export function normaliseHostname(input: string): string {
  let h = input.trim().toLowerCase();
  h = h.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  h = h.replace(/[/?#].*$/, '');
  return h.replace(/\.$/, '');
}

// --- the state in words -------------------------------------------------------------------------

export interface StatusText {
  /** Short, for the badge. */
  label: string;
  /** What it means and what happens next. */
  summary: string;
  tone: 'waiting' | 'success' | 'error';
}

export function statusText(status: DomainStatus): StatusText {
  switch (status) {
    case 'pending_dns':
      return {
        label: 'Waiting for DNS records',
        summary: 'Create the two records below at your DNS provider. We check them regularly; changes can take a few minutes to show up.',
        tone: 'waiting',
      };
    case 'issuing_certificate':
      return {
        label: 'Issuing certificate',
        summary: 'Your records are in place. A certificate for secure (https) visits is being issued; this usually takes a few minutes.',
        tone: 'waiting',
      };
    case 'active':
      return { label: 'Active', summary: 'Your site answers on this address, over https.', tone: 'success' };
    case 'failed':
      return {
        label: 'Failed',
        summary: 'We stopped trying. Fix what is described below, then press “Check now” to start again.',
        tone: 'error',
      };
  }
}

/** Whether the server is still working on it (the page re-reads the list meanwhile). */
export function inProgress(status: DomainStatus): boolean {
  return status === 'pending_dns' || status === 'issuing_certificate';
}

export function anyInProgress(domains: readonly Domain[] | null): boolean {
  return (domains ?? []).some((d) => inProgress(d.status));
}

/** Whether the page shows the records to create (the venue still has work to do). */
export function showsRecords(domain: Domain): boolean {
  return domain.status === 'pending_dns' || domain.status === 'failed';
}

/** The venue's site on its own address. */
export function siteUrl(hostname: string): string {
  return `https://${hostname}/`;
}

// --- the records ----------------------------------------------------------------------------------

/** What a record is for, in the venue's words; the server's own wording for any other type. */
export function recordPurpose(record: DnsRecord, hostname: string): string {
  switch (record.type) {
    case 'TXT':
      return `Proves that the address is yours.`;
    case 'CNAME':
      return 'Sends its visitors to your site.';
    default:
      return sentence(record.purpose);
  }
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return '';
  return t[0]!.toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

/** TXT first (it proves ownership), then the CNAME, whatever order they came in. */
export function orderedRecords(records: readonly DnsRecord[]): DnsRecord[] {
  const rank = (r: DnsRecord) => (r.type === 'TXT' ? 0 : r.type === 'CNAME' ? 1 : 2);
  return [...records].sort((a, b) => rank(a) - rank(b));
}

/** One record as a zone-file line (absolute names end with a dot; TXT values are quoted). */
export function zoneLine(record: DnsRecord): string {
  const value = record.type === 'TXT' ? `"${record.value.replace(/(["\\])/g, '\\$1')}"` : absolute(record.value);
  return `${absolute(record.name)} ${record.type} ${value}`;
}

function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

const SECOND_LEVELS = new Set(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu', 'ltd', 'plc']);

/**
 * The record's name relative to the hostname's parent domain, for DNS providers that add the
 * domain themselves: `_marquee.tickets` for `_marquee.tickets.myvenue.org`. A guess (the last two
 * labels as the zone), so the page shows it as an example only; null when it would be empty.
 */
export function nameInZone(name: string, hostname: string): { relative: string; zone: string } | null {
  const labels = hostname.split('.');
  // Country domains with a second level of their own: myvenue.co.uk, myvenue.com.au.
  const size = labels.at(-1)?.length === 2 && SECOND_LEVELS.has(labels.at(-2) ?? '') ? 3 : 2;
  if (labels.length <= size) return null;
  const zone = labels.slice(-size).join('.');
  if (!name.endsWith(`.${zone}`)) return null;
  return { relative: name.slice(0, -(zone.length + 1)), zone };
}

// --- times ---------------------------------------------------------------------------------------

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/**
 * "in 2 minutes", "3 hours ago", "just now", "in a few seconds": an instant relative to `now`,
 * rounded to the largest whole unit (seconds under a minute).
 */
export function relativeTime(instant: string, now: Date, locale = 'en'): string {
  const at = Date.parse(instant);
  if (Number.isNaN(at)) return '';
  const seconds = Math.round((at - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  const size = Math.abs(seconds);
  if (size < 10) return seconds <= 0 ? 'just now' : 'in a few seconds';
  for (const [unit, length] of UNITS) {
    if (size >= length) return format.format(Math.trunc(seconds / length), unit);
  }
  return format.format(seconds, 'second');
}

/** When the next check is: "in 2 minutes", or "any moment now" once it is due. */
export function nextCheckWords(instant: string, now: Date, locale = 'en'): string {
  const at = Date.parse(instant);
  if (Number.isNaN(at)) return '';
  return at - now.getTime() < 10_000 ? 'any moment now' : relativeTime(instant, now, locale);
}

/** The instant in the venue's zone, short: "Dec 6, 2026, 4:44 PM". */
export function shortDateTime(instant: string, timeZone: string, locale?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(date) + ' UTC';
  }
}

// --- refusals --------------------------------------------------------------------------------------

/** Adding a domain went wrong: the field's message (422) or one for the form. */
export function addProblem(error: unknown, hostname: string): { field?: string; form?: string } {
  if (error instanceof ApiError) {
    if (error.code === 'hostname_taken') {
      return { form: `Another venue has already proven that it controls ${hostname}, so it cannot be added here. If it is yours, ask Marquee support.` };
    }
    if (error.status === 422 && error.field === 'hostname') return { field: error.fieldMessage };
    if (error.code === 'upstream_unavailable') return { form: upstreamWords };
    return { form: error.message };
  }
  return { form: 'Something went wrong; please try again.' };
}

const upstreamWords = 'The DNS servers or the certificate service did not answer just now, so nothing was checked. Try again in a minute.';

/** "Check now" or "Remove" on one domain went wrong. */
export function rowProblem(error: unknown, hostname: string): string {
  if (error instanceof ApiError) {
    if (error.code === 'upstream_unavailable') return upstreamWords;
    if (error.code === 'hostname_taken') return `Another venue has already proven that it controls ${hostname}.`;
    if (error.status === 404) return `${hostname} is no longer one of your domains.`;
    return error.message;
  }
  return 'Something went wrong; please try again.';
}
