//! Sending a mail job once in practice, whatever crashes and however often SQS delivers it.
//!
//! A delivery takes a lease on its job that expires (not a claim that must be given back):
//! while it runs, another delivery of the same job waits (SQS brings it back later); once the
//! transport (SES) accepted the message its id is recorded, and every later delivery skips.
//! A delivery that crashed leaves a lease that simply runs out, and the next delivery sends —
//! unless a message id was recorded. The one window that can send twice: a crash after the
//! transport accepted the message and before its id was recorded (`tests` crash every step,
//! with an error, a panic and a hang, and show it is the only one).

use crate::jobs::MailJob;
use crate::ports::{Clock, PortError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::TenantId;
use std::sync::Arc;

/// How long a delivery may take to send a job before another delivery may send it: well past
/// the mail function's timeout (30 s), so only a crashed or timed-out delivery is overtaken.
pub const LEASE_SECONDS: i64 = 120;

/// What a delivery of a mail job may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailLease {
    /// This delivery sends, until the lease runs out.
    Acquired,
    /// Sent already (the transport's message id).
    Sent { message_id: String },
    /// Another delivery holds a live lease: try again later.
    Busy,
}

/// The jobs' leases and what was sent (DynamoDB).
#[async_trait]
pub trait MailLeases: Send + Sync {
    async fn lease(
        &self,
        tenant: &TenantId,
        job_id: &str,
        now: DateTime<Utc>,
        seconds: i64,
    ) -> Result<MailLease, PortError>;
    async fn record_sent(
        &self,
        tenant: &TenantId,
        job_id: &str,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), PortError>;
    /// Lets the retry of a delivery that failed send without waiting for the lease.
    async fn end_lease(&self, tenant: &TenantId, job_id: &str) -> Result<(), PortError>;
}

/// Renders a job into an email (reading what it is about). `None`: nothing to send any more.
#[async_trait]
pub trait MailComposer<E>: Send + Sync {
    async fn compose(&self, job: &MailJob) -> Result<Option<E>, PortError>;
}

/// Sends an email; the transport's message id.
#[async_trait]
pub trait MailTransport<E>: Send + Sync {
    async fn send(&self, email: &E) -> Result<String, PortError>;
}

/// What became of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    Sent {
        message_id: String,
    },
    /// An earlier delivery sent it.
    AlreadySent {
        message_id: String,
    },
    /// What it was about no longer exists.
    Dropped,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Another delivery is sending it now: SQS brings this one back after it finished.
    #[error("another delivery of the job is sending it")]
    Busy,
    #[error(transparent)]
    Port(#[from] PortError),
}

pub struct MailDelivery<E> {
    leases: Arc<dyn MailLeases>,
    composer: Arc<dyn MailComposer<E>>,
    transport: Arc<dyn MailTransport<E>>,
    clock: Arc<dyn Clock>,
}

impl<E: Send + Sync> MailDelivery<E> {
    pub fn new(
        leases: Arc<dyn MailLeases>,
        composer: Arc<dyn MailComposer<E>>,
        transport: Arc<dyn MailTransport<E>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            leases,
            composer,
            transport,
            clock,
        }
    }

    /// Sends the job unless it was sent; safe to call again after a failure or a crash at
    /// any point.
    pub async fn deliver(&self, job: &MailJob) -> Result<Delivered, DeliveryError> {
        let lease = self
            .leases
            .lease(&job.tenant, &job.id, self.clock.now(), LEASE_SECONDS)
            .await?;
        match lease {
            MailLease::Acquired => {}
            MailLease::Sent { message_id } => return Ok(Delivered::AlreadySent { message_id }),
            MailLease::Busy => return Err(DeliveryError::Busy),
        }
        let email = match self.composer.compose(job).await {
            Ok(Some(email)) => email,
            Ok(None) => return Ok(Delivered::Dropped),
            Err(e) => {
                self.end_lease(job).await;
                return Err(e.into());
            }
        };
        let message_id = match self.transport.send(&email).await {
            Ok(id) => id,
            Err(e) => {
                self.end_lease(job).await;
                return Err(e.into());
            }
        };
        // Failing to record it is the one window in which a redelivery sends again.
        if let Err(e) = self
            .leases
            .record_sent(&job.tenant, &job.id, &message_id, self.clock.now())
            .await
        {
            tracing::error!(job = %job.id, error = ?e, "mail sent but not recorded");
        }
        Ok(Delivered::Sent { message_id })
    }

    async fn end_lease(&self, job: &MailJob) {
        if let Err(e) = self.leases.end_lease(&job.tenant, &job.id).await {
            tracing::warn!(job = %job.id, error = ?e, "could not end a mail lease; it runs out");
        }
    }
}

#[cfg(test)]
mod tests;
