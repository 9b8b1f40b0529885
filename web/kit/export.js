/* export.js - a figure as files for slides and papers: CSV and JSON of the numbers it shows,
   SVG and PNG of what it looks like. Works on any figure through the public test hooks
   (data-token-index, data-row/data-col/data-weight, data-candidate-index, data-part ...),
   so a new figure exports without code here. The numbers are the texts C printed. */
(function (root) {
  'use strict';
  const AE = (root.AttentionExplorer = root.AttentionExplorer || {});
  const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|-?inf/gi;

  const text = (node) => (node ? node.textContent.trim() : '');
  const visible = (node) => !!(node.offsetWidth || node.offsetHeight || node.getClientRects().length);

  // Every number the figure shows, in "tidy" form: one record per number, with the table it
  // belongs to, its row and column (index and label), what it is (field) and the printed value.
  function numbersOf(figure) {
    const records = [];
    const add = (table, row, col, rowLabel, colLabel, field, value) => {
      if (value === undefined || value === null || value === '') return;
      records.push({ table, row, col, row_label: rowLabel, col_label: colLabel, field, value: String(value) });
    };
    const focus = figure.dataset.focus !== undefined ? Number(figure.dataset.focus) : null;
    // the sentence's chips: the tokens, and the focal token's weight on each
    const firstRow = figure.querySelector('.ae-tokens');
    const chips = firstRow ? Array.from(firstRow.querySelectorAll('[data-token-index]')) : [];
    const tokens = chips.map((chip) => chip.dataset.text || text(chip.querySelector('.ae-word')));
    chips.forEach((chip, i) => {
      if (focus !== null && chip.dataset.weight !== undefined) {
        add('focal_row', focus, i, tokens[focus] || '', tokens[i], 'weight', chip.dataset.weight);
      }
    });
    const tables = figure.querySelectorAll('table');
    tables.forEach((table, t) => {
      const name = tables.length > 1 ? 'matrix_' + (t + 1) : 'matrix';
      const cols = Array.from(table.querySelectorAll('thead th[data-col]'), text);
      table.querySelectorAll('td[data-row][data-col]').forEach((cell) => {
        if (cell.dataset.hidden) return;
        const i = Number(cell.dataset.row), j = Number(cell.dataset.col);
        const rowHead = cell.parentNode.querySelector('th');
        add(name, i, j, text(rowHead), cols[j] || '', 'weight', cell.dataset.weight);
        if (cell.dataset.allowed !== undefined) add(name, i, j, text(rowHead), cols[j] || '', 'allowed', cell.dataset.allowed);
      });
      // Figure 3.1's worked table: each cell names its part (q, k, raw, scaled, weight, v, out)
      table.querySelectorAll('td[data-part]').forEach((cell) => {
        const part = cell.dataset.part, j = cell.dataset.j !== undefined ? Number(cell.dataset.j) : null;
        const label = text(cell.parentNode.querySelector('th .ae-qkv-word')) || text(cell.parentNode.querySelector('th'));
        const values = part === 'weight' ? [cell.dataset.weight] : (cell.textContent.match(NUMBER) || []);
        values.forEach((v, d) => add('qkv', j, values.length > 1 ? d : null, label, '', part, v));
      });
    });
    figure.querySelectorAll('[data-candidate-index]').forEach((bar) => {
      const i = Number(bar.dataset.candidateIndex), word = bar.dataset.word || text(bar.querySelector('.ae-temperature-word')) ||
        (text(bar).split(/\s+/)[0] || '');
      add('candidates', i, null, word, '', 'score', bar.dataset.score);
      add('candidates', i, null, word, '', 'probability', bar.dataset.prob);
    });
    // Figure 2.2: each head's habit and held-out entropy, and each layer's entropy on the text
    figure.querySelectorAll('[data-layer][data-head][data-habit]').forEach((cell) => {
      const l = Number(cell.dataset.layer), h = Number(cell.dataset.head), name = `L${l}H${h}`;
      add('atlas', l, h, name, '', 'habit', cell.dataset.habit);
      add('atlas', l, h, name, '', 'heldout_entropy_bits', cell.dataset.entropy);
    });
    figure.querySelectorAll('[data-layer-entropy]').forEach((row) => {
      add('layer_entropy', Number(row.dataset.layer), null, 'layer ' + row.dataset.layer, '', 'entropy_bits', row.dataset.layerEntropy);
    });
    figure.querySelectorAll('[data-kernel][data-n]').forEach((point) => {
      const n = Number(point.dataset.n), kernel = point.dataset.kernel;
      add('measurements', n, null, kernel, '', 'ms', point.dataset.ms);
      add('measurements', n, null, kernel, '', 'bytes', point.dataset.bytes);
    });
    return { tokens, records };
  }

  function csvCell(value) {
    const s = value === null || value === undefined ? '' : String(value);
    // quote when needed; a leading = + - @ is defused so a spreadsheet never runs it as a formula
    const safe = /^[=+@]/.test(s) || (/^-/.test(s) && !/^-?[\d.]+(e[-+]?\d+)?$|^-inf$/i.test(s)) ? "'" + s : s;
    return /[",\n\r]/.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe;
  }

  function csv(figure) {
    const { records } = numbersOf(figure);
    const columns = ['table', 'row', 'col', 'row_label', 'col_label', 'field', 'value'];
    return [columns.join(',')].concat(records.map((r) => columns.map((c) => csvCell(r[c])).join(','))).join('\r\n') + '\r\n';
  }

  function json(figure, state) {
    const { tokens, records } = numbersOf(figure);
    return JSON.stringify({
      generator: 'Attention Explorer', figure: figure.dataset.figure,
      state: state || null, tokens, numbers: records,
      note: 'Every number was computed by the C attention core (WebAssembly) and is given as printed.',
    }, null, 2) + '\n';
  }

  // ---- pictures -------------------------------------------------------------------------

  const escapeXml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  const painted = (colour) => colour && colour !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(colour);
  const round = (x) => String(Math.round(x * 10) / 10);

  // A box's corner radius as CSS draws it: a pill's 999px becomes half the shorter side (CSS
  // scales radii that do not fit; SVG would clamp rx and ry apart and draw an ellipse).
  function cornerOf(style, w, h, grow) {
    const radius = (parseFloat(style.borderTopLeftRadius) || 0) + grow;
    return Math.max(0, Math.min(radius, w / 2, h / 2));
  }

  // The picture's size in CSS pixels: the figure's box, rounded up.
  function pictureSize(figure) {
    const box = figure.getBoundingClientRect();
    return { x0: box.left, y0: box.top, w: Math.ceil(box.width), h: Math.ceil(box.height) };
  }

  // A picture of the figure as it is on screen: every box with a fill or border becomes a
  // rect, every piece of text a <text> at its place in the same font and colour, inline SVG
  // is copied with its computed paint. No foreignObject, so the PNG canvas stays untainted.
  function svg(figure) {
    const { x0, y0, w, h } = pictureSize(figure);
    const out = [];
    const page = getComputedStyle(figure);
    let background = page.backgroundColor;
    for (let n = figure; !painted(background) && n && n.nodeType === 1; n = n.parentElement || (n.getRootNode() && n.getRootNode().host)) {
      background = getComputedStyle(n).backgroundColor;
    }
    out.push(`<rect width="${w}" height="${h}" fill="${painted(background) ? background : '#ffffff'}"/>`);

    (function visit(node) {
      if (node.nodeType === 3) {
        if (node.nodeValue.trim()) drawText(node);
        return;
      }
      if (node.nodeType !== 1) return;
      const style = getComputedStyle(node);
      if (style.display === 'none' || style.visibility === 'hidden' || node.classList.contains('ae-sr-only') ||
        node.classList.contains('ae-share')) return;
      if (node instanceof SVGSVGElement) { out.push(inlineSvg(node, x0, y0)); return; }
      const r = node.getBoundingClientRect();
      if (r.width && r.height) {
        const fill = painted(style.backgroundColor) ? style.backgroundColor : 'none';
        const bw = parseFloat(style.borderTopWidth) || 0;
        const stroke = bw && painted(style.borderTopColor) && style.borderTopStyle !== 'none' ? style.borderTopColor : null;
        const ow = parseFloat(style.outlineWidth) || 0;
        if (ow && style.outlineStyle !== 'none' && painted(style.outlineColor)) {
          const off = (parseFloat(style.outlineOffset) || 0) + ow / 2;
          out.push(`<rect x="${round(r.left - x0 - off)}" y="${round(r.top - y0 - off)}" width="${round(r.width + 2 * off)}" ` +
            `height="${round(r.height + 2 * off)}" rx="${round(cornerOf(style, r.width + 2 * off, r.height + 2 * off, off))}" fill="none" ` +
            `stroke="${style.outlineColor}" stroke-width="${ow}"/>`);
        }
        if (fill !== 'none' || stroke) {
          const radius = cornerOf(style, r.width - bw, r.height - bw, 0);
          out.push(`<rect x="${round(r.left - x0 + bw / 2)}" y="${round(r.top - y0 + bw / 2)}" width="${round(r.width - bw)}" ` +
            `height="${round(r.height - bw)}" rx="${round(radius)}" fill="${fill}"` +
            (stroke ? ` stroke="${stroke}" stroke-width="${bw}"` : '') + '/>');
        }
      }
      // form fields draw their value, which is not a text node
      if ((node.tagName === 'INPUT' && node.type !== 'range' && node.type !== 'checkbox') || node.tagName === 'TEXTAREA') {
        const size = parseFloat(style.fontSize) || 14;
        out.push(`<text x="${round(r.left - x0 + (parseFloat(style.paddingLeft) || 0))}" y="${round(r.top - y0 + r.height / 2 + size * 0.35)}" ` +
          `font-family="${escapeXml(style.fontFamily)}" font-size="${round(size)}" fill="${style.color}">${escapeXml(node.value)}</text>`);
      }
      if (node.tagName === 'INPUT' && node.type === 'range') out.push(rangeOf(node, style, r, x0, y0));
      // a canvas (Figure 2.3's heads) as the picture it shows
      if (node.tagName === 'CANVAS' && r.width) {
        out.push(`<image x="${round(r.left - x0)}" y="${round(r.top - y0)}" width="${round(r.width)}" height="${round(r.height)}" ` +
          `preserveAspectRatio="none" style="image-rendering:pixelated" href="${node.toDataURL('image/png')}"/>`);
      }
      node.childNodes.forEach(visit);
    })(figure);

    function drawText(node) {
      const parent = node.parentElement;
      if (!parent || !visible(parent)) return;
      const style = getComputedStyle(parent);
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (!r.width) return;
      const angle = rotationOf(parent);
      const size = parseFloat(style.fontSize) || 14;
      const attrs = `font-family="${escapeXml(style.fontFamily)}" font-size="${round(size)}" font-weight="${style.fontWeight}"` +
        ` fill="${style.color}"`;
      if (angle) {
        // rotated labels (matrix column heads): anchor at the box's bottom-left, turned as on screen
        out.push(`<text x="${round(r.left - x0)}" y="${round(r.bottom - y0)}" ${attrs} ` +
          `transform="rotate(${round(angle)} ${round(r.left - x0)} ${round(r.bottom - y0)})">${escapeXml(node.nodeValue.trim())}</text>`);
        return;
      }
      const cased = (t) => (style.textTransform === 'uppercase' ? t.toUpperCase() : t);
      splitLines(node, range).forEach((line) => out.push(`<text x="${round(line.left - x0)}" ` +
        `y="${round(line.bottom - y0 - size * 0.25)}" ${attrs} xml:space="preserve">${escapeXml(cased(line.text))}</text>`));
    }
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
      `<title>Attention Explorer: ${escapeXml(figure.dataset.figure || 'figure')}</title>${out.join('')}</svg>\n`;
  }

  // The text of a node split where the browser wrapped it, with each line's box.
  function splitLines(node, range) {
    const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
    const raw = node.nodeValue;
    if (rects.length <= 1) {
      const r = range.getBoundingClientRect();
      return [{ text: raw.replace(/\s+/g, ' '), left: r.left, bottom: r.bottom }];
    }
    const lines = [];
    let start = 0, lastTop = null;
    const probe = document.createRange();
    for (let i = 0; i < raw.length; i++) {
      probe.setStart(node, i);
      probe.setEnd(node, i + 1);
      const r = probe.getBoundingClientRect();
      if (!r.height) continue;
      if (lastTop !== null && r.top > lastTop + 2) {
        lines.push({ from: start, to: i });
        start = i;
      }
      lastTop = r.top;
    }
    lines.push({ from: start, to: raw.length });
    return lines.map(({ from, to }) => {
      probe.setStart(node, from);
      probe.setEnd(node, to);
      const r = probe.getBoundingClientRect();
      return { text: raw.slice(from, to).replace(/\s+/g, ' ').trim(), left: r.left, bottom: r.bottom };
    }).filter((l) => l.text);
  }

  // The rotation (degrees) of an element or its nearest transformed ancestor within the figure.
  function rotationOf(node) {
    for (let n = node; n && n.nodeType === 1 && !n.hasAttribute('data-figure'); n = n.parentElement) {
      const m = getComputedStyle(n).transform;
      const parts = m && m.startsWith('matrix(') ? m.slice(7, -1).split(',').map(Number) : null;
      if (parts && (parts[1] || parts[2])) return Math.atan2(parts[1], parts[0]) * 180 / Math.PI;
    }
    return 0;
  }

  // A range slider as a track and a thumb at its value.
  function rangeOf(node, style, r, x0, y0) {
    const min = Number(node.min || 0), max = Number(node.max || 100), at = (Number(node.value) - min) / ((max - min) || 1);
    const y = r.top - y0 + r.height / 2, x = r.left - x0 + 8 + at * (r.width - 16);
    const accent = style.accentColor && style.accentColor !== 'auto' ? style.accentColor : style.color;
    return `<rect x="${round(r.left - x0)}" y="${round(y - 2)}" width="${round(r.width)}" height="4" rx="2" fill="${style.color}" opacity="0.3"/>` +
      `<circle cx="${round(x)}" cy="${round(y)}" r="8" fill="${accent}"/>`;
  }

  // An inline <svg> of a figure (the lab's plots), copied with computed paint so it looks the
  // same without the page's stylesheet.
  function inlineSvg(node, x0, y0) {
    const r = node.getBoundingClientRect();
    const copy = node.cloneNode(true);
    const from = [node].concat(Array.from(node.querySelectorAll('*')));
    const to = [copy].concat(Array.from(copy.querySelectorAll('*')));
    from.forEach((n, k) => {
      const s = getComputedStyle(n);
      for (const p of ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-size', 'font-family', 'font-weight']) {
        const v = s.getPropertyValue(p);
        if (v) to[k].setAttribute(p, v);
      }
      to[k].removeAttribute('class');
    });
    copy.setAttribute('x', round(r.left - x0));
    copy.setAttribute('y', round(r.top - y0));
    copy.setAttribute('width', round(r.width));
    copy.setAttribute('height', round(r.height));
    return new XMLSerializer().serializeToString(copy);
  }

  // PNG at twice the screen size (crisp on slides), drawn from the SVG above.
  function png(figure) {
    const source = svg(figure);
    const { w, h } = pictureSize(figure), scale = 2;
    return new Promise((resolve, reject) => {
      const image = new Image();
      image.onload = () => {
        const canvas = document.createElement('canvas');
        canvas.width = w * scale;
        canvas.height = h * scale;
        const g = canvas.getContext('2d');
        g.scale(scale, scale);
        g.drawImage(image, 0, 0, w, h);
        canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not make a PNG'))), 'image/png');
      };
      image.onerror = () => reject(new Error('the browser could not draw the figure'));
      image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(source);
    });
  }

  // Saves a file through a temporary link (works from file:// and any host).
  function download(name, content, type) {
    const blob = content instanceof Blob ? content : new Blob([content], { type });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  AE.exporter = { numbersOf, csv, json, svg, png, download };
})(typeof window !== 'undefined' ? window : globalThis);
