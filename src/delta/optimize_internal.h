/* OPTIMIZE (delta.md §11) split in pieces: choosing files and bins (optimize_plan.c), streaming
 * a bin's rows into output files (optimize_write.c), the Z-order curve (zorder.c) and the
 * commit (optimize.c). Internal header. */
#ifndef LML_DELTA_OPTIMIZE_INTERNAL_H
#define LML_DELTA_OPTIMIZE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "actions.h"
#include "scan_internal.h"
#include "stats.h"
#include "table.h"

/* Spark's spark.databricks.delta.optimize.maxDeletedRowsRatio. */
#define LML_OPT_MAX_DELETED_RATIO 0.05
/* spark.databricks.io.skipping.mdc.rangeId.max: range ids per Z-order column are 0..999. */
#define LML_ZORDER_RANGES 1000
/* Columns one Z-order key interleaves (4 bytes each). */
#define LML_ZORDER_MAX_COLUMNS 64

/* Files of one partition rewritten together (their partition values are the first file's). */
typedef struct lml_opt_bin {
    const lml_delta_file **files;
    size_t nfiles;
    int64_t bytes; /* sum of the files' sizes */
} lml_opt_bin;

/* One OPTIMIZE run: the table, its settings and the actions gathered (removes and adds). */
typedef struct lml_opt_ctx {
    const lml_delta_table *t;
    const char *root;
    int64_t max_file_size, min_file_size;
    const char *const *zorder; /* resolved to the schema's spelling; nz of them */
    size_t nz;
    int indexed;               /* delta.dataSkippingNumIndexedCols */
    int counter;               /* part-NNNNN of the next output */
    int64_t now;               /* deletionTimestamp of the removes */
    lml_delta_action *actions;
    size_t nactions, cap;
    int64_t dvs_removed;       /* inputs that carried a deletion vector */
} lml_opt_ctx;

/* ---- optimize_plan.c */

/* The live files the partition predicate `where` (NULL/"" = all) selects: selected[i] for
 * t's file i. Every column the predicate names must be a partition column (LML_EINVAL with
 * Spark's DELTA_NON_PARTITION_COLUMN_REFERENCE message otherwise). *predicate receives Spark's
 * operationParameters.predicate text (a JSON array of the printed expression, "[]" without one). */
bool lml_opt_select(const lml_delta_table *t, const char *where, bool *selected, char **predicate, lml_error *err);
/* Groups the selected files into bins. Bin-packing (zorder false): files smaller than
 * min_file_size or whose deletion vector deletes more than 5% of their rows, per partition,
 * sorted by size, greedily packed up to max_file_size; single-file bins are dropped unless the
 * file has a deletion vector to purge. Z-order: every selected file of a partition in one bin.
 * Bins come out in partition-value order. */
bool lml_opt_bins(const lml_opt_ctx *c, const bool *selected, bool zorder, lml_opt_bin **bins, size_t *nbins,
                  lml_error *err);
void lml_opt_bins_free(lml_opt_bin *bins, size_t n);

/* ---- optimize_write.c */

/* Adds a remove (dataChange false, the file's deletion vector kept on it) for an input. */
bool lml_opt_remove(lml_opt_ctx *c, const lml_delta_file *f, lml_error *err);

/* Uncompressed bytes the output row groups of one bin buffer together (one output: its row
 * group size; Z-order's outputs share it). The writer holds a row group's rows and, while it
 * joins the pieces and while it encodes them, about as much again, so OPTIMIZE's peak memory is
 * about twice this plus one input row group, whatever the table's size. */
#define LML_OPT_ROW_GROUP_BUDGET ((size_t)64 << 20)

/* One output data file being written: a streaming Parquet writer and the stats of its rows. */
typedef struct lml_opt_out {
    lml_parquet_writer *w;
    lml_delta_stats_acc *stats;
    char *rel;  /* path relative to the root, not yet URI-encoded */
    char *full;
} lml_opt_out;

/* Starts an output file in the partition directory of `pv` (named as the writer names files).
 * row_group_size: uncompressed bytes per output row group. */
bool lml_opt_out_open(lml_opt_ctx *c, const lml_delta_map *pv, size_t row_group_size, lml_opt_out *o, lml_error *err);
bool lml_opt_out_write(lml_opt_out *o, const lml_frame *f, lml_error *err);
/* Finishes the file and adds its add action (dataChange false, fresh stats); an output that got
 * no rows is dropped instead. Frees o whatever happens. */
bool lml_opt_out_close(lml_opt_ctx *c, lml_opt_out *o, const lml_delta_map *pv, lml_error *err);
void lml_opt_out_abort(lml_opt_out *o);

/* Calls fn with each row group of each file in turn (the columns `columns` of the table, NULL =
 * every data column, deletion vectors applied); memory is one row group. */
typedef bool (*lml_opt_piece_fn)(void *ctx, const lml_frame *piece, lml_error *err);
bool lml_opt_stream(const lml_opt_ctx *c, const lml_delta_file *const *files, size_t n, const char *const *columns,
                    lml_opt_piece_fn fn, void *ctx, lml_error *err);
/* The table's data (non-partition) column names, NULL-terminated (malloc'd array of borrowed names). */
const char **lml_opt_data_columns(const lml_delta_table *t, lml_error *err);

/* Bin-packing: the bin's rows streamed into one output file. */
bool lml_opt_compact_bin(lml_opt_ctx *c, const lml_opt_bin *b, lml_error *err);

/* ---- zorder.c */

/* Z-order: the bin's rows redistributed along the curve into max(1, bytes / max_file_size)
 * files of equal row counts. */
bool lml_opt_zorder_bin(lml_opt_ctx *c, const lml_opt_bin *b, lml_error *err);
/* Spark's interleave_bits: for bit b = 31 … 0, for column i = 0 … n-1, bit b of rid[i] is the
 * next output bit, filled MSB-first; out receives 4·n bytes. */
void lml_zorder_interleave(const uint32_t *rid, size_t n, uint8_t *out);
/* Range-partition bounds (Spark's RangePartitioner.determineBounds with unit weights) of the
 * sorted keys v[0..n): at most parts - 1 strictly increasing upper bounds, written to bounds;
 * returns how many. */
size_t lml_zorder_bounds(const uint64_t *sorted, size_t n, size_t parts, uint64_t *bounds);
/* True for the column types a Z-order key can be built from. */
bool lml_zorder_type_ok(lml_type t);
/* The range id of key: the first bound >= key (nbounds when above them all). */
uint32_t lml_zorder_range_id(const uint64_t *bounds, size_t nbounds, uint64_t key);

#endif
