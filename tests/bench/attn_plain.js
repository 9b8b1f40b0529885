// attn_plain.js - impl "js" of `make bench` (the bench only, never the page): attention as a
// typical explorer would write it in plain JavaScript, arrays of rows and Math.exp.
'use strict';

function dot(a, b) {
  let s = 0;
  for (let p = 0; p < a.length; p++) s += a[p] * b[p];
  return s;
}

// materialised: the whole n x n weight matrix, then weights · V
function full(q, k, v) {
  const n = q.length, d = q[0].length, scale = 1 / Math.sqrt(d);
  const weights = [];
  for (let i = 0; i < n; i++) {
    const row = new Array(n);
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      row[j] = dot(q[i], k[j]) * scale;
      if (row[j] > max) max = row[j];
    }
    let sum = 0;
    for (let j = 0; j < n; j++) { row[j] = Math.exp(row[j] - max); sum += row[j]; }
    for (let j = 0; j < n; j++) row[j] /= sum;
    weights.push(row);
  }
  return weights.map((row) => {
    const o = new Array(v[0].length).fill(0);
    for (let j = 0; j < n; j++) for (let c = 0; c < o.length; c++) o[c] += row[j] * v[j][c];
    return o;
  });
}

// one row of scores at a time (never n x n); window > 0: causal sliding window
function streaming(q, k, v, window) {
  const n = q.length, d = q[0].length, scale = 1 / Math.sqrt(d), out = [];
  for (let i = 0; i < n; i++) {
    const j0 = window > 0 ? Math.max(0, i - window + 1) : 0, j1 = window > 0 ? i + 1 : n;
    const s = [];
    let max = -Infinity;
    for (let j = j0; j < j1; j++) {
      const x = dot(q[i], k[j]) * scale;
      s.push(x);
      if (x > max) max = x;
    }
    const o = new Array(v[0].length).fill(0);
    let sum = 0;
    for (let j = j0; j < j1; j++) {
      const e = Math.exp(s[j - j0] - max);
      sum += e;
      for (let c = 0; c < o.length; c++) o[c] += e * v[j][c];
    }
    out.push(o.map((x) => x / sum));
  }
  return out;
}

// linear attention, phi = elu + 1
function linear(q, k, v) {
  const n = q.length, d = q[0].length, dv = v[0].length;
  const phi = (x) => (x > 0 ? x + 1 : Math.exp(x));
  const S = Array.from({ length: d }, () => new Array(dv).fill(0)), z = new Array(d).fill(0);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < d; p++) {
      const f = phi(k[j][p]);
      z[p] += f;
      for (let c = 0; c < dv; c++) S[p][c] += f * v[j][c];
    }
  }
  return q.map((qi) => {
    const f = qi.map(phi);
    const denom = dot(f, z), o = new Array(dv).fill(0);
    for (let p = 0; p < d; p++) for (let c = 0; c < dv; c++) o[c] += f[p] * S[p][c];
    return o.map((x) => x / denom);
  });
}

module.exports = { full, streaming, linear };
