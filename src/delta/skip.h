/* File skipping by partition values and per-file statistics (delta.md §8.6). Internal header. */
#ifndef LML_DELTA_SKIP_H
#define LML_DELTA_SKIP_H

#include <stdbool.h>
#include <stddef.h>
#include "actions.h"
#include "lakeml/parquet.h"
#include "schema.h"

/* One read filter resolved against the table: the top-level field it names, and the key it has
 * in partitionValues or in the stats objects (the physical name under column mapping). */
typedef struct lml_delta_skip_filter {
    const lml_parquet_predicate *pred;
    const lml_delta_field *field;
    const char *key;
    bool partition;
} lml_delta_skip_filter;

/* True when the file's partition values or statistics prove that no row of it satisfies every
 * filter (their AND). */
bool lml_delta_file_skipped(const lml_delta_file *file, const lml_delta_skip_filter *filters, size_t n);

#endif
