import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { awaitsPosting, buildRefund, fulfilmentLabel, refundableTickets, refundProblem, ticketStatusLabel, ticketsValue, type AdminTicket } from './adminOrders';

function ticket(id: string, status: AdminTicket['status'], price = 8500, fees = 200): AdminTicket {
  return { id, performanceId: 'p1', place: { sectionName: 'Orchestra', row: 'C', seatLabel: id }, priceType: 'adult', price, fees, status };
}

const order = { tickets: [ticket('t1', 'valid'), ticket('t2', 'valid', 4250), ticket('t3', 'refunded')] };

describe('refunds', () => {
  it('refunds only valid tickets', () => {
    expect(refundableTickets(order).map((t) => t.id)).toEqual(['t1', 't2']);
  });

  it('asks for all (no list) when every refundable ticket is chosen, else lists them', () => {
    expect(buildRefund(order, 'all', '')).toEqual({});
    expect(buildRefund(order, ['t1', 't2'], ' Show moved ')).toEqual({ reason: 'Show moved' });
    expect(buildRefund(order, ['t2'], '')).toEqual({ tickets: ['t2'] });
    // A ticket that is no longer valid is not sent.
    expect(buildRefund(order, ['t2', 't3'], '')).toEqual({ tickets: ['t2'] });
  });

  it('adds up the chosen tickets for the confirmation', () => {
    expect(ticketsValue(order, ['t1', 't2'])).toBe(8500 + 200 + 4250 + 200);
  });

  it('words every refusal', () => {
    expect(refundProblem(new ApiError(409, 'not_refundable', 'x'))).toMatch(/cannot be refunded/);
    expect(refundProblem(new ApiError(409, 'order_changed', 'x'))).toMatch(/changed/);
    expect(refundProblem(new ApiError(422, 'unknown_tickets', 'x'))).toMatch(/not in this order/);
    expect(refundProblem(new ApiError(502, 'payment_provider_error', 'x'))).toMatch(/nothing was refunded/);
    expect(refundProblem(new ApiError(409, 'not_to_post', 'x'))).toMatch(/not waiting to be posted/);
    expect(refundProblem(new ApiError(403, 'forbidden', 'x'))).toMatch(/role/);
    expect(refundProblem('boom')).toMatch(/went wrong/);
    expect(ticketStatusLabel('refunded')).toBe('Refunded');
  });
});

describe('tickets by post', () => {
  const mailed = { delivery: 'mail' as const, status: 'paid' as const, postedAt: null, mail: { fulfilment: 'in_house' as const, status: 'pending' as const } };

  it('offers "Mark mailed" only for paid orders the box office posts and has not posted', () => {
    expect(awaitsPosting(mailed)).toBe(true);
    expect(awaitsPosting({ ...mailed, mail: null })).toBe(true);
    expect(awaitsPosting({ ...mailed, postedAt: '2026-12-01T10:00:00Z' })).toBe(false);
    expect(awaitsPosting({ ...mailed, status: 'pending' })).toBe(false);
    expect(awaitsPosting({ ...mailed, delivery: 'email' })).toBe(false);
    expect(awaitsPosting({ ...mailed, mail: { fulfilment: 'provider', status: 'submitted' } })).toBe(false);
  });

  it('says who posts an order', () => {
    expect(fulfilmentLabel('in_house')).toBe('The box office (to-post list)');
    expect(fulfilmentLabel('provider')).toBe('The print-and-mail provider');
  });

  it('words an order that is no longer waiting to be posted', () => {
    expect(refundProblem(new ApiError(409, 'not_to_post', 'x'))).toBe('This order is not waiting to be posted (it was posted already, or is not paid by post).');
  });
});
