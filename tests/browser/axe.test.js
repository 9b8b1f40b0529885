// axe-core on every page a figure appears on: the lesson, embed.html once per figure (every
// name AE.figures has, so a figure added later is covered), the course example and a page
// themed with the README's own theme block; each at 1280 and 390 px, light and dark.
// A violation fails with its rule id, the node and the page.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, LESSON } = require('./harness.js');
const { WIDTHS, SCHEMES, figureNames, allReady, openAt, axeViolations, auditPages } = require('./audit.js');

let browser, names;
test.before(async () => {
  browser = await launch();
  const page = await openAt(browser, LESSON, 1280, 'light');
  names = await figureNames(page);
  await page.context().close();
});
test.after(() => browser.close());

test('the figure list is the kit\'s', () => {
  for (const n of ['heatmap', 'heads', 'qkv', 'mask', 'temperature', 'scaling']) assert.ok(names.includes(n), n);
});

// One page load per page; the width and the colour scheme change in place.
async function audit(label, url) {
  const page = await openAt(browser, url, WIDTHS[0], SCHEMES[0]);
  const found = [];
  for (const width of WIDTHS) {
    for (const scheme of SCHEMES) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await allReady(page);
      for (const line of await axeViolations(page)) found.push(`${label} ${width}px ${scheme}: ${line}`);
    }
  }
  const problems = page.problems.slice();
  await page.context().close();
  return { found, problems };
}

test('axe: zero violations on every page, 1280 and 390 px, light and dark', { timeout: 900000 }, async (t) => {
  for (const [label, url] of auditPages(names)) {
    await t.test(label, async () => {
      const { found, problems } = await audit(label, url);
      assert.deepEqual(found, [], `${found.length} axe violations:\n` + found.join('\n'));
      assert.deepEqual(problems, []);
    });
  }
});
