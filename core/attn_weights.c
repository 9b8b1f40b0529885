/* attn_weights.c - the weight file: a fixed little-endian header, then every parameter tensor
   of an attn_gpt_config in attn_gpt_tensor_info() order, stored as float32 or as int8 with one
   float32 scale per row. The loader checks every byte count before it reads, and writes the
   caller's parameters only once the whole file has been validated.

   Header (ATTN_WEIGHTS_HEADER_BYTES = 64, every field little-endian):
     0  char[4] magic "AEWT"
     4  u32     version (ATTN_WEIGHTS_VERSION)
     8  u32     header bytes (64)
    12  i32 x 8 vocab, context, d_model, n_heads, n_layers, d_mlp, attention_only, layernorm
    44  u32     storage format (ATTN_WEIGHTS_F32 or ATTN_WEIGHTS_INT8)
    48  u32     tensor count
    52  u64     payload bytes (what follows the header)
    60  u32     CRC-32 (IEEE, as zlib's crc32) of header bytes 0..59 followed by the payload
   Payload, per tensor (rows, cols): float32 -> rows*cols float32; int8 -> rows float32 scales,
   then rows*cols int8, value = q * scale. Tensors with one row or one column (LayerNorm gains,
   biases) stay float32 in both formats. */
#include "attn.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAGIC "AEWT"
#define OFF_VERSION 4
#define OFF_HEADER  8
#define OFF_CONFIG  12
#define OFF_FORMAT  44
#define OFF_TENSORS 48
#define OFF_PAYLOAD 52
#define OFF_CRC     60

// Largest payload we describe: its bytes and the floats it decodes to fit a 32-bit size_t.
#define MAX_PAYLOAD ((uint64_t)1 << 30)

// ---------------------------------------------------------------------------------------
// Little-endian bytes and CRC-32

static void put_u32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_f32(unsigned char *p, float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    put_u32(p, bits);
}

static float get_f32(const unsigned char *p) {
    uint32_t bits = get_u32(p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

// reflected CRC-32, polynomial 0xEDB88320, four bits per step (a 16-entry table)
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n) {
    static const uint32_t nibble[16] = {
        0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
        0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
        0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu };
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nibble[crc & 15];
        crc = (crc >> 4) ^ nibble[crc & 15];
    }
    return crc;
}

static uint32_t file_crc(const unsigned char *buf, size_t payload) {
    uint32_t crc = crc32_update(0xFFFFFFFFu, buf, OFF_CRC);
    return ~crc32_update(crc, buf + ATTN_WEIGHTS_HEADER_BYTES, payload);
}

// ---------------------------------------------------------------------------------------
// Shapes: which tensors are quantised, and how many bytes the payload takes

static int quantised(int format, int rows, int cols) {
    return format == ATTN_WEIGHTS_INT8 && rows > 1 && cols > 1;
}

// *bytes = payload bytes, *floats = parameter floats the tensors cover, *count = tensors.
static int payload_shape(uint64_t *bytes, size_t *floats, int *count, const attn_gpt_config *cfg,
                         int format) {
    if (format != ATTN_WEIGHTS_F32 && format != ATTN_WEIGHTS_INT8) return ATTN_ERR_FORMAT;
    int rc = attn_gpt_check_config(cfg);
    if (rc) return rc;
    int n = attn_gpt_tensor_count(cfg);
    if (n <= 0) return n < 0 ? n : ATTN_ERR_SIZE;
    size_t param_floats = attn_gpt_param_floats(cfg);
    if (param_floats == 0) return ATTN_ERR_OVERFLOW;
    uint64_t total = 0, covered = 0;
    for (int i = 0; i < n; i++) {
        const char *name;
        size_t offset;
        int rows, cols;
        if ((rc = attn_gpt_tensor_info(cfg, i, &name, &offset, &rows, &cols))) return rc;
        if (rows <= 0 || cols <= 0) return ATTN_ERR_SIZE;
        uint64_t elems = (uint64_t)rows * (uint64_t)cols;
        // tensors tile the parameter block in order, with no gap or overlap
        if ((uint64_t)offset != covered || covered + elems > param_floats) return ATTN_ERR_OVERFLOW;
        covered += elems;
        total += quantised(format, rows, cols) ? 4u * (uint64_t)rows + elems : 4u * elems;
        if (total > MAX_PAYLOAD) return ATTN_ERR_OVERFLOW;
    }
    if (covered != param_floats) return ATTN_ERR_OVERFLOW;
    *bytes = total;
    *floats = param_floats;
    *count = n;
    return ATTN_OK;
}

size_t attn_weights_size(const attn_gpt_config *cfg, int format) {
    uint64_t bytes;
    size_t floats;
    int count;
    if (!cfg || payload_shape(&bytes, &floats, &count, cfg, format)) return 0;
    return (size_t)(ATTN_WEIGHTS_HEADER_BYTES + bytes);
}

// ---------------------------------------------------------------------------------------
// Writing

// one row of cols floats as a scale and int8 values; rows whose largest value is 0 (or so
// small that absmax/127 underflows) are all zeros with scale 0
static void quantise_row(unsigned char *scale_out, unsigned char *q_out, const float *x, int cols) {
    float absmax = 0.0f;
    for (int j = 0; j < cols; j++) absmax = fmaxf(absmax, fabsf(x[j]));
    float scale = absmax / 127.0f;
    put_f32(scale_out, scale);
    for (int j = 0; j < cols; j++) {
        float q = scale > 0.0f ? roundf(x[j] / scale) : 0.0f;
        q = fminf(127.0f, fmaxf(-127.0f, q));
        q_out[j] = (unsigned char)(int8_t)q;
    }
}

int attn_weights_save(unsigned char *buf, size_t cap, size_t *written, const attn_gpt_config *cfg,
                      const float *params, int format) {
    if (!buf || !written || !cfg || !params) return ATTN_ERR_NULL;
    *written = 0;
    uint64_t payload;
    size_t floats;
    int count, rc;
    if ((rc = payload_shape(&payload, &floats, &count, cfg, format))) return rc;
    if (cap < ATTN_WEIGHTS_HEADER_BYTES || cap - ATTN_WEIGHTS_HEADER_BYTES < payload)
        return ATTN_ERR_SCRATCH;
    for (size_t i = 0; i < floats; i++)
        if (!isfinite(params[i])) return ATTN_ERR_NONFINITE;

    memcpy(buf, MAGIC, 4);
    put_u32(buf + OFF_VERSION, ATTN_WEIGHTS_VERSION);
    put_u32(buf + OFF_HEADER, ATTN_WEIGHTS_HEADER_BYTES);
    const int fields[8] = { cfg->vocab, cfg->context, cfg->d_model, cfg->n_heads, cfg->n_layers,
                            cfg->d_mlp, cfg->attention_only, cfg->layernorm };
    for (int i = 0; i < 8; i++) put_u32(buf + OFF_CONFIG + 4 * i, (uint32_t)fields[i]);
    put_u32(buf + OFF_FORMAT, (uint32_t)format);
    put_u32(buf + OFF_TENSORS, (uint32_t)count);
    put_u32(buf + OFF_PAYLOAD, (uint32_t)payload);
    put_u32(buf + OFF_PAYLOAD + 4, (uint32_t)(payload >> 32));

    unsigned char *p = buf + ATTN_WEIGHTS_HEADER_BYTES;
    for (int t = 0; t < count; t++) {
        const char *name;
        size_t offset;
        int rows, cols;
        attn_gpt_tensor_info(cfg, t, &name, &offset, &rows, &cols);   // checked by payload_shape
        const float *x = params + offset;
        size_t elems = (size_t)rows * (size_t)cols;
        if (quantised(format, rows, cols)) {
            for (int r = 0; r < rows; r++)
                quantise_row(p + 4 * (size_t)r, p + 4 * (size_t)rows + (size_t)r * cols,
                             x + (size_t)r * cols, cols);
            p += 4 * (size_t)rows + elems;
        } else {
            for (size_t i = 0; i < elems; i++) put_f32(p + 4 * i, x[i]);
            p += 4 * elems;
        }
    }
    put_u32(buf + OFF_CRC, file_crc(buf, (size_t)payload));
    *written = ATTN_WEIGHTS_HEADER_BYTES + (size_t)payload;
    return ATTN_OK;
}

// ---------------------------------------------------------------------------------------
// Reading

// Checks the header (not the payload) and fills the config, format, payload size and tensor
// count it describes.
static int parse_header(attn_gpt_config *cfg, int *format, uint64_t *payload, size_t *floats,
                        int *count, const unsigned char *buf, size_t len) {
    if (len < ATTN_WEIGHTS_HEADER_BYTES) return ATTN_ERR_TRUNCATED;
    if (memcmp(buf, MAGIC, 4) != 0) return ATTN_ERR_FORMAT;
    if (get_u32(buf + OFF_VERSION) != ATTN_WEIGHTS_VERSION) return ATTN_ERR_VERSION;
    if (get_u32(buf + OFF_HEADER) != ATTN_WEIGHTS_HEADER_BYTES) return ATTN_ERR_FORMAT;
    uint32_t fmt = get_u32(buf + OFF_FORMAT);
    if (fmt != ATTN_WEIGHTS_F32 && fmt != ATTN_WEIGHTS_INT8) return ATTN_ERR_FORMAT;
    int32_t f[8];
    for (int i = 0; i < 8; i++) {
        uint32_t u = get_u32(buf + OFF_CONFIG + 4 * i);
        memcpy(&f[i], &u, sizeof u);   // two's complement bits back to int32
    }
    attn_gpt_config c = { f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7] };
    uint64_t want;
    int rc = payload_shape(&want, floats, count, &c, (int)fmt);
    if (rc) return rc;
    uint64_t have = (uint64_t)get_u32(buf + OFF_PAYLOAD) | (uint64_t)get_u32(buf + OFF_PAYLOAD + 4) << 32;
    if (get_u32(buf + OFF_TENSORS) != (uint32_t)*count || have != want) return ATTN_ERR_PAYLOAD;
    *cfg = c;
    *format = (int)fmt;
    *payload = want;
    return ATTN_OK;
}

int attn_weights_read_header(attn_gpt_config *cfg, int *format, const unsigned char *buf, size_t len) {
    if (!cfg || !format || !buf) return ATTN_ERR_NULL;
    attn_gpt_config c;
    uint64_t payload;
    size_t floats;
    int fmt, count;
    int rc = parse_header(&c, &fmt, &payload, &floats, &count, buf, len);
    if (rc) return rc;
    *cfg = c;
    *format = fmt;
    return ATTN_OK;
}

int attn_weights_load(float *params, size_t param_floats, const unsigned char *buf, size_t len) {
    if (!params || !buf) return ATTN_ERR_NULL;
    attn_gpt_config cfg;
    uint64_t payload;
    size_t floats;
    int format, count;
    int rc = parse_header(&cfg, &format, &payload, &floats, &count, buf, len);
    if (rc) return rc;
    if (len - ATTN_WEIGHTS_HEADER_BYTES < payload) return ATTN_ERR_TRUNCATED;
    if (len - ATTN_WEIGHTS_HEADER_BYTES > payload) return ATTN_ERR_PAYLOAD;
    if (file_crc(buf, (size_t)payload) != get_u32(buf + OFF_CRC)) return ATTN_ERR_CHECKSUM;
    if (param_floats < floats) return ATTN_ERR_SCRATCH;

    // two passes: every stored number is checked before the first parameter is written
    for (int pass = 0; pass < 2; pass++) {
        const unsigned char *p = buf + ATTN_WEIGHTS_HEADER_BYTES;
        for (int t = 0; t < count; t++) {
            const char *name;
            size_t offset;
            int rows, cols;
            attn_gpt_tensor_info(&cfg, t, &name, &offset, &rows, &cols);
            float *x = params + offset;
            size_t elems = (size_t)rows * (size_t)cols;
            if (quantised(format, rows, cols)) {
                const unsigned char *q = p + 4 * (size_t)rows;
                for (int r = 0; r < rows; r++) {
                    float scale = get_f32(p + 4 * (size_t)r);
                    // a scale must be >= 0 and keep 128 * scale finite
                    if (pass == 0 && !(scale >= 0.0f && isfinite(scale * 128.0f))) return ATTN_ERR_NONFINITE;
                    if (pass == 1)
                        for (int j = 0; j < cols; j++) {
                            int v = q[(size_t)r * cols + j];
                            x[(size_t)r * cols + j] = (float)(v >= 128 ? v - 256 : v) * scale;
                        }
                }
                p += 4 * (size_t)rows + elems;
            } else {
                for (size_t i = 0; i < elems; i++) {
                    float v = get_f32(p + 4 * i);
                    if (pass == 0 && !isfinite(v)) return ATTN_ERR_NONFINITE;
                    if (pass == 1) x[i] = v;
                }
                p += 4 * elems;
            }
        }
    }
    return ATTN_OK;
}
