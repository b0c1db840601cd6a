//! Everything a Marquee function needs around its handlers: configuration, AWS clients
//! (with local endpoint overrides), telemetry, the HTTP error type and JSON error body,
//! tenant resolution from the `Host` header, staff authentication, and the adapters for
//! mail (SES v2) and queues (SQS). Also the one definition of the AWS resources, used to
//! create them locally and checked against `infra/template.yaml`.

pub mod auth;
pub mod aws;
pub mod batch;
pub mod config;
#[cfg(feature = "s3")]
pub mod documents;
#[cfg(feature = "domains")]
pub mod domains;
pub mod error;
pub mod http;
pub mod jobs;
pub mod limits;
pub mod live;
pub mod mail;
pub mod payments;
pub mod printmail;
pub mod refusals;
pub mod requests;
#[cfg(feature = "local")]
pub mod resources;
pub mod secrets;
pub mod services;
pub mod telemetry;
pub mod tenancy;
#[cfg(feature = "tickets")]
pub mod tickets;
#[cfg(any(feature = "stripe", feature = "printmail"))]
pub mod tls;
pub mod views;

pub use config::{Config, Secret, Stage};
pub use error::ApiError;
