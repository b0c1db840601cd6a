//! The door: a ticket is admitted once. Its code is checked cryptographically first (so a
//! forged or altered code is refused without reading any ticket), then admitted by one
//! conditional write on the ticket's item (two doors scanning it at the same instant admit
//! it once). Scanning out allows re-entry. Every scan is logged.

use crate::ports::{Clock, DoorStore, PortError, ScanOutcome, TicketCodes};
use marquee_domain::records::{Place, ScanDirection, ScanRecord, ScanResult};
use marquee_domain::{PerformanceId, TenantId, TicketId};
use std::sync::Arc;

/// A scan at a door of a performance.
#[derive(Debug, Clone)]
pub struct Scan<'a> {
    pub performance: &'a PerformanceId,
    /// What the QR code holds (or what was typed).
    pub code: &'a str,
    pub direction: ScanDirection,
    /// Which door or scanner, at most 40 characters.
    pub door: Option<String>,
    /// Who scanned, for the log.
    pub staff: &'a str,
}

/// What the door found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    pub result: ScanResult,
    pub ticket: Option<TicketId>,
    /// Where the holder sits, when the ticket is the performance's.
    pub place: Option<Place>,
    /// For `AlreadyUsed`: when and at which door it was first admitted.
    pub used_at: Option<String>,
    pub used_door: Option<String>,
}

impl Scanned {
    fn only(result: ScanResult) -> Self {
        Self {
            result,
            ticket: None,
            place: None,
            used_at: None,
            used_door: None,
        }
    }
}

pub struct Door {
    codes: Arc<dyn TicketCodes>,
    store: Arc<dyn DoorStore>,
    clock: Arc<dyn Clock>,
}

impl Door {
    pub fn new(
        codes: Arc<dyn TicketCodes>,
        store: Arc<dyn DoorStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            codes,
            store,
            clock,
        }
    }

    pub async fn scan(&self, tenant: &TenantId, scan: Scan<'_>) -> Result<Scanned, PortError> {
        let door = scan
            .door
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| d.chars().take(40).collect::<String>());
        let scanned = self.check(tenant, &scan, door.as_deref()).await?;
        let record = ScanRecord {
            ticket_id: scanned
                .ticket
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            direction: scan.direction,
            result: scanned.result,
            door,
            staff: scan.staff.to_owned(),
            at: self.clock.now().to_rfc3339(),
        };
        // The log is for the box office's record; the door person's answer does not wait
        // on it, nor fail with it.
        if let Err(e) = self.store.log_scan(tenant, scan.performance, &record).await {
            tracing::error!(error = ?e, "could not log a scan");
        }
        Ok(scanned)
    }

    async fn check(
        &self,
        tenant: &TenantId,
        scan: &Scan<'_>,
        door: Option<&str>,
    ) -> Result<Scanned, PortError> {
        let Some(code) = self.codes.verify(tenant, scan.code.trim()).await? else {
            return Ok(Scanned::only(ScanResult::Invalid));
        };
        let Ok(ticket) = TicketId::parse(&code.ticket) else {
            return Ok(Scanned::only(ScanResult::Invalid));
        };
        if code.performance != scan.performance.as_str() {
            return Ok(Scanned {
                ticket: Some(ticket),
                ..Scanned::only(ScanResult::WrongPerformance)
            });
        }
        let entering = scan.direction == ScanDirection::In;
        let now = self.clock.now().to_rfc3339();
        let outcome = self
            .store
            .scan_ticket(tenant, scan.performance, &ticket, entering, door, &now)
            .await?;
        let place = self
            .store
            .issued_ticket(tenant, scan.performance, &ticket)
            .await?
            .map(|t| t.place);
        let found = |result| Scanned {
            ticket: Some(ticket.clone()),
            place: place.clone(),
            ..Scanned::only(result)
        };
        Ok(match outcome {
            ScanOutcome::Admitted | ScanOutcome::Left => found(ScanResult::Ok),
            ScanOutcome::AlreadyUsed { at, door } => Scanned {
                used_at: at,
                used_door: door,
                ..found(ScanResult::AlreadyUsed)
            },
            ScanOutcome::NotInside => found(ScanResult::NotInside),
            ScanOutcome::Refunded => found(ScanResult::Refunded),
            ScanOutcome::Unknown => Scanned::only(ScanResult::Invalid),
        })
    }
}

#[cfg(test)]
mod tests;
