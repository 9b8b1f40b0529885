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

  // ---- what Figure 1.1's head did, from the numbers it shows ---------------------------
  // Under Figure 1.1 the page says where the focal word's attention went, with the weights the
  // figure prints (in the order C ranked them: the figure's data-top) and the sentence's subject
  // as C's embedding marks it.
  // It never says a pronoun was resolved: for the lesson's puzzle it says whether the top word is
  // the answer, and the flip (big <-> small) shows the weights just as sure when they are wrong.
  const PUZZLE = /\btrophy\b.*\bsuitcase\b.*\btoo (big|small)\b/i;
  const ANSWER = { big: 'trophy', small: 'suitcase' };
  const FLIP = { big: 'small', small: 'big' };

  function pronounReading(box, figureRoot, core, instance) {
    const now = box.querySelector('.reading-now'), flip = box.querySelector('[data-control="flip"]');
    const seen = {};   // the puzzle's version ('big' / 'small') -> { word, weight } last shown
    const em = (t) => kit.el('em', { text: t }), num = (t) => kit.el('strong', { text: t });

    function update() {
      const state = instance.state;
      const size = (state.text.match(/\btoo (big|small)\b/i) || [])[1];
      flip.hidden = !size;
      if (size) flip.textContent = 'Flip the puzzle: make it too ' + FLIP[size.toLowerCase()];
      const chips = Array.from(figureRoot.querySelectorAll('[data-token-index]'));
      const focal = chips.find((c) => c.getAttribute('aria-pressed') === 'true');
      if (!focal || chips.some((c) => c.dataset.weight === undefined)) return;
      const words = chips.map((c) => c.dataset.text);
      // the figure's own ranking of the weights it printed (C's top-k, its data-top hook)
      const [top, next] = (figureRoot.dataset.top || '').split(' ').filter(Boolean).map(Number);
      if (!(top >= 0 && top < chips.length)) return;
      const f = Number(focal.dataset.tokenIndex);
      const parts = ['From ', em(words[f]), ', this head sends ', num(chips[top].dataset.weight), ' to ', em(words[top]),
        ', more than to any other word'];
      if (next !== undefined) parts.push('; next comes ', em(words[next]), ' with ', num(chips[next].dataset.weight));
      parts.push('.');
      let result = null;
      // the figure's own call (same options: the bridge's cache answers, no new C work)
      try {
        result = core.model(state.text, { temperature: state.temperature, parts: ['weights'] });
      } catch (err) { /* an empty or broken text: no subject to mark */ }
      const subjectAt = result ? result.featureNames.indexOf('subject') : -1;
      if (result && subjectAt >= 0 && result.tokens.length === words.length) {
        const subject = result.features.findIndex((row) => row[subjectAt] > 0);
        if (subject === top) parts.push(' That word is the subject of the sentence.');
        else if (subject >= 0) parts.push(' The subject of the sentence is ', em(words[subject]), '.');
      }
      const puzzle = state.text.match(PUZZLE);
      if (puzzle && words[f].toLowerCase() === 'it') {
        const version = puzzle[1].toLowerCase(), answer = ANSWER[version], other = seen[FLIP[version]];
        seen[version] = { word: words[top], weight: chips[top].dataset.weight };
        if (words[top].toLowerCase() === answer) {
          parts.push(' Here that is the right answer. Does the head know why? Flip the puzzle and see.');
        } else {
          parts.push(' But here the thing that was too ' + version + ' is the ', em(answer),
            ': the weights point at the wrong word, and look just as sure');
          if (other) parts.push(' as they did before the flip (', em(other.word), ' ', num(other.weight), ')');
          parts.push('. Weights are not understanding (section 06).');
        }
      }
      now.replaceChildren(...parts);
    }

    flip.addEventListener('click', () => {
      const size = (instance.state.text.match(/\btoo (big|small)\b/i) || [])[1];
      if (!size) return;
      instance.set({ text: instance.state.text.replace(/\btoo (big|small)\b/i, (m, w) => 'too ' + FLIP[w.toLowerCase()]),
        focus: 'it' });
      figureRoot.dispatchEvent(new Event('change'));   // the address follows, as after any edit
    });
    figureRoot.addEventListener('ae-rendered', update);
    update();
  }

  // Figures far below the screen mount when the reader comes near them (half a screen ahead), or,
  // after the reader's first key, tap or wheel, one per idle task: the page paints and answers
  // at once (Lighthouse: total blocking time), a phone builds only what is read, and Tab still
  // finds every figure's controls.
  const nextTask = (fn) => (typeof requestIdleCallback === 'function'
    ? requestIdleCallback(fn, { timeout: 200 }) : setTimeout(fn, 0));
  const FIRST_INPUT = ['keydown', 'pointerdown', 'wheel', 'touchstart'];

  // On or near the screen: within half a screen below its bottom edge. An IntersectionObserver
  // says so without a forced layout of the whole page at start; near() is the fallback where
  // there is none.
  const NEAR_MARGIN = '0px 0px 50% 0px';
  const near = (r) => r.getBoundingClientRect().top < window.innerHeight * 1.5;
  const canObserve = typeof IntersectionObserver === 'function';

  // The reader's first key, tap or wheel (or a link followed within the page): remembered from
  // the start, since the core may still be loading when it comes.
  let acted = false, onAct = null;
  function listenForFirstInput() {
    const heard = () => {
      if (acted) return;
      acted = true;
      FIRST_INPUT.forEach((type) => removeEventListener(type, heard, true));
      removeEventListener('hashchange', heard);
      if (onAct) onAct();
    };
    FIRST_INPUT.forEach((type) => addEventListener(type, heard, { capture: true, passive: true }));
    addEventListener('hashchange', heard);
  }

  // The C core loads only once a figure is near or the reader acts: a reader who stays in the
  // opening text pays for no WebAssembly, and the page's first paint never waits for it.
  function start() {
    const roots = Array.from(document.querySelectorAll('[data-figure]'));
    listenForFirstInput();
    const { byFigure, view } = readHash();
    const eager = !!view || Object.keys(byFigure).length > 0;
    if (eager || !roots.length || !canObserve) {
      begin(roots);
      return;
    }
    let started = false;
    const go = () => {
      if (started) return;
      started = true;
      watch.disconnect();
      begin(roots);
    };
    onAct = go;
    const watch = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) go(); },
      { rootMargin: NEAR_MARGIN });
    roots.forEach((r) => watch.observe(r));
  }

  // Loads the core and mounts: every figure when eager (a link with state), else the near ones
  // now and the rest as they come near, or all of them, one per idle task, once the reader acts.
  function begin(roots) {
    AE.loadCore().then((core) => {
      const mounted = {};
      AE.page = mounted;
      // Figure 5.1's switch sends its temperature to Figure 1.1
      document.addEventListener('ae-temperature-link', (e) => {
        if (mounted.heatmap) mounted.heatmap.set({ temperature: e.detail.linked ? e.detail.temperature : 1 });
      });
      // Figure 2.2 opens a head of the trained model in Figure 2.1, on its sentence
      document.addEventListener('ae-open-head', (e) => {
        const heads = roots.find((r) => r.dataset.figure === 'heads');
        if (heads && !mounted.heads) mountLater(heads);   // not mounted yet: below the screen
        if (!mounted.heads) return;
        mounted.heads.set({ model: 'trained', layer: e.detail.layer, head: e.detail.head, text: e.detail.text });
        if (heads && heads.scrollIntoView) heads.scrollIntoView({ block: 'start' });
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
        if (!kit.figureNamed(name) || kit.instanceOn(rootNode)) return;   // unknown, or mounted early
        try {
          const instance = kit.mount(rootNode, name, core, optionsOf(rootNode));
          if (!mounted[name]) {
            mounted[name] = instance;
            initial[name] = pairsOf(instance);
            // under Figure 1.1, what its head did, from the numbers it shows
            const reading = name === 'heatmap' && document.querySelector('[data-reading="heatmap"]');
            if (reading) pronounReading(reading, rootNode, core, instance);
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
      const eager = !!view || Object.keys(byFigure).length > 0;
      // the near ones mount from the observer's first report, one frame from now
      const first = eager ? roots : canObserve ? [] : roots.filter(near);
      const rest = roots.filter((r) => !first.includes(r));
      first.forEach(mountRoot);
      const target = view && roots.find((r) => r.dataset.figure === view);
      if (target && target.scrollIntoView) target.scrollIntoView({ block: 'start' });

      const mountLater = (rootNode) => {
        const at = rest.indexOf(rootNode);
        if (at < 0) return;
        rest.splice(at, 1);
        if (approach) approach.unobserve(rootNode);
        if (rootNode.isConnected) mountRoot(rootNode);
        if (!rest.length) {   // a hook for tests and tools: every figure of the page is mounted
          document.documentElement.dataset.figuresMounted = 'all';
          onAct = null;
        }
      };
      const approach = rest.length && canObserve
        ? new IntersectionObserver((entries) => entries.forEach((e) => { if (e.isIntersecting) mountLater(e.target); }),
          { rootMargin: NEAR_MARGIN })
        : null;
      let queued = false;
      function mountAll() {
        if (queued) return;
        queued = true;
        const step = () => { if (rest.length) { mountLater(rest[0]); nextTask(step); } };
        nextTask(step);
      }
      if (!rest.length) document.documentElement.dataset.figuresMounted = 'all';
      else if (approach) {
        rest.forEach((r) => approach.observe(r));
        if (acted) mountAll();
        else onAct = mountAll;
      } else mountAll();

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
