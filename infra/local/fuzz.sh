#!/usr/bin/env bash
# `make fuzz` (and the fuzz step of `make test`): schemathesis over both OpenAPI documents,
# against a devserver on a private local stack:
#   bash infra/local/with-stack.sh bash infra/local/fuzz.sh
#   1. builds the devserver (cargo build -p devserver); FUZZ_DEVSERVER_BIN=<path> uses a built one
#   2. starts it with the demo venue on a free port, in its own process group (stopped on exit)
#   3. logs in as the demo owner (a staff token) and registers a patron (a patron token)
#   4. runs schemathesis on /api/openapi.json (patron token) and /admin/openapi.json (staff
#      token), both on the demo venue's host, with the checks: no 5xx, responses match their
#      documented schema, and every status code is documented. Bounded: FUZZ_MAX_EXAMPLES test
#      cases per operation and phase (default 20), and a wall-clock limit of FUZZ_MAX_TIME
#      seconds per document (default 240; running out of it fails the step: schemathesis's own
#      --max-time would instead repeat fuzzing until the time is spent). Seeded (FUZZ_SEED,
#      default 12), so a failure found in CI reproduces locally.
#   5. prints how many requests each document took and how long
# Reports (JUnit, and the NDJSON event log that counts the requests) and the devserver log go to
# tests/artifacts/fuzz/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

START_TIMEOUT_SECONDS=120
STOP_GRACE_SECONDS=5
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-20}
MAX_TIME=${FUZZ_MAX_TIME:-240}
SEED=${FUZZ_SEED:-12}
HOST=demo.localhost
ARTIFACTS="$ROOT/tests/artifacts/fuzz"
SCHEMATHESIS="$LOCAL/venv/bin/schemathesis"

[ -n "${MARQUEE_DYNAMODB_URL:-}" ] && [ -n "${MARQUEE_MOTO_URL:-}" ] ||
  die "no local stack in the environment; run: bash infra/local/with-stack.sh bash infra/local/fuzz.sh"
[ -x "$SCHEMATHESIS" ] || die "no schemathesis in .local/venv; run: bash infra/local/install.sh"

rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"

# --- the devserver, started below; always stopped on the way out -----------------------------
PID_FILE="$ARTIFACTS/devserver.pid"
devserver_pgid=""

# True while process group $1 has a member that is not a zombie (the devserver is our child,
# so once it exits it stays a zombie until this script ends; kill -0 alone would count it).
group_alive() {
  local pgid=$1 f line fields
  kill -0 -- "-$pgid" 2>/dev/null || return 1
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    read -r -a fields <<<"${line##*) }"
    [ "${fields[2]}" = "$pgid" ] && [ "${fields[0]}" != Z ] && return 0
  done
  return 1
}

stop_devserver() {
  [ -n "$devserver_pgid" ] || return 0
  if group_alive "$devserver_pgid"; then
    say "stopping the devserver (process group $devserver_pgid)"
    kill -TERM -- "-$devserver_pgid" 2>/dev/null || true
    local i
    for ((i = 0; i < STOP_GRACE_SECONDS * 10; i++)); do
      group_alive "$devserver_pgid" || break
      sleep 0.1
    done
    if group_alive "$devserver_pgid"; then
      say "the devserver did not exit after ${STOP_GRACE_SECONDS}s; killing it"
      kill -KILL -- "-$devserver_pgid" 2>/dev/null || true
    fi
  fi
  devserver_pgid=""
  rm -f "$PID_FILE"
}
trap stop_devserver EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. the devserver -------------------------------------------------------------------------
if [ -n "${FUZZ_DEVSERVER_BIN:-}" ]; then
  devserver_bin=$FUZZ_DEVSERVER_BIN
  say "using the devserver at $devserver_bin"
else
  say "building the devserver"
  cargo build -p devserver
  devserver_bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/devserver"
fi
[ -x "$devserver_bin" ] || die "no devserver binary at $devserver_bin"

# --- 2. start it on a free port ---------------------------------------------------------------
port=$(python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
say "starting the devserver with the demo venue on 127.0.0.1:$port (log: ${ARTIFACTS#"$ROOT"/}/devserver.log)"
rm -f "$PID_FILE"
MARQUEE_DEV_PORT=$port setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" "$devserver_bin" --seed-demo \
  </dev/null >"$ARTIFACTS/devserver.log" 2>&1 &
for ((i = 0; i < 50; i++)); do
  [ -s "$PID_FILE" ] && break
  sleep 0.1
done
devserver_pgid=$(cat "$PID_FILE" 2>/dev/null || true)
[[ "$devserver_pgid" =~ ^[0-9]+$ ]] || die "the devserver did not start"

# Ready once it has printed its banner, which comes after all the demo data is seeded.
ready() {
  [ "$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' \
    -H "Host: $HOST" "$base/api/v1/site" || true)" = 200 ] &&
    grep -q 'Marquee is running locally' "$ARTIFACTS/devserver.log"
}
deadline=$((SECONDS + START_TIMEOUT_SECONDS))
until ready; do
  if ! group_alive "$devserver_pgid"; then
    tail -n 40 "$ARTIFACTS/devserver.log" >&2 || true
    die "the devserver exited during startup"
  fi
  if [ $SECONDS -ge $deadline ]; then
    tail -n 40 "$ARTIFACTS/devserver.log" >&2 || true
    die "the demo venue did not answer within ${START_TIMEOUT_SECONDS}s"
  fi
  sleep 0.2
done

# --- 3. tokens --------------------------------------------------------------------------------
# post_token <path> <json>: POSTs on the demo venue's host and prints the answer's token.
post_token() {
  curl -sS --noproxy '*' --max-time 10 -H "Host: $HOST" -H 'Content-Type: application/json' \
    --data "$2" "$base$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
owner=$(sed -n 's/^pub const DEMO_OWNER_EMAIL: &str = "\(.*\)";$/\1/p' infra/devserver/src/lib.rs)
password=$(sed -n 's/^pub const DEMO_OWNER_PASSWORD: &str = "\(.*\)";$/\1/p' infra/devserver/src/lib.rs)
staff_token=$(post_token /admin/v1/login "{\"email\":\"$owner\",\"password\":\"$password\"}") ||
  die "logging in as the demo owner ($owner) failed"
patron_token=$(post_token /api/v1/account/register \
  '{"email":"fuzz-patron@example.com","name":"Fuzz Patron","password":"fuzz-patron-password"}') ||
  die "registering the fuzz patron failed"

# --- 4. schemathesis --------------------------------------------------------------------------
# fuzz <name> <schema path> <token>: one run over one document; its reports are named <name>.
fuzz() {
  local name=$1 schema=$2 token=$3
  say "schemathesis on $schema (at most $MAX_EXAMPLES cases per operation and phase, ${MAX_TIME}s, seed $SEED)"
  # The schema is fetched with the venue's Host too (the devserver routes by Host), and every
  # request goes to the devserver's address with that Host header.
  curl -sS --noproxy '*' --max-time 10 -H "Host: $HOST" -o "$ARTIFACTS/$name-openapi.json" "$base$schema"
  local started=$SECONDS status=0
  # Run from the artifacts folder: schemathesis keeps a .schemathesis/ cache in its working
  # directory. One worker: with several, Hypothesis's lambda-source cache races
  # ("AST constructor recursion depth mismatch") and an operation ends in a runtime error.
  (cd "$ARTIFACTS" && NO_COLOR=1 timeout --kill-after=10 "$MAX_TIME" "$SCHEMATHESIS" run "$ARTIFACTS/$name-openapi.json" \
    --url "$base" \
    --header "Host: $HOST" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --generation-database none \
    --workers 1 \
    --request-timeout 20 \
    --suppress-health-check all \
    --no-color \
    --report junit,ndjson \
    --report-junit-path "$ARTIFACTS/$name-junit.xml" \
    --report-ndjson-path "$ARTIFACTS/$name-events.ndjson" \
    </dev/null) || status=$?
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    say "schemathesis on $schema did not finish within ${MAX_TIME}s"
  fi
  say "$schema: $(requests_sent "$ARTIFACTS/$name-events.ndjson") requests in $((SECONDS - started))s"
  return "$status"
}

# requests_sent <ndjson>: the number of HTTP requests recorded in a schemathesis event log.
requests_sent() {
  python3 - "$1" <<'PY' || echo "?"
import json, sys
sent = 0
with open(sys.argv[1]) as events:
    for line in events:
        finished = json.loads(line).get("ScenarioFinished")
        if finished:
            sent += len(finished.get("recorder", {}).get("interactions", {}))
print(sent)
PY
}

status=0
started=$SECONDS
fuzz public /api/openapi.json "$patron_token" || status=1
fuzz admin /admin/openapi.json "$staff_token" || status=1
say "both documents fuzzed in $((SECONDS - started))s; reports in ${ARTIFACTS#"$ROOT"/}/"
exit "$status"
