/* fuzz_weights.c - libFuzzer target: the weight file loader on arbitrary bytes, the way the
   page loads a shipped file: attn_weights_read_header, then attn_weights_load into a buffer of
   attn_gpt_param_floats of the config it read. Each input runs twice: as given, and with its
   CRC-32 recomputed, so mutations reach the value checks behind the checksum.
   Invariants: every status is ok or a weight-file / config / size error with a message;
   read_header and load agree on whether the header is good; a failed load leaves the
   parameters untouched; a good load gives finite values, and a float32 file saved again from
   them is the same bytes. Seeds: tests/fuzz/corpus/fuzz_weights (tests/fuzz/gen_weights_corpus.c). */
#include "fuzz_input.h"

static int known_status(int rc) {
    switch (rc) {
    case ATTN_OK: case ATTN_ERR_FORMAT: case ATTN_ERR_VERSION: case ATTN_ERR_TRUNCATED:
    case ATTN_ERR_PAYLOAD: case ATTN_ERR_CHECKSUM: case ATTN_ERR_CONFIG: case ATTN_ERR_OVERFLOW:
    case ATTN_ERR_NONFINITE: return 1;
    default: return 0;
    }
}

static uint32_t crc32_bytes(uint32_t crc, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = crc & 1 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    return crc;
}

static void one_file(const uint8_t *buf, size_t len) {
    attn_gpt_config cfg;
    int format = -1;
    int hrc = attn_weights_read_header(&cfg, &format, buf, len);
    if (!known_status(hrc)) FUZZ_FAIL("read_header returned unknown status %d", hrc);
    const char *msg = attn_strerror(hrc);
    if (!msg || !msg[0]) FUZZ_FAIL("attn_strerror(%d) is empty", hrc);

    // a sentinel buffer: the real size when the header is good and the bytes could hold it
    // (every float takes at least one payload byte), else a few floats
    size_t floats = 8;
    if (hrc == ATTN_OK) {
        floats = attn_gpt_param_floats(&cfg);
        size_t file = attn_weights_size(&cfg, format);
        if (floats == 0 || file <= ATTN_WEIGHTS_HEADER_BYTES || floats > file - ATTN_WEIGHTS_HEADER_BYTES)
            FUZZ_FAIL("header ok but %zu params for a %zu-byte file", floats, file);
        if (floats > len) floats = 8;   // load must fail (truncated) before it needs them
    }
    float *params = malloc((floats + 1) * sizeof *params);
    if (!params) abort();
    for (size_t i = 0; i <= floats; i++) params[i] = -7.0f;
    int rc = attn_weights_load(params, floats, buf, len);
    if (!known_status(rc)) FUZZ_FAIL("load returned unknown status %d", rc);
    if (hrc != ATTN_OK && rc != hrc) FUZZ_FAIL("read_header said %d but load said %d", hrc, rc);
    if (params[floats] != -7.0f) FUZZ_FAIL("load wrote past param_floats");
    if (rc != ATTN_OK) {
        for (size_t i = 0; i < floats; i++)
            if (params[i] != -7.0f) FUZZ_FAIL("failed load (%d) wrote params[%zu]", rc, i);
        free(params);
        return;
    }
    fuzz_check_finite(params, floats, "loaded params");
    if (format == ATTN_WEIGHTS_F32) {
        uint8_t *again = malloc(len);
        size_t written = 0;
        if (!again) abort();
        int src = attn_weights_save(again, len, &written, &cfg, params, format);
        if (src != ATTN_OK || written != len || memcmp(again, buf, len) != 0)
            FUZZ_FAIL("float32 file does not save back to the same bytes (status %d, %zu of %zu)", src, written, len);
        free(again);
    }
    free(params);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 20) return 0;
    one_file(data, size);
    if (size >= ATTN_WEIGHTS_HEADER_BYTES) {
        // the same bytes with a valid checksum over header bytes 0..59 and the payload
        uint8_t *copy = malloc(size);
        if (!copy) abort();
        memcpy(copy, data, size);
        uint32_t crc = crc32_bytes(0xFFFFFFFFu, copy, 60);
        crc = ~crc32_bytes(crc, copy + ATTN_WEIGHTS_HEADER_BYTES, size - ATTN_WEIGHTS_HEADER_BYTES);
        for (int i = 0; i < 4; i++) copy[60 + i] = (uint8_t)(crc >> (8 * i));
        one_file(copy, size);
        free(copy);
    }
    return 0;
}
