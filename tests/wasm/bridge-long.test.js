// The bridge's long-context section (used by the quadratic-cost lab, fig-scaling): seeded
// random Q, K, V prepared in WASM memory and run by row ranges. Every kernel is checked
// against a plain double-precision JavaScript reference on small n, whole and in chunks.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadCore, AttnError, CODES } = require('../../web/attn-bridge.js');
const { assertClose } = require('./helpers.js');

// xorshift32 as attn.h documents it, written out independently: floats in [-1, 1)
function xorshift(count, seed) {
  let s = (seed >>> 0) || 1;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    s = (s ^ (s << 13)) >>> 0; s = (s ^ (s >>> 17)) >>> 0; s = (s ^ (s << 5)) >>> 0;
    out[i] = (s >>> 8) / 8388608 - 1;
  }
  return out;
}

// softmax(q·kᵀ/sqrt(d)) v over the keys allowed(i, j), in doubles; rows with no key are 0
function attentionRef(q, k, v, n, d, allowed) {
  const out = new Float64Array(n * d), scale = 1 / Math.sqrt(d);
  for (let i = 0; i < n; i++) {
    const s = [];
    for (let j = 0; j < n; j++) {
      if (!allowed(i, j)) continue;
      let dot = 0;
      for (let c = 0; c < d; c++) dot += q[i * d + c] * k[j * d + c];
      s.push([j, dot * scale]);
    }
    if (!s.length) continue;
    const m = Math.max(...s.map((x) => x[1]));
    let sum = 0;
    const e = s.map(([j, x]) => { const w = Math.exp(x - m); sum += w; return [j, w]; });
    for (const [j, w] of e) for (let c = 0; c < d; c++) out[i * d + c] += (w / sum) * v[j * d + c];
  }
  return out;
}

const phi = (x) => (x > 0 ? x + 1 : Math.exp(x));   // elu(x) + 1

// linear attention: out_i = sum_j (phi(q_i)·phi(k_j)) v_j / sum_j phi(q_i)·phi(k_j)
function linearRef(q, k, v, n, d, causal) {
  const out = new Float64Array(n * d), weights = [];
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(n);
    let denom = 0;
    for (let j = 0; j < n; j++) {
      if (causal && j > i) continue;
      let dot = 0;
      for (let c = 0; c < d; c++) dot += phi(q[i * d + c]) * phi(k[j * d + c]);
      row[j] = dot;
      denom += dot;
    }
    for (let j = 0; j < n; j++) {
      row[j] /= denom;
      for (let c = 0; c < d; c++) out[i * d + c] += row[j] * v[j * d + c];
    }
    weights.push(row);
  }
  return { out, weights };
}

// Runs rows 0..n in chunks of `rows` (the way the page spreads a run over time).
function runInChunks(core, kernel, n, rows, opts) {
  let blocked = 0;
  for (let r = 0; r < n; r += rows) blocked += core.runPrepared(kernel, r, Math.min(n, r + rows), opts).blockedRows;
  return blocked;
}

test('fillRandom is the seeded xorshift32 of attn.h; prepareRandom fills Q, K, V with seed, seed+1, seed+2', async () => {
  const core = await loadCore();
  assertClose(core.fillRandom(1000, 42), xorshift(1000, 42), 0, 'seed 42');
  assertClose(core.fillRandom(10, 0), xorshift(10, 1), 0, 'seed 0 is taken as 1');
  const all = core.fillRandom(5000, 9);
  assert.ok(Math.min(...all) >= -1 && Math.max(...all) < 1, 'in [-1, 1)');
  assert.deepEqual(core.prepareRandom(30, 7, 5), { n: 30, d: 7, seed: 5 });
  const inp = core.preparedInputs();
  assertClose(inp.q, xorshift(210, 5), 0, 'Q');
  assertClose(inp.k, xorshift(210, 6), 0, 'K');
  assertClose(inp.v, xorshift(210, 7), 0, 'V');
});

test('full, streaming, window and linear equal a double reference, whole and in row chunks', async () => {
  const core = await loadCore();
  for (const [n, d, seed] of [[1, 5, 3], [37, 13, 11], [64, 64, 2], [131, 64, 7]]) {
    core.prepareRandom(n, d, seed);
    const { q, k, v } = core.preparedInputs();
    const none = attentionRef(q, k, v, n, d, () => true);
    const causal = attentionRef(q, k, v, n, d, (i, j) => j <= i);
    const window = (w) => attentionRef(q, k, v, n, d, (i, j) => j <= i && j > i - w);
    const label = `n=${n} d=${d}`;
    for (const rows of [n, 1, 5, 16]) {
      runInChunks(core, 'full', n, rows);
      assertClose(core.preparedOutput(), none, 2e-5, `${label} full, chunks of ${rows}`);
      runInChunks(core, 'streaming', n, rows);
      assertClose(core.preparedOutput(), none, 2e-5, `${label} streaming, chunks of ${rows}`);
      runInChunks(core, 'streaming', n, rows, { mask: 'causal' });
      assertClose(core.preparedOutput(), causal, 2e-5, `${label} streaming causal, chunks of ${rows}`);
      runInChunks(core, 'window', n, rows, { window: 8 });
      assertClose(core.preparedOutput(), window(8), 2e-5, `${label} window 8, chunks of ${rows}`);
    }
    runInChunks(core, 'window', n, 9);   // the default width, 256, covers every key here
    assertClose(core.preparedOutput(), causal, 2e-5, `${label} window 256`);
    core.runPrepared('linear', 0, n);
    assertClose(core.preparedOutput(), linearRef(q, k, v, n, d, false).out, 2e-5, `${label} linear`);
    core.runPrepared('linear', 0, n, { causal: true });
    assertClose(core.preparedOutput(), linearRef(q, k, v, n, d, true).out, 2e-5, `${label} linear causal`);
  }
});

test('full attention in row chunks gives what attn_head gives on the same Q, K, V', async () => {
  const core = await loadCore();
  const n = 50, d = 16;
  core.prepareRandom(n, d, 123);
  const { q, k, v } = core.preparedInputs();
  const rows = (flat) => Array.from({ length: n }, (_, i) => flat.subarray(i * d, (i + 1) * d));
  const whole = core.head(rows(q), rows(k), rows(v));
  runInChunks(core, 'full', n, 7);
  assertClose(core.preparedOutput(), whole.output, 1e-5, 'chunked full vs attn_head');
});

test('linear() returns the weights linear attention implies: rows sum to 1 and match the reference', async () => {
  const core = await loadCore();
  const n = 12, d = 6;
  const q = core.fillRandom(n * d, 1), k = core.fillRandom(n * d, 2), v = core.fillRandom(n * d, 3);
  const rows = (flat) => Array.from({ length: n }, (_, i) => flat.subarray(i * d, (i + 1) * d));
  for (const causal of [false, true]) {
    const got = core.linear(rows(q), rows(k), rows(v), { causal });
    const want = linearRef(q, k, v, n, d, causal);
    assertClose(got.weights, want.weights, 1e-5, `weights, causal=${causal}`);
    assertClose(got.output, want.out, 1e-5, `output, causal=${causal}`);
    assertClose(core.rowSums(got.weights), new Array(n).fill(1), 1e-5, 'rows sum to 1');
    if (causal) assert.equal(got.weights[2][3], 0, 'no weight on later tokens');
  }
});

test('logPositions: log10 positions between lo and hi, computed by C', async () => {
  const core = await loadCore();
  const values = [16, 64, 1000, 16384, 3.5];
  const got = core.logPositions(values, 16, 16384);
  const want = values.map((x) => Math.log10(x / 16) / Math.log10(16384 / 16));
  assertClose(got, want, 1e-6, 'positions');
  assert.equal(got[0], 0);
  assert.ok(Math.abs(got[3] - 1) < 1e-6);
  assert.throws(() => core.logPositions([0], 1, 10), (e) => e instanceof AttnError && e.code === CODES.NONFINITE);
  assert.throws(() => core.logPositions([5], 10, 10), (e) => e instanceof AttnError && e.code === CODES.SCALE);
});

test('bytes per kernel: n·n·4 more for full, O(n·d) for the others; the heap stays put on reuse', async () => {
  const core = await loadCore();
  const d = 64;
  for (const n of [16, 256, 4096, 16384]) {
    const nd = n * d * 4;
    assert.equal(core.kernelBytes('full', n, d), n * n * 4 + 5 * nd);
    assert.equal(core.kernelBytes('streaming', n, d), 4 * nd);
    assert.equal(core.kernelBytes('window', n, d), 4 * nd);
    assert.equal(core.kernelBytes('linear', n, d), 4 * nd + (d * d + 2 * d) * 4);
  }
  // full: doubling n multiplies the bytes by almost 4 once n x n dominates
  const ratio = core.kernelBytes('full', 4096, d) / core.kernelBytes('full', 2048, d);
  assert.ok(ratio > 3.5 && ratio < 4, `full 4096 / 2048 = ${ratio}`);

  core.prepareRandom(2048, d, 1);
  runInChunks(core, 'full', 2048, 512);
  runInChunks(core, 'window', 2048, 512);
  core.runPrepared('linear', 0, 2048);
  const heap = core.heapBytes();
  assert.ok(heap >= core.kernelBytes('full', 2048, d), 'the heap holds full attention\'s buffers');
  for (const n of [2048, 1000, 64, 2048]) {
    core.prepareRandom(n, d, 2);
    runInChunks(core, 'full', n, 300);
    runInChunks(core, 'window', n, 300);
    core.runPrepared('linear', 0, n);
  }
  assert.equal(core.heapBytes(), heap, 'buffers are reused: smaller or equal runs do not grow the heap');
});

test('bad calls are AttnErrors with a message, never NaN', async () => {
  const core = await loadCore();
  const isErr = (code) => (e) => e instanceof AttnError && e.code === code && e.message.length > 0;
  core.prepareRandom(20, 4, 1);
  assert.throws(() => core.runPrepared('full', 5, 5), isErr(CODES.INDEX));
  assert.throws(() => core.runPrepared('full', -1, 3), isErr(CODES.INDEX));
  assert.throws(() => core.runPrepared('window', 0, 21), isErr(CODES.INDEX));
  assert.throws(() => core.runPrepared('linear', 0, 10), isErr(CODES.INDEX));
  assert.throws(() => core.runPrepared('window', 0, 20, { window: 0 }), isErr(CODES.MASK));
  assert.throws(() => core.runPrepared('streaming', 0, 20, { mask: 'explicit' }), isErr(CODES.MASK));
  assert.throws(() => core.runPrepared('quantum', 0, 20), isErr(CODES.MASK));
  assert.throws(() => core.prepareRandom(0, 64, 1), isErr(CODES.SIZE));
  assert.throws(() => core.prepareRandom(10, 2.5, 1), isErr(CODES.SIZE));
  assert.throws(() => core.fillRandom(0, 1), isErr(CODES.SIZE));
  core.prepareRandom(4097, 2, 1);
  assert.throws(() => core.runPrepared('full', 0, 1), isErr(CODES.OVERFLOW));
  core.runPrepared('window', 0, 4097);   // the cheap kernels still run at that length
  assert.ok(core.preparedOutput().every(Number.isFinite));
});
