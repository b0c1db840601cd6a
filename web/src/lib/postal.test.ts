import { describe, expect, it } from 'vitest';
import { addressFormat, FORMATS } from '../test/postal';
import {
  addressBody,
  addressErrors,
  addressLines,
  cutoffInWords,
  emptyAddress,
  fieldLabel,
  isRequired,
  listedRegion,
  mailClosesAt,
  mailStatusLabel,
  mailStatusSentence,
  postalCodeMatches,
  type AddressForm,
} from './postal';

const US = addressFormat('US');
const GB = addressFormat('GB');
const CA = addressFormat('CA');
const DE = addressFormat('DE');

function us(overrides: Partial<AddressForm> = {}): AddressForm {
  return { name: 'Ada Lovelace', line1: '1 Infinite Loop', line2: '', city: 'Cupertino', region: 'CA', postalCode: '95014', country: 'US', ...overrides };
}

describe('the address form per country', () => {
  it('marks the fields each country requires (a postcode everywhere)', () => {
    expect(isRequired(US, 'region')).toBe(true);
    expect(isRequired(US, 'city')).toBe(true);
    expect(isRequired(GB, 'region')).toBe(false);
    expect(isRequired(GB, 'city')).toBe(true);
    expect(isRequired(DE, 'region')).toBe(false);
    for (const format of FORMATS) {
      expect(isRequired(format, 'name')).toBe(true);
      expect(isRequired(format, 'line1')).toBe(true);
      expect(isRequired(format, 'postalCode')).toBe(true);
      expect(isRequired(format, 'line2')).toBe(false);
    }
  });

  it("labels the fields in the country's words", () => {
    expect([fieldLabel(US, 'city'), fieldLabel(US, 'region'), fieldLabel(US, 'postalCode')]).toEqual(['City', 'State', 'ZIP code']);
    expect([fieldLabel(GB, 'city'), fieldLabel(GB, 'region'), fieldLabel(GB, 'postalCode')]).toEqual(['Post town', 'County', 'Postcode']);
    expect(fieldLabel(CA, 'region')).toBe('Province');
  });

  it("compiles every country's postcode pattern in the browser and accepts its example", () => {
    for (const format of FORMATS) {
      expect(postalCodeMatches(format, format.postalCodeExample), `${format.code} ${format.postalCodeExample}`).toBe(true);
      expect(postalCodeMatches(format, 'not a postcode'), format.code).toBe(false);
    }
  });

  it('checks the whole postcode, in capitals where the country writes them', () => {
    expect(postalCodeMatches(US, '95014')).toBe(true);
    expect(postalCodeMatches(US, '95014-2083')).toBe(true);
    expect(postalCodeMatches(US, '9501')).toBe(false);
    expect(postalCodeMatches(US, '950144')).toBe(false);
    expect(postalCodeMatches(GB, 'ec1y 8sy')).toBe(true);
    expect(postalCodeMatches(GB, ' SW1A 1AA ')).toBe(true);
    expect(postalCodeMatches(GB, '12345')).toBe(false);
    expect(postalCodeMatches(CA, 'h3z 2y7')).toBe(true);
    expect(postalCodeMatches(CA, 'D3Z 2Y7')).toBe(false);
  });

  it('finds a listed region whatever its case', () => {
    expect(listedRegion(US, 'ny')).toBe('NY');
    expect(listedRegion(US, 'New York')).toBeUndefined();
  });
});

describe('address errors before sending', () => {
  it('passes a good address', () => {
    expect(addressErrors(us(), [US, GB])).toEqual({});
    expect(addressErrors(us({ postalCode: '95014-2083' }), [US])).toEqual({});
    expect(addressErrors({ ...emptyAddress('GB', 'Ada Lovelace'), line1: '10 Downing St', city: 'London', postalCode: 'sw1a 2aa' }, [US, GB])).toEqual({});
  });

  it('names a bad US ZIP code like the server does (address.postalCode), with an example', () => {
    expect(addressErrors(us({ postalCode: '9501' }), [US])).toEqual({
      'address.postalCode': 'Enter a valid ZIP code, like 95014.',
    });
  });

  it("asks for each field the country requires, in the country's words", () => {
    const errors = addressErrors({ ...emptyAddress('US'), name: ' ' }, [US]);
    expect(errors).toEqual({
      'address.name': 'Enter the name of the person the tickets are for.',
      'address.line1': 'Enter the street address.',
      'address.city': 'Enter the city.',
      'address.region': 'Choose the state.',
      'address.postalCode': 'Enter the ZIP code.',
    });
    // Britain needs no county; its town is the "post town".
    expect(Object.keys(addressErrors({ ...emptyAddress('GB'), name: 'A', line1: 'B' }, [GB]))).toEqual(['address.city', 'address.postalCode']);
    expect(addressErrors({ ...emptyAddress('GB'), name: 'A', line1: 'B' }, [GB])['address.city']).toBe('Enter the post town.');
  });

  it('refuses a country the venue does not post to, and regions the country does not list', () => {
    expect(addressErrors(us({ country: 'CA', region: 'QC', postalCode: 'H3Z 2Y7' }), [US, GB])).toEqual({
      'address.country': 'Choose the country the tickets go to.',
    });
    expect(addressErrors(us({ region: 'Cal' }), [US])).toEqual({ 'address.region': 'Choose a state of United States.' });
  });

  it('keeps to the letter provider’s lengths', () => {
    expect(addressErrors(us({ name: 'x'.repeat(41) }), [US])).toEqual({ 'address.name': 'Use at most 40 characters.' });
    expect(addressErrors(us({ line2: 'x'.repeat(65) }), [US])).toEqual({ 'address.line2': 'Use at most 64 characters.' });
  });
});

describe('the address as sent and shown', () => {
  it('sends trimmed fields and leaves empty optional ones out', () => {
    expect(addressBody(us({ name: ' Ada Lovelace ', line2: '  ', region: 'CA', country: 'us' }))).toEqual({
      name: 'Ada Lovelace',
      line1: '1 Infinite Loop',
      city: 'Cupertino',
      region: 'CA',
      postalCode: '95014',
      country: 'US',
    });
  });

  it('writes the address block as on the envelope, the country last in capitals', () => {
    const address = { name: 'Ada Lovelace', line1: '1 Infinite Loop', city: 'CUPERTINO', region: 'CA', postalCode: '95014', country: 'US' };
    expect(addressLines(address)).toEqual(['Ada Lovelace', '1 Infinite Loop', 'CUPERTINO CA 95014', 'UNITED STATES']);
    expect(addressLines({ name: 'Ada', line1: '10 Downing St', line2: 'Flat 2', city: 'LONDON', postalCode: 'SW1A 2AA', country: 'GB' }, 'United Kingdom')).toEqual([
      'Ada', '10 Downing St', 'Flat 2', 'LONDON', 'SW1A 2AA', 'UNITED KINGDOM',
    ]);
    expect(addressLines({ name: 'Ada', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' })).toEqual([
      'Ada', 'Unter den Linden 1', '10117 Berlin', 'GERMANY',
    ]);
  });
});

describe('where the letter is', () => {
  it('says every mail status in words', () => {
    expect(['pending', 'submitted', 'mailed', 'in_transit', 'processed_for_delivery', 'returned'].map(mailStatusLabel)).toEqual([
      'Waiting to be posted',
      'Being printed for posting',
      'In the post',
      'In the post, on its way',
      'At your local post office, out for delivery soon',
      'Returned undelivered',
    ]);
    expect(mailStatusSentence('mailed')).toBe('Your tickets are in the post.');
    expect(mailStatusSentence(null)).toBe('Your tickets will be printed and posted to you.');
  });

  it('closes posting the set number of days before the earliest performance', () => {
    expect(mailClosesAt(['2027-03-10T00:30:00Z', '2027-03-05T00:30:00Z'], 7)?.toISOString()).toBe('2027-02-26T00:30:00.000Z');
    expect(mailClosesAt([], 7)).toBeNull();
    expect(cutoffInWords(7)).toBe('Posting closes 7 days before the performance.');
    expect(cutoffInWords(1)).toBe('Posting closes 1 day before the performance.');
  });
});
