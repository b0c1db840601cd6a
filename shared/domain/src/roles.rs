//! Staff roles and what each may do. Every admin route names the permission it needs.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    BoxOffice,
    Scanner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Venue settings and custom domains.
    ManageVenue,
    /// Invite staff and see the staff list.
    ManageStaff,
    /// Seat maps, events, performances, prices, blocks.
    EditCatalog,
    /// Sales figures, order lookup.
    ViewSales,
    /// Refunds and cancellations.
    Refund,
    /// Check tickets in and out at the door.
    Scan,
    /// Sell at the window and on the phone (staff carts, cash and card).
    Sell,
    /// Give complimentary tickets (price 0, with a reason).
    Comp,
}

impl Role {
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner => true,
            Role::Manager => !matches!(permission, ManageVenue),
            Role::BoxOffice => matches!(permission, ViewSales | Refund | Scan | Sell),
            Role::Scanner => matches!(permission, Scan),
        }
    }

    /// Whether a staff member with this role may invite someone with `other`: nobody can
    /// hand out more power than they hold.
    pub fn may_invite(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Manager => !matches!(other, Role::Owner),
            Role::BoxOffice | Role::Scanner => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::BoxOffice => "box_office",
            Role::Scanner => "scanner",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanners_only_scan() {
        assert!(Role::Scanner.allows(Permission::Scan));
        assert!(!Role::Scanner.allows(Permission::ViewSales));
        assert!(!Role::Scanner.allows(Permission::EditCatalog));
    }

    #[test]
    fn the_box_office_sells_and_only_managers_give_comps() {
        assert!(Role::BoxOffice.allows(Permission::Sell));
        assert!(!Role::BoxOffice.allows(Permission::Comp));
        assert!(Role::Manager.allows(Permission::Comp));
        assert!(!Role::Scanner.allows(Permission::Sell));
    }

    #[test]
    fn box_office_cannot_edit_the_catalog() {
        assert!(Role::BoxOffice.allows(Permission::Refund));
        assert!(!Role::BoxOffice.allows(Permission::EditCatalog));
        assert!(!Role::BoxOffice.allows(Permission::ManageStaff));
    }

    #[test]
    fn only_owners_manage_the_venue_and_create_owners() {
        assert!(Role::Owner.allows(Permission::ManageVenue));
        assert!(!Role::Manager.allows(Permission::ManageVenue));
        assert!(Role::Manager.allows(Permission::ManageStaff));
        assert!(!Role::Manager.may_invite(Role::Owner));
        assert!(Role::Manager.may_invite(Role::Scanner));
        assert!(!Role::BoxOffice.may_invite(Role::Scanner));
    }

    #[test]
    fn wire_names_are_snake_case() {
        assert_eq!(
            serde_json::to_string(&Role::BoxOffice).unwrap(),
            "\"box_office\""
        );
    }
}
