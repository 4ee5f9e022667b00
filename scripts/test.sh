#!/usr/bin/env bash
# The whole test suite: set up, type-check, lint, layer check, then every test (real onnxruntime sessions,
# real SQLite, real sockets). Ends with the plain line "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
SONOEDGE_TEST_DEPS=1 ./scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
npm run typecheck || { echo "0 passed, 1 failed"; exit 1; }
npm run lint || { echo "0 passed, 1 failed"; exit 1; }
npm run format:check || { echo "0 passed, 1 failed"; exit 1; }
npm run depcheck || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p test-artifacts
npx vitest run
status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync("test-artifacts/vitest.json", "utf8"));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || echo "0 passed, 1 failed"
exit $status
