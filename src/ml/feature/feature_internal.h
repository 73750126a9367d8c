/* Helpers shared by the feature transformers (never installed): the single-vs-multi column
 * params, refcounted learned state, building stages from constructors, and adding an output
 * column with its ML attribute metadata. */
#ifndef LML_ML_FEATURE_INTERNAL_H
#define LML_ML_FEATURE_INTERNAL_H

#include <stdatomic.h>
#include "lakeml/ml/feature.h"
#include "ml/attr.h"
#include "ml/stage_internal.h"

/* The stage classes, for registries that create stages by Spark class name (lakeml fit, load). */
extern const lml_stage_vtable lml_string_indexer_vt, lml_string_indexer_model_vt, lml_index_to_string_vt,
    lml_one_hot_encoder_vt, lml_one_hot_encoder_model_vt, lml_vector_assembler_vt, lml_standard_scaler_vt,
    lml_standard_scaler_model_vt, lml_imputer_vt, lml_imputer_model_vt;

/* The column pairs a stage works on: inputCol/outputCol (n = 1, outputCol defaulting to
 * "<uid>__output") or inputCols/outputCols. `in` is borrowed from the stage, `out` owned. */
typedef struct lml_feat_cols {
    size_t n;
    const char **in;
    char **out;
} lml_feat_cols;

/* Reads the pairs; setting both forms, neither, or lists of different lengths is an
 * LML_EINVAL error naming the stage. multi = false: only inputCol/outputCol exist. */
bool lml_feat_cols_get(const lml_stage *s, bool multi, lml_feat_cols *c, lml_error *err);
void lml_feat_cols_free(lml_feat_cols *c);

/* Every state struct starts with this header; retain/release are the vtable hooks. */
typedef struct lml_feat_state {
    atomic_long refs;
    void (*destroy)(void *self);
} lml_feat_state;
void lml_feat_state_retain(void *st);
void lml_feat_state_release(void *st);

/* Creates a stage of vt and sets inputCol/outputCol (single) or inputCols/outputCols (lists);
 * NULL arguments are left unset. NULL when out of memory or a name is rejected. */
lml_stage *lml_feat_new(const lml_stage_vtable *vt, const char *in, const char *out, const char *const *ins,
                        const char *const *outs);

/* A frame equal to df plus (or with replaced) column `name` = col carrying `meta` (JSON or
 * NULL). Consumes col and meta whatever happens. */
lml_frame *lml_feat_add(const lml_frame *df, const char *name, lml_column *col, char *meta, lml_error *err);

/* Prefixes err's message with the stage uid ("StringIndexer_ab12…: "). Returns false. */
bool lml_feat_fail(const lml_stage *s, lml_error *err);

/* Rows idx[0..n) of df (a frame of the kept rows for handleInvalid=skip). */
lml_frame *lml_feat_take_rows(const lml_frame *df, const size_t *idx, size_t n, lml_error *err);

/* Row i's value of a numeric or bool column as a double (NaN for null). */
double lml_feat_num(const lml_column *c, size_t i);
bool lml_feat_is_numeric(lml_type t); /* bool, int32, int64, double */

/* Marks rows with null[i] true as null in a freshly built column (one that nobody else holds
 * yet, e.g. a vector column, whose constructors take no validity). */
bool lml_feat_set_nulls(lml_column *col, const bool *null, lml_error *err);

/* A string → index hash map with its own copies of the keys (StringIndexer labels). */
typedef struct lml_strmap_slot {
    char *key; /* NULL: empty slot */
    size_t len;
    uint64_t hash;
    int64_t val;
} lml_strmap_slot;
typedef struct lml_strmap {
    lml_strmap_slot *slots;
    size_t cap, n;
} lml_strmap;
/* The value slot of key (inserted with value 0 and *created = true when new). NULL on ENOMEM. */
int64_t *lml_strmap_upsert(lml_strmap *m, const char *key, size_t len, bool *created, lml_error *err);
/* The value of key, or -1. */
int64_t lml_strmap_get(const lml_strmap *m, const char *key, size_t len);
void lml_strmap_free(lml_strmap *m);

/* Java's String.compareTo on UTF-8 input: UTF-16 code-unit order (supplementary characters
 * sort before U+E000…U+FFFF), a proper prefix first. */
int lml_feat_utf16_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
