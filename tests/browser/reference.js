// Independent references for the browser tests: what a figure shows is compared with numbers
// that do not come from the page's own bridge. Model outputs come from the native command-line
// tool (build/attn --json, the same C built by gcc, run as a separate process); plain softmax
// and friends are written out here in double precision.
'use strict';
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const assert = require('node:assert/strict');

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'build', 'attn');

// The designed model on `text`, from build/attn: { tokens, heads: [{ name, description,
// weights }] } with 9 decimals. options: { causal, window, temperature, vectors }.
const cache = new Map();
function cliModel(text, options = {}) {
  const args = ['--json', '--decimals', '9'];
  if (options.causal) args.push('--causal');
  if (options.window) args.push('--window', String(options.window));
  if (options.temperature !== undefined) args.push('--temperature', String(options.temperature));
  if (options.vectors) args.push('--vectors');
  args.push('-');
  const key = args.join(' ') + '\n' + text;
  if (!cache.has(key)) cache.set(key, JSON.parse(execFileSync(CLI, args, { input: text, encoding: 'utf8' })));
  return cache.get(key);
}

// A number as the page prints it ("0.734", or ".734" in a matrix cell) agrees with `value`
// to the printed precision: |shown - value| <= half a unit in the last place (plus float slack).
function assertShown(text, value, decimals, what) {
  assert.match(String(text), /^-?\d*\.\d+$|^-?\d+$/, `${what}: "${text}" is a number`);
  const tolerance = 0.5 * 10 ** -decimals + 1e-6;
  assert.ok(Math.abs(Number(text) - value) <= tolerance, `${what}: shown ${text}, reference ${value}`);
}

function assertRowShown(texts, values, decimals, what) {
  assert.equal(texts.length, values.length, `${what}: ${texts.length} numbers shown, ${values.length} expected`);
  texts.forEach((t, j) => assertShown(t, values[j], decimals, `${what}[${j}]`));
}

// softmax(scores / t) and its entropy in bits, in double precision
function softmax(scores, t = 1) {
  const z = scores.map((s) => s / t), m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m)), sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
const entropyBits = (p) => -p.reduce((s, x) => (x > 0 ? s + x * Math.log2(x) : s), 0);

// Indices of the k largest values, largest first, ties in order.
const topK = (values, k) => values.map((v, i) => i).sort((a, b) => values[b] - values[a] || a - b).slice(0, k);

module.exports = { cliModel, assertShown, assertRowShown, softmax, entropyBits, topK };
