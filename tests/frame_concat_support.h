/* Columns of every type built in parts, shared by tests/unit/test_frame_concat*.c. They check
 * with cr_assert, so they fail the calling Criterion test. */
#ifndef LML_TEST_FRAME_CONCAT_SUPPORT_H
#define LML_TEST_FRAME_CONCAT_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include "lakeml/lakeml.h"

typedef enum lml_test_concat_kind {
    K_BOOL, K_INT8, K_INT16, K_INT32, K_INT64, K_FLOAT, K_DOUBLE, K_STRING, K_BINARY, K_DATE, K_TIMESTAMP,
    K_TIMESTAMP_NTZ, K_DECIMAL, K_DENSE, K_SPARSE, K_LIST_STR, K_STRUCT, K_MAP
} lml_test_concat_kind;

/* A part of n rows (n <= 128) of kind k whose row i holds a value derived from g = base + i, with
 * nulls at odd rows (so parts' bitmaps meet mid-byte when concatenated). */
lml_column *lml_test_concat_part(lml_test_concat_kind k, size_t n, size_t base);
/* list<string> of n rows (n <= 128); row i (g = base + i) holds g % 4 strings "e<g>_<k>", with a
 * null element now and then. The child starts with a junk element (offsets[0] = 1), and with
 * `nulls` each odd row is null and its range holds one junk element, which concatenation must
 * drop. */
lml_column *lml_test_concat_list_of_strings(size_t n, size_t base, bool nulls);

#endif
