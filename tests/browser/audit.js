// Shared by the audit tests (axe.test.js, layout.test.js): the pages every figure appears on,
// at the widths and colour schemes the issue names, and axe-core run inside a page.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { open, ROOT } = require('./harness.js');

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [1280, 390];
const SCHEMES = ['light', 'dark'];

// The figure names the page's kit knows (AE.figures): new figures are covered when merged.
function figureNames(page) {
  return page.evaluate(() => Object.keys(window.AttentionExplorer.figures));
}

// Waits until every figure on the page and in its frames, in the document or inside an
// <attention-figure>'s shadow root, has drawn (data-ready="true").
async function allReady(page) {
  // the lesson mounts its far figures once the reader acts: a key that does nothing else
  await page.keyboard.press('Shift');
  for (const frame of page.frames()) await frameReady(frame);
}

function frameReady(frame) {
  return frame.waitForFunction(() => {
    const roots = [];
    const walk = (scope) => {
      scope.querySelectorAll('[data-figure]').forEach((n) => roots.push(n));
      scope.querySelectorAll('attention-figure').forEach((h) => { if (h.shadowRoot) walk(h.shadowRoot); else roots.push(h); });
    };
    walk(document);
    return roots.length > 0 && roots.every((n) => n.dataset && n.dataset.ready === 'true');
  });
}

// Opens url at width x 900 in the scheme, waits for every figure; the page.
async function openAt(browser, url, width, scheme) {
  const page = await open(browser, url, { viewport: { width, height: 900 }, colorScheme: scheme, reducedMotion: 'reduce' });
  await allReady(page);
  return page;
}

// Runs axe-core (WCAG 2.x A and AA, plus best practices) on the page and its same-origin
// frames; resolves to the violations as one line each: rule, node (selector path), summary.
// axe is evaluated by the test driver, which the page's CSP does not govern.
async function axeViolations(page) {
  const lines = [];
  for (const frame of page.frames()) {
    let result;
    try {
      result = await frame.evaluate(async (source) => {
        if (!window.axe) (0, eval)(source);
        return window.axe.run(document, { resultTypes: ['violations'], preload: false,
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
      }, AXE_SOURCE);
    } catch (err) {
      lines.push(`(axe could not run in ${frame.url()}: ${err.message})`);
      continue;
    }
    for (const v of result.violations) {
      for (const node of v.nodes) {
        lines.push(`${v.id} [${v.impact}] at ${JSON.stringify(node.target)} in ${frame.url().replace(/^.*\/(?=[^/]+\/[^/]*$)/, '')}: ` +
          (node.failureSummary || v.help).replace(/\s+/g, ' ').slice(0, 300));
      }
    }
  }
  return lines;
}

// The README's theme block, verbatim: the ```css block that themes attention-figure.
function readmeTheme() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = (readme.match(/```css\n(attention-figure \{[\s\S]*?)```/) || [])[1];
  if (!block) throw new Error('README.md has no ```css block starting with "attention-figure {"');
  return block;
}

// A course page themed with the README's block, one <attention-figure> per figure the bundle
// knows (dist/attention-figures.js), in a 44rem column like examples/course.html; its file:// URL.
function themedPage() {
  const dir = path.join(ROOT, 'build', 'audit');
  fs.mkdirSync(dir, { recursive: true });
  const bundle = 'file://' + path.join(ROOT, 'dist', 'attention-figures.js');
  const file = path.join(dir, 'readme-theme.html');
  fs.writeFileSync(file, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>The README's theme on every figure</title>
<link rel="icon" href="data:,">
<style>
body { font: 17px/1.6 Georgia, serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #222; background: #fff; }
@media (prefers-color-scheme: dark) { body { color: #eee; background: #16181c; } }
${readmeTheme()}
</style>
<script src="${bundle}"></script>
</head><body><main><h1>The README's theme on every figure</h1><div id="figures"></div></main>
<script>
for (const name of Object.keys(window.AttentionExplorer.figures)) {
  const f = document.createElement('attention-figure');
  f.setAttribute('figure', name);
  f.setAttribute('autorun', 'false');
  document.getElementById('figures').append(f);
}
</script>
</body></html>
`);
  return 'file://' + file;
}

// The pages every figure appears on, as [label, url]: the lesson, the course example (built,
// in dist/), the README's theme on every figure, and embed.html once per figure name.
function auditPages(names) {
  const file = (rel) => 'file://' + path.join(ROOT, rel);
  return [['lesson', file('web/index.html') + '?autorun=0'], ['course', file('dist/examples/course.html')],
    ['readme-theme', themedPage()]]
    .concat(names.map((n) => ['embed-' + n, file('web/embed.html') + '?autorun=0&figure=' + encodeURIComponent(n)]));
}

module.exports = { AXE_SOURCE, WIDTHS, SCHEMES, figureNames, allReady, openAt, axeViolations, readmeTheme, themedPage,
  auditPages, ROOT, path };
