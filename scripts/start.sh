#!/usr/bin/env bash
# Starts the hotline with demo data: installs what is missing first (see scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$(id -u)" -ne 0 ]; then exec sudo -E npx tsx scripts/start.ts; fi
exec npx tsx scripts/start.ts
