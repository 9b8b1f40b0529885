#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS - builds the libFuzzer targets and runs each for SECONDS on a
# scratch copy of its seed corpus (build/fuzz/run/<target>/; tests/fuzz/corpus/ is never
# written). Ends with "fuzz: N passed, M failed" (N = targets that ran clean) and exits
# non-zero on any crash, leak, timeout, broken invariant or missing toolchain.
# Used by `make fuzz` (FUZZ_SECONDS, default 60) and `make fuzz-smoke` (part of `make test`).
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
cc=${FUZZ_CC:-clang}
targets=()
for src in tests/fuzz/fuzz_*.c; do t=${src##*/}; targets+=("${t%.c}"); done

fail_all() {
  echo "fuzz: $*"
  echo "fuzz: 0 passed, ${#targets[@]} failed"
  exit 1
}

# The toolchain: clang and its libFuzzer runtime (Debian: libclang-rt-14-dev; ./build.sh
# installs both). Missing means failed, not skipped: the fuzz runs are part of the tests.
command -v "$cc" >/dev/null ||
  fail_all "$cc not found: install clang (sudo apt-get install -y clang libclang-rt-14-dev, or run ./build.sh as root)"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$probe/probe.c"
"$cc" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" 2>"$probe/err" ||
  fail_all "$cc cannot link -fsanitize=fuzzer: the libFuzzer runtime is missing (sudo apt-get install -y libclang-rt-14-dev, or run ./build.sh as root). $(head -c 300 "$probe/err")"

make --no-print-directory FUZZ_CC="$cc" fuzz-programs || fail_all "building the fuzz targets failed"

passed=0
failed=0
for t in "${targets[@]}"; do
  work=build/fuzz/run/$t
  log=build/fuzz/$t.log
  rm -rf "$work"
  mkdir -p "$work"
  cp tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null
  seeds=$(ls "$work" | wc -l)
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a runaway allocation is a bug
  build/fuzz/"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=build/fuzz/"$t"- "$work" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(ls "$work" | wc -l)
  if [ "$rc" -eq 0 ] && grep -q '^Done ' "$log"; then
    passed=$((passed + 1))
    echo "$t: ok, ${execs:-?} runs in ${seconds}s, corpus $seeds seeds -> $corpus inputs"
  else
    failed=$((failed + 1))
    echo "$t: FAILED (status $rc) after ${execs:-?} runs; log $log, last lines:"
    grep -E 'fuzz invariant broken|ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -8 | sed 's/^/  /'
    echo "  reproduce: build/fuzz/$t <crash file above>"
  fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
