/* lml_csv_write: frame → RFC 4180 CSV, written to a temporary file in the target's directory and
 * renamed over the target only when everything was written and synced. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "io/csv/csv_internal.h"

typedef struct wctx {
    FILE *out;
    char delim;
    const char *null_value;
    lml_strbuf cell; /* scratch for vector cells */
} wctx;

static bool needs_quotes(const char *s, size_t n, char delim)
{
    if (n == 0)
        return true; /* "" is an empty string; an empty field is null */
    for (size_t i = 0; i < n; i++)
        if (s[i] == delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            return true;
    return false;
}

static void put_text(wctx *w, const char *s, size_t n)
{
    if (!needs_quotes(s, n, w->delim)) {
        fwrite(s, 1, n, w->out);
        return;
    }
    putc('"', w->out);
    for (const char *q; n && (q = memchr(s, '"', n)) != NULL;) {
        fwrite(s, 1, (size_t)(q - s) + 1, w->out);
        putc('"', w->out); /* a quote is doubled */
        n -= (size_t)(q - s) + 1;
        s = q + 1;
    }
    fwrite(s, 1, n, w->out);
    putc('"', w->out);
}

/* Spark's Vector.toString: [1.0,2.0] or (size,[indices],[values]). */
static void vector_text(lml_strbuf *sb, const lml_column *col, size_t i)
{
    char buf[LML_DOUBLE_BUF];
    size_t d = col->vec_size;
    if (!col->sparse) {
        lml_strbuf_putc(sb, '[');
        for (size_t k = 0; k < d; k++) {
            if (k)
                lml_strbuf_putc(sb, ',');
            lml_strbuf_append(sb, buf, lml_format_double_java(col->vvalues[i * d + k], buf));
        }
        lml_strbuf_putc(sb, ']');
        return;
    }
    int64_t b = col->indptr[i], e = col->indptr[i + 1];
    lml_strbuf_printf(sb, "(%zu,[", d);
    for (int64_t k = b; k < e; k++)
        lml_strbuf_printf(sb, "%s%d", k > b ? "," : "", col->indices[k]);
    lml_strbuf_puts(sb, "],[");
    for (int64_t k = b; k < e; k++) {
        if (k > b)
            lml_strbuf_putc(sb, ',');
        lml_strbuf_append(sb, buf, lml_format_double_java(col->vvalues[k], buf));
    }
    lml_strbuf_puts(sb, "])");
}

static void put_cell(wctx *w, const lml_column *col, size_t i)
{
    char buf[LML_DOUBLE_BUF + CSV_DATETIME_BUF];
    if (lml_column_is_null(col, i)) {
        fputs(w->null_value, w->out);
        return;
    }
    size_t n;
    switch (col->type) {
    case LML_BOOL: fputs(lml_bit_get(col->values, i) ? "true" : "false", w->out); return;
    case LML_INT32: fprintf(w->out, "%d", ((const int32_t *)col->values)[i]); return;
    case LML_INT64: fprintf(w->out, "%lld", (long long)((const int64_t *)col->values)[i]); return;
    case LML_DOUBLE:
        n = lml_format_double_shortest(((const double *)col->values)[i], buf);
        fwrite(buf, 1, n, w->out);
        return;
    case LML_DATE:
        n = csv_format_date(((const int32_t *)col->values)[i], buf);
        fwrite(buf, 1, n, w->out);
        return;
    case LML_TIMESTAMP:
        n = csv_format_timestamp(((const int64_t *)col->values)[i], buf);
        fwrite(buf, 1, n, w->out);
        return;
    case LML_STRING: {
        size_t len;
        const char *s = lml_column_string_at(col, i, &len);
        put_text(w, s, len);
        return;
    }
    case LML_VECTOR:
        w->cell.len = 0;
        vector_text(&w->cell, col, i);
        put_text(w, w->cell.data ? w->cell.data : "", w->cell.len);
        return;
    case LML_TIMESTAMP_NTZ: /* a wall clock: the timestamp text without the zone's "Z" */
        n = csv_format_timestamp(((const int64_t *)col->values)[i], buf);
        fwrite(buf, 1, n - 1, w->out);
        return;
    case LML_FLOAT:
    case LML_INT8:
    case LML_INT16:
    case LML_DECIMAL: /* Spark writes Float/Byte/Short/BigDecimal toString, which show() also prints */
        n = lml_format_value(col, i, buf, sizeof buf);
        fwrite(buf, 1, n, w->out);
        return;
    case LML_BINARY:
    case LML_LIST:
    case LML_STRUCT:
    case LML_MAP: return; /* refused by lml_csv_write before any row is written */
    }
}

static bool write_rows(wctx *w, const lml_frame *f, bool header)
{
    size_t nc = lml_frame_num_cols(f), nr = lml_frame_num_rows(f);
    if (header && nc) {
        for (size_t c = 0; c < nc; c++) {
            if (c)
                putc(w->delim, w->out);
            const char *name = lml_frame_column_name(f, c);
            put_text(w, name, strlen(name));
        }
        putc('\n', w->out);
    }
    for (size_t i = 0; i < nr; i++) {
        for (size_t c = 0; c < nc; c++) {
            if (c)
                putc(w->delim, w->out);
            put_cell(w, lml_frame_column(f, c), i);
        }
        putc('\n', w->out);
        if (ferror(w->out) || w->cell.failed)
            return false;
    }
    return !ferror(w->out);
}

/* The target's permissions when it exists (so a rewrite keeps them), else rw-r--r--. */

bool lml_csv_write(const lml_frame *f, const char *path, const lml_csv_write_options *opts, lml_error *err)
{
    if (!f || !path)
        return lml_error_set(err, LML_EINVAL, "lml_csv_write: %s is NULL", f ? "path" : "frame");
    static const lml_csv_write_options defaults = {0};
    if (!opts)
        opts = &defaults;
    wctx w = {.delim = opts->delimiter ? opts->delimiter : ',', .null_value = opts->null_value ? opts->null_value : ""};
    if (w.delim == '"' || w.delim == '\n' || w.delim == '\r')
        return lml_error_set(err, LML_EINVAL, "lml_csv_write: delimiter cannot be a quote or a line break");
    for (size_t c = 0; c < lml_frame_num_cols(f); c++) { /* Spark's CSV source refuses these types too */
        lml_type t = lml_column_type(lml_frame_column(f, c));
        if (t == LML_BINARY || t == LML_LIST || t == LML_STRUCT || t == LML_MAP)
            return lml_error_set(err, LML_ETYPE, "lml_csv_write %s: column '%s' has type %s, which the CSV format "
                                 "does not support", path, lml_frame_column_name(f, c), lml_type_name(t));
    }
    char *tmp = NULL;
    int fd = lml_tmpfile_open(path, &tmp, err);
    if (fd < 0)
        return false;
    w.out = fdopen(fd, "wb");
    if (!w.out) {
        close(fd);
        lml_tmpfile_discard(tmp);
        return lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(errno));
    }
    setvbuf(w.out, NULL, _IOFBF, 1 << 20);
    bool ok = write_rows(&w, f, !opts->no_header);
    int saved = errno;
    bool nomem = w.cell.failed;
    lml_strbuf_free(&w.cell);
    ok = fflush(w.out) == 0 && ok;
    ok = ok && fsync(fileno(w.out)) == 0;
    if (!ok)
        saved = errno ? errno : saved;
    ok = fclose(w.out) == 0 && ok;
    if (ok)
        return lml_tmpfile_commit(tmp, path, err);
    lml_tmpfile_discard(tmp);
    if (nomem)
        return lml_error_set(err, LML_ENOMEM, "out of memory writing %s", path);
    return lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(saved));
}
