#!/usr/bin/env bash
# A short smoke run of every cargo-fuzz target (STYLE: "a short smoke run of each in .ci/run"):
# each target is built with libFuzzer and sanitizers and run for FUZZ_SECONDS (default 20) from
# its seeds under fuzz/seeds/<target>/ when there are any. A crash fails the script; the long
# runs (millions of executions) are done by hand and reported in closing notes.
#
# Installs cargo-fuzz (pinned) when missing. The toolchain is stable; cargo-fuzz needs nightly
# flags, which RUSTC_BOOTSTRAP=1 allows on it.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION="0.13.2"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    cargo install --quiet --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^httpsig-fuzz$')
(cd fuzz && cargo fuzz build)
for t in $targets; do
    corpus="fuzz/corpus/$t"
    mkdir -p "$corpus"
    dirs=("$corpus")
    [ -d "fuzz/seeds/$t" ] && dirs+=("fuzz/seeds/$t")
    echo "== fuzz $t (${SECONDS_PER_TARGET}s)"
    log="$(mktemp)"
    if ! (cd fuzz && cargo fuzz run "$t" "${dirs[@]/#fuzz\//}" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -print_final_stats=1) >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "fuzz-smoke: $t failed (input in fuzz/artifacts/$t)" >&2
        exit 1
    fi
    grep -E '^stat::number_of_executed_units|^Done' "$log" || true
    rm -f "$log"
done
