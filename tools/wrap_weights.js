#!/usr/bin/env node
// wrap_weights.js - wraps a weight file (core/attn_weights.c format) in a classic script, so a
// page opened from file:// can load it lazily with a <script> tag (fetch() of a local file is
// blocked there). The script calls AttentionExplorer.registerWeights(name, base64); when it
// runs before web/attn-model-bridge.js it parks the data in AttentionExplorer.pendingWeights.
//   node tools/wrap_weights.js in.bin out.js [name]      (name defaults to in.bin's base name)
// The file is checked by the C loader first (web/attn-core.js, when built): a corrupt or
// truncated file is refused with the core's message, never shipped.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

async function checkWithCore(bytes) {
  const corePath = path.join(__dirname, '..', 'web', 'attn-core.js');
  if (!fs.existsSync(corePath)) {
    if (String.fromCharCode(...bytes.subarray(0, 4)) !== 'AEWT') throw new Error('not a weight file (no AEWT magic)');
    return 'magic only (web/attn-core.js not built)';
  }
  const M = await require(corePath)();
  const buf = M._malloc(bytes.length), cfg = M._malloc(32), fmt = M._malloc(4);
  M.HEAPU8.set(bytes, buf);
  const message = (rc) => { let p = M._attn_strerror(rc), s = ''; while (M.HEAPU8[p]) s += String.fromCharCode(M.HEAPU8[p++]); return s; };
  let rc = M._attn_weights_read_header(cfg, fmt, buf, bytes.length);
  if (rc < 0) throw new Error(message(rc));
  const c = Array.from(M.HEAP32.subarray(cfg >> 2, (cfg >> 2) + 8));
  const floats = M._attn_gpt_param_floats(cfg), params = M._malloc(floats * 4);
  if (!params) throw new Error('out of memory for ' + floats + ' parameters');
  rc = M._attn_weights_load(params, floats, buf, bytes.length);
  if (rc < 0) throw new Error(message(rc));
  const names = ['vocab', 'context', 'd_model', 'n_heads', 'n_layers', 'd_mlp', 'attention_only', 'layernorm'];
  return `checked by the C loader: ${names.map((n, i) => n + ' ' + c[i]).join(', ')}; ` +
    `${floats} parameters, ${M.HEAP32[fmt >> 2] ? 'int8' : 'float32'}`;
}

async function main() {
  const [input, output, nameArg] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node tools/wrap_weights.js in.bin out.js [name]');
    process.exit(2);
  }
  const name = nameArg || path.basename(input).replace(/\.[^.]*$/, '');
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`name "${name}": use letters, digits, - and _`);
  const bytes = new Uint8Array(fs.readFileSync(input));
  const checked = await checkWithCore(bytes);
  const base64 = Buffer.from(bytes).toString('base64');
  const js = `/* Attention Explorer weights "${name}": ${bytes.length} bytes (AEWT weight file, ` +
    `core/attn_weights.c), base64.\n   Made by tools/wrap_weights.js; loaded lazily by web/attn-model-bridge.js. */\n` +
    `(function (root) {\n` +
    `  var ns = root.AttentionExplorer = root.AttentionExplorer || {};\n` +
    `  var data = '${base64}';\n` +
    `  if (typeof ns.registerWeights === 'function') ns.registerWeights('${name}', data);\n` +
    `  else (ns.pendingWeights = ns.pendingWeights || {})['${name}'] = data;\n` +
    `})(typeof window !== 'undefined' ? window : globalThis);\n`;
  fs.writeFileSync(output, js);
  console.log(`${output}: "${name}", ${bytes.length} bytes -> ${js.length} bytes of script; ${checked}`);
}

main().catch((e) => { console.error('wrap_weights: ' + e.message); process.exit(1); });
