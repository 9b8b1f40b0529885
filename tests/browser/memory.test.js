// Memory (issues 7 and 15): 100,000 interactions on the lesson page (hover, type, drag) keep
// the WASM heap and the JS heap bounded. The bridge reuses its WASM buffers, so the allocator's
// bytes in use (heapInUse, C's mallinfo) after 100,000 interactions must equal, byte for byte,
// those after the first 1,000 (the memory size alone moves in 64 KiB pages and never shrinks,
// so it cannot see a small leak); the JS heap after a forced garbage collection may only move
// by a small margin (a leak of just 16 bytes per interaction would add ~1.6 MB). A lab job
// created and destroyed in the page gives back every byte it took.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, open, openLesson, fileUrl } = require('./harness.js');

const JS_MARGIN = 1024 * 1024;   // bytes: allocator and JIT noise (~0.25 MB seen), far below a real leak

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

// Runs interactions [from, to) in the page: each index picks one kind, in a fixed cycle that
// repeats within the first 1,000, so every buffer size is reached early.
function interact(page, from, to) {
  return page.evaluate(([a, b]) => {
    const q = (sel) => document.querySelector(sel);
    const over = (node) => node.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    const type = (box, text) => { box.value = text; box.dispatchEvent(new Event('input', { bubbles: true })); };
    const heatChips = () => document.querySelectorAll('[data-figure="heatmap"] .ae-token');
    const headsChips = () => document.querySelectorAll('[data-figure="heads"] .ae-token');
    const qkvChips = () => document.querySelectorAll('[data-figure="qkv"] .ae-token');
    const heatText = q('[data-figure="heatmap"] [data-control="text"]');
    const qkvText = q('[data-figure="qkv"] [data-control="text"]');
    const maskText = q('[data-figure="mask"] [data-control="text"]');
    const range = q('[data-figure="temperature"] [data-control="temperature"]');
    const sentences = ["The trophy didn't fit in the suitcase because it was too big.",
      'The cat sat on the mat.', 'She gave him the book because he asked for it twice, politely.'];
    for (let i = a; i < b; i++) {
      const kind = i % 20;
      if (i % 200 === 7) over(qkvChips()[i % qkvChips().length]);      // Figure 3.1 redraws a big table: rarer
      else if (i % 200 === 107) type(qkvText, sentences[(i / 200 | 0) % 3]);
      else if (i % 200 === 57) type(maskText, sentences[(i / 200 | 0) % 3]);
      else if (kind < 2) over(heatChips()[i % heatChips().length]);     // hover
      else if (kind < 8 || kind >= 18) over(headsChips()[i % headsChips().length]);
      else if (kind < 17) { range.value = (0.05 + (i % 296) / 100).toFixed(2); range.dispatchEvent(new Event('input', { bubbles: true })); }   // drag
      else type(heatText, sentences[(i / 20 | 0) % 3]);                  // type
    }
  }, [from, to]);
}

const inUse = (page) => page.evaluate(async () => (await window.AttentionExplorer.loadCore()).heapInUse());

// The page's queued work (live-region announcements, debounced redraws) runs in timers and
// frames: two animation frames after a zero timeout, it has had its turn.
const settled = (page) => page.evaluate(() => new Promise((done) => setTimeout(() =>
  requestAnimationFrame(() => requestAnimationFrame(() => done())), 0)));

async function heaps(page, cdp) {
  await settled(page);
  const wasm = await page.evaluate(async () => (await window.AttentionExplorer.loadCore()).heapBytes());
  const allocated = await inUse(page);
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return { wasm, allocated, js: usedSize };
}

test('100,000 interactions: WASM heap unchanged after the first 1,000, JS heap bounded', async () => {
  // the lab idles (?autorun=0): a run in progress holds a job, which is not a leak
  const page = await openLesson(browser, fileUrl('web/index.html?autorun=0'));
  await page.waitForFunction(() => window.AttentionExplorer.page &&
    ['heatmap', 'heads', 'qkv', 'mask', 'temperature'].every((n) => document.querySelector(`[data-figure="${n}"]`).dataset.ready === 'true'));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');

  await interact(page, 0, 1000);
  const first = await heaps(page, cdp);
  for (let from = 1000; from < 100000; from += 9900) await interact(page, from, Math.min(100000, from + 9900));
  const last = await heaps(page, cdp);
  if (process.env.AE_VERBOSE) console.log('heaps', first, last);

  assert.equal(last.allocated, first.allocated, `WASM bytes in use ${first.allocated} -> ${last.allocated}`);
  assert.equal(last.wasm, first.wasm, `WASM heap ${first.wasm} -> ${last.wasm} bytes`);
  assert.ok(Math.abs(last.js - first.js) <= JS_MARGIN,
    `JS heap after gc ${first.js} -> ${last.js} bytes (margin ${JS_MARGIN})`);
  // the page still works, and shows the last interactions' results
  const chips = await page.locator('[data-figure="heatmap"] .ae-token').count();
  assert.ok(chips > 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a lab job created, run and destroyed in the page gives back every byte it took', async () => {
  const page = await openLesson(browser, fileUrl('web/index.html?autorun=0'));
  await page.waitForFunction(() => window.AttentionExplorer.page);
  const result = await page.evaluate(async () => {
    const core = await window.AttentionExplorer.loadCore();
    const cycle = (n) => {
      const job = core.longJob({ n, d: 64, seed: n });
      const held = core.heapInUse();
      for (let r = 0; r < n; r += 128) job.run('full', r, Math.min(n, r + 128));
      job.run('window', 0, n);
      job.run('linear', 0, n);
      job.destroy();
      return held;
    };
    cycle(64);   // sizes the bridge's own small buffers
    const baseline = core.heapInUse();
    const held = [512, 1024, 300].map(cycle);
    return { baseline, held, after: core.heapInUse() };
  });
  assert.ok(result.held.every((h) => h >= result.baseline + 300 * 300 * 4), `jobs held their buffers: ${result.held}`);
  assert.equal(result.after, result.baseline, `bytes in use ${result.baseline} -> ${result.after} after destroy`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
