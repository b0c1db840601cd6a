import { describe, expect, it } from 'vitest';
import { ApiError } from '../lib/api';
import { VENUE } from '../test/fetch';
import { FORMATS } from '../test/postal';
import { feeText, formFromSettings, mailFormErrors, mailRefusal, mailUpdate, settingsUpdate } from './venueForm';

const RETURN = { name: 'Box Office', line1: '1 Theatre Row', city: 'NEW YORK', region: 'NY', postalCode: '10036', country: 'US' };
const POSTING = { ...VENUE.settings, mail: { enabled: true, fee: 450, cutoffDays: 7, countries: ['US', 'GB'], fulfilment: 'in_house' as const, returnAddress: RETURN } };

describe('the tickets by post settings form', () => {
  it('shows the fee in major units of the currency', () => {
    const form = formFromSettings(POSTING);
    expect(form.mail).toMatchObject({ enabled: true, fee: '4.50', cutoffDays: 7, countries: ['US', 'GB'], fulfilment: 'in_house' });
    expect(form.mail.returnAddress).toEqual({ ...RETURN, line2: '' });
    expect(feeText(0, 'USD')).toBe('0.00');
    expect(feeText(500, 'JPY')).toBe('500');
  });

  it('sends nothing about the post when nothing changed, and only what changed otherwise', () => {
    const form = formFromSettings(POSTING);
    expect(settingsUpdate(POSTING, form)).toEqual({});
    form.mail.fee = '$5';
    form.mail.countries = ['US', 'GB', 'CA'];
    expect(settingsUpdate(POSTING, form)).toEqual({ mail: { fee: 500, countries: ['US', 'GB', 'CA'] } });
  });

  it('turns tickets by post on, in house, for a fee, to the US and the UK', () => {
    const form = formFromSettings(VENUE.settings);
    expect(form.mail.returnAddress.country).toBe('');
    form.mail.enabled = true;
    form.mail.fee = '4.50';
    form.mail.cutoffDays = 5;
    form.mail.countries = ['US', 'GB'];
    expect(mailFormErrors(form, FORMATS)).toEqual({});
    expect(mailUpdate(VENUE.settings, form)).toEqual({ enabled: true, fee: 450, cutoffDays: 5, countries: ['US', 'GB'] });
  });

  it('sends a changed return address, trimmed, without its empty fields', () => {
    const form = formFromSettings(POSTING);
    form.mail.returnAddress.line1 = ' 2 Theatre Row ';
    expect(mailUpdate(POSTING, form)).toEqual({ returnAddress: { ...RETURN, line1: '2 Theatre Row' } });
  });

  it('reads fees in the currency’s own decimals', () => {
    const form = formFromSettings({ ...VENUE.settings, currency: 'JPY' });
    form.mail.fee = '300';
    expect(mailUpdate({ ...VENUE.settings, currency: 'JPY' }, form)).toEqual({ fee: 300 });
    form.mail.fee = '3.5';
    expect(mailFormErrors(form, FORMATS)['mail.fee']).toBe('Enter the postage as an amount, like 450 (0 for free).');
  });

  it('checks what it can before sending, keyed like the API’s fields', () => {
    const form = formFromSettings(VENUE.settings);
    form.mail.enabled = true;
    form.mail.fee = 'four fifty';
    form.mail.cutoffDays = 91;
    form.mail.fulfilment = 'provider';
    expect(mailFormErrors(form, FORMATS)).toEqual({
      'mail.fee': 'Enter the postage as an amount, like 4.50 (0 for free).',
      'mail.cutoffDays': 'Between 0 and 90 days.',
      'mail.countries': 'Choose at least one country to post tickets to.',
      'mail.returnAddress': 'The print-and-mail provider needs the address undeliverable letters go back to.',
    });
    form.mail.returnAddress = { ...RETURN, line2: '', postalCode: '1003' };
    expect(mailFormErrors(form, FORMATS)['mail.returnAddress.postalCode']).toBe('Enter a valid ZIP code, like 95014.');
  });

  it("puts the server's refusals beside their field, a return address's beside its own field", () => {
    const refused = (field: string, message: string) => mailRefusal(new ApiError(422, 'invalid_field', `${field}: ${message}`, { field }));
    expect(refused('mail.returnAddress', "postalCode: '1' is not a zip code of United States (like 95014)")).toEqual({
      field: 'mail.returnAddress.postalCode',
      message: "'1' is not a zip code of United States (like 95014).",
    });
    expect(refused('mail.returnAddress', 'the print-and-mail provider needs the venue\'s return address')).toEqual({
      field: 'mail.returnAddress',
      message: "The print-and-mail provider needs the venue's return address.",
    });
    expect(refused('mail.countries', "'XX' is not a country tickets can be posted to")?.field).toBe('mail.countries');
    expect(refused('mail.fee', '0 to 99999999 minor units')?.message).toBe('Enter an amount of 0 or more, up to the largest a payment can take.');
    expect(mailRefusal(new ApiError(422, 'invalid_field', 'name: too long', { field: 'name' }))).toBeNull();
  });
});
