import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import {
  balanceWords,
  disabledReasonWords,
  onboardingAction,
  onboardingProblem,
  onboardingReturn,
  payoutDate,
  payoutStatusWords,
  percentWords,
  platformFeeWords,
  refundFeeWords,
  requirementList,
  requirementWords,
  restrictedAdvice,
  returnMessage,
  statusText,
} from './payments';

describe('payment agreement states', () => {
  it('says what each state means and which button takes the owner on', () => {
    expect(statusText('not_connected')).toMatchObject({ label: 'Not connected', tone: 'info' });
    expect(statusText('not_connected').summary).toMatch(/Connect one to sell tickets by card/);
    expect(statusText('incomplete')).toMatchObject({ label: 'Setup not finished' });
    expect(statusText('connected')).toMatchObject({ label: 'Connected', tone: 'success' });
    expect(statusText('restricted')).toMatchObject({ label: 'Restricted by Stripe', tone: 'error' });
    expect(statusText('restricted').summary).toMatch(/new sales by card are stopped.*refunds keep working/);
    expect(onboardingAction('not_connected')).toBe('Connect with Stripe');
    expect(onboardingAction('incomplete')).toBe('Finish setup');
    expect(onboardingAction('restricted')).toBe('Finish setup');
  });

  it('reads the way back from Stripe in the query', () => {
    expect(onboardingReturn('?onboarding=return')).toBe('return');
    expect(onboardingReturn('?x=1&onboarding=refresh')).toBe('refresh');
    expect(onboardingReturn('?onboarding=other')).toBeNull();
    expect(onboardingReturn('')).toBeNull();
    expect(returnMessage('connected')).toMatch(/connected: tickets can now be sold by card/);
    expect(returnMessage('incomplete')).toMatch(/still needs some details/);
  });

  it('explains refusals of onboarding', () => {
    expect(onboardingProblem(new ApiError(403, 'forbidden', 'Forbidden'))).toMatch(/Only the venue's owner/);
    expect(onboardingProblem(new ApiError(502, 'payment_provider_unavailable', 'x'))).toMatch(/Stripe could not be reached/);
    expect(onboardingProblem(new ApiError(503, 'payments_unavailable', 'x'))).toMatch(/not available on this platform/);
    expect(onboardingProblem(new Error('boom'))).toMatch(/Something went wrong/);
  });
});

describe("Stripe's requirements in words", () => {
  it('names the common ones', () => {
    expect(requirementWords('external_account')).toBe('A bank account for your payouts');
    expect(requirementWords('business_profile.url')).toBe("Your business's website");
    expect(requirementWords('tos_acceptance.date')).toBe("Acceptance of Stripe's terms of service");
    expect(requirementWords('individual.id_number')).toBe('ID number (e.g. National Insurance or Social Security number) of the account holder');
    expect(requirementWords('individual.verification.document')).toBe('An identity document of the account holder');
    expect(requirementWords('representative.first_name')).toBe("Name of the company's representative");
    expect(requirementWords('individual.dob.year')).toBe('Date of birth of the account holder');
    expect(requirementWords('company.address.postal_code')).toBe('Address of the company');
    expect(requirementWords('person_1Abc.verification.document')).toBe('An identity document of a person on the account');
  });

  it('shows unknown ids as they are', () => {
    expect(requirementWords('some.new_field')).toBe('some.new_field');
    expect(requirementWords('individual.favourite_colour')).toBe('individual.favourite_colour');
    expect(requirementWords('')).toBe('');
  });

  it('lists each thing once, in order', () => {
    expect(
      requirementList([
        'business_profile.mcc',
        'business_profile.url',
        'business_type',
        'external_account',
        'representative.first_name',
        'representative.last_name',
        'tos_acceptance.date',
        'tos_acceptance.ip',
      ]),
    ).toEqual([
      "Your business's category",
      "Your business's website",
      'Your type of business (individual, company, charity…)',
      'A bank account for your payouts',
      "Name of the company's representative",
      "Acceptance of Stripe's terms of service",
    ]);
  });

  it('explains why charges were disabled and what to do', () => {
    expect(disabledReasonWords('requirements.past_due')).toBe('Stripe asked for information that has not been given in time.');
    expect(disabledReasonWords('rejected.fraud')).toMatch(/suspects fraud/);
    expect(disabledReasonWords('something_new')).toBe('something_new');
    expect(disabledReasonWords(null)).toBe('Stripe gave no reason.');
    expect(restrictedAdvice('requirements.past_due', true)).toMatch(/Finish setup/);
    expect(restrictedAdvice('rejected.fraud', false)).toMatch(/Contact Stripe/);
    expect(restrictedAdvice('under_review', false)).toMatch(/Stripe Dashboard/);
  });
});

describe('money in words', () => {
  it('says the platform fee', () => {
    expect(percentWords(250)).toBe('2.5 %');
    expect(percentWords(100)).toBe('1 %');
    expect(percentWords(125)).toBe('1.25 %');
    expect(platformFeeWords({ basisPoints: 250, fixedPerTicket: 30 }, 'GBP', 'en-GB')).toBe('2.5 % + £0.30 per ticket');
    expect(platformFeeWords({ basisPoints: 250, fixedPerTicket: 0 }, 'USD', 'en-US')).toBe('2.5 %');
    expect(platformFeeWords({ basisPoints: 0, fixedPerTicket: 50 }, 'USD', 'en-US')).toBe('$0.50 per ticket');
    expect(platformFeeWords({ basisPoints: 0, fixedPerTicket: 100 }, 'JPY', 'en-US')).toBe('¥100 per ticket');
    expect(platformFeeWords({ basisPoints: 0, fixedPerTicket: 0 }, 'USD')).toBe('none');
  });

  it('says whether refunds return it', () => {
    expect(refundFeeWords(true)).toMatch(/returned to you in proportion/);
    expect(refundFeeWords(false)).toMatch(/do not return the platform fee/);
  });

  it('shows balances, payouts and their days', () => {
    expect(balanceWords([{ amount: 12345, currency: 'USD' }], 'USD', 'en-US')).toBe('$123.45');
    expect(balanceWords([], 'GBP', 'en-GB')).toBe('£0.00');
    expect(balanceWords([{ amount: 0, currency: 'USD' }], 'USD', 'en-US')).toBe('$0.00');
    expect(balanceWords([{ amount: 100, currency: 'USD' }, { amount: 200, currency: 'EUR' }], 'USD', 'en-US')).toBe('$1.00 + €2.00');
    expect(payoutStatusWords('in_transit')).toBe('On its way');
    expect(payoutStatusWords('weird')).toBe('weird');
    expect(payoutDate('2027-03-01T02:00:00Z', 'America/New_York', 'en-US')).toBe('Feb 28, 2027');
  });
});
