/* brown_sentences.c - held-out sentences for Figure 6.2 (the ablation grid), as text, one a line.

     build/brown_sentences build/brown models/brown-vocab.txt COUNT > models/brown-heldout-sentences.txt

   Reads what `make brown-data` wrote (tools/brown_data.c): heldout.txt (each held-out token as
   written) and heldout.bin (its ids), i.e. only the held-out samples of the Brown split (sample
   i % 10 == 9 in cats.txt order), never the training text. A sentence is the run of tokens
   between two <s> boundaries. Eligible: MIN_TOKENS..MAX_TOKENS tokens (so <s> plus the
   sentence fits the model's context of 64). COUNT sentences are taken evenly spread over the
   eligible ones (the k-th is eligible sentence floor((k + 1/2) E / COUNT)), nothing else is
   chosen: no filter on unknown words or on what the model predicts.

   Each sentence is written as readable text (no space before , . ; : ? ! ) or a closing
   quote) and checked: the core's tokenizer (attn_tokenize) and vocabulary (attn_vocab_ids) on
   that text must give exactly the held-out tokens and ids, so the page sees the same input the
   split holds. When the readable spacing would tokenize differently the tokens are joined with
   single spaces instead (also checked). Prints a summary on stderr, including how many of the
   chosen sentences also occur word for word (as ids, between two <s>) in train.bin. */
#define _POSIX_C_SOURCE 200809L   // clock_gettime in brown_common.h
#include "attn.h"
#include "brown_common.h"

#define MIN_TOKENS 8
#define MAX_TOKENS 40
#define MAX_LINE   4096

static int closes(const char *t) {
    return strcmp(t, ",") == 0 || strcmp(t, ".") == 0 || strcmp(t, ";") == 0 || strcmp(t, ":") == 0 ||
           strcmp(t, "?") == 0 || strcmp(t, "!") == 0 || strcmp(t, ")") == 0 || strcmp(t, "]") == 0;
}

// text of tokens[0..n) with readable spacing (readable = 1) or single spaces
static void join(char *out, size_t cap, char **tokens, int n, int readable) {
    size_t at = 0;
    int quote_open = 0, no_space = 1;
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        const char *t = tokens[i];
        int is_quote = strcmp(t, "\"") == 0;
        int space = !no_space;
        if (readable) {
            if (closes(t) || (is_quote && quote_open)) space = 0;
        }
        at += (size_t)snprintf(out + at, cap - at, "%s%s", space && at ? " " : "", t);
        if (at >= cap) { out[cap - 1] = 0; return; }
        no_space = readable && ((is_quote && !quote_open) || strcmp(t, "(") == 0 || strcmp(t, "[") == 0);
        if (is_quote) quote_open = !quote_open;
    }
}

// does text tokenize to exactly tokens[0..n) with ids[0..n)?
static int matches(const char *text, char **tokens, const int *ids, int n, const char *vocab, int vocab_len) {
    int starts[MAX_TOKENS + 8], ends[MAX_TOKENS + 8], got[MAX_TOKENS + 8], total = 0;
    int len = (int)strlen(text);
    int m = attn_tokenize(starts, ends, MAX_TOKENS + 8, text, len, &total);
    if (m != n || total != n) return 0;
    for (int i = 0; i < n; i++)
        if ((int)strlen(tokens[i]) != ends[i] - starts[i] || memcmp(text + starts[i], tokens[i], strlen(tokens[i])))
            return 0;
    if (attn_vocab_ids(got, NULL, vocab, vocab_len, text, starts, ends, n) < 0) return 0;
    for (int i = 0; i < n; i++)
        if (got[i] != ids[i]) return 0;
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: brown_sentences HELDOUT_DIR VOCAB COUNT > sentences.txt\n");
        return 2;
    }
    char path[4096];
    int count = atoi(argv[3]);
    if (count < 1) { fprintf(stderr, "brown_sentences: COUNT must be >= 1\n"); return 2; }
    snprintf(path, sizeof path, "%s/heldout.bin", argv[1]);
    long n_ids;
    int *ids = brown_read_ids(path, &n_ids);
    if (!ids) return 1;
    snprintf(path, sizeof path, "%s/heldout.txt", argv[1]);
    size_t text_len, vocab_len;
    char *text = (char *)brown_read_file(path, &text_len);
    char *vocab = (char *)brown_read_file(argv[2], &vocab_len);
    if (!text || !vocab) { fprintf(stderr, "brown_sentences: cannot read %s or %s (make brown-data)\n", path, argv[2]); return 1; }
    if (vocab_len && vocab[vocab_len - 1] == '\n') vocab_len--;

    // token texts, one a line, in step with the ids
    char **tokens = malloc(sizeof(char *) * (size_t)(n_ids + 1));
    long n_tokens = 0;
    for (char *p = text, *nl; n_tokens <= n_ids && (nl = strchr(p, '\n')); p = nl + 1) {
        *nl = 0;
        tokens[n_tokens++] = p;
    }
    if (n_tokens != n_ids) { fprintf(stderr, "brown_sentences: %ld token texts but %ld ids\n", n_tokens, n_ids); return 1; }

    // sentences: [start, end) between boundaries (id 0)
    long *starts = malloc(sizeof(long) * (size_t)n_ids), eligible = 0, sentences = 0;
    for (long i = 0; i < n_ids; i++) {
        if (ids[i] != 0) continue;
        long end = i + 1;
        while (end < n_ids && ids[end] != 0) end++;
        long len = end - (i + 1);
        sentences++;
        if (len >= MIN_TOKENS && len <= MAX_TOKENS) starts[eligible++] = i + 1;
    }
    if (eligible < count) { fprintf(stderr, "brown_sentences: only %ld eligible sentences\n", eligible); return 1; }

    // the training stream, to report any chosen sentence that also occurs there word for word
    snprintf(path, sizeof path, "%s/train.bin", argv[1]);
    long n_train;
    int *train = brown_read_ids(path, &n_train);
    if (!train) return 1;

    static char line[MAX_LINE];
    int readable = 0, plain = 0, total_tokens = 0, in_train = 0;
    for (int k = 0; k < count; k++) {
        long s = starts[(long)(((double)k + 0.5) * (double)eligible / count)];
        int len = 0;
        while (s + len < n_ids && ids[s + len] != 0) len++;
        join(line, sizeof line, tokens + s, len, 1);
        if (matches(line, tokens + s, ids + s, len, vocab, (int)vocab_len)) readable++;
        else {
            join(line, sizeof line, tokens + s, len, 0);
            if (!matches(line, tokens + s, ids + s, len, vocab, (int)vocab_len)) {
                fprintf(stderr, "brown_sentences: sentence at token %ld does not tokenize back to itself\n", s);
                return 1;
            }
            plain++;
        }
        total_tokens += len;
        // <s> + the sentence + <s> as a run of training ids: the same sentence was trained on
        for (long t = 0; t + len + 1 < n_train; t++) {
            if (train[t] != 0 || train[t + len + 1] != 0) continue;
            if (memcmp(train + t + 1, ids + s, sizeof(int) * (size_t)len) == 0) {
                fprintf(stderr, "brown_sentences: also in the training text: %s\n", line);
                in_train++;
                break;
            }
        }
        printf("%s\n", line);
    }
    fprintf(stderr, "brown_sentences: %d of %ld eligible held-out sentences (%d..%d tokens; %ld sentences in all), "
                    "%d tokens; %d with readable spacing, %d joined by spaces; each checked to tokenize to its held-out ids; "
                    "%d also occur word for word in the training text\n",
            count, eligible, MIN_TOKENS, MAX_TOKENS, sentences, total_tokens, readable, plain, in_train);
    return 0;
}
