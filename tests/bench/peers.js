// peers.js - `make bench-peers`: our attention against onnxruntime-web and TensorFlow.js's
// WASM backend, in one headless Chromium process (single thread each), on the same seeded
// Q, K, V, d = 64. Implementations run interleaved round by round (the order rotates every
// round) after warm-up runs; each reports the median. Outputs are checked against a double-
// precision reference. Writes build/bench-peers.json and prints a table. Speed is reported,
// never asserted; the machine's load average is recorded beside the numbers.
//   node tests/bench/peers.js [--quick]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { launch, serve, ROOT } = require('../browser/harness.js');

const QUICK = process.argv.includes('--quick');
const D = 64, SEED = 7;
// reps: runs per sample (one page call), so the harness's own cost per call (about a tenth of
// a millisecond of CPU) stays small beside the work; times are per run
const PEER_SIZES = [{ n: 1024, rounds: QUICK ? 5 : 21, warm: 3, reps: 5, refStride: 1 },
  { n: 4096, rounds: QUICK ? 3 : 9, warm: 2, reps: 1, refStride: 16 }];
const IMPLS = ['ours', 'ort-web', 'tfjs-wasm'];
const OURS_EXTRA = ['ours-simd128', 'ours-causal'];   // the fallback kernel, and the causal mask
const TOLERANCE = 1e-5;   // |output - double reference|: every implementation must agree

const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const gflops = (n, d, ms) => (4 * n * n * d) / (ms * 1e6);
const load = () => fs.readFileSync('/proc/loadavg', 'utf8').trim();

async function main() {
  const { server, url } = await serve(ROOT, 0);
  const browser = await launch();
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(r.status() + ' ' + r.url()); });
  // CPU time of the renderer's main thread (where every implementation runs), from the
  // DevTools protocol: on this shared 2-core machine the wall clock mostly measures the queue
  // for a core, so both are recorded
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((x) => x.name === 'ThreadTime').value;
  const timed = async (fn, arg) => {
    const c0 = await threadTime();
    const ms = await page.evaluate(fn, arg);
    return { ms, cpu: (await threadTime() - c0) * 1e3 };
  };
  await page.goto(url + 'tests/bench/peers.html');
  await page.waitForFunction(() => window.peers && window.ort && window.tf);
  const env = await page.evaluate(() => window.peers.init());
  const pkg = (name) => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  Object.assign(env, {
    chromium: browser.version(), 'onnxruntime-web': pkg('onnxruntime-web'),
    '@tensorflow/tfjs': pkg('@tensorflow/tfjs'), '@tensorflow/tfjs-backend-wasm': pkg('@tensorflow/tfjs-backend-wasm'),
    cpu: os.cpus()[0].model, cores: os.cpus().length, date: new Date().toISOString(),
    loadavg_start: load(), threads: 1, d: D, seed: SEED,
  });
  const hasFallback = env.ours !== 'simd128';
  const results = [];
  const small = [];
  console.log(`ours: ${env.ours} kernel; onnxruntime-web ${env['onnxruntime-web']}, tfjs ${env['@tensorflow/tfjs']} (${env.tfjsBackend}, SIMD ${env.tfjsSimd}, threads ${env.tfjsThreads}); load ${env.loadavg_start}`);

  for (const size of PEER_SIZES) {
    const { n } = size;
    await page.evaluate(([nn, d, seed, stride]) => window.peers.prepare(nn, d, seed, stride), [n, D, SEED, size.refStride]);
    const impls = IMPLS.concat(hasFallback ? OURS_EXTRA : OURS_EXTRA.slice(1));
    const times = Object.fromEntries(impls.map((i) => [i, []]));
    const cpu = Object.fromEntries(impls.map((i) => [i, []]));
    for (let w = 0; w < size.warm; w++) for (const impl of impls) await page.evaluate((i) => window.peers.run(i), impl);
    for (let r = 0; r < size.rounds; r++) {
      const order = impls.slice(r % impls.length).concat(impls.slice(0, r % impls.length));
      for (const impl of order) {
        const t = await timed(([i, reps]) => window.peers.runMany(i, reps), [impl, size.reps]);
        times[impl].push(t.ms / size.reps);
        cpu[impl].push(t.cpu / size.reps);
      }
    }
    for (const impl of impls) {
      const ms = median(times[impl]), cpuMs = median(cpu[impl]);
      const diff = await page.evaluate((i) => window.peers.maxAbsDiff(i), impl);
      results.push({ impl, n, d: D, ms: +ms.toFixed(3), gflops: +gflops(n, D, ms).toFixed(2), max_abs_diff: diff,
        cpu_ms: +cpuMs.toFixed(3), cpu_gflops: +gflops(n, D, cpuMs).toFixed(2),
        rounds: size.rounds, reps: size.reps, min_ms: +Math.min(...times[impl]).toFixed(3), loadavg: load() });
    }
  }

  // The lesson's own sizes (the head view: n <= 256 tokens): ours only, both kernel paths.
  for (const n of [8, 64, 256]) {
    await page.evaluate(([nn, d, seed]) => window.peers.prepare(nn, d, seed, 1), [n, D, SEED]);
    const reps = Math.max(4, Math.round(2e6 / (n * n)));
    for (const kernel of ['full', 'streaming']) {
      const paths = hasFallback ? ['best', 'simd128'] : ['best'];
      const t = Object.fromEntries(paths.map((p) => [p, []]));
      const c = Object.fromEntries(paths.map((p) => [p, []]));
      for (const p of paths) await page.evaluate(([k, pp, r]) => window.peers.runSmall(k, pp, r), [kernel, p, reps]);
      for (let r = 0; r < (QUICK ? 5 : 15); r++) {
        for (const p of (r % 2 ? paths.slice().reverse() : paths)) {
          const x = await timed(([k, pp, rr]) => window.peers.runSmall(k, pp, rr), [kernel, p, reps]);
          t[p].push(x.ms);
          c[p].push(x.cpu / reps);
        }
      }
      for (const p of paths) {
        small.push({ impl: p === 'best' ? 'ours' : 'ours-simd128', kernel, n, d: D, ms: +median(t[p]).toFixed(5),
          cpu_ms: +median(c[p]).toFixed(5) });
      }
    }
  }
  await page.evaluate(() => window.peers.release());
  env.loadavg_end = load();
  await browser.close();
  server.close();
  if (problems.length) throw new Error('page problems: ' + problems.join('; '));

  // results: the three implementations the comparison is about; ours_variants: the plain-SIMD
  // fallback kernel and the causal mask, same fields
  const main = results.filter((r) => IMPLS.includes(r.impl));
  const out = { env, results: main, ours_variants: results.filter((r) => !IMPLS.includes(r.impl)), lesson_sizes: small };
  fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'build', 'bench-peers.json'), JSON.stringify(out, null, 2) + '\n');

  console.log('\n| n | impl | wall ms (median) | GFLOP/s | CPU ms (median) | GFLOP/s | max abs diff vs double | ort-web / ours (wall, CPU) | tfjs-wasm / ours (wall, CPU) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  let bad = [];
  for (const r of results) {
    const at = (impl) => results.find((x) => x.n === r.n && x.impl === impl);
    const ratio = (impl) => (r.impl.startsWith('ours') && r.impl !== 'ours-causal'
      ? `${(at(impl).ms / r.ms).toFixed(2)}x, ${(at(impl).cpu_ms / r.cpu_ms).toFixed(2)}x` : '');
    console.log(`| ${r.n} | ${r.impl} | ${r.ms.toFixed(2)} | ${r.gflops.toFixed(1)} | ${r.cpu_ms.toFixed(2)} | ${r.cpu_gflops.toFixed(1)} | ${r.max_abs_diff.toExponential(1)} | ${ratio('ort-web')} | ${ratio('tfjs-wasm')} |`);
    if (!(r.max_abs_diff <= TOLERANCE)) bad.push(`${r.impl} n=${r.n}: max |diff| ${r.max_abs_diff}`);
  }
  console.log('\nlesson sizes (ms per call):');
  for (const s of small) console.log(`  ${s.kernel} n=${s.n} ${s.impl}: wall ${s.ms}, CPU ${s.cpu_ms}`);
  console.log(`\nload average: ${env.loadavg_start} at the start, ${env.loadavg_end} at the end; wrote build/bench-peers.json`);
  if (bad.length) throw new Error('outputs disagree: ' + bad.join('; '));
}

main().catch((e) => { console.error(e); process.exit(1); });
