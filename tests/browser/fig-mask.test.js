// Figure 4.1 in Chromium: the causal mask blocks exactly the upper triangle (from C), every
// shown row adds up to 1 and agrees with the native CLI, Step and Play reveal rows one at a
// time (timed with a fake clock, not sleeps) without running the model again, the encoder
// switch unblocks everything and re-shares the weights, reduced motion never animates.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, open, shot, figureReady, mountAll, spoken, LESSON, openLesson } = require('./harness.js');
const { cliModel, assertRowShown } = require('./reference.js');

const FIG = '[data-figure="mask"]';
let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

const ready = (page) => figureReady(page, FIG);

// The matrix as rows of { allowed, weight, hidden, self, text, pattern }.
async function cells(fig) {
  return fig.locator('td[data-row]').evaluateAll((els) => {
    const rows = [];
    els.forEach((e) => {
      const i = Number(e.dataset.row), j = Number(e.dataset.col);
      (rows[i] = rows[i] || [])[j] = { allowed: e.dataset.allowed, weight: e.dataset.weight,
        hidden: e.dataset.hidden === 'true', self: e.classList.contains('ae-mask-self'), text: e.textContent,
        pattern: getComputedStyle(e).backgroundImage };
    });
    return rows;
  });
}

const hiddenRows = (rows) => rows.filter((r) => r.some((c) => c.hidden)).length;
const rowSum = (r) => r.reduce((s, c) => s + Number(c.weight), 0);
const step = (fig) => fig.evaluate((e) => Number(e.dataset.step));

test('decoder: the upper triangle is blocked (0.000), the rest allowed, rows sum to 1', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const rows = await cells(fig);
  assert.equal(rows.length, 5);
  assert.equal(hiddenRows(rows), 0, 'the whole matrix shows at first');
  rows.forEach((r, i) => {
    assert.equal(r.length, 5);
    r.forEach((c, j) => {
      if (j > i) {
        assert.equal(c.allowed, 'false', `cell ${i},${j}`);
        assert.equal(c.weight, '0.000', `cell ${i},${j}`);
        assert.match(c.pattern, /repeating-linear-gradient/, 'blocked cells are hatched, not only red');
      } else {
        assert.equal(c.allowed, 'true', `cell ${i},${j}`);
        assert.ok(Number(c.weight) > 0, `cell ${i},${j} = ${c.weight}`);
      }
      assert.equal(c.self, i === j, 'the diagonal is marked');
    });
    assert.ok(Math.abs(rowSum(r) - 1) <= 0.005, `row ${i} sums to ${rowSum(r)}`);
  });
  assert.equal(rows[0][0].weight, '1.000', 'the first word can only look at itself');
  // the numbers are the model's unnamed head under the causal mask (native CLI, another process)
  const ref = cliModel('The cat sat on the', { causal: true }).heads[3];
  rows.forEach((r, i) => assertRowShown(r.map((c) => c.weight), ref.weights[i], 3, `row ${i}`));
  assert.equal(ref.name, 'unnamed');
  // a cell prints C's number without the leading zero; a blocked cell C's whole-number "0"
  rows.forEach((r, i) => r.forEach((c, j) => {
    assert.equal(c.text, j > i ? '0' : c.weight.replace(/^0\./, '.'), `cell ${i},${j} text`);
  }));
  assert.match(await fig.locator('caption').textContent(), /unnamed/);
  assert.match(await fig.locator('.ae-caption').textContent(), /5-token sentence/);
  assert.equal(await fig.locator('[data-mode="causal"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await fig.locator('.ae-mask-legend li').count(), 4);
  await shot(page, 'fig-mask-1280', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Step reveals one row at a time, says the weights, and wraps after the last row', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const stepButton = fig.locator('[data-control="step"]');
  let before = 5;
  for (let s = 0; s < 5; s++) {
    await stepButton.click();
    const rows = await cells(fig);
    const hidden = hiddenRows(rows);
    assert.equal(hidden, 4 - s, `step ${s}`);
    assert.ok(hidden < before);
    before = hidden;
    // the current row is framed; hidden rows carry no weight
    assert.equal(await fig.locator('tbody tr.ae-current').getAttribute('class'), 'ae-current');
    assert.equal(await fig.locator('tbody tr').nth(s).getAttribute('class'), 'ae-current');
    rows.slice(s + 1).flat().forEach((c) => assert.equal(c.weight, undefined));
    // the line names what this word may see, with the weights shown in its row
    const words = ['The', 'cat', 'sat', 'on', 'the'];
    const shown = rows[s].slice(0, s + 1).map((c) => c.weight).join(', ');
    const line = await fig.locator('.ae-mask-step').textContent();
    assert.ok(line.startsWith(`Step ${s + 1} of 5: ${words[s]} may look at ${words.slice(0, s + 1).join(', ')} — weights ${shown}, sum 1.000.`), line);
  }
  await stepButton.click();
  assert.equal(hiddenRows(await cells(fig)), 4, 'after the last row Step starts again');
  assert.equal(await step(fig), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the encoder switch unblocks every cell and re-shares row 0; the other mode is shown', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await fig.locator('[data-control="step"]').click();          // row 0 only, decoder
  const decoder = await cells(fig);
  assert.equal(decoder[0][0].weight, '1.000');
  assert.match(await fig.locator('.ae-mask-compare').textContent(), /^Without the mask \(encoder\)/);
  await fig.locator('[data-control="mode"][data-mode="none"]').click();
  const rows = await cells(fig);
  assert.equal(await fig.locator('[data-mode="none"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await fig.locator('[data-mode="causal"]').getAttribute('aria-pressed'), 'false');
  assert.equal(hiddenRows(rows), 0, 'an encoder reads the whole sentence at once');
  rows.flat().forEach((c) => { assert.equal(c.allowed, 'true'); assert.ok(Number(c.weight) > 0); });
  rows.forEach((r, i) => assert.ok(Math.abs(rowSum(r) - 1) <= 0.005, `row ${i} sums to ${rowSum(r)}`));
  assert.notEqual(rows[0][0].weight, '1.000', 'without the mask, row 0 spreads its weight');
  assert.ok(Number(rows[0][0].weight) < 1);
  // the comparison line recalls the decoder's row 0: only "The 1.000"
  assert.equal(await fig.locator('.ae-mask-compare').textContent(), 'With the causal mask (decoder) this row could only see: The 1.000');
  // and back: the mask returns
  await fig.locator('[data-mode="causal"]').click();
  assert.equal((await cells(fig))[0][1].allowed, 'false');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Play advances every 0.9 s, Pause stops it, Play stops by itself at the end (fake clock)', async () => {
  const page = await open(browser, LESSON, { clock: true });
  const fig = await ready(page);
  await page.clock.pauseAt(Date.now() + 60000);         // from here on, time moves only when told
  const play = fig.locator('[data-control="play"]');
  assert.equal(await play.getAttribute('aria-pressed'), 'false');
  await play.click();
  assert.equal(await play.getAttribute('aria-pressed'), 'true');
  assert.equal(await step(fig), 0, 'Play at the end starts from the first word');
  await page.clock.runFor(899);
  assert.equal(await step(fig), 0, 'not before 0.9 s');
  await page.clock.runFor(1);
  assert.equal(await step(fig), 1, 'a row was revealed at 0.9 s');
  await play.click();                                   // Pause
  assert.equal(await play.getAttribute('aria-pressed'), 'false');
  await page.clock.runFor(10000);
  assert.equal(await step(fig), 1, 'nothing moves while paused');
  await play.click();
  await page.clock.runFor(900 * 3);
  assert.equal(await step(fig), 4);
  assert.equal(await play.getAttribute('aria-pressed'), 'false', 'Play stopped by itself at the last row');
  assert.equal(hiddenRows(await cells(fig)), 0);
  await page.clock.runFor(10000);
  assert.equal(await step(fig), 4, 'and stays stopped');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('reduced motion: Play shows every row at once and starts no timer', async () => {
  const page = await open(browser, LESSON, { reducedMotion: 'reduce', clock: true });
  const fig = await ready(page);
  await page.clock.pauseAt(Date.now() + 60000);
  assert.ok(await fig.locator('.ae-mask-calm').isVisible(), 'a quiet note explains it');
  await fig.locator('[data-control="step"]').click();
  assert.equal(hiddenRows(await cells(fig)), 4);
  await fig.locator('[data-control="play"]').click();
  assert.equal(hiddenRows(await cells(fig)), 0, 'all rows at once');
  assert.equal(await fig.locator('[data-control="play"]').getAttribute('aria-pressed'), 'false');
  const at = await step(fig);
  await page.clock.runFor(10000);
  assert.equal(await step(fig), at, 'nothing moves on a timer');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a step runs no model: stepping through every row costs at most 2 WASM calls each', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  // other figures mount as the reader scrolls or acts: count this figure's calls only once
  // every figure is mounted
  await mountAll(page);
  const calls = () => page.evaluate(async () => (await window.AttentionExplorer.loadCore()).callCount());
  const ref = cliModel('The cat sat on the', { causal: true }).heads[3];
  const refEncoder = cliModel('The cat sat on the').heads[3];
  const stepButton = fig.locator('[data-control="step"]');
  for (let s = 0; s < 5; s++) {
    const before = await calls();
    await stepButton.click();
    const used = (await calls()) - before;
    assert.ok(used <= 2, `step ${s}: ${used} WASM calls (at most 2; running the model costs more)`);
    assert.equal(await step(fig), s);
    // the compare line shows the same row without the mask: the reference's encoder row (the
    // last row is the same either way, and the line says so instead)
    const compare = await fig.locator('.ae-mask-compare').textContent();
    const shown = Array.from(compare.matchAll(/(\S+) (\d\.\d{3})/g), (m) => m[2]);
    if (s < 4) assertRowShown(shown, refEncoder.weights[s], 3, `encoder row ${s}`);
    else assert.match(compare, /this row is the same/);
    const rows = await cells(fig);
    assertRowShown(rows[s].map((c) => c.weight), ref.weights[s], 3, `decoder row ${s}`);
  }
  // switching the mode back and forth needs no new model run either
  const before = await calls();
  await fig.locator('[data-mode="none"]').click();
  await fig.locator('[data-mode="causal"]').click();
  const used = (await calls()) - before;
  assert.ok(used <= 12, `two mode switches: ${used} WASM calls (masks and printing only)`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('keyboard only: Tab to Step, Enter and Space step; arrows switch the mode', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await page.mouse.move(0, 0);
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.matches('[data-figure="mask"] [data-control="step"]'))) break;
  }
  assert.ok(await page.evaluate(() => document.activeElement.matches('[data-figure="mask"] [data-control="step"]')), 'Tab reaches Step');
  await page.keyboard.press('Enter');
  assert.equal(await step(fig), 0);
  await page.keyboard.press('Space');
  assert.equal(await step(fig), 1);
  assert.equal(hiddenRows(await cells(fig)), 3);
  await page.keyboard.press('Tab');                      // Play
  assert.equal(await page.evaluate(() => document.activeElement.dataset.control), 'play');
  await page.keyboard.press('Tab');                      // the mode group: one tab stop
  assert.equal(await page.evaluate(() => document.activeElement.dataset.mode), 'causal');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.mode), 'none');
  assert.equal(await fig.getAttribute('data-mode'), 'none');
  assert.ok((await cells(fig)).flat().every((c) => c.allowed === 'true'));
  // the live region says the step
  assert.match(await spoken(fig, /^Row 2 of 5/), /^Row 2 of 5: cat may look at every word/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('375 px: fits without page scroll; long, empty and markup text get clear answers', async () => {
  const page = await openLesson(browser, LESSON, { viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true });
  const fig = await ready(page);
  await fig.locator('[data-control="step"]').tap();
  await fig.locator('[data-control="step"]').tap();
  await fig.locator('[data-control="step"]').tap();
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scroll');
  const wrap = await fig.locator('.ae-matrix-wrap').evaluate((e) => e.scrollWidth <= e.clientWidth);
  assert.ok(wrap, 'the 5 x 5 matrix fits without scrolling its box');
  await fig.locator('.ae-mask-grid').scrollIntoViewIfNeeded();
  await shot(page, 'fig-mask-375', fig);
  const input = fig.locator('[data-control="text"]');
  await input.fill('The cat sat on the mat and then it slept all day.');
  assert.match(await fig.locator('.ae-note').textContent(), /Only the first 8 of 13 tokens are used/);
  const rows = await cells(fig);
  assert.equal(rows.length, 8);
  rows.forEach((r, i) => assert.ok(Math.abs(rowSum(r) - 1) <= 0.005, `row ${i}`));
  assert.match(await fig.locator('.ae-caption').textContent(), /8-token sentence/);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
  await input.fill('  ');
  assert.match(await fig.locator('.ae-note').textContent(), /Type a sentence/);
  assert.ok(await fig.locator('[data-control="step"]').isDisabled());
  await input.fill('<b onmouseover="window.pwned=1">hi</b> there');
  assert.equal(await fig.locator('tbody b').count(), 0, 'markup stays text');
  assert.equal(await input.inputValue(), '<b onmouseover="window.pwned=1">hi</b> there');
  assert.equal(await fig.locator('.ae-note').textContent(), 'Only the first 8 of 18 tokens are used.');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('dark colour scheme', async () => {
  const page = await openLesson(browser, LESSON, { colorScheme: 'dark' });
  const fig = await ready(page);
  await fig.locator('[data-control="step"]').click();
  await fig.locator('[data-control="step"]').click();
  await fig.locator('[data-control="step"]').click();
  await shot(page, 'fig-mask-dark', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
