/* log-plot.js - an SVG plot on log-log axes, for measurements that span decades (the
   quadratic-cost lab; later loss curves). Where a value sits on a log axis is computed by C
   (core.logPositions); this file turns those 0..1 positions into viewBox units and draws the
   grid, the series with their markers, direct labels at each series' end and a reference line. */
(function (root) {
  'use strict';
  const AE = (root.AttentionExplorer = root.AttentionExplorer || {});
  AE.kit = AE.kit || {};
  const SVG_NS = 'http://www.w3.org/2000/svg';

  // svg('line', { x1: 0, class: 'x', data: { n: 4 }, text: 'label' }, ...children)
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'data') for (const [dk, dv] of Object.entries(v)) node.dataset[dk] = dv;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v);
    }
    children.flat().forEach((c) => c && node.append(c));
    return node;
  }

  // A series marker centred on (x, y): shape 'circle', 'square' or 'triangle'.
  function marker(shape, x, y, attrs) {
    if (shape === 'circle') return svg('circle', Object.assign({ cx: x, cy: y, r: 4 }, attrs));
    if (shape === 'square') return svg('rect', Object.assign({ x: x - 3.6, y: y - 3.6, width: 7.2, height: 7.2 }, attrs));
    return svg('path', Object.assign({ d: `M${x} ${y - 4.8}L${x + 4.6} ${y + 3.4}L${x - 4.6} ${y + 3.4}Z` }, attrs));
  }

  // The decade ticks ([value, label] pairs) spanning values, at least `minDecades` of them.
  function decadeRange(ticks, values, minDecades) {
    const lo = Math.min(...values), hi = Math.max(...values);
    let a = 0, b = ticks.length - 1;
    while (a < ticks.length - 1 && ticks[a + 1][0] <= lo) a++;
    while (b > 0 && ticks[b - 1][0] >= hi) b--;
    while (b - a < minDecades) { if (b < ticks.length - 1) b++; else if (a > 0) a--; else break; }
    return ticks.slice(a, b + 1);
  }

  const W = 360, H = 250, M = { left: 50, right: 58, top: 12, bottom: 38 };
  const PW = W - M.left - M.right, PH = H - M.top - M.bottom;

  // Draws into `canvas` (an <svg viewBox="0 0 360 250">). spec:
  //   xs: the x values with a grid line (ascending), xText(x): its label, xTitle
  //   yTicks: [value, label] decades (decadeRange picks them), classPrefix: e.g. 'ae-scaling'
  //   series: [{ id, label, shape, points: [{ x, y, data, title }] }]
  //   reference: { xs, ys } (a line, clipped to the plot) or null; ariaLabel
  function logLogPlot(core, canvas, spec) {
    const { xs, yTicks, series } = spec, cls = spec.classPrefix;
    const lo = yTicks[0][0], hi = yTicks[yTicks.length - 1][0];
    const xPos = core.logPositions(xs, xs[0], xs[xs.length - 1]);
    const xAt = new Map(xs.map((x, i) => [x, M.left + xPos[i] * PW]));
    const yOf = (f) => M.top + (1 - f) * PH;
    const tickPos = core.logPositions(yTicks.map((t) => t[0]), lo, hi);

    const grid = svg('g', { class: cls + '-grid', 'aria-hidden': 'true' });
    yTicks.forEach((t, i) => {
      const y = yOf(tickPos[i]);
      grid.append(svg('line', { x1: M.left, x2: M.left + PW, y1: y, y2: y }),
        svg('text', { x: M.left - 6, y: y + 3.5, class: cls + '-ytick', text: t[1] }));
    });
    const every = xs.length > 7 ? 2 : 1;   // label every other x when they crowd
    xs.forEach((x, i) => {
      const px = xAt.get(x);
      grid.append(svg('line', { x1: px, x2: px, y1: M.top, y2: M.top + PH, class: cls + '-vgrid' }));
      if ((xs.length - 1 - i) % every === 0) {
        grid.append(svg('text', { x: px, y: M.top + PH + 14, class: cls + '-xtick', text: spec.xText(x) }));
      }
    });
    grid.append(svg('text', { x: M.left + PW / 2, y: H - 4, class: cls + '-axis', text: spec.xTitle }));

    const layer = svg('g', { class: cls + '-series' });
    const ref = spec.reference;
    if (ref && ref.xs.length > 1) {
      const keep = ref.xs.map((x, i) => [x, ref.ys[i]]).filter(([, v]) => v >= lo * 0.999 && v <= hi * 1.001);
      if (keep.length > 1) {
        const pos = core.logPositions(keep.map((k) => k[1]), lo, hi);
        layer.append(svg('polyline', { class: cls + '-ref', 'aria-hidden': 'true',
          points: keep.map(([x], i) => `${xAt.get(x)},${yOf(pos[i])}`).join(' ') }));
      }
    }
    // every series' y positions in one call
    const all = series.flatMap((s) => s.points.map((p) => p.y));
    const yPos = all.length ? core.logPositions(all, lo, hi) : [];
    const labels = [];
    let at = 0;
    series.forEach((s) => {
      if (!s.points.length) return;
      const coords = s.points.map((p) => [xAt.get(p.x), yOf(yPos[at++])]);
      layer.append(svg('polyline', { class: `${cls}-line ${cls}-${s.id}`, 'aria-hidden': 'true',
        points: coords.map((c) => c.join(',')).join(' ') }));
      s.points.forEach((p, j) => {
        const mark = marker(s.shape, coords[j][0], coords[j][1], { class: `${cls}-mark ${cls}-${s.id}`, data: p.data });
        mark.append(svg('title', { text: p.title }));
        layer.append(mark);
      });
      const last = coords[coords.length - 1];
      labels.push({ s, x: last[0] + 8, y: last[1] });
    });
    // direct labels at each series' end, pushed apart so they never overlap
    labels.sort((a, b) => a.y - b.y);
    for (let i = 1; i < labels.length; i++) {
      if (labels[i].y - labels[i - 1].y < 12) labels[i].y = labels[i - 1].y + 12;
    }
    labels.forEach((l) => layer.append(svg('text', { x: l.x, y: l.y + 3.5,
      class: `${cls}-direct ${cls}-${l.s.id}`, 'aria-hidden': 'true', text: l.s.label })));

    const frameBox = svg('rect', { x: M.left, y: M.top, width: PW, height: PH, class: cls + '-box', 'aria-hidden': 'true' });
    canvas.replaceChildren(grid, frameBox, layer);
    canvas.setAttribute('aria-label', spec.ariaLabel);
  }

  AE.kit.svg = svg;
  AE.kit.marker = marker;
  AE.kit.decadeRange = decadeRange;
  AE.kit.logLogPlot = logLogPlot;
  AE.kit.plotViewBox = `0 0 ${W} ${H}`;
})(typeof window !== 'undefined' ? window : globalThis);
