// The relaxed-SIMD kernel in the pages: opened from file:// (a double-click), the lesson (web/)
// and the bundle (dist/) install attn-fast.js into the core, since Chromium validates relaxed
// SIMD, and streaming attention through it matches the plain-SIMD kernel of the same page on
// the same seeded inputs, causal mask included.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { launch, open, fileUrl, ROOT } = require('./harness.js');

const FAST = require(path.join(ROOT, 'web', 'core', 'attn-fast.js'));

for (const dir of ['web', 'dist']) {
  test(`${dir}/index.html from file:// runs the relaxed-SIMD kernel, equal to its plain-SIMD one`, async (t) => {
    if (!FAST.wasm) { t.skip('built without clang-16: plain SIMD only'); return; }
    if (!fs.existsSync(path.join(ROOT, dir, 'index.html'))) { t.skip(`no ${dir}/ (make builds it)`); return; }
    const browser = await launch();
    try {
      const page = await open(browser, fileUrl(`${dir}/index.html`) + '?autorun=0');
      const res = await page.evaluate(async () => {
        const core = await window.AttentionExplorer.loadCore();
        const path = core.kernelPath();
        const out = {};
        for (const mask of ['none', 'causal']) {
          const job = core.longJob({ n: 333, d: 64, seed: 4 });
          core.useKernelPath('simd128');
          job.run('streaming', 0, 333, { mask });
          const plain = job.output();
          core.useKernelPath('best');
          job.run('streaming', 0, 333, { mask });
          const relaxed = job.output();
          let worst = 0;
          for (let i = 0; i < plain.length; i++) worst = Math.max(worst, Math.abs(plain[i] - relaxed[i]));
          out[mask] = { worst, finite: relaxed.every(Number.isFinite) };
          job.destroy();
        }
        return { path, out };
      });
      assert.equal(res.path, 'relaxed-simd');
      for (const mask of ['none', 'causal']) {
        assert.ok(res.out[mask].finite, `${mask}: finite`);
        assert.ok(res.out[mask].worst <= 1e-6, `${mask}: relaxed vs plain SIMD ${res.out[mask].worst}`);
      }
      assert.deepEqual(page.problems, []);
    } finally {
      await browser.close();
    }
  });
}
