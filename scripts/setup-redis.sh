#!/usr/bin/env bash
# Installs Debian's redis-server when the `redis-server` binary is missing.
#
# Used by the fapi-profile Redis replay-store tests, which start (and stop) their own
# redis-server process on a free loopback port; this script therefore only installs and
# never starts a server (the package's own service, if any, is stopped and disabled again).
# Idempotent: it does nothing when `redis-server` is already on PATH.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
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
run_quiet $SUDO apt-get install -y -qq --no-install-recommends redis-server
rm -f "$LOG"

if ! command -v redis-server >/dev/null 2>&1; then
    echo "setup-redis.sh: apt-get finished but redis-server is still not on PATH" >&2
    exit 1
fi
