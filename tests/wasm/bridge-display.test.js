// What the figures display, from the bridge: the model cache and its call counts (a hover that
// only moves the focus costs at most two WASM calls and no model run), a row printed with its
// sum in one call, the top-k ranking, printing without a leading zero and the temperature
// clamp, each against an independent computation written here.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadCore, AttnError, CODES } = require('../../web/core/attn-bridge.js');

const SENTENCE = "The trophy didn't fit in the suitcase because it was too big.";

test('model() caches its last results: a repeated key returns the same object and calls nothing', async () => {
  const core = await loadCore();
  const first = core.model(SENTENCE, { temperature: 0.5 });
  let before = core.callCount();
  const again = core.model(SENTENCE, { temperature: 0.5 });
  assert.equal(again, first, 'the cached object itself');
  assert.equal(core.callCount() - before, 0, 'no WASM call for a cached model');
  // any part of the key makes a new result
  for (const options of [{ temperature: 0.6 }, { temperature: 0.5, mask: 'causal' },
    { temperature: 0.5, mask: 'window', window: 3 }, { temperature: 0.5, parts: ['weights'] }]) {
    before = core.callCount();
    const other = core.model(SENTENCE, options);
    assert.notEqual(other, first, JSON.stringify(options));
    assert.ok(core.callCount() - before >= 3, 'tokenize, embed, layer');
  }
  assert.notEqual(core.model(SENTENCE + ' ', { temperature: 0.5 }), first, 'other text');
  // the last few stay cached; older ones are recomputed (equal numbers, new object)
  for (let i = 0; i < 6; i++) core.model(SENTENCE, { temperature: 1 + i / 10 });
  const recomputed = core.model(SENTENCE, { temperature: 0.5 });
  assert.notEqual(recomputed, first, 'evicted after newer keys');
  assert.deepEqual(Array.from(recomputed.heads[0].weights[10]), Array.from(first.heads[0].weights[10]));
  // a failing call is not cached
  assert.throws(() => core.model(SENTENCE, { temperature: 0 }), (e) => e.code === CODES.TEMPERATURE);
  assert.throws(() => core.model(SENTENCE, { temperature: 0 }), (e) => e.code === CODES.TEMPERATURE);
});

test('a hover in Figure 1.1 (cached model, row report, top three) costs at most 2 WASM calls', async () => {
  const core = await loadCore();
  const m = core.model(SENTENCE);
  core.rowReport(m, 0, 0, 3);   // sizes the report buffers once
  core.topK(m.heads[0].weights[0], 3);
  for (let focus = 0; focus < m.n; focus++) {
    const before = core.callCount();
    const result = core.model(SENTENCE);
    const report = core.rowReport(result, 0, focus, 3);
    const top = core.topK(result.heads[0].weights[focus], 3);
    assert.ok(core.callCount() - before <= 2, `hover on token ${focus}: ${core.callCount() - before} calls`);
    assert.equal(report.texts.length, m.n);
    assert.equal(top.length, 3);
  }
});

test('rowReport prints the row and its sum in one call, as a double-precision sum says', async () => {
  const core = await loadCore();
  const m = core.model(SENTENCE, { mask: 'causal', temperature: 0.3 });
  for (let row = 0; row < m.n; row++) {
    const weights = m.heads[1].weights[row];
    const before = core.callCount();
    const { texts, sumText } = core.rowReport(m, 1, row, 3);
    if (row > 0) assert.equal(core.callCount() - before, 1, 'one WASM call');
    assert.deepEqual(texts, Array.from(weights, (w) => w.toFixed(3)), `row ${row} texts`);
    let sum = 0;
    for (const w of weights) sum += w;
    assert.equal(sumText, Math.fround(sum).toFixed(3), `row ${row} sum`);
  }
  const bare = core.rowReport(m, 0, 4, 2, { leadingZero: false });
  assert.ok(bare.texts.every((t) => !t.startsWith('0.')) && bare.sumText === '1.00', bare.sumText);
  assert.throws(() => core.rowReport(m, 7, 0, 3), (e) => e instanceof AttnError && e.code === CODES.INDEX);
  assert.throws(() => core.rowReport(m, 0, m.n, 3), (e) => e instanceof AttnError && e.code === CODES.INDEX);
});

test('topK ranks like a stable descending sort: ties go to the lower index', async () => {
  const core = await loadCore();
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % 5;
  for (let trial = 0; trial < 300; trial++) {
    const values = Array.from({ length: 1 + (trial % 40) }, () => next() / 4);
    const k = 1 + (trial % 6);
    const want = values.map((v, i) => i).sort((a, b) => values[b] - values[a] || a - b).slice(0, k);
    assert.deepEqual(core.topK(values, k), want, `trial ${trial}`);
  }
  assert.deepEqual(core.topK([0.2, -Infinity, 0.2], 3), [0, 2, 1]);
  assert.deepEqual(core.topK([], 3), []);
  assert.throws(() => core.topK([1, NaN], 1), (e) => e.code === CODES.NONFINITE);
});

test('format with { leadingZero: false } prints ".734"; the default still prints "0.734"', async () => {
  const core = await loadCore();
  const values = [0.7342, -0.5, 0.0001, 1.5, -Infinity, 0];
  assert.deepEqual(core.format(values, 3, { leadingZero: false }), ['.734', '-.500', '.000', '1.500', '-inf', '.000']);
  assert.deepEqual(core.format(values, 3), ['0.734', '-0.500', '0.000', '1.500', '-inf', '0.000']);
  assert.deepEqual(core.format([0.25, 12], 0, { leadingZero: false }), ['0', '12']);
});

test('clampTemperature: one clamp, in C, for the slider, URLs and attributes', async () => {
  const core = await loadCore();
  assert.deepEqual(core.temperatureRange, { min: 0.05, max: 3, default: 1 });
  const cases = [
    [0.7, 0.7, false, null], [0.05, 0.05, false, null], [3, 3, false, null],
    [0.01, 0.05, true, 'low'], [1e9, 3, true, 'high'], ['2.5', 2.5, false, null],
    [0, 1, true, 'invalid'], [-1, 1, true, 'invalid'], [NaN, 1, true, 'invalid'],
    [Infinity, 1, true, 'invalid'], ['', 1, true, 'invalid'], ['warm', 1, true, 'invalid'],
    [undefined, 1, true, 'invalid'], [null, 1, true, 'invalid'],
  ];
  for (const [input, value, changed, reason] of cases) {
    assert.deepEqual(core.clampTemperature(input), { value, changed, reason }, `clamp(${String(input)})`);
  }
});
