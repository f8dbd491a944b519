#!/usr/bin/env bash
# The README's first command: build what the supply-chain demo needs and run it on every
# backend (examples/supply-chain/src/demo/main.ts, run directly by Node 24's type stripping).
# Arguments go to the demo: npm run demo -- --backends ledgerdb,ethereum --json
# Runs under scripts/with-node.sh, which provides Node 24 and the dependencies.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The example has no build of its own: build the packages it imports (turbo caches them);
# the build's log is shown only when it fails.
echo "demo: building the packages it uses (cached after the first run)" >&2
if ! log=$(turbo run build --filter=@ledgerkit/example-supply-chain... --output-logs=errors-only 2>&1); then
  printf '%s\n' "$log" >&2
  echo "demo: the build failed (above)" >&2
  exit 1
fi
exec node examples/supply-chain/src/demo/main.ts "$@"
