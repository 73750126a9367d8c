/* Record splitting. The common line is split on the delimiter with a 16-byte SSE2 scan: that is
 * exact for Spark too, because unquoted values are taken verbatim (escapes only act inside
 * quotes, and a quote that does not start a field is an ordinary character), and quoted fields
 * of the simple kind ("text", closed right before the delimiter) read the same under every rule.
 * Any other line goes to tokenize_quoted.c: libcsv for RFC mode (escape == quote), univocity's
 * rules otherwise. Lines end at "\n" or "\r\n". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "io/csv/csv_internal.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

bool csv_slow_path_for_tests;

void csv_tok_init(csv_tok *t, const csv_cfg *cfg)
{
    memset(t, 0, sizeof *t);
    t->cfg = cfg;
    t->max_chars = cfg->max_chars ? cfg->max_chars : SIZE_MAX;
}

void csv_tok_free(csv_tok *t)
{
    free(t->f);
    free(t->scratch);
    if (t->lp_ready)
        csv_free(&t->lp);
    memset(t, 0, sizeof *t);
}

bool csv_tok_fail(csv_tok *t, lml_errcode code, const char *fmt, ...)
{
    if (!t->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->msg, sizeof t->msg, fmt, ap);
        va_end(ap);
        t->code = code;
        t->failed = true;
    }
    return false;
}

/* Fails with "<what>: <value>", the value quoted and cut short. */
static bool fail_with_value(csv_tok *t, const char *what, const char *v, size_t n)
{
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, what);
    lml_strbuf_puts(&sb, ": ");
    csv_quote_value(&sb, v, n);
    csv_tok_fail(t, LML_EFORMAT, "%s", sb.failed ? what : sb.data);
    lml_strbuf_free(&sb);
    return false;
}

static bool grow_fields(csv_tok *t)
{
    if (t->nf >= t->cfg->max_columns) {
        char what[128];
        snprintf(what, sizeof what, "record has more than %zu fields (max_columns)", t->cfg->max_columns);
        const char *nl = memchr(t->rec, '\n', (size_t)(t->rec_limit - t->rec));
        return fail_with_value(t, what, t->rec, (size_t)((nl ? nl : t->rec_limit) - t->rec));
    }
    size_t limit = t->cfg->max_columns < SIZE_MAX / sizeof *t->f ? t->cfg->max_columns : SIZE_MAX / sizeof *t->f;
    size_t cap = t->cap ? t->cap * 2 : 64;
    if (cap > limit)
        cap = limit;
    csv_field *f = realloc(t->f, cap * sizeof *f);
    if (!f)
        return csv_tok_fail(t, LML_ENOMEM, "out of memory for %zu fields", cap);
    t->f = f;
    t->cap = cap;
    t->room = cap < t->cfg->max_columns ? cap : t->cfg->max_columns;
    return true;
}

bool csv_tok_push(csv_tok *t, const char *p, size_t len, bool quoted)
{
    if (t->nf == t->cap && !grow_fields(t))
        return false;
    if (t->nf >= t->cfg->max_columns)
        return grow_fields(t);
    if (len > t->max_chars) {
        char what[LML_ERROR_MESSAGE_MAX / 2];
        if (t->names && t->nf < t->width)
            snprintf(what, sizeof what, "column '%.100s': a value of %zu bytes is over max_chars_per_column (%zu)",
                     t->names[t->data_col[t->nf]], len, t->cfg->max_chars);
        else
            snprintf(what, sizeof what, "field %zu: a value of %zu bytes is over max_chars_per_column (%zu)",
                     t->nf + 1, len, t->cfg->max_chars);
        return fail_with_value(t, what, p, len);
    }
    t->f[t->nf++] = (csv_field){.p = p, .len = len, .quoted = quoted};
    return true;
}

bool csv_tok_push_scratch(csv_tok *t, size_t off, size_t len, bool quoted)
{
    if (!csv_tok_push(t, t->scratch ? t->scratch + off : "", len, quoted))
        return false;
    t->f[t->nf - 1].off = off;
    t->f[t->nf - 1].in_scratch = true;
    return true;
}

bool csv_scratch_append(csv_tok *t, const char *s, size_t n)
{
    if (t->scap - t->slen < n) {
        size_t cap = t->scap ? t->scap : 256;
        while (cap - t->slen < n) {
            if (cap > SIZE_MAX / 2)
                return csv_tok_fail(t, LML_ENOMEM, "a field of more than %zu bytes", t->slen);
            cap *= 2;
        }
        char *b = realloc(t->scratch, cap);
        if (!b)
            return csv_tok_fail(t, LML_ENOMEM, "out of memory for a field of %zu bytes", t->slen + n);
        t->scratch = b;
        t->scap = cap;
    }
    if (n)
        memcpy(t->scratch + t->slen, s, n);
    t->slen += n;
    return true;
}

static inline bool push_plain(csv_tok *t, const char *p, size_t len)
{
    if (__builtin_expect(t->nf >= t->room || len > t->max_chars, 0))
        return csv_tok_push(t, p, len, false);
    t->f[t->nf++] = (csv_field){.p = p, .len = len};
    return true;
}

/* Pushes the fields of the line from q on, splitting at delimiters, until a '\n', a quote at the
 * start of a field (*fs is that field's start), or end. A quote inside an unquoted field is an
 * ordinary character for Spark and for libcsv alike. Returns the stop, or NULL when a guard
 * failed. */
static const char *scan_fields(csv_tok *t, const char **fs, const char *q, const char *end)
{
    const unsigned char delim = t->cfg->delim;
    const int quote = t->cfg->quote;
#ifdef __SSE2__
    const __m128i vd = _mm_set1_epi8((char)delim);
    const __m128i vn = _mm_set1_epi8('\n');
    const __m128i vq = _mm_set1_epi8(quote >= 0 ? (char)quote : '\n');
    while (end - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_or_si128(_mm_cmpeq_epi8(v, vn), _mm_cmpeq_epi8(v, vq)));
        for (unsigned m = (unsigned)_mm_movemask_epi8(hit); m; m &= m - 1) {
            const char *d = q + __builtin_ctz(m);
            if ((unsigned char)*d == delim) {
                if (!push_plain(t, *fs, (size_t)(d - *fs)))
                    return NULL;
                *fs = d + 1;
            } else if (*d == '\n' || d == *fs) {
                return d;
            }
        }
        q += 16;
    }
#endif
    for (; q < end; q++) {
        if ((unsigned char)*q == delim) {
            if (!push_plain(t, *fs, (size_t)(q - *fs)))
                return NULL;
            *fs = q + 1;
        } else if (*q == '\n' || ((int)(unsigned char)*q == quote && q == *fs)) {
            return q;
        }
    }
    return q;
}

/* Splits the line at p. Quoted fields of the simple kind — no escape, quote or line break inside,
 * the closing quote followed by the delimiter or the end of the line — are taken here too; they
 * read the same under every rule. Returns the '\n' (or end) that ends the line, or NULL when the
 * line needs the slow path (or a guard failed: t->failed). */
static const char *split_plain(csv_tok *t, const char *p, const char *end)
{
    const unsigned char delim = t->cfg->delim;
    const int quote = t->cfg->quote;
    const int esc = t->cfg->escape == quote ? -1 : t->cfg->escape;
    const char *fs = p, *q = p;
    for (;;) {
        q = scan_fields(t, &fs, q, end);
        if (!q)
            return NULL;
        if (q == end || *q == '\n') {
            size_t len = (size_t)(q - fs);
            if (len && fs[len - 1] == '\r')
                len--;
            return push_plain(t, fs, len) ? q : NULL;
        }
        const char *r = q + 1;
        while (r < end && (int)(unsigned char)*r != quote && (int)(unsigned char)*r != esc && *r != '\n')
            r++;
        if (r == end || (int)(unsigned char)*r != quote)
            return NULL;
        const char *c = r + 1;
        if (c < end && *c == '\r' && (c + 1 == end || c[1] == '\n'))
            c++;
        if (c < end && (unsigned char)*c != delim && *c != '\n')
            return NULL;
        if (!csv_tok_push(t, q + 1, (size_t)(r - q - 1), true))
            return NULL;
        if (c == end || *c == '\n')
            return c;
        fs = q = c + 1;
    }
}

/* Turns scratch offsets into pointers once the record is complete (the buffer may have moved
 * while the record grew). */
static void fix_scratch(csv_tok *t)
{
    for (size_t i = 0; i < t->nf; i++) {
        if (t->f[i].in_scratch) {
            size_t off = t->f[i].off;
            t->f[i].p = t->scratch ? t->scratch + off : "";
        }
    }
}

static size_t count_newlines(const char *p, const char *e)
{
    size_t n = 0;
    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

int csv_next_record(csv_tok *t, csv_cursor *c, csv_record *r)
{
    const csv_cfg *cfg = t->cfg;
    const char *p = c->p, *end = c->end;
    for (;;) {
        if (p >= end) {
            c->p = p;
            return 0;
        }
        unsigned char c0 = (unsigned char)*p;
        if (c0 <= ' ') {
            /* Spark drops lines that are empty after Java's trim (every byte <= ' '). */
            const char *q = p;
            while (q < end && (unsigned char)*q <= ' ' && *q != '\n')
                q++;
            if (q == end || *q == '\n') {
                p = q < end ? q + 1 : q;
                c->line++;
                continue;
            }
        } else if ((int)c0 == cfg->comment) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            p = nl ? nl + 1 : end;
            c->line++;
            continue;
        }
        break;
    }
    t->nf = 0;
    t->slen = 0;
    t->rec = p;
    t->rec_limit = end;
    r->line = c->line;
    r->raw = p;
    const char *stop = csv_slow_path_for_tests ? NULL : split_plain(t, p, end);
    if (!stop && t->failed)
        return -1;
    if (!stop) {
        /* The line holds a quote: start over on the slow path. */
        t->nf = 0;
        const char *rec_end = end;
        if (!cfg->multi_line) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            rec_end = nl ? nl : end;
        }
        if (rec_end > p && rec_end[-1] == '\r' && (rec_end == end || *rec_end == '\n'))
            rec_end--;
        stop = cfg->rfc ? csv_tokenize_rfc(t, p, rec_end) : csv_tokenize_spark(t, p, rec_end);
        if (t->failed)
            return -1;
        if (!cfg->multi_line || stop == rec_end) {
            stop = memchr(stop, '\n', (size_t)(end - stop));
            if (!stop)
                stop = end;
        }
        if (cfg->multi_line)
            c->line += count_newlines(p, stop);
        fix_scratch(t);
    }
    size_t raw_len = (size_t)(stop - p);
    if (raw_len && p[raw_len - 1] == '\r')
        raw_len--;
    r->raw_len = raw_len;
    r->nf = t->nf;
    r->f = t->f;
    c->p = stop < end ? stop + 1 : end;
    c->line++;
    return 1;
}
