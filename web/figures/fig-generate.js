/* fig-generate.js - Figure 4.2: the trained Brown model writes, one word per step. Each step
   shows the model's likeliest next words and the one drawn (seeded, so a link replays the same
   text), adds the new word's attention row to a growing lower-triangular matrix (Figure 4.1's
   mask filling itself in), grows the KV cache's K and V stacks in every layer, and plots the
   work of the step: with the cache one new position, without it every position again. Both
   are real C paths (attn_gpt_kv_append, attn_gpt_next_logits); every number shown, the
   multiply-adds and the sum of the probabilities included, comes from C. The model loads only
   when the figure scrolls into view or the learner presses Step. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  const TICK_MS = 650;        // Play writes one word this often
  const SHOWN = 8;            // candidates listed per step
  // the slider runs from 0 (greedy) to the lesson's largest temperature (core.temperatureRange.max)

  // options: { text, temperature, greedy, seed, cache, layer, head, step, number, title }
  AE.figures.generate = function mountGenerate(root, core, options) {
    options = options || {};
    const el = kit.el;
    const T_MAX = core.temperatureRange.max;
    const int = (v, lo, hi, fallback) => (Number.isInteger(v) && v >= lo && v <= hi ? v : fallback);
    const state = {
      text: options.text !== undefined ? String(options.text) : 'She opened the door and',
      temperature: Math.min(T_MAX, options.temperature !== undefined ? Number(options.temperature) : 0.8),
      greedy: !!options.greedy,
      seed: int(options.seed, 0, 4294967295, 1),
      cache: options.cache !== false,
      layer: int(options.layer, 0, 7, 2),
      head: int(options.head, 0, 7, 3),
      step: int(options.step, 0, 10000, 0),
    };
    const parts = kit.frame(root, options.number === undefined ? '4.2' : options.number,
      options.title || 'The trained model writes, one word at a time', 'Step · Play');

    // ---- controls
    const button = (text, control, click) => el('button', { type: 'button', class: 'ae-button', text, data: { control }, on: { click } });
    const stepButton = button('Step ›', 'step', () => { stop(); stepOnce(); });
    const playButton = button('▶ Play', 'play', () => (playing ? stop() : play()));
    playButton.setAttribute('aria-pressed', 'false');
    const resetButton = button('Reset', 'reset', () => { stop(); state.step = 0; restart(); });
    const cacheButton = button('', 'cache', () => { state.cache = !state.cache; drawCacheButton(); renderCache(); });
    const input = el('input', { class: 'ae-text', type: 'text', value: state.text, spellcheck: 'false', autocomplete: 'off',
      data: { control: 'text' }, aria: { label: 'Prompt for the trained model' },
      on: { input: () => { stop(); state.text = input.value; state.step = 0; restart(); } } });
    const range = el('input', { type: 'range', class: 'ae-gen-range', min: 0, max: T_MAX, step: 0.05,
      data: { control: 'temperature' }, aria: { label: 'Sampling temperature (0 = greedy)' },
      on: { input: () => {
        stop();
        const v = Number(range.value);
        state.greedy = v === 0;
        if (v > 0) state.temperature = v;
        state.step = 0;
        restart();
      } } });
    const tOut = el('output', { class: 'ae-gen-readout', aria: { hidden: 'true' } });
    const seedInput = el('input', { type: 'number', class: 'ae-text ae-gen-seed', min: 0, max: 4294967295, step: 1,
      value: String(state.seed), data: { control: 'seed' }, aria: { label: 'Random seed' },
      on: { change: () => {
        stop();
        const s = Number(seedInput.value);
        state.seed = int(s, 0, 4294967295, state.seed);
        seedInput.value = String(state.seed);
        state.step = 0;
        restart();
      } } });

    // ---- output areas
    const written = el('p', { class: 'ae-gen-text', dir: 'auto', aria: { live: 'off' } });
    const status = el('p', { class: 'ae-summary ae-gen-status' });
    const candBody = el('tbody');
    const candidates = el('table', { class: 'ae-gen-cands' },
      el('caption', { text: 'Likeliest next words' }),
      el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Word' }), el('th', { scope: 'col', text: 'Probability' }))),
      candBody);
    const sumLine = el('p', { class: 'ae-summary ae-gen-sum' });
    const layerPicker = el('div', { class: 'ae-gen-pick', role: 'group', aria: { label: 'Layer' } });
    const headPicker = el('div', { class: 'ae-gen-pick', role: 'group', aria: { label: 'Head' } });
    const grid = el('div', { class: 'ae-gen-matrix', role: 'img' });
    const matrixNote = el('p', { class: 'ae-summary ae-gen-matrix-note' });
    const cacheBox = el('div', { class: 'ae-gen-cache' });
    const cacheLine = el('p', { class: 'ae-summary ae-gen-cache-line' });
    const plotMadds = el('div', { class: 'ae-gen-plot' }), plotTime = el('div', { class: 'ae-gen-plot' });
    const plotNote = el('p', { class: 'ae-summary ae-gen-plot-note' });

    parts.body.append(
      el('div', { class: 'ae-controls' }, el('label', { class: 'ae-text-label' }, 'Prompt', input)),
      el('div', { class: 'ae-controls ae-gen-bar' }, stepButton, playButton, resetButton, cacheButton,
        el('label', { class: 'ae-gen-t' }, el('span', null, 'Temperature ', tOut), range),
        el('label', { class: 'ae-gen-seed-label' }, 'Seed', seedInput)),
      written, status,
      el('div', { class: 'ae-gen-grid' },
        el('section', { class: 'ae-gen-panel', aria: { label: 'Next word' } }, candidates, sumLine),
        el('section', { class: 'ae-gen-panel', aria: { label: 'Attention of each new word' } },
          el('p', { class: 'ae-gen-h', text: 'Attention, one new row per word' }),
          el('div', { class: 'ae-gen-pickers' }, layerPicker, headPicker),
          el('div', { class: 'ae-gen-matrix-wrap', tabindex: '0', aria: { label: 'Attention matrix' } }, grid), matrixNote)),
      el('section', { class: 'ae-gen-panel', aria: { label: 'KV cache' } },
        el('p', { class: 'ae-gen-h', text: 'The KV cache: keys and values kept per layer' }), cacheBox, cacheLine),
      el('section', { class: 'ae-gen-panel', aria: { label: 'Work per step' } },
        el('p', { class: 'ae-gen-h', text: 'Work per step: with and without the cache' }),
        el('div', { class: 'ae-gen-plots' }, plotMadds, plotTime), plotNote));

    // ---- the model, loaded lazily
    let model = null, loading = null, gen = null, playing = false, timer = 0, destroyed = false, observer = null;
    let history = [];            // step results, in order
    let rows = [];               // rows[position] = weights[layer][head] (Float32Array)
    let words = [];              // the sequence's words as the model reads them
    let promptError = null;

    function setModelState(s) { root.dataset.model = s; }
    setModelState('idle');

    function ensureModel() {
      if (model) return Promise.resolve(model);
      if (!loading) {
        setModelState('loading');
        status.textContent = 'Loading the trained model (about 1 MB)…';
        loading = AE.loadModel('brown').then((m) => {
          if (destroyed) { m.destroy(); return null; }
          model = m;
          setModelState('loaded');
          restart();
          return m;
        }, (err) => {
          loading = null;
          setModelState('error');
          status.textContent = '';
          parts.note.set('The trained model did not load: ' + (err && err.message ? err.message : err), true);
          return null;
        });
      }
      return loading;
    }
    if (typeof IntersectionObserver === 'function') {
      observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) { observer.disconnect(); observer = null; ensureModel(); }
      }, { rootMargin: '200px' });
      observer.observe(root);
    }

    const temperature = () => (state.greedy ? 0 : state.temperature);
    const fmt = (values, d) => core.format(values, d);

    // A new generation from the prompt; replays state.step steps (a link's step), with the
    // same seed and temperature, so the same words come back.
    function restart() {
      if (gen) { gen.destroy(); gen = null; }
      history = []; rows = []; words = []; promptError = null;
      parts.note.set('');
      const target = state.step;
      state.step = 0;
      if (model) {
        try {
          gen = model.generator(state.text);
          words = gen.prompt.vocab_words.map((w, i) => (gen.prompt.unknown.includes(i) ? w : gen.prompt.tokens[i]));
        } catch (err) {
          promptError = err;
        }
        for (let i = 0; i < target && gen && gen.canStep; i++) advance();
      } else if (target > 0) {
        state.step = target;   // waits for the model
      }
      render();
    }

    function advance() {
      const r = gen.step({ cache: state.cache, temperature: temperature(), seed: state.seed, top: SHOWN });
      history.push(r);
      r.rows.forEach((row) => { rows[row.position] = row.weights; });
      words.push(r.word);
      state.step += 1;
      return r;
    }

    function stepOnce() {
      if (!model) { ensureModel().then((m) => { if (m && !destroyed) stepOnce(); }); return; }   // loads, then writes
      if (!gen || !gen.canStep) return;
      try {
        const r = advance();
        parts.live.say(`Step ${state.step}: the model drew “${r.word}”, probability ${fmt([r.prob], 3)[0]}.`);
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
      }
      render();
    }

    function play() {
      if (!model) { ensureModel().then((m) => { if (m && !destroyed) play(); }); return; }
      if (!gen || !gen.canStep) return;
      playing = true;
      playButton.setAttribute('aria-pressed', 'true');
      playButton.textContent = '■ Stop';
      tick();
    }
    function tick() {
      if (!playing || !root.isConnected || !gen || !gen.canStep) { stop(); return; }
      stepOnce();
      if (gen && gen.canStep) timer = setTimeout(tick, TICK_MS); else stop();
    }
    function stop() {
      clearTimeout(timer);
      playing = false;
      playButton.setAttribute('aria-pressed', 'false');
      playButton.textContent = '▶ Play';
    }

    function drawCacheButton() {
      cacheButton.textContent = state.cache ? 'KV cache: on' : 'KV cache: off';
      cacheButton.setAttribute('aria-pressed', String(state.cache));
    }

    // ---- drawing

    function renderText() {
      const promptCount = gen ? gen.prompt.tokens.length : 0;
      written.replaceChildren(...words.map((w, i) => el('span', {
        class: i === 0 ? 'ae-gen-w ae-gen-start' : i < promptCount ? 'ae-gen-w' : 'ae-gen-w ae-gen-new',
        text: w, data: { position: i } })));
    }

    function renderCandidates(last) {
      if (!last) {
        candBody.replaceChildren(el('tr', null, el('td', { colspan: '2', class: 'ae-gen-empty', text: 'Press Step: the model ranks all 4,096 words it knows.' })));
        sumLine.textContent = '';
        return;
      }
      const texts = fmt(last.top.map((t) => t.prob), 3);
      const list = last.top.map((t, i) => ({ word: t.word, id: t.id, prob: t.prob, text: texts[i] }));
      if (!list.some((t) => t.id === last.id)) list.push({ word: last.word, id: last.id, prob: last.prob, text: fmt([last.prob], 3)[0], extra: true });
      candBody.replaceChildren(...list.map((t, i) => el('tr', {
        class: t.id === last.id ? 'ae-gen-chosen' : null, data: { candidateIndex: i, prob: t.text, word: t.word } },
      el('th', { scope: 'row', text: (t.extra ? '… ' : '') + t.word + (t.id === last.id ? ' ✓' : '') }),
      el('td', null, el('span', { class: 'ae-gen-pbar', style: { '--p': t.text }, aria: { hidden: 'true' } }),
        el('span', { class: 'ae-gen-p', text: t.text })))));
      const sum = fmt([last.probSum], 4)[0];
      root.dataset.probSum = sum;
      sumLine.replaceChildren(`Drawn: `, el('b', { text: last.word }), ` (p ${fmt([last.prob], 3)[0]}; ` +
        (last.temperature === 0 ? 'greedy: the top word' : `temperature ${fmt([last.temperature], 2)[0]}, seed ${last.seed}`) +
        `). All ${fmt([model.config.vocab], 0)[0]} probabilities add up to ${sum} (summed by C).`);
    }

    function renderPickers() {
      const L = model ? model.config.n_layers : 4, H = model ? model.config.n_heads : 4;
      state.layer = Math.min(state.layer, L - 1);
      state.head = Math.min(state.head, H - 1);
      const pick = (node, count, key, label) => {
        if (node.children.length !== count) {
          node.replaceChildren(...Array.from({ length: count }, (_, i) => el('button', { type: 'button', class: 'ae-button ae-gen-pickb',
            text: label + i, data: { [key]: i }, aria: { label: label + i + (key === 'layer' ? ', layer ' : ', head ') + i },
            on: { click: () => { state[key] = i; renderPickers(); renderMatrix(); } } })));
          kit.rovingKeys(node, '[data-' + key + ']', (i) => { state[key] = i; renderPickers(); renderMatrix(); });
        }
        kit.pressOne(node.children, state[key]);
      };
      pick(layerPicker, L, 'layer', 'L');
      pick(headPicker, H, 'head', 'H');
    }

    function renderMatrix() {
      const n = rows.length;
      grid.style.setProperty('--n', String(Math.max(n, 1)));
      const cells = [];
      for (let i = 0; i < n; i++) {
        const w = rows[i] && rows[i][state.layer][state.head];
        if (!w) continue;
        const texts = fmt(w, 3);
        for (let j = 0; j < n; j++) {
          if (j > i) { cells.push(el('span', { class: 'ae-gen-cell ae-gen-blank', aria: { hidden: 'true' } })); continue; }
          const cell = el('span', { class: 'ae-gen-cell ae-heat' + (i === n - 1 ? ' ae-gen-last' : ''),
            data: { row: i, col: j }, title: `${words[i]} → ${words[j]}: ${texts[j]}` });
          kit.paintWeight(cell, w[j], texts[j]);
          cells.push(cell);
        }
      }
      grid.replaceChildren(...cells);
      grid.setAttribute('aria-label', n ? `Layer ${state.layer}, head ${state.head}: ${n} rows; row ${n - 1} (${words[n - 1]}) is the newest` : 'No rows yet');
      if (!n) { matrixNote.textContent = 'Each word the model reads adds one row: where it looks among itself and the words before it.'; return; }
      const last = rows[n - 1][state.layer][state.head], texts = fmt(last, 3);
      const top = core.topK(last, Math.min(3, last.length));
      matrixNote.replaceChildren(`Newest row, “${words[n - 1]}” (L${state.layer}H${state.head}) looks most at: `,
        top.map((j) => `${words[j]} ${texts[j]}`).join(', '), '. Above the diagonal stays empty: no word sees the future.');
    }

    function renderCache() {
      drawCacheButton();
      const L = model ? model.config.n_layers : 4, ctx = model ? model.config.context : 64;
      const last = history[history.length - 1];
      const cacheRows = last ? last.cacheRows : 0;
      root.dataset.cacheRows = String(cacheRows);
      cacheBox.replaceChildren(...Array.from({ length: L }, (_, l) => el('div', { class: 'ae-gen-layer', data: { layer: l } },
        el('span', { class: 'ae-gen-layer-name', text: 'Layer ' + l }),
        ['K', 'V'].map((kind) => el('div', { class: 'ae-gen-stack', data: { kind, cacheRows: String(cacheRows) },
          aria: { label: `Layer ${l} ${kind}: ${cacheRows} rows` } },
        el('span', { class: 'ae-gen-stack-name', text: kind }),
        el('span', { class: 'ae-gen-stack-bar', aria: { hidden: 'true' }, style: { '--rows': String(cacheRows), '--ctx': String(ctx) } }),
        el('span', { class: 'ae-gen-stack-rows', text: `${cacheRows} rows` }))))));
      const bytes = last ? fmt([last.cacheBytes], 0)[0] : '0';
      cacheLine.textContent = !state.cache
        ? 'The cache is off: nothing is kept, so every step runs every position through every layer again. ' +
          (cacheRows ? '' : 'Turn it on and the next step fills it with the words so far.')
        : `${cacheRows} of ${ctx} rows in each stack: ${bytes} bytes in all (K and V, ${L} layers, 64 numbers a row). ` +
          'A step adds one row to each stack and computes only the new word.';
    }

    // Two small plots: C's multiply-adds per step for both paths (log scale, positions from C),
    // and the measured time of each step on the path it ran.
    function renderPlots() {
      const W = 300, Hh = 120, pad = 30, ctx = model ? model.config.context : 64;
      const maxSteps = Math.max(ctx, 10);
      const x = (i) => pad + (W - pad - 8) * (i / maxSteps);
      const svgPlot = (title, series, lo, hi, ticks) => {
        const ns = 'http://www.w3.org/2000/svg';
        const s = (tag, attrs, text) => {
          const node = document.createElementNS(ns, tag);
          Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
          if (text) node.textContent = text;
          return node;
        };
        const svg = s('svg', { viewBox: `0 0 ${W} ${Hh + 22}`, class: 'ae-gen-svg', role: 'img', 'aria-label': title });
        svg.append(s('text', { x: pad, y: 11, class: 'ae-gen-svg-title' }, title));
        const y = (pos) => 16 + (Hh - 16) * (1 - pos);
        ticks.forEach(([pos, label]) => {
          svg.append(s('line', { x1: pad, x2: W - 8, y1: y(pos), y2: y(pos), class: 'ae-gen-grid-line' }));
          svg.append(s('text', { x: pad - 3, y: y(pos) + 3, class: 'ae-gen-tick', 'text-anchor': 'end' }, label));
        });
        svg.append(s('text', { x: W - 8, y: Hh + 16, class: 'ae-gen-tick', 'text-anchor': 'end' }, 'step →'));
        series.forEach(({ points, cls }) => {
          if (!points.length) return;
          const vals = points.map((p) => p.v);
          const pos = core.logPositions(vals, lo, hi);
          const d = points.map((p, k) => `${k ? 'L' : 'M'}${x(p.i).toFixed(1)} ${y(Math.min(1, Math.max(0, pos[k]))).toFixed(1)}`).join('');
          svg.append(s('path', { d, class: 'ae-gen-line ' + cls }));
          points.forEach((p, k) => { if (p.ran) svg.append(s('circle', { cx: x(p.i).toFixed(1), cy: y(Math.min(1, Math.max(0, pos[k]))).toFixed(1), r: 2.4, class: 'ae-gen-dot ' + cls })); });
        });
        return svg;
      };
      // multiply-adds: where a path ran, what C counted for the step (a cached step after a switch
      // or the first one also reads the words the cache lacks: the prefill); elsewhere C's count
      // of one step of that path at this length. Dots mark the runs.
      const cached = history.map((h, i) => ({ i, v: h.cache ? h.madds : h.maddsCached, ran: h.cache }));
      const full = history.map((h, i) => ({ i, v: h.cache ? h.maddsFull : h.madds, ran: !h.cache }));
      const mTicks = [[1e5, '100k'], [1e6, '1M'], [1e7, '10M'], [1e8, '100M']];
      const mPos = core.logPositions(mTicks.map((t) => t[0]), 1e5, 1e8);
      plotMadds.replaceChildren(svgPlot('multiply-adds per step (C counts)', [{ points: full, cls: 'ae-gen-full' }, { points: cached, cls: 'ae-gen-cached' }],
        1e5, 1e8, mTicks.map((t, k) => [mPos[k], t[1]])));
      // measured time, only where each path ran
      const times = history.map((h, i) => ({ i, v: Math.max(h.ms, 0.01), ran: true, cache: h.cache }));
      const tTicks = [[0.01, '0.01'], [0.1, '0.1'], [1, '1'], [10, '10'], [100, '100 ms']];
      const tPos = core.logPositions(tTicks.map((t) => t[0]), 0.01, 100);
      plotTime.replaceChildren(svgPlot('measured time per step (ms)', [
        { points: times.filter((p) => !p.cache), cls: 'ae-gen-full' }, { points: times.filter((p) => p.cache), cls: 'ae-gen-cached' }],
      0.01, 100, tTicks.map((t, k) => [tPos[k], t[1]])));
      const last = history[history.length - 1];
      if (!last) {
        plotNote.replaceChildren(el('span', { class: 'ae-gen-key ae-gen-cached', text: 'with the cache' }), ' · ',
          el('span', { class: 'ae-gen-key ae-gen-full', text: 'recomputing everything' }), ': the lines appear as you step.');
        return;
      }
      const [mc, mf] = fmt([last.maddsCached / 1e6, last.maddsFull / 1e6], 2);
      const [ms] = fmt([last.ms], 2);
      plotNote.replaceChildren(el('span', { class: 'ae-gen-key ae-gen-cached', text: 'with the cache' }), ` ${mc} M multiply-adds this step · `,
        el('span', { class: 'ae-gen-key ae-gen-full', text: 'recomputing everything' }), ` ${mf} M. ` +
        `Cached, a step costs about the same every time (the work grows linearly with the words written); recomputing, each step ` +
        `costs more than the last, so the total grows quadratically. The first cached step also reads the prompt. ` +
        `This step took ${ms} ms on the ${last.cache ? 'cached' : 'full'} path.`);
    }

    function render() {
      if (destroyed) return;
      const tNow = temperature();
      range.value = String(state.greedy ? 0 : state.temperature);
      tOut.textContent = state.greedy ? '0 (greedy)' : fmt([state.temperature], 2)[0];
      if (String(seedInput.value) !== String(state.seed)) seedInput.value = String(state.seed);
      if (input.value !== state.text) input.value = state.text;
      renderPickers();
      const last = history[history.length - 1];
      const ready = !!(model && gen);
      stepButton.disabled = playButton.disabled = (ready && !gen.canStep) || !!promptError;
      if (!model) {
        written.replaceChildren(el('span', { class: 'ae-gen-w', text: state.text || '(empty prompt)' }));
        if (root.dataset.model !== 'loading') status.textContent = 'Press Step to load the trained model (4 layers × 4 heads, 4,096 words) and write.';
      } else if (promptError) {
        const ctx = model.config.context;
        parts.note.set(promptError.code === AE.MODEL_CODES.CONTEXT
          ? `This prompt is too long: ${promptError.message.replace(/^the prompt has /, 'it has ')}, so there is no room to write. ` +
            `Shorten it to at most ${ctx - 1} words.`
          : kit.friendly(promptError), true);
        status.textContent = '';
        written.replaceChildren();
      } else {
        renderText();
        const notes = [];
        if (gen.prompt.empty) notes.push('The prompt is empty, so the model starts from <s>, the start of a text, alone.');
        if (gen.prompt.allUnknown) notes.push(`None of these words is among the model's ${fmt([model.config.vocab], 0)[0]}: it reads only their classes (${gen.prompt.vocab_words.slice(1).join(' ')}), so expect guesses.`);
        if (!gen.canStep) notes.push(`The context is full: all ${model.config.context} positions are used. This model learned one embedding per position (0 to ${model.config.context - 1}), so the window cannot slide: every cached row would change. Generation stops here; Reset starts again.`);
        parts.note.set(notes.join(' '), !gen.canStep);
        status.textContent = history.length
          ? `Step ${state.step}: ${state.step} word${state.step === 1 ? '' : 's'} written after the prompt (${words.length} positions of ${model.config.context + 1} read or written).`
          : 'Ready. Step writes one word; Play keeps writing.';
      }
      renderCandidates(model && last);
      renderMatrix();
      renderCache();
      renderPlots();
      root.dataset.step = String(history.length);   // words written (a link's step waits for the model)
      root.dataset.temperature = String(tNow);
      kit.rendered(root);
    }

    render();
    return {
      state,
      // Changes any of text, temperature, greedy, seed, cache, layer, head, step and redraws;
      // a change of the words, temperature or seed starts the text again (a link replays it).
      set(change) {
        stop();
        const c = Object.assign({}, change);
        if ('temperature' in c) { const t = Number(c.temperature); if (t > 0) state.temperature = Math.min(T_MAX, t); delete c.temperature; }
        if ('seed' in c) c.seed = int(c.seed, 0, 4294967295, state.seed);
        if ('step' in c) c.step = int(c.step, 0, 10000, 0);
        Object.assign(state, c);
        state.greedy = !!state.greedy;
        state.cache = state.cache !== false && state.cache !== 'false';
        if (['text', 'temperature', 'greedy', 'seed', 'step'].some((k) => k in change)) restart();
        else render();
      },
      destroy() {
        destroyed = true;
        stop();
        if (observer) observer.disconnect();
        if (gen) gen.destroy();
        if (model) model.destroy();
        gen = model = null;
        parts.destroy();
      },
    };
  };
})(window.AttentionExplorer);
