/* fig-heads.js - Figure 2.1: four heads on the same sentence.
   The designed heads of the C model, one at a time: a picker, the head's name and
   description (from C), its full weight matrix (rows look, columns are looked at), the
   focal token's row on the sentence's chips, and four small maps side by side so the
   patterns can be compared at a glance. Every number shown is printed by C. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  AE.defaults = AE.defaults || {};
  AE.defaults.sentence = AE.defaults.sentence || "The trophy didn't fit in the suitcase because it was too big.";

  // Long texts: the matrix and the small maps show the first MATRIX_MAX tokens (a 256 x 256
  // table would be 65,536 cells and make every click slow); the chips still show every token.
  const MATRIX_MAX = 40;
  const MINI_MAX = MATRIX_MAX;

  // options: { text, head (0..3), focus (word or index), number, title }
  AE.figures.heads = function mountHeads(root, core, options) {
    options = options || {};
    const state = {
      text: options.text !== undefined ? options.text : AE.defaults.sentence,
      head: options.head !== undefined ? options.head : 0,
      focus: options.focus !== undefined ? options.focus : 'it',   // a word until resolved
    };
    const parts = kit.frame(root, options.number === undefined ? '2.1' : options.number,
      options.title || 'Four heads on the same sentence', 'Pick a head');
    let tokens = [];
    let drawn = '';   // head and text the matrix was last drawn for

    // Choosing a head from anywhere (picker, arrow keys, small maps) goes through here.
    const pickHead = (h) => { if (h !== state.head) { state.head = h; render(); } };
    const pickRow = (i) => { if (i !== state.focus) { state.focus = i; render(); } };

    const picker = kit.headPicker(core, pickHead, 'ae-heads-picker', 'Pick a head');

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

    parts.body.append(picker.node, desc,
      kit.el('div', { class: 'ae-heads-hover' }, chips.node, summary),
      kit.el('div', { class: 'ae-heads-grid' },
        kit.el('div', { class: 'ae-heads-matrix' }, axes, matrix.node),
        kit.el('div', { class: 'ae-heads-side' },
          kit.el('p', { class: 'ae-heads-side-title', text: 'All four heads at a glance' }), minis)));

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

    render();
    // set() changes any of text, head, focus and redraws
    return kit.simpleInstance(state, render, null, parts.destroy);
  };
})(window.AttentionExplorer);
