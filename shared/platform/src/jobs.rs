//! The hold-expiry job, as holds sent it (delayed by the hold's duration) before the expiry
//! sweep: the `hold-expiry` worker still honours jobs already queued. Correctness never
//! waited for it: an expired hold is free to every reader and writer.

pub use marquee_app::jobs::HoldExpiryJob;
