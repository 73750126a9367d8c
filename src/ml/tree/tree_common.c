/* What the tree stages share: param checks, reading features and labels, importances. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/ml/tree.h"
#include "../../core/internal.h"
#include "../attr.h"
#include "../stage_internal.h"
#include "tree_internal.h"

bool lml_tree_check_depth(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 0 && v->v.i <= 30 ? true
                                       : lml_error_set(err, LML_EINVAL, "must be in [0, 30], got %lld", (long long)v->v.i);
}
bool lml_tree_check_bins(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 2 && v->v.i <= 65536 ? true
                                          : lml_error_set(err, LML_EINVAL, "must be >= 2 (and <= 65536), got %lld",
                                                          (long long)v->v.i);
}
bool lml_tree_check_min_inst(const lml_param_value *v, lml_error *err)
{
    return v->v.i >= 1 ? true : lml_error_set(err, LML_EINVAL, "must be >= 1, got %lld", (long long)v->v.i);
}
bool lml_tree_check_wfrac(const lml_param_value *v, lml_error *err)
{
    return v->v.d >= 0.0 && v->v.d < 0.5 ? true : lml_error_set(err, LML_EINVAL, "must be in [0, 0.5), got %g", v->v.d);
}
bool lml_tree_check_cls_imp(const lml_param_value *v, lml_error *err)
{
    return strcmp(v->v.s, "gini") == 0 || strcmp(v->v.s, "entropy") == 0
               ? true
               : lml_error_set(err, LML_EINVAL, "must be one of gini, entropy, got '%s'", v->v.s);
}
bool lml_tree_check_reg_imp(const lml_param_value *v, lml_error *err)
{
    return strcmp(v->v.s, "variance") == 0 ? true
                                            : lml_error_set(err, LML_EINVAL, "must be variance, got '%s'", v->v.s);
}
bool lml_tree_check_interval(const lml_param_value *v, lml_error *err)
{
    return v->v.i == -1 || v->v.i >= 1 ? true
                                       : lml_error_set(err, LML_EINVAL, "must be -1 or >= 1, got %lld", (long long)v->v.i);
}


/* The features column as borrowed arrays; rejects nulls and non-finite values, and reads the
 * arities of categorical slots from the column's ML attributes (training only). */
bool lml_tree_read_features(const lml_stage *self, const lml_frame *df, bool training, lml_tree_data *dt,
                          size_t **arity_out, lml_error *err)
{
    const char *uid = lml_stage_uid(self), *name = lml_param_string(self, "featuresCol");
    long ci = lml_frame_column_index(df, name);
    if (ci < 0)
        return lml_error_set(err, LML_ENOTFOUND, "%s: features column '%s' does not exist", uid, name);
    const lml_column *c = lml_frame_column(df, (size_t)ci);
    if (lml_column_type(c) != LML_VECTOR)
        return lml_error_set(err, LML_ETYPE, "%s: features column '%s' must be a vector column, got %s", uid, name,
                             lml_type_name(lml_column_type(c)));
    size_t n = lml_column_length(c);
    dt->n = n;
    dt->d = lml_column_vector_size(c);
    for (size_t i = 0; i < n && lml_column_null_count(c) > 0; i++)
        if (lml_column_is_null(c, i))
            return lml_error_set(err, LML_EINVAL, "%s: features column '%s': row %zu is null", uid, name, i);
    if (lml_column_vector_is_sparse(c)) {
        dt->indptr = lml_column_vector_indptr(c);
        dt->indices = lml_column_vector_indices(c);
        dt->values = lml_column_vector_values(c);
        for (size_t i = 0; i < n; i++)
            for (int64_t p = dt->indptr[i]; p < dt->indptr[i + 1]; p++)
                if (!isfinite(dt->values[p]))
                    return lml_error_set(err, LML_EINVAL, "%s: features column '%s': row %zu has the value %g at index %d",
                                         uid, name, i, dt->values[p], dt->indices[p]);
    } else {
        dt->X = lml_column_vector_dense(c);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < dt->d; j++)
                if (!isfinite(dt->X[i * dt->d + j]))
                    return lml_error_set(err, LML_EINVAL, "%s: features column '%s': row %zu has the value %g at index %zu",
                                         uid, name, i, dt->X[i * dt->d + j], j);
    }
    if (!training)
        return true;
    lml_attr_group g;
    bool present = false;
    lml_error e2 = {0};
    if (!lml_attr_group_parse(lml_frame_column_metadata(df, (size_t)ci), &g, &present, &e2))
        return lml_error_set(err, e2.code, "%s: features column '%s': %s", uid, name, e2.message);
    bool ok = true;
    size_t *arity = NULL;
    size_t eff = (size_t)lml_param_int(self, "maxBins") < n ? (size_t)lml_param_int(self, "maxBins") : n;
    for (size_t k = 0; present && ok && k < g.nattrs; k++) {
        const lml_attr *a = &g.attrs[k];
        if (a->type == LML_ATTR_NUMERIC || a->idx < 0 || (size_t)a->idx >= dt->d)
            continue;
        long ar = a->type == LML_ATTR_BINARY ? 2 : a->vals ? (long)a->nvals : a->num_vals;
        if (ar < 0) {
            ok = lml_error_set(err, LML_EINVAL, "%s: features column '%s': feature %ld is marked as nominal "
                               "(categorical) but its number of values is not given", uid, name, a->idx);
            break;
        }
        if (ar <= 1) /* one category: continuous (§9.2) */
            continue;
        if ((size_t)ar > eff) {
            ok = lml_error_set(err, LML_EINVAL,
                               "%s: maxBins (= %zu after capping by the %zu rows) must be at least as large as the "
                               "number of values of each categorical feature, but feature %ld of '%s' has %ld values",
                               uid, eff, n, a->idx, name, ar);
            break;
        }
        if (!arity && !(arity = calloc(dt->d, sizeof *arity))) {
            ok = lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
            break;
        }
        arity[a->idx] = (size_t)ar;
        for (size_t i = 0; ok && i < n; i++) {
            double v = lml_tree_feature(dt, i, (size_t)a->idx);
            if (!(v >= 0 && v < (double)ar))
                ok = lml_error_set(err, LML_EINVAL,
                                   "%s: features column '%s': row %zu: categorical feature %ld has the value %g, "
                                   "outside [0, %ld)", uid, name, i, a->idx, v, ar);
        }
    }
    if (ok)
        *arity_out = arity;
    else
        free(arity);
    if (present)
        lml_attr_group_clear(&g);
    return ok;
}

/* Labels (class indices for classification, checked in [0, numClasses)) and weights. */
bool lml_tree_read_labels(const lml_stage *self, const lml_frame *df, bool cls, double **y, double **w, size_t *k,
                        lml_error *err)
{
    const char *uid = lml_stage_uid(self), *lname = lml_param_string(self, "labelCol");
    long li = lml_frame_column_index(df, lname);
    if (li < 0)
        return lml_error_set(err, LML_ENOTFOUND, "%s: label column '%s' does not exist", uid, lname);
    const lml_column *c = lml_frame_column(df, (size_t)li);
    lml_type t = lml_column_type(c);
    if (t != LML_DOUBLE && t != LML_INT32 && t != LML_INT64)
        return lml_error_set(err, LML_ETYPE, "%s: label column '%s' must be numeric, got %s", uid, lname,
                             lml_type_name(t));
    size_t n = lml_column_length(c);
    *y = malloc(n * sizeof(double));
    if (!*y)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
    double maxl = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = lml_column_is_null(c, i) ? NAN : lml_column_get_double(c, i);
        if (!isfinite(v) || (cls && (v < 0 || v != floor(v))))
            return lml_error_set(err, LML_EINVAL, "%s: label column '%s': row %zu has the value %g (must be %s)", uid,
                                 lname, i, v, cls ? "a class index: an integer >= 0" : "finite");
        (*y)[i] = v;
        if (v > maxl)
            maxl = v;
    }
    *k = 0;
    if (cls) {
        lml_error e2 = {0};
        long meta = lml_attr_num_values(lml_frame_column_metadata(df, (size_t)li), &e2);
        if (meta == -2)
            return lml_error_set(err, e2.code, "%s: label column '%s': %s", uid, lname, e2.message);
        if (meta >= 0) {
            *k = (size_t)meta;
        } else if (maxl + 1 > 100) {
            return lml_error_set(err, LML_EINVAL,
                                 "%s: label column '%s': the largest label %g gives more than 100 classes; give the "
                                 "column nominal metadata (StringIndexer) to allow more", uid, lname, maxl);
        } else {
            *k = (size_t)maxl + 1;
        }
        for (size_t i = 0; i < n; i++)
            if ((*y)[i] >= (double)*k)
                return lml_error_set(err, LML_EINVAL, "%s: label column '%s': row %zu has the label %g outside [0, %zu)",
                                     uid, lname, i, (*y)[i], *k);
    }
    const char *wname = lml_param_string(self, "weightCol");
    if (!wname || !wname[0])
        return true;
    long wi = lml_frame_column_index(df, wname);
    if (wi < 0)
        return lml_error_set(err, LML_ENOTFOUND, "%s: weight column '%s' does not exist", uid, wname);
    const lml_column *wc = lml_frame_column(df, (size_t)wi);
    t = lml_column_type(wc);
    if (t != LML_DOUBLE && t != LML_INT32 && t != LML_INT64)
        return lml_error_set(err, LML_ETYPE, "%s: weight column '%s' must be numeric, got %s", uid, wname,
                             lml_type_name(t));
    *w = malloc(n * sizeof(double));
    if (!*w)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory", uid);
    for (size_t i = 0; i < n; i++) {
        double v = lml_column_is_null(wc, i) ? NAN : lml_column_get_double(wc, i);
        if (!isfinite(v) || v < 0)
            return lml_error_set(err, LML_EINVAL, "%s: weight column '%s': row %zu has the value %g (must be finite "
                                 "and >= 0)", uid, wname, i, v);
        (*w)[i] = v;
    }
    return true;
}

/* Spark's featureImportances for one tree (§9.8): Σ gain × node weight per split feature,
 * normalised to sum 1 (all zero without splits). */
void lml_tree_importances(const lml_tree *t, size_t d, double *imp)
{
    for (size_t j = 0; j < d; j++)
        imp[j] = 0.0;
    for (size_t k = 0; k < t->nnodes; k++)
        if (t->nodes[k].left >= 0)
            imp[t->nodes[k].feature] += t->nodes[k].gain * t->nodes[k].weight;
    double s = 0.0;
    for (size_t j = 0; j < d; j++)
        s += imp[j];
    if (s > 0)
        for (size_t j = 0; j < d; j++)
            imp[j] /= s;
}

/* Adds the classifier outputs in Spark's order — rawPrediction, probability, prediction — each
 * only when its column name (names[1], names[2], names[0]) is non-empty. Takes over `cur`:
 * returns the new frame, or NULL (cur freed) on failure. */
lml_frame *lml_tree_add_outputs(lml_frame *cur, const char *const names[3], const double *pred, const double *raw,
                                const double *prob, size_t n, size_t K, lml_error *err)
{
    static const int order[3] = {1, 2, 0};
    for (int q = 0; q < 3; q++) {
        int which = order[q];
        const char *cn = names[which];
        if (!cn || !cn[0])
            continue;
        lml_column *col = which == 0 ? lml_column_from_doubles(pred, NULL, n, err)
                                     : lml_column_vector_from_dense(which == 1 ? raw : prob, n, K, err);
        lml_frame *nf = col ? lml_frame_with_column(cur, cn, col, err) : NULL;
        lml_column_free(col);
        lml_frame_free(cur);
        if (!nf)
            return NULL;
        cur = nf;
    }
    return cur;
}

/* The start of every tree model's transform: the features (of size d, as the model was fitted)
 * and the output column names — names[0] prediction, and for classifiers (K > 0) names[1]
 * rawPrediction and names[2] probability (NULL otherwise). */
bool lml_tree_transform_inputs(const lml_stage *self, const lml_frame *df, size_t d, size_t K, lml_tree_data *dt,
                               const char *names[3], lml_error *err)
{
    if (!lml_tree_read_features(self, df, false, dt, NULL, err))
        return false;
    if (dt->d != d)
        return lml_error_set(err, LML_EINVAL, "%s: features column '%s' has vectors of size %zu, the model expects %zu",
                             lml_stage_uid(self), lml_param_string(self, "featuresCol"), dt->d, d);
    names[0] = lml_param_string(self, "predictionCol");
    names[1] = K ? lml_param_string(self, "rawPredictionCol") : NULL;
    names[2] = K ? lml_param_string(self, "probabilityCol") : NULL;
    return true;
}

bool lml_tree_subset_size(const char *s, size_t d, size_t num_trees, bool cls, size_t *k)
{
    static const char *names[] = {"auto", "all", "onethird", "sqrt", "log2"};
    if (strcmp(s, "auto") == 0)
        s = num_trees == 1 ? "all" : cls ? "sqrt" : "onethird";
    double dd = (double)d, r = dd;
    size_t i = 0;
    while (i < 5 && strcmp(s, names[i]) != 0)
        i++;
    if (i < 5) {
        r = i == 2 ? ceil(dd / 3.0) : i == 3 ? ceil(sqrt(dd)) : i == 4 ? ceil(log2(dd > 1 ? dd : 1)) : dd;
    } else {
        bool dot = false;
        if (!s[0] || s[0] == '.')
            return false;
        for (const char *p = s; *p; p++)
            if (*p == '.' && !dot)
                dot = true;
            else if (!isdigit((unsigned char)*p))
                return false;
        if (!dot && (s[0] == '0' || strlen(s) > 9))
            return false;
        double f = strtod(s, NULL);
        if (dot && !(f > 0.0 && f <= 1.0))
            return false;
        r = dot ? ceil(f * dd) : f;
    }
    if (k)
        *k = r < 1 ? 1 : r > dd ? d : (size_t)r;
    return true;
}

bool lml_tree_check_strategy(const lml_param_value *v, lml_error *err)
{
    return lml_tree_subset_size(v->v.s, 1, 1, true, NULL) ||
           lml_error_set(err, LML_EINVAL, "must be auto, all, onethird, sqrt, log2, an integer >= 1 or a fraction in "
                         "(0, 1], got '%s'", v->v.s);
}

bool lml_tree_check_rate(const lml_param_value *v, lml_error *err)
{
    return (v->v.d > 0.0 && v->v.d <= 1.0) || lml_error_set(err, LML_EINVAL, "must be in (0, 1], got %g", v->v.d);
}

const lml_tree *lml_tree_pick(const lml_stage *model, const lml_tree *trees, size_t num_trees, size_t i,
                              lml_error *err)
{
    if (i >= num_trees)
        return lml_error_set(err, LML_ERANGE, "%s: tree %zu does not exist (numTrees = %zu)", lml_stage_uid(model), i,
                             num_trees),
               NULL;
    return &trees[i];
}

int64_t lml_tree_count_nodes(const lml_tree *trees, size_t num_trees)
{
    int64_t s = 0;
    for (size_t t = 0; t < num_trees; t++)
        s += (int64_t)trees[t].nnodes;
    return s;
}

lml_frame *lml_tree_add_leaf_col(const lml_stage *self, lml_frame *cur, const lml_tree *trees, size_t T, bool ensemble,
                                 const lml_tree_data *dt, lml_error *err)
{
    const char *name = cur ? lml_param_string(self, "leafCol") : NULL;
    if (!name || !name[0])
        return cur;
    size_t n = dt->n, nodes = 0;
    for (size_t t = 0; t < T; t++)
        nodes += trees[t].nnodes;
    double *leaf = T && n > SIZE_MAX / sizeof(double) / T ? NULL : malloc((n * T > 0 ? n * T : 1) * sizeof(double));
    size_t *ord = malloc((nodes ? nodes : 1) * sizeof *ord);
    lml_column *col = NULL;
    if (leaf && ord) {
        /* Spark numbers the leaves of a tree in pre-order, as the nodes are stored here. */
        size_t *o = ord;
        for (size_t t = 0; t < T; o += trees[t++].nnodes)
            for (size_t k = 0, next = 0; k < trees[t].nnodes; k++)
                o[k] = trees[t].nodes[k].left < 0 ? next++ : 0;
        for (size_t i = 0; i < n; i++) {
            o = ord;
            for (size_t t = 0; t < T; o += trees[t++].nnodes)
                leaf[i * T + t] = (double)o[lml_tree_leaf_of(&trees[t], dt, i)];
        }
        col = ensemble ? lml_column_vector_from_dense(leaf, n, T, err) : lml_column_from_doubles(leaf, NULL, n, err);
    } else {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory for the leaf indices of %zu rows", lml_stage_uid(self), n);
    }
    free(leaf), free(ord);
    lml_frame *nf = col ? lml_frame_with_column(cur, name, col, err) : NULL;
    lml_column_free(col);
    lml_frame_free(cur);
    return nf;
}

bool lml_tree_class_probs(const double *s, size_t K, double *prob)
{
    double tot = 0.0;
    for (size_t c = 0; c < K; c++)
        tot += s[c];
    for (size_t c = 0; c < K; c++)
        prob[c] = tot > 0 ? s[c] / tot : 0.0;
    return tot > 0;
}

double lml_tree_vote_outputs(const double *raw, size_t K, double *prob)
{
    double tot = 0.0;
    size_t best = 0;
    for (size_t c = 0; c < K; c++) {
        tot += raw[c];
        if (raw[c] > raw[best])
            best = c;
    }
    for (size_t c = 0; c < K; c++)
        prob[c] = tot > 0 ? raw[c] / tot : 0.0;
    return (double)best;
}

double lml_tree_gbt_outputs(double F, const double *th, double *raw, double *prob)
{
    /* Spark: raw [-F, F]; probability of class 0 from the logistic loss, class 1 its complement. */
    raw[0] = -F, raw[1] = F;
    prob[0] = 1.0 / (1.0 + exp(2.0 * F));
    prob[1] = 1.0 - prob[0];
    if (!th)
        return F > 0.0 ? 1.0 : 0.0;
    /* Spark's probability2prediction: the first max of p/t (a 0 threshold gives +inf, or NaN when p = 0). */
    double best = -INFINITY, pred = 0.0;
    for (size_t c = 0; c < 2; c++) {
        double sc = prob[c] / th[c];
        if (sc > best)
            best = sc, pred = (double)c;
    }
    return pred;
}
