/* Sample binary and nested columns shared by tests/unit/test_frame_nested*.c, and checks of
 * printSchema/show text. They check with cr_assert, so they fail the calling Criterion test. */
#ifndef LML_TEST_NESTED_SUPPORT_H
#define LML_TEST_NESTED_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include "lakeml/lakeml.h"

lml_column *lml_test_ints(const int32_t *v, const uint8_t *valid, size_t n);
lml_column *lml_test_strs(const char *const *v, size_t n);
/* list<int>: [1, 2, NULL], NULL, [], [4] — nulls at both levels. */
lml_column *lml_test_sample_list(void);
/* map<string, long>: {a -> 1, b -> NULL}, {}, NULL, {c -> -7}. */
lml_column *lml_test_sample_map(void);
/* binary: 01 02 0A, (empty), NULL, FF. */
lml_column *lml_test_sample_binary(void);
/* array<struct<x: int, y: double>>: [{1, 0.5}, {2, NULL}], [{3, -1.0}], NULL, []. */
lml_column *lml_test_sample_list_of_struct(void);
/* A frame of the n columns; takes ownership of them. */
lml_frame *lml_test_frame_of(size_t n, const char *const *names, lml_column **cols);
/* Columns a (list), s (struct<a: int, b: string>), m (map), bin, ls: the samples above, 4 rows. */
lml_frame *lml_test_sample_frame(void);
/* printSchema text of f is exactly want. */
void lml_test_assert_schema(const lml_frame *f, const char *want);
/* show(n, truncate) text of f is exactly want. */
void lml_test_assert_show(const lml_frame *f, size_t n, int truncate, const char *want);

#endif
