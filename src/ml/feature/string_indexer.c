/* StringIndexer / StringIndexerModel (spec §4): labels ordered by frequency or alphabet with
 * Java's tie-break, numbers cast to strings as Spark casts them, handleInvalid error/skip/keep,
 * and a nominal attribute on each output column. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "lakeml/log.h"
#include "ml/feature/feature_internal.h"
#include "ml/persist/persist_internal.h"

typedef struct {
    lml_feat_state h;
    size_t ncols;
    char ***labels;   /* labels[c][k]: NUL-terminated (the strmap keys own the bytes) */
    size_t *nlabels;
    lml_strmap *maps; /* label → index, per column */
} si_state;

static void si_destroy(void *p)
{
    si_state *st = p;
    for (size_t c = 0; c < st->ncols; c++) {
        free(st->labels[c]);
        lml_strmap_free(&st->maps[c]);
    }
    free(st->labels);
    free(st->nlabels);
    free(st->maps);
    free(st);
}

static bool check_order(const lml_param_value *v, lml_error *err)
{
    static const char *const ok[] = {"frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc"};
    for (size_t i = 0; i < 4; i++)
        if (strcmp(v->v.s, ok[i]) == 0)
            return true;
    return lml_error_set(err, LML_EINVAL,
                         "must be one of frequencyDesc, frequencyAsc, alphabetDesc, alphabetAsc; got '%s'", v->v.s);
}

static const lml_param_def si_params[] = {
    {.name = "inputCol", .type = LML_PARAM_STRING, .doc = "input column name"},
    {.name = "outputCol", .type = LML_PARAM_STRING, .doc = "output column name"},
    {.name = "inputCols", .type = LML_PARAM_STRINGS, .doc = "input column names"},
    {.name = "outputCols", .type = LML_PARAM_STRINGS, .doc = "output column names"},
    {.name = "handleInvalid", .type = LML_PARAM_STRING,
     .doc = "How to handle invalid data (unseen labels or NULL values). Options are 'skip' (filter out rows with "
            "invalid data), error (throw an error), or 'keep' (put invalid data in a special additional bucket, at "
            "index numLabels).",
     .has_default = true, .def_s = "error", .check = lml_check_handle_invalid},
    {.name = "stringOrderType", .type = LML_PARAM_STRING,
     .doc = "How to order labels of string column. The first label after ordering is assigned an index of 0. "
            "Supported options: frequencyDesc, frequencyAsc, alphabetDesc, alphabetAsc.",
     .has_default = true, .def_s = "frequencyDesc", .check = check_order},
};

extern const lml_stage_vtable lml_string_indexer_vt, lml_string_indexer_model_vt;

/* Row i of c as Spark's cast to string, or NULL for null (and NaN, which Spark nulls first).
 * Numbers are formatted into buf. */
static const char *cell_str(const lml_column *c, size_t i, char buf[64], size_t *len)
{
    if (lml_column_is_null(c, i))
        return NULL;
    switch (c->type) {
    case LML_STRING: return lml_column_string_at(c, i, len);
    case LML_DOUBLE: {
        double x = ((const double *)c->values)[i];
        if (isnan(x))
            return NULL;
        *len = lml_format_double_java(x, buf);
        return buf;
    }
    case LML_INT32: *len = (size_t)snprintf(buf, 64, "%" PRId32, ((const int32_t *)c->values)[i]); return buf;
    case LML_INT64: *len = (size_t)snprintf(buf, 64, "%" PRId64, ((const int64_t *)c->values)[i]); return buf;
    default: {
        size_t n = lml_format_value(c, i, buf, 64);
        *len = n < 64 ? n : 63;
        return buf;
    }
    }
}

static bool input_ok(const lml_stage *s, const char *name, const lml_column *c, lml_error *err)
{
    if (c->type == LML_VECTOR)
        return lml_error_set(err, LML_ETYPE, "%s: input column '%s' must be string or numeric, got vector", s->uid,
                             name);
    return true;
}

typedef struct {
    const lml_strmap *m;
    const char *order;
} sort_ctx;

/* qsort has no context argument; the comparator reads the order from this (fit is not reentrant
 * across threads only through this pointer, so it is thread-local). */
static _Thread_local sort_ctx g_sort;

static int cmp_labels(const void *x, const void *y)
{
    const lml_strmap_slot *a = *(lml_strmap_slot *const *)x, *b = *(lml_strmap_slot *const *)y;
    int s = lml_feat_utf16_cmp(a->key, a->len, b->key, b->len);
    const char *o = g_sort.order;
    if (strcmp(o, "alphabetAsc") == 0)
        return s;
    if (strcmp(o, "alphabetDesc") == 0)
        return -s;
    if (a->val != b->val) {
        bool desc = strcmp(o, "frequencyDesc") == 0;
        return (a->val < b->val) == desc ? 1 : -1;
    }
    return s; /* frequency ties: string ascending in both frequency orders */
}

/* Counts and orders the labels of one column into st's slot c. */
static bool fit_column(const lml_stage *s, const lml_column *col, si_state *st, size_t c, lml_error *err)
{
    lml_strmap *m = &st->maps[c];
    char buf[64];
    for (size_t i = 0; i < col->length; i++) {
        size_t len;
        const char *v = cell_str(col, i, buf, &len);
        if (!v)
            continue;
        bool created;
        int64_t *cnt = lml_strmap_upsert(m, v, len, &created, err);
        if (!cnt)
            return false;
        (*cnt)++;
    }
    lml_strmap_slot **slots = malloc((m->n ? m->n : 1) * sizeof *slots);
    st->labels[c] = malloc((m->n ? m->n : 1) * sizeof *st->labels[c]);
    if (!slots || !st->labels[c]) {
        free(slots);
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            slots[k++] = &m->slots[i];
    g_sort = (sort_ctx){m, lml_param_string(s, "stringOrderType")};
    qsort(slots, k, sizeof *slots, cmp_labels);
    /* The counts are no longer needed: the map now holds each label's index. */
    for (size_t i = 0; i < k; i++) {
        slots[i]->val = (int64_t)i;
        st->labels[c][i] = slots[i]->key;
    }
    st->nlabels[c] = k;
    free(slots);
    return true;
}

static si_state *state_new(size_t n, lml_error *err)
{
    si_state *st = calloc(1, sizeof *st);
    if (st) {
        st->h.refs = 1;
        st->h.destroy = si_destroy;
        st->ncols = n;
        st->labels = calloc(n, sizeof *st->labels);
        st->nlabels = calloc(n, sizeof *st->nlabels);
        st->maps = calloc(n, sizeof *st->maps);
        if (st->labels && st->nlabels && st->maps)
            return st;
        si_destroy(st);
    }
    lml_error_set(err, LML_ENOMEM, "out of memory");
    return NULL;
}

static lml_stage *si_fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    lml_feat_cols cols;
    if (!lml_feat_cols_get(self, true, &cols, err))
        return NULL;
    si_state *st = state_new(cols.n, err);
    bool ok = st != NULL;
    for (size_t c = 0; ok && c < cols.n; c++) {
        const lml_column *col = lml_frame_column_by_name(df, cols.in[c], err);
        ok = col && input_ok(self, cols.in[c], col, err) && fit_column(self, col, st, c, err);
        if (!col)
            lml_feat_fail(self, err);
    }
    lml_feat_cols_free(&cols);
    if (!ok) {
        if (st)
            si_destroy(st);
        return NULL;
    }
    return lml_stage_create_model(&lml_string_indexer_model_vt, self, st, err);
}

/* Output metadata: a nominal attribute named after the column with the labels (plus
 * "__unknown" under keep). */
static char *nominal_meta(const char *name, char **labels, size_t n, bool keep, lml_error *err)
{
    char **vals = malloc((n + 1) * sizeof *vals);
    if (!vals) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(vals, labels, n * sizeof *vals);
    vals[n] = (char *)"__unknown";
    lml_attr a = {.type = LML_ATTR_NOMINAL, .name = (char *)name, .idx = -1, .vals = vals,
                  .nvals = n + (keep ? 1 : 0), .num_vals = -1};
    char *j = lml_attr_to_json(&a, err);
    free(vals);
    return j;
}

static lml_frame *si_transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const si_state *st = lml_stage_state(self, &lml_string_indexer_model_vt, err);
    lml_feat_cols cols;
    if (!st || !lml_feat_cols_get(self, true, &cols, err))
        return NULL;
    if (cols.n != st->ncols) {
        lml_feat_cols_free(&cols);
        lml_error_set(err, LML_EINVAL, "%s: the model has labels for %zu columns but %zu input columns are set",
                      self->uid, st->ncols, cols.n);
        return NULL;
    }
    const char *hi = lml_param_string(self, "handleInvalid");
    bool keep = strcmp(hi, "keep") == 0, skip = strcmp(hi, "skip") == 0;
    size_t n = lml_frame_num_rows(df);
    double **outs = calloc(cols.n, sizeof *outs);
    bool *keep_row = calloc(n ? n : 1, sizeof *keep_row);
    const lml_column **incols = calloc(cols.n, sizeof *incols);
    lml_frame *cur = NULL;
    bool ok = outs && keep_row && incols;
    if (!ok)
        lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; ok && i < n; i++)
        keep_row[i] = true;
    char buf[64];
    for (size_t c = 0; ok && c < cols.n; c++) {
        long ci = lml_frame_column_index(df, cols.in[c]);
        if (ci < 0) {
            /* Spark skips input columns missing at transform time, with a warning. */
            lml_log(LML_LOG_WARN, "ml", "%s: input column '%s' does not exist; skipping it", self->uid, cols.in[c]);
            continue;
        }
        const lml_column *col = incols[c] = lml_frame_column(df, (size_t)ci);
        if (lml_frame_column_index(df, cols.out[c]) >= 0) {
            ok = lml_error_set(err, LML_EINVAL, "%s: output column '%s' already exists", self->uid, cols.out[c]);
            break;
        }
        if (!(ok = input_ok(self, cols.in[c], col, err)))
            break;
        if (!(outs[c] = malloc((n ? n : 1) * sizeof *outs[c]))) {
            ok = lml_error_set(err, LML_ENOMEM, "out of memory");
            break;
        }
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *v = cell_str(col, i, buf, &len);
            int64_t idx = v ? lml_strmap_get(&st->maps[c], v, len) : -1;
            if (idx < 0) {
                if (keep) {
                    idx = (int64_t)st->nlabels[c];
                } else if (skip) {
                    keep_row[i] = false;
                } else if (!v) {
                    ok = lml_error_set(err, LML_EINVAL,
                                       "%s: null value in column '%s' at row %zu (handleInvalid=error; set "
                                       "handleInvalid to skip or keep)",
                                       self->uid, cols.in[c], i);
                    break;
                } else {
                    ok = lml_error_set(err, LML_EINVAL,
                                       "%s: unseen label '%.*s' in column '%s' at row %zu (handleInvalid=error; set "
                                       "handleInvalid to skip or keep)",
                                       self->uid, (int)(len > 100 ? 100 : len), v, cols.in[c], i);
                    break;
                }
            }
            outs[c][i] = (double)idx;
        }
    }
    if (ok)
        cur = lml_frame_retain(df);
    for (size_t c = 0; ok && c < cols.n; c++) {
        if (!outs[c])
            continue;
        lml_column *col = lml_column_from_doubles(outs[c], NULL, n, err);
        char *meta = col ? nominal_meta(cols.out[c], st->labels[c], st->nlabels[c], keep, err) : NULL;
        lml_frame *next = meta ? lml_feat_add(cur, cols.out[c], col, meta, err) : NULL;
        if (!meta)
            lml_column_free(col);
        lml_frame_free(cur);
        cur = next;
        ok = cur != NULL;
    }
    if (ok && skip) {
        size_t *idx = malloc((n ? n : 1) * sizeof *idx), m = 0;
        for (size_t i = 0; idx && i < n; i++)
            if (keep_row[i])
                idx[m++] = i;
        lml_frame *taken = idx ? (m == n ? lml_frame_retain(cur) : lml_frame_take(cur, idx, m, err)) : NULL;
        if (!idx)
            lml_error_set(err, LML_ENOMEM, "out of memory");
        free(idx);
        lml_frame_free(cur);
        cur = taken;
    }
    for (size_t c = 0; outs && c < cols.n; c++)
        free(outs[c]);
    free(outs);
    free(keep_row);
    free(incols);
    lml_feat_cols_free(&cols);
    return cur;
}

/* ---- persistence (spec §4.3): labelsArray array<array<string>>, one inner array per input
 * column; Spark 2.x wrote a single column `labels: array<string>`. */

static bool si_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err)
{
    const si_state *st = self->state;
    size_t total = 0;
    for (size_t c = 0; c < st->ncols; c++)
        total += st->nlabels[c];
    const char **all = malloc((total ? total : 1) * sizeof *all);
    int32_t *inner = malloc((st->ncols + 1) * sizeof *inner);
    lml_column *strs = NULL, *lists = NULL, *outer = NULL;
    lml_frame *f = NULL;
    bool ok = false;
    if (!all || !inner) {
        lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
        goto done;
    }
    size_t k = 0;
    inner[0] = 0;
    for (size_t c = 0; c < st->ncols; c++) {
        for (size_t i = 0; i < st->nlabels[c]; i++)
            all[k++] = st->labels[c][i];
        inner[c + 1] = (int32_t)k;
    }
    int32_t off[2] = {0, (int32_t)st->ncols};
    static const char *const name = "labelsArray";
    if ((strs = lml_column_from_strings(all, total, err)) &&
        (lists = lml_column_list_new(inner, NULL, st->ncols, strs, err)) &&
        (outer = lml_column_list_new(off, NULL, 1, lists, err)) && (f = lml_frame_new(1, &name, &outer, err)))
        ok = lml_persist_write_table(dir, "data", f, err);
done:
    lml_frame_free(f);
    lml_column_free(outer);
    lml_column_free(lists);
    lml_column_free(strs);
    free(all);
    free(inner);
    return ok;
}

/* Fills slot c of st with the labels in index order. */
static bool si_load_column(si_state *st, size_t c, const char *const *labels, const size_t *lens, size_t n,
                           const char *dir, lml_error *err)
{
    if (!(st->labels[c] = malloc((n ? n : 1) * sizeof *st->labels[c])))
        return lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
    for (size_t i = 0; i < n; i++) {
        bool created;
        int64_t *v = lml_strmap_upsert(&st->maps[c], labels[i], lens[i], &created, err);
        if (!v)
            return false;
        if (!created)
            return lml_error_set(err, LML_EFORMAT, "%s: data: label \"%.*s\" appears twice in column %zu", dir,
                                 (int)(lens[i] > 200 ? 200 : lens[i]), labels[i], c);
        *v = (int64_t)i;
    }
    for (size_t i = 0; i < st->maps[c].cap; i++)
        if (st->maps[c].slots[i].key)
            st->labels[c][st->maps[c].slots[i].val] = st->maps[c].slots[i].key;
    st->nlabels[c] = n;
    return true;
}

static void *si_load(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    lml_frame *f = lml_persist_read_table(dir, "data", err);
    if (!f)
        return NULL;
    si_state *st = NULL;
    const char **labels = NULL;
    size_t *lens = NULL, n = 0;
    bool ok = false;
    const char *col = version < 300 ? "labels" : "labelsArray";
    const lml_column *c = lml_frame_column_by_name(f, col, NULL);
    if (!c || lml_column_type(c) != LML_LIST || lml_column_length(c) < 1) {
        lml_error_set(err, LML_EFORMAT, "%s: data has no array column '%s'", dir, col);
        goto done;
    }
    if (version < 300) {
        ok = lml_persist_list_strings(c, dir, col, 0, &labels, &lens, &n, err) && (st = state_new(1, err)) &&
             si_load_column(st, 0, labels, lens, n, dir, err);
        goto done;
    }
    const lml_column *in = lml_column_child(c, 0);
    const int32_t *off = lml_column_offsets(c);
    if (lml_column_is_null(c, 0) || lml_column_type(in) != LML_LIST) {
        lml_error_set(err, LML_EFORMAT, "%s: data column 'labelsArray' must be a non-null array<array<string>>", dir);
        goto done;
    }
    size_t ncols = (size_t)(off[1] - off[0]);
    if (!(st = state_new(ncols, err)))
        goto done;
    ok = true;
    for (size_t k = 0; ok && k < ncols; k++) {
        free(labels);
        free(lens);
        labels = NULL;
        lens = NULL;
        ok = lml_persist_list_strings(in, dir, col, (size_t)off[0] + k, &labels, &lens, &n, err) &&
             si_load_column(st, k, labels, lens, n, dir, err);
    }
done:
    free(labels);
    free(lens);
    lml_frame_free(f);
    if (!ok && st) {
        si_destroy(st);
        st = NULL;
    }
    return st;
}

const lml_stage_vtable lml_string_indexer_vt = {
    .name = "StringIndexer", .class_name = "org.apache.spark.ml.feature.StringIndexer",
    .kind = LML_STAGE_ESTIMATOR, .params = si_params, .nparams = sizeof si_params / sizeof si_params[0],
    .fit = si_fit};
const lml_stage_vtable lml_string_indexer_model_vt = {
    .name = "StringIndexerModel", .class_name = "org.apache.spark.ml.feature.StringIndexerModel",
    .kind = LML_STAGE_MODEL, .params = si_params, .nparams = sizeof si_params / sizeof si_params[0],
    .transform = si_transform, .retain_state = lml_feat_state_retain, .release_state = lml_feat_state_release,
    .save_data = si_save, .load_state = si_load};

lml_stage *lml_string_indexer_new(const char *input, const char *output)
{
    return lml_feat_new(&lml_string_indexer_vt, input, output, NULL, NULL);
}

lml_stage *lml_string_indexer_new2(const char *const *inputs, const char *const *outputs)
{
    return lml_feat_new(&lml_string_indexer_vt, NULL, NULL, inputs, outputs);
}

const char *const *lml_string_indexer_model_labels(const lml_stage *model, size_t i, size_t *n, lml_error *err)
{
    *n = 0;
    const si_state *st = lml_stage_state(model, &lml_string_indexer_model_vt, err);
    if (!st)
        return NULL;
    if (i >= st->ncols) {
        lml_error_set(err, LML_ERANGE, "%s: column %zu out of range (the model has %zu)", model->uid, i, st->ncols);
        return NULL;
    }
    *n = st->nlabels[i];
    return (const char *const *)st->labels[i];
}

size_t lml_string_indexer_model_num_columns(const lml_stage *model, lml_error *err)
{
    const si_state *st = lml_stage_state(model, &lml_string_indexer_model_vt, err);
    return st ? st->ncols : 0;
}
