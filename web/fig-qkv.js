/* fig-qkv.js - Figure 3.1: the arithmetic of one attention row, for your sentence.
   The query vector of one token, every token's key and value, the dot products, the scaled
   scores, the softmax weights and the weighted sum that becomes the output, as one table.
   Hover or focus a number to see where it came from; nudge a component of the query or of
   a key and the C kernel recomputes everything downstream. */
(function (AE) {
  'use strict';
  const kit = AE.kit, el = kit.el;
  const SENTENCE = "The animal didn't cross the road because it was tired.";
  const LIMIT = 50;                                  // largest magnitude a nudge may take
  const COLS = { q: 1, k: 1, raw: 2, scaled: 3, weight: 4, v: 5, out: 5 };
  const MAX_SHOWN = 40;                              // tokens drawn: 40 rows of every number stay quick

  // Largest |value| of some rows: the scale of their bar glyphs (layout only).
  function maxAbs(rows) {
    let m = 0;
    rows.forEach((row) => row.forEach((v) => { m = Math.max(m, Math.abs(v)); }));
    return m || 1;
  }

  // A vector as a glyph: per component a tiny bar (up positive, down negative), the number
  // C printed under it, the dimension name in the title. Hidden from screen readers: the
  // cell around it carries the same numbers in its label.
  function vector(values, texts, names, scale, edited, kind) {
    return el('span', { class: 'ae-qkv-vec' + (kind ? ' ae-qkv-' + kind : ''), aria: { hidden: 'true' } },
      Array.from(values, (v, d) => el('span', {
        class: 'ae-qkv-comp' + (edited && d in edited ? ' ae-qkv-edited' : ''), title: names[d] + ': ' + texts[d] },
      el('span', { class: 'ae-qkv-bar' }, el('i', { class: v < 0 ? 'ae-qkv-neg' : null,
        style: { '--h': String(Math.min(1, Math.abs(v) / scale)) } })),
      el('span', { class: 'ae-qkv-n', text: texts[d] }),
      kind === 'full' ? el('span', { class: 'ae-qkv-name', text: names[d] }) : null)));
  }
  const spell = (names, texts) => names.map((name, d) => name + ' ' + texts[d]).join(', ');
  // "is an animal 1.00, antecedent 1.42": the components that are not zero as printed
  const nonzero = (names, texts) => names.map((name, d) => (Number(texts[d]) ? name + ' ' + texts[d] : null))
    .filter(Boolean).join(', ') || 'all zeros';

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
      edits: { q: {}, k: {} },                       // token index -> { dim: value typed }
    };
    const number = options.number === undefined ? '3.1' : options.number;
    const parts = kit.frame(root, number, options.title || 'Q, K, V vectors for your sentence', 'Hover · type · nudge');
    const dText = core.format([core.headDim], 0)[0];
    let tokens = [], editBase = null, editorKey = null, cur = null, hotKey = null, tabKey = 'q';

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
    const formulaText = el('div', { class: 'ae-qkv-formula-text' });
    const formula = el('div', { class: 'ae-qkv-formula' }, formulaText, numbersButton);
    const table = el('table', { class: 'ae-qkv-table' });
    const wrap = el('div', { class: 'ae-matrix-wrap ae-qkv-wrap' }, table);
    const outBox = el('div', { class: 'ae-qkv-out ae-qkv-cell', tabindex: '0', data: { part: 'out', key: 'outbox' } });
    const explain = el('p', { class: 'ae-qkv-explain' });

    // ---- what-if: number inputs for the query and for one key
    const badges = el('span', { class: 'ae-qkv-badges' });
    const reset = el('button', { type: 'button', class: 'ae-button ae-qkv-small', text: 'Reset',
      data: { control: 'reset' }, on: { click: resetEdits } });
    const qTitle = el('p', { class: 'ae-qkv-edit-title' });
    const qGrid = el('div', { class: 'ae-qkv-grid', role: 'group' });
    const keySelect = el('select', { class: 'ae-qkv-select', data: { control: 'key-token' },
      on: { change: () => { state.keyToken = Number(keySelect.value); render(); } } });
    const kGrid = el('div', { class: 'ae-qkv-grid', role: 'group' });
    const whatIf = el('div', { class: 'ae-qkv-whatif' },
      el('div', { class: 'ae-qkv-whatif-head' }, el('strong', { text: 'What if?' }), badges, reset),
      el('div', { class: 'ae-qkv-edit' }, qTitle, qGrid),
      el('div', { class: 'ae-qkv-edit' }, el('label', { class: 'ae-qkv-edit-title' }, 'Key of ', keySelect), kGrid));
    const content = el('div', { class: 'ae-qkv-content' }, formula, wrap, outBox, explain, whatIf);
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
        root.dataset.ready = 'true';
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
      if (editBase !== state.text + '\n' + h) {          // new vectors: old nudges mean nothing
        editBase = state.text + '\n' + h;
        state.edits = { q: {}, k: {} };
        state.keyToken = null;
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
        : kit.topIndices(head.weights[i], 1)[0];
      const names = head.dimNames;
      cur = {
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
      drawFormula();
      drawTable(view);
      drawOutput(view);
      drawEditors(h);
      highlight(hotKey ? root.querySelector(`[data-key="${hotKey}"]`) : null);

      const top = kit.topThreeText(tokens, view.weights[i], cur.w);
      const edited = badges.childElementCount ? ' (with your edits)' : '';
      parts.live.say(`${cur.word} attends most to ${top}${edited}.`);
      root.dataset.focus = String(i);
      root.dataset.ready = 'true';
    }

    function drawFormula() {
      const t = state.temperature === 1 ? '' : ' / T';
      formulaText.replaceChildren(
        el('code', { class: 'ae-qkv-big', text: `softmax(QKᵀ / √d${t}) V` }),
        el('span', { text: `d = ${dText}` + (t ? ', T = ' + core.format([state.temperature], 2)[0] : '') +
          ` · the row for “${cur.word}”: score every key, scale, softmax, then mix the values.` }));
    }

    // One focusable cell of the table; `key` names it for highlighting and focus keeping.
    function cell(part, j, r, label, ...children) {
      const key = part + (j === undefined ? '' : ':' + j);
      const data = j === undefined ? { part, r, c: COLS[part], key } : { part, j, r, c: COLS[part], key };
      return el('td', { class: 'ae-qkv-cell ae-qkv-' + part, tabindex: key === tabKey ? '0' : '-1',
        data, aria: { label } }, ...children);
    }

    function drawTable(view) {
      const { i, names } = cur, n = tokens.length;
      const active = document.activeElement && table.contains(document.activeElement) ? document.activeElement.dataset.key : null;
      const kScale = maxAbs(view.k), vScale = maxAbs(view.v.concat([view.output[i]]));
      const sub = (main, small) => [el('span', { text: main }), el('small', { text: small })];
      const head = el('thead', null, el('tr', null,
        el('th', { scope: 'col', text: 'token j' }), el('th', { scope: 'col' }, sub('key', 'kⱼ')),
        el('th', { scope: 'col' }, sub('score', 'q·kⱼ')), el('th', { scope: 'col' }, sub('scaled', '÷ √' + dText)),
        el('th', { scope: 'col' }, sub('weight', state.temperature === 1 ? 'softmax' : 'softmax(·/T)')),
        el('th', { scope: 'col' }, sub('value', 'vⱼ'))));
      const qBody = el('tbody', { class: 'ae-qkv-qbody' }, el('tr', null,
        el('th', { scope: 'row' }, el('span', { class: 'ae-qkv-tag', text: 'query' }), ' ', cur.word),
        cell('q', undefined, -1, `query of ${cur.word}: ${spell(names.q, cur.q)}`,
          vector(view.q[i], cur.q, names.q, maxAbs([view.q[i]]), state.edits.q[i])),
        el('td', { colspan: '4', class: 'ae-qkv-hint', text: '· dotted with every key below' })));
      const rows = el('tbody', null, tokens.map((t, j) => el('tr', { class: j === i ? 'ae-current' : null },
        el('th', { scope: 'row', title: t.text }, el('span', { class: 'ae-qkv-word', text: t.text }),
          state.edits.k[j] ? el('span', { class: 'ae-qkv-tag', text: 'edited' }) : null),
        cell('k', j, j, `key of ${t.text}: ${spell(names.k, cur.k[j])}`,
          vector(view.k[j], cur.k[j], names.k, kScale, state.edits.k[j])),
        cell('raw', j, j, `score q·k for ${t.text}: ${cur.raw[j]}`, cur.raw[j]),
        cell('scaled', j, j, `scaled score for ${t.text}: ${cur.raw[j]} ÷ √${dText} = ${cur.scaled[j]}`, cur.scaled[j]),
        weightCell(j, t.text),
        cell('v', j, j, `value of ${t.text}: ${spell(names.v, cur.v[j])}`,
          vector(view.v[j], cur.v[j], names.v, vScale, null, 'glyph')))));
      const foot = el('tfoot', null, el('tr', null,
        el('th', { scope: 'row' }, el('span', { class: 'ae-qkv-tag', text: 'output' }), ' ', cur.word),
        el('td', { colspan: '4', class: 'ae-qkv-hint', text: 'Σ weightⱼ × vⱼ =' }),
        cell('out', undefined, n, `output of ${cur.word}: ${spell(names.v, cur.out)}`,
          vector(view.output[i], cur.out, names.v, vScale, null, 'glyph'))));
      table.replaceChildren(el('caption', { class: 'ae-sr-only',
        text: `How ${cur.word} attends: its query, every key, the scores, weights and values` }), head, qBody, rows, foot);
      if (!table.querySelector('[tabindex="0"]')) { tabKey = 'q'; table.querySelector('[data-key="q"]').tabIndex = 0; }
      if (active) { const again = table.querySelector(`[data-key="${active}"]`); if (again) again.focus(); }
    }

    function weightCell(j, word) {
      const node = cell('weight', j, j, `weight on ${word}: ${cur.w[j]}, the softmax of the scaled scores`,
        el('span', { class: 'ae-qkv-w' }, el('span', { class: 'ae-qkv-track' },
          el('span', { class: 'ae-qkv-fill ae-heat', style: { '--w': cur.w[j] } })),
        el('span', { class: 'ae-qkv-wnum', text: cur.w[j] })));
      node.dataset.weight = cur.w[j];
      return node;
    }

    function drawOutput(view) {
      const { i, names } = cur;
      const top = kit.topIndices(Array.from(view.output[i], Math.abs), 3).filter((d) => Number(cur.out[d]));
      outBox.setAttribute('aria-label', `output of ${cur.word}: ${spell(names.v, cur.out)}`);
      outBox.replaceChildren(
        el('p', { class: 'ae-qkv-out-title' }, el('span', { class: 'ae-qkv-tag', text: 'output' }),
          ` what “${cur.word}” passes on: ` + (top.length ? 'mostly ' + top.map((d) => names.v[d] + ' ' + cur.out[d]).join(' · ') : 'nothing (all zeros)')),
        vector(view.output[i], cur.out, names.v, maxAbs(view.v.concat([view.output[i]])), null, 'full'));
    }

    // Where a number came from: weight <- scaled score <- raw score <- q and k; output <- weights and values.
    function sourcesOf(node) {
      const j = node.dataset.j, find = (p, x) => table.querySelector(`[data-key="${p}${x === undefined ? '' : ':' + x}"]`);
      switch (node.dataset.part) {
        case 'weight': return [find('scaled', j)];
        case 'scaled': return [find('raw', j)];
        case 'raw': return [find('q'), find('k', j)];
        case 'out': return Array.from(table.querySelectorAll('[data-part="weight"], [data-part="v"]'));
        default: return [];
      }
    }

    function explainOf(node) {
      const j = Number(node.dataset.j), word = tokens[j] ? tokens[j].text : '', { names } = cur;
      switch (node.dataset.part) {
        case 'weight': return `weight on “${word}” ${cur.w[j]} = softmax of its scaled score ${cur.scaled[j]} against all ${tokens.length} scaled scores; the weights add up to ${cur.sum}.`;
        case 'scaled': return `${cur.scaled[j]} = ${cur.raw[j]} ÷ √${dText}: dividing by √d keeps the scores in a comfortable range.`;
        case 'raw': {
          const pairs = names.q.map((name, d) => (Number(cur.q[d]) && Number(cur.k[j][d])
            ? `${cur.q[d]} (${name}) × ${cur.k[j][d]} (${names.k[d]})` : null)).filter(Boolean);
          return `${cur.raw[j]} = q(“${cur.word}”) · k(“${word}”): multiply the components that line up and add. ` +
            (pairs.length ? 'Non-zero pairs: ' + pairs.join(' + ') + '.' : 'No component is non-zero in both, so the score is 0.');
        }
        case 'q': return `query of “${cur.word}”, what it looks for: ${nonzero(names.q, cur.q)}.`;
        case 'k': return `key of “${word}”, what it offers: ${nonzero(names.k, cur.k[j])}. Click to nudge this key below.`;
        case 'v': return `value of “${word}”, what it passes on if chosen: ${nonzero(names.v, cur.v[j])}. It counts with weight ${cur.w[j]}.`;
        case 'out': return `output of “${cur.word}” = Σ weightⱼ × vⱼ: ${nonzero(names.v, cur.out)}.`;
        default: return '';
      }
    }

    function highlight(node) {
      root.querySelectorAll('.ae-qkv-hot, .ae-qkv-src').forEach((x) => x.classList.remove('ae-qkv-hot', 'ae-qkv-src'));
      hotKey = node ? node.dataset.key : null;
      if (!node || !cur) { explain.textContent = 'Hover, tap or focus a number to see where it comes from.'; return; }
      node.classList.add('ae-qkv-hot');
      sourcesOf(node).forEach((s) => s && s.classList.add('ae-qkv-src'));
      explain.textContent = explainOf(node);
    }

    content.addEventListener('mouseover', (e) => {
      const node = e.target.closest('.ae-qkv-cell');
      if (node && node.dataset.key !== hotKey) highlight(node);
    });
    content.addEventListener('focusin', (e) => {
      const node = e.target.closest('.ae-qkv-cell');
      if (!node) return;
      if (table.contains(node)) { tabKey = node.dataset.key; table.querySelectorAll('.ae-qkv-cell').forEach((c) => { c.tabIndex = c === node ? 0 : -1; }); }
      highlight(node);
    });
    [wrap, outBox].forEach((area) => area.addEventListener('mouseleave', () => {
      if (!content.contains(document.activeElement) || !document.activeElement.closest('.ae-qkv-cell')) highlight(null);
    }));
    content.addEventListener('focusout', (e) => { if (!e.relatedTarget || !e.relatedTarget.closest('.ae-qkv-cell')) highlight(null); });
    // clicking (or Enter on) a key chooses it for nudging
    table.addEventListener('click', (e) => {
      const node = e.target.closest('[data-part="k"]');
      if (node) { state.keyToken = Number(node.dataset.j); render(); }
    });
    // arrows move through the table like a grid: one tab stop, every number reachable
    table.addEventListener('keydown', (e) => {
      const node = e.target.closest('.ae-qkv-cell');
      if (!node) return;
      if ((e.key === 'Enter' || e.key === ' ') && node.dataset.part === 'k') { e.preventDefault(); node.click(); return; }
      const dir = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
      if (!dir) return;
      const r = Number(node.dataset.r), c = Number(node.dataset.c);
      let best = null, bestCost = Infinity;
      table.querySelectorAll('.ae-qkv-cell').forEach((x) => {
        const dr = Number(x.dataset.r) - r, dc = Number(x.dataset.c) - c;
        const ok = dir[0] ? Math.sign(dr) === dir[0] : dr === 0 && Math.sign(dc) === dir[1];
        const cost = Math.abs(dr) * 100 + Math.abs(dc);
        if (ok && cost < bestCost) { best = x; bestCost = cost; }
      });
      e.preventDefault();
      if (best) best.focus();
    });

    // ---- what-if editors: rebuilt when the vectors they show change, not while typing
    function field(control, names, texts, d, j, edits) {
      const box = el('input', { class: 'ae-qkv-input', type: 'number', step: '0.1', min: -LIMIT, max: LIMIT,
        value: edits && d in edits ? String(edits[d]) : texts[d], inputmode: 'decimal',
        data: { control, dim: d, token: j, original: texts[d] }, on: { input: nudge } });
      return el('label', { class: 'ae-qkv-field', title: names[d] }, el('span', { text: names[d] }), box);
    }

    function drawEditors(h) {
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

    render();
    return {
      state,
      // Changes any of text, focus, head, temperature, numbers and redraws.
      set(change) {
        Object.assign(state, change);
        if ('text' in change && input.value !== state.text) input.value = state.text;
        render();
      },
    };
  };
})(window.AttentionExplorer);
