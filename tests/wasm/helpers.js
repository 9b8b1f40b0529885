// Shared by the node tests: a seeded generator and comparisons that say where they differ.
'use strict';
const assert = require('node:assert/strict');

// mulberry32: small, seeded, the same numbers on every run
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    // uniform in [-scale, scale)
    floats: (count, scale = 1) => Float32Array.from({ length: count }, () => (next() * 2 - 1) * scale),
    matrix(rows, cols) { return Array.from({ length: rows }, () => this.floats(cols)); },
  };
}

function flat(x) {
  if (typeof x === 'number') return [x];
  return Array.from(x).flatMap((row) => (typeof row === 'number' ? [row] : Array.from(row)));
}

function maxAbsDiff(a, b) {
  const fa = flat(a), fb = flat(b);
  assert.equal(fa.length, fb.length, 'same number of values');
  let worst = 0;
  for (let i = 0; i < fa.length; i++) {
    const d = Math.abs(fa[i] - fb[i]);
    if (!(d <= worst)) worst = d;   // NaN counts as the worst
  }
  return worst;
}

function assertClose(got, want, tol, label) {
  const d = maxAbsDiff(got, want);
  assert.ok(d <= tol, `${label}: max |diff| ${d} > ${tol}\n  got  ${flat(got).slice(0, 6)}\n  want ${flat(want).slice(0, 6)}`);
}

// The core's own table of constants and struct layout (attn_abi_*), from a raw module M, so
// tests that call the exports directly copy no number from attn.h by hand:
// abi.ATTN_MASK_CAUSAL, abi['attn_options.window'], abi['sizeof attn_trace'].
function abiTable(M) {
  const text = (ptr) => { let end = ptr; while (M.HEAPU8[end]) end++; return Buffer.from(M.HEAPU8.subarray(ptr, end)).toString(); };
  const abi = {};
  for (let i = 0, count = M._attn_abi_count(); i < count; i++) abi[text(M._attn_abi_name(i))] = M._attn_abi_value(i);
  return abi;
}

module.exports = { rng, maxAbsDiff, assertClose, flat, abiTable };
