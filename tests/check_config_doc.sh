#!/usr/bin/env bash
# docs/configuration.md must contain, verbatim, the key table generated from config/keys.cpp.
set -euo pipefail
tool=$1 doc=$2
table=$("$tool")
if ! grep -qF -- "$(printf '%s\n' "$table" | head -3 | tail -1)" "$doc"; then
  echo "docs/configuration.md is missing keys; regenerate it with: build/billd-config-doc"; exit 1
fi
missing=0
while IFS= read -r line; do
  grep -qxF -- "$line" "$doc" || { echo "not in $doc: $line"; missing=1; }
done <<<"$table"
exit $missing
