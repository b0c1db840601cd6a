// Duplicating an event for next season (`POST /admin/v1/events/{eventId}/duplicate`): the
// form's checks, the same as the server's, and the call.
import { request, type AdminSchemas as S } from './api';
import type { EventView } from './catalog';

export interface DuplicateForm {
  title: string;
  /** Empty: copy the event only. */
  shiftDays: string;
  copyPerformances: boolean;
}

export type DuplicateCheck = { ok: true; body: S['DuplicateEventRequest'] } | { ok: false; fields: Record<string, string> };

/** The most days a copy may be shifted by (the server's limit). */
export const MAX_SHIFT_DAYS = 3660;

export function defaultDuplicate(title: string): DuplicateForm {
  return { title: `${title} (copy)`, shiftDays: '364', copyPerformances: true };
}

/** Checks the form as the server does; the body to send when it is fine. */
export function checkDuplicate(form: DuplicateForm): DuplicateCheck {
  const fields: Record<string, string> = {};
  const title = form.title.trim();
  if (!title) fields['title'] = 'Enter a title for the copy.';
  else if (title.length > 200) fields['title'] = 'At most 200 characters.';
  let shiftDays: number | undefined;
  if (form.copyPerformances) {
    const days = Number(form.shiftDays.trim());
    if (!/^\d+$/.test(form.shiftDays.trim()) || days < 1 || days > MAX_SHIFT_DAYS) {
      fields['shiftDays'] = `Enter a whole number of days from 1 to ${MAX_SHIFT_DAYS} (364 keeps the weekday a year on).`;
    } else {
      shiftDays = days;
    }
  }
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return { ok: true, body: shiftDays === undefined ? { title } : { title, shiftDays } };
}

export function duplicateEvent(eventId: string, body: S['DuplicateEventRequest']): Promise<EventView> {
  return request<EventView>('POST', `/admin/v1/events/${encodeURIComponent(eventId)}/duplicate`, { body, staff: true });
}
