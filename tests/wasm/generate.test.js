// Generation in WebAssembly against itself and against native C: the KV-cached step and the
// full recompute give the same logits, attention rows and tokens at every step (both real C
// paths, through the model bridge's generation handle), and seeded sampling gives exactly the
// words of `build/attn --model brown --generate` (native) for the same prompt, seed and
// temperature, with the same probabilities, sums, multiply-adds and cache sizes. Also the
// context limit (generation stops; the error code CONTEXT) and bad prompts.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const AE = require('../../web/attn-model-bridge.js');

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'build', 'attn');
const WEIGHTS = new Uint8Array(fs.readFileSync(path.join(ROOT, 'models', 'brown.aewt')));
const VOCAB = fs.readFileSync(path.join(ROOT, 'models', 'brown-vocab.txt'), 'utf8');

// relative to the largest |logit| (at least 1), as tests/core/test_generate.c: only the order of
// the attention row's dot products differs between the paths
const LOGIT_TOL = 1e-5;

function cliGenerate(prompt, steps, seed, temperature, extra = []) {
  const r = spawnSync(CLI, ['--model', 'brown', '--generate', String(steps), '--seed', String(seed),
    '--temperature', String(temperature), ...extra, '--json', prompt], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

let M, model;
test.before(async () => {
  M = await AE.loadModelCore();
  model = AE.createTextModel(M, WEIGHTS, VOCAB, 'brown');
});
test.after(() => { if (model) model.destroy(); });

test('cached and full recompute: the same logits, attention rows and words at every step', () => {
  for (const [prompt, temperature, seed] of [['The jury said', 0.8, 2], ['He looked at the door and', 0, 1], ['', 1.2, 7]]) {
    const cached = model.generator(prompt), full = model.generator(prompt);
    let worst = 0, worstW = 0, largest = 1;
    for (let s = 0; s < 20; s++) {
      const a = cached.step({ cache: true, temperature, seed, logits: true });
      const b = full.step({ cache: false, temperature, seed, logits: true });
      for (let v = 0; v < a.logits.length; v++) {
        worst = Math.max(worst, Math.abs(a.logits[v] - b.logits[v]));
        largest = Math.max(largest, Math.abs(b.logits[v]));
      }
      assert.equal(a.id, b.id, `step ${s}: the same word`);
      assert.deepEqual(a.rows.map((r) => r.position), b.rows.map((r) => r.position), 'the same new rows');
      a.rows.forEach((row, k) => row.weights.forEach((heads, l) => heads.forEach((w, h) => {
        const other = b.rows[k].weights[l][h];
        assert.equal(w.length, row.position + 1);
        w.forEach((x, j) => { worstW = Math.max(worstW, Math.abs(x - other[j])); });
      })));
      // the work each path reports is what C counts for it; the cache holds every position fed
      if (s > 0) assert.equal(a.madds, a.maddsCached, 'one cached position per step');
      assert.equal(b.madds, b.maddsFull);
      assert.equal(a.cacheRows, a.position + 1);
      assert.equal(b.cacheRows, 0, 'no cache on the full path');
      assert.ok(Math.abs(a.probSum - 1) < 1e-4, `probabilities sum to 1 over the vocabulary (${a.probSum})`);
    }
    console.log(`  "${prompt}" T ${temperature}: max |logit diff| ${worst.toExponential(2)} (largest ${largest.toFixed(1)}), ` +
      `max |weight diff| ${worstW.toExponential(2)}: ${cached.words.slice(1).join(' ')}`);
    assert.ok(worst <= LOGIT_TOL * largest, `logits within ${LOGIT_TOL} x ${largest} (${worst})`);
    assert.ok(worstW <= 1e-5, `weights within 1e-5 (${worstW})`);
    cached.destroy();
    full.destroy();
  }
});

test('seeded sampling in WASM gives the native CLI\'s words, probabilities and counts', () => {
  for (const [prompt, seed, temperature, cache] of [['The jury said', 2, 0.8, true], ['The jury said', 2, 0.8, false],
    ['In 1961 Mrs. Hollingsworth re-opened the café', 5, 1, true], ['It was', 3, 0, true], ['', 9, 0.7, true]]) {
    const want = cliGenerate(prompt, 10, seed, temperature, cache ? [] : ['--no-cache']);
    const gen = model.generator(prompt);
    assert.deepEqual(gen.prompt.ids, want.ids, 'the prompt\'s ids');
    assert.deepEqual(gen.prompt.unknown, want.unknown);
    const got = Array.from({ length: 10 }, () => gen.step({ seed, temperature, cache }));
    assert.deepEqual(got.map((s) => s.word), want.generated, `"${prompt}" seed ${seed} T ${temperature}`);
    got.forEach((s, k) => {
      const w = want.steps[k];
      assert.equal(s.id, w.id);
      assert.ok(Math.abs(s.prob - w.prob) <= 1e-4 * w.prob, `step ${k}: p ${s.prob} vs ${w.prob}`);
      assert.ok(Math.abs(s.probSum - w.prob_sum) < 1e-4, 'the sum C reports (float32 softmax over 4096 words)');
      assert.deepEqual(s.top.slice(0, 5).map((t) => t.word), w.top.slice(0, 5).map((t) => t.word), 'the top 5');
      assert.equal(s.madds, w.madds);
      assert.equal(s.maddsCached, w.madds_cached);
      assert.equal(s.maddsFull, w.madds_full);
      assert.equal(s.cacheRows, w.cache_rows);
      assert.equal(s.cacheBytes, w.cache_bytes);
    });
    console.log(`  "${prompt}" seed ${seed} T ${temperature}${cache ? '' : ' (no cache)'}: ${want.generated.join(' ')}`);
    gen.destroy();
  }
});

test('the context limit: generation stops when the 64 positions are used, as in the CLI', () => {
  const words = Array.from({ length: 60 }, (_, i) => (i % 2 ? 'said' : 'the')).join(' ');
  const gen = model.generator(words);
  const steps = [];
  while (gen.canStep) steps.push(gen.step({ seed: 4, temperature: 0.9 }));
  assert.equal(steps.length, 4, '<s> + 60 words: 4 more words fill the context (the last is predicted, never fed)');
  assert.equal(steps[3].cacheRows, 64);
  assert.equal(steps[3].cacheBytes, 2 * 4 * 64 * 64 * 4);
  assert.throws(() => gen.step(), (e) => e.code === AE.MODEL_CODES.CONTEXT && /context is full/.test(e.message));
  const want = cliGenerate(words, 10, 4, 0.9);
  assert.equal(want.stopped, 'context');
  assert.deepEqual(steps.map((s) => s.word), want.generated);
  gen.reset();
  assert.equal(gen.steps, 0);
  assert.deepEqual(gen.step({ seed: 4, temperature: 0.9 }).word, want.generated[0], 'reset starts again');
  gen.destroy();
  assert.throws(() => gen.step(), /destroyed/);
});

test('bad prompts: too long is refused with CONTEXT (CLI too); empty and unknown words are described', () => {
  const long = Array.from({ length: 64 }, () => 'the').join(' ');
  assert.throws(() => model.generator(long), (e) => e.code === AE.MODEL_CODES.CONTEXT && /64 words/.test(e.message));
  const r = spawnSync(CLI, ['--model', 'brown', '--generate', '3', long], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /no room to write/);
  const empty = model.generator('   ');
  assert.equal(empty.prompt.empty, true);
  assert.deepEqual(empty.prompt.ids, [0]);
  empty.destroy();
  const unknown = model.generator('Xyzzy Plugh');
  assert.equal(unknown.prompt.allUnknown, true);
  assert.deepEqual(unknown.prompt.vocab_words, ['<s>', '<unk-cap>', '<unk-cap>']);
  unknown.destroy();
  assert.throws(() => model.generator(42), TypeError);
  const bad = model.generator('the');
  assert.throws(() => bad.step({ temperature: -1 }), (e) => e.code === -4);
  assert.throws(() => bad.step({ temperature: NaN }), (e) => e.code === -4);
  bad.destroy();
});

test('the CLI\'s generation arguments: bad values are refused with a message', () => {
  const run = (...args) => spawnSync(CLI, args, { encoding: 'utf8' });
  for (const [args, message] of [
    [['--generate', '3', 'the'], /needs --model brown/],
    [['--model', 'brown', '--generate', '0', 'the'], /--generate/],
    [['--model', 'brown', '--generate', '3', '--seed', '-1', 'the'], /--seed/],
    [['--model', 'brown', '--generate', '3', '--seed', '4294967296', 'the'], /--seed/],
    [['--model', 'brown', '--generate', '3', '--temperature', '-0.5', 'the'], /--temperature/],
    [['--model', 'brown', '--temperature', '0', 'the'], /--temperature/],   // 0 is greedy generation only
  ]) {
    const r = run(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
  // greedy is the same whatever the seed
  const a = JSON.parse(run('--model', 'brown', '--generate', '5', '--temperature', '0', '--seed', '1', '--json', 'It was').stdout);
  const b = JSON.parse(run('--model', 'brown', '--generate', '5', '--temperature', '0', '--seed', '99', '--json', 'It was').stdout);
  assert.deepEqual(a.generated, b.generated);
});
