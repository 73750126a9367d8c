/* OneHotEncoder / OneHotEncoderModel (Spark 3.x, spec §5): category counts from the input's
 * nominal metadata or the data, sparse one-hot output whose size follows dropLast and
 * handleInvalid, and a group of binary attributes named after the input's labels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "ml/feature/feature_internal.h"
#include "ml/persist/persist_internal.h"

typedef struct {
    lml_feat_state h;
    size_t ncols;
    int64_t *sizes; /* categorySizes: the plain count C per column */
} ohe_state;

static void ohe_destroy(void *p)
{
    ohe_state *st = p;
    free(st->sizes);
    free(st);
}

static bool check_hi(const lml_param_value *v, lml_error *err)
{
    if (strcmp(v->v.s, "error") == 0 || strcmp(v->v.s, "keep") == 0)
        return true;
    return lml_error_set(err, LML_EINVAL, "must be one of error, keep; got '%s'", v->v.s);
}

static const lml_param_def ohe_params[] = {
    {.name = "inputCol", .type = LML_PARAM_STRING, .doc = "input column name"},
    {.name = "outputCol", .type = LML_PARAM_STRING, .doc = "output column name"},
    {.name = "inputCols", .type = LML_PARAM_STRINGS, .doc = "input column names"},
    {.name = "outputCols", .type = LML_PARAM_STRINGS, .doc = "output column names"},
    {.name = "dropLast", .type = LML_PARAM_BOOL, .doc = "whether to drop the last category", .has_default = true,
     .def_b = true},
    {.name = "handleInvalid", .type = LML_PARAM_STRING,
     .doc = "How to handle invalid data during transform(). Options are 'keep' (invalid data presented as an extra "
            "categorical feature) or error (throw an error). Note that this Param is only used during transform; "
            "during fitting, invalid data will result in an error.",
     .has_default = true, .def_s = "error", .check = check_hi},
};

extern const lml_stage_vtable lml_one_hot_encoder_vt, lml_one_hot_encoder_model_vt;

static bool input_ok(const lml_stage *s, const char *name, const lml_column *c, lml_error *err)
{
    if (c->type != LML_DOUBLE && c->type != LML_INT32 && c->type != LML_INT64)
        return lml_error_set(err, LML_ETYPE, "%s: input column '%s' must be numeric, got %s", s->uid, name,
                             lml_type_name(c->type));
    return true;
}

/* The category count an input column's metadata declares: -1 when it declares none. */
static bool meta_count(const lml_stage *s, const char *name, const char *meta, int64_t *out, lml_error *err)
{
    lml_attr a;
    bool present;
    *out = -1;
    if (!lml_attr_parse(meta, &a, &present, err))
        return lml_feat_fail(s, err);
    if (present) {
        if (a.type == LML_ATTR_NUMERIC) {
            lml_attr_clear(&a);
            return lml_error_set(err, LML_EINVAL, "%s: input column '%s' cannot be continuous-value", s->uid, name);
        }
        if (a.vals)
            *out = (int64_t)a.nvals;
        else if (a.type == LML_ATTR_BINARY)
            *out = 2;
        else
            *out = a.num_vals;
    }
    lml_attr_clear(&a);
    return true;
}

static bool fit_column(const lml_stage *s, const lml_frame *df, const char *name, int64_t *size, lml_error *err)
{
    long ci = lml_frame_column_index(df, name);
    if (ci < 0) {
        lml_frame_column_by_name(df, name, err);
        return lml_feat_fail(s, err);
    }
    const lml_column *c = lml_frame_column(df, (size_t)ci);
    if (!input_ok(s, name, c, err) || !meta_count(s, name, lml_frame_column_metadata(df, (size_t)ci), size, err))
        return false;
    if (*size >= 0)
        return true;
    double max = -1;
    for (size_t i = 0; i < c->length; i++) {
        if (lml_column_is_null(c, i))
            continue;
        double v = lml_feat_num(c, i);
        if (!(v >= 0) || v != floor(v) || v > 2147483646.0)
            return lml_error_set(err, LML_EINVAL,
                                 "%s: values of column '%s' must be indices (non-negative integers), got %g at row %zu",
                                 s->uid, name, v, i);
        if (v > max)
            max = v;
    }
    *size = (int64_t)max + 1;
    return true;
}

static lml_stage *ohe_fit(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    lml_feat_cols cols;
    if (!lml_feat_cols_get(self, true, &cols, err))
        return NULL;
    ohe_state *st = calloc(1, sizeof *st);
    bool ok = st && (st->sizes = calloc(cols.n, sizeof *st->sizes));
    if (!ok)
        lml_error_set(err, LML_ENOMEM, "out of memory");
    else {
        st->h.refs = 1;
        st->h.destroy = ohe_destroy;
        st->ncols = cols.n;
    }
    for (size_t c = 0; ok && c < cols.n; c++)
        ok = fit_column(self, df, cols.in[c], &st->sizes[c], err);
    lml_feat_cols_free(&cols);
    if (!ok) {
        if (st)
            ohe_destroy(st);
        return NULL;
    }
    return lml_stage_create_model(&lml_one_hot_encoder_model_vt, self, st, err);
}

/* The binary attribute group of one output column: names from the input's labels when it has
 * them, else "0", "1", …; Spark drops the last name under dropLast without keep and appends
 * "invalidValues" under keep without dropLast. */
static char *out_meta(const char *in_meta, size_t size, int64_t c_count, bool drop, bool keep, lml_error *err)
{
    lml_attr a;
    bool present;
    if (!lml_attr_parse(in_meta, &a, &present, err))
        return NULL;
    lml_attr_group g = {.num_attrs = (long)size, .attrs = calloc(size ? size : 1, sizeof(lml_attr)), .nattrs = 0};
    char *json = NULL;
    if (!g.attrs) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < size; k++) {
        char num[32];
        const char *nm;
        if (!drop && keep && (int64_t)k == c_count)
            nm = "invalidValues";
        else if (present && a.vals && k < a.nvals)
            nm = a.vals[k];
        else {
            snprintf(num, sizeof num, "%zu", k);
            nm = num;
        }
        lml_attr *at = &g.attrs[g.nattrs++];
        *at = (lml_attr){.type = LML_ATTR_BINARY, .idx = (long)k, .num_vals = -1};
        if (!(at->name = lml_strdup(nm, err)))
            goto done;
    }
    json = lml_attr_group_to_json(&g, err);
done:
    lml_attr_group_clear(&g);
    lml_attr_clear(&a);
    return json;
}

/* Encodes one column: CSR with at most one 1.0 per row; null input gives a null row. */
static lml_column *encode(const lml_stage *s, const char *name, const lml_column *c, int64_t C, size_t size,
                          bool keep, lml_error *err)
{
    size_t n = c->length;
    int64_t *indptr = malloc((n + 1) * sizeof *indptr);
    int32_t *indices = malloc((n ? n : 1) * sizeof *indices);
    double *values = malloc((n ? n : 1) * sizeof *values);
    bool *null = calloc(n ? n : 1, sizeof *null);
    lml_column *out = NULL;
    if (!indptr || !indices || !values || !null) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        goto done;
    }
    size_t nnz = 0;
    indptr[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (lml_column_is_null(c, i)) {
            null[i] = true;
        } else {
            double v = lml_feat_num(c, i);
            int64_t slot;
            if (v >= 0 && v < (double)C)
                slot = (int64_t)v; /* Spark truncates fractional in-range values */
            else if (keep)
                slot = C;
            else {
                lml_error_set(err, LML_EINVAL,
                              v < 0 ? "%s: negative value %g in column '%s' at row %zu; input can't be negative "
                                      "(handleInvalid=error; set handleInvalid to keep)"
                                    : "%s: unseen value %g in column '%s' at row %zu (handleInvalid=error; set "
                                      "handleInvalid to keep)",
                              s->uid, v, name, i);
                goto done;
            }
            if ((size_t)slot < size) {
                indices[nnz] = (int32_t)slot;
                values[nnz++] = 1.0;
            }
        }
        indptr[i + 1] = (int64_t)nnz;
    }
    out = lml_column_vector_from_csr(indptr, indices, values, n, size, err);
    if (out && !lml_feat_set_nulls(out, null, err)) {
        lml_column_free(out);
        out = NULL;
    }
done:
    free(indptr);
    free(indices);
    free(values);
    free(null);
    return out;
}

static lml_frame *ohe_transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    const ohe_state *st = lml_stage_state(self, &lml_one_hot_encoder_model_vt, err);
    lml_feat_cols cols;
    if (!st || !lml_feat_cols_get(self, true, &cols, err))
        return NULL;
    lml_frame *cur = NULL;
    if (cols.n != st->ncols) {
        lml_error_set(err, LML_EINVAL, "%s: the model has category sizes for %zu columns but %zu input columns are set",
                      self->uid, st->ncols, cols.n);
        goto done;
    }
    bool drop = lml_param_bool(self, "dropLast");
    bool keep = strcmp(lml_param_string(self, "handleInvalid"), "keep") == 0;
    cur = lml_frame_retain(df);
    for (size_t c = 0; c < cols.n; c++) {
        int64_t C = st->sizes[c], declared;
        long ci = lml_frame_column_index(cur, cols.in[c]);
        if (ci < 0) {
            lml_frame_column_by_name(cur, cols.in[c], err);
            lml_feat_fail(self, err);
            goto fail;
        }
        const lml_column *in = lml_frame_column(cur, (size_t)ci);
        const char *in_meta = lml_frame_column_metadata(cur, (size_t)ci);
        if (!input_ok(self, cols.in[c], in, err) || !meta_count(self, cols.in[c], in_meta, &declared, err))
            goto fail;
        if (declared >= 0 && declared != C) {
            lml_error_set(err, LML_EINVAL,
                          "%s: the model expects %lld categorical values for input column '%s', but its metadata "
                          "specifies %lld",
                          self->uid, (long long)C, cols.in[c], (long long)declared);
            goto fail;
        }
        if (drop && !keep && C < 2) {
            lml_error_set(err, LML_EINVAL,
                          "%s: input column '%s' must have at least two categories with dropLast=true and "
                          "handleInvalid=error, got %lld",
                          self->uid, cols.in[c], (long long)C);
            goto fail;
        }
        if (lml_frame_column_index(cur, cols.out[c]) >= 0) {
            lml_error_set(err, LML_EINVAL, "%s: output column '%s' already exists", self->uid, cols.out[c]);
            goto fail;
        }
        size_t size = (size_t)C + (keep ? 1 : 0) - (drop ? 1 : 0);
        char *meta = out_meta(in_meta, size, C, drop, keep, err);
        lml_column *col = meta ? encode(self, cols.in[c], in, C, size, keep, err) : NULL;
        if (!col) {
            free(meta);
            goto fail;
        }
        lml_frame *next = lml_feat_add(cur, cols.out[c], col, meta, err);
        lml_frame_free(cur);
        cur = next;
        if (!cur)
            goto done;
    }
    goto done;
fail:
    lml_frame_free(cur);
    cur = NULL;
done:
    lml_feat_cols_free(&cols);
    return cur;
}

/* ---- persistence (spec §4.4): categorySizes array<int>. */

static bool ohe_save(const lml_stage *self, const char *dir, struct cJSON *meta, lml_error *err)
{
    const ohe_state *st = self->state;
    int32_t *v = malloc((st->ncols ? st->ncols : 1) * sizeof *v);
    if (!v)
        return lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
    for (size_t c = 0; c < st->ncols; c++)
        v[c] = (int32_t)st->sizes[c];
    int32_t off[2] = {0, (int32_t)st->ncols};
    static const char *const name = "categorySizes";
    lml_column *el = lml_column_from_int32s(v, NULL, st->ncols, err), *l = NULL;
    lml_frame *f = el && (l = lml_column_list_new(off, NULL, 1, el, err)) ? lml_frame_new(1, &name, &l, err) : NULL;
    bool ok = f && lml_persist_write_table(dir, "data", f, err);
    lml_frame_free(f);
    lml_column_free(l);
    lml_column_free(el);
    free(v);
    return ok;
}

static void *ohe_load(const char *dir, const struct cJSON *meta, int version, lml_error *err)
{
    lml_frame *f = lml_persist_read_table(dir, "data", err);
    if (!f)
        return NULL;
    const lml_column *c = lml_frame_column_by_name(f, "categorySizes", NULL);
    int32_t *v = NULL;
    size_t n = 0;
    ohe_state *st = NULL;
    if (!c)
        lml_error_set(err, LML_EFORMAT, "%s: data has no column 'categorySizes'", dir);
    else if (lml_persist_list_ints(c, dir, "categorySizes", 0, &v, &n, err)) {
        st = calloc(1, sizeof *st);
        if (!st || !(st->sizes = calloc(n ? n : 1, sizeof *st->sizes))) {
            free(st);
            st = NULL;
            lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
        } else {
            st->h.refs = 1;
            st->h.destroy = ohe_destroy;
            st->ncols = n;
            for (size_t i = 0; i < n && st; i++) {
                if (v[i] < 0) {
                    lml_error_set(err, LML_EFORMAT, "%s: data: categorySizes[%zu] is negative (%d)", dir, i, v[i]);
                    ohe_destroy(st);
                    st = NULL;
                } else
                    st->sizes[i] = v[i];
            }
        }
    }
    free(v);
    lml_frame_free(f);
    return st;
}

const lml_stage_vtable lml_one_hot_encoder_vt = {
    .name = "OneHotEncoder", .class_name = "org.apache.spark.ml.feature.OneHotEncoder",
    .kind = LML_STAGE_ESTIMATOR, .params = ohe_params, .nparams = sizeof ohe_params / sizeof ohe_params[0],
    .fit = ohe_fit};
const lml_stage_vtable lml_one_hot_encoder_model_vt = {
    .name = "OneHotEncoderModel", .class_name = "org.apache.spark.ml.feature.OneHotEncoderModel",
    .kind = LML_STAGE_MODEL, .params = ohe_params, .nparams = sizeof ohe_params / sizeof ohe_params[0],
    .transform = ohe_transform, .retain_state = lml_feat_state_retain, .release_state = lml_feat_state_release,
    .save_data = ohe_save, .load_state = ohe_load};

lml_stage *lml_one_hot_encoder_new(const char *input, const char *output)
{
    return lml_feat_new(&lml_one_hot_encoder_vt, input, output, NULL, NULL);
}

lml_stage *lml_one_hot_encoder_new2(const char *const *inputs, const char *const *outputs)
{
    return lml_feat_new(&lml_one_hot_encoder_vt, NULL, NULL, inputs, outputs);
}

const int64_t *lml_one_hot_encoder_model_category_sizes(const lml_stage *model, size_t *n, lml_error *err)
{
    const ohe_state *st = lml_stage_state(model, &lml_one_hot_encoder_model_vt, err);
    *n = st ? st->ncols : 0;
    return st ? st->sizes : NULL;
}
