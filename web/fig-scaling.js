/* fig-scaling.js - Figure 6.1, the quadratic-cost lab: run full, sliding-window and linear
   attention in C on seeded random Q, K, V (d = 64) at every length from 16 up to the one
   chosen, time each run, and plot time and memory against n on log-log axes next to an n²
   line. The work is cut into blocks of rows run a few milliseconds at a time, so the page keeps
   answering while it measures; Stop cancels. Timing with performance.now() is measurement; the
   attention itself, the log-axis positions and every printed number come from C. */
(function (AE) {
  'use strict';
  const kit = AE.kit;
  const el = kit.el;

  const D = 64, SEED = 2017, WINDOW = 256;
  const LENGTHS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];
  const DEFAULT_LENGTH = 1024;
  const KERNELS = [
    { id: 'full', name: 'Full', short: 'Full', label: 'full', shape: 'circle' },
    { id: 'window', name: 'Sliding window (w = 256)', short: 'Window', label: 'window', shape: 'square' },
    { id: 'linear', name: 'Linear', short: 'Linear', label: 'linear', shape: 'triangle' },
  ];
  // Scheduling: each task works at most TICK_MS, in blocks of rows of about CHUNK_MS each.
  const TICK_MS = 10, CHUNK_MS = 3;
  // A length is timed in `batches` batches of runs lasting at least `batchMs`; the fastest
  // counts (other work on the machine only ever adds time). Runs slower than `slowMs` get one.
  const CAREFUL = { batches: 3, batchMs: 4, slowMs: 150 }, QUICK = { batches: 2, batchMs: 2, slowMs: 30 };
  const MAX_REPS = 5000;
  // Fixed decade ticks (labels are names for powers of ten, not results).
  const MS_TICKS = [[0.001, '1 µs'], [0.01, '10 µs'], [0.1, '100 µs'], [1, '1 ms'], [10, '10 ms'],
    [100, '100 ms'], [1000, '1 s'], [10000, '10 s'], [100000, '100 s']];
  const BYTE_TICKS = [[1e3, '1 kB'], [1e4, '10 kB'], [1e5, '100 kB'], [1e6, '1 MB'], [1e7, '10 MB'],
    [1e8, '100 MB'], [1e9, '1 GB']];
  const THUMB_N = 32, THUMB_WINDOW = 8;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'data') for (const [dk, dv] of Object.entries(v)) node.dataset[dk] = dv;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v);
    }
    children.flat().forEach((c) => c && node.append(c));
    return node;
  }

  // Runs a generator a few milliseconds per task until it is done or cancelled, yielding to
  // the browser between tasks (a MessageChannel message, which is not throttled like timers).
  function scheduler() {
    const channel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
    let pending = null;
    if (channel) channel.port1.onmessage = () => { const f = pending; pending = null; if (f) f(); };
    return (fn) => {
      if (channel) { pending = fn; channel.port2.postMessage(0); } else setTimeout(fn, 0);
    };
  }

  // options: { number, title, length }
  AE.figures.scaling = function mountScaling(root, core, options) {
    options = options || {};
    const parts = kit.frame(root, options.number === undefined ? '6.1' : options.number,
      options.title || 'The cost of attention as the context grows', 'Run · Stop');
    const fmt = (v, decimals) => core.format([v], decimals)[0];
    const lengthTexts = core.format(LENGTHS, 0);
    const nText = new Map(LENGTHS.map((n, i) => [n, lengthTexts[i]]));
    const startLength = LENGTHS.includes(Number(options.length)) ? Number(options.length) : DEFAULT_LENGTH;
    const state = { length: startLength, running: false, points: [], status: 'idle' };

    // ---- controls
    const select = el('select', { class: 'ae-scaling-length', data: { control: 'length' } },
      LENGTHS.map((n) => el('option', { value: n, text: nText.get(n) + ' tokens' })));
    select.value = String(state.length);
    const runButton = el('button', { type: 'button', class: 'ae-button ae-scaling-run', data: { control: 'run' } }, 'Run');
    const progress = el('progress', { class: 'ae-scaling-progress', max: 1, value: 0, aria: { label: 'Progress of the run' } });
    const status = el('p', { class: 'ae-scaling-status', role: 'status' });
    const controls = el('div', { class: 'ae-controls ae-scaling-controls' },
      el('label', { class: 'ae-scaling-label' }, 'Run up to', select), runButton,
      el('div', { class: 'ae-scaling-progress-wrap' }, progress, status));

    // ---- legend and the two plots
    const legend = el('ul', { class: 'ae-scaling-legend', aria: { label: 'Series' } },
      KERNELS.map((k) => el('li', { data: { series: k.id } },
        svg('svg', { viewBox: '-6 -6 12 12', class: 'ae-scaling-key', 'aria-hidden': 'true' }, marker(k, 0, 0)),
        k.name)),
      el('li', { class: 'ae-scaling-ref-key' },
        svg('svg', { viewBox: '0 -6 24 12', class: 'ae-scaling-key ae-scaling-key-wide', 'aria-hidden': 'true' },
          svg('line', { x1: 0, y1: 0, x2: 24, y2: 0, class: 'ae-scaling-ref' })),
        'n² reference (slope 2)'));
    const timePlot = plotPanel('time', 'Time per run');
    const bytePlot = plotPanel('bytes', 'Memory its buffers need');
    const plots = el('div', { class: 'ae-scaling-plots' }, timePlot.node, bytePlot.node);

    // ---- thumbnails: each variant's weights at n = 32
    const thumbs = el('div', { class: 'ae-scaling-thumbs' });

    // ---- the measured points as a table (the plots' text alternative)
    const tableBody = el('tbody');
    const table = el('table', { class: 'ae-scaling-table' },
      el('caption', { text: 'Measured time per run and memory, by context length' }),
      el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'n' }),
        KERNELS.map((k) => el('th', { scope: 'col', text: k.short })),
        el('th', { scope: 'col', text: 'WASM heap' }))),
      tableBody);
    const tableBox = el('details', { class: 'ae-scaling-details' },
      el('summary', { text: 'The measurements as a table' }), el('div', { class: 'ae-scaling-table-wrap' }, table));

    const explain = el('div', { class: 'ae-scaling-explain' },
      el('p', null, 'On log-log axes a cost that grows like n', el('sup', { text: 'k' }),
        ' is a straight line of slope k. Full attention scores every pair of tokens, so doubling the context ' +
        'doubles the rows and doubles each row: four times the time and, because it keeps the whole n × n ' +
        'matrix, four times the memory. Its points climb with slope 2, parallel to the dashed line.'),
      el('p', null, 'The sliding window lets each token see only the 256 before it, and linear attention ' +
        'folds every key and value into one 64 × 64 summary. Past a few hundred tokens each extra token ' +
        'costs the same fixed amount, so both climb with slope 1: doubling the context doubles the cost. ' +
        'At the smallest sizes the cost of just calling the code dominates, and the lines start flat.'),
      el('p', { class: 'ae-scaling-fine' }, 'Times are measured in your browser as you watch (fastest of a ' +
        'few repeats), so they vary by machine and by run. Memory counts the buffers each variant needs: ' +
        'Q, K, V and the output, plus the n × n weights for full attention. Full attention stops at 4,096 ' +
        'tokens, where its matrix already takes 64 MB.'));

    parts.body.append(controls, legend, plots, thumbs, explain, tableBox);

    // ------------------------------------------------------------------------------------
    // Drawing

    function marker(kernel, x, y, attrs) {
      const a = Object.assign({ class: 'ae-scaling-mark ae-scaling-' + kernel.id }, attrs || {});
      if (kernel.shape === 'circle') return svg('circle', Object.assign({ cx: x, cy: y, r: 4 }, a));
      if (kernel.shape === 'square') return svg('rect', Object.assign({ x: x - 3.6, y: y - 3.6, width: 7.2, height: 7.2 }, a));
      return svg('path', Object.assign({ d: `M${x} ${y - 4.8}L${x + 4.6} ${y + 3.4}L${x - 4.6} ${y + 3.4}Z` }, a));
    }

    // One plot: an SVG whose size is fixed in viewBox units and scales with the page.
    function plotPanel(kind, title) {
      const node = el('figure', { class: 'ae-scaling-plot ae-scaling-' + kind });
      const heading = el('figcaption', { class: 'ae-scaling-plot-title', text: title });
      const canvas = svg('svg', { viewBox: '0 0 360 250', class: 'ae-scaling-svg', role: 'img' });
      node.append(heading, canvas);
      return { node, canvas, kind };
    }

    const W = 360, H = 250, M = { left: 50, right: 58, top: 12, bottom: 38 };
    const PW = W - M.left - M.right, PH = H - M.top - M.bottom;

    // The decade ticks spanning values (at least `minDecades` of them).
    function decadeRange(ticks, values, minDecades) {
      const lo = Math.min(...values), hi = Math.max(...values);
      let a = 0, b = ticks.length - 1;
      while (a < ticks.length - 1 && ticks[a + 1][0] <= lo) a++;
      while (b > 0 && ticks[b - 1][0] >= hi) b--;
      while (b - a < minDecades) { if (b < ticks.length - 1) b++; else if (a > 0) a--; else break; }
      return ticks.slice(a, b + 1);
    }

    function drawPlot(panel, field, ticks, maxN) {
      const points = state.points.filter((p) => p.n <= maxN);
      const xs = LENGTHS.filter((n) => n <= Math.max(maxN, LENGTHS[1]));   // an axis needs two ends
      const values = points.map((p) => p[field]);
      // the n² line through full attention's largest point
      const fullPts = points.filter((p) => p.kernel === 'full');
      const anchor = fullPts.length ? fullPts[fullPts.length - 1] : null;
      const refNs = anchor ? xs : [];
      const refValues = refNs.map((n) => anchor[field] * (n / anchor.n) * (n / anchor.n));
      const yTicks = decadeRange(ticks, values.length ? values : [ticks[3][0]], 3);
      const lo = yTicks[0][0], hi = yTicks[yTicks.length - 1][0];
      const xPos = core.logPositions(xs, xs[0], xs[xs.length - 1]);
      const xAt = new Map(xs.map((n, i) => [n, M.left + xPos[i] * PW]));
      const yPos = values.length ? core.logPositions(values, lo, hi) : [];
      const yOf = (f) => M.top + (1 - f) * PH;
      const tickPos = core.logPositions(yTicks.map((t) => t[0]), lo, hi);

      const grid = svg('g', { class: 'ae-scaling-grid', 'aria-hidden': 'true' });
      yTicks.forEach((t, i) => {
        const y = yOf(tickPos[i]);
        grid.append(svg('line', { x1: M.left, x2: M.left + PW, y1: y, y2: y }),
          svg('text', { x: M.left - 6, y: y + 3.5, class: 'ae-scaling-ytick', text: t[1] }));
      });
      const every = xs.length > 7 ? 2 : 1;   // label every other length when they crowd
      xs.forEach((n, i) => {
        const x = xAt.get(n);
        grid.append(svg('line', { x1: x, x2: x, y1: M.top, y2: M.top + PH, class: 'ae-scaling-vgrid' }));
        if ((xs.length - 1 - i) % every === 0) {
          grid.append(svg('text', { x, y: M.top + PH + 14, class: 'ae-scaling-xtick', text: nText.get(n) }));
        }
      });
      grid.append(svg('text', { x: M.left + PW / 2, y: H - 4, class: 'ae-scaling-axis', text: 'context length n (tokens)' }));

      const layer = svg('g', { class: 'ae-scaling-series' });
      // the reference line, clipped to the plot
      if (refValues.length > 1) {
        const keep = refValues.map((v, i) => [refNs[i], v]).filter(([, v]) => v >= lo * 0.999 && v <= hi * 1.001);
        if (keep.length > 1) {
          const pos = core.logPositions(keep.map((k) => k[1]), lo, hi);
          layer.append(svg('polyline', { class: 'ae-scaling-ref', 'aria-hidden': 'true',
            points: keep.map(([n], i) => `${xAt.get(n)},${yOf(pos[i])}`).join(' ') }));
        }
      }
      const labels = [];
      KERNELS.forEach((k) => {
        const idx = points.map((p, i) => (p.kernel === k.id ? i : -1)).filter((i) => i >= 0);
        if (!idx.length) return;
        const coords = idx.map((i) => [xAt.get(points[i].n), yOf(yPos[i])]);
        layer.append(svg('polyline', { class: 'ae-scaling-line ae-scaling-' + k.id, 'aria-hidden': 'true',
          points: coords.map((c) => c.join(',')).join(' ') }));
        idx.forEach((i, j) => {
          const p = points[i];
          const mark = marker(k, coords[j][0], coords[j][1], {
            data: { kernel: k.id, n: String(p.n), ms: p.msText, bytes: String(p.bytes) } });
          mark.append(svg('title', { text: `${k.name}, n = ${nText.get(p.n)}: ${p.msLabel}, ${p.bytesLabel}` }));
          layer.append(mark);
        });
        const last = coords[coords.length - 1];
        labels.push({ kernel: k, x: last[0] + 8, y: last[1] });
      });
      // direct labels at each series' end, pushed apart so they never overlap
      labels.sort((a, b) => a.y - b.y);
      for (let i = 1; i < labels.length; i++) {
        if (labels[i].y - labels[i - 1].y < 12) labels[i].y = labels[i - 1].y + 12;
      }
      labels.forEach((l) => layer.append(svg('text', { x: l.x, y: l.y + 3.5,
        class: 'ae-scaling-direct ae-scaling-' + l.kernel.id, 'aria-hidden': 'true', text: l.kernel.label })));

      const frameBox = svg('rect', { x: M.left, y: M.top, width: PW, height: PH, class: 'ae-scaling-box', 'aria-hidden': 'true' });
      panel.canvas.replaceChildren(grid, frameBox, layer);
      panel.canvas.setAttribute('aria-label', (field === 'ms' ? 'Time per run' : 'Memory') +
        ' against context length on log-log axes; the table below lists every point.');
    }

    function bytesLabel(bytes) {
      return bytes < 1e6 ? fmt(bytes / 1e3, 1) + ' kB' : fmt(bytes / 1e6, 1) + ' MB';
    }
    function msLabel(ms) {
      const decimals = ms < 0.1 ? 4 : ms < 1 ? 3 : ms < 10 ? 2 : ms < 100 ? 1 : 0;
      return fmt(ms, decimals) + ' ms';
    }

    function drawTable(maxN) {
      const rows = LENGTHS.filter((n) => n <= maxN).map((n) => {
        const at = state.points.filter((p) => p.n === n);
        if (!at.length) return null;
        return el('tr', { data: { n: String(n) } }, el('th', { scope: 'row', text: nText.get(n) }),
          KERNELS.map((k) => {
            const p = at.find((q) => q.kernel === k.id);
            if (p) return el('td', null, p.msLabel, el('br'), el('span', { class: 'ae-scaling-muted', text: p.bytesLabel }));
            const skipped = k.id === 'full' && n > fullLimit;
            return el('td', { class: 'ae-scaling-muted', text: skipped ? 'not run: n × n too big' : '…' });
          }),
          el('td', { class: 'ae-scaling-muted', text: at[at.length - 1].heapLabel }));
      });
      tableBody.replaceChildren(...rows.filter(Boolean));
    }

    let plottedMax = state.length;
    function drawAll() {
      drawPlot(timePlot, 'ms', MS_TICKS, plottedMax);
      drawPlot(bytePlot, 'bytes', BYTE_TICKS, plottedMax);
      drawTable(plottedMax);
    }

    // Each variant's weights at n = 32 (random Q, K, V as in the runs).
    function drawThumbs() {
      const n = THUMB_N, d = D;
      const rows = (flat) => Array.from({ length: n }, (_, i) => flat.subarray(i * d, (i + 1) * d));
      const q = rows(core.fillRandom(n * d, SEED)), k = rows(core.fillRandom(n * d, SEED + 1));
      const v = rows(core.fillRandom(n * d, SEED + 2));
      const sets = [
        { id: 'full', title: 'Full', text: 'every token with every token: n\u00a0×\u00a0n',
          weights: core.head(q, k, v).weights },
        { id: 'window', title: 'Sliding window', text: `each token and the ${THUMB_WINDOW - 1} before it (w\u00a0=\u00a0${THUMB_WINDOW} here)`,
          weights: core.head(q, k, v, { mask: 'window', window: THUMB_WINDOW }).weights },
        { id: 'linear', title: 'Linear', text: 'every pair, nearly evenly; only implied, never stored',
          weights: core.linear(q, k, v).weights },
      ];
      thumbs.replaceChildren(...sets.map((s) => {
        const grid = el('div', { class: 'ae-scaling-thumb-grid', role: 'img', data: { series: s.id },
          aria: { label: `${s.title} attention weights for ${n} random tokens: ${s.text}.` } });
        s.weights.forEach((row, i) => {
          const texts = core.format(row, 3);
          row.forEach((w, j) => {
            const cell = el('span', { class: 'ae-heat', data: { row: i, col: j, weight: texts[j] } });
            // shade only: an even share (1/n) sits mid-ramp, twice that or more at full strength
            cell.style.setProperty('--w', String(Math.min(1, w * n / 2)));
            grid.append(cell);
          });
        });
        return el('figure', { class: 'ae-scaling-thumb' }, grid,
          el('figcaption', null, el('strong', { class: 'ae-scaling-' + s.id, text: s.title }), s.text));
      }));
      thumbs.prepend(el('p', { class: 'ae-scaling-thumbs-title' }, `Who looks at whom, at n = ${nText.get(n)} `,
        el('span', { class: 'ae-scaling-muted', text: `(the middle colour is an even share, 1/${nText.get(n)})` })));
    }

    // ------------------------------------------------------------------------------------
    // Measuring

    const schedule = scheduler();
    let runId = 0;

    // Times one variant at length n and returns milliseconds per run. The first run goes in
    // blocks of rows (yielding after each) and warms up. A fast kernel is then timed in tight
    // batches of whole runs (the timer is too coarse for one short call); a slow one in more
    // block-by-block runs. The fastest batch counts: other work on the machine only adds time.
    function* timeKernel(kernel, n, plan) {
      const opts = kernel === 'window' ? { window: WINDOW } : {};
      const chunked = kernel !== 'linear';   // attn_linear has no row range: one call per run
      let rows = Math.max(1, Math.min(n, Math.floor(32768 / n)));
      function* blockRun() {
        let spent = 0;
        for (let r = 0; r < n;) {
          const end = chunked ? Math.min(n, r + rows) : n;
          const t0 = performance.now();
          core.runPrepared(kernel, r, end, opts);
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
      let best = yield* blockRun();
      if (best < CHUNK_MS) {
        best = Infinity;   // one short call is below the timer's resolution: time batches instead
        for (let batch = 0; batch < plan.batches; batch++) {
          let reps = 0;
          const t0 = performance.now();
          let span = 0;
          while (reps < MAX_REPS && span < plan.batchMs) {
            core.runPrepared(kernel, 0, n, opts);
            reps++;
            span = performance.now() - t0;
          }
          best = Math.min(best, span / reps);
          yield 1;
        }
      } else if (best < plan.slowMs) {
        for (let batch = 1; batch < plan.batches; batch++) best = Math.min(best, yield* blockRun());
      }
      return Math.max(best, 1e-4);   // never 0: a log axis has no place for it
    }

    let fullLimit = core.fullMaxN;   // lower when the browser refuses full's memory

    function* measureAll(maxN, timing) {
      const plan = [];
      LENGTHS.filter((n) => n <= maxN).forEach((n) => KERNELS.forEach((k) => {
        if (k.id !== 'full' || n <= core.fullMaxN) plan.push({ n, kernel: k });
      }));
      let preparedN = 0;
      fullLimit = core.fullMaxN;
      for (let i = 0; i < plan.length; i++) {
        const { n, kernel } = plan[i];
        if (kernel.id === 'full' && n > fullLimit) continue;
        if (preparedN !== n) { core.prepareRandom(n, D, SEED); preparedN = n; yield { i, of: plan.length, n, kernel, f: 0 }; }
        const timer = timeKernel(kernel.id, n, timing);
        let step;
        try {
          step = timer.next();
          while (!step.done) {
            yield { i, of: plan.length, n, kernel, f: step.value };
            step = timer.next();
          }
        } catch (err) {
          // a browser that will not lend the n x n matrix's memory: skip full, keep going
          if (kernel.id !== 'full' || !err || err.code !== AE.CODES.OVERFLOW) throw err;
          fullLimit = Math.min(fullLimit, n - 1);
          parts.note.set(`Full attention at n = ${nText.get(n)} needs more memory than this browser ` +
            'allows, so it stops there; the other two carry on.');
          continue;
        }
        addPoint(kernel.id, n, step.value);
      }
      return state.points.length;
    }

    function addPoint(kernel, n, ms) {
      const bytes = core.kernelBytes(kernel, n, D);
      state.points.push({ kernel, n, ms, bytes, msText: fmt(ms, 4), msLabel: msLabel(ms),
        bytesLabel: bytesLabel(bytes), heapLabel: bytesLabel(core.heapBytes()) });
      drawAll();
    }

    function setStatus(kind, text) {
      state.status = kind;
      root.dataset.run = kind;
      status.textContent = text;
      runButton.textContent = kind === 'running' ? 'Stop' : 'Run';
      runButton.setAttribute('aria-label', kind === 'running' ? 'Stop the run' : 'Run the measurements');
    }

    // quick: the first run on load, fewer repeats so the plots fill within a second
    function start(maxN, quick) {
      const id = ++runId;
      const started = performance.now();
      state.running = true;
      state.points = [];
      plottedMax = maxN;
      parts.note.set('');
      progress.value = 0;
      drawAll();
      setStatus('running', 'Starting…');
      const work = measureAll(maxN, quick ? QUICK : CAREFUL);
      let last = null;
      const tick = () => {
        if (id !== runId) return;   // stopped, or a newer run took over
        const until = performance.now() + TICK_MS;
        try {
          while (performance.now() < until) {
            const step = work.next();
            if (step.done) {
              state.running = false;
              progress.value = 1;
              const secs = fmt((performance.now() - started) / 1000, 1);
              setStatus('done', `Done: ${fmt(step.value, 0)} measurements up to n = ${nText.get(maxN)} in ${secs} s.`);
              parts.live.say(`Measurements done up to ${nText.get(maxN)} tokens.`);
              return;
            }
            last = step.value;
          }
        } catch (err) {
          state.running = false;
          runId++;
          setStatus('error', 'The run stopped on an error.');
          parts.note.set(kit.friendly(err), true);
          return;
        }
        progress.value = (last.i + last.f) / last.of;
        status.textContent = `Measuring ${last.kernel.label} attention at n = ${nText.get(last.n)} ` +
          `(${fmt(last.i + 1, 0)} of ${fmt(last.of, 0)})`;
        schedule(tick);
      };
      schedule(tick);
    }

    function stop() {
      if (!state.running) return;
      runId++;
      state.running = false;
      const count = fmt(state.points.length, 0);
      setStatus('stopped', `Stopped: ${count} measurements kept.`);
      parts.live.say('Run stopped.');
    }

    runButton.addEventListener('click', () => (state.running ? stop() : start(state.length)));
    select.addEventListener('change', () => { state.length = Number(select.value); });

    try {
      drawThumbs();
      drawAll();
    } catch (err) {
      parts.note.set(kit.friendly(err), true);
    }
    root.dataset.ready = 'true';
    // a quick first run so the plots are not empty, once the page has drawn (timing page
    // start-up along with the kernels would only add noise)
    if (options.autorun !== false) setTimeout(() => { if (state.status === 'idle') start(state.length, true); }, 150);

    return {
      state,
      // { length } picks the longest context; { run: true } starts, { run: false } stops.
      set(change) {
        if ('length' in change && LENGTHS.includes(Number(change.length))) {
          state.length = Number(change.length);
          select.value = String(state.length);
        }
        if (change.run === true) start(state.length);
        if (change.run === false) stop();
      },
    };
  };
})(window.AttentionExplorer);
