//! The DynamoDB adapters of the application layer's store ports: each method is one of the
//! store's own operations, with its errors turned into what the port promises.

use crate::Store;
use async_trait::async_trait;
use marquee_app::ports::{
    Catalog, CheckoutRefusal, CheckoutWrite, DoorStore, HoldRefusal, HoldRequest, HoldStore,
    OrderStore, PaymentEvents, PlacesToHold, PortError, PromoStore, RefundWrite, ReleaseBy,
    SaleRefusal, SaleWrite, ScanOutcome, SeatToHold, WriteRefusal,
};
use marquee_domain::promo::{PromoCode, PromoRecord};
use marquee_domain::records::{
    CartRecord, EventRecord, HoldRecord, IssuedTicketRecord, OrderRecord, PerformanceRecord,
    RefundRecord, ScanRecord, SeatMapRecord, SeatStateRecord, VenueRecord,
};
use marquee_domain::seatmap::{SeatId, SectionId};
use marquee_domain::{
    CartId, EventId, HoldId, OrderId, PerformanceId, ScanId, SeatMap, SeatMapId, TenantId, TicketId,
};

#[async_trait]
impl Catalog for Store {
    async fn venue(&self, tenant: &TenantId) -> Result<Option<VenueRecord>, PortError> {
        Ok(Store::venue(self, tenant).await?)
    }

    async fn performance(
        &self,
        tenant: &TenantId,
        id: &PerformanceId,
    ) -> Result<Option<PerformanceRecord>, PortError> {
        Ok(Store::performance(self, tenant, id).await?)
    }

    async fn event(
        &self,
        tenant: &TenantId,
        id: &EventId,
    ) -> Result<Option<EventRecord>, PortError> {
        Ok(Store::event(self, tenant, id).await?)
    }

    async fn seat_map(
        &self,
        tenant: &TenantId,
        id: &SeatMapId,
    ) -> Result<Option<(SeatMapRecord, SeatMap)>, PortError> {
        Ok(Store::seat_map(self, tenant, id).await?)
    }

    async fn seat_states(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        sections: &[SectionId],
    ) -> Result<Vec<(SeatId, SeatStateRecord)>, PortError> {
        Ok(Store::seat_states(self, tenant, performance, sections)
            .await?
            .into_iter()
            .collect())
    }

    async fn platform_settings(&self) -> Result<marquee_domain::PlatformSettings, PortError> {
        Ok(Store::platform_settings(self).await?)
    }
}

#[async_trait]
impl HoldStore for Store {
    async fn create_cart(&self, tenant: &TenantId, cart: &CartRecord) -> Result<(), PortError> {
        Ok(Store::create_cart(self, tenant, cart).await?)
    }

    async fn cart(
        &self,
        tenant: &TenantId,
        cart: &CartId,
    ) -> Result<Option<(CartRecord, Vec<HoldRecord>)>, PortError> {
        Ok(Store::cart(self, tenant, cart).await?)
    }

    async fn hold(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        hold: &HoldId,
    ) -> Result<Option<HoldRecord>, PortError> {
        Ok(Store::hold(self, tenant, cart, hold).await?)
    }

    async fn hold_seats(
        &self,
        request: &HoldRequest<'_>,
        seats: &[SeatToHold],
    ) -> Result<Vec<HoldRecord>, HoldRefusal> {
        Store::hold_seats(self, request, seats).await
    }

    async fn hold_places(
        &self,
        request: &HoldRequest<'_>,
        places: &PlacesToHold<'_>,
    ) -> Result<Vec<HoldRecord>, HoldRefusal> {
        Store::hold_general_admission(
            self,
            request,
            places.area,
            places.zone,
            places.capacity,
            places.hold_ids,
        )
        .await
    }

    async fn release_hold(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        hold: &HoldRecord,
        by: ReleaseBy<'_>,
        now: i64,
    ) -> Result<(), HoldRefusal> {
        Store::release_hold(self, tenant, cart, hold, by, now).await
    }

    async fn expire_cart(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        version: u32,
    ) -> Result<bool, PortError> {
        Ok(Store::expire_cart(self, tenant, cart, version).await?)
    }

    async fn abandon_promo_checkout(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        reason: &str,
    ) -> Result<bool, PortError> {
        let Some(stored) = Store::order(self, tenant, order).await? else {
            return Ok(false);
        };
        if stored.status != marquee_domain::OrderStatus::Pending || stored.promo.is_none() {
            return Ok(false);
        }
        match Store::cancel_pending_order(self, tenant, &stored, reason).await {
            Ok(()) => Ok(true),
            Err(crate::StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn expire_pay_later_order(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        now: i64,
        reason: &str,
    ) -> Result<Option<OrderRecord>, PortError> {
        let Some(stored) = Store::order(self, tenant, order).await? else {
            return Ok(None);
        };
        if !stored
            .pay_later
            .as_ref()
            .is_some_and(|p| p.has_expired(now))
        {
            return Ok(None);
        }
        match stored.status {
            marquee_domain::OrderStatus::Pending => {}
            marquee_domain::OrderStatus::Cancelled => return Ok(Some(stored)),
            _ => return Ok(None),
        }
        // Conditional on the order still pending: a payment completed meanwhile wins, and a
        // second sweep finds it cancelled already.
        match Store::cancel_pending_order(self, tenant, &stored, reason).await {
            Ok(()) => Ok(Some(OrderRecord {
                status: marquee_domain::OrderStatus::Cancelled,
                problem: Some(reason.to_owned()),
                version: stored.version + 1,
                ..stored
            })),
            // Paid or cancelled meanwhile: say which.
            Err(crate::StoreError::ConditionFailed) => match Store::order(self, tenant, order)
                .await?
            {
                Some(now) if now.status == marquee_domain::OrderStatus::Cancelled => Ok(Some(now)),
                _ => Ok(None),
            },
            Err(e) => Err(e.into()),
        }
    }

    async fn file_for_expiry(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        version: Option<u32>,
        next: Option<i64>,
    ) -> Result<bool, PortError> {
        Ok(Store::file_for_expiry(self, tenant, cart, version, next).await?)
    }

    async fn carts_due(&self, now: i64) -> Result<Vec<(TenantId, CartId)>, PortError> {
        Ok(Store::carts_due(self, now).await?)
    }
}

#[async_trait]
impl OrderStore for Store {
    async fn checkout(&self, write: &CheckoutWrite<'_>) -> Result<(), CheckoutRefusal> {
        Store::checkout(self, write).await
    }

    async fn order(
        &self,
        tenant: &TenantId,
        id: &OrderId,
    ) -> Result<Option<OrderRecord>, PortError> {
        Ok(Store::order(self, tenant, id).await?)
    }

    async fn set_payment_intent(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        payment_intent: &str,
    ) -> Result<(), WriteRefusal> {
        Ok(Store::set_payment_intent(self, tenant, order, payment_intent).await?)
    }

    async fn reopen_cart_after_failed_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        problem: &str,
    ) -> Result<(), WriteRefusal> {
        Ok(Store::reopen_cart_after_failed_payment(self, tenant, order, problem).await?)
    }

    async fn cancel_pending_order(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        reason: &str,
    ) -> Result<(), WriteRefusal> {
        Ok(Store::cancel_pending_order(self, tenant, order, reason).await?)
    }

    async fn set_window_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        sale: &marquee_domain::records::WindowSale,
        stripe_account: Option<&str>,
        platform_fee: i64,
    ) -> Result<(), WriteRefusal> {
        Ok(
            Store::set_window_payment(self, tenant, order, sale, stripe_account, platform_fee)
                .await?,
        )
    }

    async fn sell_order(&self, write: &SaleWrite<'_>) -> Result<(), SaleRefusal> {
        Store::sell_order(
            self,
            write.tenant,
            write.order,
            write.holds,
            write.capacities,
            write.now,
            write.paid_at,
            write.exchange.as_ref(),
        )
        .await
    }

    async fn record_unfulfilled_refund(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        refund: &RefundRecord,
        reason: &str,
    ) -> Result<(), WriteRefusal> {
        Ok(Store::record_unfulfilled_refund(self, tenant, order, refund, reason).await?)
    }

    async fn release_cart(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        holds: &[HoldRecord],
        now: i64,
    ) -> Result<(), PortError> {
        Ok(Store::release_cart(self, tenant, cart, holds, now).await?)
    }

    async fn refund_tickets(&self, write: &RefundWrite<'_>) -> Result<(), WriteRefusal> {
        Ok(Store::refund_tickets(
            self,
            write.tenant,
            write.order,
            write.tickets,
            write.refund,
            write.status,
        )
        .await?)
    }

    async fn performance_tickets(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
    ) -> Result<Vec<IssuedTicketRecord>, PortError> {
        Ok(Store::performance_tickets(self, tenant, performance).await?)
    }
}

#[async_trait]
impl PromoStore for Store {
    async fn promos(&self, tenant: &TenantId) -> Result<Vec<PromoRecord>, PortError> {
        Ok(Store::promos(self, tenant).await?)
    }

    async fn promo(
        &self,
        tenant: &TenantId,
        code: &PromoCode,
    ) -> Result<Option<PromoRecord>, PortError> {
        Ok(Store::promo(self, tenant, code).await?)
    }

    async fn create_promo(
        &self,
        tenant: &TenantId,
        promo: &PromoRecord,
    ) -> Result<(), WriteRefusal> {
        Ok(Store::create_promo(self, tenant, promo).await?)
    }

    async fn replace_promo(
        &self,
        tenant: &TenantId,
        promo: &PromoRecord,
    ) -> Result<(), WriteRefusal> {
        Ok(Store::replace_promo(self, tenant, promo).await?)
    }

    async fn set_cart_promo(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        token_hash: &str,
        code: Option<&PromoCode>,
    ) -> Result<(), WriteRefusal> {
        Ok(Store::set_cart_promo(self, tenant, cart, token_hash, code).await?)
    }
}

#[async_trait]
impl DoorStore for Store {
    async fn scan_ticket(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        ticket: &TicketId,
        entering: bool,
        door: Option<&str>,
        at: &str,
    ) -> Result<ScanOutcome, PortError> {
        Ok(Store::scan_ticket(self, tenant, performance, ticket, entering, door, at).await?)
    }

    async fn issued_ticket(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        ticket: &TicketId,
    ) -> Result<Option<IssuedTicketRecord>, PortError> {
        Ok(Store::issued_ticket(self, tenant, performance, ticket).await?)
    }

    async fn log_scan(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
        record: &ScanRecord,
    ) -> Result<(), PortError> {
        Ok(Store::log_scan(self, tenant, performance, &ScanId::generate(), record).await?)
    }
}

#[async_trait]
impl PaymentEvents for Store {
    async fn seen(&self, tenant: &TenantId, event_id: &str) -> Result<bool, PortError> {
        Ok(Store::stripe_event_seen(self, tenant, event_id).await?)
    }

    async fn record(
        &self,
        tenant: &TenantId,
        event_id: &str,
        kind: &str,
        outcome: &str,
        remember_until: i64,
    ) -> Result<(), PortError> {
        Ok(
            Store::record_stripe_event(self, tenant, event_id, kind, outcome, remember_until)
                .await?,
        )
    }
}

#[async_trait]
impl marquee_app::mail::MailLeases for Store {
    async fn lease(
        &self,
        tenant: &TenantId,
        job_id: &str,
        now: chrono::DateTime<chrono::Utc>,
        seconds: i64,
    ) -> Result<marquee_app::mail::MailLease, PortError> {
        Ok(Store::lease_mail_job(self, tenant, job_id, now, seconds).await?)
    }

    async fn record_sent(
        &self,
        tenant: &TenantId,
        job_id: &str,
        message_id: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), PortError> {
        Ok(Store::record_mail_sent(self, tenant, job_id, message_id, at).await?)
    }

    async fn end_lease(&self, tenant: &TenantId, job_id: &str) -> Result<(), PortError> {
        Ok(Store::end_mail_lease(self, tenant, job_id).await?)
    }
}

#[async_trait]
impl marquee_app::ports::PostedMailStore for Store {
    async fn order(
        &self,
        tenant: &TenantId,
        id: &OrderId,
    ) -> Result<Option<OrderRecord>, PortError> {
        Ok(Store::order(self, tenant, id).await?)
    }

    async fn write_posted_mail(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        expected_letter: Option<&str>,
        mail: &marquee_domain::records::PostedMail,
    ) -> Result<(), WriteRefusal> {
        Ok(Store::write_posted_mail(self, tenant, order, expected_letter, mail).await?)
    }
}
