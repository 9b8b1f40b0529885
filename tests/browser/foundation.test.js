// The foundation in a real browser: the lesson page loads the WASM core through the bridge
// both from file:// (double-click) and over http, and computes the hand-worked numbers.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { launch, open, shot, serve, fileUrl, ROOT } = require('./harness.js');

let browser, server;
test.before(async () => {
  browser = await launch();
  server = await serve(path.join(ROOT, 'web'), 0);
});
test.after(async () => {
  await browser.close();
  server.server.close();
});

// The 2x2 example of tests/core: each row is softmax([1/sqrt(2), 0]).
async function computeInPage(page) {
  return page.evaluate(async () => {
    const core = await window.AttentionExplorer.loadCore();
    const r = core.head([[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 2], [3, 4]]);
    return { weights: r.weights.map((row) => Array.from(row)), output: r.output.map((row) => Array.from(row)),
      text: core.format(r.weights[0], 3) };
  });
}

for (const [label, url] of [['file://', () => fileUrl('web/index.html')], ['http', () => server.url + 'index.html']]) {
  test(`the page computes through the WASM module (${label})`, async () => {
    const page = await open(browser, url());
    const got = await computeInPage(page);
    const want = [[0.66976155, 0.33023845], [0.33023845, 0.66976155]];
    got.weights.flat().forEach((w, i) => assert.ok(Math.abs(w - want.flat()[i]) < 1e-6, `weight ${i}: ${w}`));
    assert.ok(Math.abs(got.output[0][0] - 1.6604769) < 1e-6);
    assert.deepEqual(got.text, ['0.670', '0.330']);
    // the first figure rendered from the module
    await page.waitForSelector('[data-figure="heatmap"][data-ready="true"]');
    const weights = await page.$$eval('[data-figure="heatmap"] [data-token-index]', (els) => els.map((e) => e.dataset.weight));
    assert.ok(weights.length > 5 && weights.every((w) => /^\d\.\d{3}$/.test(w)), 'every token shows a weight printed by C');
    await shot(page, 'foundation-' + (label === 'http' ? 'http' : 'file'));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}
