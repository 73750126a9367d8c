/* Helpers shared by the Parquet test files (tests/unit/test_parquet_*.c). They check with
 * cr_assert, so they fail the calling Criterion test like an assertion written in its body. */
#ifndef LML_TEST_PQ_SUPPORT_H
#define LML_TEST_PQ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include "io/parquet/meta.h"
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"

/* ---- files written by lml_parquet_write (test_parquet_write*.c) */

/* A whole file in memory with its footer decoded. */
typedef struct lml_test_pq_file {
    uint8_t *buf;
    size_t len;
    lml_pq_file_meta meta;
} lml_test_pq_file;

/* Reads path, checks both magics and decodes the footer. */
lml_test_pq_file lml_test_pq_load(const char *path);
void lml_test_pq_unload(lml_test_pq_file *f);
/* Decodes the page header at off and returns its decompressed body (malloc'd). */
uint8_t *lml_test_pq_page_at(const lml_test_pq_file *f, size_t off, int codec, lml_pq_page_header *h, size_t *next);
/* Decodes a v1 level section (u32 length + RLE hybrid) of n entries; returns bytes consumed. */
size_t lml_test_pq_levels(const uint8_t *p, int max, uint32_t *out, size_t n);
/* A one-column frame; takes ownership of c. */
lml_frame *lml_test_frame1(const char *name, lml_column *c);
/* name inside a fresh temporary directory (static buffers, four slots). */
const char *lml_test_pq_tmp_path(const char *name);
void lml_test_pq_write_ok(const lml_frame *f, const char *path, const lml_parquet_write_options *o);
extern const lml_parquet_write_options lml_test_pq_plain_uncompressed;
/* Entries of dir other than . and .. */
size_t lml_test_dir_entries(const char *dir);
/* Same names, types and cells; doubles bit for bit, vectors through their dense form. */
void lml_test_assert_frames_equal(const lml_frame *a, const lml_frame *b);

/* ---- footers decoded on their own (test_parquet_meta*.c) */

typedef struct lml_test_pq_footer {
    uint8_t *data;
    size_t size;
    const uint8_t *footer; /* FileMetaData bytes */
    size_t footer_len;
} lml_test_pq_footer;

/* Reads a whole file and locates its footer as spec/parquet.md §1 says. */
void lml_test_pq_load_footer(const char *path, lml_test_pq_footer *f);
/* lml_test_pq_load_footer, then decodes the footer into m. */
void lml_test_pq_decode_file(const char *path, lml_test_pq_footer *f, lml_pq_file_meta *m);
/* Decoding len bytes of buf must fail with LML_EFORMAT and leave m cleared; returns the error. */
lml_error lml_test_pq_decode_fail(const uint8_t *buf, size_t len);

#endif
