/* Records that contain the quote character.
 *
 * Spark mode (escape != quote, the default escape '\'): a re-statement of what univocity 2.9.1's
 * CsvParser does with Spark's settings (STOP_AT_DELIMITER for unescaped quotes):
 *   - a field is quoted only when its first byte is the quote;
 *   - inside it, escape+quote gives a quote, escape+escape an escape, escape+other keeps both;
 *   - a run of k quotes followed by (optional whitespace and) the delimiter or the end of the
 *     record closes the field and contributes k-1 literal quotes;
 *   - a run of quotes followed by anything else is an "unescaped quote": the value becomes the
 *     opening quote + what was read so far + the raw text from the run up to the next delimiter.
 *     This is why `"a ""b"" c"` (RFC doubled quotes) reads as the raw text `"a ""b"" c"`;
 *   - without multi_line the record is one line; with it, newlines inside quotes are content;
 *   - an unterminated quoted field ends at the end of the record.
 * RFC mode (escape == quote): libcsv, with whitespace kept (no space function) and record ends
 * decided here, line by line, from libcsv's state (inside an open quoted field or not). One
 * difference from univocity remains: after a closing quote, text other than the delimiter
 * (even whitespace) continues the quoted field in libcsv (`"a" ,b` is one field `a" ,b`),
 * where univocity drops the whitespace or keeps the raw text up to the delimiter. */
#include <stdlib.h>
#include "io/csv/csv_internal.h"

static bool scratch_putc(csv_tok *t, char c) { return csv_scratch_append(t, &c, 1); }

static bool is_ws(unsigned char c) { return c > 0 && c <= ' '; }

/* A quoted field starting at q (the opening quote). Returns where it ends (the delimiter, the
 * '\n' or end), or NULL on failure. */
static const char *spark_quoted(csv_tok *t, const char *q, const char *end)
{
    const int delim = t->cfg->delim, quote = t->cfg->quote, esc = t->cfg->escape;
    size_t off = t->slen;
    q++;
    for (;;) {
        const char *s = q;
        while (q < end && (unsigned char)*q != quote && (int)(unsigned char)*q != esc)
            q++;
        if (!csv_scratch_append(t, s, (size_t)(q - s)))
            return NULL;
        if (q >= end) {
            /* Unterminated: the text read so far (an empty remainder reads as an empty field). */
            size_t len = t->slen - off;
            return csv_tok_push_scratch(t, off, len, len > 0) ? q : NULL;
        }
        if ((int)(unsigned char)*q == esc) {
            if (q + 1 < end && ((unsigned char)q[1] == quote || (unsigned char)q[1] == esc)) {
                if (!scratch_putc(t, q[1]))
                    return NULL;
                q += 2;
            } else {
                if (!scratch_putc(t, *q))
                    return NULL;
                q++;
            }
            continue;
        }
        const char *r = q;
        while (r < end && (unsigned char)*r == quote)
            r++;
        const char *w = r;
        while (w < end && is_ws((unsigned char)*w) && (unsigned char)*w != delim && *w != '\n')
            w++;
        if (w >= end || (unsigned char)*w == delim || *w == '\n') {
            for (const char *k = q + 1; k < r; k++)
                if (!scratch_putc(t, (char)quote))
                    return NULL;
            return csv_tok_push_scratch(t, off, t->slen - off, true) ? w : NULL;
        }
        /* Unescaped quote: keep the raw remainder of the field. */
        const char *x = r;
        while (x < end && (unsigned char)*x != delim && *x != '\n')
            x++;
        const char *xe = x;
        if (x < end && *x == '\n' && xe > r && xe[-1] == '\r')
            xe--;
        if (!csv_scratch_append(t, q, (size_t)(xe - q)) || !scratch_putc(t, (char)quote))
            return NULL;
        /* Shift the field right by one to put the opening quote in front. */
        size_t len = t->slen - off;
        char *f = t->scratch + off;
        memmove(f + 1, f, len - 1);
        f[0] = (char)quote;
        return csv_tok_push_scratch(t, off, len, true) ? x : NULL;
    }
}

const char *csv_tokenize_spark(csv_tok *t, const char *p, const char *end)
{
    const int delim = t->cfg->delim, quote = t->cfg->quote;
    const char *q = p;
    for (;;) {
        if (quote >= 0 && q < end && (unsigned char)*q == quote) {
            q = spark_quoted(t, q, end);
            if (!q)
                return end;
        } else {
            const char *s = q;
            while (q < end && (unsigned char)*q != delim && *q != '\n')
                q++;
            size_t len = (size_t)(q - s);
            if (q < end && *q == '\n' && len && s[len - 1] == '\r')
                len--;
            if (!csv_tok_push(t, s, len, false))
                return end;
        }
        if (q < end && (unsigned char)*q == delim) {
            q++;
            continue;
        }
        return q;
    }
}

/* ------------------------------------------------------------------ RFC mode on libcsv */

/* libcsv's parser states (libcsv.c; not exported by csv.h). */
#define LIBCSV_FIELD_BEGUN 2

static int never(unsigned char c)
{
    (void)c;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    csv_tok *t = data;
    if (t->failed)
        return;
    if (!s) { /* CSV_EMPTY_IS_NULL: an empty unquoted field */
        csv_tok_push(t, "", 0, false);
        return;
    }
    size_t off = t->slen;
    if (csv_scratch_append(t, s, len))
        csv_tok_push_scratch(t, off, len, true);
}

static bool feed(csv_tok *t, const char *p, size_t n)
{
    /* Grow libcsv's field buffer geometrically: its default grows by 128 bytes at a time. */
    size_t blk = csv_get_buffer_size(&t->lp);
    csv_set_blk_size(&t->lp, blk > n + 64 ? blk : n + 64);
    if (csv_parse(&t->lp, p, n, on_field, NULL, t) != n)
        return csv_tok_fail(t, LML_ENOMEM, "libcsv: %s", csv_strerror(csv_error(&t->lp)));
    return !t->failed;
}

const char *csv_tokenize_rfc(csv_tok *t, const char *p, const char *end)
{
    if (!t->lp_ready) {
        if (csv_init(&t->lp, CSV_EMPTY_IS_NULL) != 0) {
            csv_tok_fail(t, LML_ENOMEM, "libcsv: cannot initialise");
            return end;
        }
        csv_set_space_func(&t->lp, never); /* Spark keeps surrounding whitespace */
        csv_set_term_func(&t->lp, never);  /* record ends are decided here */
        csv_set_delim(&t->lp, t->cfg->delim);
        csv_set_quote(&t->lp, (unsigned char)t->cfg->quote);
        t->lp_ready = true;
    }
    const char *q = p;
    for (;;) {
        const char *nl = t->cfg->multi_line ? memchr(q, '\n', (size_t)(end - q)) : NULL;
        const char *le = nl ? nl : end;
        const char *ce = le;
        if (nl && ce > q && ce[-1] == '\r')
            ce--;
        if (!feed(t, q, (size_t)(ce - q)))
            break;
        if (nl && t->lp.pstate == LIBCSV_FIELD_BEGUN && t->lp.quoted) {
            /* Inside an open quoted field the line break is content. */
            if (!feed(t, ce, (size_t)(nl + 1 - ce)))
                break;
            q = nl + 1;
            continue;
        }
        csv_fini(&t->lp, on_field, NULL, t);
        return le;
    }
    csv_fini(&t->lp, NULL, NULL, NULL);
    return end;
}
