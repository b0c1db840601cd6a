#!/usr/bin/env bash
# Fails when the web app's API types have drifted from the APIs: regenerates the OpenAPI
# documents from the Rust code (tests/src/bin/openapi.rs) and the TypeScript types from them
# (openapi-typescript from web/node_modules) into web/src/lib/api/, then asks git whether the
# checked-in copies changed. The fix is `npm --prefix web run gen:api`, then commit the result.
# Needs the web dependencies (npm --prefix web ci); infra/local/test.sh runs it after installing them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

generated=web/src/lib/api
generator=web/node_modules/.bin/openapi-typescript

[ -x "$generator" ] || die "$generator is missing: run npm --prefix web ci first"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
  die "not a git checkout: cannot compare the generated files with the committed ones"

# In CI the committed Cargo.lock must already be up to date (as in test.sh).
cargo_flags=()
if [ "${CI:-}" = true ]; then cargo_flags+=(--locked); fi

say "writing the OpenAPI documents into $generated/"
cargo run -q ${cargo_flags[@]+"${cargo_flags[@]}"} -p marquee-tests --bin openapi -- "$generated"
for doc in public admin; do
  say "generating $generated/$doc.d.ts"
  "$generator" "$generated/$doc.json" -o "$generated/$doc.d.ts" >/dev/null
done

stale=0
if ! git diff --exit-code --stat -- "$generated"; then
  stale=1
fi
untracked=$(git ls-files --others --exclude-standard -- "$generated")
if [ -n "$untracked" ]; then
  printf 'not checked in:\n%s\n' "$untracked" >&2
  stale=1
fi
if [ "$stale" -ne 0 ]; then
  die "the web app's API types in $generated/ are not those of the Rust APIs (listed above).
  Run \`npm --prefix web run gen:api\`, check that the web app still builds (\`npm --prefix web run check\`),
  and commit $generated/ with the API change."
fi
say "the web app's API types match the APIs"
