// lighthouse.js - `make bench-lighthouse`: Lighthouse (npm, mobile preset: a throttled phone)
// on the lesson as served over HTTP, web/index.html and dist/index.html, against Debian's
// Chromium. Writes build/lighthouse.json (scores, the metrics behind performance, DOM size,
// the date and the machine) and prints a table. A timing, so it reports and never fails on a
// score; it exits non-zero only when Lighthouse itself could not run.
//   node tests/bench/lighthouse.js [runs]     (default 3 runs per page; the median is kept)
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { serve } = require('../serve.js');

// LIGHTHOUSE_ROOT: measure another checkout's web/ and dist/ (a before/after on one machine)
const ROOT = process.env.LIGHTHOUSE_ROOT || path.join(__dirname, '..', '..');
const CHROME = process.env.CHROME_PATH || process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
const SITES = [['web', 'web/index.html'], ['dist', 'dist/index.html']]
  .filter(([name]) => !process.env.LIGHTHOUSE_ONLY || process.env.LIGHTHOUSE_ONLY === name);
const METRICS = {
  fcp: 'first-contentful-paint', lcp: 'largest-contentful-paint', tbt: 'total-blocking-time',
  cls: 'cumulative-layout-shift', si: 'speed-index',
};

const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };

async function once(lighthouse, chromeLauncher, url) {
  const chrome = await chromeLauncher.launch({ chromePath: CHROME, chromeFlags: FLAGS });
  try {
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'], maxWaitForLoad: 120000 });
    const lhr = result.lhr;
    if (process.env.LIGHTHOUSE_FULL) fs.writeFileSync(process.env.LIGHTHOUSE_FULL, JSON.stringify(lhr));
    if (lhr.runtimeError) throw new Error(lhr.runtimeError.code + ': ' + lhr.runtimeError.message);
    const audits = lhr.audits;
    const run = {
      performance: Math.round(lhr.categories.performance.score * 100),
      accessibility: Math.round(lhr.categories.accessibility.score * 100),
      domNodes: audits['dom-size'] ? audits['dom-size'].numericValue : null,
      bootupMs: audits['bootup-time'] ? Math.round(audits['bootup-time'].numericValue) : null,
      failedAccessibility: lhr.categories.accessibility.auditRefs
        .filter((r) => r.weight > 0 && audits[r.id].score !== null && audits[r.id].score < 1).map((r) => r.id),
    };
    for (const [key, id] of Object.entries(METRICS)) run[key] = Math.round(audits[id].numericValue * (key === 'cls' ? 1000 : 1)) / (key === 'cls' ? 1000 : 1);
    return run;
  } finally {
    await chrome.kill();
  }
}

async function main() {
  const runs = Math.max(1, Number(process.argv[2]) || 3);
  const { default: lighthouse } = await import('lighthouse');
  const chromeLauncher = await import('chrome-launcher');
  const report = { date: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0].model,
    load: os.loadavg().map((x) => Math.round(x * 100) / 100), chromium: CHROME, lighthouse: require('lighthouse/package.json').version },
  preset: 'mobile (Lighthouse default: Moto G Power, 4x CPU slowdown, slow 4G)', runsPerPage: runs, pages: {} };
  for (const [name, rel] of SITES) {
    const dir = path.dirname(path.join(ROOT, rel));
    const { server, url } = await serve(dir, 0);
    try {
      const all = [];
      for (let i = 0; i < runs; i++) {
        // a loaded machine can time Lighthouse's own protocol calls out: such a run is retried
        for (let attempt = 1; ; attempt++) {
          try {
            all.push(await once(lighthouse, chromeLauncher, url + path.basename(rel)));
            break;
          } catch (err) {
            if (attempt >= 3) throw err;
            console.error(`${name} run ${i + 1}: ${String(err.message).split('\n')[0]}; again`);
          }
        }
      }
      const pick = (k) => median(all.map((r) => r[k]));
      report.pages[name] = { url: rel, runs: all, median: { performance: pick('performance'),
        accessibility: pick('accessibility'), fcp: pick('fcp'), lcp: pick('lcp'), tbt: pick('tbt'), cls: pick('cls'),
        si: pick('si'), domNodes: pick('domNodes'), bootupMs: pick('bootupMs') } };
    } finally {
      server.close();
    }
  }
  fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'build', 'lighthouse.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`Lighthouse ${report.machine.lighthouse}, mobile, median of ${runs} (load ${report.machine.load.join(' ')}):`);
  console.log('page  perf  a11y  FCP ms  LCP ms  TBT ms  CLS    DOM nodes  all perf');
  for (const [name, p] of Object.entries(report.pages)) {
    const m = p.median;
    console.log(`${name.padEnd(5)} ${String(m.performance).padStart(4)}  ${String(m.accessibility).padStart(4)}  ` +
      `${String(m.fcp).padStart(6)}  ${String(m.lcp).padStart(6)}  ${String(m.tbt).padStart(6)}  ${String(m.cls).padEnd(5)}  ` +
      `${String(m.domNodes).padStart(9)}  ${p.runs.map((r) => r.performance).join(' ')}`);
    const failed = [...new Set(p.runs.flatMap((r) => r.failedAccessibility))];
    if (failed.length) console.log(`      accessibility audits not passed: ${failed.join(', ')}`);
  }
  console.log('wrote build/lighthouse.json');
}

main().catch((err) => { console.error('lighthouse bench: ' + (err && err.stack ? err.stack : err)); process.exit(1); });
