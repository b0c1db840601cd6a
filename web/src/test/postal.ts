// The address rules as the API gives them (`GET /api/v1/site` `mail.countries`, the venue view's
// `postalCountries`), read from the server's own data file so the tests follow it.
import data from '../../../shared/domain/data/addresses.json';
import type { AddressFormat } from '../lib/postal';

const countries = data.countries as Record<string, Omit<AddressFormat, 'code'>>;

/** Every country in the data file, with its code filled in as the server does. */
export const FORMATS: AddressFormat[] = Object.entries(countries).map(([code, format]) => ({ ...format, code }));

export function addressFormat(code: string): AddressFormat {
  const format = FORMATS.find((f) => f.code === code);
  if (!format) throw new Error(`no address format for ${code}`);
  return format;
}

/** The site's mail offer of a venue posting to the US and the UK for $4.50, closing 7 days before. */
export const MAIL_OFFER = { fee: 450, cutoffDays: 7, countries: [addressFormat('US'), addressFormat('GB')] };
