import { describe, expect, it } from 'vitest';
import { allows, assignableRoles, mayInvite, mayManage, navFor } from './roles';
import { ROLES } from './api';

const labels = (role: Parameters<typeof navFor>[0]) => navFor(role).map((i) => i.label);

describe('navigation by role', () => {
  it('owners see everything', () => {
    expect(labels('owner')).toEqual(['Venue settings', 'Custom domains', 'Payments', 'Staff', 'Audit log', 'Events', 'Seat maps', 'Promo codes', 'Sell', 'Will call', 'Sales', 'Reports', 'Orders', 'Scan tickets']);
  });
  it('managers see everything but venue settings and domains (payments read-only)', () => {
    expect(labels('manager')).toEqual(['Payments', 'Staff', 'Audit log', 'Events', 'Seat maps', 'Promo codes', 'Sell', 'Will call', 'Sales', 'Reports', 'Orders', 'Scan tickets']);
  });
  it('box office sells, and sees sales, reports, orders and scanning', () => {
    expect(labels('box_office')).toEqual(['Sell', 'Will call', 'Sales', 'Reports', 'Orders', 'Scan tickets']);
  });
  it('scanners only scan', () => {
    expect(labels('scanner')).toEqual(['Scan tickets']);
  });
});

it('mirrors the server rules for permissions and invitations', () => {
  expect(allows('box_office', 'refund')).toBe(true);
  expect(allows('box_office', 'edit_catalog')).toBe(false);
  expect(allows('manager', 'manage_venue')).toBe(false);
  // The window: the box office sells; only owners and managers give comps.
  expect(allows('box_office', 'sell')).toBe(true);
  expect(allows('box_office', 'comp')).toBe(false);
  expect(allows('manager', 'comp')).toBe(true);
  expect(allows('owner', 'comp')).toBe(true);
  expect(allows('scanner', 'sell')).toBe(false);
  expect(mayInvite('manager', 'owner')).toBe(false);
  expect(mayInvite('manager', 'scanner')).toBe(true);
  expect(mayInvite('box_office', 'scanner')).toBe(false);
  expect(mayInvite('owner', 'owner')).toBe(true);
});

it('lets a member change only those whose role they could hand out, into such roles', () => {
  expect(assignableRoles('owner', ROLES)).toEqual(['owner', 'manager', 'box_office', 'scanner']);
  expect(assignableRoles('manager', ROLES)).toEqual(['manager', 'box_office', 'scanner']);
  expect(assignableRoles('box_office', ROLES)).toEqual([]);
  expect(mayManage('owner', 'owner')).toBe(true);
  expect(mayManage('manager', 'owner')).toBe(false);
  expect(mayManage('manager', 'manager')).toBe(true);
  expect(mayManage('scanner', 'scanner')).toBe(false);
});
