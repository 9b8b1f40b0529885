/* scheduler.js - long work on the main thread, a few milliseconds at a time.
   Work is a generator: each next() does one short piece (a block of rows, one timed batch)
   and yields its progress. runInSlices() runs pieces for about sliceMs per task and then
   yields to the browser with a MessageChannel message (not throttled like timers), so the
   page keeps answering. cancel() stops it for good and closes the generator, which runs its
   `finally` blocks: a job that owns WASM buffers frees them there. */
(function (root) {
  'use strict';
  const AE = (root.AttentionExplorer = root.AttentionExplorer || {});
  AE.kit = AE.kit || {};

  // steps: an iterator. on: { progress(lastValue), done(returnValue), error(err) }, all optional.
  // Returns { cancel(), get running }.
  function runInSlices(steps, on, sliceMs) {
    on = on || {};
    const budget = sliceMs || 10;
    const channel = new MessageChannel();
    let running = true, last;

    function finish() {
      running = false;
      channel.port1.onmessage = null;
      channel.port1.close();
      channel.port2.close();
    }

    function task() {
      if (!running) return;
      const until = performance.now() + budget;
      try {
        while (performance.now() < until) {
          const step = steps.next();
          if (step.done) {
            finish();
            if (on.done) on.done(step.value);
            return;
          }
          last = step.value;
        }
      } catch (err) {
        finish();
        if (on.error) on.error(err);
        return;
      }
      if (on.progress) on.progress(last);
      if (running) channel.port2.postMessage(0);   // progress() may have cancelled
    }

    channel.port1.onmessage = task;
    channel.port2.postMessage(0);
    return {
      cancel() {
        if (!running) return;
        finish();
        if (typeof steps.return === 'function') steps.return();
      },
      get running() { return running; },
    };
  }

  AE.kit.runInSlices = runInSlices;
})(typeof window !== 'undefined' ? window : globalThis);
