#!/usr/bin/env bash
# The whole test suite: installs what the tests need (idempotently), then runs every test.
# This is the README's test command; .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real components the tests use (proxies, Redis, peers) are installed by their own scripts.
for setup in scripts/setup-*.sh; do
  [ -e "$setup" ] || continue
  echo "== $setup"
  bash "$setup"
done

# Every test, the interop matrix included (tests/interop.rs runs it once per crypto provider).
cargo test --workspace --all-targets --locked
# fapi-profile's optional async Redis store over TLS (feature redis-tls; redis-async is on for
# tests already): its tests start real redis-server processes (plain, TLS, a 3-master cluster).
# Not --all-features: that would build the FIPS module, which .ci/run checks on its own.
cargo test -p fapi-profile --features redis-tls --all-targets --locked
cargo test --workspace --doc --locked
# Issue 11's newcomer test: many tokio tasks verify FAPI requests with one shared JWKS cache and
# the async Redis store (a real redis-server), through a key rotation, without a restart.
cargo run --locked -q -p fapi-profile --example concurrent_resource_server

# The bundled vectors under each crypto provider (the command line always offers both).
for provider in ring aws-lc-rs; do
  echo "== vectors --provider $provider"
  cargo run --locked -q -p conformance --bin httpsig -- vectors --provider "$provider"
done
