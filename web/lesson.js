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

  // data-text, data-focus, data-head, data-temperature on a figure root become its options
  function optionsOf(rootNode) {
    const d = rootNode.dataset, o = {};
    if (autorunOff) o.autorun = false;
    if (d.text !== undefined) o.text = d.text;
    if (d.focus !== undefined) o.focus = d.focus;
    if (d.head !== undefined) o.head = Number(d.head);
    if (d.temperature !== undefined) o.temperature = Number(d.temperature);
    if (d.number !== undefined) o.number = d.number;
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

  // Applies the hash to one mounted figure (roots[index]); every bad value becomes a visible
  // note. The first figure also notes figures the link names that the page does not have.
  function applyHashTo(mounted, roots, index, core) {
    const { byFigure } = readHash();
    const rootNode = roots[index], name = rootNode.dataset.figure, instance = mounted[name];
    if (!instance) return;
    const unknownFigures = Object.keys(byFigure).filter((n) => !kit.figureNamed(n) || !roots.some((r) => r.dataset.figure === n));
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
  }

  // After the first draw, the figures below the screen mount one per task, so the page paints
  // and answers in between (Lighthouse: total blocking time); the learner never waits for them.
  const nextTask = (fn) => (typeof requestIdleCallback === 'function'
    ? requestIdleCallback(fn, { timeout: 200 }) : setTimeout(fn, 0));

  function start() {
    const roots = Array.from(document.querySelectorAll('[data-figure]'));
    AE.loadCore().then((core) => {
      const mounted = {};
      AE.page = mounted;
      // Figure 5.1's switch sends its temperature to Figure 1.1
      document.addEventListener('ae-temperature-link', (e) => {
        if (mounted.heatmap) mounted.heatmap.set({ temperature: e.detail.linked ? e.detail.temperature : 1 });
      });

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

      // Mounts one figure root: the figure (kit.mount owns the instance, one per root; the hash
      // follows the first of each kind), the link's state for it, its share toolbar.
      function mountRoot(rootNode) {
        const name = rootNode.dataset.figure;
        if (!kit.figureNamed(name)) return;
        try {
          const instance = kit.mount(rootNode, name, core, optionsOf(rootNode));
          if (!mounted[name]) {
            mounted[name] = instance;
            initial[name] = pairsOf(instance);
          }
        } catch (err) {
          failAll([rootNode], err);
          return;
        }
        applyHashTo(mounted, roots, roots.indexOf(rootNode), core);
        const bar = AE.share.toolbar(rootNode, name, () => mounted[name].state, linkOf);
        for (const type of ['input', 'change', 'click', 'keyup', 'mouseover', 'focusin', 'pointerup']) {
          rootNode.addEventListener(type, () => { later(); bar.refresh(); });
        }
        rootNode.after(bar.node);
      }

      // A link with state or a view mounts everything at once (the view scrolls to its figure,
      // which must not move); otherwise the figures on or near the screen come first.
      const { byFigure, view } = readHash();
      const eager = view || Object.keys(byFigure).length > 0;
      const near = (r) => r.getBoundingClientRect().top < window.innerHeight * 1.5;
      const first = eager ? roots : roots.filter(near);
      const rest = roots.filter((r) => !first.includes(r));
      first.forEach(mountRoot);
      const target = view && roots.find((r) => r.dataset.figure === view);
      if (target && target.scrollIntoView) target.scrollIntoView({ block: 'start' });
      const mountNext = () => {
        const rootNode = rest.shift();
        if (!rootNode) return;
        if (rootNode.isConnected) mountRoot(rootNode);
        nextTask(mountNext);
      };
      nextTask(mountNext);

      window.addEventListener('hashchange', () => {
        roots.forEach((rootNode, index) => applyHashTo(mounted, roots, index, core));
        const { view: seen } = readHash();
        const shown = seen && roots.find((r) => r.dataset.figure === seen);
        if (shown && shown.scrollIntoView) shown.scrollIntoView({ block: 'start' });
      });
    }, (err) => failAll(roots, err));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(window.AttentionExplorer);
