//! `stripe-double [--port N] [--api-key sk_test_…] [--webhook-url URL --webhook-secret whsec_…]
//! [--forward-connect-to URL --forward-connect-secret whsec_…]
//! [--webhook-attempts N] [--webhook-backoff-ms N] [--webhook-timeout-ms N]`: runs the Stripe
//! test double on 127.0.0.1 until SIGINT or SIGTERM. Each flag can also come from the environment (`STRIPE_DOUBLE_PORT`,
//! `STRIPE_DOUBLE_API_KEY`, `STRIPE_DOUBLE_WEBHOOK_URL`, `STRIPE_DOUBLE_WEBHOOK_SECRET`,
//! `STRIPE_DOUBLE_CONNECT_WEBHOOK_URL`, `STRIPE_DOUBLE_CONNECT_WEBHOOK_SECRET`,
//! `STRIPE_DOUBLE_WEBHOOK_ATTEMPTS`, `STRIPE_DOUBLE_WEBHOOK_BACKOFF_MS`,
//! `STRIPE_DOUBLE_WEBHOOK_TIMEOUT_MS`); flags win.
//! Prints `listening on 127.0.0.1:PORT` on stdout once it accepts requests.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use stripe_double::{Config, WebhookTarget};
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: stripe-double [--port N] [--api-key sk_test_…] \
[--webhook-url URL --webhook-secret whsec_…] \
[--forward-connect-to URL --forward-connect-secret whsec_…] [--webhook-attempts N] \
[--webhook-backoff-ms N] [--webhook-timeout-ms N]";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Plain text when the log goes to a file (infra/local/stack.sh).
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_env("STRIPE_DOUBLE_LOG")
                .unwrap_or_else(|_| EnvFilter::new("stripe_double=info")),
        )
        .init();
    let config = match config_from(std::env::args().skip(1).collect(), |name| {
        std::env::var(name).ok()
    }) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("stripe-double: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (addr, double) = match stripe_double::start(config).await {
        Ok(started) => started,
        Err(err) => {
            eprintln!("stripe-double: cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {addr}");
    let _ = std::io::stdout().flush();
    wait_for_signal().await;
    double.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    let mut terminate =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}

/// Flags first, then the environment, then defaults.
fn config_from(args: Vec<String>, env: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
    let mut flags = std::collections::HashMap::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, value) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None => {
                let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
                (arg, value)
            }
        };
        let known = [
            "--port",
            "--api-key",
            "--webhook-url",
            "--webhook-secret",
            "--forward-connect-to",
            "--forward-connect-secret",
            "--webhook-attempts",
            "--webhook-backoff-ms",
            "--webhook-timeout-ms",
        ];
        if !known.contains(&name.as_str()) {
            return Err(format!("unknown argument {name}"));
        }
        flags.insert(name, value);
    }
    let setting = |flag: &str, var: &str| flags.get(flag).cloned().or_else(|| env(var));

    let mut config = Config::default();
    if let Some(port) = setting("--port", "STRIPE_DOUBLE_PORT") {
        config.port = port.parse().map_err(|_| format!("invalid port: {port}"))?;
    }
    if let Some(key) = setting("--api-key", "STRIPE_DOUBLE_API_KEY").filter(|k| !k.is_empty()) {
        if !key.starts_with("sk_test_") {
            return Err("--api-key must be a test-mode secret key (sk_test_…)".into());
        }
        config.api_key = Some(key);
    }
    let url = setting("--webhook-url", "STRIPE_DOUBLE_WEBHOOK_URL").filter(|u| !u.is_empty());
    let secret =
        setting("--webhook-secret", "STRIPE_DOUBLE_WEBHOOK_SECRET").filter(|s| !s.is_empty());
    config.webhook = webhook_target(url, secret, "--webhook-url", "--webhook-secret")?;
    let url = setting("--forward-connect-to", "STRIPE_DOUBLE_CONNECT_WEBHOOK_URL")
        .filter(|u| !u.is_empty());
    let secret = setting(
        "--forward-connect-secret",
        "STRIPE_DOUBLE_CONNECT_WEBHOOK_SECRET",
    )
    .filter(|s| !s.is_empty());
    config.connect_webhook = webhook_target(
        url,
        secret,
        "--forward-connect-to",
        "--forward-connect-secret",
    )?;
    if let Some(attempts) = setting("--webhook-attempts", "STRIPE_DOUBLE_WEBHOOK_ATTEMPTS") {
        config.retry.max_attempts = attempts
            .parse()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("invalid attempt count: {attempts}"))?;
    }
    if let Some(ms) = setting("--webhook-backoff-ms", "STRIPE_DOUBLE_WEBHOOK_BACKOFF_MS") {
        let ms: u64 = ms.parse().map_err(|_| format!("invalid backoff: {ms}"))?;
        config.retry.first_backoff = Duration::from_millis(ms);
    }
    if let Some(ms) = setting("--webhook-timeout-ms", "STRIPE_DOUBLE_WEBHOOK_TIMEOUT_MS") {
        let ms: u64 = ms
            .parse()
            .ok()
            .filter(|ms| *ms > 0)
            .ok_or_else(|| format!("invalid timeout: {ms}"))?;
        config.retry.timeout = Duration::from_millis(ms);
    }
    Ok(config)
}

fn webhook_target(
    url: Option<String>,
    secret: Option<String>,
    url_flag: &str,
    secret_flag: &str,
) -> Result<Option<WebhookTarget>, String> {
    match (url, secret) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(format!("{url_flag} needs {secret_flag}")),
        (Some(url), Some(secret)) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!("invalid webhook URL: {url}"));
            }
            if !secret.starts_with("whsec_") {
                return Err(format!("{secret_flag} must start with whsec_"));
            }
            Ok(Some(WebhookTarget { url, secret }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn flags_override_the_environment() {
        let env = |name: &str| match name {
            "STRIPE_DOUBLE_PORT" => Some("8702".to_owned()),
            "STRIPE_DOUBLE_WEBHOOK_URL" => Some("http://127.0.0.1:3000/hook".to_owned()),
            "STRIPE_DOUBLE_WEBHOOK_SECRET" => Some("whsec_env".to_owned()),
            _ => None,
        };
        let config =
            config_from(args(&["--port", "0", "--webhook-secret=whsec_flag"]), env).expect("valid");
        assert_eq!(config.port, 0);
        let webhook = config.webhook.expect("webhook");
        assert_eq!(webhook.url, "http://127.0.0.1:3000/hook");
        assert_eq!(webhook.secret, "whsec_flag");
        assert!(config.connect_webhook.is_none());
    }

    #[test]
    fn connected_accounts_events_can_be_forwarded_elsewhere() {
        let none = |_: &str| None;
        let config = config_from(
            args(&[
                "--forward-connect-to",
                "http://127.0.0.1:3000/connect",
                "--forward-connect-secret",
                "whsec_connect",
            ]),
            none,
        )
        .expect("valid");
        let connect = config.connect_webhook.expect("connect webhook");
        assert_eq!(connect.url, "http://127.0.0.1:3000/connect");
        assert_eq!(connect.secret, "whsec_connect");
        assert!(config.webhook.is_none());
    }

    #[test]
    fn bad_settings_are_refused() {
        let none = |_: &str| None;
        assert!(config_from(args(&["--port", "x"]), none).is_err());
        assert!(config_from(args(&["--webhook-url", "http://h/"]), none).is_err());
        assert!(config_from(args(&["--forward-connect-to", "http://h/"]), none).is_err());
        assert!(config_from(args(&["--api-key", "sk_live_abc"]), none).is_err());
        assert!(config_from(args(&["--bogus", "1"]), none).is_err());
        assert!(config_from(args(&["--port"]), none).is_err());
    }
}
