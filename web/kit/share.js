/* share.js - a figure's state as a link, an iframe and a web-component snippet; its numbers
   and picture as files. Used by the lesson page (one toolbar under each figure) and by
   embed.html. State travels as plain key=value pairs that kit.cleanOptions checks on the way
   back in, so a hand-edited or hostile link is clamped with a note, never obeyed blindly. */
(function (root) {
  'use strict';
  const AE = (root.AttentionExplorer = root.AttentionExplorer || {});
  const kit = AE.kit;

  // The state keys a link carries, and their names in URLs (short, as people type them).
  const KEYS = [['text', 'text'], ['focus', 'focus'], ['head', 'head'], ['temperature', 't'], ['step', 'step'],
    ['mode', 'mode'], ['model', 'model'], ['seed', 'seed'], ['greedy', 'greedy'], ['cache', 'cache'], ['layer', 'layer'],
    ['source', 'source'], ['prompt', 'prompt'], ['ablation', 'ablation'], ['edits', 'edits']];

  // Figure 3.1's what-if edits, { q: { token: { dim: value } }, k: ... }, as "q8.3:1.5,k1.0:-2"
  // (query or key, token index, dimension, the number typed); kit.cleanOptions reads it back.
  function editsText(edits) {
    const out = [];
    for (const part of ['q', 'k']) {
      for (const [token, dims] of Object.entries((edits && edits[part]) || {})) {
        for (const [dim, value] of Object.entries(dims)) out.push(`${part}${token}.${dim}:${value}`);
      }
    }
    return out.join(',');
  }

  // A figure's state as [urlKey, value] pairs (only the keys that figure has).
  function paramsOf(state) {
    const pairs = [];
    for (const [key, urlKey] of KEYS) {
      if (!state || !(key in state) || state[key] === null || state[key] === undefined) continue;
      let value = state[key];
      if (key === 'step' && value < 0) continue;                 // -1: the whole matrix, the default
      if (key === 'model' && value === 'designed') continue;     // the default model
      if (key === 'layer' && 'model' in state && state.model !== 'trained') continue;   // trained only
      if (key === 'mode') value = value === 'none' || value === 'encoder' ? 'encoder' : 'decoder';
      if (key === 'edits') value = editsText(value);
      if (key === 'edits' && !value) continue;                   // no edits: the model's own vectors
      pairs.push([urlKey, String(value)]);
    }
    return pairs;
  }

  // The option a URL key names ("t" or "temperature" -> "temperature"), or undefined.
  function optionNamed(urlKey) {
    const known = KEYS.find(([key, u]) => u === urlKey || key === urlKey);
    return known && known[0];
  }

  // URL pairs back to raw options for kit.cleanOptions (unknown keys are left out).
  function rawOf(pairs) {
    const raw = {};
    for (const [urlKey, value] of pairs) {
      const option = optionNamed(urlKey);
      if (option) raw[option] = value;
    }
    return raw;
  }

  // "a=1&b=x y" with spaces as %20 (URLSearchParams writes "+", which some chat apps mangle).
  const query = (pairs) => pairs.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');

  const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

  function embedUrl(name, state) {
    return new URL('embed.html?' + query([['figure', name]].concat(paramsOf(state))), location.href).href;
  }

  // Where the one-script bundle is: the page's own <script src=".../attention-figures.js"> (dist/,
  // or a course site that hosts it elsewhere), else beside the page (`make` writes a copy into
  // web/ too, so the page `make serve` serves offers a script that exists).
  function bundleUrl() {
    const own = Array.from(document.scripts).find((s) => /(^|\/)attention-figures\.js$/.test(s.src.replace(/[?#].*$/, '')));
    return own ? own.src : new URL('attention-figures.js', location.href).href;
  }

  function snippets(name, state, link) {
    const src = embedUrl(name, state);
    const script = bundleUrl();
    const attrs = [['figure', name]].concat(paramsOf(state).map(([k, v]) => [k === 't' ? 'temperature' : k, v]));
    return {
      link,
      iframe: `<iframe src="${attr(src)}" title="Attention Explorer: ${attr(name)}" style="width:100%;border:0" height="560" loading="lazy"></iframe>`,
      component: `<script src="${attr(script)}"></script>\n<attention-figure ${attrs.map(([k, v]) => `${k}="${attr(v)}"`).join(' ')}></attention-figure>`,
    };
  }

  // Copies text; where the clipboard API is not allowed (file://, old browsers) selects the
  // field and uses the older copy command. Resolves to a message for the status line.
  function copy(text, field) {
    const fallback = () => {
      field.focus();
      field.select();
      try { if (document.execCommand('copy')) return 'Copied.'; } catch (e) { /* fall through */ }
      return 'Selected: press Ctrl+C (⌘C) to copy.';
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).then(() => 'Copied.', fallback);
    }
    return Promise.resolve(fallback());
  }

  // The toolbar under a figure: Share / embed (a panel of three snippets) and four exports.
  // getState() returns the figure's current state; linkOf(name, state) the page URL for it.
  function toolbar(figure, name, getState, linkOf) {
    const id = (figure.id || 'figure-' + name) + '-share';
    const status = kit.el('span', { class: 'ae-share-status', role: 'status' });
    const fields = {};
    const row = (key, label, multiline) => {
      const field = kit.el(multiline ? 'textarea' : 'input', { class: 'ae-share-field', readonly: true, rows: multiline ? 3 : null,
        spellcheck: 'false', data: { share: key }, aria: { label } });
      fields[key] = field;
      return kit.el('div', { class: 'ae-share-row' },
        kit.el('span', { class: 'ae-share-label', text: label }), field,
        kit.el('button', { type: 'button', class: 'ae-button', text: 'Copy', data: { copy: key },
          on: { click: () => copy(field.value, field).then((m) => { status.textContent = m; }) } }));
    };
    const panel = kit.el('div', { class: 'ae-share-panel', id, hidden: true },
      row('link', 'Link to this view'), row('iframe', 'Embed with an iframe', true),
      row('component', 'Embed as a web component', true));
    const fill = () => {
      const state = getState();
      if (!state) return;
      const s = snippets(name, state, linkOf(name, state));
      for (const key of Object.keys(fields)) fields[key].value = s[key];
    };
    const setOpen = (open) => {
      panel.hidden = !open;
      shareButton.setAttribute('aria-expanded', String(open));
      status.textContent = '';
      if (open) fill();
    };
    const shareButton = kit.el('button', { type: 'button', class: 'ae-button', text: 'Share / embed',
      data: { control: 'share' }, aria: { expanded: 'false', controls: id },
      on: { click: () => setOpen(panel.hidden) } });
    // Escape closes the panel and returns focus to its button. (Tab needs no help: the panel
    // follows the button in the DOM, page.css shows it below the row of exports.)
    panel.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      setOpen(false);
      shareButton.focus();
    });
    shareButton.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !panel.hidden) { e.preventDefault(); setOpen(false); }
    });

    const stamp = () => 'attention-' + name;
    const exportButton = (format, label) => kit.el('button', { type: 'button', class: 'ae-button ae-share-export',
      text: label, data: { export: format }, aria: { label: 'Download this figure as ' + format.toUpperCase() },
      on: { click: () => {
        const ex = AE.exporter;
        status.textContent = '';
        if (format === 'csv') ex.download(stamp() + '.csv', ex.csv(figure), 'text/csv');
        else if (format === 'json') ex.download(stamp() + '.json', ex.json(figure, getState()), 'application/json');
        else if (format === 'svg') ex.download(stamp() + '.svg', ex.svg(figure), 'image/svg+xml');
        else {
          ex.png(figure).then((blob) => ex.download(stamp() + '.png', blob),
            (err) => { status.textContent = 'No PNG this time: ' + err.message + '. SVG works everywhere.'; });
        }
      } } });

    // DOM order = Tab order: the button, its panel, then the exports
    const bar = kit.el('div', { class: 'ae-share', role: 'group', aria: { label: 'Share or export this figure' } },
      kit.el('div', { class: 'ae-share-buttons' }, shareButton, panel,
        kit.el('span', { class: 'ae-share-sep', aria: { hidden: 'true' }, text: 'Export' }),
        exportButton('png', 'PNG'), exportButton('svg', 'SVG'), exportButton('csv', 'CSV'), exportButton('json', 'JSON'),
        status));
    return { node: bar, refresh() { if (!panel.hidden) fill(); } };
  }

  AE.share = { optionNamed, paramsOf, rawOf, query, toolbar };
})(typeof window !== 'undefined' ? window : globalThis);
