// gpt_tfjs.js - impl "tfjs-wasm" of the training benchmark: the same GPT (token + position
// embeddings, pre-LN causal attention, GELU MLP, tied output embedding, cross-entropy) and the
// same step (Adam with betas 0.9/0.95, clipping to global norm 1, decoupled weight decay on the
// matrices) in TensorFlow.js 4.22 on its WebAssembly backend (SIMD; Node has no threads for it).
// Starts from the C core's initial parameters (same layout), so bench.js can check its first
// loss against the core's. Bench only: never part of dist/.
'use strict';
const path = require('node:path');

async function loadTf() {
  const tf = require('@tensorflow/tfjs');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  await tf.setBackend('wasm');
  await tf.ready();
  return { tf, simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') };
}

// cfg as attn_gpt_config; init: Float32Array in the C parameter layout; o: { lr, weightDecay, ... }
function createTfGpt(tf, cfg, B, T, init, o) {
  const V = cfg.vocab, C = cfg.d_model, NH = cfg.n_heads, L = cfg.n_layers, hs = C / NH;
  const ln = !!cfg.layernorm, mlp = !cfg.attention_only, F = mlp ? cfg.d_mlp : 0;
  let off = 0;
  const vars = [], matrices = [];
  const take = (shape, isMatrix) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = tf.variable(tf.tensor(init.subarray(off, off + n), shape));
    off += n;
    vars.push(v);
    if (isMatrix) matrices.push(v);
    return v;
  };
  const wte = take([V, C], true), wpe = take([cfg.context, C], true);
  const layers = [];
  for (let l = 0; l < L; l++) {
    const w = {};
    if (ln) { w.ln1g = take([C]); w.ln1b = take([C]); }
    w.wq = take([C, C], true); w.bq = take([C]); w.wk = take([C, C], true); w.bk = take([C]);
    w.wv = take([C, C], true); w.bv = take([C]); w.wo = take([C, C], true); w.bo = take([C]);
    if (mlp) {
      if (ln) { w.ln2g = take([C]); w.ln2b = take([C]); }
      w.wfc = take([C, F], true); w.bfc = take([F]); w.wproj = take([F, C], true); w.bproj = take([C]);
    }
    layers.push(w);
  }
  let lnfg, lnfb;
  if (ln) { lnfg = take([C]); lnfb = take([C]); }
  if (off !== init.length) throw new Error(`tfjs layout covers ${off} of ${init.length} parameters`);

  // -1e9 above the diagonal: the causal mask
  const mask = tf.keep(tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9));
  const optimizer = tf.train.adam(o.lr, 0.9, 0.95, 1e-8);

  const layerNorm = (x, g, b) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (x) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(tf.mul(0.7978845608028654,
    tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
  const heads = (x) => tf.transpose(tf.reshape(x, [B, T, NH, hs]), [0, 2, 1, 3]);

  function lossOf(tokens, targets, weights) {
    // the wasm backend has no UnsortedSegmentSum (gather's gradient): the token embedding's
    // gradient is a scatter-add of the rows (ScatterNd sums duplicates); positions are a slice
    const idx = tf.reshape(tokens, [B * T, 1]);
    const embed = tf.customGrad((table) => ({ value: tf.gather(table, tf.reshape(tokens, [B * T])),
      gradFunc: (dy) => tf.scatterND(idx, dy, [V, C]) }));
    let x = tf.add(tf.reshape(embed(wte), [B, T, C]), tf.slice(wpe, [0, 0], [T, C]));  // (B, T, C)
    x = tf.reshape(x, [B * T, C]);
    for (const w of layers) {
      const h = ln ? layerNorm(x, w.ln1g, w.ln1b) : x;
      const q = heads(tf.add(tf.matMul(h, w.wq), w.bq)), k = heads(tf.add(tf.matMul(h, w.wk), w.bk));
      const v = heads(tf.add(tf.matMul(h, w.wv), w.bv));
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs)), mask));
      const y = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * T, C]);
      x = tf.add(x, tf.add(tf.matMul(y, w.wo), w.bo));
      if (mlp) {
        const h2 = ln ? layerNorm(x, w.ln2g, w.ln2b) : x;
        x = tf.add(x, tf.add(tf.matMul(gelu(tf.add(tf.matMul(h2, w.wfc), w.bfc)), w.wproj), w.bproj));
      }
    }
    if (ln) x = layerNorm(x, lnfg, lnfb);
    const logits = tf.matMul(x, wte, false, true);                                 // (B*T, V)
    // mean over counted positions of logsumexp - logit[target]
    const picked = tf.sum(tf.mul(logits, tf.oneHot(tokensOr0(targets), V)), -1);
    const per = tf.sub(tf.logSumExp(logits, -1), picked);
    return tf.div(tf.sum(tf.mul(per, weights)), tf.sum(weights));
  }
  const tokensOr0 = (targets) => tf.maximum(targets, tf.scalar(0, 'int32'));

  // one step; returns the loss before the update (a number: waits for the backend)
  function trainStep(tokensArr, targetsArr) {
    const lossValue = tf.tidy(() => {
      const tokens = tf.tensor1d(tokensArr, 'int32'), targets = tf.tensor1d(targetsArr, 'int32');
      const weights = tf.cast(tf.greaterEqual(targets, 0), 'float32');
      const { value, grads } = tf.variableGrads(() => lossOf(tf.reshape(tokens, [B, T]), targets, weights), vars);
      const list = vars.map((v) => grads[v.name]);
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
      const scale = tf.minimum(1, tf.div(o.clipNorm, tf.maximum(norm, 1e-12)));
      const named = {};
      vars.forEach((v, i) => { named[v.name] = tf.mul(list[i], scale); });
      // decoupled weight decay on the matrices, then Adam
      for (const w of matrices) w.assign(tf.mul(w, 1 - o.lr * o.weightDecay));
      optimizer.applyGradients(named);
      return value;
    });
    const loss = lossValue.dataSync()[0];
    lossValue.dispose();
    return loss;
  }

  function dispose() {
    vars.forEach((v) => v.dispose());
    mask.dispose();
    optimizer.dispose();
  }

  return { trainStep, dispose };
}

module.exports = { loadTf, createTfGpt };
