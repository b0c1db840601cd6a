import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { buildRefund, refundableTickets, refundProblem, ticketStatusLabel, ticketsValue, type AdminTicket } from './adminOrders';

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
