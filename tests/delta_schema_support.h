/* Helpers shared by tests/unit/test_delta_schema*.c (Delta table schemas). They check with
 * cr_assert, so they fail the calling Criterion test. */
#ifndef LML_TEST_DELTA_SCHEMA_SUPPORT_H
#define LML_TEST_DELTA_SCHEMA_SUPPORT_H

#include "delta/schema.h"
#include "lakeml/lakeml.h"

/* Parses json into *s, asserting success. */
void lml_test_schema_parse_ok(const char *json, lml_delta_schema *s);
/* f is named `name` and its type prints as `type`. */
void lml_test_schema_expect_type(const lml_delta_field *f, const char *name, const char *type);
/* The schema's Spark JSON (malloc'd), asserting success. */
char *lml_test_schema_to_json(const lml_delta_schema *s);
/* A frame with every kind of column, for the frame → schema tests: i (integer, with ml_attr
 * metadata), s (string), d (decimal(9,2)), l (array<double>), m (map<string,long>),
 * st (struct<b8:byte,ntz:timestamp_ntz>), vec (vector), f (float); 2 rows. */
lml_frame *lml_test_schema_sample_frame(void);

#endif
