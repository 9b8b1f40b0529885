// The trained Brown model three ways: the CLI (build/attn --model brown --json, native C), and
// the WebAssembly core (tokenizer + vocabulary + forward through the model bridge) must give
// the same token ids, unknown words, attention weights of every head and next-word
// probabilities. Also: the CLI's atlas (committed or recomputed) and its bad-input answers.
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
const WEIGHTS = fs.readFileSync(path.join(ROOT, 'models', 'brown.aewt'));
const VOCAB = fs.readFileSync(path.join(ROOT, 'models', 'brown-vocab.txt'));

function cli(args, options) {
  return spawnSync(CLI, args, Object.assign({ encoding: 'utf8', maxBuffer: 64 << 20 }, options));
}

function cliJson(args, options) {
  const r = cli(args, options);
  assert.equal(r.status, 0, `attn ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// token ids through the WASM core: attn_tokenize, then attn_vocab_ids (a <s> in front)
function wasmIds(M, text) {
  const bytes = new TextEncoder().encode(text);
  const vocabLen = VOCAB[VOCAB.length - 1] === 10 ? VOCAB.length - 1 : VOCAB.length;
  const max = 63;
  const p = { text: M._malloc(bytes.length + 1), vocab: M._malloc(VOCAB.length), starts: M._malloc(max * 4),
    ends: M._malloc(max * 4), total: M._malloc(4), ids: M._malloc(max * 4), unknown: M._malloc(max) };
  try {
    M.HEAPU8.set(bytes, p.text);
    M.HEAPU8.set(VOCAB, p.vocab);
    const n = M._attn_tokenize(p.starts, p.ends, max, p.text, bytes.length, p.total);
    assert.ok(n > 0, `tokenize: ${n}`);
    const unknownCount = M._attn_vocab_ids(p.ids, p.unknown, p.vocab, vocabLen, p.text, p.starts, p.ends, n);
    assert.ok(unknownCount >= 0, `vocab ids: ${unknownCount}`);
    const ids = [0, ...M.HEAP32.slice(p.ids >> 2, (p.ids >> 2) + n)];
    const unknown = [];
    for (let i = 0; i < n; i++) if (M.HEAPU8[p.unknown + i]) unknown.push(i + 1);
    assert.equal(unknown.length, unknownCount);
    return { ids, unknown };
  } finally {
    Object.values(p).forEach((ptr) => M._free(ptr));
  }
}

const TEXTS = [
  "The trophy didn't fit in the suitcase because it was too big.",
  "The jury said it did find that many of Georgia's registration and election laws are outmoded or inadequate.",
  'He looked at the door , and then he looked at the door again',
];

test('CLI (native) and WASM give the same ids, weights and next-word probabilities', async () => {
  const M = await AE.loadModelCore();
  const model = AE.createGptModel(M, new Uint8Array(WEIGHTS));
  assert.equal(model.format, 'int8');
  for (const text of TEXTS) {
    const want = cliJson(['--model', 'brown', '--json', text]);
    const got = wasmIds(M, text);
    assert.deepEqual(got.ids, want.ids, `ids of "${text}"`);
    assert.deepEqual(got.unknown, want.unknown, 'unknown words');
    const out = model.forward(got.ids);
    let worstW = 0;
    want.layers.forEach((layer, l) => layer.heads.forEach((head, h) => {
      worstW = Math.max(worstW, maxAbsDiff(out.weights[l][h], head.weights));
    }));
    // relative: the WASM softmax uses the vectorised exp of core/attn_simd.h, libm's expf natively
    const worstP = Math.max(...want.next.map((x) => Math.abs(out.probs[x.id] - x.prob) / x.prob));
    const worstL = maxAbsDiff(want.next.map((x) => out.logits[x.id]), want.next.map((x) => x.logit));
    console.log(`  "${text.slice(0, 30)}...": ${got.ids.length} tokens, max |diff| weights ${worstW.toExponential(2)}, ` +
      `probs ${worstP.toExponential(2)} (relative), logits ${worstL.toExponential(2)}; next: ${want.next.slice(0, 3).map((x) => x.word).join(' ')}`);
    assert.ok(worstW <= 1e-5, `weights within 1e-5 (${worstW})`);
    assert.ok(worstP <= 1e-4, `probabilities within 1e-4, relative (${worstP})`);
    assert.ok(worstL <= 1e-4, `logits within 1e-4 (${worstL})`);
    // the CLI's top 10 is the top 10 of the WASM probabilities, in order
    const order = Array.from(out.probs.keys()).sort((a, b) => out.probs[b] - out.probs[a] || a - b).slice(0, 10);
    assert.deepEqual(order, want.next.map((x) => x.id), 'the same 10 likeliest next words');
    // rows of weights sum to 1 over the allowed (earlier) positions, 0 after
    const row = want.layers[0].heads[0].weights[2];
    assert.ok(Math.abs(row[0] + row[1] + row[2] - 1) < 1e-6 && row.slice(3).every((x) => x === 0));
  }
  model.destroy();
});

test('unknown words are shown for what they are', () => {
  const out = cliJson(['--model', 'brown', '--json', TEXTS[0]]);
  const words = out.unknown.map((i) => out.tokens[i]);
  assert.deepEqual(words, ['trophy', 'suitcase']);
  assert.deepEqual(out.unknown.map((i) => out.vocab_words[i]), ['<unk>', '<unk>']);
  assert.equal(out.tokens[0], '<s>');
  assert.equal(out.next.length, 10);
  const total = out.next.reduce((s, x) => s + x.prob, 0);
  assert.ok(total > 0 && total <= 1 + 1e-6);
});

test('--atlas: the committed atlas without held-out data, recomputed with it', () => {
  const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'brown-atlas.json'), 'utf8'));
  // from another directory there is no build/brown: the CLI finds models/ beside build/
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-brown-'));
  try {
    const out = cliJson(['--model', 'brown', '--atlas', '--json'], { cwd });
    assert.equal(out.source, 'committed');
    assert.deepEqual(out.atlas, committed);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
  const out = cliJson(['--model', 'brown', '--atlas', '--json', '--heldout', path.join(ROOT, 'tests', 'data', 'brown')]);
  assert.equal(out.source, 'recomputed');
  assert.equal(out.atlas.layers.length, 4);
  assert.ok(out.atlas.layers.every((l) => l.heads.length === 4 && l.heads.every((h) => typeof h.habit === 'string')));
  assert.ok(out.atlas.plain.windows === 128 && out.atlas.plain.perplexity > 1);
});

test('bad input: a clear message and a non-zero exit', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-brown-'));
  try {
    const broken = path.join(tmp, 'broken.aewt');
    const bytes = Buffer.from(WEIGHTS);
    bytes[bytes.length >> 1] ^= 0x40;
    fs.writeFileSync(broken, bytes);
    const cases = [
      [['--model', 'gpt2', 'text'], /only trained model is brown/],
      [['--model', 'brown', '--weights', broken, 'text'], /corrupted/],
      [['--model', 'brown', '--weights', path.join(tmp, 'missing.aewt'), 'text'], /cannot read the weight file/],
      [['--model', 'brown', '   '], /no words/],
      [['--atlas', '--json'], /needs --model brown/],
      [['--model', 'brown', '--atlas', '--heldout', tmp], /cannot read the held-out data/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
