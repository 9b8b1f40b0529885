// The bridge's constants and struct offsets against core/attn.h itself: every #define of the
// header has its value in the core's table (attn_abi_*), every field of every struct has its
// offset there, the bridge's own names (CODES, MASKS, KERNELS) cover the header, and a bridge
// whose names drift from the header refuses to load.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const bridge = require('../../web/core/attn-bridge.js');

const ROOT = path.join(__dirname, '..', '..');
const header = fs.readFileSync(path.join(ROOT, 'core', 'attn.h'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

// #define ATTN_NAME <number> (the header's constants; ATTN_H itself has no value)
function headerConstants() {
  const out = {};
  for (const m of header.matchAll(/^#define\s+(ATTN_[A-Z0-9_]+)\s+(-?[0-9][0-9.e+-]*)\b/gm)) out[m[1]] = Number(m[2]);
  return out;
}

// typedef struct { fields } name;  ->  { name: [field, ...] }
function headerStructs() {
  const out = {};
  for (const m of header.matchAll(/typedef struct(?:\s+\w+)?\s*\{([\s\S]*?)\}\s*(\w+);/g)) {
    const fields = [];
    for (const line of m[1].split('\n')) {
      const decl = line.replace(/\/\/.*/, '').trim();
      if (!decl) continue;
      // "const float *w_q;", "float *q, *k, *v;", "int mask;"
      decl.replace(/;$/, '').split(',').forEach((part) => fields.push(part.replace(/\[.*\]/, '').trim().split(/[\s*]+/).pop()));
    }
    out[m[2]] = fields;
  }
  return out;
}

test('every constant of attn.h is in the core\'s table with the same value', async () => {
  const core = await bridge.loadCore();
  const constants = headerConstants();
  assert.ok(Object.keys(constants).length > 30, 'the header parsed');
  for (const [name, value] of Object.entries(constants)) {
    assert.equal(core.abi[name], value, `${name}: header ${value}, core table ${core.abi[name]}`);
  }
});

test('every field of every struct in attn.h has its offset in the table, inside the struct', async () => {
  const core = await bridge.loadCore();
  const structs = headerStructs();
  for (const name of ['attn_layer_weights', 'attn_options', 'attn_trace']) assert.ok(structs[name], `parsed ${name}`);
  // a struct or field added to attn.h fails below until core/attn_abi.c lists it (SIZE, FIELD)
  for (const [name, fields] of Object.entries(structs)) {
    const size = core.abi['sizeof ' + name];
    assert.ok(size > 0, `sizeof ${name}`);
    let last = -1;
    for (const field of fields) {
      const offset = core.abi[name + '.' + field];
      assert.ok(Number.isInteger(offset) && offset > last && offset < size, `${name}.${field} at ${offset} (size ${size})`);
      last = offset;
    }
  }
});

test('the bridge\'s names cover the header: CODES, MASKS and KERNELS', async () => {
  const constants = headerConstants();
  const names = (prefix, table) => Object.keys(table).map((k) => (k === 'OK' ? 'ATTN_OK' : prefix + k.toUpperCase().replace(/-/g, '_')));
  const want = (re) => Object.keys(constants).filter((n) => re.test(n)).sort();
  assert.deepEqual(names('ATTN_ERR_', bridge.CODES).sort(), want(/^ATTN_(OK|ERR_)/));
  assert.deepEqual(names('ATTN_MASK_', bridge.MASKS).sort(), want(/^ATTN_MASK_/));
  assert.deepEqual(names('ATTN_KERNEL_', bridge.KERNELS).sort(), want(/^ATTN_KERNEL_/));
  for (const [key, value] of Object.entries(bridge.CODES)) {
    assert.equal(value, constants[key === 'OK' ? 'ATTN_OK' : 'ATTN_ERR_' + key], `CODES.${key}`);
  }
});

test('a bridge whose constants drift from attn.h refuses to load', async () => {
  const source = fs.readFileSync(path.join(ROOT, 'web', 'core', 'attn-bridge.js'), 'utf8');
  const drifted = source.replace('INDEX: -10,', 'INDEX: -11,');
  assert.notEqual(drifted, source, 'the test edits the bridge\'s CODES');
  const sandbox = { require, module: { exports: {} }, TextEncoder, TextDecoder, WebAssembly, console };
  sandbox.globalThis = sandbox;
  sandbox.AttnCore = require(path.join(ROOT, 'web', 'core', 'attn-core.js'));
  vm.runInNewContext(drifted, sandbox);
  await assert.rejects(sandbox.module.exports.loadCore(), /out of date: ATTN_ERR_INDEX is -10 in the core, -11 here/);
});
