/* embed.js - embed.html shows one figure, no page chrome, configured by the URL:
     embed.html?figure=heads&text=...&head=1&t=0.7&focus=it&step=2&mode=encoder
   (autorun=0 keeps the quadratic-cost lab from measuring on load).
   Broken or hostile values are clamped or ignored with a visible note. The page tells its
   parent its height ({ type: 'attention-explorer:height', height }) so the iframe can fit it. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

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
  if (!kit.figureNamed(figureName)) {
    notes.push(`There is no figure "${figureName.slice(0, 24)}"; showing the heatmap.`);
    figureName = 'heatmap';
  }
  const raw = AE.share.rawOf(Array.from(params));   // the same keys the lesson's links use

  function start() {
    const rootNode = document.getElementById('figure');
    rootNode.dataset.figure = figureName;
    AE.loadCore().then((core) => {
      const clean = kit.cleanOptions(raw, core);
      clean.options.number = '';
      clean.options.link = false;   // an embedded figure has no Figure 1.1 beside it
      if (params.get('autorun') === '0') clean.options.autorun = false;
      kit.mount(rootNode, figureName, core, clean.options);
      kit.optionNote(rootNode, 'ae-url-note', notes.concat(clean.notes));
      const title = rootNode.querySelector('.ae-caption > span:not(.ae-hint)');   // the page's one heading
      if (title) document.getElementById('embed-title').textContent = 'Attention Explorer: ' + title.textContent;
      postHeight();
      new ResizeObserver(postHeight).observe(document.documentElement);
    }, (err) => {
      kit.loadFailed(rootNode, '', err);
      postHeight();
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(window.AttentionExplorer);
