#!/usr/bin/env bash
# The README's first command: build what the demo needs and run it.
# Runs under scripts/with-node.sh, which provides Node 24 and the dependencies.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
turbo run build --filter=ledgerkit... --output-logs=errors-only >&2
exec node packages/cli/dist/cli.js demo "$@"
