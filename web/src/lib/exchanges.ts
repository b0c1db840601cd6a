// Exchanges at the box office (API.md "Admin", permission `sell`): valid tickets of an order
// move to another performance of the same event (or other seats of the same one) in one call,
// POST /admin/v1/orders/{orderId}/exchange. `quote: true` answers the figures and changes
// nothing; without it the new order is made, the old tickets stop admitting, the difference is
// taken (cash or card) or paid back (the old card, or the drawer). Everything here is pure
// except the calls: the exchange form asks these functions what to send, whether Exchange may
// be pressed and why not, and what a refusal means to the clerk.
import { ApiError, listEvents, request, type AdminSchemas as S } from './api';
import { listAdminEvents } from './adminCatalog';
import { parseCash } from './boxOffice';
import { formatDateTime, formatMoney } from './format';

export type ExchangeBody = S['ExchangeBody'];
export type ExchangeView = S['ExchangeView'];
export type ExchangeFigures = S['ExchangeFiguresView'];
export type ExchangePayment = S['ExchangePayment'];
export type ExchangeMethod = ExchangePayment['method'];
export type SurplusTo = S['SurplusTo'];

const enc = encodeURIComponent;

export function exchangeTickets(orderId: string, body: ExchangeBody): Promise<ExchangeView> {
  return request<ExchangeView>('POST', `/admin/v1/orders/${enc(orderId)}/exchange`, { body, staff: true });
}

// --- the performances to choose from -----------------------------------------------------------

export interface ExchangeChoice {
  id: string;
  /** "Hamlet — Sat 12 Dec 2026, 7:30 pm", and "(these tickets)" for the tickets' own. */
  label: string;
  startsAt: string;
  current: boolean;
}

interface EventLike {
  title: string;
  performances: readonly { id: string; startsAt: string; status: string; timezone?: string | null }[];
}

/**
 * The performances of the event that holds `performanceId` that can take the tickets: on sale
 * (or sold out: other seats may have been let go) and not long over, soonest first; the
 * tickets' own performance is always offered (for other seats of it).
 */
export function exchangeChoices(events: readonly EventLike[], performanceId: string, timezone: string, now: Date = new Date()): ExchangeChoice[] {
  const event = events.find((e) => e.performances.some((p) => p.id === performanceId));
  if (!event) return [];
  const cutoff = now.getTime() - 12 * 3_600_000;
  return event.performances
    .filter((p) => p.id === performanceId || ((p.status === 'on_sale' || p.status === 'sold_out') && Date.parse(p.startsAt) >= cutoff))
    .map((p) => {
      const current = p.id === performanceId;
      const when = formatDateTime(p.startsAt, p.timezone || timezone);
      return { id: p.id, startsAt: p.startsAt, current, label: `${event.title} — ${when}${current ? ' (these tickets)' : ''}` };
    })
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
}

/** The event's performances from the admin catalog, or (for roles that cannot read it, such
 * as box office) the public list of what is on sale. */
export async function loadExchangeChoices(performanceId: string, timezone: string): Promise<ExchangeChoice[]> {
  let events: EventLike[];
  try {
    events = (await listAdminEvents()).map((e) => ({
      title: e.title,
      performances: e.performances.map((p) => ({ id: p.id, startsAt: p.startsAt.utc, status: p.status, timezone: p.startsAt.timezone })),
    }));
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 403)) throw e;
    events = (await listEvents()).events.map((e) => ({ title: e.title, performances: e.performances.map((p) => ({ ...p, status: String(p.status) })) }));
  }
  return exchangeChoices(events, performanceId, timezone);
}

// --- the form ---------------------------------------------------------------------------------

/** Where the clerk fixes what stops the exchange. */
export type ExchangeField = 'tickets' | 'performanceId' | 'seats' | 'fee' | 'payment' | 'tendered';

export interface ExchangeForm {
  ticketIds: string[];
  performanceId: string;
  /** Best available seats (in `zone`, or anywhere), or places in the general-admission `areaId`. */
  how: 'best' | 'area';
  zone: string;
  areaId: string;
  /** As typed, in major units; empty for none. */
  fee: string;
  method: ExchangeMethod;
  /** As typed, in major units. */
  tendered: string;
}

export function emptyExchangeForm(ticketIds: readonly string[], performanceId: string): ExchangeForm {
  return { ticketIds: [...ticketIds], performanceId, how: 'best', zone: '', areaId: '', fee: '', method: 'cash', tendered: '' };
}

/** The fee as typed → minor units: 0 when empty, null when it is not an amount. */
export function parseFee(text: string, currency: string): number | null {
  return text.trim() ? parseCash(text, currency) : 0;
}

/**
 * The request for the form: the places wanted (as many as tickets), the fee, and — for the
 * exchange itself, when something is due — the payment. A quote never carries a payment.
 */
export function buildExchangeBody(form: ExchangeForm, currency: string, options: { quote: boolean; due?: number }): ExchangeBody {
  const quantity = form.ticketIds.length;
  const body: ExchangeBody = { ticketIds: [...form.ticketIds], performanceId: form.performanceId };
  if (form.how === 'area' && form.areaId) body.generalAdmission = { areaId: form.areaId, quantity };
  else body.bestAvailable = form.zone ? { quantity, zone: form.zone } : { quantity };
  const fee = parseFee(form.fee, currency);
  if (fee) body.fee = fee;
  if (options.quote) {
    body.quote = true;
  } else if ((options.due ?? 0) > 0) {
    body.payment = form.method === 'cash' ? { method: 'cash', tendered: parseCash(form.tendered, currency) ?? 0 } : { method: 'card' };
  }
  return body;
}

/** What a quote was asked for: when the form no longer matches it, the price must be asked again. */
export function quoteKey(form: ExchangeForm, currency: string): string {
  return JSON.stringify(buildExchangeBody(form, currency, { quote: true }));
}

export type ExchangeState = { ready: true } | { ready: false; why: string; field?: ExchangeField; needsQuote?: boolean };

export interface ExchangeInputs {
  form: ExchangeForm;
  currency: string;
  /** The figures of the last quote, and what it was asked for. */
  quote: ExchangeFigures | null;
  quotedKey: string;
  /** Card payments are taken at this venue. */
  cardsTaken: boolean;
  /** A quote or the exchange is under way. */
  busy: boolean;
}

/** Whether Exchange may be pressed and, if not, why (shown beside it, and announced when pressed). */
export function exchangeState(input: ExchangeInputs): ExchangeState {
  const { form, quote, currency } = input;
  const money = (amount: number) => formatMoney({ amount, currency });
  if (input.busy) return { ready: false, why: 'Working…' };
  if (form.ticketIds.length === 0) return { ready: false, why: 'Choose the tickets to exchange.', field: 'tickets' };
  if (!form.performanceId) return { ready: false, why: 'Choose the performance to exchange to.', field: 'performanceId' };
  if (form.how === 'area' && !form.areaId) return { ready: false, why: 'Choose the general-admission area.', field: 'seats' };
  if (parseFee(form.fee, currency) === null) return { ready: false, why: 'The fee is not an amount, e.g. 5 or 5.00.', field: 'fee' };
  if (!quote || input.quotedKey !== quoteKey(form, currency)) {
    return { ready: false, why: 'Get the price first.', needsQuote: true };
  }
  if (quote.due > 0) {
    if (form.method === 'card') {
      if (!input.cardsTaken) return { ready: false, why: 'This venue takes no cards: take cash.', field: 'payment' };
    } else {
      const tendered = parseCash(form.tendered, currency);
      if (!form.tendered.trim()) return { ready: false, why: `Enter the cash tendered (${money(quote.due)} to pay).`, field: 'tendered' };
      if (tendered === null) return { ready: false, why: 'The cash tendered is not an amount, e.g. 50 or 50.00.', field: 'tendered' };
      if (tendered < quote.due) return { ready: false, why: `The cash tendered is ${money(quote.due - tendered)} short of the ${money(quote.due)} to pay.`, field: 'tendered' };
    }
  }
  return { ready: true };
}

// --- wording ------------------------------------------------------------------------------------

/** Where money paid back goes: the old order's card, or the drawer when it was paid in cash. */
export type PaidBack = 'card' | 'cash';

/** The quote's bottom line: "The patron pays $45.00", "$40.00 goes back to the patron's card",
 * "Pay $40.00 back from the drawer", or that nothing changes hands. */
export function settlementWords(figures: Pick<ExchangeFigures, 'due' | 'surplus'>, back: PaidBack, money: (amount: number) => string): string {
  if (figures.due > 0) return `The patron pays ${money(figures.due)}`;
  if (figures.surplus > 0) {
    return back === 'cash' ? `Pay ${money(figures.surplus)} back from the drawer` : `${money(figures.surplus)} goes back to the patron’s card`;
  }
  return 'Nothing to pay either way';
}

/** After the exchange: what to do with the money, from what the server did. */
export function doneWords(view: Pick<ExchangeView, 'figures' | 'surplusTo' | 'surplusProblem'>, money: (amount: number) => string): string {
  const { figures } = view;
  if (figures.surplus > 0) {
    switch (view.surplusTo) {
      case 'card':
        return `${money(figures.surplus)} goes back to the patron’s card.`;
      case 'cash':
        return `Pay ${money(figures.surplus)} back from the drawer.`;
      case 'failed':
        return `The card refund of ${money(figures.surplus)} failed${view.surplusProblem ? ` (${view.surplusProblem.replace(/\.$/, '')})` : ''}: pay it back another way, or refund it from the old order later.`;
      default:
        return `${money(figures.surplus)} is to be paid back to the patron.`;
    }
  }
  if (figures.due > 0) return `The patron paid ${money(figures.due)}.`;
  return 'Nothing to pay either way.';
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export interface ExchangeProblem {
  message: string;
  /** The form field the message belongs next to. */
  field?: ExchangeField;
  /** The order is no longer what the page shows: read it again. */
  reload?: boolean;
}

/** Why an exchange (or its quote) was refused: nothing was exchanged or charged. */
export function exchangeProblem(e: unknown, money: (amount: number) => string = String, due?: number): ExchangeProblem {
  if (!(e instanceof ApiError)) return { message: 'Something went wrong; nothing was exchanged. Please try again.' };
  if (e.status === 0) return { message: 'The server could not be reached; nothing was exchanged. Check the connection and try again.' };
  if (e.status === 403) return { message: 'Your role cannot exchange tickets.' };
  switch (e.code) {
    case 'invalid_field':
      switch (e.field) {
        case 'payment':
          return { message: due ? `${money(due)} is due: take cash or a card.` : sentence(e.fieldMessage), field: 'payment' };
        case 'tendered':
          return { message: due ? `The cash tendered is less than the ${money(due)} to pay.` : 'The cash tendered is less than what is due.', field: 'tendered' };
        case 'performanceId':
          return { message: 'An exchange stays within the same event: choose one of its performances.', field: 'performanceId' };
        case 'quantity':
        case 'generalAdmission':
          return { message: sentence(e.fieldMessage), field: 'seats' };
        case 'fee':
          return { message: 'The exchange fee is between 0 and 1,000.00.', field: 'fee' };
        case 'ticketIds':
          return { message: sentence(e.fieldMessage), field: 'tickets' };
        default:
          return { message: sentence(e.message) };
      }
    case 'seat_unavailable': {
      if (e.details['reason'] === 'none_available') {
        return { message: 'Not enough seats together are free there. Try another zone or performance.', field: 'seats' };
      }
      const taken = stringList(e.details['seats']);
      return { message: taken.length > 0 ? 'Some of those seats were just taken. Get the price again for others.' : sentence(e.message), field: 'seats' };
    }
    case 'unknown_seats':
      return { message: 'Some seats are not on that performance’s seat map.', field: 'seats' };
    case 'not_on_sale':
      return { message: 'That performance is not on sale (a draft, paused, cancelled or over).', field: 'performanceId' };
    case 'unknown_tickets':
      return { message: 'Some of the chosen tickets are no longer valid. The order has been read again: check it and try again.', field: 'tickets', reload: true };
    case 'not_exchangeable':
      return { message: `${sentence(e.message)} The order has been read again.`, reload: true };
    case 'exchange_changed':
    case 'order_changed':
      return { message: 'The order changed meanwhile; nothing was exchanged. It has been read again: check it and try again.', reload: true };
    case 'limit_exceeded':
      return { message: sentence(e.message), field: 'seats' };
    case 'payments_not_ready':
      return { message: 'Card payments are not set up for this venue yet (see Payments). Take cash instead.', field: 'payment' };
    default:
      if (e.status === 404) return { message: 'The order or that performance no longer exists.', reload: true };
      return { message: sentence(e.message) };
  }
}
