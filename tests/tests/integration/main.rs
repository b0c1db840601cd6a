//! Marquee's integration tests: one binary, each test with its own devserver, table and
//! queues on the local stack (`make test` starts it and sets `MARQUEE_*_URL`).

// Tests fail loudly by design: unwrapping is how a helper reports a broken expectation.
#![allow(clippy::unwrap_used)]

mod helpers;

mod access;
mod accounts;
mod audit;
mod auth;
mod boxoffice;
mod catalog;
mod checkout;
mod conventions;
mod domains;
mod exchanges;
mod headers;
mod holds;
mod live;
mod mail;
mod payments;
mod permissions;
mod platform;
mod promos;
mod reconcile;
mod reports;
mod reservations;
mod secrets;
mod template;
mod tenancy;
mod tickets;
mod venue_settings;
mod workers;
