/* attention-figure.js - <attention-figure>, any figure of the lesson in one line:

     <script src="attention-figures.js"></script>
     <attention-figure figure="heatmap" text="The cat sat on the mat." focus="cat"></attention-figure>

   Attributes: figure (heatmap | heads | atlas | train | qkv | mask | generate | temperature | scaling | ablation), text, head,
   temperature, focus, mode, step, seed, greedy, cache, layer, source, prompt, ablation (see README; seed also Figure 2.3's training run), number (a caption number such as "1.1"; none by default),
   autorun ("false": the lab waits for Run). Changing an attribute re-renders; changing figure,
   number or autorun mounts afresh, after destroying the old figure (its timers, listeners and
   jobs). Removing the element destroys its figure too. Several on one page share one WASM
   instance and work independently. Styles live in the shadow root; theme with the --ae-* custom properties
   (see figures.css) on the element or any ancestor. The test hooks (data-figure,
   data-ready, data-weight ...) are inside the shadow root. */
(function (root) {
  'use strict';
  const AE = (root.AttentionExplorer = root.AttentionExplorer || {});
  if (typeof customElements === 'undefined' || customElements.get('attention-figure')) return;

  const OPTION_ATTRIBUTES = ['text', 'head', 'temperature', 'focus', 'mode', 'step', 'number', 'autorun', 'model',
    'seed', 'greedy', 'cache', 'layer', 'source', 'prompt', 'ablation', 'edits'];
  const REMOUNT_ATTRIBUTES = ['figure', 'number', 'autorun'];

  // Attributes as figure options, checked like URL values: a bad one is dropped or clamped
  // and described in `notes`, never thrown.
  function optionsOf(element, core) {
    const raw = {};
    for (const name of OPTION_ATTRIBUTES) if (element.hasAttribute(name)) raw[name] = element.getAttribute(name);
    const clean = AE.kit.cleanOptions(raw, core);
    clean.options.number = raw.number || '';
    clean.options.link = false;   // no lesson page around to link figures
    return clean;
  }

  class AttentionFigure extends HTMLElement {
    static get observedAttributes() { return ['figure'].concat(OPTION_ATTRIBUTES); }

    connectedCallback() {
      if (this.shadowRoot) {   // moved in the page, or put back after removal
        if (!AE.kit.instanceOn(this.figureRoot)) this.mount();
        return;
      }
      const shadow = this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      style.textContent = ':host { display: block; } :host([hidden]) { display: none; }\n' +
        '.ae-figure { margin: 0; }\n' + (AE.figureStyles || '');
      this.figureRoot = document.createElement('figure');
      this.figureRoot.setAttribute('part', 'figure');
      shadow.append(style, this.figureRoot);
      this.mount();
    }

    // (Re)creates the figure named by the `figure` attribute with the current options; the
    // figure mounted before on this element is destroyed first (kit.mount does that).
    mount() {
      const name = this.getAttribute('figure') || 'heatmap';
      const figureRoot = this.figureRoot;
      AE.kit.unmount(figureRoot);
      figureRoot.dataset.figure = name;
      delete figureRoot.dataset.ready;
      this.instance = null;
      const token = (this.mountToken = {});
      AE.loadCore().then((core) => {
        if (token !== this.mountToken || !this.isConnected) return;   // a newer mount, or removed meanwhile
        if (!AE.kit.figureNamed(name)) {
          const parts = AE.kit.frame(figureRoot, '', 'Attention figure');
          parts.note.set(`There is no figure called "${name}". Try ${Object.keys(AE.figures).join(', ')}.`, true);
          figureRoot.dataset.ready = 'error';
          return;
        }
        this.core = core;
        const { options, notes } = optionsOf(this, core);
        this.instance = AE.kit.mount(figureRoot, name, core, options);
        AE.kit.optionNote(figureRoot, 'ae-attribute-note', notes);
      }, (err) => AE.kit.loadFailed(figureRoot, '', err));
    }

    // Removed from the page: the figure stops (timers, runs) and frees its jobs.
    disconnectedCallback() {
      this.mountToken = null;
      this.instance = null;
      if (this.figureRoot) AE.kit.unmount(this.figureRoot);
    }

    attributeChangedCallback(name, before, after) {
      if (!this.shadowRoot || before === after) return;
      if (!this.isConnected) return;   // connectedCallback mounts with every attribute
      if (REMOUNT_ATTRIBUTES.includes(name) || after === null || !this.instance) { this.mount(); return; }
      const raw = {};
      raw[name] = after;
      const { options, notes } = AE.kit.cleanOptions(raw, this.core);
      AE.kit.optionNote(this.figureRoot, 'ae-attribute-note', notes);
      if (name in options) this.instance.set(options);
    }
  }

  customElements.define('attention-figure', AttentionFigure);
})(typeof window !== 'undefined' ? window : globalThis);
