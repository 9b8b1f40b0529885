/* figure-kit.js - the pieces every figure shares: a DOM builder, token chips with keyboard
   and touch support, matrices as real tables, a polite live region, notes. Drawing only:
   every number shown arrives from the C core through the bridge. */
(function (root) {
  'use strict';
  const AE = (root.AttentionExplorer = root.AttentionExplorer || {});
  AE.figures = AE.figures || {};

  // el('button', { class: 'x', text: 'Go', data: { head: 1 }, aria: { pressed: 'true' },
  //    on: { click: fn } }, ...children). Text only ever goes in as textContent.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    props = props || {};
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key === 'data') for (const [k, v] of Object.entries(value)) node.dataset[k] = v;
      else if (key === 'aria') for (const [k, v] of Object.entries(value)) node.setAttribute('aria-' + k, v);
      else if (key === 'on') for (const [k, v] of Object.entries(value)) node.addEventListener(k, v);
      else if (key === 'style') for (const [k, v] of Object.entries(value)) node.style.setProperty(k, v);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Colours an element by a weight: --w is the number C printed; strong cells get light ink.
  function paintWeight(node, value, text) {
    node.style.setProperty('--w', text);
    node.dataset.weight = text;
    node.toggleAttribute('data-strong', value > 0.55);
  }

  // Arrow keys, Home and End move between the items of a group with one tab stop.
  function rovingKeys(container, selector, onMove) {
    container.addEventListener('keydown', (event) => {
      const items = Array.from(container.querySelectorAll(selector));
      const at = items.indexOf(document.activeElement) >= 0 ? items.indexOf(document.activeElement)
        : items.indexOf(event.target.closest(selector));
      if (at < 0) return;
      const rtl = getComputedStyle(container).direction === 'rtl';
      const step = { ArrowRight: rtl ? -1 : 1, ArrowDown: 1, ArrowLeft: rtl ? 1 : -1, ArrowUp: -1 }[event.key];
      let next = null;
      if (step) next = Math.min(items.length - 1, Math.max(0, at + step));
      else if (event.key === 'Home') next = 0;
      else if (event.key === 'End') next = items.length - 1;
      if (next === null) return;
      event.preventDefault();
      items.forEach((item, i) => { item.tabIndex = i === next ? 0 : -1; });
      items[next].focus();
      if (onMove) onMove(next, items[next]);
    });
  }

  // A token that is punctuation only (". , ; ! ? ' ..."): no letter, digit or symbol of a word.
  const PUNCTUATION = /^[^\p{L}\p{N}\p{S}]+$/u;

  // A sentence as chips. Hover, tap, click or keyboard focus makes a chip the focal token.
  // onPick(i) is called with the new focal index.
  function tokenRow(onPick, label) {
    const node = el('div', { class: 'ae-tokens', role: 'group', dir: 'auto',
      aria: { label: label || 'Tokens: pick one with the arrow keys, hover or tap' } });
    let focal = -1;
    // the chips in order (punctuation is glued to the chip before it, inside a wrapper)
    const chipsOf = () => Array.from(node.querySelectorAll('.ae-token'));
    const pick = (i) => { if (i !== focal) onPick(i); };
    node.addEventListener('mouseover', (e) => {
      const chip = e.target.closest('.ae-token');
      if (chip) pick(Number(chip.dataset.tokenIndex));
    });
    node.addEventListener('click', (e) => {
      const chip = e.target.closest('.ae-token');
      if (chip) pick(Number(chip.dataset.tokenIndex));
    });
    node.addEventListener('focusin', (e) => {
      const chip = e.target.closest('.ae-token');
      if (!chip) return;
      // Whichever way a chip got focus, it becomes the group's one tab stop.
      chipsOf().forEach((c) => { c.tabIndex = c === chip ? 0 : -1; });
      pick(Number(chip.dataset.tokenIndex));
    });
    rovingKeys(node, '.ae-token');

    return {
      node,
      // (Re)builds the chips when the words change; keeps them when only weights change.
      setTokens(tokens) {
        const words = tokens.map((t) => t.text);
        const old = chipsOf();
        const same = old.length === words.length && old.every((c, i) => c.dataset.text === words[i]);
        if (same) return;
        const chips = tokens.map((t, i) => el('button', {
          type: 'button', class: 'ae-token ae-heat', tabindex: i === Math.max(focal, 0) ? 0 : -1,
          data: { tokenIndex: i, text: t.text }, aria: { pressed: 'false' },
        }, el('span', { class: 'ae-word', text: t.text }), ' ', el('span', { class: 'ae-num', aria: { hidden: 'true' } })));
        // A punctuation chip never starts a line alone: it wraps together with the chip before it.
        const row = [];
        chips.forEach((chip, i) => {
          if (i > 0 && PUNCTUATION.test(words[i])) {
            const prev = row[row.length - 1];
            if (prev.classList.contains('ae-token-glue')) prev.append(chip);
            else row[row.length - 1] = el('span', { class: 'ae-token-glue' }, prev, chip);
          } else {
            row.push(chip);
          }
        });
        node.replaceChildren(...row);
      },
      // weights: values (for colour) and texts (printed by C), one per token; null clears.
      setWeights(values, texts) {
        chipsOf().forEach((chip, i) => {
          const num = chip.querySelector('.ae-num');
          if (!values) {
            chip.style.removeProperty('--w');
            delete chip.dataset.weight;
            chip.removeAttribute('data-strong');
            num.textContent = '';
            chip.setAttribute('aria-label', chip.dataset.text);
            return;
          }
          paintWeight(chip, values[i], texts[i]);
          num.textContent = texts[i];
          // the visible text (word, number) leads the name, as WCAG 2.5.3 asks
          chip.setAttribute('aria-label', chip.dataset.text + ' ' + texts[i] + ' (weight)');
        });
      },
      setFocal(i) {
        focal = i;
        chipsOf().forEach((chip, j) => {
          chip.setAttribute('aria-pressed', String(j === i));
          if (node.contains(document.activeElement)) return;
          chip.tabIndex = j === i ? 0 : -1;
        });
      },
      get focal() { return focal; },
    };
  }

  // A box that may scroll sideways (a long sentence's table on a phone): a keyboard user can
  // reach it (one tab stop) and scroll it with the arrow keys; it is a named region.
  // label: a name, or an element inside node whose text names it (a table's caption).
  let regionCount = 0;
  function scrollRegion(node, label) {
    node.tabIndex = 0;
    node.setAttribute('role', 'region');
    if (typeof label === 'string') {
      node.setAttribute('aria-label', label);
    } else {
      label.id = label.id || 'ae-region-' + (++regionCount);
      node.setAttribute('aria-labelledby', label.id);
    }
    return node;
  }

  // An n x m weight matrix as a <table>: row and column headers, one cell per weight with
  // data-row, data-col, data-weight (and data-allowed when a mask is given).
  function matrixTable(caption) {
    const table = el('table', { class: 'ae-matrix' });
    const captionNode = el('caption', { text: caption });   // also names the scroll box
    const wrap = scrollRegion(el('div', { class: 'ae-matrix-wrap' }, table), captionNode);
    return {
      node: wrap,
      table,
      // rowLabels, colLabels: strings; values/texts: arrays of rows; shortTexts: the same numbers
      // as C prints them for a narrow cell (".734"); allowed: rows of booleans.
      set({ rowLabels, colLabels, values, texts, shortTexts, allowed, currentRow, hiddenFrom, cellLabel }) {
        const head = el('thead', null, el('tr', null, el('td'),
          colLabels.map((c, j) => el('th', { scope: 'col', title: c, data: { col: j } }, el('span', { text: c })))));
        const body = el('tbody', null, rowLabels.map((r, i) => el('tr', { class: i === currentRow ? 'ae-current' : null },
          el('th', { scope: 'row', title: r, text: r }),
          colLabels.map((c, j) => {
            const hidden = hiddenFrom !== undefined && i > hiddenFrom;
            const cell = el('td', { class: 'ae-heat', data: { row: i, col: j } });
            if (allowed) cell.dataset.allowed = String(!!allowed[i][j]);
            if (hidden) {
              cell.dataset.hidden = 'true';
              cell.setAttribute('aria-label', r + ' to ' + c + ': not generated yet');
            } else {
              paintWeight(cell, values[i][j], texts[i][j]);
              cell.textContent = shortTexts[i][j];
              cell.setAttribute('aria-label', cellLabel ? cellLabel(i, j) : r + ' to ' + c + ': ' + texts[i][j]);
            }
            return cell;
          }))));
        table.replaceChildren(captionNode, head, body);
      },
    };
  }

  // A polite live region; announcements wait until hovering settles.
  function liveRegion() {
    const node = el('p', { class: 'ae-sr-only', aria: { live: 'polite', atomic: 'true' } });
    let timer = 0;
    return {
      node,
      say(text) {
        clearTimeout(timer);
        timer = setTimeout(() => { node.textContent = text; }, 350);
      },
      cancel() { clearTimeout(timer); },
    };
  }

  // A visible note for bad input, truncation or failures (empty = hidden).
  function note() {
    const node = el('p', { class: 'ae-note', role: 'status' });
    return { node, set(text, isError) { node.textContent = text || ''; node.classList.toggle('ae-error', !!isError); } };
  }

  // "trophy 0.612, suitcase 0.201, it 0.050": the top three a focal token attends to, ranked by C.
  // With a figure root, the ranking is also published on it as data-top ("2 5 0": token indices).
  function topThreeText(core, tokens, values, texts, rootNode) {
    const order = Array.from(core.topK(values, 3));
    if (rootNode) rootNode.dataset.top = order.join(' ');
    return order.map((j) => tokens[j].text + ' ' + texts[j]).join(', ');
  }

  // The figure's frame: caption, body, note, live region. Returns the parts.
  function frame(rootNode, number, title, hint) {
    rootNode.classList.add('ae-figure');
    const caption = el('div', { class: 'ae-caption' },
      number ? el('strong', { text: 'Figure ' + number }) : null, el('span', { text: title }),
      hint ? el('span', { class: 'ae-hint', text: hint }) : null);
    const body = el('div', { class: 'ae-body' });
    const status = note();
    const live = liveRegion();
    rootNode.replaceChildren(caption, body, status.node, live.node);
    // destroy(): the frame's own pending work (a queued announcement) stops
    return { caption, body, note: status, live, destroy: live.cancel };
  }

  // A figure has drawn: data-ready="true" (the public hook), data-renders counts the draws and
  // an 'ae-rendered' event says so, for tests and pages that wait on a redraw.
  function rendered(rootNode) {
    rootNode.dataset.ready = 'true';
    rootNode.dataset.renders = String((Number(rootNode.dataset.renders) || 0) + 1);
    rootNode.dispatchEvent(new CustomEvent('ae-rendered'));
  }

  // What a figure whose set() only merges state and redraws hands back: { state, set(change),
  // destroy() }. input: its sentence box, kept in step with state.text; destroy: its cleanup.
  function simpleInstance(state, render, input, destroy) {
    return {
      state,
      set(change) {
        Object.assign(state, change);
        if (input && 'text' in change && input.value !== state.text) input.value = state.text;
        render();
      },
      destroy,
    };
  }

  // ---- one owner per figure root ----------------------------------------------------
  // Every page (lesson, embed, <attention-figure>) mounts through here, so a root never has
  // two live figures: mounting again, or unmount(), destroys the old one first (its timers,
  // listeners, jobs and WASM job buffers).
  const mountedOn = new WeakMap();   // figure root -> the instance mounted on it

  function unmount(rootNode) {
    const old = mountedOn.get(rootNode);
    mountedOn.delete(rootNode);
    if (old && typeof old.destroy === 'function') old.destroy();
  }

  function mount(rootNode, name, core, options) {
    unmount(rootNode);
    const mountFigure = figureNamed(name);
    if (!mountFigure) return null;
    rootNode.dataset.figure = name;
    delete rootNode.dataset.ready;
    const instance = mountFigure(rootNode, core, options || {});
    mountedOn.set(rootNode, instance);
    return instance;
  }

  const instanceOn = (rootNode) => mountedOn.get(rootNode) || null;

  // A figure's mount function by name, or null (own names only: "constructor" is no figure).
  function figureNamed(name) {
    return Object.prototype.hasOwnProperty.call(AE.figures, name) ? AE.figures[name] : null;
  }

  // What a figure shows when the WebAssembly core could not load: a plain message, no empty box.
  function loadFailed(rootNode, number, err) {
    const parts = frame(rootNode, number || '', 'could not start');
    parts.body.hidden = true;
    const reason = String(err && err.message ? err.message : err).replace(/\.$/, '');
    parts.note.set('This figure needs WebAssembly, and the attention core did not load (' +
      reason + '). Try a current Firefox, Chrome, Safari or Edge.', true);
    rootNode.dataset.ready = 'error';
  }

  // A note under a figure about the options it was given (className: ae-url-note for a link,
  // ae-attribute-note for attributes), replaced on each call; no notes, no element.
  function optionNote(rootNode, className, notes, lead) {
    const old = rootNode.querySelector(':scope > .' + className);
    if (old) old.remove();
    if (notes.length) {
      rootNode.append(el('p', { class: 'ae-note ' + className, role: 'status', text: (lead || '') + notes.join(' ') }));
    }
  }

  // Marks the one pressed button of a group of toggles (by position) and makes it the
  // group's one tab stop, as rovingKeys expects.
  function pressOne(buttons, index) {
    Array.from(buttons).forEach((b, i) => {
      b.setAttribute('aria-pressed', String(i === index));
      b.tabIndex = i === index ? 0 : -1;
    });
  }

  // The head picker: one button per head, named by C; one tab stop, arrows move and select.
  function headPicker(core, onPick, className, label) {
    const node = el('div', { class: className, role: 'group', aria: { label } },
      core.heads.map((h) => el('button', { type: 'button', class: 'ae-button', text: h.name,
        data: { head: h.index }, aria: { pressed: 'false' }, on: { click: () => onPick(h.index) } })));
    rovingKeys(node, '[data-head]', onPick);
    return { node, press: (h) => pressOne(node.querySelectorAll('[data-head]'), h) };
  }

  // The first token index whose text is `word` (any case), or fallback.
  function findToken(tokens, word, fallback) {
    if (word === undefined || word === null || word === '') return fallback;
    if (/^\d+$/.test(String(word))) return Math.min(Number(word), tokens.length - 1);
    const lower = String(word).toLowerCase();
    const at = tokens.findIndex((t) => t.text.toLowerCase() === lower);
    return at >= 0 ? at : fallback;
  }

  // The text of the first `max` tokens (cut at a token's end byte, so the model sees exactly
  // the tokens a figure shows and every row still adds up to 1), and how many there were.
  const utf8 = new TextEncoder(), fromUtf8 = new TextDecoder();
  function firstTokens(core, text, max) {
    const t = core.tokenize(text);
    if (t.tokens.length <= max) return { text, total: t.totalTokens };
    return { text: fromUtf8.decode(utf8.encode(String(text)).subarray(0, t.tokens[max - 1].end)), total: t.totalTokens };
  }

  // Friendly words for the core's errors (the C message stays available in the title).
  function friendly(err) {
    const codes = AE.CODES || {};
    if (err && err.code === codes.EMPTY) return 'Type a sentence to see where its words look.';
    if (err && err.code === codes.TEMPERATURE) return 'Temperature must be a number above 0.';
    return 'Something went wrong: ' + (err && err.message ? err.message : String(err));
  }

  // A temperature from a link, an attribute or a caller, through the core's one clamp
  // (core.clampTemperature): { value, note }, with a note saying what happened when the value
  // had to change. The numbers in the note are printed by C.
  function temperatureOf(core, value) {
    const t = core.clampTemperature(value);
    if (!t.changed) return { value: t.value, note: '' };
    const given = String(value).length > 24 ? String(value).slice(0, 24) + '…' : String(value);
    const [lo, hi, used] = core.format([core.temperatureRange.min, core.temperatureRange.max, t.value], 2);
    const note = t.reason === 'invalid'
      ? `"${given}" is not a temperature above 0, so T = ${used} is used.`
      : `Temperature ${given} is outside ${lo} to ${hi}, so T = ${used} is used.`;
    return { value: t.value, note };
  }

  // Options from a URL or from attributes, made safe: a hostile or broken value is clamped or
  // dropped, and each change is described in `notes` for the page to show. Never throws.
  const MAX_TEXT = 20000;
  const MAX_EDIT = 50;   // the largest number Figure 3.1's what-if inputs accept
  function cleanOptions(raw, core) {
    const headCount = core.heads.length;
    const options = {}, notes = [];
    const shown = (v) => { const t = String(v); return t.length > 24 ? t.slice(0, 24) + '…' : t; };
    for (const [key, value] of Object.entries(raw || {})) {
      if (value === undefined || value === null) continue;
      if (key === 'text') {
        const text = String(value);
        options.text = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
        if (text.length > MAX_TEXT) notes.push(`The text was cut to its first ${MAX_TEXT} characters.`);
      } else if (key === 'temperature') {
        const t = temperatureOf(core, value);
        options.temperature = t.value;
        if (t.note) notes.push(t.note);
      } else if (key === 'head') {
        const h = Number(value);
        if (value !== '' && Number.isInteger(h) && h >= 0 && h < headCount) options.head = h;
        else notes.push(`There is no head "${shown(value)}"; showing head 0.`);
      } else if (key === 'step') {
        const s = Number(value);
        if (value !== '' && Number.isInteger(s) && s >= 0) options.step = s;
        else notes.push(`Step "${shown(value)}" is not a step number (0, 1, 2 ...); starting at the beginning.`);
      } else if (key === 'mode') {
        if (value === 'decoder' || value === 'causal') options.mode = 'decoder';
        else if (value === 'encoder' || value === 'none') options.mode = 'encoder';
        else notes.push(`Mode "${shown(value)}" is unknown; use decoder or encoder.`);
      } else if (key === 'model') {
        // Figures 1.1 and 2.1: the designed heads or the trained Brown model
        if (value === 'designed' || value === 'trained') options.model = value;
        else notes.push(`Model "${shown(value)}" is unknown; use designed or trained. Showing the designed heads.`);
      } else if (key === 'layer') {
        // a layer of the trained model; its upper end is checked once the model has loaded
        const l = Number(value);
        if (value !== '' && Number.isInteger(l) && l >= 0) options.layer = l;
        else notes.push(`There is no layer "${shown(value)}"; showing layer 0.`);
      } else if (key === 'focus') {
        options.focus = String(value).slice(0, 200);
      } else if (key === 'number') {
        options.number = String(value).slice(0, 12);
      } else if (key === 'seed') {
        const s = Number(value);
        if (value !== '' && Number.isInteger(s) && s >= 0 && s <= 4294967295) options.seed = s;
        else notes.push(`Seed "${shown(value)}" is not a whole number from 0 to 4294967295; using seed 1.`);
      } else if (key === 'greedy' || key === 'cache') {
        options[key] = !/^(false|0|off|no)$/i.test(String(value).trim());
      } else if (key === 'source') {
        // Figure 5.1: the lesson's made-up scores or the trained model's next words
        if (value === 'lesson' || value === 'model') options.source = value;
        else notes.push(`Source "${shown(value)}" is unknown; use lesson or model.`);
      } else if (key === 'prompt') {
        options.prompt = String(value).slice(0, 400);
      } else if (key === 'layer') {
        // a layer of the trained model (the figure clamps to the model's count)
        const l = Number(value);
        if (value !== '' && Number.isInteger(l) && l >= 0 && l < 8) options.layer = l;
        else notes.push(`There is no layer "${shown(value)}"; use 0 to 3.`);
      } else if (key === 'ablation') {
        if (['uniform', 'shuffle', 'zero'].includes(value)) options.ablation = value;
        else notes.push(`Ablation "${shown(value)}" is unknown; use uniform, shuffle or zero.`);
      } else if (key === 'edits') {
        const edits = { q: {}, k: {} }, bad = [];
        for (const item of String(value).slice(0, 4000).split(',').filter(Boolean).slice(0, 200)) {
          const m = /^([qk])(\d{1,4})\.(\d{1,3}):(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/i.exec(item.trim());
          const v = m ? Number(m[4]) : NaN;
          if (!m || !Number.isFinite(v) || Math.abs(v) > MAX_EDIT) { bad.push(shown(item)); continue; }
          const rows = edits[m[1].toLowerCase()], token = Number(m[2]);
          (rows[token] = rows[token] || {})[Number(m[3])] = v;
        }
        options.edits = edits;
        if (bad.length) notes.push(`Ignored the edit${bad.length > 1 ? 's' : ''} ${bad.map((b) => '"' + b + '"').join(', ')} (write q or k, token, dimension and a number up to ${MAX_EDIT}, like q8.3:1.5).`);
      } else if (key === 'autorun') {
        options.autorun = !/^(false|0|off|no)$/i.test(String(value).trim());
      }
    }
    return { options, notes };
  }

  // Runs fn once, when node first scrolls into view (at once where there is no observer);
  // returns a function that stops watching (for a figure's destroy()).
  function whenVisible(node, fn) {
    if (typeof IntersectionObserver !== 'function') { fn(); return () => {}; }
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); fn(); }
    });
    seen.observe(node);
    return () => seen.disconnect();
  }

  AE.kit = { el, cleanOptions, temperatureOf, firstTokens, figureNamed, mount, unmount, instanceOn, loadFailed,
    optionNote, rendered, simpleInstance, pressOne, scrollRegion, headPicker, paintWeight, rovingKeys, tokenRow, matrixTable, liveRegion, note,
    topThreeText, frame, findToken, friendly, whenVisible };
})(typeof window !== 'undefined' ? window : globalThis);
