// `make help` (the verbs a newcomer looks for): every line is a target name and its comment,
// and the verbs of the README are all there.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');

test('make help lists each verb by name with what it does', () => {
  const run = spawnSync('make', ['--no-print-directory', 'help'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').slice(1);   // after the one-line usage
  const verbs = new Map();
  for (const line of lines) {
    const m = /^ {2}([a-z][a-z-]*) +(\S.*)$/.exec(line);
    assert.ok(m, `"${line}" is a target name and its comment`);
    verbs.set(m[1], m[2]);
  }
  for (const verb of ['build', 'test', 'serve', 'site', 'bench', 'fuzz', 'fuzz-smoke', 'clean', 'help', 'model-weights']) {
    assert.ok(verbs.has(verb), `make help lists ${verb}`);
    assert.ok(verbs.get(verb).length > 15, `${verb} says what it does`);
  }
});
