/* attn-bridge.js - the one place that knows the WebAssembly heap.

   Loads the C core (attn-core.js, built by `make`) once, keeps its buffers across calls and
   grows them when a bigger input comes, and hands callers plain arrays: figures never see a
   pointer or HEAPF32. A C status code becomes an AttnError carrying the C message.

   Browser: <script src="core/attn-bridge.js"></script>, then
   AttentionExplorer.loadCore().then(core => core.model("The trophy ...")): the first call loads
   attn-core.js from beside this script (web/core/, or beside the dist/ bundle) unless the page
   already has it, so pages paint before the largest file arrives.
   Node: const { loadCore } = require("./web/core/attn-bridge.js").

   Constants and struct offsets come from the core's own table (attn_abi_*), read at load; the
   names below are checked against it, so the bridge refuses to load when they drift from
   attn.h. Long work gets a job handle that owns its WASM buffers (core.longJob). */
(function (root) {
  'use strict';
  const ns = (root.AttentionExplorer = root.AttentionExplorer || {});
  // this script's folder, where attn-core.js is looked for
  const coreBase = typeof document !== 'undefined' && document.currentScript && document.currentScript.src
    ? document.currentScript.src.replace(/[^/]*$/, '') : '';

  // Status codes and constants of core/attn.h, usable before the core loads; loadCore()
  // checks every one against the core's table (ATTN_ERR_<NAME>, ATTN_MASK_<NAME>, ...).
  const CODES = { OK: 0, NULL: -1, SIZE: -2, OVERFLOW: -3, TEMPERATURE: -4, SCALE: -5, MASK: -6,
    NONFINITE: -7, SCRATCH: -8, EMPTY: -9, INDEX: -10, CONFIG: -11, STATE: -12,
    KERNEL: -13, RANGE: -14, FORMAT: -20, VERSION: -21, TRUNCATED: -22, PAYLOAD: -23,
    CHECKSUM: -24, VOCAB: -30, CONTEXT: -40 };
  const MASKS = { none: 0, causal: 1, window: 2, explicit: 3, 'block-sparse': 4 };
  const KERNELS = { full: 0, streaming: 1, window: 2, linear: 3 };
  const MAX_TOKENS = 256;

  class AttnError extends Error {
    constructor(code, message) {
      super(message);
      this.name = 'AttnError';
      this.code = code;
    }
  }

  // The attn.h name of a bridge constant: CODES.NULL -> ATTN_ERR_NULL, MASKS['block-sparse'] ->
  // ATTN_MASK_BLOCK_SPARSE, KERNELS.full -> ATTN_KERNEL_FULL.
  function headerName(prefix, key) {
    return key === 'OK' ? 'ATTN_OK' : prefix + key.toUpperCase().replace(/-/g, '_');
  }

  function createCore(M) {
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    const buffers = new Map();   // name -> { ptr, bytes }

    // Every WASM export goes through one counting wrapper (core.callCount(), for tests that
    // assert how many round trips an interaction costs).
    let calls = 0;
    const C = {};
    Object.keys(M).forEach((name) => {
      if (name[0] === '_' && typeof M[name] === 'function') {
        C[name] = function () { calls++; return M[name].apply(null, arguments); };
      }
    });

    // A named WASM buffer of at least `bytes`, reused across calls, grown when too small.
    function buffer(name, bytes) {
      let b = buffers.get(name);
      if (!b || b.bytes < bytes) {
        if (b) { C._free(b.ptr); buffers.delete(name); }   // never keep a freed pointer
        const size = Math.max(64, bytes * 1.5 | 0);
        const ptr = C._malloc(size);
        if (!ptr) throw new AttnError(CODES.OVERFLOW, 'out of memory for ' + name);
        b = { ptr, bytes: size };
        buffers.set(name, b);
      }
      return b.ptr;
    }

    function cString(ptr) {
      if (!ptr) return null;
      const heap = M.HEAPU8;
      let end = ptr;
      while (heap[end]) end++;
      return decoder.decode(heap.subarray(ptr, end));
    }

    function check(rc) {
      if (rc < 0) throw new AttnError(rc, cString(C._attn_strerror(rc)));
      return rc;
    }

    // The core's table of constants and struct layout (attn_abi_*), and the check that the
    // names above still say what attn.h says.
    const abi = {};
    for (let i = 0, count = C._attn_abi_count(); i < count; i++) abi[cString(C._attn_abi_name(i))] = C._attn_abi_value(i);
    [['ATTN_ERR_', CODES], ['ATTN_MASK_', MASKS], ['ATTN_KERNEL_', KERNELS]].forEach(([prefix, table]) => {
      Object.keys(table).forEach((key) => {
        const name = headerName(prefix, key);
        if (abi[name] !== table[key]) throw new Error(`attn-bridge.js is out of date: ${name} is ${abi[name]} in the core, ${table[key]} here`);
      });
    });
    if (abi.ATTN_MAX_TOKENS !== MAX_TOKENS) throw new Error('attn-bridge.js is out of date: ATTN_MAX_TOKENS');
    const MODEL_DIM = abi.ATTN_MODEL_DIM, MODEL_HEADS = abi.ATTN_MODEL_HEADS, HEAD_DIM = abi.ATTN_HEAD_DIM;
    // byte offset of a struct field, e.g. at('attn_options', 'window')
    const at = (type, field) => abi[type + '.' + field];
    // a reused buffer for one C struct, zeroed: a field this file does not set yet is 0 (NULL)
    function struct(name, type) {
      const size = abi['sizeof ' + type], ptr = buffer(name, size);
      M.HEAPU8.fill(0, ptr, ptr + size);
      return ptr;
    }

    function writeFloats(name, values) {
      const ptr = buffer(name, values.length * 4);
      M.HEAPF32.set(values, ptr >> 2);
      return ptr;
    }

    function readFloats(ptr, count) {
      return M.HEAPF32.slice(ptr >> 2, (ptr >> 2) + count);
    }

    // flat (rows*cols) copy -> array of row views on that copy (not on the heap)
    function rowsOf(flat, rows, cols) {
      const out = new Array(rows);
      for (let r = 0; r < rows; r++) out[r] = flat.subarray(r * cols, (r + 1) * cols);
      return out;
    }

    function flatten(matrix) {
      if (matrix instanceof Float32Array) return matrix;
      const rows = matrix.length, cols = rows ? matrix[0].length : 0;
      const flat = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) flat.set(matrix[r], r * cols);
      return flat;
    }

    // struct attn_options, laid out as the core's table says
    function writeOptions(opts, n) {
      opts = opts || {};
      const mask = MASKS[opts.mask || 'none'];
      if (mask === undefined) throw new AttnError(CODES.MASK, 'unknown mask "' + opts.mask + '"');
      let allowedPtr = 0;
      if (mask === MASKS.explicit && opts.allowed) {
        const flat = opts.allowed.flat ? opts.allowed.flat() : opts.allowed;
        allowedPtr = buffer('allowed', n * n);
        for (let i = 0; i < n * n; i++) M.HEAPU8[allowedPtr + i] = flat[i] ? 1 : 0;
      }
      const ptr = struct('options', 'attn_options');
      const f = (field) => (ptr + at('attn_options', field)) >> 2;
      M.HEAPF32[f('scale')] = opts.scale === undefined ? 0 : opts.scale;
      M.HEAPF32[f('temperature')] = opts.temperature === undefined ? 1 : opts.temperature;
      M.HEAP32[f('mask')] = mask;
      M.HEAP32[f('window')] = opts.window | 0;
      M.HEAPU32[f('allowed')] = allowedPtr;
      M.HEAP32[f('globals')] = opts.globals | 0;
      return ptr;
    }

    // struct attn_trace: `parts` maps a pointer field -> its float count.
    const TRACE_FIELDS = ['q', 'k', 'v', 'raw', 'scaled', 'masked', 'weights', 'head_out', 'concat'];
    function writeTrace(parts) {
      const ptrs = {};
      TRACE_FIELDS.forEach((field) => {
        ptrs[field] = parts[field] ? buffer('trace.' + field, parts[field] * 4) : 0;
      });
      // buffer() may grow memory: write the struct only after every allocation
      const ptr = struct('trace', 'attn_trace');
      TRACE_FIELDS.forEach((field) => { M.HEAPU32[(ptr + at('attn_trace', field)) >> 2] = ptrs[field]; });
      const blocked = (ptr + at('attn_trace', 'blocked_rows')) >> 2;
      M.HEAP32[blocked] = 0;
      return { ptr, ptrs, blockedRows: () => M.HEAP32[blocked] };
    }

    // ------------------------------------------------------------------------------------
    // Text

    function tokenizeInto(text) {
      const bytes = encoder.encode(String(text));
      const textPtr = buffer('text', bytes.length + 1);
      M.HEAPU8.set(bytes, textPtr);
      M.HEAPU8[textPtr + bytes.length] = 0;
      const starts = buffer('starts', MAX_TOKENS * 4), ends = buffer('ends', MAX_TOKENS * 4);
      const total = buffer('total', 4);
      const n = check(C._attn_tokenize(starts, ends, MAX_TOKENS, textPtr, bytes.length, total));
      const tokens = [];
      for (let i = 0; i < n; i++) {
        const s = M.HEAP32[(starts >> 2) + i], e = M.HEAP32[(ends >> 2) + i];
        tokens.push({ text: decoder.decode(bytes.subarray(s, e)), start: s, end: e });
      }
      const totalTokens = M.HEAP32[total >> 2];
      return { tokens, totalTokens, truncated: totalTokens > n, textPtr, starts, ends, n };
    }

    // Words of `text` as the model sees them: { tokens: [{text, start, end}], totalTokens, truncated }.
    function tokenize(text) {
      const t = tokenizeInto(text);
      return { tokens: t.tokens, totalTokens: t.totalTokens, truncated: t.truncated };
    }

    // ------------------------------------------------------------------------------------
    // The lesson model

    const modelPtr = C._attn_model();
    const heads = [];
    for (let h = 0; h < MODEL_HEADS; h++) {
      const names = (part) => Array.from({ length: HEAD_DIM },
        (_, d) => cString(C._attn_head_dim_name(h, part.charCodeAt(0), d)));
      heads.push({ index: h, name: cString(C._attn_head_name(h)),
        description: cString(C._attn_head_description(h)),
        dimNames: { q: names('q'), k: names('k'), v: names('v') } });
    }
    const featureNames = Array.from({ length: MODEL_DIM }, (_, d) => cString(C._attn_feature_name(d)));

    // Runs the designed heads on `text`. options: { temperature, mask: 'none'|'causal'|'window',
    // window, parts: which per-head arrays to return (default all) }. Returns tokens, the
    // embedding rows and, per head, name, description and matrices as arrays of rows.
    // The last MODEL_CACHE results are kept per (text, temperature, mask, window, parts): a
    // repeated call (a hover that only moves the focus) returns the SAME object without
    // running the core again, so callers must treat a result as read-only (never mutate it).
    const MODEL_CACHE = 4;
    const modelCache = [];   // [{ key, result }], the most recent last
    function model(text, options) {
      options = options || {};
      const key = options.mask === 'explicit' ? null : JSON.stringify([String(text),
        options.temperature === undefined ? 1 : options.temperature, options.mask || 'none',
        options.window | 0, options.globals | 0, options.parts || null]);
      const hit = key === null ? -1 : modelCache.findIndex((entry) => entry.key === key);
      if (hit >= 0) {
        const entry = modelCache.splice(hit, 1)[0];
        modelCache.push(entry);
        return entry.result;
      }
      const result = runModel(text, options);
      if (key !== null) {
        modelCache.push({ key, result });
        if (modelCache.length > MODEL_CACHE) modelCache.shift();
      }
      return result;
    }

    function runModel(text, options) {
      const t = tokenizeInto(text);
      const n = t.n, nn = n * n, nd = n * HEAD_DIM;
      const xPtr = buffer('x', n * MODEL_DIM * 4);
      check(C._attn_embed(xPtr, t.textPtr, t.starts, t.ends, n));
      const want = options.parts || ['q', 'k', 'v', 'raw', 'scaled', 'masked', 'weights', 'head_out'];
      const sizes = { q: nd, k: nd, v: nd, raw: nn, scaled: nn, masked: nn, weights: nn, head_out: nd };
      const parts = {};
      want.forEach((p) => { parts[p] = sizes[p] * MODEL_HEADS; });
      const trace = writeTrace(parts);
      const optPtr = writeOptions(options, n);
      const scratchFloats = C._attn_layer_scratch_floats(n, modelPtr);
      const scratch = buffer('scratch', scratchFloats * 4);
      check(C._attn_layer(0, trace.ptr, xPtr, n, modelPtr, optPtr, scratch, scratchFloats));

      const features = rowsOf(readFloats(xPtr, n * MODEL_DIM), n, MODEL_DIM);
      const out = heads.map((info) => ({ index: info.index, name: info.name,
        description: info.description, dimNames: info.dimNames }));
      want.forEach((p) => {
        const per = sizes[p], cols = per === nn ? n : HEAD_DIM;
        const all = readFloats(trace.ptrs[p], per * MODEL_HEADS);
        const key = p === 'head_out' ? 'output' : p;
        out.forEach((head, h) => { head[key] = rowsOf(all.subarray(h * per, (h + 1) * per), n, cols); });
      });
      return { tokens: t.tokens, totalTokens: t.totalTokens, truncated: t.truncated, n,
        featureNames, features, heads: out, blockedRows: trace.blockedRows() };
    }

    // ------------------------------------------------------------------------------------
    // Single steps, for the figures that let a learner edit the numbers

    // One head from given q, k (n rows of d_k) and v (n rows of d_v): every step.
    function head(q, k, v, options) {
      const n = q.length, dK = n ? q[0].length : 0, dV = v && v.length ? v[0].length : 0;
      if (!n || k.length !== n || (v && v.length !== n)) throw new AttnError(CODES.SIZE, 'q, k and v need the same number of rows');
      const nn = n * n;
      const trace = writeTrace({ raw: nn, scaled: nn, masked: nn, weights: nn });
      const qPtr = writeFloats('head.q', flatten(q)), kPtr = writeFloats('head.k', flatten(k));
      const vPtr = v ? writeFloats('head.v', flatten(v)) : 0;
      const outPtr = v ? buffer('head.out', n * dV * 4) : 0;
      const optPtr = writeOptions(options, n);
      check(C._attn_head(outPtr, trace.ptr, qPtr, kPtr, vPtr, n, dK, dV, optPtr));
      const mat = (f) => rowsOf(readFloats(trace.ptrs[f], nn), n, n);
      return { raw: mat('raw'), scaled: mat('scaled'), masked: mat('masked'), weights: mat('weights'),
        output: v ? rowsOf(readFloats(outPtr, n * dV), n, dV) : null, blockedRows: trace.blockedRows() };
    }

    // softmax(scores / temperature) of one row or of several rows, and each row's entropy (bits).
    function softmax(scores, temperature) {
      const matrix = Array.isArray(scores[0]) || scores[0] instanceof Float32Array;
      const rows = matrix ? scores.length : 1, cols = matrix ? scores[0].length : scores.length;
      const inPtr = writeFloats('softmax.in', matrix ? flatten(scores) : Float32Array.from(scores));
      const outPtr = buffer('softmax.out', rows * cols * 4), hPtr = buffer('softmax.h', rows * 4);
      check(C._attn_softmax_rows(outPtr, inPtr, rows, cols, temperature === undefined ? 1 : temperature, 0));
      check(C._attn_entropy_bits(hPtr, outPtr, rows, cols));
      const probs = readFloats(outPtr, rows * cols), entropy = readFloats(hPtr, rows);
      return matrix ? { probs: rowsOf(probs, rows, cols), entropy: Array.from(entropy) }
                    : { probs, entropy: entropy[0] };
    }

    // Each row's sum, added up by C (for "the weights sum to 1").
    function rowSums(matrix) {
      const rows = matrix.length, cols = rows ? matrix[0].length : 0;
      const inPtr = writeFloats('sums.in', flatten(matrix)), outPtr = buffer('sums.out', rows * 4);
      check(C._attn_row_sums(outPtr, inPtr, rows, cols));
      return Array.from(readFloats(outPtr, rows));
    }

    // n x n array of rows of booleans: may token i look at token j under this mask?
    function maskAllowed(n, options) {
      const ptr = buffer('mask', n * n);
      const optPtr = writeOptions(options, n);
      check(C._attn_mask_fill(ptr, n, optPtr));
      const flat = M.HEAPU8.slice(ptr, ptr + n * n);
      return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * n, (i + 1) * n), Boolean));
    }

    // Row `row` of head `head`'s weights in a model() result, printed by C in ONE call: the
    // numbers and, on one more line, their sum (added in double). opts: { leadingZero: false,
    // part: 'weights' (default) or another n x n matrix of the head }. -> { texts, sumText }
    function rowReport(modelResult, head, row, decimals, opts) {
      opts = opts || {};
      const h = modelResult && modelResult.heads && modelResult.heads[head];
      const values = h && h[opts.part || 'weights'] && h[opts.part || 'weights'][row];
      if (!values) throw new AttnError(CODES.INDEX, `there is no row ${row} of head ${head}`);
      const lines = printed('report', values, decimals, opts,
        (buf, cap, inPtr, count, d, flags) => C._attn_format_row_report(buf, cap, inPtr, count, d, flags));
      return { texts: lines.slice(0, values.length), sumText: lines[values.length] };
    }

    // A general multi-head layer, for tests and experiments. weights: { dModel, nHeads, dHead,
    // dOut, wq, wk, wv, wo (flat Float32Arrays; wo may be null) }; x: n rows of dModel.
    function layer(x, weights, options) {
      const n = x.length, w = weights;
      const ptrs = ['wq', 'wk', 'wv', 'wo'].map((f) => (w[f] ? writeFloats('layer.' + f, w[f]) : 0));
      const xPtr = writeFloats('layer.x', flatten(x));
      const wPtr = struct('layer.weights', 'attn_layer_weights');
      const f = (field) => (wPtr + at('attn_layer_weights', field)) >> 2;
      [['d_model', w.dModel], ['n_heads', w.nHeads], ['d_head', w.dHead], ['d_out', w.dOut || 0]]
        .forEach(([field, v]) => { M.HEAP32[f(field)] = v; });
      ['w_q', 'w_k', 'w_v', 'w_o'].forEach((field, i) => { M.HEAPU32[f(field)] = ptrs[i]; });
      const width = w.wo ? w.dOut : w.nHeads * w.dHead;
      const nn = n * n, nd = n * w.dHead;
      const trace = writeTrace({ weights: nn * w.nHeads, q: nd * w.nHeads });
      // 0 floats for an invalid shape: attn_layer then says precisely what is wrong
      const scratchFloats = C._attn_layer_scratch_floats(n, wPtr);
      const scratch = buffer('scratch', Math.max(scratchFloats, 1) * 4);
      const outPtr = buffer('layer.out', n * width * 4);
      const optPtr = writeOptions(options, n);
      check(C._attn_layer(outPtr, trace.ptr, xPtr, n, wPtr, optPtr, scratch, scratchFloats));
      return { output: readFloats(outPtr, n * width), weights: readFloats(trace.ptrs.weights, nn * w.nHeads),
        q: readFloats(trace.ptrs.q, nd * w.nHeads), blockedRows: trace.blockedRows() };
    }

    // The lines C prints for `values` through print(buf, cap, in, count, decimals, flags),
    // growing the text buffer until they fit. opts.leadingZero === false: ".734", not "0.734".
    function printed(name, values, decimals, opts, print) {
      const flat = values instanceof Float32Array ? values : Float32Array.from(values);
      const d = decimals === undefined ? 3 : decimals;
      const flags = opts && opts.leadingZero === false ? abi.ATTN_FORMAT_NO_LEADING_ZERO : 0;
      const inPtr = writeFloats(name + '.in', flat);
      let cap = flat.length * 16 + 32;
      for (;;) {
        const bufPtr = buffer(name + '.out', cap);
        const len = print(bufPtr, cap, inPtr, flat.length, d, flags);
        if (len >= 0) return decoder.decode(M.HEAPU8.subarray(bufPtr, bufPtr + len)).split('\n').slice(0, -1);
        if (len !== CODES.SCRATCH) check(len);
        cap *= 4;
      }
    }

    // The text the core prints for each value (fixed point, `decimals` digits; -inf as "-inf").
    // opts: { leadingZero: false } prints ".734" instead of "0.734".
    function format(values, decimals, opts) {
      if (!values.length) return [];
      return printed('format', values, decimals, opts,
        (buf, cap, inPtr, count, d, flags) => C._attn_format_numbers_flags(buf, cap, inPtr, count, d, flags));
    }

    // Indices of the k largest values, largest first, ties to the lower index (ranked by C).
    function topK(values, k) {
      const flat = values instanceof Float32Array ? values : Float32Array.from(values);
      if (!flat.length) return [];
      const inPtr = writeFloats('topk.in', flat), outPtr = buffer('topk.out', Math.max(1, k | 0) * 4);
      const m = check(C._attn_top_k(outPtr, inPtr, flat.length, k | 0));
      return Array.from(M.HEAP32.subarray(outPtr >> 2, (outPtr >> 2) + m));
    }

    // A temperature from a control, URL or attribute, made usable by the core's one clamp:
    // -> { value, changed, reason: null | 'low' | 'high' | 'invalid' } (invalid: not a number
    // above 0, so the default T = 1).
    const CLAMP_REASONS = { [abi.ATTN_CLAMP_NONE]: null, [abi.ATTN_CLAMP_LOW]: 'low',
      [abi.ATTN_CLAMP_HIGH]: 'high', [abi.ATTN_CLAMP_INVALID]: 'invalid' };
    function clampTemperature(t) {
      const outPtr = buffer('clamp', 8);
      const code = check(C._attn_clamp_temperature(outPtr, typeof t === 'number' ? t : Number(t === '' || t === null ? NaN : t)));
      return { value: M.HEAPF64[outPtr >> 3], changed: code !== abi.ATTN_CLAMP_NONE, reason: CLAMP_REASONS[code] };
    }
    const temperatureRange = { min: abi.ATTN_TEMPERATURE_MIN, max: abi.ATTN_TEMPERATURE_MAX,
      default: abi.ATTN_TEMPERATURE_DEFAULT };

    // ------------------------------------------------------------------------------------
    // Long contexts (the quadratic-cost lab): a job is one seeded random Q, K, V in WASM
    // memory, run by row ranges so a long run can be spread over many short tasks. Each job
    // owns its buffers, so two labs (or a lab and a remounted one) never share inputs.

    const FULL_MAX_N = 4096;   // full attention keeps n x n floats: 64 MB at 4096, 256 MB at 8192
    const DEFAULT_WINDOW = 256;

    // count seeded random numbers in [-1, 1), from C's xorshift32.
    function fillRandom(count, seed) {
      const ptr = buffer('long.random', count * 4);
      check(C._attn_fill_random(ptr, count, seed >>> 0));
      return readFloats(ptr, count);
    }

    // Where each value falls on a log10 axis from lo (0) to hi (1), computed by C.
    function logPositions(values, lo, hi) {
      const inPtr = writeFloats('long.logIn', Float32Array.from(values));
      const outPtr = buffer('long.logOut', values.length * 4);
      check(C._attn_log_positions(outPtr, inPtr, values.length, lo, hi));
      return readFloats(outPtr, values.length);
    }

    // y0 * (x / x0)^exponent for each x: a reference line (n², n) through (x0, y0), by C.
    function powerLine(xs, x0, y0, exponent) {
      const inPtr = writeFloats('long.lineIn', Float32Array.from(xs));
      const outPtr = buffer('long.lineOut', xs.length * 4);
      check(C._attn_power_line(outPtr, inPtr, xs.length, x0, y0, exponent));
      return readFloats(outPtr, xs.length);
    }

    // The slope of log(ys) against log(xs), least squares, by C: how fast a measured cost grows.
    function logSlope(xs, ys) {
      const xPtr = writeFloats('long.slopeX', Float32Array.from(xs));
      const yPtr = writeFloats('long.slopeY', Float32Array.from(ys));
      const outPtr = buffer('long.slopeOut', 4);
      check(C._attn_log_slope(outPtr, xPtr, yPtr, xs.length));
      return readFloats(outPtr, 1)[0];
    }

    // The core's number for a kernel name; an unknown name is ATTN_ERR_KERNEL.
    function kernelId(kernel) {
      if (!Object.prototype.hasOwnProperty.call(KERNELS, kernel)) {
        throw new AttnError(CODES.KERNEL, cString(C._attn_strerror(CODES.KERNEL)) + ` (not "${kernel}")`);
      }
      return KERNELS[kernel];
    }

    // Bytes a kernel needs for n tokens of width d (Q, K, V, the output and its own working
    // memory), from attn_kernel_bytes: what the lab plots as memory.
    function kernelBytes(kernel, n, d, window) {
      const outPtr = buffer('long.bytes', 4);   // a size_t: 32 bits in wasm32
      check(C._attn_kernel_bytes(outPtr, kernelId(kernel), n, d, window === undefined ? DEFAULT_WINDOW : window));
      return M.HEAPU32[outPtr >> 2];
    }

    // A job: seeded random Q, K, V (n x d each; seeds seed, seed+1, seed+2) and the output in
    // WASM buffers of its own, plus full attention's n x n weights when n <= FULL_MAX_N (taken
    // now, so growing the heap is not timed as part of a run). spec: { n, d (64), seed (1) }.
    //   run(kernel, rowBegin, rowEnd, opts) runs rows [rowBegin, rowEnd) of one kernel:
    //     'full'      attn_head_rows (opts.mask 'none' or 'causal', opts.scale), n <= FULL_MAX_N
    //     'streaming' attn_head_streaming, opts.mask 'none' (default) or 'causal'
    //     'window'    attn_head_streaming with the causal sliding window opts.window (256)
    //     'linear'    attn_linear (opts.causal), all rows at once: rowBegin 0, rowEnd n
    //   and returns { rows, blockedRows, scale } (scale: what C applied; null for the kernels
    //   that do not report one). inputs() and output() return flat copies; bytes(kernel, opts)
    //   is kernelBytes for this job; destroy() frees the buffers (again: harmless). A destroyed
    //   job throws AttnError on any other call.
    function longJob(spec) {
      spec = spec || {};
      const n = Number(spec.n), d = spec.d === undefined ? 64 : Number(spec.d);
      const seed = spec.seed === undefined ? 1 : spec.seed >>> 0;
      if (!Number.isInteger(n) || !Number.isInteger(d) || n <= 0 || d <= 0) {
        throw new AttnError(CODES.SIZE, 'n and d must be whole numbers above 0');
      }
      const nd = n * d;
      const owned = [];
      let destroyed = false;
      function destroy() {
        if (destroyed) return;
        destroyed = true;
        owned.forEach((ptr) => C._free(ptr));
        owned.length = 0;
      }
      function alloc(floats, what) {
        const ptr = floats * 4 <= 0xFFFFFFFF ? C._malloc(floats * 4) : 0;
        if (!ptr) throw new AttnError(CODES.OVERFLOW, `out of memory for ${what} (n = ${n}, d = ${d})`);
        owned.push(ptr);
        return ptr;
      }
      const ptrs = {};
      try {
        ['q', 'k', 'v', 'out'].forEach((name) => { ptrs[name] = alloc(nd, name.toUpperCase()); });
        ['q', 'k', 'v'].forEach((name, i) => check(C._attn_fill_random(ptrs[name], nd, (seed + i) >>> 0)));
        M.HEAPF32.fill(0, ptrs.out >> 2, (ptrs.out >> 2) + nd);
        const floats = C._attn_linear_scratch_floats(d, d);
        ptrs.scratch = alloc(Math.max(floats, 1), 'the linear state');
        ptrs.scratchFloats = floats;
      } catch (err) {
        destroy();
        throw err;
      }
      ptrs.weights = 0;
      if (n <= FULL_MAX_N) {
        try {
          ptrs.weights = alloc(n * n, 'the n x n weights');
        } catch (err) {   // out of memory: only full needs these; run('full') will say so
          if (err.code !== CODES.OVERFLOW) throw err;
        }
      }

      function live() {
        if (destroyed) throw new AttnError(CODES.NULL, `this n = ${n} job was destroyed: its buffers are freed`);
      }

      function run(kernel, rowBegin, rowEnd, opts) {
        live();
        opts = opts || {};
        const id = kernelId(kernel);
        if (!Number.isInteger(rowBegin) || !Number.isInteger(rowEnd) || rowBegin < 0 || rowEnd > n || rowBegin >= rowEnd) {
          throw new AttnError(CODES.INDEX, `rows ${rowBegin} to ${rowEnd} are not a range inside 0..${n}`);
        }
        const outs = buffer('long.outs', 8);   // int blocked_rows, float scale_used
        M.HEAP32[outs >> 2] = 0;
        let scale = null;
        if (id === KERNELS.full) {
          if (n > FULL_MAX_N) {
            throw new AttnError(CODES.OVERFLOW, `full attention keeps an ${n} x ${n} matrix; this page runs it up to n = ${FULL_MAX_N}`);
          }
          if (!ptrs.weights) throw new AttnError(CODES.OVERFLOW, `not enough memory for the ${n} x ${n} weights`);
          const optPtr = writeOptions({ mask: opts.mask || 'none', scale: opts.scale }, n);
          check(C._attn_head_rows(ptrs.out, ptrs.weights + rowBegin * n * 4, ptrs.q, ptrs.k, ptrs.v, n, d, d,
            optPtr, rowBegin, rowEnd, outs + 4, outs));
          scale = M.HEAPF32[(outs >> 2) + 1];
        } else if (id === KERNELS.linear) {
          if (rowBegin !== 0 || rowEnd !== n) {
            throw new AttnError(CODES.INDEX, 'linear attention runs all rows at once (rows 0 to n)');
          }
          check(C._attn_linear(ptrs.out, 0, ptrs.q, ptrs.k, ptrs.v, n, d, d, opts.causal ? 1 : 0,
            ptrs.scratch, ptrs.scratchFloats));
        } else {
          const mask = id === KERNELS.window ? 'window' : (opts.mask || 'none');
          if (mask !== 'none' && mask !== 'causal' && mask !== 'window') {
            throw new AttnError(CODES.MASK, 'streaming runs with mask "none" or "causal"');
          }
          const window = id === KERNELS.window ? (opts.window === undefined ? DEFAULT_WINDOW : opts.window) : 0;
          const optPtr = writeOptions({ mask, window, scale: opts.scale }, n);
          check(C._attn_head_streaming(ptrs.out, ptrs.q, ptrs.k, ptrs.v, n, d, d, optPtr, rowBegin, rowEnd, outs));
        }
        return { rows: rowEnd - rowBegin, blockedRows: M.HEAP32[outs >> 2], scale };
      }

      return {
        n, d, seed, run, destroy,
        inputs() { live(); return { q: readFloats(ptrs.q, nd), k: readFloats(ptrs.k, nd), v: readFloats(ptrs.v, nd) }; },
        output() { live(); return readFloats(ptrs.out, nd); },
        bytes(kernel, opts) { live(); return kernelBytes(kernel, n, d, opts && opts.window); },
      };
    }

    // Linear attention on given q, k, v (n rows of d_k, d_k, d_v): output rows and, for small
    // n, the n x n weights it implies (rows sum to 1). options: { causal }.
    function linear(q, k, v, options) {
      options = options || {};
      const n = q.length, dK = n ? q[0].length : 0, dV = v && v.length ? v[0].length : 0;
      if (!n || k.length !== n || v.length !== n) throw new AttnError(CODES.SIZE, 'q, k and v need the same number of rows');
      const qPtr = writeFloats('linear.q', flatten(q)), kPtr = writeFloats('linear.k', flatten(k));
      const vPtr = writeFloats('linear.v', flatten(v));
      const floats = C._attn_linear_scratch_floats(dK, dV);
      const scratch = buffer('linear.scratch', Math.max(floats, 1) * 4);
      const outPtr = buffer('linear.out', n * dV * 4);
      const wPtr = options.weights === false ? 0 : buffer('linear.weights', n * n * 4);
      check(C._attn_linear(outPtr, wPtr, qPtr, kPtr, vPtr, n, dK, dV, options.causal ? 1 : 0, scratch, floats));
      return { output: rowsOf(readFloats(outPtr, n * dV), n, dV),
        weights: wPtr ? rowsOf(readFloats(wPtr, n * n), n, n) : null };
    }

    let kernelPath = M.kernelPaths && 'relaxed-simd' in M.kernelPaths ? 'relaxed-simd' : 'simd128';
    const longContext = { fillRandom, logPositions, powerLine, logSlope, kernelBytes, longJob, linear,
      fullMaxN: FULL_MAX_N, defaultWindow: DEFAULT_WINDOW };

    return {
      tokenize, model, rowReport, head, softmax, rowSums, maskAllowed, layer, format, topK,
      clampTemperature, temperatureRange, heads, featureNames, maxTokens: MAX_TOKENS, headDim: HEAD_DIM,
      strerror: (code) => cString(C._attn_strerror(code)),
      abi: Object.freeze(Object.assign({}, abi)),
      callCount: () => calls,                        // WASM export calls made through the bridge
      heapBytes: () => M.HEAPU8.length,              // the WASM memory: grows in pages, never shrinks
      heapInUse: () => M._attn_heap_in_use(),        // allocator bytes in use (not counted as a call)
      // the dense streaming kernel in use: 'relaxed-simd' (fused multiply-add) or 'simd128'
      kernelPath: () => kernelPath,
      // for the benchmark and tests: 'simd128', 'relaxed-simd' (when there) or 'best'
      useKernelPath: (name) => {
        const paths = M.kernelPaths || { simd128: 0 };
        const pick = name === 'best' ? ('relaxed-simd' in paths ? 'relaxed-simd' : 'simd128') : name;
        if (!(pick in paths)) throw new AttnError(CODES.KERNEL, `no ${name} kernel in this core`);
        if (M._attn_wasm_dense_kernel) M._attn_wasm_dense_kernel(paths[pick]);
        kernelPath = pick;
        return pick;
      },
      ...longContext,
    };
  }

  let loading = null;

  // The relaxed-SIMD build of the core's dense streaming kernel (attn-fast.js: the same C source
  // with fused multiply-add), put into the core's function table when this engine validates it
  // (Chromium does; Node only with --experimental-wasm-relaxed-simd). It imports the core's
  // memory and uses no memory of its own. Otherwise, or if anything about it fails, the core
  // keeps its plain-SIMD kernel: M.kernelPaths lists what is there ({ simd128: 0, ... }).
  function installFastKernel(M) {
    M.kernelPaths = { simd128: 0 };
    let src = root.AttnFastKernel;
    if (!src && typeof require === 'function') {
      try { src = require('./attn-fast.js'); } catch (err) { src = null; }
    }
    if (!src || !src.wasm || typeof M._attn_wasm_dense_kernel !== 'function' || typeof atob !== 'function') return M;
    const bytes = Uint8Array.from(atob(src.wasm), (ch) => ch.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) return M;
    const parts = Object.values(M.asm || {});
    const memory = parts.find((x) => x instanceof WebAssembly.Memory);
    const table = parts.find((x) => x instanceof WebAssembly.Table);
    if (!memory || !table) return M;
    return WebAssembly.instantiate(bytes, { env: { memory } }).then(({ instance }) => {
      const index = table.grow(1);
      table.set(index, instance.exports.attn__stream_dense);
      M._attn_wasm_dense_kernel(index);
      M.kernelPaths['relaxed-simd'] = index;
      return M;
    }, () => M);
  }

  // Loads the core once per page (or Node process) and resolves to the bridge above.
  // Rejects with a plain Error when WebAssembly is missing or the module fails to load.
  // attn-core.js as a classic script from beside this one (file:// allows that, not fetch)
  function coreFactory() {
    if (typeof root.AttnCore === 'function') return Promise.resolve(root.AttnCore);
    if (typeof document === 'undefined' || !coreBase) {
      return Promise.resolve(typeof require === 'function' ? require('./attn-core.js') : undefined);
    }
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = coreBase + 'attn-core.js';
      script.async = true;
      script.onload = () => resolve(root.AttnCore);
      script.onerror = () => reject(new Error('The attention core did not load (' + script.src + ').'));
      document.head.appendChild(script);
    });
  }

  function loadCore() {
    if (loading) return loading;
    loading = coreFactory().then((factory) => {
      if (typeof WebAssembly !== 'object') throw new Error('This browser cannot run WebAssembly.');
      if (typeof factory !== 'function') throw new Error('The attention core (attn-core.js) did not load.');
      // a core the bridge cannot use (createCore throws) rejects too, never hangs
      return factory().then(installFastKernel).then(createCore);
    });
    return loading;
  }

  // installFastKernel(M) is loadCore's step; exported for the tests of the relaxed-SIMD path
  Object.assign(ns, { loadCore, installFastKernel, AttnError, CODES, MASKS, KERNELS, MAX_TOKENS });
  if (typeof module === 'object' && module.exports) module.exports = ns;
})(typeof window !== 'undefined' ? window : globalThis);
