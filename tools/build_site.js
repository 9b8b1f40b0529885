// build_site.js - `make site`: writes dist/, one self-contained folder that works from file://
// and from any static host under any sub-path. Everything is referenced relatively; nothing
// is fetched from outside the folder. What goes in is web/scripts.json, the one list of
// scripts the pages also carry; a file it names that does not exist stops the build.
//   node tools/build_site.js [out-dir (default dist)] [web-dir (default web)]
//   dist/attention-figures.js  the bridge, the kit, every figure, their CSS as a string, and the
//                              <attention-figure> component: one classic script
//   dist/attn-core.js          the C core (WebAssembly inside a classic script), loaded by the
//                              bridge from beside the bundle when a figure first needs it
//   dist/index.html            the lesson, loading that one script
//   dist/embed.html            one figure for an iframe
//   dist/examples/course.html  a course page embedding three figures
//   dist/package.json          the folder as an npm package (no dependencies; `npm pack` in dist/)
//   dist/attn-model-core.js, dist/weights-brown.js
//                              the trained model, apart: the model bridge (in the bundle) loads
//                              them from beside the bundle only when a figure asks
//                              (AttentionExplorer.loadModel('brown')). The size budget (scripts.json budgetKB) is the
//                              core bundle's and the pages' without these; their size is
//                              reported on its own.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { minify } = require('terser');

const ROOT = path.join(__dirname, '..');
const DIST = path.resolve(ROOT, process.argv[2] || 'dist');
const WEB = path.resolve(ROOT, process.argv[3] || 'web');

// web/scripts.json: scripts (load order: the module, the bridge, the kit, the figures), the
// component, each page with its starter script, and the other files the pages link.
const LIST = JSON.parse(fs.readFileSync(path.join(WEB, 'scripts.json'), 'utf8'));
const BUNDLE = LIST.scripts.concat([LIST.component]);
const PAGES = Object.keys(LIST.pages);
const COPY = Object.values(LIST.pages).concat(LIST.assets);
// The C core (the Emscripten module, already minified): beside the bundle, loaded by the bridge
// when a figure first needs it, inside the budget.
const CORE = LIST.core;
const CORE_OUT = path.basename(CORE);
const STYLES = LIST.assets.find((f) => f.endsWith('figures.css'));
// The trained model's files (scripts.json "model"): separate classic scripts, loaded lazily,
// outside the budget.
// (attn-model-core.js is minified by emcc, weights-*.js is data: both are copied as they are.)
const MODEL_FILES = LIST.model || [];
const BUDGET = LIST.budgetKB * 1024;   // web/scripts.json budgetKB

function read(name) {
  return fs.readFileSync(path.join(WEB, name), 'utf8');
}

// Every file the list names must exist: a missing one is an error, never a silent gap.
function checkListed() {
  const missing = BUNDLE.concat(PAGES, COPY, MODEL_FILES, [CORE]).filter((f) => !fs.existsSync(path.join(WEB, f)));
  if (missing.length) {
    throw new Error(`web/scripts.json names ${missing.length === 1 ? 'a file' : 'files'} that ` +
      `${missing.length === 1 ? 'does' : 'do'} not exist in ${path.relative(ROOT, WEB) || WEB}: ${missing.join(', ')}` +
      (missing.includes(CORE) || missing.includes('attn-model-core.js') ? ' (the WebAssembly modules are built by `make wasm`)' : ''));
  }
}

// Smaller JS for dist/ (web/ keeps the readable sources; attn-core.js is minified by emcc).
async function small(js) {
  const out = await minify(js, { ecma: 2020, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  return out.code;
}

// Smaller CSS: comments and layout whitespace go; nothing that could change a selector's meaning.
function smallCss(css) {
  return css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').replace(/\s*([{};,])\s*/g, '$1').trim() + '\n';
}

// The pages list their scripts one by one between <!-- scripts --> markers, exactly as
// scripts.json does; dist loads the bundle instead. A page that drifted from the list stops
// the build.
function useBundle(html, name) {
  const start = html.indexOf('<!-- scripts -->'), end = html.indexOf('<!-- /scripts -->');
  if (start < 0 || end < 0) throw new Error(`${name}: no <!-- scripts --> ... <!-- /scripts --> block`);
  const listed = Array.from(html.slice(start, end).matchAll(/<script src="([^"]+)"/g), (m) => m[1]);
  if (listed.join('\n') !== LIST.scripts.join('\n')) {
    throw new Error(`${name}: its <script> tags (${listed.join(', ')}) differ from web/scripts.json`);
  }
  return html.slice(0, start) + '<script src="attention-figures.js" defer></script>' +
    html.slice(end + '<!-- /scripts -->'.length);
}

// dist/package.json: the folder as an npm package a course site can install (`npm pack` in
// dist/, or `npm install attention-explorer` once published) or load from a CDN by URL. No
// dependencies; name, version, licence from the repo's package.json; "files" is every file
// the folder holds.
function writePackage() {
  const repo = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const files = [];
  (function walk(dir) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(path.relative(DIST, full).split(path.sep).join('/'));
    }
  })(DIST);
  const pkg = {
    name: repo.name,
    version: repo.version,
    description: 'Interactive attention figures (the C attention core as WebAssembly, every figure of the ' +
      'lesson, and the <attention-figure> element) in one classic script, with a one-figure page for iframes.',
    license: repo.license,
    keywords: ['attention', 'transformer', 'webassembly', 'web-component', 'education'],
    browser: LIST.bundle,
    unpkg: LIST.bundle,
    jsdelivr: LIST.bundle,
    files: files.sort(),
  };
  fs.writeFileSync(path.join(DIST, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
}

async function build() {
  checkListed();
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.mkdirSync(path.join(DIST, 'examples'), { recursive: true });

  const rest = BUNDLE.map((f) => {
    let js = read(f);
    if (f === LIST.component) {
      // the component's shadow roots get the figures' stylesheet as a string
      js = '(window.AttentionExplorer = window.AttentionExplorer || {}).figureStyles = ' +
        JSON.stringify(smallCss(read(STYLES))) + ';\n' + js;
    }
    return js;
  });
  const header = '/* attention-figures.js: Attention Explorer in one classic script (the bridge to the C\n' +
    '   attention core, every figure, and the <attention-figure> element); it loads the core itself\n' +
    '   (attn-core.js, WebAssembly) from beside it when a figure first needs it. MIT licence; the\n' +
    '   lexicon includes data derived from WordNet 3.1 (c) Princeton University. Sources: web/, core/. */\n';
  const bundle = header + await small(rest.join('\n;\n')) + '\n';
  fs.writeFileSync(path.join(DIST, LIST.bundle), bundle);
  fs.copyFileSync(path.join(WEB, CORE), path.join(DIST, CORE_OUT));
  // and copies in web/ (not tracked), so the component snippet the lesson's Share panel offers
  // on the page `make serve` serves names a script that exists and finds the core beside it
  fs.writeFileSync(path.join(WEB, LIST.bundle), bundle);
  fs.copyFileSync(path.join(WEB, CORE), path.join(WEB, CORE_OUT));

  for (const f of COPY) {
    const text = read(f);
    fs.mkdirSync(path.dirname(path.join(DIST, f)), { recursive: true });
    fs.writeFileSync(path.join(DIST, f), f.endsWith('.js') ? await small(text) : f.endsWith('.css') ? smallCss(text) : text);
  }
  for (const page of PAGES) fs.writeFileSync(path.join(DIST, page), useBundle(read(page), page));
  for (const f of fs.readdirSync(path.join(ROOT, 'examples'))) {
    fs.copyFileSync(path.join(ROOT, 'examples', f), path.join(DIST, 'examples', f));
  }

  // the trained model, beside the bundle: never inside attention-figures.js
  for (const f of MODEL_FILES) fs.copyFileSync(path.join(WEB, f), path.join(DIST, f));

  writePackage();

  let total = 0, modelTotal = 0;
  const sizes = [], modelSizes = [];
  const line = (rel, bytes) => `  ${rel.padEnd(28)} ${(bytes / 1024).toFixed(1).padStart(7)} KB`;
  (function walk(dir) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const bytes = fs.statSync(full).size, rel = path.relative(DIST, full);
        if (MODEL_FILES.includes(rel)) { modelTotal += bytes; modelSizes.push(line(rel, bytes)); }
        else { total += bytes; sizes.push(line(rel, bytes)); }
      }
    }
  })(DIST);
  console.log(`dist/: ${(total / 1024).toFixed(1)} KB without the trained model (budget ${LIST.budgetKB} KB)\n${sizes.join('\n')}\n` +
    `the trained model, loaded only when a page asks for it: ${(modelTotal / 1024).toFixed(1)} KB\n${modelSizes.join('\n')}`);
  if (total > BUDGET) {
    console.error(`build_site.js: dist/ without the trained model is over its ${LIST.budgetKB} KB budget`);
    process.exitCode = 1;
  }
}

build().catch((err) => {
  console.error('build_site.js: ' + (err && err.stack ? err.stack : err));
  process.exitCode = 1;
});
