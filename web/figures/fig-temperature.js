/* fig-temperature.js - Figure 5.1: drag the temperature, watch softmax sharpen or flatten.
   Six next-word candidates. Source "lesson" (the default): made-up fixed scores. Source
   "model": the trained Brown model's six likeliest next words after a prompt the reader
   edits, its logits as the scores (the model loads only when this source is chosen, or when
   the figure scrolls into view with it). C computes softmax(scores / T) over the six shown
   (renormalised) and its entropy and prints every number; JS only sizes the bars and picks
   the sentence for the regime. A switch lends the temperature to Figure 1.1 (lesson.js
   listens for 'ae-temperature-link'). */
(function (AE) {
  'use strict';
  const kit = AE.kit;

  const SHARP_BELOW = 0.5, FLAT_ABOVE = 1.5;   // where the caption changes its story
  // Candidates for the next word of PROMPT with made-up scores (inputs, not results).
  const PROMPT = 'The cat sat on the ___';
  const CANDIDATES = [
    { word: 'mat', score: 3.2 }, { word: 'floor', score: 2.6 }, { word: 'sofa', score: 2.1 },
    { word: 'roof', score: 1.4 }, { word: 'moon', score: 0.6 }, { word: 'idea', score: -0.5 },
  ];
  const DEFAULT_PROMPT = 'He picked up the phone and';
  const MAX_PROMPT = 400;   // characters kept of a prompt (the model reads its first 63 tokens)
  const STORY = {
    sharp: (top, low) => `Sharp: a small T stretches the gaps, so “${top}” takes most of the ` +
      `probability, nearly all of it near T\u00a0=\u00a0${low}.`,
    medium: (top) => `Medium: “${top}” is a clear favourite, yet the others keep a real share.`,
    flat: () => 'Flat: a large T squeezes the gaps between scores, so every option becomes plausible.',
  };

  function regimeOf(t) {
    return t < SHARP_BELOW ? 'sharp' : t > FLAT_ABOVE ? 'flat' : 'medium';
  }

  // A temperature option from a data attribute or a caller, through the core's one clamp,
  // with a quiet note instead of an error when it had to be changed.
  function startingTemperature(value, core) {
    if (value === undefined || value === null) return { t: 1, note: '' };
    const t = kit.temperatureOf(core, value);
    return { t: t.value, note: t.note };
  }

  // options: { temperature, number, title, source: 'lesson' | 'model', prompt }
  AE.figures.temperature = function mountTemperature(root, core, options) {
    options = options || {};
    const MIN_T = core.temperatureRange.min, MAX_T = core.temperatureRange.max;   // the C clamp's range
    const start = startingTemperature(options.temperature, core);
    const state = { temperature: start.t, linked: false, source: options.source === 'model' ? 'model' : 'lesson',
      prompt: typeof options.prompt === 'string' ? options.prompt.slice(0, MAX_PROMPT) : DEFAULT_PROMPT };
    const parts = kit.frame(root, options.number === undefined ? '5.1' : options.number,
      options.title || 'Softmax distribution over six candidates', 'Drag · arrow keys');
    const el = kit.el;

    const lessonScores = CANDIDATES.map((c) => c.score);
    // what the bars show: { words, scores, scoreTexts, prompt } of the lesson or of the model
    const lesson = { words: CANDIDATES.map((c) => c.word), scores: lessonScores,
      scoreTexts: core.format(lessonScores, 1), prompt: PROMPT };
    let shown = lesson;
    // the most uncertain six-way distribution (log2 6 bits), computed by C from equal scores
    const maxEntropy = core.softmax(lessonScores.map(() => 0), 1).entropy;
    const maxEntropyText = core.format([maxEntropy], 2)[0];
    const [minText, maxText] = [core.format([MIN_T], 2)[0], core.format([MAX_T], 1)[0]];

    // ---- the source switch and the prompt (model source only)
    const sourceSelect = el('select', { class: 'ae-model-select', data: { control: 'source' },
      aria: { label: 'Where the six scores come from' } },
      el('option', { value: 'lesson', text: 'Made-up scores (lesson)' }),
      el('option', { value: 'model', text: 'Trained model: real words' }));
    sourceSelect.value = state.source;
    const promptInput = el('input', { type: 'text', class: 'ae-text ae-temperature-prompt-input', maxlength: MAX_PROMPT,
      spellcheck: 'false', data: { control: 'prompt' }, aria: { label: 'Prompt for the trained model' } });
    promptInput.value = state.prompt;
    const promptRow = el('label', { class: 'ae-temperature-prompt-row' },
      el('span', { class: 'ae-temperature-name', text: 'Prompt' }), promptInput);
    const sourceNote = el('p', { class: 'ae-temperature-source-note' });
    const sourceRow = el('div', { class: 'ae-temperature-source' },
      el('label', { class: 'ae-temperature-source-label' },
        el('span', { class: 'ae-temperature-name', text: 'Scores' }), sourceSelect), promptRow);

    // ---- the slider and its readout
    const range = el('input', { type: 'range', class: 'ae-temperature-range', min: MIN_T, max: MAX_T,
      step: 0.01, data: { control: 'temperature' }, aria: { label: 'Temperature T' } });
    range.value = String(state.temperature);
    state.temperature = Number(range.value);   // snapped to the slider's step
    const readout = el('output', { class: 'ae-temperature-readout', aria: { hidden: 'true' } });
    const regimeTag = el('span', { class: 'ae-temperature-regime', aria: { hidden: 'true' } });
    const slider = el('div', { class: 'ae-temperature-slider' },
      el('div', { class: 'ae-temperature-top' },
        el('span', { class: 'ae-temperature-name', text: 'Temperature' }), readout, regimeTag),
      el('div', { class: 'ae-temperature-track' },
        el('span', { class: 'ae-temperature-end', text: minText, aria: { hidden: 'true' } }), range,
        el('span', { class: 'ae-temperature-end', text: maxText, aria: { hidden: 'true' } })));

    // ---- the bars: a real table (word | score | probability), one row per candidate
    let rows = [];
    const tbody = el('tbody');
    const promptText = el('span', { class: 'ae-temperature-prompt' });
    const scoreHead = el('th', { scope: 'col', class: 'ae-temperature-score', text: 'Score' });
    const table = el('table', { class: 'ae-temperature-bars' },
      el('caption', null, 'Next word after “', promptText, '”'),
      el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Word' }), scoreHead,
        el('th', { scope: 'col', text: 'Probability' }))),
      tbody);

    // (Re)builds the six rows for the candidates now shown.
    function buildRows() {
      rows = shown.words.map((word, i) => {
        const fill = el('div', { class: 'ae-temperature-fill' });
        const prob = el('span', { class: 'ae-temperature-prob' });
        const row = el('tr', { data: { candidateIndex: i, score: shown.scoreTexts[i], word } },
          el('th', { scope: 'row', class: 'ae-temperature-word', text: word, title: word }),
          el('td', { class: 'ae-temperature-score', text: shown.scoreTexts[i] }),
          el('td', null, el('div', { class: 'ae-temperature-cell' },
            el('div', { class: 'ae-temperature-bar', aria: { hidden: 'true' } }, fill), prob)));
        return { row, fill, prob };
      });
      tbody.replaceChildren(...rows.map((r) => r.row));
      promptText.textContent = shown.prompt;
      scoreHead.textContent = shown === lesson ? 'Score' : 'Logit';
      table.classList.toggle('ae-temperature-model', shown !== lesson);
    }
    buildRows();

    // ---- the story: regime sentence, entropy with a small meter, the link switch
    const story = el('p', { class: 'ae-temperature-story' });
    const entropyText = el('span');
    const meterFill = el('span', { class: 'ae-temperature-meter-fill' });
    const entropy = el('p', { class: 'ae-temperature-entropy' }, entropyText,
      el('span', { class: 'ae-temperature-meter', aria: { hidden: 'true' } }, meterFill));
    const linkBox = el('input', { type: 'checkbox', class: 'ae-temperature-check' });
    const linkStatus = el('span', { class: 'ae-temperature-link-status' });
    // Only the lesson page has a Figure 1.1 to lend to; embedded copies say link: false and
    // get no switch at all (a `hidden` attribute loses to the box's display: flex).
    const link = el('div', { class: 'ae-temperature-link' },
      el('label', null, linkBox, el('span', { text: 'Use this temperature in Figure 1.1' })), linkStatus);
    parts.body.append(sourceRow, slider, table, sourceNote, story, entropy);
    if (options.link !== false) parts.body.append(link);
    parts.note.set(start.note);

    let lastRegime = null;

    // Tells the page (lesson.js) to apply or drop this temperature in Figure 1.1.
    function sendLink() {
      root.dispatchEvent(new CustomEvent('ae-temperature-link', { bubbles: true, composed: true,
        detail: { linked: state.linked, temperature: state.temperature } }));
    }

    function render() {
      let result;
      try {
        result = core.softmax(shown.scores, state.temperature);
      } catch (err) {
        parts.note.set(kit.friendly(err), true);
        kit.rendered(root);
        return;
      }
      const probTexts = core.format(result.probs, 3);
      const [tText, hText] = [core.format([state.temperature], 2)[0], core.format([result.entropy], 2)[0]];
      const regime = regimeOf(state.temperature);
      const top = core.topK(result.probs, 1)[0];

      rows.forEach((r, i) => {
        r.row.dataset.prob = probTexts[i];
        r.row.classList.toggle('ae-temperature-top-row', i === top);
        r.prob.textContent = probTexts[i];
        r.fill.style.setProperty('--p', probTexts[i]);   // bar length = the printed probability
      });
      readout.textContent = 'T = ' + tText;
      regimeTag.textContent = regime;
      regimeTag.dataset.regime = regime;
      range.setAttribute('aria-valuetext', `T = ${tText}, ${regime}, ${shown.words[top]} ${probTexts[top]}`);
      story.textContent = STORY[regime](shown.words[top], minText);
      entropyText.textContent = `Entropy ${hText} of at most ${maxEntropyText} bits`;
      // layout only: the meter's length is the ratio of two numbers C computed
      meterFill.style.setProperty('--h', String(Math.min(1, result.entropy / maxEntropy)));
      linkStatus.textContent = state.linked ? `Figure 1.1 now uses T = ${tText}.` : '';
      linkBox.checked = state.linked;

      if (lastRegime !== null && regime !== lastRegime) {
        parts.live.say(`${regime[0].toUpperCase() + regime.slice(1)} at T = ${tText}: ` +
          `${shown.words[top]} ${probTexts[top]}, entropy ${hText} of ${maxEntropyText} bits.`);
      }
      lastRegime = regime;
      root.dataset.regime = regime;
      root.dataset.source = shown === lesson ? 'lesson' : 'model';
      promptRow.hidden = state.source !== 'model';
      kit.rendered(root);
    }

    // ---- the model source: loaded on request (or when scrolled into view), never before
    let model = null, loading = null, destroyed = false, stopWatching = () => {};
    const sourceMessage = (text, isError) => {
      sourceNote.textContent = text;
      sourceNote.classList.toggle('ae-error', !!isError);
    };

    function loadModel() {
      if (!loading) {
        sourceMessage('Loading the trained model (about 1 MB, once)…');
        root.dataset.modelState = 'loading';
        loading = AE.loadModel('brown').then((m) => {
          if (destroyed) { m.destroy(); return null; }
          model = m;
          root.dataset.modelState = 'ready';
          return m;
        }, (err) => {
          loading = null;
          root.dataset.modelState = 'error';
          sourceMessage('The trained model did not load (' + (err && err.message ? err.message : err) +
            '). The made-up scores are shown instead.', true);
          throw err;
        });
      }
      return loading;
    }

    // The six likeliest next words after the prompt, their logits as the scores.
    function modelCandidates() {
      const prompt = state.prompt;
      if (!prompt.trim()) {
        sourceMessage('Type a few words above: the model shows its six likeliest next words after them. ' +
          'Until then the made-up scores are shown.');
        return lesson;
      }
      let next;
      try {
        next = model.nextWords(prompt, 6);
      } catch (err) {
        sourceMessage(kit.friendly(err), true);
        return lesson;
      }
      const words = next.next.map((x) => x.word), scores = next.next.map((x) => x.logit);
      // the six's share of the model's whole distribution at T = 1 (a sum C adds up)
      const share = core.format(core.rowSums([next.next.map((x) => x.prob)]), 2)[0];
      const readWords = next.tokens.length - 1;
      const notes = [`The trained model's six likeliest next words, with its logits as the scores. ` +
        `Softmax runs over these six only (renormalised), so their probabilities add up to 1; ` +
        `at T = 1 they hold ${share} of the model's probability over all ${model.vocabSize.toLocaleString('en-US')} words of its vocabulary.`];
      if (next.unknown.length === readWords) {
        notes.push(`None of the prompt's words is in the model's vocabulary, so it reads each as an unknown-word ` +
          `class (<unk>, <unk-cap> …) and its guesses say little.`);
      } else if (next.unknown.length) {
        notes.push(`${next.unknown.length === 1 ? 'One word is' : next.unknown.length + ' words are'} outside its ` +
          `vocabulary (read as an unknown-word class: ${next.unknown.map((i) => next.tokens[i]).slice(0, 4).join(', ')}).`);
      }
      if (next.truncated) notes.push(`It reads only the first ${readWords} words of a long prompt.`);
      if (words.some((w) => /^<unk/.test(w))) notes.push('A candidate in angle brackets (<unk>, <unk-ed> …) stands for a class of words outside the vocabulary (<unk-ed>: one ending in -ed).');
      sourceMessage(notes.join(' '));
      return { words, scores, scoreTexts: core.format(scores, 2), prompt: next.truncated ? next.tokens.slice(1).join(' ') + ' …' : prompt };
    }

    // Shows the source in state.source: the lesson's six at once, the model's once loaded.
    function showSource() {
      if (state.source !== 'model') {
        shown = lesson;
        sourceMessage('');
        buildRows();
        render();
        return;
      }
      const apply = () => {
        if (destroyed || state.source !== 'model') return;
        shown = modelCandidates();
        buildRows();
        render();
      };
      if (model) { apply(); return; }
      promptRow.hidden = false;
      loadModel().then(apply, () => {});
    }

    sourceSelect.addEventListener('change', () => {
      state.source = sourceSelect.value === 'model' ? 'model' : 'lesson';
      stopWatching();
      showSource();
    });
    let promptTimer = 0;
    promptInput.addEventListener('input', () => {
      state.prompt = promptInput.value.slice(0, MAX_PROMPT);
      clearTimeout(promptTimer);
      promptTimer = setTimeout(() => { if (state.source === 'model') showSource(); }, 120);
    });

    range.addEventListener('input', () => {
      state.temperature = Number(range.value);
      if (start.note) { parts.note.set(''); start.note = ''; }   // the user has chosen a T now
      render();
      if (state.linked) sendLink();
    });
    linkBox.addEventListener('change', () => {
      state.linked = linkBox.checked;
      render();
      sendLink();
      parts.live.say(state.linked ? `Figure 1.1 now uses T = ${core.format([state.temperature], 2)[0]}.`
        : `Figure 1.1 is back to T = ${core.format([1], 2)[0]}.`);
    });

    render();
    // a link or an attribute asked for the model: load it when the figure comes into view
    if (state.source === 'model') {
      promptRow.hidden = false;
      sourceMessage('The trained model loads when this figure scrolls into view.');
      stopWatching = kit.whenVisible(root, showSource);
    }
    return {
      state,
      // Changes temperature (clamped to the slider) and/or linked, redraws, tells Figure 1.1.
      set(change) {
        const wasLinked = state.linked, oldT = state.temperature;
        if ('temperature' in change) {
          range.value = String(startingTemperature(change.temperature, core).t);
          state.temperature = Number(range.value);
        }
        if ('linked' in change) state.linked = !!change.linked;
        let sourceChanged = false;
        if ('prompt' in change && typeof change.prompt === 'string' && change.prompt.slice(0, MAX_PROMPT) !== state.prompt) {
          state.prompt = change.prompt.slice(0, MAX_PROMPT);
          promptInput.value = state.prompt;
          sourceChanged = true;
        }
        if ('source' in change) {
          const source = change.source === 'model' ? 'model' : 'lesson';
          sourceChanged = sourceChanged || source !== state.source;
          state.source = source;
          sourceSelect.value = source;
        }
        if (sourceChanged) {
          // from a link or an attribute: the model, if not loaded yet, waits until the figure is seen
          stopWatching();
          if (state.source === 'model' && !model) {
            promptRow.hidden = false;
            if (!loading) sourceMessage('The trained model loads when this figure scrolls into view.');
            stopWatching = kit.whenVisible(root, showSource);
          } else showSource();
        } else render();
        if (state.linked !== wasLinked || (state.linked && state.temperature !== oldT)) sendLink();
      },
      destroy() {
        destroyed = true;
        clearTimeout(promptTimer);
        stopWatching();
        if (model) { model.destroy(); model = null; }
        parts.destroy();
      },
    };
  };
})(window.AttentionExplorer);
