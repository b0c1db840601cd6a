//! Mailed tickets at checkout (web and window alike): the venue must post tickets, the
//! address must pass its country's rules, the performance must be far enough away, and the
//! venue's mailing fee becomes its own line of the totals.

use super::CheckoutError;
use chrono::{DateTime, Utc};
use marquee_domain::records::{PostedMail, VenueRecord};
use marquee_domain::{AddressInput, Delivery, Invalid, PostalAddress, Totals};

/// What a mailed order carries: where to, and how it will be posted.
pub(super) struct MailTerms {
    pub address: PostalAddress,
    pub mail: PostedMail,
    pub fee: i64,
}

/// The terms of a `mail` delivery (`None` for any other delivery), or why it is refused.
/// `first_start`: when the earliest performance of the order starts.
pub(super) fn mail_terms(
    venue: &VenueRecord,
    delivery: Delivery,
    address: Option<&AddressInput>,
    first_start: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<MailTerms>, CheckoutError> {
    if delivery != Delivery::Mail {
        if address.is_some() {
            return Err(Invalid::new("address", "an address is only for delivery by mail").into());
        }
        return Ok(None);
    }
    let settings = &venue.settings.mail;
    if !settings.enabled {
        return Err(CheckoutError::MailNotOffered);
    }
    // Mail closes a set number of days before the earliest performance of the order.
    if let Some(first) = first_start
        && now >= settings.closes_at(first)
    {
        return Err(CheckoutError::MailClosed {
            days: settings.cutoff_days,
        });
    }
    let input = address.ok_or_else(|| Invalid::new("address", "enter the postal address"))?;
    let address = PostalAddress::parse(input, &settings.countries)?;
    Ok(Some(MailTerms {
        address,
        mail: PostedMail::pending(settings.fulfilment),
        fee: settings.fee,
    }))
}

/// Adds the mailing fee to the totals, as its own line.
pub(super) fn add_mailing_fee(totals: &mut Totals, fee: i64) -> Result<(), CheckoutError> {
    totals.mailing = fee;
    totals.total = totals
        .total
        .checked_add(fee)
        .ok_or_else(|| Invalid::new("tickets", "the order total is out of range"))?;
    Ok(())
}
