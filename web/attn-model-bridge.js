/* attn-model-bridge.js - trained models and training jobs on the C core's WebAssembly heap.

   The other half of the bridge (web/core/attn-bridge.js is the lesson half): it hands out handles
   that own their WASM buffers, so a figure creates one, calls it between frames, and calls
   destroy() when it goes away. Every number comes from C: the weight file is validated and
   dequantised by attn_weights_load, forward passes, softmax, training steps and the
   prefix-matching score run in the core; this file only copies bytes in and arrays out.

   Weights ship as classic scripts (tools/wrap_weights.js), fetched only when asked:
     AttentionExplorer.loadWeights('brown')          -> Promise<Uint8Array>  (a <script> tag
                                                        in the browser, require() in Node)
     AttentionExplorer.loadModelCore()               -> Promise<M> (attn-model-core.js, lazily)
     AttentionExplorer.createGptModel(M, bytes)      -> { config, format, forward(tokens), destroy() }
     AttentionExplorer.createTrainingJob(M, options) -> { step(n), measure(), saveWeights(), destroy() }
     AttentionExplorer.loadModel('brown')            -> Promise<{ config, run(text), generator(text),
                                                        ablate(...), nextWords(...), createAblationJob(...),
                                                        destroy() }>: the module, weights and
                                                        vocabulary, lazily; run(text) is `build/attn
                                                        --model brown --json`, generator(text) a
                                                        handle { prompt, step(), reset(), destroy() }
                                                        that writes one word per step as `build/attn
                                                        --model brown --generate N` does;
                                                        ablate(text, { layer, head, kind }), nextWords(text, k),
                                                        createAblationJob(kind) (every head on the
                                                        held-out sentences the weights script carries)
   M is the model module: the whole C core built by `make` as web/attn-model-core.js, apart from
   the lesson's attn-core.js so that pages without a trained model never download its code.
   Struct layouts and constants come from the module's own table (attn_abi_*): a field or code
   that no longer matches attn.h stops the bridge with a message instead of writing at the
   wrong offset. */
(function (root) {
  'use strict';
  const ns = (root.AttentionExplorer = root.AttentionExplorer || {});

  // Status codes of core/attn.h that these calls return, beside the lesson's.
  const MODEL_CODES = { CONFIG: -11, STATE: -12, FORMAT: -20, VERSION: -21, TRUNCATED: -22,
    PAYLOAD: -23, CHECKSUM: -24, CONTEXT: -40 };
  const FORMATS = { float32: 0, int8: 1 };
  const CONFIG_FIELDS = ['vocab', 'context', 'd_model', 'n_heads', 'n_layers', 'd_mlp',
    'attention_only', 'layernorm'];
  const ABLATIONS = { none: 0, uniform: 1, shuffle: 2, zero: 3 };
  // the int and float fields of the structs this file fills, by their names in attn.h
  const STRUCTS = {
    attn_gpt_config: CONFIG_FIELDS,
    attn_gpt_ablation: ['layer', 'head', 'kind'],
    attn_adamw_options: ['lr', 'beta1', 'beta2', 'eps', 'weight_decay', 'clip_norm'],
  };
  // structs this file only reads (attn_ablation_*): every field it reads must be in the table
  const READ_STRUCTS = {
    attn_ablation_effect: ['top_before', 'top_after', 'p_top_before', 'p_top_after', 'delta', 'kl'],
    attn_ablation_head: ['kl', 'delta', 'flip_rate', 'max_kl', 'flips', 'predictions'],
  };
  const MAX_TEXT = 1 << 20;   // bytes of text build/attn takes (core/attn_cli.c MAX_TEXT)

  // The lesson bridge's error class when it is loaded, else one of the same shape.
  const AttnError = ns.AttnError || class AttnError extends Error {
    constructor(code, message) { super(message); this.name = 'AttnError'; this.code = code; }
  };

  // ------------------------------------------------------------------------------------
  // Weight scripts: registered by name, loaded lazily

  const registered = new Map();   // name -> Uint8Array
  const vocabularies = new Map(); // name -> the vocabulary text the weights script carries
  const sentenceSets = new Map(); // name -> held-out sentences the weights script carries
  const atlases = new Map();      // name -> the head atlas the weights script carries (C's JSON)
  const waiting = new Map();      // name -> [{ resolve, reject }]

  function decodeBase64(text) {
    if (typeof Buffer === 'function') return new Uint8Array(Buffer.from(text, 'base64'));
    const bin = atob(text), out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  // Called by a weights script (tools/wrap_weights.js output); extra.vocab is the model's
  // vocabulary (one word a line) when the script carries one, extra.atlas its head atlas (what
  // `build/attn --model NAME --atlas --json` measured on held-out text, as that JSON).
  function registerWeights(name, base64, extra) {
    if (extra && typeof extra.vocab === 'string') vocabularies.set(name, extra.vocab);
    if (extra && Array.isArray(extra.sentences)) sentenceSets.set(name, extra.sentences.filter((t) => typeof t === 'string'));
    if (extra && extra.atlas && typeof extra.atlas === 'object') atlases.set(name, extra.atlas);
    registered.set(name, decodeBase64(base64));
    (waiting.get(name) || []).forEach((w) => w.resolve(registered.get(name)));
    waiting.delete(name);
  }

  // The vocabulary text registered with the weights `name` (after loadWeights), or null.
  function vocabularyOf(name) {
    return vocabularies.has(name) ? vocabularies.get(name) : null;
  }

  // The head atlas registered with the weights `name` (after loadWeights), or null.
  function atlasOf(name) {
    return atlases.has(name) ? atlases.get(name) : null;
  }

  // weights scripts that ran before this file parked their data here ({ data, extra }; a bare
  // base64 string from older scripts)
  if (ns.pendingWeights) {
    Object.keys(ns.pendingWeights).forEach((name) => {
      const parked = ns.pendingWeights[name];
      if (typeof parked === 'string') registerWeights(name, parked);
      else registerWeights(name, parked.data, parked.extra);
    });
    delete ns.pendingWeights;
  }

  // this script's folder: weights-<name>.js is looked for beside it unless options.src says
  const scriptBase = typeof document !== 'undefined' && document.currentScript && document.currentScript.src
    ? document.currentScript.src.replace(/[^/]*$/, '') : '';

  // The weight file `name` as bytes, loading weights-<name>.js the first time it is asked for.
  // options: { src } (browser: the script's URL), { dir } (Node: the folder to require from).
  function loadWeights(name, options) {
    options = options || {};
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) {
      return Promise.reject(new Error(`weights name "${String(name).slice(0, 40)}": use letters, digits, - and _`));
    }
    if (registered.has(name)) return Promise.resolve(registered.get(name));
    if (waiting.has(name)) return new Promise((resolve, reject) => waiting.get(name).push({ resolve, reject }));
    const file = 'weights-' + name + '.js';
    return new Promise((resolve, reject) => {
      waiting.set(name, [{ resolve, reject }]);
      const fail = (why) => {
        const list = waiting.get(name) || [];
        waiting.delete(name);
        list.forEach((w) => w.reject(new Error(`the model weights "${name}" did not load (${why})`)));
      };
      if (typeof document === 'undefined') {
        try {
          const dir = options.dir || (typeof __dirname === 'string' ? __dirname : '.');
          require(require('path').join(dir, file));
          if (!registered.has(name)) fail(file + ' did not register "' + name + '"');
        } catch (e) { fail(e.message); }
        return;
      }
      const script = document.createElement('script');
      script.src = options.src || scriptBase + file;
      script.async = true;
      script.onload = () => { if (!registered.has(name)) fail(script.src + ' did not register "' + name + '"'); };
      script.onerror = () => fail('could not load ' + script.src);
      document.head.appendChild(script);
    });
  }

  // Loads a classic script beside this one (browser) or requires it (Node).
  function loadScript(file, ready) {
    return new Promise((resolve, reject) => {
      if (ready()) { resolve(); return; }
      if (typeof document === 'undefined') {
        try { require(require('path').join(__dirname, file)); resolve(); } catch (e) { reject(e); }
        return;
      }
      const script = document.createElement('script');
      script.src = scriptBase + file;
      script.async = true;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error('could not load ' + script.src));
      document.head.appendChild(script);
    });
  }

  // The model module (web/attn-model-core.js: the whole core with the transformer, training and
  // weight files), loaded the first time a model or a training job is asked for. The lesson's
  // attn-core.js leaves that code out to stay small; the two modules share no memory.
  let modelCore = null;
  function loadModelCore() {
    if (modelCore) return modelCore;
    const factory = () => root.AttnModelCore ||
      (typeof document === 'undefined' && typeof require === 'function' ? require('./attn-model-core.js') : null);
    modelCore = loadScript('attn-model-core.js', () => typeof factory() === 'function').then(() => {
      if (typeof WebAssembly !== 'object') throw new Error('This browser cannot run WebAssembly.');
      if (typeof factory() !== 'function') throw new Error('The model core (attn-model-core.js) did not load.');
      return factory()();
    });
    modelCore.catch(() => { modelCore = null; });   // a failed load may be retried
    return modelCore;
  }

  // ------------------------------------------------------------------------------------
  // Heap helpers, per module and per handle

  function moduleOf(M) {
    if (!M || typeof M._malloc !== 'function' || typeof M._attn_weights_load !== 'function') {
      throw new Error('createGptModel/createTrainingJob need the model module: AttentionExplorer.loadModelCore()');
    }
    abiOf(M);
    return M;
  }

  // The module's table of constants and struct layouts (attn_abi_*), read once per module and
  // checked against the names this file uses: every code, format, ablation kind and struct
  // field must be there with the value or offset the bridge relies on, and the structs must
  // have no field this file does not know (it would be left unset).
  const abiCache = new WeakMap();
  function abiOf(M) {
    if (abiCache.has(M)) return abiCache.get(M);
    const text = (ptr) => { let end = ptr; while (M.HEAPU8[end]) end++; return new TextDecoder().decode(M.HEAPU8.subarray(ptr, end)); };
    const abi = {};
    for (let i = 0, count = M._attn_abi_count(); i < count; i++) abi[text(M._attn_abi_name(i))] = M._attn_abi_value(i);
    const stale = (what) => { throw new Error('attn-model-bridge.js is out of date with the core: ' + what); };
    Object.keys(MODEL_CODES).forEach((k) => {
      if (abi['ATTN_ERR_' + k] !== MODEL_CODES[k]) stale(`ATTN_ERR_${k} is ${abi['ATTN_ERR_' + k]}, not ${MODEL_CODES[k]}`);
    });
    if (abi.ATTN_WEIGHTS_F32 !== FORMATS.float32 || abi.ATTN_WEIGHTS_INT8 !== FORMATS.int8) stale('ATTN_WEIGHTS_F32/INT8');
    Object.keys(ABLATIONS).forEach((k) => {
      const name = 'ATTN_ABLATE_' + k.toUpperCase();
      if (abi[name] !== ABLATIONS[k]) stale(`${name} is ${abi[name]}, not ${ABLATIONS[k]}`);
    });
    Object.keys(STRUCTS).forEach((type) => {
      if (!(abi['sizeof ' + type] > 0)) stale(`no sizeof ${type}`);
      STRUCTS[type].forEach((f) => { if (typeof abi[type + '.' + f] !== 'number') stale(`no field ${type}.${f}`); });
      const unknown = Object.keys(abi).filter((k) => k.startsWith(type + '.') && !STRUCTS[type].includes(k.slice(type.length + 1)));
      if (unknown.length) stale(`${type} has fields this file does not fill: ${unknown.join(', ')}`);
    });
    Object.keys(READ_STRUCTS).forEach((type) => {
      if (!(abi['sizeof ' + type] > 0)) stale(`no sizeof ${type}`);
      READ_STRUCTS[type].forEach((f) => { if (typeof abi[type + '.' + f] !== 'number') stale(`no field ${type}.${f}`); });
    });
    abiCache.set(M, abi);
    return abi;
  }

  // options.ablate as the core's list (attn_gpt_forward_ablated): one { layer, head, kind, seed }
  // or an array of them, written side by side as attn_gpt_ablation structs into the handle's
  // buffer 'ablation'. kind is a name of ABLATIONS (defaultKind when left out); the pass has one
  // seed, the first entry's. Returns { ptr, count, seed } ({ 0, 0, 0 } for none). The core
  // checks the layers and heads (and that no head is listed twice).
  function writeAblations(M, heap, ablate, defaultKind) {
    const list = !ablate ? [] : Array.isArray(ablate) ? ablate : [ablate];
    if (!list.length) return { ptr: 0, count: 0, seed: 0 };
    const size = abiOf(M)['sizeof attn_gpt_ablation'], ptr = heap.get('ablation', list.length * size);
    list.forEach((a, i) => {
      if (!a || typeof a !== 'object') throw new AttnError(-10, `ablation ${i} is not a { layer, head, kind }`);
      const kind = ABLATIONS[a.kind === undefined ? defaultKind : a.kind];
      if (kind === undefined) throw new AttnError(-10, `unknown ablation "${a.kind}"`);
      writeStruct(M, ptr + i * size, 'attn_gpt_ablation', { layer: a.layer, head: a.head, kind }, false);
    });
    return { ptr, count: list.length, seed: list[0].seed >>> 0 };
  }

  // a zeroed struct `type` in the handle's buffer `name`
  function struct(M, heap, name, type) {
    const size = abiOf(M)['sizeof ' + type], ptr = heap.get(name, size);
    M.HEAPU8.fill(0, ptr, ptr + size);
    return ptr;
  }

  // writes values { field: number } into the struct `type` at ptr, as ints or floats
  function writeStruct(M, ptr, type, values, floats) {
    const abi = abiOf(M), heap = floats ? M.HEAPF32 : M.HEAP32;
    STRUCTS[type].forEach((f) => {
      const v = values[f];
      heap[(ptr + abi[type + '.' + f]) >> 2] = floats ? v : v | 0;
    });
  }

  // A set of named WASM buffers owned by one handle; all freed by freeAll().
  function heapOwner(M) {
    const buffers = new Map();
    let freed = false;
    const cString = (ptr) => {
      let end = ptr, s = '';
      while (M.HEAPU8[end]) end++;
      s = new TextDecoder().decode(M.HEAPU8.subarray(ptr, end));
      return s;
    };
    return {
      // a buffer of at least `bytes`, kept across calls, grown (contents dropped) when too small
      get(name, bytes) {
        if (freed) throw new AttnError(-1, 'this handle was destroyed');
        let b = buffers.get(name);
        if (!b || b.bytes < bytes) {
          if (b) { M._free(b.ptr); buffers.delete(name); }
          const size = Math.max(16, bytes);
          const ptr = M._malloc(size);
          if (!ptr) throw new AttnError(-3, `out of memory for ${name} (${size} bytes)`);
          b = { ptr, bytes: size };
          buffers.set(name, b);
        }
        return b.ptr;
      },
      // throws once the handle is destroyed: its pointers must never be used again
      alive() {
        if (freed) throw new AttnError(-1, 'this handle was destroyed');
      },
      release(name) {
        const b = buffers.get(name);
        if (b) { M._free(b.ptr); buffers.delete(name); }
      },
      check(rc) {
        if (rc < 0) throw new AttnError(rc, cString(M._attn_strerror(rc)));
        return rc;
      },
      bytes() { let n = 0; buffers.forEach((b) => { n += b.bytes; }); return n; },
      freeAll() { buffers.forEach((b) => M._free(b.ptr)); buffers.clear(); freed = true; },
      get destroyed() { return freed; },
    };
  }

  function writeConfig(M, ptr, config) {
    writeStruct(M, ptr, 'attn_gpt_config', config, false);
  }

  function readConfig(M, ptr) {
    const abi = abiOf(M), c = {};
    CONFIG_FIELDS.forEach((f) => { c[f] = M.HEAP32[(ptr + abi['attn_gpt_config.' + f]) >> 2]; });
    return c;
  }

  function writeInts(M, ptr, values) {
    for (let i = 0; i < values.length; i++) M.HEAP32[(ptr >> 2) + i] = values[i];
  }

  // ------------------------------------------------------------------------------------
  // A model from a weight file

  // Validates `bytes` (a weight file) with the C loader and keeps its parameters on the heap.
  // forward(tokens, options) runs the model on token ids (1..context of them) and returns
  //   { n, logits: last position's row (or all rows with options.all), probs: softmax of the
  //     last row at options.temperature (default 1), weights: [layer][head] -> n rows }
  // options.weights === false skips the attention weights; options.entropy adds entropy:
  // { heads: [layer][head], layers: [layer] }, mean row entropy in bits (attn_atlas_entropy);
  // options.ablate = { layer, head,
  // kind: 'uniform'|'shuffle'|'zero', seed } overrides one head, an array of them several at
  // once (attn_gpt_forward_ablated; the seed of the pass: the first entry's); options.top = k
  // adds top: the ids of the k likeliest next tokens, likeliest first (attn_top_k on probs).
  function createGptModel(coreOrModule, bytes) {
    const M = moduleOf(coreOrModule);
    if (!(bytes instanceof Uint8Array)) throw new TypeError('weights must be a Uint8Array');
    const heap = heapOwner(M);
    let cfgPtr, paramsPtr, config, format, paramFloats;
    try {
      const file = heap.get('file', bytes.length);
      M.HEAPU8.set(bytes, file);
      cfgPtr = struct(M, heap, 'config', 'attn_gpt_config');
      const fmtPtr = heap.get('format', 4);
      heap.check(M._attn_weights_read_header(cfgPtr, fmtPtr, file, bytes.length));
      config = readConfig(M, cfgPtr);
      format = M.HEAP32[fmtPtr >> 2] === FORMATS.int8 ? 'int8' : 'float32';
      paramFloats = M._attn_gpt_param_floats(cfgPtr);
      paramsPtr = heap.get('params', paramFloats * 4);
      heap.check(M._attn_weights_load(paramsPtr, paramFloats, heap.get('file', bytes.length), bytes.length));
      heap.release('file');
    } catch (e) {
      heap.freeAll();
      throw e;
    }
    const L = config.n_layers, H = config.n_heads, V = config.vocab;

    function forward(tokens, options) {
      heap.alive();
      options = options || {};
      const n = tokens.length;
      if (n < 1 || n > config.context) {
        throw new AttnError(-2, `the model takes 1 to ${config.context} tokens, not ${n}`);
      }
      for (let i = 0; i < n; i++) {
        // the core checks the range; a fractional or non-number id must not be truncated into one
        if (!Number.isInteger(tokens[i])) throw new AttnError(-10, `token ${i} is not a whole number: ${tokens[i]}`);
      }
      const acts = heap.get('acts', M._attn_gpt_activation_floats(cfgPtr, 1, n) * 4);
      const tok = heap.get('tokens', n * 4);
      writeInts(M, tok, tokens);
      const ab = writeAblations(M, heap, options.ablate);
      heap.check(M._attn_gpt_forward_ablated(acts, 0, paramsPtr, cfgPtr, tok, 0, 1, n, ab.ptr, ab.count, ab.seed));
      const logitsPtr = M._attn_gpt_logits(acts, cfgPtr, 1, n);
      const last = logitsPtr + (n - 1) * V * 4;
      const probsPtr = heap.get('probs', V * 4);
      const temperature = options.temperature === undefined ? 1 : options.temperature;
      heap.check(M._attn_softmax_rows(probsPtr, last, 1, V, temperature, 0));
      const out = {
        n,
        logits: options.all ? rows(logitsPtr, n, V) : M.HEAPF32.slice(last >> 2, (last >> 2) + V),
        probs: M.HEAPF32.slice(probsPtr >> 2, (probsPtr >> 2) + V),
      };
      if (options.top) {
        // the ids of the options.top likeliest next tokens, likeliest first (attn_top_k)
        const topPtr = heap.get('top', options.top * 4);
        const count = heap.check(M._attn_top_k(topPtr, probsPtr, V, options.top | 0));
        out.top = Array.from(M.HEAP32.subarray(topPtr >> 2, (topPtr >> 2) + count));
      }
      if (options.entropy) {
        const at = heap.get('entropy', (L * H + L) * 4);
        heap.check(M._attn_atlas_entropy(at, at + L * H * 4, acts, cfgPtr, n));
        const flat = M.HEAPF32.slice(at >> 2, (at >> 2) + L * H + L);
        out.entropy = { heads: Array.from({ length: L }, (_, l) => Array.from(flat.subarray(l * H, (l + 1) * H))),
          layers: Array.from(flat.subarray(L * H)) };
      }
      if (options.weights !== false) {
        out.weights = [];
        for (let l = 0; l < L; l++) {
          const layer = [];
          for (let h = 0; h < H; h++) layer.push(rows(M._attn_gpt_weights(acts, cfgPtr, 1, n, l, h), n, n));
          out.weights.push(layer);
        }
      }
      return out;
    }

    // What ablating one head does to the prediction after the last token: two forward passes
    // (plain, then options.ablate) and attn_ablation_effect_of on the two rows of logits.
    // Returns { before: { logits, probs, top }, after: { ... }, effect: { topBefore, topAfter,
    // pTopBefore, pTopAfter, delta, kl } }; top: options.top ids (default 10), likeliest first.
    function ablationEffect(tokens, ablate, options) {
      options = options || {};
      const top = options.top || 10;
      const before = forward(tokens, { weights: false, top });
      const beforePtr = heap.get('logits-before', V * 4);
      M.HEAPF32.set(before.logits, beforePtr >> 2);
      const after = forward(tokens, { weights: false, top, ablate });
      const n = tokens.length;
      const afterPtr = M._attn_gpt_logits(heap.get('acts', 0), cfgPtr, 1, n) + (n - 1) * V * 4;
      const abi = abiOf(M), out = struct(M, heap, 'effect', 'attn_ablation_effect');
      heap.check(M._attn_ablation_effect_of(out, beforePtr, afterPtr, V));
      const int = (f) => M.HEAP32[(out + abi['attn_ablation_effect.' + f]) >> 2];
      const float = (f) => M.HEAPF32[(out + abi['attn_ablation_effect.' + f]) >> 2];
      return { before, after, effect: { topBefore: int('top_before'), topAfter: int('top_after'),
        pTopBefore: float('p_top_before'), pTopAfter: float('p_top_after'), delta: float('delta'), kl: float('kl') } };
    }

    // A job that measures every head (ablated in turn, `kind`) on sentences of token ids (each
    // 1..context ids): attn_ablation_job_* on a buffer this handle owns. step(k) runs up to k
    // forward passes and returns { done, total, left }; results() the means so far per head,
    // [layer][head] -> { kl, delta, flipRate, maxKl, predictions }; destroy() (or cancel())
    // frees the buffer (flips: predictions whose likeliest word changed). The model must outlive it (destroying the model destroys its jobs).
    function createAblationJob(sentences, kind, seed) {
      heap.alive();
      const kindCode = ABLATIONS[kind];
      if (!kindCode) throw new AttnError(-10, `unknown ablation "${kind}": use uniform, shuffle or zero`);
      if (!Array.isArray(sentences) || !sentences.length) throw new AttnError(-2, 'the job needs at least one sentence');
      const lengths = sentences.map((t) => t.length), flat = [].concat(...sentences);
      flat.forEach((id, i) => { if (!Number.isInteger(id)) throw new AttnError(-10, `token ${i} is not a whole number: ${id}`); });
      const jobHeap = heapOwner(M);
      let left = 0, total = 0;
      try {
        const maxLen = Math.max(...lengths);
        const bytes = M._attn_ablation_job_bytes(cfgPtr, maxLen);
        if (!bytes) throw new AttnError(-2, `sentences must have 1 to ${config.context} tokens`);
        const ids = jobHeap.get('ids', flat.length * 4), lens = jobHeap.get('lengths', lengths.length * 4);
        writeInts(M, ids, flat);
        writeInts(M, lens, lengths);
        const job = jobHeap.get('job', bytes);
        jobHeap.check(M._attn_ablation_job_init(job, bytes, paramsPtr, cfgPtr, ids, lens, lengths.length, kindCode, seed >>> 0));
        const counts = jobHeap.get('progress', 8);
        jobHeap.check(M._attn_ablation_job_progress(job, counts, counts + 4));
        total = M.HEAP32[(counts >> 2) + 1];
        left = total;
      } catch (e) {
        jobHeap.freeAll();
        throw e;
      }
      const abi = abiOf(M), size = abi['sizeof attn_ablation_head'];
      const job = {
        kind, total,
        step(maxForwards) {
          jobHeap.alive();
          heap.alive();
          left = jobHeap.check(M._attn_ablation_job_step(jobHeap.get('job', 0), Math.max(1, maxForwards | 0)));
          return { done: total - left, total, left };
        },
        get left() { return left; },
        results() {
          jobHeap.alive();
          const out = jobHeap.get('results', L * H * size);
          jobHeap.check(M._attn_ablation_job_results(out, jobHeap.get('job', 0)));
          const f = (i, name) => M.HEAPF32[(out + i * size + abi['attn_ablation_head.' + name]) >> 2];
          return Array.from({ length: L }, (_, l) => Array.from({ length: H }, (__, h) => {
            const i = l * H + h;
            return { layer: l, head: h, kl: f(i, 'kl'), delta: f(i, 'delta'), flipRate: f(i, 'flip_rate'),
              maxKl: f(i, 'max_kl'), flips: M.HEAP32[(out + i * size + abi['attn_ablation_head.flips']) >> 2],
              predictions: M.HEAP32[(out + i * size + abi['attn_ablation_head.predictions']) >> 2] };
          }));
        },
        heapBytes: () => jobHeap.bytes(),
        cancel() { jobHeap.freeAll(); jobs.delete(job); },
        destroy() { jobHeap.freeAll(); jobs.delete(job); },
        get destroyed() { return jobHeap.destroyed; },
      };
      jobs.add(job);
      return job;
    }
    const jobs = new Set();

    // (count rows of cols floats at ptr) -> array of row views on one copy
    function rows(ptr, count, cols) {
      const flat = M.HEAPF32.slice(ptr >> 2, (ptr >> 2) + count * cols);
      return Array.from({ length: count }, (_, r) => flat.subarray(r * cols, (r + 1) * cols));
    }

    // A generation handle on token ids (ids[0] is the start token): step() predicts the token
    // after the last one and appends it. options.cache (default true) picks the C path of the
    // step: attn_gpt_kv_append (a KV cache, one new position per step; the cache fills with the
    // ids it has not seen, the prompt at the first step) or attn_gpt_next_logits (every position
    // recomputed; the cache is emptied). Each step returns, from C: { step, position, id, prob,
    // probSum (over the vocabulary), top: [{ id, prob }], madds (this step's), maddsCached and
    // maddsFull (one step of each path at this length), cacheRows, cacheBytes, ms (measured),
    // rows: the attention rows not returned before, [{ position, weights: [layer][head] ->
    // Float32Array(position + 1) }], logits when stepOptions.logits }. Past the context:
    // AttnError CONTEXT. The handle owns its buffers (the cache, logits, the full path's trace).
    function generator(ids, genOptions) {
      heap.alive();
      genOptions = genOptions || {};
      const ctx = config.context, prompt = Array.from(ids);
      if (prompt.length < 1 || prompt.length > ctx) throw new AttnError(MODEL_CODES.CONTEXT, `a prompt of 1 to ${ctx} tokens, not ${prompt.length}`);
      prompt.forEach((id, i) => {
        if (!Number.isInteger(id) || id < 0 || id >= V) throw new AttnError(-10, `token ${i} is not an id of the vocabulary: ${id}`);
      });
      const g = heapOwner(M);
      const kvFloats = M._attn_gpt_kv_floats(cfgPtr);
      const p = {};
      try {
        Object.assign(p, { kv: g.get('kv', kvFloats * 4), logits: g.get('logits', V * 4), probs: g.get('probs', V * 4),
          weights: g.get('weights', L * H * ctx * 4), madds: g.get('madds', 8), one: g.get('one', 8), sum: g.get('sum', 8),
          tokens: g.get('tokens', (ctx + 1) * 4), top: g.get('top', 64 * 4) });
      } catch (e) { g.freeAll(); throw e; }
      let seq, fed, shown, steps;
      function reset() {
        g.alive();
        seq = prompt.slice();
        fed = shown = steps = 0;
        g.check(M._attn_gpt_kv_init(p.kv, kvFloats, cfgPtr));
      }
      reset();
      const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
      const rowOf = (flat, position) => Array.from({ length: L }, (_, l) => Array.from({ length: H }, (__, h) =>
        flat.slice((l * H + h) * ctx, (l * H + h) * ctx + position + 1)));

      function step(stepOptions) {
        g.alive();
        const o = Object.assign({ cache: true, temperature: 1, seed: 1, top: 10 }, genOptions, stepOptions || {});
        const n = seq.length;
        if (n > ctx) throw new AttnError(MODEL_CODES.CONTEXT, cString(M._attn_strerror(MODEL_CODES.CONTEXT)));
        const temperature = Number(o.temperature);
        const rows = [];
        let madds = 0;
        const t0 = now();
        if (o.cache) {
          if (fed > n || M._attn_gpt_kv_rows(p.kv, kvFloats, cfgPtr) !== fed) { g.check(M._attn_gpt_kv_init(p.kv, kvFloats, cfgPtr)); fed = 0; }
          for (; fed < n; fed++) {
            g.check(M._attn_gpt_kv_append(p.logits, p.weights, p.one, p.kv, kvFloats, paramsPtr, cfgPtr, seq[fed]));
            madds += M.HEAPF64[p.one >> 3];
            if (fed >= shown) rows.push({ position: fed, flat: M.HEAPF32.slice(p.weights >> 2, (p.weights >> 2) + L * H * ctx) });
          }
        } else {
          // no cache: it is emptied, and every position is computed again
          g.check(M._attn_gpt_kv_init(p.kv, kvFloats, cfgPtr));
          fed = 0;
          const acts = g.get('acts', M._attn_gpt_activation_floats(cfgPtr, 1, ctx) * 4);
          writeInts(M, p.tokens, seq);
          g.check(M._attn_gpt_next_logits(p.logits, p.madds, acts, paramsPtr, cfgPtr, p.tokens, n));
          madds = M.HEAPF64[p.madds >> 3];
          for (let r = shown; r < n; r++) {
            const flat = new Float32Array(L * H * ctx);
            for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) {
              const w = (M._attn_gpt_weights(acts, cfgPtr, 1, n, l, h) >> 2) + r * n;
              flat.set(M.HEAPF32.subarray(w, w + r + 1), (l * H + h) * ctx);
            }
            rows.push({ position: r, flat });
          }
        }
        const ms = now() - t0;
        const id = g.check(M._attn_sample_next(p.probs, p.sum, p.logits, V, temperature, o.seed >>> 0, steps));
        const count = g.check(M._attn_top_k(p.top, p.probs, V, Math.min(64, Math.max(1, o.top | 0))));
        const probs = M.HEAPF32.subarray(p.probs >> 2, (p.probs >> 2) + V);
        g.check(M._attn_gpt_step_madds(p.one, cfgPtr, n, 1));
        const maddsCached = M.HEAPF64[p.one >> 3];
        g.check(M._attn_gpt_step_madds(p.one, cfgPtr, n, 0));
        const maddsFull = M.HEAPF64[p.one >> 3];
        const cacheRows = g.check(M._attn_gpt_kv_rows(p.kv, kvFloats, cfgPtr));
        const out = {
          step: steps, position: n - 1, id, prob: probs[id], probSum: M.HEAPF64[p.sum >> 3],
          top: Array.from(M.HEAP32.subarray(p.top >> 2, (p.top >> 2) + count), (t) => ({ id: t, prob: probs[t] })),
          madds, maddsCached, maddsFull, cacheRows, cacheBytes: M._attn_gpt_kv_bytes(cfgPtr, cacheRows) >>> 0, ms,
          cache: !!o.cache, temperature, seed: o.seed >>> 0,
          rows: rows.map((r) => ({ position: r.position, weights: rowOf(r.flat, r.position) })),
        };
        if (o.logits) out.logits = M.HEAPF32.slice(p.logits >> 2, (p.logits >> 2) + V);
        shown = n;
        seq.push(id);
        steps++;
        return out;
      }

      return {
        step, reset,
        get ids() { return seq.slice(); },
        get steps() { return steps; },
        // can step() run again? (false once the last position of the context was used)
        get canStep() { return seq.length <= ctx; },
        heapBytes: () => g.bytes(),
        destroy() { g.freeAll(); },
        get destroyed() { return g.destroyed; },
      };
    }

    function cString(ptr) { let end = ptr; while (M.HEAPU8[end]) end++; return new TextDecoder().decode(M.HEAPU8.subarray(ptr, end)); }

    return {
      config, format, paramCount: paramFloats, forward, generator, ablationEffect, createAblationJob,
      heapBytes: () => heap.bytes(),
      destroy() { Array.from(jobs).forEach((j) => j.destroy()); heap.freeAll(); },
      get destroyed() { return heap.destroyed; },
    };
  }

  // ------------------------------------------------------------------------------------
  // A training job: owns params, grads, AdamW's m and v, the activations and the batch

  // the induction experiment as build/attn-train induction runs it (tools/attn_train_cli.c):
  // 2 attention-only layers of 4 heads, d_model 64, no LayerNorm, 32 sequences of 40 tokens,
  // periods 8..16, AdamW at a constant lr 1e-2, weight decay 0.01, gradient clipping at 1
  const INDUCTION_DEFAULTS = {
    config: { vocab: 33, context: 40, d_model: 64, n_heads: 4, n_layers: 2, d_mlp: 0,
      attention_only: 1, layernorm: 0 },
    seed: 1, batch: 32, seq: 40, minPeriod: 8, maxPeriod: 16,
    lr: 1e-2, lrMin: 1e-3, warmup: 0, totalSteps: 0, schedule: false,
    beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01, clipNorm: 1.0,
  };

  // The smaller run Figure 2.3 trains in the page: d_model 32 and sequences of 32 (not 64 and
  // 40), lr 3e-2, the rest as above. One WebAssembly core forms the induction head in a few
  // seconds: prefix-match above 0.4 at steps 301-483 over seeds 1-8 (README, Figure 2.3);
  // build/attn-train induction --d-model 32 --seq 32 --lr 0.03 runs it natively.
  const INDUCTION_FAST = {
    config: Object.assign({}, INDUCTION_DEFAULTS.config, { context: 32, d_model: 32 }),
    batch: 32, seq: 32, lr: 3e-2,
  };

  // options: { task: 'induction', config, seed, batch, seq, minPeriod, maxPeriod, lr,
  // beta1, beta2, eps, weightDecay, clipNorm, and schedule: true for warm-up + cosine from lr
  // to lrMin (warmup, totalSteps) }; unspecified fields take INDUCTION_DEFAULTS. step(k) runs k
  // training steps (each: the seeded batch of that step, forward, backward, AdamW) and returns
  // { step, loss, losses, gradNorm, lr }. measure() runs the model as it is now on the batch
  // the next step will train on (data it has not seen), without updating it, and returns
  // { step, loss, lossFirst, lossRepeat, prefixMatch: [layer][head] }: what build/attn-train
  // induction reports at step `step + 1`; measure({ sequence: b }) adds sequence b's tokens,
  // period and weights[layer][head] (rows); measure({ ablate: { layer, head, kind } }) measures
  // with that head overridden (kind 'zero' by default: the head switched off), and with an array
  // of them (ablate: [{ layer: 1, head: 0 }, { layer: 1, head: 1 }]) with all of those at once.
  // step(k, { trace: true }) also records each step's split losses and scores in history
  // ({ steps, loss, lossFirst, lossRepeat, prefixMatch }), phaseChange(window, minDrop) finds
  // the phase change in it (attn_phase_change), example(options) runs one example sequence.
  function createTrainingJob(coreOrModule, options) {
    const M = moduleOf(coreOrModule);
    options = options || {};
    if ((options.task || 'induction') !== 'induction') throw new AttnError(-10, `unknown task "${options.task}"`);
    const o = Object.assign({}, INDUCTION_DEFAULTS, options);
    o.config = Object.assign({}, INDUCTION_DEFAULTS.config, options.config || {});
    if (options.seq === undefined) o.seq = o.config.context;
    const heap = heapOwner(M);
    const B = o.batch | 0, T = o.seq | 0, cfg = o.config;
    let step = 0, P, ptr;
    try {
      const cfgPtr = struct(M, heap, 'config', 'attn_gpt_config');
      writeConfig(M, cfgPtr, cfg);
      heap.check(M._attn_gpt_check_config(cfgPtr));
      P = M._attn_gpt_param_floats(cfgPtr);
      const actFloats = M._attn_gpt_activation_floats(cfgPtr, B, T);
      if (!actFloats) throw new AttnError(-2, `a batch of ${B} x ${T} does not fit this model (context ${cfg.context})`);
      ptr = { cfg: cfgPtr, params: heap.get('params', P * 4), grads: heap.get('grads', P * 4),
        m: heap.get('m', P * 4), v: heap.get('v', P * 4), acts: heap.get('acts', actFloats * 4),
        tokens: heap.get('tokens', B * T * 4), targets: heap.get('targets', B * T * 4),
        periods: heap.get('periods', B * 4), opt: struct(M, heap, 'opt', 'attn_adamw_options'), loss: heap.get('loss', 8),
        norm: heap.get('norm', 4), posLoss: heap.get('posLoss', B * T * 4),
        prefix: heap.get('prefix', cfg.n_layers * cfg.n_heads * 4),
        exTokens: heap.get('exTokens', T * 4), exTargets: heap.get('exTargets', T * 4),
        exPeriod: heap.get('exPeriod', 4), exLoss: heap.get('exLoss', T * 4) };
      M.HEAPF32.fill(0, ptr.m >> 2, (ptr.m >> 2) + P);
      M.HEAPF32.fill(0, ptr.v >> 2, (ptr.v >> 2) + P);
      heap.check(M._attn_gpt_init(ptr.params, cfgPtr, o.seed >>> 0));
      // the task's own validation (periods against vocab and seq), before any step
      heap.check(M._attn_induction_batch(ptr.tokens, ptr.targets, ptr.periods, B, T, cfg.vocab,
        o.minPeriod, o.maxPeriod, o.seed >>> 0, 1));
    } catch (e) {
      heap.freeAll();
      throw e;
    }

    function lrAt(s) {
      return o.schedule ? M._attn_lr_schedule(s, o.warmup, o.totalSteps, o.lr, o.lrMin) : o.lr;
    }

    function batchOf(s) {
      heap.check(M._attn_induction_batch(ptr.tokens, ptr.targets, ptr.periods, B, T, cfg.vocab,
        o.minPeriod, o.maxPeriod, o.seed >>> 0, s));
    }

    // what traced steps measured, one entry per step (step(k, { trace: true }))
    const history = { steps: [], loss: [], lossFirst: [], lossRepeat: [], prefixMatch: [] };
    const LH = cfg.n_layers * cfg.n_heads;

    // the split losses and prefix-matching scores of the forward now in acts, into history
    function record(s, loss) {
      heap.check(M._attn_gpt_position_losses(ptr.posLoss, ptr.acts, ptr.cfg, ptr.targets, B, T));
      heap.check(M._attn_induction_split_loss(ptr.loss, ptr.loss + 4, ptr.posLoss, ptr.periods, B, T));
      heap.check(M._attn_prefix_match(ptr.prefix, ptr.acts, ptr.cfg, ptr.tokens, B, T));
      history.steps.push(s);
      history.loss.push(loss);
      history.lossFirst.push(M.HEAPF32[ptr.loss >> 2]);
      history.lossRepeat.push(M.HEAPF32[(ptr.loss >> 2) + 1]);
      history.prefixMatch.push(M.HEAPF32.slice(ptr.prefix >> 2, (ptr.prefix >> 2) + LH));
    }

    // options.trace: each step also measures its batch before the update (as build/attn-train
    // induction reports it) into history: the same arithmetic as attn_gpt_train_step, in its
    // three calls, with the split losses and scores read between forward and backward
    function stepMany(count, options) {
      heap.alive();
      count = count === undefined ? 1 : count | 0;
      const trace = !!(options && options.trace);
      const losses = new Float32Array(count);
      let lr = 0;
      for (let i = 0; i < count; i++) {
        const s = step + 1;
        batchOf(s);
        lr = lrAt(s);
        writeStruct(M, ptr.opt, 'attn_adamw_options', { lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps,
          weight_decay: o.weightDecay, clip_norm: o.clipNorm }, true);
        if (trace) {
          heap.check(M._attn_gpt_forward(ptr.acts, ptr.loss, ptr.params, ptr.cfg, ptr.tokens, ptr.targets, B, T, 0, 0));
          const loss = M.HEAPF32[ptr.loss >> 2];
          record(s, loss);
          heap.check(M._attn_gpt_backward(ptr.grads, ptr.acts, ptr.params, ptr.cfg, ptr.tokens, ptr.targets, B, T));
          heap.check(M._attn_gpt_adamw_step(ptr.params, ptr.grads, ptr.m, ptr.v, ptr.cfg, s, ptr.opt, ptr.norm));
          M.HEAPF32[ptr.loss >> 2] = loss;
        } else {
          heap.check(M._attn_gpt_train_step(ptr.params, ptr.grads, ptr.m, ptr.v, ptr.acts, ptr.cfg,
            ptr.tokens, ptr.targets, B, T, s, ptr.opt, ptr.loss, ptr.norm));
        }
        step = s;
        losses[i] = M.HEAPF32[ptr.loss >> 2];
      }
      return { step, loss: count ? losses[count - 1] : null, losses, gradNorm: M.HEAPF32[ptr.norm >> 2], lr };
    }

    // The phase change in the traced repeated-part losses (attn_phase_change): { step, drop }
    // with step null while there is none; window in steps, minDrop in nats.
    function phaseChange(window, minDrop) {
      heap.alive();
      const h = history.lossRepeat, n = h.length;
      const buf = heap.get('history', Math.max(1, n) * 4), out = heap.get('phase', 8);
      M.HEAPF32.set(h, buf >> 2);
      heap.check(M._attn_phase_change(out, out + 4, buf, n, window | 0, minDrop));
      const at = M.HEAP32[out >> 2];
      return { step: at < 0 ? null : history.steps[at], index: at, drop: M.HEAPF32[(out >> 2) + 1] };
    }

    // the forward pass on (tokens, targets) of batch b into acts and loss, with the heads
    // options.ablate lists (one { layer, head, kind } or an array; kind 'zero' by default) overridden
    function forwardAblated(loss, tokens, targets, b, ablate) {
      const ab = writeAblations(M, heap, ablate, 'zero');
      heap.check(M._attn_gpt_forward_ablated(ptr.acts, loss, ptr.params, ptr.cfg, tokens, targets, b, T,
        ab.ptr, ab.count, ab.seed));
    }

    // One example sequence of the task (attn_induction_batch with batch 1 from options.seed,
    // default 0, step 0) through the model as it is now, options.ablate applied: { tokens,
    // period, weights: [layer][head] -> rows }. Training steps are unaffected.
    function example(options) {
      heap.alive();
      options = options || {};
      heap.check(M._attn_induction_batch(ptr.exTokens, ptr.exTargets, ptr.exPeriod, 1, T, cfg.vocab,
        o.minPeriod, o.maxPeriod, (options.seed || 0) >>> 0, 0));
      forwardAblated(ptr.exLoss, ptr.exTokens, ptr.exTargets, 1, options.ablate);
      return { period: M.HEAP32[ptr.exPeriod >> 2],
        tokens: Array.from(M.HEAP32.subarray(ptr.exTokens >> 2, (ptr.exTokens >> 2) + T)),
        weights: Array.from({ length: cfg.n_layers }, (_, l) => Array.from({ length: cfg.n_heads }, (__, h) => {
          const w = M._attn_gpt_weights(ptr.acts, ptr.cfg, 1, T, l, h) >> 2;
          const flat = M.HEAPF32.slice(w, w + T * T);
          return Array.from({ length: T }, (___, r) => flat.subarray(r * T, (r + 1) * T));
        })) };
    }

    // the model now, on the next step's batch, no update; options.sequence = b also returns
    // that sequence's tokens and every head's weights on it (for a figure of the heads)
    function measure(options) {
      heap.alive();
      options = options || {};
      batchOf(step + 1);
      forwardAblated(ptr.loss, ptr.tokens, ptr.targets, B, options.ablate);
      const loss = M.HEAPF32[ptr.loss >> 2];
      heap.check(M._attn_gpt_position_losses(ptr.posLoss, ptr.acts, ptr.cfg, ptr.targets, B, T));
      const first = ptr.loss, repeat = ptr.loss + 4;
      heap.check(M._attn_induction_split_loss(first, repeat, ptr.posLoss, ptr.periods, B, T));
      const lossFirst = M.HEAPF32[first >> 2], lossRepeat = M.HEAPF32[repeat >> 2];
      heap.check(M._attn_prefix_match(ptr.prefix, ptr.acts, ptr.cfg, ptr.tokens, B, T));
      const H = cfg.n_heads, flat = M.HEAPF32.slice(ptr.prefix >> 2, (ptr.prefix >> 2) + cfg.n_layers * H);
      const prefixMatch = Array.from({ length: cfg.n_layers }, (_, l) => Array.from(flat.subarray(l * H, (l + 1) * H)));
      const out = { step, loss, lossFirst, lossRepeat, prefixMatch };
      if (options.sequence !== undefined) {
        const b = options.sequence;
        if (!Number.isInteger(b) || b < 0 || b >= B) throw new AttnError(-10, `sequence ${b} is not in 0..${B - 1}`);
        out.sequence = { index: b, period: M.HEAP32[(ptr.periods >> 2) + b],
          tokens: Array.from(M.HEAP32.subarray((ptr.tokens >> 2) + b * T, (ptr.tokens >> 2) + (b + 1) * T)),
          weights: Array.from({ length: cfg.n_layers }, (_, l) => Array.from({ length: H }, (__, h) => {
            const w = (M._attn_gpt_weights(ptr.acts, ptr.cfg, B, T, l, h) >> 2) + b * T * T;
            const flat = M.HEAPF32.slice(w, w + T * T);
            return Array.from({ length: T }, (___, r) => flat.subarray(r * T, (r + 1) * T));
          })) };
      }
      return out;
    }

    // the current parameters as a weight file (format 'float32' or 'int8')
    function saveWeights(format) {
      heap.alive();
      const f = FORMATS[format || 'float32'];
      if (f === undefined) throw new AttnError(MODEL_CODES.FORMAT, `unknown weight format "${format}"`);
      const size = M._attn_weights_size(ptr.cfg, f);
      const buf = heap.get('file', size), written = heap.get('written', 4);
      heap.check(M._attn_weights_save(buf, size, written, ptr.cfg, ptr.params, f));
      const bytes = M.HEAPU8.slice(buf, buf + M.HEAPU32[written >> 2]);
      heap.release('file');
      return bytes;
    }

    // a copy of the parameters (for tests and for comparing runs)
    function params() { heap.alive(); return M.HEAPF32.slice(ptr.params >> 2, (ptr.params >> 2) + P); }

    return {
      config: Object.assign({}, cfg), options: o, paramCount: P,
      step: stepMany, measure, saveWeights, params, example, phaseChange, history,
      get steps() { return step; },
      heapBytes: () => heap.bytes(),
      cancel() { heap.freeAll(); },
      destroy() { heap.freeAll(); },
      get destroyed() { return heap.destroyed; },
    };
  }

  // ------------------------------------------------------------------------------------
  // A trained word-level model on text: what `build/attn --model NAME --json "text"` prints

  // A model from its weight file and its vocabulary (text, one word a line, id 0 = <s>), as
  // core/attn_cli.c loads them: the vocabulary's word count must be the model's. run(text)
  // tokenizes text with the core's tokenizer, keeps the first context - 1 tokens behind the
  // start token <s> (id 0), looks the words up (attn_vocab_ids: an unknown word gets its
  // class's id), runs the model and returns, with the CLI's keys and meaning:
  //   { model, tokens: ['<s>', ...], ids, vocab_words, unknown: [indices into tokens],
  //     total_tokens, truncated, layers: [{ entropy, heads: [{ name: 'L0H0', layer, head,
  //     entropy, weights: rows (Float32Array) }] }], next: [{ word, id, logit, prob }] x 10 }
  // entropy: mean row entropy in bits of the head, and of the layer's heads (attn_atlas_entropy).
  // next: the 10 likeliest next words after the last token (attn_top_k on the softmax).
  function createTextModel(coreOrModule, bytes, vocabText, name, sentences) {
    const heldout = Array.isArray(sentences) ? sentences.slice() : null;
    const M = moduleOf(coreOrModule);
    const abi = abiOf(M);
    if (typeof vocabText !== 'string') throw new TypeError('the vocabulary must be text, one word a line');
    const model = createGptModel(M, bytes);
    const heap = heapOwner(M);
    const encoder = new TextEncoder(), decoder = new TextDecoder();
    const config = model.config;
    let vocabPtr, vocabLen;
    try {
      let words = encoder.encode(vocabText);
      // as the CLI reads the file: the last line's newline ends it
      vocabLen = words.length && words[words.length - 1] === 10 ? words.length - 1 : words.length;
      if (vocabLen === 0) heap.check(abi.ATTN_ERR_VOCAB);
      vocabPtr = heap.get('vocab', vocabLen);
      M.HEAPU8.set(words.subarray(0, vocabLen), vocabPtr);
      words = null;
      const count = heap.check(M._attn_vocab_count(vocabPtr, vocabLen));
      if (count !== config.vocab) {
        throw new AttnError(abi.ATTN_ERR_VOCAB, `the vocabulary has ${count} words, the model ${config.vocab}`);
      }
      if (wordOf(0) !== '<s>') throw new AttnError(abi.ATTN_ERR_VOCAB, 'id 0 of the vocabulary must be the boundary token <s>');
    } catch (e) {
      heap.freeAll();
      model.destroy();
      throw e;
    }

    function wordOf(id) {
      const at = heap.get('word', 8);
      heap.check(M._attn_vocab_word(at, at + 4, vocabPtr, vocabLen, id));
      const start = M.HEAP32[at >> 2], len = M.HEAP32[(at >> 2) + 1];
      return decoder.decode(M.HEAPU8.subarray(vocabPtr + start, vocabPtr + start + len));
    }

    // text -> { tokens: ['<s>', ...], ids, unknown: [indices into tokens], total, n }: the
    // core's tokenizer, the first context - 1 tokens behind <s>, the vocabulary's ids.
    // asPrompt (generation): an empty text is no words, not an error, and a text longer than the
    // context is AttnError CONTEXT instead of cut (there would be no room left to write).
    function encode(text, asPrompt) {
      heap.alive();
      if (typeof text !== 'string') throw new TypeError(asPrompt ? 'generator(text) takes a string' : 'the text must be a string');
      const utf8 = encoder.encode(text);
      if (utf8.length > MAX_TEXT) throw new AttnError(abi.ATTN_ERR_SIZE, 'the text is too long: at most 1 MiB');
      const max = abi.ATTN_MAX_TOKENS;
      const textPtr = heap.get('text', utf8.length + 1);
      M.HEAPU8.set(utf8, textPtr);
      const starts = heap.get('starts', max * 4), ends = heap.get('ends', max * 4), totalPtr = heap.get('total', 4);
      let n = M._attn_tokenize(starts, ends, max, textPtr, utf8.length, totalPtr);
      let total = M.HEAP32[totalPtr >> 2];
      if (asPrompt && n === abi.ATTN_ERR_EMPTY) n = total = 0;   // an empty prompt: the model starts from <s>
      heap.check(n);
      if (asPrompt && total > config.context - 1) {
        throw new AttnError(abi.ATTN_ERR_CONTEXT, `the prompt has ${total} words; the model's context holds ` +
          `${config.context} positions, <s> and ${config.context - 1} words`);
      }
      n = Math.min(n, config.context - 1);   // one place goes to <s>
      const idsPtr = heap.get('ids', Math.max(1, n) * 4), unknownPtr = heap.get('unknown', Math.max(1, n));
      if (n) heap.check(M._attn_vocab_ids(idsPtr, unknownPtr, vocabPtr, vocabLen, textPtr, starts, ends, n));
      const ids = [0].concat(Array.from(M.HEAP32.subarray(idsPtr >> 2, (idsPtr >> 2) + n)));
      const tokens = ['<s>'], unknown = [];
      for (let i = 0; i < n; i++) {
        const a = M.HEAP32[(starts >> 2) + i], b = M.HEAP32[(ends >> 2) + i];
        tokens.push(decoder.decode(M.HEAPU8.subarray(textPtr + a, textPtr + b)));
        if (M.HEAPU8[unknownPtr + i]) unknown.push(i + 1);
      }
      return { tokens, ids, unknown, total, n };
    }

    const nextOf = (out, id) => ({ word: wordOf(id), id, logit: out.logits[id], prob: out.probs[id] });

    // options.ablate = { layer, head, kind, seed } adds `ablation`: what `build/attn --model
    // NAME --ablate L,H,KIND --json` prints (the effect on the last prediction, next words after)
    function run(text, options) {
      options = options || {};
      const e = encode(text);
      const out = model.forward(e.ids, { top: 10, entropy: true });
      const result = {
        model: name, tokens: e.tokens, ids: e.ids, vocab_words: e.ids.map(wordOf), unknown: e.unknown,
        total_tokens: e.total, truncated: e.total > e.n,
        layers: out.weights.map((heads, l) => ({
          entropy: out.entropy.layers[l],
          heads: heads.map((weights, h) => ({ name: `L${l}H${h}`, layer: l, head: h,
            entropy: out.entropy.heads[l][h], weights })),
        })),
        next: out.top.map((id) => nextOf(out, id)),
      };
      if (options.ablate) result.ablation = ablate(text, options.ablate, e);
      return result;
    }

    // The effect of ablating head (layer, head) with kind ('uniform' | 'shuffle' | 'zero',
    // seed for shuffle, default 1) on the prediction after the text: { layer, head, kind, seed,
    // top_before, top_after: { word, id, prob }, p_top_before, p_top_after, delta, kl,
    // next_after: the 10 likeliest after } (the CLI's "ablation" keys).
    function ablate(text, spec, encoded) {
      const e = encoded || encode(text);
      const seed = spec.seed === undefined ? 1 : spec.seed >>> 0;
      if (!Number.isInteger(spec.layer) || !Number.isInteger(spec.head)) {
        throw new AttnError(abi.ATTN_ERR_INDEX, 'the layer and head must be whole numbers');
      }
      const r = model.ablationEffect(e.ids, { layer: spec.layer, head: spec.head, kind: spec.kind, seed });
      const x = r.effect;
      return {
        layer: spec.layer, head: spec.head, kind: spec.kind, seed,
        top_before: nextOf(r.before, x.topBefore), top_after: nextOf(r.after, x.topAfter),
        p_top_before: x.pTopBefore, p_top_after: x.pTopAfter, delta: x.delta, kl: x.kl,
        next_before: r.before.top.map((id) => nextOf(r.before, id)),
        next_after: r.after.top.map((id) => nextOf(r.after, id)),
        tokens: e.tokens, unknown: e.unknown, truncated: e.total > e.n,
      };
    }

    // A generation handle on a prompt: tokenized as run() does, <s> in front, unknown words by
    // their class. prompt: { tokens: ['<s>', ...], ids, vocab_words, unknown (indices into
    // tokens), empty (no words: the model starts from <s>), allUnknown }. A prompt with more
    // words than the context holds after <s> is AttnError CONTEXT (nothing is cut: there would be
    // no room to write). step(options) is the token-level step (createGptModel's generator) with
    // word beside every id.
    function generator(text, options) {
      const { tokens, ids, unknown, n } = encode(text, true);
      const prompt = { tokens, ids, vocab_words: ids.map(wordOf), unknown, empty: n === 0,
        allUnknown: n > 0 && unknown.length === n };
      const g = model.generator(ids, options);
      return {
        prompt,
        step(stepOptions) {
          const r = g.step(stepOptions);
          r.word = wordOf(r.id);
          r.top.forEach((t) => { t.word = wordOf(t.id); });
          return r;
        },
        reset: g.reset,
        get ids() { return g.ids; },
        get words() { return g.ids.map(wordOf); },
        get steps() { return g.steps; },
        get canStep() { return g.canStep; },
        heapBytes: g.heapBytes,
        destroy: g.destroy,
        get destroyed() { return g.destroyed; },
      };
    }


    // The k likeliest next words after text, with their logits (for Figure 5.1), and the tokens.
    function nextWords(text, k) {
      const e = encode(text);
      const out = model.forward(e.ids, { top: k || 6, weights: false });
      return { tokens: e.tokens, unknown: e.unknown, total_tokens: e.total, truncated: e.total > e.n,
        next: out.top.map((id) => nextOf(out, id)) };
    }

    // The every-head job on sentences (default: the held-out sentences shipped with the
    // weights), each read as run() reads text; options: { sentences, seed (default 1) }.
    function createAblationJob(kind, options) {
      options = options || {};
      const texts = options.sentences || heldout;
      if (!texts || !texts.length) throw new AttnError(abi.ATTN_ERR_EMPTY, 'no sentences for the ablation job');
      const job = model.createAblationJob(texts.map((t) => encode(t).ids), kind,
        options.seed === undefined ? 1 : options.seed);
      job.sentences = texts.length;
      return job;
    }

    return {
      name, config, format: model.format, vocabSize: config.vocab, run, wordOf, encode, ablate, generator,
      nextWords, createAblationJob, get sentences() { return heldout ? heldout.slice() : []; },
      heapBytes: () => heap.bytes() + model.heapBytes(),
      destroy() { heap.freeAll(); model.destroy(); },
      get destroyed() { return heap.destroyed; },
    };
  }

  // The trained model `name` (default 'brown') ready for run(text): loads the model module and
  // weights-NAME.js (weights and vocabulary) the first time it is asked for, never before.
  // options as for loadWeights. Each call returns a new handle; destroy() it when done.
  // handle.atlas: the head atlas the weights script carries (atlasOf(name)), or null.
  function loadModel(name, options) {
    name = name || 'brown';
    return Promise.all([loadModelCore(), loadWeights(name, options)]).then(([M, bytes]) => {
      const vocab = vocabularyOf(name);
      if (vocab === null) throw new Error(`weights-${name}.js carries no vocabulary (tools/wrap_weights.js --vocab)`);
      const handle = createTextModel(M, bytes, vocab, name, sentenceSets.get(name) || null);
      handle.atlas = atlasOf(name);
      return handle;
    });
  }

  // The held-out sentences registered with the weights `name` (after loadWeights), or null.
  function sentencesOf(name) { return sentenceSets.has(name) ? sentenceSets.get(name).slice() : null; }

  Object.assign(ns, { registerWeights, loadWeights, vocabularyOf, sentencesOf, atlasOf, loadModelCore, createGptModel,
    createTrainingJob, createTextModel, loadModel, loadBrownModel: () => loadModel('brown'),
    MODEL_CODES, WEIGHT_FORMATS: FORMATS, INDUCTION_DEFAULTS, INDUCTION_FAST });
  if (typeof module === 'object' && module.exports) module.exports = ns;
})(typeof window !== 'undefined' ? window : globalThis);
