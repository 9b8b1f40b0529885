// Figure 6.1, the quadratic-cost lab, in Chromium: it fills itself on load (and stays idle
// with ?autorun=0); a run to 4,096 tokens gives every variant a point at every length, with
// memory growing as the buffers say (n² for full, checked against the formula written here)
// and time growing with n; the points and the n² line sit where a log-log axis puts them;
// Stop really stops (no WASM call afterwards); the page keeps answering during a long run;
// narrow and dark screens.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, open, shot, fileUrl, figureReady, frames, LESSON, openLesson } = require('./harness.js');

const FIG = '[data-figure="scaling"]';
const LENGTHS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
const D = 64;
let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

// the lab measures (autorun) and draws its thumbnails when it scrolls into view
async function ready(page) {
  const fig = await figureReady(page, FIG);
  await fig.scrollIntoViewIfNeeded();
  return fig;
}

async function finished(page, timeout = 240000) {
  await page.waitForSelector(`${FIG}[data-run="done"]`, { timeout });
}

// The points of one plot, as { kernel, n, ms, bytes, x, y } (x, y: centre in the SVG's units).
async function points(fig, plot = 'time') {
  return fig.locator(`.ae-scaling-${plot} [data-kernel][data-n]`).evaluateAll((els) => els.map((e) => {
    const b = e.getBBox();
    return { kernel: e.dataset.kernel, n: Number(e.dataset.n), ms: Number(e.dataset.ms),
      msText: e.dataset.ms, bytes: Number(e.dataset.bytes), x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }));
}

async function runTo(fig, length) {
  await fig.locator('[data-control="length"]').selectOption(String(length));
  assert.equal(await fig.locator('[data-control="run"]').innerText(), 'Run');
  await fig.locator('[data-control="run"]').click();
}

test('not on load: the lab stays idle and builds no thumbnails until it scrolls into view', async () => {
  const page = await openLesson(browser, fileUrl('web/index.html'));   // mounted, not scrolled to
  await page.waitForSelector(FIG + '[data-ready="true"]');
  const fig = page.locator(FIG);
  await frames(page, 30);
  assert.equal(await fig.getAttribute('data-run'), 'idle', 'no measuring while the lab is off screen');
  assert.equal(await fig.locator('.ae-scaling-thumb-grid').count(), 0, 'no thumbnails yet');
  await fig.scrollIntoViewIfNeeded();
  await page.waitForSelector(`${FIG}[data-run="running"], ${FIG}[data-run="done"]`);
  assert.equal(await fig.locator('.ae-scaling-thumb-grid').count(), 3);
  await fig.evaluate((root) => window.AttentionExplorer.kit.instanceOn(root).set({ run: false }));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('fills itself when it scrolls into view: a quick run to 1,024 tokens, thumbnails of each pattern', async () => {
  const page = await openLesson(browser, fileUrl('web/index.html'));
  const fig = await ready(page);
  await finished(page);
  const pts = await points(fig);
  for (const kernel of ['full', 'window', 'linear']) {
    assert.deepEqual(pts.filter((p) => p.kernel === kernel).map((p) => p.n), LENGTHS.slice(0, 7), kernel);
  }
  assert.ok(pts.every((p) => Number.isFinite(p.ms) && p.ms > 0), 'every time is a positive number');
  assert.match(await fig.locator('.ae-scaling-status').innerText(), /^Done: 21 measurements up to n = 1024/);
  assert.equal(await fig.locator('[data-control="length"]').inputValue(), '1024');

  // thumbnails: 32 x 32 weights each; full is dense, the window a band of 8, linear dense
  const grids = await fig.locator('.ae-scaling-thumb-grid').evaluateAll((els) => els.map((g) => ({
    kernel: g.dataset.series, label: g.getAttribute('aria-label'),
    cells: Array.from(g.children, (c) => ({ i: Number(c.dataset.row), j: Number(c.dataset.col), w: Number(c.dataset.weight) })) })));
  assert.deepEqual(grids.map((g) => g.kernel), ['full', 'window', 'linear']);
  for (const g of grids) {
    assert.equal(g.cells.length, 32 * 32, g.kernel);
    assert.ok(g.label.length > 20, 'each thumbnail has a text alternative');
    for (let i = 0; i < 32; i++) {
      const sum = g.cells.filter((c) => c.i === i).reduce((s, c) => s + c.w, 0);
      assert.ok(Math.abs(sum - 1) < 0.02, `${g.kernel} row ${i} sums to ${sum}`);
    }
  }
  const inBand = (c) => c.j <= c.i && c.j > c.i - 8;
  assert.ok(grids[1].cells.every((c) => (inBand(c) ? c.w > 0 : c.w === 0)), 'window: weight only in the band');
  assert.ok(grids[0].cells.every((c) => c.w > 0) && grids[2].cells.every((c) => c.w > 0), 'full and linear: every pair');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a run to 4,096: every variant at every length; memory n² for full, n for the others; time grows', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  assert.equal(await fig.getAttribute('data-run'), 'idle', '?autorun=0: the lab waits for Run');
  assert.equal(await points(fig).then((p) => p.length), 0);
  await runTo(fig, 4096);
  await page.waitForSelector(`${FIG}[data-run="running"]`);
  await finished(page);
  const pts = await points(fig);
  const series = (kernel, list = pts) => list.filter((p) => p.kernel === kernel).sort((a, b) => a.n - b.n);
  for (const kernel of ['full', 'window', 'linear']) {
    const s = series(kernel);
    assert.deepEqual(s.map((p) => p.n), LENGTHS, `${kernel} has a point at every length`);
    for (let i = 1; i < s.length; i++) {
      assert.ok(s[i].bytes > s[i - 1].bytes, `${kernel}: bytes grow from n=${s[i - 1].n} to n=${s[i].n}`);
      assert.ok(s[i].x > s[i - 1].x, `${kernel}: points move right as n grows`);
    }
    // time: small n is noisy (fixed costs, a busy machine); 16 times the tokens is not
    const at = (n) => s.find((p) => p.n === n).ms;
    assert.ok(at(4096) > at(256), `${kernel}: ${at(4096)} ms at 4096 > ${at(256)} ms at 256`);
  }
  // memory: Q, K, V and the output (4 n d floats) plus each kernel's working floats: the n x n
  // weights for full, a fixed tile (window) or d x d state (linear) that does not grow with n
  for (const p of series('full')) assert.equal(p.bytes, (4 * p.n * D + p.n * p.n) * 4, `full bytes at n=${p.n}`);
  for (const kernel of ['window', 'linear']) {
    const s = series(kernel), work = s[0].bytes - 4 * s[0].n * D * 4;
    assert.ok(work > 0, `${kernel}: some working memory`);
    for (const p of s) assert.equal(p.bytes, 4 * p.n * D * 4 + work, `${kernel} bytes at n=${p.n}`);
  }
  const full = series('full');
  const ratio = full[full.length - 1].bytes / full[full.length - 2].bytes;
  assert.ok(ratio > 3.5 && ratio <= 4, `full: doubling n multiplies memory by ${ratio} (about 4)`);

  // the memory plot is log-log: full's last two points rise log10(bytes ratio) decades over
  // log10(2) decades of n, measured with the plot's own tick marks
  const bytePts = series('full', await points(fig, 'bytes'));
  const ticks = await fig.locator('.ae-scaling-bytes .ae-scaling-ytick').evaluateAll((els) =>
    els.map((e) => ({ label: e.textContent, y: Number(e.getAttribute('y')) - 3.5 })));
  const decade = ticks[0].y - ticks[1].y;   // pixels per factor of 10
  assert.ok(decade > 0, 'ticks go up the axis');
  const [a, b] = bytePts.slice(-2);
  const want = Math.log10(b.bytes / a.bytes) * decade;
  assert.ok(Math.abs((a.y - b.y) - want) < 0.6, `rise ${a.y - b.y} px, log scale says ${want} px`);
  assert.equal(await fig.locator('.ae-scaling-time polyline.ae-scaling-ref').count(), 1, 'an n² reference line');
  // the n² line passes through full attention's largest point and rises two decades of bytes
  // per decade of n: check two of its vertices against the tick marks
  const ref = await fig.locator('.ae-scaling-bytes polyline.ae-scaling-ref').getAttribute('points');
  const vertices = ref.trim().split(/\s+/).map((xy) => xy.split(',').map(Number));
  const last = vertices[vertices.length - 1], prev = vertices[vertices.length - 2];
  assert.ok(Math.abs(last[1] - b.y) < 0.6, `the n² line ends on full's point (${last[1]} vs ${b.y})`);
  assert.ok(Math.abs((prev[1] - last[1]) - 2 * Math.log10(2) * decade) < 0.6, 'the n² line has slope 2');
  const labels = (await fig.locator('.ae-scaling-time .ae-scaling-direct').allTextContents()).sort();
  assert.deepEqual(labels, ['full', 'linear', 'window'], 'each series is labelled where it ends');

  // the table says the same as the plot
  const rows = await fig.locator('.ae-scaling-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.n));
  assert.deepEqual(rows.map(Number), LENGTHS);
  const row4096 = await fig.locator('.ae-scaling-table tbody tr[data-n="4096"]').textContent();
  assert.match(row4096, /71\.3 MB/, 'full at 4096 needs 67,108,864 + 4,194,304 bytes');
  assert.match(await fig.locator('.ae-scaling-status').innerText(), /^Done: 27 measurements up to n = 4096/);
  assert.equal(await fig.locator('progress').evaluate((p) => p.value), 1);
  await shot(page, 'fig-scaling-wide', fig);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Stop cancels a run: no more points or WASM calls afterwards, the status says stopped; keyboard works', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await runTo(fig, 16384);
  await page.waitForFunction((sel) => document.querySelectorAll(sel + ' .ae-scaling-time [data-n="512"]').length > 0, FIG, { timeout: 120000 });
  const run = fig.locator('[data-control="run"]');
  assert.equal(await run.innerText(), 'Stop');
  await run.focus();
  await page.keyboard.press('Enter');   // the keyboard stops it, like a click
  assert.equal(await fig.getAttribute('data-run'), 'stopped');
  assert.match(await fig.locator('.ae-scaling-status').innerText(), /^Stopped/);
  assert.equal(await run.innerText(), 'Run');
  const count = (await points(fig)).length;
  assert.ok(count > 0 && count < 33, `${count} points kept`);
  const calls = () => page.evaluate(async () => (await window.AttentionExplorer.loadCore()).callCount());
  const stoppedAt = await calls();
  await frames(page, 20);   // twenty frames in which a run that went on would have measured
  assert.equal(await calls(), stoppedAt, 'no WASM call after Stop');
  assert.equal((await points(fig)).length, count, 'no point appears after Stop');
  assert.match(await fig.locator('.ae-scaling-status').innerText(), /^Stopped/);
  assert.equal(await fig.getAttribute('data-run'), 'stopped');
  const progress = await fig.locator('progress').evaluate((p) => p.value);
  assert.ok(progress > 0 && progress < 1, `progress stays where it stopped (${progress})`);
  // bad lengths from a caller are ignored
  await page.evaluate(() => window.AttentionExplorer.page.scaling.set({ length: 'lots' }));
  assert.equal(await fig.locator('[data-control="length"]').inputValue(), '16384');
  // the shortest run: one length, three points
  await runTo(fig, 16);
  await finished(page);
  assert.deepEqual((await points(fig)).map((p) => p.kernel + p.n), ['full16', 'window16', 'linear16']);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the page keeps answering during a long run: Figure 1.1 reacts to a click mid-run', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  await page.waitForSelector('[data-figure="heatmap"][data-ready="true"]');
  // record what the lab is doing at the moment Figure 1.1's click handler runs
  await page.evaluate(() => {
    const chip = document.querySelector('[data-figure="heatmap"] [data-token-index="1"]');
    chip.addEventListener('click', () => {
      window.labDuringClick = document.querySelector('[data-figure="scaling"]').dataset.run;
    });
  });
  await runTo(fig, 16384);
  await page.waitForFunction((sel) => document.querySelectorAll(sel + ' .ae-scaling-time [data-n="2048"]').length > 0, FIG, { timeout: 180000 });
  await page.locator('[data-figure="heatmap"] [data-token-index="1"]').click({ timeout: 5000 });
  assert.equal(await page.evaluate(() => window.labDuringClick), 'running', 'the click was handled while the lab ran');
  assert.equal(await page.getAttribute('[data-figure="heatmap"]', 'data-focus'), '1', 'Figure 1.1 moved its focus');
  // and the run goes on after the click
  const before = (await points(fig)).length;
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel + ' .ae-scaling-time [data-kernel]').length > n, [FIG, before], { timeout: 180000 });
  await fig.locator('[data-control="run"]').click();
  assert.equal(await fig.getAttribute('data-run'), 'stopped');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a browser that refuses full attention\'s memory: full stops with a note, the others go on', async () => {
  const page = await openLesson(browser, LESSON);
  const fig = await ready(page);
  // the bridge answers an allocation it cannot make with AttnError OVERFLOW; pretend it does at 256
  await page.evaluate(async () => {
    const AE = window.AttentionExplorer, core = await AE.loadCore(), longJob = core.longJob;
    core.longJob = (spec) => {
      const job = longJob(spec), run = job.run.bind(job);
      job.run = (kernel, a, b, o) => {
        if (kernel === 'full' && job.n >= 256) throw new AE.AttnError(AE.CODES.OVERFLOW, 'out of memory for the n x n weights');
        return run(kernel, a, b, o);
      };
      return job;
    };
  });
  await runTo(fig, 1024);
  await page.waitForSelector(`${FIG}[data-run="running"]`);
  await finished(page);
  const pts = await points(fig);
  assert.deepEqual(pts.filter((p) => p.kernel === 'full').map((p) => p.n), [16, 32, 64, 128]);
  assert.deepEqual(pts.filter((p) => p.kernel === 'linear').map((p) => p.n), LENGTHS.slice(0, 7));
  assert.match(await fig.locator('.ae-note').first().innerText(), /Full attention at n = 256 needs more memory/);
  assert.match(await fig.locator('.ae-scaling-table tbody tr[data-n="512"]').textContent(), /not run/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('narrow (375 px) and dark screens: nothing spills sideways; screenshots', async () => {
  for (const [name, options] of [
    ['fig-scaling-narrow', { viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true }],
    ['fig-scaling-dark', { colorScheme: 'dark' }],
  ]) {
    const page = await openLesson(browser, fileUrl('web/index.html'), options);
    const fig = await ready(page);
    await finished(page);
    await fig.locator('details').evaluate((d) => { d.open = true; });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than the screen`);
    const figBox = await fig.boundingBox();
    for (const part of ['.ae-scaling-time svg', '.ae-scaling-bytes svg', '.ae-scaling-thumbs']) {
      const box = await fig.locator(part).boundingBox();
      assert.ok(box.x >= figBox.x && box.x + box.width <= figBox.x + figBox.width + 0.5, `${name}: ${part} inside the figure`);
    }
    if (name.endsWith('dark')) {
      const colours = await fig.evaluate((f) => [getComputedStyle(f).backgroundColor,
        getComputedStyle(f.querySelector('.ae-scaling-ytick')).fill]);
      assert.notEqual(colours[0], 'rgb(255, 255, 255)', 'dark card');
    }
    await shot(page, name, fig);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});
