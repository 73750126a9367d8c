/* Level-wise growth of one tree over per-node histograms (spec §9.5): every open node of a level
 * gets, per feature and bin, the summed stats (class weights or Σw, Σwy, Σwy²) and raw row count
 * of its rows; the best split is the first maximum of Spark's gain over features in index order
 * and thresholds in order. Nodes are processed in chunks so the histograms stay within a budget;
 * the result does not depend on the chunking. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "../../core/internal.h"
#include "tree_internal.h"

#define HIST_BUDGET ((size_t)256 << 20) /* bytes of histograms per pass */

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

static double weight_of(const lml_tree_options *o, const double *s, size_t nstats)
{
    if (!o->num_classes)
        return s[0];
    double t = 0.0;
    for (size_t c = 0; c < nstats; c++)
        t += s[c];
    return t;
}

static double predict_of(const lml_tree_options *o, const double *s, size_t nstats)
{
    if (!o->num_classes)
        return s[0] != 0.0 ? s[1] / s[0] : 0.0;
    size_t best = 0;
    for (size_t c = 1; c < nstats; c++)
        if (s[c] > s[best])
            best = c;
    return (double)best;
}

typedef struct builder {
    lml_tree_node *nodes;
    double *stats;
    size_t n, cap, nstats;
} builder;

/* A new node with the given stats; returns its index or -1 when out of memory. */
static long add_node(builder *b, const lml_tree_options *o, const double *s)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        lml_tree_node *nn = realloc(b->nodes, cap * sizeof *nn);
        if (!nn)
            return -1;
        b->nodes = nn;
        double *ns = realloc(b->stats, cap * b->nstats * sizeof(double));
        if (!ns)
            return -1;
        b->stats = ns;
        b->cap = cap;
    }
    size_t k = b->n++;
    memcpy(b->stats + k * b->nstats, s, b->nstats * sizeof(double));
    b->nodes[k] = (lml_tree_node){.left = -1, .right = -1, .feature = -1, .gain = -1.0,
                                  .impurity = lml_tree_impurity_of(o->impurity, s, b->nstats),
                                  .prediction = predict_of(o, s, b->nstats), .weight = weight_of(o, s, b->nstats), .arity = 0,
                                  .stats = k * b->nstats};
    return (long)k;
}

static void add_row(double *h, const lml_tree_options *o, const lml_tree_data *dt, size_t i)
{
    double c = dt->counts ? dt->counts[i] : 1.0;
    if (c == 0.0)
        return;
    double w = (dt->w ? dt->w[i] : 1.0) * c;
    if (o->num_classes) {
        h[(size_t)dt->y[i]] += w;
        h[o->num_classes] += c;
    } else {
        h[0] += w;
        h[1] += w * dt->y[i];
        h[2] += w * dt->y[i] * dt->y[i];
        h[3] += c;
    }
}

/* Pre-order copy of the grown tree with Spark's post-pruning (an internal node whose two children
 * are leaves with the same prediction becomes a leaf, bottom-up); returns the new index. */
static int32_t emit(const builder *b, int32_t k, lml_tree *t)
{
    int32_t me = (int32_t)t->nnodes++;
    t->nodes[me] = b->nodes[k];
    if (b->nodes[k].left < 0)
        return me;
    int32_t l = emit(b, b->nodes[k].left, t);
    int32_t r = emit(b, b->nodes[k].right, t);
    t->nodes[me].left = l;
    t->nodes[me].right = r;
    if (t->nodes[l].left < 0 && t->nodes[r].left < 0 && t->nodes[l].prediction == t->nodes[r].prediction) {
        t->nnodes = (size_t)me + 1; /* the two leaves were the last nodes emitted */
        lml_tree_node *n = &t->nodes[me];
        n->left = n->right = n->feature = -1;
        n->gain = -1.0;
    }
    return me;
}

static int depth_of(const lml_tree *t, int32_t k)
{
    if (t->nodes[k].left < 0)
        return 0;
    int l = depth_of(t, t->nodes[k].left), r = depth_of(t, t->nodes[k].right);
    return 1 + (l > r ? l : r);
}

void lml_tree_clear(lml_tree *t)
{
    free(t->nodes);
    free(t->stats);
    free(t->cats);
    memset(t, 0, sizeof *t);
}

/* One histogram pass: feature j's bins of every node in slots [c0, c1). Each task owns one
 * feature's cells and adds rows in index order, so the sums do not depend on the thread count. */
typedef struct hist_task {
    const lml_tree_data *dt;
    const lml_tree_bins *bins;
    const lml_tree_options *o;
    const int32_t *slot;
    const size_t *off;
    double *hist;
    size_t c0, c1, TB, S1;
} hist_task;

static void hist_feature(void *vctx, size_t j, int worker)
{
    (void)worker;
    const hist_task *t = vctx;
    for (size_t i = 0; i < t->dt->n; i++) {
        if (t->slot[i] < (int32_t)t->c0 || t->slot[i] >= (int32_t)t->c1)
            continue;
        double *h = t->hist + (size_t)(t->slot[i] - (int32_t)t->c0) * t->TB * t->S1;
        add_row(h + (t->off[j] + lml_tree_bin(t->bins, i, j)) * t->S1, t->o, t->dt, i);
    }
}

/* Gain of a candidate with the given child stats, or -inf when Spark deems it invalid. */
static double cand_gain(const lml_tree_options *o, const double *left, const double *right, size_t S, double parent,
                        double min_w)
{
    double lw = weight_of(o, left, S), rw = weight_of(o, right, S);
    if (left[S] < (double)o->min_instances || right[S] < (double)o->min_instances || lw < min_w || rw < min_w)
        return -INFINITY;
    double W = lw + rw;
    double gain = parent - (lw / W) * lml_tree_impurity_of(o->impurity, left, S) -
                  (rw / W) * lml_tree_impurity_of(o->impurity, right, S);
    return gain < o->min_info_gain ? -INFINITY : gain;
}

typedef struct scratch {
    double *left, *right, *total, *centroid;
    size_t *order;
} scratch;

/* Evaluates every split of feature j (histogram hj of nb bins) in Spark's order; when one beats
 * *best (strictly), updates *best and writes the left bins into mask. */
static void eval_feature(const lml_tree_options *o, const lml_tree_bins *bins, size_t j, const double *hj, double parent,
                         double min_w, scratch *w, double *best, uint8_t *mask)
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
            double cnt = weight_of(o, h, S);
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

bool lml_tree_grow(const lml_tree_data *dt, const lml_tree_bins *bins, const lml_tree_options *o, lml_tree *out,
                   lml_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = dt->n, d = dt->d, S = o->num_classes ? o->num_classes : 3, S1 = S + 1;
    size_t MB = bins->max_bins ? bins->max_bins : 1;
    builder b = {.nstats = S};
    size_t ncats = 0, capcats = 0;
    double *cats = NULL;
    size_t *off = malloc((d + 1) * sizeof *off);
    int32_t *slot = malloc((n ? n : 1) * sizeof *slot); /* row -> open node slot at this level, -1 done */
    int32_t *open = NULL, *next = NULL;                 /* node indices of this / the next level */
    double *hist = NULL, *root = calloc(S1, sizeof(double));
    uint8_t *mask = NULL, *cand = malloc(MB);
    scratch w = {.left = malloc(4 * S1 * sizeof(double)), .centroid = malloc(MB * sizeof(double)),
                 .order = malloc(MB * sizeof(size_t))};
    bool subset = o->feature_subset > 0 && o->feature_subset < d;
    gsl_rng *rng = subset ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    size_t *all = subset ? malloc(d * sizeof *all) : NULL, *sel = subset ? malloc(d * sizeof *sel) : NULL;
    if (!off || !slot || !root || !cand || !w.left || !w.centroid || !w.order || (subset && (!rng || !all || !sel)))
        goto oom;
    if (subset) {
        gsl_rng_set(rng, (unsigned long)o->subset_seed);
        for (size_t j = 0; j < d; j++)
            all[j] = j;
    }
    w.right = w.left + S1;
    w.total = w.right + S1;
    off[0] = 0;
    for (size_t j = 0; j < d; j++)
        off[j + 1] = off[j] + bins->nsplits[j] + 1;
    size_t TB = off[d] ? off[d] : 1;
    for (size_t i = 0; i < n; i++) {
        add_row(root, o, dt, i);
        slot[i] = 0;
    }
    double min_w = o->min_weight_fraction * weight_of(o, root, S);
    if (add_node(&b, o, root) < 0)
        goto oom;
    size_t nopen = 1;
    if (!(open = malloc(sizeof *open)))
        goto oom;
    open[0] = 0;
    for (int level = 0; nopen > 0; level++) {
        /* Each open node can yield two children. */
        int32_t *child_of = NULL;
        next = malloc(2 * nopen * sizeof *next);
        child_of = malloc(2 * nopen * sizeof *child_of); /* slot -> left/right open slot or -1 */
        free(mask);
        mask = malloc(nopen * MB); /* slot -> its split's left bins; all 0 = no split */
        size_t per = TB * S1 * sizeof(double), chunk = HIST_BUDGET / per ? HIST_BUDGET / per : 1;
        if (chunk > nopen)
            chunk = nopen;
        free(hist);
        hist = malloc(chunk * per);
        int32_t *split_feat = malloc(nopen * sizeof *split_feat);
        if (!next || !child_of || !mask || !hist || !split_feat) {
            free(child_of), free(split_feat);
            goto oom;
        }
        size_t nnext = 0;
        for (size_t c0 = 0; c0 < nopen; c0 += chunk) {
            size_t c1 = c0 + chunk < nopen ? c0 + chunk : nopen;
            memset(hist, 0, (c1 - c0) * per);
            hist_task ht = {.dt = dt, .bins = bins, .o = o, .slot = slot, .off = off, .hist = hist,
                            .c0 = c0, .c1 = c1, .TB = TB, .S1 = S1};
            lml_parallel_for(d, hist_feature, &ht);
            for (size_t s = c0; s < c1; s++) {
                int32_t k = open[s];
                double best = -INFINITY;
                int32_t bf = -1;
                uint8_t *m = mask + s * MB;
                const double *h = hist + (s - c0) * TB * S1;
                size_t nf = d;
                if (subset) { /* ascending, so ties still go to the lowest feature index */
                    gsl_ran_choose(rng, sel, o->feature_subset, all, d, sizeof *all);
                    nf = o->feature_subset;
                }
                for (size_t q = 0; q < nf; q++) {
                    size_t j = subset ? sel[q] : q;
                    double before = best;
                    eval_feature(o, bins, j, h + off[j] * S1, b.nodes[k].impurity, min_w, &w, &best, cand);
                    if (best > before) {
                        bf = (int32_t)j;
                        memcpy(m, cand, bins->nsplits[j] + 1);
                    }
                }
                split_feat[s] = -1;
                child_of[2 * s] = child_of[2 * s + 1] = -1;
                if (bf < 0) {
                    b.nodes[k].impurity = -1.0; /* evaluated, no valid split */
                    continue;
                }
                if (!(best > 0) || level == o->max_depth)
                    continue;
                split_feat[s] = bf;
                size_t nb = bins->nsplits[bf] + 1;
                /* Children stats from the chosen feature's histogram. */
                const double *hj = h + off[bf] * S1;
                memset(w.left, 0, 2 * S1 * sizeof(double));
                size_t nleft = 0, last_left = 0;
                for (size_t q = 0; q < nb; q++) {
                    for (size_t c = 0; c < S1; c++)
                        (m[q] ? w.left : w.right)[c] += hj[q * S1 + c];
                    if (m[q])
                        nleft++, last_left = q;
                }
                if (bins->arity[bf]) {
                    if (ncats + nleft > capcats) {
                        size_t cap = 2 * (ncats + nleft) + 16;
                        double *nc = realloc(cats, cap * sizeof(double));
                        if (!nc) {
                            free(child_of), free(split_feat);
                            goto oom;
                        }
                        cats = nc;
                        capcats = cap;
                    }
                }
                long l = add_node(&b, o, w.left);
                long r = l < 0 ? -1 : add_node(&b, o, w.right);
                if (r < 0) {
                    free(child_of), free(split_feat);
                    goto oom;
                }
                lml_tree_node *nd = &b.nodes[k]; /* nodes may have moved */
                nd->left = (int32_t)l;
                nd->right = (int32_t)r;
                nd->feature = bf;
                nd->gain = best;
                if (bins->arity[bf]) {
                    nd->arity = (int32_t)bins->arity[bf];
                    nd->ncats = (int32_t)nleft;
                    nd->cat_off = ncats;
                    for (size_t q = 0; q < nb; q++)
                        if (m[q])
                            cats[ncats++] = (double)q;
                } else {
                    nd->threshold = bins->thresholds[bf][last_left];
                }
                long kids[2] = {l, r};
                for (int c = 0; c < 2; c++) {
                    const lml_tree_node *ch = &b.nodes[kids[c]];
                    if (level + 1 < o->max_depth && !(fabs(ch->impurity) < 0x1p-52)) {
                        child_of[2 * s + (size_t)c] = (int32_t)nnext;
                        next[nnext++] = (int32_t)kids[c];
                    }
                }
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (slot[i] < 0)
                continue;
            size_t s = (size_t)slot[i];
            if (split_feat[s] < 0) {
                slot[i] = -1;
                continue;
            }
            bool go_left = mask[s * MB + lml_tree_bin(bins, i, (size_t)split_feat[s])];
            slot[i] = child_of[2 * s + (go_left ? 0 : 1)];
        }
        free(child_of), free(split_feat);
        free(open);
        open = next;
        next = NULL;
        nopen = nnext;
    }
    out->nodes = malloc((b.n ? b.n : 1) * sizeof *out->nodes);
    if (!out->nodes)
        goto oom;
    emit(&b, 0, out);
    out->depth = depth_of(out, 0);
    out->nstats = S;
    out->stats = b.stats;
    out->cats = cats;
    b.stats = NULL;
    cats = NULL;
oom:
    free(b.nodes), free(b.stats), free(off), free(slot), free(open), free(next), free(hist), free(root);
    free(mask), free(cand), free(w.left), free(w.centroid), free(w.order), free(cats);
    free(all), free(sel);
    if (rng)
        gsl_rng_free(rng);
    if (out->stats)
        return true;
    lml_tree_clear(out);
    return lml_error_set(err, LML_ENOMEM, "tree growth: out of memory (%zu rows, %zu features)", n, d);
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
