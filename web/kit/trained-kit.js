/* trained-kit.js - what the figures that show the trained Brown model share: a lazy model
   handle per figure, the model switch, the head atlas in words, chips that mark words outside
   the vocabulary. The model (its module and weights, about 1 MB) loads only when a figure asks
   (the learner switches to "trained", or Figure 2.2 scrolls into view), never with the page.
   Every number shown still comes from C: weights and entropies from the model core, the atlas
   from core/attn_atlas.c (shipped with the weights), the digits from core.format. */
(function (root) {
  'use strict';
  const AE = (root.AttentionExplorer = root.AttentionExplorer || {});
  const kit = AE.kit;

  const MODEL_NAME = 'brown';
  const MODELS = [['designed', 'Designed heads (written by hand)'], ['trained', 'Trained on English (Brown corpus)']];

  // One model handle for one figure. load() starts loading once (a failure may be retried);
  // rootNode.dataset.modelState (data-model-state) says where it is: loading, ready or error. destroy() frees the
  // handle's WASM buffers, also when it arrives after the figure is gone.
  function modelLoader(rootNode) {
    let handle = null, pending = null, destroyed = false, error = null;
    return {
      get handle() { return handle; },
      get error() { return error; },
      load() {
        if (handle) return Promise.resolve(handle);
        if (pending) return pending;
        if (typeof AE.loadModel !== 'function') {
          error = new Error('the model bridge (attn-model-bridge.js) is not on this page');
          rootNode.dataset.modelState = 'error';
          return Promise.reject(error);
        }
        rootNode.dataset.modelState = 'loading';
        error = null;
        pending = AE.loadModel(MODEL_NAME).then((h) => {
          pending = null;
          if (destroyed) { h.destroy(); throw new Error('the figure was removed'); }
          handle = h;
          rootNode.dataset.modelState = 'ready';
          return h;
        }, (err) => {
          pending = null;
          error = err;
          if (!destroyed) rootNode.dataset.modelState = 'error';
          throw err;
        });
        return pending;
      },
      destroy() {
        destroyed = true;
        if (handle) handle.destroy();
        handle = null;
      },
    };
  }

  // The friendly note when the model did not load.
  function loadFailedText(err) {
    const why = String(err && err.message ? err.message : err).replace(/\.$/, '');
    return 'The trained model could not load (' + why + '). The designed heads still work: switch the model back to "designed".';
  }

  // The model switch: a labelled <select data-control="model">; onChange(value).
  function modelSwitch(label, onChange) {
    const select = kit.el('select', { class: 'ae-select', data: { control: 'model' }, aria: { label },
      on: { change: () => onChange(select.value) } },
    MODELS.map(([value, text]) => kit.el('option', { value, text })));
    const node = kit.el('label', { class: 'ae-select-label' }, 'Model', select);
    return { node, select, set(value) { select.value = value; } };
  }

  // A labelled <select data-control="name"> of count numbered choices ("Layer 0" ...).
  function numberSelect(name, word, count, onChange, label) {
    const select = kit.el('select', { class: 'ae-select', data: { control: name }, aria: { label },
      on: { change: () => onChange(Number(select.value)) } });
    const node = kit.el('label', { class: 'ae-select-label' }, word, select);
    return {
      node, select,
      set(value, n) {
        if (select.options.length !== n) {
          select.replaceChildren(...Array.from({ length: n }, (_, i) => kit.el('option', { value: String(i), text: String(i) })));
        }
        select.value = String(value);
      },
    };
  }

  // The model's layer and head counts, once loaded (for clamping layer/head options).
  function shapeOf(handle) {
    return { layers: handle.config.n_layers, heads: handle.config.n_heads };
  }

  // A layer or head from options, clamped to the model: { value, note }.
  function clampIndex(value, count, what) {
    const v = Number(value);
    if (Number.isInteger(v) && v >= 0 && v < count) return { value: v, note: '' };
    const used = Number.isInteger(v) && v >= count ? count - 1 : 0;
    return { value: used, note: `The trained model has ${what}s 0 to ${count - 1}; showing ${what} ${used}.` };
  }

  // The atlas entry of head (layer, head), or null.
  function atlasHead(handle, layer, head) {
    const a = handle && handle.atlas;
    return a && a.layers && a.layers[layer] && a.layers[layer].heads[head] ? a.layers[layer].heads[head] : null;
  }

  // What the head's atlas numbers (measured on held-out text by core/attn_atlas.c) say, in
  // one or two sentences; the digits are printed by C (core.format).
  function habitSentence(core, entry) {
    if (!entry) return 'No atlas was shipped with this model, so this head has no measured habit.';
    const f = (values, d) => core.format(values, d === undefined ? 3 : d);
    const [score, base] = {
      induction: [entry.prefix_match, entry.prefix_baseline],
      determiner: [entry.det_noun, entry.det_baseline],
      'verb-noun': [entry.verb_noun, entry.verb_baseline],
      'previous-token': [entry.previous, entry.uniform],
      'first-token': [entry.first, entry.uniform],
    }[entry.habit] || [];
    const what = {
      induction: (s, b) => `on repeated text a token puts ${s} of its weight on the word after its earlier copy, where this head's position habits alone would put ${b}`,
      determiner: (s, b) => `a noun puts ${s} of its weight on its determiner ("the", "a", "this" ...), where this head's position habits alone would put ${b}`,
      'verb-noun': (s, b) => `a verb puts ${s} of its weight on the noun before it, where this head's position habits alone would put ${b}`,
      'previous-token': (s, b) => `a word puts ${s} of its weight on the word just before it (attention spread evenly: ${b})`,
      'first-token': (s, b) => `a word puts ${s} of its weight on the first token (attention spread evenly: ${b})`,
    }[entry.habit];
    const [ent, uni] = f([entry.entropy, entry.entropy_uniform], 2);
    if (what) {
      const [s, b] = f([score, base]);
      return `Measured on held-out text, ${entry.name} has a habit: ${entry.habit}. On average ${what(s, b)}.`;
    }
    const [prev, uniform, det, detBase] = f([entry.previous, entry.uniform, entry.det_noun, entry.det_baseline]);
    return `Measured on held-out text, ${entry.name} is diffuse: none of its scores clears a habit's threshold. ` +
      `It gives the previous word ${prev} (even spread: ${uniform}), a noun's determiner ${det} (position alone: ${detBase}); ` +
      `its rows carry ${ent} bits of entropy (even spread: ${uni}).`;
  }

  // The chips of a trained-model result: tokens as { text }, and the unknown ones marked
  // (data-unknown, a dashed border, and the class the model read them as in the label).
  function markTokens(chipsNode, result, focus) {
    const unknown = new Set(result.unknown);
    // by each chip's own index: punctuation chips ride in a group with the word before them
    chipsNode.querySelectorAll('[data-token-index]').forEach((chip) => {
      const i = Number(chip.dataset.tokenIndex);
      const isUnknown = unknown.has(i);
      chip.toggleAttribute('data-unknown', isUnknown);
      chip.toggleAttribute('data-boundary', i === 0 && result.tokens[0] === '<s>');
      // the causal mask: words after the focal one are not read yet (weight 0)
      chip.toggleAttribute('data-future', focus !== undefined && i > focus);
      if (isUnknown) {
        chip.title = `"${chip.dataset.text}" is not in the model's vocabulary: it reads ${result.vocab_words[i]}`;
        chip.setAttribute('aria-label', chip.getAttribute('aria-label') + ', not in the vocabulary (read as ' + result.vocab_words[i] + ')');
      } else if (i === 0) {
        chip.title = 'The start token <s>: the model reads it before every text';
      } else {
        chip.removeAttribute('title');
      }
    });
  }

  // A sentence about the unknown words, or ''.
  function unknownText(result) {
    if (!result.unknown.length) return '';
    const list = result.unknown.slice(0, 6).map((i) => '“' + result.tokens[i] + '”').join(', ') +
      (result.unknown.length > 6 ? ' …' : '');
    return `Dashed chips are words outside the model's vocabulary (${list}): it reads each only as its class, such as <unk> or <unk-cap>.`;
  }

  // The decoder note: what the focal word cannot see. words: token texts, focus: index.
  function decoderText(words, focus) {
    const later = words.slice(focus + 1);
    if (!later.length) {
      return `The trained model reads left to right (Figure 4.1's causal mask): “${words[focus]}” sees only the words before it.`;
    }
    const shown = later.slice(0, 5).join(' ').replace(/ ([.,;:!?])/g, '$1') + (later.length > 5 ? ' …' : '');
    return `The trained model reads left to right (Figure 4.1's causal mask): “${words[focus]}” has not read “${shown}” yet, ` +
      'so those words get no weight and cannot help it decide.';
  }

  // A run of the model on text, cached for the last text (run is C's forward pass).
  function cachedRun() {
    let last = null;
    return (handle, text) => {
      if (!last || last.handle !== handle || last.text !== text) last = { handle, text, result: handle.run(text) };
      return last.result;
    };
  }

  // The loaded handle, or null after saying why not on the figure (the load failed, or it is
  // loading: then the load starts and rerender runs when it settles). Figures 1.1 and 2.1 share it.
  function handleOrWait(loader, rootNode, note, rerender) {
    if (loader.handle) { rootNode.dataset.modelState = 'ready'; return loader.handle; }
    if (loader.error) {
      rootNode.dataset.modelState = 'error';
      note.set(loadFailedText(loader.error), true);
    } else {
      rootNode.dataset.modelState = 'loading';
      note.set('Loading the trained model (about 1 MB, once)…');
      loader.load().then(rerender, rerender);
    }
    return null;
  }

  AE.trained = { modelLoader, handleOrWait, loadFailedText, modelSwitch, numberSelect, shapeOf, clampIndex, atlasHead,
    habitSentence, markTokens, unknownText, decoderText, cachedRun, MODEL_NAME };
})(typeof window !== 'undefined' ? window : globalThis);
