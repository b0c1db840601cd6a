//! The process's rustls crypto provider: aws-lc-rs, the one crypto library of the workspace.
//!
//! rustls needs a process-wide provider when it cannot pick one by itself, and reqwest's
//! rustls (the print-and-mail client's; Cargo unifies its features into every reqwest client
//! built with it, the test harness's and the doubles' too) has no fallback: a client built
//! before a provider is installed panics ("No provider set"). Every process that builds an
//! HTTPS or reqwest client calls this first; calling it again does nothing.

use std::sync::Once;

static CRYPTO_PROVIDER: Once = Once::new();

pub fn install_crypto_provider() {
    CRYPTO_PROVIDER.call_once(|| {
        // Fails only when another provider is already installed, which is as good.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}
