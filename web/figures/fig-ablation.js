/* fig-ablation.js - Figure 6.2: the weights are not an explanation. On the trained Brown model,
   replace one head's attention weights (uniform over the allowed positions, shuffled, or
   removed) and compare the next-word prediction before and after: the likeliest word, the
   change in probability of the word that was likeliest, the KL divergence. Then every head,
   averaged over 40 held-out sentences the model never trained on, measured by a C job in
   slices between frames. Every number is computed and printed by C (the model bridge and the
   lesson core); JS lays out, colours and counts cells. The model loads when the figure
   scrolls into view, never at page load. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  const DEFAULT_TEXT = 'She opened the door and walked into the';
  const KINDS = {
    uniform: { label: 'Uniform: equal weight on every allowed word', short: 'made uniform' },
    shuffle: { label: 'Shuffled: the same weights, moved to other words', short: 'shuffled' },
    zero: { label: 'Removed: the head outputs nothing', short: 'removed' },
  };
  const MAX_TEXT = 2000;
  const PASSES_PER_STEP = 2;   // forward passes per scheduler step (about 20-40 ms each)
  // what "little" and "a lot" mean in the caption: the likeliest word changes in under 1 in
  // 20 predictions, or in over 1 in 10 (fixed here before any head was measured)
  const LITTLE = 0.05, A_LOT = 0.10;

  // options: { text, layer, head, ablation ('uniform' | 'shuffle' | 'zero'), number, title }
  AE.figures.ablation = function mountAblation(root, core, options) {
    options = options || {};
    const el = kit.el;
    const state = {
      text: typeof options.text === 'string' ? options.text.slice(0, MAX_TEXT) : DEFAULT_TEXT,
      layer: Number.isInteger(options.layer) ? options.layer : 2,
      head: Number.isInteger(options.head) ? options.head : 3,
      ablation: KINDS[options.ablation] ? options.ablation : 'uniform',
    };
    const parts = kit.frame(root, options.number === undefined ? '6.2' : options.number,
      options.title || 'Scramble one head, watch the prediction', 'Pick a head · change the kind');

    // ---- controls: sentence, kind
    const input = el('input', { class: 'ae-text', type: 'text', value: state.text, spellcheck: 'false',
      maxlength: MAX_TEXT, data: { control: 'text' }, aria: { label: 'Sentence for the trained model' } });
    const kindSelect = el('select', { class: 'ae-model-select', data: { control: 'ablation' },
      aria: { label: 'How to replace the head’s weights' } },
      Object.keys(KINDS).map((k) => el('option', { value: k, text: KINDS[k].label })));
    kindSelect.value = state.ablation;
    const controls = el('div', { class: 'ae-controls ae-ablation-controls' },
      el('label', { class: 'ae-text-label' }, el('span', { text: 'Sentence (the model predicts the next word)' }), input),
      el('label', { class: 'ae-text-label ae-ablation-kind' }, el('span', { text: 'Replace the head’s weights' }), kindSelect));

    // ---- one prediction, before and after
    const effect = el('div', { class: 'ae-ablation-effect', aria: { live: 'off' } });
    const listBefore = el('ol', { class: 'ae-ablation-list' }), listAfter = el('ol', { class: 'ae-ablation-list' });
    const headingAfter = el('p', { class: 'ae-ablation-col-title' });
    const columns = el('div', { class: 'ae-ablation-columns' },
      el('div', { class: 'ae-ablation-col', data: { side: 'before' } },
        el('p', { class: 'ae-ablation-col-title', text: 'Before: the model as trained' }), listBefore),
      el('div', { class: 'ae-ablation-col', data: { side: 'after' } }, headingAfter, listAfter));

    // ---- the grid: every head, averaged over the held-out sentences
    const gridTable = el('table', { class: 'ae-ablation-grid' });
    const gridWrap = el('div', { class: 'ae-ablation-grid-wrap', tabindex: '0', role: 'region',
      aria: { label: 'Every head: mean effect of ablating it on held-out sentences' } }, gridTable);
    const progressBar = el('progress', { class: 'ae-ablation-progress', max: 1, value: 0,
      aria: { label: 'Held-out sentences measured' } });
    const progressText = el('span', { class: 'ae-ablation-progress-text' });
    const gridTitle = el('p', { class: 'ae-ablation-grid-title' });
    const summary = el('p', { class: 'ae-ablation-summary' });
    const gridBox = el('div', { class: 'ae-ablation-grid-box' }, gridTitle,
      el('div', { class: 'ae-ablation-progress-row' }, progressBar, progressText), gridWrap, summary);
    const loadButton = el('button', { type: 'button', class: 'ae-button ae-ablation-load', text: 'Load the trained model',
      data: { control: 'load' } });
    const waiting = el('p', { class: 'ae-ablation-waiting' },
      'This figure runs the trained model (about 1 MB), which loads when the figure scrolls into view. ', loadButton);
    const results = el('div', { class: 'ae-ablation-results', hidden: true }, effect, columns, gridBox);
    parts.body.append(controls, waiting, results);

    let model = null, loading = null, destroyed = false, run = null, stopWatching = () => {};
    const gridByKind = {};           // kind -> { heads, done, total } once measured
    let cells = [];                  // [layer][head] -> button

    // ---- loading
    function loadModel() {
      if (loading) return loading;
      root.dataset.modelState = 'loading';
      loadButton.disabled = true;
      loadButton.textContent = 'Loading the trained model…';
      loading = AE.loadModel('brown').then((m) => {
        if (destroyed) { m.destroy(); return null; }
        model = m;
        root.dataset.modelState = 'ready';
        waiting.hidden = true;
        results.hidden = false;
        state.layer = Math.min(Math.max(0, state.layer), model.config.n_layers - 1);
        state.head = Math.min(Math.max(0, state.head), model.config.n_heads - 1);
        buildGrid();
        render();
        return m;
      }, (err) => {
        loading = null;
        root.dataset.modelState = 'error';
        loadButton.disabled = false;
        loadButton.textContent = 'Try again';
        parts.note.set('The trained model did not load (' + (err && err.message ? err.message : err) + ').', true);
        kit.rendered(root);
      });
      return loading;
    }
    loadButton.addEventListener('click', () => { stopWatching(); loadModel(); });

    // ---- the grid of heads
    function buildGrid() {
      const L = model.config.n_layers, H = model.config.n_heads;
      cells = Array.from({ length: L }, (_, l) => Array.from({ length: H }, (__, h) => el('button', {
        type: 'button', class: 'ae-ablation-cell ae-heat ae-inked', data: { layer: l, head: h },
        aria: { pressed: 'false' }, on: { click: () => pick(l, h) },
      }, el('span', { class: 'ae-ablation-cell-name', text: `L${l}H${h}` }), ' ',
      el('span', { class: 'ae-ablation-cell-kl' }), ' ', el('span', { class: 'ae-ablation-cell-flips' }))));
      gridTable.replaceChildren(
        el('caption', { class: 'ae-sr-only', text: 'Mean KL divergence per head, layers as rows, heads as columns' }),
        el('thead', null, el('tr', null, el('td'), Array.from({ length: H }, (_, h) => el('th', { scope: 'col', text: `head ${h}` })))),
        el('tbody', null, cells.map((row, l) => el('tr', null, el('th', { scope: 'row', text: `layer ${l}` }),
          row.map((cell) => el('td', null, cell))))));
    }

    // The grid is one tab stop: left/right move along a layer, up/down between layers, Home/End.
    gridTable.addEventListener('keydown', (event) => {
      if (!model || !event.target.closest('.ae-ablation-cell')) return;
      const L = model.config.n_layers, H = model.config.n_heads;
      const rtl = getComputedStyle(gridTable).direction === 'rtl';
      const move = { ArrowRight: [0, rtl ? -1 : 1], ArrowLeft: [0, rtl ? 1 : -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] }[event.key];
      let layer = state.layer, head = state.head;
      if (move) {
        layer = Math.min(L - 1, Math.max(0, layer + move[0]));
        head = Math.min(H - 1, Math.max(0, head + move[1]));
      } else if (event.key === 'Home') { layer = 0; head = 0; }
      else if (event.key === 'End') { layer = L - 1; head = H - 1; }
      else return;
      event.preventDefault();
      pick(layer, head);
      cells[layer][head].focus();
    });

    function pick(layer, head) {
      if (layer === state.layer && head === state.head) return;
      state.layer = layer;
      state.head = head;
      render();
    }

    // Starts (or shows the cached) every-head measurement for the current kind.
    function runGrid() {
      if (run) { run.cancel(); run = null; }
      const kind = state.ablation;
      if (gridByKind[kind] && gridByKind[kind].done) { drawGrid(gridByKind[kind]); return; }
      let job;
      try {
        job = model.createAblationJob(kind);
      } catch (err) {
        summary.textContent = kit.friendly(err);
        return;
      }
      root.dataset.grid = 'running';
      const steps = (function* () {
        try {
          let s;
          do { s = job.step(PASSES_PER_STEP); yield s; } while (s.left > 0);
          return { heads: job.results(), done: true, total: s.total, passes: s.done, sentences: job.sentences };
        } finally {
          job.destroy();   // finished, cancelled or failed: the job's WASM buffer goes back
        }
      })();
      let lastDraw = 0;
      run = kit.runInSlices(steps, {
        progress(s) {
          progressBar.max = s.total;
          progressBar.value = s.done;
          progressText.textContent = `${s.done} of ${s.total} forward passes`;
          if (s.done - lastDraw >= 17 * 4) {   // every four sentences, the means so far
            lastDraw = s.done;
            drawGrid({ heads: job.results(), done: false, total: s.total, passes: s.done, sentences: job.sentences });
          }
        },
        done(result) {
          run = null;
          gridByKind[kind] = result;
          if (kind === state.ablation) drawGrid(result);
        },
        error(err) {
          run = null;
          root.dataset.grid = 'error';
          summary.textContent = kit.friendly(err);
        },
      });
    }

    function drawGrid(grid) {
      const flat = grid.heads.flat();
      const kls = flat.map((x) => x.kl);
      const klTexts = core.format(kls, 3);
      const order = core.topK(kls, kls.length);          // C ranks the heads, largest KL first
      const maxKl = kls[order[0]] > 0 ? kls[order[0]] : 1;
      const predictions = flat[0].predictions;
      flat.forEach((x, i) => {
        const cell = cells[x.layer][x.head];
        cell.dataset.kl = klTexts[i];
        cell.dataset.flips = String(x.flips);
        cell.dataset.predictions = String(x.predictions);
        // layout only: the colour is the ratio of two numbers C computed
        cell.style.setProperty('--w', String(Math.min(1, x.kl / maxKl)));
        cell.toggleAttribute('data-strong', x.kl / maxKl > 0.55);
        cell.querySelector('.ae-ablation-cell-kl').textContent = klTexts[i];
        cell.querySelector('.ae-ablation-cell-flips').textContent = `${x.flips}/${x.predictions}`;
        // the visible text leads the name (WCAG 2.5.3), then what it means
        cell.setAttribute('aria-label', `L${x.layer}H${x.head} ${klTexts[i]} ${x.flips}/${x.predictions}: layer ${x.layer} ` +
          `head ${x.head}, mean KL ${klTexts[i]} nats; likeliest word changed in ${x.flips} of ${x.predictions} predictions`);
      });
      const kind = KINDS[state.ablation].short;
      gridTitle.textContent = `Every head ${kind} in turn, on ${grid.sentences} held-out sentences ` +
        (grid.done ? `(${predictions} next-word predictions each)` : `(${predictions} predictions measured so far)`);
      progressBar.max = grid.total;
      progressBar.value = grid.passes;
      progressText.textContent = grid.done ? `measured: ${grid.total} forward passes` : `${grid.passes} of ${grid.total} forward passes`;
      if (!grid.done) {
        summary.textContent = `Measuring… the numbers so far are over the sentences done.`;
        root.dataset.grid = 'running';
        return;
      }
      const top = flat[order[0]], bottom = flat[order[order.length - 1]];
      // counting cells against the two fixed levels (no arithmetic on the model's numbers)
      const little = flat.filter((x) => x.flipRate < LITTLE).length;
      const aLot = flat.filter((x) => x.flipRate > A_LOT).length;
      const [topKl, bottomKl] = core.format([top.kl, bottom.kl], 3);
      summary.textContent = `Cell: mean KL divergence (nats) and how many predictions changed their likeliest word. ` +
        `With one head ${kind}, ${little} of ${flat.length} heads change the likeliest next word in fewer than 1 prediction in 20, ` +
        `and ${aLot} in more than 1 in 10. The largest effect is L${top.layer}H${top.head} (KL ${topKl}, ` +
        `${top.flips} of ${top.predictions} changed), the smallest L${bottom.layer}H${bottom.head} (KL ${bottomKl}, ` +
        `${bottom.flips} changed). These are averages over ${grid.sentences} sentences of one small model; ` +
        `a head whose removal changes little may still matter in other text or together with others.`;
      root.dataset.grid = 'done';
      root.dataset.gridKind = state.ablation;
      kit.rendered(root);
    }

    // ---- one prediction
    function wordItem(x, probText, mark) {
      return el('li', { data: { id: x.id, prob: probText }, class: mark ? 'ae-ablation-mark' : null },
        el('span', { class: 'ae-ablation-word', text: x.word }), el('span', { class: 'ae-ablation-prob', text: probText }));
    }

    function render() {
      if (!model) return;
      cells.forEach((row, l) => row.forEach((cell, h) => {
        const on = l === state.layer && h === state.head;
        cell.setAttribute('aria-pressed', String(on));
        cell.tabIndex = on ? 0 : -1;
      }));
      if (!state.text.trim()) {
        parts.note.set('Type a sentence: the model predicts the word after it, with and without the head.');
        effect.replaceChildren();
        listBefore.replaceChildren();
        listAfter.replaceChildren();
        delete root.dataset.kl;
        kit.rendered(root);
        return;
      }
      let r;
      try {
        r = model.ablate(state.text, { layer: state.layer, head: state.head, kind: state.ablation });
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
        kit.rendered(root);
        return;
      }
      const notes = [];
      const read = r.tokens.length - 1;
      if (r.truncated) notes.push(`The model reads the first ${read} words; the prediction is for the word after “${r.tokens[read]}”.`);
      if (r.unknown.length === read) {
        notes.push('None of these words is in the model’s vocabulary of 4,096 words: it reads each as an unknown-word class, so its guesses say little.');
      } else if (r.unknown.length) {
        notes.push(`Outside the vocabulary (read as an unknown-word class): ${r.unknown.map((i) => r.tokens[i]).slice(0, 5).join(', ')}.`);
      }
      parts.note.set(notes.join(' '));

      const nums = core.format([r.p_top_before, r.p_top_after, r.delta, r.kl, r.top_after.prob], 3);
      const [pBefore, pAfter, delta, kl, pNew] = nums;
      const klFine = core.format([r.kl], 4)[0];
      const name = `L${state.layer}H${state.head}`, kind = KINDS[state.ablation].short;
      const same = r.top_after.id === r.top_before.id;
      effect.replaceChildren(
        el('p', { class: 'ae-ablation-headline' },
          `With head ${name} ${kind}, the likeliest next word `,
          same ? el('strong', { text: `stays “${r.top_before.word}”` })
            : el('strong', { text: `changes from “${r.top_before.word}” to “${r.top_after.word}”` }), '.'),
        el('dl', { class: 'ae-ablation-numbers' },
          el('div', null, el('dt', { text: `p(“${r.top_before.word}”)` }),
            el('dd', { data: { value: 'p-before' }, text: `${pBefore} → ${pAfter}` })),
          el('div', null, el('dt', { text: 'change' }), el('dd', { data: { value: 'delta' }, text: delta })),
          el('div', null, el('dt', { text: 'KL(before ‖ after)' }), el('dd', { data: { value: 'kl' }, text: `${klFine} nats` }))));
      if (!same) effect.querySelector('dl').append(el('div', null, el('dt', { text: `p(“${r.top_after.word}”) after` }),
        el('dd', { text: pNew })));
      const before = r.next_before.slice(0, 5), after = r.next_after.slice(0, 5);
      const beforeTexts = core.format(before.map((x) => x.prob), 3), afterTexts = core.format(after.map((x) => x.prob), 3);
      listBefore.replaceChildren(...before.map((x, i) => wordItem(x, beforeTexts[i], x.id === r.top_before.id)));
      listAfter.replaceChildren(...after.map((x, i) => wordItem(x, afterTexts[i], x.id === r.top_before.id)));
      headingAfter.textContent = `After: ${name} ${kind}`;

      root.dataset.layer = String(state.layer);
      root.dataset.head = String(state.head);
      root.dataset.kl = klFine;
      root.dataset.delta = delta;
      root.dataset.topBefore = r.top_before.word;
      root.dataset.topAfter = r.top_after.word;
      root.dataset.ablation = state.ablation;
      parts.live.say(`${name} ${kind}: likeliest word ${same ? 'stays ' + r.top_before.word : 'becomes ' + r.top_after.word}, ` +
        `KL ${kl} nats.`);
      const grid = gridByKind[state.ablation];
      if (grid && grid.done) drawGrid(grid);
      else if (!run) runGrid();
      kit.rendered(root);
    }

    let textTimer = 0;
    input.addEventListener('input', () => {
      state.text = input.value.slice(0, MAX_TEXT);
      clearTimeout(textTimer);
      textTimer = setTimeout(render, 120);
    });
    kindSelect.addEventListener('change', () => {
      state.ablation = KINDS[kindSelect.value] ? kindSelect.value : 'uniform';
      if (run) { run.cancel(); run = null; }
      render();
    });

    stopWatching = kit.whenVisible(root, loadModel);
    kit.rendered(root);   // ready: the controls and the load button are there; the model comes later

    return {
      state,
      set(change) {
        if ('text' in change && typeof change.text === 'string') {
          state.text = change.text.slice(0, MAX_TEXT);
          input.value = state.text;
        }
        if ('layer' in change && Number.isInteger(change.layer)) state.layer = model ? Math.min(Math.max(0, change.layer), model.config.n_layers - 1) : change.layer;
        if ('head' in change && Number.isInteger(change.head)) state.head = model ? Math.min(Math.max(0, change.head), model.config.n_heads - 1) : change.head;
        if ('ablation' in change && KINDS[change.ablation] && change.ablation !== state.ablation) {
          state.ablation = change.ablation;
          kindSelect.value = state.ablation;
          if (run) { run.cancel(); run = null; }
        }
        render();
      },
      destroy() {
        destroyed = true;
        clearTimeout(textTimer);
        stopWatching();
        if (run) { run.cancel(); run = null; }
        if (model) { model.destroy(); model = null; }
        parts.destroy();
      },
    };
  };
})(window.AttentionExplorer);
