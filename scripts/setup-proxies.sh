#!/usr/bin/env bash
# Installs what the forwarded-parser end-to-end proxy test needs (Debian packages):
# nginx, haproxy, openssl (self-signed certificate) and curl (the real client).
# Idempotent and quiet: installs only what is missing, runs `apt-get update` at most once.
# The test itself (crates/forwarded-parser/tests/e2e_proxies.rs) starts and stops the proxies
# on loopback; this script never starts a service.
set -euo pipefail

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)

if [ "${#need[@]}" -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    # policy-rc.d keeps the packages' post-install scripts from starting system services.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod +x /usr/sbin/policy-rc.d
        trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Report versions (stderr, one line each) so CI logs show what was exercised.
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
haproxy_bin=$(command -v haproxy || echo /usr/sbin/haproxy)
"$nginx_bin" -v 2>&1 | head -n1 >&2
"$haproxy_bin" -v 2>&1 | head -n1 >&2
