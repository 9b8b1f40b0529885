// train_bench.js - part of `make bench` (also `make bench-train` alone): training throughput,
// whole steps (forward + backward + AdamW), in tokens per second, for two models:
//   induction  the induction experiment: vocab 33, context 40, d_model 64, 2 attention-only
//              layers x 4 heads, no LayerNorm, batch 32 x 40 (the task's own batches)
//   gpt        GPT-shaped, the Brown model's shape: vocab 4096, context 64, d_model 64, 4 layers
//              x 4 heads, MLP 256, LayerNorm, batch 8 x 64 (seeded random tokens)
// and four implementations of the same step:
//   wasm       the product module web/attn-core.js (attn_gpt_train_step), in Node
//   native     the same C, gcc -O3 -march=native, one thread (build/bench/train_native)
//   js         tests/bench/gpt_plain.js, plain JavaScript
//   tfjs-wasm  tests/bench/gpt_tfjs.js, TensorFlow.js 4.22 on its WASM backend
// Every impl starts from attn_gpt_init's parameters, and before timing, the first loss of
// js and tfjs-wasm is checked against the core's on the same batch (and js's next steps too):
// a mismatch means the impls do not compute the same thing, and the bench stops.
// Appends { kind: "training", ... } rows and per-model ratios to build/bench.json and prints a
// table. Reports, never asserts speed.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { createPlainGpt } = require('./gpt_plain.js');

const ROOT = path.join(__dirname, '..', '..');
const BUDGET_MS = Number(process.env.TRAIN_BENCH_MS || 4000);   // per impl and model
const MODELS = [
  { name: 'induction', batch: 32, cfg: { vocab: 33, context: 40, d_model: 64, n_heads: 4, n_layers: 2, d_mlp: 0, attention_only: 1, layernorm: 0 } },
  { name: 'gpt', batch: 8, cfg: { vocab: 4096, context: 64, d_model: 64, n_heads: 4, n_layers: 4, d_mlp: 256, attention_only: 0, layernorm: 1 } },
];
const OPT = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 1 };   // attn_adamw_default_options
const FIELDS = ['vocab', 'context', 'd_model', 'n_heads', 'n_layers', 'd_mlp', 'attention_only', 'layernorm'];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// steps `fn(step)` after 3 warm-up steps (JavaScript's JIT needs them), until the budget
// (at least 3 timed); the median
function timeSteps(fn) {
  for (let step = 1; step <= 3; step++) fn(step);
  const times = [];
  let total = 0;
  for (let step = 4; times.length < 64 && (total < BUDGET_MS || times.length < 3); step++) {
    const t0 = performance.now();
    fn(step);
    const t = performance.now() - t0;
    times.push(t);
    total += t;
  }
  return { ms: median(times), runs: times.length };
}

// the batches every impl trains on: the induction task's for vocab 33 (from the core), else
// xorshift32 tokens seeded by the step (the same stream as train_native.c)
function batchMaker(M, model) {
  const { cfg, batch: B } = model, T = cfg.context, n = B * T;
  const tp = M._malloc(n * 4), gp = M._malloc(n * 4);
  return (step) => {
    if (cfg.vocab === 33) {
      if (M._attn_induction_batch(tp, gp, 0, B, T, cfg.vocab, 8, 16, 1, step) !== 0) throw new Error('induction batch');
      return { tokens: M.HEAP32.slice(tp >> 2, (tp >> 2) + n), targets: M.HEAP32.slice(gp >> 2, (gp >> 2) + n) };
    }
    let s = (2463534242 ^ step) >>> 0;
    const tokens = new Int32Array(n), targets = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      s = (s ^ (s << 13)) >>> 0; s = (s ^ (s >>> 17)) >>> 0; s = (s ^ (s << 5)) >>> 0;
      tokens[i] = s % cfg.vocab;
    }
    for (let i = 0; i < n; i++) targets[i] = (i + 1) % T ? tokens[i + 1] : -1;
    return { tokens, targets };
  };
}

// the C core's training state for one model, on the WASM heap
function wasmTrainer(M, model) {
  const { cfg, batch: B } = model, T = cfg.context;
  const cp = M._malloc(32);
  FIELDS.forEach((f, i) => { M.HEAP32[(cp >> 2) + i] = cfg[f]; });
  const P = M._attn_gpt_param_floats(cp), A = M._attn_gpt_activation_floats(cp, B, T);
  const params = M._malloc(P * 4), grads = M._malloc(P * 4), m = M._malloc(P * 4), v = M._malloc(P * 4);
  const acts = M._malloc(A * 4), tok = M._malloc(B * T * 4), tgt = M._malloc(B * T * 4);
  const opt = M._malloc(24), loss = M._malloc(4);
  if (!acts || !params) throw new Error('out of WASM memory');
  M.HEAPF32.fill(0, m >> 2, (m >> 2) + P);
  M.HEAPF32.fill(0, v >> 2, (v >> 2) + P);
  if (M._attn_gpt_init(params, cp, 1) !== 0) throw new Error('attn_gpt_init');
  [OPT.lr, OPT.beta1, OPT.beta2, OPT.eps, OPT.weightDecay, OPT.clipNorm].forEach((x, i) => { M.HEAPF32[(opt >> 2) + i] = x; });
  const init = M.HEAPF32.slice(params >> 2, (params >> 2) + P);
  return {
    P, init, flops: null,
    step(b, step) {
      M.HEAP32.set(b.tokens, tok >> 2);
      M.HEAP32.set(b.targets, tgt >> 2);
      const rc = M._attn_gpt_train_step(params, grads, m, v, acts, cp, tok, tgt, B, T, step, opt, loss, 0);
      if (rc !== 0) throw new Error('attn_gpt_train_step: status ' + rc);
      return M.HEAPF32[loss >> 2];
    },
    free() { [cp, params, grads, m, v, acts, tok, tgt, opt, loss].forEach((p) => M._free(p)); },
  };
}

async function main() {
  const M = await require(path.join(ROOT, 'web', 'attn-core.js'))();
  const nativeBin = path.join(ROOT, 'build', 'bench', 'train_native');
  let tfjs = null, tfjsWhy = null;
  try {
    const { loadTf, createTfGpt } = require('./gpt_tfjs.js');
    tfjs = Object.assign(await loadTf(), { createTfGpt });
  } catch (e) {
    tfjsWhy = `TensorFlow.js WASM backend did not start: ${e.message.split('\n')[0]}`;
  }
  const rows = [], checks = [];
  for (const model of MODELS) {
    const { cfg, batch: B } = model, T = cfg.context, tokensPerStep = B * T;
    const nextBatch = batchMaker(M, model);
    const batches = new Map();
    const batchOf = (s) => { if (!batches.has(s)) batches.set(s, nextBatch(s)); return batches.get(s); };

    // the same computation: three steps of the core and of plain JS from the same start
    const wasm = wasmTrainer(M, model);
    const plain = createPlainGpt(cfg, B, T);
    plain.params.set(wasm.init);
    const cLoss = [], jsLoss = [];
    for (let s = 1; s <= 3; s++) {
      cLoss.push(wasm.step(batchOf(s), s));
      jsLoss.push(plain.trainStep(batchOf(s).tokens, batchOf(s).targets, s, OPT));
    }
    const jsDiff = Math.max(...cLoss.map((l, i) => Math.abs(l - jsLoss[i])));
    const check = { model: model.name, c_losses: cLoss, js_losses: jsLoss, js_max_diff: jsDiff };
    if (!(jsDiff < 1e-3)) throw new Error(`${model.name}: plain JS losses ${jsLoss} differ from the core's ${cLoss}`);
    let tf = null;
    if (tfjs) {
      tf = tfjs.createTfGpt(tfjs.tf, cfg, B, T, wasm.init, OPT);
      // three steps: the first loss checks the forward, the next two the gradients and Adam
      const tfLoss = [1, 2, 3].map((s) => tf.trainStep(batchOf(s).tokens, batchOf(s).targets));
      check.tfjs_losses = tfLoss;
      check.tfjs_max_diff = Math.max(...cLoss.map((l, i) => Math.abs(l - tfLoss[i])));
      if (!(check.tfjs_max_diff < 1e-3)) throw new Error(`${model.name}: tfjs losses ${tfLoss} differ from the core's ${cLoss}`);
    }
    checks.push(check);
    process.stderr.write(`  ${model.name}: first losses C ${cLoss.map((x) => x.toFixed(5))}, JS ${jsLoss.map((x) => x.toFixed(5))}` +
      (tf ? `, tfjs ${check.tfjs_losses.map((x) => x.toFixed(5))}` : '') + '\n');

    const timed = {};
    timed.wasm = timeSteps((s) => wasm.step(batchOf(s % 8 + 1), s + 3));
    process.stderr.write(`  ${model.name} wasm ${timed.wasm.ms.toFixed(1)} ms/step\n`);
    const res = spawnSync(nativeBin, [...FIELDS.map((f) => String(cfg[f])), String(B), String(BUDGET_MS)], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`train_native ${model.name}: ${res.stderr || res.stdout}`);
    timed.native = JSON.parse(res.stdout);
    process.stderr.write(`  ${model.name} native ${timed.native.ms.toFixed(1)} ms/step\n`);
    timed.js = timeSteps((s) => plain.trainStep(batchOf(s % 8 + 1).tokens, batchOf(s % 8 + 1).targets, s + 3, OPT));
    process.stderr.write(`  ${model.name} js ${timed.js.ms.toFixed(1)} ms/step\n`);
    if (tf) {
      timed['tfjs-wasm'] = timeSteps((s) => tf.trainStep(batchOf(s % 8 + 1).tokens, batchOf(s % 8 + 1).targets));
      process.stderr.write(`  ${model.name} tfjs-wasm ${timed['tfjs-wasm'].ms.toFixed(1)} ms/step\n`);
      tf.dispose();
    }
    wasm.free();
    for (const [impl, t] of Object.entries(timed)) {
      rows.push({ kind: 'training', model: model.name, impl, batch: B, seq: T, params: wasm.P,
        ms_per_step: +t.ms.toFixed(3), tokens_per_s: Math.round(tokensPerStep / t.ms * 1000), runs: t.runs,
        threads: 1 });
    }
  }

  const get = (model, impl) => rows.find((r) => r.model === model && r.impl === impl);
  const ratios = MODELS.map(({ name }) => {
    const w = get(name, 'wasm'), r = (impl) => (get(name, impl) ? +(get(name, impl).ms_per_step / w.ms_per_step).toFixed(2) : null);
    return { kind: 'training-ratios', model: name, wasm_vs_js: r('js'), wasm_vs_tfjs_wasm: r('tfjs-wasm'),
      native_vs_wasm: +(w.ms_per_step / get(name, 'native').ms_per_step).toFixed(2),
      goal: 'wasm >= 3x js and ahead of tfjs-wasm' };
  });

  const out = path.join(ROOT, 'build', 'bench.json');
  let existing = [];
  try { existing = JSON.parse(fs.readFileSync(out, 'utf8')); } catch (e) { existing = []; }
  if (!Array.isArray(existing)) existing = [];
  existing = existing.filter((r) => r.kind !== 'training' && r.kind !== 'training-ratios' && r.kind !== 'training-check');
  const env = { kind: 'training-check', checks, tfjs: tfjs ? { version: '4.22.0', simd: tfjs.simd, threads: tfjs.threads } : { error: tfjsWhy } };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify([...existing, ...rows, ...ratios, env], null, 1) + '\n');

  console.log('\nTraining throughput, whole steps (forward + backward + AdamW), one thread, tokens/s (ms per step)');
  const impls = ['wasm', 'native', 'js', 'tfjs-wasm'];
  console.log('model       ' + impls.map((s) => s.padStart(18)).join('') + '   wasm vs js  wasm vs tfjs');
  for (const { name } of MODELS) {
    const cells = impls.map((i) => { const r = get(name, i); return (r ? `${r.tokens_per_s} (${r.ms_per_step.toFixed(0)})` : '-').padStart(18); });
    const ra = ratios.find((x) => x.model === name);
    console.log(`${name.padEnd(12)}${cells.join('')}${(ra.wasm_vs_js + 'x').padStart(13)}${(ra.wasm_vs_tfjs_wasm ? ra.wasm_vs_tfjs_wasm + 'x' : '-').padStart(14)}`);
  }
  if (!tfjs) console.log(tfjsWhy);
  console.log('wrote training rows to build/bench.json');
}

main().catch((e) => { console.error(e); process.exit(1); });
