// Shared by the browser tests: Debian's Chromium driven by playwright-core, a local server,
// and a page wrapper that fails on console errors, page errors and CSP violations.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const { chromium } = require('playwright-core');
const { serve } = require('../serve.js');

const ROOT = path.join(__dirname, '..', '..');
const SHOTS = path.join(__dirname, 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// The network is closed: keep Chromium from trying to reach outside hosts.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  '--disable-dev-shm-usage'];

async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

// Opens url in a fresh context; collects every console error, page error and CSP violation
// into page.problems, which tests assert to be empty.
async function open(browser, url, options = {}) {
  const context = await browser.newContext({
    viewport: options.viewport || { width: 1280, height: 900 },
    hasTouch: !!options.hasTouch, isMobile: !!options.isMobile,
    reducedMotion: options.reducedMotion || 'no-preference',
    colorScheme: options.colorScheme || 'light',
  });
  // clock: true installs Playwright's fake clock, so a test can pause time and run timers
  // (page.clock.pauseAt / runFor) instead of sleeping
  if (options.clock) await context.clock.install();
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
    });
  });
  await page.goto(url);
  return page;
}

async function shot(page, name, locator) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name + '.png');
  if (locator) await locator.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Waits until the figure matching `selector` has drawn from the WASM module; its locator.
// On the lesson a figure mounts when the reader comes near it, so the page is scrolled to it
// first, as a reader would.
async function figureReady(page, selector) {
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  await page.waitForSelector(selector + '[data-ready="true"]');
  return page.locator(selector);
}

// The lesson mounts the figures far below the screen once the reader first acts: a key press
// (Shift: it does nothing else), then every figure of the page is mounted.
async function mountAll(page) {
  await page.keyboard.press('Shift');
  await page.waitForSelector('html[data-figures-mounted="all"]', { state: 'attached' });
}

// Opens the lesson (or another page of figures) with every figure mounted, as after a first key.
async function openLesson(browser, url, options) {
  const page = await open(browser, url, options);
  await mountAll(page);
  return page;
}

function fileUrl(rel) {
  return 'file://' + path.join(ROOT, rel);
}

// The lesson page with the quadratic-cost lab left idle (?autorun=0): tests that do not test
// the lab do not share the machine with its measurements.
const LESSON = fileUrl('web/index.html') + '?autorun=0';

// Waits for `count` animation frames in the page: a negative check ("nothing happens after
// Stop") gets that many chances to go wrong, without a fixed sleep.
function frames(page, count = 10) {
  return page.evaluate((n) => new Promise((resolve) => {
    let k = 0;
    const next = () => (++k >= n ? resolve() : requestAnimationFrame(next));
    requestAnimationFrame(next);
  }), count);
}

// Waits until the CSS transitions and animations inside `locator` have finished.
function settled(locator) {
  return locator.evaluate((node) => Promise.all(node.getAnimations({ subtree: true }).map((a) => a.finished)));
}

// Waits for the polite live region inside `locator` to say something matching `pattern`;
// returns what it says.
async function spoken(locator, pattern) {
  const region = locator.locator('[aria-live="polite"]');
  const node = await region.elementHandle();
  await locator.page().waitForFunction(([el, source, flags]) => new RegExp(source, flags).test(el.textContent),
    [node, pattern.source, pattern.flags]);
  return region.textContent();
}

module.exports = { launch, open, openLesson, shot, serve, fileUrl, figureReady, mountAll, frames, settled, spoken, LESSON, ROOT };
