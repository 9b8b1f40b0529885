#!/usr/bin/env bash
# tests/run.sh - runs every test layer and sums them into one closing line
# "N passed, N failed". Called by `make test` after the build; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run LABEL COMMAND...: shows the output, adds up every "N passed, M failed" (native) or
# "pass N" / "fail N" (node:test) it prints; a command that fails without a count adds one.
run() {
  local label=$1; shift
  echo "== $label"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f
  p=$(sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/p; s/^(#|ℹ) pass ([0-9]+)$/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
  f=$(sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/p; s/^(#|ℹ) fail ([0-9]+)$/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "$label: exited with status $rc"
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
}

for t in build/tests/test_*; do run "native: ${t##*/}" "$t"; done
for t in build/tests-san/test_*; do run "native, ASan+UBSan: ${t##*/}" "$t"; done
run "wasm (node)" node --test --test-reporter=spec tests/wasm/
run "browser (chromium)" node --test --test-reporter=spec --test-concurrency=1 tests/browser/
run "fuzz (libFuzzer, short)" make --no-print-directory fuzz-smoke

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
