#!/usr/bin/env bash
# Lints docs/openapi.yaml with the Redocly CLI pinned in tools/openapi/package-lock.json.
# Usage: tests/check_openapi.sh <repo root>. Needs Node.js and npm; installs the pinned CLI
# (npm ci) only when node_modules is missing or older than the lock file.
set -euo pipefail
root=${1:?usage: check_openapi.sh <repo root>}
tools="$root/tools/openapi"
stamp="$tools/node_modules/.package-lock.json"  # written by npm ci/install
if [[ ! -e "$stamp" || "$tools/package-lock.json" -nt "$stamp" ]]; then
  npm ci --prefix "$tools" --no-audit --no-fund
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
exec "$tools/node_modules/.bin/redocly" lint "$root/docs/openapi.yaml" \
  --config "$tools/redocly.yaml" --format stylish
