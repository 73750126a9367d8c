/* pyspark's df.filter("…") and df.withColumn(name, expr("…")) on one frame (no alias). */
#include <stdlib.h>
#include "frame/expr/ast.h"

lml_frame *lml_frame_filter_expr(const lml_frame *f, const char *condition, lml_error *err)
{
    if (!f || !condition) {
        lml_error_set(err, LML_EINVAL, "filter needs a frame and a condition");
        return NULL;
    }
    lml_expr *e = lml_expr_parse(condition, err);
    if (!e)
        return NULL;
    lml_expr_input in = {NULL, f};
    uint8_t *mask = NULL;
    bool ok = lml_expr_eval_mask(e, &in, 1, &mask, err);
    lml_expr_free(e);
    if (!ok)
        return NULL;
    size_t n = lml_frame_num_rows(f), k = 0;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx) {
        free(mask);
        lml_error_set(err, LML_ENOMEM, "out of memory filtering %zu rows", n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (lml_bit_get(mask, i))
            idx[k++] = i;
    free(mask);
    lml_frame *out = k == n ? lml_frame_retain(f) : lml_frame_take(f, idx, k, err);
    free(idx);
    return out;
}

lml_frame *lml_frame_with_column_expr(const lml_frame *f, const char *name, const char *expression, lml_error *err)
{
    if (!f || !name || !expression) {
        lml_error_set(err, LML_EINVAL, "withColumn needs a frame, a column name and an expression");
        return NULL;
    }
    lml_expr *e = lml_expr_parse(expression, err);
    if (!e)
        return NULL;
    lml_expr_input in = {NULL, f};
    lml_column *c = lml_expr_eval(e, &in, 1, err);
    lml_expr_free(e);
    if (!c)
        return NULL;
    lml_frame *out = lml_frame_with_column(f, name, c, err);
    lml_column_free(c);
    return out;
}
