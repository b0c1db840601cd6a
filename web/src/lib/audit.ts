// The venue's audit log of staff actions (API.md "Season, reports, audit").
import { request, type AdminSchemas as S } from './api';

export type AuditEntry = S['AuditEntry'];
export type AuditList = S['AuditList'];
export type AuditKind = S['AuditKind'];

/** Every kind, in the order staff think of them, with words for each. */
export const AUDIT_KINDS: readonly { kind: AuditKind; label: string }[] = [
  { kind: 'login', label: 'Logged in' },
  { kind: 'settings_changed', label: 'Changed the venue settings' },
  { kind: 'event_created', label: 'Created an event' },
  { kind: 'event_edited', label: 'Edited an event' },
  { kind: 'performance_created', label: 'Created a performance' },
  { kind: 'performance_edited', label: 'Edited a performance' },
  { kind: 'performance_published', label: 'Put a performance on sale' },
  { kind: 'performance_paused', label: 'Paused a performance' },
  { kind: 'performance_cancelled', label: 'Cancelled a performance' },
  { kind: 'order_sold', label: 'Sold at the box office' },
  { kind: 'tickets_comped', label: 'Gave complimentary tickets' },
  { kind: 'tickets_picked_up', label: 'Handed over will-call tickets' },
  { kind: 'tickets_exchanged', label: 'Exchanged tickets' },
  { kind: 'order_refunded', label: 'Refunded an order' },
  { kind: 'staff_invited', label: 'Invited a staff member' },
  { kind: 'staff_role_changed', label: "Changed a staff member's role" },
  { kind: 'staff_removed', label: 'Removed a staff member' },
  { kind: 'promo_created', label: 'Created a promo code' },
  { kind: 'promo_edited', label: 'Changed a promo code' },
  { kind: 'promo_deleted', label: 'Deleted a promo code' },
  { kind: 'seats_blocked', label: 'Blocked seats' },
  { kind: 'seats_unblocked', label: 'Unblocked seats' },
  { kind: 'password_changed', label: 'Changed their password' },
];

export function kindLabel(kind: AuditKind): string {
  return AUDIT_KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

export interface AuditFilter {
  staff: string;
  kind: AuditKind | '';
  /** YYYY-MM-DD at the venue; empty: no bound. */
  from: string;
  to: string;
}

/** The query string of a filter and page; empty parts are left out. */
export function auditQuery(filter: AuditFilter, cursor?: string | null): string {
  const params = new URLSearchParams();
  if (filter.staff.trim()) params.set('staff', filter.staff.trim());
  if (filter.kind) params.set('kind', filter.kind);
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function listAudit(filter: AuditFilter, cursor?: string | null): Promise<AuditList> {
  return request<AuditList>('GET', `/admin/v1/audit${auditQuery(filter, cursor)}`, { staff: true });
}

/** Bookkeeping that every change moves; not worth showing. */
const NOISE = new Set(['updatedAt', 'createdAt']);

/** The fields whose values differ between before and after (all of after when there was no before). */
export function changedFields(entry: AuditEntry): { field: string; before: unknown; after: unknown }[] {
  const before = (entry.before ?? {}) as Record<string, unknown>;
  const after = (entry.after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields
    .filter((f) => !NOISE.has(f) && JSON.stringify(before[f]) !== JSON.stringify(after[f]))
    .map((field) => ({ field, before: before[field], after: after[field] }));
}
