// Issue 17, as a learner and a course author meet it: the text under Figure 1.1 says what the
// head did (from the numbers shown) and never that a pronoun was resolved, the flip shows it
// just as sure when wrong; a typed sentence focuses its pronoun; the share panel by keyboard
// and its component snippet's script on the page `make serve` serves; Figure 3.1's edits in the
// address; the lesson's facts, sources and next-lesson link; Figure 6.1's slopes as measured.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { launch, open, shot, serve, fileUrl, figureReady, LESSON, ROOT, openLesson } = require('./harness.js');
const { cliModel } = require('./reference.js');

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

const HEAT = '[data-figure="heatmap"]';
const chipsOf = (fig) => fig.locator('[data-token-index]').evaluateAll((els) => els.map((e) => ({
  text: e.dataset.text, weight: e.dataset.weight, pressed: e.getAttribute('aria-pressed') })));
const argmax = (list) => list.reduce((best, c, i) => (Number(c.weight) > Number(list[best].weight) ? i : best), 0);

test('under Figure 1.1: what the head did, from the numbers shown; the flip; never "resolved"', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await figureReady(page, HEAT);
  const reading = page.locator('#pronoun-reading .reading-now');
  assert.doesNotMatch(await page.locator('main').innerText(), /resolv/i, 'the page claims no resolution');

  // the default: "it" focal; the reading names the figure's largest weight and the runner-up
  await page.waitForFunction(() => /this head sends/.test(document.querySelector('#pronoun-reading .reading-now').textContent));
  let chips = await chipsOf(fig);
  const it = chips.findIndex((c) => c.pressed === 'true');
  assert.equal(chips[it].text, 'it');
  const top = argmax(chips);
  assert.equal(chips[top].text, 'trophy');
  // the figure's numbers are the model's (native CLI), and the reading quotes the figure's
  const ref = cliModel("The trophy didn't fit in the suitcase because it was too big.");
  assert.equal(Number(chips[top].weight).toFixed(3), ref.heads[0].weights[it][top].toFixed(3));
  const runnerUp = chips.map((c, i) => i).filter((i) => i !== top)
    .sort((a, b) => Number(chips[b].weight) - Number(chips[a].weight) || a - b)[0];
  let text = await reading.textContent();
  assert.ok(text.startsWith(`From it, this head sends ${chips[top].weight} to trophy, more than to any other word; ` +
    `next comes ${chips[runnerUp].text} with ${chips[runnerUp].weight}.`), text);
  assert.match(text, /That word is the subject of the sentence\. Here that is the right answer\./);
  const before = chips[top].weight;

  // the flip: big -> small, "it" stays focal, the head still picks trophy, and the text says so
  const flip = page.locator('[data-control="flip"]');
  assert.equal(await flip.textContent(), 'Flip the puzzle: make it too small');
  const renders = Number(await fig.getAttribute('data-renders'));
  await flip.click();
  await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).dataset.renders) > n, [HEAT, renders]);
  assert.equal(await fig.locator('[data-control="text"]').inputValue(), "The trophy didn't fit in the suitcase because it was too small.");
  chips = await chipsOf(fig);
  assert.equal(chips.find((c) => c.pressed === 'true').text, 'it');
  const flipped = cliModel("The trophy didn't fit in the suitcase because it was too small.");
  const topNow = argmax(chips);
  assert.equal(chips[topNow].text, 'trophy', 'the designed head still prefers the subject');
  assert.equal(Number(chips[topNow].weight).toFixed(3), flipped.heads[0].weights[it][topNow].toFixed(3));
  text = await reading.textContent();
  assert.match(text, new RegExp(`sends ${chips[topNow].weight} to trophy`));
  assert.match(text, new RegExp(`too small is the suitcase: the weights point at the wrong word, and look just as sure as they did before the flip \\(trophy ${before.replace('.', '\\.')}\\)`));
  assert.equal(await flip.textContent(), 'Flip the puzzle: make it too big');
  await page.waitForFunction(() => /text=.*too%20small/.test(location.hash), null, { timeout: 5000 });
  await shot(page, 'lesson-pronoun-flip-1280', page.locator('#looking'));
  await page.setViewportSize({ width: 390, height: 900 });
  await shot(page, 'lesson-pronoun-flip-390', page.locator('#pronoun-reading'));
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scroll at 390 px');

  // another sentence: no flip offered, the reading follows the figure
  await fig.locator('[data-control="text"]').fill('Maria told the doctor that she was tired.');
  await page.waitForFunction(() => /^From she,/.test(document.querySelector('#pronoun-reading .reading-now').textContent));
  assert.equal(await flip.isHidden(), true);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a typed sentence focuses its pronoun (one with a noun before it), not the first word', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await figureReady(page, HEAT);
  const input = fig.locator('[data-control="text"]');
  const focal = async () => (await chipsOf(fig)).find((c) => c.pressed === 'true').text;
  for (const [sentence, want] of [
    ['She told Anna that her plan worked.', 'her'],            // "She" has nothing before it
    ['Maria told the doctor that she was tired.', 'she'],
    ['She sleeps.', 'She'],                                     // the only pronoun
  ]) {
    await input.fill(sentence);
    assert.equal(await focal(), want, sentence);
  }
  // typing word by word into "Maria told the doctor that she..." keeps the pronoun focal once it exists
  await input.fill('');
  await input.pressSequentially('Tom said he');
  assert.equal(await focal(), 'he');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('share panel: Tab goes into it after opening, Escape closes it and returns to its button', async () => {
  const page = await openLesson(browser, LESSON);
  await figureReady(page, '[data-figure="heads"]');
  const bar = page.locator('[data-figure="heads"] + .ae-share');
  const button = bar.locator('[data-control="share"]');
  await button.focus();
  await page.keyboard.press('Enter');
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.share), 'link', 'Tab lands on the first field');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.copy), 'link');
  await page.keyboard.press('Escape');
  assert.equal(await bar.locator('.ae-share-panel').isHidden(), true);
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.control), 'share', 'focus back on the button');
  // closed, Tab skips the panel and reaches the exports
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.export), 'png');
  await button.click();
  await shot(page, 'lesson-share-open-1280', bar);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the component snippet on the page `make serve` serves (web/ over HTTP) names a script that loads', async () => {
  const { server, url } = await serve(path.join(ROOT, 'web'), 0);
  try {
    const page = await open(browser, url + 'index.html?autorun=0');
    await figureReady(page, '[data-figure="heads"]');
    const bar = page.locator('[data-figure="heads"] + .ae-share');
    await bar.locator('[data-control="share"]').click();
    const snippet = await bar.locator('[data-share="component"]').inputValue();
    const src = snippet.match(/<script src="([^"]+)">/)[1];
    assert.equal(src, url + 'attention-figures.js');
    const response = await page.request.get(src);
    assert.equal(response.status(), 200, src);
    assert.match(await response.text(), /customElements\.define\("attention-figure"|customElements\.define\('attention-figure'/);
    // and the snippet, pasted into a page beside it, draws the figure
    const other = await open(browser, url + 'embed.html?figure=temperature&t=0.4');
    await figureReady(other, '[data-figure="temperature"]');
    assert.equal(await other.locator('.ae-temperature-link').count(), 0, 'embedded: no switch for a Figure 1.1 that is not there');
    assert.doesNotMatch(await other.locator('[data-figure="temperature"]').innerText(), /Figure 1\.1/);
    assert.deepEqual(page.problems.concat(other.problems), []);
    for (const p of [page, other]) await p.context().close();
  } finally {
    server.close();
  }
});

test("Figure 3.1's what-if edits reach the address and come back from it", async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await figureReady(page, '[data-figure="qkv"]');
  await fig.locator('[data-control="query-component"][data-dim="2"]').fill('3.5');
  await fig.locator('[data-control="key-component"][data-dim="0"]').fill('-2');
  await page.waitForFunction(() => /qkv\.edits=q\d+\.2%3A3\.5%2Ck\d+\.0%3A-2/.test(location.hash));
  const link = await page.evaluate(() => location.href);
  const weights = (f) => f.locator('[data-token-index]').evaluateAll((els) => els.map((e) => e.dataset.weight));
  const edited = await weights(fig);
  // the share panel's iframe snippet carries them too
  const bar = page.locator('[data-figure="qkv"] + .ae-share');
  await bar.locator('[data-control="share"]').click();
  assert.match(await bar.locator('[data-share="iframe"]').inputValue(), /edits=q\d+\.2%3A3\.5%2Ck\d+\.0%3A-2/);

  const back = await open(browser, link);
  const fig2 = await figureReady(back, '[data-figure="qkv"]');
  await back.waitForFunction(() => document.querySelector('[data-figure="qkv"] [data-control="query-component"][data-dim="2"]').value === '3.5');
  assert.equal(await fig2.locator('[data-control="key-component"][data-dim="0"]').inputValue(), '-2');
  assert.deepEqual(await weights(fig2), edited, 'the same weights as the edited view');
  const plain = await openLesson(browser, LESSON);
  assert.notDeepEqual(edited, await weights(await figureReady(plain, '[data-figure="qkv"]')), 'edits changed the weights');
  assert.match(await fig2.locator('.ae-qkv-badges').textContent(), /query of it edited.*key of .* edited/);

  // a broken edit is dropped with a note; the good one still applies
  const bad = await openLesson(browser, LESSON + '#qkv.edits=q7.2%3A3.5%2Cx1.0%3A9%2Cq1.0%3A999');
  const fig3 = await figureReady(bad, '[data-figure="qkv"]');
  await bad.waitForSelector('[data-figure="qkv"] .ae-url-note');
  assert.match(await fig3.locator('.ae-url-note').textContent(), /Ignored the edits "x1\.0:9", "q1\.0:999"/);
  assert.equal(await fig3.locator('[data-control="query-component"][data-dim="2"]').inputValue(), '3.5');
  for (const p of [page, back, bad, plain]) {
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});

test("the lesson's facts: 96 blocks, the formula line, the sources as links, the next lesson as a placeholder", async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await figureReady(page, '[data-figure="qkv"]');
  const main = await page.locator('main').innerText();
  assert.match(main, /Stack that block 96 times and you have GPT\./);
  assert.doesNotMatch(main, /few dozen/);
  const formula = (await fig.locator('.ae-qkv-formula-text').innerText()).replace(/\u00a0/g, ' ');
  assert.match(formula, /attention\(Q, K, V\) = softmax\(QKᵀ \/ √d\) V/);
  assert.match(formula, /Three matmuls and a softmax\./);
  const sources = await page.locator('.sources li a').evaluateAll((els) => els.map((a) => a.href));
  assert.deepEqual(sources.map((h) => new URL(h).host), ['arxiv.org', 'jalammar.github.io', 'transformer-circuits.pub',
    'arxiv.org', 'arxiv.org']);
  assert.deepEqual(sources.filter((h) => h.includes('arxiv')).map((h) => h.replace(/^.*abs\//, '')), ['1706.03762', '1906.04341', '1902.10186']);
  const next = page.locator('#next-lesson');
  assert.match(await next.textContent(), /Lesson 04 · Next: Transformers/);
  assert.equal(await next.getAttribute('href'), null, 'a placeholder until a course sets href');
  // a course sets it with one attribute, and it is then an ordinary link
  await next.evaluate((a) => a.setAttribute('href', 'lesson-04.html'));
  assert.equal(await page.getByRole('link', { name: /Lesson 04/ }).count(), 1);
  await shot(page, 'lesson-closing-1280', page.locator('#limits .closing + .next-lesson'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// The least-squares slope of log(y) against log(x), in plain JS: the test's own reference.
function slopeOf(points) {
  const xs = points.map((p) => Math.log(p.n)), ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
  let sxx = 0, sxy = 0;
  xs.forEach((x, i) => { sxx += (x - mx) ** 2; sxy += (x - mx) * (ys[i] - my); });
  return sxy / sxx;
}

test('Figure 6.1 states the slopes this run measured, fitted to the points it plots', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await figureReady(page, '[data-figure="scaling"]');
  const measured = fig.locator('.ae-scaling-measured');
  assert.equal(await measured.getAttribute('data-slopes'), 'none');
  assert.match(await measured.textContent(), /Run the lab/);
  await fig.locator('[data-control="length"]').selectOption('1024');
  await fig.locator('[data-control="run"]').click();
  await page.waitForSelector('[data-figure="scaling"][data-run="done"]', { timeout: 300000 });
  await page.waitForSelector('[data-figure="scaling"] .ae-scaling-measured[data-slopes="final"]');
  const points = await fig.locator('.ae-scaling-time [data-kernel][data-n]').evaluateAll((els) =>
    els.map((e) => ({ kernel: e.dataset.kernel, n: Number(e.dataset.n), ms: Number(e.dataset.ms) })));
  const shown = await measured.locator('[data-slope]').evaluateAll((els) =>
    els.map((e) => ({ kernel: e.dataset.series, fit: e.dataset.fit, slope: Number(e.dataset.slope), text: e.textContent })));
  assert.equal(shown.length, 6, 'three lines, each fitted at its end and at its start');
  for (const s of shown) {
    const mine = points.filter((p) => p.kernel === s.kernel).sort((a, b) => a.n - b.n);
    const used = s.fit === 'end' ? mine.slice(-3) : mine.slice(0, 3);
    const want = slopeOf(used);
    assert.ok(Math.abs(s.slope - want) <= 0.06, `${s.kernel} ${s.fit}: shown ${s.text}, points say ${want.toFixed(3)}`);
  }
  // the words about a flatter start follow the fitted numbers
  const text = await measured.textContent();
  const notFlatter = ['full', 'window', 'linear'].filter((k) => {
    const of = (fit) => shown.find((s) => s.kernel === k && s.fit === fit).slope;
    return !(of('start') < of('end'));
  });
  if (notFlatter.length) assert.match(text, new RegExp(`Here ${notFlatter.join(' and ')} did not start flatter`));
  else assert.match(text, /So the lines did start flatter than they end\./);
  assert.match(text, /^Measured in this run, the slope of time against n over each line's last three lengths: full /);
  await shot(page, 'lesson-scaling-measured-1280', fig.locator('.ae-scaling-explain'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
