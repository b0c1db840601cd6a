// The venue's payment agreement (Stripe Connect) as the admin shows it: its state and what to do
// next, Stripe's outstanding requirements and disabled reasons in words, the platform fee in
// words, balance and payouts. The calls send the staff token; the server decides who may do
// what (any owner or manager reads, only the owner starts onboarding).
import { ApiError, request, type AdminSchemas as S } from './api';
import { formatMoney } from './format';

export type PaymentsView = S['PaymentsView'];
export type PaymentsStatus = S['PaymentsStatus'];
export type PlatformFee = S['PlatformFee'];
export type PayoutsView = S['PayoutsView'];
export type PayoutView = S['PayoutView'];
export type MoneyView = S['MoneyView'];
/** Where one order's card payment went: gross, Stripe's fee, the platform fee, what the venue keeps. */
export type PaymentFigures = S['PaymentFigures'];

/** `refresh`: read the account from Stripe now (coming back from onboarding). */
export function getPayments(refresh = false): Promise<PaymentsView> {
  return request<PaymentsView>('GET', `/admin/v1/payments${refresh ? '?refresh=true' : ''}`, { staff: true });
}

/** A fresh, single-use link to Stripe's onboarding (owner only). */
export async function startOnboarding(): Promise<string> {
  const link = await request<S['OnboardingLink']>('POST', '/admin/v1/payments/onboarding', { staff: true });
  return link.url;
}

/** Balance and recent payouts; null while the venue has no Stripe account (409 payments_not_connected). */
export async function getPayouts(): Promise<PayoutsView | null> {
  try {
    return await request<PayoutsView>('GET', '/admin/v1/payments/payouts', { staff: true });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'payments_not_connected') return null;
    throw e;
  }
}

// --- the state in words -------------------------------------------------------------------------

export interface StatusText {
  /** Short, for the badge. */
  label: string;
  /** What it means for the venue. */
  summary: string;
  /** How the page frames it. */
  tone: 'info' | 'success' | 'error';
}

export function statusText(status: PaymentsStatus): StatusText {
  switch (status) {
    case 'not_connected':
      return {
        label: 'Not connected',
        summary:
          'Card payments go straight to your own Stripe account. Connect one to sell tickets by card: Stripe asks for your business and bank details, and pays your takings out to your bank.',
        tone: 'info',
      };
    case 'incomplete':
      return {
        label: 'Setup not finished',
        summary: 'Your Stripe account is created, but Stripe needs more details before it can take card payments for you. Until then, tickets cannot be sold by card.',
        tone: 'info',
      };
    case 'connected':
      return {
        label: 'Connected',
        summary: 'Your Stripe account takes card payments, and Stripe pays your takings out to your bank.',
        tone: 'success',
      };
    case 'restricted':
      return {
        label: 'Restricted by Stripe',
        summary:
          'Stripe has disabled card payments on your account, so new sales by card are stopped. Existing orders and tickets stay valid, and refunds keep working.',
        tone: 'error',
      };
  }
}

/** Whether the page offers Stripe's onboarding (to the owner). */
export function needsOnboarding(status: PaymentsStatus): boolean {
  return status !== 'connected';
}

/** The onboarding button's words. */
export function onboardingAction(status: PaymentsStatus): string {
  return status === 'not_connected' ? 'Connect with Stripe' : 'Finish setup';
}

/** `?onboarding=return` (back from Stripe) or `refresh` (the link expired or was used). */
export function onboardingReturn(search: string): 'return' | 'refresh' | null {
  const value = new URLSearchParams(search).get('onboarding');
  return value === 'return' || value === 'refresh' ? value : null;
}

/** What the owner reads on coming back from Stripe, with the state read from Stripe just now. */
export function returnMessage(status: PaymentsStatus): string {
  switch (status) {
    case 'connected':
      return 'Welcome back. Your Stripe account is connected: tickets can now be sold by card.';
    case 'restricted':
      return 'Welcome back. Stripe has disabled card payments on your account; see below for why.';
    case 'incomplete':
      return 'Welcome back. Stripe still needs some details before it can take card payments; they are listed below.';
    case 'not_connected':
      return 'Onboarding with Stripe was not started. Connect with Stripe to sell tickets by card.';
  }
}

/** Why starting or resuming onboarding failed. */
export function onboardingProblem(e: unknown): string {
  if (!(e instanceof ApiError)) return 'Something went wrong; please try again.';
  if (e.status === 403) return "Only the venue's owner can connect or set up the Stripe account.";
  switch (e.code) {
    case 'payments_unavailable':
      return 'Card payments are not available on this platform right now, so a Stripe account cannot be connected.';
    case 'payment_provider_error':
    case 'payment_provider_unavailable':
      return 'Stripe could not be reached just now. Nothing has changed; please try again in a moment.';
    default:
      if (e.status >= 500) return 'Something went wrong on our side; please try again.';
      return e.message;
  }
}

// --- Stripe's requirements and reasons in words -------------------------------------------------

/** Whole requirement ids, as Stripe names them. */
const REQUIREMENTS: Record<string, string> = {
  external_account: 'A bank account for your payouts',
  business_type: 'Your type of business (individual, company, charity…)',
  'business_profile.url': "Your business's website",
  'business_profile.mcc': "Your business's category",
  'business_profile.name': "Your business's name",
  'business_profile.product_description': 'A description of what you sell',
  'business_profile.support_phone': 'A customer support phone number',
  'business_profile.support_email': 'A customer support email address',
  'business_profile.support_url': 'A customer support web page',
  'tos_acceptance.date': "Acceptance of Stripe's terms of service",
  'tos_acceptance.ip': "Acceptance of Stripe's terms of service",
  'settings.payments.statement_descriptor': 'The name shown on your customers’ card statements',
  owners_provided: 'Confirmation that all owners of the company are listed',
  directors_provided: 'Confirmation that all directors of the company are listed',
  executives_provided: 'Confirmation that all executives of the company are listed',
  'company.owners_provided': 'Confirmation that all owners of the company are listed',
  'company.directors_provided': 'Confirmation that all directors of the company are listed',
  'company.executives_provided': 'Confirmation that all executives of the company are listed',
};

/** Whose details a requirement asks for: the part before the first dot. */
const SUBJECTS: Record<string, string> = {
  individual: 'the account holder',
  representative: "the company's representative",
  company: 'the company',
  owners: "the company's owners",
  directors: "the company's directors",
  executives: "the company's executives",
};

/** What about them: the rest of the id (a prefix of it for addresses and dates of birth). */
const DETAILS: [RegExp, string][] = [
  [/^(first_name|last_name|name)$/, 'Name of'],
  [/^dob\./, 'Date of birth of'],
  [/^address\./, 'Address of'],
  [/^registered_address\./, 'Registered address of'],
  [/^id_number$/, 'ID number (e.g. National Insurance or Social Security number) of'],
  [/^ssn_last_4$/, 'Last 4 digits of the Social Security number of'],
  [/^tax_id$/, 'Tax ID (e.g. company or VAT number) of'],
  [/^verification\.document$/, 'An identity document of'],
  [/^verification\.additional_document$/, 'A document proving the address of'],
  [/^email$/, 'Email address of'],
  [/^phone$/, 'Phone number of'],
  [/^relationship\.title$/, 'Job title of'],
  [/^relationship\./, 'Role in the company of'],
];

/** One of Stripe's requirement ids (`external_account`, `individual.id_number`…) in words; an unknown id as it is. */
export function requirementWords(id: string): string {
  const known = REQUIREMENTS[id];
  if (known) return known;
  const dot = id.indexOf('.');
  if (dot > 0) {
    const head = id.slice(0, dot);
    const rest = id.slice(dot + 1);
    // `person_…` ids name one person on the account.
    const subject = SUBJECTS[head] ?? (head.startsWith('person_') ? 'a person on the account' : undefined);
    const detail = subject ? DETAILS.find(([pattern]) => pattern.test(rest)) : undefined;
    if (subject && detail) return `${detail[1]} ${subject}`;
  }
  return id;
}

/** The requirements in words, each once, in Stripe's order (first and last name are one line). */
export function requirementList(ids: readonly string[]): string[] {
  return [...new Set(ids.map(requirementWords))];
}

const DISABLED_REASONS: Record<string, string> = {
  'requirements.past_due': 'Stripe asked for information that has not been given in time.',
  'requirements.pending_verification': 'Stripe is checking the information you gave.',
  listed: 'The account matches a list of prohibited people or businesses; Stripe is looking into it.',
  platform_paused: 'The platform has paused this account.',
  under_review: 'Stripe is reviewing the account.',
  'rejected.fraud': 'Stripe rejected the account because it suspects fraud.',
  'rejected.incomplete_verification': 'Stripe rejected the account because its verification was not completed.',
  'rejected.listed': 'Stripe rejected the account because it matches a list of prohibited people or businesses.',
  'rejected.terms_of_service': "Stripe rejected the account for breaking Stripe's terms of service.",
  'rejected.other': 'Stripe rejected the account.',
  'rejected.platform_fraud': 'The platform rejected the account because it suspects fraud.',
  'rejected.platform_terms_of_service': "The platform rejected the account for breaking the platform's terms.",
  'rejected.platform_other': 'The platform rejected the account.',
  'action_required.requested_capabilities': 'Card payments have to be requested again on the account.',
  other: 'Stripe gave no particular reason; its Dashboard says more.',
};

/** Why Stripe disabled charges, in words; an unknown reason as it is. */
export function disabledReasonWords(reason: string | null | undefined): string {
  if (!reason) return 'Stripe gave no reason.';
  return DISABLED_REASONS[reason] ?? reason;
}

/** What to do about a restricted account. */
export function restrictedAdvice(reason: string | null | undefined, hasRequirements: boolean): string {
  if (reason?.startsWith('rejected.')) return 'Contact Stripe through your Stripe Dashboard to find out more.';
  if (hasRequirements || reason === 'requirements.past_due') return 'Give Stripe what it needs (Finish setup), or open your Stripe Dashboard.';
  return 'Open your Stripe Dashboard to see what Stripe needs.';
}

// --- money in words ---------------------------------------------------------------------------

/** Basis points as a percentage: 250 → "2.5 %", 100 → "1 %", 125 → "1.25 %". */
export function percentWords(basisPoints: number): string {
  return `${Number((basisPoints / 100).toFixed(2))} %`;
}

/** The platform fee on each card sale: "2.5 % + £0.30 per ticket", "£0.30 per ticket", "2.5 %", "none". */
export function platformFeeWords(fee: PlatformFee, currency: string, locale?: string): string {
  const parts: string[] = [];
  if (fee.basisPoints > 0) parts.push(percentWords(fee.basisPoints));
  if (fee.fixedPerTicket > 0) parts.push(`${formatMoney({ amount: fee.fixedPerTicket, currency }, locale)} per ticket`);
  return parts.length > 0 ? parts.join(' + ') : 'none';
}

/** Whether refunds give the platform fee back. */
export function refundFeeWords(refundPlatformFee: boolean): string {
  return refundPlatformFee
    ? 'When you refund tickets, the platform fee on them is returned to you in proportion.'
    : 'Refunds do not return the platform fee: it stays charged on refunded tickets.';
}

/** A balance (one amount per currency) in words: "£12.00", "£12.00 + €3.00", or zero in the venue's currency. */
export function balanceWords(amounts: readonly MoneyView[], currency: string, locale?: string): string {
  const nonZero = amounts.filter((a) => a.amount !== 0);
  if (nonZero.length === 0) return formatMoney({ amount: 0, currency }, locale);
  return nonZero.map((a) => formatMoney(a, locale)).join(' + ');
}

const PAYOUT_STATUS: Record<string, string> = {
  paid: 'Paid',
  pending: 'Pending',
  in_transit: 'On its way',
  canceled: 'Cancelled',
  failed: 'Failed',
};

export function payoutStatusWords(status: string): string {
  return PAYOUT_STATUS[status] ?? status;
}

/** A payout's day at the venue: "12 Mar 2027" style, in the venue's timezone. */
export function payoutDate(instant: string, timeZone: string, locale?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
  }
}
