// What each staff role may do: the same table as shared/domain/src/roles.rs. The server
// enforces it on every call; the web app uses it only to show what a role can reach.
import type { Role } from './api';

export type Permission =
  | 'manage_venue' // venue settings and custom domains
  | 'manage_staff' // invite staff, see the staff list
  | 'edit_catalog' // seat maps, events, performances, prices
  | 'view_sales' // sales figures, order lookup
  | 'refund'
  | 'scan' // check tickets in and out at the door
  | 'sell' // sell at the window and on the phone (staff carts, cash and card)
  | 'comp'; // give complimentary tickets, with a reason

export function allows(role: Role, permission: Permission): boolean {
  switch (role) {
    case 'owner':
      return true;
    case 'manager':
      return permission !== 'manage_venue';
    case 'box_office':
      return permission === 'view_sales' || permission === 'refund' || permission === 'scan' || permission === 'sell';
    case 'scanner':
      return permission === 'scan';
  }
}

/** Nobody can hand out more power than they hold. */
export function mayInvite(inviter: Role, invitee: Role): boolean {
  switch (inviter) {
    case 'owner':
      return true;
    case 'manager':
      return invitee !== 'owner';
    default:
      return false;
  }
}

/** The roles `actor` may hand out, in the order of `ROLES`. */
export function assignableRoles(actor: Role, all: readonly Role[]): Role[] {
  return all.filter((role) => mayInvite(actor, role));
}

/**
 * Whether `actor` may change or remove a member who now has `memberRole`: only one whose role
 * the actor could hand out (a manager leaves owners alone). The server checks the same.
 */
export function mayManage(actor: Role, memberRole: Role): boolean {
  return mayInvite(actor, memberRole);
}

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  manager: 'Manager',
  box_office: 'Box office',
  scanner: 'Scanner',
};

export interface NavItem {
  href: string;
  label: string;
  permission: Permission;
  /** False while the page's API does not exist yet: the page only says so. */
  ready: boolean;
}

export const ADMIN_NAV: readonly NavItem[] = [
  { href: '/admin/venue', label: 'Venue settings', permission: 'manage_venue', ready: true },
  { href: '/admin/domains', label: 'Custom domains', permission: 'manage_venue', ready: true },
  // The server lets owners and managers read the payment agreement (EditCatalog: they price
  // performances); only the owner connects the Stripe account, which the page itself says.
  { href: '/admin/payments', label: 'Payments', permission: 'edit_catalog', ready: true },
  { href: '/admin/staff', label: 'Staff', permission: 'manage_staff', ready: true },
  { href: '/admin/audit', label: 'Audit log', permission: 'manage_staff', ready: true },
  { href: '/admin/events', label: 'Events', permission: 'edit_catalog', ready: true },
  { href: '/admin/seatmaps', label: 'Seat maps', permission: 'edit_catalog', ready: true },
  { href: '/admin/promo-codes', label: 'Promo codes', permission: 'edit_catalog', ready: true },
  { href: '/admin/sell', label: 'Sell', permission: 'sell', ready: true },
  { href: '/admin/will-call', label: 'Will call', permission: 'sell', ready: true },
  { href: '/admin/sales', label: 'Sales', permission: 'view_sales', ready: true },
  { href: '/admin/reports', label: 'Reports', permission: 'view_sales', ready: true },
  { href: '/admin/orders', label: 'Orders', permission: 'view_sales', ready: true },
  { href: '/admin/scan', label: 'Scan tickets', permission: 'scan', ready: true },
];

export function navFor(role: Role): NavItem[] {
  return ADMIN_NAV.filter((item) => allows(role, item.permission));
}
