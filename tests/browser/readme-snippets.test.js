// The README's embedding section, as a course author uses it: copy exactly the files it lists
// from dist/ into an empty folder, paste its code blocks verbatim into pages, and check that
// every figure renders, fits its container at 1280 and 390 px (the iframe follows its figure's
// height), from file:// and over HTTP. Then dist/ as an npm package: `npm pack`, installed from
// the tarball into a scratch site (offline), a figure and an iframe loaded from the installed files.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { launch, open, shot, serve, ROOT } = require('./harness.js');

const DIST = path.join(ROOT, 'dist');
let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser.close(); });

// The README's "Embed." paragraph up to "Host.": its fenced code blocks, by language, in order.
function embedSection() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('**Embed.**'), end = readme.indexOf('**Host.**');
  assert.ok(start >= 0 && end > start, 'README has the Embed. ... Host. section');
  const blocks = {};
  for (const m of readme.slice(start, end).matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    (blocks[m[1]] = blocks[m[1]] || []).push(m[2]);
  }
  return blocks;
}

function scratch(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// The pages a course author would write around the snippets (only the snippets vary).
function pageAround(title, head, body) {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>` +
    `<link rel="icon" href="data:,">${head}</head>\n<body><main>\n${body}\n</main></body></html>\n`;
}

// Every <attention-figure> drawn, each as wide as its container; no sideways scrolling.
async function checkComponents(page, count, width) {
  await page.setViewportSize({ width, height: 900 });
  await page.waitForFunction((n) => {
    const els = Array.from(document.querySelectorAll('attention-figure'));
    return els.length === n && els.every((e) => e.shadowRoot &&
      e.shadowRoot.querySelector('[data-figure][data-ready="true"]'));
  }, count);
  const sizes = await page.evaluate(() => ({
    page: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth,
    figures: Array.from(document.querySelectorAll('attention-figure'), (e) => ({
      own: e.getBoundingClientRect().width, parent: e.parentElement.getBoundingClientRect().width,
      left: e.shadowRoot.querySelector('[data-figure]').getBoundingClientRect().left,
      right: e.shadowRoot.querySelector('[data-figure]').getBoundingClientRect().right,
      tokens: e.shadowRoot.querySelectorAll('[data-token-index], [data-head]').length })),
  }));
  assert.ok(sizes.scroll <= sizes.page, `no sideways scroll at ${width} px: ${sizes.scroll} > ${sizes.page}`);
  for (const f of sizes.figures) {
    // the element takes its container's width; its figure (which may bleed a few px into the
    // margins on a phone) stays inside the window
    assert.ok(Math.abs(f.own - f.parent) < 1 && f.left >= 0 && f.right <= sizes.page,
      `figure fits its container at ${width} px: ${JSON.stringify(f)}`);
    assert.ok(f.tokens > 0, 'the figure drew its tokens or heads');
  }
}

// The iframe's figure drawn, and the iframe as tall as the figure says it is (the README's
// listener); the snippet's iframe keeps the width of the page.
async function checkIframe(page, width) {
  await page.setViewportSize({ width, height: 900 });
  const frame = page.frameLocator('iframe');
  await frame.locator('[data-figure="temperature"][data-ready="true"]').waitFor();
  assert.equal(await frame.locator('.ae-temperature-link').count(), 0, 'no "Use this temperature in Figure 1.1" without a Figure 1.1');
  await page.waitForFunction(() => {
    const f = document.querySelector('iframe');
    const inner = f.contentDocument ? f.contentDocument.body.dataset.height : null;   // same origin over HTTP
    return f.style.height !== '' && (inner === null || inner === undefined || f.style.height === inner + 'px');
  });
  const box = await page.locator('iframe').boundingBox();
  assert.ok(Math.abs(box.width - (await page.evaluate(() => document.querySelector('main').getBoundingClientRect().width))) < 1);
  assert.ok(box.height > 200, `iframe fitted to its figure (${box.height} px)`);
}

test('the README lists the files the snippets need, and the package holds them', () => {
  const blocks = embedSection();
  assert.equal((blocks.text || []).length, 1, 'one list of files');
  const files = blocks.text[0].trim().split('\n').map((l) => l.trim());
  for (const f of files) assert.ok(fs.existsSync(path.join(DIST, f)), `dist/${f} exists`);
  const pkg = JSON.parse(fs.readFileSync(path.join(DIST, 'package.json'), 'utf8'));
  for (const f of files) assert.ok(pkg.files.includes(f), `package.json files has ${f}`);
  assert.equal(pkg.name, 'attention-explorer');
  assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
  assert.equal(pkg.license, 'MIT');
  assert.equal(pkg.dependencies, undefined, 'no dependencies');
  // every file dist/ holds is in the package, and nothing else
  const all = [];
  (function walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else all.push(path.relative(DIST, path.join(dir, e.name)).split(path.sep).join('/'));
    }
  })(DIST);
  assert.deepEqual(pkg.files.slice().sort(), all.filter((f) => f !== 'package.json').sort());
});

test('the README snippets, verbatim, in a folder holding only the listed files: file:// and HTTP, 1280 and 390 px', async () => {
  const blocks = embedSection();
  const dir = scratch('ae-readme-');
  for (const f of blocks.text[0].trim().split('\n').map((l) => l.trim())) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
  }
  assert.equal(blocks.html.length, 2, 'two HTML snippets: the elements and the iframe');
  assert.equal(blocks.css.length, 1, 'one theme block');
  const [elements, iframe] = blocks.html;
  assert.match(elements, /<script src="attention-figures\.js"><\/script>/);
  assert.match(iframe, /<iframe src="embed\.html\?/);
  fs.writeFileSync(path.join(dir, 'components.html'),
    pageAround('Snippet: elements', `<style>\n${blocks.css[0]}</style>`, elements));
  fs.writeFileSync(path.join(dir, 'iframe.html'), pageAround('Snippet: iframe', '', iframe));
  const count = (elements.match(/<attention-figure /g) || []).length;

  const { server, url, requests } = await serve(dir, 0);
  try {
    for (const base of ['file://' + dir + '/', url]) {
      const page = await open(browser, base + 'components.html');
      for (const width of [1280, 390]) await checkComponents(page, count, width);
      await shot(page, 'readme-components-390' + (base === url ? '-http' : ''));
      assert.deepEqual(page.problems, [], base);
      await page.context().close();

      const framed = await open(browser, base + 'iframe.html');
      for (const width of [1280, 390]) await checkIframe(framed, width);
      await shot(framed, 'readme-iframe-390' + (base === url ? '-http' : ''));
      assert.deepEqual(framed.problems, [], base);
      await framed.context().close();
    }
    // over HTTP nothing was asked for that the list does not hold
    const listed = new Set(blocks.text[0].trim().split('\n').map((l) => '/' + l.trim()));
    for (const r of requests) {
      assert.ok(listed.has(r) || r === '/components.html' || r === '/iframe.html' || r === '/favicon.ico', `requested ${r}`);
    }
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('dist/ packs into an npm package that installs offline and whose files load a figure', async () => {
  const dir = scratch('ae-package-');
  try {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir],
      { cwd: DIST, encoding: 'utf8' }));
    const tarball = path.join(dir, packed[0].filename);
    assert.ok(fs.existsSync(tarball));
    assert.ok(packed[0].files.some((f) => f.path === 'attention-figures.js'));
    const site = path.join(dir, 'site');
    fs.mkdirSync(site);
    fs.writeFileSync(path.join(site, 'package.json'), '{ "name": "a-course-site", "private": true }\n');
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: site, encoding: 'utf8' });
    const installed = path.join(site, 'node_modules', 'attention-explorer');
    assert.equal(JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).name, 'attention-explorer');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(site, 'package-lock.json'), 'utf8')).packages['node_modules/attention-explorer'].dependencies, undefined);

    fs.writeFileSync(path.join(site, 'week5.html'), pageAround('Week 5', '',
      '<script src="node_modules/attention-explorer/attention-figures.js"></script>\n' +
      '<attention-figure figure="heatmap" text="The agent paid the merchant after checking its budget." focus="its"></attention-figure>\n' +
      '<iframe src="node_modules/attention-explorer/embed.html?figure=heads&head=2" title="Heads" style="width:100%;border:0" height="520"></iframe>'));
    const { server, url } = await serve(site, 0);
    try {
      for (const base of ['file://' + site + '/', url]) {
        const page = await open(browser, base + 'week5.html');
        await checkComponents(page, 1, 1280);
        const its = page.locator('attention-figure [data-token-index][aria-pressed="true"]');
        assert.equal(await its.getAttribute('data-text'), 'its');
        const frame = page.frameLocator('iframe');
        await frame.locator('[data-figure="heads"][data-ready="true"]').waitFor();
        assert.equal(await frame.locator('[data-head="2"]').getAttribute('aria-pressed'), 'true');
        assert.deepEqual(page.problems, [], base);
        await page.context().close();
      }
    } finally {
      server.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
