// bench.js - `make bench`: attention speed in one run on this machine, four ways:
//   wasm        the product module web/core/attn-core.js (SIMD kernels), called as the page calls it
//   wasm-naive  tests/bench/naive.c, the straightforward loops, emcc with the same flags
//   native      the core's portable C, gcc -O3 -march=native (build/bench/bench_native)
//   js          tests/bench/attn_plain.js, plain JavaScript
// for kernels full (materialised n x n), streaming, window (causal, width 256) and linear, d = 64,
// n = 64 .. 16384. Writes build/bench.json and prints a table with the ratios; then the cost of
// one recompute of the lesson's four heads on a 64-token sentence. Reports, never asserts.
// peak_bytes = bytes of the buffers each kernel works in (inputs, output, weights or scratch),
// counted from its shapes (8 per number for the JS arrays), not sampled from the process.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const plain = require('./attn_plain.js');
const { abiTable } = require('../wasm/helpers.js');

const ROOT = path.join(__dirname, '..', '..');
const D = 64, WINDOW = 256, NS = [64, 256, 1024, 4096, 16384];
const FULL_MAX_N = 4096;        // full keeps n x n floats: 1 GB at 16384, not a page's budget
const BUDGET_MS = 1200;         // repeats per point: as many as fit (at most 15, median)
const SKIP_MS = 30000;          // a point predicted slower than this is left out (noted)
const KERNELS = ['full', 'streaming', 'window', 'linear'];
const IMPLS = ['wasm', 'wasm-naive', 'native', 'js'];

function flops(kernel, n) {
  if (kernel === 'linear') return 4 * n * D * D;
  if (kernel === 'window') {
    let pairs = 0;
    for (let i = 0; i < n; i++) pairs += Math.min(i + 1, WINDOW);
    return 4 * pairs * D;
  }
  return 4 * n * n * D;   // Q·Kᵀ and P·V, 2 flops per multiply-add each
}

function peakBytes(impl, kernel, n) {
  const per = impl === 'js' ? 8 : 4, io = 4 * n * D * per;
  if (kernel === 'full') return io + n * n * per;
  if (kernel === 'linear') return io + (D * D + 2 * D) * per;
  if (impl === 'js') return io + n * per;                 // one row of scores
  return io + (impl === 'wasm-naive' ? 0 : (16 * 64 + 48) * 4);   // the streaming tile
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// one warm-up (a run longer than the budget is its own single sample), then repeats
function measure(fn) {
  let t0 = performance.now();
  fn();
  const first = performance.now() - t0;
  if (first >= BUDGET_MS) return first;
  const times = [];
  let total = 0;
  while (times.length < 15 && total < BUDGET_MS) {
    t0 = performance.now();
    fn();
    const t = performance.now() - t0;
    times.push(t);
    total += t;
  }
  return median(times);
}

async function main() {
  const core = await require(path.join(ROOT, 'web', 'core', 'attn-core.js'))();
  const abi = abiTable(core);   // struct offsets and constants from the core, not copied by hand
  const traceWith = (weights) => {   // an attn_trace holding only .weights
    const tr = core._malloc(abi['sizeof attn_trace']);
    core.HEAPU8.fill(0, tr, tr + abi['sizeof attn_trace']);
    core.HEAPU32[(tr + abi['attn_trace.weights']) >> 2] = weights;
    return tr;
  };
  const naive = await require(path.join(ROOT, 'build', 'bench', 'naive.js'))();
  const nativeBin = path.join(ROOT, 'build', 'bench', 'bench_native');
  const results = [], skipped = [], last = {};
  const started = performance.now();

  for (const n of NS) {
    const nd = n * D;
    // the same seeded inputs everywhere: C's attn_fill_random, seeds 1, 2, 3
    const cq = core._malloc(nd * 4), ck = core._malloc(nd * 4), cv = core._malloc(nd * 4), co = core._malloc(nd * 4);
    [cq, ck, cv].forEach((p, i) => core._attn_fill_random(p, nd, i + 1));
    const q = core.HEAPF32.slice(cq >> 2, (cq >> 2) + nd), k = core.HEAPF32.slice(ck >> 2, (ck >> 2) + nd);
    const v = core.HEAPF32.slice(cv >> 2, (cv >> 2) + nd);
    const nq = naive._malloc(nd * 4), nk = naive._malloc(nd * 4), nv = naive._malloc(nd * 4), no = naive._malloc(nd * 4);
    naive.HEAPF32.set(q, nq >> 2); naive.HEAPF32.set(k, nk >> 2); naive.HEAPF32.set(v, nv >> 2);
    const rows = (x) => Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * D, (i + 1) * D)));
    const jq = rows(q), jk = rows(k), jv = rows(v);
    // attn_options for no mask and for the sliding window
    const optNone = core._malloc(abi['sizeof attn_options']), optWin = core._malloc(abi['sizeof attn_options']);
    [[optNone, abi.ATTN_MASK_NONE, 0], [optWin, abi.ATTN_MASK_WINDOW, WINDOW]].forEach(([p, mask, w]) => {
      const at = (field) => (p + abi['attn_options.' + field]) >> 2;
      core.HEAPU8.fill(0, p, p + abi['sizeof attn_options']);
      core.HEAPF32[at('temperature')] = 1;
      core.HEAP32[at('mask')] = mask; core.HEAP32[at('window')] = w;
    });
    const lin = core._attn_linear_scratch_floats(D, D), cs = core._malloc(lin * 4), ns = naive._malloc((D * D + D) * 4);

    for (const kernel of KERNELS) {
      const full = kernel === 'full';
      if (full && n > FULL_MAX_N) { skipped.push(`full n=${n}: n x n floats = ${(n * n * 4 / 2 ** 30).toFixed(0)} GB`); continue; }
      let cw = 0, cTrace = 0, nw = 0;
      if (full) {
        cw = core._malloc(n * n * 4); cTrace = traceWith(cw);
        nw = naive._malloc(n * n * 4);
      }
      const run = {
        wasm: {
          full: () => core._attn_head(co, cTrace, cq, ck, cv, n, D, D, optNone),
          streaming: () => core._attn_head_streaming(co, cq, ck, cv, n, D, D, optNone, 0, n, 0),
          window: () => core._attn_head_streaming(co, cq, ck, cv, n, D, D, optWin, 0, n, 0),
          linear: () => core._attn_linear(co, 0, cq, ck, cv, n, D, D, 0, cs, lin),
        }[kernel],
        'wasm-naive': {
          full: () => naive._naive_full(no, nw, nq, nk, nv, n, D),
          streaming: () => naive._naive_streaming(no, nq, nk, nv, n, D, 0),
          window: () => naive._naive_streaming(no, nq, nk, nv, n, D, WINDOW),
          linear: () => naive._naive_linear(no, nq, nk, nv, n, D, ns),
        }[kernel],
        js: {
          full: () => plain.full(jq, jk, jv),
          streaming: () => plain.streaming(jq, jk, jv, 0),
          window: () => plain.streaming(jq, jk, jv, WINDOW),
          linear: () => plain.linear(jq, jk, jv),
        }[kernel],
      };
      for (const impl of IMPLS) {
        const key = impl + '/' + kernel, prev = last[key];
        if (prev) {
          const grow = kernel === 'linear' || (kernel === 'window' && prev.n >= WINDOW) ? n / prev.n : (n / prev.n) ** 2;
          if (prev.ms * grow > SKIP_MS) { skipped.push(`${impl} ${kernel} n=${n}: predicted ${(prev.ms * grow / 1000).toFixed(0)} s`); continue; }
        }
        let ms;
        if (impl === 'native') {
          const res = spawnSync(nativeBin, [kernel, String(n), String(D), String(BUDGET_MS)], { encoding: 'utf8' });
          if (res.status !== 0) throw new Error(`bench_native ${kernel} ${n}: ${res.stderr || res.stdout}`);
          ms = JSON.parse(res.stdout).ms;
        } else {
          if (impl === 'wasm') {
            const rc = run.wasm();
            if (rc !== 0) throw new Error(`wasm ${kernel} n=${n}: status ${rc}`);
          }
          ms = measure(run[impl]);
        }
        last[key] = { n, ms };
        results.push({ impl, kernel, n, d: D, ms: +ms.toFixed(4), gflops: +(flops(kernel, n) / ms / 1e6).toFixed(3),
          peak_bytes: peakBytes(impl, kernel, n) });
        process.stderr.write(`  ${impl.padEnd(10)} ${kernel.padEnd(9)} n=${String(n).padEnd(5)} ${ms.toFixed(2).padStart(10)} ms\n`);
      }
      if (full) { core._free(cw); core._free(cTrace); naive._free(nw); }
    }
    [cq, ck, cv, co, optNone, optWin, cs].forEach((p) => core._free(p));
    [nq, nk, nv, no, ns].forEach((p) => naive._free(p));
  }

  // the lesson figures' cost: one recompute of the four designed heads on 64 tokens
  const { loadCore } = require(path.join(ROOT, 'web', 'core', 'attn-bridge.js'));
  const bridge = await loadCore();
  const words = 'the animal did not cross the street because it was too tired and the trophy would not fit'.split(' ');
  const text = Array.from({ length: 64 }, (_, i) => words[i % words.length]).join(' ');
  const tokens = bridge.model(text).n;
  // model() keeps its last results: a new temperature each call measures a real recompute
  let call = 0;
  const fresh = () => 1 + (call++ % 100000) * 1e-6;
  const lessonAll = measure(() => bridge.model(text, { temperature: fresh() }));
  const lessonWeights = measure(() => bridge.model(text, { temperature: fresh(), parts: ['weights'] }));
  const lessonCached = measure(() => bridge.model(text));
  // the C part alone: tokenize, embed, the four heads' weights (attn_layer), no JS copies
  const bytes = new TextEncoder().encode(text);
  const tp = core._malloc(bytes.length + 1), st = core._malloc(256 * 4), en = core._malloc(256 * 4), tot = core._malloc(4);
  core.HEAPU8.set(bytes, tp);
  const x = core._malloc(256 * 32 * 4), lw = core._malloc(4 * 64 * 64 * 4), tr = traceWith(lw);
  const model = core._attn_model(), floats = core._attn_layer_scratch_floats(64, model), scr = core._malloc(floats * 4);
  const lessonC = measure(() => {
    const n = core._attn_tokenize(st, en, 256, tp, bytes.length, tot);
    core._attn_embed(x, tp, st, en, n);
    if (core._attn_layer(0, tr, x, n, model, 0, scr, floats) !== 0) throw new Error('attn_layer failed');
  });

  fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'build', 'bench.json'), JSON.stringify(results, null, 1) + '\n');

  // the table
  const get = (impl, kernel, n) => results.find((r) => r.impl === impl && r.kernel === kernel && r.n === n);
  const fmt = (r) => (r ? r.ms.toFixed(r.ms < 10 ? 3 : 1) : '-').padStart(11);
  const ratio = (a, b) => (a && b ? (b.ms / a.ms).toFixed(1) + 'x' : '-').padStart(9);
  console.log(`\nAttention, d = ${D}, median ms per call (window width ${WINDOW}); GFLOP/s of wasm`);
  console.log('kernel     n      ' + ['wasm', 'wasm-naive', 'native', 'js'].map((s) => s.padStart(11)).join('') +
    '  GFLOP/s  vs naive    vs js  share of native');
  for (const kernel of KERNELS) {
    for (const n of NS) {
      const w = get('wasm', kernel, n);
      if (!w) continue;
      const nat = get('native', kernel, n);
      console.log(`${kernel.padEnd(10)} ${String(n).padEnd(6)} ${IMPLS.map((i) => fmt(get(i, kernel, n))).join('')}` +
        `${w.gflops.toFixed(2).padStart(9)}${ratio(w, get('wasm-naive', kernel, n))}${ratio(w, get('js', kernel, n))}` +
        `${(nat ? (100 * nat.ms / w.ms).toFixed(0) + '%' : '-').padStart(17)}`);
    }
  }
  if (skipped.length) console.log('left out: ' + skipped.join('; '));
  const w1k = get('wasm', 'full', 1024), s1k = get('wasm', 'streaming', 1024);
  const goal = (r, other, want) => (r && other ? `${(other.ms / r.ms).toFixed(1)}x (goal >= ${want}x)` : 'not measured');
  console.log(`\ngoals at n=1024, d=64: full: wasm vs wasm-naive ${goal(w1k, get('wasm-naive', 'full', 1024), 2.5)}, ` +
    `vs js ${goal(w1k, get('js', 'full', 1024), 15)}; streaming: vs wasm-naive ${goal(s1k, get('wasm-naive', 'streaming', 1024), 2.5)}, ` +
    `vs js ${goal(s1k, get('js', 'streaming', 1024), 15)}`);
  console.log(`lesson model, ${tokens} tokens, four heads (bridge core.model): ${lessonAll.toFixed(3)} ms with every ` +
    `intermediate, ${lessonWeights.toFixed(3)} ms weights only, ${lessonCached.toFixed(3)} ms repeated (cached); ` +
    `the C part alone (tokenize, embed, ` +
    `attn_layer) ${lessonC.toFixed(3)} ms (goal: well under 1 ms)`);
  console.log(`wrote build/bench.json (${results.length} points) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((e) => { console.error(e); process.exit(1); });
