/* The predictor part of a scorer program: linear models as dense coefficient rows, tree models
 * as pre-order node arrays with one leaf table. Leaf rows hold what the library's transform
 * derives from a leaf (class frequencies, normalised votes, weight · prediction), computed here
 * with the library's own operations, so summing them at scoring time gives the library's bits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "lakeml/ml/classification.h"
#include "lakeml/ml/regression.h"
#include "ml/linear/logreg_internal.h"
#include "ml/scorer/program.h"
#include "ml/stage_internal.h"
#include "ml/tree/tree_internal.h"

bool lml_sc_is_predictor(const lml_stage *st)
{
    const lml_stage_vtable *vt = st->vt;
    return vt == &lml_logistic_regression_model_vt || vt == &lml_linear_regression_model_vt ||
           vt == &lml_dt_classifier_model_vt || vt == &lml_dt_regressor_model_vt ||
           vt == &lml_rf_classifier_model_vt || vt == &lml_rf_regressor_model_vt ||
           vt == &lml_gbt_classifier_model_vt || vt == &lml_gbt_regressor_model_vt;
}

void lml_sc_model_clear(lml_sc_model *m)
{
    free(m->coef);
    free(m->intercept);
    free(m->th);
    free(m->roots);
    free(m->nodes);
    free(m->leaves);
    free(m->cats);
    free(m->catbits);
    memset(m, 0, sizeof *m);
}

static double *dup_doubles(const double *src, size_t n)
{
    double *p = malloc((n ? n : 1) * sizeof *p);
    if (p && n)
        memcpy(p, src, n * sizeof *p);
    return p;
}

static bool oom(lml_error *err) { return lml_error_set(err, LML_ENOMEM, "out of memory compiling a scorer"); }

/* LogisticRegressionModel: lr_transform's threshold rules, resolved once. */
static bool compile_logreg(lml_sc_model *m, const lml_stage *st, lml_error *err)
{
    const lml_logreg_state *s = lml_stage_state(st, &lml_logistic_regression_model_vt, err);
    if (!s)
        return false;
    m->kind = LML_SC_LOGREG;
    m->d = (uint32_t)s->d;
    m->K = (uint32_t)s->num_classes;
    m->rows = (uint32_t)s->rows;
    m->multinomial = s->multinomial;
    lml_logreg_rule r;
    if (!lml_logreg_rule_of(st, s, &r, err))
        return false;
    m->bin_rule = r.binary_rule;
    m->cutoff = r.cutoff;
    if (r.th && !(m->th = dup_doubles(r.th, s->num_classes)))
        return oom(err);
    if (!(m->coef = dup_doubles(s->coef, s->rows * s->d)) || !(m->intercept = dup_doubles(s->intercept, s->rows)))
        return oom(err);
    return true;
}

static bool compile_linreg(lml_sc_model *m, const lml_stage *st, lml_error *err)
{
    size_t d;
    const double *coef = lml_linear_regression_coefficients(st, &d, err);
    if (!coef)
        return false;
    m->kind = LML_SC_LINREG;
    m->d = (uint32_t)d;
    m->rows = 1;
    double b = lml_linear_regression_intercept(st, err);
    if (!(m->coef = dup_doubles(coef, d)) || !(m->intercept = dup_doubles(&b, 1)))
        return oom(err);
    return true;
}

/* Appends the leaf row of node `nd` of tree t (index ti) to m->leaves. */
static void leaf_row(lml_sc_model *m, const lml_tree *t, const lml_tree_node *nd, double weight, double *row)
{
    size_t K = m->K;
    const double *s = t->stats + nd->stats;
    switch (m->kind) {
    case LML_SC_DT_CLS:
        row[0] = nd->prediction;
        lml_tree_class_probs(s, K, row + 1);
        memcpy(row + 1 + K, s, K * sizeof *s);
        break;
    case LML_SC_RF_CLS:
        /* the forest adds s[c]/tot when tot > 0 and nothing otherwise; adding +0.0 to a sum that
         * starts at +0.0 and only grows leaves it unchanged */
        lml_tree_class_probs(s, K, row);
        break;
    case LML_SC_GBT_CLS:
    case LML_SC_GBT_REG: row[0] = weight * nd->prediction; break;
    default: row[0] = nd->prediction; break;
    }
}

typedef struct flat {
    lml_sc_model *m;
    size_t node_cap, leaf_cap, cat_cap, bits_cap;
} flat;

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return false;
    *p = q;
    *cap = nc;
    return true;
}

/* Emits the subtree of node k in pre-order; returns false with err set. */
static bool emit(flat *f, const lml_tree *t, int32_t k, double weight, int depth, lml_error *err)
{
    lml_sc_model *m = f->m;
    if (k < 0 || (size_t)k >= t->nnodes || depth > 64)
        return lml_error_set(err, LML_EFORMAT, "a tree has an invalid node link");
    const lml_tree_node *nd = &t->nodes[k];
    if (!grow((void **)&m->nodes, &f->node_cap, m->nnodes + 1, sizeof *m->nodes))
        return oom(err);
    size_t me = m->nnodes++;
    if (nd->left < 0) {
        size_t w = m->leaf_width;
        if (!grow((void **)&m->leaves, &f->leaf_cap, (m->nleaves + 1) * w, sizeof *m->leaves))
            return oom(err);
        leaf_row(m, t, nd, weight, m->leaves + m->nleaves * w);
        m->nodes[me] = (lml_sc_node){.thr = 0.0, .feat = -1, .right = (int32_t)m->nleaves++};
        return true;
    }
    if (nd->feature < 0 || (uint32_t)nd->feature >= m->d)
        return lml_error_set(err, LML_EFORMAT, "a tree splits on feature %d of %u", nd->feature, m->d);
    lml_sc_node node = {.thr = nd->threshold, .feat = nd->feature};
    if (nd->arity > 0) {
        size_t a = (size_t)nd->arity;
        if (!grow((void **)&m->cats, &f->cat_cap, m->ncats + 1, sizeof *m->cats) ||
            !grow((void **)&m->catbits, &f->bits_cap, m->ncatbits + a, 1))
            return oom(err);
        uint8_t *bits = m->catbits + m->ncatbits;
        memset(bits, 0, a);
        for (int32_t c = 0; c < nd->ncats; c++) {
            double v = t->cats[nd->cat_off + (size_t)c];
            if (!(v >= 0 && v < (double)a && v == floor(v)))
                return lml_error_set(err, LML_EUNSUPPORTED, "a categorical split lists category %g outside [0, %zu)",
                                     v, a);
            bits[(size_t)v] = 1;
        }
        /* goes_left: membership, or for values outside [0, arity) the side Spark did not list */
        m->cats[m->ncats] = (lml_sc_cat){.arity = (uint32_t)a, .bits = m->ncatbits,
                                         .dflt = !(nd->ncats <= nd->arity / 2)};
        node.thr = (double)m->ncats++;
        node.feat = -2 - nd->feature;
        m->ncatbits += a;
    }
    m->nodes[me] = node;
    if (!emit(f, t, nd->left, weight, depth + 1, err))
        return false;
    m->nodes[me].right = (int32_t)m->nnodes;
    return emit(f, t, nd->right, weight, depth + 1, err);
}

static bool compile_trees(lml_sc_model *m, const lml_stage *st, lml_error *err)
{
    const lml_stage_vtable *vt = st->vt;
    const lml_tree *trees;
    const double *weights = NULL;
    size_t d = 0, K = 0, T = 1;
    if (vt == &lml_dt_classifier_model_vt || vt == &lml_dt_regressor_model_vt) {
        trees = lml_dt_model_tree(st, &d, &K, err);
        m->kind = K ? LML_SC_DT_CLS : LML_SC_DT_REG;
        m->leaf_width = K ? 1 + 2 * (uint32_t)K : 1;
    } else if (vt == &lml_rf_classifier_model_vt || vt == &lml_rf_regressor_model_vt) {
        trees = lml_rf_model_trees(st, &d, &K, &T, err);
        m->kind = K ? LML_SC_RF_CLS : LML_SC_RF_REG;
        m->leaf_width = K ? (uint32_t)K : 1;
    } else {
        bool cls;
        trees = lml_gbt_model_trees(st, &d, &cls, &T, &weights, err);
        K = cls ? 2 : 0;
        m->kind = cls ? LML_SC_GBT_CLS : LML_SC_GBT_REG;
        m->leaf_width = 1;
        size_t nt = 0;
        const double *th = cls && lml_is_set(st, "thresholds") ? lml_get_doubles(st, "thresholds", &nt, NULL) : NULL;
        if (th && nt != 2)
            return lml_error_set(err, LML_EINVAL, "%s: thresholds has length %zu but the model has 2 classes",
                                 st->uid, nt);
        if (th && !(m->th = dup_doubles(th, 2)))
            return oom(err);
    }
    if (!trees)
        return false;
    if (T == 0 || T > UINT32_MAX / 2)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: a model of %zu trees", st->uid, T);
    m->d = (uint32_t)d;
    m->K = (uint32_t)K;
    m->ntrees = (uint32_t)T;
    if (!(m->roots = malloc(T * sizeof *m->roots)))
        return oom(err);
    flat f = {.m = m};
    for (size_t t = 0; t < T; t++) {
        m->roots[t] = m->nnodes;
        if (!emit(&f, &trees[t], 0, weights ? weights[t] : 1.0, 0, err)) {
            lml_error_prefix(err, "%s: tree %zu", st->uid, t);
            return false;
        }
    }
    return true;
}

bool lml_sc_set_outputs(lml_scorer *s, lml_error *err)
{
    size_t K = s->m.K;
    s->noutputs = K ? 1 + 2 * K : 1;
    if (!(s->output_names = calloc(s->noutputs, sizeof *s->output_names)))
        return oom(err);
    for (size_t i = 0; i < s->noutputs; i++) {
        char buf[64];
        if (i == 0)
            snprintf(buf, sizeof buf, "prediction");
        else if (i <= K)
            snprintf(buf, sizeof buf, "probability[%zu]", i - 1);
        else
            snprintf(buf, sizeof buf, "rawPrediction[%zu]", i - 1 - K);
        if (!(s->output_names[i] = lml_strdup(buf, err)))
            return false;
    }
    return true;
}

bool lml_sc_compile_model(lml_scorer *s, const lml_stage *st, lml_error *err)
{
    lml_sc_model *m = &s->m;
    const lml_stage_vtable *vt = st->vt;
    bool ok = vt == &lml_logistic_regression_model_vt ? compile_logreg(m, st, err)
              : vt == &lml_linear_regression_model_vt ? compile_linreg(m, st, err)
                                                      : compile_trees(m, st, err);
    return ok;
}
