//! Marquee's application layer: every sale decision is made here, once, over narrow ports.
//!
//! - [`agreements`]: payment agreements — each venue's connected Stripe account, its
//!   onboarding and state, the platform's fee, balance and payouts.
//! - [`holds`]: carts and holds — explicit seats, best available, general admission, release,
//!   and the clean-up of expired holds.
//! - [`checkout`]: price the cart on the server and open the payment.
//! - [`sales`]: what happens to an order after checkout — a payment completes it (or goes
//!   back when its seats were lost), a free order completes at once, a declined card reopens
//!   the cart, refunds, a cancelled performance.
//! - [`delivery`]: which mail a sale or a refund triggers.
//! - [`printmail`]: mailed tickets through a print-and-mail provider, sent once, tracked.
//! - [`reconcile`]: the safety net under the webhook — succeeded payments whose order was
//!   neither fulfilled nor refunded are completed through the same sale.
//! - [`domains`]: custom domains — proven by DNS, then a certificate and routing at the edge.
//! - [`door`]: scanning tickets in and out, each admitted once.
//! - [`orders`]: who may read an order (its token, or the account that placed it).
//! - [`promos`]: promo codes — staff manage them, a patron puts one on a cart.
//! - [`window_orders`]: the box office's own orders after the sale — a reservation paid or
//!   cancelled, a card sale cancelled while it waits.
//!
//! HTTP handlers and queue workers parse their input into domain types, call one service and
//! map its error; the services reach DynamoDB, SQS, SES and Stripe only through [`ports`].
//! With the `fakes` feature, [`fakes`] has in-memory ports for fast unit tests.

pub mod agreements;
pub mod catalog;
pub mod checkout;
pub mod delivery;
pub mod domains;
pub mod door;
pub mod exchanges;
pub mod holds;
pub mod jobs;
pub mod mail;
pub mod orders;
pub mod ports;
pub mod prepared;
pub mod printmail;
pub mod promos;
pub mod reconcile;
pub mod retry;
pub mod sales;
pub mod tokens;
pub mod window_orders;

#[cfg(any(test, feature = "fakes"))]
pub mod fakes;

#[cfg(test)]
mod testkit;
