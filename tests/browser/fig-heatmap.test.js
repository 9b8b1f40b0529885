// Figure 1.1 in Chromium: hover, tap and keys choose the focal token; "it" looks at "trophy";
// the weights shown agree with the native CLI's model and sum to 1; a hover costs at most two
// WASM calls (the model is cached); the sentence is editable; user text stays text.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, open, shot, figureReady, mountAll, spoken, LESSON, openLesson } = require('./harness.js');
const { cliModel, assertRowShown } = require('./reference.js');

const FIG = '[data-figure="heatmap"]';
let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

const ready = (page) => figureReady(page, FIG);

async function chips(fig) {
  return fig.locator('[data-token-index]').evaluateAll((els) => els.map((e) => ({
    text: e.dataset.text, weight: e.dataset.weight, pressed: e.getAttribute('aria-pressed') })));
}

function argmax(list) {
  return list.reduce((best, c, i) => (Number(c.weight) > Number(list[best].weight) ? i : best), 0);
}

test('hovering "it" puts the largest weight on "trophy"; the weights sum to 1', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await fig.locator('[data-token-index]', { hasText: /^it/ }).first().hover();
  const list = await chips(fig);
  assert.equal(list.length, 13);
  assert.equal(list.find((c) => c.pressed === 'true').text, 'it');
  assert.equal(list[argmax(list)].text, 'trophy');
  const trophy = Number(list[1].weight), suitcase = Number(list[6].weight);
  assert.ok(trophy >= 0.5 && trophy - suitcase >= 0.15, `trophy ${trophy} vs suitcase ${suitcase}`);
  const sum = list.reduce((s, c) => s + Number(c.weight), 0);
  assert.ok(Math.abs(sum - 1) <= 0.005, `sum ${sum}`);
  // the weights shown are the model's: the native build of the same C, in another process
  const ref = cliModel("The trophy didn't fit in the suitcase because it was too big.");
  assert.deepEqual(list.map((c) => c.text), ref.tokens);
  assertRowShown(list.map((c) => c.weight), ref.heads[0].weights[8], 3, 'row of "it"');
  assert.match(await fig.innerText(), /add up to 1\.000/);
  await shot(page, 'fig-heatmap-1280', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('hovering another word moves the focus; its row differs', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const before = (await chips(fig)).map((c) => c.weight);
  await fig.locator('[data-token-index="3"]').hover();
  const after = await chips(fig);
  assert.equal(after[3].pressed, 'true');
  assert.notDeepEqual(after.map((c) => c.weight), before);
  await page.context().close();
});

test('a hover computes nothing again: at most 2 WASM calls, the same cached model, the right top three', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  // other figures mount as the reader scrolls or acts: count this figure's calls only once
  // every figure is mounted
  await mountAll(page);
  const calls = () => page.evaluate(async () => (await window.AttentionExplorer.loadCore()).callCount());
  const ref = cliModel("The trophy didn't fit in the suitcase because it was too big.");
  await page.evaluate(async () => {   // the model object the figure draws from, to check it is reused
    const core = await window.AttentionExplorer.loadCore();
    window.firstModel = core.model(window.AttentionExplorer.page.heatmap.state.text, { temperature: 1, parts: ['weights'] });
  });
  for (const i of [3, 1, 6, 12, 8]) {
    const before = await calls();
    await fig.locator(`[data-token-index="${i}"]`).hover();
    await page.waitForSelector(`${FIG}[data-focus="${i}"]`);
    const used = (await calls()) - before;
    assert.ok(used >= 1 && used <= 2, `hover on token ${i}: ${used} WASM calls (at most 2)`);
    const list = await chips(fig);
    assertRowShown(list.map((c) => c.weight), ref.heads[0].weights[i], 3, `row ${i}`);
    // the summary names the three largest weights of the reference row, largest first
    const row = ref.heads[0].weights[i];
    const top = row.map((w, j) => j).sort((a, b) => row[b] - row[a] || a - b).slice(0, 3).map((j) => ref.tokens[j]);
    const summary = await fig.locator('.ae-summary:not(.ae-head-line)').textContent();
    const named = summary.replace(/^.*? looks at /, '').split(', ').map((part) => part.replace(/ \d\.\d{3}\.?.*$/, ''));
    assert.deepEqual(named.slice(0, 3), top, `top three of ${ref.tokens[i]}: ${summary}`);
  }
  assert.equal(await page.evaluate(async () => {
    const core = await window.AttentionExplorer.loadCore();
    return core.model(window.AttentionExplorer.page.heatmap.state.text, { temperature: 1, parts: ['weights'] }) === window.firstModel;
  }), true, 'the model result is cached, not recomputed');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('keyboard only: Tab reaches the chips, arrows move the focal token', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await page.mouse.move(0, 0);
  // Tab from the top of the page until a chip of Figure 1.1 has focus
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => !!document.activeElement.closest('[data-figure="heatmap"] .ae-tokens'))) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement.dataset.text), 'it', 'the focal chip is the tab stop');
  await page.keyboard.press('ArrowLeft');
  let list = await chips(fig);
  assert.equal(list.find((c) => c.pressed === 'true').text, 'because');
  await page.keyboard.press('Home');
  list = await chips(fig);
  assert.equal(list.find((c) => c.pressed === 'true').text, 'The');
  await page.keyboard.press('End');
  list = await chips(fig);
  assert.equal(list.find((c) => c.pressed === 'true').text, '.');
  // the live region tells screen readers the top three
  assert.match(await spoken(fig, /^\. attends/), /^\. attends most to .+ \d\.\d{3}, .+, .+\.$/);
  await page.context().close();
});

test('touch: tapping a chip selects it (375 px wide)', async () => {
  const page = await openLesson(browser, LESSON, { viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true });
  const fig = await ready(page);
  await fig.locator('[data-token-index="6"]').tap();
  const list = await chips(fig);
  assert.equal(list[6].pressed, 'true');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scroll');
  await shot(page, 'fig-heatmap-375', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('editing the sentence: new tokens, markup stays text, empty text gets a note', async () => {
  const page = await openLesson(browser, LESSON, { colorScheme: 'dark' });
  const fig = await ready(page);
  const input = fig.locator('[data-control="text"]');
  await input.fill('The queen thanked the king because she was kind.');
  let list = await chips(fig);
  assert.equal(list.length, 10);
  await fig.locator('[data-token-index="6"]').hover();   // she
  list = await chips(fig);
  assert.equal(list[argmax(list)].text, 'queen');
  await input.fill('<img src=x onerror="window.pwned=1"> it');
  assert.equal(await fig.locator('img').count(), 0, 'no element was created from the text');
  assert.ok((await chips(fig)).some((c) => c.text === '<'));
  await input.fill('   ');
  assert.match(await fig.locator('.ae-note').textContent(), /Type a sentence/);
  await input.fill('It works again.');
  assert.equal((await chips(fig)).length, 4);
  assert.equal(await fig.locator('.ae-note').textContent(), '');
  await shot(page, 'fig-heatmap-dark', fig);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
