/* fig-heatmap.js - Figure 1.1: hover a word, see where it looks.
   The sentence as chips; the focal token's attention row (one head) colours every chip and
   prints its weight. Hover, tap, Tab or arrow keys choose the focal token; the text is
   editable; Figure 5.1 can lend its temperature. The model switch shows the same on the trained
   Brown model (AE.trained: loaded only when chosen), one layer and head at a time. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  AE.defaults = AE.defaults || {};
  AE.defaults.sentence = "The trophy didn't fit in the suitcase because it was too big.";

  // options: { text, focus (word or index), head, temperature, model ('designed' | 'trained'),
  // layer (trained), number, title }
  AE.figures.heatmap = function mountHeatmap(root, core, options) {
    options = options || {};
    const trained = AE.trained;
    const state = {
      text: options.text !== undefined ? options.text : AE.defaults.sentence,
      focus: options.focus !== undefined ? options.focus : 'it',   // a word until resolved
      head: options.head !== undefined ? options.head : 0,
      temperature: options.temperature !== undefined ? options.temperature : 1,
      model: options.model === 'trained' ? 'trained' : 'designed',
      layer: options.layer !== undefined ? options.layer : 0,
    };
    const loader = trained.modelLoader(root);
    const run = trained.cachedRun();
    let shownModel = state.model;   // the model the focus index refers to
    const parts = kit.frame(root, options.number === undefined ? '1.1' : options.number,
      options.title || 'Attention weights for one head', 'Hover · tap · arrow keys');
    let tokens = [];
    let pickPronoun = false;   // a sentence was typed: focus its pronoun, not whatever index was focal

    const chips = kit.tokenRow((i) => { state.focus = i; render(); });
    const headLine = kit.el('p', { class: 'ae-summary ae-head-line' });
    const summary = kit.el('p', { class: 'ae-summary', aria: { hidden: 'true' } });
    const input = kit.el('input', { class: 'ae-text', type: 'text', value: state.text, spellcheck: 'false',
      autocomplete: 'off', data: { control: 'text' }, aria: { label: 'Sentence for Figure 1.1' },
      on: { input: () => { state.text = input.value; pickPronoun = true; render(); } } });
    // the model switch, and the trained model's layer and head (shown in trained mode)
    const switcher = trained.modelSwitch('Model for Figure 1.1', (value) => {
      if (value === state.model) return;
      state.model = value;
      render();
    });
    const layerPick = trained.numberSelect('layer', 'Layer', 4, (l) => { state.layer = l; render(); }, 'Layer of the trained model');
    const headPick = trained.numberSelect('head', 'Head', 4, (h) => { state.head = h; render(); }, 'Head of the trained model');
    const picks = kit.el('div', { class: 'ae-trained-picks' }, layerPick.node, headPick.node);
    const modelLine = kit.el('div', { class: 'ae-controls ae-model-line' }, switcher.node, picks);
    const habitLine = kit.el('p', { class: 'ae-habit-line' });
    const decoderLine = kit.el('p', { class: 'ae-decoder-line' });
    const controls = kit.el('div', { class: 'ae-controls' },
      kit.el('label', { class: 'ae-text-label' }, 'Try your own sentence', input));
    parts.body.append(modelLine, chips.node, summary, headLine, habitLine, decoderLine, controls);

    // A hover only moves the focus: the model result is C's cached one for this text and
    // temperature, and the row's printed weights and sum come back in one call.
    let headLineKey = '';
    function render() {
      switcher.set(state.model);
      picks.hidden = state.model !== 'trained';
      if (state.model === 'trained') { renderTrained(); return; }
      habitLine.textContent = '';
      decoderLine.textContent = '';
      if (shownModel !== 'designed') keepFocusWord('designed');
      root.dataset.modelState = 'designed';
      let result;
      try {
        result = core.model(state.text, { temperature: state.temperature, parts: ['weights'] });
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
        chips.setTokens([]);
        summary.textContent = '';
        kit.rendered(root);
        return;
      }
      parts.note.set(result.truncated
        ? `Only the first ${result.tokens.length} of ${result.totalTokens} tokens are used.` : '');
      const headIndex = Math.min(Math.max(0, state.head | 0), result.heads.length - 1);
      const head = result.heads[headIndex];
      const known = tokens.length === result.tokens.length && typeof state.focus === 'number';
      tokens = result.tokens;
      const pronoun = pickPronoun ? pronounOf(result) : -1;
      pickPronoun = false;
      if (pronoun >= 0) state.focus = pronoun;
      else if (!known || !(Number.isInteger(state.focus) && state.focus >= 0 && state.focus < tokens.length)) {
        state.focus = kit.findToken(tokens, state.focus, kit.findToken(tokens, 'it', tokens.length - 1));
      }
      const row = head.weights[state.focus];
      const report = core.rowReport(result, headIndex, state.focus, 3);

      chips.setTokens(tokens);
      chips.setWeights(row, report.texts);
      chips.setFocal(state.focus);
      const focal = tokens[state.focus].text;
      // C's ranking of the row, also published (data-top) for the lesson's reading under the figure
      const top = kit.topThreeText(core, tokens, row, report.texts, root);
      summary.replaceChildren(kit.el('b', { text: focal }), ' looks at ' + top + '. Its weights add up to ' + report.sumText + '.');
      const lineKey = headIndex + '\n' + state.temperature;
      if (lineKey !== headLineKey) {   // printed once per head and temperature, not per hover
        const tLabel = state.temperature === 1 ? '' : ' · temperature ' + core.format([state.temperature], 2)[0];
        headLine.textContent = 'Head: ' + head.name + tLabel;
        headLineKey = lineKey;
      }
      parts.live.say(focal + ' attends most to ' + top + '.');
      root.dataset.focus = String(state.focus);
      kit.rendered(root);
    }

    // Switching models keeps the focal word (the trained model's tokens start with <s>).
    function keepFocusWord(to) {
      if (typeof state.focus === 'number' && tokens[state.focus]) state.focus = tokens[state.focus].text;
      tokens = [];
      shownModel = to;
    }

    function clearTokens() {
      chips.setTokens([]);
      summary.textContent = '';
      habitLine.textContent = '';
      decoderLine.textContent = '';
    }

    // Trained mode: the Brown model's weights for one layer and head; the model loads the
    // first time (render again when it arrives).
    function renderTrained() {
      if (shownModel !== 'trained') keepFocusWord('trained');
      const handle = trained.handleOrWait(loader, root, parts.note, () => { if (state.model === 'trained') render(); });
      if (!handle) {
        clearTokens();
        headLine.textContent = '';
        headLineKey = '';
        kit.rendered(root);
        return;
      }
      const shape = trained.shapeOf(handle), notes = [];
      const layer = trained.clampIndex(state.layer, shape.layers, 'layer');
      const headIx = trained.clampIndex(state.head, shape.heads, 'head');
      if (layer.note) notes.push(layer.note);
      if (headIx.note) notes.push(headIx.note);
      state.layer = layer.value;
      state.head = headIx.value;
      layerPick.set(state.layer, shape.layers);
      headPick.set(state.head, shape.heads);
      let result;
      try {
        result = run(handle, state.text);
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
        clearTokens();
        kit.rendered(root);
        return;
      }
      if (result.truncated) notes.push(`The trained model reads the first ${result.tokens.length - 1} of ${result.total_tokens} tokens.`);
      const words = result.tokens;
      const known = tokens.length === words.length && typeof state.focus === 'number';
      tokens = words.map((text) => ({ text }));
      if (!known || !(Number.isInteger(state.focus) && state.focus >= 0 && state.focus < tokens.length)) {
        state.focus = kit.findToken(tokens, state.focus, kit.findToken(tokens, 'it', tokens.length - 1));
      }
      const head = result.layers[state.layer].heads[state.head];
      const row = head.weights[state.focus];
      const texts = core.format(row, 3);
      const sumText = core.format(core.rowSums([row]), 3)[0];
      chips.setTokens(tokens);
      chips.setWeights(row, texts);
      chips.setFocal(state.focus);
      trained.markTokens(chips.node, result, state.focus);
      const focal = words[state.focus];
      const top = kit.topThreeText(core, tokens, row, texts, root);   // data-top for the reading
      summary.replaceChildren(kit.el('b', { text: focal }), ' looks at ' + top + '. Its weights add up to ' + sumText + '.');
      const lineKey = 'trained\n' + head.name;
      if (lineKey !== headLineKey) {
        headLine.textContent = `Head: ${head.name} of the trained model (layer ${state.layer}, head ${state.head})`;
        habitLine.textContent = trained.habitSentence(core, trained.atlasHead(handle, state.layer, state.head));
        headLineKey = lineKey;
      }
      decoderLine.textContent = trained.decoderText(words, state.focus);
      const unknown = trained.unknownText(result);
      if (unknown) notes.push(unknown);
      parts.note.set(notes.join(' '));
      parts.live.say(head.name + ': ' + focal + ' attends most to ' + top + '.');
      root.dataset.focus = String(state.focus);
      kit.rendered(root);
    }

    // The pronoun to look from in a typed sentence, by C's word classes: the first one with a
    // noun or name before it (something to point back to), else the first one; -1 if none.
    function pronounOf(result) {
      const f = result.featureNames || [], rows = result.features || [];
      const pron = f.indexOf('pronoun'), noun = f.indexOf('noun'), name = f.indexOf('proper name');
      if (pron < 0 || rows.length !== result.tokens.length) return -1;
      let first = -1, seenNoun = false;
      for (let i = 0; i < rows.length; i++) {
        if (rows[i][pron] > 0) {
          if (seenNoun) return i;
          if (first < 0) first = i;
        }
        if (rows[i][noun] > 0 || (name >= 0 && rows[i][name] > 0)) seenNoun = true;
      }
      return first;
    }

    render();
    // set() changes any of text, focus, head, temperature, model, layer and redraws
    const instance = kit.simpleInstance(state, render, input, () => { parts.destroy(); loader.destroy(); });
    return instance;
  };
})(window.AttentionExplorer);
