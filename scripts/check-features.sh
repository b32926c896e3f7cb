#!/usr/bin/env bash
# Feature checks in the manner of `cargo hack --each-feature --no-dev-deps`, as a small loop:
# every workspace crate that declares features is checked with no default features, with each
# feature alone, and with all features together; then httpsig-core's tests run with all
# features (the crate whose features add providers). Features only add, so each of these must
# build. The feature lists come from `cargo metadata`, so a new feature is checked without
# editing this script. `fips` needs Go, CMake and Clang (scripts/setup-fips.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

check() {
    echo "   cargo check $*"
    cargo check --locked --quiet "$@"
}

# "package feature feature ..." per line, for the crates with features (not counting `default`).
cargo metadata --no-deps --format-version 1 --locked | python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    names = sorted(f for f in p["features"] if f != "default")
    if names:
        print(p["name"], *names)
' | while read -r pkg features; do
    echo "== features of $pkg: $features"
    check -p "$pkg" --lib --no-default-features
    for f in $features; do
        check -p "$pkg" --lib --no-default-features --features "$f"
    done
    check -p "$pkg" --all-targets --all-features
done

echo "== cargo test -p httpsig-core --all-features"
cargo test --locked --quiet -p httpsig-core --all-features
