/* fig-qkv-table.js - Figure 3.1's table of one attention row: the query, every key, the scores,
   the scaled scores, the weights, the values and the output, each number printed by C, as one
   keyboard-navigable table. Hover or focus a number to see where it came from. fig-qkv.js owns
   the state and calls draw(); this file only lays out and explains. */
(function (AE) {
  'use strict';
  const kit = AE.kit, el = kit.el;
  const COLS = { q: 1, k: 1, raw: 2, scaled: 3, weight: 4, v: 5, out: 5 };

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

  // ctx: { core, state, dText } from fig-qkv.js. Returns the nodes to place and
  // draw(view, cur, tokens), which redraws the formula, the table and the output box.
  AE.qkvParts = AE.qkvParts || {};
  AE.qkvParts.table = function qkvTable(ctx) {
    const { core, state, dText } = ctx;
    const formulaText = el('div', { class: 'ae-qkv-formula-text' });
    const table = el('table', { class: 'ae-qkv-table' });
    // (no extra tab stop for the scroll box: the table's own cells are one, arrows move inside)
    const wrap = el('div', { class: 'ae-matrix-wrap ae-qkv-wrap' }, table);
    const outBox = el('div', { class: 'ae-qkv-out ae-qkv-cell', tabindex: '0', data: { part: 'out', key: 'outbox' } });
    const explain = el('p', { class: 'ae-qkv-explain' });
    const area = el('div', { class: 'ae-qkv-area' }, wrap, outBox, explain);
    let cur = null, tokens = [], hotKey = null, tabKey = 'q';

    function drawFormula() {
      // no-break spaces inside each half: on a phone the line breaks only after "="
      const t = state.temperature === 1 ? '' : '\u00a0/\u00a0T';
      formulaText.replaceChildren(
        el('code', { class: 'ae-qkv-big', text: `attention(Q,\u00a0K,\u00a0V)\u00a0= softmax(QKᵀ\u00a0/\u00a0√d${t})\u00a0V` }),
        el('span', { class: 'ae-qkv-motto', text: 'Three matmuls and a softmax. That is all of it.' }),
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
      // the three largest components by size, ranked by C (the sign is dropped for ranking only)
      const top = Array.from(core.topK(Float32Array.from(view.output[i], Math.abs), 3)).filter((d) => Number(cur.out[d]));
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
      area.querySelectorAll('.ae-qkv-hot, .ae-qkv-src').forEach((x) => x.classList.remove('ae-qkv-hot', 'ae-qkv-src'));
      hotKey = node ? node.dataset.key : null;
      if (!node || !cur) { explain.textContent = 'Hover, tap or focus a number to see where it comes from.'; return; }
      node.classList.add('ae-qkv-hot');
      sourcesOf(node).forEach((s) => s && s.classList.add('ae-qkv-src'));
      explain.textContent = explainOf(node);
    }

    area.addEventListener('mouseover', (e) => {
      const node = e.target.closest('.ae-qkv-cell');
      if (node && node.dataset.key !== hotKey) highlight(node);
    });
    area.addEventListener('focusin', (e) => {
      const node = e.target.closest('.ae-qkv-cell');
      if (!node) return;
      if (table.contains(node)) { tabKey = node.dataset.key; table.querySelectorAll('.ae-qkv-cell').forEach((c) => { c.tabIndex = c === node ? 0 : -1; }); }
      highlight(node);
    });
    [wrap, outBox].forEach((area) => area.addEventListener('mouseleave', () => {
      if (!area.contains(document.activeElement) || !document.activeElement.closest('.ae-qkv-cell')) highlight(null);
    }));
    area.addEventListener('focusout', (e) => { if (!e.relatedTarget || !e.relatedTarget.closest('.ae-qkv-cell')) highlight(null); });
    // clicking (or Enter on) a key chooses it for nudging
    table.addEventListener('click', (e) => {
      const node = e.target.closest('[data-part="k"]');
      if (node) { state.keyToken = Number(node.dataset.j); ctx.render(); }
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

    return {
      formulaText, area,
      draw(view, current, shownTokens) {
        cur = current;
        tokens = shownTokens;
        drawFormula();
        drawTable(view);
        drawOutput(view);
        highlight(hotKey ? area.querySelector(`[data-key="${hotKey}"]`) : null);
      },
    };
  };
})(window.AttentionExplorer);
