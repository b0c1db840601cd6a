#!/usr/bin/env bash
# Browser tests of the web app against a real devserver, inside an already started local stack:
#   bash infra/local/with-stack.sh bash infra/local/web-e2e.sh [playwright test args, e.g. --grep domain]
#   1. builds the web app into web/dist (npm ci first when node_modules is missing or stale)
#   2. builds the devserver (cargo build -p devserver); WEB_E2E_DEVSERVER_BIN=<path> uses a built one
#   3. starts it with the demo venue on a free port, in its own process group, and stops it on exit
#   4. runs the Playwright tests (web/e2e) in Debian's headless Chromium with
#      BASE_URL=http://demo.localhost:<port> (Chromium resolves *.localhost to loopback itself)
# Screenshots of key pages, the devserver log and failure traces go to tests/artifacts/web/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

START_TIMEOUT_SECONDS=120
STOP_GRACE_SECONDS=5
ARTIFACTS="$ROOT/tests/artifacts/web"

[ -n "${MARQUEE_DYNAMODB_URL:-}" ] && [ -n "${MARQUEE_MOTO_URL:-}" ] ||
  die "no local stack in the environment; run: bash infra/local/with-stack.sh bash infra/local/web-e2e.sh"
[ -x /usr/bin/chromium ] || die "Chromium (/usr/bin/chromium) is missing; run: bash infra/local/install.sh"
# Vite 8 and its native bundler need Node ^20.19 or >= 22.12 (Debian 12's own nodejs is 18).
node -e '
const [major, minor] = process.versions.node.split(".").map(Number);
process.exit((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22 ? 0 : 1);' ||
  die "the web app needs Node.js ^20.19 or >= 22.12; this is $(node --version)"

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

# --- 1. the web app ---------------------------------------------------------------------------
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  say "installing web dependencies (npm ci)"
  npm --prefix web ci --no-audit --no-fund
fi
say "building the web app"
npm --prefix web run build

# --- 2. the devserver ---------------------------------------------------------------------------
if [ -n "${WEB_E2E_DEVSERVER_BIN:-}" ]; then
  devserver_bin=$WEB_E2E_DEVSERVER_BIN
  say "using the devserver at $devserver_bin"
else
  say "building the devserver"
  cargo build -p devserver
  devserver_bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/devserver"
fi
[ -x "$devserver_bin" ] || die "no devserver binary at $devserver_bin"

# --- 3. start it on a free port ---------------------------------------------------------------
port=$(python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
say "starting the devserver with the demo venue on 127.0.0.1:$port (log: ${ARTIFACTS#"$ROOT"/}/devserver.log)"
# setsid: its own session and process group, so the whole group can be stopped. The child
# writes its own PID (= the group id), which stays valid across exec.
rm -f "$PID_FILE"
MARQUEE_DEV_PORT=$port setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" "$devserver_bin" --seed-demo \
  </dev/null >"$ARTIFACTS/devserver.log" 2>&1 &
for ((i = 0; i < 50; i++)); do
  [ -s "$PID_FILE" ] && break
  sleep 0.1
done
devserver_pgid=$(cat "$PID_FILE" 2>/dev/null || true)
[[ "$devserver_pgid" =~ ^[0-9]+$ ]] || die "the devserver did not start"

# Ready when the demo venue answers and the devserver has printed its banner, which comes
# after all the demo data is seeded (the venue answers before its events exist).
ready() {
  [ "$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' \
    -H 'Host: demo.localhost' "http://127.0.0.1:$port/api/v1/site" || true)" = 200 ] &&
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
    die "the demo venue did not answer (or the devserver printed no 'Marquee is running locally' banner) within ${START_TIMEOUT_SECONDS}s"
  fi
  sleep 0.2
done
say "demo venue ready at http://demo.localhost:$port"

# --- 4. the browser tests -----------------------------------------------------------------------
set +e
(cd web && BASE_URL="http://demo.localhost:$port" WEB_ARTIFACTS="$ARTIFACTS" npx --no-install playwright test "$@")
status=$?
set -e
say "screenshots: $(cd "$ARTIFACTS" && ls -- *.png 2>/dev/null | tr '\n' ' ')"
exit "$status"
