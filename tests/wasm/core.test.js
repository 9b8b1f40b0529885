// The built WASM module, loaded through the bridge as the page loads it: the hand-worked
// cases, errors as JS exceptions with the C message, seeded random layers against the native
// build, and a heap that stays put over 10,000 calls.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { loadCore, AttnError, CODES } = require('../../web/core/attn-bridge.js');
const { rng, assertClose, maxAbsDiff } = require('./helpers.js');

const ROOT = path.join(__dirname, '..', '..');

test('2x2 hand-worked: softmax([1/sqrt2, 0]) per row', async () => {
  const core = await loadCore();
  const r = core.head([[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 2], [3, 4]]);
  assertClose(r.weights, [[0.66976155, 0.33023845], [0.33023845, 0.66976155]], 1e-6, 'weights');
  assertClose(r.output, [[1.6604769, 2.6604769], [2.3395231, 3.3395231]], 1e-6, 'output');
  assertClose(r.scaled, [[Math.SQRT1_2, 0], [0, Math.SQRT1_2]], 1e-6, 'scaled');
});

test('3x3 hand-worked: rows 1:2:4, 1:3:9, 1:1:1, and the causal mask', async () => {
  const core = await loadCore();
  const q = [[Math.log(2)], [Math.log(3)], [0]], k = [[0], [1], [2]], v = [[1], [2], [3]];
  let r = core.head(q, k, v, { scale: 1 });
  assertClose(r.weights, [[1 / 7, 2 / 7, 4 / 7], [1 / 13, 3 / 13, 9 / 13], [1 / 3, 1 / 3, 1 / 3]], 1e-6, 'weights');
  assertClose(r.output, [[17 / 7], [34 / 13], [2]], 1e-5, 'output');
  r = core.head(q, k, v, { scale: 1, mask: 'causal' });
  assertClose(r.weights, [[1, 0, 0], [0.25, 0.75, 0], [1 / 3, 1 / 3, 1 / 3]], 1e-6, 'causal weights');
  assert.equal(r.masked[0][1], -Infinity);
  assert.equal(r.masked[1][2], -Infinity);
});

test('softmax: uniform, near one-hot at T=0.05, near uniform at large T, entropy', async () => {
  const core = await loadCore();
  const eq = core.softmax([2, 2, 2, 2], 1);
  assertClose(eq.probs, [0.25, 0.25, 0.25, 0.25], 1e-7, 'uniform');
  assert.ok(Math.abs(eq.entropy - 2) < 1e-5, 'entropy of 4 equal is 2 bits');
  const scores = [3, 2.5, 2, 1.2, 0.8, 0.1];
  assert.ok(core.softmax(scores, 0.05).probs[0] > 0.9999);
  const flat = core.softmax(scores, 1000).probs;
  assert.ok(maxAbsDiff(flat, scores.map(() => 1 / 6)) < 1e-3);
  const sum = core.softmax(scores, 0.7).probs.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-6);
});

test('masks: causal zero beyond i, sliding window zero outside the band, rows sum to 1', async () => {
  const core = await loadCore();
  const r = rng(7);
  const n = 9, q = r.matrix(n, 4), k = r.matrix(n, 4), v = r.matrix(n, 3);
  const causal = core.head(q, k, v, { mask: 'causal' }).weights;
  const win = core.head(q, k, v, { mask: 'window', window: 3 }).weights;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j > i) assert.equal(causal[i][j], 0, `causal [${i}][${j}]`);
      const inside = j <= i && i - j < 3;
      if (inside) assert.ok(win[i][j] > 0, `window inside [${i}][${j}]`);
      else assert.equal(win[i][j], 0, `window outside [${i}][${j}]`);
    }
    assert.ok(Math.abs(causal[i].reduce((a, b) => a + b, 0) - 1) < 1e-6);
    assert.ok(Math.abs(win[i].reduce((a, b) => a + b, 0) - 1) < 1e-6);
  }
  const allowed = core.maskAllowed(3, { mask: 'causal' });
  assert.deepEqual(allowed, [[true, false, false], [true, true, false], [true, true, true]]);
});

test('a fully blocked row gives zeros and is reported, never NaN', async () => {
  const core = await loadCore();
  const allowed = [[1, 1], [0, 0]];
  const r = core.head([[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 1], [2, 2]], { mask: 'explicit', allowed });
  assert.deepEqual(Array.from(r.weights[1]), [0, 0]);
  assert.deepEqual(Array.from(r.output[1]), [0, 0]);
  assert.equal(r.blockedRows, 1);
});

test('C status codes become AttnError with the C message', async () => {
  const core = await loadCore();
  const cases = [
    [() => core.head([[NaN]], [[1]], [[1]]), CODES.NONFINITE],
    [() => core.head([[1]], [[1]], [[1]], { temperature: 0 }), CODES.TEMPERATURE],
    [() => core.head([[1]], [[1]], [[1]], { temperature: NaN }), CODES.TEMPERATURE],
    [() => core.head([[1]], [[1]], [[1]], { temperature: -2 }), CODES.TEMPERATURE],
    [() => core.head([[1]], [[1]], [[1]], { scale: -1 }), CODES.SCALE],
    [() => core.head([[1]], [[1]], [[1]], { mask: 'window', window: 0 }), CODES.MASK],
    [() => core.softmax([1, 2], Infinity), CODES.TEMPERATURE],
    [() => core.model(''), CODES.EMPTY],
    [() => core.model('   \n\t '), CODES.EMPTY],
    [() => core.layer([[1, 2]], { dModel: 2, nHeads: 0, dHead: 2, wq: new Float32Array(4), wk: new Float32Array(4), wv: new Float32Array(4) }), CODES.SIZE],
  ];
  for (const [fn, code] of cases) {
    assert.throws(fn, (e) => e instanceof AttnError && e.code === code && e.message === core.strerror(code) &&
      e.message.length > 10, `expected code ${code}`);
  }
  for (const [name, code] of Object.entries(CODES)) {
    if (code) assert.notEqual(core.strerror(code), 'unknown error', `strerror for ${name}`);
  }
});

// ---------------------------------------------------------------------------------------
// Seeded random layers: the WASM module against the native build of the same C

function runNative(shape, x, w, opts) {
  const hdr = new Int32Array([shape.n, shape.dModel, shape.nHeads, shape.dHead, shape.dOut,
    { none: 0, causal: 1, window: 2 }[opts.mask], opts.window || 0, w.wo ? 1 : 0]);
  const parts = [hdr, new Float32Array([opts.scale || 0, opts.temperature]), x, w.wq, w.wk, w.wv];
  if (w.wo) parts.push(w.wo);
  const input = Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  const res = spawnSync(path.join(ROOT, 'build', 'native_layer'), { input, maxBuffer: 1 << 28 });
  assert.equal(res.status, 0, 'native oracle ran');
  const out = res.stdout;
  const status = out.readInt32LE(0);
  const floats = new Float32Array(out.buffer.slice(out.byteOffset + 4, out.byteOffset + out.length));
  return { status, floats };
}

test('seeded random layers match the native build (max abs diff <= 1e-5)', async () => {
  const core = await loadCore();
  const r = rng(2026);
  const shapes = [
    { n: 512, dModel: 128, nHeads: 8, dHead: 16 },
    { n: 300, dModel: 64, nHeads: 1, dHead: 128 },
    { n: 1, dModel: 3, nHeads: 2, dHead: 5 },
  ];
  for (let i = 0; i < 14; i++) {
    shapes.push({ n: r.int(1, 200), dModel: r.int(1, 128), nHeads: r.int(1, 8), dHead: r.int(1, 64) });
  }
  let worst = 0;
  shapes.forEach((s, i) => {
    s.dOut = r.int(1, 40);
    const scale = 1 / Math.sqrt(s.dModel);
    const x = r.floats(s.n * s.dModel);
    const w = { dModel: s.dModel, nHeads: s.nHeads, dHead: s.dHead, dOut: s.dOut,
      wq: r.floats(s.nHeads * s.dModel * s.dHead, scale), wk: r.floats(s.nHeads * s.dModel * s.dHead, scale),
      wv: r.floats(s.nHeads * s.dModel * s.dHead, scale), wo: i % 2 ? r.floats(s.nHeads * s.dHead * s.dOut, 0.3) : null };
    const opts = { mask: ['none', 'causal', 'window'][i % 3], window: 1 + (i % 7),
      temperature: 0.05 + r.next() * 2.95, scale: i % 4 === 3 ? 0.3 : 0 };
    const xRows = Array.from({ length: s.n }, (_, t) => x.subarray(t * s.dModel, (t + 1) * s.dModel));
    const wasm = core.layer(xRows, w, opts);
    const native = runNative(s, x, w, opts);
    assert.equal(native.status, 0);
    const width = w.wo ? s.dOut : s.nHeads * s.dHead;
    const nOut = s.n * width;
    const dOut = maxAbsDiff(wasm.output, native.floats.subarray(0, nOut));
    const dW = maxAbsDiff(wasm.weights, native.floats.subarray(nOut));
    assert.ok(dOut <= 1e-5 && dW <= 1e-5, `shape ${JSON.stringify(s)}: output diff ${dOut}, weights diff ${dW}`);
    worst = Math.max(worst, dOut, dW);
    // every row of every head sums to 1
    for (let row = 0; row < s.nHeads * s.n; row++) {
      let sum = 0;
      for (let j = 0; j < s.n; j++) sum += wasm.weights[row * s.n + j];
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${row} sums to ${sum}`);
    }
  });
  assert.ok(worst <= 1e-5);
});

test('10,000 repeated calls leave the allocator exactly where it was (bytes in use, not pages)', async () => {
  const core = await loadCore();
  const sentence = "The trophy didn't fit in the suitcase because it was too big.";
  const r = rng(1);
  const q = r.matrix(12, 8), k = r.matrix(12, 8), v = r.matrix(12, 8);
  // the calls of a page session: the first ones size every buffer the bridge reuses
  const session = (i) => {
    const m = core.model(sentence, { temperature: 0.05 + (i % 300) / 100, mask: i % 2 ? 'causal' : 'none' });
    core.rowReport(m, i % 4, i % m.n, 3, { leadingZero: i % 3 !== 0 });
    core.topK(m.heads[i % 4].weights[i % m.n], 3);
    core.head(q, k, v, { temperature: 1 + (i % 10) / 10 });
    core.softmax([1, 2, 3, 4, 5, 6], 0.05 + (i % 100) / 30);
    core.format([i / 10000, 0.5], 3, { leadingZero: false });
    core.clampTemperature(i % 7 ? i / 1000 : 'x');
    const job = core.longJob({ n: 24 + (i % 3), d: 8, seed: i });
    job.run(['full', 'streaming', 'window', 'linear'][i % 4], 0, job.n);
    job.destroy();
  };
  for (let i = 0; i < 4; i++) session(i);
  const inUse = core.heapInUse(), pages = core.heapBytes();
  for (let i = 0; i < 10000; i++) session(i);
  assert.equal(core.heapInUse(), inUse, 'allocator bytes in use after 10,000 calls');
  assert.equal(core.heapBytes(), pages, 'WASM memory size unchanged too');
});

test('heapInUse sees a 100-byte leak that the memory size cannot', async () => {
  const core = await loadCore();
  const M = await require('../../web/core/attn-core.js')();   // a second instance, leaked into on purpose
  const before = M._attn_heap_in_use(), pages = M.HEAPU8.length;
  for (let i = 0; i < 100; i++) M._malloc(100);
  assert.ok(M._attn_heap_in_use() - before >= 100 * 100, 'bytes in use grew by the leak');
  assert.equal(M.HEAPU8.length, pages, 'while the memory size, in 64 KiB pages, did not move');
  assert.ok(core.heapInUse() > 0);
});

test('numbers are printed by C: fixed point, no -0.000, -inf kept', async () => {
  const core = await loadCore();
  assert.deepEqual(core.format([0.7342, -0.0001, -Infinity, 2], 3), ['0.734', '0.000', '-inf', '2.000']);
  assert.deepEqual(core.format([1e30], 2), ['1000000015047466219876688855040.00']);
});
