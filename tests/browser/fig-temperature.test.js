// Figure 5.1 in Chromium: the slider drives softmax(scores / T) computed by C; the bars show
// exactly what an independent softmax of the shown scores gives; the caption and entropy follow
// the regime; the switch lends T to Figure 1.1; keyboard, bad options, narrow and dark screens.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, open, shot, settled, spoken, LESSON, openLesson } = require('./harness.js');
const { cliModel, assertRowShown, softmax, entropyBits } = require('./reference.js');

const FIG = '[data-figure="temperature"]';
const HEAT = '[data-figure="heatmap"]';
let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

async function ready(page, selector = FIG) {
  await page.waitForSelector(selector + '[data-ready="true"]');
  return page.locator(selector);
}

// Moves the slider the way a drag does: a new value, then the `input` event.
async function setT(fig, value) {
  await fig.locator('[data-control="temperature"]').evaluate((input, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

async function bars(fig) {
  return fig.locator('[data-candidate-index]').evaluateAll((els) => els.map((e) => ({
    index: e.dataset.candidateIndex, score: e.dataset.score, prob: e.dataset.prob,
    text: e.innerText.replace(/\s+/g, ' ').trim(),
    width: e.querySelector('.ae-temperature-fill').getBoundingClientRect().width,
    track: e.querySelector('.ae-temperature-bar').getBoundingClientRect().width })));
}

// No layout shift: the regime sentence changes, but nothing below it moves.
async function assertNoShift(fig) {
  const linkY = async () => (await fig.locator('.ae-temperature-link').boundingBox()).y;
  const y0 = await linkY();
  for (const t of [0.1, 0.45, 1, 2.5, 3, 0.7]) {
    await setT(fig, t);
    assert.equal(await linkY(), y0, `the switch stays put at T = ${t}`);
  }
}

async function entropyShown(fig) {
  const m = (await fig.locator('.ae-temperature-entropy').innerText()).match(/Entropy (\d\.\d\d) of at most (\d\.\d\d) bits/);
  assert.ok(m, 'entropy line');
  return { h: Number(m[1]), max: m[2] };
}

test('six bars whose probabilities are the softmax of the shown scores, at every temperature', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const first = await bars(fig);
  assert.deepEqual(first.map((b) => b.index), ['0', '1', '2', '3', '4', '5']);
  assert.deepEqual(first.map((b) => b.score), ['3.2', '2.6', '2.1', '1.4', '0.6', '-0.5']);
  assert.match(first[0].text, /^mat 3\.2 0\.\d{3}$/, 'each row shows word, score and probability');
  const top = fig.locator('.ae-temperature-top');
  assert.match(await top.innerText(), /T = 1\.00/);
  assert.match(await fig.locator('.ae-temperature-track').innerText(), /0\.05\s+3\.0/);
  assert.equal((await entropyShown(fig)).max, '2.58', 'log2 6, printed by C');

  const captions = {};
  let lastH = -1;
  for (const t of [0.05, 0.2, 0.45, 0.7, 1, 1.3, 1.6, 2.2, 3]) {
    await setT(fig, t);
    assert.match(await top.innerText(), new RegExp('T = ' + t.toFixed(2).replace('.', '\\.')));
    const list = await bars(fig);
    const want = softmax(list.map((b) => Number(b.score)), t);
    list.forEach((b, i) => {
      assert.match(b.prob, /^\d\.\d{3}$/);
      assert.ok(Math.abs(Number(b.prob) - want[i]) <= 0.001, `T=${t} ${i}: shown ${b.prob}, softmax ${want[i]}`);
      assert.ok(b.text.endsWith(b.prob), 'the row shows its data-prob');
    });
    if (t === 0.05) assert.ok(Number(list[0].prob) > 0.95, `T=0.05 top ${list[0].prob}`);
    if (t === 3) assert.ok(Number(list[0].prob) < 0.5, `T=3 top ${list[0].prob}`);
    const { h } = await entropyShown(fig);
    assert.ok(Math.abs(h - entropyBits(want)) <= 0.005 + 1e-6, `T=${t}: entropy shown ${h}, reference ${entropyBits(want)}`);
    assert.ok(h > lastH || (lastH === 0 && h === 0), `entropy rises with T: ${lastH} then ${h} at ${t}`);
    lastH = h;
    const regime = t < 0.5 ? 'sharp' : t > 1.5 ? 'flat' : 'medium';
    captions[regime] = await fig.locator('.ae-temperature-story').innerText();
    assert.match(await fig.locator('[data-control="temperature"]').getAttribute('aria-valuetext'),
      new RegExp('^T = ' + t.toFixed(2).replace('.', '\\.') + ', ' + regime + ', mat '));
  }
  assert.ok(lastH >= 2.2 && lastH < 2.58, `entropy at T=3 is ${lastH}`);
  assert.equal(new Set(Object.values(captions)).size, 3, 'one caption per regime: ' + JSON.stringify(captions));
  assert.match(captions.sharp, /^Sharp: .*“mat” takes most of the probability, nearly all of it near T\s=\s0\.05\.$/);
  assert.match(captions.flat, /^Flat: .*every option becomes plausible/);
  assert.match(captions.medium, /^Medium: “mat” is a clear favourite/);
  assert.ok(!/NaN|undefined/.test(await fig.innerText()));
  await page.context().close();
});

test('bar lengths follow the probabilities; 1280 px screenshot', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await setT(fig, 0.7);
  await settled(fig);   // the width transition has finished
  const list = await bars(fig);
  list.forEach((b) => {
    const want = Math.max(2, Number(b.prob) * b.track);
    assert.ok(Math.abs(b.width - want) <= 1.5, `bar ${b.index}: ${b.width}px, want ${want}px`);
  });
  assert.ok(list[0].width > list[1].width && list[1].width > list[5].width);
  await assertNoShift(fig);
  await settled(fig);
  await fig.scrollIntoViewIfNeeded();
  await shot(page, 'fig-temperature-1280', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the switch lends T = 0.5 to Figure 1.1 and turning it off restores the weights', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const heat = await ready(page, HEAT);
  const weights = () => heat.locator('[data-token-index]').evaluateAll((els) => els.map((e) => e.dataset.weight));
  const before = await weights();
  await page.evaluate(() => {
    window.linkEvents = [];
    document.addEventListener('ae-temperature-link', (e) => window.linkEvents.push(e.detail));
  });

  await setT(fig, 0.5);
  assert.deepEqual(await weights(), before, 'not linked yet: Figure 1.1 is unchanged');
  const box = fig.getByLabel('Use this temperature in Figure 1.1');
  await box.check();
  const linked = await weights();
  assert.notDeepEqual(linked, before);
  const focus = Number(await heat.getAttribute('data-focus'));
  const ref = cliModel("The trophy didn't fit in the suitcase because it was too big.", { temperature: 0.5 });
  assertRowShown(linked, ref.heads[0].weights[focus], 3, 'Figure 1.1 shows the model at T = 0.5');
  assert.match(await heat.locator('.ae-head-line').innerText(), /temperature 0\.50/);
  assert.match(await fig.locator('.ae-temperature-link-status').innerText(), /Figure 1\.1 now uses T = 0\.50/);

  await setT(fig, 2);   // while linked, moving the slider moves Figure 1.1 too
  assert.match(await heat.locator('.ae-head-line').innerText(), /temperature 2\.00/);
  await box.uncheck();
  assert.deepEqual(await weights(), before, 'unlinked: back to T = 1');
  assert.doesNotMatch(await heat.locator('.ae-head-line').innerText(), /temperature/);
  assert.deepEqual(await page.evaluate(() => window.linkEvents), [{ linked: true, temperature: 0.5 }, { linked: true, temperature: 2 },
    { linked: false, temperature: 2 }]);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('keyboard only: Tab reaches the slider, arrows change T and the bars, Space links', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await page.mouse.move(0, 0);
  for (let i = 0; i < 300; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.matches('[data-figure="temperature"] [data-control="temperature"]'))) break;
  }
  const range = fig.locator('[data-control="temperature"]');
  assert.equal(await range.evaluate((e) => e === document.activeElement), true, 'Tab reaches the slider');
  const outline = await range.evaluate((e) => getComputedStyle(e).outlineStyle);
  assert.notEqual(outline, 'none', 'visible focus ring');
  const top = fig.locator('.ae-temperature-top');
  const before = (await bars(fig)).map((b) => b.prob);
  await page.keyboard.press('ArrowRight');
  assert.match(await top.innerText(), /T = 1\.01/);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  assert.match(await top.innerText(), /T = 0\.99/);
  const after = (await bars(fig)).map((b) => b.prob);
  assert.notDeepEqual(after, before, 'the bars follow the keys');
  assert.ok(Number(after[0]) > Number(before[0]), 'lower T, sharper top');
  await page.keyboard.press('Home');
  assert.match(await top.innerText(), /T = 0\.05/);
  assert.match(await range.getAttribute('aria-valuetext'), /^T = 0\.05, sharp, mat 1\.000$/);
  await page.keyboard.press('End');
  assert.match(await top.innerText(), /T = 3\.00/);
  // the live region announces the new regime once the keys settle
  assert.match(await spoken(fig, /^Flat/), /^Flat at T = 3\.00: mat 0\.\d{3}, entropy \d\.\d\d of 2\.58 bits\.$/);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.type), 'checkbox');
  await page.keyboard.press('Space');
  assert.match(await page.locator(HEAT + ' .ae-head-line').innerText(), /temperature 3\.00/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('bad temperature options are clamped with a quiet note; two instances stay independent', async () => {
  const page = await openLesson(browser, LESSON);
  await ready(page);
  const results = await page.evaluate(async () => {
    const AE = window.AttentionExplorer, core = await AE.loadCore();
    const out = [];
    for (const t of [0, -2, NaN, 'abc', 99, '', 0.333, '0.7', undefined]) {
      const node = document.createElement('figure');
      node.dataset.figure = 'temperature';
      document.querySelector('main').append(node);
      const fig = AE.figures.temperature(node, core, { temperature: t, number: 'X' });
      out.push({ t: String(t), readout: node.querySelector('.ae-temperature-readout').textContent,
        note: node.querySelector('.ae-note').textContent, error: node.querySelector('.ae-note').classList.contains('ae-error'),
        ready: node.dataset.ready, text: node.querySelector('.ae-body').innerText, state: fig.state.temperature });   // (the note may quote the value it rejects)
    }
    return out;
  });
  // one clamp, the core's: 0 and below are not temperatures (T = 1), like NaN; 99 is cut to 3
  const want = { 0: '1.00', '-2': '1.00', NaN: '1.00', abc: '1.00', 99: '3.00', '': '1.00', 0.333: '0.33', 0.7: '0.70', undefined: '1.00' };
  for (const r of results) {
    assert.equal(r.readout, 'T = ' + want[r.t], `option ${r.t}`);
    assert.equal(r.ready, 'true');
    assert.equal(r.error, false, 'a quiet note, not an error');
    assert.ok(!/NaN|undefined|Infinity/.test(r.text), `no NaN shown for ${r.t}`);
    const clamped = !['0.333', '0.7', 'undefined'].includes(r.t);
    assert.equal(r.note !== '', clamped, `note for ${r.t}: "${r.note}"`);
  }
  assert.match(results[4].note, /^Temperature 99 is outside 0\.05 to 3\.00, so T = 3\.00 is used\.$/);
  // the extra instances do not disturb the page's own figure
  const fig = page.locator('#figure-5-1');
  await setT(fig, 0.3);
  const extra = page.locator('figure[data-figure="temperature"]:not(#figure-5-1)').first();
  assert.match(await extra.locator('.ae-temperature-readout').innerText(), /T = 1\.00/);
  assert.match(await fig.locator('.ae-temperature-readout').innerText(), /T = 0\.30/);
  // moving the slider clears the note
  await setT(extra, 1.2);
  assert.equal(await extra.locator('.ae-note').textContent(), '');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

for (const width of [375, 360]) {
  test(`${width} px: stacked, no sideways scroll, no shift; reduced motion has no transition`, async () => {
    const page = await openLesson(browser, LESSON,
      { viewport: { width, height: 800 }, hasTouch: true, isMobile: true, reducedMotion: 'reduce' });
    const fig = await ready(page);
    await setT(fig, 0.7);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scroll');
    const box = await fig.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= width, `figure inside the screen: ${JSON.stringify(box)}`);
    const list = await bars(fig);
    assert.ok(list.every((b) => b.track > 80), 'bars keep a usable length');
    await assertNoShift(fig);
    assert.equal(await fig.locator('.ae-temperature-fill').first().evaluate((e) => getComputedStyle(e).transitionDuration), '0s');
    // touch: tapping the switch's label turns it on
    await fig.getByText('Use this temperature in Figure 1.1').tap();
    assert.equal(await fig.getByLabel('Use this temperature in Figure 1.1').isChecked(), true);
    if (width === 375) await shot(page, 'fig-temperature-375', fig);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('dark colour scheme screenshot', async () => {
  const page = await openLesson(browser, LESSON, { colorScheme: 'dark' });
  const fig = await ready(page);
  await setT(fig, 0.3);
  await settled(fig);
  await fig.scrollIntoViewIfNeeded();
  await shot(page, 'fig-temperature-dark', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
