#!/usr/bin/env bash
# Installs Debian's redis-server (with redis-cli, from redis-tools) when either binary is missing.
#
# Used by the fapi-profile Redis replay-store tests, which start (and stop) their own
# redis-server processes on free loopback ports: plain, TLS-only (`--tls-port`; Debian's build
# has TLS, and the tests generate their CA in-process with rcgen, so no openssl CLI is needed),
# and a 3-master Redis Cluster joined with `redis-cli --cluster create`. This script therefore
# only installs and never starts a server (the package's own service, if any, is kept from
# starting). Idempotent: it does nothing when both binaries are already on PATH.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "setup-redis.sh: redis-server is missing and this user cannot install packages (not root, no sudo)" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
# Keep the package's maintainer scripts from starting a system-wide server where
# policy-rc.d is honoured (it is removed again below if we created it).
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    CREATED_POLICY=1
fi
cleanup() {
    if [ "$CREATED_POLICY" -eq 1 ]; then
        $SUDO rm -f "$POLICY"
    fi
}
trap cleanup EXIT

# apt/debconf chatter goes to a log that is shown only when a step fails.
LOG="$(mktemp)"
run_quiet() {
    if ! "$@" >"$LOG" 2>&1; then
        echo "setup-redis.sh: '$*' failed:" >&2
        cat "$LOG" >&2
        rm -f "$LOG"
        exit 1
    fi
}
run_quiet $SUDO apt-get update -qq
run_quiet $SUDO apt-get install -y -qq --no-install-recommends redis-server redis-tools
rm -f "$LOG"

for bin in redis-server redis-cli; do
    if ! command -v "$bin" >/dev/null 2>&1; then
        echo "setup-redis.sh: apt-get finished but $bin is still not on PATH" >&2
        exit 1
    fi
done
