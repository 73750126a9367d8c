/* Helpers of the `lakeml score` tests (tests/unit/test_cli_score*.c). They check with
 * cr_assert, so they fail the calling Criterion test. */
#ifndef LML_TEST_CLI_SCORE_SUPPORT_H
#define LML_TEST_CLI_SCORE_SUPPORT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include "lakeml/lakeml.h"

/* Rows of the clean test table. */
#define NROWS 200

/* The CSV text of n rows (malloc'd): id, cat, x1, x2, label. Row `unseen_at` (1-based, 0 = none)
 * gets the category "violet", which the model never saw; row `null_at` gets an empty x1. */
char *make_csv(size_t n, size_t unseen_at, size_t null_at);
/* A path named `name` in a fresh temporary directory (static buffer, 8 slots). */
const char *tmp_path(const char *name);
/* Writes text to tmp_path(name) and returns the path. */
const char *write_text(const char *name, const char *text);
/* Reads a CSV file with a header and schema inference. */
lml_frame *read_csv(const char *path);
/* StringIndexer(cat; handleInvalid = indexer_invalid or the default) + OneHotEncoder +
 * VectorAssembler(catVec, x1, x2) + LogisticRegression(label). */
lml_stage *lr_pipeline(const char *indexer_invalid);
/* StringIndexer + VectorAssembler(catIdx, x1, x2) + RandomForestClassifier(5 trees). */
lml_stage *rf_pipeline(void);
/* Fits the pipeline (freeing it), saves the model; returns its directory (static buffer slot). */
const char *fit_and_save(lml_stage *pipeline, const lml_frame *train);
/* lml_transform of the whole input with the saved model, restricted to cols. */
lml_frame *expected(const char *model_dir, const lml_frame *in, const char *const *cols);
/* The input's columns plus the classifier's outputs: what score writes by default. */
extern const char *const default_cols[];
/* The doubles of cell i (a double, a vector, a VectorUDT struct or dense vector text); how many. */
size_t cell_doubles(const lml_column *c, size_t i, double *out, size_t cap);
/* got holds want's rows and columns in order: numbers and vectors bit for bit, the rest by text. */
void assert_same_rows(const lml_frame *got, const lml_frame *want, const char *what);
/* Reads an output back: CSV by its name, Parquet by its name, else a Delta table. */
lml_frame *read_output(const char *path);
/* Runs `lakeml score ARGS` (NULL-terminated, at most 20), asserts success and one line of JSON
 * on stdout, and returns the parsed summary. */
cJSON *run_ok(const char *const *args);
/* The summary's number `key` (asserting it is there). */
double num(const cJSON *j, const char *key);
/* The summary's counts; batches < 0 is not checked. */
void expect_counts(const cJSON *j, double read, double written, double bad, double skipped, double batches);

/* The clean table as CSV, Parquet (small row groups) and a Delta table, and the LR pipeline fitted
 * on it and saved. */
typedef struct fixture {
    const char *csv, *parquet, *delta, *model;
    lml_frame *in;
} fixture;
fixture fixture_setup(void);
void fixture_teardown(fixture *fx);

/* The JSON lines of a bad-records file, parsed (malloc'd). */
cJSON **bad_lines(const char *path, size_t *n);
void free_lines(cJSON **v, size_t n);
/* in without its rows `skip` (1-based, ascending, 0-terminated). */
lml_frame *without_rows(const lml_frame *in, const size_t *skip);

#endif
