// train_browser.js - part of `make bench` (and `make bench-train-browser` alone); a benchmark,
// not a test: Figure 2.3 trains in headless Chromium (the lesson from file://) with the fixed
// seed until the phase change shows, while a PerformanceObserver records every long task
// (> 50 ms) on the page's main thread. Reports the phase-change step, the seconds the figure
// says it took, steps per second, and the long tasks while training (count, longest), with the
// main thread's CPU seconds and the load average; appends a { kind: "induction-browser" } row
// to build/bench.json.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { launch, open, LESSON, ROOT } = require('../browser/harness.js');

const FIG = '[data-figure="train"]';

async function main() {
  const load = os.loadavg()[0];
  const browser = await launch();
  const page = await open(browser, LESSON);
  await page.locator(FIG).scrollIntoViewIfNeeded();
  await page.waitForSelector(FIG + ' .ae-train-head[data-prefix-match]');
  await page.evaluate((sel) => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask' });
    window.__t0 = performance.now();
    // the goal's moment: the first time any head's prefix-matching score passes 0.4
    const root = document.querySelector(sel);
    new MutationObserver(() => {
      if (window.__headAt) return;
      const best = Math.max(...Array.from(root.querySelectorAll('.ae-train-head[data-prefix-match]'), (h) => Number(h.dataset.prefixMatch)));
      if (best > 0.4) window.__headAt = { s: (performance.now() - window.__t0) / 1000, step: Number(root.dataset.step), score: best };
    }).observe(root, { attributes: true, subtree: true, attributeFilter: ['data-prefix-match'] });
  }, FIG);
  // the renderer's main-thread CPU time (DevTools Performance.getMetrics ThreadTime): on a
  // shared machine the wall clock mostly measures the other processes
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });   // durations in thread CPU time
  const NAMES = ['ThreadTime', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'TaskDuration'];
  const metrics = async () => {
    const all = (await cdp.send('Performance.getMetrics')).metrics;
    return Object.fromEntries(NAMES.map((n) => [n, (all.find((m) => m.name === n) || { value: 0 }).value]));
  };
  const m0 = await metrics();
  await page.click(FIG + ' [data-control="train"]');
  await page.waitForSelector(FIG + '[data-phase-step]', { timeout: 900000 });
  await page.waitForFunction(() => window.__headAt, null, { timeout: 900000 });
  const m1 = await metrics();
  const spent = Object.fromEntries(NAMES.map((n) => [n, +(m1[n] - m0[n]).toFixed(2)]));
  const cpuSeconds = spent.ThreadTime;
  const r = await page.evaluate((sel) => {
    const root = document.querySelector(sel);
    const tasks = window.__longTasks.filter((t) => t.start >= window.__t0);
    return { phase_step: Number(root.dataset.phaseStep), step: Number(root.dataset.step),
      wall_s: (performance.now() - window.__t0) / 1000,
      status: root.querySelector('.ae-train-status').textContent,
      long_tasks: tasks.length, long_tasks_over_100ms: tasks.filter((t) => t.ms > 100).length,
      longest_task_ms: tasks.reduce((m, t) => Math.max(m, t.ms), 0), head: window.__headAt,
      over_50: tasks.filter((t) => t.ms > 50).map((t) => [Math.round(t.start - window.__t0), Math.round(t.ms)]) };
  }, FIG);
  await page.click(FIG + ' [data-control="pause"]');
  const said = /after ([0-9.]+) s/.exec(r.status);
  const row = { kind: 'induction-browser', seed: 1, browser: browser.version(), phase_step: r.phase_step,
    phase_seconds: said ? Number(said[1]) : null, steps_when_seen: r.step, seconds_when_seen: +r.wall_s.toFixed(2),
    steps_per_s: +(r.step / r.wall_s).toFixed(1), head_step: r.head.step, head_seconds: +r.head.s.toFixed(2),
    head_score: +r.head.score.toFixed(3), long_tasks: r.long_tasks, long_tasks_over_100ms: r.long_tasks_over_100ms,
    longest_task_ms: Math.round(r.longest_task_ms), long_tasks_at_ms: r.over_50, main_thread_cpu_s: +cpuSeconds.toFixed(2),
    steps_per_cpu_s: +(r.step / cpuSeconds).toFixed(1), script_s: spent.ScriptDuration, layout_s: spent.LayoutDuration,
    style_s: spent.RecalcStyleDuration, load_average: +load.toFixed(1) };
  await browser.close();

  const out = path.join(ROOT, 'build', 'bench.json');
  let existing = [];
  try { existing = JSON.parse(fs.readFileSync(out, 'utf8')); } catch (e) { existing = []; }
  if (!Array.isArray(existing)) existing = [];
  existing = existing.filter((x) => x.kind !== 'induction-browser');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify([...existing, row], null, 1) + '\n');
  console.log(`\nFigure 2.3 in Chromium ${row.browser} (seed 1, load average ${row.load_average}): phase change at step ${row.phase_step}, ` +
    `${row.phase_seconds} s of training by the figure's clock; a head's prefix-matching score first above 0.4 (${row.head_score}) at step ` +
    `${row.head_step} after ${row.head_seconds} s of wall time from Start; the phase change seen at step ${row.steps_when_seen} after ${row.seconds_when_seen} s ` +
    `(${row.steps_per_s} steps/s; main thread CPU ${row.main_thread_cpu_s} s, ${row.steps_per_cpu_s} steps per CPU second); long tasks while training: ${row.long_tasks} over 50 ms, ${row.long_tasks_over_100ms} over 100 ms, ` +
    `longest ${row.longest_task_ms} ms (at ms from Start, duration: ${JSON.stringify(row.long_tasks_at_ms)}); of the main thread's time: script ${row.script_s} s, layout ${row.layout_s} s, style ${row.style_s} s`);
  console.log('wrote the induction-browser row to build/bench.json');
}

main().catch((e) => { console.error(e); process.exit(1); });
