// One list of scripts (web/scripts.json): the pages carry exactly its <script> tags, every file
// it names exists, no script in web/ is left off it, and tools/build_site.js refuses to build
// when a listed file is missing or a page has drifted from the list.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT } = require('./harness.js');

const WEB = path.join(ROOT, 'web');
const LIST = JSON.parse(fs.readFileSync(path.join(WEB, 'scripts.json'), 'utf8'));

// The src of every <script> in the page's <head>, in order, and the part between the markers.
function scriptsOf(page) {
  const html = fs.readFileSync(path.join(WEB, page), 'utf8');
  const head = html.slice(0, html.indexOf('</head>'));
  const all = Array.from(head.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*><\/script>/g), (m) => m[1]);
  const block = head.slice(head.indexOf('<!-- scripts -->'), head.indexOf('<!-- /scripts -->'));
  const marked = Array.from(block.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g), (m) => m[1]);
  return { all, marked };
}

test('index.html and embed.html load exactly the listed scripts, then their own starter', () => {
  assert.deepEqual(Object.keys(LIST.pages).sort(), ['embed.html', 'index.html']);
  for (const [page, starter] of Object.entries(LIST.pages)) {
    const { all, marked } = scriptsOf(page);
    assert.deepEqual(marked, LIST.scripts, `${page}: the <!-- scripts --> block is the list`);
    assert.deepEqual(all, LIST.scripts.concat([starter]), `${page}: nothing else but ${starter}`);
  }
});

test('every listed file exists, and every script in web/ is listed', () => {
  // (LIST.bundle: the build's one-script bundle, which it also writes into web/, with a copy of
  // LIST.core beside it; the bridge loads the core itself)
  const listed = LIST.scripts.concat([LIST.component, LIST.bundle, LIST.core, path.basename(LIST.core)],
    Object.values(LIST.pages), LIST.assets, LIST.model);
  assert.ok(!LIST.scripts.includes(LIST.core), 'the core is in no page\'s list: the bridge loads it when needed');
  for (const f of listed) assert.ok(fs.existsSync(path.join(WEB, f)), `${f} exists`);
  const found = [];
  (function walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.js$/.test(e.name)) found.push(path.relative(WEB, full).split(path.sep).join('/'));
    }
  })(WEB);
  assert.deepEqual(found.filter((f) => !listed.includes(f)), [], 'scripts in web/ that no page or bundle loads');
});

// Runs build_site.js on a copy of web/ changed by `damage`; returns { status, stderr }.
function buildDamaged(damage) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-list-'));
  try {
    const web = path.join(tmp, 'web');
    fs.cpSync(WEB, web, { recursive: true });
    damage(web);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'build_site.js'), path.join(tmp, 'dist'), web],
      { encoding: 'utf8', cwd: ROOT });
    return { status: r.status, stderr: r.stderr, built: fs.existsSync(path.join(tmp, 'dist', 'attention-figures.js')) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

test('build_site.js fails loudly on a missing listed file and on a page that drifted from the list', () => {
  const missing = buildDamaged((web) => fs.rmSync(path.join(web, 'figures', 'fig-mask.js')));
  assert.notEqual(missing.status, 0, 'a missing figure stops the build');
  assert.match(missing.stderr, /figures\/fig-mask\.js/, 'and says which file');
  assert.equal(missing.built, false, 'no half-built bundle');

  const drifted = buildDamaged((web) => {
    const page = path.join(web, 'embed.html');
    fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace(/<script src="figures\/fig-heads\.js" defer><\/script>\n/, ''));
  });
  assert.notEqual(drifted.status, 0, 'a page without a listed script stops the build');
  assert.match(drifted.stderr, /embed\.html/);
});
