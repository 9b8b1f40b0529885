// Figure 4.2 in Chromium from file://: the trained model loads only when the figure scrolls into
// view; ten steps grow the attention rows, the KV cache and the plot; the words, the shown
// candidates and their probabilities are what `build/attn --model brown --generate` (native C)
// prints for the same prompt, seed and temperature; C's sum of the probabilities over the
// vocabulary is 1; the cache switch runs the other C path to the same words; a link replays a
// seeded text; bad prompts and the full context get notes; embed.html and <attention-figure>.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { launch, open, shot, fileUrl, LESSON, ROOT, openLesson } = require('./harness.js');

const CLI = path.join(ROOT, 'build', 'attn');
const FIG = '[data-figure="generate"]';
const PROMPT = 'She opened the door and';

function cli(prompt, steps, seed, temperature, extra = []) {
  const r = spawnSync(CLI, ['--model', 'brown', '--generate', String(steps), '--seed', String(seed), '--temperature',
    String(temperature), ...extra, '--json', prompt], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { if (browser) await browser.close(); });

// Clicks Step and waits for the figure to show that many words written.
async function step(page, root, times) {
  for (let i = 0; i < times; i++) {
    const before = Number(await root.getAttribute('data-step'));
    await root.locator('[data-control="step"]').click();
    await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).dataset.step) === n, [FIG, before + 1]);
  }
}

const shownWords = (root) => root.locator('.ae-gen-new').allTextContents();

test('lazy model, ten steps: rows, cache, probabilities and candidates as the native CLI', async () => {
  const page = await openLesson(browser, LESSON);
  const root = page.locator(FIG);
  await page.waitForSelector(FIG + '[data-ready="true"]', { state: 'attached' });
  const idle = await page.evaluate(() => ({ model: document.querySelector('[data-figure="generate"]').dataset.model,
    core: typeof window.AttnModelCore, scripts: Array.from(document.scripts).map((s) => s.src.split('/').pop()) }));
  assert.equal(idle.model, 'idle', 'no model at page load');
  assert.equal(idle.core, 'undefined');
  assert.ok(!idle.scripts.includes('weights-brown.js'), 'no weights script at page load');

  await root.scrollIntoViewIfNeeded();
  await page.waitForSelector(FIG + '[data-model="loaded"]', { state: 'attached' });
  const want = cli(PROMPT, 10, 1, 0.8);
  await step(page, root, 10);
  assert.deepEqual(await shownWords(root), want.generated, 'the words of the native CLI (seed 1, T 0.8)');

  // rows: <s> + 5 prompt words + 10 written; the last written word is not read yet -> 15 rows
  const n = want.ids.length + 10 - 1;
  const cells = await root.locator('.ae-gen-cell[data-row]').evaluateAll((cs) => cs.map((c) => [Number(c.dataset.row), Number(c.dataset.col), c.dataset.weight]));
  assert.equal(cells.length, n * (n + 1) / 2, 'a lower triangle of n(n+1)/2 cells');
  assert.ok(cells.every(([r, c, w]) => c <= r && /^\d\.\d{3}$/.test(w)), 'only cells at or below the diagonal, weights printed by C');
  assert.equal(Math.max(...cells.map(([r]) => r)), n - 1);
  const lastRow = cells.filter(([r]) => r === n - 1).map(([, , w]) => Number(w));
  assert.ok(Math.abs(lastRow.reduce((a, b) => a + b, 0) - 1) < 0.01, 'the newest row adds up to 1 (to print rounding)');

  const last = want.steps[9];
  assert.equal(await root.getAttribute('data-cache-rows'), String(last.cache_rows));
  assert.equal(last.cache_rows, n);
  const stacks = await root.locator('.ae-gen-stack').evaluateAll((s) => s.map((x) => x.dataset.cacheRows));
  assert.equal(stacks.length, 8, 'K and V stacks for 4 layers');
  assert.ok(stacks.every((r) => r === String(n)));
  assert.match(await root.locator('.ae-gen-cache-line').textContent(), new RegExp(`${last.cache_bytes} bytes`));

  // C's sum over the vocabulary, as the figure prints it, and the native one
  const sum = Number(await root.getAttribute('data-prob-sum'));
  assert.ok(Math.abs(sum - 1) <= 1e-4 && Math.abs(last.prob_sum - 1) <= 1e-4, `sums: page ${sum}, CLI ${last.prob_sum}`);
  const shown = await root.locator('tr[data-prob]').evaluateAll((rs) => rs.map((r) => ({ word: r.dataset.word, prob: Number(r.dataset.prob) })));
  assert.ok(shown.length >= 8);
  shown.slice(0, 8).forEach((c, i) => {
    assert.equal(c.word, last.top[i].word, `candidate ${i}`);
    assert.ok(Math.abs(c.prob - last.top[i].prob) <= 0.0006, `candidate ${i}: ${c.prob} vs ${last.top[i].prob}`);
  });
  assert.equal(await root.locator('.ae-gen-chosen').getAttribute('data-word'), last.word, 'the drawn word is marked');

  // the cache off: the full recompute, the same next word as the CLI's --no-cache, cache empty
  await root.locator('[data-control="cache"]').click();
  assert.equal(await root.locator('[data-control="cache"]').getAttribute('aria-pressed'), 'false');
  const noCache = cli(PROMPT, 11, 1, 0.8, ['--no-cache']);
  await step(page, root, 1);
  assert.deepEqual(await shownWords(root), noCache.generated);
  assert.equal(await root.getAttribute('data-cache-rows'), '0');
  assert.match(await root.locator('.ae-gen-plot-note').textContent(), /full path/);
  assert.equal(await root.locator('circle.ae-gen-full').count(), 2, 'one measured time and one count mark for the full step');

  // Reset and the same ten steps again: the same words (seeded)
  await root.locator('[data-control="reset"]').click();
  await page.waitForFunction((sel) => document.querySelector(sel).dataset.step === '0', FIG);
  await root.locator('[data-control="cache"]').click();
  await step(page, root, 10);
  assert.deepEqual(await shownWords(root), want.generated, 'reset + the same seed: the same text');
  await shot(page, 'fig-generate-1280', root);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a link replays the seeded text; greedy (temperature 0); 390 px without overflow', async () => {
  const page = await openLesson(browser, LESSON + '#generate.seed=3&generate.step=4&generate.text=It%20was&view=generate',
    { viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true });
  const root = page.locator(FIG);
  await page.waitForFunction((sel) => document.querySelector(sel).dataset.step === '4', FIG);
  assert.deepEqual(await shownWords(root), cli('It was', 4, 3, 0.8).generated, 'the shared link\'s four words');
  assert.equal(await root.locator('[data-control="seed"]').inputValue(), '3');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal overflow at 390 px (${overflow})`);
  // the slider at 0 is greedy
  await root.locator('[data-control="temperature"]').fill('0');
  await page.waitForFunction((sel) => document.querySelector(sel).dataset.temperature === '0', FIG);
  await step(page, root, 3);
  assert.deepEqual(await shownWords(root), cli('It was', 3, 3, 0).generated, 'greedy');
  await page.waitForFunction(() => /generate\.greedy=true/.test(location.hash));
  await shot(page, 'fig-generate-390', root);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a first Step loads the model and writes; bad prompts and the full context get notes; Play stops there', async () => {
  const page = await openLesson(browser, LESSON);
  const root = page.locator(FIG);
  await page.waitForSelector(FIG + '[data-ready="true"]', { state: 'attached' });
  await root.locator('[data-control="step"]').click();
  await page.waitForFunction((sel) => document.querySelector(sel).dataset.step === '1', FIG);
  assert.deepEqual(await shownWords(root), cli(PROMPT, 1, 1, 0.8).generated, 'Step before the model: it loads, then writes');
  const input = root.locator('[data-control="text"]');
  const note = root.locator('.ae-note').first();
  await input.fill('');
  await page.waitForFunction((sel) => /empty/.test(document.querySelector(sel + ' .ae-note').textContent), FIG);
  await step(page, root, 1);
  assert.deepEqual(await shownWords(root), cli('', 1, 1, 0.8).generated, 'an empty prompt starts from <s>');
  await input.fill('Xyzzy Plugh');
  await page.waitForFunction((sel) => /None of these words/.test(document.querySelector(sel + ' .ae-note').textContent), FIG);
  assert.match(await note.textContent(), /<unk-cap>/);
  await input.fill(Array.from({ length: 70 }, () => 'the').join(' '));
  await page.waitForFunction((sel) => /too long/.test(document.querySelector(sel + ' .ae-note').textContent), FIG);
  assert.match(await note.textContent(), /70 words/);
  assert.equal(await root.locator('[data-control="step"]').isDisabled(), true);
  // 60 words: four steps fill the 64 positions; Play writes them and stops with a note
  const sixty = Array.from({ length: 60 }, (_, i) => (i % 2 ? 'said' : 'the')).join(' ');
  await input.fill(sixty);
  await page.waitForFunction((sel) => document.querySelector(sel + ' .ae-note').textContent === '', FIG);
  await root.locator('[data-control="play"]').click();
  await page.waitForFunction((sel) => /context is full/.test(document.querySelector(sel + ' .ae-note').textContent), FIG);
  assert.equal(await root.getAttribute('data-step'), '4');
  assert.equal(await root.locator('[data-control="play"]').getAttribute('aria-pressed'), 'false');
  assert.equal(await root.getAttribute('data-cache-rows'), '64');
  assert.deepEqual(await shownWords(root), cli(sixty, 10, 1, 0.8).generated);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('embedded: embed.html and <attention-figure figure="generate" seed="2">', async () => {
  const want = cli('The jury said', 3, 2, 0.5);
  const page = await open(browser, fileUrl('web/embed.html') + '?figure=generate&text=The%20jury%20said&seed=2&t=0.5');
  const root = page.locator('#figure');
  await page.waitForSelector('#figure[data-ready="true"]');
  await page.waitForSelector('#figure[data-model="loaded"]', { state: 'attached' });
  for (let i = 0; i < 3; i++) {
    await root.locator('[data-control="step"]').click();
    await page.waitForFunction((n) => document.getElementById('figure').dataset.step === String(n), i + 1);
  }
  assert.deepEqual(await root.locator('.ae-gen-new').allTextContents(), want.generated);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  // the one-script bundle in a page of its own, from file://
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-gen-'));
  try {
    fs.cpSync(path.join(ROOT, 'dist'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'course.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>course</title>' +
      '<script src="attention-figures.js"></script></head><body>' +
      '<attention-figure figure="generate" text="The jury said" seed="2" temperature="0.5"></attention-figure></body></html>');
    const p2 = await open(browser, 'file://' + path.join(dir, 'course.html'));
    const fig = p2.locator('attention-figure [data-figure="generate"]');
    await p2.waitForFunction(() => {
      const r = document.querySelector('attention-figure').shadowRoot.querySelector('[data-figure="generate"]');
      return r && r.dataset.model === 'loaded';
    });
    for (let i = 0; i < 3; i++) {
      await fig.locator('[data-control="step"]').click();
      await p2.waitForFunction((n) => document.querySelector('attention-figure').shadowRoot
        .querySelector('[data-figure="generate"]').dataset.step === String(n), i + 1);
    }
    assert.deepEqual(await fig.locator('.ae-gen-new').allTextContents(), want.generated, 'the component, the same words');
    assert.deepEqual(p2.problems, []);
    await p2.context().close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
