# Shared helpers for the infra/local scripts. Source it; it is not run on its own.
# Sets ROOT (the repository root) and LOCAL (the ignored .local/ folder in it).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="$ROOT/.local"

# rustup installs cargo into ~/.cargo/bin, which non-login shells (CI, make) may not have on PATH.
if ! command -v cargo >/dev/null 2>&1 && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
  PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  export PATH
fi

say() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }

# Major version of a java binary (8 for "1.8.0_x", 17 for "17.0.x"), or 0 if it cannot tell.
java_major() {
  local out v
  out=$("$1" -version 2>&1) || true
  [[ "$out" =~ version\ \"([0-9][0-9._]*) ]] || { echo 0; return 0; }
  v=${BASH_REMATCH[1]}
  case "$v" in
    1.*) v=${v#1.} ;;
  esac
  v=${v%%[!0-9]*}
  echo "${v:-0}"
}

# Path of a Java 17+ binary: `java` on PATH if new enough, else one under /usr/lib/jvm
# (apt installs it there even when an older Java is the system default). Fails if none.
find_java() {
  local j
  for j in "$(command -v java 2>/dev/null || true)" /usr/lib/jvm/*/bin/java; do
    if [ -n "$j" ] && [ -x "$j" ] && [ "$(java_major "$j")" -ge 17 ]; then
      echo "$j"
      return 0
    fi
  done
  return 1
}
