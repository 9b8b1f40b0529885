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

CORE_SRC  = $(filter-out core/attn_cli.c,$(wildcard core/*.c))
CORE_HDR  = $(wildcard core/*.h)
TEST_SRC  = $(wildcard tests/core/test_*.c)
TESTS     = $(TEST_SRC:tests/core/%.c=build/tests/%)
TESTS_SAN = $(TEST_SRC:tests/core/%.c=build/tests-san/%)
# every function the public header declares, and malloc/free for the bridge
LP       := (
EXPORTS   = $(shell sed -n 's/^[a-z].*[ *]\(attn_[a-z0-9_]*\)$(LP).*/_\1/p' core/attn.h | sort -u | tr '\n' ',')_malloc,_free

.PHONY: build artifacts native wasm site site-folder test test-programs serve clean help

# Build everything (installs a missing toolchain first; see build.sh).
build:
	@./build.sh

# What build.sh makes once the toolchain is there.
artifacts: native wasm site-folder

# Native library and the command-line tool build/attn.
native: build/libattn.a build/attn

# The WebAssembly module the pages load, with the wasm embedded.
wasm: web/attn-core.js

build/obj/%.o: core/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -c $< -o $@

build/libattn.a: $(CORE_SRC:core/%.c=build/obj/%.o)
	@rm -f $@
	ar rcs $@ $^

build/attn: core/attn_cli.c build/libattn.a
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Icore $< build/libattn.a -lm -o $@

web/attn-core.js: $(CORE_SRC) $(CORE_HDR)
	$(EMCC) $(CSTD) $(EMFLAGS) -sEXPORTED_FUNCTIONS=$(EXPORTS) $(CORE_SRC) -o $@

# One self-contained folder, dist/, that works from file:// and from any static host
# (GitHub Pages): the lesson, embed.html, and attention-figures.js (one classic script).
site: build

site-folder: wasm
	@node tools/build_site.js

# Native tests, plain and under AddressSanitizer + UndefinedBehaviorSanitizer, and the
# native oracle the WASM tests compare against.
test-programs: $(TESTS) $(TESTS_SAN) build/native_layer

build/native_layer: tests/wasm/native_layer.c build/libattn.a
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Icore $< build/libattn.a -lm -o $@

build/tests/%: tests/core/%.c tests/core/check.h build/libattn.a
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Icore -Itests/core $< build/libattn.a -lm -o $@

build/tests-san/%: tests/core/%.c tests/core/check.h $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(SANITIZE) -Icore -Itests/core $< $(CORE_SRC) -lm -o $@

# Build, then run every test layer (native, native+sanitizers, wasm in Node, the pages in
# Chromium); ends with one line "N passed, N failed".
test: build
	@$(MAKE) --no-print-directory test-programs
	@bash tests/run.sh

# Build, then serve web/ on http://localhost:$(PORT).
serve: build
	@echo "Attention Explorer: http://localhost:$(PORT)/  (Ctrl-C stops)"
	@node tests/serve.js web $(PORT)

# Remove everything the build made.
clean:
	rm -rf build dist web/attn-core.js

# List the verbs.
help:
	@grep -B1 -E '^[a-z-]+:' Makefile | grep -E '^#' | sed 's/^# /  /'
	@echo "  targets: build (default) test serve clean help"
