// The trained Brown model in the lesson's figures (issue 12): the model switch of Figures 1.1 and
// 2.1 and Figure 2.2, the atlas. What they show is checked against the native CLI
// (`build/attn --model brown --json`, another process) and the atlas the C core measured
// (models/brown-atlas.json): weights, unknown words, habits, entropies. Also: the model loads
// lazily (Figure 1.1 is ready in designed mode before any of it), URL state, keyboard, bad
// input, exports, a model that fails to load, the built dist/ and the <attention-figure>
// component from file://, and the model's WASM memory freed when a figure goes away.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { launch, open, shot, fileUrl, LESSON, ROOT, openLesson } = require('./harness.js');
const { cliModel, assertShown, assertRowShown } = require('./reference.js');

const CLI = path.join(ROOT, 'build', 'attn');
const TROPHY = "The trophy didn't fit in the suitcase because it was too big.";
const ATLAS = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'brown-atlas.json'), 'utf8'));
const HM = '[data-figure="heatmap"]', HEADS = '[data-figure="heads"]', ATL = '[data-figure="atlas"]';

const brownCache = new Map();
function brown(text) {
  if (!brownCache.has(text)) {
    const r = spawnSync(CLI, ['--model', 'brown', '--json', text], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    brownCache.set(text, JSON.parse(r.stdout));
  }
  return brownCache.get(text);
}

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

// the chips of a figure: [{ text, weight, unknown, future }]
function chipsOf(fig) {
  return fig.locator('.ae-tokens [data-token-index]').evaluateAll((els) => els.map((e) => ({
    text: e.dataset.text, weight: e.dataset.weight, unknown: e.hasAttribute('data-unknown'), future: e.hasAttribute('data-future') })));
}

const modelReady = (page, sel) => page.waitForSelector(sel + '[data-model-state="ready"]');
const renders = (fig) => fig.evaluate((el) => Number(el.dataset.renders));
// waits for the figure to draw again after `action`
async function redrawn(fig, action) {
  const before = await renders(fig);
  await action();
  await fig.page().waitForFunction(([el, n]) => Number(el.dataset.renders) > n, [await fig.elementHandle(), before]);
}

test('Figure 1.1: ready in designed mode before any model; the switch loads the Brown model and shows what the CLI computes', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = page.locator(HM);
  await page.waitForSelector(HM + '[data-ready="true"]');
  const before = await page.evaluate(() => ({ core: typeof window.AttnModelCore,
    scripts: Array.from(document.scripts).map((s) => s.src.split('/').pop()) }));
  assert.equal(before.core, 'undefined', 'no model module while the lesson opens');
  assert.ok(!before.scripts.includes('weights-brown.js'), 'no weights while the lesson opens');
  assert.equal(await fig.getAttribute('data-model-state'), 'designed');
  // designed mode is today's figure: the CLI's designed head 0 on "it"
  const designed = cliModel(TROPHY).heads[0].weights[8];
  assertRowShown((await chipsOf(fig)).map((c) => c.weight), designed, 3, 'designed row of "it"');

  await fig.locator('[data-control="model"]').selectOption('trained');
  await modelReady(page, HM);
  const want = brown(TROPHY);
  let chips = await chipsOf(fig);
  assert.deepEqual(chips.map((c) => c.text), want.tokens, 'the model\'s tokens, <s> first');
  assert.deepEqual(chips.map((c, i) => (c.unknown ? i : -1)).filter((i) => i >= 0), want.unknown, 'unknown words marked');
  assert.deepEqual(want.unknown.map((i) => want.tokens[i]), ['trophy', 'suitcase']);
  const it = want.tokens.indexOf('it');
  assert.equal(await fig.getAttribute('data-focus'), String(it), 'the focal word is still "it"');
  assertRowShown(chips.map((c) => c.weight), want.layers[0].heads[0].weights[it], 3, 'L0H0 row of "it"');
  assert.deepEqual(chips.map((c) => c.future), chips.map((c, i) => i > it), 'words after "it" are marked unread');
  assert.match(await fig.locator('.ae-decoder-line').textContent(), /“it” has not read “was too big\.” yet/);
  assert.match(await fig.locator('.ae-summary').first().textContent(), /Its weights add up to 1\.000\./);
  assert.match(await fig.locator('.ae-note').first().textContent(), /outside the model's vocabulary \(“trophy”, “suitcase”\)/);

  // layer 2, head 3: the determiner head; its caption quotes the atlas's measured numbers
  await redrawn(fig, () => fig.locator('[data-control="layer"]').selectOption('2'));
  await redrawn(fig, () => fig.locator('[data-control="head"]').selectOption('3'));
  chips = await chipsOf(fig);
  assertRowShown(chips.map((c) => c.weight), want.layers[2].heads[3].weights[it], 3, 'L2H3 row of "it"');
  const l2h3 = ATLAS.layers[2].heads[3];
  const habit = await fig.locator('.ae-habit-line').textContent();
  assert.match(habit, /L2H3 has a habit: determiner/);
  const [score, base] = habit.match(/puts ([\d.]+) of its weight on its determiner.*would put (\d\.\d+)/).slice(1);
  assertShown(score, l2h3.det_noun, 3, 'determiner score');
  assertShown(base, l2h3.det_baseline, 3, 'its baseline');
  await redrawn(fig, () => fig.locator('[data-control="head"]').selectOption('0'));
  assert.match(await fig.locator('.ae-habit-line').textContent(), /L2H0 is diffuse/);
  // focus another word with the keyboard: the row follows
  await fig.locator(`[data-token-index="${it}"]`).focus();
  await redrawn(fig, () => page.keyboard.press('ArrowLeft'));
  assertRowShown((await chipsOf(fig)).map((c) => c.weight), want.layers[2].heads[0].weights[it - 1], 3, 'L2H0 row of "because"');

  // the state is in the URL
  await page.waitForFunction(() => /heatmap\.model=trained/.test(location.hash) && /heatmap\.layer=2/.test(location.hash));
  await shot(page, 'trained-heatmap-1280', fig);
  // and back: the designed heads, "it" still the focal word
  await redrawn(fig, () => fig.locator('[data-control="model"]').selectOption('designed'));
  assert.equal(await fig.getAttribute('data-model-state'), 'designed');
  assertRowShown((await chipsOf(fig)).map((c) => c.weight), cliModel(TROPHY).heads[0].weights[7], 3, 'designed row of "because"');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Figure 2.1 from a link: a layer of the trained model, its matrix as the CLI, the 16 maps, keyboard', async () => {
  const page = await openLesson(browser, LESSON + '#heads.model=trained&heads.layer=2&heads.head=3');
  const fig = page.locator(HEADS);
  await modelReady(page, HEADS);
  await page.waitForFunction((s) => document.querySelector(s).querySelectorAll('td[data-row]').length > 0, HEADS);
  const want = brown(TROPHY), n = want.tokens.length;
  const cells = await fig.locator('td[data-row]').evaluateAll((els) => els.map((e) =>
    [Number(e.dataset.row), Number(e.dataset.col), e.dataset.weight, e.dataset.allowed]));
  assert.equal(cells.length, n * n);
  for (const [i, j, w, allowed] of cells) {
    assertShown(w, want.layers[2].heads[3].weights[i][j], 3, `L2H3 [${i}][${j}]`);
    assert.equal(allowed, String(j <= i), 'the causal mask');
  }
  const pickers = await fig.locator('.ae-heads-pickers [data-head]').evaluateAll((els) => els.map((e) =>
    [e.dataset.layer, e.dataset.head, e.getAttribute('aria-pressed')]));
  assert.deepEqual(pickers, [['2', '0', 'false'], ['2', '1', 'false'], ['2', '2', 'false'], ['2', '3', 'true']]);
  assert.match(await fig.locator('.ae-heads-desc').textContent(), /^L2H3: Measured on held-out text, L2H3 has a habit: determiner/);
  assert.equal(await fig.locator('.ae-heads-mini[data-layer][data-head]').count(), 16);
  assert.equal(await fig.locator('.ae-heads-mini[data-layer="0"][data-head="0"] .ae-heads-mini-map > span').count(), n * n);
  // a map opens its head; arrow keys walk the maps
  await redrawn(fig, () => fig.locator('.ae-heads-mini[data-layer="1"][data-head="0"]').click());
  assert.equal(await fig.locator('[data-control="layer"][aria-pressed="true"]').getAttribute('data-layer'), '1');
  await redrawn(fig, () => page.keyboard.press('ArrowRight'));
  assert.equal(await fig.locator('.ae-heads-mini[aria-pressed="true"]').getAttribute('data-head'), '1');
  const row = await fig.locator('td[data-row="5"]').evaluateAll((els) => els.map((e) => e.dataset.weight));
  assertRowShown(row, want.layers[1].heads[1].weights[5], 3, 'L1H1 row 5');
  await page.waitForFunction(() => /heads\.layer=1/.test(location.hash) && /heads\.head=1/.test(location.hash));
  await shot(page, 'trained-heads-1280', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Figure 2.2 loads when scrolled to; habits, entropies and counts from C; keys; Enter opens the head in 2.1', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = page.locator(ATL);
  await page.waitForSelector(ATL + '[data-ready="true"]');
  assert.equal(await page.evaluate(() => typeof window.AttnModelCore), 'undefined', 'not loaded before it is seen');
  await fig.scrollIntoViewIfNeeded();
  await modelReady(page, ATL);
  await page.waitForSelector(ATL + ' [data-layer-entropy]');
  const want = brown(TROPHY);
  const cells = await fig.locator('.ae-atlas-cell').evaluateAll((els) => els.map((e) =>
    ({ layer: Number(e.dataset.layer), head: Number(e.dataset.head), habit: e.dataset.habit, entropy: e.dataset.entropy,
      spans: e.querySelectorAll('.ae-heads-mini-map > span').length })));
  assert.equal(cells.length, 16);
  for (const c of cells) {
    const a = ATLAS.layers[c.layer].heads[c.head];
    assert.equal(c.habit, a.habit, `L${c.layer}H${c.head} habit`);
    assertShown(c.entropy, a.entropy, 2, `L${c.layer}H${c.head} held-out entropy`);
    assert.equal(c.spans, want.tokens.length ** 2, 'a thumbnail of the sentence');
  }
  const layers = await fig.locator('[data-layer-entropy]').evaluateAll((els) => els.map((e) => e.dataset.layerEntropy));
  assert.equal(layers.length, 4);
  layers.forEach((t, l) => assertShown(t, want.layers[l].entropy, 2, `layer ${l} entropy on the sentence`));
  const clean = ATLAS.layers.flatMap((l) => l.heads).filter((h) => h.habit !== 'diffuse');
  assert.match(await fig.locator('.ae-atlas-count').textContent(),
    new RegExp(`${clean.length} of 16 heads ha(s|ve) a clean habit .*the other ${16 - clean.length} are diffuse`));

  // hover and keyboard: the detail follows the selected cell
  await fig.locator('.ae-atlas-cell[data-layer="2"][data-head="3"]').hover();
  await page.waitForFunction((s) => /^L2H3 .*determiner/.test(document.querySelector(s + ' .ae-atlas-detail').textContent), ATL);
  await fig.locator('.ae-atlas-cell[data-layer="0"][data-head="0"]').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => [document.activeElement.dataset.layer, document.activeElement.dataset.head].join()), '1,1');
  await page.keyboard.press('End');
  assert.equal(await fig.locator('.ae-atlas-cell[aria-pressed="true"]').evaluate((e) => e.dataset.layer + e.dataset.head), '13');
  assert.match(await fig.locator('.ae-atlas-detail').textContent(), /^L1H3 /);
  await shot(page, 'trained-atlas-1280', fig);
  // Enter opens L1H3 in Figure 2.1, trained, on this sentence
  await page.keyboard.press('Enter');
  await modelReady(page, HEADS);
  await page.waitForFunction((s) => {
    const b = document.querySelector(s + ' .ae-heads-pickers [data-head][aria-pressed="true"]');
    return b && b.dataset.layer === '1' && b.dataset.head === '3';
  }, HEADS);
  assert.equal(await page.locator(HEADS + ' [data-control="model"]').inputValue(), 'trained');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('at 390 px: no overflow in trained mode and in the atlas; screenshots', async () => {
  const page = await openLesson(browser, LESSON + '#heatmap.model=trained&heads.model=trained&heads.layer=2&heads.head=3',
    { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await modelReady(page, HM);
  await modelReady(page, HEADS);
  await page.locator(ATL).scrollIntoViewIfNeeded();
  await modelReady(page, ATL);
  await page.waitForSelector(ATL + ' [data-layer-entropy]');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page is not wider than the phone (${wide})`);
  for (const sel of [HM, HEADS, ATL]) {
    const over = await page.locator(sel).evaluate((root) => Array.from(root.querySelectorAll('*')).filter((e) =>
      !e.closest('.ae-matrix-wrap') && e.getBoundingClientRect().right > root.getBoundingClientRect().right + 1)
      .map((e) => e.className).slice(0, 3));
    assert.deepEqual(over, [], `${sel}: nothing sticks out`);
  }
  await shot(page, 'trained-heatmap-390', page.locator(HM));
  await shot(page, 'trained-atlas-390', page.locator(ATL));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('bad input in trained mode: only unknown words, 10,000 words, empty; bad link values get notes', async () => {
  const page = await openLesson(browser, LESSON + '#heatmap.model=trained&heatmap.layer=9&heatmap.head=x&heads.model=nonsense');
  const fig = page.locator(HM);
  await modelReady(page, HM);
  await page.waitForSelector(HM + ' .ae-url-note');
  const urlNote = await fig.locator('.ae-url-note').textContent();
  assert.match(urlNote, /There is no head "x"/);
  assert.match(await page.locator(HEADS + ' .ae-url-note').textContent(), /Model "nonsense" is unknown/);
  assert.match(await fig.locator('.ae-note').first().textContent(), /The trained model has layers 0 to 3; showing layer 3\./);
  assert.equal(await fig.locator('[data-control="layer"]').inputValue(), '3');

  const input = fig.locator('[data-control="text"]');
  const odd = 'Zqxv blorft Wuggish qqq';
  await redrawn(fig, () => input.fill(odd));
  const want = brown(odd);
  let chips = await chipsOf(fig);
  assert.deepEqual(chips.map((c) => c.text), want.tokens);
  assert.deepEqual(want.unknown, [1, 2, 3, 4], 'the CLI agrees: every word is unknown');
  assert.deepEqual(chips.map((c) => c.unknown), [false, true, true, true, true]);
  assertRowShown(chips.map((c) => c.weight), want.layers[3].heads[0].weights[4], 3, 'the last word, L3H0');

  const long = Array.from({ length: 10000 }, (_, i) => ['the', 'jury', 'said', 'it'][i % 4]).join(' ');
  await redrawn(fig, () => input.fill(long));
  chips = await chipsOf(fig);
  assert.equal(chips.length, 64, '<s> and the first 63 tokens');
  assert.match(await fig.locator('.ae-note').first().textContent(), /reads the first 63 of \d+ tokens/);
  const wantLong = brown(long);
  const focus = Number(await fig.getAttribute('data-focus'));
  assertRowShown(chips.map((c) => c.weight), wantLong.layers[3].heads[0].weights[focus], 3, 'long text');

  await redrawn(fig, () => input.fill(''));
  assert.equal((await chipsOf(fig)).length, 0);
  assert.match(await fig.locator('.ae-note').first().textContent(), /Type a sentence to see where its words look\./);
  await redrawn(fig, () => input.fill('The jury said it'));
  assert.equal((await chipsOf(fig)).length, 5, 'typing again recovers');

  // the atlas on 10,000 words: thumbnails of the first 32 tokens, a note
  const atlas = page.locator(ATL);
  await atlas.scrollIntoViewIfNeeded();
  await modelReady(page, ATL);
  await redrawn(atlas, () => atlas.locator('[data-control="text"]').fill(long));
  assert.equal(await atlas.locator('.ae-atlas-cell[data-layer="0"][data-head="0"] .ae-heads-mini-map > span').count(), 32 * 32);
  assert.match(await atlas.locator('.ae-note').first().textContent(), /thumbnails show the first 32 tokens/);
  await redrawn(atlas, () => atlas.locator('[data-control="text"]').fill('   '));
  assert.match(await atlas.locator('.ae-note').first().textContent(), /Type a sentence/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('exports in trained mode: CSV and JSON carry the weights shown, the atlas its habits; SVG and PNG draw', async () => {
  const page = await openLesson(browser, LESSON + '#heatmap.model=trained&heatmap.layer=2&heatmap.head=3');
  await modelReady(page, HM);
  await page.locator(ATL).scrollIntoViewIfNeeded();
  await modelReady(page, ATL);
  await page.waitForSelector(ATL + ' [data-layer-entropy]');
  const out = await page.evaluate(async ([hm, atl]) => {
    const ex = window.AttentionExplorer.exporter, a = document.querySelector(hm), b = document.querySelector(atl);
    const png = await ex.png(a);
    return { csv: ex.csv(a), json: JSON.parse(ex.json(a, window.AttentionExplorer.page.heatmap.state)),
      atlas: ex.csv(b), svg: ex.svg(b).length, png: png.size };
  }, [HM, ATL]);
  const want = brown(TROPHY), it = want.tokens.indexOf('it');
  const rows = out.json.numbers.filter((r) => r.table === 'focal_row');
  assert.equal(rows.length, want.tokens.length);
  assertRowShown(rows.map((r) => r.value), want.layers[2].heads[3].weights[it], 3, 'exported row');
  assert.equal(out.json.state.model, 'trained');
  assert.equal(out.json.state.layer, 2);
  assert.deepEqual(out.json.tokens, want.tokens);
  assert.match(out.csv, /focal_row,9,0,it,<s>,weight,/);
  assert.match(out.atlas, /atlas,2,3,L2H3,,habit,determiner/);
  assert.equal((out.atlas.match(/^atlas,.*,habit,/gm) || []).length, 16);
  assert.equal((out.atlas.match(/^layer_entropy,/gm) || []).length, 4);
  assert.ok(out.svg > 10000 && out.png > 10000, `pictures drawn (${out.svg} chars of SVG, ${out.png} bytes of PNG)`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a model that cannot load: a friendly note, the designed heads still work', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-noweights-'));
  try {
    fs.cpSync(path.join(ROOT, 'web'), dir, { recursive: true });
    fs.rmSync(path.join(dir, 'weights-brown.js'));
    const page = await open(browser, 'file://' + path.join(dir, 'index.html') + '?autorun=0#heatmap.model=trained');
    const fig = page.locator(HM);
    await page.waitForSelector(HM + '[data-model-state="error"]');
    await page.waitForFunction((s) => /could not load/.test(document.querySelector(s + ' .ae-note').textContent), HM);
    assert.match(await fig.locator('.ae-note').first().textContent(),
      /^The trained model could not load \(.*weights-brown\.js.*\)\. The designed heads still work/);
    await redrawn(fig, () => fig.locator('[data-control="model"]').selectOption('designed'));
    assert.equal((await chipsOf(fig)).length, 13, 'the designed figure draws');
    const problems = page.problems.filter((p) => !/weights-brown\.js|ERR_FILE_NOT_FOUND/.test(p));
    assert.deepEqual(problems, []);
    await page.context().close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('dist/ from file://: the lesson in trained mode, and <attention-figure model="trained"> in a foreign page; removal frees the model', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-trained-dist-'));
  try {
    fs.cpSync(path.join(ROOT, 'dist'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'course.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>A course</title><link rel="icon" href="data:,"><script src="attention-figures.js"></script></head><body>
<attention-figure id="h" figure="heads" model="trained" layer="2" head="1" text="The jury said it did find that many of the"></attention-figure>
<attention-figure id="m" figure="heatmap" model="trained" layer="x" focus="jury" text="The jury said it"></attention-figure>
<attention-figure id="a" figure="atlas"></attention-figure>
</body></html>`);
    const lesson = await open(browser, 'file://' + path.join(dir, 'index.html') + '?autorun=0#heatmap.model=trained');
    await modelReady(lesson, HM);
    assertRowShown((await chipsOf(lesson.locator(HM))).map((c) => c.weight), brown(TROPHY).layers[0].heads[0].weights[9], 3, 'dist lesson');
    assert.deepEqual(lesson.problems, []);
    await lesson.context().close();

    // the iframe page: embed.html takes model and layer from its address
    const framed = await open(browser, 'file://' + path.join(dir, 'embed.html') + '?figure=heads&model=trained&layer=2&head=1');
    await modelReady(framed, '#figure');
    assert.equal(await framed.locator('.ae-heads-pickers [data-head][aria-pressed="true"]').evaluate((e) => e.dataset.layer + e.dataset.head), '21');
    assert.deepEqual(framed.problems, []);
    await framed.context().close();

    const page = await open(browser, 'file://' + path.join(dir, 'course.html'));
    const inner = (id, sel) => page.locator(`#${id}`).locator(sel);
    await page.waitForFunction(() => ['h', 'm', 'a'].every((id) => {
      const f = document.getElementById(id).shadowRoot && document.getElementById(id).shadowRoot.querySelector('[data-figure]');
      return f && f.dataset.modelState === 'ready';
    }));
    const text = 'The jury said it did find that many of the';
    const want = brown(text);
    const cells = await inner('h', 'td[data-row]').evaluateAll((els) => els.map((e) => [Number(e.dataset.row), Number(e.dataset.col), e.dataset.weight]));
    assert.equal(cells.length, want.tokens.length ** 2);
    cells.forEach(([i, j, w]) => assertShown(w, want.layers[2].heads[1].weights[i][j], 3, `component L2H1 [${i}][${j}]`));
    assert.match(await inner('m', '.ae-attribute-note').textContent(), /There is no layer "x"/);
    assertRowShown((await chipsOf(inner('m', '[data-figure]'))).map((c) => c.weight), brown('The jury said it').layers[0].heads[0].weights[2], 3, 'component 1.1');
    assert.equal(await inner('a', '.ae-atlas-cell').count(), 16);
    const scripts = await page.evaluate(() => Array.from(document.scripts).map((s) => s.src.split('/').pop()));
    assert.ok(scripts.includes('weights-brown.js') && scripts.includes('attn-model-core.js'), 'the model came from beside the bundle');
    // an attribute change redraws; removing the elements frees each figure's model buffers
    await page.evaluate(() => document.getElementById('h').setAttribute('layer', '0'));
    await page.waitForFunction(() => document.getElementById('h').shadowRoot.querySelector('[data-control="layer"][aria-pressed="true"]').dataset.layer === '0');
    const heap = await page.evaluate(async () => {
      const M = await window.AttentionExplorer.loadModelCore();
      const before = M._attn_heap_in_use();
      ['h', 'm', 'a'].forEach((id) => document.getElementById(id).remove());
      return { before, after: M._attn_heap_in_use() };
    });
    const params = 466304 * 4;
    assert.ok(heap.before - heap.after >= 3 * params, `three models' parameters freed (${heap.before} -> ${heap.after})`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
