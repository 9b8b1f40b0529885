/* fig-train.js - Figure 2.3: train it yourself. A 2-layer, attention-only transformer learns
   to continue sequences of random letters that repeat; at some step the loss on the repeated
   half falls suddenly (the phase change) while a layer-1 head learns to look at the token after
   the earlier copy of the current token: an induction head. Start, Pause, Reset, a seed, and a
   switch per head to turn it off (several at once: a seed may grow two induction heads that
   share the copying) and watch the repeated half become hard again.

   The C core does all of it (attn-model-bridge.js createTrainingJob: forward, backward and
   AdamW, the split losses, prefix-matching scores, the phase change); this file runs training
   steps in short slices between frames (kit.runInSlices), draws the curves and the heads'
   patterns, and prints numbers as C formats them. Nothing loads until the figure is near the
   screen, and nothing trains until Start. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  // The model and task: AE.INDUCTION_FAST (attn-model-bridge.js), smaller than the reference
  // run of build/attn-train so that one WebAssembly core forms the head in a few seconds.
  const TASK = Object.assign({ task: 'induction' }, AE.INDUCTION_FAST);
  const PHASE_WINDOW = 20;      // steps on each side of the fall (attn_phase_change)
  const PHASE_MIN_DROP = 0.3;   // nats the repeated-half loss must fall between the windows
  const AFTER_PHASE = 150;      // steps trained on after the phase change shows, then stop
  const MAX_STEPS = 2500;       // stop here if no phase change came
  const SLICE_MS = 12;          // training per task; a step takes ~2-6 ms
  const REDRAW_MS = 250;        // curves, measurements and pictures at most this often while training
  const EXAMPLE_SEED = 7;       // the example sequence (attn_induction_batch, batch 1, step 0)
  const MAX_SEED = 999999;
  const EASIER = 0.3;           // nats: the repeated half counts as easier when this far below the first
  const SYMBOLS = '•ABCDEFGHIJKLMNOPQRSTUVWXYZαβγδεζ';   // token id -> letter (0: start)
  const HEAD_COLORS = ['#c2410c', '#2f7d32', '#7c3aed', '#0e7490'];
  const SVG_NS = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
    }
    children.flat().forEach((c) => c && node.append(c));
    return node;
  }

  const seedOf = (v) => {
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 && n <= MAX_SEED ? n : null;
  };

  // options: { seed, number, title }
  AE.figures.train = function mountTrain(root, core, options) {
    options = options || {};
    const state = { seed: seedOf(options.seed) !== null ? seedOf(options.seed) : 1 };
    const parts = kit.frame(root, options.number === undefined ? '2.3' : options.number,
      options.title || 'Train it yourself: an induction head forms', 'Press Start');
    const L = TASK.config.n_layers, H = TASK.config.n_heads, T = TASK.seq;
    const hint = parts.caption.querySelector('.ae-hint');
    const HINTS = { idle: 'Press Start', loading: 'Loading', running: 'Training', paused: 'Paused',
      done: 'Switch heads off', error: 'Stopped' };

    let M = null, job = null, slicer = null, loading = null, destroyed = false;
    let phase = 'idle';          // idle | loading | running | paused | done | error
    let off = [];                // the heads switched off, [{ layer, head }] in layer, head order
    let times = [];              // seconds of training at the end of each step
    let trainedMs = 0, resumedAt = 0, stopAt = MAX_STEPS, found = null, lastDraw = 0, frame = 0;
    let announced = false;

    // ---- controls
    const button = (text, control, click) => kit.el('button', { type: 'button', class: 'ae-button', text,
      data: { control }, on: { click } });
    const startButton = button('▶ Start', 'train', () => start());
    const pauseButton = button('❚❚ Pause', 'pause', () => pause());
    const resetButton = button('↺ Reset', 'reset', () => reset());
    startButton.classList.add('ae-train-start');
    const seedInput = kit.el('input', { class: 'ae-text ae-train-seed', type: 'number', min: '0', max: String(MAX_SEED),
      step: '1', value: String(state.seed), inputmode: 'numeric', data: { control: 'seed' },
      aria: { label: 'Random seed: the same seed gives the same run' },
      on: { change: () => setSeed(seedInput.value) } });
    const clock = kit.el('span', { class: 'ae-train-clock', aria: { hidden: 'true' } });
    const bar = kit.el('div', { class: 'ae-controls ae-train-bar' }, startButton, pauseButton, resetButton,
      kit.el('label', { class: 'ae-train-seed-label' }, 'Seed ', seedInput), clock);

    const status = kit.el('p', { class: 'ae-train-status' });

    // ---- plots: loss (first half, repeated half) and prefix-matching score per head
    const lossPlot = plot('ae-train-loss', 'Loss per token (nats)', [0, 1, 2, 3, 4], 4.5);
    const matchPlot = plot('ae-train-match', 'Prefix-matching score', [0, 0.4, 1], 1);
    const lossKey = kit.el('ul', { class: 'ae-train-key', aria: { label: 'Loss curves' } },
      kit.el('li', null, kit.el('span', { class: 'ae-train-swatch ae-train-sw-first', aria: { hidden: 'true' } }),
        'first half (new letters: only guessing)'),
      kit.el('li', null, kit.el('span', { class: 'ae-train-swatch ae-train-sw-repeat', aria: { hidden: 'true' } }),
        'repeated half (can be copied)'));
    const matchKey = kit.el('p', { class: 'ae-train-plot-note',
      text: 'One line per head, layer 1 in colour; dashed: 0.4. The score is the weight a token puts on the token after the earlier copy of itself.' });

    // ---- the example sequence and the heads
    const strip = kit.el('div', { class: 'ae-train-strip', role: 'img', aria: { label: 'The example sequence' } });
    const headCards = [];
    const grid = kit.el('div', { class: 'ae-train-heads' });
    for (let l = 0; l < L; l++) {
      grid.append(kit.el('p', { class: 'ae-train-layer', text: l === 0 ? 'Layer 0 (sees the tokens)' : 'Layer 1 (sees layer 0’s output too)' }));
      const row = kit.el('div', { class: 'ae-train-row' });
      for (let h = 0; h < H; h++) {
        const canvas = kit.el('canvas', { class: 'ae-train-map', width: String(T), height: String(T), role: 'img',
          aria: { label: `Head L${l} H${h}: its attention on the example, not measured yet` } });
        const score = kit.el('span', { class: 'ae-train-score', text: '–' });
        const toggle = kit.el('button', { type: 'button', class: 'ae-button ae-train-off', text: 'Switch off',
          data: { control: 'ablate', layer: l, head: h }, aria: { pressed: 'false', label: `Switch off head L${l} H${h}` },
          on: { click: () => toggleAblate(l, h) } });
        const card = kit.el('div', { class: 'ae-train-head', data: { layer: l, head: h } },
          kit.el('div', { class: 'ae-train-head-top' },
            kit.el('span', { class: 'ae-train-name' },
              kit.el('span', { class: 'ae-train-dot', style: { '--c': l ? HEAD_COLORS[h] : 'var(--ae-muted)' }, aria: { hidden: 'true' } }),
              `L${l} H${h}`),
            score),
          canvas, toggle);
        headCards.push({ l, h, card, canvas, score, toggle });
        row.append(card);
      }
      grid.append(row);
    }
    const headsNote = kit.el('p', { class: 'ae-train-plot-note',
      text: 'Each square: one head on the example above (rows: the token looking, columns: the tokens it looks at; the stronger the colour, the more weight). ' +
        'A previous-token head draws the line just below the diagonal; an induction head a line further left, one period back, in the repeated half. ' +
        'The number is the head’s prefix-matching score.' });
    const ablateLine = kit.el('p', { class: 'ae-train-ablate', role: 'status' });

    parts.body.append(bar, status,
      kit.el('div', { class: 'ae-train-plots' },
        kit.el('div', { class: 'ae-train-plot' }, lossPlot.node, lossKey),
        kit.el('div', { class: 'ae-train-plot' }, matchPlot.node, matchKey)),
      kit.el('p', { class: 'ae-train-layer', text: 'The example sequence (a start mark, then letters that repeat)' }),
      strip, grid, headsNote, ablateLine);

    // ---- a plot: steps across, values up; lines are polylines in viewBox units
    function plot(cls, title, ticks, top) {
      const W = 360, Hh = 200, m = { l: 34, r: 10, t: 22, b: 30 };
      const node = svg('svg', { class: 'ae-train-svg ' + cls, viewBox: `0 0 ${W} ${Hh}`, role: 'img', 'aria-label': title });
      const frameG = svg('g', { class: 'ae-train-grid' });
      const lines = svg('g', { class: 'ae-train-lines' });
      const marks = svg('g', { class: 'ae-train-marks' });
      node.append(svg('text', { x: m.l, y: 13, class: 'ae-train-svg-title', text: title }), frameG, lines, marks);
      const pw = W - m.l - m.r, ph = Hh - m.t - m.b;
      const y = (v) => m.t + (1 - Math.min(Math.max(v / top, 0), 1)) * ph;
      let xmax = 0;
      return {
        node, lines, marks, y,
        x: (s) => m.l + (s / xmax) * pw,
        // the axes for steps 0..max (grid labels at round steps)
        axes(max) {
          if (max === xmax) return;
          xmax = max;
          frameG.replaceChildren();
          for (const t of ticks) {
            frameG.append(svg('line', { x1: m.l, x2: m.l + pw, y1: y(t), y2: y(t), class: t === 0.4 ? 'ae-train-threshold' : null }),
              svg('text', { x: m.l - 5, y: y(t) + 3.5, 'text-anchor': 'end', text: String(t) }));
          }
          const every = max <= 400 ? 100 : max <= 1000 ? 200 : 500;
          for (let s = 0; s <= max; s += every) {
            frameG.append(svg('text', { x: m.l + (s / max) * pw, y: Hh - m.b + 14, 'text-anchor': 'middle', text: String(s) }));
          }
          frameG.append(svg('text', { x: m.l + pw, y: Hh - 3, 'text-anchor': 'end', text: 'training step' }));
        },
        bottom: m.t + ph, topY: m.t,
      };
    }

    // a polyline through (steps[i], values[i]), at most ~300 points
    function polyline(p, steps, values, cls, color) {
      const n = steps.length, every = Math.max(1, Math.ceil(n / 300));
      const pts = [];
      for (let i = 0; i < n; i += every) pts.push(p.x(steps[i]).toFixed(1) + ',' + p.y(values[i]).toFixed(1));
      if (n && (n - 1) % every) pts.push(p.x(steps[n - 1]).toFixed(1) + ',' + p.y(values[n - 1]).toFixed(1));
      return svg('polyline', { points: pts.join(' '), class: cls, style: color ? 'stroke:' + color : null, fill: 'none' });
    }

    // ---- the model: loaded when the figure comes near the screen (or on Start)
    function ensureJob() {
      if (job) return Promise.resolve(job);
      if (!loading) {
        phase = phase === 'idle' ? 'loading' : phase;
        loading = AE.loadModelCore().then((module) => {
          if (destroyed) return null;
          M = module;
          newJob();
          if (phase === 'loading') phase = 'idle';
          draw(true);
          return job;
        }, (err) => {
          loading = null;
          fail(err);
          return null;
        });
      }
      return loading;
    }

    function newJob() {
      job = AE.createTrainingJob(M, Object.assign({}, TASK, { seed: state.seed }));
      times = [];
      trainedMs = 0;
      stopAt = MAX_STEPS;
      found = null;
      announced = false;
    }

    function fail(err) {
      stopSlicer();
      phase = 'error';
      parts.note.set('The training core did not start (' + (err && err.message ? err.message : err) + ').', true);
      root.dataset.state = phase;
      kit.rendered(root);
    }

    // ---- training in slices
    function* steps() {
      while (job && job.steps < stopAt) {
        job.step(1, { trace: true });
        times.push((trainedMs + performance.now() - resumedAt) / 1000);
        if (job.steps % 5 === 0 || job.steps >= stopAt) checkPhase();
        yield job.steps;
      }
    }

    function checkPhase() {
      const p = job.phaseChange(PHASE_WINDOW, PHASE_MIN_DROP);
      if (p.step !== null) {
        if (!found) stopAt = Math.min(stopAt, job.steps + AFTER_PHASE);
        found = p;
      }
    }

    function start() {
      if (phase === 'running') return;
      ensureJob().then((j) => {
        if (!j || destroyed || phase === 'running' || phase === 'error') return;
        if (job.steps >= stopAt) stopAt = job.steps + 300;   // Start after the end: train on
        phase = 'running';
        resumedAt = performance.now();
        slicer = kit.runInSlices(steps(), {
          progress: () => schedule(false),
          done: () => { banked(); slicer = null; phase = 'done'; schedule(true); },
          error: (err) => { slicer = null; fail(err); },
        }, SLICE_MS);
        draw(true);
      });
    }

    function banked() {
      if (phase === 'running') trainedMs += performance.now() - resumedAt;
    }

    function stopSlicer() {
      if (slicer) { slicer.cancel(); slicer = null; }
    }

    function pause() {
      if (phase !== 'running') return;
      stopSlicer();
      banked();
      phase = 'paused';
      draw(true);
    }

    function reset() {
      stopSlicer();
      if (phase === 'error') return;
      if (job) { job.destroy(); job = null; }
      phase = 'idle';
      if (M) { newJob(); draw(true); } else draw(true);
    }

    function setSeed(value) {
      const s = seedOf(value);
      if (s === null) {
        seedInput.value = String(state.seed);
        parts.note.set(`The seed must be a whole number from 0 to ${MAX_SEED}.`);
        return;
      }
      parts.note.set('');
      state.seed = s;
      seedInput.value = String(s);
      reset();
    }

    const isOff = (l, h) => off.some((a) => a.layer === l && a.head === h);

    // each head's switch on its own: pressing it switches that head off, or back on
    function toggleAblate(l, h) {
      off = isOff(l, h) ? off.filter((a) => a.layer !== l || a.head !== h)
        : off.concat({ layer: l, head: h }).sort((a, b) => a.layer - b.layer || a.head - b.head);
      ensureJob().then(() => draw(true));
    }

    // While training, one redraw every REDRAW_MS (in a frame) and nothing in between: a frame
    // with no change paints nothing, so the slices keep the main thread (now: at once).
    function schedule(now) {
      if (frame) { if (!now) return; cancelAnimationFrame(frame); }
      if (!now && performance.now() - lastDraw < REDRAW_MS) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        draw(true);
      });
    }

    // ---- drawing
    const fmt = (values, d) => core.format(values, d);
    const seconds = (s) => fmt([s], 1)[0] + ' s';

    function draw(measure) {
      if (destroyed) return;
      const running = phase === 'running';
      startButton.disabled = running || phase === 'loading' || phase === 'error';
      pauseButton.disabled = !running;
      resetButton.disabled = phase === 'error' || (!job && phase !== 'paused');
      startButton.textContent = phase === 'paused' ? '▶ Resume' : phase === 'done' ? '▶ Train on' : '▶ Start';
      root.dataset.state = phase;
      root.dataset.seed = String(state.seed);
      if (hint) hint.textContent = HINTS[phase];
      if (!job) {
        root.dataset.step = '0';
        status.textContent = phase === 'loading' ? 'Loading the training core…'
          : 'A small transformer (2 layers, 4 heads each, attention only) has never seen this task: random letters, ' +
            'then the same letters again. Press Start and watch it learn to copy.';
        clock.textContent = '';
        kit.rendered(root);
        return;
      }
      const step = job.steps, hist = job.history;
      root.dataset.step = String(step);
      const elapsed = (trainedMs + (running ? performance.now() - resumedAt : 0)) / 1000;
      clock.textContent = 'step ' + step + (step ? ' · ' + seconds(elapsed) : '');
      if (!measure) return;   // between full redraws while training: the step and the clock only
      lastDraw = performance.now();
      drawCurves(hist);
      drawMeasure();
      drawStatus(step);
      kit.rendered(root);
    }

    function drawCurves(hist) {
      const n = hist.steps.length, last = n ? hist.steps[n - 1] : 0;
      const max = last <= 400 ? 400 : last <= 1000 ? Math.ceil(last / 200) * 200 : Math.ceil(last / 500) * 500;
      lossPlot.axes(max);
      matchPlot.axes(max);
      lossPlot.lines.replaceChildren(polyline(lossPlot, hist.steps, hist.lossFirst, 'ae-train-first'),
        polyline(lossPlot, hist.steps, hist.lossRepeat, 'ae-train-repeat'));
      const lines = [];
      for (let l = 0; l < L; l++) {
        for (let h = 0; h < H; h++) {
          const values = hist.prefixMatch.map((pm) => pm[l * H + h]);
          lines.push(polyline(matchPlot, hist.steps, values, l ? 'ae-train-head-line' : 'ae-train-head-line ae-train-l0',
            l ? HEAD_COLORS[h] : null));
        }
      }
      matchPlot.lines.replaceChildren(...lines);
      for (const p of [lossPlot, matchPlot]) {
        p.marks.replaceChildren();
        if (!found) continue;
        const x = p.x(found.step).toFixed(1);
        p.marks.append(svg('line', { x1: x, x2: x, y1: p.topY, y2: p.bottom, class: 'ae-train-phase' }));
      }
      if (found) {
        lossPlot.marks.append(svg('text', { x: lossPlot.x(found.step) + 4, y: lossPlot.topY + 11, class: 'ae-train-phase-label',
          'text-anchor': found.step > max * 0.6 ? 'end' : 'start', dx: found.step > max * 0.6 ? -8 : 0,
          text: 'phase change' }));
      }
    }

    // the model now, with the switched-off heads: losses, scores, the example's patterns
    function drawMeasure() {
      const options = off.length ? { ablate: off.map((a) => ({ layer: a.layer, head: a.head, kind: 'zero' })) } : {};
      // while training with every head on, the last traced step (its batch, measured before
      // its update) saves a forward pass; otherwise the model now on the next batch
      const hist = job.history, n = hist.steps.length;
      const m = phase === 'running' && !off.length && n ? { loss: hist.loss[n - 1], lossFirst: hist.lossFirst[n - 1],
        lossRepeat: hist.lossRepeat[n - 1], prefixMatch: [hist.prefixMatch[n - 1]] } : job.measure(options);
      const [loss, first, repeat] = fmt([m.loss, m.lossFirst, m.lossRepeat], 2);
      root.dataset.loss = loss;
      root.dataset.lossFirst = first;
      root.dataset.lossRepeat = repeat;
      const scores = fmt(m.prefixMatch.flatMap((row) => Array.from(row)), 2);
      const ex = job.example(Object.assign({ seed: EXAMPLE_SEED }, options));
      const colors = ramp();
      headCards.forEach((c, i) => {
        c.card.dataset.prefixMatch = scores[i];
        c.score.textContent = scores[i];
        const isoff = isOff(c.l, c.h);
        c.card.classList.toggle('ae-train-ablated', isoff);
        c.card.dataset.ablated = String(isoff);
        c.toggle.setAttribute('aria-pressed', String(isoff));
        c.toggle.textContent = isoff ? 'Switched off' : 'Switch off';
        paint(c.canvas, ex.weights[c.l][c.h], colors);
        c.canvas.setAttribute('aria-label', `Head L${c.l} H${c.h} on the example${isoff ? ' (switched off)' : ''}: prefix-matching score ${scores[i]}`);
      });
      drawStrip(ex);
      if (off.length) {
        const names = off.map((a) => `L${a.layer} H${a.head}`);
        const list = names.length === 1 ? names[0] : names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1];
        ablateLine.replaceChildren(kit.el('b', { text: `${list} switched off: ` }),
          `first half ${first}, repeated half ${repeat} nats. ` + whatOffDoes(m, job.measure()));
      } else {
        ablateLine.textContent = job.steps ? `Now (a fresh batch): first half ${first}, repeated half ${repeat} nats. ` +
          'Switch heads off (one or several) to see what they were doing.' : '';
      }
      root.dataset.ablate = off.map((a) => `${a.layer}.${a.head}`).join(' ');
    }

    // What switching the heads off did, read from the losses with them off (m) and with every
    // head on (all): the repeated half counts as easier when EASIER nats below the first.
    function whatOffDoes(m, all) {
      const [allFirst, allRepeat] = fmt([all.lossFirst, all.lossRepeat], 2);
      const these = off.length === 1 ? 'this head' : 'these heads', them = off.length === 1 ? 'it' : 'them';
      const before = `With every head on: first half ${allFirst}, repeated half ${allRepeat}. `;
      if (!(all.lossRepeat < all.lossFirst - EASIER)) return before + 'The repeated half is not easier yet even then: there is no copying to take away.';
      if (!(m.lossRepeat < m.lossFirst - EASIER)) {
        return before + `Now the repeated half is no easier than the first: without ${these} the model cannot copy.` +
          (off.every((a) => a.layer === 0) ? ' Layer 1 builds on layer 0: the induction heads need what layer 0 found.' : '');
      }
      if (m.lossRepeat > all.lossRepeat + EASIER) return before + `The repeated half is still easier, but less: ${these} did part of the copying, the heads left on do the rest.`;
      return before + `The repeated half is about as easy as before: the heads left on copy without ${them}.`;
    }

    function drawStatus(step) {
      const hist = job.history, n = hist.steps.length;
      if (found) {
        const at = hist.steps.indexOf(found.step);
        const t = at >= 0 && times[at] !== undefined ? seconds(times[at]) : '';
        root.dataset.phaseStep = String(found.step);
        const best = core.topK(hist.prefixMatch[n - 1].slice(H), 1)[0];
        status.replaceChildren(kit.el('b', { text: `Phase change at step ${found.step}` }),
          (t ? `, after ${t} of training on this machine` : '') + `: the repeated half’s loss falls fastest here ` +
          `(${fmt([found.drop], 2)[0]} nats from the ${PHASE_WINDOW} steps before to the ${PHASE_WINDOW} after). Head L1 H${best} now looks at the token after the earlier copy of the current one: ` +
          'an induction head.' + (phase === 'done' ? ' Training stopped; try switching heads off.' : ''));
        if (!announced) { announced = true; parts.live.say(status.textContent); }
      } else {
        delete root.dataset.phaseStep;
        status.textContent = step === 0 ? 'Untrained: every head spreads its attention. Press Start.'
          : phase === 'done' ? `No phase change in ${step} steps with seed ${state.seed}. Train on, or try another seed.`
            : `Step ${step}: both halves are still guesswork. The repeated half only gets easier once a head learns to copy.`;
      }
    }

    // the example's tokens as letters; the repeated part marked
    function drawStrip(ex) {
      if (strip.dataset.period === String(ex.period) && strip.childElementCount === T) return;
      strip.dataset.period = String(ex.period);
      strip.replaceChildren(...ex.tokens.map((id, t) => kit.el('span', {
        class: 'ae-train-tok' + (t > ex.period ? ' ae-train-rep' : ''), text: SYMBOLS[id] || '?' })));
      strip.setAttribute('aria-label', 'The example: ' + ex.tokens.map((id) => SYMBOLS[id] || '?').join(' ') +
        `; the letters repeat every ${ex.period}`);
    }

    // the weight ramp of figures.css (--ae-heat-0 -> mid -> 1) as RGB triples
    function ramp() {
      const style = getComputedStyle(root);
      const rgb = (name, fallback) => {
        const v = style.getPropertyValue(name).trim();
        const m = /^#([0-9a-f]{6})$/i.exec(v);
        const hex = m ? m[1] : fallback;
        return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
      };
      return [rgb('--ae-heat-0', 'f3f6f1'), rgb('--ae-heat-mid', '41b6c4'), rgb('--ae-heat-1', '253494')];
    }

    // a head's T x T weights as pixels; above the diagonal (never looked at) in the card colour
    function paint(canvas, rows, colors) {
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const img = ctx.createImageData(T, T), d = img.data;
      for (let i = 0; i < T; i++) {
        for (let j = 0; j < T; j++) {
          const o = (i * T + j) * 4;
          if (j > i) { d[o + 3] = 0; continue; }
          const w = Math.min(Math.max(rows[i][j], 0), 1);
          const [a, b, f] = w < 0.5 ? [colors[0], colors[1], w * 2] : [colors[1], colors[2], w * 2 - 1];
          for (let k = 0; k < 3; k++) d[o + k] = a[k] + (b[k] - a[k]) * f;
          d[o + 3] = 255;
        }
      }
      ctx.putImageData(img, 0, 0);
    }

    // ---- load when near the screen; never train before Start
    let observer = null;
    if (typeof IntersectionObserver === 'function') {
      observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          observer.disconnect();
          observer = null;
          ensureJob();
        }
      }, { rootMargin: '300px' });
      observer.observe(root);
    }
    draw(false);

    return {
      state,
      // { seed } starts afresh with that seed
      set(change) {
        if ('seed' in change && seedOf(change.seed) !== null && seedOf(change.seed) !== state.seed) {
          state.seed = seedOf(change.seed);
          seedInput.value = String(state.seed);
          reset();
        }
      },
      // for tests: the training job (null before it loads)
      get job() { return job; },
      destroy() {
        destroyed = true;
        stopSlicer();
        if (frame) cancelAnimationFrame(frame);
        if (observer) observer.disconnect();
        if (job) { job.destroy(); job = null; }
        parts.destroy();
      },
    };
  };
})(window.AttentionExplorer);
