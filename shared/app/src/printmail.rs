//! Mailed tickets through a print-and-mail provider: a paid order's letter is sent from a
//! queued job, and the provider's tracking events move its status.
//!
//! Idempotent by construction: the letter's idempotency key is derived from the order, so a
//! retry after a crash at any point — before the provider answered, or after it accepted the
//! letter and before its id was written — gets the same letter back, never a second one; the
//! letter id is written only while the order has none (or this one). A provider failure
//! leaves the order "mail pending" with the problem noted, and the job fails so the queue
//! brings it back; nothing is dropped.

use crate::delivery::TicketDelivery;
use crate::ports::{
    Clock, LetterRenderer, LetterRequest, PortError, PostedMailStore, PrintMail, WriteRefusal,
};
use marquee_domain::records::{MailStatus, OrderRecord, PostedMail};
use marquee_domain::{Delivery, Fulfilment, OrderId, TenantId};
use std::collections::HashMap;
use std::sync::Arc;

/// What became of a letter's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LetterOutcome {
    /// The provider accepted it now.
    Sent { letter_id: String },
    /// An earlier attempt sent it.
    AlreadySent { letter_id: String },
    /// Nothing to post: the order is gone, refunded, or not posted by the provider.
    NothingToSend,
}

/// What a tracking event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackingOutcome {
    Updated(MailStatus),
    /// Not news: an event the order has passed already, or about no letter of ours.
    Ignored,
}

/// The idempotency key of an order's letter.
pub fn letter_key(order: &OrderId) -> String {
    format!("order-{order}-letter")
}

pub struct LetterFulfilment {
    orders: Arc<dyn PostedMailStore>,
    renderer: Arc<dyn LetterRenderer>,
    provider: Arc<dyn PrintMail>,
    delivery: Arc<TicketDelivery>,
    clock: Arc<dyn Clock>,
}

impl LetterFulfilment {
    pub fn new(
        orders: Arc<dyn PostedMailStore>,
        renderer: Arc<dyn LetterRenderer>,
        provider: Arc<dyn PrintMail>,
        delivery: Arc<TicketDelivery>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            orders,
            renderer,
            provider,
            delivery,
            clock,
        }
    }

    /// Sends the order's letter unless it was sent; safe to call again after a failure or a
    /// crash at any point. An error means "try again later" (the order stays pending).
    pub async fn send_letter(
        &self,
        tenant: &TenantId,
        order_id: &OrderId,
        venue_name: &str,
        return_address: Option<marquee_domain::PostalAddress>,
    ) -> Result<LetterOutcome, PortError> {
        let Some(order) = self.orders.order(tenant, order_id).await? else {
            return Ok(LetterOutcome::NothingToSend);
        };
        let (Some(mail), Some(address)) = (posted_by_provider(&order), order.address.clone())
        else {
            return Ok(LetterOutcome::NothingToSend);
        };
        if let Some(letter_id) = &mail.letter_id {
            // The patron's email may not have been queued by the attempt that sent it.
            self.delivery.tickets_posted(tenant, order_id).await?;
            return Ok(LetterOutcome::AlreadySent {
                letter_id: letter_id.clone(),
            });
        }
        if !order.status.has_valid_tickets() {
            return Ok(LetterOutcome::NothingToSend);
        }
        let pdf = self.renderer.render_letter(tenant, &order).await?;
        let letter = LetterRequest {
            idempotency_key: letter_key(order_id),
            description: format!("{venue_name} tickets, order {}", order.number),
            to: address,
            from_name: venue_name.to_owned(),
            from: return_address,
            pdf,
            metadata: HashMap::from([
                ("tenant".to_owned(), tenant.to_string()),
                ("order_id".to_owned(), order_id.to_string()),
            ]),
        };
        let sent = match self.provider.send_letter(&letter).await {
            Ok(sent) => sent,
            Err(e) => {
                self.note_problem(tenant, &order, mail, &e).await;
                return Err(e);
            }
        };
        let recorded = PostedMail {
            status: MailStatus::Submitted,
            letter_id: Some(sent.id.clone()),
            problem: None,
            updated_at: Some(self.clock.now().to_rfc3339()),
            ..mail.clone()
        };
        match self
            .orders
            .write_posted_mail(tenant, order_id, None, &recorded)
            .await
        {
            Ok(()) => {}
            // Recorded by a concurrent attempt: the same letter (same idempotency key).
            Err(WriteRefusal::Changed) => {}
            Err(WriteRefusal::Store(e)) => return Err(e),
        }
        self.delivery.tickets_posted(tenant, order_id).await?;
        tracing::info!(order = %order_id, letter = %sent.id, "tickets handed to the print-and-mail provider");
        Ok(LetterOutcome::Sent { letter_id: sent.id })
    }

    async fn note_problem(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        mail: &PostedMail,
        error: &PortError,
    ) {
        let pending = PostedMail {
            status: MailStatus::Pending,
            problem: Some(format!(
                "The print-and-mail provider failed ({error}); retrying."
            )),
            updated_at: Some(self.clock.now().to_rfc3339()),
            ..mail.clone()
        };
        if let Err(e) = self
            .orders
            .write_posted_mail(tenant, &order.id, None, &pending)
            .await
        {
            tracing::warn!(order = %order.id, error = ?e, "could not note the provider's failure");
        }
        tracing::warn!(order = %order.id, error = ?error, "the print-and-mail provider failed; the letter's job is retried");
    }
}

/// The provider's tracking events on the orders' letters (the webhook's service).
pub struct LetterTracking {
    orders: Arc<dyn PostedMailStore>,
    clock: Arc<dyn Clock>,
}

impl LetterTracking {
    pub fn new(orders: Arc<dyn PostedMailStore>, clock: Arc<dyn Clock>) -> Self {
        Self { orders, clock }
    }

    /// A tracking event of the provider's: the order's letter moves on (never back).
    pub async fn track(
        &self,
        tenant: &TenantId,
        order_id: &OrderId,
        letter_id: &str,
        status: MailStatus,
    ) -> Result<TrackingOutcome, PortError> {
        let Some(order) = self.orders.order(tenant, order_id).await? else {
            return Ok(TrackingOutcome::Ignored);
        };
        let Some(mail) = posted_by_provider(&order) else {
            return Ok(TrackingOutcome::Ignored);
        };
        if mail.letter_id.as_deref() != Some(letter_id) || !moves_on(mail.status, status) {
            return Ok(TrackingOutcome::Ignored);
        }
        let next = PostedMail {
            status,
            updated_at: Some(self.clock.now().to_rfc3339()),
            ..mail.clone()
        };
        match self
            .orders
            .write_posted_mail(tenant, order_id, Some(letter_id), &next)
            .await
        {
            Ok(()) => Ok(TrackingOutcome::Updated(status)),
            Err(WriteRefusal::Changed) => Ok(TrackingOutcome::Ignored),
            Err(WriteRefusal::Store(e)) => Err(e),
        }
    }
}

/// The order's mail record when the provider posts it.
fn posted_by_provider(order: &OrderRecord) -> Option<&PostedMail> {
    order
        .mail
        .as_ref()
        .filter(|m| order.delivery == Delivery::Mail && m.fulfilment == Fulfilment::Provider)
}

/// Tracking only moves forward; a returned letter stays returned.
fn moves_on(from: MailStatus, to: MailStatus) -> bool {
    fn rank(status: MailStatus) -> u8 {
        match status {
            MailStatus::Pending => 0,
            MailStatus::Submitted => 1,
            MailStatus::Mailed => 2,
            MailStatus::InTransit => 3,
            MailStatus::ProcessedForDelivery => 4,
            MailStatus::Returned => 5,
        }
    }
    rank(to) > rank(from)
}

#[cfg(test)]
mod tests;
