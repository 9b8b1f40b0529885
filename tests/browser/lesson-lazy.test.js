// lesson-lazy.test.js - the lesson builds only what the reader comes near: on a phone-sized
// screen at the top of the page no figure mounts and no WebAssembly loads; scrolling to a
// figure mounts it (and loads the core); the first key press mounts every other figure.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, open, serve, ROOT } = require('./harness.js');

let browser, site;
test.before(async () => { browser = await launch(); site = await serve(ROOT + '/web', 0); });
test.after(async () => { await browser.close(); site.server.close(); });

// harness.open with a count of WebAssembly instantiations installed before the page's scripts
async function openCounting(url) {
  const context = await browser.newContext({ viewport: { width: 390, height: 700 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push('console: ' + m.text()); });
  await page.addInitScript(() => {
    window.__wasmInstances = 0;
    for (const name of ['instantiate', 'instantiateStreaming']) {
      const real = WebAssembly[name];
      WebAssembly[name] = function () { window.__wasmInstances++; return real.apply(this, arguments); };
    }
  });
  await page.goto(url);
  return page;
}

const state = (page) => page.evaluate(() => ({
  mounted: Array.from(document.querySelectorAll('[data-figure]')).filter((r) => r.dataset.ready).map((r) => r.dataset.figure),
  all: document.documentElement.dataset.figuresMounted || '',
  page: !!window.AttentionExplorer.page,
  wasm: window.__wasmInstances,
}));

test('top of the lesson on a phone: nothing mounts and no WebAssembly loads until a figure comes near', async () => {
  const page = await openCounting(site.url + 'index.html?autorun=0');
  await page.waitForFunction(() => document.readyState === 'complete');
  // a few frames for anything that would start on load
  await page.evaluate(() => new Promise((r) => { let k = 0; const f = () => (++k > 20 ? r() : requestAnimationFrame(f)); f(); }));
  assert.deepEqual(await state(page), { mounted: [], all: '', page: false, wasm: 0 });

  await page.locator('[data-figure="heatmap"]').scrollIntoViewIfNeeded();
  await page.waitForSelector('[data-figure="heatmap"][data-ready="true"]');
  const now = await state(page);
  assert.ok(now.page && now.wasm >= 1, 'the core loaded once a figure came near');
  assert.ok(!now.mounted.includes('ablation') && !now.mounted.includes('scaling'), 'far figures still wait: ' + now.mounted);
  assert.equal(now.all, '');

  await page.keyboard.press('Tab');   // the reader acts: every other figure mounts in idle tasks
  await page.waitForSelector('html[data-figures-mounted="all"]', { state: 'attached' });
  const names = await page.evaluate(() => Array.from(document.querySelectorAll('[data-figure]'), (r) => r.dataset.figure));
  assert.deepEqual((await state(page)).mounted.sort(), names.sort());
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a link with state mounts every figure at once and shows its view', async () => {
  const page = await open(browser, site.url + 'index.html?autorun=0#mask.step=2&view=mask',
    { viewport: { width: 390, height: 700 }, isMobile: true, hasTouch: true });
  await page.waitForSelector('html[data-figures-mounted="all"]', { state: 'attached' });
  await page.waitForSelector('[data-figure="mask"][data-ready="true"]');
  assert.equal(await page.locator('[data-figure="mask"]').getAttribute('data-step'), '2');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
