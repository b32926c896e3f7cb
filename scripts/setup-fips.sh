#!/usr/bin/env bash
# Installs what the `fips` feature needs to build AWS-LC's FIPS 140-3 module (aws-lc-fips-sys):
# Debian's golang-go, cmake and clang. Nothing else is built or started here.
#
# Used by `cargo build --features fips` (httpsig-core, fapi-profile, conformance), which
# .ci/run exercises with `httpsig vectors --provider aws-lc-rs` on the FIPS module.
# Idempotent: it does nothing when `go`, `cmake` and `clang` are already on PATH.
set -euo pipefail

missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v clang >/dev/null 2>&1 || missing+=(clang)
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "setup-fips.sh: ${missing[*]} missing and this user cannot install packages (not root, no sudo)" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
# apt/debconf chatter goes to a log that is shown only when a step fails.
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
run_quiet() {
    if ! "$@" >"$LOG" 2>&1; then
        echo "setup-fips.sh: '$*' failed:" >&2
        cat "$LOG" >&2
        exit 1
    fi
}
run_quiet $SUDO apt-get update -qq
run_quiet $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

for tool in go cmake clang; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "setup-fips.sh: apt-get finished but $tool is still not on PATH" >&2
        exit 1
    fi
done
