//! Ticket delivery: which mail a sale or a refund triggers, and where its links point. Each
//! job's id is derived from what it is about, so asking twice (a redelivered webhook, a
//! retried refund) sends one email.

use crate::catalog::SaleCatalog;
use crate::jobs::{MailJob, MailMessage};
use crate::ports::{MailQueue, PortError};
use chrono::{DateTime, Utc};
use marquee_domain::{OrderId, PerformanceId, TenantId};
use std::sync::Arc;

pub struct TicketDelivery {
    catalog: Arc<SaleCatalog>,
    mail: Arc<dyn MailQueue>,
    /// Links in mail: `{host}` replaced by the venue's hostname.
    public_url_template: String,
}

impl TicketDelivery {
    pub fn new(
        catalog: Arc<SaleCatalog>,
        mail: Arc<dyn MailQueue>,
        public_url_template: impl Into<String>,
    ) -> Self {
        Self {
            catalog,
            mail,
            public_url_template: public_url_template.into(),
        }
    }

    /// Where the patron sees the order again.
    async fn order_url(&self, tenant: &TenantId, order: &OrderId) -> Result<String, PortError> {
        let venue = self
            .catalog
            .venue(tenant)
            .await?
            .ok_or_else(|| PortError::new("catalog", "the order's venue is gone"))?;
        Ok(format!(
            "{}/orders/{order}",
            self.public_url_template
                .replace("{host}", venue.hostname.as_str())
        ))
    }

    /// The order is paid: its tickets go out by email (the mailer attaches them), and a
    /// mailed order the provider posts gets its letter's job (once, by its id).
    pub async fn order_paid(
        &self,
        tenant: &TenantId,
        paid: &marquee_domain::records::OrderRecord,
    ) -> Result<(), PortError> {
        let order = &paid.id;
        if paid.delivery == marquee_domain::Delivery::Mail
            && paid
                .mail
                .as_ref()
                .is_some_and(|m| m.fulfilment == marquee_domain::Fulfilment::Provider)
        {
            let letter = MailJob::once(
                tenant.clone(),
                crate::printmail::letter_key(order),
                MailMessage::PrintLetter {
                    order_id: order.clone(),
                },
            );
            self.mail.enqueue(&letter).await?;
        }
        let view_url = self.order_url(tenant, order).await?;
        let job = MailJob::once(
            tenant.clone(),
            format!("order-{order}-confirmation"),
            MailMessage::OrderConfirmation {
                order_id: order.clone(),
                view_url,
            },
        );
        self.mail.enqueue(&job).await
    }

    /// A phone order is to be paid through a link: the patron gets it once (the job's id is
    /// the order's), with the order's token so the page can show and take the payment.
    pub async fn payment_link(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        order_token: &str,
    ) -> Result<(), PortError> {
        let pay_url = format!(
            "{}?token={order_token}",
            self.order_url(tenant, order).await?
        );
        let job = MailJob::once(
            tenant.clone(),
            format!("order-{order}-payment-link"),
            MailMessage::PaymentLink {
                order_id: order.clone(),
                pay_url,
            },
        );
        self.mail.enqueue(&job).await
    }

    /// A mailed order's tickets are on their way: the patron is told once, however often
    /// the posting is recorded (a retried job, a second click).
    pub async fn tickets_posted(
        &self,
        tenant: &TenantId,
        order: &OrderId,
    ) -> Result<(), PortError> {
        let view_url = self.order_url(tenant, order).await?;
        let job = MailJob::once(
            tenant.clone(),
            format!("order-{order}-posted"),
            MailMessage::TicketsPosted {
                order_id: order.clone(),
                view_url,
            },
        );
        self.mail.enqueue(&job).await
    }

    /// Money went back to the patron: they are told how much and why.
    pub async fn order_refunded(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        refund_id: &str,
    ) -> Result<(), PortError> {
        let view_url = self.order_url(tenant, order).await?;
        let job = MailJob::once(
            tenant.clone(),
            format!("order-{order}-refund-{refund_id}"),
            MailMessage::OrderRefunded {
                order_id: order.clone(),
                refund_id: refund_id.to_owned(),
                view_url,
            },
        );
        self.mail.enqueue(&job).await
    }

    /// A performance moved from `was` to `now`: each order with tickets for it is told
    /// once per move (asking again for the same move sends nothing more).
    pub async fn performance_moved(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        was: DateTime<Utc>,
        now: DateTime<Utc>,
        orders: &[OrderId],
    ) -> Result<(), PortError> {
        for order in orders {
            let view_url = self.order_url(tenant, order).await?;
            let job = MailJob::once(
                tenant.clone(),
                format!("order-{order}-moved-{performance}-{}", now.timestamp()),
                MailMessage::PerformanceMoved {
                    order_id: order.clone(),
                    performance_id: performance.clone(),
                    was,
                    view_url,
                },
            );
            self.mail.enqueue(&job).await?;
        }
        Ok(())
    }
}
