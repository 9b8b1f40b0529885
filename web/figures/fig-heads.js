/* fig-heads.js - Figure 2.1: four heads on the same sentence.
   The designed heads of the C model, one at a time: a picker, the head's name and
   description (from C), its full weight matrix (rows look, columns are looked at), the
   focal token's row on the sentence's chips, and four small maps side by side so the
   patterns can be compared at a glance. Every number shown is printed by C. The model switch
   shows the trained Brown model instead (AE.trained, loaded only when chosen): a layer picker,
   that layer's heads, the head's habit from the atlas, and all layers x heads at a glance. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  AE.defaults = AE.defaults || {};
  AE.defaults.sentence = AE.defaults.sentence || "The trophy didn't fit in the suitcase because it was too big.";

  // Long texts: the matrix and the small maps show the first MATRIX_MAX tokens (a 256 x 256
  // table would be 65,536 cells and make every click slow); the chips still show every token.
  const MATRIX_MAX = 40;
  const MINI_MAX = MATRIX_MAX;

  // options: { text, head (0..3), focus (word or index), model ('designed' | 'trained'),
  // layer (trained), number, title }
  AE.figures.heads = function mountHeads(root, core, options) {
    options = options || {};
    const trained = AE.trained;
    const state = {
      text: options.text !== undefined ? options.text : AE.defaults.sentence,
      head: options.head !== undefined ? options.head : 0,
      focus: options.focus !== undefined ? options.focus : 'it',   // a word until resolved
      model: options.model === 'trained' ? 'trained' : 'designed',
      layer: options.layer !== undefined ? options.layer : 0,
    };
    const loader = trained.modelLoader(root);
    const run = trained.cachedRun();
    let shownModel = state.model;   // the model the focus index refers to
    const parts = kit.frame(root, options.number === undefined ? '2.1' : options.number,
      options.title || 'Four heads on the same sentence', 'Pick a head');
    let tokens = [];
    let drawn = '';   // head and text the matrix was last drawn for

    // Choosing a head from anywhere (picker, arrow keys, small maps) goes through here.
    const pickHead = (h) => { if (h !== state.head) { state.head = h; render(); } };
    const pickRow = (i) => { if (i !== state.focus) { state.focus = i; render(); } };

    const picker = kit.headPicker(core, pickHead, 'ae-heads-picker', 'Pick a head');
    const switcher = trained.modelSwitch('Model for Figure 2.1', (value) => {
      if (value !== state.model) { state.model = value; render(); }
    });
    // trained mode: a layer picker and that layer's heads (built when the model is there)
    const pickLayer = (l) => { if (l !== state.layer) { state.layer = l; render(); } };
    const layerPicker = kit.el('div', { class: 'ae-heads-picker', role: 'group', aria: { label: 'Pick a layer of the trained model' } });
    const trainedPicker = kit.el('div', { class: 'ae-heads-picker', role: 'group', aria: { label: 'Pick a head of this layer' } });
    kit.rovingKeys(layerPicker, '[data-control="layer"]', pickLayer);
    kit.rovingKeys(trainedPicker, '[data-head]', pickHead);
    const pickerSlot = kit.el('div', { class: 'ae-heads-pickers' });

    const desc = kit.el('p', { class: 'ae-heads-desc' });
    const chips = kit.tokenRow(pickRow, 'Tokens: pick the token that looks, with the arrow keys, hover or tap');
    const summary = kit.el('p', { class: 'ae-summary', aria: { hidden: 'true' } });

    // The full matrix; hovering or tapping a row makes its token the one that looks.
    const matrix = kit.matrixTable('Each row is one token looking (its query); each column a token ' +
      'looked at (its key). Every row adds up to 1.');
    const rowOf = (e) => {
      const tr = e.target.closest('tbody tr');
      if (tr) pickRow(Array.prototype.indexOf.call(tr.parentNode.children, tr));
    };
    matrix.node.addEventListener('mouseover', rowOf);
    matrix.node.addEventListener('click', rowOf);
    const axes = kit.el('p', { class: 'ae-heads-axes', aria: { hidden: 'true' } },
      kit.el('span', { text: '↓ looking (query)' }), kit.el('span', { text: 'looked at (key) →' }));

    // Small multiples: four tiny maps, no numbers; each is a button that selects its head.
    const minis = kit.el('div', { class: 'ae-heads-minis', role: 'group', aria: { label: 'All four heads at a glance' } },
      core.heads.map((h) => kit.el('button', { type: 'button', class: 'ae-heads-mini', data: { mini: h.index },
        aria: { label: 'Show head ' + h.name, pressed: 'false' }, on: { click: () => pickHead(h.index) } },
      kit.el('span', { class: 'ae-heads-mini-map', aria: { hidden: 'true' } }),
      kit.el('span', { class: 'ae-heads-mini-name', aria: { hidden: 'true' }, text: h.name }))));
    kit.rovingKeys(minis, '.ae-heads-mini', (i) => pickHead(i));
    // trained mode: every head of every layer, a row per layer; a map opens its layer and head
    const trainedMinis = kit.el('div', { class: 'ae-heads-minis ae-heads-minis-all', role: 'group',
      aria: { label: 'Every head of the trained model at a glance, a row per layer' } });
    kit.rovingKeys(trainedMinis, '.ae-heads-mini', (i, button) => {
      state.layer = Number(button.dataset.layer);
      state.head = Number(button.dataset.head);
      render();
    });
    const sideTitle = kit.el('p', { class: 'ae-heads-side-title', text: 'All four heads at a glance' });
    const minisSlot = kit.el('div', { class: 'ae-heads-minis-slot' }, minis);
    const decoderLine = kit.el('p', { class: 'ae-decoder-line' });

    parts.body.append(kit.el('div', { class: 'ae-controls ae-model-line' }, switcher.node), pickerSlot, desc,
      kit.el('div', { class: 'ae-heads-hover' }, chips.node, summary, decoderLine),
      kit.el('div', { class: 'ae-heads-grid' },
        kit.el('div', { class: 'ae-heads-matrix' }, axes, matrix.node),
        kit.el('div', { class: 'ae-heads-side' }, sideTitle, minisSlot)));

    // Paints one small map: n x n coloured cells from the weights C printed.
    function drawMini(map, texts, n) {
      const m = Math.min(n, MINI_MAX);
      if (map.childElementCount !== m * m) {
        map.style.setProperty('--n', String(m));
        map.replaceChildren(...Array.from({ length: m * m }, () => kit.el('span', { class: 'ae-heat' })));
      }
      Array.from(map.children).forEach((cell, k) => {
        cell.style.setProperty('--w', texts[Math.floor(k / m)][k % m]);
      });
    }

    // The C model runs once per text (core.model caches it); C prints the drawn part of every
    // head's matrix once: full texts for the hooks and labels, short ones (".734") for the cells.
    let computed = null;   // { text, result, texts, short }
    function compute() {
      if (computed && computed.text === state.text) return computed;
      const result = core.model(state.text, { parts: ['weights'] });
      const n = result.tokens.length, m = Math.min(n, MATRIX_MAX);
      const flat = new Float32Array(result.heads.length * m * m);
      result.heads.forEach((h, k) => {
        for (let i = 0; i < m; i++) flat.set(h.weights[i].subarray(0, m), (k * m + i) * m);
      });
      const byHead = (all) => result.heads.map((h, k) =>
        Array.from({ length: m }, (_, i) => all.slice((k * m + i) * m, (k * m + i + 1) * m)));
      const texts = byHead(core.format(flat, 3));
      const short = byHead(core.format(flat, 3, { leadingZero: false }));
      computed = { text: state.text, result, texts, short };
      minis.querySelectorAll('.ae-heads-mini-map').forEach((map, h) => drawMini(map, texts[h], n));
      return computed;
    }

    function render() {
      switcher.set(state.model);
      if (state.model === 'trained') { renderTrained(); return; }
      if (shownModel !== 'designed') keepFocusWord('designed');
      root.dataset.modelState = 'designed';
      if (pickerSlot.firstChild !== picker.node) pickerSlot.replaceChildren(picker.node);
      if (minisSlot.firstChild !== minis) minisSlot.replaceChildren(minis);
      sideTitle.textContent = 'All four heads at a glance';
      decoderLine.textContent = '';
      let result, texts, short;
      try {
        ({ result, texts, short } = compute());
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
        chips.setTokens([]);
        summary.textContent = '';
        matrix.table.replaceChildren();
        minis.querySelectorAll('.ae-heads-mini-map').forEach((map) => map.replaceChildren());
        computed = null;
        drawn = '';
        kit.rendered(root);
        return;
      }
      const n = result.tokens.length;
      parts.note.set(result.truncated
        ? `Only the first ${n} of ${result.totalTokens} tokens are used.` : '');
      state.head = Math.min(Math.max(0, state.head | 0), result.heads.length - 1);
      const known = tokens.length === n && typeof state.focus === 'number';
      tokens = result.tokens;
      if (!known || !(Number.isInteger(state.focus) && state.focus >= 0 && state.focus < n)) {
        state.focus = kit.findToken(tokens, state.focus, kit.findToken(tokens, 'it', n - 1));
      }
      const head = result.heads[state.head], shown = texts[state.head];
      const focalTexts = core.rowReport(result, state.head, state.focus, 3).texts;   // the whole focal row
      const words = tokens.map((t) => t.text);

      picker.press(state.head);
      kit.pressOne(minis.querySelectorAll('.ae-heads-mini'), state.head);
      desc.replaceChildren(kit.el('b', { text: head.name }), ': ' + head.description);
      // A new focal row only moves the highlight: the table is rebuilt when its numbers change.
      const key = state.head + '\n' + state.text;
      const m = Math.min(n, MATRIX_MAX);
      if (key !== drawn) {
        const cut = (rows) => rows.slice(0, m).map((r) => Array.from(r).slice(0, m));
        matrix.set({ rowLabels: words.slice(0, m), colLabels: words.slice(0, m), values: cut(head.weights),
          texts: shown, shortTexts: short[state.head], currentRow: state.focus,
          cellLabel: (i, j) => words[i] + ' looks at ' + words[j] + ': ' + shown[i][j] });
        drawn = key;
      }
      if (n > m) {
        parts.note.set((result.truncated ? `Only the first ${n} of ${result.totalTokens} tokens are used; ` : '') +
          `the matrix shows the first ${m} of ${n} tokens (each full row still adds up to 1; the chips show all).`);
      }
      matrix.table.querySelectorAll('tbody tr').forEach((tr, i) => tr.classList.toggle('ae-current', i === state.focus));

      const row = head.weights[state.focus];
      chips.setTokens(tokens);
      chips.setWeights(row, focalTexts);
      chips.setFocal(state.focus);
      const focal = words[state.focus];
      const top = kit.topThreeText(core, tokens, row, focalTexts);
      summary.replaceChildren('In this head ', kit.el('b', { text: focal }), ' looks at ' + top + '.');
      parts.live.say('Head ' + head.name + ': ' + focal + ' attends most to ' + top + '.');
      root.dataset.focus = String(state.focus);
      kit.rendered(root);
    }

    // Switching models keeps the focal word (the trained model's tokens start with <s>).
    function keepFocusWord(to) {
      if (typeof state.focus === 'number' && tokens[state.focus]) state.focus = tokens[state.focus].text;
      tokens = [];
      drawn = '';
      shownModel = to;
    }

    function clearAll() {
      chips.setTokens([]);
      summary.textContent = '';
      decoderLine.textContent = '';
      matrix.table.replaceChildren();
      drawn = '';
    }

    // The trained model's pickers and the layers x heads maps, built once its shape is known.
    function buildTrained(shape) {
      if (trainedPicker.dataset.layers === String(shape.layers)) return;
      trainedPicker.dataset.layers = String(shape.layers);
      layerPicker.replaceChildren(kit.el('span', { class: 'ae-picker-word', aria: { hidden: 'true' }, text: 'Layer' }),
        ...Array.from({ length: shape.layers }, (_, l) => kit.el('button', {
          type: 'button', class: 'ae-button ae-button-narrow', text: String(l), data: { control: 'layer', layer: l },
          aria: { pressed: 'false', label: 'Layer ' + l }, on: { click: () => pickLayer(l) } })));
      trainedPicker.replaceChildren(...Array.from({ length: shape.heads }, (_, h) => kit.el('button', {
        type: 'button', class: 'ae-button', text: 'Head ' + h, data: { head: h, layer: 0 },
        aria: { pressed: 'false' }, on: { click: () => pickHead(h) } })));
      trainedMinis.style.setProperty('--heads', String(shape.heads));
      trainedMinis.replaceChildren(...Array.from({ length: shape.layers * shape.heads }, (_, k) => {
        const l = Math.floor(k / shape.heads), h = k % shape.heads;
        return kit.el('button', { type: 'button', class: 'ae-heads-mini', data: { layer: l, head: h },
          aria: { label: `Show layer ${l}, head ${h}`, pressed: 'false' },
          on: { click: () => { state.layer = l; state.head = h; render(); } } },
        kit.el('span', { class: 'ae-heads-mini-map', aria: { hidden: 'true' } }),
        kit.el('span', { class: 'ae-heads-mini-name', aria: { hidden: 'true' }, text: `L${l}H${h}` }));
      }));
    }

    // Every head's drawn part printed by C once per text: { text, result, texts[l][h], short[l][h] }
    let computedTrained = null;
    function computeTrained(handle) {
      const result = run(handle, state.text);
      if (computedTrained && computedTrained.result === result) return computedTrained;
      const n = result.tokens.length, m = Math.min(n, MATRIX_MAX);
      const L = result.layers.length, H = result.layers[0].heads.length;
      const flat = new Float32Array(L * H * m * m);
      result.layers.forEach((layer, l) => layer.heads.forEach((h, k) => {
        for (let i = 0; i < m; i++) flat.set(h.weights[i].subarray(0, m), (((l * H + k) * m) + i) * m);
      }));
      const byHead = (all) => result.layers.map((layer, l) => layer.heads.map((h, k) =>
        Array.from({ length: m }, (_, i) => all.slice(((l * H + k) * m + i) * m, ((l * H + k) * m + i + 1) * m))));
      const texts = byHead(core.format(flat, 3));
      const short = byHead(core.format(flat, 3, { leadingZero: false }));
      trainedMinis.querySelectorAll('.ae-heads-mini').forEach((mini) => {
        drawMini(mini.querySelector('.ae-heads-mini-map'), texts[mini.dataset.layer][mini.dataset.head], n);
      });
      computedTrained = { result, texts, short };
      return computedTrained;
    }

    function renderTrained() {
      if (shownModel !== 'trained') keepFocusWord('trained');
      if (pickerSlot.firstChild !== layerPicker) pickerSlot.replaceChildren(layerPicker, trainedPicker);
      if (minisSlot.firstChild !== trainedMinis) minisSlot.replaceChildren(trainedMinis);
      const handle = trained.handleOrWait(loader, root, parts.note, () => { if (state.model === 'trained') render(); });
      if (!handle) {
        clearAll();
        desc.textContent = '';
        kit.rendered(root);
        return;
      }
      const shape = trained.shapeOf(handle), notes = [];
      buildTrained(shape);
      const layer = trained.clampIndex(state.layer, shape.layers, 'layer');
      const headIx = trained.clampIndex(state.head, shape.heads, 'head');
      [layer.note, headIx.note].forEach((t) => { if (t) notes.push(t); });
      state.layer = layer.value;
      state.head = headIx.value;
      sideTitle.textContent = `All ${shape.layers * shape.heads} heads at a glance, a row per layer`;
      kit.pressOne(layerPicker.querySelectorAll('[data-layer]'), state.layer);
      kit.pressOne(trainedPicker.querySelectorAll('[data-head]'), state.head);
      trainedPicker.querySelectorAll('[data-head]').forEach((b) => {
        b.dataset.layer = String(state.layer);
        b.textContent = `L${state.layer}H${b.dataset.head}`;
      });
      kit.pressOne(trainedMinis.querySelectorAll('.ae-heads-mini'), state.layer * shape.heads + state.head);
      let computed;
      try {
        computed = computeTrained(handle);
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
        clearAll();
        trainedMinis.querySelectorAll('.ae-heads-mini-map').forEach((map) => map.replaceChildren());
        computedTrained = null;
        kit.rendered(root);
        return;
      }
      const { result, texts, short } = computed;
      const n = result.tokens.length, m = Math.min(n, MATRIX_MAX);
      if (result.truncated) notes.push(`The trained model reads the first ${n - 1} of ${result.total_tokens} tokens.`);
      if (n > m) notes.push(`The matrix shows the first ${m} of ${n} tokens (each full row still adds up to 1; the chips show all).`);
      const known = tokens.length === n && typeof state.focus === 'number';
      tokens = result.tokens.map((text) => ({ text }));
      if (!known || !(Number.isInteger(state.focus) && state.focus >= 0 && state.focus < n)) {
        state.focus = kit.findToken(tokens, state.focus, kit.findToken(tokens, 'it', n - 1));
      }
      const words = result.tokens, head = result.layers[state.layer].heads[state.head];
      const shown = texts[state.layer][state.head];
      desc.replaceChildren(kit.el('b', { text: head.name }), ': ' +
        trained.habitSentence(core, trained.atlasHead(handle, state.layer, state.head)));
      const key = 'trained\n' + head.name + '\n' + state.text;
      if (key !== drawn) {
        const cut = (rows) => rows.slice(0, m).map((r) => Array.from(r).slice(0, m));
        matrix.set({ rowLabels: words.slice(0, m), colLabels: words.slice(0, m), values: cut(head.weights),
          texts: shown, shortTexts: short[state.layer][state.head], currentRow: state.focus,
          allowed: Array.from({ length: m }, (_, i) => Array.from({ length: m }, (__, j) => j <= i)),
          cellLabel: (i, j) => j > i ? words[i] + ' cannot see ' + words[j] + ' (later): 0'
            : words[i] + ' looks at ' + words[j] + ': ' + shown[i][j] });
        drawn = key;
      }
      matrix.table.querySelectorAll('tbody tr').forEach((tr, i) => tr.classList.toggle('ae-current', i === state.focus));
      const row = head.weights[state.focus];
      const focalTexts = core.format(row, 3);
      chips.setTokens(tokens);
      chips.setWeights(row, focalTexts);
      chips.setFocal(state.focus);
      trained.markTokens(chips.node, result, state.focus);
      const focal = words[state.focus];
      const top = kit.topThreeText(core, tokens, row, focalTexts);
      summary.replaceChildren('In ' + head.name + ' ', kit.el('b', { text: focal }), ' looks at ' + top + '.');
      decoderLine.textContent = trained.decoderText(words, state.focus);
      const unknown = trained.unknownText(result);
      if (unknown) notes.push(unknown);
      parts.note.set(notes.join(' '));
      parts.live.say(head.name + ': ' + focal + ' attends most to ' + top + '.');
      root.dataset.focus = String(state.focus);
      kit.rendered(root);
    }

    render();
    // set() changes any of text, head, focus, model, layer and redraws
    return kit.simpleInstance(state, render, null, () => { parts.destroy(); loader.destroy(); });
  };
})(window.AttentionExplorer);
