# Attention Explorer: the verbs. `make help` lists them; knobs can be overridden,
# e.g. `make test CC=clang` or `make serve PORT=9000`.

CC       ?= cc
EMCC     ?= emcc
PORT     ?= 8000
CSTD      = -std=c11
WARN      = -Wall -Wextra -Wpedantic -Wshadow -Werror
CFLAGS   ?= -O2 -g
SANITIZE  = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# -O3 -msimd128 as the page uses it; SINGLE_FILE so a classic <script> loads it from file://
EMFLAGS   = -O3 -msimd128 -sMODULARIZE=1 -sEXPORT_NAME=AttnCore -sSINGLE_FILE=1 \
            -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB -sENVIRONMENT=web,node \
            -sFILESYSTEM=0 -sDYNAMIC_EXECUTION=0 -sINCOMING_MODULE_JS_API=[wasmBinary,locateFile]

# core/attn_wasm.c (Emscripten's allocator) goes only into the WASM build
CORE_SRC  = $(filter-out core/attn_cli.c core/attn_wasm.c,$(wildcard core/*.c))
WASM_SRC  = $(CORE_SRC) core/attn_wasm.c
CORE_HDR  = $(wildcard core/*.h)
TEST_SRC  = $(wildcard tests/core/test_*.c)
TESTS     = $(TEST_SRC:tests/core/%.c=build/tests/%)
TESTS_SAN = $(TEST_SRC:tests/core/%.c=build/tests-san/%)
# every function the public header declares, and malloc/free for the bridge
LP       := (
EXPORTS   = $(shell sed -n 's/^[a-zA-Z].*[ *]\(attn_[a-z0-9_]*\)$(LP).*/_\1/p' core/attn.h core/attn_wasm.c | sort -u | tr '\n' ',')_malloc,_free

.PHONY: build artifacts native wasm site site-folder test test-programs serve clean help bench bench-programs model-weights

# Build everything (installs a missing toolchain first; see build.sh).
build:
	@./build.sh

# What build.sh makes once the toolchain is there.
artifacts: native wasm site-folder

# Native library and the command-line tool build/attn.
native: build/libattn.a build/attn

# The WebAssembly module the pages load, with the wasm embedded.
wasm: web/core/attn-core.js

build/obj/%.o: core/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -c $< -o $@

build/libattn.a: $(CORE_SRC:core/%.c=build/obj/%.o)
	@rm -f $@
	ar rcs $@ $^

build/attn: core/attn_cli.c build/libattn.a
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Icore $< build/libattn.a -lm -o $@

web/core/attn-core.js: $(WASM_SRC) $(CORE_HDR)
	$(EMCC) $(CSTD) $(EMFLAGS) -sEXPORTED_FUNCTIONS=$(EXPORTS) $(WASM_SRC) -o $@

# The site in dist/, one self-contained folder for file:// or any static host. It holds the
# lesson, embed.html, and attention-figures.js (one classic script); GitHub Pages serves it.
site: build

site-folder: wasm
	@node tools/build_site.js

# Native tests, plain and under AddressSanitizer + UndefinedBehaviorSanitizer. Also the
# native oracle the WASM tests compare against.
test-programs: $(TESTS) $(TESTS_SAN) build/native_layer build/native_long

build/native_layer: tests/wasm/native_layer.c tests/wasm/oracle_io.h build/libattn.a
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Icore $< build/libattn.a -lm -o $@

# the long-context oracle: the portable C path the WASM SIMD path must match
build/native_long: tests/wasm/native_long.c tests/wasm/oracle_io.h build/libattn.a
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Icore $< build/libattn.a -lm -o $@

build/tests/%: tests/core/%.c tests/core/check.h build/libattn.a
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Icore -Itests/core $< build/libattn.a -lm -o $@

# the design the shipped model tables are checked against
build/tests/test_model_design build/tests-san/test_model_design: tools/design_model.c

build/tests-san/%: tests/core/%.c tests/core/check.h $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(SANITIZE) -Icore -Itests/core $< $(CORE_SRC) -lm -o $@

# Build, then run every test layer (native, native+sanitizers, wasm in Node, the pages in
# Chromium); ends with one line "N passed, N failed".
test: build
	@$(MAKE) --no-print-directory test-programs
	@bash tests/run.sh

# Speed, reported not asserted: the WASM core vs a naive emcc build vs native vs plain JS, for
# full, streaming, window and linear attention, n = 64 .. 16384; writes build/bench.json and
# prints the table (about 2-3 minutes).
bench: build
	@$(MAKE) --no-print-directory bench-programs
	@node tests/bench/bench.js

bench-programs: build/bench/naive.js build/bench/bench_native

build/bench/naive.js: tests/bench/naive.c
	@mkdir -p $(@D)
	NODE_PATH=/usr/share/nodejs $(EMCC) $(CSTD) $(EMFLAGS) -sEXPORTED_FUNCTIONS=_naive_full,_naive_streaming,_naive_linear,_malloc,_free $< -o $@

build/bench/bench_native: tests/bench/bench_native.c $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O3 -march=native -Icore $< $(CORE_SRC) -lm -o $@

# Fuzzing with libFuzzer (clang; see tests/fuzz/run.sh). `make fuzz` runs each target for
# FUZZ_SECONDS on a scratch copy of its seed corpus in build/fuzz/run/ and fails on any crash;
# `make fuzz-smoke` (part of `make test`) does the same for FUZZ_SMOKE_SECONDS each.
FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_SAN            = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ            = $(CORE_SRC:core/%.c=build/fuzz/obj/%.o)

.PHONY: fuzz fuzz-smoke fuzz-programs
.SECONDARY: $(FUZZ_OBJ)

# Run each libFuzzer target for FUZZ_SECONDS (default 60); fails on any crash.
fuzz:
	@FUZZ_CC=$(FUZZ_CC) bash tests/fuzz/run.sh $(FUZZ_SECONDS)

# The short fuzz run of `make test`: FUZZ_SMOKE_SECONDS (default 3) per target.
fuzz-smoke:
	@FUZZ_CC=$(FUZZ_CC) bash tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

fuzz-programs: $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

# the core, instrumented; its warnings are the native build's job, so no -Werror here
build/fuzz/obj/%.o: core/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_input.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(CSTD) $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer -Icore $< $(FUZZ_OBJ) -lm -o $@

# Build, then serve web/ on http://localhost:$(PORT).
serve: build
	@echo "Attention Explorer: http://localhost:$(PORT)/  (Ctrl-C stops)"
	@node tests/serve.js web $(PORT)

# Regenerate core/attn_model_weights.h from the heads designed in tools/design_model.c. Run it
# by hand after editing the design; the build never needs it, and a native test checks both agree.
model-weights:
	@mkdir -p build
	$(CC) $(CSTD) $(WARN) -O2 tools/design_model.c -lm -o build/design_model
	build/design_model > core/attn_model_weights.h

# Remove everything the build made.
clean:
	rm -rf build dist web/core/attn-core.js

# List the verbs: each target with the first sentence of the comment above it.
help:
	@echo "make <verb>  (knobs: make test CC=clang, make serve PORT=9000, make fuzz FUZZ_SECONDS=300)"
	@awk '/^# / { c = c (c == "" ? "" : " ") substr($$0, 3); next } \
	  /^[a-z][a-z-]*:/ && c != "" { t = $$0; sub(/:.*/, "", t); sub(/\. .*/, ".", c); printf "  %-14s %s\n", t, c } \
	  { c = "" }' $(firstword $(MAKEFILE_LIST))
