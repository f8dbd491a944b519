#!/usr/bin/env bash
# The README's test command: every package's tests through turbo (cached per package),
# then one summary line counted from the vitest JSON reports that turbo also caches.
# Runs under scripts/with-node.sh, which provides Node 24 and the dependencies.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
find packages contracts examples -maxdepth 2 -name test-report.json -delete 2>/dev/null
turbo run test --continue "$@"
status=$?
node scripts/test-summary.mjs || status=1
exit "$status"
