// gpt_plain.js - impl "js" of the training benchmark: the same GPT training step as
// core/attn_gpt.c (forward, backward, AdamW with clipping and decay on matrices) in plain
// JavaScript on Float32Arrays, written the way a careful JS developer would (i-p-j matmul
// loops along contiguous rows, no typed-array views per row). The parameter block has the
// C layout, so bench.js can start it from attn_gpt_init's numbers and check its losses
// against the C core before timing it. For the benchmark only; no page uses it.
'use strict';

function createPlainGpt(cfg, B, T) {
  const V = cfg.vocab, C = cfg.d_model, NH = cfg.n_heads, L = cfg.n_layers, hs = C / NH;
  const ln = !!cfg.layernorm, mlp = !cfg.attention_only, F = mlp ? cfg.d_mlp : 0, N = B * T;

  // parameter layout, as attn_gpt_tensor_info lists it
  let off = 0;
  const take = (n) => { const o = off; off += n; return o; };
  const P = { wte: take(V * C), wpe: take(cfg.context * C), layers: [], matrices: [] };
  P.matrices.push([P.wte, V * C], [P.wpe, cfg.context * C]);
  for (let l = 0; l < L; l++) {
    const w = {};
    if (ln) { w.ln1g = take(C); w.ln1b = take(C); }
    w.wq = take(C * C); w.bq = take(C); w.wk = take(C * C); w.bk = take(C);
    w.wv = take(C * C); w.bv = take(C); w.wo = take(C * C); w.bo = take(C);
    P.matrices.push([w.wq, C * C], [w.wk, C * C], [w.wv, C * C], [w.wo, C * C]);
    if (mlp) {
      if (ln) { w.ln2g = take(C); w.ln2b = take(C); }
      w.wfc = take(C * F); w.bfc = take(F); w.wproj = take(F * C); w.bproj = take(C);
      P.matrices.push([w.wfc, C * F], [w.wproj, F * C]);
    }
    P.layers.push(w);
  }
  if (ln) { P.lnfg = take(C); P.lnfb = take(C); }
  const count = off;
  const params = new Float32Array(count), grads = new Float32Array(count);
  const m = new Float32Array(count), v = new Float32Array(count);
  const decay = new Uint8Array(count);
  for (const [o, n] of P.matrices) decay.fill(1, o, o + n);

  // activations
  const f32 = (n) => new Float32Array(n);
  const resid = Array.from({ length: L + 1 }, () => f32(N * C));
  const acts = Array.from({ length: L }, () => ({
    ln1: ln ? f32(N * C) : null, ln1m: f32(N), ln1r: f32(N),
    q: f32(N * C), k: f32(N * C), v: f32(N * C), att: f32(B * NH * T * T), atty: f32(N * C),
    mid: mlp ? f32(N * C) : null, ln2: ln && mlp ? f32(N * C) : null, ln2m: f32(N), ln2r: f32(N),
    fch: mlp ? f32(N * F) : null, fg: mlp ? f32(N * F) : null,
  }));
  const lnf = f32(N * C), lnfm = f32(N), lnfr = f32(N), logits = f32(N * V);
  const dres = f32(N * C), dx = f32(N * C), drow = f32(N * C), dq = f32(N * C), dk = f32(N * C), dv = f32(N * C);
  const dfch = f32(N * F), datt = f32(T);
  const scale = 1 / Math.sqrt(hs);

  // out (n, m) = a (n, k) · w[wo..] (k, m) + bias
  function matmul(out, a, wOff, bOff, n, k, mm) {
    for (let i = 0; i < n; i++) {
      const oi = i * mm;
      for (let j = 0; j < mm; j++) out[oi + j] = bOff >= 0 ? params[bOff + j] : 0;
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p], wp = wOff + p * mm;
        for (let j = 0; j < mm; j++) out[oi + j] += aip * params[wp + j];
      }
    }
  }

  // dinp (n, k) (+)= dout · wᵀ; dw += inpᵀ · dout; db += column sums
  function matmulBack(dinp, accumulate, dw, db, dout, inp, wOff, n, k, mm) {
    for (let i = 0; i < n; i++) {
      const di = i * mm;
      if (dinp) {
        for (let p = 0; p < k; p++) {
          let s = accumulate ? dinp[i * k + p] : 0;
          const wp = wOff + p * mm;
          for (let j = 0; j < mm; j++) s += dout[di + j] * params[wp + j];
          dinp[i * k + p] = s;
        }
      }
      for (let p = 0; p < k; p++) {
        const x = inp[i * k + p], gp = dw + p * mm;
        for (let j = 0; j < mm; j++) grads[gp + j] += x * dout[di + j];
      }
      if (db >= 0) for (let j = 0; j < mm; j++) grads[db + j] += dout[di + j];
    }
  }

  function layernorm(out, mean, rstd, inp, g, b) {
    for (let i = 0; i < N; i++) {
      let mu = 0, va = 0;
      for (let j = 0; j < C; j++) mu += inp[i * C + j];
      mu /= C;
      for (let j = 0; j < C; j++) { const d = inp[i * C + j] - mu; va += d * d; }
      va /= C;
      const s = 1 / Math.sqrt(va + 1e-5);
      for (let j = 0; j < C; j++) out[i * C + j] = (inp[i * C + j] - mu) * s * params[g + j] + params[b + j];
      mean[i] = mu; rstd[i] = s;
    }
  }

  function layernormBack(dinp, g, b, dout, inp, mean, rstd) {
    for (let i = 0; i < N; i++) {
      let dm = 0, dnm = 0;
      for (let j = 0; j < C; j++) {
        const norm = (inp[i * C + j] - mean[i]) * rstd[i], dn = params[g + j] * dout[i * C + j];
        dm += dn; dnm += dn * norm;
      }
      dm /= C; dnm /= C;
      for (let j = 0; j < C; j++) {
        const norm = (inp[i * C + j] - mean[i]) * rstd[i], dn = params[g + j] * dout[i * C + j];
        dinp[i * C + j] += (dn - dm - norm * dnm) * rstd[i];
        grads[b + j] += dout[i * C + j];
        grads[g + j] += norm * dout[i * C + j];
      }
    }
  }

  const GK = 0.7978845608028654;

  function forward(tokens, targets) {
    const x0 = resid[0];
    for (let i = 0; i < N; i++) {
      const t = i % T, te = P.wte + tokens[i] * C, pe = P.wpe + t * C;
      for (let j = 0; j < C; j++) x0[i * C + j] = params[te + j] + params[pe + j];
    }
    for (let l = 0; l < L; l++) {
      const w = P.layers[l], a = acts[l], x = resid[l], next = resid[l + 1];
      let xin = x;
      if (ln) { layernorm(a.ln1, a.ln1m, a.ln1r, x, w.ln1g, w.ln1b); xin = a.ln1; }
      matmul(a.q, xin, w.wq, w.bq, N, C, C);
      matmul(a.k, xin, w.wk, w.bk, N, C, C);
      matmul(a.v, xin, w.wv, w.bv, N, C, C);
      const aq = a.q, ak = a.k, av = a.v, at = a.att, ay = a.atty;
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < NH; h++) {
          for (let i = 0; i < T; i++) {
            const qi = (b * T + i) * C + h * hs, row = ((b * NH + h) * T + i) * T;
            let max = -Infinity;
            for (let j = 0; j <= i; j++) {
              const kj = (b * T + j) * C + h * hs;
              let s = 0;
              for (let c = 0; c < hs; c++) s += aq[qi + c] * ak[kj + c];
              s *= scale;
              at[row + j] = s;
              if (s > max) max = s;
            }
            let sum = 0;
            for (let j = 0; j <= i; j++) { const e = Math.exp(at[row + j] - max); at[row + j] = e; sum += e; }
            for (let j = 0; j <= i; j++) at[row + j] /= sum;
            for (let j = i + 1; j < T; j++) at[row + j] = 0;
            for (let c = 0; c < hs; c++) {
              let s = 0;
              for (let j = 0; j <= i; j++) s += at[row + j] * av[(b * T + j) * C + h * hs + c];
              ay[qi + c] = s;
            }
          }
        }
      }
      const mid = mlp ? a.mid : next;
      matmul(mid, a.atty, w.wo, w.bo, N, C, C);
      for (let i = 0; i < N * C; i++) mid[i] += x[i];
      if (!mlp) continue;
      let x2 = mid;
      if (ln) { layernorm(a.ln2, a.ln2m, a.ln2r, mid, w.ln2g, w.ln2b); x2 = a.ln2; }
      matmul(a.fch, x2, w.wfc, w.bfc, N, C, F);
      for (let i = 0; i < N * F; i++) {
        const u = a.fch[i];
        a.fg[i] = 0.5 * u * (1 + Math.tanh(GK * (u + 0.044715 * u * u * u)));
      }
      matmul(next, a.fg, w.wproj, w.bproj, N, F, C);
      for (let i = 0; i < N * C; i++) next[i] += mid[i];
    }
    let final = resid[L];
    if (ln) { layernorm(lnf, lnfm, lnfr, final, P.lnfg, P.lnfb); final = lnf; }
    let loss = 0, counted = 0;
    for (let i = 0; i < N; i++) {
      let max = -Infinity;
      for (let u = 0; u < V; u++) {
        let s = 0;
        const e = P.wte + u * C;
        for (let j = 0; j < C; j++) s += final[i * C + j] * params[e + j];
        logits[i * V + u] = s;
        if (s > max) max = s;
      }
      if (targets[i] < 0) continue;
      let sum = 0;
      for (let u = 0; u < V; u++) sum += Math.exp(logits[i * V + u] - max);
      loss += Math.log(sum) + max - logits[i * V + targets[i]];
      counted++;
    }
    return { loss: counted ? loss / counted : 0, counted, final };
  }

  function backward(tokens, targets, counted, final) {
    grads.fill(0);
    // dlogits = (softmax - onehot) / counted, in place
    for (let i = 0; i < N; i++) {
      const r = i * V;
      if (targets[i] < 0) { logits.fill(0, r, r + V); continue; }
      let max = -Infinity, sum = 0;
      for (let u = 0; u < V; u++) if (logits[r + u] > max) max = logits[r + u];
      for (let u = 0; u < V; u++) { const e = Math.exp(logits[r + u] - max); logits[r + u] = e; sum += e; }
      for (let u = 0; u < V; u++) logits[r + u] = (logits[r + u] / sum - (u === targets[i] ? 1 : 0)) / counted;
    }
    // logits = final · wteᵀ
    const dfinal = ln ? dx : dres;
    dfinal.fill(0);
    for (let i = 0; i < N; i++) {
      for (let u = 0; u < V; u++) {
        const d = logits[i * V + u], e = P.wte + u * C;
        if (d === 0) continue;
        for (let j = 0; j < C; j++) { dfinal[i * C + j] += d * params[e + j]; grads[e + j] += d * final[i * C + j]; }
      }
    }
    if (ln) { dres.fill(0); layernormBack(dres, P.lnfg, P.lnfb, dx, resid[L], lnfm, lnfr); }
    for (let l = L - 1; l >= 0; l--) {
      const w = P.layers[l], a = acts[l], x = resid[l];
      if (mlp) {
        const x2 = ln ? a.ln2 : a.mid;
        matmulBack(dfch, false, w.wproj, w.bproj, dres, a.fg, w.wproj, N, F, C);
        for (let i = 0; i < N * F; i++) {
          const u = a.fch[i], th = Math.tanh(GK * (u + 0.044715 * u * u * u));
          dfch[i] *= 0.5 * (1 + th) + 0.5 * u * (1 - th * th) * GK * (1 + 3 * 0.044715 * u * u);
        }
        if (ln) {
          matmulBack(dx, false, w.wfc, w.bfc, dfch, x2, w.wfc, N, C, F);
          layernormBack(dres, w.ln2g, w.ln2b, dx, a.mid, a.ln2m, a.ln2r);
        } else {
          matmulBack(dres, true, w.wfc, w.bfc, dfch, x2, w.wfc, N, C, F);
        }
      }
      const xin = ln ? a.ln1 : x;
      matmulBack(drow, false, w.wo, w.bo, dres, a.atty, w.wo, N, C, C);
      dq.fill(0); dk.fill(0); dv.fill(0);
      const aq = a.q, ak = a.k, av = a.v, at = a.att;
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < NH; h++) {
          for (let i = 0; i < T; i++) {
            const qi = (b * T + i) * C + h * hs, row = ((b * NH + h) * T + i) * T;
            for (let j = 0; j <= i; j++) {
              const vj = (b * T + j) * C + h * hs;
              let s = 0;
              for (let c = 0; c < hs; c++) { s += drow[qi + c] * av[vj + c]; dv[vj + c] += at[row + j] * drow[qi + c]; }
              datt[j] = s;
            }
            let dot = 0;
            for (let j = 0; j <= i; j++) dot += at[row + j] * datt[j];
            for (let j = 0; j <= i; j++) {
              const ds = at[row + j] * (datt[j] - dot) * scale, kj = (b * T + j) * C + h * hs;
              for (let c = 0; c < hs; c++) { dq[qi + c] += ds * ak[kj + c]; dk[kj + c] += ds * aq[qi + c]; }
            }
          }
        }
      }
      const dxin = ln ? dx : dres;
      matmulBack(dxin, !ln, w.wq, w.bq, dq, xin, w.wq, N, C, C);
      matmulBack(dxin, true, w.wk, w.bk, dk, xin, w.wk, N, C, C);
      matmulBack(dxin, true, w.wv, w.bv, dv, xin, w.wv, N, C, C);
      if (ln) layernormBack(dres, w.ln1g, w.ln1b, dx, x, a.ln1m, a.ln1r);
    }
    for (let i = 0; i < N; i++) {
      const t = i % T, te = P.wte + tokens[i] * C, pe = P.wpe + t * C;
      for (let j = 0; j < C; j++) { grads[te + j] += dres[i * C + j]; grads[pe + j] += dres[i * C + j]; }
    }
  }

  // AdamW as attn_gpt_adamw_step: clip to the global norm, decay on matrices only
  function adamw(step, o) {
    let ss = 0;
    for (let i = 0; i < count; i++) ss += grads[i] * grads[i];
    const norm = Math.sqrt(ss);
    const gs = o.clipNorm > 0 && norm > o.clipNorm ? o.clipNorm / norm : 1;
    const bc1 = 1 - Math.pow(o.beta1, step), bc2 = 1 - Math.pow(o.beta2, step);
    for (let i = 0; i < count; i++) {
      const g = grads[i] * gs;
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
      params[i] -= o.lr * ((m[i] / bc1) / (Math.sqrt(v[i] / bc2) + o.eps) + (decay[i] ? o.weightDecay : 0) * params[i]);
    }
    return norm;
  }

  // one training step on tokens, targets (B*T ints); returns the loss before the update
  function trainStep(tokens, targets, step, o) {
    const f = forward(tokens, targets);
    backward(tokens, targets, f.counted, f.final);
    adamw(step, o);
    return f.loss;
  }

  return { params, count, trainStep };
}

module.exports = { createPlainGpt };
