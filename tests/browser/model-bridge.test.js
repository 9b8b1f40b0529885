// The model bridge in Chromium, from file:// under the pages' Content-Security-Policy: nothing of
// the model is loaded until asked; then the model module and a weights script arrive by <script>
// tags, the C loader validates the file, and the forward pass gives the native build's logits;
// a training job steps in the page as it does natively; a missing weights script is an error
// the page can show, not a hang.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { launch, open, ROOT } = require('./harness.js');

const NATIVE = path.join(ROOT, 'build', 'native_gpt');
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; connect-src data:; object-src 'none'; base-uri 'none'; form-action 'none'";
const TOKENS = [0, 5, 9, 3, 12, 7, 5, 9, 3];
const RUN = ['seed=4', 'batch=4', 'steps=3'];

let browser, dir;
test.before(async () => {
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-model-page-'));
  for (const f of ['attn-model-bridge.js', 'attn-model-core.js']) fs.copyFileSync(path.join(ROOT, 'web', f), path.join(dir, f));
  const bin = path.join(dir, 'tiny.bin');
  const r = spawnSync(NATIVE, ['train', ...RUN, `save=${bin}`, 'format=int8'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const w = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'wrap_weights.js'), bin, path.join(dir, 'weights-tiny.js'), 'tiny'], { encoding: 'utf8' });
  assert.equal(w.status, 0, w.stderr);
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}"><title>model bridge</title>
<script src="attn-model-bridge.js"></script></head><body><p>model bridge test page</p></body></html>\n`);
});
test.after(async () => {
  if (browser) await browser.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function native(args) {
  const r = spawnSync(NATIVE, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const maxDiff = (a, b) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

test('from file://, the model module and weights load only when asked, and predict as natively', async () => {
  const page = await open(browser, 'file://' + path.join(dir, 'index.html'));
  const before = await page.evaluate(() => ({
    scripts: Array.from(document.scripts).map((s) => s.src.split('/').pop()),
    core: typeof window.AttnModelCore,
  }));
  assert.deepEqual(before, { scripts: ['attn-model-bridge.js'], core: 'undefined' });
  const got = await page.evaluate(async (tokens) => {
    const AE = window.AttentionExplorer;
    const M = await AE.loadModelCore();
    const bytes = await AE.loadWeights('tiny');
    const model = AE.createGptModel(M, bytes);
    const out = model.forward(tokens);
    const result = { config: model.config, format: model.format, logits: Array.from(out.logits),
      probs: Array.from(out.probs), head: out.weights[1][0].map((r) => Array.from(r)).flat(),
      scripts: Array.from(document.scripts).map((s) => s.src.split('/').pop()) };
    model.destroy();
    return result;
  }, TOKENS);
  const want = native(['forward', path.join(dir, 'tiny.bin'), TOKENS.join(',')]);
  assert.deepEqual(got.scripts, ['attn-model-bridge.js', 'attn-model-core.js', 'weights-tiny.js']);
  assert.equal(got.format, 'int8');
  assert.deepEqual(Object.values(got.config), want.config);
  assert.ok(maxDiff(got.logits, want.logits) <= 1e-5, `logits: max diff ${maxDiff(got.logits, want.logits)}`);
  assert.ok(maxDiff(got.probs, want.probs) <= 1e-6, 'probabilities');
  assert.ok(maxDiff(got.head, want.weights[1][0]) <= 1e-6, 'layer 1 head 0 weights');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a training job steps in the page and gives the native losses; a missing weights script rejects', async () => {
  const page = await open(browser, 'file://' + path.join(dir, 'index.html'));
  const got = await page.evaluate(async () => {
    const AE = window.AttentionExplorer;
    const M = await AE.loadModelCore();
    const job = AE.createTrainingJob(M, { task: 'induction', seed: 4, batch: 4 });
    const losses = [...job.step(2).losses, ...job.step(1).losses];
    job.destroy();
    let missing = null;
    try { await AE.loadWeights('absent'); } catch (e) { missing = e.message; }
    return { losses: Array.from(losses), missing };
  });
  const want = native(['train', ...RUN]);
  assert.ok(maxDiff(got.losses, want.losses) <= 1e-5, `losses ${got.losses} vs ${want.losses}`);
  assert.match(got.missing, /"absent" did not load/);
  // the failed script load is the browser's own console error; nothing else went wrong
  assert.deepEqual(page.problems.filter((p) => !/weights-absent\.js|ERR_FILE_NOT_FOUND/.test(p)), []);
  await page.context().close();
});
