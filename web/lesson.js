/* lesson.js - starts the lesson page: loads the C core once, mounts every [data-figure]
   with the options written on it, and links the figures that talk to each other
   (Figure 5.1 can lend its temperature to Figure 1.1). No inline script: the page runs
   under a strict Content-Security-Policy. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  // ?autorun=0 in the page's address keeps the quadratic-cost lab from measuring on load
  // (for tests and slow machines); the lab's Run button still works.
  const autorunOff = new URLSearchParams(location.search).get('autorun') === '0';

  // data-text, data-focus, data-head, data-temperature, data-seed on a figure root become its options
  function optionsOf(rootNode) {
    const d = rootNode.dataset, o = {};
    if (autorunOff) o.autorun = false;
    if (d.text !== undefined) o.text = d.text;
    if (d.focus !== undefined) o.focus = d.focus;
    if (d.head !== undefined) o.head = Number(d.head);
    if (d.model !== undefined) o.model = d.model;
    if (d.layer !== undefined) o.layer = Number(d.layer);
    if (d.temperature !== undefined) o.temperature = Number(d.temperature);
    if (d.number !== undefined) o.number = d.number;
    if (d.source !== undefined) o.source = d.source;
    if (d.prompt !== undefined) o.prompt = d.prompt;
    if (d.layer !== undefined) o.layer = Number(d.layer);
    if (d.ablation !== undefined) o.ablation = d.ablation;
    if (d.seed !== undefined) o.seed = Number(d.seed);
    return o;
  }

  function failAll(roots, err) {
    roots.forEach((rootNode) => kit.loadFailed(rootNode, rootNode.dataset.number, err));
  }

  // ---- state in the URL hash ---------------------------------------------------------
  // "#heads.head=2&heatmap.focus=8&view=heads": each figure's state under its name, only the
  // values that differ from how the page first draws it; view= scrolls to a shared figure.

  function readHash() {
    const byFigure = {};
    let view = null;
    const hash = location.hash.replace(/^#/, '');
    if (!hash || !/[=.]/.test(hash)) return { byFigure, view };   // a plain #anchor
    let pairs;
    try {
      pairs = Array.from(new URLSearchParams(hash));
    } catch (err) {
      return { byFigure, view };
    }
    for (const [key, value] of pairs.slice(0, 100)) {
      if (key === 'view') { view = value; continue; }
      const dot = key.indexOf('.');
      if (dot < 0) continue;
      const name = key.slice(0, dot);
      (byFigure[name] = byFigure[name] || []).push([key.slice(dot + 1), value]);
    }
    return { byFigure, view };
  }

  // What the page draws without a hash, per figure, to write only what changed.
  const initial = {};
  const pairsOf = (instance) => (instance ? AE.share.paramsOf(instance.state) : []);
  const changedPairs = (name, instance) => {
    const before = new Map(initial[name] || []);
    return pairsOf(instance).filter(([k, v]) => before.get(k) !== v);
  };

  function hashFor(mounted, only) {
    const parts = [];
    for (const [name, instance] of Object.entries(mounted)) {
      if (only && name !== only) continue;
      for (const [k, v] of changedPairs(name, instance)) parts.push([name + '.' + k, v]);
    }
    if (only) parts.push(['view', only]);
    return AE.share.query(parts);
  }

  // Applies the hash to the mounted figures; every bad value becomes a visible note.
  function applyHash(mounted, roots, core) {
    const { byFigure, view } = readHash();
    const unknownFigures = Object.keys(byFigure).filter((n) => !mounted[n]);
    roots.forEach((rootNode, index) => {
      const name = rootNode.dataset.figure, instance = mounted[name];
      if (!instance) return;
      const pairs = byFigure[name] || [];
      const { options, notes } = kit.cleanOptions(AE.share.rawOf(pairs), core);
      const unknown = pairs.filter(([k]) => !AE.share.optionNamed(k));
      if (unknown.length) notes.push(`Ignored ${unknown.map(([k]) => '"' + k.slice(0, 20) + '"').join(', ')}.`);
      delete options.number;
      // keys a figure does not have are dropped, so "#temperature.head=2" changes nothing
      for (const key of Object.keys(options)) if (!(key in instance.state)) delete options[key];
      if (Object.keys(options).length) {
        try {
          instance.set(options);
        } catch (err) {
          notes.push('This view could not be restored (' + (err && err.message ? err.message : err) + ').');
        }
      }
      if (index === 0 && unknownFigures.length) {
        notes.push(`There is no figure called ${unknownFigures.map((n) => '"' + n.slice(0, 20) + '"').join(', ')} on this page.`);
      }
      kit.optionNote(rootNode, 'ae-url-note', notes, 'From the link: ');
    });
    const target = view && roots.find((r) => r.dataset.figure === view);
    if (target && target.scrollIntoView) target.scrollIntoView({ block: 'start' });
  }

  function start() {
    const roots = Array.from(document.querySelectorAll('[data-figure]'));
    AE.loadCore().then((core) => {
      const mounted = {};
      roots.forEach((rootNode) => {
        const name = rootNode.dataset.figure;
        if (!kit.figureNamed(name)) return;
        try {
          // kit.mount owns the instance (one per root); the hash follows the first of each kind
          const instance = kit.mount(rootNode, name, core, optionsOf(rootNode));
          if (mounted[name]) return;
          mounted[name] = instance;
          initial[name] = pairsOf(instance);
        } catch (err) {
          failAll([rootNode], err);
        }
      });
      // Figure 5.1's switch sends its temperature to Figure 1.1
      document.addEventListener('ae-temperature-link', (e) => {
        if (mounted.heatmap) mounted.heatmap.set({ temperature: e.detail.linked ? e.detail.temperature : 1 });
      });
      // Figure 2.2 opens a head of the trained model in Figure 2.1, on its sentence
      document.addEventListener('ae-open-head', (e) => {
        if (!mounted.heads) return;
        mounted.heads.set({ model: 'trained', layer: e.detail.layer, head: e.detail.head, text: e.detail.text });
        const target = document.querySelector('[data-figure="heads"]');
        if (target && target.scrollIntoView) target.scrollIntoView({ block: 'start' });
      });
      AE.page = mounted;

      applyHash(mounted, roots, core);
      window.addEventListener('hashchange', () => applyHash(mounted, roots, core));

      // After any interaction, the hash follows the figures (debounced: hover moves fast).
      let timer = 0, last = location.hash.replace(/^#/, '');
      const write = () => {
        const hash = hashFor(mounted);
        if (hash === last) return;
        last = hash;
        history.replaceState(history.state, '', hash ? '#' + hash : location.pathname + location.search);
      };
      const later = () => { clearTimeout(timer); timer = setTimeout(write, 250); };
      const linkOf = (name) => location.href.replace(/#.*$/, '') + '#' + hashFor(mounted, name);
      roots.forEach((rootNode) => {
        const name = rootNode.dataset.figure;
        if (!mounted[name]) return;
        const bar = AE.share.toolbar(rootNode, name, () => mounted[name].state, linkOf);
        for (const type of ['input', 'change', 'click', 'keyup', 'mouseover', 'focusin', 'pointerup']) {
          rootNode.addEventListener(type, () => { later(); bar.refresh(); });
        }
        rootNode.after(bar.node);
      });
    }, (err) => failAll(roots, err));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(window.AttentionExplorer);
