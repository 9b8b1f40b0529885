/* attn-bridge.js - the one place that knows the WebAssembly heap.

   Loads the C core (attn-core.js, built by `make`) once, keeps its buffers across calls and
   grows them when a bigger input comes, and hands callers plain arrays: figures never see a
   pointer or HEAPF32. A C status code becomes an AttnError carrying the C message.

   Browser: <script src="attn-core.js"></script><script src="attn-bridge.js"></script>, then
   AttentionExplorer.loadCore().then(core => core.model("The trophy ...")).
   Node: const { loadCore } = require("./web/attn-bridge.js"). */
(function (root) {
  'use strict';
  const ns = (root.AttentionExplorer = root.AttentionExplorer || {});

  // Status codes and constants, as in core/attn.h.
  const CODES = { OK: 0, NULL: -1, SIZE: -2, OVERFLOW: -3, TEMPERATURE: -4, SCALE: -5, MASK: -6,
    NONFINITE: -7, SCRATCH: -8, EMPTY: -9, INDEX: -10 };
  const MASKS = { none: 0, causal: 1, window: 2, explicit: 3, 'block-sparse': 4 };
  const MAX_TOKENS = 256, MODEL_DIM = 32, MODEL_HEADS = 4, HEAD_DIM = 8;

  class AttnError extends Error {
    constructor(code, message) {
      super(message);
      this.name = 'AttnError';
      this.code = code;
    }
  }

  function createCore(M) {
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    const buffers = new Map();   // name -> { ptr, bytes }

    // A named WASM buffer of at least `bytes`, reused across calls, grown when too small.
    function buffer(name, bytes) {
      let b = buffers.get(name);
      if (!b || b.bytes < bytes) {
        if (b) { M._free(b.ptr); buffers.delete(name); }   // never keep a freed pointer
        const size = Math.max(64, bytes * 1.5 | 0);
        const ptr = M._malloc(size);
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
      if (rc < 0) throw new AttnError(rc, cString(M._attn_strerror(rc)));
      return rc;
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

    // struct attn_options { float scale, temperature; int mask, window; const uint8_t *allowed; int globals; }
    function writeOptions(opts, n) {
      opts = opts || {};
      const ptr = buffer('options', 24);
      const mask = MASKS[opts.mask || 'none'];
      if (mask === undefined) throw new AttnError(CODES.MASK, 'unknown mask "' + opts.mask + '"');
      let allowedPtr = 0;
      if (mask === MASKS.explicit && opts.allowed) {
        const flat = opts.allowed.flat ? opts.allowed.flat() : opts.allowed;
        allowedPtr = buffer('allowed', n * n);
        for (let i = 0; i < n * n; i++) M.HEAPU8[allowedPtr + i] = flat[i] ? 1 : 0;
      }
      M.HEAPF32[ptr >> 2] = opts.scale === undefined ? 0 : opts.scale;
      M.HEAPF32[(ptr >> 2) + 1] = opts.temperature === undefined ? 1 : opts.temperature;
      M.HEAP32[(ptr >> 2) + 2] = mask;
      M.HEAP32[(ptr >> 2) + 3] = opts.window | 0;
      M.HEAPU32[(ptr >> 2) + 4] = allowedPtr;
      M.HEAP32[(ptr >> 2) + 5] = opts.globals | 0;
      return ptr;
    }

    // struct attn_trace: 9 pointers then int blocked_rows. `parts` maps field -> float count.
    const TRACE_FIELDS = ['q', 'k', 'v', 'raw', 'scaled', 'masked', 'weights', 'head_out', 'concat'];
    function writeTrace(parts) {
      const ptr = buffer('trace', 40);
      const ptrs = {};
      TRACE_FIELDS.forEach((field, i) => {
        ptrs[field] = parts[field] ? buffer('trace.' + field, parts[field] * 4) : 0;
      });
      // buffer() may grow memory: write the struct only after every allocation
      TRACE_FIELDS.forEach((field, i) => { M.HEAPU32[(ptr >> 2) + i] = ptrs[field]; });
      M.HEAP32[(ptr >> 2) + 9] = 0;
      return { ptr, ptrs, blockedRows: () => M.HEAP32[(ptr >> 2) + 9] };
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
      const n = check(M._attn_tokenize(starts, ends, MAX_TOKENS, textPtr, bytes.length, total));
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

    const modelPtr = M._attn_model();
    const heads = [];
    for (let h = 0; h < MODEL_HEADS; h++) {
      const names = (part) => Array.from({ length: HEAD_DIM },
        (_, d) => cString(M._attn_head_dim_name(h, part.charCodeAt(0), d)));
      heads.push({ index: h, name: cString(M._attn_head_name(h)),
        description: cString(M._attn_head_description(h)),
        dimNames: { q: names('q'), k: names('k'), v: names('v') } });
    }
    const featureNames = Array.from({ length: MODEL_DIM }, (_, d) => cString(M._attn_feature_name(d)));

    // Runs the designed heads on `text`. options: { temperature, mask: 'none'|'causal'|'window',
    // window, parts: which per-head arrays to return (default all) }. Returns tokens, the
    // embedding rows and, per head, name, description and matrices as arrays of rows.
    function model(text, options) {
      options = options || {};
      const t = tokenizeInto(text);
      const n = t.n, nn = n * n, nd = n * HEAD_DIM;
      const xPtr = buffer('x', n * MODEL_DIM * 4);
      check(M._attn_embed(xPtr, t.textPtr, t.starts, t.ends, n));
      const want = options.parts || ['q', 'k', 'v', 'raw', 'scaled', 'masked', 'weights', 'head_out'];
      const sizes = { q: nd, k: nd, v: nd, raw: nn, scaled: nn, masked: nn, weights: nn, head_out: nd };
      const parts = {};
      want.forEach((p) => { parts[p] = sizes[p] * MODEL_HEADS; });
      const trace = writeTrace(parts);
      const optPtr = writeOptions(options, n);
      const scratchFloats = M._attn_layer_scratch_floats(n, modelPtr);
      const scratch = buffer('scratch', scratchFloats * 4);
      check(M._attn_layer(0, trace.ptr, xPtr, n, modelPtr, optPtr, scratch, scratchFloats));

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
      check(M._attn_head(outPtr, trace.ptr, qPtr, kPtr, vPtr, n, dK, dV, optPtr));
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
      check(M._attn_softmax_rows(outPtr, inPtr, rows, cols, temperature === undefined ? 1 : temperature, 0));
      check(M._attn_entropy_bits(hPtr, outPtr, rows, cols));
      const probs = readFloats(outPtr, rows * cols), entropy = readFloats(hPtr, rows);
      return matrix ? { probs: rowsOf(probs, rows, cols), entropy: Array.from(entropy) }
                    : { probs, entropy: entropy[0] };
    }

    // Each row's sum, added up by C (for "the weights sum to 1").
    function rowSums(matrix) {
      const rows = matrix.length, cols = rows ? matrix[0].length : 0;
      const inPtr = writeFloats('sums.in', flatten(matrix)), outPtr = buffer('sums.out', rows * 4);
      check(M._attn_row_sums(outPtr, inPtr, rows, cols));
      return Array.from(readFloats(outPtr, rows));
    }

    // n x n array of rows of booleans: may token i look at token j under this mask?
    function maskAllowed(n, options) {
      const ptr = buffer('mask', n * n);
      const optPtr = writeOptions(options, n);
      check(M._attn_mask_fill(ptr, n, optPtr));
      const flat = M.HEAPU8.slice(ptr, ptr + n * n);
      return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * n, (i + 1) * n), Boolean));
    }

    // A general multi-head layer, for tests and experiments. weights: { dModel, nHeads, dHead,
    // dOut, wq, wk, wv, wo (flat Float32Arrays; wo may be null) }; x: n rows of dModel.
    function layer(x, weights, options) {
      const n = x.length, w = weights;
      const ptrs = ['wq', 'wk', 'wv', 'wo'].map((f) => (w[f] ? writeFloats('layer.' + f, w[f]) : 0));
      const xPtr = writeFloats('layer.x', flatten(x));
      const wPtr = buffer('layer.weights', 32);
      [w.dModel, w.nHeads, w.dHead, w.dOut || 0].forEach((v, i) => { M.HEAP32[(wPtr >> 2) + i] = v; });
      ptrs.forEach((p, i) => { M.HEAPU32[(wPtr >> 2) + 4 + i] = p; });
      const width = w.wo ? w.dOut : w.nHeads * w.dHead;
      const nn = n * n, nd = n * w.dHead;
      const trace = writeTrace({ weights: nn * w.nHeads, q: nd * w.nHeads });
      // 0 floats for an invalid shape: attn_layer then says precisely what is wrong
      const scratchFloats = M._attn_layer_scratch_floats(n, wPtr);
      const scratch = buffer('scratch', Math.max(scratchFloats, 1) * 4);
      const outPtr = buffer('layer.out', n * width * 4);
      const optPtr = writeOptions(options, n);
      check(M._attn_layer(outPtr, trace.ptr, xPtr, n, wPtr, optPtr, scratch, scratchFloats));
      return { output: readFloats(outPtr, n * width), weights: readFloats(trace.ptrs.weights, nn * w.nHeads),
        q: readFloats(trace.ptrs.q, nd * w.nHeads), blockedRows: trace.blockedRows() };
    }

    // The text the core prints for each value (fixed point, `decimals` digits; -inf as "-inf").
    function format(values, decimals) {
      const flat = values instanceof Float32Array ? values : Float32Array.from(values);
      if (!flat.length) return [];
      const d = decimals === undefined ? 3 : decimals;
      const inPtr = writeFloats('format.in', flat);
      let cap = flat.length * 16 + 1;
      for (;;) {
        const bufPtr = buffer('format.out', cap);
        const len = M._attn_format_numbers(bufPtr, cap, inPtr, flat.length, d);
        if (len >= 0) return decoder.decode(M.HEAPU8.subarray(bufPtr, bufPtr + len)).split('\n').slice(0, -1);
        if (len !== CODES.SCRATCH) check(len);
        cap *= 4;
      }
    }

    // ------------------------------------------------------------------------------------
    // Long contexts (the quadratic-cost lab, fig-scaling): seeded random Q, K, V kept in WASM
    // memory and run by row ranges, so a long run can be spread over many short tasks.

    const FULL_MAX_N = 4096;   // full attention keeps n x n floats: 64 MB at 4096, 256 MB at 8192
    const LONG_KERNELS = ['full', 'streaming', 'window', 'linear'];
    let prepared = null;       // { n, d, seed, scale, transposed }

    // The scale C applies for width d (1/sqrt(d)), read back from a one-token attn_head.
    const scaleCache = new Map();
    function effectiveScale(d) {
      if (!scaleCache.has(d)) {
        const unit = new Float32Array(d);
        unit[0] = 1;
        const trace = writeTrace({ scaled: 1, weights: 1 });
        const qPtr = writeFloats('long.unit', unit);
        check(M._attn_head(0, trace.ptr, qPtr, qPtr, 0, 1, d, d, writeOptions({}, 1)));
        scaleCache.set(d, M.HEAPF32[trace.ptrs.scaled >> 2]);
      }
      return scaleCache.get(d);
    }

    // count seeded random numbers in [-1, 1), from C's xorshift32.
    function fillRandom(count, seed) {
      const ptr = buffer('long.random', count * 4);
      check(M._attn_fill_random(ptr, count, seed >>> 0));
      return readFloats(ptr, count);
    }

    // Where each value falls on a log10 axis from lo (0) to hi (1), computed by C.
    function logPositions(values, lo, hi) {
      const inPtr = writeFloats('long.logIn', Float32Array.from(values));
      const outPtr = buffer('long.logOut', values.length * 4);
      check(M._attn_log_positions(outPtr, inPtr, values.length, lo, hi));
      return readFloats(outPtr, values.length);
    }

    // Bytes a kernel's buffers take for n tokens of width d (what the page plots as memory):
    // Q, K, V and the output always; full adds Kᵀ and the n x n weights, linear its d x d state.
    function kernelBytes(kernel, n, d) {
      const nd = n * d * 4;
      if (kernel === 'full') return 5 * nd + n * n * 4;
      if (kernel === 'linear') return 4 * nd + M._attn_linear_scratch_floats(d, d) * 4;
      return 4 * nd;
    }

    function preparedPtr(name, floats) { return buffer('long.' + name, floats * 4); }

    // Fills Q, K, V (n x d each; seeds seed, seed+1, seed+2) in WASM memory, reusing the
    // buffers. Returns { n, d, seed }.
    function prepareRandom(n, d, seed) {
      n = Number(n); d = Number(d); seed = seed === undefined ? 1 : seed >>> 0;
      if (!Number.isInteger(n) || !Number.isInteger(d) || n <= 0 || d <= 0) {
        throw new AttnError(CODES.SIZE, 'n and d must be whole numbers above 0');
      }
      const nd = n * d;
      const ptrs = {};
      ['q', 'k', 'v', 'out'].forEach((name) => { ptrs[name] = preparedPtr(name, nd); });
      ['q', 'k', 'v'].forEach((name, i) => check(M._attn_fill_random(ptrs[name], nd, (seed + i) >>> 0)));
      M.HEAPF32.fill(0, ptrs.out >> 2, (ptrs.out >> 2) + nd);
      prepared = { n, d, seed, scale: effectiveScale(d), transposed: false };
      // full's buffers now, so that growing the heap is not timed as part of a run
      if (n <= FULL_MAX_N) {
        try {
          fullBuffers();
        } catch (err) {   // out of memory: only full needs these; runPrepared('full') will say so
          if (err.code !== CODES.OVERFLOW) throw err;
        }
      }
      return { n, d, seed };
    }

    // Full attention's n x n weights and Kᵀ (d x n: attn_matmul's layout; copying is layout only).
    function fullBuffers() {
      const { n, d } = prepared;
      const weights = preparedPtr('weights', n * n), kt = preparedPtr('kt', n * d);
      if (!prepared.transposed) {
        const heap = M.HEAPF32, k0 = preparedPtr('k', n * d) >> 2, t0 = kt >> 2;
        for (let j = 0; j < n; j++) for (let c = 0; c < d; c++) heap[t0 + c * n + j] = heap[k0 + j * d + c];
        prepared.transposed = true;
      }
      return { weights, kt };
    }

    // Runs rows [rowBegin, rowEnd) of one kernel on the prepared Q, K, V:
    //   'full'      materialised: the rows of Q·Kᵀ, scaled, softmax, times V (attn_head's steps
    //               on a block of rows), keeping the whole n x n weight matrix; n <= 4096
    //   'streaming' attn_head_streaming, opts.mask 'none' (default) or 'causal'
    //   'window'    attn_head_streaming with the causal sliding window opts.window (default 256)
    //   'linear'    attn_linear (opts.causal), all rows at once: rowBegin 0, rowEnd n
    // Returns { rows, blockedRows }. The output stays in WASM memory (preparedOutput()).
    function runPrepared(kernel, rowBegin, rowEnd, opts) {
      opts = opts || {};
      if (!prepared) throw new AttnError(CODES.NULL, 'call prepareRandom(n, d, seed) first');
      if (!LONG_KERNELS.includes(kernel)) throw new AttnError(CODES.MASK, 'unknown kernel "' + kernel + '"');
      const { n, d } = prepared;
      if (!Number.isInteger(rowBegin) || !Number.isInteger(rowEnd) || rowBegin < 0 || rowEnd > n || rowBegin >= rowEnd) {
        throw new AttnError(CODES.INDEX, `rows ${rowBegin} to ${rowEnd} are not a range inside 0..${n}`);
      }
      const blocked = buffer('long.blocked', 4);
      M.HEAP32[blocked >> 2] = 0;
      const rows = rowEnd - rowBegin;
      if (kernel === 'full') {
        if (n > FULL_MAX_N) {
          throw new AttnError(CODES.OVERFLOW, `full attention keeps an ${n} x ${n} matrix; this page runs it up to n = ${FULL_MAX_N}`);
        }
        const { weights, kt } = fullBuffers();
        const q = preparedPtr('q', n * d), v = preparedPtr('v', n * d), out = preparedPtr('out', n * d);
        const block = weights + rowBegin * n * 4;
        check(M._attn_matmul(block, q + rowBegin * d * 4, kt, rows, d, n));
        check(M._attn_scale(block, block, rows * n, opts.scale || prepared.scale));
        check(M._attn_softmax_rows(block, block, rows, n, 1, blocked));
        check(M._attn_matmul(out + rowBegin * d * 4, block, v, rows, n, d));
      } else if (kernel === 'linear') {
        if (rowBegin !== 0 || rowEnd !== n) {
          throw new AttnError(CODES.INDEX, 'linear attention runs all rows at once (rows 0 to n)');
        }
        const floats = M._attn_linear_scratch_floats(d, d);
        const scratch = preparedPtr('scratch', Math.max(floats, 1));
        check(M._attn_linear(preparedPtr('out', n * d), 0, preparedPtr('q', n * d), preparedPtr('k', n * d),
          preparedPtr('v', n * d), n, d, d, opts.causal ? 1 : 0, scratch, floats));
      } else {
        const mask = kernel === 'window' ? 'window' : (opts.mask || 'none');
        if (mask !== 'none' && mask !== 'causal' && mask !== 'window') {
          throw new AttnError(CODES.MASK, 'streaming runs with mask "none" or "causal"');
        }
        const window = kernel === 'window' ? (opts.window === undefined ? 256 : opts.window) : 0;
        const optPtr = writeOptions({ mask, window, scale: opts.scale }, n);
        check(M._attn_head_streaming(preparedPtr('out', n * d), preparedPtr('q', n * d), preparedPtr('k', n * d),
          preparedPtr('v', n * d), n, d, d, optPtr, rowBegin, rowEnd, blocked));
      }
      return { rows, blockedRows: M.HEAP32[blocked >> 2] };
    }

    // Copies of the prepared inputs and the last output (n x d each, flat), for tests.
    function preparedInputs() {
      if (!prepared) throw new AttnError(CODES.NULL, 'call prepareRandom(n, d, seed) first');
      const nd = prepared.n * prepared.d;
      return { n: prepared.n, d: prepared.d, q: readFloats(preparedPtr('q', nd), nd),
        k: readFloats(preparedPtr('k', nd), nd), v: readFloats(preparedPtr('v', nd), nd) };
    }
    function preparedOutput() {
      if (!prepared) throw new AttnError(CODES.NULL, 'call prepareRandom(n, d, seed) first');
      const nd = prepared.n * prepared.d;
      return readFloats(preparedPtr('out', nd), nd);
    }

    // Linear attention on given q, k, v (n rows of d_k, d_k, d_v): output rows and, for small
    // n, the n x n weights it implies (rows sum to 1). options: { causal }.
    function linear(q, k, v, options) {
      options = options || {};
      const n = q.length, dK = n ? q[0].length : 0, dV = v && v.length ? v[0].length : 0;
      if (!n || k.length !== n || v.length !== n) throw new AttnError(CODES.SIZE, 'q, k and v need the same number of rows');
      const qPtr = writeFloats('linear.q', flatten(q)), kPtr = writeFloats('linear.k', flatten(k));
      const vPtr = writeFloats('linear.v', flatten(v));
      const floats = M._attn_linear_scratch_floats(dK, dV);
      const scratch = buffer('linear.scratch', Math.max(floats, 1) * 4);
      const outPtr = buffer('linear.out', n * dV * 4);
      const wPtr = options.weights === false ? 0 : buffer('linear.weights', n * n * 4);
      check(M._attn_linear(outPtr, wPtr, qPtr, kPtr, vPtr, n, dK, dV, options.causal ? 1 : 0, scratch, floats));
      return { output: rowsOf(readFloats(outPtr, n * dV), n, dV),
        weights: wPtr ? rowsOf(readFloats(wPtr, n * n), n, n) : null };
    }

    const longContext = { fillRandom, logPositions, kernelBytes, prepareRandom, runPrepared,
      preparedInputs, preparedOutput, linear, fullMaxN: FULL_MAX_N };

    return {
      tokenize, model, head, softmax, rowSums, maskAllowed, layer, format,
      heads, featureNames, maxTokens: MAX_TOKENS, headDim: HEAD_DIM,
      strerror: (code) => cString(M._attn_strerror(code)),
      heapBytes: () => M.HEAPU8.length,   // for tests: buffers are reused, the heap stays put
      wasm: M,   // the raw module, for web/attn-model-bridge.js (model handles, training jobs)
      ...longContext,
    };
  }

  let loading = null;

  // Loads the core once per page (or Node process) and resolves to the bridge above.
  // Rejects with a plain Error when WebAssembly is missing or the module fails to load.
  function loadCore() {
    if (loading) return loading;
    loading = new Promise((resolve, reject) => {
      let factory = root.AttnCore;
      if (!factory && typeof require === 'function') factory = require('./attn-core.js');
      if (typeof WebAssembly !== 'object') throw new Error('This browser cannot run WebAssembly.');
      if (typeof factory !== 'function') throw new Error('The attention core (attn-core.js) did not load.');
      factory().then((M) => resolve(createCore(M)), reject);
    });
    return loading;
  }

  Object.assign(ns, { loadCore, AttnError, CODES, MASKS, MAX_TOKENS });
  if (typeof module === 'object' && module.exports) module.exports = ns;
})(typeof window !== 'undefined' ? window : globalThis);
