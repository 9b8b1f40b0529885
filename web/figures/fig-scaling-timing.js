/* fig-scaling-timing.js - how Figure 6.1 measures: generators that time full, sliding-window
   and linear attention in C at each context length, one short piece per next(), for
   kit.runInSlices to spread over many tasks. Each length gets its own job from the bridge
   (core.longJob: seeded random Q, K, V in WASM buffers the job owns), freed when the length
   is done or the run is cancelled (the generator's `finally`). Timing with performance.now()
   is measurement; the attention itself runs in C. */
(function (AE) {
  'use strict';

  const CHUNK_MS = 3;       // aim for blocks of rows of about this long
  const MAX_REPS = 5000;
  // A length is timed in `batches` batches of runs lasting at least `batchMs`; the fastest
  // counts (other work on the machine only ever adds time). Runs slower than `slowMs` get one.
  const CAREFUL = { batches: 3, batchMs: 4, slowMs: 150 }, QUICK = { batches: 2, batchMs: 2, slowMs: 30 };

  // Times one kernel on a job and returns milliseconds per run. The first run goes in blocks
  // of rows (yielding after each) and warms up; a run slower than plan.slowMs is measured by it
  // alone. Otherwise it is measured again a few times and the fastest counts (other work on the
  // machine only ever adds time). A measurement shorter than CHUNK_MS is below what the timer
  // can resolve (browsers coarsen performance.now() to 5-100 µs), so such a kernel is timed in
  // tight batches of whole runs instead.
  function* timeKernel(job, kernel, plan, opts) {
    const n = job.n;
    const chunked = kernel !== 'linear';   // attn_linear has no row range: one call per run
    let rows = Math.max(1, Math.min(n, Math.floor(32768 / n)));
    function* blockRun() {
      let spent = 0;
      for (let r = 0; r < n;) {
        const end = chunked ? Math.min(n, r + rows) : n;
        const t0 = performance.now();
        job.run(kernel, r, end, opts);
        const dt = performance.now() - t0;
        spent += dt;
        // aim the next block at CHUNK_MS; below half a millisecond the timer is too coarse
        if (chunked && dt > 0.5) rows = Math.max(1, Math.min(n, Math.round((end - r) * CHUNK_MS / dt)));
        else if (chunked && end - r === rows) rows = Math.min(n, rows * 2);
        r = end;
        yield r / n;
      }
      return spent;
    }
    function* batchRun() {
      let reps = 0, span = 0;
      const t0 = performance.now();
      while (reps < MAX_REPS && span < plan.batchMs) {
        job.run(kernel, 0, n, opts);
        reps++;
        span = performance.now() - t0;
      }
      yield 1;
      return span / reps;
    }
    function* measureOnce() {
      const ms = yield* blockRun();
      return ms >= CHUNK_MS ? ms : yield* batchRun();
    }
    const first = yield* blockRun();
    if (first >= plan.slowMs) return first;
    // the warm-up counts only when the timer could resolve it
    let best = first >= CHUNK_MS ? first : Infinity;
    for (let i = best === Infinity ? 0 : 1; i < plan.batches; i++) best = Math.min(best, yield* measureOnce());
    return Math.max(best, 1e-4);   // never 0: a log axis has no place for it
  }

  // Measures every kernel at every length of `lengths` up to maxN. spec: { core, lengths,
  // kernels: [{ id }], d, seed, window, quick, fullMaxN, onPoint(kernelId, n, ms),
  // onFullRefused(n) }. Yields { i, of, n, kernel, f } (f: 0..1 within one kernel and length);
  // returns how many points it measured. A browser that will not lend full attention's n x n
  // memory (AttnError OVERFLOW) ends full there; the others carry on.
  function* measure(spec) {
    const { core, d, seed } = spec;
    const timing = spec.quick ? QUICK : CAREFUL;
    const plan = [];
    spec.lengths.filter((n) => n <= spec.maxN).forEach((n) => spec.kernels.forEach((k) => {
      if (k.id !== 'full' || n <= spec.fullMaxN) plan.push({ n, kernel: k });
    }));
    let fullLimit = spec.fullMaxN, count = 0, job = null;
    try {
      for (let i = 0; i < plan.length; i++) {
        const { n, kernel } = plan[i];
        if (kernel.id === 'full' && n > fullLimit) continue;
        if (!job || job.n !== n) {
          if (job) job.destroy();
          job = null;
          job = core.longJob({ n, d, seed });
          yield { i, of: plan.length, n, kernel, f: 0 };
        }
        const opts = kernel.id === 'window' ? { window: spec.window } : {};
        let ms;
        try {
          ms = yield* progressOf(timeKernel(job, kernel.id, timing, opts), { i, of: plan.length, n, kernel });
        } catch (err) {
          if (kernel.id !== 'full' || !err || err.code !== AE.CODES.OVERFLOW) throw err;
          fullLimit = n - 1;
          spec.onFullRefused(n);
          continue;
        }
        count++;
        spec.onPoint(kernel.id, n, ms);
      }
    } finally {
      if (job) job.destroy();   // done, failed or cancelled: the job's buffers go back
    }
    return count;
  }

  // Passes a timer's fractions on as progress records; returns what the timer returns.
  function* progressOf(timer, where) {
    let step = timer.next();
    while (!step.done) {
      yield Object.assign({ f: step.value }, where);
      step = timer.next();
    }
    return step.value;
  }

  AE.scalingTiming = { measure, timeKernel };
})(window.AttentionExplorer);
