//! Payment agreements: each venue is paid directly into its own Stripe account (Connect,
//! direct charges) and the platform takes a fee on card sales.
//!
//! The platform fee is `basis_points` of the order's total plus `fixed_per_ticket` per ticket,
//! in the venue's currency's minor units, never more than the total. The operator sets a
//! default and may override it per venue; the fee applied is stored on each order.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// At most 100 %: 10,000 basis points.
pub const MAX_BASIS_POINTS: u32 = 10_000;
/// The same bound as any price.
pub const MAX_FIXED_PER_TICKET: i64 = 99_999_999;

/// What the platform takes from a card sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlatformFee {
    /// Of the order's total: 250 = 2.5 %.
    #[schema(minimum = 0, maximum = 10000)]
    pub basis_points: u32,
    /// Per ticket, in the venue's currency's minor units.
    #[schema(minimum = 0, maximum = 99999999)]
    pub fixed_per_ticket: i64,
}

impl PlatformFee {
    /// Checks the bounds of a fee an operator typed.
    pub fn parse(self) -> Result<Self, Invalid> {
        if self.basis_points > MAX_BASIS_POINTS {
            return Err(Invalid::new(
                "basisPoints",
                "must be between 0 and 10000 (100 %)",
            ));
        }
        if !(0..=MAX_FIXED_PER_TICKET).contains(&self.fixed_per_ticket) {
            return Err(Invalid::new(
                "fixedPerTicket",
                "must be between 0 and 99999999 minor units",
            ));
        }
        Ok(self)
    }

    /// The fee on an order of `tickets` tickets totalling `total` minor units: the percentage
    /// rounded half up, plus the fixed part per ticket, capped at the total (a fee can never
    /// exceed what the patron pays).
    pub fn amount(self, total: i64, tickets: usize) -> i64 {
        if total <= 0 {
            return 0;
        }
        let share = (i128::from(total) * i128::from(self.basis_points) + 5_000) / 10_000;
        let fixed = i128::from(self.fixed_per_ticket) * tickets as i128;
        i64::try_from((share + fixed).min(i128::from(total))).unwrap_or(total)
    }

    /// The part of `fee` that goes back with a refund of `refunded` out of `total`, in
    /// proportion (as Stripe refunds an application fee), rounded down so the sum of partial
    /// refunds never exceeds the fee.
    pub fn refunded_share(fee: i64, refunded: i64, total: i64) -> i64 {
        if total <= 0 || fee <= 0 {
            return 0;
        }
        i64::try_from(i128::from(fee) * i128::from(refunded.clamp(0, total)) / i128::from(total))
            .unwrap_or(fee)
    }
}

/// The operator's settings for every venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformSettings {
    /// Applies to venues without an override.
    pub platform_fee: PlatformFee,
    /// Whether refunds (by staff, or of a cancelled performance) give the platform fee back
    /// in proportion. A payment that bought nothing always gives it back whole.
    pub refund_platform_fee: bool,
}

impl Default for PlatformSettings {
    fn default() -> Self {
        Self {
            platform_fee: PlatformFee::default(),
            refund_platform_fee: true,
        }
    }
}

/// Where a venue's onboarding with Stripe stands, as the admin shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentsStatus {
    /// No Stripe account yet: "Connect with Stripe".
    NotConnected,
    /// Onboarding started and not finished (or Stripe still needs something before the first
    /// sale): "Finish setup", with what Stripe asks for.
    Incomplete,
    /// Charges and payouts enabled.
    Connected,
    /// Stripe disabled charges on an account that could take them: why, and what to do.
    Restricted,
}

/// A venue's connected Stripe account as last read from Stripe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedAccount {
    /// `acct_…`
    pub account_id: String,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    /// Stripe's outstanding requirements (currently due and past due), e.g. `external_account`.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Stripe's reason when charges are disabled (`requirements.past_due`, `rejected.fraud`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    /// Whether the account could ever take charges: losing them then is a restriction, not
    /// an unfinished onboarding.
    #[serde(default)]
    pub ever_enabled: bool,
    /// When Stripe's state was last read (RFC 3339).
    pub updated_at: String,
}

impl ConnectedAccount {
    pub fn status(&self) -> PaymentsStatus {
        match (
            self.charges_enabled,
            self.payouts_enabled,
            self.ever_enabled,
        ) {
            (true, true, _) => PaymentsStatus::Connected,
            (false, _, true) => PaymentsStatus::Restricted,
            _ => PaymentsStatus::Incomplete,
        }
    }

    /// The same account read again from Stripe: keeps whether it was ever enabled.
    pub fn updated(self, previous: Option<&ConnectedAccount>) -> Self {
        let ever_enabled = self.charges_enabled
            || self.ever_enabled
            || previous.is_some_and(|p| p.account_id == self.account_id && p.ever_enabled);
        Self {
            ever_enabled,
            ..self
        }
    }
}

/// What Stripe may show as the venue's name on a card statement: 5 to 22 characters, Latin
/// letters, digits, spaces and a few marks, at least one letter, none of `<>\'"*`.
pub fn statement_descriptor(venue_name: &str) -> String {
    let mut out: String = venue_name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | ' ' | '-' | '.' | ',' | '&' => c,
            _ => ' ',
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase();
    out.truncate(22);
    let out = out.trim_end().to_owned();
    if out.len() < 5 || !out.chars().any(|c| c.is_ascii_alphabetic()) {
        let padded = format!("{out} TICKETS");
        padded.trim().chars().take(22).collect()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fee(basis_points: u32, fixed_per_ticket: i64) -> PlatformFee {
        PlatformFee {
            basis_points,
            fixed_per_ticket,
        }
    }

    #[test]
    fn the_fee_is_a_share_of_the_total_plus_a_fixed_part_per_ticket() {
        // 2.5 % of $170.00 is $4.25, plus 3 × $0.50.
        assert_eq!(fee(250, 50).amount(17_000, 3), 425 + 150);
        // Rounded half up: 2.5 % of 10 cents is 0.25 → 0; of 20 cents 0.5 → 1.
        assert_eq!(fee(250, 0).amount(10, 1), 0);
        assert_eq!(fee(250, 0).amount(20, 1), 1);
    }

    #[test]
    fn the_fee_never_exceeds_what_the_patron_pays() {
        assert_eq!(fee(10_000, 99_999_999).amount(1_000, 2), 1_000);
        assert_eq!(fee(250, 50).amount(0, 2), 0);
    }

    #[test]
    fn out_of_range_fees_are_refused_with_the_field() {
        assert_eq!(fee(10_001, 0).parse().unwrap_err().field, "basisPoints");
        assert_eq!(fee(0, -1).parse().unwrap_err().field, "fixedPerTicket");
        assert_eq!(
            fee(0, 100_000_000).parse().unwrap_err().field,
            "fixedPerTicket"
        );
        assert!(fee(10_000, 99_999_999).parse().is_ok());
    }

    #[test]
    fn partial_refunds_never_give_back_more_than_the_fee() {
        let fee = 575;
        let halves = PlatformFee::refunded_share(fee, 8_500, 17_000) * 2;
        assert!(halves <= fee);
        assert_eq!(PlatformFee::refunded_share(fee, 17_000, 17_000), fee);
        assert_eq!(PlatformFee::refunded_share(fee, 0, 17_000), 0);
    }

    fn account(charges: bool, payouts: bool, ever: bool) -> ConnectedAccount {
        ConnectedAccount {
            account_id: "acct_1".into(),
            charges_enabled: charges,
            payouts_enabled: payouts,
            details_submitted: true,
            requirements: Vec::new(),
            disabled_reason: None,
            ever_enabled: ever,
            updated_at: String::new(),
        }
    }

    #[test]
    fn the_status_follows_charges_payouts_and_history() {
        assert_eq!(
            account(false, false, false).status(),
            PaymentsStatus::Incomplete
        );
        assert_eq!(
            account(true, false, true).status(),
            PaymentsStatus::Incomplete
        );
        assert_eq!(
            account(true, true, true).status(),
            PaymentsStatus::Connected
        );
        assert_eq!(
            account(false, false, true).status(),
            PaymentsStatus::Restricted
        );
    }

    #[test]
    fn an_account_that_lost_charges_is_restricted_not_incomplete() {
        let before = account(true, true, true);
        let now = account(false, false, false).updated(Some(&before));
        assert_eq!(now.status(), PaymentsStatus::Restricted);
        let fresh = account(false, false, false).updated(None);
        assert_eq!(fresh.status(), PaymentsStatus::Incomplete);
    }

    #[test]
    fn statement_descriptors_follow_stripes_rules() {
        assert_eq!(statement_descriptor("Demo Playhouse"), "DEMO PLAYHOUSE");
        assert_eq!(
            statement_descriptor("Théâtre <du> \"Soleil\" * Grand Auditorium"),
            "TH TRE DU SOLEIL GRAND"
        );
        assert_eq!(statement_descriptor("ABC"), "ABC TICKETS");
        assert_eq!(statement_descriptor("12345"), "12345 TICKETS");
    }
}
