/* embed.js - embed.html shows one figure, no page chrome, configured by the URL:
     embed.html?figure=heads&text=...&head=1&t=0.7&focus=it&step=2&mode=encoder
   Broken or hostile values are clamped or ignored with a visible note. The page tells its
   parent its height ({ type: 'attention-explorer:height', height }) so the iframe can fit it. */
(function (AE) {
  'use strict';
  const kit = AE.kit;
  const FIGURES = ['heatmap', 'heads', 'qkv', 'mask', 'temperature', 'scaling'];

  function postHeight() {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (window.parent !== window) {
      window.parent.postMessage({ type: 'attention-explorer:height', height, figure: figureName }, '*');
    }
    document.body.dataset.height = String(height);
  }

  const params = new URLSearchParams(location.search);
  let figureName = params.get('figure') || 'heatmap';
  const notes = [];
  if (FIGURES.indexOf(figureName) < 0) {
    notes.push(`There is no figure "${figureName.slice(0, 24)}"; showing the heatmap.`);
    figureName = 'heatmap';
  }
  const raw = {};
  for (const [key, name] of [['text', 'text'], ['focus', 'focus'], ['head', 'head'], ['t', 'temperature'],
    ['temperature', 'temperature'], ['step', 'step'], ['mode', 'mode']]) {
    if (params.has(key)) raw[name] = params.get(key);
  }

  function start() {
    const rootNode = document.getElementById('figure');
    rootNode.dataset.figure = figureName;
    AE.loadCore().then((core) => {
      const clean = kit.cleanOptions(raw, core.heads.length);
      clean.options.number = '';
      clean.options.link = false;   // an embedded figure has no Figure 1.1 beside it
      AE.figures[figureName](rootNode, core, clean.options);
      const all = notes.concat(clean.notes);
      if (all.length) {
        rootNode.append(kit.el('p', { class: 'ae-note ae-url-note', role: 'status', text: all.join(' ') }));
      }
      postHeight();
      new ResizeObserver(postHeight).observe(document.documentElement);
    }, (err) => {
      const parts = kit.frame(rootNode, '', 'Attention figure');
      parts.note.set('This figure needs WebAssembly, and the attention core did not load (' +
        (err && err.message ? err.message : err) + ').', true);
      rootNode.dataset.ready = 'error';
      postHeight();
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(window.AttentionExplorer);
