/* attn_vocab.c - a word vocabulary: token text -> id, with classes for unknown words.

   The vocabulary is caller-owned text, one word per line; lookups scan it (4096 words of a
   few bytes each: a few microseconds per token, no index to build or allocate). */
#include <stddef.h>
#include <string.h>

#include "attn.h"

static const char *const UNKNOWN_NAMES[ATTN_UNK_CLASSES] = {
    "<unk>", "<unk-num>", "<unk-cap>", "<unk-hyph>", "<unk-ing>", "<unk-ed>", "<unk-ly>", "<unk-s>",
};

static int lower_ascii(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

// word[0..len) ends with suffix (lower-case), and is longer than it
static int ends_with(const char *word, int len, const char *suffix) {
    int n = (int)strlen(suffix);
    if (len <= n) return 0;
    for (int i = 0; i < n; i++)
        if (lower_ascii((unsigned char)word[len - n + i]) != suffix[i]) return 0;
    return 1;
}

// id of the line equal to word[0..len) (lower_word: compared lower-cased), or -1
static int find_line(const char *vocab, int vocab_len, const char *word, int len, int lower_word) {
    int id = 0;
    for (int at = 0; at < vocab_len; id++) {
        const char *nl = memchr(vocab + at, '\n', (size_t)(vocab_len - at));
        int end = nl ? (int)(nl - vocab) : vocab_len;
        if (end - at == len) {
            int i = 0;
            while (i < len && vocab[at + i] ==
                   (lower_word ? (char)lower_ascii((unsigned char)word[i]) : word[i])) i++;
            if (i == len) return id;
        }
        at = end + 1;
    }
    return -1;
}

int attn_vocab_count(const char *vocab, int vocab_len) {
    if (!vocab) return ATTN_ERR_NULL;
    if (vocab_len <= 0) return ATTN_ERR_SIZE;
    int count = 0;
    for (int at = 0; at < vocab_len; count++) {
        const char *nl = memchr(vocab + at, '\n', (size_t)(vocab_len - at));
        int end = nl ? (int)(nl - vocab) : vocab_len;
        if (end == at) return ATTN_ERR_VOCAB;           // an empty line: ids would shift
        at = end + 1;
    }
    return count;
}

int attn_vocab_unknown_class(const char *word, int len, const char **name) {
    if (!word) return ATTN_ERR_NULL;
    if (len <= 0) return ATTN_ERR_SIZE;
    int cls = ATTN_UNK, digit = 0, hyphen = 0;
    for (int i = 0; i < len; i++) {
        digit |= word[i] >= '0' && word[i] <= '9';
        hyphen |= word[i] == '-';
    }
    if (digit) cls = ATTN_UNK_NUM;
    else if (word[0] >= 'A' && word[0] <= 'Z') cls = ATTN_UNK_CAP;
    else if (hyphen) cls = ATTN_UNK_HYPH;
    else if (ends_with(word, len, "ing")) cls = ATTN_UNK_ING;
    else if (ends_with(word, len, "ed")) cls = ATTN_UNK_ED;
    else if (ends_with(word, len, "ly")) cls = ATTN_UNK_LY;
    else if (ends_with(word, len, "s")) cls = ATTN_UNK_S;
    if (name) *name = UNKNOWN_NAMES[cls];
    return cls;
}

int attn_vocab_ids(int *ids, unsigned char *unknown, const char *vocab, int vocab_len,
                   const char *text, const int *starts, const int *ends, int n) {
    if (!ids || !vocab || !text || !starts || !ends) return ATTN_ERR_NULL;
    if (vocab_len <= 0 || n <= 0) return ATTN_ERR_SIZE;
    int rc = attn_vocab_count(vocab, vocab_len);
    if (rc < 0) return rc;
    int class_id[ATTN_UNK_CLASSES];
    for (int c = 0; c < ATTN_UNK_CLASSES; c++)
        class_id[c] = find_line(vocab, vocab_len, UNKNOWN_NAMES[c], (int)strlen(UNKNOWN_NAMES[c]), 0);
    if (class_id[ATTN_UNK] < 0) return ATTN_ERR_VOCAB;
    for (int i = 0; i < n; i++)
        if (starts[i] < 0 || ends[i] <= starts[i]) return ATTN_ERR_INDEX;
    int unknown_count = 0;
    for (int i = 0; i < n; i++) {
        int len = ends[i] - starts[i];
        int id = find_line(vocab, vocab_len, text + starts[i], len, 1);
        if (unknown) unknown[i] = id < 0;
        if (id < 0) {
            int cls = attn_vocab_unknown_class(text + starts[i], len, NULL);
            id = class_id[cls] >= 0 ? class_id[cls] : class_id[ATTN_UNK];
            unknown_count++;
        }
        ids[i] = id;
    }
    return unknown_count;
}

int attn_vocab_word(int *start, int *len, const char *vocab, int vocab_len, int id) {
    if (!start || !len || !vocab) return ATTN_ERR_NULL;
    if (vocab_len <= 0) return ATTN_ERR_SIZE;
    if (id < 0) return ATTN_ERR_INDEX;
    int line = 0;
    for (int at = 0; at < vocab_len; line++) {
        const char *nl = memchr(vocab + at, '\n', (size_t)(vocab_len - at));
        int end = nl ? (int)(nl - vocab) : vocab_len;
        if (line == id) { *start = at; *len = end - at; return ATTN_OK; }
        at = end + 1;
    }
    return ATTN_ERR_INDEX;
}
