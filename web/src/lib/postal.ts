// Mailed tickets (API.md "Public": `GET /api/v1/site` `mail`; shared/domain/src/postal.rs): the
// address form each country's rules drive (which fields are required, their labels, the
// postcode's pattern), the checks the form can make before sending (the server still decides,
// and names the field it refuses as `address.<field>`), the address as written on an envelope,
// and where a letter is, in words.
import type { PublicSchemas as S } from './api';

/** One country's address rules (from shared/domain/data/addresses.json). */
export type AddressFormat = S['AddressFormat'];
/** What the site tells patrons about tickets by post; `null` on the site: the venue does not post. */
export type MailOffer = S['MailOffer'];
/** An address that passed its country's rules, as the server keeps it. */
export type PostalAddress = S['PostalAddress'];
/** An address as sent (every field optional on the wire; the server names what is missing). */
export type AddressInput = S['AddressInput'];
export type MailStatus = S['MailStatus'];

/** Limits of the print-and-mail provider's address block (postal.rs `MAX_*`). */
export const MAX_NAME = 40;
export const MAX_LINE = 64;
export const MAX_PLACE = 60;

export const ADDRESS_FIELDS = ['name', 'line1', 'line2', 'city', 'region', 'postalCode', 'country'] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];

/** The address form's values, as typed. */
export interface AddressForm {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2, one of the offered countries. */
  country: string;
}

export function emptyAddress(country = '', name = ''): AddressForm {
  return { name, line1: '', line2: '', city: '', region: '', postalCode: '', country };
}

/** The form's values of a kept address (to edit it). */
export function addressForm(address: PostalAddress | null | undefined): AddressForm {
  if (!address) return emptyAddress();
  return {
    name: address.name,
    line1: address.line1,
    line2: address.line2 ?? '',
    city: address.city,
    region: address.region ?? '',
    postalCode: address.postalCode,
    country: address.country,
  };
}

export function findFormat(formats: readonly AddressFormat[], country: string): AddressFormat | undefined {
  const code = country.trim().toUpperCase();
  return formats.find((f) => f.code === code);
}

/**
 * Whether the country's form asks for `field`. The name, the first street line and the postcode
 * always (a letter's address block needs a postcode in every country Marquee posts to), the
 * others where the country requires them.
 */
export function isRequired(format: AddressFormat | undefined, field: AddressField): boolean {
  switch (field) {
    case 'name':
    case 'line1':
    case 'postalCode':
    case 'country':
      return true;
    case 'line2':
      return false;
    default:
      return !!format?.required.includes(field);
  }
}

/** The field's label in this country's words ("ZIP code", "Postcode", "State", "County"). */
export function fieldLabel(format: AddressFormat | undefined, field: AddressField): string {
  switch (field) {
    case 'name':
      return 'Name on the envelope';
    case 'line1':
      return 'Street address';
    case 'line2':
      return 'Apartment, suite, building (optional)';
    case 'city':
      return format?.cityLabel ?? 'City';
    case 'region':
      return format?.regionLabel ?? 'Region';
    case 'postalCode':
      return format?.postalCodeLabel ?? 'Postcode';
    case 'country':
      return 'Country';
  }
}

/** The form's id of an address field, e.g. `address-postalCode` (prefix `return` → `return-postalCode`). */
export function fieldId(field: AddressField, prefix = 'address'): string {
  return `${prefix}-${field}`;
}

function upper(format: AddressFormat, field: AddressField, value: string): string {
  return format.upper.includes(field) ? value.toUpperCase() : value;
}

/** The postcode as the server checks it: trimmed, in capitals where the country writes it so. */
export function normalPostalCode(format: AddressFormat, value: string): string {
  return upper(format, 'postalCode', value.trim());
}

const patterns = new Map<string, RegExp | null>();

/**
 * Whether `value` is a postcode of the country (the whole of it must match the pattern, after
 * capitals where the country uses them). A pattern this browser cannot compile passes: the
 * server checks it anyway.
 */
export function postalCodeMatches(format: AddressFormat, value: string): boolean {
  let pattern = patterns.get(format.postalCodePattern);
  if (pattern === undefined) {
    try {
      pattern = new RegExp(`^(?:${format.postalCodePattern})$`);
    } catch {
      pattern = null;
    }
    patterns.set(format.postalCodePattern, pattern);
  }
  return pattern === null || pattern.test(normalPostalCode(format, value));
}

/** A region the country lists, as listed ("ca" → "CA", "co. cork" → "Co. Cork"); undefined when not listed. */
export function listedRegion(format: AddressFormat, value: string): string | undefined {
  const wanted = value.trim().toLowerCase();
  return (format.regions ?? []).find((r) => r.toLowerCase() === wanted);
}

/** A label inside a sentence: "Post town" → "post town", "ZIP code" keeps its capitals. */
export function inSentence(label: string): string {
  return label
    .split(' ')
    .map((word) => (word.length > 1 && word === word.toUpperCase() && /[A-Z]/.test(word) ? word : word.toLowerCase()))
    .join(' ');
}

/**
 * What the form can tell before sending, keyed like the server's fields (`address.postalCode`),
 * so its refusals and these go in the same place. `countries`: the ones the venue posts to.
 */
export function addressErrors(form: AddressForm, countries: readonly AddressFormat[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const format = findFormat(countries, form.country);
  if (!format) {
    errors['address.country'] = 'Choose the country the tickets go to.';
    return errors;
  }
  const value = (field: AddressField) => form[field].trim();
  const tooLong = (field: AddressField, max: number) => {
    if (value(field).length > max) errors[`address.${field}`] = `Use at most ${max} characters.`;
  };
  if (!value('name')) errors['address.name'] = 'Enter the name of the person the tickets are for.';
  else tooLong('name', MAX_NAME);
  if (!value('line1')) errors['address.line1'] = 'Enter the street address.';
  else tooLong('line1', MAX_LINE);
  tooLong('line2', MAX_LINE);
  if (!value('city')) {
    if (isRequired(format, 'city')) errors['address.city'] = `Enter the ${inSentence(format.cityLabel)}.`;
  } else tooLong('city', MAX_PLACE);
  if (!value('region')) {
    if (isRequired(format, 'region')) errors['address.region'] = `Choose the ${inSentence(format.regionLabel)}.`;
  } else if ((format.regions ?? []).length > 0 && !listedRegion(format, value('region'))) {
    errors['address.region'] = `Choose a ${inSentence(format.regionLabel)} of ${format.name}.`;
  } else tooLong('region', MAX_PLACE);
  if (!value('postalCode')) {
    errors['address.postalCode'] = `Enter the ${inSentence(format.postalCodeLabel)}.`;
  } else if (!postalCodeMatches(format, value('postalCode'))) {
    errors['address.postalCode'] = `Enter a valid ${inSentence(format.postalCodeLabel)}, like ${format.postalCodeExample}.`;
  }
  return errors;
}

/** The address as sent: trimmed, empty optional fields left out. */
export function addressBody(form: AddressForm): AddressInput {
  const body: AddressInput = {
    name: form.name.trim(),
    line1: form.line1.trim(),
    country: form.country.trim().toUpperCase(),
  };
  for (const field of ['line2', 'city', 'region', 'postalCode'] as const) {
    const value = form[field].trim();
    if (value) body[field] = value;
  }
  return body;
}

/**
 * The address block as written on the envelope (postal.rs `PostalAddress::lines`): "City STATE
 * ZIP" in North America and Australia, the post town then the postcode on its own line in
 * Britain and Ireland, "Postcode City" in most of Europe; the country's name last, in capitals.
 */
export function addressLines(address: PostalAddress, countryName?: string): string[] {
  const lines = [address.name, address.line1];
  if (address.line2) lines.push(address.line2);
  const region = address.region ?? '';
  switch (address.country) {
    case 'US':
    case 'CA':
    case 'AU':
      lines.push([address.city, region, address.postalCode].filter(Boolean).join(' '));
      break;
    case 'GB':
    case 'IE':
      if (address.city) lines.push(address.city);
      if (region) lines.push(region);
      lines.push(address.postalCode);
      break;
    case 'NZ':
      lines.push([address.city, address.postalCode].filter(Boolean).join(' '));
      break;
    default:
      lines.push([address.postalCode, address.city, region].filter(Boolean).join(' '));
  }
  lines.push((countryName ?? countryNameOf(address.country)).toUpperCase());
  return lines;
}

/** A country's English name from its code ("GB" → "United Kingdom"); the code if unknown. */
export function countryNameOf(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Where the letter is, in a few words (staff and patrons). */
export function mailStatusLabel(status: MailStatus | string): string {
  switch (status) {
    case 'pending':
      return 'Waiting to be posted';
    case 'submitted':
      return 'Being printed for posting';
    case 'mailed':
      return 'In the post';
    case 'in_transit':
      return 'In the post, on its way';
    case 'processed_for_delivery':
      return 'At your local post office, out for delivery soon';
    case 'returned':
      return 'Returned undelivered';
    default:
      return status;
  }
}

/** Where the patron's tickets are, as a sentence for the order page. */
export function mailStatusSentence(status: MailStatus | string | null | undefined): string {
  switch (status) {
    case 'submitted':
      return 'Your tickets are being printed and will be posted shortly.';
    case 'mailed':
      return 'Your tickets are in the post.';
    case 'in_transit':
      return 'Your tickets are in the post, on their way to you.';
    case 'processed_for_delivery':
      return 'Your tickets have reached your local post office and should be delivered soon.';
    case 'returned':
      return 'Your tickets came back to the box office undelivered. Please contact the box office.';
    case 'pending':
    default:
      return 'Your tickets will be printed and posted to you.';
  }
}

/**
 * When posting closes for tickets to performances starting at `startsAt` (UTC instants):
 * `cutoffDays` whole days before the earliest one (MailSettings::closes_at). Null without any.
 */
export function mailClosesAt(startsAt: readonly string[], cutoffDays: number): Date | null {
  const times = startsAt.map((s) => Date.parse(s)).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return null;
  return new Date(Math.min(...times) - cutoffDays * 86_400_000);
}

/** "Posting closes 7 days before the performance." */
export function cutoffInWords(cutoffDays: number): string {
  if (cutoffDays === 0) return 'Tickets can be posted until the day of the performance.';
  return `Posting closes ${cutoffDays} ${cutoffDays === 1 ? 'day' : 'days'} before the performance.`;
}
