/* Helpers for the persistence hooks of the stage classes (save_data / load_state in
 * stage_internal.h): the recursive stage-directory save/load used by pipelines, and the
 * one-row Parquet tables under data/ with Spark's Vector and Matrix structs. Never installed. */
#ifndef LML_ML_PERSIST_INTERNAL_H
#define LML_ML_PERSIST_INTERNAL_H

#include <cjson/cJSON.h>
#include "lakeml/ml/persist.h"
#include "ml/stage_internal.h"

/* The version lakeml declares in what it writes (spec §10: a 3.5 writer uses the 3.x layouts). */
#define LML_PERSIST_SPARK_VERSION "3.5.1"

/* Saves s into the directory `dir`, which must not exist yet (created here, parents not). */
bool lml_persist_save_dir(const lml_stage *s, const char *dir, lml_error *err);
/* Loads the stage saved in `dir`. When `expect_uid` is non-NULL the saved uid must equal it. */
lml_stage *lml_persist_load_dir(const char *dir, const char *expect_uid, lml_error *err);

/* "a/b", malloc'd. */
char *lml_persist_join(const char *a, const char *b, lml_error *err);

/* Writes f as dir/sub/part-00000-<uuid>-c000.snappy.parquet plus an empty _SUCCESS. */
bool lml_persist_write_table(const char *dir, const char *sub, const lml_frame *f, lml_error *err);
/* Reads every non-hidden file of dir/sub (names starting with '_' or '.' are skipped) as Parquet,
 * in name order, joined by column name. LML_ENOTFOUND when the directory is missing or holds
 * no data file. */
lml_frame *lml_persist_read_table(const char *dir, const char *sub, lml_error *err);

/* One-row columns of Spark's ML types: a Vector (dense, or sparse by Spark's `compressed` rule)
 * and a Matrix (a rows × cols row-major array, stored dense, CSC or CSR as Spark's `compressed`
 * picks), the latter as the MatrixUDT struct {type, numRows, numCols, colPtrs, rowIndices,
 * values, isTransposed}. */
lml_column *lml_persist_vector_col(const double *v, size_t n, lml_error *err);
lml_column *lml_persist_matrix_col(const double *a, size_t rows, size_t cols, lml_error *err);

/* Cells of row r of the column named `col` of a data table read from `where` (the directory, for
 * messages). The column must exist with the exact type Spark writes (int32, double, boolean),
 * and must not be null; else LML_EFORMAT naming where, the column and what was found. */
bool lml_persist_cell_int(const lml_frame *f, const char *where, const char *col, size_t r, int32_t *out,
                          lml_error *err);
bool lml_persist_cell_double(const lml_frame *f, const char *where, const char *col, size_t r, double *out,
                             lml_error *err);
bool lml_persist_cell_bool(const lml_frame *f, const char *where, const char *col, size_t r, bool *out,
                           lml_error *err);
/* A Vector cell (the VectorUDT struct, or a vector column) as a dense malloc'd array of *n. */
bool lml_persist_cell_vector(const lml_frame *f, const char *where, const char *col, size_t r, double **out,
                             size_t *n, lml_error *err);
/* A Matrix cell in any of Spark's four forms as a dense malloc'd row-major array. */
bool lml_persist_cell_matrix(const lml_frame *f, const char *where, const char *col, size_t r, double **out,
                             size_t *rows, size_t *cols, lml_error *err);
/* The list cell of a list<string> column `list` at row r: *n borrowed string pointers into the
 * column and their byte lengths (the strings are not NUL-terminated; both arrays malloc'd,
 * free *out and *lens; nulls are an error). */
bool lml_persist_list_strings(const lml_column *list, const char *where, const char *col, size_t r,
                              const char ***out, size_t **lens, size_t *n, lml_error *err);
/* The list cell of a list<int32> column as a malloc'd array. */
bool lml_persist_list_ints(const lml_column *list, const char *where, const char *col, size_t r, int32_t **out,
                           size_t *n, lml_error *err);

/* Metadata helpers for hooks: an integer member of meta (extras such as numFeatures) and the
 * paramMap object (NULL when absent). */
bool lml_persist_meta_int(const cJSON *meta, const char *where, const char *key, int64_t *out, lml_error *err);
const cJSON *lml_persist_param_map(const cJSON *meta);

#endif
