/* fuzz_vocab.c - libFuzzer target: the word vocabulary on arbitrary bytes. The input is a
   vocabulary and a text, split at the first 0xFF byte (no 0xFF: all vocabulary, text "a").
   Invariants: attn_vocab_count is the number of lines (a final newline ends the last line)
   or ATTN_ERR_VOCAB (an empty line);
   every id attn_vocab_ids gives is a line of the vocabulary; a known token's line is the
   token lower-cased (ASCII); an unknown token's line is the name of its class or <unk>;
   the unknown count equals the flags set. */
#include "fuzz_input.h"

static int lower_ascii(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    const uint8_t *split = memchr(data, 0xFF, size);
    size_t vlen = split ? (size_t)(split - data) : size;
    const char *text_src = split ? (const char *)split + 1 : "a";
    size_t tlen = split ? size - vlen - 1 : 1;
    if (vlen == 0 || tlen == 0) return 0;
    char *vocab = malloc(vlen), *text = malloc(tlen + 1);
    if (!vocab || !text) abort();
    memcpy(vocab, data, vlen);
    memcpy(text, text_src, tlen);
    text[tlen] = '\0';

    // lines, counted here independently: a final '\n' ends the last line, it starts none
    size_t body = vocab[vlen - 1] == '\n' ? vlen - 1 : vlen;
    int lines = 1, empty = 0;
    for (size_t i = 0, at = 0; i <= body; i++)
        if (i == body || vocab[i] == '\n') {
            empty |= i == at;
            lines += i < body;
            at = i + 1;
        }
    int count = attn_vocab_count(vocab, (int)vlen);
    if (empty ? count != ATTN_ERR_VOCAB : count != lines)
        FUZZ_FAIL("attn_vocab_count %d, %d lines, empty line %d", count, lines, empty);

    int starts[64], ends[64], ids[64];
    unsigned char unknown[64];
    int n = attn_tokenize(starts, ends, 64, text, (int)tlen, NULL);
    if (n > 0) {
        int unk = attn_vocab_ids(ids, unknown, vocab, (int)vlen, text, starts, ends, n);
        if (unk < 0 && unk != ATTN_ERR_VOCAB && unk != ATTN_ERR_INDEX)
            FUZZ_FAIL("attn_vocab_ids returned %d (%s)", unk, attn_strerror(unk));
        if (unk < 0 && !strcmp(attn_strerror(unk), "unknown error")) FUZZ_FAIL("no message for %d", unk);
        if (count < 0 && unk != count) FUZZ_FAIL("malformed vocabulary accepted (%d)", unk);
        if (unk >= 0) {
            int flagged = 0;
            for (int i = 0; i < n; i++) {
                int start, len;
                if (ids[i] < 0 || ids[i] >= count) FUZZ_FAIL("id %d outside 0..%d", ids[i], count - 1);
                if (attn_vocab_word(&start, &len, vocab, (int)vlen, ids[i]) != ATTN_OK)
                    FUZZ_FAIL("no word for id %d", ids[i]);
                int tl = ends[i] - starts[i];
                if (!unknown[i]) {
                    int same = len == tl;
                    for (int j = 0; same && j < tl; j++)
                        same = vocab[start + j] == (char)lower_ascii((unsigned char)text[starts[i] + j]);
                    if (!same) FUZZ_FAIL("token %d is known but its line differs", i);
                } else {
                    const char *name;
                    attn_vocab_unknown_class(text + starts[i], tl, &name);
                    int is_class = (size_t)len == strlen(name) && !memcmp(vocab + start, name, (size_t)len);
                    int is_unk = len == 5 && !memcmp(vocab + start, "<unk>", 5);
                    if (!is_class && !is_unk) FUZZ_FAIL("unknown token %d maps to a non-class line", i);
                    flagged++;
                }
            }
            if (flagged != unk) FUZZ_FAIL("%d flagged, %d reported", flagged, unk);
        }
    }
    free(vocab);
    free(text);
    return 0;
}
