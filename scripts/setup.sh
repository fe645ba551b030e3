#!/usr/bin/env bash
# Installs everything the hotline needs on a Debian machine. Idempotent: a second run only checks.
#   - Debian packages (Redis, sipp, Chromium, espeak-ng, sox, debootstrap, iproute2; nginx, coturn,
#     iptables and openssl for the production edge and its test through NAT)
#   - an Asterisk 22 root folder built with debootstrap from Debian sid, cached outside the checkout
#   - Vietnamese prompts generated into that root
#   - npm dependencies and the built console
# Set HOTLINE_ASTERISK_ROOT to move the cache; set HOTLINE_SKIP_ASTERISK=1 when you run your own Asterisk.
set -euo pipefail
cd "$(dirname "$0")/.."

ASTERISK_ROOT="${HOTLINE_ASTERISK_ROOT:-/var/cache/hotline-1022/asterisk-root}"
DEBIAN_MIRROR="${HOTLINE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES=(redis-server sip-tester chromium espeak-ng sox debootstrap iproute2 ca-certificates
  nginx coturn iptables openssl)

log() { printf '[setup] %s\n' "$*"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "Debian packages present"; return; fi
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packaged services are not used here: the hotline and its tests start their own Redis, and
  # the tests their own nginx and coturn (deploy/README.md sets them up on a real edge).
  for service in redis-server nginx coturn; do
    as_root systemctl disable --now "$service" >/dev/null 2>&1 || true
  done
}

build_asterisk_root() {
  if [ "${HOTLINE_SKIP_ASTERISK:-0}" = 1 ]; then log "skipping Asterisk root (HOTLINE_SKIP_ASTERISK=1)"; return; fi
  if [ -x "$ASTERISK_ROOT/usr/sbin/asterisk" ] && [ -f "$ASTERISK_ROOT/.hotline-ready" ]; then
    log "Asterisk root present at $ASTERISK_ROOT"; return
  fi
  log "building Asterisk 22 root at $ASTERISK_ROOT (debootstrap sid, about a minute)"
  as_root rm -rf "$ASTERISK_ROOT.tmp"
  as_root mkdir -p "$(dirname "$ASTERISK_ROOT")"
  as_root debootstrap --variant=minbase \
    --include=asterisk,asterisk-modules,asterisk-moh-opsound-wav,asterisk-core-sounds-en-wav \
    sid "$ASTERISK_ROOT.tmp" "$DEBIAN_MIRROR" >/tmp/hotline-debootstrap.log 2>&1 \
    || { tail -20 /tmp/hotline-debootstrap.log; exit 1; }
  printf '127.0.0.1 localhost\n::1 localhost\n' | as_root tee "$ASTERISK_ROOT.tmp/etc/hosts" >/dev/null
  as_root rm -rf "$ASTERISK_ROOT.tmp/var/cache/apt/archives/"*.deb
  as_root rm -rf "$ASTERISK_ROOT"
  as_root mv "$ASTERISK_ROOT.tmp" "$ASTERISK_ROOT"
  as_root touch "$ASTERISK_ROOT/.hotline-ready"
  log "Asterisk root ready: $(as_root chroot "$ASTERISK_ROOT" asterisk -V)"
}

install_npm() {
  if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    log "npm dependencies present"
  else
    log "installing npm dependencies"
    # `npm install` keeps to the lock file, which lists every platform's optional binaries
    # (Biome, Rollup, msgpackr): a checkout is left unchanged.
    npm install --no-audit --no-fund --loglevel=error
  fi
}

install_packages
build_asterisk_root
install_npm
if [ "${HOTLINE_SKIP_ASTERISK:-0}" != 1 ]; then
  HOTLINE_ASTERISK_ROOT="$ASTERISK_ROOT" npx tsx scripts/prompts.ts
fi
npm run --silent build:console
log "done"
