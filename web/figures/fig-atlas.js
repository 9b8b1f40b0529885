/* fig-atlas.js - Figure 2.2: what training found. Every head of the trained Brown model as a
   grid of layers x heads: each cell a thumbnail of the head's pattern on the current sentence
   and the habit the head atlas measured on held-out text (core/attn_atlas.c, shipped with the
   weights). Hover or focus a cell for its measured scores; click or Enter opens it in Figure
   2.1. Beside the grid, entropy per layer on this sentence (attn_atlas_entropy) with each
   head's held-out entropy, so "sharpness shifts across layers" is a picture. The model loads
   when the figure scrolls into view (or on the Load button), never with the page. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  AE.defaults = AE.defaults || {};
  AE.defaults.sentence = AE.defaults.sentence || "The trophy didn't fit in the suitcase because it was too big.";

  // thumbnails show the first THUMB_MAX tokens (16 maps of n x n cells)
  const THUMB_MAX = 32;

  // options: { text, layer, head (the selected cell), number, title, link (false: no Figure
  // 2.1 beside it to open a head in) }
  AE.figures.atlas = function mountAtlas(root, core, options) {
    options = options || {};
    const trained = AE.trained;
    const state = {
      text: options.text !== undefined ? options.text : AE.defaults.sentence,
      layer: options.layer !== undefined ? options.layer : 0,
      head: options.head !== undefined ? options.head : 0,
    };
    const canOpen = options.link !== false;
    const parts = kit.frame(root, options.number === undefined ? '2.2' : options.number,
      options.title || 'What training found: every head of a trained model',
      canOpen ? 'Arrow keys · click opens in 2.1' : 'Hover · arrow keys');
    const loader = trained.modelLoader(root);
    const run = trained.cachedRun();
    let observer = null, shape = null;

    const waiting = kit.el('div', { class: 'ae-atlas-waiting' },
      kit.el('p', { class: 'ae-summary', text: 'This figure shows a small GPT trained on the Brown corpus of American English. ' +
        'Its weights (about 1 MB) load when the figure comes into view.' }),
      kit.el('button', { type: 'button', class: 'ae-button', text: 'Load the trained model', data: { control: 'load' },
        on: { click: () => start() } }));
    const grid = kit.el('div', { class: 'ae-atlas-grid', role: 'group',
      aria: { label: 'Every head of the trained model: a row per layer. Arrow keys move; Enter opens the head in Figure 2.1.' } });
    const detail = kit.el('p', { class: 'ae-atlas-detail', id: (root.id || 'atlas') + '-detail' });
    const entropy = kit.el('div', { class: 'ae-atlas-entropy', role: 'group', aria: { label: 'Entropy per layer' } });
    const count = kit.el('p', { class: 'ae-atlas-count' });
    const input = kit.el('input', { class: 'ae-text', type: 'text', value: state.text, spellcheck: 'false',
      autocomplete: 'off', data: { control: 'text' }, aria: { label: 'Sentence for Figure 2.2' },
      on: { input: () => { state.text = input.value; render(); } } });
    const shown = kit.el('div', { class: 'ae-atlas-shown', hidden: true },
      count,
      kit.el('div', { class: 'ae-atlas-layout' },
        kit.el('div', { class: 'ae-atlas-main' }, grid, detail),
        entropy),
      kit.el('div', { class: 'ae-controls' }, kit.el('label', { class: 'ae-text-label' }, 'Sentence for the thumbnails', input)));
    parts.body.append(waiting, shown);

    // Arrow keys move across the grid in two dimensions; focus selects, Enter/click opens.
    grid.addEventListener('keydown', (event) => {
      const cells = Array.from(grid.querySelectorAll('.ae-atlas-cell'));
      const at = cells.indexOf(event.target.closest('.ae-atlas-cell'));
      if (at < 0 || !shape) return;
      const H = shape.heads, rtl = getComputedStyle(grid).direction === 'rtl';
      const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, ArrowDown: H, ArrowUp: -H }[event.key];
      let next = null;
      if (step) next = at + step;
      else if (event.key === 'Home') next = event.ctrlKey ? 0 : at - (at % H);
      else if (event.key === 'End') next = event.ctrlKey ? cells.length - 1 : at - (at % H) + H - 1;
      if (next === null) return;
      event.preventDefault();
      if (next < 0 || next >= cells.length) return;
      cells[next].focus();
    });
    grid.addEventListener('focusin', (e) => {
      const cell = e.target.closest('.ae-atlas-cell');
      if (cell) select(Number(cell.dataset.layer), Number(cell.dataset.head));
    });
    grid.addEventListener('mouseover', (e) => {
      const cell = e.target.closest('.ae-atlas-cell');
      if (cell) select(Number(cell.dataset.layer), Number(cell.dataset.head));
    });

    function select(layer, head) {
      if (layer === state.layer && head === state.head) return;
      state.layer = layer;
      state.head = head;
      render();
    }

    // Opens the head in Figure 2.1 (lesson.js links the figures), on the same sentence.
    function open(layer, head) {
      select(layer, head);
      if (!canOpen) return;
      root.dispatchEvent(new CustomEvent('ae-open-head', { bubbles: true, composed: true,
        detail: { layer, head, text: state.text } }));
    }

    function build(handle) {
      shape = trained.shapeOf(handle);
      const atlas = handle.atlas;
      grid.style.setProperty('--heads', String(shape.heads));
      const header = [kit.el('span', { class: 'ae-atlas-corner', aria: { hidden: 'true' } })].concat(
        Array.from({ length: shape.heads }, (_, h) => kit.el('span', { class: 'ae-atlas-col', aria: { hidden: 'true' }, text: 'head ' + h })));
      const rows = [];
      for (let l = 0; l < shape.layers; l++) {
        rows.push(kit.el('span', { class: 'ae-atlas-row', aria: { hidden: 'true' }, text: 'layer ' + l }));
        for (let h = 0; h < shape.heads; h++) {
          const entry = trained.atlasHead(handle, l, h);
          const habit = entry ? entry.habit : 'unmeasured';
          const heldOut = entry ? core.format([entry.entropy], 2)[0] : '';
          rows.push(kit.el('button', { type: 'button', class: 'ae-atlas-cell', tabindex: -1,
            data: { layer: l, head: h, habit, entropy: heldOut, clean: String(habit !== 'diffuse' && habit !== 'unmeasured') },
            aria: { describedby: detail.id, pressed: 'false' },
            on: { click: () => open(l, h) } },
          kit.el('span', { class: 'ae-heads-mini-map', aria: { hidden: 'true' } }),
          kit.el('span', { class: 'ae-atlas-name', aria: { hidden: 'true' }, text: `L${l}H${h}` }), ' ',
          kit.el('span', { class: 'ae-atlas-habit', aria: { hidden: 'true' }, text: habit })));
        }
      }
      grid.replaceChildren(...header, ...rows);
      // the caption counts habits from the atlas's numbers (core/attn_atlas.c's verdicts)
      const heads = atlas ? atlas.layers.flatMap((layer) => layer.heads) : [];
      const clean = heads.filter((h) => h.habit !== 'diffuse');
      count.replaceChildren(heads.length
        ? `Measured on text the model never saw, ${clean.length} of ${heads.length} heads ${clean.length === 1 ? 'has' : 'have'} a clean habit` +
          (clean.length ? ` (${clean.map((h) => h.name + ': ' + h.habit).join(', ')})` : '') +
          `; the other ${heads.length - clean.length} are diffuse: no score clears its threshold. ` +
          'Most heads of a real model look like this.'
        : 'No atlas was shipped with these weights, so the heads have no measured habits.');
    }

    function drawMini(map, texts, n) {
      const m = Math.min(n, THUMB_MAX);
      if (map.childElementCount !== m * m) {
        map.style.setProperty('--n', String(m));
        map.replaceChildren(...Array.from({ length: m * m }, () => kit.el('span', { class: 'ae-heat' })));
      }
      Array.from(map.children).forEach((cell, k) => cell.style.setProperty('--w', texts[k]));
    }

    // the thumbnails of every head on the current text, printed by C once per text
    let drawnFor = null, entropyFor = null;
    function drawThumbnails(result) {
      if (drawnFor === result) return;
      const n = result.tokens.length, m = Math.min(n, THUMB_MAX);
      const flat = new Float32Array(shape.layers * shape.heads * m * m);
      result.layers.forEach((layer, l) => layer.heads.forEach((head, h) => {
        for (let i = 0; i < m; i++) flat.set(head.weights[i].subarray(0, m), ((l * shape.heads + h) * m + i) * m);
      }));
      const texts = core.format(flat, 3);
      grid.querySelectorAll('.ae-atlas-cell').forEach((cell) => {
        const k = Number(cell.dataset.layer) * shape.heads + Number(cell.dataset.head);
        drawMini(cell.querySelector('.ae-heads-mini-map'), texts.slice(k * m * m, (k + 1) * m * m), n);
      });
      drawnFor = result;
    }

    // Entropy per layer on this sentence (bars) and each head's held-out entropy (dots), on
    // one axis from 0 to the even spread over a held-out window (entropy_uniform).
    function drawEntropy(handle, result) {
      const atlas = handle.atlas;
      const first = trained.atlasHead(handle, 0, 0);
      const layerValues = result.layers.map((l) => l.entropy);
      const headValues = result.layers.map((l) => l.heads.map((h) => h.entropy));
      const heldOut = result.layers.map((l, i) => l.heads.map((h, k) => {
        const e = trained.atlasHead(handle, i, k);
        return e ? e.entropy : 0;
      }));
      const axisMax = Math.max(first ? first.entropy_uniform : 0, ...layerValues, ...heldOut.flat(), ...headValues.flat()) || 1;
      const texts = core.format(layerValues, 2);
      const [uniformText] = first ? core.format([first.entropy_uniform], 2) : [''];
      const pos = (v) => (100 * v / axisMax).toFixed(2) + '%';   // layout only: where on the axis
      entropy.replaceChildren(
        kit.el('p', { class: 'ae-atlas-entropy-title', text: 'Entropy per layer, in bits (lower is sharper)' }),
        ...layerValues.map((v, l) => kit.el('div', { class: 'ae-atlas-entropy-row', data: { layerEntropy: texts[l], layer: l },
          aria: { label: `Layer ${l}: ${texts[l]} bits on this sentence` } },
        kit.el('span', { class: 'ae-atlas-entropy-label', text: 'layer ' + l }),
        kit.el('span', { class: 'ae-atlas-entropy-track', aria: { hidden: 'true' } },
          kit.el('span', { class: 'ae-atlas-entropy-bar', style: { width: pos(v) } }),
          ...(atlas ? heldOut[l].map((e) => kit.el('span', { class: 'ae-atlas-entropy-dot', style: { left: pos(e) } })) : [])),
        kit.el('span', { class: 'ae-atlas-entropy-value', text: texts[l] }))),
        kit.el('p', { class: 'ae-atlas-entropy-key' },
          kit.el('span', { class: 'ae-atlas-key-bar', aria: { hidden: 'true' } }), ' this sentence, mean of the layer\'s heads  ',
          kit.el('span', { class: 'ae-atlas-key-dot', aria: { hidden: 'true' } }),
          ` each head on held-out text, in windows of ${atlas && atlas.seq ? atlas.seq : '?'} tokens: more words to spread over` +
          (uniformText ? ` (an even spread there: ${uniformText})` : '')));
    }

    // The selected head's measured numbers, and this sentence's entropy for it.
    function drawDetail(handle, result) {
      const entry = trained.atlasHead(handle, state.layer, state.head);
      const head = result.layers[state.layer].heads[state.head];
      const [here] = core.format([head.entropy], 2);
      const words = [kit.el('b', { text: head.name }), ' ', trained.habitSentence(core, entry)];
      if (entry) {
        const f = core.format([entry.prefix_match, entry.prefix_baseline, entry.verb_noun, entry.verb_baseline, entry.first], 3);
        words.push(` Also: prefix matching ${f[0]} (position alone ${f[1]}), verb to noun ${f[2]} (${f[3]}), first token ${f[4]}.`);
      }
      words.push(` On this sentence its rows carry ${here} bits.` + (canOpen ? ' Click or press Enter to open it in Figure 2.1.' : ''));
      detail.replaceChildren(...words);
      grid.querySelectorAll('.ae-atlas-cell').forEach((cell) => {
        const on = Number(cell.dataset.layer) === state.layer && Number(cell.dataset.head) === state.head;
        cell.setAttribute('aria-pressed', String(on));
        cell.tabIndex = on ? 0 : -1;
        const e = trained.atlasHead(handle, Number(cell.dataset.layer), Number(cell.dataset.head));
        cell.setAttribute('aria-label', `${cell.querySelector('.ae-atlas-name').textContent} ${cell.dataset.habit}` +
          (e ? `, held-out entropy ${cell.dataset.entropy} bits` : ''));
      });
      parts.live.say(head.name + ': ' + (entry ? entry.habit : 'no atlas') + '.');
    }

    function render() {
      const handle = loader.handle;
      if (!handle) {
        waiting.hidden = false;
        shown.hidden = true;
        if (loader.error) parts.note.set(trained.loadFailedText(loader.error).replace(/ The designed heads.*$/, ''), true);
        kit.rendered(root);
        return;
      }
      waiting.hidden = true;
      shown.hidden = false;
      if (!shape) build(handle);
      const notes = [];
      const layer = trained.clampIndex(state.layer, shape.layers, 'layer');
      const headIx = trained.clampIndex(state.head, shape.heads, 'head');
      [layer.note, headIx.note].forEach((t) => { if (t) notes.push(t); });
      state.layer = layer.value;
      state.head = headIx.value;
      let result;
      try {
        result = run(handle, state.text);
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
        grid.querySelectorAll('.ae-heads-mini-map').forEach((map) => map.replaceChildren());
        entropy.replaceChildren();
        detail.textContent = '';
        drawnFor = null;
        entropyFor = null;
        kit.rendered(root);
        return;
      }
      if (result.truncated) notes.push(`The trained model reads the first ${result.tokens.length - 1} of ${result.total_tokens} tokens.`);
      if (result.tokens.length > THUMB_MAX) notes.push(`The thumbnails show the first ${THUMB_MAX} tokens.`);
      const unknown = trained.unknownText(result);
      if (unknown) notes.push(unknown.replace('Dashed chips are words', 'Some words are'));
      drawThumbnails(result);
      if (entropyFor !== result) { drawEntropy(handle, result); entropyFor = result; }
      drawDetail(handle, result);
      parts.note.set(notes.join(' '));
      kit.rendered(root);
    }

    // Loads the model (once) and draws; a failure shows a note and leaves the button to retry.
    function start() {
      if (observer) { observer.disconnect(); observer = null; }
      if (loader.handle) { render(); return; }
      parts.note.set('Loading the trained model (about 1 MB, once)…');
      waiting.querySelector('button').disabled = true;
      loader.load().then(() => { parts.note.set(''); render(); }, () => {
        waiting.querySelector('button').disabled = false;
        render();
      });
    }

    render();
    if (options.eager) start();
    else if (typeof IntersectionObserver === 'function') {
      observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) start();
      }, { rootMargin: '200px 0px' });
      observer.observe(root);
    }

    return {
      state,
      set(change) {
        Object.assign(state, change);
        if ('text' in change && input.value !== state.text) input.value = state.text;
        render();
      },
      load: start,
      destroy() {
        if (observer) observer.disconnect();
        observer = null;
        parts.destroy();
        loader.destroy();
      },
    };
  };
})(window.AttentionExplorer);
