#!/usr/bin/env bash
# Installs (or checks) what `make deploy-check` and `make deploy` need, beside the local stack's
# tools (called by infra/local/install.sh, which also apt-installs qemu-user and
# libc6-arm64-cross for the arm64 smoke test):
#   - the AWS SAM CLI and cargo-lambda (with zig, from PyPI's ziglang) in their own virtualenv
#     .local/deploy-venv, pinned by infra/local/deploy-requirements.txt: their pins (boto3,
#     click) conflict with those of .local/venv
#   - the aarch64-unknown-linux-gnu Rust target (Lambda runs the functions on arm64), with rustup
# Idempotent: each step is skipped when its result is already in place. Runs unattended.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

REQUIREMENTS=infra/local/deploy-requirements.txt
VENV="$LOCAL/deploy-venv"
TARGET=aarch64-unknown-linux-gnu

mkdir -p "$LOCAL"
# make test and make deploy-check may run this at once: take turns.
exec 8>"$LOCAL/.install-deploy.lock"
flock 8

# --- the deploy venv ------------------------------------------------------------------------
req_sum=$(sha256sum "$REQUIREMENTS" | cut -d ' ' -f 1)
if "$VENV/bin/python" -c '' 2>/dev/null && [ -x "$VENV/bin/sam" ] && [ -x "$VENV/bin/cargo-lambda" ] &&
  [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" = "$req_sum" ]; then
  say "deploy venv (.local/deploy-venv): ok"
else
  if ! "$VENV/bin/python" -c '' 2>/dev/null; then
    rm -rf "$VENV"
    say "creating python venv in .local/deploy-venv"
    python3 -m venv "$VENV"
  fi
  say "installing $REQUIREMENTS into .local/deploy-venv (about a minute)"
  "$VENV/bin/pip" install --disable-pip-version-check --no-input --quiet -r "$REQUIREMENTS" </dev/null
  echo "$req_sum" > "$VENV/.requirements.sha256"
  say "deploy venv (.local/deploy-venv): installed"
fi

# --- the arm64 Rust target ------------------------------------------------------------------
if rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  say "rust target $TARGET: ok"
else
  command -v rustup >/dev/null 2>&1 ||
    die "the Rust target $TARGET is missing and there is no rustup to add it; install Rust with rustup"
  say "adding the rust target $TARGET (rustup target add)"
  rustup target add "$TARGET" </dev/null
  say "rust target $TARGET: installed"
fi

