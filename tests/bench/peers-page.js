// peers-page.js - the page side of `make bench-peers` (tests/bench/peers.js drives it through
// window.peers): the same seeded Q, K, V (n x d, made by the C core's attn_fill_random) go to
// our core, to onnxruntime-web (an attention graph built here: Transpose, MatMul, Mul by the
// scale, Softmax, MatMul; its optimiser fuses them) and to TensorFlow.js on its WASM backend
// (matMul(q, transpose(k)) with Kᵀ made explicitly: matMul(q, k, false, true) is its slow
// path). Every implementation runs single-threaded; each run includes reading the output back
// into a Float32Array, and outputs are compared with a double-precision reference.
// Bench only: never part of dist/.
(function () {
  'use strict';
  const AE = window.AttentionExplorer;

  // ---- a minimal protobuf writer, enough for an ONNX ModelProto ----
  function varint(out, v) {
    while (v > 127) { out.push((v & 127) | 128); v = Math.floor(v / 128); }
    out.push(v);
  }
  function key(out, field, wire) { varint(out, field * 8 + wire); }
  function bytesField(out, field, bytes) { key(out, field, 2); varint(out, bytes.length); for (const b of bytes) out.push(b); }
  function strField(out, field, s) { bytesField(out, field, Array.from(new TextEncoder().encode(s))); }
  function intField(out, field, v) { key(out, field, 0); varint(out, v); }
  function msg(build) { const out = []; build(out); return out; }

  function valueInfo(name, dims) {   // ValueInfoProto: name, TypeProto.tensor_type (float, shape)
    return msg((o) => {
      strField(o, 1, name);
      bytesField(o, 2, msg((t) => bytesField(t, 1, msg((tt) => {
        intField(tt, 1, 1);   // elem_type FLOAT
        bytesField(tt, 2, msg((shape) => dims.forEach((dim) => bytesField(shape, 1, msg((x) => intField(x, 1, dim))))));
      }))));
    });
  }
  function node(op, inputs, outputs, attrs) {   // NodeProto
    return msg((o) => {
      inputs.forEach((s) => strField(o, 1, s));
      outputs.forEach((s) => strField(o, 2, s));
      strField(o, 3, op + '_' + outputs[0]);
      strField(o, 4, op);
      (attrs || []).forEach((a) => bytesField(o, 5, msg((x) => {
        strField(x, 1, a.name);
        if (a.ints) { a.ints.forEach((v) => intField(x, 8, v)); intField(x, 20, 7); } else { intField(x, 3, a.i); intField(x, 20, 2); }
      })));
    });
  }
  // softmax(Q Kᵀ · scale) V for fixed n x d inputs Q, K, V; output O
  function attentionModel(n, d, scale) {
    const scaleTensor = msg((o) => {   // TensorProto: a float scalar initializer
      key(o, 2, 0); varint(o, 1);
      strField(o, 8, 'scale');
      bytesField(o, 9, Array.from(new Uint8Array(new Float32Array([scale]).buffer)));
    });
    const graph = msg((g) => {
      bytesField(g, 1, node('Transpose', ['K'], ['Kt'], [{ name: 'perm', ints: [1, 0] }]));
      bytesField(g, 1, node('MatMul', ['Q', 'Kt'], ['S']));
      bytesField(g, 1, node('Mul', ['S', 'scale'], ['Ss']));
      bytesField(g, 1, node('Softmax', ['Ss'], ['P'], [{ name: 'axis', i: 1 }]));
      bytesField(g, 1, node('MatMul', ['P', 'V'], ['O']));
      strField(g, 2, 'attention');
      bytesField(g, 5, scaleTensor);
      ['Q', 'K', 'V'].forEach((name) => bytesField(g, 11, valueInfo(name, [n, d])));
      bytesField(g, 12, valueInfo('O', [n, d]));
    });
    return new Uint8Array(msg((m) => {
      intField(m, 1, 8);                 // ir_version
      strField(m, 2, 'attention-explorer bench');
      bytesField(m, 7, graph);
      bytesField(m, 8, msg((op) => { strField(op, 1, ''); intField(op, 2, 17); }));
    }));
  }

  // ---- state ----
  let core = null;
  let cur = null;   // { n, d, scale, job, q, k, v, ref, refRows, session, tq, tk, tv, outs }

  async function init() {
    const base = new URL('../../', location.href).href;
    core = await AE.loadCore();
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = base + 'node_modules/onnxruntime-web/dist/';
    tf.wasm.setWasmPaths(base + 'node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    tf.wasm.setThreadsCount(1);
    await tf.setBackend('wasm');
    await tf.ready();
    return {
      userAgent: navigator.userAgent,
      crossOriginIsolated: self.crossOriginIsolated === true,
      ours: core.kernelPath ? core.kernelPath() : 'simd128',
      ortWeb: ort.env.versions ? ort.env.versions.web : 'unknown',
      tfjs: tf.version.tfjs,
      tfjsWasm: tf.version_wasm || (tf.wasm && tf.wasm.version_wasm) || tf.version.tfjs,
      tfjsBackend: tf.getBackend(),
      tfjsSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      tfjsThreads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    };
  }

  // Double-precision attention for the rows in `rows` (softmax(q kᵀ · scale) v); flat results.
  function reference(q, k, v, n, d, scale, rows) {
    const out = new Float64Array(rows.length * d), s = new Float64Array(n);
    rows.forEach((i, ri) => {
      let max = -Infinity;
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let p = 0; p < d; p++) dot += q[i * d + p] * k[j * d + p];
        s[j] = dot * scale;
        if (s[j] > max) max = s[j];
      }
      let sum = 0;
      for (let j = 0; j < n; j++) { s[j] = Math.exp(s[j] - max); sum += s[j]; }
      for (let j = 0; j < n; j++) {
        const w = s[j] / sum;
        for (let p = 0; p < d; p++) out[ri * d + p] += w * v[j * d + p];
      }
    });
    return out;
  }

  async function prepare(n, d, seed, refStride) {
    release();
    const job = core.longJob({ n, d, seed });
    const { q, k, v } = job.inputs();
    const scale = 1 / Math.sqrt(d);
    const refRows = [];
    for (let i = 0; i < n; i += refStride) refRows.push(i);
    const ref = reference(q, k, v, n, d, scale, refRows);
    const session = await ort.InferenceSession.create(attentionModel(n, d, scale),
      { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const tq = tf.tensor2d(q, [n, d]), tk = tf.tensor2d(k, [n, d]), tv = tf.tensor2d(v, [n, d]);
    cur = { n, d, scale, job, q, k, v, ref, refRows, session, tq, tk, tv, outs: {} };
    return { refRows: refRows.length };
  }

  function release() {
    if (!cur) return;
    cur.job.destroy();
    cur.session.release();
    cur.tq.dispose(); cur.tk.dispose(); cur.tv.dispose();
    cur = null;
  }

  // One timed run of impl; returns ms. 'ours' / 'ours-causal' run attn_head_streaming over all
  // rows through the bridge's job (the kernel path the page picked at load), 'ours-simd128'
  // the same with the plain-SIMD kernel forced.
  async function run(impl) {
    const c = cur;
    let t0, out;
    if (impl.startsWith('ours')) {
      const mask = impl === 'ours-causal' ? 'causal' : 'none';
      if (core.useKernelPath) core.useKernelPath(impl === 'ours-simd128' ? 'simd128' : 'best');
      t0 = performance.now();
      c.job.run('streaming', 0, c.n, { mask });
      out = c.job.output();
      const ms = performance.now() - t0;
      if (core.useKernelPath) core.useKernelPath('best');
      c.outs[impl] = out;
      return ms;
    }
    if (impl === 'ort-web') {
      t0 = performance.now();
      const feeds = { Q: new ort.Tensor('float32', c.q, [c.n, c.d]), K: new ort.Tensor('float32', c.k, [c.n, c.d]),
        V: new ort.Tensor('float32', c.v, [c.n, c.d]) };
      const res = await c.session.run(feeds);
      out = res.O.data;
      const ms = performance.now() - t0;
      res.O.dispose();
      c.outs[impl] = out;
      return ms;
    }
    if (impl === 'tfjs-wasm') {
      t0 = performance.now();
      const o = tf.tidy(() => tf.matMul(tf.softmax(tf.mul(tf.matMul(c.tq, tf.transpose(c.tk)), c.scale)), c.tv));
      out = o.dataSync();
      const ms = performance.now() - t0;
      o.dispose();
      c.outs[impl] = out;
      return ms;
    }
    throw new Error('unknown impl ' + impl);
  }

  // reps runs of impl in a row (one sample: the harness's per-call cost is paid once); total ms
  async function runMany(impl, reps) {
    let total = 0;
    for (let r = 0; r < reps; r++) total += await run(impl);
    return total;
  }

  // Largest |impl's output - double reference| over the reference rows (causal: its own reference).
  function maxAbsDiff(impl) {
    const c = cur, out = c.outs[impl];
    let ref = c.ref;
    if (impl === 'ours-causal') {
      ref = new Float64Array(c.refRows.length * c.d);
      c.refRows.forEach((i, ri) => {
        const r = reference(c.q, c.k, c.v, i + 1, c.d, c.scale, [i]);
        ref.set(r, ri * c.d);
      });
    }
    let worst = 0;
    c.refRows.forEach((i, ri) => {
      for (let p = 0; p < c.d; p++) worst = Math.max(worst, Math.abs(out[i * c.d + p] - ref[ri * c.d + p]));
    });
    return worst;
  }

  // The lesson's own sizes: `reps` calls of attn_head (through core.head's job-free path is not
  // timed here; the job's 'full' kernel runs attn_head_rows) per sample; returns ms per call.
  function runSmall(kernel, path, reps) {
    if (core.useKernelPath) core.useKernelPath(path);
    const c = cur;
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) c.job.run(kernel, 0, c.n, { mask: 'none' });
    const ms = (performance.now() - t0) / reps;
    if (core.useKernelPath) core.useKernelPath('best');
    return ms;
  }

  window.peers = { init, prepare, run, runMany, maxAbsDiff, runSmall, release };
})();
