// The trained Brown model as a page gets it: AttentionExplorer.loadModel('brown') loads the model
// module and web/weights-brown.js (weights + vocabulary) only when asked, and run(text) must say
// what `build/attn --model brown --json "text"` (native C) says: the same tokens, ids, unknown
// words, truncation, every head's weights and the 10 likeliest next words. Also: the shipped
// script is models/brown.aewt + models/brown-vocab.txt, a vocabulary that does not fit is
// refused, and a struct layout that drifted from the core stops the bridge.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const AE = require('../../web/attn-model-bridge.js');
const { maxAbsDiff } = require('./helpers.js');

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'build', 'attn');
const WEIGHTS_SCRIPT = path.join(ROOT, 'web', 'weights-brown.js');
const MODEL_CORE = path.join(ROOT, 'web', 'attn-model-core.js');

function cliJson(text) {
  const r = spawnSync(CLI, ['--model', 'brown', '--json', text], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `attn --model brown --json: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// The first of these is longer than the context (63 tokens after <s>): both truncate.
const LONG = 'The jury further said in term-end presentments that the City Executive Committee, which ' +
  'had over-all charge of the election, deserves the praise and thanks of the City of Atlanta for ' +
  'the manner in which the election was conducted. The September-October term jury had been charged ' +
  'by Fulton Superior Court Judge Durwood Pye to investigate reports of possible irregularities in ' +
  'the hard-fought primary which was won by Mayor-nominate Ivan Allen Jr.';
const TEXTS = [
  "The trophy didn't fit in the suitcase because it was too big.",
  "The jury said it did find that many of Georgia's registration and election laws are outmoded or inadequate.",
  'In 1961 Mrs. Hollingsworth quietly re-opened the café, hoping 4,212 customers kept coming',
  LONG,
];

// One run(text) against the CLI's JSON: exact for tokens and ids, within tolerance for numbers
// (the WASM softmax uses the vectorised exp of core/attn_simd.h, libm's expf natively).
function assertSameAsCli(got, want, label) {
  assert.deepEqual(Object.keys(got), Object.keys(want), `${label}: the CLI's keys, in its order`);
  for (const key of ['model', 'tokens', 'ids', 'vocab_words', 'unknown', 'total_tokens', 'truncated']) {
    assert.deepEqual(got[key], want[key], `${label}: ${key}`);
  }
  assert.equal(got.layers.length, want.layers.length);
  let worstW = 0;
  want.layers.forEach((layer, l) => {
    assert.equal(got.layers[l].heads.length, layer.heads.length);
    layer.heads.forEach((head, h) => {
      const mine = got.layers[l].heads[h];
      assert.deepEqual([mine.name, mine.layer, mine.head], [head.name, head.layer, head.head]);
      assert.deepEqual(Object.keys(mine), Object.keys(head), `${label}: a head's keys, in the CLI's order`);
      assert.ok(Math.abs(mine.entropy - head.entropy) <= 1e-4, `${label}: ${head.name} entropy ${mine.entropy} vs ${head.entropy}`);
      assert.equal(mine.weights.length, want.ids.length, 'one row per token');
      worstW = Math.max(worstW, maxAbsDiff(mine.weights, head.weights));
    });
  });
  assert.ok(worstW <= 1e-5, `${label}: every head's weights within 1e-5 (${worstW})`);
  want.layers.forEach((layer, l) => {
    assert.deepEqual(Object.keys(got.layers[l]), Object.keys(layer), `${label}: a layer's keys`);
    assert.ok(Math.abs(got.layers[l].entropy - layer.entropy) <= 1e-4, `${label}: layer ${l} entropy`);
  });
  assert.deepEqual(got.next.map((x) => [x.word, x.id]), want.next.map((x) => [x.word, x.id]),
    `${label}: the same 10 next words, in order`);
  const worstP = Math.max(...got.next.map((x, i) => Math.abs(x.prob - want.next[i].prob) / want.next[i].prob));
  const worstL = maxAbsDiff(got.next.map((x) => x.logit), want.next.map((x) => x.logit));
  assert.ok(worstP <= 1e-4, `${label}: probabilities within 1e-4, relative (${worstP})`);
  assert.ok(worstL <= 1e-4, `${label}: logits within 1e-4 (${worstL})`);
  return { worstW, worstP, worstL };
}

test('loadModel("brown") loads nothing before it is asked, then runs text as build/attn does', async () => {
  assert.ok(!(require.resolve(WEIGHTS_SCRIPT) in require.cache), 'no weights before the first request');
  assert.ok(!(require.resolve(MODEL_CORE) in require.cache), 'no model module before the first request');
  const model = await AE.loadModel('brown');
  assert.ok(require.resolve(WEIGHTS_SCRIPT) in require.cache && require.resolve(MODEL_CORE) in require.cache);
  assert.deepEqual([model.name, model.format, model.config.vocab, model.config.context], ['brown', 'int8', 4096, 64]);
  for (const text of TEXTS) {
    const want = cliJson(text);
    const got = model.run(text);
    const worst = assertSameAsCli(got, want, `"${text.slice(0, 24)}..."`);
    console.log(`  "${text.slice(0, 30)}...": ${got.ids.length} tokens, unknown ${got.unknown.map((i) => got.tokens[i]).join(' ') || '-'}; ` +
      `max |diff| weights ${worst.worstW.toExponential(2)}, probs ${worst.worstP.toExponential(2)} (rel.), ` +
      `logits ${worst.worstL.toExponential(2)}; next: ${got.next.slice(0, 3).map((x) => x.word).join(' ')}`);
  }
  // what the cases are there for
  const trophy = model.run(TEXTS[0]);
  assert.deepEqual(trophy.unknown.map((i) => trophy.tokens[i]), ['trophy', 'suitcase']);
  assert.deepEqual(trophy.unknown.map((i) => trophy.vocab_words[i]), ['<unk>', '<unk>']);
  const classes = model.run(TEXTS[2]);
  for (const cls of ['<unk-num>', '<unk-cap>', '<unk-hyph>']) assert.ok(classes.vocab_words.includes(cls), cls);
  const long = model.run(LONG);
  assert.equal(long.tokens.length, 64, '<s> + the first 63 tokens');
  assert.ok(long.truncated && long.total_tokens > 63);
  // a second handle shares the loaded module and weights; each owns its buffers
  const again = await AE.loadModel('brown');
  assert.deepEqual(again.run(TEXTS[1]).next.map((x) => x.id), model.run(TEXTS[1]).next.map((x) => x.id));
  again.destroy();
  model.destroy();
  assert.throws(() => model.run('The jury'), /destroyed/);
});

test('bad text is refused with the core\'s message, as the CLI refuses it; the handle keeps working', async () => {
  const model = await AE.loadModel('brown');
  const r = spawnSync(CLI, ['--model', 'brown', '   '], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  const cliMessage = r.stderr.trim().replace(/^attn: cannot read the text: /, '');
  assert.throws(() => model.run('   '), (e) => e.code < 0 && e.message === cliMessage);
  assert.throws(() => model.run(''), (e) => e.code < 0);
  assert.throws(() => model.run(42), TypeError);
  assert.throws(() => model.run('x'.repeat((1 << 20) + 1)), /too long/);
  assert.equal(model.run('The jury').tokens.length, 3);
  model.destroy();
});

test('web/weights-brown.js is models/brown.aewt and models/brown-vocab.txt', async () => {
  const bytes = await AE.loadWeights('brown');
  assert.deepEqual(Buffer.from(bytes), fs.readFileSync(path.join(ROOT, 'models', 'brown.aewt')),
    'the weights (regenerate with make brown-script)');
  assert.equal(AE.vocabularyOf('brown'), fs.readFileSync(path.join(ROOT, 'models', 'brown-vocab.txt'), 'utf8'),
    'the vocabulary (regenerate with make brown-script)');
});

test('a vocabulary that does not fit the model is refused, by the wrapper and by the bridge', async () => {
  const M = await AE.loadModelCore();
  const bytes = await AE.loadWeights('brown');
  const vocab = AE.vocabularyOf('brown');
  const short = vocab.split('\n').slice(0, 100).join('\n') + '\n';
  assert.throws(() => AE.createTextModel(M, bytes, short, 'short'), /100 words, the model 4096/);
  assert.throws(() => AE.createTextModel(M, bytes, vocab.replace('<s>\n', 'the-start\n'), 'x'), /<s>/);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-brown-page-'));
  try {
    fs.writeFileSync(path.join(tmp, 'short.txt'), short);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'wrap_weights.js'),
      path.join(ROOT, 'models', 'brown.aewt'), path.join(tmp, 'w.js'), 'brown', '--vocab', path.join(tmp, 'short.txt')],
    { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /vocabulary has 100 words, the model 4096/);
    assert.ok(!fs.existsSync(path.join(tmp, 'w.js')), 'nothing written');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('struct offsets come from the core\'s ABI table: a drifted layout stops the bridge', async () => {
  const M = await AE.loadModelCore();
  const bytes = await AE.loadWeights('brown');
  // the same module with one more attn_gpt_config field in its table
  const grown = Object.create(M);
  const count = M._attn_abi_count();
  const extra = M._malloc(64);
  M.HEAPU8.set(new TextEncoder().encode('attn_gpt_config.dropout\0'), extra);
  grown._attn_abi_count = () => count + 1;
  grown._attn_abi_name = (i) => (i === count ? extra : M._attn_abi_name(i));
  grown._attn_abi_value = (i) => (i === count ? 32 : M._attn_abi_value(i));
  assert.throws(() => AE.createGptModel(grown, bytes), /out of date.*attn_gpt_config has fields this file does not fill: attn_gpt_config\.dropout/);
  assert.throws(() => AE.createTrainingJob(grown, {}), /out of date/);
  // a status code that moved
  const moved = Object.create(M);
  moved._attn_abi_value = (i) => (readName(M, M._attn_abi_name(i)) === 'ATTN_ERR_CHECKSUM' ? -99 : M._attn_abi_value(i));
  assert.throws(() => AE.createGptModel(moved, bytes), /out of date.*ATTN_ERR_CHECKSUM/);
  M._free(extra);
  // the real table: the bridge's offsets are the core's, and the model still runs
  const model = AE.createGptModel(M, bytes);
  assert.equal(model.forward([0, 9]).probs.length, 4096);
  model.destroy();
});

function readName(M, ptr) {
  let s = '';
  while (M.HEAPU8[ptr]) s += String.fromCharCode(M.HEAPU8[ptr++]);
  return s;
}

// The head atlas travels with the weights (tools/wrap_weights.js --atlas): exactly the JSON that
// core/attn_atlas.c measured (models/brown-atlas.json, which `build/attn --model brown --atlas
// --json` also prints without held-out data), never numbers typed into the page.
test('the weights script carries the C-measured head atlas; entropies of a text as the CLI', async () => {
  const model = await AE.loadModel('brown');
  try {
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'brown-atlas.json'), 'utf8'));
    assert.deepEqual(model.atlas, committed);
    assert.deepEqual(AE.atlasOf('brown'), committed);
    const cli = spawnSync(CLI, ['--model', 'brown', '--atlas', '--json'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const printed = JSON.parse(cli.stdout);
    if (printed.source === 'committed') assert.deepEqual(model.atlas, printed.atlas);
    const habits = model.atlas.layers.flatMap((l) => l.heads.map((h) => h.name + ':' + h.habit));
    assert.equal(habits.length, 16);
    assert.ok(habits.includes('L2H3:determiner'), habits.join(' '));
    // no words: the tokenizer's EMPTY error, which the figures turn into a friendly note
    assert.throws(() => model.run('   '), (e) => e.code === -9 && /no words/.test(e.message));
    // one word: row 1 chooses between <s> and itself
    const one = model.run('jury');
    assert.deepEqual(one.tokens, ['<s>', 'jury']);
    assert.ok(one.layers.every((l) => l.entropy >= 0 && l.entropy <= 1 + 1e-6));
    const want = cliJson('The jury said it did find that many of the');
    const got = model.run('The jury said it did find that many of the');
    got.layers.forEach((l, i) => {
      assert.ok(Math.abs(l.entropy - want.layers[i].entropy) <= 1e-4, `layer ${i}: ${l.entropy} vs ${want.layers[i].entropy}`);
      assert.ok(l.entropy > 0.3 && l.entropy < Math.log2(11), `layer ${i}: between certain and uniform (${l.entropy})`);
    });
  } finally {
    model.destroy();
  }
});

test('wrap_weights.js refuses an atlas that does not describe the model', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-atlas-'));
  try {
    const atlas = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'brown-atlas.json'), 'utf8'));
    atlas.layers.pop();
    fs.writeFileSync(path.join(dir, 'atlas.json'), JSON.stringify(atlas));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'wrap_weights.js'), path.join(ROOT, 'models', 'brown.aewt'),
      path.join(dir, 'w.js'), 'brown', '--vocab', path.join(ROOT, 'models', 'brown-vocab.txt'), '--atlas', path.join(dir, 'atlas.json')],
    { encoding: 'utf8', env: Object.assign({}, process.env, { NODE_PATH: '/usr/share/nodejs' }) });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /the atlas has 3 layers, the model 4/);
    assert.ok(!fs.existsSync(path.join(dir, 'w.js')), 'nothing written');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
