// The trained-model half of the bridge (web/attn-model-bridge.js) against the native build
// (build/native_gpt, tests/wasm/native_gpt.c): the same induction training run gives the same
// losses and prefix-matching scores, weight files cross between native and WASM with the same
// logits, corrupt files are refused with the C loader's codes, weights scripts load lazily.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const AE = require('../../web/attn-model-bridge.js');
const { loadCore } = require('../../web/core/attn-bridge.js');
const { maxAbsDiff, assertClose } = require('./helpers.js');

const ROOT = path.join(__dirname, '..', '..');
const NATIVE = path.join(ROOT, 'build', 'native_gpt');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-gpt-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function native(args) {
  const r = spawnSync(NATIVE, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `native_gpt ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// a short run with the schedule on (warm-up of 5 steps to lr 1e-2, cosine to 1e-3 at 200)
const RUN = { seed: 7, schedule: 1, warmup: 5, totalSteps: 200, lr: 1e-2, lrMin: 1e-3, batch: 16 };
const STEPS = 30;
const asArgs = (o) => Object.entries(o).map(([k, v]) => `${k}=${v}`);

test('30 induction training steps in WASM match the native build step by step', async () => {
  const M = await AE.loadModelCore();
  const want = native(['train', ...asArgs(RUN), `steps=${STEPS}`]);
  const job = AE.createTrainingJob(M, Object.assign({ task: 'induction' }, RUN, { schedule: true }));
  assert.deepEqual(job.config, AE.INDUCTION_DEFAULTS.config);
  // in slices, as a page runs it between frames
  const losses = [];
  for (let done = 0; done < STEPS; done += 7) losses.push(...job.step(Math.min(7, STEPS - done)).losses);
  assert.equal(job.steps, STEPS);
  assert.equal(losses.length, STEPS);
  const worst = maxAbsDiff(losses, want.losses);
  console.log(`  losses ${losses[0].toFixed(4)} -> ${losses[STEPS - 1].toFixed(4)}; max |wasm - native| ${worst.toExponential(2)}`);
  // the task's loss starts at ln 33 and, before induction forms, can only fall towards ln 32
  const lastFive = want.losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
  assert.ok(lastFive < want.losses[0] - 0.005, `the run trains: loss ${want.losses[0]} -> ${lastFive} (mean of the last 5)`);
  assertClose(losses, want.losses, 2e-4, 'losses per step');
  const m = job.measure();
  assertClose([m.loss, m.lossFirst, m.lossRepeat], [want.measure.loss, want.measure.lossFirst, want.measure.lossRepeat],
    2e-4, 'measure: loss, first part, repeated part');
  assert.equal(m.prefixMatch.length, 2);
  assert.equal(m.prefixMatch[1].length, 4);
  assertClose(m.prefixMatch.flat(), want.measure.prefixMatch, 2e-4, 'prefix-matching score per head');
  job.destroy();
  assert.throws(() => job.step(1), /destroyed/);
});

test('the WASM training job with its defaults reproduces build/attn-train induction, step by step', async () => {
  const M = await AE.loadModelCore();
  const steps = 30;
  const r = spawnSync(path.join(ROOT, 'build', 'attn-train'), ['induction', '--seed', '2', '--steps', String(steps), '--every', '1', '--json'],
    { encoding: 'utf8', env: Object.assign({}, process.env, { OMP_NUM_THREADS: '1' }) });
  assert.equal(r.status, 0, r.stderr);
  const reports = r.stdout.trim().split('\n').map((line) => JSON.parse(line)).filter((o) => o.step);
  assert.equal(reports.length, steps);
  const job = AE.createTrainingJob(M, { task: 'induction', seed: 2 });
  let worstLoss = 0, worstPm = 0;
  for (const want of reports) {
    // attn-train reports step s from the model before update s, on batch s: measure() now
    const m = job.measure();
    assert.equal(m.step + 1, want.step);
    const loss = job.step(1).loss;
    // attn-train prints 5 decimals for losses, 4 for prefix-match: half a unit of those, plus float noise
    worstLoss = Math.max(worstLoss, maxAbsDiff([loss, m.loss, m.lossFirst, m.lossRepeat],
      [want.loss, want.loss, want.loss_first_half, want.loss_repeat_half]));
    worstPm = Math.max(worstPm, maxAbsDiff(m.prefixMatch.flat(), want.prefix_match.flat()));
  }
  console.log(`  attn-train vs WASM over ${steps} steps: max |loss diff| ${worstLoss.toExponential(2)}, max |prefix-match diff| ${worstPm.toExponential(2)}`);
  assert.ok(worstLoss <= 2e-5, `losses within 2e-5 (got ${worstLoss})`);
  assert.ok(worstPm <= 1e-4, `prefix-match within 1e-4 (got ${worstPm})`);
  assert.ok(reports[steps - 1].loss < reports[0].loss - 0.01, 'the run trains');
  job.destroy();
});

test('a weight file trained natively loads in WASM and gives the same logits, probabilities and weights', async () => {
  const M = await AE.loadModelCore();
  const tokens = [0, 5, 9, 3, 12, 7, 5, 9, 3, 12, 7, 5];
  for (const format of ['float32', 'int8']) {
    const file = path.join(tmp, `trained-${format}.bin`);
    native(['train', ...asArgs(RUN), 'steps=10', `save=${file}`, `format=${format}`]);
    const want = native(['forward', file, tokens.join(',')]);
    const model = AE.createGptModel(M, new Uint8Array(fs.readFileSync(file)));
    assert.equal(model.format, format);
    assert.deepEqual(Object.values(model.config), want.config);
    assert.equal(model.config.context, 40);
    const got = model.forward(tokens);
    assertClose(got.logits, want.logits, 1e-5, `${format}: logits of the last position`);
    assertClose(got.probs, want.probs, 1e-6, `${format}: next-token probabilities`);
    assertClose(got.weights.flat().map((rows) => rows.map((r) => Array.from(r)).flat()).flat(), want.weights.flat(2), 1e-6,
      `${format}: attention weights of every head`);
    const all = model.forward(tokens, { all: true, weights: false });
    assert.equal(all.logits.length, tokens.length);
    assertClose(all.logits[tokens.length - 1], want.logits, 1e-5, `${format}: all rows, last one`);
    assert.equal(all.weights, undefined);
    if (format === 'int8') {
      // one head overridden: its weights are what the ablation says, and the prediction moves
      const uniform = model.forward(tokens, { ablate: { layer: 1, head: 2, kind: 'uniform' } });
      uniform.weights[1][2].forEach((row, i) => assertClose(Array.from(row).slice(0, i + 1), new Array(i + 1).fill(1 / (i + 1)), 1e-7, `uniform row ${i}`));
      assertClose(uniform.weights[1][1].map((r) => Array.from(r)).flat(), got.weights[1][1].map((r) => Array.from(r)).flat(), 0, 'other heads untouched');
      const zero = model.forward(tokens, { ablate: { layer: 1, head: 2, kind: 'zero' } });
      assert.ok(zero.weights[1][2].every((row) => row.every((w) => w === 0)), 'zeroed head');
      assert.ok(maxAbsDiff(zero.logits, got.logits) > 1e-6, 'zeroing a head changes the logits');
      assert.throws(() => model.forward(tokens, { ablate: { layer: 1, head: 2, kind: 'melt' } }), /unknown ablation/);
    }
    model.destroy();
    assert.throws(() => model.forward(tokens), /destroyed/);
  }
});

test('a file saved by a WASM training job loads natively with the same predictions', async () => {
  const M = await AE.loadModelCore();
  const job = AE.createTrainingJob(M, Object.assign({}, RUN, { seed: 3 }));
  job.step(5);
  const tokens = [0, 4, 8, 15, 16, 23, 4, 8, 15];
  for (const format of ['float32', 'int8']) {
    const bytes = job.saveWeights(format);
    const file = path.join(tmp, `wasm-${format}.bin`);
    fs.writeFileSync(file, bytes);
    const want = native(['forward', file, tokens.join(',')]);
    const model = AE.createGptModel(M, bytes);
    assertClose(model.forward(tokens).logits, want.logits, 1e-5, `${format}: logits`);
    if (format === 'float32') {
      const direct = job.params(), again = new Uint8Array(fs.readFileSync(file));
      assert.equal(again.length, 64 + direct.length * 4, 'float32 file = header + 4 bytes per parameter');
    }
    model.destroy();
  }
  assert.ok(job.saveWeights('int8').length < job.saveWeights('float32').length / 3, 'int8 is under a third of float32');
  job.destroy();
});

test('corrupt weight files are refused with the C loader\'s status codes', async () => {
  const M = await AE.loadModelCore();
  const file = path.join(tmp, 'good.bin');
  native(['train', ...asArgs(RUN), 'steps=1', `save=${file}`, 'format=int8']);
  const good = new Uint8Array(fs.readFileSync(file));
  const cases = [
    ['truncated header', good.slice(0, 40), AE.MODEL_CODES.TRUNCATED],
    ['truncated payload', good.slice(0, good.length - 1), AE.MODEL_CODES.TRUNCATED],
    ['wrong magic', Object.assign(good.slice(), { 0: 0x58 }), AE.MODEL_CODES.FORMAT],
    ['version 9', Object.assign(good.slice(), { 4: 9 }), AE.MODEL_CODES.VERSION],
    ['flipped payload byte', Object.assign(good.slice(), { 500: good[500] ^ 1 }), AE.MODEL_CODES.CHECKSUM],
    ['n_heads 5 (does not divide 64)', Object.assign(good.slice(), { 24: 5 }), AE.MODEL_CODES.CONFIG],
    ['trailing byte', Uint8Array.from([...good, 0]), AE.MODEL_CODES.PAYLOAD],
  ];
  for (const [label, bytes, code] of cases) {
    assert.throws(() => AE.createGptModel(M, bytes), (e) => e.name === 'AttnError' && e.code === code && e.message.length > 10,
      label);
  }
  assert.throws(() => AE.createGptModel(M, [1, 2, 3]), TypeError);
  assert.throws(() => AE.createGptModel({}, good), /needs? the model module/);
  // the lesson's module has no model code (it stays small): it is refused with a clear message
  const core = await loadCore();
  assert.equal(typeof core.wasm, 'undefined');
  const lesson = await require('../../web/core/attn-core.js')();
  assert.equal(typeof lesson._attn_gpt_forward, 'undefined', 'the lesson module leaves the model code out');
  assert.throws(() => AE.createGptModel(lesson, good), /needs? the model module/);
  assert.equal(await AE.loadModelCore(), M, 'one model module per process');
  const model = AE.createGptModel(M, good);
  assert.equal(model.config.vocab, 33);
  assert.throws(() => model.forward([]), (e) => e.code === -2);
  assert.throws(() => model.forward(new Array(41).fill(1)), (e) => e.code === -2);
  assert.throws(() => model.forward([0, 40]), (e) => e.code === -10, 'token id beyond the vocabulary');
  assert.throws(() => model.forward([0, -1]), (e) => e.code === -10, 'negative token id');
  assert.throws(() => model.forward([0, 2.5]), (e) => e.code === -10, 'fractional token id');
  assert.throws(() => model.forward([0, NaN]), (e) => e.code === -10, 'NaN token id');
  assert.equal(model.forward([0, 3]).n, 2, 'the model still works after refused input');
  model.destroy();
});

test('a weights script is loaded only when asked for, and registers its bytes', async () => {
  const file = path.join(tmp, 'lazy.bin');
  native(['train', ...asArgs(RUN), 'steps=1', `save=${file}`, 'format=int8']);
  const script = path.join(tmp, 'weights-lazy.js');
  const wrap = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'wrap_weights.js'), file, script, 'lazy'], { encoding: 'utf8' });
  assert.equal(wrap.status, 0, wrap.stderr);
  assert.match(wrap.stdout, /checked by the C loader: vocab 33/);
  assert.ok(!(require.resolve(script) in require.cache), 'nothing loaded before the first request');
  const bytes = await AE.loadWeights('lazy', { dir: tmp });
  assert.ok(require.resolve(script) in require.cache);
  assert.deepEqual(Buffer.from(bytes), fs.readFileSync(file));
  assert.equal(await AE.loadWeights('lazy', { dir: tmp }), bytes, 'the second request reuses the first');
  await assert.rejects(AE.loadWeights('missing', { dir: tmp }), /"missing" did not load/);
  // the wrapper refuses a corrupt file with the core's message
  const bad = path.join(tmp, 'bad.bin');
  fs.writeFileSync(bad, fs.readFileSync(file).subarray(0, 100));
  const refused = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'wrap_weights.js'), bad, path.join(tmp, 'x.js')], { encoding: 'utf8' });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /truncated/);
});

test('training job options are checked by the core before any step', async () => {
  const M = await AE.loadModelCore();
  assert.throws(() => AE.createTrainingJob(M, { config: { n_heads: 5 } }), (e) => e.code === AE.MODEL_CODES.CONFIG);
  assert.throws(() => AE.createTrainingJob(M, { maxPeriod: 40 }), (e) => e.code === -10, 'period beyond the vocabulary');
  assert.throws(() => AE.createTrainingJob(M, { seq: 64 }), (e) => e.code === -2, 'sequence longer than the context');
  assert.throws(() => AE.createTrainingJob(M, { seq: 12 }), (e) => e.code === -10, 'sequence too short for period 16');
  assert.throws(() => AE.createTrainingJob(M, { task: 'copy' }), /unknown task/);
  const job = AE.createTrainingJob(M, { batch: 2 });
  const before = job.measure({ sequence: 1 });
  const seq = before.sequence;
  assert.equal(seq.tokens.length, 40);
  assert.equal(seq.tokens[0], 0, 'BOS first');
  assert.ok(seq.period >= 8 && seq.period <= 16);
  assert.deepEqual(seq.tokens.slice(1 + seq.period, 1 + 2 * seq.period), seq.tokens.slice(1, 1 + seq.period), 'the block repeats');
  seq.weights[1][3].forEach((row, i) => {
    const sum = Array.from(row).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5 && row.slice(i + 1).every((w) => w === 0), `row ${i}: causal, sums to 1`);
  });
  assert.throws(() => job.measure({ sequence: 2 }), (e) => e.code === -10);
  assert.equal(before.step, 0);
  assert.ok(Math.abs(before.loss - Math.log(33)) < 0.05, `untrained loss ${before.loss} is about ln(33)`);
  job.destroy();
});
