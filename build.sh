#!/usr/bin/env bash
# build.sh - installs what the build and tests need where it can, then builds native + WASM.
# Safe to run again: it only installs what is missing and make rebuilds only what changed.
#   ./build.sh          check/install the toolchain, then build (what `make` runs)
#   ./build.sh --deps   only check/install the toolchain
set -euo pipefail
cd "$(dirname "$0")"

# Debian's emscripten needs its JS optimizer's acorn, which Node only finds here.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

say() { printf 'build.sh: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------
# Toolchain: Debian/Ubuntu packages

missing=()
command -v cc >/dev/null || command -v gcc >/dev/null || missing+=(gcc)
command -v make >/dev/null || missing+=(make)
command -v emcc >/dev/null || missing+=(emscripten)
# AE_SITE_ONLY=1 (the GitHub Pages workflow): only what dist/ needs, no browser, no fuzzer.
if [ -z "${AE_SITE_ONLY:-}" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # clang and its sanitizer/fuzzer runtime, for `make fuzz` (and its short run in `make test`)
  command -v clang >/dev/null || missing+=(clang)
  [ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] || \
    ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1 || \
    missing+=(libclang-rt-14-dev)
fi

# clang-16 + lld-16 build the relaxed-SIMD kernel (web/core/attn-fast.js); optional: without
# them (and not root to install them) the page runs the plain-SIMD kernel, and make says so
optional=()
command -v clang-16 >/dev/null || optional+=(clang-16)
command -v wasm-ld-16 >/dev/null || optional+=(lld-16)
if [ ${#optional[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    missing+=("${optional[@]}")
  else
    say "optional, for the relaxed-SIMD kernel: ${optional[*]} (sudo apt-get install -y ${optional[*]})"
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} (apt-get, as root)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    if ! apt-get install -y -qq "${missing[@]}" >/dev/null; then
      # a Debian without clang-16/lld-16 still builds everything else (plain SIMD only)
      required=()
      for pkg in "${missing[@]}"; do case "$pkg" in clang-16|lld-16) ;; *) required+=("$pkg") ;; esac; done
      [ ${#required[@]} -eq 0 ] || apt-get install -y -qq "${required[@]}" >/dev/null
      say "clang-16/lld-16 not installable here: the page keeps the plain-SIMD kernel"
    fi
  else
    say "missing: ${missing[*]}"
    say "install them, then run make again:"
    say "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "Node.js 18 or newer (with npm) is needed for the tests and 'make serve'."
  say "  sudo apt-get install -y nodejs npm    (or see https://nodejs.org)"
  exit 1
fi

# ---------------------------------------------------------------------------------------
# Node packages: playwright-core (no browser download; it drives /usr/bin/chromium)

if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (playwright-core from package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

[ "${1:-}" = --deps ] && exit 0

# ---------------------------------------------------------------------------------------
# Build

exec make --no-print-directory artifacts
