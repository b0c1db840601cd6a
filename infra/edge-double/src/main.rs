//! `edge-double [--port N] [--dns-port N] [--issue-delay-ms N] [--routing-suffix NAME]`: runs
//! the edge double (CloudFront multi-tenant API and DNS) on 127.0.0.1 until SIGINT or
//! SIGTERM. Each flag can also come from the environment (`EDGE_DOUBLE_PORT`,
//! `EDGE_DOUBLE_DNS_PORT`, `EDGE_DOUBLE_ISSUE_DELAY_MS`, `EDGE_DOUBLE_ROUTING_SUFFIX`); flags
//! win. Prints `listening on 127.0.0.1:PORT dns 127.0.0.1:PORT` on stdout once it answers.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use edge_double::Config;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: edge-double [--port N] [--dns-port N] [--issue-delay-ms N] \
[--routing-suffix NAME]";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Plain text when the log goes to a file (infra/local/stack.sh).
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_env("EDGE_DOUBLE_LOG")
                .unwrap_or_else(|_| EnvFilter::new("edge_double=info")),
        )
        .init();
    let config = match config_from(std::env::args().skip(1).collect(), |name| {
        std::env::var(name).ok()
    }) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("edge-double: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let double = match edge_double::start(config).await {
        Ok(double) => double,
        Err(err) => {
            eprintln!("edge-double: cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "listening on {} dns {}",
        double.api_addr(),
        double.dns_addr()
    );
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
            "--dns-port",
            "--issue-delay-ms",
            "--routing-suffix",
        ];
        if !known.contains(&name.as_str()) {
            return Err(format!("unknown argument {name}"));
        }
        flags.insert(name, value);
    }
    let setting = |flag: &str, var: &str| {
        flags
            .get(flag)
            .cloned()
            .or_else(|| env(var))
            .filter(|v| !v.is_empty())
    };

    let mut config = Config::default();
    if let Some(port) = setting("--port", "EDGE_DOUBLE_PORT") {
        config.port = port.parse().map_err(|_| format!("invalid port: {port}"))?;
    }
    if let Some(port) = setting("--dns-port", "EDGE_DOUBLE_DNS_PORT") {
        config.dns_port = port
            .parse()
            .map_err(|_| format!("invalid DNS port: {port}"))?;
    }
    if let Some(ms) = setting("--issue-delay-ms", "EDGE_DOUBLE_ISSUE_DELAY_MS") {
        let ms: u64 = ms.parse().map_err(|_| format!("invalid delay: {ms}"))?;
        config.issue_delay = Duration::from_millis(ms);
    }
    if let Some(suffix) = setting("--routing-suffix", "EDGE_DOUBLE_ROUTING_SUFFIX") {
        config.routing_suffix = suffix;
    }
    Ok(config)
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
            "EDGE_DOUBLE_PORT" => Some("8703".to_owned()),
            "EDGE_DOUBLE_DNS_PORT" => Some("8704".to_owned()),
            "EDGE_DOUBLE_ISSUE_DELAY_MS" => Some("5".to_owned()),
            _ => None,
        };
        let config = config_from(args(&["--port", "0", "--issue-delay-ms=0"]), env).expect("valid");
        assert_eq!(config.port, 0);
        assert_eq!(config.dns_port, 8704);
        assert_eq!(config.issue_delay, Duration::ZERO);
        assert_eq!(config.routing_suffix, edge_double::DEFAULT_ROUTING_SUFFIX);
    }

    #[test]
    fn bad_settings_are_refused() {
        let none = |_: &str| None;
        assert!(config_from(args(&["--port", "x"]), none).is_err());
        assert!(config_from(args(&["--dns-port", "70000"]), none).is_err());
        assert!(config_from(args(&["--issue-delay-ms", "-1"]), none).is_err());
        assert!(config_from(args(&["--bogus", "1"]), none).is_err());
        assert!(config_from(args(&["--port"]), none).is_err());
    }
}
