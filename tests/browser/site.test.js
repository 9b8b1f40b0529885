// dist/ as people use it: opened from file://, hosted under a sub-path, embedded in a foreign
// page with <attention-figure> and an iframe. Also the lesson's state in the URL (round trip
// and hostile values), the Share / embed snippets and the four exports.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { launch, open, openLesson, shot, serve, ROOT } = require('./harness.js');
const { cliModel, assertShown } = require('./reference.js');

const DIST = path.join(ROOT, 'dist');
const SUB = '/course/attention-explorer/';   // like a GitHub Pages project site
let browser, server, site;

// A static host: dist/ under a sub-path, and a foreign course page elsewhere on the host.
function makeHost() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-host-'));
  fs.cpSync(DIST, path.join(dir, SUB), { recursive: true });
  fs.mkdirSync(path.join(dir, 'other'));
  fs.writeFileSync(path.join(dir, 'other', 'foreign.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A foreign course page</title><link rel="icon" href="data:,">
<script src="${SUB}attention-figures.js"></script>
<style>body { font-family: serif; max-width: 50rem; margin: 1rem auto; }
#b { --ae-accent: rgb(200, 0, 100); }</style></head>
<body>
<h1>Somebody else's course</h1>
<attention-figure id="a" figure="heatmap" text="The agent paid the merchant after checking its budget." focus="its"></attention-figure>
<attention-figure id="b" figure="heads" head="1"></attention-figure>
<iframe id="f" title="embedded figure" style="width:100%;border:0" height="100"
  src="${SUB}embed.html?figure=temperature&amp;t=0.4"></iframe>
<script>
  window.heights = [];
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'attention-explorer:height') {
      window.heights.push(e.data.height);
      document.getElementById('f').style.height = e.data.height + 'px';
    }
  });
</script>
</body></html>
`);
  return dir;
}

test.before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, 'attention-figures.js')), 'dist/ is built by make (make site)');
  browser = await launch();
  site = makeHost();
  server = await serve(site, 0);
});
test.after(async () => {
  await browser.close();
  server.server.close();
  fs.rmSync(site, { recursive: true, force: true });
});

const FIGURES = ['heatmap', 'heads', 'qkv', 'mask', 'temperature'];

async function allReady(page) {
  for (const name of FIGURES) await page.waitForSelector(`[data-figure="${name}"][data-ready="true"]`);
}

test('dist/ is one small self-contained folder', () => {
  let total = 0;
  const files = [];
  // the trained model's files ride beside the bundle, loaded only when a page asks for them:
  // the size budget (web/scripts.json budgetKB) is everything else's
  const model = /^(attn-model-core|weights-[A-Za-z0-9_-]+)\.js$/;
  (function walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name), rel = path.relative(DIST, full);
      if (e.isDirectory()) walk(full);
      else { if (!model.test(rel)) total += fs.statSync(full).size; files.push(rel); }
    }
  })(DIST);
  for (const f of ['index.html', 'embed.html', 'attention-figures.js',
    'attn-model-core.js', 'weights-brown.js']) assert.ok(files.includes(f), f);
  const budgetKB = JSON.parse(fs.readFileSync(path.join(ROOT, 'web', 'scripts.json'), 'utf8')).budgetKB;
  assert.ok(budgetKB > 0 && total <= budgetKB * 1024, `dist/ without the model is ${total} bytes`);
  const bundle = fs.readFileSync(path.join(DIST, 'attention-figures.js'), 'utf8');
  // the bundle carries the small model bridge but neither the model's module nor its weights
  assert.ok(bundle.includes('loadModel'), 'the model bridge is in the bundle');
  // (the two WebAssembly modules share code, so a slice of the model core proves nothing: look
  // for its factory's definition, and for a slice of the weights, which are data only they hold)
  assert.doesNotMatch(bundle, /var AttnModelCore\s*=/, 'the bundle does not define the model module');
  const weights = fs.readFileSync(path.join(DIST, 'weights-brown.js'), 'utf8'), mid = weights.length >> 1;
  assert.ok(!bundle.includes(weights.slice(mid, mid + 200)), 'the bundle holds nothing of weights-brown.js');
  // nothing refers outside the folder: no absolute URLs in what the pages load (links the
  // reader may follow, <a href>, such as the lesson's sources, load nothing)
  for (const f of files.filter((x) => /\.(html|css)$/.test(x))) {
    const text = fs.readFileSync(path.join(DIST, f), 'utf8').replace(/<a\s[^>]*>/gi, '<a>');
    assert.doesNotMatch(text, /(src|href)\s*=\s*"(https?:)?\/\//i, f + ' loads nothing from elsewhere');
    assert.doesNotMatch(text, /url\(\s*['"]?(https?:)?\/\//i, f);
  }
});

test('dist/index.html works from a double-click (file://)', async () => {
  const page = await openLesson(browser, 'file://' + path.join(DIST, 'index.html') + '?autorun=0');
  await allReady(page);
  const it = page.locator('[data-figure="heatmap"] [data-token-index="8"]');
  await it.hover();
  const ref = cliModel("The trophy didn't fit in the suitcase because it was too big.");
  assertShown(await page.locator('[data-figure="heatmap"] [data-token-index="1"]').getAttribute('data-weight'),
    ref.heads[0].weights[8][1], 3, '"it" looks at "trophy"');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('hosted under a sub-path: every figure renders and every request stays inside the folder', async () => {
  server.requests.length = 0;
  const page = await openLesson(browser, server.url.replace(/\/$/, '') + SUB + 'index.html');
  const outside = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(server.url.replace(/\/$/, '') + SUB) && !/^(data|blob):/.test(u)) outside.push(u);
  });
  await allReady(page);
  await page.locator('[data-figure="heads"] [data-head="2"]').click();
  assert.deepEqual(outside, []);
  assert.ok(server.requests.every((r) => r.startsWith(SUB)), server.requests.join(' '));
  assert.deepEqual(page.problems, []);
  await shot(page, 'site-dist-1280');
  await page.context().close();
});

test('a foreign page: two components and an iframe render and work independently', async () => {
  server.requests.length = 0;
  const page = await open(browser, server.url + 'other/foreign.html');
  const a = page.locator('#a [data-figure="heatmap"]'), b = page.locator('#b [data-figure="heads"]');
  await page.waitForSelector('#a [data-figure="heatmap"][data-ready="true"]');
  await page.waitForSelector('#b [data-figure="heads"][data-ready="true"]');
  // the shadow roots hold the test hooks; one WASM instance serves both
  assert.equal(await page.evaluate(() => !!document.querySelector('#a').shadowRoot.querySelector('[data-figure]')), true);
  assert.equal(await page.evaluate(() => document.querySelector('[data-figure]')), null, 'nothing leaks into the light DOM');
  // component a: "its" looks at "agent"
  const focus = await a.getAttribute('data-focus');
  const words = await a.locator('.ae-tokens [data-token-index]').evaluateAll((els) => els.map((e) => e.dataset.text));
  assert.equal(words[Number(focus)], 'its');
  const weights = await a.locator('.ae-tokens [data-token-index]').evaluateAll((els) => els.map((e) => Number(e.dataset.weight)));
  assert.equal(words[weights.indexOf(Math.max(...weights))], 'agent');
  // component b: head 1 (previous word) is pressed
  const pressed = () => b.locator('[data-head][aria-pressed="true"]').getAttribute('data-head');
  assert.equal(await pressed(), '1');
  // independent: hovering in a does not move b
  const bFocus = await b.getAttribute('data-focus');
  await a.locator('.ae-tokens [data-token-index="1"]').hover();
  assert.equal(await a.getAttribute('data-focus'), '1');
  assert.equal(await b.getAttribute('data-focus'), bFocus);
  // attribute changes re-render
  await page.evaluate(() => document.querySelector('#b').setAttribute('head', '2'));
  await page.waitForFunction(() => document.querySelector('#b').shadowRoot
    .querySelector('[data-head="2"]').getAttribute('aria-pressed') === 'true');
  await page.evaluate(() => document.querySelector('#a').setAttribute('text', 'She gave her brother a book.'));
  await page.waitForFunction(() => document.querySelector('#a').shadowRoot.querySelectorAll('.ae-tokens [data-token-index]').length === 7);
  assert.equal(await pressed(), '2');
  await page.evaluate(() => document.querySelector('#a').setAttribute('figure', 'temperature'));
  await page.waitForSelector('#a [data-figure="temperature"][data-ready="true"]');
  // theming through a custom property reaches inside the shadow root
  const accent = await b.evaluate((fig) => getComputedStyle(fig).getPropertyValue('--ae-accent').trim());
  assert.equal(accent, 'rgb(200, 0, 100)');
  // the iframe tells its height and the page fits it
  await page.waitForFunction(() => window.heights.length > 0);
  const frameHeight = await page.evaluate(() => document.getElementById('f').getBoundingClientRect().height);
  assert.ok(frameHeight > 250, 'iframe grew to ' + frameHeight);
  const inner = page.frameLocator('#f').locator('[data-figure="temperature"]');
  assert.match(await inner.locator('[data-control="temperature"]').inputValue(), /^0\.4/);
  // (the browser itself asks the host page's server for /favicon.ico; that is not ours)
  assert.ok(server.requests.every((r) => r.startsWith(SUB) || r === '/other/foreign.html' || r === '/favicon.ico'),
    server.requests.join(' '));
  assert.deepEqual(page.problems, []);
  await shot(page, 'site-foreign-1280');
  await page.context().close();
});

// The figures' states as the URL would carry them.
function statesOf(page) {
  return page.evaluate(() => {
    const out = {};
    for (const [name, inst] of Object.entries(window.AttentionExplorer.page)) {
      out[name] = window.AttentionExplorer.share.paramsOf(inst.state);
    }
    return out;
  });
}

test('the lesson keeps its state in the URL hash; reloading the URL restores it', async () => {
  const url = 'file://' + path.join(DIST, 'index.html') + '?autorun=0';
  const page = await openLesson(browser, url);
  await allReady(page);
  await page.locator('[data-figure="heads"] [data-head="2"]').click();
  await page.locator('[data-figure="heatmap"] [data-token-index="6"]').hover();
  await page.locator('[data-figure="heatmap"] [data-control="text"]').fill('Her brother said that he was tired.');
  await page.locator('[data-figure="heatmap"] [data-token-index="4"]').click();
  await page.locator('[data-figure="mask"] [data-control="step"]').click();
  await page.locator('[data-figure="mask"] [data-control="step"]').click();
  await page.locator('[data-figure="mask"] [data-mode="none"]').click();
  await page.locator('[data-figure="temperature"] [data-control="temperature"]').fill('0.42');
  await page.waitForFunction(() => /temperature\.t=0\.42/.test(location.hash));
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /heads\.head=2/);
  assert.match(hash, /mask\.step=1/);
  assert.match(hash, /mask\.mode=encoder/);
  assert.match(hash, /heatmap\.text=Her%20brother/);
  const before = await statesOf(page);

  const again = await openLesson(browser, url + hash);
  await allReady(again);
  assert.deepEqual(await statesOf(again), before);
  assert.equal(await again.locator('[data-figure="heatmap"]').getAttribute('data-focus'), '4');
  assert.equal(await again.locator('.ae-url-note').count(), 0, 'a clean link gives no notes');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(again.problems, []);
  await page.context().close();
  await again.context().close();
});

test('hostile or broken URL state is clamped or ignored with a visible note, never an error', async () => {
  const markup = '<img src=x onerror="window.__pwned=1">It<script>window.__pwned=2</script> was big.';
  const hash = new URLSearchParams([
    ['heatmap.t', 'NaN'], ['heads.head', '999'], ['temperature.t', '-3'], ['mask.step', '-1x'],
    ['mask.mode', 'sideways'], ['qkv.focus', '99999'], ['heatmap.text', markup], ['nosuch.head', '1'],
    ['heads.text', 'word '.repeat(10000)], ['temperature.t', '1e309'],
  ]).toString();
  const page = await openLesson(browser, 'file://' + path.join(DIST, 'index.html') + '?autorun=0#' + hash);
  await allReady(page);
  const notes = (await page.locator('.ae-url-note').allInnerTexts()).join('\n');
  assert.match(notes, /"NaN" is not a temperature/);
  assert.match(notes, /no head "999"/);
  assert.match(notes, /Mode "sideways" is unknown/);
  assert.match(notes, /no figure called "nosuch"/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'markup never runs');
  const chips = await page.locator('[data-figure="heatmap"] .ae-tokens [data-token-index]').evaluateAll((els) => els.map((e) => e.dataset.text));
  assert.ok(chips.includes('<') || chips.some((c) => c.includes('img')), 'markup shown as text: ' + chips.join(' '));
  assert.equal(await page.locator('[data-figure="heatmap"] img').count(), 0);
  // the enormous text is cut to the token limit with a note; the page still responds
  await page.waitForSelector('[data-figure="heads"] .ae-note:not(:empty)');
  await page.locator('[data-figure="heads"] [data-head="1"]').click();
  assert.equal(await page.locator('[data-figure="heads"] [data-head="1"]').getAttribute('aria-pressed'), 'true');
  const t = await page.locator('[data-figure="temperature"] [data-control="temperature"]').inputValue();
  assert.ok(Number(t) >= 0.05 && Number(t) <= 3, 'temperature within range: ' + t);
  // no NaN or undefined drawn anywhere (the notes may quote the bad values they reject)
  assert.ok(!/NaN|undefined/.test(await page.evaluate(() => {
    const copy = document.querySelector('main').cloneNode(true);
    copy.querySelectorAll('.ae-url-note').forEach((n) => n.remove());
    return copy.textContent;
  })));
  assert.deepEqual(page.problems, []);
  await shot(page, 'site-hostile-url');
  await page.context().close();
});

test('embed.html: one figure from URL parameters, bad ones noted', async () => {
  const page = await open(browser, 'file://' + path.join(DIST, 'embed.html') +
    '?figure=heads&head=3&text=' + encodeURIComponent('The cat sat on the mat.'));
  await page.waitForSelector('[data-figure="heads"][data-ready="true"]');
  assert.equal(await page.locator('[data-head="3"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('.ae-tokens [data-token-index]').count(), 7);
  assert.equal(await page.locator('header, nav, .ae-share').count(), 0, 'no page chrome');
  const bad = await open(browser, 'file://' + path.join(DIST, 'embed.html') + '?figure=%3Cb%3Ex&t=abc');
  await bad.waitForSelector('[data-figure="heatmap"][data-ready="true"]');
  assert.match(await bad.locator('.ae-url-note').innerText(), /no figure "<b>x"; showing the heatmap/);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(bad.problems, []);
  await page.context().close();
  await bad.context().close();
});

test('Share / embed gives a link, an iframe and a component snippet for this exact view', async () => {
  const page = await openLesson(browser, 'file://' + path.join(DIST, 'index.html') + '?autorun=0');
  await allReady(page);
  await page.locator('[data-figure="heads"] [data-head="1"]').click();
  const bar = page.locator('[data-figure="heads"] + .ae-share');
  await bar.locator('[data-control="share"]').click();
  assert.equal(await bar.locator('[data-control="share"]').getAttribute('aria-expanded'), 'true');
  const link = await bar.locator('[data-share="link"]').inputValue();
  const iframe = await bar.locator('[data-share="iframe"]').inputValue();
  const component = await bar.locator('[data-share="component"]').inputValue();
  assert.match(link, /#heads\.head=1&view=heads$/);
  assert.match(iframe, /^<iframe src="[^"]*embed\.html\?figure=heads&amp;text=The%20trophy[^"]*&amp;head=1"/);
  assert.match(component, /<script src="[^"]*attention-figures\.js"><\/script>\n<attention-figure figure="heads" text="The trophy didn't fit[^"]*" focus="\d+" head="1"><\/attention-figure>/);
  // the link opens that view
  const other = await open(browser, link);
  await allReady(other);
  assert.equal(await other.locator('[data-figure="heads"] [data-head="1"]').getAttribute('aria-pressed'), 'true');
  // the iframe snippet's address shows the same head
  const src = iframe.match(/src="([^"]*)"/)[1].replace(/&amp;/g, '&');
  const framed = await open(browser, src);
  await framed.waitForSelector('[data-figure="heads"][data-ready="true"]');
  assert.equal(await framed.locator('[data-head="1"]').getAttribute('aria-pressed'), 'true');
  await bar.locator('[data-copy="link"]').click();
  await page.waitForFunction(() => document.querySelector('[data-figure="heads"] + .ae-share .ae-share-status').textContent !== '');
  assert.deepEqual(page.problems, []);
  await shot(page, 'site-share-panel', bar);
  for (const p of [page, other, framed]) await p.context().close();
});

async function download(page, bar, format) {
  const [file] = await Promise.all([page.waitForEvent('download'), bar.locator(`[data-export="${format}"]`).click()]);
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(await file.path()) };
}

test('exports: PNG, SVG, CSV and JSON are valid files with the numbers shown', async () => {
  const page = await openLesson(browser, 'file://' + path.join(DIST, 'index.html') + '?autorun=0');
  await allReady(page);
  const fig = page.locator('[data-figure="heads"]');
  const bar = page.locator('[data-figure="heads"] + .ae-share');
  const shown = await fig.locator('td[data-row]').evaluateAll((els) => els.map((e) => [+e.dataset.row, +e.dataset.col, e.dataset.weight]));

  const csv = await download(page, bar, 'csv');
  assert.equal(csv.name, 'attention-heads.csv');
  const lines = csv.bytes.toString('utf8').trim().split(/\r\n/);
  assert.equal(lines[0], 'table,row,col,row_label,col_label,field,value');
  const matrix = lines.slice(1).map((l) => l.split(',')).filter((c) => c[0] === 'matrix');
  assert.equal(matrix.length, 13 * 13);
  for (const [i, j, w] of shown) assert.ok(matrix.some((c) => +c[1] === i && +c[2] === j && c[6] === w), `cell ${i},${j}`);
  const rowSums = new Array(13).fill(0);
  matrix.forEach((c) => { rowSums[+c[1]] += Number(c[6]); });
  rowSums.forEach((s) => assert.ok(Math.abs(s - 1) <= 13 * 0.0005, 'row sums to 1: ' + s));
  assert.ok(matrix.some((c) => c[3] === 'trophy' && c[4] === 'The'), 'labels are the tokens');

  const json = JSON.parse((await download(page, bar, 'json')).bytes.toString('utf8'));
  assert.equal(json.figure, 'heads');
  assert.equal(json.tokens.length, 13);
  assert.equal(json.tokens[1], 'trophy');
  assert.equal(json.state.head, 0);
  assert.equal(json.numbers.filter((r) => r.table === 'matrix' && r.field === 'weight').length, 169);

  const svg = (await download(page, bar, 'svg')).bytes.toString('utf8');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return { error: !!doc.querySelector('parsererror'), root: doc.documentElement.nodeName,
      texts: Array.from(doc.querySelectorAll('text'), (t) => t.textContent.trim()) };
  }, svg);
  assert.equal(parsed.error, false);
  assert.equal(parsed.root, 'svg');
  assert.ok(parsed.texts.includes('trophy') && parsed.texts.includes('Figure 2.1'), 'the words and caption are drawn');
  assert.ok(parsed.texts.filter((t) => /^\.\d{3}$|^1\.000$/.test(t)).length >= 169, 'every matrix number is drawn');

  const png = (await download(page, bar, 'png')).bytes;
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  const box = await fig.boundingBox();
  assert.equal(png.readUInt32BE(16), Math.ceil(box.width) * 2, 'PNG width is twice the figure');
  assert.equal(png.readUInt32BE(20), Math.ceil(box.height) * 2);
  // the temperature figure exports its candidates
  const tcsv = (await download(page, page.locator('[data-figure="temperature"] + .ae-share'), 'csv')).bytes.toString('utf8');
  assert.match(tcsv, /candidates,0,,mat,,score,3\.2/);
  assert.match(tcsv, /candidates,0,,mat,,probability,0\.\d{3}/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
