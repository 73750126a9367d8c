/* LIBSVM text reader with Spark's semantics (MLUtils.parseLibSVMRecord, LibSVMFileFormat).
 *
 * The file is mapped (or read once when it cannot be) and walked twice by the same line and
 * token iterator: the first walk only counts rows and index:value tokens, so the label column
 * and the CSR arrays are allocated once at their final size and the second walk parses straight
 * into them with no allocation per line or token. Numbers go through the CSV reader's
 * Java-exact parsers (Double.parseDouble, Integer.parseInt), so a value reads to the same bits
 * here as in a CSV file and as in Spark. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "io/csv/csv_internal.h"
#include "lakeml/libsvm.h"

/* ------------------------------------------------------------------ lines and tokens */

typedef struct lsv_lines {
    const char *p, *end;
    size_t lineno; /* 1-based number of the line last returned */
} lsv_lines;

/* The next line [*ls, *le) without its terminator ("\n", "\r\n" or "\r", as Hadoop's
 * LineReader splits them); false at the end of the buffer. */
static bool next_line(lsv_lines *it, const char **ls, const char **le)
{
    if (it->p >= it->end)
        return false;
    /* Two vectorised searches beat a byte loop; a lone '\r' is rare but still ends a line. */
    const char *p = memchr(it->p, '\n', (size_t)(it->end - it->p));
    if (!p)
        p = it->end;
    const char *cr = memchr(it->p, '\r', (size_t)(p - it->p));
    if (cr)
        p = cr;
    *ls = it->p;
    *le = p;
    if (p < it->end)
        p += (*p == '\r' && p + 1 < it->end && p[1] == '\n') ? 2 : 1;
    it->p = p;
    it->lineno++;
    return true;
}

/* Space and tab separate tokens (LIBSVM's own strtok set); \v and \f too, which Java's trim
 * would have removed around a number anyway. */
static inline bool is_sep(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

/* The next token at or after *p before le, or false. `#` ends the line's content. *colon gets
 * the token's first ':' (NULL when none) and *colons how many it holds, found in the same scan
 * so entries need no second look. */
static inline bool next_token(const char **p, const char *le, const char **ts, size_t *tn, const char **colon,
                              size_t *colons)
{
    const char *q = *p;
    while (q < le && is_sep(*q))
        q++;
    if (q == le || *q == '#')
        return false;
    const char *s = q, *c = NULL;
    size_t nc = 0;
    for (; q < le && !is_sep(*q) && *q != '#'; q++)
        if (*q == ':' && nc++ == 0)
            c = q;
    *ts = s;
    *tn = (size_t)(q - s);
    *colon = c;
    *colons = nc;
    *p = q;
    return true;
}

/* ------------------------------------------------------------------ errors */

typedef struct lsv_ctx {
    const char *name; /* the path, for messages */
    const char *end;  /* end of the whole buffer: how far the number parsers may read */
    lml_error *err;
} lsv_ctx;

/* Fails with LML_EFORMAT as `file:line:col: <what> "<token>"`; the token is shown with control
 * bytes as '?' and cut after 60 bytes, so a hostile file cannot flood the message. */
static bool fail_at(const lsv_ctx *cx, size_t line, const char *ls, const char *tok, size_t tn, const char *fmt,
                    ...) __attribute__((format(printf, 6, 7)));
static bool fail_at(const lsv_ctx *cx, size_t line, const char *ls, const char *tok, size_t tn, const char *fmt, ...)
{
    char what[200], shown[72];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    size_t k = tn < 60 ? tn : 60;
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)tok[i];
        shown[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    memcpy(shown + k, tn > k ? "..." : "", tn > k ? 4 : 1);
    return lml_error_set(cx->err, LML_EFORMAT, "%s:%zu:%zu: %s \"%s\"", cx->name, line, (size_t)(tok - ls) + 1, what,
                         shown);
}

/* ------------------------------------------------------------------ the two passes */

/* Pass 1: rows (lines with a token) and entries (tokens after the label). */
static void count(const char *buf, size_t len, size_t *nrows, size_t *nnz)
{
    lsv_lines it = {buf, buf + len, 0};
    const char *ls, *le, *ts, *colon;
    size_t tn, nc, rows = 0, entries = 0;
    while (next_line(&it, &ls, &le)) {
        const char *p = ls;
        size_t k = 0;
        while (next_token(&p, le, &ts, &tn, &colon, &nc))
            k++;
        if (k) {
            rows++;
            entries += k - 1;
        }
    }
    *nrows = rows;
    *nnz = entries;
}

typedef struct lsv_out {
    double *labels;  /* nrows */
    int64_t *indptr; /* nrows + 1 */
    int32_t *indices;
    double *values;
    size_t nrows, nnz;
    int32_t max_index; /* largest 0-based index seen, -1 when none */
} lsv_out;

/* One index:value token at column position tok of line `line`; *prev is the previous 0-based
 * index of the line (-1 at its start). */
static bool parse_entry(const lsv_ctx *cx, size_t line, const char *ls, const char *tok, size_t tn,
                        const char *colon, size_t colons, int64_t limit, int32_t *prev, int32_t *index, double *value)
{
    if (!colon)
        return fail_at(cx, line, ls, tok, tn, "expected index:value, found");
    if (colons > 1)
        return fail_at(cx, line, ls, tok, tn, "expected index:value (one ':'), found");
    size_t in = (size_t)(colon - tok), vn = tn - in - 1;
    const char *v = colon + 1;
    int32_t one_based;
    if (!csv_parse_i32(tok, in, &one_based))
        return fail_at(cx, line, ls, tok, tn, "cannot parse the index as an int in");
    if (vn == 0)
        return fail_at(cx, line, ls, tok, tn, "missing value after index %" PRId32 " in", one_based);
    if (one_based < 1)
        return fail_at(cx, line, ls, tok, tn, "indices should be one-based and in ascending order: index %" PRId32 " in",
                       one_based);
    int32_t i0 = one_based - 1;
    if (i0 <= *prev)
        return fail_at(cx, line, ls, tok, tn,
                       "indices should be one-based and in ascending order: index %" PRId32 " after %" PRId32 " in",
                       one_based, *prev + 1);
    if (limit > 0 && i0 >= limit)
        return fail_at(cx, line, ls, tok, tn, "index %" PRId32 " is beyond numFeatures %" PRId64 " in", one_based,
                       limit);
    if (!csv_parse_double(v, vn, (size_t)(cx->end - v), value))
        return fail_at(cx, line, ls, tok, tn, "cannot parse the value as double in");
    *prev = *index = i0;
    return true;
}

/* Pass 2: parses every row into out (sized by pass 1). limit = numFeatures, 0 = no check. */
static bool parse(const lsv_ctx *cx, const char *buf, size_t len, int64_t limit, lsv_out *out)
{
    lsv_lines it = {buf, buf + len, 0};
    const char *ls, *le, *ts, *colon;
    size_t tn, nc, row = 0, k = 0;
    out->indptr[0] = 0;
    out->max_index = -1;
    while (next_line(&it, &ls, &le)) {
        const char *p = ls;
        if (!next_token(&p, le, &ts, &tn, &colon, &nc))
            continue;
        if (row >= out->nrows)
            return lml_error_set(cx->err, LML_EFORMAT, "%s: internal error: more rows than counted", cx->name);
        if (!csv_parse_double(ts, tn, (size_t)(cx->end - ts), &out->labels[row]))
            return fail_at(cx, it.lineno, ls, ts, tn, "cannot parse label as double:");
        int32_t prev = -1;
        while (next_token(&p, le, &ts, &tn, &colon, &nc)) {
            if (k >= out->nnz)
                return lml_error_set(cx->err, LML_EFORMAT, "%s: internal error: more entries than counted", cx->name);
            if (!parse_entry(cx, it.lineno, ls, ts, tn, colon, nc, limit, &prev, &out->indices[k], &out->values[k]))
                return false;
            k++;
        }
        if (prev > out->max_index)
            out->max_index = prev;
        out->indptr[++row] = (int64_t)k;
    }
    if (row != out->nrows || k != out->nnz)
        return lml_error_set(cx->err, LML_EFORMAT, "%s: internal error: counted %zu rows, parsed %zu", cx->name,
                             out->nrows, row);
    return true;
}

/* ------------------------------------------------------------------ building the frame */

static lml_column *features_column(const lsv_out *o, size_t size, bool dense, lml_error *err)
{
    if (!dense)
        return lml_column_vector_from_csr(o->indptr, o->indices, o->values, o->nrows, size, err);
    size_t cells;
    if (!lml_mul_ok(o->nrows, size, &cells) || cells > SIZE_MAX / sizeof(double)) {
        lml_error_set(err, LML_ENOMEM, "a dense features column of %zu rows × %zu is too large", o->nrows, size);
        return NULL;
    }
    double *d = calloc(cells ? cells : 1, sizeof(double));
    if (!d) {
        lml_error_set(err, LML_ENOMEM, "out of memory for a dense features column of %zu rows × %zu", o->nrows, size);
        return NULL;
    }
    for (size_t r = 0; r < o->nrows; r++)
        for (int64_t j = o->indptr[r]; j < o->indptr[r + 1]; j++)
            d[r * size + (size_t)o->indices[j]] = o->values[j];
    lml_column *c = lml_column_vector_from_dense(d, o->nrows, size, err);
    free(d);
    return c;
}

static lml_frame *make_frame(lml_column *label, lml_column *features, size_t size, lml_error *err)
{
    lml_field *fields = calloc(2, sizeof *fields);
    char meta[64];
    snprintf(meta, sizeof meta, "{\"ml_attr\":{\"num_attrs\":%zu}}", size);
    if (fields) {
        fields[0] = (lml_field){lml_strdup("label", err), label, NULL};
        fields[1] = (lml_field){lml_strdup("features", err), features, lml_strdup(meta, err)};
    }
    if (!fields || !fields[0].name || !fields[1].name || !fields[1].metadata) {
        if (fields) {
            for (int i = 0; i < 2; i++) {
                free(fields[i].name);
                free(fields[i].metadata);
            }
            free(fields);
        }
        lml_column_free(label);
        lml_column_free(features);
        lml_error_set(err, LML_ENOMEM, "out of memory building the LIBSVM frame");
        return NULL;
    }
    return lml_frame_adopt(fields, 2, err);
}

static lml_frame *read_buffer(const char *buf, size_t len, const char *name, const lml_libsvm_options *opt,
                              lml_error *err)
{
    int64_t limit = opt ? opt->num_features : 0;
    lsv_ctx cx = {name, buf + len, err};
    lsv_out o = {0};
    count(buf, len, &o.nrows, &o.nnz);
    lml_column *label = lml_column_alloc(LML_DOUBLE, o.nrows, 0, false, err);
    if (!label)
        return NULL;
    o.labels = (double *)label->values;
    /* rows and entries are each at most len, so only the byte sizes need checking. */
    size_t b_ptr, b_idx, b_val;
    bool sized = lml_mul_ok(o.nrows + 1, sizeof *o.indptr, &b_ptr) &&
                 lml_mul_ok(o.nnz ? o.nnz : 1, sizeof *o.indices, &b_idx) &&
                 lml_mul_ok(o.nnz ? o.nnz : 1, sizeof *o.values, &b_val);
    o.indptr = sized ? malloc(b_ptr) : NULL;
    o.indices = sized ? malloc(b_idx) : NULL;
    o.values = sized ? malloc(b_val) : NULL;
    lml_column *features = NULL;
    if (!o.indptr || !o.indices || !o.values) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for %zu rows with %zu entries", name, o.nrows, o.nnz);
    } else if (parse(&cx, buf, len, limit, &o)) {
        size_t size = limit > 0 ? (size_t)limit : (size_t)o.max_index + 1;
        features = features_column(&o, size, opt && opt->dense, err);
        if (features) {
            free(o.indptr);
            free(o.indices);
            free(o.values);
            return make_frame(lml_column_seal(label), features, size, err);
        }
    }
    free(o.indptr);
    free(o.indices);
    free(o.values);
    lml_column_free(label);
    return NULL;
}

lml_frame *lml_libsvm_read(const char *path, const lml_libsvm_options *opt, lml_error *err)
{
    if (!path)
        return lml_error_set(err, LML_EINVAL, "lml_libsvm_read: path is NULL"), NULL;
    if (opt && (opt->num_features < 0 || opt->num_features > INT32_MAX))
        return lml_error_set(err, LML_EINVAL, "lml_libsvm_read: numFeatures %" PRId64 " is outside [0, %d]",
                             opt->num_features, INT32_MAX),
               NULL;
    lml_input in;
    if (!lml_input_open(path, &in, err))
        return NULL;
    lml_frame *f = read_buffer(in.data, in.len, path, opt, err);
    lml_input_close(&in);
    return f;
}
