// Orders as the box office sees them (API.md "Admin"): lookup by number, email or name, one
// order with its tickets and refunds, refunds of all or listed tickets, and the orders waiting
// to be posted (with their addresses, the Avery labels PDF, "mark mailed"). Every call sends the
// staff token; the server decides permissions and money.
import { ApiError, request, requestFile, type AdminSchemas as S, type DownloadedFile } from './api';

const enc = encodeURIComponent;

/** An order in a list; `total` and `refunded` are minor units of `currency`, `tickets` how many. */
export type AdminOrderSummary = S['OrderSummary'];
export type TicketStatus = S['TicketStatus'];
export type AdminTicket = S['TicketLine'];
export type AdminRefund = S['RefundRecord'];
/** An order in full: contact, tickets with their status, totals and refunds. */
export type AdminOrderDetail = S['OrderDetail'];

export async function searchOrders(q: string): Promise<AdminOrderSummary[]> {
  const qs = q.trim() ? `?q=${enc(q.trim())}` : '';
  const body = await request<S['OrderList']>('GET', `/admin/v1/orders${qs}`, { staff: true });
  return body.orders;
}

export function getAdminOrder(orderId: string): Promise<AdminOrderDetail> {
  return request<AdminOrderDetail>('GET', `/admin/v1/orders/${enc(orderId)}`, { staff: true });
}

/** Without `tickets`, every valid ticket is refunded. */
export type RefundBody = S['RefundRequest'];

export function refundOrder(orderId: string, body: RefundBody): Promise<AdminOrderDetail> {
  return request<AdminOrderDetail>('POST', `/admin/v1/orders/${enc(orderId)}/refund`, { body, staff: true });
}

export async function ordersToPost(): Promise<AdminOrderSummary[]> {
  const body = await request<S['OrderList']>('GET', '/admin/v1/orders/to-post', { staff: true });
  return body.orders;
}

/** Marks a mailed order posted ("mark mailed"): it leaves the list and the patron is emailed. */
export function markPosted(orderId: string): Promise<AdminOrderDetail> {
  return request<AdminOrderDetail>('POST', `/admin/v1/orders/${enc(orderId)}/posted`, { body: {}, staff: true });
}

export const LABELS_PDF_PATH = '/admin/v1/orders/to-post/labels.pdf';

/** Address labels of the to-post list, in its order: Avery 5160, 30 to a US Letter sheet. */
export function fetchAddressLabels(): Promise<DownloadedFile> {
  return requestFile(LABELS_PDF_PATH, 'address-labels.pdf', { staff: true });
}

/** A mailed order's fulfilment as staff see it: who posts it and, for the provider, its letter. */
export type PostedMail = S['PostedMail'];

/** Who posts a mailed order, in words. */
export function fulfilmentLabel(fulfilment: string): string {
  switch (fulfilment) {
    case 'in_house':
      return 'The box office (to-post list)';
    case 'provider':
      return 'The print-and-mail provider';
    default:
      return fulfilment;
  }
}

/** Whether staff post this order themselves and have not yet: "Mark mailed" applies. */
export function awaitsPosting(order: Pick<AdminOrderDetail, 'delivery' | 'status' | 'postedAt' | 'mail'>): boolean {
  return (
    order.delivery === 'mail' &&
    !order.postedAt &&
    (order.status === 'paid' || order.status === 'partially_refunded') &&
    (order.mail?.fulfilment ?? 'in_house') === 'in_house'
  );
}

// --- refunds ----------------------------------------------------------------------------------

export function refundableTickets(order: Pick<AdminOrderDetail, 'tickets'>): AdminTicket[] {
  return order.tickets.filter((t) => t.status === 'valid');
}

/**
 * The refund request for the chosen tickets: all of them (no list, so the server refunds every
 * valid ticket) when every refundable ticket is chosen, else the list.
 */
export function buildRefund(order: Pick<AdminOrderDetail, 'tickets'>, chosen: readonly string[] | 'all', reason: string): RefundBody {
  const body: RefundBody = {};
  const refundable = refundableTickets(order).map((t) => t.id);
  if (chosen !== 'all') {
    const picked = refundable.filter((id) => chosen.includes(id));
    if (picked.length < refundable.length) body.tickets = picked;
  }
  if (reason.trim()) body.reason = reason.trim();
  return body;
}

/** The share of the order a refund of these tickets returns, as the server computes it
 * (price + fees per ticket); for the confirmation only: the server's answer is what counts. */
export function ticketsValue(order: Pick<AdminOrderDetail, 'tickets'>, ids: readonly string[]): number {
  return order.tickets.filter((t) => ids.includes(t.id)).reduce((sum, t) => sum + t.price + t.fees, 0);
}

export function refundProblem(e: unknown): string {
  if (!(e instanceof ApiError)) return 'Something went wrong; please try again.';
  switch (e.code) {
    case 'not_refundable':
      return 'This order cannot be refunded (it is not paid, or already refunded).';
    case 'order_changed':
      return 'The order changed while you were looking at it. It has been read again: check it and try again.';
    case 'unknown_tickets':
      return 'Some of the chosen tickets are not in this order any more. Check the order and try again.';
    case 'payment_provider_error':
      return 'The card processor refused or failed the refund; nothing was refunded. Try again in a moment.';
    case 'not_to_post':
      return 'This order is not waiting to be posted (it was posted already, or is not paid by post).';
    default:
      if (e.status === 403) return 'Your role does not allow refunds.';
      if (e.status >= 500) return 'Something went wrong on our side; please try again.';
      return e.message;
  }
}

export function ticketStatusLabel(status: string): string {
  switch (status) {
    case 'valid':
      return 'Valid';
    case 'refunded':
      return 'Refunded';
    case 'pending':
      return 'Awaiting payment';
    default:
      return status;
  }
}
