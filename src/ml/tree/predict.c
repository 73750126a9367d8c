/* Fast batch prediction for the tree models' transforms. The learner's lml_tree_node (~80 bytes,
 * children by index, split kinds mixed) is good for growing and saving, bad for scoring a million
 * rows: every step of a walk touches a fresh cache line and branches unpredictably. Here each
 * tree is re-laid out once per model as 16-byte nodes in pre-order (the left child is the next
 * node, so a node holds only its threshold, feature and right child), leaves loop onto themselves
 * (threshold -inf: a finite value never goes left), and rows are walked tree-major over blocks of
 * rows, eight rows in flight, a fixed number of steps (the tree's depth) with no data-dependent
 * branch. A tree with a categorical split is walked node by node instead, by the same rule as
 * split.c's goes_left.
 *
 * Exactness: the walk reaches the same leaf as lml_tree_leaf_of (same comparisons on the same
 * doubles), and the per-leaf values are computed by the caller's function in the caller's
 * arithmetic; callers add them up per row in tree order, so outputs are bit-identical to the
 * row-by-row reference for any thread count (a row's result never depends on its block).
 * The -inf leaf trick needs finite inputs, which lml_tree_read_features guarantees. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../../core/internal.h"
#include "tree_internal.h"

#define LEAF_FEATURE 0 /* a leaf compares feature 0 with -inf and stays put */
#define CAT_BASE (-2)  /* categorical split on feature j: feat = CAT_BASE - j */

/* Pre-order copy of tree t into f->nodes[base …]; returns the nodes written,
 * or 0 when the nodes do not form a tree (a child out of range, a cycle). The three scratch
 * stacks (nnodes + 1 entries each) hold, per pending node, its source index, the new index of the
 * parent whose right child it is (SIZE_MAX for a left child, which is simply the next node) and
 * its depth. */
static size_t layout(const lml_tree *t, lml_fast_trees *f, size_t base, size_t *stack,
                     size_t *parent_slot, size_t *dstack, bool *has_cat, int *depth)
{
    size_t sp = 0, k = 0, depth_max = 0;
    stack[0] = 0, parent_slot[0] = SIZE_MAX, dstack[0] = 0, sp = 1;
    while (sp > 0) {
        sp--;
        size_t src = stack[sp], par = parent_slot[sp], dep = dstack[sp];
        if (k >= t->nnodes || src >= t->nnodes)
            return 0;
        size_t me = base + k++;
        if (par != SIZE_MAX)
            f->nodes[par].right = (int32_t)me;
        const lml_tree_node *nd = &t->nodes[src];
        lml_fast_node *o = &f->nodes[me];
        if (dep > depth_max)
            depth_max = dep;
        if (nd->left < 0) {
            o->thr = -INFINITY;
            o->feat = LEAF_FEATURE;
            o->right = (int32_t)me;
            f->leaf_node[me] = (int32_t)src;
            continue;
        }
        if ((size_t)nd->left >= t->nnodes || (size_t)nd->right >= t->nnodes || sp + 2 > t->nnodes + 1)
            return 0;
        f->leaf_node[me] = -1;
        if (nd->arity) {
            *has_cat = true;
            f->cats[f->ncats] = (lml_fast_cat){t->cats + nd->cat_off, nd->ncats, nd->arity};
            o->thr = (double)f->ncats++;
            o->feat = CAT_BASE - nd->feature;
        } else {
            o->thr = nd->threshold;
            o->feat = nd->feature;
        }
        /* right is pushed first so that the left subtree is emitted right after this node */
        stack[sp] = (size_t)nd->right, parent_slot[sp] = me, dstack[sp] = dep + 1, sp++;
        stack[sp] = (size_t)nd->left, parent_slot[sp] = SIZE_MAX, dstack[sp] = dep + 1, sp++;
    }
    *depth = (int)depth_max;
    return k;
}

void lml_fast_trees_free(lml_fast_trees *f)
{
    if (!f)
        return;
    free(f->start), free(f->depth), free(f->has_cat), free(f->nodes), free(f->cats), free(f->leaf_node);
    free(f->vals), free(f->live);
    free(f);
}

static lml_fast_trees *build(const lml_tree *trees, size_t T, size_t nv, lml_leaf_value_fn fn, const void *ctx)
{
    size_t total = 0, maxn = 0, ncat = 0;
    for (size_t t = 0; t < T; t++) {
        total += trees[t].nnodes;
        if (trees[t].nnodes > maxn)
            maxn = trees[t].nnodes;
        for (size_t k = 0; k < trees[t].nnodes; k++)
            ncat += trees[t].nodes[k].left >= 0 && trees[t].nodes[k].arity;
    }
    if (total > INT32_MAX || (nv && total > SIZE_MAX / sizeof(double) / nv))
        return NULL;
    lml_fast_trees *f = calloc(1, sizeof *f);
    size_t *scratch = malloc(3 * (maxn + 2) * sizeof *scratch);
    if (!f || !scratch)
        goto fail;
    f->T = T, f->nv = nv;
    f->start = malloc((T + 1) * sizeof *f->start);
    f->depth = malloc((T ? T : 1) * sizeof *f->depth);
    f->has_cat = calloc(T ? T : 1, sizeof *f->has_cat);
    f->nodes = malloc((total ? total : 1) * sizeof *f->nodes);
    f->cats = malloc((ncat ? ncat : 1) * sizeof *f->cats);
    f->leaf_node = malloc((total ? total : 1) * sizeof *f->leaf_node);
    f->vals = nv ? malloc(total * nv * sizeof *f->vals) : NULL;
    f->live = nv ? malloc(total ? total : 1) : NULL;
    if (!f->start || !f->depth || !f->has_cat || !f->nodes || !f->cats || !f->leaf_node ||
        (nv && (!f->vals || !f->live)))
        goto fail;
    size_t base = 0;
    for (size_t t = 0; t < T; t++) {
        f->start[t] = base;
        if (trees[t].nnodes == 0)
            goto fail;
        size_t got = layout(&trees[t], f, base, scratch, scratch + maxn + 2, scratch + 2 * (maxn + 2),
                            &f->has_cat[t], &f->depth[t]);
        if (got != trees[t].nnodes)
            goto fail;
        for (size_t k = base; nv && k < base + got; k++)
            if (f->leaf_node[k] >= 0)
                f->live[k] = fn(ctx, t, &trees[t].nodes[f->leaf_node[k]], &trees[t], f->vals + k * nv);
        base += got;
    }
    f->start[T] = base;
    free(scratch);
    return f;
fail:
    free(scratch);
    lml_fast_trees_free(f);
    return NULL;
}

const lml_fast_trees *lml_fast_trees_get(lml_fast_trees **slot, const lml_tree *trees, size_t T, size_t nv,
                                         lml_leaf_value_fn fn, const void *ctx)
{
    lml_fast_trees *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (f)
        return f;
    lml_fast_trees *mine = build(trees, T, nv, fn, ctx), *expected = NULL;
    if (!mine)
        return NULL;
    /* Two transforms racing on one model both build; the first to publish wins. */
    if (__atomic_compare_exchange_n(slot, &expected, mine, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return mine;
    lml_fast_trees_free(mine);
    return expected;
}

static bool cat_left(const lml_fast_cat *c, double v)
{
    /* split.c's goes_left, on the borrowed category list */
    bool in = false;
    for (int32_t q = 0; q < c->ncats && !in; q++)
        in = c->cats[q] == v;
    bool is_left = c->ncats <= c->arity / 2;
    return in || (!is_left && !(v >= 0 && v < c->arity && v == floor(v)));
}

static inline double feat_at(const lml_tree_data *dt, size_t i, size_t j)
{
    return dt->X ? dt->X[i * dt->d + j] : lml_tree_feature(dt, i, j);
}

/* Node-by-node walk (categorical splits, CSR rows): the leaf's global node index. */
static size_t walk_general(const lml_fast_trees *f, size_t t, const lml_tree_data *dt, size_t i)
{
    const lml_fast_node *nd = f->nodes;
    size_t k = f->start[t];
    for (;;) {
        const lml_fast_node *n = &nd[k];
        if ((size_t)n->right == k)
            return k;
        bool left = n->feat >= 0 ? feat_at(dt, i, (size_t)n->feat) <= n->thr
                                 : cat_left(&f->cats[(size_t)n->thr], feat_at(dt, i, (size_t)(CAT_BASE - n->feat)));
        k = left ? k + 1 : (size_t)n->right;
    }
}

#define LANES 8

void lml_fast_trees_leaves(const lml_fast_trees *f, size_t t, const lml_tree_data *dt, size_t i0, size_t i1,
                           uint32_t *out)
{
    size_t m = i1 - i0, r = 0;
    if (dt->X && !f->has_cat[t]) {
        const lml_fast_node *nd = f->nodes;
        const uint32_t root = (uint32_t)f->start[t];
        const int depth = f->depth[t];
        const size_t d = dt->d;
        for (; r + LANES <= m; r += LANES) {
            uint32_t k[LANES];
            const double *x[LANES];
            for (int q = 0; q < LANES; q++)
                k[q] = root, x[q] = dt->X + (i0 + r + (size_t)q) * d;
            for (int lev = 0; lev < depth; lev++)
                for (int q = 0; q < LANES; q++) {
                    /* select by mask, not by branch: the direction is a coin flip per row */
                    const lml_fast_node *n = &nd[k[q]];
                    uint32_t go_right = -(uint32_t)!(x[q][n->feat] <= n->thr);
                    k[q] = ((k[q] + 1) & ~go_right) | ((uint32_t)n->right & go_right);
                }
            for (int q = 0; q < LANES; q++)
                out[r + (size_t)q] = k[q];
        }
    }
    for (; r < m; r++)
        out[r] = (uint32_t)walk_general(f, t, dt, i0 + r);
}

typedef struct run_ctx {
    const lml_fast_trees *f;
    const lml_tree_data *dt;
    lml_fast_tree_fn per_tree;
    lml_fast_rows_fn finish;
    void *ctx;
} run_ctx;

/* CSR rows [i0, i1) as a dense block (absent entries +0.0, as lml_tree_feature reads them), so
 * the walk reads a feature with one load instead of a binary search; NULL when the block would
 * be large (wide vectors) or a row's indices are not strictly increasing within [0, d). */
static double *densify(const lml_tree_data *dt, size_t i0, size_t i1)
{
    size_t m = i1 - i0, d = dt->d;
    if (d > 4096)
        return NULL;
    double *buf = calloc(m * d > 0 ? m * d : 1, sizeof *buf);
    for (size_t i = i0; buf && i < i1; i++) {
        double *row = buf + (i - i0) * d;
        for (int64_t z = dt->indptr[i]; z < dt->indptr[i + 1]; z++) {
            int32_t j = dt->indices[z];
            if (j < 0 || (size_t)j >= d || (z > dt->indptr[i] && j <= dt->indices[z - 1])) {
                free(buf);
                return NULL;
            }
            row[j] = dt->values[z];
        }
    }
    return buf;
}

static void run_block(void *vctx, size_t task, int worker)
{
    (void)worker;
    const run_ctx *c = vctx;
    uint32_t leaves[LML_FAST_BLOCK];
    size_t i0 = task * LML_FAST_BLOCK, i1 = i0 + LML_FAST_BLOCK < c->dt->n ? i0 + LML_FAST_BLOCK : c->dt->n;
    double *dense = c->dt->X ? NULL : densify(c->dt, i0, i1);
    lml_tree_data local = {.n = i1 - i0, .d = c->dt->d, .X = dense};
    for (size_t t = 0; t < c->f->T; t++) {
        if (dense)
            lml_fast_trees_leaves(c->f, t, &local, 0, i1 - i0, leaves);
        else
            lml_fast_trees_leaves(c->f, t, c->dt, i0, i1, leaves);
        c->per_tree(c->ctx, t, i0, i1, leaves);
    }
    free(dense);
    if (c->finish)
        c->finish(c->ctx, i0, i1);
}

void lml_fast_trees_run(const lml_fast_trees *f, const lml_tree_data *dt, lml_fast_tree_fn per_tree,
                        lml_fast_rows_fn finish, void *ctx)
{
    run_ctx c = {f, dt, per_tree, finish, ctx};
    lml_parallel_for((dt->n + LML_FAST_BLOCK - 1) / LML_FAST_BLOCK, run_block, &c);
}
