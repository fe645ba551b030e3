#!/usr/bin/env bash
# Runs the end-to-end tests inside a network namespace created for this run. WebRTC media needs a
# non-loopback address, so the namespace gets a veth pair (192.0.2.10, no route out): nothing the
# tests send can leave it. SIP, HTTP and ARI stay on the namespace's own loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then exec sudo -E bash "$0" "$@"; fi

NS="hotline-e2e-$$"
cleanup() {
  local pids
  pids=$(ip netns pids "$NS" 2>/dev/null || true)
  if [ -n "$pids" ]; then kill $pids 2>/dev/null || true; sleep 1; kill -9 $pids 2>/dev/null || true; fi
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$NS" ip link add v0 type veth peer name v1
ip netns exec "$NS" ip link set v1 up
ip netns exec "$NS" ip addr add 192.0.2.10/24 dev v0
ip netns exec "$NS" ip link set v0 up

ip netns exec "$NS" npx vitest run --project e2e "$@"
