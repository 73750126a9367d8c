/* The CSV writer: frames → RFC 4180 CSV, batch by batch (lml_csv_writer_*), written to a
 * temporary file in the target's directory and renamed over the target only when everything was
 * written and synced. lml_csv_write is open, one batch, close. */
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

static void put_header(wctx *w, const lml_frame *f)
{
    size_t nc = lml_frame_num_cols(f);
    for (size_t c = 0; c < nc; c++) {
        if (c)
            putc(w->delim, w->out);
        const char *name = lml_frame_column_name(f, c);
        put_text(w, name, strlen(name));
    }
    putc('\n', w->out);
}

static bool write_rows(wctx *w, const lml_frame *f)
{
    size_t nc = lml_frame_num_cols(f), nr = lml_frame_num_rows(f);
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

struct lml_csv_writer {
    wctx w;
    char *path, *tmp;
    bool header;          /* write a header line with the first batch */
    char *old_header;     /* append: the existing file's first line (without its line end) */
    size_t old_header_len;
    bool started;         /* the first batch fixed the columns */
    size_t ncols;
    char **names;
    lml_type *types;
    bool failed;          /* an I/O error: close reports it and discards everything */
    lml_errcode code;
    char msg[LML_ERROR_MESSAGE_MAX];
};

static void writer_free(lml_csv_writer *w)
{
    lml_strbuf_free(&w->w.cell);
    for (size_t c = 0; c < w->ncols && w->names; c++)
        free(w->names[c]);
    free(w->names);
    free(w->types);
    free(w->old_header);
    free(w->path);
    free(w);
}

/* Append: copies the existing file into the temporary one and keeps its first line to check
 * against the first batch's header. A file without a final line end gets one, so the rows that
 * follow start on a line of their own. */
static bool copy_existing(lml_csv_writer *w, lml_error *err)
{
    lml_input in;
    lml_error e = {0};
    if (!lml_input_open(w->path, &in, &e)) {
        if (e.code == LML_ENOTFOUND)
            return true; /* nothing to append to: a new file */
        return lml_error_set(err, e.code, "%s", e.message);
    }
    bool ok = true;
    if (in.len > 0) {
        const char *nl = memchr(in.data, '\n', in.len);
        size_t hl = nl ? (size_t)(nl - in.data) : in.len;
        if (hl && in.data[hl - 1] == '\r')
            hl--;
        if (w->header) {
            w->old_header = malloc(hl + 1);
            if (!w->old_header)
                ok = lml_error_set(err, LML_ENOMEM, "out of memory reading %s", w->path);
            else
                memcpy(w->old_header, in.data, hl), w->old_header_len = hl;
            w->header = false; /* the existing header stays the header */
        }
        if (ok && (fwrite(in.data, 1, in.len, w->w.out) != in.len ||
                   (in.data[in.len - 1] != '\n' && putc('\n', w->w.out) == EOF)))
            ok = lml_error_set(err, LML_EIO, "cannot copy %s: %s", w->path, strerror(errno));
    }
    lml_input_close(&in);
    return ok;
}

lml_csv_writer *lml_csv_writer_open(const char *path, const lml_csv_write_options *opts, bool append, lml_error *err)
{
    if (!path)
        return lml_error_set(err, LML_EINVAL, "lml_csv_writer_open: path is NULL"), NULL;
    static const lml_csv_write_options defaults = {0};
    if (!opts)
        opts = &defaults;
    char delim = opts->delimiter ? opts->delimiter : ',';
    if (delim == '"' || delim == '\n' || delim == '\r')
        return lml_error_set(err, LML_EINVAL, "lml_csv_write: delimiter cannot be a quote or a line break"), NULL;
    lml_csv_writer *w = calloc(1, sizeof *w);
    char *null_value = NULL;
    if (w) {
        w->path = strdup(path);
        null_value = strdup(opts->null_value ? opts->null_value : "");
    }
    if (!w || !w->path || !null_value) {
        free(null_value);
        if (w)
            writer_free(w);
        return lml_error_set(err, LML_ENOMEM, "out of memory opening %s", path), NULL;
    }
    w->w.delim = delim;
    w->w.null_value = null_value;
    w->header = !opts->no_header;
    int fd = lml_tmpfile_open(path, &w->tmp, err);
    if (fd < 0)
        goto fail;
    w->w.out = fdopen(fd, "wb");
    if (!w->w.out) {
        close(fd);
        lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    setvbuf(w->w.out, NULL, _IOFBF, 1 << 20);
    if (append && !copy_existing(w, err))
        goto fail;
    return w;
fail:
    lml_csv_writer_abort(w);
    return NULL;
}

/* The header line the writer would write for f (to compare with an appended file's). */
static char *header_text(const lml_csv_writer *w, const lml_frame *f, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    if (!mem)
        return NULL;
    wctx tmp = w->w;
    tmp.out = mem;
    put_header(&tmp, f);
    if (fclose(mem) != 0) {
        free(buf);
        return NULL;
    }
    *len = n ? n - 1 : 0; /* without the '\n' */
    return buf;
}

/* The first batch: checks the types, fixes the columns, writes or checks the header. */
static bool start(lml_csv_writer *w, const lml_frame *f, lml_error *err)
{
    size_t nc = lml_frame_num_cols(f);
    for (size_t c = 0; c < nc; c++) { /* Spark's CSV source refuses these types too */
        lml_type t = lml_column_type(lml_frame_column(f, c));
        if (t == LML_BINARY || t == LML_LIST || t == LML_STRUCT || t == LML_MAP)
            return lml_error_set(err, LML_ETYPE, "lml_csv_write %s: column '%s' has type %s, which the CSV format "
                                 "does not support", w->path, lml_frame_column_name(f, c), lml_type_name(t));
    }
    if (w->old_header) {
        size_t len = 0;
        char *mine = header_text(w, f, &len);
        if (!mine)
            return lml_error_set(err, LML_ENOMEM, "out of memory writing %s", w->path);
        bool same = len == w->old_header_len && memcmp(mine, w->old_header, len) == 0;
        if (!same) {
            lml_error_set(err, LML_EINVAL, "lml_csv_writer %s: cannot append columns [%.*s] to a file with "
                          "columns [%.*s]", w->path, (int)(len > 400 ? 400 : len), mine,
                          (int)(w->old_header_len > 400 ? 400 : w->old_header_len), w->old_header);
            free(mine);
            return false;
        }
        free(mine);
    }
    for (size_t c = 0; c < w->ncols && w->names; c++) /* a retry after running out of memory */
        free(w->names[c]);
    free(w->names);
    free(w->types);
    w->ncols = 0;
    w->names = calloc(nc ? nc : 1, sizeof *w->names);
    w->types = calloc(nc ? nc : 1, sizeof *w->types);
    if (!w->names || !w->types)
        return lml_error_set(err, LML_ENOMEM, "out of memory writing %s", w->path);
    w->ncols = nc; /* writer_free frees the names set so far */
    for (size_t c = 0; c < nc; c++) {
        w->types[c] = lml_column_type(lml_frame_column(f, c));
        if (!(w->names[c] = strdup(lml_frame_column_name(f, c))))
            return lml_error_set(err, LML_ENOMEM, "out of memory writing %s", w->path);
    }
    if (w->header && nc)
        put_header(&w->w, f);
    w->started = true;
    return true;
}

static bool same_columns(const lml_csv_writer *w, const lml_frame *f, lml_error *err)
{
    size_t nc = lml_frame_num_cols(f);
    if (nc != w->ncols)
        return lml_error_set(err, LML_EINVAL, "lml_csv_writer %s: a batch of %zu columns after batches of %zu",
                             w->path, nc, w->ncols);
    for (size_t c = 0; c < nc; c++) {
        const char *name = lml_frame_column_name(f, c);
        lml_type t = lml_column_type(lml_frame_column(f, c));
        if (strcmp(name, w->names[c]) != 0)
            return lml_error_set(err, LML_EINVAL, "lml_csv_writer %s: column %zu is '%s', earlier batches had '%s'",
                                 w->path, c, name, w->names[c]);
        if (t != w->types[c])
            return lml_error_set(err, LML_EINVAL, "lml_csv_writer %s: column '%s' has type %s, earlier batches had %s",
                                 w->path, name, lml_type_name(t), lml_type_name(w->types[c]));
    }
    return true;
}

bool lml_csv_writer_write(lml_csv_writer *w, const lml_frame *f, lml_error *err)
{
    if (!w || !f)
        return lml_error_set(err, LML_EINVAL, "lml_csv_writer_write: %s is NULL", w ? "frame" : "writer");
    if (w->failed)
        return lml_error_set(err, w->code, "%s", w->msg);
    if (!(w->started ? same_columns(w, f, err) : start(w, f, err)))
        return false;
    if (write_rows(&w->w, f))
        return true;
    /* The file is now incomplete: only abort (or close, which discards) is left. */
    w->failed = true;
    w->code = w->w.cell.failed ? LML_ENOMEM : LML_EIO;
    if (w->w.cell.failed)
        snprintf(w->msg, sizeof w->msg, "out of memory writing %s", w->path);
    else
        snprintf(w->msg, sizeof w->msg, "cannot write %s: %s", w->path, strerror(errno));
    return lml_error_set(err, w->code, "%s", w->msg);
}

bool lml_csv_writer_close(lml_csv_writer *w, lml_error *err)
{
    if (!w)
        return lml_error_set(err, LML_EINVAL, "lml_csv_writer_close: writer is NULL");
    if (w->failed) {
        lml_error_set(err, w->code, "%s", w->msg);
        lml_csv_writer_abort(w);
        return false;
    }
    int saved = 0;
    bool ok = fflush(w->w.out) == 0;
    ok = ok && fsync(fileno(w->w.out)) == 0;
    if (!ok)
        saved = errno;
    ok = fclose(w->w.out) == 0 && ok;
    if (!ok && !saved)
        saved = errno;
    w->w.out = NULL;
    if (ok) {
        ok = lml_tmpfile_commit(w->tmp, w->path, err);
        w->tmp = NULL; /* commit frees it, and removes the file on failure */
    } else {
        lml_tmpfile_discard(w->tmp);
        w->tmp = NULL;
        lml_error_set(err, LML_EIO, "cannot write %s: %s", w->path, strerror(saved));
    }
    free((char *)w->w.null_value);
    writer_free(w);
    return ok;
}

void lml_csv_writer_abort(lml_csv_writer *w)
{
    if (!w)
        return;
    if (w->w.out)
        fclose(w->w.out);
    lml_tmpfile_discard(w->tmp);
    free((char *)w->w.null_value);
    writer_free(w);
}

bool lml_csv_write(const lml_frame *f, const char *path, const lml_csv_write_options *opts, lml_error *err)
{
    if (!f || !path)
        return lml_error_set(err, LML_EINVAL, "lml_csv_write: %s is NULL", f ? "path" : "frame");
    lml_csv_writer *w = lml_csv_writer_open(path, opts, false, err);
    if (!w)
        return false;
    if (!lml_csv_writer_write(w, f, err)) {
        lml_csv_writer_abort(w);
        return false;
    }
    return lml_csv_writer_close(w, err);
}
