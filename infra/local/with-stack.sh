#!/usr/bin/env bash
# Runs one command against a private, throw-away local stack:
#   bash infra/local/with-stack.sh cargo test --workspace
# The stack gets free ports and its own state dir under .local/run/, so it never collides with
# `make dev` or another with-stack run. It is stopped when the command ends, fails or is
# interrupted; the command's exit status is passed on. The command runs in the caller's cwd
# with the variables of <state-dir>/env (MARQUEE_DYNAMODB_URL, MARQUEE_MOTO_URL, AWS_*) set.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -gt 0 ] || { echo "usage: $0 <command> [args...]" >&2; exit 2; }
here="$(dirname "${BASH_SOURCE[0]}")"

bash "$here/install.sh"

mkdir -p "$LOCAL/run"
STATE=$(mktemp -d "$LOCAL/run/stack.XXXXXX")
status=1

cleanup() {
  trap - EXIT INT TERM
  bash "$here/stack.sh" stop "$STATE" || true
  if [ "$status" = 0 ]; then
    rm -rf "$STATE"
  else
    # Keep the server logs of a failed run for a look; .local/ is ignored by git.
    say "stack logs kept in ${STATE#"$ROOT"/}/"
  fi
}
trap cleanup EXIT
trap 'status=130; exit 130' INT
trap 'status=143; exit 143' TERM

# Free ports for every service, whatever ports the caller's shell may have exported for make dev.
MARQUEE_FREE_PORTS=1 MARQUEE_DYNAMODB_PORT='' MARQUEE_MOTO_PORT='' MARQUEE_STRIPE_PORT='' MARQUEE_EDGE_PORT='' MARQUEE_DNS_PORT='' MARQUEE_LOB_PORT='' \
  bash "$here/stack.sh" start "$STATE"
# shellcheck source=/dev/null
source "$STATE/env"

set +e
"$@"
status=$?
set -e
exit "$status"
