/* fig-qkv-whatif.js - Figure 3.1's "What if?" box: number inputs for the query and for one key.
   A typed number replaces one component in fig-qkv.js's state, which re-runs the C kernel on
   the edited vectors; typing the printed value back restores C's own. Layout and input only. */
(function (AE) {
  'use strict';
  const kit = AE.kit, el = kit.el;
  const LIMIT = 50;                                  // largest magnitude a nudge may take

  // ctx: { state, parts, render } from fig-qkv.js. Returns the node to place,
  // draw(cur, tokens, editBase) and forget() (the next draw rebuilds the inputs).
  AE.qkvParts = AE.qkvParts || {};
  AE.qkvParts.whatIf = function qkvWhatIf(ctx) {
    const { state, parts } = ctx;
    const render = () => ctx.render();
    let cur = null, tokens = [], editorKey = null;

    const badges = el('span', { class: 'ae-qkv-badges' });
    const reset = el('button', { type: 'button', class: 'ae-button ae-qkv-small', text: 'Reset',
      data: { control: 'reset' }, on: { click: resetEdits } });
    const qTitle = el('p', { class: 'ae-qkv-edit-title' });
    const qGrid = el('div', { class: 'ae-qkv-grid', role: 'group' });
    const keySelect = el('select', { class: 'ae-qkv-select', data: { control: 'key-token' },
      on: { change: () => { state.keyToken = Number(keySelect.value); render(); } } });
    const kGrid = el('div', { class: 'ae-qkv-grid', role: 'group' });
    const node = el('div', { class: 'ae-qkv-whatif' },
      el('div', { class: 'ae-qkv-whatif-head' }, el('strong', { text: 'What if?' }), badges, reset),
      el('div', { class: 'ae-qkv-edit' }, qTitle, qGrid),
      el('div', { class: 'ae-qkv-edit' }, el('label', { class: 'ae-qkv-edit-title' }, 'Key of ', keySelect), kGrid));

    // The inputs are rebuilt when the vectors they show change, not while typing.
    function field(control, names, texts, d, j, edits) {
      const box = el('input', { class: 'ae-qkv-input', type: 'number', step: '0.1', min: -LIMIT, max: LIMIT,
        value: edits && d in edits ? String(edits[d]) : texts[d], inputmode: 'decimal',
        data: { control, dim: d, token: j, original: texts[d] }, on: { input: nudge } });
      return el('label', { class: 'ae-qkv-field', title: names[d] }, el('span', { text: names[d] }), box);
    }

    function drawEditors(editBase) {
      const { i, kj, names } = cur;
      const key = [editBase, i, kj, tokens.length].join('|');
      if (key !== editorKey) {
        editorKey = key;
        qTitle.textContent = `Query of “${cur.word}”`;
        qGrid.setAttribute('aria-label', `Query of ${cur.word}, one number per dimension`);
        qGrid.replaceChildren(...names.q.map((_, d) => field('query-component', names.q, cur.origQ, d, i, state.edits.q[i])));
        kGrid.setAttribute('aria-label', `Key of ${tokens[kj].text}, one number per dimension`);
        kGrid.replaceChildren(...names.k.map((_, d) => field('key-component', names.k, cur.origK, d, kj, state.edits.k[kj])));
        keySelect.replaceChildren(...tokens.map((t, j) => el('option', { value: j, text: `${t.text} (${j + 1})` })));
        keySelect.value = String(kj);
      }
      [[qGrid, state.edits.q[i]], [kGrid, state.edits.k[kj]]].forEach(([grid, edits]) => grid.querySelectorAll('input')
        .forEach((box) => box.classList.toggle('ae-qkv-edited', !!edits && box.dataset.dim in edits)));
      const list = [];
      Object.keys(state.edits.q).forEach((j) => list.push(`query of ${tokens[j].text} edited`));
      Object.keys(state.edits.k).forEach((j) => list.push(`key of ${tokens[j].text} edited`));
      badges.replaceChildren(...(list.length ? list.map((t) => el('span', { class: 'ae-qkv-badge', text: t }))
        : [el('span', { class: 'ae-qkv-pristine', text: 'the model’s own vectors: nudge a number below' })]));
      reset.disabled = !list.length;
    }

    // A typed number replaces one component; typing the printed value back restores C's own.
    function nudge(e) {
      const box = e.target, d = Number(box.dataset.dim), j = Number(box.dataset.token);
      const value = box.valueAsNumber, bad = !Number.isFinite(value) || Math.abs(value) > LIMIT;
      box.setAttribute('aria-invalid', String(bad));
      if (bad) return;
      const edits = box.dataset.control === 'query-component' ? state.edits.q : state.edits.k;
      if (box.dataset.control === 'key-component') state.keyToken = j;   // pin the key being nudged
      const row = edits[j] || (edits[j] = {});
      if (value === Number(box.dataset.original)) delete row[d];
      else row[d] = value;
      if (!Object.keys(row).length) delete edits[j];
      render();
    }

    function resetEdits() {
      state.edits = { q: {}, k: {} };
      editorKey = null;
      render();
      parts.live.say('Back to the model’s own vectors.');
    }

    return {
      node,
      forget() { editorKey = null; },   // edits set from outside (a link): rebuild the inputs
      draw(current, shownTokens, editBase) {
        cur = current;
        tokens = shownTokens;
        drawEditors(editBase);
      },
    };
  };
})(window.AttentionExplorer);
