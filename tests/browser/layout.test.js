// Geometry of every figure on every page a figure appears on (the lesson, the course example's
// 44rem column, embed.html once per figure name), at 1280 and 390 px: nothing sticks out of its
// figure, no box scrolls sideways with the default texts (a caption cut mid-word, a matrix wider
// than its box), a cell's number fits inside the cell and inside any ring drawn in it, and a
// punctuation chip never starts a line alone. Screenshots of each page land in screenshots/.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, shot, LESSON } = require('./harness.js');
const { WIDTHS, figureNames, openAt, auditPages } = require('./audit.js');

let browser, names;
test.before(async () => {
  browser = await launch();
  const page = await openAt(browser, LESSON, 1280, 'light');
  names = await figureNames(page);
  await page.context().close();
});
test.after(() => browser.close());

// Runs in the page: every geometry problem of every figure root (document and shadow roots),
// as lines naming the figure and the node.
function geometryProblems() {
  const problems = [];
  const roots = [];
  const walk = (scope) => {
    scope.querySelectorAll('[data-figure]').forEach((n) => roots.push(n));
    scope.querySelectorAll('*').forEach((n) => { if (n.shadowRoot) walk(n.shadowRoot); });
  };
  walk(document);
  const name = (n) => {
    let s = n.tagName.toLowerCase();
    if (n.id) s += '#' + n.id;
    if (typeof n.className === 'string' && n.className) s += '.' + n.className.trim().split(/\s+/).join('.');
    for (const a of ['data-row', 'data-col', 'data-token-index']) if (n.hasAttribute(a)) s += `[${a}=${n.getAttribute(a)}]`;
    return s;
  };
  const px = (x) => Math.round(x * 10) / 10;
  const TOL = 1;
  if (document.documentElement.scrollWidth > window.innerWidth + TOL) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in ${window.innerWidth}`);
  }
  for (const root of roots) {
    const label = `figure ${root.dataset.figure}`;
    const box = root.getBoundingClientRect();
    if (box.right > window.innerWidth + TOL || box.left < -TOL) {
      problems.push(`${label} sticks out of the window: ${px(box.left)}..${px(box.right)} in ${window.innerWidth}`);
    }
    const hidden = (n) => {
      for (let a = n; a && a !== root; a = a.parentElement) {
        const st = getComputedStyle(a);
        if (st.display === 'none' || st.visibility === 'hidden' || a.classList.contains('ae-sr-only')) return true;
      }
      return false;
    };
    for (const n of root.querySelectorAll('*')) {
      if (n.closest('svg') && n.tagName.toLowerCase() !== 'svg') continue;   // the svg's own box is checked
      if (hidden(n)) continue;
      const r = n.getBoundingClientRect();
      if (!r.width && !r.height) continue;
      const st = getComputedStyle(n);
      // the nearest box between n and the figure that clips sideways
      let clip = null;
      for (let a = n.parentElement; a && a !== root; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') { clip = a; break; }
      }
      if (!clip && (r.left < box.left - TOL || r.right > box.right + TOL)) {
        problems.push(`${label}: ${name(n)} sticks out of its figure (${px(r.left)}..${px(r.right)} in ${px(box.left)}..${px(box.right)})`);
      }
      // a box that scrolls or cuts sideways, unless it cuts on purpose with an ellipsis
      // (a text box scrolls its own text: that is how an input works)
      if (st.overflowX !== 'visible' && st.textOverflow !== 'ellipsis' && !n.matches('input, textarea, select') &&
        n.scrollWidth > n.clientWidth + TOL) {
        problems.push(`${label}: ${name(n)} is cut or scrolls sideways: ${n.scrollWidth} px in ${n.clientWidth}`);
      }
      // a cell's or a chip's text inside its box and inside a ring drawn within it
      if ((n.tagName === 'TD' || n.classList.contains('ae-token')) && n.textContent.trim() && parseFloat(st.fontSize) > 0) {
        const range = document.createRange();
        range.selectNodeContents(n);
        const t = range.getBoundingClientRect();
        const ring = st.outlineStyle !== 'none' && parseFloat(st.outlineOffset) < 0
          ? -parseFloat(st.outlineOffset) : 0;
        if (t.left < r.left + ring - 0.5 || t.right > r.right - ring + 0.5) {
          problems.push(`${label}: the text "${n.textContent.trim()}" of ${name(n)} does not fit ` +
            (ring ? `inside its ring (${px(t.width)} px in ${px(r.width - 2 * ring)})` : `its box (${px(t.width)} px in ${px(r.width)})`));
        }
      }
    }
    // punctuation chips sit on the same line as the chip before them
    for (const row of root.querySelectorAll('.ae-tokens')) {
      const chips = Array.from(row.querySelectorAll('.ae-token'));
      chips.forEach((chip, i) => {
        if (i === 0 || !/^[^\p{L}\p{N}\p{S}]+$/u.test(chip.dataset.text || '')) return;
        const a = chips[i - 1].getBoundingClientRect(), b = chip.getBoundingClientRect();
        if (Math.abs(a.top - b.top) > TOL) problems.push(`${label}: the chip "${chip.dataset.text}" starts a line alone`);
      });
    }
  }
  return problems;
}

test('layout: every figure fits its box at 1280 and 390 px, on every page', { timeout: 900000 }, async (t) => {
  for (const [label, url] of auditPages(names)) {
    await t.test(label, async () => {
      // a fresh load per width: a figure picks its layout by the width it starts at
      const found = [], problems = [];
      for (const width of WIDTHS) {
        const page = await openAt(browser, url, width, 'light');
        for (const line of await page.evaluate(geometryProblems)) found.push(`${label} ${width}px: ${line}`);
        await shot(page, `audit-${label}-${width}`);
        problems.push(...page.problems);
        await page.context().close();
      }
      assert.deepEqual(found, [], found.join('\n'));
      assert.deepEqual(problems, []);
    });
  }
});

// The checker itself fails on what it is meant to catch: a matrix wider than its box, a number
// under a ring, a lone punctuation chip.
test('layout: the checker catches an overflow, a covered number and a lone "."', async () => {
  const page = await openAt(browser, LESSON, 390, 'light');
  assert.deepEqual(await page.evaluate(geometryProblems), [], 'the lesson is clean before the damage');
  await page.evaluate(() => {
    document.querySelector('[data-figure="heads"] .ae-matrix td').style.minWidth = '40rem';
    const self = document.querySelector('[data-figure="mask"] td.ae-mask-self');
    self.style.outlineOffset = '-12px';
    const row = document.querySelector('[data-figure="heatmap"] .ae-tokens');
    const glue = row.querySelector('.ae-token-glue');
    const dot = glue.lastElementChild;
    row.append(dot);
    row.style.flexDirection = 'column';
  });
  const found = (await page.evaluate(geometryProblems)).join('\n');
  assert.match(found, /figure heads: div\.ae-matrix-wrap.* is cut or scrolls sideways/);
  assert.match(found, /figure mask: the text "[^"]+" of td.* does not fit inside its ring/);
  assert.match(found, /figure heatmap: the chip "\." starts a line alone/);
  await page.context().close();
});

// The PNG and SVG exports draw each box as CSS does: a pill (border-radius 999px) has corners of
// half its height, never rx larger than half a side (SVG would draw an ellipse). Every figure.
test('export: every rounded box keeps its shape in the SVG (the PNG is drawn from it)', async () => {
  const page = await openAt(browser, LESSON, 1280, 'light');
  const found = await page.evaluate(() => {
    const bad = [];
    let pills = 0;
    for (const root of document.querySelectorAll('[data-figure]')) {
      const doc = new DOMParser().parseFromString(window.AttentionExplorer.exporter.svg(root), 'image/svg+xml');
      for (const r of doc.querySelectorAll('rect[rx]')) {
        const w = Number(r.getAttribute('width')), h = Number(r.getAttribute('height')), rx = Number(r.getAttribute('rx'));
        if (rx > Math.min(w, h) / 2 + 0.05) bad.push(`${root.dataset.figure}: rect ${w} x ${h} with rx ${rx}`);
        if (h < w && rx > 0 && Math.abs(rx - h / 2) <= 0.05) pills++;
      }
    }
    return { bad, pills };
  });
  assert.deepEqual(found.bad, []);
  assert.ok(found.pills >= 6, `the hint pills (one per figure) are drawn as pills: ${found.pills}`);
  await page.context().close();
});
