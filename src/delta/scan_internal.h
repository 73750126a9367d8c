/* What lml_delta_table_read (scan.c) and the streaming scan (scan_stream.c) share: the resolved
 * projection and filters, and turning the columns read from one data file (all its row groups or
 * one of them) into table columns (scan_file.c). Internal header. */
#ifndef LML_DELTA_SCAN_INTERNAL_H
#define LML_DELTA_SCAN_INTERNAL_H

#include "dv.h"
#include "skip.h"
#include "table.h"

/* The columns a scan returns and the filters it skips with. */
typedef struct lml_delta_scan_spec {
    const lml_delta_table *t;
    size_t ncols;
    const lml_delta_field **fields; /* projected fields, in output order */
    bool *is_partition;
    const lml_parquet_predicate *row_group_filter; /* passed to the Parquet reader (physical name) */
    lml_parquet_predicate rg_pred;
    lml_delta_skip_filter *filters; /* opt->num_filters entries */
    size_t nfilters;
} lml_delta_scan_spec;

/* Resolves opt's projection and filters against t (LML_ENOTFOUND for unknown columns). */
bool lml_delta_scan_spec_init(lml_delta_scan_spec *s, const lml_delta_table *t, const lml_delta_read_options *opt,
                              lml_error *err);
void lml_delta_scan_spec_clear(lml_delta_scan_spec *s);
/* The files the filters cannot skip, in log order (malloc'd array of pointers into t). */
const lml_delta_file **lml_delta_scan_files(const lml_delta_scan_spec *s, size_t *n, lml_error *err);

/* One data file open for reading: its path, the Parquet file, the file columns to read (names,
 * nread of them) and where each projected column comes from (at[c]: index among those read, -1
 * for a partition column or one the file lacks), and its deletion vector's rows. */
typedef struct lml_delta_file_reader {
    const lml_delta_file *file;
    char *path;
    lml_parquet_file *pf;
    const char **names;
    size_t nread;
    long *at;
    lml_dv_rows del; /* deleted row positions in the whole file, ascending (empty without a DV) */
} lml_delta_file_reader;

/* Opens the file and, when it has one, loads its deletion vector (checked against the file's rows). */
bool lml_delta_file_reader_open(const lml_delta_scan_spec *s, const lml_delta_file *file, lml_delta_file_reader *r,
                                lml_error *err);
void lml_delta_file_reader_close(lml_delta_file_reader *r);
/* The table columns (s->ncols of them, malloc'd) for rows [row0, row0 + nrows) of the file, whose
 * read columns are `fr` (NULL when nothing is read from the file): file columns adapted to their
 * fields, partition columns from the log, missing columns as nulls, the deletion vector's rows
 * dropped. *nout receives the rows kept. */
lml_column **lml_delta_file_columns(const lml_delta_scan_spec *s, const lml_delta_file_reader *r, const lml_frame *fr,
                                    size_t row0, size_t nrows, size_t *nout, lml_error *err);
void lml_delta_columns_free(lml_column **cols, size_t n);
/* A frame of the projected columns (names and metadata from the fields); takes the columns. */
lml_frame *lml_delta_scan_frame(const lml_delta_scan_spec *s, lml_column **cols, lml_error *err);
/* One row per file with the spec's columns: the file's partition values from the log, every
 * other column null (no data file is read); for conditions on partition columns only. */
lml_frame *lml_delta_partition_rows(const lml_delta_scan_spec *s, const lml_delta_file *const *files, size_t n,
                                    lml_error *err);

#endif
