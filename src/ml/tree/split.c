/* Node statistics, Spark's split gain and the evaluation of one feature's candidate splits from its
 * histogram (spec §9.4–9.5), and routing a row to its leaf. */
#include <math.h>
#include <string.h>
#include "tree_internal.h"

double lml_tree_impurity_of(lml_tree_impurity imp, const double *s, size_t nstats)
{
    if (imp == LML_IMP_VARIANCE) {
        if (s[0] == 0.0)
            return 0.0;
        return (s[2] - (s[1] * s[1]) / s[0]) / s[0];
    }
    double total = 0.0;
    for (size_t c = 0; c < nstats; c++)
        total += s[c];
    if (total == 0.0)
        return 0.0;
    double r = imp == LML_IMP_GINI ? 1.0 : 0.0;
    for (size_t c = 0; c < nstats; c++) {
        double p = s[c] / total;
        if (imp == LML_IMP_GINI)
            r -= p * p;
        else if (p != 0.0)
            r -= p * (log(p) / log(2.0));
    }
    return r;
}

double lml_tree_node_weight(const lml_tree_options *o, const double *s, size_t nstats)
{
    if (!o->num_classes)
        return s[0];
    double t = 0.0;
    for (size_t c = 0; c < nstats; c++)
        t += s[c];
    return t;
}

double lml_tree_node_prediction(const lml_tree_options *o, const double *s, size_t nstats)
{
    if (!o->num_classes)
        return s[0] != 0.0 ? s[1] / s[0] : 0.0;
    size_t best = 0;
    for (size_t c = 1; c < nstats; c++)
        if (s[c] > s[best])
            best = c;
    return (double)best;
}

/* Gain of a candidate with the given child stats, or -inf when Spark deems it invalid. */
static double cand_gain(const lml_tree_options *o, const double *left, const double *right, size_t S, double parent,
                        double min_w)
{
    double lw = lml_tree_node_weight(o, left, S), rw = lml_tree_node_weight(o, right, S);
    if (left[S] < (double)o->min_instances || right[S] < (double)o->min_instances || lw < min_w || rw < min_w)
        return -INFINITY;
    double W = lw + rw;
    double gain = parent - (lw / W) * lml_tree_impurity_of(o->impurity, left, S) -
                  (rw / W) * lml_tree_impurity_of(o->impurity, right, S);
    return gain < o->min_info_gain ? -INFINITY : gain;
}

/* Evaluates every split of feature j (histogram hj of nb bins) in Spark's order; when one beats
 * *best (strictly), updates *best and writes the left bins into mask. */
void lml_tree_eval_feature(const lml_tree_options *o, const lml_tree_bins *bins, size_t j, const double *hj, double parent,
                         double min_w, lml_tree_scratch *w, double *best, uint8_t *mask)
{
    size_t S = o->num_classes ? o->num_classes : 3, S1 = S + 1, nb = bins->nsplits[j] + 1, k = bins->arity[j];
    memset(w->total, 0, S1 * sizeof(double));
    for (size_t q = 0; q < nb; q++)
        for (size_t c = 0; c < S1; c++)
            w->total[c] += hj[q * S1 + c];
    if (k && o->num_classes > 2 && k <= bins->max_unordered) {
        /* Unordered: subset s sends left the categories whose bit is set in s + 1. */
        uint64_t nsub = ((uint64_t)1 << (k - 1)) - 1;
        for (uint64_t sub = 0; sub < nsub; sub++) {
            memset(w->left, 0, S1 * sizeof(double));
            for (size_t q = 0; q < k; q++)
                if ((sub + 1) >> q & 1)
                    for (size_t c = 0; c < S1; c++)
                        w->left[c] += hj[q * S1 + c];
            for (size_t c = 0; c < S1; c++)
                w->right[c] = w->total[c] - w->left[c];
            double g = cand_gain(o, w->left, w->right, S, parent, min_w);
            if (g > *best) {
                *best = g;
                for (size_t q = 0; q < nb; q++)
                    mask[q] = (uint8_t)((sub + 1) >> q & 1);
            }
        }
        return;
    }
    for (size_t q = 0; q < nb; q++)
        w->order[q] = q;
    if (k) {
        /* Ordered categories: sorted (stably) by centroid, empty ones last (§9.4). */
        for (size_t q = 0; q < k; q++) {
            const double *h = hj + q * S1;
            double cnt = lml_tree_node_weight(o, h, S);
            w->centroid[q] = cnt == 0        ? 1.7976931348623157e308
                             : o->num_classes > 2 ? lml_tree_impurity_of(o->impurity, h, S)
                             : o->num_classes == 2 ? h[1]
                             : o->num_classes ? 0.0
                                              : h[1] / h[0];
        }
        for (size_t a = 1; a < k; a++) /* insertion sort: stable, k is small */
            for (size_t b = a; b > 0 && w->centroid[w->order[b]] < w->centroid[w->order[b - 1]]; b--) {
                size_t t = w->order[b];
                w->order[b] = w->order[b - 1];
                w->order[b - 1] = t;
            }
    }
    memset(w->left, 0, S1 * sizeof(double));
    for (size_t q = 0; q + 1 < nb; q++) {
        for (size_t c = 0; c < S1; c++) {
            w->left[c] += hj[w->order[q] * S1 + c];
            w->right[c] = w->total[c] - w->left[c];
        }
        double g = cand_gain(o, w->left, w->right, S, parent, min_w);
        if (g > *best) {
            *best = g;
            memset(mask, 0, nb);
            for (size_t p = 0; p <= q; p++)
                mask[w->order[p]] = 1;
        }
    }
}

static bool goes_left(const lml_tree *t, const lml_tree_node *nd, double v)
{
    if (!nd->arity)
        return v <= nd->threshold;
    /* Spark's CategoricalSplit keeps the smaller side: with more left categories than half the
     * arity it tests membership of the right set, so a value outside [0, k) goes left then. */
    bool in = false;
    for (int32_t c = 0; c < nd->ncats && !in; c++)
        in = t->cats[nd->cat_off + (size_t)c] == v;
    bool is_left = nd->ncats <= nd->arity / 2;
    return in || (!is_left && !(v >= 0 && v < nd->arity && v == floor(v)));
}

size_t lml_tree_leaf_of(const lml_tree *t, const lml_tree_data *dt, size_t i)
{
    size_t k = 0;
    while (t->nodes[k].left >= 0)
        k = goes_left(t, &t->nodes[k], lml_tree_feature(dt, i, (size_t)t->nodes[k].feature)) ? (size_t)t->nodes[k].left
                                                                                               : (size_t)t->nodes[k].right;
    return k;
}
