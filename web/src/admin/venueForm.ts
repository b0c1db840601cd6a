// The venue settings form: its values, and the partial update it sends (changed fields only,
// so two people editing different settings do not undo each other's work). Tickets by post
// (`mail`): the fee typed in major units, the cutoff, the countries, who posts them and the
// return address, checked before sending where the form can tell.
import { ApiError, type AdminSchemas, type VenueSettings, type VenueSettingsUpdate } from '../lib/api';
import { parseCash } from '../lib/boxOffice';
import { currencyDigits } from '../lib/format';
import { sentence } from '../lib/promos';
import { addressBody, addressErrors, addressForm, ADDRESS_FIELDS, type AddressForm, type AddressFormat } from '../lib/postal';

export type Fulfilment = AdminSchemas['Fulfilment'];
export type MailSettingsUpdate = AdminSchemas['MailSettingsUpdate'];

/** The currencies the server accepts (shared/domain/src/venue.rs); it stays the authority. */
export const CURRENCIES = [
  'USD', 'EUR', 'GBP', 'CAD', 'AUD', 'NZD', 'CHF', 'SEK', 'NOK', 'DKK',
  'PLN', 'CZK', 'MXN', 'BRL', 'SGD', 'HKD', 'ZAR', 'JPY', 'KRW',
] as const;

export const VENUE_FIELDS = [
  'name', 'timezone', 'currency', 'holdSeconds', 'maxTicketsPerOrder',
  'emailSender', 'primaryColour', 'accentColour', 'logoUrl',
  'reserveHours', 'paymentLinkHours', 'motoEnabled',
] as const;

export interface VenueForm {
  name: string;
  timezone: string;
  currency: string;
  holdSeconds: number | null;
  maxTicketsPerOrder: number | null;
  emailSender: string;
  primaryColour: string;
  accentColour: string;
  logoUrl: string;
  /** The longest a box office reservation stays unpaid (hours). */
  reserveHours: number | null;
  /** How long an emailed payment link keeps the seats (hours). */
  paymentLinkHours: number | null;
  /** Staff may key in cards for phone orders (MOTO; Stripe must enable it on the account). */
  motoEnabled: boolean;
  /** Tickets by post. */
  mail: MailForm;
}

export interface MailForm {
  enabled: boolean;
  /** The postage charged, in major units as typed ("4.50"). */
  fee: string;
  /** Posting closes this many days before the performance (0 to 90). */
  cutoffDays: number | null;
  /** ISO 3166-1 alpha-2 codes. */
  countries: string[];
  fulfilment: Fulfilment;
  /** The venue's own address, for letters that cannot be delivered. */
  returnAddress: AddressForm;
}

/** The API's names of the mail settings' fields, and the return address's own ones. */
export const MAIL_FIELDS = [
  'mail.enabled', 'mail.fee', 'mail.cutoffDays', 'mail.countries', 'mail.fulfilment', 'mail.returnAddress',
  ...ADDRESS_FIELDS.map((f) => `mail.returnAddress.${f}`),
] as const;

/** Minor units → the amount in major units as the form shows it (450 USD → "4.50"). */
export function feeText(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

export function formFromSettings(s: VenueSettings): VenueForm {
  return {
    name: s.name,
    timezone: s.timezone,
    currency: s.currency,
    holdSeconds: s.holdSeconds,
    maxTicketsPerOrder: s.maxTicketsPerOrder,
    emailSender: s.emailSender ?? '',
    primaryColour: s.branding.primaryColour,
    accentColour: s.branding.accentColour,
    logoUrl: s.branding.logoUrl ?? '',
    reserveHours: s.reserveHours,
    paymentLinkHours: s.paymentLinkHours,
    motoEnabled: s.motoEnabled,
    mail: {
      enabled: s.mail.enabled,
      fee: feeText(s.mail.fee, s.currency),
      cutoffDays: s.mail.cutoffDays,
      countries: [...s.mail.countries],
      fulfilment: s.mail.fulfilment,
      returnAddress: addressForm(s.mail.returnAddress),
    },
  };
}

function blankAddress(address: AddressForm): boolean {
  return ADDRESS_FIELDS.every((f) => f === 'country' || !address[f].trim());
}

function sameAddress(a: AddressForm, b: AddressForm): boolean {
  return ADDRESS_FIELDS.every((f) => a[f].trim() === b[f].trim());
}

/**
 * What the mail settings form can tell before sending (the server still decides), keyed like
 * the API's fields. `postalCountries`: every country tickets can be posted to (the venue view's
 * `postalCountries`), against whose rules the return address is checked.
 */
export function mailFormErrors(form: VenueForm, postalCountries: readonly AddressFormat[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const mail = form.mail;
  const fee = parseCash(mail.fee, form.currency);
  if (fee === null) {
    const digits = currencyDigits(form.currency);
    errors['mail.fee'] = `Enter the postage as an amount, like ${digits > 0 ? (4.5).toFixed(digits) : '450'} (0 for free).`;
  } else if (fee > 99_999_999) errors['mail.fee'] = 'That is more than the largest amount a payment can take.';
  const days = mail.cutoffDays;
  if (days === null || !Number.isInteger(days) || days < 0 || days > 90) errors['mail.cutoffDays'] = 'Between 0 and 90 days.';
  if (mail.enabled && mail.countries.length === 0) errors['mail.countries'] = 'Choose at least one country to post tickets to.';
  const blank = blankAddress(mail.returnAddress);
  if (!blank) {
    for (const [field, message] of Object.entries(addressErrors(mail.returnAddress, postalCountries))) {
      errors[`mail.returnAddress.${field.slice('address.'.length)}`] = message;
    }
  } else if (mail.enabled && mail.fulfilment === 'provider') {
    errors['mail.returnAddress'] = 'The print-and-mail provider needs the address undeliverable letters go back to.';
  }
  return errors;
}

/** The mail settings that changed (only those are sent); undefined when none did. */
export function mailUpdate(current: VenueSettings, form: VenueForm): MailSettingsUpdate | undefined {
  const before = formFromSettings(current).mail;
  const mail = form.mail;
  const update: MailSettingsUpdate = {};
  if (mail.enabled !== before.enabled) update.enabled = mail.enabled;
  const fee = parseCash(mail.fee, form.currency);
  if (fee !== null && fee !== current.mail.fee) update.fee = fee;
  if (mail.cutoffDays !== null && mail.cutoffDays !== before.cutoffDays) update.cutoffDays = mail.cutoffDays;
  const countries = [...new Set(mail.countries)];
  if (countries.length !== before.countries.length || countries.some((c, i) => c !== before.countries[i])) update.countries = countries;
  if (mail.fulfilment !== before.fulfilment) update.fulfilment = mail.fulfilment;
  if (!blankAddress(mail.returnAddress) && !sameAddress(mail.returnAddress, before.returnAddress)) {
    update.returnAddress = addressBody(mail.returnAddress);
  }
  return Object.keys(update).length > 0 ? update : undefined;
}

/**
 * Where a refusal of the mail settings goes: a return address refused for one of its fields
 * (`mail.returnAddress` "postalCode: …") beside that field, others beside their own.
 */
export function mailRefusal(error: unknown): { field: string; message: string } | null {
  if (!(error instanceof ApiError) || !error.field?.startsWith('mail.')) return null;
  const message = error.fieldMessage;
  if (error.field === 'mail.returnAddress') {
    const sub = /^(\w+): (.*)$/s.exec(message);
    if (sub && (ADDRESS_FIELDS as readonly string[]).includes(sub[1]!)) {
      return { field: `mail.returnAddress.${sub[1]}`, message: sentence(sub[2]!) };
    }
  }
  if (error.field === 'mail.fee') return { field: error.field, message: 'Enter an amount of 0 or more, up to the largest a payment can take.' };
  return { field: error.field, message: sentence(message) };
}

export function settingsUpdate(current: VenueSettings, form: VenueForm): VenueSettingsUpdate {
  const before = formFromSettings(current);
  const update: VenueSettingsUpdate = {};
  const text = (key: 'name' | 'timezone' | 'currency' | 'emailSender' | 'primaryColour' | 'accentColour' | 'logoUrl') => {
    const value = form[key].trim();
    if (value !== before[key]) update[key] = value;
  };
  text('name');
  text('timezone');
  text('currency');
  text('emailSender');
  text('primaryColour');
  text('accentColour');
  text('logoUrl');
  for (const key of ['holdSeconds', 'maxTicketsPerOrder', 'reserveHours', 'paymentLinkHours'] as const) {
    const value = form[key];
    if (value !== null && value !== before[key]) update[key] = value;
  }
  if (form.motoEnabled !== before.motoEnabled) update.motoEnabled = form.motoEnabled;
  const mail = mailUpdate(current, form);
  if (mail) update.mail = mail;
  return update;
}
