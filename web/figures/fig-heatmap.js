/* fig-heatmap.js - Figure 1.1: hover a word, see where it looks.
   The sentence as chips; the focal token's attention row (one head) colours every chip and
   prints its weight. Hover, tap, Tab or arrow keys choose the focal token; the text is
   editable; Figure 5.1 can lend its temperature. */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  AE.defaults = AE.defaults || {};
  AE.defaults.sentence = "The trophy didn't fit in the suitcase because it was too big.";

  // options: { text, focus (word or index), head, temperature, number, title }
  AE.figures.heatmap = function mountHeatmap(root, core, options) {
    options = options || {};
    const state = {
      text: options.text !== undefined ? options.text : AE.defaults.sentence,
      focus: options.focus !== undefined ? options.focus : 'it',   // a word until resolved
      head: options.head !== undefined ? options.head : 0,
      temperature: options.temperature !== undefined ? options.temperature : 1,
    };
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
    const controls = kit.el('div', { class: 'ae-controls' },
      kit.el('label', { class: 'ae-text-label' }, 'Try your own sentence', input));
    parts.body.append(chips.node, summary, headLine, controls);

    // A hover only moves the focus: the model result is C's cached one for this text and
    // temperature, and the row's printed weights and sum come back in one call.
    let headLineKey = '';
    function render() {
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
      const order = Array.from(core.topK(row, 3));
      const top = order.map((j) => tokens[j].text + ' ' + report.texts[j]).join(', ');
      root.dataset.top = order.join(' ');
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
    // set() changes any of text, focus, head, temperature and redraws
    return kit.simpleInstance(state, render, input, parts.destroy);
  };
})(window.AttentionExplorer);
