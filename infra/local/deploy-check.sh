#!/usr/bin/env bash
# `make deploy-check` (and the deploy-check step of `make test`): what a deploy does, offline.
#   1. installs or checks the deploy tools (infra/local/install.sh -> install-deploy.sh)
#   2. `sam validate --lint` on infra/template.yaml (no AWS account or credentials needed)
#   3. builds every function of the template (its `Binary:` build properties) for arm64
#      (aarch64-unknown-linux-gnu, linked by zig: glibc old enough for provided.al2023) in ONE
#      `cargo lambda build` sharing one dependency tree, with the `deploy-check` profile
#      (release without fat LTO; Cargo.toml) into target/deploy-check/. `make deploy` runs the
#      real `sam build` (release profile, one cargo build per function) instead.
#   4. zips each bootstrap as `sam deploy` would and prints its size against the budget,
#      DEPLOY_ZIP_BUDGET_BYTES (10 MB = 10,000,000 bytes). It fails the check with
#      DEPLOY_CHECK_PROFILE=release (what `sam build` uploads; slow: fat LTO); the default
#      profile's bootstraps (no LTO) are about twice as large, so there a function over the
#      budget is flagged and only Lambda's 50 MB limit for a directly uploaded zip fails.
#   5. smoke-tests the public-api bootstrap inside with-stack.sh (a private local stack): the
#      devserver seeds the demo venue; a secret like the deployed one (jwtSecret, originSecret)
#      goes into the stack's Secrets Manager (moto); the arm64 bootstrap runs under qemu-aarch64
#      against infra/local/lambda-runtime-emulator.py, which hands it an API Gateway HTTP API
#      (payload 2.0) event for `GET /api/v1/site` as CloudFront forwards it (viewer host
#      demo.localhost, the origin secret); it must answer 200 with the demo venue's site, and
#      its init time (process start to its first /invocation/next) is printed.
# Figures and the smoke test's response go to tests/artifacts/deploy-check/ (report.txt).
# DEPLOY_CHECK_SKIP_BUILD=1 reuses the bootstraps already in target/deploy-check (iterating).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

VENV="$LOCAL/deploy-venv"
TARGET=aarch64-unknown-linux-gnu
TARGET_DIR="$ROOT/target/deploy-check"
# The release profile (fat LTO: what `sam build` uploads) checks the budget exactly but takes
# far longer; the deploy-check profile's bootstraps are larger (no LTO).
PROFILE=${DEPLOY_CHECK_PROFILE:-deploy-check}
ARTIFACTS="$ROOT/tests/artifacts/deploy-check"
ZIP_BUDGET=${DEPLOY_ZIP_BUDGET_BYTES:-10000000}
SMOKE_FUNCTION=public-api
START_TIMEOUT_SECONDS=120
export SAM_CLI_TELEMETRY=0 AWS_EC2_METADATA_DISABLED=true

# ------------------------------------------------------------------- smoke test (in a stack)
# deploy-check.sh smoke <bootstrap>: run by step 5 inside with-stack.sh.
smoke() {
  local bootstrap=$1
  [ -n "${MARQUEE_DYNAMODB_URL:-}" ] && [ -n "${MARQUEE_MOTO_URL:-}" ] ||
    die "no local stack in the environment; run through infra/local/with-stack.sh"
  pid_file="$ARTIFACTS/devserver.pid" devserver_pgid=""
  stop_devserver() {
    [ -n "$devserver_pgid" ] || return 0
    kill -TERM -- "-$devserver_pgid" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
      kill -0 -- "-$devserver_pgid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$devserver_pgid" 2>/dev/null || true
    devserver_pgid=""
  }
  trap stop_devserver EXIT

  # The demo venue (demo.localhost), created by the devserver as `make dev` does.
  say "building the devserver (it seeds the demo venue)"
  cargo build -p devserver
  local devserver_bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/devserver" port base
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  MARQUEE_DEV_PORT=$port setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pid_file" "$devserver_bin" --seed-demo \
    </dev/null >"$ARTIFACTS/devserver.log" 2>&1 &
  for ((i = 0; i < 50; i++)); do
    [ -s "$pid_file" ] && break
    sleep 0.1
  done
  devserver_pgid=$(cat "$pid_file" 2>/dev/null || true)
  [[ "$devserver_pgid" =~ ^[0-9]+$ ]] || die "the devserver did not start"
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until grep -q 'Marquee is running locally' "$ARTIFACTS/devserver.log" &&
    [ "$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' \
      -H 'Host: demo.localhost' "$base/api/v1/site" || true)" = 200 ]; do
    if [ $SECONDS -ge $deadline ] || ! kill -0 -- "-$devserver_pgid" 2>/dev/null; then
      tail -n 40 "$ARTIFACTS/devserver.log" >&2 || true
      die "the devserver did not seed the demo venue"
    fi
    sleep 0.2
  done
  # The venue and the resources stay in the stack; the function alone answers from here on.
  stop_devserver
  say "demo venue seeded; devserver stopped"

  # The function reads its secret from Secrets Manager on first use, as in AWS.
  local secret_id=marquee/deploy-check origin_secret
  origin_secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
  "$VENV/bin/python" - "$secret_id" "$origin_secret" <<'PY'
import json, os, secrets, sys
import boto3
client = boto3.client(
    "secretsmanager", endpoint_url=os.environ["MARQUEE_MOTO_URL"], region_name="us-east-1"
)
client.create_secret(
    Name=sys.argv[1],
    SecretString=json.dumps({"jwtSecret": secrets.token_urlsafe(48), "originSecret": sys.argv[2]}),
)
PY

  # An API Gateway HTTP API event (payload format 2.0) for GET /api/v1/site, as CloudFront
  # forwards a viewer's request: API Gateway's own host, the venue's in X-Viewer-Host and the
  # origin secret (without it the API answers 403 direct_access).
  local api_host=abcdef1234.execute-api.us-east-1.amazonaws.com
  python3 - "$ARTIFACTS/event.json" "$api_host" "$origin_secret" <<'PY'
import json, sys, time
path, api_host, origin_secret = sys.argv[1:4]
now = time.time()
event = {
    "version": "2.0",
    "routeKey": "ANY /api/{proxy+}",
    "rawPath": "/api/v1/site",
    "rawQueryString": "",
    "headers": {
        "accept": "application/json",
        "host": api_host,
        "user-agent": "Amazon CloudFront",
        "via": "2.0 0123456789abcdef.cloudfront.net (CloudFront)",
        "x-forwarded-for": "192.0.2.10, 192.0.2.20",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        "x-origin-secret": origin_secret,
        "x-viewer-host": "demo.localhost",
        "cloudfront-viewer-address": "192.0.2.10:50123",
    },
    "requestContext": {
        "accountId": "123456789012",
        "apiId": api_host.split(".")[0],
        "domainName": api_host,
        "domainPrefix": api_host.split(".")[0],
        "http": {
            "method": "GET",
            "path": "/api/v1/site",
            "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.20",
            "userAgent": "Amazon CloudFront",
        },
        "requestId": "deploy-check-1",
        "routeKey": "ANY /api/{proxy+}",
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    },
    "pathParameters": {"proxy": "v1/site"},
    "isBase64Encoded": False,
}
with open(path, "w") as f:
    json.dump(event, f, indent=2)
PY

  # The function's environment as the template sets it (SECRET_ID, LIVE_URL) plus what the
  # local stack needs (the resources the devserver created, the endpoints of the stack).
  say "smoke test: $SMOKE_FUNCTION (arm64, qemu-aarch64) answering GET /api/v1/site through the Runtime API"
  local status=0
  env MARQUEE_STAGE=local PLATFORM_DOMAIN=localhost TABLE_NAME=marquee-local \
    DOCUMENTS_BUCKET=marquee-local-documents \
    MAIL_QUEUE_URL="$MARQUEE_MOTO_URL/123456789012/marquee-local-mail" \
    HOLD_EXPIRY_QUEUE_URL="$MARQUEE_MOTO_URL/123456789012/marquee-local-hold-expiry" \
    SECRET_ID="$secret_id" LIVE_URL="wss://live.example.invalid/dev" \
    AWS_LAMBDA_FUNCTION_NAME=marquee-deploy-check-public-api AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512 \
    AWS_LAMBDA_FUNCTION_VERSION='$LATEST' AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/deploy-check \
    AWS_LAMBDA_LOG_STREAM_NAME=deploy-check AWS_LAMBDA_LOG_FORMAT=JSON RUST_LOG=info \
    python3 infra/local/lambda-runtime-emulator.py --event "$ARTIFACTS/event.json" \
    --out "$ARTIFACTS/smoke.json" --timeout 60 -- \
    qemu-aarch64 -L /usr/aarch64-linux-gnu "$bootstrap" \
    >"$ARTIFACTS/bootstrap.log" 2>&1 || status=$?
  python3 - "$ARTIFACTS/smoke.json" <<'PY' || status=1
import json, sys
summary = json.load(open(sys.argv[1]))
response = summary.get("response") if isinstance(summary.get("response"), dict) else {}
code = response.get("statusCode")
try:
    site = json.loads(response.get("body") or "{}")
except ValueError:
    site = {}
print(f"  status {code}, init {summary.get('init_ms')} ms, invoke {summary.get('invoke_ms')} ms "
      f"(arm64 under qemu-user on x86_64: slower than on Graviton)")
print(f"  body: {(response.get('body') or summary.get('error') or '')[:300]}")
if not summary.get("ok") or code != 200 or not site:
    sys.exit(1)
PY
  if [ "$status" != 0 ]; then
    tail -n 30 "$ARTIFACTS/bootstrap.log" >&2 || true
    die "the smoke test failed (summary: ${ARTIFACTS#"$ROOT"/}/smoke.json, log: bootstrap.log)"
  fi
  say "smoke test passed"
}

if [ "${1:-}" = smoke ]; then
  smoke "$2"
  exit 0
fi

# ------------------------------------------------------------------------------ the check
started=$SECONDS
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
report() { printf '%s\n' "$*" | tee -a "$ARTIFACTS/report.txt"; }

bash infra/local/install.sh
command -v qemu-aarch64 >/dev/null 2>&1 && [ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] ||
  die "qemu-aarch64 or the arm64 libc is missing: apt-get install qemu-user libc6-arm64-cross (install.sh does)"
t=$SECONDS
"$VENV/bin/sam" validate --lint --template-file infra/template.yaml --region us-east-1 </dev/null
report "sam validate --lint: $((SECONDS - t)) s"

# Every function of the template, by its Binary build property (one package per function).
mapfile -t functions < <(sed -n 's/^ *Binary: *\([A-Za-z0-9_-]*\) *$/\1/p' infra/template.yaml)
[ ${#functions[@]} -gt 0 ] || die "no function with a Binary build property in infra/template.yaml"
build_args=()
for f in "${functions[@]}"; do build_args+=(-p "$f" --bin "$f"); done

t=$SECONDS
if [ "${DEPLOY_CHECK_SKIP_BUILD:-}" = 1 ]; then
  say "DEPLOY_CHECK_SKIP_BUILD=1: using the bootstraps already built"
else
  say "building ${#functions[@]} functions for arm64 in one cargo lambda build (profile $PROFILE)"
  # cargo-lambda finds zig through the venv's python (ziglang); no standard input.
  # (The target dir through the environment: cargo-lambda passes --target-dir on to
  # `cargo metadata`, which refuses it.)
  PATH="$VENV/bin:$PATH" CARGO_TARGET_DIR="$TARGET_DIR" "$VENV/bin/cargo-lambda" lambda build \
    --profile "$PROFILE" --target "$TARGET" --lambda-dir "$TARGET_DIR/lambda" \
    "${build_args[@]}" </dev/null
fi
report "arm64 build of ${#functions[@]} functions (one cargo lambda build, profile $PROFILE): $((SECONDS - t)) s"

# Zipped as `sam deploy` packages a function (the bootstrap alone, deflated).
# The budget binds the release profile's bootstraps. Those of the lighter deploy-check profile
# are about twice as large: over the budget they are reported, and only Lambda's own limit
# for a zip uploaded directly (50 MB) fails the check.
python3 - "$TARGET_DIR/lambda" "$ZIP_BUDGET" "$ARTIFACTS" "$PROFILE" "${functions[@]}" <<'PY' | tee -a "$ARTIFACTS/report.txt"
import os, sys, zipfile
lambda_dir, budget, artifacts, profile, functions = (
    sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:])
binding = profile == "release"
limit = budget if binding else 50 * 1000 * 1000
over = []
print(f"{'function':<16} {'bootstrap':>12} {'zipped':>12}  (budget {budget:,} bytes zipped, arm64)")
for name in functions:
    bootstrap = os.path.join(lambda_dir, name, "bootstrap")
    with open(bootstrap, "rb") as f:
        head = f.read(20)
    # ELF, 64-bit, little-endian, e_machine 183 (AArch64)
    if head[:4] != b"\x7fELF" or int.from_bytes(head[18:20], "little") != 183:
        sys.exit(f"{bootstrap} is not an arm64 ELF binary")
    out = os.path.join(artifacts, f"{name}.zip")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o100755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(bootstrap, "rb") as f:
            z.writestr(info, f.read())
    raw, zipped = os.path.getsize(bootstrap), os.path.getsize(out)
    flag = "  OVER BUDGET" if zipped > budget else ""
    if not binding and zipped > budget:
        flag += f" (profile {profile}, no LTO: check with DEPLOY_CHECK_PROFILE=release)"
    print(f"{name:<16} {raw:>12,} {zipped:>12,}{flag}")
    if zipped > limit:
        over.append(name)
    os.remove(out)
if over:
    sys.exit(f"over {limit:,} bytes zipped: {', '.join(over)}")
PY

t=$SECONDS
bash infra/local/with-stack.sh bash "$0" smoke "$TARGET_DIR/lambda/$SMOKE_FUNCTION/bootstrap" |
  tee -a "$ARTIFACTS/report.txt"
report "smoke test (stack, devserver seed, $SMOKE_FUNCTION under qemu): $((SECONDS - t)) s"
report "make deploy-check: PASSED in $((SECONDS - started)) s"
