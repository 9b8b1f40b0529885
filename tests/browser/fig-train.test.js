// Figure 2.3 in Chromium: nothing of the model loads or trains at page load; Start trains in
// slices while Figure 1.1 still answers a hover; Pause stops and stays stopped; training reaches
// the phase change (the hooks: scores rise, the repeated half's loss falls below the first
// half's, the status names the step and the seconds); switching heads off one at a time finds one that collapses the copying;
// the switches are independent: seed 1's two layer-1 induction heads off together collapse the
// repeated half's advantage, and one of them back on restores part of it; Reset starts
// afresh with no memory left behind; the seed travels in the link and as a component attribute,
// and a removed component frees its job. Waits on hooks only (data-step, data-state ...).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { launch, open, shot, frames, LESSON, ROOT, openLesson } = require('./harness.js');

const FIG = '[data-figure="train"]';
const TRAIN_TIMEOUT = 240000;   // the run takes seconds on a quiet machine, a minute on a loaded one
let browser, dir;

test.before(async () => {
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-train-'));
  for (const f of ['attention-figures.js', 'attn-core.js', 'attn-model-core.js']) fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'page.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>train component</title><link rel="icon" href="data:,">
<script src="attention-figures.js"></script></head><body><main id="main">
<attention-figure id="t" figure="train" seed="3"></attention-figure></main></body></html>
`);
});
test.after(async () => {
  if (browser) await browser.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const data = (page) => page.locator(FIG).evaluate((r) => Object.assign({}, r.dataset));
const heads = (page) => page.locator(FIG).evaluate((r) => Array.from(r.querySelectorAll('.ae-train-head'),
  (h) => ({ layer: Number(h.dataset.layer), head: Number(h.dataset.head), score: Number(h.dataset.prefixMatch) })));
const stepOf = async (page) => Number((await data(page)).step);
const waitStep = (page, n) => page.waitForFunction(([sel, k]) => Number(document.querySelector(sel).dataset.step) >= k,
  [FIG, n], { timeout: TRAIN_TIMEOUT });
const heapInUse = (page) => page.evaluate(async () => (await window.AttentionExplorer.loadModelCore())._attn_heap_in_use());

test('Start trains to the phase change in slices; Figure 1.1 answers meanwhile; Pause, ablation and Reset work', async () => {
  const page = await openLesson(browser, LESSON);
  await page.waitForSelector('[data-figure="heatmap"][data-ready="true"]');
  await page.waitForSelector(FIG + '[data-ready="true"]');
  // at load: the figure is far down the page, so the model module is not even loaded
  assert.equal(await page.evaluate(() => typeof window.AttnModelCore), 'undefined', 'no model module at page load');
  assert.equal((await data(page)).step, '0');
  // near the screen it loads and shows the untrained model, but does not train
  await page.locator(FIG).scrollIntoViewIfNeeded();
  await page.waitForSelector(FIG + ' .ae-train-head[data-prefix-match]');
  const before = await heads(page);
  await shot(page, 'fig-train-1280-before', page.locator(FIG));
  await frames(page, 10);
  assert.equal(await stepOf(page), 0, 'nothing trains before Start');
  assert.equal((await data(page)).state, 'idle');
  const untrained = Math.max(...before.filter((h) => h.layer === 1).map((h) => h.score));
  assert.ok(untrained < 0.2, `untrained scores are low (${untrained})`);

  await page.click(FIG + ' [data-control="train"]');
  await waitStep(page, 20);
  assert.equal((await data(page)).state, 'running');
  // Figure 1.1 answers a hover while training runs
  const heat = page.locator('[data-figure="heatmap"]');
  await heat.scrollIntoViewIfNeeded();
  await heat.locator('[data-token-index="1"]').hover();
  await page.waitForSelector('[data-figure="heatmap"] [data-token-index="1"][aria-pressed="true"]');
  await heat.locator('[data-token-index="8"]').hover();
  await page.waitForSelector('[data-figure="heatmap"] [data-token-index="8"][aria-pressed="true"]');
  const during = await stepOf(page);
  assert.ok(during >= 20, 'training went on meanwhile');

  // Pause stops within a slice: the step shown is the job's, and it stays there
  await page.locator(FIG).scrollIntoViewIfNeeded();
  await page.click(FIG + ' [data-control="pause"]');
  await page.waitForSelector(FIG + '[data-state="paused"]');
  const paused = await stepOf(page);
  await frames(page, 20);
  assert.equal(await stepOf(page), paused, 'no step after Pause');
  assert.equal(await page.evaluate((sel) => window.AttentionExplorer.page.train.job.steps, FIG), paused, 'the job stopped where the figure says');

  // Resume: on to the phase change (the figure would train 150 steps more and stop by itself;
  // the test pauses there to keep its time down on a loaded machine)
  await page.click(FIG + ' [data-control="train"]');
  await page.waitForSelector(FIG + '[data-phase-step]', { timeout: TRAIN_TIMEOUT });
  await page.click(FIG + ' [data-control="pause"]');
  await page.waitForSelector(FIG + '[data-state="paused"]');
  const done = await data(page);
  const after = await heads(page);
  await shot(page, 'fig-train-1280-phase', page.locator(FIG));
  const best = Math.max(...after.filter((h) => h.layer === 1).map((h) => h.score));
  console.log(`  phase change at step ${done.phaseStep}; paused at ${done.step}; first half ${done.lossFirst}, repeated half ${done.lossRepeat}; best layer-1 score ${best}`);
  assert.ok(Number(done.phaseStep) > 100 && Number(done.phaseStep) <= Number(done.step), 'a phase change, before now');
  assert.ok(best > 0.3 && best > 3 * untrained, `a layer-1 score rose: ${untrained} -> ${best}`);
  assert.ok(Number(done.lossRepeat) < Number(done.lossFirst) - 0.5, `repeated half ${done.lossRepeat} < first half ${done.lossFirst}`);
  assert.match(await page.locator(FIG + ' .ae-train-status').textContent(), new RegExp(`Phase change at step ${done.phaseStep}, after [0-9.]+ s`));
  await shot(page, 'fig-train-1280-after', page.locator(FIG));

  // switch each head off and on again in turn: off, its score shows 0, and one of them takes
  // the advantage away; pressing it again switches it back on
  const toggleOf = (layer, head) => page.locator(`${FIG} [data-control="ablate"][data-layer="${layer}"][data-head="${head}"]`);
  const off = [];
  for (const { layer, head } of after) {
    const toggle = toggleOf(layer, head);
    await toggle.click();
    await page.waitForSelector(`${FIG}[data-ablate="${layer}.${head}"]`);
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    const d = await data(page);
    const card = await page.locator(`${FIG} .ae-train-head[data-layer="${layer}"][data-head="${head}"]`).getAttribute('data-prefix-match');
    assert.equal(Number(card), 0, `L${layer}H${head} switched off scores 0`);
    off.push({ layer, head, first: Number(d.lossFirst), repeat: Number(d.lossRepeat) });
    await toggle.click();
    await page.waitForSelector(`${FIG}[data-ablate=""]`);
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  }
  const worst = off.reduce((a, b) => (b.repeat > a.repeat ? b : a));
  console.log('  switched off: ' + off.map((o) => `L${o.layer}H${o.head} ${o.repeat}`).join(', '));
  assert.ok(worst.repeat > worst.first - 1, `L${worst.layer}H${worst.head} off: repeated ${worst.repeat} vs first ${worst.first}`);
  assert.equal((await data(page)).lossRepeat, done.lossRepeat, 'all heads on again: the same repeated-half loss');

  // the switches are independent: the two layer-1 heads with the highest scores (seed 1 grows
  // two induction heads, L1H0 and L1H1) off together. Either alone leaves the repeated half
  // easier (the other copies); both off, it is no longer clearly below the first half
  const [i1, i2] = after.filter((h) => h.layer === 1).sort((a, b) => b.score - a.score).map((h) => h.head);
  const alone = [i1, i2].map((h) => off.find((o) => o.layer === 1 && o.head === h));
  await toggleOf(1, i1).click();
  await toggleOf(1, i2).click();
  const pair = [i1, i2].sort((a, b) => a - b).map((h) => `1.${h}`).join(' ');
  await page.waitForSelector(`${FIG}[data-ablate="${pair}"]`);
  assert.equal(await toggleOf(1, i1).getAttribute('aria-pressed'), 'true');
  assert.equal(await toggleOf(1, i2).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator(`${FIG} [data-control="ablate"][aria-pressed="true"]`).count(), 2, 'two heads off, the rest on');
  const both = await data(page);
  const line = await page.locator(FIG + ' .ae-train-ablate').textContent();
  console.log(`  L1H${i1} + L1H${i2} off: first half ${both.lossFirst}, repeated half ${both.lossRepeat} ` +
    `(alone: ${alone.map((o) => o.repeat).join(' / ')}); "${line}"`);
  assert.deepEqual([i1, i2].sort(), [0, 1], 'seed 1: the induction heads are L1H0 and L1H1');
  alone.forEach((o) => assert.ok(o.repeat < o.first - 0.5, `L1H${o.head} alone off: the other still copies (${o.repeat} vs ${o.first})`));
  assert.ok(Number(both.lossRepeat) > Number(both.lossFirst) - 0.3,
    `both off: repeated half ${both.lossRepeat} no longer clearly below first half ${both.lossFirst}`);
  assert.match(line, new RegExp(`^L1 H${Math.min(i1, i2)} and L1 H${Math.max(i1, i2)} switched off: first half ${both.lossFirst}, repeated half ${both.lossRepeat} nats\\. ` +
    `With every head on: first half ${done.lossFirst}, repeated half ${done.lossRepeat}\\. Now the repeated half is no easier than the first`));
  await shot(page, 'fig-train-1280-ablate-two', page.locator(FIG));
  // one of them back on restores part of the advantage, not all of it
  await toggleOf(1, i1).click();
  await page.waitForSelector(`${FIG}[data-ablate="1.${i2}"]`);
  const one = await data(page);
  assert.equal(await toggleOf(1, i2).getAttribute('aria-pressed'), 'true', 'the other head stays off');
  assert.ok(Number(one.lossRepeat) < Number(one.lossFirst) - 0.4 && Number(one.lossRepeat) < Number(both.lossRepeat) - 0.4,
    `L1H${i1} back on: repeated half ${one.lossRepeat} (both off ${both.lossRepeat}, first half ${one.lossFirst})`);
  assert.ok(Number(one.lossRepeat) > Number(done.lossRepeat), `only part of it: ${one.lossRepeat} > ${done.lossRepeat} with every head on`);
  await toggleOf(1, i2).click();
  await page.waitForSelector(`${FIG}[data-ablate=""]`);
  assert.equal((await data(page)).lossRepeat, done.lossRepeat, 'all heads on again: the same repeated-half loss');

  // Reset frees the job and makes a new one; doing it twice leaves the heap where it was
  await page.click(FIG + ' [data-control="reset"]');
  await page.waitForSelector(FIG + '[data-state="idle"][data-step="0"]');
  assert.equal((await data(page)).phaseStep, undefined);
  const afterReset = await heapInUse(page);
  await page.click(FIG + ' [data-control="train"]');
  await waitStep(page, 5);
  await page.click(FIG + ' [data-control="reset"]');
  await page.waitForSelector(FIG + '[data-state="idle"][data-step="0"]');
  assert.equal(await heapInUse(page), afterReset, 'a reset job leaves nothing allocated');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the seed travels in the link; a bad seed gets a note', async () => {
  const page = await openLesson(browser, LESSON.replace('?autorun=0', '?autorun=0#train.seed=42'));
  await page.waitForSelector(FIG + '[data-seed="42"]');
  assert.equal(await page.locator(FIG + ' [data-control="seed"]').inputValue(), '42');
  // a new seed in the field: the run starts afresh and the address follows
  await page.locator(FIG + ' [data-control="seed"]').fill('7');
  await page.locator(FIG + ' [data-control="seed"]').press('Enter');
  await page.waitForSelector(FIG + '[data-seed="7"]');
  await page.waitForFunction(() => /train\.seed=7/.test(location.hash));
  await page.context().close();
  const bad = await openLesson(browser, LESSON.replace('?autorun=0', '?autorun=0#train.seed=banana'));
  await bad.waitForSelector(FIG + '[data-seed="1"]');
  assert.match(await bad.locator(FIG + ' .ae-url-note').textContent(), /Seed "banana"/);
  await bad.context().close();
});

test('as a component from file://: the seed attribute, training, and removal frees the job', async () => {
  const page = await open(browser, 'file://' + path.join(dir, 'page.html'), { viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true });
  await page.waitForSelector('#t ' + FIG + '[data-seed="3"] .ae-train-head[data-prefix-match]');
  const before = await page.evaluate(async () => {
    const M = await window.AttentionExplorer.loadModelCore();
    return M._attn_heap_in_use();
  });
  await page.locator('#t [data-control="train"]').click();
  await page.waitForFunction(() => Number(document.getElementById('t').shadowRoot.querySelector('[data-figure]').dataset.step) >= 30,
    null, { timeout: TRAIN_TIMEOUT });
  await shot(page, 'fig-train-390-mid', page.locator('#t'));
  // two heads off at once on a phone: the switches and the line below fit
  await page.locator('#t [data-control="ablate"][data-layer="1"][data-head="0"]').click();
  await page.locator('#t [data-control="ablate"][data-layer="1"][data-head="1"]').click();
  await page.waitForFunction(() => document.getElementById('t').shadowRoot.querySelector('[data-figure]').dataset.ablate === '1.0 1.1');
  await page.locator('#t [data-control="pause"]').click();
  await shot(page, 'fig-train-390-ablate-two', page.locator('#t'));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scroll at 390 px (${width})`);
  const job = await page.evaluateHandle(() => document.getElementById('t').instance.job);
  await page.evaluate(() => document.getElementById('t').remove());
  assert.equal(await job.evaluate((j) => j.destroyed), true, 'removing the element destroys the job');
  const after = await page.evaluate(async () => (await window.AttentionExplorer.loadModelCore())._attn_heap_in_use());
  assert.ok(after < before, `the job's buffers are freed (${before} -> ${after} bytes)`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
