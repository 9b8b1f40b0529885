// The lesson model through the WASM module: the same required behaviour as the native tests,
// and the same numbers as the native command-line tool build/attn.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { loadCore } = require('../../web/core/attn-bridge.js');
const { maxAbsDiff } = require('./helpers.js');

const ATTN = path.join(__dirname, '..', '..', 'build', 'attn');
const TROPHY = "The trophy didn't fit in the suitcase because it was too big.";
const AGENT = 'The agent paid the merchant after checking its budget.';
const ANIMAL = "The animal didn't cross the road because it was tired.";

const argmax = (row) => Array.from(row).reduce((best, v, i, a) => (v > a[best] ? i : best), 0);
const idx = (m, word) => m.tokens.findIndex((t) => t.text === word);

test('tokens: the trophy sentence is 13 word-level tokens with byte offsets', async () => {
  const core = await loadCore();
  const t = core.tokenize(TROPHY);
  assert.deepEqual(t.tokens.map((x) => x.text),
    ['The', 'trophy', "didn't", 'fit', 'in', 'the', 'suitcase', 'because', 'it', 'was', 'too', 'big', '.']);
  assert.deepEqual(t.tokens[2], { text: "didn't", start: 11, end: 17 });
  const emoji = core.tokenize('héllo 👩‍👩‍👧 שלום!');
  assert.deepEqual(emoji.tokens.map((x) => x.text), ['héllo', '👩‍👩‍👧', 'שלום', '!']);
});

test('coreference: it -> trophy (>= 0.5, 0.15 above suitcase), its -> agent, it -> animal', async () => {
  const core = await loadCore();
  let m = core.model(TROPHY);
  const it = m.heads[0].weights[idx(m, 'it')];
  assert.equal(argmax(it), idx(m, 'trophy'));
  assert.ok(it[idx(m, 'trophy')] >= 0.5);
  assert.ok(it[idx(m, 'trophy')] - it[idx(m, 'suitcase')] >= 0.15);
  m = core.model(AGENT);
  assert.equal(argmax(m.heads[0].weights[idx(m, 'its')]), idx(m, 'agent'));
  m = core.model(ANIMAL);
  assert.equal(argmax(m.heads[0].weights[idx(m, 'it')]), idx(m, 'animal'));
  assert.equal(m.heads[0].name, 'coreference');
});

test('previous-word and first-token heads; the unnamed head is diffuse', async () => {
  const core = await loadCore();
  for (const s of [TROPHY, AGENT, ANIMAL, 'Numbers like 42 and emoji 😀 and Zürich all work, right?']) {
    const m = core.model(s);
    m.tokens.forEach((_, i) => {
      const prev = m.heads[1].weights[i], first = m.heads[2].weights[i];
      if (i > 0) assert.ok(argmax(prev) === i - 1 && prev[i - 1] >= 0.6, `${s}: previous word row ${i}`);
      assert.ok(argmax(first) === 0 && first[0] >= 0.6, `${s}: first token row ${i}`);
    });
  }
  const m = core.model(TROPHY);
  const diffuse = m.heads[3].weights.filter((row) => Math.max(...row) <= 0.5).length;
  assert.ok(diffuse * 2 > m.n, `${diffuse} of ${m.n} rows diffuse`);
});

test('every row of every head sums to 1 (1e-5), with and without the mask, T in [0.05, 3]', async () => {
  const core = await loadCore();
  for (const mask of ['none', 'causal']) {
    for (let t = 0.05; t <= 3; t += 0.15) {
      const m = core.model(TROPHY, { mask, temperature: t, parts: ['weights'] });
      for (const h of m.heads) {
        for (const row of h.weights) {
          const sum = row.reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(sum - 1) <= 1e-5, `${mask} T=${t} ${h.name}: ${sum}`);
        }
      }
    }
  }
});

test('any text up to the limit gives defined output; longer text is truncated and reported', async () => {
  const core = await loadCore();
  for (const s of ['a', '😀', 'مرحبا بالعالم', '日本語', '<script>alert(1)</script>', 'x'.repeat(5000), '\u0000\u0001 z']) {
    const m = core.model(s);
    assert.ok(m.heads.every((h) => h.weights.every((row) => row.every(Number.isFinite))), s.slice(0, 20));
  }
  const long = core.model('word '.repeat(10000));
  assert.equal(long.n, 256);
  assert.equal(long.totalTokens, 10000);
  assert.equal(long.truncated, true);
});

test('the WASM model gives the native tool\'s numbers (build/attn --json)', async () => {
  const core = await loadCore();
  for (const [s, args] of [[TROPHY, []], [AGENT, ['--causal']], [ANIMAL, ['--temperature', '0.4']]]) {
    const res = spawnSync(ATTN, ['--json', '--vectors', '--decimals', '7', ...args, s], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    const native = JSON.parse(res.stdout);
    const opts = { mask: args[0] === '--causal' ? 'causal' : 'none', temperature: args[0] === '--temperature' ? 0.4 : 1 };
    const m = core.model(s, opts);
    assert.deepEqual(native.tokens, m.tokens.map((t) => t.text));
    native.heads.forEach((h, i) => {
      assert.equal(h.name, m.heads[i].name);
      assert.equal(h.description, m.heads[i].description);
      assert.ok(maxAbsDiff(h.weights, m.heads[i].weights) <= 1e-5, `${s} head ${i} weights`);
      assert.ok(maxAbsDiff(h.q, m.heads[i].q) <= 1e-5, `${s} head ${i} q`);
      assert.ok(maxAbsDiff(h.output, m.heads[i].output) <= 1e-5, `${s} head ${i} output`);
    });
  }
});

test('the command-line tool: bad input gets a message and a non-zero exit', () => {
  const cases = [[['--json', ''], /no words/], [['--json', '   '], /no words/], [['--temperature', '0', 'hi'], /temperature/],
    [['--temperature', 'NaN', 'hi'], /temperature/], [['--bogus', 'hi'], /unexpected/], [[], /usage/]];
  for (const [args, message] of cases) {
    const res = spawnSync(ATTN, args, { encoding: 'utf8' });
    assert.notEqual(res.status, 0, args.join(' '));
    assert.match(res.stderr, message);
    assert.equal(res.stdout, '');
  }
  const res = spawnSync(ATTN, ['--json', '-'], { input: 'Tell "me" \\ why\n', encoding: 'utf8' });
  assert.deepEqual(JSON.parse(res.stdout).tokens, ['Tell', '"', 'me', '"', '\\', 'why']);
});
