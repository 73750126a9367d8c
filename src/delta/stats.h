/* Per-file statistics written with each add action (delta.md §8.6): the `stats` JSON string.
 * Internal header. */
#ifndef LML_DELTA_STATS_H
#define LML_DELTA_STATS_H

#include <stdbool.h>
#include "lakeml/frame.h"
#include "schema.h"

/* The stats JSON of the rows of `data` (the columns of one data file, partition columns
 * already removed) for table `schema`: {"numRecords":n,"minValues":{…},"maxValues":{…},
 * "nullCount":{…},"tightBounds":true}. Statistics cover the first `num_indexed_cols` leaf columns
 * in schema order (delta.dataSkippingNumIndexedCols, default 32; -1 = all), keyed by physical
 * name when `physical` (column mapping), nested structs as nested objects; min/max for numbers,
 * strings (the first 32 characters; the max followed by a tie-breaker as §8.6 says, or left out
 * when none exists), dates ("yyyy-MM-dd"), timestamps ("yyyy-MM-ddTHH:mm:ss.SSSZ", truncated to
 * milliseconds; the max rounded up so it still bounds), decimals (JSON numbers) and booleans
 * not at all; NaN values are left out of min/max (a column of only NaN has none); lists, maps and
 * vectors only get nullCount. malloc'd. */
char *lml_delta_stats_json(const lml_frame *data, const lml_delta_schema *schema, int num_indexed_cols, bool physical,
                           lml_error *err);

/* The same statistics gathered a batch at a time (a file written row group by row group, as
 * OPTIMIZE does): null counts summed, min/max merged (string bounds copied, so batches need not
 * outlive the call), numRecords the total. Every batch must have the first batch's columns. The
 * JSON of batches b1…bk is byte for byte lml_delta_stats_json of their concatenation. */
typedef struct lml_delta_stats_acc lml_delta_stats_acc;
lml_delta_stats_acc *lml_delta_stats_acc_new(const lml_delta_schema *schema, int num_indexed_cols, bool physical,
                                             lml_error *err);
bool lml_delta_stats_acc_add(lml_delta_stats_acc *a, const lml_frame *data, lml_error *err);
size_t lml_delta_stats_acc_rows(const lml_delta_stats_acc *a);
/* The stats JSON of everything added (LML_EINVAL when nothing was). malloc'd. */
char *lml_delta_stats_acc_json(const lml_delta_stats_acc *a, lml_error *err);
void lml_delta_stats_acc_free(lml_delta_stats_acc *a);

#endif
