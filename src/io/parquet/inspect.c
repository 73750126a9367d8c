/* Footer facts for tools (include/lakeml/parquet.h, "footer facts for tools"): reads only the
 * footer of a file and turns each column chunk's metadata into printable text once, so a tool
 * can print row groups, encodings, codecs, sizes and statistics without knowing the Thrift
 * structs. It does not share lml_parquet_file (private to reader.c): it re-reads the footer with
 * pread, which costs one small read and keeps the reader untouched. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../core/internal.h"
#include "lakeml/parquet.h"
#include "meta.h"

/* The text of one chunk, made once when the footer is read. */
typedef struct chunk_text {
    bool present; /* the chunk has column metadata */
    char *path, *encodings, *min, *max;
    char physical[32], codec[32];
} chunk_text;

struct lml_parquet_footer {
    lml_pq_file_meta meta;
    size_t *first;     /* index in `chunks` of row group i's first chunk */
    chunk_text *chunks;
    size_t num_chunks;
};

static const char *const physical_names[] = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE",
                                             "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
static const char *const codec_names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
static const char *const encoding_names[] = {"PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED",
                                             "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
                                             "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};

/* An enum value by name, or "UNKNOWN(n)" for values a newer (or corrupt) writer stored. */
static void enum_name(const char *const *names, size_t n, int32_t v, char *buf, size_t cap)
{
    if (v >= 0 && (size_t)v < n)
        snprintf(buf, cap, "%s", names[v]);
    else
        snprintf(buf, cap, "UNKNOWN(%d)", (int)v);
}

/* Reads exactly len bytes at off; a short read means the file changed or lied about its size. */
static bool read_at(int fd, uint8_t *buf, size_t len, off_t off, const char *path, lml_error *err)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, buf + got, len - got, off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return lml_error_set(err, LML_EIO, "%s: read failed at offset %lld: %s", path,
                                 (long long)(off + (off_t)got), strerror(errno));
        if (r == 0)
            return lml_error_set(err, LML_EFORMAT, "%s: file ends at offset %lld, %zu bytes early", path,
                                 (long long)(off + (off_t)got), len - got);
        got += (size_t)r;
    }
    return true;
}

/* The footer bytes of path (malloc'd), after checking both magics and the footer length. */
static uint8_t *read_footer_bytes(const char *path, size_t *len, lml_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        lml_error_set(err, LML_EIO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = NULL;
    struct stat st;
    uint8_t head[4], tail[8];
    if (fstat(fd, &st) != 0) {
        lml_error_set(err, LML_EIO, "%s: cannot stat: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        lml_error_set(err, LML_EIO, "%s: not a regular file", path);
        goto fail;
    }
    if (st.st_size < 12) {
        lml_error_set(err, LML_EFORMAT, "%s: not a Parquet file (%lld bytes, too short)", path, (long long)st.st_size);
        goto fail;
    }
    if (!read_at(fd, head, 4, 0, path, err) || !read_at(fd, tail, 8, st.st_size - 8, path, err))
        goto fail;
    if (memcmp(tail + 4, "PARE", 4) == 0) {
        lml_error_set(err, LML_EUNSUPPORTED, "%s: encrypted Parquet file (footer magic PARE)", path);
        goto fail;
    }
    if (memcmp(head, "PAR1", 4) != 0 || memcmp(tail + 4, "PAR1", 4) != 0) {
        lml_error_set(err, LML_EFORMAT, "%s: not a Parquet file (no PAR1 magic at %s)", path,
                      memcmp(head, "PAR1", 4) != 0 ? "the start" : "the end");
        goto fail;
    }
    uint32_t n = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 | (uint32_t)tail[3] << 24;
    if (n == 0 || (uint64_t)n > (uint64_t)st.st_size - 12) {
        lml_error_set(err, LML_EFORMAT, "%s: footer length %u does not fit the %lld-byte file (truncated?)", path, n,
                      (long long)st.st_size);
        goto fail;
    }
    buf = malloc(n);
    if (!buf) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for a %u-byte footer", path, n);
        goto fail;
    }
    if (!read_at(fd, buf, n, st.st_size - 8 - (off_t)n, path, err))
        goto fail;
    close(fd);
    *len = n;
    return buf;
fail:
    free(buf);
    close(fd);
    return NULL;
}

/* ---- formatting statistics */

static bool printable_utf8(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (k == 0 || k > n - i || (k == 1 && (c < 0x20 || c == 0x7F)) || (k == 2 && c < 0xC2))
            return false;
        for (size_t j = 1; j < k; j++)
            if ((p[i + j] & 0xC0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

static void format_bytes(lml_strbuf *sb, const uint8_t *p, size_t n)
{
    enum { CUT = 64 };
    size_t shown = n;
    if (shown > CUT) {
        shown = CUT;
        /* Never cut inside a UTF-8 sequence (nor a hex pair: hex shows whole bytes anyway). */
        while (shown > 0 && (p[shown] & 0xC0) == 0x80)
            shown--;
    }
    if (printable_utf8(p, n)) {
        lml_strbuf_putc(sb, '"');
        for (size_t i = 0; i < shown; i++) {
            if (p[i] == '"' || p[i] == '\\')
                lml_strbuf_putc(sb, '\\');
            lml_strbuf_putc(sb, (char)p[i]);
        }
        lml_strbuf_putc(sb, '"');
    } else {
        shown = n > CUT ? CUT : n;
        lml_strbuf_puts(sb, "0x");
        for (size_t i = 0; i < shown; i++)
            lml_strbuf_printf(sb, "%02X", p[i]);
    }
    if (shown < n)
        lml_strbuf_puts(sb, "...");
}

static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* One bound as text (malloc'd), or NULL when absent; *ok false on allocation failure. */
static char *format_bound(int32_t physical, const lml_pq_bytes *b, bool *ok)
{
    if (!b->data)
        return NULL;
    lml_strbuf sb = {0};
    char num[LML_DOUBLE_BUF];
    if (physical == LML_PQ_BOOLEAN && b->len == 1 && b->data[0] <= 1) {
        lml_strbuf_puts(&sb, b->data[0] ? "true" : "false");
    } else if (physical == LML_PQ_INT32 && b->len == 4) {
        lml_strbuf_printf(&sb, "%d", (int)(int32_t)(uint32_t)le(b->data, 4));
    } else if (physical == LML_PQ_INT64 && b->len == 8) {
        lml_strbuf_printf(&sb, "%lld", (long long)(int64_t)le(b->data, 8));
    } else if (physical == LML_PQ_FLOAT && b->len == 4) {
        float x;
        memcpy(&x, b->data, 4);
        lml_format_double_shortest(x, num);
        lml_strbuf_puts(&sb, num);
    } else if (physical == LML_PQ_DOUBLE && b->len == 8) {
        double x;
        memcpy(&x, b->data, 8);
        lml_format_double_shortest(x, num);
        lml_strbuf_puts(&sb, num);
    } else if (physical == LML_PQ_BYTE_ARRAY || physical == LML_PQ_FIXED_LEN_BYTE_ARRAY) {
        format_bytes(&sb, b->data, b->len);
    } else {
        /* INT96, unknown types and bounds whose width does not match their type: the bytes. */
        lml_strbuf_puts(&sb, "0x");
        for (size_t i = 0; i < b->len && i < 64; i++)
            lml_strbuf_printf(&sb, "%02X", b->data[i]);
        if (b->len > 64)
            lml_strbuf_puts(&sb, "...");
    }
    char *s = lml_strbuf_finish(&sb, NULL);
    *ok = s != NULL;
    return s;
}

/* ---- building */

static bool chunk_text_make(const lml_pq_column_chunk *cc, chunk_text *t, lml_error *err)
{
    if (!cc->has_meta_data)
        return true;
    const lml_pq_column_meta *m = &cc->meta;
    t->present = true;
    enum_name(physical_names, sizeof physical_names / sizeof *physical_names, m->type, t->physical,
              sizeof t->physical);
    enum_name(codec_names, sizeof codec_names / sizeof *codec_names, m->codec, t->codec, sizeof t->codec);
    lml_strbuf sb = {0};
    for (size_t i = 0; i < m->path_len; i++) {
        if (i)
            lml_strbuf_putc(&sb, '.');
        lml_strbuf_puts(&sb, m->path_in_schema[i] ? m->path_in_schema[i] : "");
    }
    /* lml_strbuf_finish does not terminate a buffer nothing was appended to: append nothing. */
    lml_strbuf_append(&sb, "", 0);
    t->path = lml_strbuf_finish(&sb, err);
    for (size_t i = 0; i < m->num_encodings; i++) {
        char name[32];
        enum_name(encoding_names, sizeof encoding_names / sizeof *encoding_names, m->encodings[i], name, sizeof name);
        lml_strbuf_printf(&sb, "%s%s", i ? "," : "", name);
    }
    lml_strbuf_append(&sb, "", 0);
    t->encodings = lml_strbuf_finish(&sb, err);
    if (!t->path || !t->encodings)
        return false;
    const lml_pq_statistics *st = &m->statistics;
    if (!st->present)
        return true;
    bool use_new = st->min_value.data || st->max_value.data;
    bool ok1 = true, ok2 = true;
    t->min = format_bound(m->type, use_new ? &st->min_value : &st->min, &ok1);
    t->max = format_bound(m->type, use_new ? &st->max_value : &st->max, &ok2);
    if (!ok1 || !ok2)
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    return true;
}

static void chunk_text_clear(chunk_text *t)
{
    free(t->path);
    free(t->encodings);
    free(t->min);
    free(t->max);
}

lml_parquet_footer *lml_parquet_footer_read(const char *path, lml_error *err)
{
    if (!path) {
        lml_error_set(err, LML_EINVAL, "lml_parquet_footer_read: path is NULL");
        return NULL;
    }
    size_t len = 0;
    uint8_t *buf = read_footer_bytes(path, &len, err);
    if (!buf)
        return NULL;
    lml_parquet_footer *ft = calloc(1, sizeof *ft);
    if (!ft) {
        free(buf);
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    bool ok = lml_pq_file_meta_decode(buf, len, path, &ft->meta, err);
    free(buf);
    if (!ok) {
        lml_parquet_footer_free(ft);
        return NULL;
    }
    if (ft->meta.encrypted) {
        lml_error_set(err, LML_EUNSUPPORTED, "%s: encrypted Parquet file (encryption_algorithm set)", path);
        lml_parquet_footer_free(ft);
        return NULL;
    }
    size_t nrg = ft->meta.num_row_groups;
    ft->first = calloc(nrg + 1, sizeof *ft->first);
    if (!ft->first)
        goto nomem;
    for (size_t i = 0; i < nrg; i++) {
        ft->first[i] = ft->num_chunks;
        if (__builtin_add_overflow(ft->num_chunks, ft->meta.row_groups[i].num_columns, &ft->num_chunks))
            goto nomem;
    }
    ft->first[nrg] = ft->num_chunks;
    ft->chunks = calloc(ft->num_chunks + 1, sizeof *ft->chunks);
    if (!ft->chunks)
        goto nomem;
    for (size_t i = 0; i < nrg; i++)
        for (size_t c = 0; c < ft->meta.row_groups[i].num_columns; c++)
            if (!chunk_text_make(&ft->meta.row_groups[i].columns[c], &ft->chunks[ft->first[i] + c], err)) {
                lml_parquet_footer_free(ft);
                return NULL;
            }
    return ft;
nomem:
    lml_error_set(err, LML_ENOMEM, "%s: out of memory", path);
    lml_parquet_footer_free(ft);
    return NULL;
}

void lml_parquet_footer_free(lml_parquet_footer *ft)
{
    if (!ft)
        return;
    for (size_t i = 0; ft->chunks && i < ft->num_chunks; i++)
        chunk_text_clear(&ft->chunks[i]);
    free(ft->chunks);
    free(ft->first);
    lml_pq_file_meta_clear(&ft->meta);
    free(ft);
}

size_t lml_parquet_footer_num_row_groups(const lml_parquet_footer *ft) { return ft->meta.num_row_groups; }

bool lml_parquet_footer_row_group(const lml_parquet_footer *ft, size_t rg, lml_parquet_row_group_info *out)
{
    if (rg >= ft->meta.num_row_groups)
        return false;
    const lml_pq_row_group *g = &ft->meta.row_groups[rg];
    out->num_rows = g->num_rows;
    out->total_byte_size = g->total_byte_size;
    out->total_compressed_size = g->has_total_compressed_size ? g->total_compressed_size : -1;
    out->num_columns = g->num_columns;
    return true;
}

bool lml_parquet_footer_chunk(const lml_parquet_footer *ft, size_t rg, size_t col, lml_parquet_chunk_info *out)
{
    if (rg >= ft->meta.num_row_groups || col >= ft->meta.row_groups[rg].num_columns)
        return false;
    const chunk_text *t = &ft->chunks[ft->first[rg] + col];
    if (!t->present)
        return false;
    const lml_pq_column_meta *m = &ft->meta.row_groups[rg].columns[col].meta;
    *out = (lml_parquet_chunk_info){
        .path = t->path,
        .physical_type = t->physical,
        .encodings = t->encodings,
        .codec = t->codec,
        .num_values = m->num_values,
        .compressed_size = m->total_compressed_size,
        .uncompressed_size = m->total_uncompressed_size,
        .min = t->min,
        .max = t->max,
        .has_null_count = m->statistics.present && m->statistics.has_null_count,
        .null_count = m->statistics.null_count,
    };
    return true;
}
