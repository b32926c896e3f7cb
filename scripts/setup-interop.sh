#!/usr/bin/env bash
# Installs the two independent RFC 9421 implementations the interop matrix runs against
# (crates/conformance/tests/interop.rs), locally and at pinned versions:
#   .interop/venv   Python venv: crates/conformance/interop/python/requirements.txt (PyPI
#                   `http-message-signatures` and its dependencies, all pinned)
#   .interop/node   `npm ci` of crates/conformance/interop/node/{package.json,package-lock.json}
# The third peer, the Rust crate `httpsig-hyper`, is an ordinary cargo dev-dependency.
#
# Idempotent and quiet on success: each half is skipped when the pinned version is already
# installed. Only if python3/venv or node/npm are missing does it fall back to apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

PY_PKG="http-message-signatures"
PY_VERSION="3.0.0"     # must equal crates/conformance/interop/python/requirements.txt
NODE_PKG="http-message-signatures"
NODE_VERSION="1.0.6"   # must equal crates/conformance/interop/node/package.json

ROOT="$PWD/.interop"
VENV="$ROOT/venv"
NODE_DIR="$ROOT/node"
NODE_SRC="crates/conformance/interop/node"
PY_REQS="crates/conformance/interop/python/requirements.txt"

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
run_quiet() {
    if ! "$@" >"$LOG" 2>&1; then
        echo "setup-interop.sh: '$*' failed:" >&2
        cat "$LOG" >&2
        exit 1
    fi
}

apt_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "setup-interop.sh: need apt packages '$*' but cannot install them (not root, no sudo)" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    run_quiet $sudo apt-get update -qq
    run_quiet $sudo apt-get install -y -qq --no-install-recommends "$@"
}

# --- tools (only when missing) ---
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_install python3 python3-venv
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
fi

mkdir -p "$ROOT"

# --- Python peer ---
py_installed() {
    [ -x "$VENV/bin/python" ] &&
        cmp -s "$PY_REQS" "$VENV/interop-requirements.txt" &&
        [ "$("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('$PY_PKG'))" 2>/dev/null)" = "$PY_VERSION" ]
}
if ! py_installed; then
    [ -x "$VENV/bin/python" ] || run_quiet python3 -m venv "$VENV"
    # The driver needs only the package and its own dependencies (http-sf, cryptography).
    run_quiet "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$PY_REQS"
    cp "$PY_REQS" "$VENV/interop-requirements.txt"
    if ! py_installed; then
        echo "setup-interop.sh: pip finished but $PY_PKG $PY_VERSION is not importable from $VENV" >&2
        exit 1
    fi
fi

# --- Node peer ---
node_installed() {
    [ -f "$NODE_DIR/node_modules/$NODE_PKG/package.json" ] &&
        cmp -s "$NODE_SRC/package-lock.json" "$NODE_DIR/package-lock.json" &&
        [ "$(node -p "require('$NODE_DIR/node_modules/$NODE_PKG/package.json').version" 2>/dev/null)" = "$NODE_VERSION" ]
}
if ! node_installed; then
    mkdir -p "$NODE_DIR"
    cp "$NODE_SRC/package.json" "$NODE_SRC/package-lock.json" "$NODE_DIR/"
    run_quiet npm ci --prefix "$NODE_DIR" --ignore-scripts --no-audit --no-fund
    if ! node_installed; then
        echo "setup-interop.sh: npm ci finished but $NODE_PKG $NODE_VERSION is not in $NODE_DIR/node_modules" >&2
        exit 1
    fi
fi
