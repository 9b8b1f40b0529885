/* lesson.js - starts the lesson page: loads the C core once, mounts every [data-figure]
   with the options written on it, and links the figures that talk to each other
   (Figure 5.1 can lend its temperature to Figure 1.1). No inline script: the page runs
   under a strict Content-Security-Policy. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  // data-text, data-focus, data-head, data-temperature on a figure root become its options
  function optionsOf(rootNode) {
    const d = rootNode.dataset, o = {};
    if (d.text !== undefined) o.text = d.text;
    if (d.focus !== undefined) o.focus = d.focus;
    if (d.head !== undefined) o.head = Number(d.head);
    if (d.temperature !== undefined) o.temperature = Number(d.temperature);
    if (d.number !== undefined) o.number = d.number;
    return o;
  }

  function failAll(roots, err) {
    roots.forEach((rootNode) => {
      const parts = kit.frame(rootNode, rootNode.dataset.number || '', 'could not start');
      parts.note.set('This figure needs WebAssembly, and the attention core did not load (' +
        (err && err.message ? err.message : err) + '). Try a current Firefox, Chrome, Safari or Edge.', true);
      rootNode.dataset.ready = 'error';
    });
  }

  function start() {
    const roots = Array.from(document.querySelectorAll('[data-figure]'));
    AE.loadCore().then((core) => {
      const mounted = {};
      roots.forEach((rootNode) => {
        const name = rootNode.dataset.figure, mount = AE.figures[name];
        if (!mount) return;
        try {
          mounted[name] = mount(rootNode, core, optionsOf(rootNode));
        } catch (err) {
          failAll([rootNode], err);
        }
      });
      // Figure 5.1's switch sends its temperature to Figure 1.1
      document.addEventListener('ae-temperature-link', (e) => {
        if (mounted.heatmap) mounted.heatmap.set({ temperature: e.detail.linked ? e.detail.temperature : 1 });
      });
      AE.page = mounted;
    }, (err) => failAll(roots, err));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(window.AttentionExplorer);
