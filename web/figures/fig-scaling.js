/* fig-scaling.js - Figure 6.1, the quadratic-cost lab: run full, sliding-window and linear
   attention in C on seeded random Q, K, V (d = 64) at every length from 16 up to the one
   chosen, time each run, and plot time and memory against n on log-log axes next to an n²
   line. The measuring (fig-scaling-timing.js) runs in slices between frames (kit.runInSlices),
   so the page keeps answering; Stop cancels, destroy() cancels and frees every job. The
   attention, the memory each kernel needs, the n² line, the log-axis positions and every
   printed number come from C. */
(function (AE) {
  'use strict';
  const kit = AE.kit;
  const el = kit.el, svg = kit.svg;

  const D = 64, SEED = 2017, WINDOW = 256;
  const LENGTHS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];
  const DEFAULT_LENGTH = 1024;
  const KERNELS = [
    { id: 'full', name: 'Full', short: 'Full', label: 'full', shape: 'circle' },
    { id: 'window', name: 'Sliding window (w = 256)', short: 'Window', label: 'window', shape: 'square' },
    { id: 'linear', name: 'Linear', short: 'Linear', label: 'linear', shape: 'triangle' },
  ];
  const TICK_MS = 10;   // each task measures for about this long, then the page gets a turn
  // Fixed decade ticks (labels are names for powers of ten, not results).
  const MS_TICKS = [[0.0001, '100 ns'], [0.001, '1 µs'], [0.01, '10 µs'], [0.1, '100 µs'], [1, '1 ms'], [10, '10 ms'],
    [100, '100 ms'], [1000, '1 s'], [10000, '10 s'], [100000, '100 s']];
  const BYTE_TICKS = [[1e3, '1 kB'], [1e4, '10 kB'], [1e5, '100 kB'], [1e6, '1 MB'], [1e7, '10 MB'],
    [1e8, '100 MB'], [1e9, '1 GB']];
  const THUMB_N = 32, THUMB_WINDOW = 8;

  // options: { number, title, length, autorun (default true: a quick first run when the lab
  // first scrolls into view) }
  AE.figures.scaling = function mountScaling(root, core, options) {
    options = options || {};
    const parts = kit.frame(root, options.number === undefined ? '6.1' : options.number,
      options.title || 'The cost of attention as the context grows', 'Run · Stop');
    const fmt = (v, decimals) => core.format([v], decimals)[0];
    const lengthTexts = core.format(LENGTHS, 0);
    const nText = new Map(LENGTHS.map((n, i) => [n, lengthTexts[i]]));
    const startLength = LENGTHS.includes(Number(options.length)) ? Number(options.length) : DEFAULT_LENGTH;
    const state = { length: startLength, running: false, points: [], status: 'idle' };
    const markerOf = (k, x, y) => kit.marker(k.shape, x, y, { class: 'ae-scaling-mark ae-scaling-' + k.id });

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
        svg('svg', { viewBox: '-6 -6 12 12', class: 'ae-scaling-key', 'aria-hidden': 'true' }, markerOf(k, 0, 0)),
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
      el('summary', { text: 'The measurements as a table' }), kit.scrollRegion(el('div', { class: 'ae-scaling-table-wrap' }, table), 'The measurements'));

    // What theory expects; the sentence after it (`measured`) says what this run found, from
    // slopes C fits to the points on the plot, so the page never claims a slope it did not see.
    const measured = el('p', { class: 'ae-scaling-measured', data: { slopes: 'none' } });
    const explain = el('div', { class: 'ae-scaling-explain' },
      el('p', null, 'On log-log axes a cost that grows like n', el('sup', { text: 'k' }),
        ' is a straight line of slope k. Full attention scores every pair of tokens, so doubling the context ' +
        'doubles the rows and doubles each row: four times the work and, because it keeps the whole n × n ' +
        'matrix, four times the memory. In theory its points climb with slope 2, parallel to the dashed line.'),
      el('p', null, 'The sliding window lets each token see only the 256 before it, and linear attention ' +
        'folds every key and value into one 64 × 64 summary. Well past the window, each extra token should ' +
        'cost a fixed amount: slope 1, doubling the context doubles the cost. At the smallest sizes the fixed ' +
        'cost of calling the code can outweigh the work itself, which would make the lines start flatter.'),
      measured,
      el('p', { class: 'ae-scaling-fine' }, 'Times are measured in your browser as you watch (fastest of a ' +
        'few repeats), so they vary by machine and by run. Memory counts what each variant needs, as the C ' +
        'core reckons it: Q, K, V and the output, plus its working memory: the n × n weights for full ' +
        'attention, a small tile of scores for the window, the 64 × 64 summary for linear. Full attention ' +
        'stops at 4,096 tokens, where its matrix already takes 64 MB.'));

    parts.body.append(controls, legend, plots, thumbs, explain, tableBox);

    // ------------------------------------------------------------------------------------
    // Drawing

    // One plot: an SVG whose size is fixed in viewBox units and scales with the page.
    function plotPanel(kind, title) {
      const node = el('figure', { class: 'ae-scaling-plot ae-scaling-' + kind });
      const heading = el('figcaption', { class: 'ae-scaling-plot-title', text: title });
      const canvas = svg('svg', { viewBox: kit.plotViewBox, class: 'ae-scaling-svg', role: 'img' });
      node.append(heading, canvas);
      return { node, canvas, kind };
    }

    function drawPlot(panel, field, ticks, maxN, emptyAt) {
      const points = state.points.filter((p) => p.n <= maxN);
      const xs = LENGTHS.filter((n) => n <= Math.max(maxN, LENGTHS[1]));   // an axis needs two ends
      const values = points.map((p) => p[field]);
      // the n² line through full attention's largest point, computed by C
      const fullPts = points.filter((p) => p.kernel === 'full');
      const anchor = fullPts.length ? fullPts[fullPts.length - 1] : null;
      const reference = anchor ? { xs, ys: core.powerLine(xs, anchor.n, anchor[field], 2) } : null;
      kit.logLogPlot(core, panel.canvas, {
        classPrefix: 'ae-scaling', xs, xText: (n) => nText.get(n), xTitle: 'context length n (tokens)',
        yTicks: kit.decadeRange(ticks, values.length ? values : [emptyAt], 3),   // empty: three decades from emptyAt
        reference,
        series: KERNELS.map((k) => ({ id: k.id, label: k.label, shape: k.shape,
          points: points.filter((p) => p.kernel === k.id).map((p) => ({ x: p.n, y: p[field],
            data: { kernel: k.id, n: String(p.n), ms: p.msText, bytes: String(p.bytes) },
            title: `${k.name}, n = ${nText.get(p.n)}: ${p.msLabel}, ${p.bytesLabel}` })) })),
        ariaLabel: (field === 'ms' ? 'Time per run' : 'Memory') +
          ' against context length on log-log axes; the table below lists every point.',
      });
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
      drawPlot(timePlot, 'ms', MS_TICKS, plottedMax, 1);
      drawPlot(bytePlot, 'bytes', BYTE_TICKS, plottedMax, 1e6);
      drawTable(plottedMax);
      describeSlopes();
    }

    // The measured slopes of time against n, fitted by C (least squares on log-log) over each
    // variant's last three lengths and, when there are six or more, its first three.
    const SLOPE_POINTS = 3;
    function describeSlopes() {
      const fits = KERNELS.map((k) => {
        const pts = state.points.filter((p) => p.kernel === k.id);
        const fit = (some) => (some.length >= 2 ? core.logSlope(some.map((p) => p.n), some.map((p) => p.ms)) : null);
        const end = pts.slice(-SLOPE_POINTS), start = pts.length >= 2 * SLOPE_POINTS ? pts.slice(0, SLOPE_POINTS) : [];
        return { k, end, start, endSlope: fit(end), startSlope: fit(start) };
      }).filter((f) => f.endSlope !== null);
      if (!fits.length) {
        measured.dataset.slopes = 'none';
        measured.textContent = state.running ? '' : 'Run the lab to see the slopes your browser measures.';
        return;
      }
      const texts = core.format(fits.flatMap((f) => [f.endSlope, f.startSlope === null ? 0 : f.startSlope]), 1);
      const range = (pts) => `n = ${nText.get(pts[0].n)} to ${nText.get(pts[pts.length - 1].n)}`;
      const slope = (f, which, text) => el('strong', { class: 'ae-scaling-' + f.k.id, text,
        data: { series: f.k.id, fit: which, slope: text } });
      const list = (which, at) => fits.filter((f) => which === 'end' || f.startSlope !== null).flatMap((f, i, all) =>
        [i ? (i === all.length - 1 ? ' and ' : ', ') : '', f.k.label + ' ', slope(f, which, texts[2 * fits.indexOf(f) + at]),
          which === 'end' ? ` (${range(f.end)})` : '']);
      const parts = [state.running ? 'Measured so far' : 'Measured in this run',
        ', the slope of time against n over each line\'s last three lengths: '];
      parts.push(...list('end', 0), '.');
      const starts = fits.filter((f) => f.startSlope !== null);
      if (starts.length) {
        parts.push(' Over the first three lengths (', range(starts[0].start), '): ', ...list('start', 1), '.');
        // words chosen by comparing the slopes C fitted, not by assuming the theory
        const notFlatter = starts.filter((f) => !(f.startSlope < f.endSlope)).map((f) => f.k.label);
        parts.push(notFlatter.length ? ` Here ${notFlatter.join(' and ')} did not start flatter than it ended.`
          : ' So the lines did start flatter than they end.');
      }
      measured.dataset.slopes = state.running ? 'partial' : 'final';
      measured.replaceChildren(...parts);
    }

    // Each variant's weights at n = 32 (random Q, K, V as in the runs).
    function drawThumbs() {
      const n = THUMB_N, d = D;
      const rows = (flat) => Array.from({ length: n }, (_, i) => flat.subarray(i * d, (i + 1) * d));
      const job = core.longJob({ n, d, seed: SEED });   // the same seeded inputs as a run
      let inputs;
      try {
        inputs = job.inputs();
      } finally {
        job.destroy();
      }
      const q = rows(inputs.q), k = rows(inputs.k), v = rows(inputs.v);
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

    let run = null;                  // the run in progress (kit.runInSlices), or null
    let autorunTimer = 0;
    let fullLimit = core.fullMaxN;   // lower when the browser refuses full's memory

    function addPoint(kernel, n, ms) {
      const bytes = core.kernelBytes(kernel, n, D, WINDOW);
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
      showThumbs();
      cancelRun();
      const started = performance.now();
      state.running = true;
      state.points = [];
      plottedMax = maxN;
      fullLimit = core.fullMaxN;
      parts.note.set('');
      progress.value = 0;
      drawAll();
      setStatus('running', 'Starting…');
      const work = AE.scalingTiming.measure({ core, lengths: LENGTHS, kernels: KERNELS, d: D, seed: SEED,
        window: WINDOW, maxN, quick, fullMaxN: core.fullMaxN,
        onPoint: addPoint,
        onFullRefused(n) {
          fullLimit = Math.min(fullLimit, n - 1);
          parts.note.set(`Full attention at n = ${nText.get(n)} needs more memory than this browser ` +
            'allows, so it stops there; the other two carry on.');
        } });
      run = kit.runInSlices(work, {
        progress(last) {
          if (!last) return;
          progress.value = (last.i + last.f) / last.of;
          status.textContent = `Measuring ${last.kernel.label} attention at n = ${nText.get(last.n)} ` +
            `(${fmt(last.i + 1, 0)} of ${fmt(last.of, 0)})`;
        },
        done(count) {
          run = null;
          state.running = false;
          progress.value = 1;
          const secs = fmt((performance.now() - started) / 1000, 1);
          setStatus('done', `Done: ${fmt(count, 0)} measurements up to n = ${nText.get(maxN)} in ${secs} s.`);
          describeSlopes();
          parts.live.say(`Measurements done up to ${nText.get(maxN)} tokens.`);
        },
        error(err) {
          run = null;
          state.running = false;
          setStatus('error', 'The run stopped on an error.');
          parts.note.set(kit.friendly(err), true);
        },
      }, TICK_MS);
    }

    // Ends the run in progress, if any: its generator closes and frees its job.
    function cancelRun() {
      if (run) run.cancel();
      run = null;
    }

    function stop() {
      if (!state.running) return;
      cancelRun();
      state.running = false;
      const count = fmt(state.points.length, 0);
      setStatus('stopped', `Stopped: ${count} measurements kept.`);
      describeSlopes();
      parts.live.say('Run stopped.');
    }

    runButton.addEventListener('click', () => (state.running ? stop() : start(state.length)));
    select.addEventListener('change', () => { state.length = Number(select.value); });

    let thumbsDrawn = false;
    function showThumbs() {
      if (thumbsDrawn) return;
      thumbsDrawn = true;
      try {
        drawThumbs();
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
      }
    }
    try {
      drawAll();
    } catch (err) {
      parts.note.set(kit.friendly(err), true);
    }
    setStatus('idle', 'Pick a length and press Run to measure.');
    kit.rendered(root);
    // a quick first run so the plots are not empty, when the lab first scrolls into view (not
    // on load: the page's first figures come first, and timing page start-up along with the
    // kernels would only add noise); autorun: false leaves it idle until Run
    // The thumbnails (3 x 1,024 cells) are drawn then too, or when a run starts: a page that
    // never shows the lab never builds them.
    let autorunWatch = null;
    const inView = () => {
      showThumbs();
      if (options.autorun === false) return;
      autorunTimer = setTimeout(() => { if (state.status === 'idle') start(state.length, true); }, 150);
    };
    if (typeof IntersectionObserver === 'function') {
      autorunWatch = new IntersectionObserver((entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        autorunWatch.disconnect();
        autorunWatch = null;
        inView();
      });
      autorunWatch.observe(root);
    } else {
      inView();
    }

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
      // Cancels the autorun and the run in progress; every job's WASM buffers are freed.
      destroy() {
        if (autorunWatch) autorunWatch.disconnect();
        autorunWatch = null;
        clearTimeout(autorunTimer);
        cancelRun();
        state.running = false;
        parts.destroy();
      },
    };
  };
})(window.AttentionExplorer);
