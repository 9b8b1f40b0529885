// Figure 3.1 in Chromium: one attention row spelled out. Every score, scaled score, weight and
// output shown must equal a JavaScript double-precision reference computed here from the q, k
// and v numbers the figure shows (within the rounding of what it prints); typing, picking the
// query token, nudging the what-if fields, Reset, hover sources, keys and hostile text work.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, open, shot, figureReady, LESSON, openLesson } = require('./harness.js');
const { cliModel, assertRowShown } = require('./reference.js');

const FIG = '[data-figure="qkv"]';
const SENTENCE = "The animal didn't cross the road because it was tired.";
const D = 8;   // the head dimension the figure divides by (√8)

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

const ready = (page) => figureReady(page, FIG);

// Everything the figure shows, as the texts it printed.
async function snapshot(fig) {
  return fig.evaluate((root) => {
    const nums = (node) => Array.from(node.querySelectorAll('.ae-qkv-n'), (x) => x.textContent);
    const all = (sel, f) => Array.from(root.querySelectorAll(sel), f);
    return {
      focus: Number(root.dataset.focus),
      query: root.querySelector('.ae-qkv-qbody th').textContent,
      words: all('.ae-qkv-table tbody:not(.ae-qkv-qbody) .ae-qkv-word', (x) => x.textContent),
      chips: all('[data-token-index]', (x) => x.dataset.text),
      chipWeights: all('[data-token-index]', (x) => x.dataset.weight),
      pressed: all('[data-token-index][aria-pressed="true"]', (x) => Number(x.dataset.tokenIndex)),
      q: nums(root.querySelector('td[data-key="q"]')),
      k: all('td[data-part="k"]', nums),
      v: all('td[data-part="v"]', nums),
      raw: all('td[data-part="raw"]', (x) => x.textContent),
      scaled: all('td[data-part="scaled"]', (x) => x.textContent),
      weights: all('td[data-part="weight"]', (x) => x.dataset.weight),
      weightTexts: all('td[data-part="weight"] .ae-qkv-wnum', (x) => x.textContent),
      out: nums(root.querySelector('td[data-key="out"]')),
      outBox: nums(root.querySelector('.ae-qkv-out')),
    };
  });
}

// The numbers the figure must show, recomputed in doubles from the q, k, v it shows, and the
// tolerance each comparison may use: every shown q, k, v is within 0.005 of C's float (two
// decimals); scores are printed with three decimals, outputs with two.
function checkReference(s, label) {
  const n = s.k.length;
  assert.ok(n > 0, label + ': rows');
  assert.equal(s.q.length, D, label + ': q has d components');
  [s.v.length, s.raw.length, s.scaled.length, s.weights.length, s.words.length].forEach((m) => assert.equal(m, n, label));
  s.k.concat(s.v, [s.out]).forEach((row) => assert.equal(row.length, D, label + ': vector length'));
  [].concat(s.q, ...s.k, ...s.v, s.out, s.raw, s.scaled, s.weights).forEach((t) =>
    assert.match(t, /^-?\d+\.\d+$/, `${label}: a printed number, not ${t}`));
  const q = s.q.map(Number), k = s.k.map((r) => r.map(Number)), v = s.v.map((r) => r.map(Number));

  const raw = k.map((kj) => kj.reduce((acc, x, d) => acc + q[d] * x, 0));
  const rawTol = k.map((kj) => kj.reduce((acc, x, d) => acc + (Math.abs(q[d]) + Math.abs(x)) * 0.005 + 0.005 ** 2, 0) + 0.0005 + 1e-4);
  const scaled = raw.map((r) => r / Math.sqrt(D));
  const scaledTol = rawTol.map((t) => t / Math.sqrt(D) + 0.0005);
  raw.forEach((r, j) => {
    assert.ok(Math.abs(Number(s.raw[j]) - r) <= rawTol[j], `${label}: q·k for ${s.words[j]}: shown ${s.raw[j]}, reference ${r}`);
    assert.ok(Math.abs(Number(s.scaled[j]) - scaled[j]) <= scaledTol[j], `${label}: scaled for ${s.words[j]}: shown ${s.scaled[j]}, reference ${scaled[j]}`);
    // tighter: the shown scaled score is the shown raw score ÷ √8
    assert.ok(Math.abs(Number(s.scaled[j]) - Number(s.raw[j]) / Math.sqrt(D)) <= 0.0005 + 0.0005 / Math.sqrt(D) + 1e-6,
      `${label}: ${s.scaled[j]} = ${s.raw[j]} ÷ √8`);
  });

  const softmax = (xs) => { const m = Math.max(...xs), e = xs.map((x) => Math.exp(x - m)), z = e.reduce((a, b) => a + b, 0); return e.map((x) => x / z); };
  // softmax moves by at most half of the largest change of its inputs
  const w = softmax(scaled), wTol = 0.0005 + 0.55 * Math.max(...scaledTol) + 1e-6;
  const wFromShown = softmax(s.scaled.map(Number));
  w.forEach((x, j) => {
    assert.ok(Math.abs(Number(s.weights[j]) - x) <= wTol, `${label}: weight on ${s.words[j]}: shown ${s.weights[j]}, reference ${x}`);
    assert.ok(Math.abs(Number(s.weights[j]) - wFromShown[j]) <= 0.0005 + 0.55 * 0.0005 + 1e-6,
      `${label}: weight on ${s.words[j]} is the softmax of the shown scaled scores`);
  });
  const sum = s.weights.reduce((acc, x) => acc + Number(x), 0);
  assert.ok(Math.abs(sum - 1) <= n * 0.0005 + 1e-9, `${label}: shown weights sum to ${sum}`);
  assert.deepEqual(s.weightTexts, s.weights, label + ': bar numbers = data-weight');

  for (let d = 0; d < D; d++) {
    const ref = w.reduce((acc, x, j) => acc + x * v[j][d], 0);
    const tol = w.reduce((acc, x, j) => acc + wTol * Math.abs(v[j][d]) + x * 0.005, 0) + 0.005 + 1e-4;
    assert.ok(Math.abs(Number(s.out[d]) - ref) <= tol, `${label}: output[${d}]: shown ${s.out[d]}, reference ${ref}`);
  }
  assert.deepEqual(s.outBox, s.out, label + ': the output box shows the same output');
  return { raw, w };
}

const argmax = (xs) => xs.reduce((best, x, j) => (Number(x) > Number(xs[best]) ? j : best), 0);

test('data-ready; "it" looks at "animal"; every number equals a JS reference from the shown q, k, v', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const s = await snapshot(fig);
  assert.deepEqual(s.words, ['The', 'animal', "didn't", 'cross', 'the', 'road', 'because', 'it', 'was', 'tired', '.']);
  assert.deepEqual(s.chips, s.words);
  assert.equal(s.focus, 7);
  assert.deepEqual(s.pressed, [7]);
  assert.match(s.query, /query\s*it$/i);
  checkReference(s, 'default');
  assert.equal(s.words[argmax(s.weights)], 'animal');
  assert.deepEqual(s.chipWeights, s.weights, 'the chips show the row of the table');
  assert.equal(await fig.locator('[data-control="text"]').inputValue(), SENTENCE);
  // the lesson's formula line (no-break spaces keep each half together on a phone)
  assert.match((await fig.locator('.ae-qkv-formula-text').textContent()).replace(/\u00a0/g, ' '),
    /attention\(Q, K, V\) = softmax\(QKᵀ \/ √d\) VThree matmuls and a softmax\. That is all of it\.d = 8/);
  // the same numbers from the native CLI (the model built by gcc, in another process)
  const ref = cliModel(SENTENCE, { vectors: true }).heads[0];
  assertRowShown(s.q, ref.q[7], 2, 'query of "it"');
  s.k.forEach((row, j) => assertRowShown(row, ref.k[j], 2, `key ${j}`));
  s.v.forEach((row, j) => assertRowShown(row, ref.v[j], 2, `value ${j}`));
  assertRowShown(s.weights, ref.weights[7], 3, 'weights of "it"');
  assertRowShown(s.out, ref.output[7], 2, 'output of "it"');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('typing a new sentence updates the tokens and every number, key by key', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const before = await snapshot(fig);
  const box = fig.locator('[data-control="text"]');
  await box.fill('The girl gave the boy a book because she was kind.');
  let s = await snapshot(fig);
  assert.deepEqual(s.words, ['The', 'girl', 'gave', 'the', 'boy', 'a', 'book', 'because', 'she', 'was', 'kind', '.']);
  assert.equal(s.focus, 7, 'the query token keeps its place');
  assert.match(s.query, /because$/);
  assert.deepEqual(s.chips, s.words);
  assert.notDeepEqual(s.weights, before.weights);
  checkReference(s, 'new sentence');
  await box.press('End');
  await box.pressSequentially(' Then she slept');
  s = await snapshot(fig);
  assert.deepEqual(s.words.slice(-3), ['Then', 'she', 'slept']);
  assert.equal(s.words.length, 15);
  checkReference(s, 'typed');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('picking a query token (hover, click) changes the row, still equal to the reference', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const before = await snapshot(fig);
  await fig.locator('[data-token-index="1"]').click();
  let s = await snapshot(fig);
  assert.equal(s.focus, 1);
  assert.deepEqual(s.pressed, [1]);
  assert.match(s.query, /animal$/);
  assert.notDeepEqual(s.q, before.q);
  assert.notDeepEqual(s.raw, before.raw);
  assert.deepEqual(s.k, before.k, 'the keys do not depend on the query token');
  checkReference(s, 'animal');
  await fig.locator('[data-token-index="9"]').hover();
  s = await snapshot(fig);
  assert.equal(s.focus, 9);
  assert.match(s.query, /tired$/);
  checkReference(s, 'tired');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('what-if: nudging the query or a key moves scores, weights and output; Reset restores', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const original = await snapshot(fig);
  const reset = fig.locator('[data-control="reset"]');
  assert.equal(await reset.isDisabled(), true);

  // query of "it": "wants an animal" (component 1) from 4.00 down to -2
  const qBox = fig.locator('[data-control="query-component"][data-dim="1"]');
  assert.equal(await qBox.inputValue(), original.q[1]);
  await qBox.fill('-2');
  let s = await snapshot(fig);
  assert.equal(s.q[1], '-2.00');
  assert.deepEqual(s.q.filter((_, d) => d !== 1), original.q.filter((_, d) => d !== 1));
  const ref = checkReference(s, 'query nudged');
  assert.notDeepEqual(s.weights, original.weights);
  assert.ok(Number(s.weights[1]) < Number(original.weights[1]), 'animal loses weight');
  assert.ok(ref.w[1] < Number(original.weights[1]));
  assert.equal(await reset.isDisabled(), false);
  assert.match(await fig.locator('.ae-qkv-badges').textContent(), /query of it edited/);
  assert.equal(await fig.locator('td[data-key="q"] .ae-qkv-comp.ae-qkv-edited').count(), 1);

  // key of "road" (token 5): raise "is an animal" (component 1) to 2
  await fig.locator('[data-control="key-token"]').selectOption('5');
  const kBox = fig.locator('[data-control="key-component"][data-dim="1"]');
  assert.equal(await kBox.getAttribute('data-token'), '5');
  await kBox.fill('2');
  s = await snapshot(fig);
  assert.equal(s.k[5][1], '2.00');
  assert.deepEqual(s.k.filter((_, j) => j !== 5), original.k.filter((_, j) => j !== 5));
  checkReference(s, 'query and key nudged');
  assert.notEqual(s.raw[5], original.raw[5]);
  assert.match(await fig.locator('.ae-qkv-badges').textContent(), /key of road edited/);

  // a value out of range is refused, visibly, and changes nothing
  const kept = await snapshot(fig);
  await kBox.fill('999');
  assert.equal(await kBox.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await snapshot(fig), kept);

  await reset.click();
  s = await snapshot(fig);
  assert.deepEqual(s, original, 'Reset gives back the model’s own numbers');
  assert.equal(await reset.isDisabled(), true);
  assert.equal(await fig.locator('[data-control="query-component"][data-dim="1"]').inputValue(), original.q[1]);
  assert.equal(await fig.locator('.ae-qkv-edited').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('hovering a number highlights where it came from', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const s = await snapshot(fig);
  const marked = () => fig.evaluate((root) => ({
    hot: Array.from(root.querySelectorAll('.ae-qkv-hot'), (x) => x.dataset.key),
    src: Array.from(root.querySelectorAll('.ae-qkv-src'), (x) => x.dataset.key).sort(),
  }));
  const explain = fig.locator('.ae-qkv-explain');

  await fig.locator('td[data-key="weight:1"]').hover();
  assert.deepEqual(await marked(), { hot: ['weight:1'], src: ['scaled:1'] });
  assert.match(await explain.textContent(), new RegExp(`weight on “animal” ${s.weights[1]} = softmax of its scaled score ${s.scaled[1]}.*add up to 1\\.000`));

  await fig.locator('td[data-key="scaled:5"]').hover();
  assert.deepEqual(await marked(), { hot: ['scaled:5'], src: ['raw:5'] });
  assert.match(await explain.textContent(), new RegExp(`^${s.scaled[5]} = ${s.raw[5]} ÷ √8`));

  await fig.locator('td[data-key="raw:1"]').hover();
  assert.deepEqual(await marked(), { hot: ['raw:1'], src: ['k:1', 'q'] });
  assert.match(await explain.textContent(), /4\.00 \(wants an animal\) × 1\.00 \(is an animal\)/);

  await fig.locator('td[data-key="out"]').hover();
  const m = await marked();
  assert.deepEqual(m.hot, ['out']);
  assert.equal(m.src.length, 2 * s.words.length, 'every weight and every value');
  assert.ok(m.src.every((key) => /^(weight|v):\d+$/.test(key)));

  await page.mouse.move(0, 0);   // leaving the table clears the marks
  assert.deepEqual(await marked(), { hot: [], src: [] });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('keyboard only: text, head, query token, table, key choice, nudge and Reset', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await page.mouse.move(0, 0);
  const active = () => page.evaluate(() => {
    const a = document.activeElement;
    return { inFig: !!a.closest('[data-figure="qkv"]'), control: a.dataset.control || null, key: a.dataset.key || null,
      head: a.dataset.head || null, token: a.dataset.tokenIndex || null, tag: a.tagName };
  });
  for (let i = 0; i < 80; i++) {
    const a = await active();
    if (a.inFig && a.control === 'text') break;
    await page.keyboard.press('Tab');
  }
  assert.deepEqual(await active(), { inFig: true, control: 'text', key: null, head: null, token: null, tag: 'INPUT' });
  await page.keyboard.press('End');
  await page.keyboard.type(' Then it slept');
  let s = await snapshot(fig);
  assert.deepEqual(s.words.slice(-3), ['Then', 'it', 'slept']);

  await page.keyboard.press('Tab');   // the pressed head is the group's tab stop
  assert.equal((await active()).head, '0');
  await page.keyboard.press('ArrowRight');
  assert.equal(await fig.locator('[data-head][aria-pressed="true"]').getAttribute('data-head'), '1');
  assert.match(await fig.locator('.ae-qkv-headinfo').textContent(), /./);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await fig.locator('[data-head][aria-pressed="true"]').getAttribute('data-head'), '0');

  await page.keyboard.press('Tab');   // the focal chip
  const focal = (await active()).token;
  assert.equal(focal, String(s.focus));
  await page.keyboard.press('ArrowLeft');
  s = await snapshot(fig);
  assert.equal(s.focus, Number(focal) - 1);
  checkReference(s, 'keyboard query');

  await page.keyboard.press('Tab');   // Numbers toggle
  assert.equal((await active()).control, 'numbers');
  await page.keyboard.press('Tab');   // the table: one tab stop, the query
  assert.equal((await active()).key, 'q');
  await page.keyboard.press('ArrowDown');
  assert.equal((await active()).key, 'k:0');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  assert.equal((await active()).key, 'raw:1');
  assert.equal(await fig.locator('.ae-qkv-hot').getAttribute('data-key'), 'raw:1', 'focus highlights like hover');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowDown');
  assert.equal((await active()).key, 'k:2');
  await page.keyboard.press('Enter');   // choose this key for nudging
  assert.equal(await fig.locator('[data-control="key-token"]').inputValue(), '2');

  await page.keyboard.press('Tab');   // the output box
  assert.equal((await active()).key, 'outbox');
  await page.keyboard.press('Tab');   // Reset is disabled, so the first query field
  assert.equal((await active()).control, 'query-component');
  const before = await snapshot(fig);
  await page.keyboard.press('Control+A');
  await page.keyboard.type('1');
  s = await snapshot(fig);
  assert.equal(s.q[0], '1.00');
  assert.notDeepEqual(s.raw, before.raw);
  checkReference(s, 'keyboard nudge');
  await page.keyboard.press('Shift+Tab');
  assert.equal((await active()).control, 'reset');
  await page.keyboard.press('Enter');
  assert.deepEqual((await snapshot(fig)).q, before.q);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('markup typed in the text stays text; nothing runs', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  const text = '<img src=x onerror="window.__pwned=1"><b>bold</b> <script>window.__pwned=2</script> it';
  await fig.locator('[data-control="text"]').fill(text);
  const s = await snapshot(fig);
  assert.equal(s.chips.join(''), text.replace(/\s+/g, ''), 'every character shown, as text');
  assert.deepEqual(s.words, s.chips);
  checkReference(s, 'markup');
  assert.equal(await fig.locator('img, b, script, iframe').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.ok((await fig.locator('.ae-qkv-explain').textContent()).length > 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('out-of-range indices through set() fall back to a real token; never a crash', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await page.waitForFunction(() => window.AttentionExplorer.page && window.AttentionExplorer.page.qkv);
  for (const change of ['{ focus: -1 }', '{ focus: 2.5 }', '{ focus: NaN }', '{ focus: 99 }', '{ head: 9 }', '{ head: -2 }', '{ keyToken: -1 }', '{ keyToken: 50 }']) {
    await page.evaluate(`window.AttentionExplorer.page.qkv.set(${change})`);
    const s = await snapshot(fig);
    assert.ok(s.focus >= 0 && s.focus < s.words.length, change);
    assert.deepEqual(s.pressed, [s.focus], change);
    checkReference(s, change);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('screenshots at 1280, 375 (touch) and dark', async () => {
  let page = await openLesson(browser, LESSON);
  let fig = await ready(page);
  await fig.locator('[data-control="query-component"][data-dim="5"]').fill('3');
  await fig.locator('td[data-key="raw:5"]').focus();   // focus marks sources like hover, and survives scrolling
  assert.equal(await fig.locator('.ae-qkv-src').count(), 2);
  await shot(page, 'fig-qkv-1280', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  page = await openLesson(browser, LESSON, { viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true });
  fig = await ready(page);
  await fig.locator('[data-token-index="1"]').tap();
  assert.equal((await snapshot(fig)).focus, 1);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scroll');
  const wrap = await fig.locator('.ae-qkv-wrap').boundingBox(), box = await fig.boundingBox();
  assert.ok(wrap.x >= box.x && wrap.x + wrap.width <= box.x + box.width, 'the table stays inside the figure');
  assert.equal(await fig.locator('.ae-qkv-wrap').evaluate((w) => w.scrollWidth <= w.clientWidth), true,
    'the whole row, weights and values included, fits without scrolling sideways');
  await fig.scrollIntoViewIfNeeded();
  await shot(page, 'fig-qkv-375', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  page = await openLesson(browser, LESSON, { colorScheme: 'dark' });
  fig = await ready(page);
  await fig.locator('[data-head="1"]').click();
  await page.mouse.move(0, 0);
  await shot(page, 'fig-qkv-dark', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
