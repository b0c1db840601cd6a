// The local test-card form's side (payments mode "local"): the card goes straight from the
// browser to the repository's Stripe double (`POST {testCardUrl}/_double/payment_intents/{id}/pay`),
// authorized by the PaymentIntent's client secret as Stripe.js would be. Card data never
// reaches Marquee's API, and nothing here keeps or logs it.
import { isRecord } from './api';

export interface CardInput {
  /** As typed: spaces and dashes allowed. */
  number: string;
  /** "MM/YY", "MM / YY" or "MM/YYYY". */
  expiry: string;
  cvc: string;
}

/** A card that looks right (the double still decides). */
export interface Card {
  number: string;
  expMonth: number;
  /** Four digits. */
  expYear: number;
  cvc: string;
}

export type CardField = 'number' | 'expiry' | 'cvc';

export type CardParse = { ok: true; card: Card } | { ok: false; errors: Partial<Record<CardField, string>> };

/** The Luhn checksum every card number carries. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Checks what a typo would otherwise send; `now` decides whether the card has expired. */
export function parseCard(input: CardInput, now: Date = new Date()): CardParse {
  const errors: Partial<Record<CardField, string>> = {};

  const number = input.number.replace(/[\s-]/g, '');
  if (!number) errors.number = 'Enter the card number.';
  else if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) errors.number = 'The card number is not valid; check it and try again.';

  let expMonth = 0;
  let expYear = 0;
  const expiry = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(input.expiry);
  if (!input.expiry.trim()) {
    errors.expiry = 'Enter the expiry date as MM/YY.';
  } else if (!expiry) {
    errors.expiry = 'Enter the expiry date as MM/YY, e.g. 12/30.';
  } else {
    expMonth = Number(expiry[1]);
    expYear = Number(expiry[2]);
    if (expYear < 100) expYear += 2000;
    const thisMonth = now.getUTCFullYear() * 12 + now.getUTCMonth() + 1;
    if (expMonth < 1 || expMonth > 12) errors.expiry = 'The expiry month must be 01 to 12.';
    else if (expYear * 12 + expMonth < thisMonth) errors.expiry = 'This card has expired.';
  }

  const cvc = input.cvc.trim();
  if (!cvc) errors.cvc = 'Enter the security code (CVC).';
  else if (!/^\d{3,4}$/.test(cvc)) errors.cvc = 'The security code is the 3 or 4 digits on the card.';

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, card: { number, expMonth, expYear, cvc } };
}

/** How a card payment ended. */
export type PayOutcome =
  | { ok: true }
  | { ok: false; code: string; declineCode?: string; message: string; field?: CardField };

const PARAM_FIELDS: Record<string, CardField> = {
  number: 'number',
  cardNumber: 'number',
  exp_month: 'expiry',
  exp_year: 'expiry',
  expMonth: 'expiry',
  expYear: 'expiry',
  cvc: 'cvc',
};

/** What the card processor's error means to the patron (Stripe's error codes). */
export function cardErrorMessage(code: string, declineCode?: string, fallback?: string): string {
  switch (code) {
    case 'card_declined':
      switch (declineCode) {
        case 'insufficient_funds':
          return 'Your card was declined: insufficient funds. Nothing was charged; try another card.';
        case 'lost_card':
        case 'stolen_card':
        case 'generic_decline':
        default:
          return 'Your card was declined. Nothing was charged; try another card.';
      }
    case 'expired_card':
      return 'Your card has expired. Check the expiry date or try another card.';
    case 'incorrect_cvc':
    case 'invalid_cvc':
      return 'The security code (CVC) is incorrect. Check it and try again.';
    case 'incorrect_number':
    case 'invalid_number':
      return 'The card number is incorrect. Check it and try again.';
    case 'processing_error':
      return 'The card could not be processed. Nothing was charged; please try again in a moment.';
    case 'payment_intent_unexpected_state':
      return 'This payment is already complete or was cancelled. Check your order.';
    case 'network_error':
      return 'Could not reach the card processor. Nothing was charged; check the connection and try again.';
    default:
      return fallback || 'The payment did not go through. Nothing was charged; please try again.';
  }
}

/** Reads the double's (Stripe's) error body `{ error: { type, code, decline_code, message, param } }`. */
export function payOutcome(status: number, body: unknown): PayOutcome {
  if (status >= 200 && status < 300) return { ok: true };
  const error = isRecord(body) && isRecord(body['error']) ? body['error'] : {};
  const code = typeof error['code'] === 'string' ? error['code'] : `http_${status}`;
  const declineCode = typeof error['decline_code'] === 'string' ? error['decline_code'] : undefined;
  const param = typeof error['param'] === 'string' ? PARAM_FIELDS[error['param']] : undefined;
  const fallback = typeof error['message'] === 'string' ? error['message'] : undefined;
  return {
    ok: false,
    code,
    ...(declineCode ? { declineCode } : {}),
    message: cardErrorMessage(code, declineCode, fallback),
    ...(param ? { field: param } : {}),
  };
}

/** Pays the PaymentIntent with a test card at the Stripe double. */
export async function payWithTestCard(
  testCardUrl: string,
  payment: { paymentIntentId: string; clientSecret: string },
  card: Card,
): Promise<PayOutcome> {
  const url = `${testCardUrl.replace(/\/+$/, '')}/_double/payment_intents/${encodeURIComponent(payment.paymentIntentId)}/pay`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      // Another origin: no cookies, and the page's address stays out of it.
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({
        clientSecret: payment.clientSecret,
        cardNumber: card.number,
        expMonth: card.expMonth,
        expYear: card.expYear,
        cvc: card.cvc,
      }),
    });
  } catch {
    return { ok: false, code: 'network_error', message: cardErrorMessage('network_error') };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return payOutcome(response.status, body);
}
