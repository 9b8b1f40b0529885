// The relaxed-SIMD build of the dense streaming kernel (core/attn_fast.c by clang-16, shipped in
// web/core/attn-fast.js) as the bridge installs it into the core: against a double-precision
// reference written here, on odd sizes (n not a multiple of the 32-row block or the 64-key
// tile, d_k and d_v not multiples of 4, d up to the kernel's 128), no mask and causal, several
// temperatures and scales, rows cut in random pieces; against the core's plain-SIMD kernel on
// the same inputs; overflow reported as ATTN_ERR_NONFINITE. Node runs relaxed SIMD only with
// --experimental-wasm-relaxed-simd: without it (the way tests/run.sh runs this file) the bridge
// must fall back to the plain-SIMD kernel, and the relaxed tests run in a child Node with it.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { rng, maxAbsDiff, abiTable } = require('./helpers.js');

const ROOT = path.join(__dirname, '..', '..');
const fast = require(path.join(ROOT, 'web', 'core', 'attn-fast.js'));
const bridge = require(path.join(ROOT, 'web', 'core', 'attn-bridge.js'));
const factory = require(path.join(ROOT, 'web', 'core', 'attn-core.js'));
const bytes = fast.wasm ? Buffer.from(fast.wasm, 'base64') : null;
const relaxedHere = !!bytes && WebAssembly.validate(bytes);

if (!relaxedHere && !process.env.AE_RELAXED_CHILD) {
  test('attn-fast.js carries a module that uses relaxed SIMD (the build had clang-16)', (t) => {
    if (!bytes) { t.skip('built without clang-16: the page runs the plain-SIMD kernel'); return; }
    assert.ok(!WebAssembly.validate(bytes), 'Node without the flag rejects it, as it rejects relaxed SIMD');
    assert.throws(() => new WebAssembly.Module(bytes), WebAssembly.CompileError);
  });
  test('without relaxed SIMD the bridge keeps the core\'s plain-SIMD kernel', async () => {
    const core = await bridge.loadCore();
    assert.equal(core.kernelPath(), 'simd128');
    assert.throws(() => core.useKernelPath('relaxed-simd'), (e) => e.code === bridge.CODES.KERNEL);
    const job = core.longJob({ n: 70, d: 16, seed: 5 });
    job.run('streaming', 0, 70);
    assert.ok(job.output().every(Number.isFinite));
    job.destroy();
  });
  test('the relaxed-SIMD kernel, in a Node child with --experimental-wasm-relaxed-simd', (t) => {
    if (!bytes) { t.skip('built without clang-16'); return; }
    // NODE_TEST_CONTEXT would make the child report to this runner instead of printing TAP
    const env = { ...process.env, AE_RELAXED_CHILD: '1' };
    delete env.NODE_TEST_CONTEXT;
    const res = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--test', '--test-reporter=tap', __filename],
      { env, encoding: 'utf8', maxBuffer: 1 << 24 });
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /# pass [1-9]/);
    assert.match(res.stdout, /# fail 0/);
  });
  return;
}

let modulePromise = null;
function loadModule() {   // the core with the relaxed kernel installed, as loadCore does it
  if (!modulePromise) modulePromise = factory().then(bridge.installFastKernel);
  return modulePromise;
}

function put(M, values) {
  const ptr = M._malloc(Math.max(values.length, 1) * 4);
  M.HEAPF32.set(values, ptr >> 2);
  return ptr;
}

function putOptions(M, abi, o) {
  const ptr = M._malloc(abi['sizeof attn_options']);
  M.HEAPU8.fill(0, ptr, ptr + abi['sizeof attn_options']);
  const at = (field) => (ptr + abi['attn_options.' + field]) >> 2;
  M.HEAPF32[at('scale')] = o.scale || 0;
  M.HEAPF32[at('temperature')] = o.temperature || 1;
  M.HEAP32[at('mask')] = o.mask === 'causal' ? abi.ATTN_MASK_CAUSAL : abi.ATTN_MASK_NONE;
  return ptr;
}

// attn_head_streaming over rows cut into pieces by r (or whole), with kernel table index path
function streaming(M, abi, c, path, r) {
  M._attn_wasm_dense_kernel(path);
  const q = put(M, c.q), k = put(M, c.k), v = put(M, c.v), out = M._malloc(c.n * c.dv * 4);
  const opt = putOptions(M, abi, c.opt);
  let status = 0;
  for (let begin = 0; begin < c.n && status === 0;) {
    const end = r ? Math.min(c.n, begin + r.int(1, 80)) : c.n;
    status = M._attn_head_streaming(out, q, k, v, c.n, c.dk, c.dv, opt, begin, end, 0);
    begin = end;
  }
  const res = { status, out: M.HEAPF32.slice(out >> 2, (out >> 2) + c.n * c.dv) };
  [q, k, v, out, opt].forEach((p) => M._free(p));
  M._attn_wasm_dense_kernel(M.kernelPaths['relaxed-simd']);
  return res;
}

function reference(c) {   // softmax(q kᵀ · scale / t) v in doubles, from the definition
  const { n, dk, dv, q, k, v, opt } = c;
  const scale = opt.scale || 1 / Math.sqrt(dk), t = opt.temperature || 1;
  const out = new Float64Array(n * dv), w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const keys = opt.mask === 'causal' ? i + 1 : n;
    let max = -Infinity;
    for (let j = 0; j < keys; j++) {
      let s = 0;
      for (let p = 0; p < dk; p++) s += q[i * dk + p] * k[j * dk + p];
      w[j] = s * scale / t;
      if (w[j] > max) max = w[j];
    }
    let sum = 0;
    for (let j = 0; j < keys; j++) { w[j] = Math.exp(w[j] - max); sum += w[j]; }
    for (let j = 0; j < keys; j++) for (let p = 0; p < dv; p++) out[i * dv + p] += w[j] / sum * v[j * dv + p];
  }
  return out;
}

function randomCase(r, n, dk, dv, opt, amp) {
  const fill = (count) => Float32Array.from({ length: count }, () => (r.next() * 2 - 1) * amp);
  return { n, dk, dv, opt, q: fill(n * dk), k: fill(n * dk), v: fill(n * dv) };
}

test('the bridge installs the relaxed-SIMD kernel and can switch back to plain SIMD', async () => {
  const core = await bridge.loadCore();
  assert.equal(core.kernelPath(), 'relaxed-simd');
  const job = core.longJob({ n: 333, d: 64, seed: 9 });
  job.run('streaming', 0, 333);
  const relaxed = job.output();
  assert.equal(core.useKernelPath('simd128'), 'simd128');
  job.run('streaming', 0, 333);
  const plain = job.output();
  assert.equal(core.useKernelPath('best'), 'relaxed-simd');
  assert.ok(maxAbsDiff(relaxed, plain) <= 1e-6, `relaxed vs plain SIMD ${maxAbsDiff(relaxed, plain)}`);
  job.destroy();
});

// relaxed vs plain SIMD: fused multiply-adds round once where plain SIMD rounds twice; both are
// held to the double reference, not to each other (sharp softmaxes, t = 0.37 on inputs up to 3,
// part them by up to 7e-6)
test('relaxed-SIMD and plain-SIMD streaming = double reference (1e-5; 5e-5 for inputs up to 3): odd sizes, none and causal', async () => {
  const M = await loadModule(), abi = abiTable(M);
  assert.ok('relaxed-simd' in M.kernelPaths, 'the relaxed kernel is installed');
  const r = rng(16);
  const shapes = [[1, 64, 64], [7, 7, 5], [31, 19, 8], [33, 61, 66], [64, 64, 64], [65, 4, 3], [100, 128, 128],
    [129, 1, 1], [257, 65, 63], [300, 127, 9], [2085, 21, 13]];   // from n = 2048: 128-row blocks
  let cases = 0;
  for (const [n, dk, dv] of shapes) {
    for (const opt of [{ mask: 'none' }, { mask: 'causal' }, { mask: 'none', temperature: 0.37 },
      { mask: 'causal', scale: 0.9, temperature: 2.5 }]) {
      const c = randomCase(r, n, dk, dv, opt, n % 2 ? 3 : 1);
      const label = `n=${n} dk=${dk} dv=${dv} ${JSON.stringify(opt)}`;
      const relaxed = streaming(M, abi, c, M.kernelPaths['relaxed-simd'], r);
      const plain = streaming(M, abi, c, 0, null);
      assert.equal(relaxed.status, 0, `${label}: status`);
      assert.equal(plain.status, 0, `${label}: plain status`);
      const ref = reference(c);
      // inputs up to 3 (odd n) make scores 9x and outputs 3x larger, and float rounding with them:
      // 1e-5 for inputs up to 1 (as long.test.js), 5e-5 for inputs up to 3 (1.25e-5 seen)
      const tol = n % 2 ? 5e-5 : 1e-5;
      assert.ok(maxAbsDiff(relaxed.out, ref) <= tol, `${label}: relaxed vs double ${maxAbsDiff(relaxed.out, ref)}`);
      assert.ok(maxAbsDiff(plain.out, ref) <= tol, `${label}: plain vs double ${maxAbsDiff(plain.out, ref)}`);
      cases++;
    }
  }
  assert.equal(cases, 44);
});

test('relaxed-SIMD kernel: scores or outputs that overflow are ATTN_ERR_NONFINITE, as in plain SIMD', async () => {
  const M = await loadModule(), abi = abiTable(M);
  const n = 40, d = 12;
  const big = { n, dk: d, dv: d, opt: { mask: 'none' }, q: new Float32Array(n * d).fill(1e30),
    k: new Float32Array(n * d).fill(1e30), v: new Float32Array(n * d).fill(1) };
  const huge = { n, dk: d, dv: d, opt: { mask: 'causal' }, q: new Float32Array(n * d).fill(0),
    k: new Float32Array(n * d).fill(0), v: new Float32Array(n * d).fill(3e38) };
  for (const c of [big, huge]) {
    assert.equal(streaming(M, abi, c, M.kernelPaths['relaxed-simd'], null).status, abi.ATTN_ERR_NONFINITE);
    assert.equal(streaming(M, abi, c, 0, null).status, abi.ATTN_ERR_NONFINITE);
  }
});
