//! Exchanges at the box office: a patron's tickets moved to another performance of the same
//! event, or to other seats of the same one, in one step.
//!
//! The new places are held first, in a box office cart of their own, on the same seat items as
//! every other sale; a refused hold (sold out, taken, blocked) changes nothing. The new tickets
//! are then sold through the checkout like a window sale, with the old tickets' worth (what a
//! refund of them would return) credited and the exchange fee added. The old tickets are voided
//! and their places freed **in the sale's own transaction**, conditional on the old order as
//! read ([`crate::sales`]): there is no moment when both sets admit, and a sale that cannot
//! complete leaves the old tickets as they were. A card top-up completes when its payment
//! does, as any card sale. When the old tickets were worth more, the surplus goes back on the
//! old order's card (keyed by the new order, so it is never paid twice) or from the drawer.

use crate::catalog::SaleCatalog;
use crate::checkout::{
    Checkout, CheckoutError, CheckoutRequest, ExchangeCredit, WindowPayment, WindowSaleRequest,
};
use crate::holds::{CartAccess, HoldError, HoldWanted, Holds};
use crate::ports::{
    CreatedPaymentIntent, OrderStore, PaymentAccount, PaymentError, Payments, PortError,
    RefundRequest,
};
use crate::sales::{exchange_refund_id, refundable};
use marquee_domain::records::{HoldRecord, OrderRecord, Spot, TicketStatus};
use marquee_domain::{
    Delivery, Email, Invalid, OrderId, OrderStatus, PerformanceId, TenantId, TicketId, Totals,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Most tickets one exchange moves: the sale's transaction also voids the old ones, and
/// DynamoDB takes at most 100 writes in one.
pub const MAX_EXCHANGE_TICKETS: usize = 20;

/// Most an exchange fee may be (minor units): a typing slip must not charge a fortune.
pub const MAX_EXCHANGE_FEE: i64 = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("no such order")]
    OrderNotFound,
    /// The order has nothing to exchange (pending, refunded, cancelled).
    #[error("the order cannot be exchanged: {0}")]
    NotExchangeable(String),
    #[error("tickets not valid in this order: {0:?}")]
    UnknownTickets(Vec<TicketId>),
    #[error("no such performance")]
    PerformanceNotFound,
    #[error(transparent)]
    Hold(#[from] HoldError),
    #[error(transparent)]
    Checkout(#[from] CheckoutError),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Store(#[from] PortError),
}

/// How the difference is paid when the new tickets cost more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopUp {
    Cash { tendered: i64 },
    Card,
}

/// An exchange as staff ask for it.
#[derive(Debug, Clone)]
pub struct ExchangeRequest {
    pub by: Email,
    pub order: OrderId,
    pub tickets: Vec<TicketId>,
    pub performance: String,
    pub wanted: HoldWanted,
    /// A price type per new ticket, in order; empty keeps each old ticket's.
    pub price_types: Vec<String>,
    pub fee: i64,
    /// Needed when the new tickets cost more than the credit.
    pub payment: Option<TopUp>,
    /// Only the figures: the places are let go again.
    pub quote_only: bool,
}

/// What an exchange costs (minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeFigures {
    /// The new tickets at today's prices, fees and taxes.
    pub new_total: i64,
    /// What the old tickets are worth.
    pub credit: i64,
    pub fee: i64,
    /// To pay now.
    pub due: i64,
    /// To pay back.
    pub surplus: i64,
}

/// Where a surplus went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurplusBack {
    /// Refunded on the old order's card.
    Card,
    /// The old order was paid in cash: the clerk pays it from the drawer.
    Cash,
    /// The card refund failed; the exchange stands, and the order says what is owed.
    Failed(String),
}

#[derive(Debug)]
pub enum ExchangeOutcome {
    Quote {
        figures: ExchangeFigures,
        totals: Totals,
    },
    Done(Box<Exchanged>),
}

#[derive(Debug)]
pub struct Exchanged {
    pub figures: ExchangeFigures,
    /// The new order: paid, or pending until its card payment succeeds.
    pub order: OrderRecord,
    pub payment: Option<CreatedPaymentIntent>,
    pub change_due: Option<i64>,
    pub surplus_back: Option<SurplusBack>,
}

pub struct Exchanges {
    catalog: Arc<SaleCatalog>,
    holds: Arc<Holds>,
    checkout: Arc<Checkout>,
    orders: Arc<dyn OrderStore>,
    payments: Arc<dyn Payments>,
}

impl Exchanges {
    pub fn new(
        catalog: Arc<SaleCatalog>,
        holds: Arc<Holds>,
        checkout: Arc<Checkout>,
        orders: Arc<dyn OrderStore>,
        payments: Arc<dyn Payments>,
    ) -> Self {
        Self {
            catalog,
            holds,
            checkout,
            orders,
            payments,
        }
    }

    pub async fn exchange(
        &self,
        tenant: &TenantId,
        request: ExchangeRequest,
    ) -> Result<ExchangeOutcome, ExchangeError> {
        let order = self
            .orders
            .order(tenant, &request.order)
            .await?
            .ok_or(ExchangeError::OrderNotFound)?;
        let tickets = self.chosen(&order, &request)?;
        let target_id = PerformanceId::parse(&request.performance)
            .map_err(|_| ExchangeError::PerformanceNotFound)?;
        let target = self
            .catalog
            .published(tenant, &target_id)
            .await?
            .ok_or(ExchangeError::PerformanceNotFound)?;
        for ticket in order.tickets.iter().filter(|t| tickets.contains(&t.id)) {
            let Some(from) = self
                .catalog
                .port()
                .performance(tenant, &ticket.performance_id)
                .await?
            else {
                return Err(ExchangeError::PerformanceNotFound);
            };
            if from.event_id != target.event_id {
                return Err(Invalid::new(
                    "performanceId",
                    "an exchange stays within the same event: choose one of its performances",
                )
                .into());
            }
            // The same general-admission area of the same performance: the sale and the
            // release would write one counter twice, and nothing would change anyway.
            if let (Spot::Area(area), HoldWanted::GeneralAdmission { area: wanted, .. }) =
                (&ticket.spot, &request.wanted)
                && ticket.performance_id == target.id
                && area.as_str() == wanted
            {
                return Err(Invalid::new(
                    "generalAdmission",
                    "these tickets are already places in that area",
                )
                .into());
            }
        }
        let price_types: Vec<String> = if request.price_types.is_empty() {
            tickets
                .iter()
                .filter_map(|id| order.tickets.iter().find(|t| &t.id == id))
                .map(|t| t.price_type.to_string())
                .collect()
        } else if request.price_types.len() == tickets.len() {
            request.price_types.clone()
        } else {
            return Err(
                Invalid::new("priceTypes", "give one price type per exchanged ticket").into(),
            );
        };
        if !(0..=MAX_EXCHANGE_FEE).contains(&request.fee) {
            return Err(Invalid::new("fee", "the exchange fee is between 0 and 1,000.00").into());
        }
        let credit = refundable(&order, &tickets)?;

        // The new places first, in a cart of their own.
        let cart = self.holds.create_staff_cart(tenant, &request.by).await?;
        let access = CartAccess {
            id: cart.cart.id.clone(),
            token_hash: cart.cart.token_hash.clone(),
        };
        let held = self
            .holds
            .hold_for_staff(tenant, &access, &request.performance, &request.wanted)
            .await?;
        let result = self
            .with_held(
                tenant,
                &request,
                &order,
                tickets,
                price_types,
                credit,
                &access,
                &held,
            )
            .await;
        let keep = matches!(&result, Ok(ExchangeOutcome::Done(_)));
        if !keep {
            // A quote, or a refusal: the places go back on sale now rather than in 30 minutes.
            for hold in &held {
                if let Err(e) = self
                    .holds
                    .release(tenant, &access, hold.hold_id.as_str())
                    .await
                {
                    tracing::warn!(cart = %access.id, error = ?e, "could not release an exchange's hold; it expires");
                }
            }
        }
        result
    }

    /// The tickets to exchange: valid tickets of the order, each once.
    fn chosen(
        &self,
        order: &OrderRecord,
        request: &ExchangeRequest,
    ) -> Result<Vec<TicketId>, ExchangeError> {
        if !order.status.has_valid_tickets() {
            return Err(ExchangeError::NotExchangeable(format!(
                "A {} order has no tickets to exchange",
                order.status.as_str()
            )));
        }
        let mut tickets = request.tickets.clone();
        tickets.sort();
        tickets.dedup();
        if tickets.is_empty() {
            return Err(Invalid::new("ticketIds", "choose the tickets to exchange").into());
        }
        if tickets.len() > MAX_EXCHANGE_TICKETS {
            return Err(Invalid::new(
                "ticketIds",
                format!("exchange at most {MAX_EXCHANGE_TICKETS} tickets at a time"),
            )
            .into());
        }
        let unknown: Vec<TicketId> = tickets
            .iter()
            .filter(|id| {
                !order
                    .tickets
                    .iter()
                    .any(|t| &t.id == *id && t.status == TicketStatus::Valid)
            })
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(ExchangeError::UnknownTickets(unknown));
        }
        // Kept in the order's own order, so price types given by position line up.
        Ok(order
            .tickets
            .iter()
            .filter(|t| tickets.contains(&t.id))
            .map(|t| t.id.clone())
            .collect())
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the exchange's parts, decided above"
    )]
    async fn with_held(
        &self,
        tenant: &TenantId,
        request: &ExchangeRequest,
        order: &OrderRecord,
        tickets: Vec<TicketId>,
        price_types: Vec<String>,
        credit: i64,
        access: &CartAccess,
        held: &[HoldRecord],
    ) -> Result<ExchangeOutcome, ExchangeError> {
        if held.len() != tickets.len() {
            return Err(Invalid::new(
                "quantity",
                format!(
                    "hold as many places as tickets exchanged ({}), not {}",
                    tickets.len(),
                    held.len()
                ),
            )
            .into());
        }
        let pairs: Vec<(String, String)> = held
            .iter()
            .zip(price_types)
            .map(|(h, p)| (h.hold_id.to_string(), p))
            .collect();
        let totals = self
            .checkout
            .quote(tenant, access, &pairs, false, false)
            .await?;
        let figures = figures(totals.total, credit, request.fee);
        if request.quote_only {
            return Ok(ExchangeOutcome::Quote { figures, totals });
        }
        let payment = match (&request.payment, figures.due) {
            (_, 0) => WindowPayment::Covered,
            (Some(TopUp::Cash { tendered }), _) => WindowPayment::Cash {
                tendered: *tendered,
            },
            (Some(TopUp::Card), _) => WindowPayment::Card,
            (None, _) => WindowPayment::Covered, // refused by the sale, naming what is due
        };
        // Tickets that went by post or email go the same way (posting needs a new address:
        // those are kept for collection instead).
        let delivery = match order.delivery {
            Delivery::Mail => Delivery::WillCall,
            other => other,
        };
        let email = Email::parse(&order.email).ok();
        let delivery = if email.is_none() && delivery == Delivery::Email {
            Delivery::WillCall
        } else {
            delivery
        };
        let done = self
            .checkout
            .checkout(
                tenant,
                access,
                CheckoutRequest {
                    email,
                    name: order.name.clone(),
                    delivery,
                    tickets: pairs,
                    patron: order.patron.clone(),
                    address: None,
                    window: Some(WindowSaleRequest {
                        by: request.by.clone(),
                        payment,
                        phone: order.phone.clone(),
                        exchange: Some(ExchangeCredit {
                            order: order.id.clone(),
                            number: order.number.clone(),
                            tickets,
                            credit,
                            fee: request.fee,
                        }),
                    }),
                },
            )
            .await?;
        let change_due = done.order.sale.as_ref().and_then(|s| s.change);
        let surplus_back = if done.order.status == OrderStatus::Paid && figures.surplus > 0 {
            Some(
                self.pay_back(tenant, order, &done.order.id, figures.surplus)
                    .await,
            )
        } else {
            None
        };
        Ok(ExchangeOutcome::Done(Box::new(Exchanged {
            figures,
            order: done.order,
            payment: done.payment,
            change_due,
            surplus_back,
        })))
    }

    /// The surplus of an exchange that went through, back on the old order's card (its key is
    /// the new order's: a retry never refunds twice), or from the drawer for a cash sale.
    async fn pay_back(
        &self,
        tenant: &TenantId,
        earlier: &OrderRecord,
        exchange: &OrderId,
        amount: i64,
    ) -> SurplusBack {
        let Some(intent) = &earlier.payment_intent else {
            return SurplusBack::Cash;
        };
        let key = exchange_refund_id(exchange);
        // The provider's refund event carries no tickets: it records nothing (the exchange
        // already did).
        let metadata = HashMap::from([
            ("tenant".to_owned(), tenant.to_string()),
            ("order_id".to_owned(), earlier.id.to_string()),
            ("exchange".to_owned(), exchange.to_string()),
        ]);
        match self
            .payments
            .refund(RefundRequest {
                account: PaymentAccount::of(earlier.stripe_account.as_deref()),
                payment_intent: intent,
                amount,
                idempotency_key: key,
                metadata,
                refund_application_fee: false,
            })
            .await
        {
            Ok(_) => SurplusBack::Card,
            Err(e) => {
                tracing::error!(order = %earlier.id, exchange = %exchange, error = ?e, "an exchange's surplus could not be refunded to the card");
                SurplusBack::Failed(match e {
                    PaymentError::Refused { message, .. } => message,
                    other => other.to_string(),
                })
            }
        }
    }
}

/// The exchange's arithmetic: the fee added to the new tickets, the credit taken off as far
/// as it goes, the rest of it paid back.
pub fn figures(new_total: i64, credit: i64, fee: i64) -> ExchangeFigures {
    let owed = new_total + fee;
    let applied = credit.min(owed);
    ExchangeFigures {
        new_total,
        credit,
        fee,
        due: owed - applied,
        surplus: credit - applied,
    }
}

#[cfg(test)]
mod tests;
