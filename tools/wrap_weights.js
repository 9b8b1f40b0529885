#!/usr/bin/env node
// wrap_weights.js - wraps a weight file (core/attn_weights.c format), and optionally the model's
// vocabulary, in one classic script, so a page opened from file:// can load it lazily with a
// <script> tag (fetch() of a local file is blocked there). The script calls
// AttentionExplorer.registerWeights(name, base64, { vocab }); when it runs before
// web/attn-model-bridge.js it parks the data in AttentionExplorer.pendingWeights.
//   node tools/wrap_weights.js in.bin out.js [name] [--vocab vocab.txt] [--atlas atlas.json] [--sentences held-out.txt]
// --atlas adds the model's head atlas, the JSON `build/attn --model NAME --atlas` wrote
// (models/brown-atlas.json): the page shows those measured numbers, never retyped ones.
// --sentences adds the held-out sentences of Figure 6.2 (text, one a line) as extra.sentences.
// (name defaults to in.bin's base name). The file is checked by the C loader first
// (web/attn-model-core.js, when built): a corrupt or truncated file is refused with the core's
// message, never shipped; so is a vocabulary whose word count differs from the model's.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

// The atlas must describe this model: one entry per layer and head, each with a habit.
function checkAtlas(atlas, layers, heads) {
  if (!atlas || !Array.isArray(atlas.layers) || atlas.layers.length !== layers) {
    throw new Error(`the atlas has ${atlas && atlas.layers ? atlas.layers.length : 'no'} layers, the model ${layers}`);
  }
  atlas.layers.forEach((l, i) => {
    if (!Array.isArray(l.heads) || l.heads.length !== heads) throw new Error(`atlas layer ${i}: not ${heads} heads`);
    l.heads.forEach((h, k) => {
      if (h.layer !== i || h.head !== k || typeof h.habit !== 'string' || typeof h.entropy !== 'number') {
        throw new Error(`atlas layer ${i} head ${k}: not a head of the atlas`);
      }
    });
  });
  return `; atlas of ${layers} x ${heads} heads`;
}

async function checkWithCore(bytes, vocab, atlas) {
  const corePath = path.join(__dirname, '..', 'web', 'attn-model-core.js');
  if (!fs.existsSync(corePath)) {
    if (String.fromCharCode(...bytes.subarray(0, 4)) !== 'AEWT') throw new Error('not a weight file (no AEWT magic)');
    return 'magic only (web/attn-model-core.js not built)';
  }
  const M = await require(corePath)();
  const cString = (p) => { let s = ''; while (M.HEAPU8[p]) s += String.fromCharCode(M.HEAPU8[p++]); return s; };
  const abi = {};
  for (let i = 0; i < M._attn_abi_count(); i++) abi[cString(M._attn_abi_name(i))] = M._attn_abi_value(i);
  const buf = M._malloc(bytes.length), cfg = M._malloc(abi['sizeof attn_gpt_config']), fmt = M._malloc(4);
  M.HEAPU8.set(bytes, buf);
  const message = (rc) => cString(M._attn_strerror(rc));
  let rc = M._attn_weights_read_header(cfg, fmt, buf, bytes.length);
  if (rc < 0) throw new Error(message(rc));
  const names = ['vocab', 'context', 'd_model', 'n_heads', 'n_layers', 'd_mlp', 'attention_only', 'layernorm'];
  const c = names.map((n) => M.HEAP32[(cfg + abi['attn_gpt_config.' + n]) >> 2]);
  const floats = M._attn_gpt_param_floats(cfg), params = M._malloc(floats * 4);
  if (!params) throw new Error('out of memory for ' + floats + ' parameters');
  rc = M._attn_weights_load(params, floats, buf, bytes.length);
  if (rc < 0) throw new Error(message(rc));
  let words = '';
  if (vocab) {
    // as build/attn reads it: the last line's newline ends it; id 0 is the boundary token <s>
    const text = new TextEncoder().encode(vocab.endsWith('\n') ? vocab.slice(0, -1) : vocab);
    const v = M._malloc(text.length + 1);
    M.HEAPU8.set(text, v);
    const count = M._attn_vocab_count(v, text.length);
    if (count < 0) throw new Error('the vocabulary: ' + message(count));
    if (count !== c[0]) throw new Error(`the vocabulary has ${count} words, the model ${c[0]}`);
    if (!vocab.startsWith('<s>\n')) throw new Error('the vocabulary: id 0 must be the boundary token <s>');
    words = `; vocabulary of ${count} words checked by attn_vocab_count`;
  }
  if (atlas) words += checkAtlas(atlas, c[4], c[3]);
  return `checked by the C loader: ${names.map((n, i) => n + ' ' + c[i]).join(', ')}; ` +
    `${floats} parameters, ${M.HEAP32[fmt >> 2] === abi.ATTN_WEIGHTS_INT8 ? 'int8' : 'float32'}${words}`;
}

async function main() {
  const args = process.argv.slice(2);
  let vocabPath = null, atlasPath = null, sentencesPath = null;
  const at = args.indexOf('--vocab');
  if (at >= 0) { vocabPath = args[at + 1]; args.splice(at, 2); }
  const atAtlas = args.indexOf('--atlas');
  if (atAtlas >= 0) { atlasPath = args[atAtlas + 1]; args.splice(atAtlas, 2); }
  const sat = args.indexOf('--sentences');
  if (sat >= 0) { sentencesPath = args[sat + 1]; args.splice(sat, 2); }
  const [input, output, nameArg] = args;
  if (!input || !output || (at >= 0 && !vocabPath) || (atAtlas >= 0 && !atlasPath) || (sat >= 0 && !sentencesPath)) {
    console.error('usage: node tools/wrap_weights.js in.bin out.js [name] [--vocab vocab.txt] [--atlas atlas.json] [--sentences held-out.txt]');
    process.exit(2);
  }
  const name = nameArg || path.basename(input).replace(/\.[^.]*$/, '');
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`name "${name}": use letters, digits, - and _`);
  const bytes = new Uint8Array(fs.readFileSync(input));
  const vocab = vocabPath ? fs.readFileSync(vocabPath, 'utf8') : null;
  const atlas = atlasPath ? JSON.parse(fs.readFileSync(atlasPath, 'utf8')) : null;
  const checked = await checkWithCore(bytes, vocab, atlas);
  const base64 = Buffer.from(bytes).toString('base64');
  const sentences = sentencesPath ? fs.readFileSync(sentencesPath, 'utf8').split('\n').filter((l) => l.trim()) : null;
  const fields = [];
  if (vocab !== null) fields.push(`vocab: ${JSON.stringify(vocab)}`);
  if (atlas !== null) fields.push(`atlas: ${JSON.stringify(atlas)}`);
  if (sentences) fields.push(`sentences: ${JSON.stringify(sentences)}`);
  const extra = fields.length ? `, { ${fields.join(', ')} }` : '';
  const js = `/* Attention Explorer weights "${name}": ${bytes.length} bytes (AEWT weight file, ` +
    `core/attn_weights.c), base64` + (vocab === null ? '' : `,\n   and its vocabulary (${path.basename(vocabPath)}, one word a line, line k = id k)`) +
    (atlas === null ? '' : `,\n   and its head atlas (${path.basename(atlasPath)}, measured by core/attn_atlas.c)`) +
    (sentences ? `,\n   and ${sentences.length} held-out sentences (${path.basename(sentencesPath)}, never trained on)` : '') +
    `.\n   Made by tools/wrap_weights.js; loaded lazily by web/attn-model-bridge.js. */\n` +
    `(function (root) {\n` +
    `  var ns = root.AttentionExplorer = root.AttentionExplorer || {};\n` +
    `  var data = '${base64}';\n` +
    `  var extra = ${extra ? extra.slice(2) : 'null'};\n` +
    `  if (typeof ns.registerWeights === 'function') ns.registerWeights('${name}', data, extra);\n` +
    `  else (ns.pendingWeights = ns.pendingWeights || {})['${name}'] = { data: data, extra: extra };\n` +
    `})(typeof window !== 'undefined' ? window : globalThis);\n`;
  fs.writeFileSync(output, js);
  console.log(`${output}: "${name}", ${bytes.length} bytes${vocab === null ? '' : ` + ${vocab.length} bytes of vocabulary`}` +
    `${sentences ? ` + ${sentences.length} held-out sentences` : ''} -> ` +
    `${js.length} bytes of script; ${checked}`);
}

main().catch((e) => { console.error('wrap_weights: ' + e.message); process.exit(1); });
