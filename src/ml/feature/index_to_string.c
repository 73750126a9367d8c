/* IndexToString: maps indices back to labels, from the labels param or else the input column's
 * nominal metadata (what StringIndexer wrote). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "ml/feature/feature_internal.h"

static const lml_param_def its_params[] = {
    {.name = "inputCol", .type = LML_PARAM_STRING, .doc = "input column name"},
    {.name = "outputCol", .type = LML_PARAM_STRING, .doc = "output column name"},
    {.name = "labels", .type = LML_PARAM_STRINGS,
     .doc = "Optional array of labels specifying index-string mapping. If not provided or if empty, then metadata "
            "from inputCol is used instead."},
};

extern const lml_stage_vtable lml_index_to_string_vt;

static lml_frame *its_transform(const lml_stage *self, const lml_frame *df, lml_error *err)
{
    lml_feat_cols cols;
    if (!lml_feat_cols_get(self, false, &cols, err))
        return NULL;
    lml_frame *r = NULL;
    lml_attr a = {.idx = -1, .num_vals = -1};
    lml_column_builder *b = NULL;
    long ci = lml_frame_column_index(df, cols.in[0]);
    if (ci < 0) {
        lml_frame_column_by_name(df, cols.in[0], err);
        lml_feat_fail(self, err);
        goto done;
    }
    const lml_column *c = lml_frame_column(df, (size_t)ci);
    if (!lml_feat_is_numeric(c->type) || c->type == LML_BOOL) {
        lml_error_set(err, LML_ETYPE, "%s: input column '%s' must be numeric, got %s", self->uid, cols.in[0],
                      lml_type_name(c->type));
        goto done;
    }
    if (lml_frame_column_index(df, cols.out[0]) >= 0) {
        lml_error_set(err, LML_EINVAL, "%s: output column '%s' already exists", self->uid, cols.out[0]);
        goto done;
    }
    size_t nl;
    const char *const *labels = lml_get_strings(self, "labels", &nl, NULL);
    if (!nl) {
        bool present;
        if (!lml_attr_parse(lml_frame_column_metadata(df, (size_t)ci), &a, &present, err)) {
            lml_feat_fail(self, err);
            goto done;
        }
        if (!a.vals && a.type == LML_ATTR_BINARY) {
            static const char *const bin[] = {"0", "1"};
            labels = bin;
            nl = 2;
        } else if (!a.vals || a.type == LML_ATTR_NUMERIC) {
            lml_error_set(err, LML_EINVAL,
                          "%s: the input column '%s' must be either a nominal attribute with labels or have the "
                          "labels param set",
                          self->uid, cols.in[0]);
            goto done;
        } else {
            labels = (const char *const *)a.vals;
            nl = a.nvals;
        }
    }
    size_t n = c->length;
    if (!(b = lml_column_builder_new(LML_STRING, n, err)))
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (lml_column_is_null(c, i)) {
            if (!lml_column_builder_append_null(b, err))
                goto done;
            continue;
        }
        double v = lml_feat_num(c, i);
        /* Scala's Double.toInt: truncation, NaN → 0, saturating at the int range. */
        long long k = isnan(v) ? 0 : v >= 2147483647.0 ? 2147483647LL : v <= -2147483648.0 ? -2147483648LL : (long long)v;
        if (k < 0 || (size_t)k >= nl) {
            lml_error_set(err, LML_EINVAL, "%s: unseen index %g in column '%s' at row %zu (%zu labels)", self->uid,
                          v, cols.in[0], i, nl);
            goto done;
        }
        if (!lml_column_builder_append_string(b, labels[k], strlen(labels[k]), err))
            goto done;
    }
    lml_column *col = lml_column_builder_finish(b, err);
    b = NULL;
    if (col)
        r = lml_feat_add(df, cols.out[0], col, NULL, err);
done:
    lml_column_builder_free(b);
    lml_attr_clear(&a);
    lml_feat_cols_free(&cols);
    return r;
}

const lml_stage_vtable lml_index_to_string_vt = {
    .name = "IndexToString", .class_name = "org.apache.spark.ml.feature.IndexToString",
    .kind = LML_STAGE_TRANSFORMER, .params = its_params, .nparams = sizeof its_params / sizeof its_params[0],
    .transform = its_transform};

lml_stage *lml_index_to_string_new(const char *input, const char *output)
{
    return lml_feat_new(&lml_index_to_string_vt, input, output, NULL, NULL);
}
