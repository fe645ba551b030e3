#!/usr/bin/env bash
# The whole test suite: static checks, unit and integration tests, then the end-to-end call.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "[test] typecheck";   npx tsc -p tsconfig.json --noEmit
echo "[test] lint";        npx biome check .
echo "[test] migrations";  npx drizzle-kit check
echo "[test] unit + integration"
npx vitest run --project unit --project integration
echo "[test] end-to-end"
bash scripts/e2e.sh
