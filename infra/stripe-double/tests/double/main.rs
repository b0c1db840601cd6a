//! The Stripe double's tests: one binary, each test with its own double on a free port.

mod api;
mod compat;
mod connect;
mod signatures;
mod support;
mod webhooks;
