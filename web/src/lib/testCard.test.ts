import { describe, expect, it, vi } from 'vitest';
import { mockFetch } from '../test/fetch';
import { cardErrorMessage, luhnValid, parseCard, payOutcome, payWithTestCard } from './testCard';

const NOW = new Date('2026-11-22T12:00:00Z');

describe('parseCard', () => {
  it('accepts the test cards as typed, with spaces, and MM/YY or MM/YYYY', () => {
    expect(parseCard({ number: '4242 4242 4242 4242', expiry: '12/30', cvc: '123' }, NOW)).toEqual({
      ok: true,
      card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
    });
    expect(parseCard({ number: '4000-0000-0000-0002', expiry: ' 1 / 2027 ', cvc: '1234' }, NOW)).toEqual({
      ok: true,
      card: { number: '4000000000000002', expMonth: 1, expYear: 2027, cvc: '1234' },
    });
    // This month is still good.
    expect(parseCard({ number: '4242424242424242', expiry: '11/26', cvc: '123' }, NOW).ok).toBe(true);
  });

  it('says what is wrong with each field', () => {
    expect(parseCard({ number: '', expiry: '', cvc: '' }, NOW)).toEqual({
      ok: false,
      errors: {
        number: 'Enter the card number.',
        expiry: 'Enter the expiry date as MM/YY.',
        cvc: 'Enter the security code (CVC).',
      },
    });
    const bad = parseCard({ number: '4242 4242 4242 4241', expiry: '13/30', cvc: '12' }, NOW);
    expect(bad).toEqual({
      ok: false,
      errors: {
        number: 'The card number is not valid; check it and try again.',
        expiry: 'The expiry month must be 01 to 12.',
        cvc: 'The security code is the 3 or 4 digits on the card.',
      },
    });
    expect(parseCard({ number: '4242424242424242', expiry: '10/26', cvc: '123' }, NOW)).toEqual({ ok: false, errors: { expiry: 'This card has expired.' } });
    expect(parseCard({ number: '4242424242424242', expiry: '1230', cvc: '123' }, NOW)).toEqual({
      ok: false,
      errors: { expiry: 'Enter the expiry date as MM/YY, e.g. 12/30.' },
    });
  });

  it('checks the Luhn digit', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4000000000000002')).toBe(true);
    expect(luhnValid('378282246310005')).toBe(true);
    expect(luhnValid('4242424242424243')).toBe(false);
    expect(luhnValid('')).toBe(false);
  });
});

describe('card processor answers', () => {
  it('reads a decline as Stripe reports it', () => {
    const body = { error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' } };
    expect(payOutcome(402, body)).toEqual({
      ok: false,
      code: 'card_declined',
      declineCode: 'generic_decline',
      message: 'Your card was declined. Nothing was charged; try another card.',
    });
    expect(payOutcome(200, { id: 'pi_1', status: 'succeeded' })).toEqual({ ok: true });
  });

  it('ties a wrong number or code to its field', () => {
    expect(payOutcome(402, { error: { type: 'card_error', code: 'incorrect_number', param: 'number', message: 'Your card number is incorrect.' } })).toMatchObject({
      field: 'number',
      message: 'The card number is incorrect. Check it and try again.',
    });
    expect(payOutcome(402, { error: { code: 'incorrect_cvc', param: 'cvc' } })).toMatchObject({ field: 'cvc' });
  });

  it('has readable words for the other codes, and the processor’s message otherwise', () => {
    expect(cardErrorMessage('card_declined', 'insufficient_funds')).toContain('insufficient funds');
    expect(cardErrorMessage('expired_card')).toContain('expired');
    expect(cardErrorMessage('processing_error')).toContain('could not be processed');
    expect(cardErrorMessage('something_new', undefined, 'Stripe says no.')).toBe('Stripe says no.');
    expect(payOutcome(500, 'not json')).toMatchObject({ ok: false, code: 'http_500', message: expect.stringContaining('did not go through') });
  });
});

describe('payWithTestCard', () => {
  it('posts the card to the Stripe double only, with the client secret, and never to Marquee', async () => {
    const calls = mockFetch({
      'POST http://127.0.0.1:8702/_double/payment_intents/pi_1/pay': { status: 200, body: { id: 'pi_1', status: 'succeeded' } },
    });
    const outcome = await payWithTestCard(
      'http://127.0.0.1:8702/',
      { paymentIntentId: 'pi_1', clientSecret: 'pi_1_secret_x' },
      { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
    );
    expect(outcome).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      method: 'POST',
      path: 'http://127.0.0.1:8702/_double/payment_intents/pi_1/pay',
      body: { clientSecret: 'pi_1_secret_x', cardNumber: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
    });
  });

  it('turns a failed connection into a message', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const outcome = await payWithTestCard('http://127.0.0.1:1', { paymentIntentId: 'pi_1', clientSecret: 's' }, { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' });
    expect(outcome).toMatchObject({ ok: false, code: 'network_error' });
  });
});
