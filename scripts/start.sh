#!/usr/bin/env bash
# Starts the hotline with demo data: installs what is missing first (see scripts/setup.sh).
# `exec` all the way down, so the Node process (scripts/start.ts) is the one npm and the terminal
# signal: Ctrl+C, SIGTERM or a closed terminal reach it, and it stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
NODE="$(command -v node)"
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$NODE" --import tsx scripts/start.ts; fi
exec "$NODE" --import tsx scripts/start.ts
