// The bridge's long-context section (used by the quadratic-cost lab, fig-scaling): jobs that own
// seeded random Q, K, V in WASM memory and run by row ranges. Every kernel is checked against a
// plain double-precision JavaScript reference on small n, whole, in chunks and interleaved.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadCore, AttnError, CODES } = require('../../web/core/attn-bridge.js');
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

// Runs rows 0..n of a job in chunks of `rows` (the way the page spreads a run over time).
function runInChunks(job, kernel, rows, opts) {
  let blocked = 0;
  for (let r = 0; r < job.n; r += rows) blocked += job.run(kernel, r, Math.min(job.n, r + rows), opts).blockedRows;
  return blocked;
}

test('fillRandom is the seeded xorshift32 of attn.h; a job fills Q, K, V with seed, seed+1, seed+2', async () => {
  const core = await loadCore();
  assertClose(core.fillRandom(1000, 42), xorshift(1000, 42), 0, 'seed 42');
  assertClose(core.fillRandom(10, 0), xorshift(10, 1), 0, 'seed 0 is taken as 1');
  const all = core.fillRandom(5000, 9);
  assert.ok(Math.min(...all) >= -1 && Math.max(...all) < 1, 'in [-1, 1)');
  const job = core.longJob({ n: 30, d: 7, seed: 5 });
  assert.deepEqual([job.n, job.d, job.seed], [30, 7, 5]);
  const inp = job.inputs();
  assertClose(inp.q, xorshift(210, 5), 0, 'Q');
  assertClose(inp.k, xorshift(210, 6), 0, 'K');
  assertClose(inp.v, xorshift(210, 7), 0, 'V');
  job.destroy();
});

test('full, streaming, window and linear equal a double reference, whole and in row chunks', async () => {
  const core = await loadCore();
  for (const [n, d, seed] of [[1, 5, 3], [37, 13, 11], [64, 64, 2], [131, 64, 7]]) {
    const job = core.longJob({ n, d, seed });
    const { q, k, v } = job.inputs();
    const none = attentionRef(q, k, v, n, d, () => true);
    const causal = attentionRef(q, k, v, n, d, (i, j) => j <= i);
    const window = (w) => attentionRef(q, k, v, n, d, (i, j) => j <= i && j > i - w);
    const label = `n=${n} d=${d}`;
    for (const rows of [n, 1, 5, 16]) {
      runInChunks(job, 'full', rows);
      assertClose(job.output(), none, 2e-5, `${label} full, chunks of ${rows}`);
      runInChunks(job, 'full', rows, { mask: 'causal' });
      assertClose(job.output(), causal, 2e-5, `${label} full causal, chunks of ${rows}`);
      runInChunks(job, 'streaming', rows);
      assertClose(job.output(), none, 2e-5, `${label} streaming, chunks of ${rows}`);
      runInChunks(job, 'streaming', rows, { mask: 'causal' });
      assertClose(job.output(), causal, 2e-5, `${label} streaming causal, chunks of ${rows}`);
      runInChunks(job, 'window', rows, { window: 8 });
      assertClose(job.output(), window(8), 2e-5, `${label} window 8, chunks of ${rows}`);
    }
    runInChunks(job, 'window', 9);   // the default width, 256, covers every key here
    assertClose(job.output(), causal, 2e-5, `${label} window 256`);
    job.run('linear', 0, n);
    assertClose(job.output(), linearRef(q, k, v, n, d, false).out, 2e-5, `${label} linear`);
    job.run('linear', 0, n, { causal: true });
    assertClose(job.output(), linearRef(q, k, v, n, d, true).out, 2e-5, `${label} linear causal`);
    job.destroy();
  }
});

test('full attention: one C call per chunk that reports its scale, and gives what attn_head gives', async () => {
  const core = await loadCore();
  const n = 50, d = 16;
  const job = core.longJob({ n, d, seed: 123 });
  const { q, k, v } = job.inputs();
  const rows = (flat) => Array.from({ length: n }, (_, i) => flat.subarray(i * d, (i + 1) * d));
  const whole = core.head(rows(q), rows(k), rows(v));
  job.run('full', 0, 7);   // sizes the bridge's small buffers
  const before = core.callCount();
  const r = job.run('full', 7, 14);
  assert.equal(core.callCount() - before, 1, 'one WASM call per chunk (attn_head_rows), no transpose or dummy head');
  assert.equal(r.scale, Math.fround(1 / Math.sqrt(d)), 'the scale C applied');
  assert.equal(job.run('full', 0, 7, { scale: 0.5 }).scale, 0.5, 'an explicit scale is reported back');
  runInChunks(job, 'full', 7);
  assertClose(job.output(), whole.output, 1e-5, 'chunked full vs attn_head');
  assert.equal(job.run('streaming', 0, n).scale, null, 'streaming does not report a scale');
  job.destroy();
});

test('two jobs interleaved (a second n = 16 job between two chunks of an n = 1024 run) stay separate', async () => {
  const core = await loadCore();
  const d = 16;
  const big = core.longJob({ n: 1024, d, seed: 1 });
  const first = big.run('full', 0, 512);
  const small = core.longJob({ n: 16, d, seed: 99 });   // what a second lab or a remount does
  small.run('full', 0, 16);
  const second = big.run('full', 512, 1024);            // the shared slot threw "not a range inside 0..16" here
  assert.deepEqual([first.rows, second.rows], [512, 512]);
  const { q, k, v } = big.inputs();
  assertClose(big.output(), attentionRef(q, k, v, 1024, d, () => true), 2e-5, 'n = 1024 output, both halves');
  const s = small.inputs();
  assertClose(small.output(), attentionRef(s.q, s.k, s.v, 16, d, () => true), 2e-5, 'n = 16 output');
  assertClose(s.q, xorshift(16 * d, 99), 0, 'the small job kept its own inputs');
  // the reverse order: the small job's rows after a chunk of the big one
  big.run('streaming', 0, 100);
  small.run('streaming', 0, 16);
  assertClose(small.output(), attentionRef(s.q, s.k, s.v, 16, d, () => true), 2e-5, 'n = 16 after the big chunk');
  small.destroy();
  big.destroy();
});

test('a destroyed job throws on use; destroy twice is harmless; jobs leave nothing allocated', async () => {
  const core = await loadCore();
  const warm = core.longJob({ n: 40, d: 8 });   // sizes the bridge's own small buffers first
  warm.run('full', 0, 40); warm.run('window', 0, 40); warm.run('linear', 0, 40); warm.bytes('full');
  warm.destroy();
  const baseline = core.heapInUse();
  const jobs = [[300, 64], [40, 8], [5000, 4]].map(([n, d]) => core.longJob({ n, d, seed: n }));
  assert.ok(core.heapInUse() >= baseline + 300 * 300 * 4, 'the jobs hold their buffers');
  for (const job of jobs) {
    if (job.n <= core.fullMaxN) job.run('full', 0, job.n);
    job.run('window', 0, job.n);
    job.run('linear', 0, job.n);
  }
  jobs.forEach((job) => job.destroy());
  jobs[0].destroy();
  assert.equal(core.heapInUse(), baseline, 'heap in use back to its baseline after destroy');
  const isGone = (e) => e instanceof AttnError && e.code === CODES.NULL && /destroyed/.test(e.message);
  assert.throws(() => jobs[1].run('full', 0, 40), isGone);
  assert.throws(() => jobs[1].inputs(), isGone);
  assert.throws(() => jobs[1].output(), isGone);
  assert.throws(() => jobs[1].bytes('full'), isGone);
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

test('logPositions and powerLine: axis positions and reference lines computed by C', async () => {
  const core = await loadCore();
  const values = [16, 64, 1000, 16384, 3.5];
  const got = core.logPositions(values, 16, 16384);
  const want = values.map((x) => Math.log10(x / 16) / Math.log10(16384 / 16));
  assertClose(got, want, 1e-6, 'positions');
  assert.equal(got[0], 0);
  assert.ok(Math.abs(got[3] - 1) < 1e-6);
  assert.throws(() => core.logPositions([0], 1, 10), (e) => e instanceof AttnError && e.code === CODES.NONFINITE);
  assert.throws(() => core.logPositions([5], 10, 10), (e) => e instanceof AttnError && e.code === CODES.RANGE);
  assert.throws(() => core.logPositions([5], -1, 10), (e) => e instanceof AttnError && e.code === CODES.RANGE);

  const xs = [64, 256, 1000, 16384];
  const square = core.powerLine(xs, 64, 0.25, 2), line = core.powerLine(xs, 64, 0.25, 1);
  xs.forEach((x, i) => {
    assert.ok(Math.abs(square[i] / (0.25 * (x / 64) ** 2) - 1) < 1e-6, `n² at ${x}`);
    assert.ok(Math.abs(line[i] / (0.25 * (x / 64)) - 1) < 1e-6, `n at ${x}`);
  });
  assert.throws(() => core.powerLine([1, 2], 0, 1, 2), (e) => e.code === CODES.RANGE);
});

test('logSlope: the least-squares slope on log-log axes, by C (Figure 6.1 quotes it)', async () => {
  const core = await loadCore();
  const xs = [16, 32, 64, 128, 256];
  for (const k of [0, 1, 2]) {
    assert.ok(Math.abs(core.logSlope(xs, xs.map((x) => 0.003 * x ** k)) - k) < 1e-5, `n^${k}`);
  }
  // noisy costs against the textbook formula in double
  const ys = [0.011, 0.019, 0.052, 0.09, 0.31];
  const lx = xs.map(Math.log), ly = ys.map(Math.log), n = xs.length;
  const sum = (a) => a.reduce((s, v) => s + v, 0);
  const want = (n * sum(lx.map((x, i) => x * ly[i])) - sum(lx) * sum(ly)) / (n * sum(lx.map((x) => x * x)) - sum(lx) ** 2);
  assert.ok(Math.abs(core.logSlope(xs, ys) - want) < 1e-5, `${core.logSlope(xs, ys)} vs ${want}`);
  assert.throws(() => core.logSlope([4], [1]), (e) => e instanceof AttnError && e.code === CODES.SIZE);
  assert.throws(() => core.logSlope([4, 4], [1, 2]), (e) => e.code === CODES.RANGE);
  assert.throws(() => core.logSlope([4, 8], [1, 0]), (e) => e.code === CODES.RANGE);
});

test('bytes per kernel come from C: the n x n weights for full, O(n·d) for the others', async () => {
  const core = await loadCore();
  const d = 64, linearFloats = d * d + 2 * d;
  for (const n of [16, 256, 4096, 16384]) {
    const nd = n * d * 4;
    assert.equal(core.kernelBytes('full', n, d), n * n * 4 + 4 * nd);
    // streaming (d <= 128): the dense kernel's Qᵀ, scores, output rows and row state, up to 128 rows
    assert.equal(core.kernelBytes('streaming', n, d), 4 * nd + 128 * (d + 64 + d + 4) * 4);
    assert.equal(core.kernelBytes('window', n, d, 8), 4 * nd + (16 * 64 + 3 * 16) * 4);
    assert.equal(core.kernelBytes('linear', n, d), 4 * nd + linearFloats * 4);
  }
  const ratio = core.kernelBytes('full', 4096, d) / core.kernelBytes('full', 2048, d);
  assert.ok(ratio > 3.5 && ratio < 4, `full 4096 / 2048 = ${ratio}`);
  const job = core.longJob({ n: 100, d: 8 });
  assert.equal(job.bytes('full'), core.kernelBytes('full', 100, 8));
  assert.equal(job.bytes('window', { window: 4 }), core.kernelBytes('window', 100, 8, 4));
  job.destroy();
  assert.throws(() => core.kernelBytes('window', 100, 8, 0), (e) => e.code === CODES.MASK);
  assert.throws(() => core.kernelBytes('full', 1 << 20, 8), (e) => e.code === CODES.OVERFLOW);
});

test('bad calls are AttnErrors with a message, never NaN; an unknown kernel is KERNEL, not MASK', async () => {
  const core = await loadCore();
  const isErr = (code) => (e) => e instanceof AttnError && e.code === code && e.message.length > 0;
  const job = core.longJob({ n: 20, d: 4, seed: 1 });
  assert.throws(() => job.run('full', 5, 5), isErr(CODES.INDEX));
  assert.throws(() => job.run('full', -1, 3), isErr(CODES.INDEX));
  assert.throws(() => job.run('window', 0, 21), isErr(CODES.INDEX));
  assert.throws(() => job.run('linear', 0, 10), isErr(CODES.INDEX));
  assert.throws(() => job.run('window', 0, 20, { window: 0 }), isErr(CODES.MASK));
  assert.throws(() => job.run('streaming', 0, 20, { mask: 'explicit' }), isErr(CODES.MASK));
  assert.throws(() => job.run('quantum', 0, 20), (e) => isErr(CODES.KERNEL)(e) && /quantum/.test(e.message));
  assert.throws(() => job.run('constructor', 0, 20), isErr(CODES.KERNEL));
  assert.throws(() => core.kernelBytes('quantum', 20, 4), isErr(CODES.KERNEL));
  job.destroy();
  assert.throws(() => core.longJob({ n: 0, d: 64 }), isErr(CODES.SIZE));
  assert.throws(() => core.longJob({ n: 10, d: 2.5 }), isErr(CODES.SIZE));
  assert.throws(() => core.fillRandom(0, 1), isErr(CODES.SIZE));
  assert.equal(core.prepareRandom, undefined, 'the single shared slot is gone: every run owns a job');
  const long = core.longJob({ n: 4097, d: 2, seed: 1 });
  assert.throws(() => long.run('full', 0, 1), isErr(CODES.OVERFLOW));
  long.run('window', 0, 4097);   // the cheap kernels still run at that length
  assert.ok(long.output().every(Number.isFinite));
  long.destroy();
});
