/* fig-qkv.js - Figure 3.1: the arithmetic of one attention row, for your sentence.
   The query vector of one token, every token's key and value, the dot products, the scaled
   scores, the softmax weights and the weighted sum that becomes the output, as one table
   (fig-qkv-table.js). Nudge a component of the query or of a key (fig-qkv-whatif.js) and the
   C kernel recomputes everything downstream. This file holds the state and the C calls. */
(function (AE) {
  'use strict';
  const kit = AE.kit, el = kit.el;
  const SENTENCE = "The animal didn't cross the road because it was tired.";
  const MAX_SHOWN = 40;                              // tokens drawn: 40 rows of every number stay quick

  // options: { text, focus (word or index), head, temperature, number, title, numbers }
  AE.figures.qkv = function mountQkv(root, core, options) {
    options = options || {};
    const state = {
      text: options.text !== undefined ? options.text : SENTENCE,
      focus: options.focus !== undefined ? options.focus : 'it',
      head: options.head !== undefined ? options.head : 0,
      temperature: options.temperature !== undefined ? options.temperature : 1,
      numbers: options.numbers !== undefined ? !!options.numbers : root.clientWidth >= 600,
      keyToken: null,                                // the key being nudged; null = the top one
      edits: options.edits || { q: {}, k: {} },       // token index -> { dim: value typed }
    };
    let keepEdits = !!options.edits;                 // edits from a link: keep them through the next draw
    const number = options.number === undefined ? '3.1' : options.number;
    const parts = kit.frame(root, number, options.title || 'Q, K, V vectors for your sentence', 'Hover · type · nudge');
    const dText = core.format([core.headDim], 0)[0];
    let tokens = [], editBase = null;

    // ---- controls: sentence, head, query token
    const input = el('input', { class: 'ae-text', type: 'text', value: state.text, spellcheck: 'false',
      autocomplete: 'off', data: { control: 'text' }, aria: { label: 'Sentence for Figure ' + number },
      on: { input: () => { state.text = input.value; render(); } } });
    const heads = kit.headPicker(core, (i) => pickHead(i), 'ae-qkv-heads', 'Head');
    const headInfo = el('p', { class: 'ae-qkv-headinfo' });
    const chips = kit.tokenRow((i) => { state.focus = i; render(); }, 'Query token: pick one with the arrow keys, hover or tap');
    const numbersButton = el('button', { type: 'button', class: 'ae-button ae-qkv-small', text: 'Numbers',
      data: { control: 'numbers' }, on: { click: () => { state.numbers = !state.numbers; render(); } } });
    parts.body.classList.add('ae-qkv');

    // ---- the table and the what-if box, each in its own file
    const ctx = { core, state, parts, dText, render: () => render() };
    const table = AE.qkvParts.table(ctx);
    const whatIf = AE.qkvParts.whatIf(ctx);
    const formula = el('div', { class: 'ae-qkv-formula' }, table.formulaText, numbersButton);
    const content = el('div', { class: 'ae-qkv-content' }, formula, table.area, whatIf.node);
    parts.body.append(el('label', { class: 'ae-text-label ae-qkv-sentence' }, 'Your sentence', input),
      el('div', { class: 'ae-qkv-row' }, el('span', { class: 'ae-qkv-label', text: 'Head' }), heads.node),
      headInfo, el('div', { class: 'ae-qkv-row' }, el('span', { class: 'ae-qkv-label', text: 'Query token' })),
      chips.node, content);

    function pickHead(h) { if (h !== state.head) { state.head = h; render(); } }

    // The rows C computed, with the learner's nudges applied and re-run through the C kernel.
    function compute(head) {
      const edited = Object.keys(state.edits.q).length + Object.keys(state.edits.k).length > 0;
      if (!edited) return head;
      const apply = (rows, edits) => rows.map((row, i) => {
        if (!edits[i]) return row;
        const copy = Float32Array.from(row);
        Object.keys(edits[i]).forEach((d) => { copy[d] = edits[i][d]; });
        return copy;
      });
      const q = apply(head.q, state.edits.q), k = apply(head.k, state.edits.k);
      const r = core.head(q, k, head.v, { temperature: state.temperature });
      return { q, k, v: head.v, raw: r.raw, scaled: r.scaled, weights: r.weights, output: r.output };
    }

    // n rows of d values -> n rows of C-printed texts, one format call
    function formatRows(rows, decimals) {
      const d = rows[0].length, flat = new Float32Array(rows.length * d);
      rows.forEach((row, j) => flat.set(row, j * d));
      const texts = core.format(flat, decimals);
      return rows.map((row, j) => texts.slice(j * d, (j + 1) * d));
    }

    function render() {
      let result, shown;
      try {
        shown = kit.firstTokens(core, state.text, MAX_SHOWN);
        result = core.model(shown.text, { temperature: state.temperature });
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
        chips.setTokens([]);
        content.hidden = true;
        tokens = [];
        kit.rendered(root);
        return;
      }
      const h = Math.min(Math.max(0, state.head | 0), result.heads.length - 1);
      const head = result.heads[h];
      const known = tokens.length === result.tokens.length && typeof state.focus === 'number';
      tokens = result.tokens;
      // a word, or an index that is not a token here (-1, 2.5, 99, NaN from set()): look it up again
      const inRange = Number.isInteger(state.focus) && state.focus >= 0 && state.focus < tokens.length;
      if (!known || !inRange) {
        state.focus = kit.findToken(tokens, state.focus, kit.findToken(tokens, 'it', tokens.length - 1));
      }
      if (editBase !== state.text + '\n' + h && !keepEdits) {   // new vectors: old nudges mean nothing
        state.edits = { q: {}, k: {} };
        state.keyToken = null;
      }
      editBase = state.text + '\n' + h;
      if (keepEdits) {   // edits from a link: only tokens and dimensions that exist here
        keepEdits = false;
        for (const part of ['q', 'k']) {
          for (const j of Object.keys(state.edits[part])) {
            const dims = state.edits[part][j];
            for (const d of Object.keys(dims)) if (Number(d) >= core.headDim) delete dims[d];
            if (Number(j) >= tokens.length || !Object.keys(dims).length) delete state.edits[part][j];
          }
        }
        const keyEdited = Object.keys(state.edits.k);
        if (keyEdited.length && state.keyToken === null) state.keyToken = Number(keyEdited[0]);
      }
      const i = state.focus;
      let view;
      try {
        view = compute(head);
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
        return;
      }
      parts.note.set(shown.total > tokens.length
        ? `Only the first ${tokens.length} of ${shown.total} tokens are used: this figure shows every number of ` +
          'every token, so it keeps to short sentences.' : '');
      content.hidden = false;
      const kj = Number.isInteger(state.keyToken) && state.keyToken >= 0 && state.keyToken < tokens.length ? state.keyToken
        : core.topK(head.weights[i], 1)[0];
      const names = head.dimNames;
      const cur = {
        i, kj, names, word: tokens[i].text,
        q: core.format(view.q[i], 2), k: formatRows(view.k, 2), v: formatRows(view.v, 2),
        raw: core.format(view.raw[i], 3), scaled: core.format(view.scaled[i], 3),
        w: core.format(view.weights[i], 3), out: core.format(view.output[i], 2),
        sum: core.format(core.rowSums([view.weights[i]]), 3)[0], weights: view.weights[i],
        origQ: core.format(head.q[i], 2), origK: core.format(head.k[kj], 2),
      };

      heads.press(h);
      headInfo.textContent = head.description;
      numbersButton.setAttribute('aria-pressed', String(state.numbers));
      numbersButton.setAttribute('aria-label', 'Show the numbers of every vector');
      parts.body.classList.toggle('ae-qkv-numbers', state.numbers);
      chips.setTokens(tokens);
      chips.setWeights(view.weights[i], cur.w);
      chips.setFocal(i);
      table.draw(view, cur, tokens);
      const edited = Object.keys(state.edits.q).length + Object.keys(state.edits.k).length > 0;
      whatIf.draw(cur, tokens, editBase);

      const top = kit.topThreeText(core, tokens, view.weights[i], cur.w);
      parts.live.say(`${cur.word} attends most to ${top}${edited ? ' (with your edits)' : ''}.`);
      root.dataset.focus = String(i);
      kit.rendered(root);
    }

    render();
    // Numbers by default where they fit: a box wide enough by the rule above but still too
    // narrow for every number (a course column, a wider font) shows the glyphs instead.
    if (options.numbers === undefined && state.numbers) {
      const wrap = root.querySelector('.ae-qkv-wrap');
      if (wrap && wrap.scrollWidth > wrap.clientWidth + 1) {
        state.numbers = false;
        render();
      }
    }
    // set() changes any of text, focus, head, temperature, numbers, edits and redraws
    const instance = kit.simpleInstance(state, render, input, parts.destroy);
    const merge = instance.set;
    instance.set = (change) => {
      if (change && 'edits' in change) { keepEdits = true; whatIf.forget(); }
      merge(change);
    };
    return instance;
  };
})(window.AttentionExplorer);
