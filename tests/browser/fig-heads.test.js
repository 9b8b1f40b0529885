// Figure 2.1 in Chromium: four designed heads of the C model on the trophy sentence. The picker
// and the small maps switch heads; each head's matrix rows sum to 1 and show its habit
// (previous word: one step back; start of sentence: column 0); keys, taps and the live region work.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, open, shot, figureReady, spoken, LESSON, openLesson } = require('./harness.js');
const { cliModel, assertRowShown } = require('./reference.js');

const FIG = '[data-figure="heads"]';
const N = 13;   // tokens of the trophy sentence
// Each shown weight is rounded to 3 decimals (error <= 0.0005), so a row of 13 shown
// weights may miss 1 by up to 13 * 0.0005; the reference rows' own sums are checked below.
const SHOWN_SUM_TOL = N * 0.0005 + 1e-9;

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

const ready = (page) => figureReady(page, FIG);

// The matrix as rows of numbers, read from data-row / data-col / data-weight.
async function matrix(fig) {
  const cells = await fig.locator('td[data-row]').evaluateAll((els) =>
    els.map((e) => [Number(e.dataset.row), Number(e.dataset.col), e.dataset.weight]));
  const rows = Array.from({ length: N }, () => new Array(N).fill(null));
  cells.forEach(([i, j, w]) => { rows[i][j] = w; });
  return { count: cells.length, rows };
}

async function pressed(fig) {
  return fig.locator('[data-head]').evaluateAll((els) =>
    els.filter((e) => e.getAttribute('aria-pressed') === 'true').map((e) => Number(e.dataset.head)));
}

const argmax = (row) => row.reduce((best, w, j) => (Number(w) > Number(row[best]) ? j : best), 0);

// The model's heads from the native CLI (the same C, built by gcc, in another process).
function reference() {
  return cliModel("The trophy didn't fit in the suitcase because it was too big.").heads;
}

test('four pickers named by C, one pressed; every head is a row-stochastic 13 x 13 matrix', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const core = reference();
  const names = await fig.locator('[data-head]').allTextContents();
  assert.deepEqual(names, core.map((h) => h.name));
  assert.deepEqual(names, ['coreference', 'previous word', 'start of sentence', 'unnamed']);
  assert.deepEqual(await pressed(fig), [0]);

  const seen = [];
  for (let h = 0; h < 4; h++) {
    await fig.locator(`[data-head="${h}"]`).click();
    assert.deepEqual(await pressed(fig), [h]);
    assert.equal(await fig.locator('.ae-heads-desc').textContent(), core[h].name + ': ' + core[h].description);
    const m = await matrix(fig);
    assert.equal(m.count, N * N);
    m.rows.forEach((row, i) => {
      assertRowShown(row, core[h].weights[i], 3, `head ${h} row ${i}`);
      const sum = row.reduce((s, w) => s + Number(w), 0);
      assert.ok(Math.abs(sum - 1) <= SHOWN_SUM_TOL, `head ${h} row ${i}: shown sum ${sum}`);
      const exact = core[h].weights[i].reduce((s, w) => s + w, 0);
      assert.ok(Math.abs(exact - 1) <= 1e-5, `head ${h} row ${i}: reference sum ${exact}`);
    });
    // each cell prints the same number without its leading zero (".734"), as C printed it
    const cellTexts = await fig.locator('td[data-row]').evaluateAll((els) => els.map((e) => [e.dataset.weight, e.textContent]));
    cellTexts.forEach(([weight, text]) => assert.equal(text, weight.replace(/^0\./, '.'), `cell text ${text} for ${weight}`));
    seen.push(JSON.stringify(m.rows));
  }
  assert.equal(new Set(seen).size, 4, 'every head has its own matrix');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('each head shows its habit: previous word, start of sentence, coreference', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await fig.locator('[data-head="1"]').click();
  let m = await matrix(fig);
  for (let i = 1; i < N; i++) assert.equal(argmax(m.rows[i]), i - 1, `previous word: row ${i}`);
  await fig.locator('[data-head="2"]').click();
  m = await matrix(fig);
  for (let i = 0; i < N; i++) assert.equal(argmax(m.rows[i]), 0, `start of sentence: row ${i}`);
  await fig.locator('[data-head="0"]').click();
  m = await matrix(fig);
  assert.equal(argmax(m.rows[8]), 1, 'coreference: "it" looks at "trophy"');
  // the focal row is "it" by default, highlighted in the matrix and colouring the chips
  assert.equal(await fig.locator('tbody tr.ae-current th').textContent(), 'it');
  const chips = await fig.locator('[data-token-index]').evaluateAll((els) => els.map((e) => e.dataset.weight));
  assert.deepEqual(chips, m.rows[8]);
  assert.match(await fig.locator('.ae-summary').textContent(), /it looks at trophy 0\.\d{3}/);
  await page.context().close();
});

test('keyboard only: Tab reaches the picker, arrows move and select the head', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await page.mouse.move(0, 0);
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => !!document.activeElement.closest('[data-figure="heads"] .ae-heads-picker'))) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement.dataset.head), '0', 'the pressed head is the tab stop');
  const before = (await matrix(fig)).rows;
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await pressed(fig), [1]);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.head), '1');
  const after = (await matrix(fig)).rows;
  assert.notDeepEqual(after, before);
  assert.equal(argmax(after[5]), 4);
  await page.keyboard.press('End');
  assert.deepEqual(await pressed(fig), [3]);
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual(await pressed(fig), [2]);
  // one Tab stop per group: the next Tab leaves the picker for the chips
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => !!document.activeElement.closest('[data-figure="heads"] .ae-tokens')));
  await page.keyboard.press('ArrowLeft');   // from "it" to "because"
  assert.equal(await fig.locator('tbody tr.ae-current th').textContent(), 'because');
  assert.match(await spoken(fig, /^Head start of sentence: because/),
    /^Head start of sentence: because attends most to The \d\.\d{3}, .+, .+\.$/);
  // the next Tab reaches the small maps, on the selected head; arrows select there too
  // (when the matrix is wider than its box, Chromium makes its scroller a tab stop first)
  for (let i = 0; i < 2; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.dataset.mini !== undefined)) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement.dataset.mini), '2');
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual(await pressed(fig), [1]);
  assert.equal(argmax((await matrix(fig)).rows[7]), 6, 'previous word: because looks at suitcase');
  await page.keyboard.press('Enter');   // a focused map is a button
  assert.deepEqual(await pressed(fig), [1]);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('clicking a small map selects its head; hovering a matrix row moves the focal token', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const minis = fig.locator('.ae-heads-mini');
  assert.equal(await minis.count(), 4);
  assert.equal(await minis.nth(2).getAttribute('aria-label'), 'Show head start of sentence');
  assert.equal(await minis.nth(0).locator('.ae-heads-mini-map > span').count(), N * N);
  await minis.nth(2).click();
  assert.deepEqual(await pressed(fig), [2]);
  assert.equal(await minis.nth(2).getAttribute('aria-pressed'), 'true');
  assert.equal(argmax((await matrix(fig)).rows[7]), 0);
  await fig.locator('td[data-row="3"][data-col="5"]').hover();
  assert.equal(await fig.locator('tbody tr.ae-current th').textContent(), 'fit');
  assert.equal(await fig.locator('[data-token-index="3"]').getAttribute('aria-pressed'), 'true');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('screenshots at 1280, 375 (touch) and dark', async () => {
  let page = await openLesson(browser, LESSON);
  let fig = await ready(page);
  await fig.scrollIntoViewIfNeeded();
  await shot(page, 'fig-heads-1280', fig);
  await page.context().close();

  page = await openLesson(browser, LESSON, { viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true });
  fig = await ready(page);
  await fig.locator('.ae-heads-mini').nth(1).tap();
  assert.deepEqual(await pressed(fig), [1]);
  await fig.locator('[data-token-index="1"]').tap();
  assert.equal(await fig.locator('tbody tr.ae-current th').textContent(), 'trophy');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scroll');
  const wrap = await fig.locator('.ae-matrix-wrap').boundingBox(), box = await fig.boundingBox();
  assert.ok(wrap.x >= box.x && wrap.x + wrap.width <= box.x + box.width, 'the matrix scrolls inside its wrapper');
  await shot(page, 'fig-heads-375', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  page = await openLesson(browser, LESSON, { colorScheme: 'dark' });
  fig = await ready(page);
  await fig.locator('[data-head="3"]').click();
  await page.mouse.move(0, 0);   // keep the pointer off the figure while it scrolls into view
  await shot(page, 'fig-heads-dark', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
