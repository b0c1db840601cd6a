// The venue settings form: its values, and the partial update it sends (changed fields only,
// so two people editing different settings do not undo each other's work).
import type { VenueSettings, VenueSettingsUpdate } from '../lib/api';

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
  };
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
  return update;
}
