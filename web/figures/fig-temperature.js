/* fig-temperature.js - Figure 5.1: drag the temperature, watch softmax sharpen or flatten.
   Six next-word candidates with fixed scores. C computes softmax(scores / T) and its entropy
   and prints every number; JS only sizes the bars and picks the sentence for the regime.
   A switch lends the temperature to Figure 1.1 (lesson.js listens for 'ae-temperature-link'). */
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

  // options: { temperature, number, title }
  AE.figures.temperature = function mountTemperature(root, core, options) {
    options = options || {};
    const MIN_T = core.temperatureRange.min, MAX_T = core.temperatureRange.max;   // the C clamp's range
    const start = startingTemperature(options.temperature, core);
    const state = { temperature: start.t, linked: false };
    const parts = kit.frame(root, options.number === undefined ? '5.1' : options.number,
      options.title || 'Softmax distribution over six candidates', 'Drag · arrow keys');
    const el = kit.el;

    const scores = CANDIDATES.map((c) => c.score);
    const scoreTexts = core.format(scores, 1);
    // the most uncertain six-way distribution (log2 6 bits), computed by C from equal scores
    const maxEntropy = core.softmax(scores.map(() => 0), 1).entropy;
    const maxEntropyText = core.format([maxEntropy], 2)[0];
    const [minText, maxText] = [core.format([MIN_T], 2)[0], core.format([MAX_T], 1)[0]];

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
    const rows = CANDIDATES.map((c, i) => {
      const fill = el('div', { class: 'ae-temperature-fill' });
      const prob = el('span', { class: 'ae-temperature-prob' });
      const row = el('tr', { data: { candidateIndex: i, score: scoreTexts[i] } },
        el('th', { scope: 'row', class: 'ae-temperature-word', text: c.word }),
        el('td', { class: 'ae-temperature-score', text: scoreTexts[i] }),
        el('td', null, el('div', { class: 'ae-temperature-cell' },
          el('div', { class: 'ae-temperature-bar', aria: { hidden: 'true' } }, fill), prob)));
      return { row, fill, prob };
    });
    const table = el('table', { class: 'ae-temperature-bars' },
      el('caption', null, 'Next word after “', el('span', { class: 'ae-temperature-prompt', text: PROMPT }), '”'),
      el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Word' }),
        el('th', { scope: 'col', class: 'ae-temperature-score', text: 'Score' }),
        el('th', { scope: 'col', text: 'Probability' }))),
      el('tbody', null, rows.map((r) => r.row)));

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
    parts.body.append(slider, table, story, entropy);
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
        result = core.softmax(scores, state.temperature);
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
      range.setAttribute('aria-valuetext', `T = ${tText}, ${regime}, ${CANDIDATES[top].word} ${probTexts[top]}`);
      story.textContent = STORY[regime](CANDIDATES[top].word, minText);
      entropyText.textContent = `Entropy ${hText} of at most ${maxEntropyText} bits`;
      // layout only: the meter's length is the ratio of two numbers C computed
      meterFill.style.setProperty('--h', String(Math.min(1, result.entropy / maxEntropy)));
      linkStatus.textContent = state.linked ? `Figure 1.1 now uses T = ${tText}.` : '';
      linkBox.checked = state.linked;

      if (lastRegime !== null && regime !== lastRegime) {
        parts.live.say(`${regime[0].toUpperCase() + regime.slice(1)} at T = ${tText}: ` +
          `${CANDIDATES[top].word} ${probTexts[top]}, entropy ${hText} of ${maxEntropyText} bits.`);
      }
      lastRegime = regime;
      root.dataset.regime = regime;
      kit.rendered(root);
    }

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
        render();
        if (state.linked !== wasLinked || (state.linked && state.temperature !== oldT)) sendLink();
      },
      destroy: parts.destroy,
    };
  };
})(window.AttentionExplorer);
