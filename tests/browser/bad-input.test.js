// The bad-input table (issue 7) on the lesson page, one test per row. Every figure with a
// text box (data-control="text": 1.1 heatmap, 3.1 qkv, 4.1 mask) gets the same hostile
// text; each must answer with a defined, visible result: a friendly note, tokens shown
// intact and as text, never NaN, never a crash, never a lost update.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { launch, open, serve, ROOT, LESSON, openLesson } = require('./harness.js');
const { cliModel } = require('./reference.js');

const TEXT_FIGURES = ['heatmap', 'qkv', 'mask'];
const QKV_SHOWN = 40;     // Figure 3.1 shows the first 40 (MAX_SHOWN in fig-qkv.js)
const MAX_TOKENS = 256;   // the C core's token limit (MAX_TOKENS in attn-bridge.js)
const MASK_SHOWN = 8;     // Figure 4.1 shows at most 8 words
const TESTED = ['heatmap', 'heads', 'qkv', 'mask', 'temperature'];

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

async function lesson() {
  const page = await openLesson(browser, LESSON);
  await page.waitForFunction((names) => window.AttentionExplorer.page &&
    names.every((n) => document.querySelector(`[data-figure="${n}"]`).dataset.ready === 'true'), TESTED);
  return page;
}

// Types `text` into a figure's text box the way a paste does: one input event.
async function setText(page, name, text) {
  await page.evaluate(([n, t]) => {
    const box = document.querySelector(`[data-figure="${n}"] [data-control="text"]`);
    box.value = t;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }, [name, text]);
}

// What a figure shows: its tokens, the weights on them, the pressed token, the note, all text.
async function look(page, name) {
  return page.evaluate((n) => {
    const root = document.querySelector(`[data-figure="${n}"]`);
    const note = root.querySelector(':scope > .ae-note');
    const tokens = n === 'mask'
      ? Array.from(root.querySelectorAll('tbody th'), (x) => x.textContent)
      : Array.from(root.querySelectorAll('.ae-token'), (x) => x.dataset.text);
    const weights = n === 'mask'
      ? Array.from(root.querySelectorAll('tbody tr'), (tr) => Array.from(tr.querySelectorAll('td[data-weight]'), (td) => td.dataset.weight))
      : Array.from(root.querySelectorAll('.ae-token'), (x) => x.dataset.weight);
    const box = note.getBoundingClientRect();
    return {
      ready: root.dataset.ready, tokens, weights,
      pressed: Array.from(root.querySelectorAll('.ae-token[aria-pressed="true"]'), (x) => Number(x.dataset.tokenIndex)),
      note: note.textContent, noteVisible: box.height > 0 && getComputedStyle(note).display !== 'none',
      text: root.innerText,
    };
  }, name);
}

const near1 = (list, label) => {
  const sum = list.reduce((s, w) => s + Number(w), 0);
  assert.ok(Math.abs(sum - 1) <= list.length * 0.0005 + 1e-9, `${label}: weights sum to ${sum}`);
};

// A figure in a sound state: ready, numbers are numbers, weights of the focal row sum to 1.
function assertSound(v, name, label) {
  assert.equal(v.ready, 'true', `${label} ${name}: ready`);
  assert.doesNotMatch(v.text, /NaN|undefined|Infinity|\[object/, `${label} ${name}: no broken numbers`);
  if (!v.tokens.length) return;
  if (name === 'mask') {
    v.weights.forEach((row, i) => { if (row.length) near1(row, `${label} mask row ${i}`); });
  } else {
    near1(v.weights, `${label} ${name}`);
    assert.equal(v.pressed.length, 1, `${label} ${name}: one focal token`);
    assert.ok(v.pressed[0] >= 0 && v.pressed[0] < v.tokens.length);
  }
}

// The tokens the C tokenizer finds in `text`, from the native CLI (another process, not the
// page's bridge): { tokens: [{ text }] }.
function tokensOf(page, text) {
  return { tokens: cliModel(text).tokens.map((t) => ({ text: t })) };
}

for (const [row, text] of [['empty text', ''], ['whitespace only', ' \t\n  \u00a0 ']]) {
  test(`${row}: each text figure says to type a sentence; typing again recovers`, async () => {
    const page = await lesson();
    for (const name of TEXT_FIGURES) {
      await setText(page, name, text);
      const v = await look(page, name);
      assert.deepEqual(v.tokens, [], `${name}: no tokens`);
      assert.equal(v.noteVisible, true, `${name}: the note is visible`);
      assert.equal(v.note, 'Type a sentence to see where its words look.', name);
      assertSound(v, name, row);
      await setText(page, name, 'The cat sat');
      const back = await look(page, name);
      assert.deepEqual(back.tokens, ['The', 'cat', 'sat'], `${name}: back to work`);
      assert.equal(back.noteVisible, false, `${name}: the note is gone`);
      assertSound(back, name, row + ' then text');
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('one token: the word looks only at itself, weight 1.000', async () => {
  const page = await lesson();
  for (const name of TEXT_FIGURES) {
    await setText(page, name, 'Hello');
    const v = await look(page, name);
    assert.deepEqual(v.tokens, ['Hello'], name);
    assert.deepEqual(v.weights, name === 'mask' ? [['1.000']] : ['1.000'], name);
    assert.equal(v.noteVisible, false, name);
    assertSound(v, name, 'one token');
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('10,000 words: cut to the C token limit with a visible note; the page stays responsive', async () => {
  const page = await lesson();
  const words = Array.from({ length: 10000 }, (_, i) => ['the', 'trophy', 'fit', 'it', 'was', 'big'][i % 6]).join(' ');
  for (const name of TEXT_FIGURES) {
    await setText(page, name, words);
    const v = await look(page, name);
    // the C limit, or the figure's own smaller one (4.1 draws 8 words, 3.1 every number of 40)
    const shown = { mask: MASK_SHOWN, qkv: QKV_SHOWN }[name] || MAX_TOKENS;
    assert.equal(v.tokens.length, shown, `${name}: ${shown} tokens shown`);
    assert.equal(v.noteVisible, true, `${name}: the note is visible`);
    assert.ok(v.note.startsWith(`Only the first ${shown} of 10000 tokens are used`), name + ': ' + v.note);
    assertSound(v, name, '10,000 words');
  }
  // still responsive: clicks and keys after the flood do their job
  const chip = page.locator('[data-figure="heatmap"] [data-token-index="200"]');
  await chip.click();
  assert.equal(await chip.getAttribute('aria-pressed'), 'true');
  await page.locator('[data-figure="qkv"] [data-token-index="3"]').click();
  assert.equal(await page.locator('[data-figure="qkv"]').getAttribute('data-focus'), '3');
  await page.locator('[data-figure="mask"] [data-control="step"]').click();
  assert.equal(await page.locator('[data-figure="mask"]').getAttribute('data-step'), '0');
  const box = page.locator('[data-figure="heatmap"] [data-control="text"]');
  await box.fill('Short again.');
  assert.deepEqual((await look(page, 'heatmap')).tokens, ['Short', 'again', '.']);
  assert.equal((await look(page, 'heatmap')).noteVisible, false);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('emoji, right-to-left scripts and combining marks: every token shown intact', async () => {
  const page = await lesson();
  const text = 'I ❤️ 👩‍👩‍👧 café, nai\u0308ve e\u0301 🇫🇷! שלום עולם مرحبا بالعالم';
  const expected = ['I', '❤️', '👩‍👩‍👧', 'café', ',', 'nai\u0308ve', 'e\u0301', '🇫🇷', '!', 'שלום', 'עולם', 'مرحبا', 'بالعالم'];
  assert.deepEqual(tokensOf(page, text).tokens.map((t) => t.text), expected, 'the C tokenizer keeps graphemes whole');
  for (const name of TEXT_FIGURES) {
    await setText(page, name, text);
    const v = await look(page, name);
    assert.deepEqual(v.tokens, expected.slice(0, { mask: MASK_SHOWN, qkv: QKV_SHOWN }[name] || MAX_TOKENS), name);
    assert.ok(!v.text.includes('\ufffd'), `${name}: no replacement characters`);
    assertSound(v, name, 'emoji/RTL');
  }
  // the chips render each word as one piece of text, laid out in the right direction
  const words = await page.locator('[data-figure="heatmap"] .ae-token .ae-word').allTextContents();
  assert.deepEqual(words, expected);
  assert.equal(await page.locator('[data-figure="heatmap"] .ae-tokens').getAttribute('dir'), 'auto');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('markup and <script> in the text box are shown as text; nothing executes', async () => {
  const page = await lesson();
  const text = '<img src=x onerror="window.__pwned=1"><b>bold</b><script>window.__pwned=2</script>' +
    '<svg onload="window.__pwned=3"></svg> it';
  const expected = tokensOf(page, text).tokens.map((t) => t.text);
  assert.equal(expected.join(''), text.replace(/\s+/g, ''));
  // the figures' own markup stays as it was: no new kind of element, no extra <b> (Figure 1.1
  // has one of its own, for the focal word)
  const tags = (name) => page.locator(`[data-figure="${name}"]`).evaluate((root) => {
    const all = Array.from(root.querySelectorAll('*'), (x) => x.tagName);
    return { kinds: Array.from(new Set(all)).sort(), b: all.filter((t) => t === 'B').length };
  });
  for (const name of TEXT_FIGURES) {
    await setText(page, name, 'one two three');
    const before = await tags(name);
    await setText(page, name, text);
    const v = await look(page, name);
    assert.deepEqual(v.tokens, expected.slice(0, { mask: MASK_SHOWN, qkv: QKV_SHOWN }[name] || MAX_TOKENS), name);
    assert.equal(await page.locator(`[data-figure="${name}"]`).locator('img, script, svg, iframe, [onerror], [onload]').count(), 0, name);
    const after = await tags(name);
    assert.deepEqual(after.kinds.filter((k) => !before.kinds.includes(k)), [], `${name}: no new kind of element`);
    assert.equal(after.b, before.b, `${name}: no <b> from the text`);
    assertSound(v, name, 'markup');
  }
  // no <img>, <script> or <svg> was ever created (checked above), so there is nothing that
  // could fire later: no wait needed before this check
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// Each figure's set() with head and token indices that do not exist: it keeps a sound state.
const OUT_OF_RANGE = {
  heatmap: [{ focus: -1 }, { focus: 2.5 }, { focus: NaN }, { focus: 99 }, { focus: Infinity }, { head: 9 }, { head: -2 }, { head: NaN }],
  heads: [{ focus: -1 }, { focus: 2.5 }, { focus: NaN }, { focus: 99 }, { head: 9 }, { head: -2 }, { head: NaN }],
  qkv: [{ focus: -1 }, { focus: 2.5 }, { focus: NaN }, { focus: 99 }, { focus: Infinity }, { head: 9 }, { head: -2 }, { head: NaN }],
  mask: [{ head: 9 }, { head: -2 }, { head: NaN }, { step: 99 }, { step: -5 }, { step: 2.5 }, { step: NaN }],
};
const KNOWN = {};   // figures with a known gap here (none now)
for (const [name, changes] of Object.entries(OUT_OF_RANGE)) {
  test(`head and token indices out of range through set(): ${name}`, { todo: KNOWN[name] }, async () => {
    const page = await lesson();
    for (const change of changes) {
      const label = JSON.stringify(change, (k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
      // (Playwright carries NaN and Infinity across as numbers)
      const error = await page.evaluate(([n, c]) => {
        try { window.AttentionExplorer.page[n].set(c); return null; } catch (e) { return e.message; }
      }, [name, change]);
      assert.equal(error, null, `${name}.set(${label}) must not throw`);
      const v = await look(page, name);
      assert.ok(v.tokens.length > 0, `${name} ${label}: still shows the sentence`);
      assertSound(v, name, label);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('rapid typing: 1,000 input events in a burst on each text box, no update lost', async () => {
  const page = await lesson();
  for (const name of TEXT_FIGURES) {
    const last = await page.evaluate((n) => {
      const box = document.querySelector(`[data-figure="${n}"] [data-control="text"]`);
      const base = 'The trophy did not fit because it was ';
      let value = '';
      for (let i = 0; i < 1000; i++) {
        value = base + 'w' + i;   // each event a different last word
        box.value = value;
        box.dispatchEvent(new InputEvent('input', { bubbles: true, data: String(i % 10), inputType: 'insertText' }));
      }
      return value;
    }, name);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const v = await look(page, name);
    const expected = tokensOf(page, last).tokens.map((t) => t.text);
    assert.deepEqual(v.tokens, name === 'mask' ? expected.slice(0, MASK_SHOWN) : expected, `${name}: shows the last value`);
    if (name !== 'mask') assert.equal(v.tokens.at(-1), 'w999');
    assertSound(v, name, 'burst');
  }
  // and real keys, one after another, into Figure 1.1
  const box = page.locator('[data-figure="heatmap"] [data-control="text"]');
  await box.fill('');
  await box.pressSequentially('it was the trophy again and again', { delay: 0 });
  assert.deepEqual((await look(page, 'heatmap')).tokens, ['it', 'was', 'the', 'trophy', 'again', 'and', 'again']);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('rapid dragging: 1,000 input events on the temperature slider, no update lost', async () => {
  const page = await lesson();
  const fig = page.locator('[data-figure="temperature"]');
  await fig.locator('.ae-temperature-check').check();   // Figure 1.1 follows the slider too
  const last = await page.evaluate(() => {
    const range = document.querySelector('[data-figure="temperature"] [data-control="temperature"]');
    let value = '';
    for (let i = 0; i < 1000; i++) {
      value = (0.05 + ((i * 37) % 296) / 100).toFixed(2);
      range.value = value;
      range.dispatchEvent(new Event('input', { bubbles: true }));
    }
    return value;
  });
  assert.equal(last, (0.05 + ((999 * 37) % 296) / 100).toFixed(2));
  const shown = await fig.evaluate((root) => ({
    readout: root.querySelector('.ae-temperature-readout').textContent,
    scores: Array.from(root.querySelectorAll('[data-candidate-index]'), (r) => Number(r.dataset.score)),
    probs: Array.from(root.querySelectorAll('[data-candidate-index]'), (r) => Number(r.dataset.prob)),
  }));
  assert.equal(shown.readout, 'T = ' + last);
  // the bars are softmax(scores / last), computed here independently
  const t = Number(last), m = Math.max(...shown.scores), e = shown.scores.map((s) => Math.exp((s - m) / t));
  const z = e.reduce((a, b) => a + b, 0);
  e.forEach((x, i) => assert.ok(Math.abs(shown.probs[i] - x / z) <= 0.0005 + 1e-6, `candidate ${i}: ${shown.probs[i]} vs ${x / z}`));
  assert.equal(await page.evaluate(() => window.AttentionExplorer.page.heatmap.state.temperature), t, 'Figure 1.1 got the last value');
  assert.match(await page.locator('[data-figure="heatmap"] .ae-head-line').textContent(), new RegExp('temperature ' + last.replace('.', '\\.') + '$'));

  // a real drag with the mouse, many small moves: the readout ends where the thumb ends
  const range = fig.locator('[data-control="temperature"]');
  const box = await range.boundingBox();
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2, { steps: 40 });
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 20 });
  await page.mouse.up();
  const value = await range.inputValue();
  assert.ok(Number(value) > 0.4 && Number(value) < 1.3, `thumb near 30 %: ${value}`);
  assert.equal(await fig.locator('.ae-temperature-readout').textContent(), 'T = ' + Number(value).toFixed(2));
  assert.equal(await page.evaluate(() => window.AttentionExplorer.page.heatmap.state.temperature), Number(value));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// When the WASM module cannot load, every figure says so in words instead of staying a blank
// (or "Loading...") box. Served over http so the core's request can be answered badly.
const FAILURES = {
  'attn-core.js answers 404': {
    setup: (page) => page.route('**/attn-core.js', (r) => r.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' })),
    expected: [/^console: Failed to load resource: the server responded with a status of 404/],
  },
  'attn-core.js is broken JavaScript': {
    setup: (page) => page.route('**/attn-core.js', (r) => r.fulfill({ status: 200, contentType: 'text/javascript', body: 'var AttnCore = (function () { this is not javascript' })),
    expected: [/^pageerror: Unexpected identifier/],
  },
  'the WebAssembly binary inside it is corrupt': {
    setup: (page) => page.route('**/attn-core.js', async (r) => {
      const res = await r.fetch();
      const body = (await res.text()).replace('base64,AGFzbQ', 'base64,AAAAAA');   // "\0asm" magic -> zeros
      r.fulfill({ response: res, body });
    }),
    expected: [],
  },
  'the browser has no WebAssembly': {
    setup: (page) => page.addInitScript(() => { delete window.WebAssembly; }),
    expected: [],
  },
  'a page policy forbids compiling WebAssembly': {
    setup: (page) => page.route('**/index.html', async (r) => {
      const res = await r.fetch();
      r.fulfill({ response: res, body: (await res.text()).replace(" 'wasm-unsafe-eval'", '') });
    }),
    expected: [/^console: CSP violation: script-src/],
  },
};

for (const [row, { setup, expected }] of Object.entries(FAILURES)) {
  test(`WASM cannot load (${row}): every figure says so plainly, no blank box`, async () => {
    const site = await serve(path.join(ROOT, 'web'), 0);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
    page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
      console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI)));
    try {
      await setup(page);
      await page.goto(site.url + 'index.html');
      await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-figure]')).every((f) => f.dataset.ready));
      const figures = await page.locator('[data-figure]').evaluateAll((roots) => roots.map((root) => {
        const note = root.querySelector('.ae-note'), box = root.getBoundingClientRect();
        const noteBox = note ? note.getBoundingClientRect() : { width: 0, height: 0 };
        return { name: root.dataset.figure, ready: root.dataset.ready, caption: (root.querySelector('.ae-caption') || {}).textContent,
          note: note ? note.textContent : '', noteShown: noteBox.width > 100 && noteBox.height > 10 && getComputedStyle(note).display !== 'none',
          height: box.height, loading: !!root.querySelector('.ae-loading'), controls: root.querySelectorAll('input, button, select').length,
          emptyArea: Array.from(root.querySelectorAll('.ae-body')).some((b) => b.offsetHeight > 0 && !b.textContent.trim()) };
      }));
      assert.ok(figures.length >= TESTED.length, 'every figure of the lesson');
      for (const f of figures) {
        assert.equal(f.ready, 'error', `${f.name}: data-ready="error"`);
        assert.match(f.caption, /^Figure [\d.]+could not start$/, `${f.name}: the caption says it`);
        assert.match(f.note, /^This figure needs WebAssembly, and the attention core did not load \(.*[^.]\)\. Try a current Firefox, Chrome, Safari or Edge\.$/, f.name);
        assert.equal(f.emptyArea, false, `${f.name}: no empty box above the message`);
        assert.equal(f.noteShown, true, `${f.name}: the message is visible`);
        assert.equal(f.loading, false, `${f.name}: no "Loading..." left behind`);
        assert.equal(f.controls, 0, `${f.name}: no dead controls`);
        assert.ok(f.height > 60, `${f.name}: not a blank sliver (${f.height}px)`);
      }
      assert.deepEqual(problems.filter((p) => !expected.some((re) => re.test(p))), [], 'no other errors');
    } finally {
      await context.close();
      site.server.close();
    }
  });
}
