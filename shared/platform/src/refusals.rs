//! How the application services' refusals read over HTTP: one mapping per service error,
//! shared by the public site and the box office so the same refusal always has the same
//! status, code and message.

use crate::ApiError;
use axum::http::StatusCode;
use marquee_app::agreements::AgreementError;
use marquee_app::checkout::CheckoutError;
use marquee_app::holds::HoldError;
use marquee_app::orders::OrderError;
use marquee_app::ports::PaymentError;
use marquee_app::promos::PromoError;
use marquee_app::sales::SaleError;
use marquee_domain::promo::PromoRefusal;
use marquee_domain::records::CartStatus;
use serde_json::json;

/// Distinct from a missing performance, so a client knows to start a new cart.
pub fn cart_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "cart_not_found", "Cart not found")
}

fn busy() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "Many people are buying right now; please try again",
    )
}

fn seat_unavailable(seats: &[marquee_domain::SeatId]) -> ApiError {
    ApiError::conflict(
        "seat_unavailable",
        "Some of these seats were just taken by someone else",
    )
    .with_details(json!({ "seats": seats }))
}

/// A promo code that cannot be used: 409 `promo_exhausted` when it is used up (in all or
/// for this email address), else 422 `promo_expired` or `promo_not_applicable`.
pub fn promo_refused(refusal: &PromoRefusal) -> ApiError {
    let status = match refusal {
        PromoRefusal::Exhausted | PromoRefusal::PatronLimit => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let message = match refusal {
        PromoRefusal::Unknown => "There is no such promo code".to_owned(),
        PromoRefusal::NotYet(from) => format!(
            "This promo code can be used from {}",
            from.format("%-d %B %Y, %H:%M UTC")
        ),
        PromoRefusal::Expired(to) => {
            format!(
                "This promo code expired on {}",
                to.format("%-d %B %Y, %H:%M UTC")
            )
        }
        PromoRefusal::Exhausted => "This promo code has been used up".to_owned(),
        PromoRefusal::PatronLimit => {
            "This email address has already used this promo code as often as it may".to_owned()
        }
        PromoRefusal::NotApplicable => {
            "This promo code does not apply to the tickets in your cart".to_owned()
        }
    };
    ApiError::new(status, refusal.code(), message)
}

impl From<PromoError> for ApiError {
    fn from(e: PromoError) -> Self {
        match e {
            PromoError::NotFound => ApiError::not_found("Promo code"),
            PromoError::Taken(code) => ApiError::conflict(
                "promo_code_taken",
                format!("The venue already has (or had) the code {code}; choose another"),
            ),
            PromoError::Changed => ApiError::conflict(
                "edit_conflict",
                "Someone else changed this code meanwhile; reload and try again",
            ),
            PromoError::CartNotFound => cart_not_found(),
            PromoError::CartNotOpen(status) => cart_not_open(status),
            PromoError::Refused(refusal) => promo_refused(&refusal),
            PromoError::Invalid(invalid) => invalid.into(),
            PromoError::Store(e) => e.into(),
        }
    }
}

impl From<HoldError> for ApiError {
    fn from(e: HoldError) -> Self {
        match e {
            HoldError::CartNotFound => cart_not_found(),
            HoldError::HoldNotFound => ApiError::not_found("Hold"),
            HoldError::PerformanceNotFound => ApiError::not_found("Performance"),
            HoldError::CartNotOpen(status) => ApiError::conflict(
                "cart_not_open",
                format!("This cart is {status:?} and cannot change its holds").to_lowercase(),
            ),
            HoldError::NotOnSale => {
                ApiError::conflict("not_on_sale", "This performance is not on sale")
            }
            HoldError::Invalid(invalid) => invalid.into(),
            HoldError::UnknownSeats(seats) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_seats",
                "Some seats are not on this performance's seat map",
            )
            .with_details(json!({ "seats": seats })),
            HoldError::LimitExceeded { remaining, most } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "limit_exceeded",
                format!("You can hold at most {most} tickets; you can add {remaining} more"),
            )
            .with_details(json!({ "remaining": remaining })),
            HoldError::SeatsUnavailable(seats) => seat_unavailable(&seats),
            HoldError::AreaFull { available } => ApiError::conflict(
                "seat_unavailable",
                format!("Only {available} places are left in this area"),
            )
            .with_details(json!({ "seats": [], "available": available })),
            HoldError::NoneTogether => ApiError::conflict(
                "seat_unavailable",
                "No seats together are available for that request",
            )
            .with_details(json!({ "seats": [], "reason": "none_available" })),
            HoldError::OutRaced => ApiError::conflict(
                "seat_unavailable",
                "Other patrons took those seats first; please try again",
            )
            .with_details(json!({ "seats": [], "reason": "contention" })),
            // Reported only after a retry with a fresh copy also found it changed (a cart
            // copy is never retried on: the hold is decided again on the stored cart).
            HoldError::Busy | HoldError::PerformanceChanged | HoldError::CartChanged => busy(),
            HoldError::Store(e) => e.into(),
        }
    }
}

fn cart_not_open(status: CartStatus) -> ApiError {
    let message = match status {
        CartStatus::Checkout => "This cart is already being paid for",
        CartStatus::Completed => "This cart has been paid for already",
        CartStatus::Expired | CartStatus::Open => "This cart has expired; start again",
    };
    ApiError::conflict("cart_not_open", message).with_details(json!({ "status": status }))
}

/// The venue cannot take card payments now (409 `payments_not_ready`): why, in words.
pub fn payments_not_ready(why: String) -> ApiError {
    ApiError::conflict("payments_not_ready", why)
}

impl From<CheckoutError> for ApiError {
    fn from(e: CheckoutError) -> Self {
        match e {
            CheckoutError::CartNotFound => cart_not_found(),
            CheckoutError::CartNotOpen(status) => cart_not_open(status),
            CheckoutError::PaymentsNotReady(why) => payments_not_ready(why),
            CheckoutError::MotoNotEnabled => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "moto_not_enabled",
                "Keying in card details for phone orders is not enabled for this venue; send a payment link instead",
            ),
            CheckoutError::CartChanged => ApiError::conflict(
                "cart_changed",
                "The cart changed while checking out; review it and try again",
            ),
            CheckoutError::HoldsExpired(holds) => ApiError::conflict(
                "hold_expired",
                "Your reservation of some tickets ran out; choose them again",
            )
            .with_details(json!({ "holds": holds })),
            CheckoutError::UnknownHolds(holds) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_holds",
                "Some tickets are not held in this cart",
            )
            .with_details(json!({ "holds": holds })),
            CheckoutError::MissingTickets(holds) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "missing_tickets",
                "Choose a price type for every ticket in the cart",
            )
            .with_details(json!({ "holds": holds })),
            CheckoutError::InvalidPriceType {
                hold_id,
                price_type,
                available,
            } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_price_type",
                format!("'{price_type}' is not a price of this ticket's zone"),
            )
            .with_details(
                json!({ "holdId": hold_id, "priceType": price_type, "available": available }),
            ),
            CheckoutError::NotOnSale(performance) => ApiError::conflict(
                "not_on_sale",
                "A performance in the cart is no longer on sale",
            )
            .with_details(json!({ "performanceId": performance })),
            CheckoutError::Invalid(invalid) => invalid.into(),
            CheckoutError::SeatsLost(seats) => ApiError::conflict(
                "seat_unavailable",
                "Some of your seats were taken before the order completed",
            )
            .with_details(json!({ "seats": seats })),
            CheckoutError::Busy => busy(),
            CheckoutError::MailNotOffered => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "mail_not_offered",
                "This venue does not post tickets; choose another delivery",
            ),
            CheckoutError::MailClosed { days } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "mail_closed",
                format!(
                    "Tickets are posted until {days} days before the performance; choose another delivery"
                ),
            ),
            CheckoutError::Promo(refusal) => promo_refused(&refusal),
            CheckoutError::ExchangeChanged => exchange_changed(),
            CheckoutError::Payment(e) => e.into(),
            CheckoutError::Store(e) => e.into(),
        }
    }
}

fn exchange_changed() -> ApiError {
    ApiError::conflict(
        "exchange_changed",
        "The tickets being exchanged were refunded or exchanged meanwhile; nothing was sold",
    )
}

impl From<SaleError> for ApiError {
    fn from(e: SaleError) -> Self {
        match e {
            SaleError::OrderNotFound => ApiError::not_found("Order"),
            SaleError::NotRefundable(message) => ApiError::conflict("not_refundable", message),
            SaleError::UnknownTickets(tickets) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_tickets",
                "Some tickets are not valid tickets of this order",
            )
            .with_details(json!({ "tickets": tickets })),
            SaleError::OrderChanged => ApiError::conflict(
                "order_changed",
                "The order changed meanwhile; reload it and try again",
            ),
            SaleError::SeatsLost(seats) => ApiError::conflict(
                "seat_unavailable",
                "Some of your seats were taken before the order completed",
            )
            .with_details(json!({ "seats": seats })),
            SaleError::ExchangeChanged => exchange_changed(),
            SaleError::Invalid(invalid) => invalid.into(),
            SaleError::Payment(e) => e.into(),
            SaleError::Store(e) => e.into(),
        }
    }
}

/// The payment provider's refusal or absence, as the caller should hear it.
impl From<PaymentError> for ApiError {
    fn from(error: PaymentError) -> Self {
        match error {
            PaymentError::Disabled => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "payments_unavailable",
                "Card payments are not set up for this venue",
            ),
            PaymentError::Refused { message, .. } => {
                tracing::error!(%message, "Stripe refused a request");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "payment_provider_error",
                    "The payment provider refused the request",
                )
            }
            PaymentError::Unavailable(message) => {
                tracing::error!(%message, "Stripe is unavailable");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "payment_provider_unavailable",
                    "The payment provider could not be reached; please try again",
                )
            }
        }
    }
}

impl From<OrderError> for ApiError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::NotFound => ApiError::not_found("Order"),
            OrderError::NoTickets => {
                ApiError::conflict("no_tickets", "This order has no valid tickets to print")
            }
            OrderError::Store(e) => e.into(),
        }
    }
}

impl From<AgreementError> for ApiError {
    fn from(e: AgreementError) -> Self {
        match e {
            AgreementError::VenueNotFound => ApiError::not_found("Venue"),
            AgreementError::NotOwner => {
                ApiError::forbidden("Only an owner can change the venue's payment settings")
            }
            AgreementError::NotConnected => ApiError::conflict(
                "payments_not_connected",
                "The venue has not connected a Stripe account yet",
            ),
            AgreementError::NotReady(why) => payments_not_ready(why),
            AgreementError::Payment(e) => e.into(),
            AgreementError::Store(e) => e.into(),
        }
    }
}

impl From<marquee_app::window_orders::WindowOrderError> for ApiError {
    fn from(e: marquee_app::window_orders::WindowOrderError) -> Self {
        use marquee_app::window_orders::WindowOrderError as E;
        match e {
            E::OrderNotFound => ApiError::not_found("Order"),
            E::NotReservation => {
                ApiError::conflict("not_reserved", "This order is not a reservation")
            }
            E::AlreadyPaid => ApiError::conflict("already_paid", "This order is paid already"),
            E::ReservationExpired => ApiError::conflict(
                "reservation_expired",
                "The reservation ran out before it was paid; its seats were released",
            ),
            E::Cancelled => ApiError::conflict("order_cancelled", "This order was cancelled"),
            E::NotWaitingCardSale => ApiError::conflict(
                "not_waiting_card_sale",
                "Only a box office card sale waiting for its payment can be cancelled",
            ),
            E::PaymentUnderway(_) => ApiError::conflict(
                "payment_underway",
                "The card payment has gone through or is going through; it cannot be cancelled",
            ),
            E::PaymentsNotReady(why) => payments_not_ready(why),
            E::Changed => ApiError::conflict(
                "order_changed",
                "The order changed meanwhile; reload it and try again",
            ),
            E::SeatsLost(seats) => ApiError::conflict(
                "seat_unavailable",
                "Some of the seats were taken before the order completed",
            )
            .with_details(json!({ "seats": seats })),
            E::Invalid(invalid) => invalid.into(),
            E::Payment(e) => e.into(),
            E::Store(e) => e.into(),
        }
    }
}
