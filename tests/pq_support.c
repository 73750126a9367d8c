/* Parquet test helpers: see pq_support.h. */
#include "pq_support.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/parquet/codec.h"
#include "io/parquet/encoding.h"
#include "support.h"

/* ---- files written by lml_parquet_write */

lml_test_pq_file lml_test_pq_load(const char *path) {
    lml_test_pq_file f = {0};
    FILE *fp = fopen(path, "rb");
    cr_assert(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    f.len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    f.buf = malloc(f.len);
    cr_assert(fread(f.buf, 1, f.len, fp) == f.len);
    fclose(fp);
    cr_assert(f.len >= 12);
    cr_assert(memcmp(f.buf, "PAR1", 4) == 0 && memcmp(f.buf + f.len - 4, "PAR1", 4) == 0);
    uint32_t n = f.buf[f.len - 8] | f.buf[f.len - 7] << 8 | f.buf[f.len - 6] << 16 | (uint32_t)f.buf[f.len - 5] << 24;
    cr_assert(n > 0 && n <= f.len - 12);
    lml_error err = {0};
    cr_assert(lml_pq_file_meta_decode(f.buf + f.len - 8 - n, n, path, &f.meta, &err), "%s", err.message);
    return f;
}

void lml_test_pq_unload(lml_test_pq_file *f) {
    lml_pq_file_meta_clear(&f->meta);
    free(f->buf);
}

uint8_t *lml_test_pq_page_at(const lml_test_pq_file *f, size_t off, int codec, lml_pq_page_header *h, size_t *next) {
    lml_error err = {0};
    size_t used;
    cr_assert(lml_pq_page_header_decode(f->buf + off, f->len - off, "t", h, &used, &err), "%s", err.message);
    const uint8_t *stored = f->buf + off + used;
    cr_assert(h->has_crc && h->crc == lml_pq_crc32(stored, (size_t)h->compressed_page_size), "page CRC");
    uint8_t *body = malloc((size_t)h->uncompressed_page_size + 1);
    if (codec == LML_PQ_UNCOMPRESSED) {
        cr_assert_eq(h->compressed_page_size, h->uncompressed_page_size);
        memcpy(body, stored, (size_t)h->uncompressed_page_size);
    } else {
        cr_assert(lml_pq_decompress(codec, stored, (size_t)h->compressed_page_size, body,
                                    (size_t)h->uncompressed_page_size, "t", &err), "%s", err.message);
    }
    *next = off + used + (size_t)h->compressed_page_size;
    return body;
}

size_t lml_test_pq_levels(const uint8_t *p, int max, uint32_t *out, size_t n) {
    uint32_t L = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
    size_t used;
    lml_error err = {0};
    cr_assert(lml_pq_rle_decode(p + 4, L, lml_pq_bit_width((uint64_t)max), out, n, &used, "t", &err), "%s",
              err.message);
    return 4 + L;
}

lml_frame *lml_test_frame1(const char *name, lml_column *c) {
    lml_error err = {0};
    lml_frame *f = lml_frame_new(1, (const char *[]){name}, &c, &err);
    cr_assert(f, "%s", err.message);
    lml_column_free(c);
    return f;
}

const char *lml_test_pq_tmp_path(const char *name) {
    static char buf[4][512];
    static int slot;
    char *p = buf[slot++ % 4];
    snprintf(p, 512, "%s/%s", lml_test_temp_dir(), name);
    return p;
}

void lml_test_pq_write_ok(const lml_frame *f, const char *path, const lml_parquet_write_options *o) {
    lml_error err = {0};
    cr_assert(lml_parquet_write(f, path, o, &err), "%s", err.message);
}

const lml_parquet_write_options lml_test_pq_plain_uncompressed = {.codec = LML_PARQUET_UNCOMPRESSED,
                                                                   .disable_dictionary = true};

size_t lml_test_dir_entries(const char *dir) {
    DIR *d = opendir(dir);
    cr_assert(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

void lml_test_assert_frames_equal(const lml_frame *a, const lml_frame *b) {
    cr_assert_eq(lml_frame_num_cols(a), lml_frame_num_cols(b));
    cr_assert_eq(lml_frame_num_rows(a), lml_frame_num_rows(b));
    for (size_t c = 0; c < lml_frame_num_cols(a); c++) {
        const lml_column *x = lml_frame_column(a, c), *y = lml_frame_column(b, c);
        cr_assert_str_eq(lml_frame_column_name(a, c), lml_frame_column_name(b, c));
        cr_assert_eq(lml_column_type(x), lml_column_type(y), "column %zu", c);
        for (size_t i = 0; i < lml_column_length(x); i++) {
            lml_value u = lml_column_get(x, i), v = lml_column_get(y, i);
            cr_assert_eq(u.is_null, v.is_null, "column %zu row %zu", c, i);
            if (u.is_null) continue;
            switch (u.type) {
            case LML_BOOL: cr_assert_eq(u.v.b, v.v.b); break;
            case LML_INT32:
            case LML_DATE: cr_assert_eq(u.v.i32, v.v.i32, "column %zu row %zu", c, i); break;
            case LML_DOUBLE: cr_assert(memcmp(&u.v.f64, &v.v.f64, 8) == 0, "column %zu row %zu", c, i); break;
            case LML_STRING:
            case LML_BINARY:
                cr_assert_eq(u.v.str.len, v.v.str.len, "column %zu row %zu", c, i);
                cr_assert(memcmp(u.v.str.ptr, v.v.str.ptr, u.v.str.len) == 0, "column %zu row %zu", c, i);
                break;
            case LML_VECTOR: {
                size_t d = lml_column_vector_size(x);
                cr_assert_eq(d, lml_column_vector_size(y));
                for (size_t j = 0; j < d; j++) {
                    /* compare through the dense form whichever layout the reader chose */
                    double p = 0, q = 0;
                    if (lml_column_vector_is_sparse(x)) {
                        const int64_t *ip = lml_column_vector_indptr(x);
                        for (int64_t k = ip[i]; k < ip[i + 1]; k++)
                            if ((size_t)lml_column_vector_indices(x)[k] == j) p = lml_column_vector_values(x)[k];
                    } else p = lml_column_vector_dense(x)[i * d + j];
                    if (lml_column_vector_is_sparse(y)) {
                        const int64_t *ip = lml_column_vector_indptr(y);
                        for (int64_t k = ip[i]; k < ip[i + 1]; k++)
                            if ((size_t)lml_column_vector_indices(y)[k] == j) q = lml_column_vector_values(y)[k];
                    } else q = lml_column_vector_dense(y)[i * d + j];
                    cr_assert_eq(p, q, "vector column %zu row %zu slot %zu", c, i, j);
                }
                break;
            }
            default: cr_assert_eq(u.v.i64, v.v.i64, "column %zu row %zu", c, i);
            }
        }
    }
}

/* ---- footers decoded on their own */

void lml_test_pq_load_footer(const char *path, lml_test_pq_footer *f)
{
    FILE *fp = fopen(path, "rb");
    cr_assert(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    cr_assert(n >= 12, "%s: too short", path);
    f->data = malloc((size_t)n);
    cr_assert(fread(f->data, 1, (size_t)n, fp) == (size_t)n);
    fclose(fp);
    f->size = (size_t)n;
    cr_assert_eq(memcmp(f->data + f->size - 4, "PAR1", 4), 0, "%s: no trailing magic", path);
    const uint8_t *p = f->data + f->size - 8;
    uint32_t len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    cr_assert(len > 0 && len <= f->size - 12, "%s: footer length %u", path, len);
    f->footer = f->data + f->size - 8 - len;
    f->footer_len = len;
}

void lml_test_pq_decode_file(const char *path, lml_test_pq_footer *f, lml_pq_file_meta *m)
{
    lml_error err = {0};
    lml_test_pq_load_footer(path, f);
    cr_assert(lml_pq_file_meta_decode(f->footer, f->footer_len, path, m, &err), "%s", err.message);
}

lml_error lml_test_pq_decode_fail(const uint8_t *buf, size_t len)
{
    lml_pq_file_meta m;
    lml_error err = {0};
    cr_assert_not(lml_pq_file_meta_decode(buf, len, "bad.parquet", &m, &err), "decoded %zu bytes", len);
    cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
    cr_assert_eq(m.schema, NULL, "cleared on failure");
    return err;
}
