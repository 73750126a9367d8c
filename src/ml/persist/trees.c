/* Tree models in Spark's layout (spec §4.7, §4.8): the node table under data/ (one row per node,
 * pre-order ids restarting at 0 in every tree, plus treeID for ensembles) and treesMetadata/ (one
 * row per tree with its own metadata JSON and weight). lakeml's trees are already stored in
 * pre-order, so node index = Spark id both ways; loading checks that the rows really form a tree
 * (ids 0..n−1, children after their parent, every node but the root reached exactly once). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/internal.h"
#include "ml/persist/persist_private.h"
#include "ml/tree/tree_internal.h"

void lml_tree_free_all(lml_tree *trees, size_t T)
{
    for (size_t t = 0; trees && t < T; t++)
        lml_tree_clear(&trees[t]);
    free(trees);
}

/* ---------------------------------------------------------------- saving */

/* A list<double> column of n rows; row r holds v[off[r] .. off[r+1]). */
static lml_column *dbl_lists(const double *v, const int32_t *off, size_t n, lml_error *err)
{
    static const double z = 0.0;
    lml_column *child = lml_column_from_doubles(off[n] ? v : &z, NULL, (size_t)off[n], err);
    lml_column *l = child ? lml_column_list_new(off, NULL, n, child, err) : NULL;
    lml_column_free(child);
    return l;
}

/* The nodeData columns of all trees, in tree then id order (Spark's NodeData field order, 3.x). */
static lml_column *node_struct(const lml_tree *trees, size_t T, size_t N, int32_t *tree_id, lml_error *err)
{
    int32_t *id = malloc(N * sizeof *id), *lc = malloc(N * sizeof *lc), *rc = malloc(N * sizeof *rc);
    int32_t *fi = malloc(N * sizeof *fi), *nc = malloc(N * sizeof *nc);
    int32_t *soff = malloc((N + 1) * sizeof *soff), *coff = malloc((N + 1) * sizeof *coff);
    double *pred = malloc(N * sizeof *pred), *imp = malloc(N * sizeof *imp), *gain = malloc(N * sizeof *gain);
    int64_t *raw = malloc(N * sizeof *raw);
    size_t nstats = 0, ncats = 0;
    for (size_t t = 0; t < T; t++) {
        nstats += trees[t].nnodes * trees[t].nstats;
        for (size_t k = 0; k < trees[t].nnodes; k++) {
            const lml_tree_node *nd = &trees[t].nodes[k];
            ncats += nd->left < 0 ? 0 : nd->arity ? (size_t)nd->ncats : 1;
        }
    }
    double *stats = malloc((nstats ? nstats : 1) * sizeof *stats), *cats = malloc((ncats ? ncats : 1) * sizeof *cats);
    lml_column *ch[9] = {0}, *sp[3] = {0}, *out = NULL;
    if (!id || !lc || !rc || !fi || !nc || !soff || !coff || !pred || !imp || !gain || !raw || !stats || !cats) {
        lml_error_set(err, LML_ENOMEM, "out of memory saving %zu tree nodes", N);
        goto done;
    }
    if (nstats > INT32_MAX || ncats > INT32_MAX) {
        lml_error_set(err, LML_ERANGE, "tree model too large to save (%zu stats values)", nstats);
        goto done;
    }
    size_t r = 0, so = 0, co = 0;
    soff[0] = coff[0] = 0;
    for (size_t t = 0; t < T; t++) {
        const lml_tree *tr = &trees[t];
        for (size_t k = 0; k < tr->nnodes; k++, r++) {
            const lml_tree_node *nd = &tr->nodes[k];
            tree_id[r] = (int32_t)t;
            id[r] = (int32_t)k;
            pred[r] = nd->prediction;
            imp[r] = nd->impurity;
            gain[r] = nd->left < 0 ? -1.0 : nd->gain;
            raw[r] = nd->raw_count;
            lc[r] = nd->left < 0 ? -1 : nd->left;
            rc[r] = nd->left < 0 ? -1 : nd->right;
            memcpy(stats + so, tr->stats + nd->stats, tr->nstats * sizeof(double));
            so += tr->nstats;
            soff[r + 1] = (int32_t)so;
            if (nd->left < 0) {
                fi[r] = -1, nc[r] = -1; /* Spark's leaf split: featureIndex -1, [], -1 */
            } else if (nd->arity) {
                fi[r] = nd->feature, nc[r] = nd->arity;
                memcpy(cats + co, tr->cats + nd->cat_off, (size_t)nd->ncats * sizeof(double));
                co += (size_t)nd->ncats;
            } else {
                fi[r] = nd->feature, nc[r] = -1;
                cats[co++] = nd->threshold;
            }
            coff[r + 1] = (int32_t)co;
        }
    }
    sp[0] = lml_column_from_int32s(fi, NULL, N, err);
    sp[1] = sp[0] ? dbl_lists(cats, coff, N, err) : NULL;
    sp[2] = sp[1] ? lml_column_from_int32s(nc, NULL, N, err) : NULL;
    static const char *const snames[3] = {"featureIndex", "leftCategoriesOrThreshold", "numCategories"};
    ch[8] = sp[2] ? lml_column_struct_new(N, 3, snames, sp, NULL, err) : NULL;
    ch[0] = lml_column_from_int32s(id, NULL, N, err);
    ch[1] = lml_column_from_doubles(pred, NULL, N, err);
    ch[2] = lml_column_from_doubles(imp, NULL, N, err);
    ch[3] = dbl_lists(stats, soff, N, err);
    ch[4] = lml_column_from_int64s(raw, NULL, N, err);
    ch[5] = lml_column_from_doubles(gain, NULL, N, err);
    ch[6] = lml_column_from_int32s(lc, NULL, N, err);
    ch[7] = lml_column_from_int32s(rc, NULL, N, err);
    static const char *const names[9] = {"id", "prediction", "impurity", "impurityStats", "rawCount",
                                         "gain", "leftChild", "rightChild", "split"};
    bool all = true;
    for (int i = 0; i < 9; i++)
        all = all && ch[i];
    if (all)
        out = lml_column_struct_new(N, 9, names, ch, NULL, err);
done:
    for (int i = 0; i < 9; i++)
        lml_column_free(ch[i]);
    for (int i = 0; i < 3; i++)
        lml_column_free(sp[i]);
    free(id), free(lc), free(rc), free(fi), free(nc), free(soff), free(coff), free(pred), free(imp), free(gain);
    free(raw), free(stats), free(cats);
    return out;
}

/* The metadata JSON of tree t of an ensemble: a fresh stage of class tree_vt (its own uid) with the
 * params self sets copied, saved the way lml_save writes metadata. */
static char *tree_meta(const lml_stage *self, const lml_stage_vtable *tree_vt, lml_error *err)
{
    lml_stage *ts = lml_stage_create(tree_vt, NULL, NULL, err);
    if (!ts)
        return NULL;
    for (size_t i = 0; i < tree_vt->nparams; i++)
        for (size_t j = 0; j < self->vt->nparams; j++)
            if (self->is_set[j] && strcmp(tree_vt->params[i].name, self->vt->params[j].name) == 0 &&
                tree_vt->params[i].type == self->vt->params[j].type) {
                lml_param_value v;
                if (!lml_param_value_copy(&v, &self->values[j], err)) {
                    lml_stage_free(ts);
                    return NULL;
                }
                lml_param_value_clear(&ts->values[i]);
                ts->values[i] = v;
                ts->is_set[i] = true;
            }
    char *out = NULL;
    cJSON *m = cJSON_CreateObject(), *pm = cJSON_CreateObject(), *dm = cJSON_CreateObject();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char tbuf[32];
    snprintf(tbuf, sizeof tbuf, "%lld", (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
    bool params_failed = false;
    if (m && pm && dm && cJSON_AddStringToObject(m, "class", tree_vt->class_name) &&
        cJSON_AddRawToObject(m, "timestamp", tbuf) &&
        cJSON_AddStringToObject(m, "sparkVersion", LML_PERSIST_SPARK_VERSION) &&
        cJSON_AddStringToObject(m, "uid", ts->uid)) {
        if (!lml_persist_params_to_meta(ts, pm, dm, err))
            params_failed = true;
        else if (cJSON_AddItemToObject(m, "paramMap", pm) && (pm = NULL, cJSON_AddItemToObject(m, "defaultParamMap", dm)))
            dm = NULL, out = cJSON_PrintUnformatted(m);
    }
    if (!out && !params_failed)
        lml_error_set(err, LML_ENOMEM, "%s: out of memory writing tree metadata", self->uid);
    cJSON_Delete(m), cJSON_Delete(pm), cJSON_Delete(dm);
    lml_stage_free(ts);
    return out;
}

static bool save_trees_meta(const lml_stage *self, const char *dir, size_t T, const double *weights,
                            const lml_stage_vtable *tree_vt, lml_error *err)
{
    char **metas = calloc(T, sizeof *metas);
    int32_t *ids = malloc(T * sizeof *ids);
    bool ok = false;
    lml_frame *f = NULL;
    lml_column *c[3] = {0};
    if (!metas || !ids) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory writing treesMetadata", self->uid);
        goto done;
    }
    for (size_t t = 0; t < T; t++) {
        ids[t] = (int32_t)t;
        if (!(metas[t] = tree_meta(self, tree_vt, err)))
            goto done;
    }
    c[0] = lml_column_from_int32s(ids, NULL, T, err);
    c[1] = c[0] ? lml_column_from_strings((const char *const *)metas, T, err) : NULL;
    c[2] = c[1] ? lml_column_from_doubles(weights, NULL, T, err) : NULL;
    static const char *const names[3] = {"treeID", "metadata", "weights"};
    f = c[2] ? lml_frame_new(3, names, c, err) : NULL;
    ok = f && lml_persist_write_table(dir, "treesMetadata", f, err);
done:
    for (size_t t = 0; metas && t < T; t++)
        free(metas[t]);
    for (int i = 0; i < 3; i++)
        lml_column_free(c[i]);
    lml_frame_free(f);
    free(metas), free(ids);
    return ok;
}

bool lml_tree_persist_save(const lml_stage *self, const char *dir, struct cJSON *meta, const lml_tree *trees, size_t T,
                           const double *weights, const lml_stage_vtable *tree_vt, size_t d, size_t num_classes,
                           lml_error *err)
{
    size_t N = (size_t)lml_tree_count_nodes(trees, T);
    if (N > INT32_MAX || T > INT32_MAX || d > INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "%s: %zu nodes in %zu trees are too many to save", self->uid, N, T);
    if (!cJSON_AddNumberToObject(meta, "numFeatures", (double)d) ||
        (num_classes && !cJSON_AddNumberToObject(meta, "numClasses", (double)num_classes)) ||
        (weights && !cJSON_AddNumberToObject(meta, "numTrees", (double)T)))
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory saving", self->uid);
    int32_t *tid = malloc((N ? N : 1) * sizeof *tid);
    if (!tid)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory saving %zu nodes", self->uid, N);
    lml_column *nodes = node_struct(trees, T, N, tid, err), *c[2] = {NULL, NULL};
    lml_frame *f = NULL;
    if (nodes && weights) {
        static const char *const names[2] = {"treeID", "nodeData"};
        c[0] = lml_column_from_int32s(tid, NULL, N, err);
        c[1] = nodes;
        f = c[0] ? lml_frame_new(2, names, c, err) : NULL;
    } else if (nodes) {
        /* A single tree's data/ holds the NodeData fields themselves as columns. */
        size_t nf = lml_column_num_children(nodes);
        const char *names[9];
        lml_column *cols[9];
        for (size_t i = 0; i < nf && i < 9; i++)
            names[i] = lml_column_child_name(nodes, i), cols[i] = (lml_column *)lml_column_child(nodes, i);
        f = lml_frame_new(nf, names, cols, err);
    }
    bool ok = f && lml_persist_write_table(dir, "data", f, err) &&
              (!weights || save_trees_meta(self, dir, T, weights, tree_vt, err));
    lml_frame_free(f);
    lml_column_free(c[0]);
    lml_column_free(nodes);
    free(tid);
    return ok;
}

/* ---------------------------------------------------------------- loading */

/* Typed access to the columns of a node table (fields of nodeData, or top-level columns). */
typedef struct node_cols {
    const lml_column *id, *pred, *imp, *stats, *raw, *gain, *lc, *rc, *split, *fi, *cats, *nc;
} node_cols;

static const lml_column *field(const lml_frame *f, const lml_column *st, const char *name)
{
    if (st)
        return lml_column_struct_field(st, name);
    long i = lml_frame_column_index(f, name);
    return i < 0 ? NULL : lml_frame_column(f, (size_t)i);
}

static bool typed(const lml_column *c, lml_type t) { return c && lml_column_type(c) == t && !lml_column_null_count(c); }

static bool list_of_doubles(const lml_column *c)
{
    return c && lml_column_type(c) == LML_LIST && lml_column_type(lml_column_child(c, 0)) == LML_DOUBLE &&
           !lml_column_null_count(lml_column_child(c, 0));
}

static bool get_cols(const lml_frame *f, const lml_column *st, bool need_raw, const char *where, node_cols *c,
                     lml_error *err)
{
    c->id = field(f, st, "id"), c->pred = field(f, st, "prediction"), c->imp = field(f, st, "impurity");
    c->stats = field(f, st, "impurityStats"), c->raw = field(f, st, "rawCount"), c->gain = field(f, st, "gain");
    c->lc = field(f, st, "leftChild"), c->rc = field(f, st, "rightChild"), c->split = field(f, st, "split");
    const char *bad = !typed(c->id, LML_INT32)       ? "id int"
                      : !typed(c->pred, LML_DOUBLE)  ? "prediction double"
                      : !typed(c->imp, LML_DOUBLE)   ? "impurity double"
                      : !list_of_doubles(c->stats)   ? "impurityStats array<double>"
                      : !typed(c->gain, LML_DOUBLE)  ? "gain double"
                      : !typed(c->lc, LML_INT32)     ? "leftChild int"
                      : !typed(c->rc, LML_INT32)     ? "rightChild int"
                      : !c || !c->split || lml_column_type(c->split) != LML_STRUCT ? "split struct"
                                                                                   : NULL;
    if (!bad) {
        c->fi = lml_column_struct_field(c->split, "featureIndex");
        c->cats = lml_column_struct_field(c->split, "leftCategoriesOrThreshold");
        c->nc = lml_column_struct_field(c->split, "numCategories");
        bad = !typed(c->fi, LML_INT32)         ? "split.featureIndex int"
              : !list_of_doubles(c->cats)      ? "split.leftCategoriesOrThreshold array<double>"
              : !typed(c->nc, LML_INT32)       ? "split.numCategories int"
              : need_raw && !typed(c->raw, LML_INT64) ? "rawCount long (required from Spark 3.0)"
                                                      : NULL;
    }
    if (!need_raw && c->raw && !typed(c->raw, LML_INT64))
        c->raw = NULL;
    if (bad)
        return lml_error_set(err, LML_EFORMAT, "%s: node data: column %s missing, mistyped or null", where, bad);
    return true;
}

static int cmp_row(const void *a, const void *b, void *ctx)
{
    const int32_t *key = ctx;
    int32_t x = key[*(const size_t *)a], y = key[*(const size_t *)b];
    return x < y ? -1 : x > y;
}

/* Builds tree `t` from the rows `rows[0..n)` (already sorted by id). */
static bool build_tree(const node_cols *c, const size_t *rows, size_t n, bool cls, size_t nstats, size_t d, size_t t,
                       const char *where, lml_tree *out, lml_error *err)
{
    const int32_t *id = lml_column_int32s(c->id), *lc = lml_column_int32s(c->lc), *rc = lml_column_int32s(c->rc);
    const int32_t *fi = lml_column_int32s(c->fi), *nc = lml_column_int32s(c->nc);
    const int32_t *soff = lml_column_offsets(c->stats), *coff = lml_column_offsets(c->cats);
    const double *sv = lml_column_doubles(lml_column_child(c->stats, 0));
    const double *cv = lml_column_doubles(lml_column_child(c->cats, 0));
    size_t ncats = 0;
    for (size_t k = 0; k < n; k++)
        if (!lml_column_is_null(c->cats, rows[k]))
            ncats += (size_t)(coff[rows[k] + 1] - coff[rows[k]]);
    out->nnodes = n;
    out->nstats = nstats;
    out->nodes = calloc(n ? n : 1, sizeof *out->nodes);
    out->stats = malloc((n ? n : 1) * nstats * sizeof(double));
    out->cats = malloc((ncats ? ncats : 1) * sizeof(double));
    uint8_t *seen = calloc(n ? n : 1, 1);
    int *depth = calloc(n ? n : 1, sizeof *depth);
    bool ok = false;
    if (!out->nodes || !out->stats || !out->cats || !seen || !depth) {
        lml_error_set(err, LML_ENOMEM, "%s: out of memory loading tree %zu (%zu nodes)", where, t, n);
        goto done;
    }
    size_t co = 0;
    for (size_t k = 0; k < n; k++) {
        size_t r = rows[k];
        if (id[r] != (int32_t)k) {
            lml_error_set(err, LML_EFORMAT, "%s: tree %zu: node ids must be 0..%zu, found id %d", where, t, n - 1, id[r]);
            goto done;
        }
        lml_tree_node *nd = &out->nodes[k];
        size_t ns = lml_column_is_null(c->stats, r) ? 0 : (size_t)(soff[r + 1] - soff[r]);
        if (ns != nstats) {
            lml_error_set(err, LML_EFORMAT, "%s: tree %zu node %zu: impurityStats has %zu values, expected %zu", where,
                          t, k, ns, nstats);
            goto done;
        }
        memcpy(out->stats + k * nstats, sv + soff[r], nstats * sizeof(double));
        nd->stats = k * nstats;
        double w = 0.0; /* the node's weighted count: Σ class counts, or Σw of a regression node */
        for (size_t s = 0; s < (cls ? nstats : 1); s++)
            w += sv[soff[r] + s];
        nd->prediction = lml_column_doubles(c->pred)[r];
        nd->impurity = lml_column_doubles(c->imp)[r];
        nd->gain = lml_column_doubles(c->gain)[r];
        nd->raw_count = c->raw ? lml_column_int64s(c->raw)[r] : -1;
        nd->weight = w;
        nd->left = nd->right = nd->feature = -1;
        if (lc[r] == -1 && rc[r] == -1)
            continue;
        if (lc[r] <= (int32_t)k || rc[r] <= (int32_t)k || (size_t)lc[r] >= n || (size_t)rc[r] >= n || lc[r] == rc[r] ||
            seen[lc[r]] || seen[rc[r]]) {
            lml_error_set(err, LML_EFORMAT, "%s: tree %zu node %zu: children %d, %d do not form a pre-order tree of %zu "
                          "nodes", where, t, k, lc[r], rc[r], n);
            goto done;
        }
        seen[lc[r]] = seen[rc[r]] = 1;
        depth[lc[r]] = depth[rc[r]] = depth[k] + 1;
        if (depth[k] + 1 > out->depth)
            out->depth = depth[k] + 1;
        nd->left = lc[r], nd->right = rc[r];
        size_t nv = lml_column_is_null(c->cats, r) ? 0 : (size_t)(coff[r + 1] - coff[r]);
        const double *v = cv + (nv ? coff[r] : 0);
        if (fi[r] < 0 || (size_t)fi[r] >= d) {
            lml_error_set(err, LML_EFORMAT, "%s: tree %zu node %zu: split featureIndex %d outside [0, %zu)", where, t,
                          k, fi[r], d);
            goto done;
        }
        nd->feature = fi[r];
        if (nc[r] == -1) {
            if (nv != 1) {
                lml_error_set(err, LML_EFORMAT, "%s: tree %zu node %zu: continuous split with %zu thresholds", where,
                              t, k, nv);
                goto done;
            }
            nd->threshold = v[0];
            continue;
        }
        if (nc[r] < 2 || nv > (size_t)nc[r]) {
            lml_error_set(err, LML_EFORMAT, "%s: tree %zu node %zu: categorical split with %zu left categories of %d",
                          where, t, k, nv, nc[r]);
            goto done;
        }
        nd->arity = nc[r];
        nd->ncats = (int32_t)nv;
        nd->cat_off = co;
        memcpy(out->cats + co, v, nv * sizeof(double));
        for (size_t i = 1; i < nv; i++) /* ascending, as the learner stores them (insertion sort: few) */
            for (size_t j = co + i; j > co && out->cats[j - 1] > out->cats[j]; j--) {
                double x = out->cats[j];
                out->cats[j] = out->cats[j - 1], out->cats[j - 1] = x;
            }
        for (size_t i = 0; i < nv; i++)
            if (!(out->cats[co + i] >= 0 && out->cats[co + i] < nc[r] && out->cats[co + i] == floor(out->cats[co + i]))) {
                lml_error_set(err, LML_EFORMAT, "%s: tree %zu node %zu: category %g outside [0, %d)", where, t, k,
                              out->cats[co + i], nc[r]);
                goto done;
            }
        co += nv;
    }
    for (size_t k = 1; k < n; k++)
        if (!seen[k]) {
            lml_error_set(err, LML_EFORMAT, "%s: tree %zu: node %zu is not reachable from the root", where, t, k);
            goto done;
        }
    ok = true;
done:
    free(seen), free(depth);
    return ok;
}

static bool load_weights(const char *dir, size_t T, double *weights, lml_error *err)
{
    lml_frame *f = lml_persist_read_table(dir, "treesMetadata", err);
    if (!f)
        return false;
    /* Spark 4.x writes the tuple columns as _1, _2, _3. */
    const lml_column *id = field(f, NULL, "treeID"), *w = field(f, NULL, "weights");
    if (!id)
        id = field(f, NULL, "_1"), w = field(f, NULL, "_3");
    bool ok = false;
    size_t n = lml_frame_num_rows(f);
    uint8_t *got = calloc(T ? T : 1, 1);
    if (!got) {
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
    } else if (!typed(id, LML_INT32) || !typed(w, LML_DOUBLE)) {
        lml_error_set(err, LML_EFORMAT, "%s/treesMetadata: columns treeID int and weights double missing or null", dir);
    } else if (n != T) {
        lml_error_set(err, LML_EFORMAT, "%s/treesMetadata: %zu rows but numTrees is %zu", dir, n, T);
    } else {
        ok = true;
        for (size_t i = 0; ok && i < n; i++) {
            int32_t t = lml_column_int32s(id)[i];
            if (t < 0 || (size_t)t >= T || got[t]) {
                lml_error_set(err, LML_EFORMAT, "%s/treesMetadata: treeID %d repeated or outside [0, %zu)", dir, t, T);
                ok = false;
            } else {
                got[t] = 1;
                weights[t] = lml_column_doubles(w)[i];
            }
        }
    }
    free(got);
    lml_frame_free(f);
    return ok;
}

lml_tree *lml_tree_persist_load(const char *dir, const struct cJSON *meta, int version, bool ensemble,
                                bool want_classes, size_t *T_out, double **weights_out, size_t *d_out, size_t *k_out,
                                lml_error *err)
{
    int64_t d = 0, k = 0, T = 1;
    if (!lml_persist_meta_int(meta, dir, "numFeatures", &d, err) ||
        (want_classes && !lml_persist_meta_int(meta, dir, "numClasses", &k, err)) ||
        (ensemble && !lml_persist_meta_int(meta, dir, "numTrees", &T, err)))
        return NULL;
    if (d < 0 || d > INT32_MAX || (want_classes && (k < 2 || k > 1 << 20)) || T < 1 || T > 1 << 20) {
        lml_error_set(err, LML_EFORMAT, "%s: metadata: numFeatures %lld, numClasses %lld, numTrees %lld out of range",
                      dir, (long long)d, (long long)k, (long long)T);
        return NULL;
    }
    lml_frame *f = lml_persist_read_table(dir, "data", err);
    if (!f)
        return NULL;
    size_t n = lml_frame_num_rows(f), nstats = want_classes ? (size_t)k : 3;
    const lml_column *tid = NULL, *nd = NULL;
    lml_tree *trees = NULL;
    double *weights = NULL;
    size_t *rows = NULL;
    int32_t *key = NULL;
    node_cols c = {0};
    if (ensemble) {
        tid = field(f, NULL, "treeID");
        nd = field(f, NULL, "nodeData");
        if (!typed(tid, LML_INT32) || !typed(nd, LML_STRUCT)) {
            lml_error_set(err, LML_EFORMAT, "%s: data: columns treeID int and nodeData struct missing or null", dir);
            goto fail;
        }
    }
    if (!get_cols(f, nd, version >= 300, dir, &c, err))
        goto fail;
    trees = calloc((size_t)T, sizeof *trees);
    weights = malloc((size_t)T * sizeof *weights);
    rows = malloc((n ? n : 1) * sizeof *rows);
    key = malloc((n ? n : 1) * sizeof *key);
    if (!trees || !weights || !rows || !key) {
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s (%zu nodes)", dir, n);
        goto fail;
    }
    /* Sort rows by (treeID, id): key = id, stable order by tree via a counting pass. */
    size_t *start = calloc((size_t)T + 1, sizeof *start);
    if (!start) {
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
        goto fail;
    }
    for (size_t r = 0; r < n; r++) {
        int32_t t = tid ? lml_column_int32s(tid)[r] : 0;
        if (t < 0 || t >= T) {
            lml_error_set(err, LML_EFORMAT, "%s: data row %zu: treeID %d outside [0, %lld)", dir, r, t, (long long)T);
            free(start);
            goto fail;
        }
        start[t + 1]++;
    }
    for (int64_t t = 0; t < T; t++)
        start[t + 1] += start[t];
    size_t *pos = malloc((size_t)T * sizeof *pos);
    if (!pos) {
        free(start);
        lml_error_set(err, LML_ENOMEM, "out of memory loading %s", dir);
        goto fail;
    }
    memcpy(pos, start, (size_t)T * sizeof *pos);
    for (size_t r = 0; r < n; r++)
        rows[pos[tid ? lml_column_int32s(tid)[r] : 0]++] = r;
    free(pos);
    memcpy(key, lml_column_int32s(c.id), n * sizeof *key);
    bool ok = true;
    for (int64_t t = 0; ok && t < T; t++) {
        size_t m = start[t + 1] - start[t];
        if (m == 0) {
            ok = lml_error_set(err, LML_EFORMAT, "%s: data: tree %lld has no nodes (numTrees %lld)", dir, (long long)t,
                               (long long)T);
            break;
        }
        qsort_r(rows + start[t], m, sizeof *rows, cmp_row, key);
        ok = build_tree(&c, rows + start[t], m, want_classes, nstats, (size_t)d, (size_t)t, dir, &trees[t], err);
    }
    free(start);
    if (!ok)
        goto fail;
    for (int64_t t = 0; t < T; t++)
        weights[t] = 1.0;
    if (ensemble && !load_weights(dir, (size_t)T, weights, err))
        goto fail;
    lml_frame_free(f);
    free(rows), free(key);
    *T_out = (size_t)T;
    *d_out = (size_t)d;
    if (k_out)
        *k_out = (size_t)k;
    if (weights_out)
        *weights_out = weights;
    else
        free(weights);
    return trees;
fail:
    lml_frame_free(f);
    lml_tree_free_all(trees, trees ? (size_t)T : 0);
    free(weights), free(rows), free(key);
    return NULL;
}
