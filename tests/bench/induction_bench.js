// induction_bench.js - part of `make bench` and `make bench-train`: how long Figure 2.3's run
// (AE.INDUCTION_FAST: 2 attention-only layers x 4 heads, d_model 32, batch 32 x 32, lr 3e-2)
// takes to reach the phase change with the fixed seed, as the figure trains it: every step
// traced (split losses, prefix-matching scores), attn_phase_change (window 20, 0.3 nats) asked
// every 5 steps, stopping when it first answers. Two impls of the same C:
//   wasm    web/attn-model-core.js in Node, through the bridge's training job (what the page runs)
//   native  build/attn-train induction --phase-window 20 (gcc -O3 -march=native, one thread)
// Reports steps/s and seconds to the phase change, wall-clock and CPU (on a shared machine the
// wall clock mostly measures the other jobs; the CPU time is this run's own work), and the load
// average. Appends { kind: "induction-phase" } rows to build/bench.json. Never asserts speed.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const AE = require('../../web/attn-model-bridge.js');

const ROOT = path.join(__dirname, '..', '..');
const SEED = Number(process.env.INDUCTION_SEED || 1);
const WINDOW = 20, MIN_DROP = 0.3, MAX_STEPS = 1500;
const FAST = AE.INDUCTION_FAST;

async function wasmRun() {
  const M = await AE.loadModelCore();
  const job = AE.createTrainingJob(M, Object.assign({ task: 'induction', seed: SEED }, FAST));
  job.step(1);                     // compile and warm up outside the timing, then start afresh
  job.destroy();
  const run = AE.createTrainingJob(M, Object.assign({ task: 'induction', seed: SEED }, FAST));
  const wall = [], cpu = [];
  const t0 = performance.now(), c0 = process.cpuUsage();
  let found = null;
  while (run.steps < MAX_STEPS && !found) {
    run.step(1, { trace: true });
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    if (run.steps % 5 === 0) {
      const p = run.phaseChange(WINDOW, MIN_DROP);
      if (p.step !== null) found = p;
    }
  }
  const n = run.steps;
  run.destroy();
  return { steps: n, seconds: wall[n - 1], cpu_seconds: cpu[n - 1], phase_step: found ? found.step : -1,
    phase_seconds: found ? wall[found.index] : null, phase_cpu_seconds: found ? cpu[found.index] : null };
}

function nativeRun() {
  const args = ['induction', '--seed', String(SEED), '--steps', String(MAX_STEPS), '--every', '100000', '--json',
    '--d-model', String(FAST.config.d_model), '--seq', String(FAST.seq), '--batch', String(FAST.batch), '--lr', String(FAST.lr),
    '--phase-window', String(WINDOW), '--phase-drop', String(MIN_DROP), '--after-phase', '0'];
  const r = spawnSync(path.join(ROOT, 'build', 'attn-train'), args, { encoding: 'utf8', env: Object.assign({}, process.env, { OMP_NUM_THREADS: '1' }) });
  if (r.status !== 0) throw new Error('attn-train: ' + r.stderr);
  const s = JSON.parse(r.stdout.trim().split('\n').pop());
  return { steps: s.steps, seconds: s.seconds, cpu_seconds: s.cpu_seconds, phase_step: s.phase_step,
    phase_seconds: s.phase_step > 0 ? s.phase_seconds : null, phase_cpu_seconds: s.phase_step > 0 ? s.phase_cpu_seconds : null };
}

async function main() {
  const load = os.loadavg()[0];
  const rows = [];
  for (const [impl, run] of [['wasm', wasmRun], ['native', async () => nativeRun()]]) {
    const r = await run();
    rows.push(Object.assign({ kind: 'induction-phase', impl, seed: SEED, config: 'INDUCTION_FAST', window: WINDOW, min_drop: MIN_DROP,
      steps_per_s: +(r.steps / r.seconds).toFixed(1), steps_per_cpu_s: +(r.steps / r.cpu_seconds).toFixed(1),
      load_average: +load.toFixed(1) }, r));
  }
  const out = path.join(ROOT, 'build', 'bench.json');
  let existing = [];
  try { existing = JSON.parse(fs.readFileSync(out, 'utf8')); } catch (e) { existing = []; }
  if (!Array.isArray(existing)) existing = [];
  existing = existing.filter((r) => r.kind !== 'induction-phase');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify([...existing, ...rows], null, 1) + '\n');

  const f = (x, d) => (x === null || x === undefined ? '-' : x.toFixed(d));
  console.log(`\nFigure 2.3's run to the phase change (seed ${SEED}, d_model 32, batch 32 x 32, lr 3e-2; one thread; load average ${load.toFixed(1)})`);
  console.log('impl      steps/s  steps/CPU-s   phase step   seconds to it   CPU seconds to it');
  for (const r of rows) {
    console.log(`${r.impl.padEnd(8)}${String(r.steps_per_s).padStart(9)}${String(r.steps_per_cpu_s).padStart(13)}` +
      `${String(r.phase_step).padStart(13)}${f(r.phase_seconds, 2).padStart(16)}${f(r.phase_cpu_seconds, 2).padStart(20)}`);
  }
  console.log('wrote induction-phase rows to build/bench.json');
}

main().catch((e) => { console.error(e); process.exit(1); });
