#!/usr/bin/env bash
# `make test` (and CI, through .ci/run): every check and test, against a private local stack.
#   1. install what is missing          (infra/local/install.sh)
#   2. lint the SAM template            (cfn-lint; errors fail, warnings are only shown)
#   3. rustfmt, clippy (-D warnings) and cargo deny (licences, bans, sources: deny.toml), then
#      compile all tests             (before the stack starts, so it does not idle meanwhile)
#   4. run all Rust tests               (inside with-stack.sh: fresh stack on free ports)
#      then schemathesis over both OpenAPI documents against a devserver (infra/local/fuzz.sh,
#      its own stack: no 5xx, no response schema violation, no undocumented status code)
#   5. web tests, if there is a web app: npm ci (when needed), the API types check (the types in
#      web/src/lib/api/ regenerated from the APIs must be those committed:
#      infra/local/check-api-types.sh), unit tests and svelte-check (npm test), then browser
#      tests in headless Chromium against a devserver (infra/local/web-e2e.sh, inside
#      with-stack.sh: its own stack on free ports)
# A failing step does not hide the others' results; the exit status is non-zero if any failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

results=()
failed=()
notes=()
logs=$(mktemp -d)

# step <name> <command...>: runs the command and records PASS or FAIL with its duration.
step() {
  local name=$1
  shift
  say "== $name: $*"
  local started=$SECONDS
  if "$@" 2>&1 | tee "$logs/$name.log"; then
    results+=("PASS  $(printf '%-14s %5ss' "$name" $((SECONDS - started)))")
  else
    results+=("FAIL  $(printf '%-14s %5ss' "$name" $((SECONDS - started)))")
    failed+=("$name")
  fi
  # What failed (or passed only on a retry), repeated under the summary: CI keeps only the tail.
  local why
  why=$(grep -E '^ *✘ +[0-9]+ |\bflaky\b|^ *[0-9]+\) |panicked at|^test .* FAILED|^error(\[|:)' "$logs/$name.log" | tail -n 12 || true)
  if [ -n "$why" ]; then notes+=("-- $name:" "$why"); fi
}
skip() { results+=("SKIP  $1 ($2)"); }

summary() {
  echo
  echo "==== make test summary ===="
  printf '  %s\n' "${results[@]}"
  echo "  total: $((SECONDS / 60)) min $((SECONDS % 60)) s"
  if [ ${#notes[@]} -gt 0 ]; then printf '%s\n' "${notes[@]}"; fi
  if [ ${#failed[@]} -eq 0 ]; then
    echo "make test: PASSED"
  else
    echo "make test: FAILED (${failed[*]})"
  fi
}
trap summary EXIT

step install bash infra/local/install.sh
if [ ${#failed[@]} -gt 0 ]; then exit 1; fi # nothing else can run without it

if [ -f infra/template.yaml ]; then
  step cfn-lint .local/venv/bin/cfn-lint --non-zero-exit-code error infra/template.yaml
else
  skip cfn-lint "no infra/template.yaml"
fi

# In CI a committed Cargo.lock must already be up to date; locally cargo may refresh it.
cargo_flags=(--workspace)
if [ "${CI:-}" = true ] && [ -f Cargo.lock ]; then cargo_flags+=(--locked); fi

step rustfmt cargo fmt --all -- --check
step clippy cargo clippy "${cargo_flags[@]}" --all-targets -- -D warnings
# Not `advisories`: its database cannot be downloaded here. Duplicate versions only warn; run
# `cargo deny check bans` to see which crates bring a denied or duplicated one.
step cargo-deny cargo deny check --hide-inclusion-graph bans licenses sources
step compile cargo test "${cargo_flags[@]}" --no-run
# The application services' unit tests need no local stack and no AWS settings: run them
# before the stack starts, with an environment that has neither.
step app-unit env -i PATH="$PATH" HOME="$HOME" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" \
  RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" cargo test -p marquee-app
if [[ " ${failed[*]} " == *" compile "* ]]; then
  skip rust-tests "compile failed"
else
  step rust-tests bash infra/local/with-stack.sh cargo test "${cargo_flags[@]}" --no-fail-fast -- --test-threads=8
  step fuzz bash infra/local/with-stack.sh bash infra/local/fuzz.sh
  step chaos bash infra/local/with-stack.sh cargo run --quiet -p marquee-tests --bin chaos
fi
step deploy-check bash infra/local/deploy-check.sh

if [ -f web/package.json ]; then
  # CI always installs from the lockfile; locally only when node_modules is missing or older
  # than the lockfile (as in dev.sh).
  if [ "${CI:-}" = true ] || [ ! -d web/node_modules ] ||
    [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    step web-install npm --prefix web ci --no-audit --no-fund
  else
    skip web-install "node_modules is up to date"
  fi
  if [[ " ${failed[*]} " == *" web-install "* ]]; then
    skip api-types "npm ci failed"
    skip web-unit "npm ci failed"
    skip web-e2e "npm ci failed"
  else
    # The web app's API types (web/src/lib/api/) must be the ones generated from the APIs.
    if [[ " ${failed[*]} " == *" compile "* ]]; then
      skip api-types "compile failed"
    else
      step api-types bash infra/local/check-api-types.sh
    fi
    step web-unit npm --prefix web test
    step web-e2e bash infra/local/with-stack.sh bash infra/local/web-e2e.sh
  fi
else
  skip web "no web/package.json"
fi

[ ${#failed[@]} -eq 0 ]
