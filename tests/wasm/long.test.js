// The long-context kernels of the built WASM module (its SIMD path) against a double-precision
// JS reference written here and against the native build (the portable C path, through
// build/native_long): full, streaming (in row pieces), causal, window, block-sparse and linear
// on seeded random shapes with n up to 512, d up to 128, odd sizes included; the vectorised exp
// through softmax; Q·Kᵀ and the matmul directly. Raw exports, through the module itself.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { rng, maxAbsDiff, abiTable } = require('./helpers.js');

const ROOT = path.join(__dirname, '..', '..');
let modulePromise = null, abi = null;
function loadModule() {
  if (!modulePromise) {
    modulePromise = require(path.join(ROOT, 'web', 'core', 'attn-core.js'))().then((M) => { abi = abiTable(M); return M; });
  }
  return modulePromise;
}
// ATTN_MASK_* by the name the tests use ('block-sparse' -> ATTN_MASK_BLOCK_SPARSE)
const maskOf = (name) => abi['ATTN_MASK_' + (name || 'none').toUpperCase().replace('-', '_')];

// Copies floats into a fresh WASM buffer; the caller frees it.
function put(M, values) {
  const ptr = M._malloc(Math.max(values.length, 1) * 4);
  M.HEAPF32.set(values, ptr >> 2);
  return ptr;
}
function get(M, ptr, count) { return M.HEAPF32.slice(ptr >> 2, (ptr >> 2) + count); }

// attn_options at the offsets the core's ABI table gives
function putOptions(M, o) {
  const ptr = M._malloc(abi['sizeof attn_options']);
  const at = (field) => (ptr + abi['attn_options.' + field]) >> 2;
  M.HEAPF32[at('scale')] = o.scale || 0;
  M.HEAPF32[at('temperature')] = o.temperature || 1;
  M.HEAP32[at('mask')] = maskOf(o.mask);
  M.HEAP32[at('window')] = o.window || 0;
  M.HEAPU32[at('allowed')] = 0;
  M.HEAP32[at('globals')] = o.globals || 0;
  return ptr;
}

// Runs one kernel in WASM: 'full' (attn_head), 'streaming' (attn_head_streaming over rows cut
// in random pieces), 'linear' (attn_linear). Returns { status, out }.
function runWasm(M, kernel, c, r) {
  const { n, dk, dv } = c;
  const q = put(M, c.q), k = put(M, c.k), v = put(M, c.v), out = M._malloc(n * dv * 4);
  const opt = putOptions(M, c.opt);
  const freeAll = [q, k, v, out, opt];
  let status;
  if (kernel === 'full') {
    const size = abi['sizeof attn_trace'], weights = M._malloc(n * n * 4), trace = M._malloc(size);
    M.HEAPU8.fill(0, trace, trace + size);
    M.HEAPU32[(trace + abi['attn_trace.weights']) >> 2] = weights;
    status = M._attn_head(out, trace, q, k, v, n, dk, dv, opt);
    freeAll.push(weights, trace);
  } else if (kernel === 'streaming') {
    status = 0;
    for (let begin = 0; begin < n && status === 0;) {
      const end = Math.min(n, begin + r.int(1, 97));
      status = M._attn_head_streaming(out, q, k, v, n, dk, dv, opt, begin, end, 0);
      begin = end;
    }
  } else {
    const floats = M._attn_linear_scratch_floats(dk, dv), scratch = M._malloc(floats * 4);
    status = M._attn_linear(out, 0, q, k, v, n, dk, dv, c.causal ? 1 : 0, scratch, floats);
    freeAll.push(scratch);
  }
  const result = { status, out: get(M, out, n * dv) };
  freeAll.forEach((p) => M._free(p));
  return result;
}

// The native build on the same call (see tests/wasm/native_long.c for the format).
function runNative(kernel, c) {
  const o = c.opt;
  const hdr = new Int32Array([{ full: 0, streaming: 1, linear: 2 }[kernel], c.n, c.dk, c.dv,
    maskOf(o.mask), o.window || 0, o.globals || 0, c.causal ? 1 : 0]);
  const parts = [hdr, new Float32Array([o.scale || 0, o.temperature || 1]), c.q, c.k, c.v];
  const input = Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  const res = spawnSync(path.join(ROOT, 'build', 'native_long'), { input, maxBuffer: 1 << 28 });
  assert.equal(res.status, 0, 'native oracle ran (make test-programs builds it)');
  const buf = res.stdout;
  const status = buf.readInt32LE(0);
  return { status, out: new Float32Array(buf.buffer.slice(buf.byteOffset + 4, buf.byteOffset + buf.length)) };
}

// ---------------------------------------------------------------------------------------
// Double-precision references, from the definitions

function allows(o, i, j) {
  switch (o.mask) {
    case 'causal': return j <= i;
    case 'window': return j <= i && i - j < o.window;
    case 'block-sparse': return Math.floor(i / o.window) === Math.floor(j / o.window) || j < o.globals || i < o.globals;
    default: return true;
  }
}

function refSoftmaxAttention(c) {
  const { n, dk, dv, q, k, v, opt } = c;
  const scale = opt.scale || 1 / Math.sqrt(dk), t = opt.temperature || 1;
  const out = new Float64Array(n * dv), w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      if (!allows(opt, i, j)) { w[j] = -Infinity; continue; }
      let s = 0;
      for (let p = 0; p < dk; p++) s += q[i * dk + p] * k[j * dk + p];
      w[j] = s * scale / t;
      if (w[j] > max) max = w[j];
    }
    if (max === -Infinity) continue;   // no allowed key: zeros
    let sum = 0;
    for (let j = 0; j < n; j++) { w[j] = w[j] === -Infinity ? 0 : Math.exp(w[j] - max); sum += w[j]; }
    for (let j = 0; j < n; j++) {
      if (w[j] === 0) continue;
      const a = w[j] / sum;
      for (let col = 0; col < dv; col++) out[i * dv + col] += a * v[j * dv + col];
    }
  }
  return out;
}

function refLinear(c) {
  const { n, dk, dv, q, k, v, causal } = c;
  const phi = (x) => (x > 0 ? x + 1 : Math.exp(x));
  const S = new Float64Array(dk * dv), z = new Float64Array(dk), out = new Float64Array(n * dv);
  const add = (j) => {
    for (let p = 0; p < dk; p++) {
      const f = phi(k[j * dk + p]);
      z[p] += f;
      for (let col = 0; col < dv; col++) S[p * dv + col] += f * v[j * dv + col];
    }
  };
  if (!causal) for (let j = 0; j < n; j++) add(j);
  for (let i = 0; i < n; i++) {
    if (causal) add(i);
    let denom = 0;
    const pq = Array.from({ length: dk }, (_, p) => phi(q[i * dk + p]));
    for (let p = 0; p < dk; p++) denom += pq[p] * z[p];
    for (let col = 0; col < dv; col++) {
      let acc = 0;
      for (let p = 0; p < dk; p++) acc += pq[p] * S[p * dv + col];
      out[i * dv + col] = acc / denom;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------

test('vectorised exp through softmax: rows [0, x] give e^x/(1+e^x) to 1e-6 relative; x < -88 and -inf give 0', async () => {
  const M = await loadModule();
  const xs = [];
  for (let x = -87; x <= 0; x += 0.37) xs.push(x);
  xs.push(-1e-7, -0.5, -Math.LN2, -20.0001, -86.99);
  const rows = xs.length, inp = new Float32Array(rows * 2);
  xs.forEach((x, r) => { inp[2 * r] = 0; inp[2 * r + 1] = x; });
  const ptr = put(M, inp), out = M._malloc(rows * 2 * 4);
  assert.equal(M._attn_softmax_rows(out, ptr, rows, 2, 1, 0), 0);
  const got = get(M, out, rows * 2);
  let worst = 0;
  xs.forEach((x, r) => {
    const xf = Math.fround(x), e = Math.exp(xf), want = e / (1 + e);
    const rel = Math.abs(got[2 * r + 1] - want) / want;
    if (!(rel <= worst)) worst = rel;
    assert.ok(Math.abs(got[2 * r] - 1 / (1 + e)) <= 1e-7, `row ${r}: the max entry`);
  });
  assert.ok(worst <= 1e-6, `worst relative error of exp(x) over [-87, 0]: ${worst}`);

  // rows of every length 1..13 (SIMD tails): softmax of a ramp, against double
  for (let cols = 1; cols <= 13; cols++) {
    const row = Float32Array.from({ length: cols }, (_, j) => -j * 1.7 + (j % 3));
    const p = put(M, row);
    assert.equal(M._attn_softmax_rows(out, p, 1, cols, 0.8, 0), 0);
    const g = get(M, out, cols);
    const max = Math.max(...row), e = Array.from(row, (s) => Math.exp((s - max) / Math.fround(0.8)));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((ej, j) => assert.ok(Math.abs(g[j] - ej / sum) <= 1e-7 + 1e-6 * ej / sum, `cols ${cols} [${j}]`));
    M._free(p);
  }

  // far below the max: exactly 0, never NaN; -inf is a blocked entry
  const far = put(M, new Float32Array([0, -100, -1e30, -Infinity, -88.5]));
  assert.equal(M._attn_softmax_rows(out, far, 1, 5, 1, 0), 0);
  assert.deepEqual(Array.from(get(M, out, 5)), [1, 0, 0, 0, 0]);
  // a subnormal temperature: 1/T is inf in float, yet the row is one-hot, never NaN
  const sharp = put(M, new Float32Array([0.5, 1, 0.999, -3, 0.2]));
  assert.equal(M._attn_softmax_rows(out, sharp, 1, 5, 1e-40, 0), 0);
  assert.deepEqual(Array.from(get(M, out, 5)), [0, 1, 0, 0, 0]);
  [ptr, out, far, sharp].forEach((p) => M._free(p));
});

test('attn_scores and attn_matmul on odd shapes match a double reference', async () => {
  const M = await loadModule();
  const r = rng(99);
  for (const [n, d, m] of [[1, 1, 1], [3, 5, 7], [9, 4, 13], [65, 67, 3], [130, 64, 129], [5, 128, 6]]) {
    const a = r.floats(n * d), b = r.floats(n * d), w = r.floats(d * m);
    const pa = put(M, a), pb = put(M, b), pw = put(M, w);
    const scores = M._malloc(n * n * 4), prod = M._malloc(n * m * 4);
    assert.equal(M._attn_scores(scores, pa, pb, n, d), 0);
    assert.equal(M._attn_matmul(prod, pa, pw, n, d, m), 0);
    const s = get(M, scores, n * n), pr = get(M, prod, n * m);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let ref = 0;
        for (let p = 0; p < d; p++) ref += a[i * d + p] * b[j * d + p];
        worst = Math.max(worst, Math.abs(s[i * n + j] - ref));
      }
      for (let j = 0; j < m; j++) {
        let ref = 0;
        for (let p = 0; p < d; p++) ref += a[i * d + p] * w[p * m + j];
        worst = Math.max(worst, Math.abs(pr[i * m + j] - ref));
      }
    }
    assert.ok(worst <= 1e-5, `n=${n} d=${d} m=${m}: max |diff| ${worst}`);
    [pa, pb, pw, scores, prod].forEach((p) => M._free(p));
  }
});

test('full, streaming, causal, window, block-sparse, linear: WASM = double reference = native (1e-5)', async () => {
  const M = await loadModule();
  const r = rng(4242);
  const shapes = [[512, 128, 128], [512, 64, 64], [1, 1, 1], [2, 3, 5], [5, 7, 1], [63, 65, 3], [257, 17, 31]];
  for (let i = 0; i < 6; i++) shapes.push([r.int(1, 512), r.int(1, 128), r.int(1, 128)]);
  const report = [];
  for (const [n, dk, dv] of shapes) {
    const base = { n, dk, dv, q: r.floats(n * dk, 1.5), k: r.floats(n * dk, 1.5), v: r.floats(n * dv) };
    const win = r.int(1, Math.max(1, n)), temperature = [1, 0.5, 2][r.int(0, 2)];
    const cases = [
      ['full', { mask: 'none', temperature }],
      ['streaming', { mask: 'none', temperature }],
      ['full', { mask: 'causal' }],
      ['streaming', { mask: 'causal' }],
      ['streaming', { mask: 'window', window: win }],
      ['full', { mask: 'window', window: win, scale: 0.3 }],
      ['streaming', { mask: 'block-sparse', window: r.int(1, 70), globals: r.int(0, 4) }],
      ['linear', {}, false],
      ['linear', {}, true],
    ];
    for (const [kernel, opt, causal] of cases) {
      const c = { ...base, opt, causal };
      const label = `${kernel} ${opt.mask || (causal ? 'causal' : 'none')} n=${n} dk=${dk} dv=${dv}`;
      const wasm = runWasm(M, kernel, c, r), native = runNative(kernel, c);
      assert.equal(wasm.status, 0, `${label}: WASM status`);
      assert.equal(native.status, 0, `${label}: native status`);
      const ref = kernel === 'linear' ? refLinear(c) : refSoftmaxAttention(c);
      const dRef = maxAbsDiff(wasm.out, ref), dNative = maxAbsDiff(wasm.out, native.out);
      assert.ok(dRef <= 1e-5, `${label}: WASM vs double reference ${dRef}`);
      assert.ok(dNative <= 1e-5, `${label}: WASM vs native ${dNative}`);
      assert.ok(maxAbsDiff(native.out, ref) <= 1e-5, `${label}: native vs double reference`);
      report.push(Math.max(dRef, dNative));
    }
  }
  assert.equal(report.length, shapes.length * 9);
});

test('streaming in WASM: blocked rows give zeros and errors match the C codes', async () => {
  const M = await loadModule();
  const r = rng(5);
  const n = 9, d = 6, q = put(M, r.floats(n * d)), k = put(M, r.floats(n * d)), v = put(M, r.floats(n * d));
  const out = M._malloc(n * d * 4), blocked = M._malloc(4);
  const opt = putOptions(M, { mask: 'block-sparse', window: 3, globals: 0 });
  assert.equal(M._attn_head_streaming(out, q, k, v, n, d, d, opt, 0, n, blocked), 0);
  assert.equal(M.HEAP32[blocked >> 2], 0, 'block-sparse: every row sees its own block');
  assert.equal(M._attn_head_streaming(out, q, k, v, n, d, d, opt, 3, 3, 0), -10, 'empty row range');
  assert.equal(M._attn_head_streaming(out, q, k, v, n, d, d, opt, 0, n + 1, 0), -10, 'range past n');
  assert.equal(M._attn_head_streaming(0, q, k, v, n, d, d, opt, 0, n, 0), -1, 'NULL out');
  const window = (opt + abi['attn_options.window']) >> 2;
  M.HEAP32[window] = 0;
  assert.equal(M._attn_head_streaming(out, q, k, v, n, d, d, opt, 0, n, 0), -6, 'window 0');
  M.HEAPF32[(q >> 2) + 7] = NaN;
  M.HEAP32[window] = 3;
  assert.equal(M._attn_head_streaming(out, q, k, v, n, d, d, opt, 0, n, 0), -7, 'NaN in q');
  [q, k, v, out, blocked, opt].forEach((p) => M._free(p));
});
