#!/usr/bin/env bash
# Starts, stops and reports the local AWS stand-ins (DESIGN.md "Local stack") for one state dir:
#   DynamoDB Local (Java), moto server (SQS, SES v2, S3, API Gateway Management), the
#   repository's Stripe double (infra/stripe-double; the devserver registers its webhook URL) and
#   its edge double (infra/edge-double: CloudFront's multi-tenant calls and a DNS server, for
#   custom domains).
#
#   stack.sh start  <state-dir>   start them (or reuse them if already running), write <state-dir>/env
#   stack.sh stop   <state-dir>   stop the processes recorded in <state-dir>/*.pid, and nothing else
#   stack.sh status <state-dir>   exit 0 when all are running
#
# Ports: MARQUEE_DYNAMODB_PORT / MARQUEE_MOTO_PORT / MARQUEE_STRIPE_PORT / MARQUEE_EDGE_PORT /
# MARQUEE_DNS_PORT (the edge double's DNS, UDP and TCP), default 8700 / 8701 / 8702 / 8703 / 8704.
# With MARQUEE_FREE_PORTS=1
# any port variable that is unset is replaced by a free port (used by with-stack.sh).
# The state dir holds {dynamodb,moto,stripe,edge}.{pid,log} and env (shell exports for clients).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { echo "usage: $0 start|stop|status <state-dir>" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
# Relative state dirs are relative to the caller's working directory.
case "$2" in
  /*) STATE=$2 ;;
  *) STATE="$PWD/$2" ;;
esac
STATE=${STATE%/}

SERVICES=(dynamodb moto stripe edge lob)
STOP_GRACE_SECONDS=5
START_TIMEOUT_SECONDS=60

# A string that the command line of each service's process contains; checked before any
# signal is sent, so a recycled PID that now belongs to something else is never killed.
signature() {
  case "$1" in
    dynamodb) echo "DynamoDBLocal.jar" ;;
    moto) echo "moto_server" ;;
    stripe) echo "stripe-double" ;;
    edge) echo "edge-double" ;;
    lob) echo "lob-double" ;;
  esac
}

# Prints the PID recorded for a service, if the file holds a number.
recorded_pid() {
  local pid
  pid=$(cat "$STATE/$1.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  echo "$pid"
}

# Prints the recorded PID if that process is alive and is the service we started.
live_pid() {
  local pid cmdline
  pid=$(recorded_pid "$1") || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ "$cmdline" == *"$(signature "$1")"* ]] || return 1
  echo "$pid"
}

# State letter of process $1 (R, S, Z, ...), or nothing if there is no such process.
proc_state() {
  local line fields
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 0
  # After "pid (comm) " come: state ppid pgrp ... (comm may itself contain spaces or parens).
  read -r -a fields <<<"${line##*) }"
  echo "${fields[0]}"
}

# True while process group $1 has a member that is not a zombie. (kill -0 also counts zombies,
# and an exited server stays a zombie until init gets round to reaping it.)
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

# Stops one service: TERM to its process group, KILL after a grace period, remove the pid file.
# Each service was started with setsid, so its PID is also its process group ID.
stop_service() {
  local name=$1 pid i state
  pid=$(recorded_pid "$name") || { rm -f "$STATE/$name.pid"; return 0; }
  state=$(proc_state "$pid")
  if [ -n "$state" ] && [ "$state" != Z ] && ! live_pid "$name" >/dev/null; then
    # The PID now belongs to an unrelated process; ours is long gone. Touch nothing.
    say "$name: PID $pid is no longer ours; not signalling it"
  elif group_alive "$pid"; then
    # (A leader that has exited leaves its group ID reserved, so the group is still ours.)
    say "stopping $name (process group $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_GRACE_SECONDS * 10; i++)); do
      group_alive "$pid" || break
      sleep 0.1
    done
    if group_alive "$pid"; then
      say "$name did not exit after ${STOP_GRACE_SECONDS}s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || true
      for ((i = 0; i < 20; i++)); do
        group_alive "$pid" || break
        sleep 0.1
      done
    fi
  fi
  rm -f "$STATE/$name.pid"
}

stop_all() {
  local name
  for name in "${SERVICES[@]}"; do stop_service "$name"; done
  rm -f "$STATE/env"
}

# Prints N distinct ports on 127.0.0.1 that are free for both TCP and UDP (the edge double's
# DNS uses both); all sockets are held until every port is chosen.
free_ports() {
  python3 -c '
import socket, sys
held, ports = [], []
while len(ports) < int(sys.argv[1]):
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        udp.bind(("127.0.0.1", port))
    except OSError:
        held.append(tcp)
        continue
    held += [tcp, udp]
    ports.append(port)
print(" ".join(str(p) for p in ports))' "$1"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# UDP has no connection to try: see whether the port can be bound.
udp_port_in_use() {
  ! python3 -c '
import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

# Starts a service in its own session (so its whole process group can be signalled) with the
# state dir as working directory. The child writes its own PID, which stays valid across exec.
launch() {
  local name=$1
  shift
  rm -f "$STATE/$name.pid"
  (cd "$STATE" && exec setsid bash -c 'echo $$ >"$0.pid"; exec "$@"' "$STATE/$name" "$@") \
    </dev/null >"$STATE/$name.log" 2>&1 9>&- &
}

show_logs() {
  local name
  for name in "${SERVICES[@]}"; do
    echo "----- last lines of $STATE/$name.log -----" >&2
    tail -n 30 "$STATE/$name.log" >&2 2>/dev/null || true
  done
}

start() {
  mkdir -p "$STATE"
  # Serialise start/stop on the same state dir. Services get fd 9 closed, so they never hold it.
  exec 9>"$STATE/.lock"
  flock 9

  if live_pid dynamodb >/dev/null && live_pid moto >/dev/null && live_pid stripe >/dev/null &&
    live_pid edge >/dev/null && live_pid lob >/dev/null && [ -f "$STATE/env" ]; then
    say "stack already running for $STATE; reusing it"
    grep -E '_(URL|ADDR)=' "$STATE/env" | sed 's/^export /  /'
    return 0
  fi
  # Half a stack (one service died, or env missing) is not trusted: restart all of it.
  stop_all

  [ -f "$LOCAL/dynamodb/DynamoDBLocal.jar" ] && [ -x "$LOCAL/venv/bin/moto_server" ] ||
    die "local stack is not installed; run: bash infra/local/install.sh"
  local java_bin
  java_bin=$(find_java) || die "Java 17+ not found; run: bash infra/local/install.sh"

  # The Stripe double is a binary of this workspace: build it (incremental) before starting.
  say "building the Stripe double"
  (cd "$ROOT" && cargo build --quiet -p stripe-double) || die "could not build infra/stripe-double"
  local stripe_bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/stripe-double"
  # So is the edge double (CloudFront's multi-tenant calls and DNS for custom domains).
  say "building the edge double"
  (cd "$ROOT" && cargo build --quiet -p edge-double) || die "could not build infra/edge-double"
  local edge_bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/edge-double"
  # And the Lob double (print-and-mail letters and their signed webhooks).
  say "building the Lob double"
  (cd "$ROOT" && cargo build --quiet -p lob-double) || die "could not build infra/lob-double"
  local lob_bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/lob-double"

  local ddb_port moto_port stripe_port edge_port dns_port lob_port
  if [ "${MARQUEE_FREE_PORTS:-}" = 1 ]; then
    local picked
    read -r -a picked <<<"$(free_ports 6)"
    ddb_port=${MARQUEE_DYNAMODB_PORT:-${picked[0]}}
    moto_port=${MARQUEE_MOTO_PORT:-${picked[1]}}
    stripe_port=${MARQUEE_STRIPE_PORT:-${picked[2]}}
    edge_port=${MARQUEE_EDGE_PORT:-${picked[3]}}
    dns_port=${MARQUEE_DNS_PORT:-${picked[4]}}
    lob_port=${MARQUEE_LOB_PORT:-${picked[5]}}
  else
    ddb_port=${MARQUEE_DYNAMODB_PORT:-8700}
    moto_port=${MARQUEE_MOTO_PORT:-8701}
    stripe_port=${MARQUEE_STRIPE_PORT:-8702}
    edge_port=${MARQUEE_EDGE_PORT:-8703}
    dns_port=${MARQUEE_DNS_PORT:-8704}
    lob_port=${MARQUEE_LOB_PORT:-8705}
  fi
  local port
  for port in "$ddb_port" "$moto_port" "$stripe_port" "$edge_port" "$dns_port" "$lob_port"; do
    [[ "$port" =~ ^[0-9]+$ ]] || die "invalid port: $port"
    # Otherwise the readiness check below could be answered by someone else's server.
    if port_in_use "$port"; then
      die "port $port on 127.0.0.1 is already in use (another stack? try 'make stop', or set MARQUEE_DYNAMODB_PORT / MARQUEE_MOTO_PORT / MARQUEE_STRIPE_PORT / MARQUEE_EDGE_PORT / MARQUEE_DNS_PORT)"
    fi
  done
  if udp_port_in_use "$dns_port"; then
    die "UDP port $dns_port on 127.0.0.1 is already in use (set MARQUEE_DNS_PORT)"
  fi

  # From here on, anything that goes wrong stops what was started.
  # ($ready is global: the trap runs after this function has returned.)
  ready=0
  trap '[ "$ready" = 1 ] || stop_all' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  say "starting DynamoDB Local on 127.0.0.1:$ddb_port, moto on 127.0.0.1:$moto_port, the Stripe double on 127.0.0.1:$stripe_port and the edge double on 127.0.0.1:$edge_port (DNS $dns_port) ($STATE)"
  # DynamoDB Local has no option for the listen address and would listen on every interface,
  # so it is started through DynamoDBLocalLoopback.java (Java single-file source mode), which
  # binds it to 127.0.0.1. Telemetry is off, by flag and by env var: it sends nothing anywhere.
  launch dynamodb env DDB_LOCAL_TELEMETRY=0 "$java_bin" \
    -Djava.net.preferIPv4Stack=true \
    -Djava.library.path="$LOCAL/dynamodb/DynamoDBLocal_lib" \
    -cp "$LOCAL/dynamodb/DynamoDBLocal.jar" \
    "$ROOT/infra/local/DynamoDBLocalLoopback.java" \
    -inMemory -sharedDb -disableTelemetry -port "$ddb_port"
  launch moto "$LOCAL/venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port"
  # Webhook deliveries retry quickly here: tests wait for them.
  launch stripe env STRIPE_DOUBLE_WEBHOOK_BACKOFF_MS=200 STRIPE_DOUBLE_WEBHOOK_ATTEMPTS=8 "$stripe_bin" --port "$stripe_port"
  launch edge "$edge_bin" --port "$edge_port" --dns-port "$dns_port"
  launch lob "$lob_bin" --port "$lob_port"

  # Wait until all answer. --noproxy: these requests must never leave the machine.
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS)) ddb_up=0 moto_up=0 stripe_up=0 edge_up=0 lob_up=0 code name i
  # The children write their PID files within milliseconds; give them a few seconds at most.
  for ((i = 0; i < 50; i++)); do
    [ -s "$STATE/dynamodb.pid" ] && [ -s "$STATE/moto.pid" ] && [ -s "$STATE/stripe.pid" ] &&
      [ -s "$STATE/edge.pid" ] && [ -s "$STATE/lob.pid" ] && break
    sleep 0.1
  done
  while :; do
    for name in "${SERVICES[@]}"; do
      if ! live_pid "$name" >/dev/null; then
        show_logs
        die "$name exited during startup"
      fi
    done
    if [ $ddb_up = 0 ]; then
      code=$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ddb_port/" || true)
      [ "${code:-000}" = 000 ] || ddb_up=1
    fi
    if [ $moto_up = 0 ] && curl -sf --noproxy '*' --max-time 2 -o /dev/null "http://127.0.0.1:$moto_port/moto-api/"; then
      moto_up=1
    fi
    if [ $stripe_up = 0 ] && curl -sf --noproxy '*' --max-time 2 -o /dev/null "http://127.0.0.1:$stripe_port/_double/health"; then
      stripe_up=1
    fi
    # Its health answer comes once the DNS listener is bound too.
    if [ $edge_up = 0 ] && curl -sf --noproxy '*' --max-time 2 -o /dev/null "http://127.0.0.1:$edge_port/_double/health"; then
      edge_up=1
    fi
    if [ $lob_up = 0 ] && curl -sf --noproxy '*' --max-time 2 -o /dev/null "http://127.0.0.1:$lob_port/_double/health"; then
      lob_up=1
    fi
    [ $ddb_up = 1 ] && [ $moto_up = 1 ] && [ $stripe_up = 1 ] && [ $edge_up = 1 ] && [ $lob_up = 1 ] && break
    if [ $SECONDS -ge $deadline ]; then
      show_logs
      die "stack did not answer within ${START_TIMEOUT_SECONDS}s (DynamoDB up: $ddb_up, moto up: $moto_up, Stripe double up: $stripe_up, edge double up: $edge_up)"
    fi
    sleep 0.2
  done

  # Written under a temporary name and renamed, so readers never see half a file.
  cat >"$STATE/env.tmp" <<EOF
export AWS_ACCESS_KEY_ID=local
export AWS_SECRET_ACCESS_KEY=local
export AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export MARQUEE_DYNAMODB_URL=http://127.0.0.1:$ddb_port
export MARQUEE_MOTO_URL=http://127.0.0.1:$moto_port
# The Stripe double: local-only test keys, each secret key its own account.
export MARQUEE_STRIPE_URL=http://127.0.0.1:$stripe_port
export MARQUEE_STRIPE_SECRET_KEY=sk_test_marquee_local
export MARQUEE_STRIPE_PUBLISHABLE_KEY=pk_test_marquee_local
# The edge double: CloudFront's multi-tenant API (endpoint URL for aws-sdk-cloudfront) and the
# DNS server (UDP and TCP) that custom-domain checks resolve against.
export MARQUEE_EDGE_URL=http://127.0.0.1:$edge_port
export MARQUEE_DNS_ADDR=127.0.0.1:$dns_port
# The Lob double: print-and-mail letters (any key) and their signed webhooks.
export MARQUEE_LOB_URL=http://127.0.0.1:$lob_port
# Keep HTTP clients from sending local calls through a proxy configured in the environment.
export NO_PROXY="127.0.0.1,localhost\${NO_PROXY:+,\$NO_PROXY}"
export no_proxy="\$NO_PROXY"
EOF
  mv "$STATE/env.tmp" "$STATE/env"
  ready=1
  say "stack ready: DynamoDB http://127.0.0.1:$ddb_port, moto http://127.0.0.1:$moto_port, Stripe double http://127.0.0.1:$stripe_port, edge double http://127.0.0.1:$edge_port (DNS 127.0.0.1:$dns_port), Lob double http://127.0.0.1:$lob_port"
}

stop() {
  if [ ! -d "$STATE" ]; then
    say "no state dir $STATE; nothing to stop"
    return 0
  fi
  exec 9>"$STATE/.lock"
  flock 9
  stop_all
  say "stopped ($STATE)"
}

status() {
  local name pid rc=0
  for name in "${SERVICES[@]}"; do
    if pid=$(live_pid "$name"); then
      echo "$name: running (pid $pid)"
    else
      echo "$name: stopped"
      rc=1
    fi
  done
  if [ $rc = 0 ] && [ -f "$STATE/env" ]; then
    grep -E '_(URL|ADDR)=' "$STATE/env" | sed 's/^export /  /'
  fi
  return $rc
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
