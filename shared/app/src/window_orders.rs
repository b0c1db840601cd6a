//! What the box office does with its own orders after the sale: take the payment of a
//! reservation (cash with change, or a card on the venue's Stripe account), cancel a
//! reservation before its deadline, and cancel a card sale still waiting for its payment.
//!
//! A reservation is a `pending` order with `pay_later` (see `checkout.rs`, `WindowPayment::
//! Reserve`): its places stay held until the deadline, when the scheduled sweep releases them
//! and cancels it (`Holds::sweep`). Paying it runs the same sale as any window sale
//! (`Sales::complete_free_order` for cash, the payment webhook for a card).

use crate::agreements::PaymentAgreements;
use crate::catalog::SaleCatalog;
use crate::ports::{
    Clock, CreatedPaymentIntent, HoldStore, OrderStore, PaymentAccount, PaymentError,
    PaymentRequest, Payments, PortError, WriteRefusal,
};
use crate::sales::{SaleError, Sales};
use marquee_domain::records::{
    OrderRecord, PAY_LATER_EXPIRED, PayLaterKind, RESERVATION_CANCELLED, SaleMethod, WindowSale,
};
use marquee_domain::seatmap::SeatId;
use marquee_domain::{Email, Invalid, OrderId, OrderStatus, TenantId};
use std::collections::HashMap;
use std::sync::Arc;

/// Why a card sale waiting for its payment was cancelled at the window.
pub const CARD_SALE_CANCELLED: &str = "The card payment was cancelled at the box office.";

/// Why the box office could not do that to the order.
#[derive(Debug, thiserror::Error)]
pub enum WindowOrderError {
    #[error("no such order")]
    OrderNotFound,
    /// Not a reservation (to pay or cancel as one).
    #[error("the order is not a reservation")]
    NotReservation,
    /// Paid already (or refunded since).
    #[error("the order is paid already")]
    AlreadyPaid,
    /// Its deadline passed: the places were (or are being) released.
    #[error("the reservation ran out")]
    ReservationExpired,
    /// Cancelled, by staff or by a newer checkout.
    #[error("the order was cancelled")]
    Cancelled,
    /// Not a box office card sale waiting for its payment.
    #[error("not a card sale waiting for its payment")]
    NotWaitingCardSale,
    /// The card payment went through already (or is going through): it cannot be cancelled.
    #[error("the payment could not be cancelled: {0}")]
    PaymentUnderway(String),
    #[error("{0}")]
    PaymentsNotReady(String),
    /// The order changed meanwhile (another clerk): read it again.
    #[error("the order changed meanwhile")]
    Changed,
    #[error("seats were taken: {0:?}")]
    SeatsLost(Vec<SeatId>),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Store(#[from] PortError),
}

impl From<WriteRefusal> for WindowOrderError {
    fn from(e: WriteRefusal) -> Self {
        match e {
            WriteRefusal::Changed => Self::Changed,
            WriteRefusal::Store(e) => Self::Store(e),
        }
    }
}

/// How a reservation is paid at the box office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReservationPayment {
    /// Cash handed over (minor units): at least the total.
    Cash { tendered: i64 },
    /// A card through the venue's Stripe account: the order is paid when the webhook says so.
    Card,
}

/// A reservation's payment as taken.
#[derive(Debug)]
pub struct ReservationPaid {
    /// `paid` for cash; `pending` until the card payment succeeds.
    pub order: OrderRecord,
    /// The card payment to confirm, for a card.
    pub payment: Option<CreatedPaymentIntent>,
}

pub struct WindowOrders {
    catalog: Arc<SaleCatalog>,
    carts: Arc<dyn HoldStore>,
    orders: Arc<dyn OrderStore>,
    payments: Arc<dyn Payments>,
    sales: Arc<Sales>,
    clock: Arc<dyn Clock>,
}

impl WindowOrders {
    pub fn new(
        catalog: Arc<SaleCatalog>,
        carts: Arc<dyn HoldStore>,
        orders: Arc<dyn OrderStore>,
        payments: Arc<dyn Payments>,
        sales: Arc<Sales>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            catalog,
            carts,
            orders,
            payments,
            sales,
            clock,
        }
    }

    /// A reservation still to pay, read afresh: why not otherwise.
    async fn open_reservation(
        &self,
        tenant: &TenantId,
        id: &OrderId,
    ) -> Result<OrderRecord, WindowOrderError> {
        let order = self
            .orders
            .order(tenant, id)
            .await?
            .ok_or(WindowOrderError::OrderNotFound)?;
        let Some(pay_later) = order
            .pay_later
            .as_ref()
            .filter(|p| p.kind == PayLaterKind::Reservation)
        else {
            return Err(WindowOrderError::NotReservation);
        };
        let now = self.clock.now().timestamp_millis();
        match order.status {
            OrderStatus::Paid | OrderStatus::PartiallyRefunded | OrderStatus::Refunded => {
                Err(WindowOrderError::AlreadyPaid)
            }
            OrderStatus::Cancelled
                if order.problem.as_deref() == Some(PAY_LATER_EXPIRED)
                    || pay_later.has_expired(now) =>
            {
                Err(WindowOrderError::ReservationExpired)
            }
            OrderStatus::Cancelled => Err(WindowOrderError::Cancelled),
            // Past the deadline the places may be someone else's already, swept or not.
            OrderStatus::Pending if pay_later.has_expired(now) => {
                Err(WindowOrderError::ReservationExpired)
            }
            OrderStatus::Pending => Ok(order),
        }
    }

    /// Takes the payment of a reservation. Cash: paid at once and the tickets issued, with
    /// the change. Card: a PaymentIntent on the venue's account, paid when the webhook says
    /// so (before the deadline, or the sweep releases the places and the payment goes back).
    pub async fn pay_reservation(
        &self,
        tenant: &TenantId,
        id: &OrderId,
        by: &Email,
        payment: ReservationPayment,
    ) -> Result<ReservationPaid, WindowOrderError> {
        let order = self.open_reservation(tenant, id).await?;
        // A card payment started earlier and not finished: it must not also be paid.
        self.cancel_intent(&order).await?;
        let total = order.totals.total;
        let mut sale = WindowSale {
            by: by.clone(),
            method: SaleMethod::Card,
            tendered: None,
            change: None,
            reason: None,
            comp_value: None,
        };
        match payment {
            ReservationPayment::Cash { tendered } => {
                if !(0..=marquee_domain::pricing::MAX_AMOUNT).contains(&tendered) {
                    return Err(
                        Invalid::new("tendered", "the cash handed over, in minor units").into(),
                    );
                }
                if tendered < total {
                    let due = marquee_domain::Money::from_minor(total, order.totals.currency);
                    return Err(
                        Invalid::new("tendered", format!("less than the total of {due}")).into(),
                    );
                }
                sale.method = SaleMethod::Cash;
                sale.tendered = Some(tendered);
                sale.change = Some(tendered - total);
                self.orders
                    .set_window_payment(tenant, &order, &sale, None, 0)
                    .await?;
                let order = OrderRecord {
                    sale: Some(sale),
                    stripe_account: None,
                    platform_fee: 0,
                    payment_intent: None,
                    version: order.version + 1,
                    ..order
                };
                self.sales
                    .complete_free_order(tenant, &order)
                    .await
                    .map_err(|e| match e {
                        SaleError::SeatsLost(seats) => WindowOrderError::SeatsLost(seats),
                        SaleError::Store(e) => WindowOrderError::Store(e),
                        other => WindowOrderError::Store(PortError::new("sale", other.to_string())),
                    })?;
                let order = OrderRecord {
                    status: OrderStatus::Paid,
                    ..order
                };
                tracing::info!(order = %order.id, "reservation paid in cash");
                Ok(ReservationPaid {
                    order,
                    payment: None,
                })
            }
            ReservationPayment::Card if total == 0 => {
                // Nothing to charge: the tickets are issued at once.
                Box::pin(self.pay_reservation(
                    tenant,
                    id,
                    by,
                    ReservationPayment::Cash { tendered: 0 },
                ))
                .await
            }
            ReservationPayment::Card => {
                let venue = self
                    .catalog
                    .venue(tenant)
                    .await?
                    .ok_or(WindowOrderError::OrderNotFound)?;
                let account = PaymentAgreements::ready_to_sell(&venue)
                    .map_err(|e| WindowOrderError::PaymentsNotReady(e.to_string()))?;
                let fee = match venue.platform_fee {
                    Some(fee) => fee,
                    None => self.catalog.platform_settings().await?.platform_fee,
                };
                let platform_fee = fee.amount(total, order.tickets.len());
                self.orders
                    .set_window_payment(
                        tenant,
                        &order,
                        &sale,
                        Some(&account.account_id),
                        platform_fee,
                    )
                    .await?;
                let order = OrderRecord {
                    sale: Some(sale),
                    stripe_account: Some(account.account_id.clone()),
                    platform_fee,
                    payment_intent: None,
                    version: order.version + 1,
                    ..order
                };
                let intent = self
                    .payments
                    .create_payment_intent(PaymentRequest {
                        amount: total,
                        currency: order.totals.currency.code(),
                        description: format!(
                            "{}: reservation {} paid at the box office",
                            venue.settings.name, order.number
                        ),
                        receipt_email: &order.email,
                        metadata: HashMap::from([
                            ("tenant".to_owned(), tenant.to_string()),
                            ("order_id".to_owned(), order.id.to_string()),
                            ("cart_id".to_owned(), order.cart_id.to_string()),
                            ("order_number".to_owned(), order.number.to_string()),
                        ]),
                        // Each attempt is a new version of the order: a new intent.
                        idempotency_key: format!("reservation-{}-v{}", order.id, order.version),
                        account: PaymentAccount::of(order.stripe_account.as_deref()),
                        application_fee: platform_fee,
                        moto: false,
                    })
                    .await?;
                self.orders
                    .set_payment_intent(tenant, &order.id, &intent.id)
                    .await?;
                tracing::info!(order = %order.id, "reservation: card payment started");
                Ok(ReservationPaid {
                    order: OrderRecord {
                        payment_intent: Some(intent.id.clone()),
                        ..order
                    },
                    payment: Some(intent),
                })
            }
        }
    }

    /// Cancels a reservation before its deadline: the order is cancelled and its places
    /// released at once.
    pub async fn cancel_reservation(
        &self,
        tenant: &TenantId,
        id: &OrderId,
    ) -> Result<OrderRecord, WindowOrderError> {
        let order = self.open_reservation(tenant, id).await?;
        self.cancel_intent(&order).await?;
        self.orders
            .cancel_pending_order(tenant, &order, RESERVATION_CANCELLED)
            .await?;
        self.release_places(tenant, &order).await?;
        tracing::info!(order = %order.id, "reservation cancelled");
        Ok(OrderRecord {
            status: OrderStatus::Cancelled,
            problem: Some(RESERVATION_CANCELLED.to_owned()),
            ..order
        })
    }

    /// Cancels a box office card sale still waiting for its payment: the PaymentIntent is
    /// cancelled (refused if it went through already), the order cancelled, and the cart
    /// opened again with its holds, so the clerk can take another payment or release them.
    pub async fn cancel_card_sale(
        &self,
        tenant: &TenantId,
        id: &OrderId,
    ) -> Result<OrderRecord, WindowOrderError> {
        let order = self
            .orders
            .order(tenant, id)
            .await?
            .ok_or(WindowOrderError::OrderNotFound)?;
        // A sale waiting at the window, or a phone order's emailed payment link.
        let waiting_card_sale = order.status == OrderStatus::Pending
            && order
                .pay_later
                .as_ref()
                .is_none_or(|p| p.kind == PayLaterKind::PaymentLink)
            && order
                .sale
                .as_ref()
                .is_some_and(|s| s.method == SaleMethod::Card);
        if !waiting_card_sale {
            return Err(match order.status {
                OrderStatus::Paid | OrderStatus::PartiallyRefunded | OrderStatus::Refunded => {
                    WindowOrderError::AlreadyPaid
                }
                _ => WindowOrderError::NotWaitingCardSale,
            });
        }
        self.cancel_intent(&order).await?;
        // The cart first (its condition names this order): then the order. A crash between
        // leaves a pending order whose intent is cancelled; repeating finishes it.
        match self
            .orders
            .reopen_cart_after_failed_payment(tenant, &order, CARD_SALE_CANCELLED)
            .await
        {
            Ok(()) | Err(WriteRefusal::Changed) => {}
            Err(WriteRefusal::Store(e)) => return Err(e.into()),
        }
        self.orders
            .cancel_pending_order(tenant, &order, CARD_SALE_CANCELLED)
            .await?;
        tracing::info!(order = %order.id, "window card sale cancelled");
        Ok(OrderRecord {
            status: OrderStatus::Cancelled,
            problem: Some(CARD_SALE_CANCELLED.to_owned()),
            ..order
        })
    }

    /// Cancels the order's PaymentIntent, if it has one. A provider refusal means it cannot
    /// be cancelled (it succeeded, or is processing): the caller stops there.
    async fn cancel_intent(&self, order: &OrderRecord) -> Result<(), WindowOrderError> {
        let Some(intent) = &order.payment_intent else {
            return Ok(());
        };
        match self
            .payments
            .cancel_payment_intent(PaymentAccount::of(order.stripe_account.as_deref()), intent)
            .await
        {
            Ok(()) => Ok(()),
            Err(PaymentError::Refused { message, .. }) => {
                Err(WindowOrderError::PaymentUnderway(message))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Frees whatever the order's cart still holds and closes it.
    async fn release_places(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
    ) -> Result<(), WindowOrderError> {
        if let Some((cart, holds)) = self.carts.cart(tenant, &order.cart_id).await?
            && cart.order_id.as_ref() == Some(&order.id)
        {
            let now = self.clock.now().timestamp_millis();
            self.orders
                .release_cart(tenant, &order.cart_id, &holds, now)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
