// Ablation on the trained Brown model, WebAssembly (the model bridge) against the native CLI
// (build/attn --model brown --ablate L,H,KIND --json, and --ablation-grid KIND): the same top
// words before and after, change in probability and KL divergence for one sentence, the same
// per-head means over the held-out sentences; the job frees its memory when cancelled or
// destroyed; bad input gets a clear error.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const AE = require('../../web/attn-model-bridge.js');

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'build', 'attn');
const SENTENCES = fs.readFileSync(path.join(ROOT, 'models', 'brown-heldout-sentences.txt'), 'utf8')
  .split('\n').filter((l) => l.trim());

function cliJson(args) {
  const r = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `attn ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

let model;
test.before(async () => { model = await AE.loadModel('brown'); });
test.after(() => model && model.destroy());

test('the held-out sentences ride with the weights, the committed file exactly', () => {
  assert.deepEqual(model.sentences, SENTENCES);
  assert.equal(SENTENCES.length, 40);
  for (const s of SENTENCES) {
    const e = model.encode(s);
    assert.ok(e.n >= 8 && e.n <= 40 && e.total === e.n, `"${s.slice(0, 30)}": ${e.n} tokens, none cut`);
  }
});

test('one sentence: WASM and the native CLI agree on the effect of ablating a head', () => {
  const texts = ['The jury said it did find that many of the',
    "The trophy didn't fit in the suitcase because it was",
    SENTENCES[3]];
  const cases = [[0, 0, 'uniform'], [2, 3, 'zero'], [3, 1, 'shuffle'], [1, 2, 'shuffle']];
  let worst = 0;
  for (const text of texts) {
    for (const [layer, head, kind] of cases) {
      const want = cliJson(['--model', 'brown', '--json', '--ablate', `${layer},${head},${kind}`, text]).ablation;
      const got = model.ablate(text, { layer, head, kind });
      assert.equal(got.top_before.id, want.top_before_id, `top before, ${text.slice(0, 20)} L${layer}H${head} ${kind}`);
      assert.equal(got.top_after.id, want.top_after_id, `top after, L${layer}H${head} ${kind}`);
      assert.equal(got.top_before.word, want.top_before);
      for (const key of ['p_top_before', 'p_top_after', 'delta', 'kl']) {
        const d = Math.abs(got[key] - want[key]);
        worst = Math.max(worst, d);
        assert.ok(d <= 2e-5 + 1e-3 * Math.abs(want[key]), `${key}: wasm ${got[key]} native ${want[key]}`);
      }
      assert.ok(got.kl >= 0);
      assert.deepEqual(got.next_after.map((x) => x.id), want.next_after.map((x) => x.id), 'the 10 likeliest after');
    }
  }
  console.log(`  ${texts.length * cases.length} ablations, max |diff| WASM vs native ${worst.toExponential(2)}`);
});

test('the every-head grid in slices equals the CLI grid on the held-out sentences', () => {
  const want = cliJson(['--model', 'brown', '--ablation-grid', 'zero']);
  const job = model.createAblationJob('zero');
  assert.equal(job.total, 40 * 17);
  let slices = 0, s;
  do { s = job.step(7); slices++; } while (s.left > 0);
  assert.equal(s.done, s.total);
  const got = job.results().flat();
  job.destroy();
  assert.equal(want.predictions, 806);
  let worst = 0;
  want.heads.forEach((w, i) => {
    const g = got[i];
    assert.equal(g.predictions, w.predictions);
    assert.ok(Math.abs(g.flips - w.flips) <= 2, `${w.name} flips ${g.flips} vs ${w.flips}`);
    worst = Math.max(worst, Math.abs(g.kl - w.kl));
    assert.ok(Math.abs(g.kl - w.kl) <= 1e-5 + 1e-3 * w.kl, `${w.name} kl ${g.kl} vs ${w.kl}`);
    assert.ok(Math.abs(g.delta - w.delta) <= 1e-5, `${w.name} delta`);
    // a near-tie can fall the other way in float32: at most 2 of 806 predictions
    assert.ok(Math.abs(g.flipRate - w.flip_rate) <= 2 / 806 + 1e-6, `${w.name} flip rate ${g.flipRate} vs ${w.flip_rate}`);
  });
  console.log(`  ${slices} slices of 7 passes; kl per head ${want.heads.map((h) => h.kl.toFixed(3)).join(' ')}; ` +
    `max |diff| ${worst.toExponential(2)}`);
});

test('a job frees its memory when cancelled or destroyed, and so does destroying the model', async () => {
  const M = await AE.loadModelCore();
  const base = M._attn_heap_in_use();
  const job = model.createAblationJob('uniform', { sentences: SENTENCES.slice(0, 2) });
  assert.ok(M._attn_heap_in_use() > base + 1000000, 'the job holds its buffer');
  job.step(3);
  job.cancel();
  assert.equal(M._attn_heap_in_use(), base, 'cancel frees it');
  assert.throws(() => job.step(1), /destroyed/);
  const second = await AE.loadModel('brown');
  const afterModel = M._attn_heap_in_use();
  const orphan = second.createAblationJob('shuffle', { sentences: SENTENCES.slice(0, 1) });
  orphan.step(1);
  second.destroy();
  assert.ok(orphan.destroyed, 'destroying the model destroys its jobs');
  assert.ok(M._attn_heap_in_use() < afterModel, 'model and job memory given back');
  assert.equal(M._attn_heap_in_use(), base, 'back to the baseline');
});

test('bad input: clear errors, never a crash', () => {
  assert.throws(() => model.ablate('', { layer: 0, head: 0, kind: 'zero' }), (e) => e.code === -9);
  assert.throws(() => model.ablate('the', { layer: 4, head: 0, kind: 'zero' }), (e) => e.code === -10);
  assert.throws(() => model.ablate('the', { layer: 0, head: 0, kind: 'scramble' }), /unknown ablation/);
  assert.throws(() => model.createAblationJob('none'), /unknown ablation/);
  assert.throws(() => model.createAblationJob('zero', { sentences: [] }), (e) => e.code === -9);
  // only unknown words, and 10,000 words: the first 63 tokens are read
  const unknown = model.ablate('Zyxw Qwv Blorp', { layer: 1, head: 1, kind: 'uniform' });
  assert.equal(unknown.unknown.length, 3);
  assert.ok(unknown.kl >= 0 && Number.isFinite(unknown.kl));
  const long = model.ablate('word '.repeat(10000), { layer: 1, head: 1, kind: 'zero' });
  assert.equal(long.tokens.length, 64);
  assert.ok(long.truncated);
  const r = spawnSync(CLI, ['--model', 'brown', '--ablate', '2,3,scramble', '--json', 'the'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /LAYER,HEAD,KIND/);
});
