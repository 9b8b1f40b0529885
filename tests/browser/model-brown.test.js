// The trained Brown model in Chromium, as a page loads it: from file:// under the pages'
// Content-Security-Policy (web/ and dist/), a lesson figure is ready first and nothing of the
// model is there yet (no model module, no weights script); then AttentionExplorer.loadModel
// ('brown') brings the model module and weights-brown.js (weights + vocabulary) by <script>
// tags, and run(text) gives what `build/attn --model brown --json` gives: the same tokens, ids,
// unknown words, every head's weights and the 10 likeliest next words.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { launch, open, ROOT } = require('./harness.js');

const CLI = path.join(ROOT, 'build', 'attn');
const TEXTS = [
  "The trophy didn't fit in the suitcase because it was too big.",
  'The jury said it did find that many of the election laws are outmoded',
  'In 1961 Mrs. Hollingsworth re-opened the café',
];

let browser, dir;
test.before(async () => {
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-model-brown-'));
  // each folder as it ships, plus a page that is embed.html (one lesson figure, the pages'
  // CSP; it carries the model bridge, not the model)
  for (const [name, from] of [['web', path.join(ROOT, 'web')], ['dist', path.join(ROOT, 'dist')]]) {
    const to = path.join(dir, name);
    fs.cpSync(from, to, { recursive: true });
    const embed = fs.readFileSync(path.join(to, 'embed.html'), 'utf8');
    assert.match(embed, /Content-Security-Policy/);
    fs.writeFileSync(path.join(to, 'model-page.html'), embed);
  }
});
test.after(async () => {
  if (browser) await browser.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function cliJson(text) {
  const r = spawnSync(CLI, ['--model', 'brown', '--json', text], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const maxDiff = (a, b) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

for (const where of ['web', 'dist']) {
  test(`${where}/ from file://: the lesson figure first, the Brown model only when asked, as the CLI`, async () => {
    const page = await open(browser, 'file://' + path.join(dir, where, 'model-page.html') + '?figure=heatmap&autorun=0');
    await page.waitForSelector('#figure[data-ready="true"]');
    const state = await page.evaluate(() => ({
      scripts: Array.from(document.scripts).map((s) => s.src.split('/').pop()),
      modelCore: typeof window.AttnModelCore,
      vocabulary: window.AttentionExplorer.vocabularyOf('brown'),
      loadModel: typeof window.AttentionExplorer.loadModel,
    }));
    assert.equal(state.loadModel, 'function');
    assert.equal(state.modelCore, 'undefined', 'no model module before it is asked for');
    assert.equal(state.vocabulary, null, 'no weights before they are asked for');
    assert.ok(!state.scripts.includes('weights-brown.js') && !state.scripts.includes('attn-model-core.js'),
      `no model script tag yet: ${state.scripts.join(', ')}`);

    const got = await page.evaluate(async (texts) => {
      const model = await window.AttentionExplorer.loadModel('brown');
      const runs = texts.map((t) => {
        const r = model.run(t);
        return Object.assign({}, r, {
          layers: r.layers.map((l) => ({ heads: l.heads.map((h) => Object.assign({}, h, { weights: h.weights.map((row) => Array.from(row)) })) })),
        });
      });
      model.destroy();
      return { runs, scripts: Array.from(document.scripts).map((s) => s.src.split('/').pop()) };
    }, TEXTS);
    assert.ok(got.scripts.includes('attn-model-core.js') && got.scripts.includes('weights-brown.js'),
      `the model arrived by <script> tags: ${got.scripts.join(', ')}`);
    TEXTS.forEach((text, k) => {
      const want = cliJson(text), mine = got.runs[k];
      for (const key of ['tokens', 'ids', 'vocab_words', 'unknown', 'total_tokens', 'truncated']) {
        assert.deepEqual(mine[key], want[key], `${where}: ${key} of "${text}"`);
      }
      let worst = 0;
      want.layers.forEach((layer, l) => layer.heads.forEach((head, h) => {
        worst = Math.max(worst, maxDiff(mine.layers[l].heads[h].weights.flat(), head.weights.flat()));
      }));
      assert.ok(worst <= 1e-5, `${where}: every head's weights within 1e-5 (${worst})`);
      assert.deepEqual(mine.next.map((x) => x.word), want.next.map((x) => x.word), `${where}: the 10 next words of "${text}"`);
      const rel = Math.max(...mine.next.map((x, i) => Math.abs(x.prob - want.next[i].prob) / want.next[i].prob));
      assert.ok(rel <= 1e-4, `${where}: next-word probabilities within 1e-4, relative (${rel})`);
    });
    assert.deepEqual(got.runs[0].unknown.map((i) => got.runs[0].tokens[i]), ['trophy', 'suitcase']);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}
