// Figure lifecycle (issue 15): long jobs own their WASM buffers and every figure can be
// destroyed. Two quadratic-cost labs and an <attention-figure> that is remounted mid-run work
// at the same time and each gets its own, complete results; remounting and removing an element
// stops its figure (no WASM call afterwards) and the allocator's bytes in use return to where
// they were. Each check fails on the old bridge, whose one shared "prepared" slot let runs
// corrupt each other (`rows 512 to 1024 are not a range inside 0..16`).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { launch, open, frames, ROOT } = require('./harness.js');

const DIST = path.join(ROOT, 'dist');
const D = 64;
const LENGTHS = [16, 32, 64, 128, 256, 512, 1024];
const KERNELS = ['full', 'window', 'linear'];
let browser, dir;

test.before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, 'attention-figures.js')), 'dist/ is built by make');
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-life-'));
  // the bundle and the core it loads from beside itself
  for (const f of ['attention-figures.js', 'attn-core.js']) fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'page.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lifecycle</title><link rel="icon" href="data:,">
<script src="attention-figures.js"></script></head><body><main id="main"></main></body></html>
`);
});
test.after(async () => {
  await browser.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const calls = (page) => page.evaluate(async () => (await window.AttentionExplorer.loadCore()).callCount());
const inUse = (page) => page.evaluate(async () => (await window.AttentionExplorer.loadCore()).heapInUse());

// Adds <attention-figure figure="scaling" id=... autorun="false"> and waits for it.
async function addLab(page, id, attributes = { autorun: 'false' }) {
  await page.evaluate(([labId, attrs]) => {
    const lab = document.createElement('attention-figure');
    lab.id = labId;
    lab.setAttribute('figure', 'scaling');
    for (const [k, v] of Object.entries(attrs)) lab.setAttribute(k, v);
    document.getElementById('main').append(lab);
  }, [id, attributes]);
  await page.waitForSelector(`#${id} [data-figure="scaling"][data-ready="true"]`);
  // a lab with autorun measures when it scrolls into view
  if (attributes.autorun !== 'false') await page.locator('#' + id).scrollIntoViewIfNeeded();
}

const run = (page, id, length) => page.evaluate(([labId, n]) =>
  document.getElementById(labId).instance.set({ length: n, run: true }), [id, length]);

const done = (page, id) => page.waitForSelector(`#${id} [data-figure="scaling"][data-run="done"]`, { timeout: 240000 });

// The lab's points as { kernel, n, bytes, ms } and what its status line and note say.
function results(page, id) {
  return page.evaluate((labId) => {
    const root = document.getElementById(labId).shadowRoot.querySelector('[data-figure]');
    return {
      run: root.dataset.run,
      status: root.querySelector('.ae-scaling-status').textContent,
      note: root.querySelector(':scope > .ae-note').textContent,
      points: Array.from(root.querySelectorAll('.ae-scaling-time [data-kernel][data-n]'), (e) =>
        ({ kernel: e.dataset.kernel, n: Number(e.dataset.n), bytes: Number(e.dataset.bytes), ms: Number(e.dataset.ms) })),
    };
  }, id);
}

// What one complete run to maxN must show: every kernel at every length, in order, with the
// memory its buffers take (Q, K, V and the output, plus full attention's n x n weights; the
// window's and linear attention's working memory does not grow with n).
function assertComplete(r, maxN, label) {
  assert.equal(r.run, 'done', `${label}: ${r.status} ${r.note}`);
  assert.equal(r.note, '', `${label}: no error note`);
  const lengths = LENGTHS.filter((n) => n <= maxN);
  assert.match(r.status, new RegExp(`^Done: ${lengths.length * 3} measurements up to n = ${maxN}`), label);
  for (const kernel of KERNELS) {
    const s = r.points.filter((p) => p.kernel === kernel);
    assert.deepEqual(s.map((p) => p.n), lengths, `${label}: ${kernel} at every length`);
    assert.ok(s.every((p) => Number.isFinite(p.ms) && p.ms > 0), `${label}: ${kernel} times are positive`);
    if (kernel === 'full') s.forEach((p) => assert.equal(p.bytes, (4 * p.n * D + p.n * p.n) * 4, `${label}: full bytes at ${p.n}`));
    else s.forEach((p) => assert.equal(p.bytes - 4 * p.n * D * 4, s[0].bytes - 4 * s[0].n * D * 4, `${label}: ${kernel} bytes at ${p.n}`));
  }
}

// One round: two labs run to different lengths while a third element is remounted twice
// (the second time while its first run is under way); then every element is removed.
async function round(page) {
  await addLab(page, 'a');
  await addLab(page, 'b');
  await addLab(page, 'c', {});                  // this one starts by itself (autorun)
  await run(page, 'a', 1024);
  await run(page, 'b', 256);
  await page.waitForSelector('#c [data-figure="scaling"][data-run="running"]');
  // remount c (a new caption number) while its run and both others are going
  const old = await page.evaluateHandle(() => document.getElementById('c').instance);
  await page.evaluate(() => document.getElementById('c').setAttribute('number', '6.2'));
  assert.equal(await old.evaluate((inst) => inst.state.running), false, 'the old figure was stopped on remount');
  await page.waitForSelector('#c [data-figure="scaling"][data-run="running"]');
  const during = await inUse(page);
  for (const id of ['a', 'b', 'c']) await done(page, id);
  assertComplete(await results(page, 'a'), 1024, 'lab a');
  assertComplete(await results(page, 'b'), 256, 'lab b');
  assertComplete(await results(page, 'c'), 1024, 'lab c, remounted');
  assert.match(await page.evaluate(() => document.getElementById('c').shadowRoot.querySelector('.ae-caption').textContent), /Figure 6\.2/);
  // removing the elements destroys their figures
  await page.evaluate(() => ['a', 'b', 'c'].forEach((id) => document.getElementById(id).remove()));
  return during;
}

test('two labs and a remounted component at once: separate, complete results; nothing left allocated', async () => {
  const page = await open(browser, 'file://' + path.join(dir, 'page.html'));
  await page.waitForFunction(() => window.AttentionExplorer && window.AttentionExplorer.loadCore);
  const before = await inUse(page);
  const during1 = await round(page);
  const after1 = await inUse(page);
  assert.ok(during1 > before, `jobs hold memory while they run (${before} -> ${during1} bytes)`);
  // the same work again: every job's buffers were freed, so the allocator is back where it was
  // (the bridge's own reusable buffers reached their size in the first round)
  const during2 = await round(page);
  const after2 = await inUse(page);
  assert.ok(during2 > after1, `jobs hold memory while they run (${after1} -> ${during2} bytes)`);
  assert.equal(after2, after1, `bytes in use after destroy: ${after1} after round 1, ${after2} after round 2`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a removed or remounted figure stops: no WASM call after it is gone', async () => {
  const page = await open(browser, 'file://' + path.join(dir, 'page.html'));
  await page.waitForFunction(() => window.AttentionExplorer && window.AttentionExplorer.loadCore);
  await addLab(page, 'a');
  await run(page, 'a', 16384);
  await page.waitForSelector('#a .ae-scaling-time [data-n="256"]');
  await page.evaluate(() => document.getElementById('a').setAttribute('figure', 'heatmap'));   // remount as another figure
  await page.waitForSelector('#a [data-figure="heatmap"][data-ready="true"]');
  const settled = await calls(page);
  await frames(page, 20);   // twenty frames in which a run left behind would have measured
  assert.equal(await calls(page), settled, 'the lab stopped when its element became Figure 1.1');
  // a Figure 4.1 playing, removed mid-play: its timer goes with it
  await page.evaluate(() => {
    const mask = document.createElement('attention-figure');
    mask.id = 'm';
    mask.setAttribute('figure', 'mask');
    document.getElementById('main').append(mask);
  });
  await page.waitForSelector('#m [data-figure="mask"][data-ready="true"]');
  const instance = await page.evaluateHandle(() => document.getElementById('m').instance);
  await page.evaluate(() => document.getElementById('m').shadowRoot.querySelector('[data-control="play"]').click());
  assert.equal(await instance.evaluate((inst) => inst.state.playing), true);
  await page.evaluate(() => document.getElementById('m').remove());
  assert.equal(await instance.evaluate((inst) => inst.state.playing), false, 'removing the element stops Play');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
