/* Level-wise growth of one tree over per-node histograms (spec §9.5). The rows of each open node
 * sit together in a row list (stable partitions keep them ascending), so a node's histogram pass
 * visits only its own rows, and only the features of its subset. When nodes consider every feature
 * the parent's histograms are kept and only the smaller child of a split is built; the larger is
 * parent minus sibling. The best split is the first maximum of Spark's gain over features in index
 * order and thresholds in order. Nodes are processed in chunks so the histograms stay within a
 * budget; neither the chunking nor the thread count changes the result. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "../../core/internal.h"
#include "tree_internal.h"

#define HIST_BUDGET ((size_t)256 << 20) /* bytes of histograms per pass */

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
                                  .prediction = lml_tree_node_prediction(o, s, b->nstats), .weight = lml_tree_node_weight(o, s, b->nstats), .arity = 0,
                                  .raw_count = (int64_t)s[b->nstats],
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

/* An open node of the current level: its rows are positions [beg, end) of the row list. */
typedef struct onode {
    int32_t node;         /* index in the builder */
    size_t beg, end, nl;  /* nl: rows sent left by its split */
    const size_t *feats;  /* the node's feature subset (ascending), NULL = all features */
    size_t nf;
    double *hist;         /* per feature of feats: bins × (stats + raw count) */
    const double *parent; /* the parent's histogram when kept (all-features mode), else NULL */
    int32_t sib;          /* the open sibling's index in this level, -1 */
    bool derived;         /* hist = parent − sibling's hist */
    int32_t split_feat;   /* -1: no split */
    int32_t child[2];     /* next-level indices of the open children, -1 */
} onode;

/* What the row-level passes share. The row list holds row ids grouped by open node, ascending
 * within a node (partitions are stable), so a node's histogram adds its rows in the same order
 * whatever the threading. Each row's stats travel with it in a parallel list, so histogram passes
 * read them sequentially (gathering them by row id costs a cache miss per row once the data
 * outgrows the cache): classification {w·count, count, class}, regression {w·count, w·count·y,
 * w·count·y², count}. */
typedef struct level_ctx {
    const lml_tree_bins *bins;
    size_t n, S1, K, P;
    const size_t *boff; /* block offset (in bins) of the node's q-th feature */
    onode *open;
    const size_t (*tasks)[2];
    const uint32_t *rows;
    uint32_t *tmp;
    const double *rs;
    double *rstmp;
    bool unit; /* no instance weights: weight = count */
    size_t fb; /* features per histogram task */
    uint8_t *left;
    const uint8_t *mask; /* slot -> left bins of its split */
    size_t MB;
    const size_t *splitting; /* open indices of the nodes that split */
} level_ctx;

/* Features per histogram task: a task reads each of its node's rows once (the row's bins are
 * contiguous) and adds it to up to this many features' histograms. Levels with few nodes use
 * smaller blocks so every worker gets tasks; the block size never changes a sum. */
#define FEAT_BLOCK 16

/* Rows of a deep node are scattered over the matrix, so each row's bins are a cache miss; the
 * row list says which rows come next, so their bins are prefetched PREFETCH rows ahead. */
#define PREFETCH 24
/* The partition does far less per row, so it looks further ahead to cover the same latency. */
#define PREFETCH_SPLIT 64

#define HIST_ROWS(T, base, ADD)                                                                       \
    for (size_t i = nd->beg; i < nd->end; i++) {                                                      \
        if (i + PREFETCH < nd->end) {                                                                 \
            const T *ahead = (base) + (size_t)L->rows[i + PREFETCH] * d;                              \
            __builtin_prefetch(ahead + (f ? f[q0] : q0));                                             \
            __builtin_prefetch(ahead + (f ? f[q1 - 1] : q1 - 1));                                     \
        }                                                                                             \
        const T *row = (base) + (size_t)L->rows[i] * d;                                               \
        const double *s = L->rs + P * i;                                                              \
        for (size_t q = q0; q < q1; q++) {                                                            \
            double *cell = h + (L->boff[q] + row[f ? f[q] : q]) * S1;                                 \
            ADD;                                                                                      \
        }                                                                                             \
    }

#define HIST_TYPED(ADD)                                                                               \
    do {                                                                                              \
        if (L->bins->b8)                                                                              \
            HIST_ROWS(uint8_t, L->bins->b8, ADD)                                                      \
        else                                                                                          \
            HIST_ROWS(uint16_t, L->bins->b16, ADD)                                                    \
    } while (0)

/* The histograms of features [q0, q0 + L->fb) of one node: its rows in list order. Without
 * instance weights a row's weight is its count, so the raw-count slot is filled afterwards from the
 * weights (integer sums, exact in any order) instead of being added row by row. */
static void hist_block(void *vctx, size_t t, int worker)
{
    (void)worker;
    const level_ctx *L = vctx;
    const onode *nd = &L->open[L->tasks[t][0]];
    size_t q0 = L->tasks[t][1], q1 = q0 + L->fb < nd->nf ? q0 + L->fb : nd->nf;
    size_t S1 = L->S1, K = L->K, P = L->P, d = L->bins->d;
    const size_t *f = nd->feats;
    double *h = nd->hist;
    if (K && L->unit)
        HIST_TYPED(cell[(int)s[2]] += s[0]);
    else if (K)
        HIST_TYPED((cell[(int)s[2]] += s[0], cell[K] += s[1]));
    else if (L->unit)
        HIST_TYPED((cell[0] += s[0], cell[1] += s[1], cell[2] += s[2]));
    else
        HIST_TYPED((cell[0] += s[0], cell[1] += s[1], cell[2] += s[2], cell[3] += s[3]));
    if (!L->unit)
        return;
    for (size_t q = q0; q < q1; q++) {
        size_t nb = L->bins->nsplits[f ? f[q] : q] + 1;
        for (double *cell = h + L->boff[q] * S1, *end = cell + nb * S1; cell < end; cell += S1) {
            double c = 0.0;
            for (size_t k = 0; k < (K ? K : 1); k++)
                c += cell[k];
            cell[S1 - 1] = c;
        }
    }
}

/* Stable partition of a splitting node's rows into the other row list: left rows first. */
static void partition_node(void *vctx, size_t t, int worker)
{
    (void)worker;
    const level_ctx *L = vctx;
    onode *nd = &L->open[L->splitting[t]];
    size_t j = (size_t)nd->split_feat, nl = 0;
    const uint8_t *m = L->mask + L->splitting[t] * L->MB;
    for (size_t i = nd->beg; i < nd->end; i++) {
        if (i + PREFETCH_SPLIT < nd->end) {
            size_t at = (size_t)L->rows[i + PREFETCH_SPLIT] * L->bins->d + j;
            __builtin_prefetch(L->bins->b8 ? (const void *)(L->bins->b8 + at) : (const void *)(L->bins->b16 + at));
        }
        L->left[i] = m[lml_tree_bin(L->bins, L->rows[i], j)];
        nl += L->left[i];
    }
    size_t li = nd->beg, ri = nd->beg + nl, P = L->P;
    for (size_t i = nd->beg; i < nd->end; i++) {
        size_t to = L->left[i] ? li++ : ri++;
        L->tmp[to] = L->rows[i];
        for (size_t k = 0; k < P; k++) /* P is 3 or 4: a loop, not a memcpy call */
            L->rstmp[P * to + k] = L->rs[P * i + k];
    }
    nd->nl = nl;
}

/* hist = parent − sibling; a bin left with no rows is exactly empty (no rounding residue). */
static void derive_hist(double *h, const double *parent, const double *sib, size_t cells, size_t S1)
{
    for (size_t c = 0; c < cells; c++)
        h[c] = parent[c] - sib[c];
    for (size_t c = 0; c < cells; c += S1)
        if (h[c + S1 - 1] == 0.0)
            memset(h + c, 0, S1 * sizeof(double));
}

bool lml_tree_grow(const lml_tree_data *dt, const lml_tree_bins *bins, const lml_tree_options *o, lml_tree *out,
                   lml_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = dt->n, d = dt->d, S = o->num_classes ? o->num_classes : 3, S1 = S + 1;
    size_t K = o->num_classes, P = K ? 3 : 4;
    size_t MB = bins->max_bins ? bins->max_bins : 1;
    if (n > UINT32_MAX)
        return lml_error_set(err, LML_ERANGE, "tree growth: %zu rows, at most %u per tree", n, UINT32_MAX);
    builder b = {.nstats = S};
    size_t ncats = 0, capcats = 0, nopen = 0, m = 0;
    double *cats = NULL, *prev_arena = NULL, *arena = NULL;
    bool subset = o->feature_subset > 0 && o->feature_subset < d;
    size_t fs = subset ? o->feature_subset : d;
    size_t *off = malloc((d + 1) * sizeof *off), *qoff = malloc((fs ? fs : 1) * sizeof *qoff);
    uint32_t *rows = malloc((n ? n : 1) * sizeof *rows), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    uint8_t *left = malloc(n ? n : 1);
    double *rs = malloc((n ? n : 1) * P * sizeof *rs), *rstmp = malloc((n ? n : 1) * P * sizeof *rstmp), *root = calloc(S1, sizeof(double));
    onode *open = malloc(sizeof *open), *next = NULL;
    size_t *feats = NULL, (*tasks)[2] = NULL, *splitting = NULL;
    uint8_t *mask = NULL, *cand = malloc(MB);
    lml_tree_scratch w = {.left = malloc(4 * S1 * sizeof(double)), .centroid = malloc(MB * sizeof(double)),
                 .order = malloc(MB * sizeof(size_t))};
    gsl_rng *rng = subset ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    size_t *all = subset ? malloc(d * sizeof *all) : NULL;
    if (!off || !qoff || !rows || !tmp || !left || !rs || !rstmp || !root || !open || !cand || !w.left || !w.centroid ||
        !w.order || (subset && (!rng || !all)))
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
    for (size_t q = 0; q < fs; q++)
        qoff[q] = q * MB;
    /* Rows left out by the bootstrap (count 0) add nothing anywhere, so they never enter the list. */
    for (size_t i = 0; i < n; i++) {
        add_row(root, o, dt, i);
        double c = dt->counts ? dt->counts[i] : 1.0, wc = (dt->w ? dt->w[i] : 1.0) * c, *s = rs + P * m;
        if (c == 0.0)
            continue;
        if (K) {
            s[0] = wc, s[1] = c, s[2] = dt->y[i];
        } else {
            s[0] = wc, s[1] = wc * dt->y[i], s[2] = wc * dt->y[i] * dt->y[i], s[3] = c;
        }
        rows[m++] = (uint32_t)i;
    }
    double min_w = o->min_weight_fraction * lml_tree_node_weight(o, root, S);
    if (add_node(&b, o, root) < 0)
        goto oom;
    open[0] = (onode){.node = 0, .beg = 0, .end = m, .sib = -1};
    nopen = 1;
    /* Block offsets: every feature's own bin count with all features (so a parent's histogram
     * lines up with its children's), MB per feature for a subset. */
    const size_t *boff = subset ? qoff : off;
    size_t hsize = (subset ? fs * MB : off[d]) * S1; /* doubles per node */
    if (!hsize)
        hsize = 1;
    for (int level = 0; nopen > 0; level++) {
        free(feats), free(tasks), free(mask), free(splitting);
        feats = subset ? malloc(nopen * fs * sizeof *feats) : NULL;
        tasks = malloc(nopen * fs * sizeof *tasks);
        mask = malloc(nopen * MB);
        splitting = malloc(nopen * sizeof *splitting);
        next = malloc(2 * nopen * sizeof *next);
        if ((subset && !feats) || !tasks || !mask || !splitting || !next)
            goto oom;
        /* Subsets are drawn node by node in level order (one stream per tree), ascending so ties
         * still go to the lowest feature index. */
        for (size_t s = 0; s < nopen; s++) {
            open[s].nf = fs;
            open[s].feats = NULL;
            if (subset) {
                gsl_ran_choose(rng, feats + s * fs, fs, all, d, sizeof *all);
                open[s].feats = feats + s * fs;
            }
        }
        /* Keep this level's histograms for the children's subtraction when they all fit at once. */
        bool keep = !subset && nopen <= HIST_BUDGET / sizeof(double) / hsize;
        size_t nnext = 0, nsplit = 0;
        size_t fb = FEAT_BLOCK, want = 4 * (size_t)lml_pool_size();
        while (fb > 1 && nopen * ((fs + fb - 1) / fb) < want)
            fb /= 2;
        level_ctx L = {.fb = fb, .bins = bins, .n = n, .S1 = S1, .K = K, .P = P, .boff = boff, .open = open,
                       .rows = rows, .tmp = tmp, .rs = rs, .rstmp = rstmp, .unit = !dt->w, .left = left, .mask = mask, .MB = MB};
        for (size_t c0 = 0; c0 < nopen;) {
            /* A chunk of whole sibling groups within the histogram budget (at least one group). */
            size_t c1 = c0;
            while (c1 < nopen) {
                size_t g = open[c1].sib == (int32_t)(c1 + 1) ? 2 : 1;
                if (c1 > c0 && (c1 + g - c0) > HIST_BUDGET / sizeof(double) / hsize)
                    break;
                c1 += g;
            }
            free(arena);
            arena = calloc((c1 - c0) * hsize, sizeof(double));
            if (!arena)
                goto oom;
            size_t nt = 0;
            for (size_t s = c0; s < c1; s++) {
                onode *nd = &open[s];
                nd->hist = arena + (s - c0) * hsize;
                nd->split_feat = -1;
                nd->child[0] = nd->child[1] = -1;
                /* With the parent's histogram at hand, only the smaller sibling is built. */
                nd->derived = false;
                if (nd->parent && nd->sib >= 0) {
                    const onode *sb = &open[nd->sib];
                    size_t mine = nd->end - nd->beg, theirs = sb->end - sb->beg;
                    nd->derived = mine > theirs || (mine == theirs && nd->sib < (int32_t)s);
                }
                for (size_t q = 0; !nd->derived && q < nd->nf; q += L.fb) {
                    tasks[nt][0] = s;
                    tasks[nt++][1] = q;
                }
            }
            L.tasks = (const size_t(*)[2])tasks;
            lml_parallel_for(nt, hist_block, &L);
            for (size_t s = c0; s < c1; s++)
                if (open[s].derived)
                    derive_hist(open[s].hist, open[s].parent, open[open[s].sib].hist, hsize, S1);
            for (size_t s = c0; s < c1; s++) {
                onode *nd = &open[s];
                int32_t k = nd->node;
                double best = -INFINITY;
                int32_t bf = -1;
                uint8_t *mk = mask + s * MB;
                const double *hbf = NULL;
                for (size_t q = 0; q < nd->nf; q++) {
                    size_t j = nd->feats ? nd->feats[q] : q;
                    double before = best;
                    const double *hj = nd->hist + boff[q] * S1;
                    lml_tree_eval_feature(o, bins, j, hj, b.nodes[k].impurity, min_w, &w, &best, cand);
                    if (best > before) {
                        bf = (int32_t)j;
                        hbf = hj;
                        memcpy(mk, cand, bins->nsplits[j] + 1);
                    }
                }
                if (bf < 0) {
                    b.nodes[k].impurity = -1.0; /* evaluated, no valid split */
                    continue;
                }
                if (!(best > 0) || level == o->max_depth)
                    continue;
                size_t nb = bins->nsplits[bf] + 1;
                /* Children stats from the chosen feature's histogram. */
                memset(w.left, 0, 2 * S1 * sizeof(double));
                size_t nleft = 0, last_left = 0;
                for (size_t q = 0; q < nb; q++) {
                    for (size_t c = 0; c < S1; c++)
                        (mk[q] ? w.left : w.right)[c] += hbf[q * S1 + c];
                    if (mk[q])
                        nleft++, last_left = q;
                }
                if (bins->arity[bf] && ncats + nleft > capcats) {
                    size_t cap = 2 * (ncats + nleft) + 16;
                    double *nc = realloc(cats, cap * sizeof(double));
                    if (!nc)
                        goto oom;
                    cats = nc;
                    capcats = cap;
                }
                long l = add_node(&b, o, w.left);
                long r = l < 0 ? -1 : add_node(&b, o, w.right);
                if (r < 0)
                    goto oom;
                lml_tree_node *ndk = &b.nodes[k]; /* nodes may have moved */
                ndk->left = (int32_t)l;
                ndk->right = (int32_t)r;
                ndk->feature = bf;
                ndk->gain = best;
                if (bins->arity[bf]) {
                    ndk->arity = (int32_t)bins->arity[bf];
                    ndk->ncats = (int32_t)nleft;
                    ndk->cat_off = ncats;
                    for (size_t q = 0; q < nb; q++)
                        if (mk[q])
                            cats[ncats++] = (double)q;
                } else {
                    ndk->threshold = bins->thresholds[bf][last_left];
                }
                long kids[2] = {l, r};
                for (int c = 0; c < 2; c++) {
                    const lml_tree_node *ch = &b.nodes[kids[c]];
                    if (level + 1 < o->max_depth && !(fabs(ch->impurity) < 0x1p-52)) {
                        nd->child[c] = (int32_t)nnext;
                        next[nnext++] = (onode){.node = (int32_t)kids[c], .sib = -1};
                    }
                }
                if (nd->child[0] >= 0 || nd->child[1] >= 0) {
                    nd->split_feat = bf;
                    splitting[nsplit++] = s;
                }
            }
            if (!keep) {
                free(arena);
                arena = NULL;
            }
            c0 = c1;
        }
        /* Rows move to their children; only nodes with an open child need it. */
        L.splitting = splitting;
        lml_parallel_for(nsplit, partition_node, &L);
        for (size_t t = 0; t < nsplit; t++) {
            const onode *nd = &open[splitting[t]];
            size_t range[2][2] = {{nd->beg, nd->beg + nd->nl}, {nd->beg + nd->nl, nd->end}};
            for (int c = 0; c < 2; c++)
                if (nd->child[c] >= 0) {
                    onode *ch = &next[nd->child[c]];
                    ch->beg = range[c][0];
                    ch->end = range[c][1];
                    ch->parent = keep ? nd->hist : NULL;
                    ch->sib = nd->child[1 - c];
                }
        }
        uint32_t *sw = rows;
        rows = tmp;
        tmp = sw;
        double *sr = rs;
        rs = rstmp;
        rstmp = sr;
        free(prev_arena);
        prev_arena = arena; /* the kept histograms, which the next level's parent pointers name */
        arena = NULL;
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
    free(b.nodes), free(b.stats), free(off), free(qoff), free(rows), free(tmp), free(left), free(rs), free(rstmp), free(root);
    free(open), free(next), free(feats), free(tasks), free(mask), free(splitting), free(prev_arena), free(arena);
    free(cand), free(w.left), free(w.centroid), free(w.order), free(cats), free(all);
    if (rng)
        gsl_rng_free(rng);
    if (out->stats)
        return true;
    lml_tree_clear(out);
    return lml_error_set(err, LML_ENOMEM, "tree growth: out of memory (%zu rows, %zu features)", n, d);
}

