#!/usr/bin/env bash
# `make dev`: runs Marquee locally. Installs what is missing, starts the local stack in
# .local/run/dev (ports 8700/8701 unless MARQUEE_DYNAMODB_PORT / MARQUEE_MOTO_PORT say otherwise),
# builds the web app if there is one, and runs the devserver with demo data on
# http://127.0.0.1:${MARQUEE_DEV_PORT:-3000}. Ctrl-C stops everything this run started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

bash infra/local/install.sh

STATE="$LOCAL/run/dev"
# A stack that was already running (another `make dev`) is reused and left running on exit;
# `make stop` stops it.
if bash infra/local/stack.sh status "$STATE" >/dev/null 2>&1; then
  say "reusing the running dev stack; 'make stop' stops it"
else
  trap 'bash infra/local/stack.sh stop "$STATE"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
fi
bash infra/local/stack.sh start "$STATE"
# shellcheck source=/dev/null
source "$STATE/env"

if [ -f web/package.json ]; then
  # Reinstall when node_modules is missing or older than the lockfile.
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    say "installing web dependencies (npm ci)"
    npm --prefix web ci
  fi
  say "building the web app"
  npm --prefix web run build
fi

say "devserver on http://127.0.0.1:${MARQUEE_DEV_PORT:-3000}"
cargo run -p devserver -- --seed-demo
