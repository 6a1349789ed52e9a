#!/usr/bin/env bash
# Unit and conformance tests on Node 22, the oldest line the package supports (engines: >=22.15,
# for node:zlib's zstd). Node 22 comes from the npm registry's `node@22` package, installed into a
# scratch folder (kept between runs), so the project's own Node 24 stays as it is. Vitest runs on
# that binary, and its worker processes too (they are forked from process.execPath).
#
#   bash scripts/test-node22.sh [vitest args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="${KAFKAWIRE_NODE22_DIR:-${TMPDIR:-/tmp}/kafkawire-node22}"
node22="$scratch/node_modules/.bin/node"
if [[ ! -x "$node22" ]] || [[ "$("$node22" --version)" != v22.* ]]; then
  mkdir -p "$scratch"
  npm install --prefix "$scratch" --no-save --no-audit --no-fund --loglevel=error node@22 >&2
fi
version="$("$node22" --version)"
echo "test-node22: $version from $scratch"
cd "$root"
"$node22" -e '
  const [maj, min] = process.versions.node.split(".").map(Number);
  const need = require("./package.json").engines.node.replace(">=", "").split(".").map(Number);
  if (maj < need[0] || (maj === need[0] && min < need[1])) {
    console.error(`Node ${process.version} is below engines.node ${require("./package.json").engines.node}`); process.exit(1);
  }
  if (typeof require("node:zlib").zstdCompressSync !== "function") { console.error("no zstd in node:zlib"); process.exit(1); }'
exec "$node22" node_modules/vitest/vitest.mjs run --config vitest.unit.config.ts "$@"
