/* fig-mask.js - Figure 4.1: the causal mask, one generated word at a time.
   A short sentence as an n x n table (rows: the word looking; columns: the words it looks
   at). Green cells are allowed, red hatched cells are blocked, the outlined diagonal is a
   word looking at itself. Step and Play walk generation row by row; the mode switch shows
   the same rows without the mask (an encoder), so the weights visibly re-share. Every
   number shown, the mask itself included, comes from C. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  const MAX_SHOWN = 8;        // words in the matrix: more would not fit a phone
  const TICK_MS = 900;        // Play reveals one row this often
  const MODES = { causal: 'Decoder (causal)', none: 'Encoder (no mask)' };

  // 'decoder'/'causal' -> 'causal', 'encoder'/'none' -> 'none'
  const modeOf = (m) => (m === 'none' || m === 'encoder' ? 'none' : 'causal');

  // options: { text, head (default 3, the diffuse "unnamed" head), mode, step, number, title }
  AE.figures.mask = function mountMask(root, core, options) {
    options = options || {};
    const state = {
      text: options.text !== undefined ? options.text : 'The cat sat on the',
      head: options.head !== undefined ? options.head : 3,
      mode: modeOf(options.mode !== undefined ? options.mode : root.dataset.mode),
      // the row being generated; -1 = show the whole matrix (a step past the end does the same)
      step: Number.isInteger(options.step) && options.step >= 0 ? options.step : -1,
      playing: false,
    };
    const parts = kit.frame(root, options.number === undefined ? '4.1' : options.number,
      options.title || 'The causal mask on a 5-token sentence', 'Step or play');
    const title = parts.caption.querySelector('span');
    let n = 0, timer = 0;

    const button = (text, control, click) => kit.el('button', { type: 'button', class: 'ae-button',
      text, data: { control }, on: { click } });
    const stepButton = button('Step ›', 'step', () => { stop(); advance(); });
    const playButton = button('▶ Play', 'play', () => (state.playing ? stop() : play()));
    playButton.setAttribute('aria-pressed', 'false');
    playButton.classList.add('ae-mask-play');
    // Decoder / encoder: one tab stop, arrow keys move and select (like the head pickers)
    const modes = kit.el('div', { class: 'ae-mask-modes', role: 'group', aria: { label: 'Attention mask' } },
      Object.keys(MODES).map((m) => {
        const b = button(MODES[m], 'mode', () => setMode(m));
        b.dataset.mode = m;
        return b;
      }));
    kit.rovingKeys(modes, '[data-mode]', (i, b) => setMode(b.dataset.mode));

    const matrix = kit.matrixTable('');
    const axes = kit.el('p', { class: 'ae-mask-axes', aria: { hidden: 'true' } },
      kit.el('span', { text: '↓ word looking' }), kit.el('span', { text: 'looked at →' }));
    const swatch = (kind, label) => kit.el('li', null,
      kit.el('span', { class: 'ae-mask-swatch ' + kind, aria: { hidden: 'true' } }), label);
    const legend = kit.el('ul', { class: 'ae-mask-legend', aria: { label: 'Legend' } },
      swatch('ae-mask-sw-allowed', 'allowed'),
      swatch('ae-mask-sw-blocked', 'blocked (weight 0)'),
      swatch('ae-mask-sw-self', 'itself (diagonal)'),
      swatch('ae-mask-sw-later', 'not generated yet'));
    const stepLine = kit.el('p', { class: 'ae-summary ae-mask-step', aria: { hidden: 'true' } });
    const compare = kit.el('p', { class: 'ae-summary ae-mask-compare' });
    const input = kit.el('input', { class: 'ae-text', type: 'text', value: state.text, spellcheck: 'false',
      autocomplete: 'off', data: { control: 'text' }, aria: { label: 'Sentence for the causal mask figure' },
      on: { input: () => { stop(); state.text = input.value; state.step = -1; render(); } } });
    // Reduced motion: Play never animates; it shows every row at once (said here, quietly).
    const calm = kit.el('p', { class: 'ae-mask-calm', hidden: true,
      text: 'Reduced motion is on, so Play shows every row at once; Step still goes one row at a time.' });
    parts.body.append(
      kit.el('div', { class: 'ae-controls ae-mask-bar' }, stepButton, playButton, modes),
      kit.el('div', { class: 'ae-mask-grid' },
        kit.el('div', { class: 'ae-mask-matrix' }, axes, matrix.node), legend),
      stepLine, compare, calm,
      kit.el('div', { class: 'ae-controls' },
        kit.el('label', { class: 'ae-text-label' }, `Try your own sentence (first ${MAX_SHOWN} words)`, input)));

    const reducedMotion = () => !!(window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches);

    // The next row; after the last one, back to the first.
    function advance() {
      state.step = state.step < 0 || state.step >= n - 1 ? 0 : state.step + 1;
      render();
    }

    function play() {
      if (reducedMotion()) { state.step = -1; render(); return; }
      if (state.step < 0 || state.step >= n - 1) { state.step = 0; render(); }
      state.playing = true;
      playButton.setAttribute('aria-pressed', 'true');
      playButton.textContent = '❚❚ Pause';
      timer = setTimeout(tick, TICK_MS);
    }

    function tick() {
      if (!root.isConnected || state.step >= n - 1) { stop(); return; }
      state.step += 1;
      render();
      if (state.step >= n - 1) stop(); else timer = setTimeout(tick, TICK_MS);
    }

    function stop() {
      clearTimeout(timer);
      state.playing = false;
      playButton.setAttribute('aria-pressed', 'false');
      playButton.textContent = '▶ Play';
    }

    function setMode(m) {
      if (m !== state.mode) { state.mode = m; render(); }
    }

    const shownText = () => kit.firstTokens(core, state.text, MAX_SHOWN);

    // The whole matrix, no row singled out: say what the picture means.
    function overview(count, decoding) {
      const text = decoding
        ? `All ${count} words generated: each may look at itself and the words before it, never after. ` +
          'Step or Play to watch them arrive one at a time.'
        : `An encoder reads all ${count} words at once: every word may look at every word. Step to walk through the rows.`;
      stepLine.textContent = text;
      compare.replaceChildren(kit.el('b', { text: decoding ? 'Try the encoder' : 'Try the decoder' }), decoding
        ? ': without the mask, the blocked words take a share of every row.'
        : ': with the causal mask, each row re-shares its weight over the earlier words only.');
      parts.live.say(text);
    }

    // "Step 3 of 5: sat may look at The, cat, sat — weights 0.226, 0.541, 0.233, sum 1.000",
    // then the same row under the other mode: blocked words give back (or take) a share.
    function describeRow(r, v, decoding) {
      const words = v.words, count = words.length, texts = v.texts[r], allowed = v.allowed[r];
      const seen = words.map((w, j) => j).filter((j) => allowed[j]);
      const lead = (decoding ? 'Step ' : 'Row ') + (r + 1) + ' of ' + count + ': ';
      const tail = ' may look at ' + (decoding ? '' : 'every word: ') + seen.map((j) => words[j]).join(', ') +
        ' — weights ' + seen.map((j) => texts[j]).join(', ') + ', sum ' + v.sums[r] + '.' +
        (decoding && r === count - 1 ? ' All generated; Step starts again.' : '');
      stepLine.replaceChildren(lead, kit.el('b', { text: words[r] }), tail);
      parts.live.say(lead + words[r] + tail);

      const otherTexts = v.otherTexts[r], otherAllowed = v.otherAllowed[r];
      const list = words.map((w, j) => j).filter((j) => otherAllowed[j])
        .map((j) => words[j] + ' ' + otherTexts[j]).join(' · ');
      const same = r === count - 1 && otherTexts.every((t, j) => t === texts[j]);
      compare.replaceChildren(kit.el('b', { text: decoding ? 'Without the mask' : 'With the causal mask' }),
        same ? ` (${decoding ? 'encoder' : 'decoder'}) this row is the same: the last word sees every word ` +
          'either way. Step to an earlier row to see the weights re-share.'
          : decoding ? ' (encoder) the same row spreads over every word: ' + list
            : ' (decoder) this row could only see: ' + list);
    }

    // Everything one (text, mode, head) shows, computed once: the model under both masks (each
    // run once; core.model caches), both masks, and every number printed by C. A step only
    // picks a row of it, so stepping and playing cost no WASM call at all. Views are kept per
    // mode and head until the text changes, so switching back and forth costs nothing either.
    const views = new Map();
    let viewsText = null;
    function viewFor() {
      if (viewsText !== state.text) { views.clear(); viewsText = state.text; }
      const key = state.mode + '\n' + state.head;
      if (views.has(key)) return views.get(key);
      const shown = shownText();
      const otherMode = state.mode === 'causal' ? 'none' : 'causal';
      const now = core.model(shown.text, { mask: state.mode, parts: ['weights'] });
      const other = core.model(shown.text, { mask: otherMode, parts: ['weights'] });
      const count = now.tokens.length;
      const h = Math.min(Math.max(0, state.head | 0), now.heads.length - 1);
      const head = now.heads[h];
      const flat = new Float32Array(2 * count * count);
      head.weights.forEach((row, i) => flat.set(row, i * count));
      other.heads[h].weights.forEach((row, i) => flat.set(row, (count + i) * count));
      const rowsOf = (list, from) => Array.from({ length: count }, (_, i) => list.slice((from + i) * count, (from + i + 1) * count));
      const all = core.format(flat, 3), short = core.format(flat, 3, { leadingZero: false });
      const whole = core.format(flat.subarray(0, count * count), 0);
      const view = { total: shown.total, n: count, head, words: now.tokens.map((t) => t.text),
        allowed: core.maskAllowed(count, { mask: state.mode }), otherAllowed: core.maskAllowed(count, { mask: otherMode }),
        texts: rowsOf(all, 0), otherTexts: rowsOf(all, count), short: rowsOf(short, 0), whole: rowsOf(whole, 0),
        sums: core.format(core.rowSums(head.weights), 3) };
      views.set(key, view);
      return view;
    }

    function render() {
      let v;
      try {
        v = viewFor();
      } catch (err) {
        stop();
        parts.note.set(kit.friendly(err), true);
        matrix.table.replaceChildren();
        stepLine.textContent = compare.textContent = '';
        stepButton.disabled = playButton.disabled = true;
        kit.rendered(root);
        return;
      }
      stepButton.disabled = playButton.disabled = false;
      n = v.n;
      parts.note.set(v.total > n ? `Only the first ${n} of ${v.total} tokens are used.` : '');
      title.textContent = options.title || `The causal mask on a ${n}-token sentence`;
      if (state.step >= n) state.step = -1;
      const decoding = state.mode === 'causal';
      const row = state.step;   // the current row (-1: none, the whole matrix)
      const { head, words, allowed, texts } = v;
      // C prints every weight; blocked cells show C's whole-number text ("0").
      const label = (i, j) => words[i] + ' looks at ' + words[j] + (i === j ? ' (itself)' : '') +
        ': ' + (allowed[i][j] ? texts[i][j] : 'blocked, weight ' + texts[i][j]);
      const shortTexts = v.short.map((r, i) => r.map((t, j) => (allowed[i][j] ? t : v.whole[i][j])));
      // Decoder: rows after the current one are not generated yet. Encoder: the whole
      // sentence is read at once, so every row is shown and Step only moves the highlight.
      const hiddenFrom = decoding && state.step >= 0 ? state.step : undefined;
      matrix.set({ rowLabels: words, colLabels: words, values: head.weights, texts, shortTexts, allowed,
        currentRow: row < 0 ? undefined : row, hiddenFrom, cellLabel: label });
      matrix.table.classList.add('ae-mask-table');
      matrix.table.querySelector('caption').textContent = `Head “${head.name}” (diffuse: its weights ` +
        'spread out, so you can see them re-share). Each shown row adds up to 1.';
      matrix.table.querySelectorAll('td[data-row]').forEach((cell) => {
        if (cell.dataset.row === cell.dataset.col) cell.classList.add('ae-mask-self');
      });
      matrix.table.querySelectorAll('tbody tr').forEach((tr, i) => {
        tr.classList.toggle('ae-mask-later', hiddenFrom !== undefined && i > hiddenFrom);
      });
      matrix.table.querySelectorAll('thead th[data-col]').forEach((th, j) => {
        th.classList.toggle('ae-mask-later', hiddenFrom !== undefined && j > hiddenFrom);
      });

      if (row < 0) overview(n, decoding);
      else describeRow(row, v, decoding);
      legend.lastChild.style.visibility = decoding ? '' : 'hidden';   // no "not generated" in an encoder

      kit.pressOne(modes.querySelectorAll('[data-mode]'), Object.keys(MODES).indexOf(state.mode));
      calm.hidden = !reducedMotion();
      root.dataset.mode = state.mode;
      root.dataset.step = String(state.step);
      kit.rendered(root);
    }

    render();
    return {
      state,
      // Changes any of text, head, mode, step and redraws.
      set(change) {
        stop();
        Object.assign(state, change);
        if ('mode' in change) state.mode = modeOf(change.mode);
        if (!(Number.isInteger(state.step) && state.step >= 0)) state.step = -1;   // a bad step shows the whole matrix
        if ('text' in change && input.value !== state.text) input.value = state.text;
        render();
      },
      // Stops Play and any queued announcement.
      destroy() {
        stop();
        parts.destroy();
      },
    };
  };
})(window.AttentionExplorer);
