/* lml_scorer_predict_frame: a whole frame scored in fixed blocks of rows spread over the pool.
 * Per block the features are gathered into a column-major buffer (feature j of the block's row r
 * at j · rows-per-block + r): straight from the input columns when the program is only numeric
 * inputs into one VectorAssembler (a copy at memory speed, no lml_value per cell; for a linear
 * model one column at a time, fused into the margins), else by running the program's feature ops
 * row by row (run.h: the code lml_scorer_predict runs). Then the predictor runs over the block:
 * linear models column by column (each row's margin still the intercept plus coef_j · x_j in
 * index order), forests and GBTs tree-major (one tree over all rows of the block, LANES rows in
 * flight, each row's leaves added in tree order), decision trees and trees with categorical
 * splits row by row with the row path's code. Every row therefore gets the row path's bits, and
 * blocks are fixed, so the result does not depend on the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "lakeml/ml/scorer.h"
#include "lakeml/threads.h"
#include "ml/scorer/program.h"
#include "ml/scorer/run.h"

/* Rows per block: BLOCK for tree models (the block's features stay in L2 while each tree is
 * walked over them), LBLOCK for linear models, whose fused path reads each input column in runs
 * of LBLOCK values (long runs keep the hardware prefetcher ahead on 100+ columns at once). */
enum { BLOCK = 256, LBLOCK = 4096, LANES = 16 };

typedef struct scratch {
    double *feat;   /* d × bs features, column-major */
    double *acc;    /* max(rows, 1) × bs margins, or bs leaf sums */
    double *x;      /* one row's d features (the row-by-row tree path) */
    uint32_t *act;  /* rows of the block that reach the tree-major walk */
    void *ws;       /* row workspace (the row-by-row feature path) */
    lml_value *row; /* ninputs values (the row-by-row feature path) */
} scratch;

/* The walk's copies of the trees. A tree of depth D ≤ CMAX_DEPTH is laid out complete (heap order:
 * node i's children are 2i + 1 and 2i + 2): coff holds the split feature pre-multiplied by BLOCK,
 * cthr its threshold, and the 2^D bottom positions hold the leaf rows in cleaf; a leaf above the
 * bottom covers all the bottom positions under it (its padding nodes split at +∞, so they go left,
 * though any direction would end on the same leaf). Then a row takes exactly D steps
 * i = 2i + 1 + (x > thr), no `right` loaded and no select. A deeper tree (its padding would
 * outgrow the caches) is walked through `nodes`: a leaf becomes a split on feature 0 at −∞ that
 * goes right to itself (the features are finite), so it too takes exactly its depth in steps
 * without a branch; the leaf row stays in the scorer's own node. Either way the same comparisons
 * decide the same leaf. */
enum { CMAX_DEPTH = 12 };

typedef struct walk {
    lml_sc_node *nodes;
    uint32_t *depth; /* per tree */
    size_t *base;    /* per tree: its 2^D entries in coff, cthr and cleaf, or SIZE_MAX (via nodes) */
    uint32_t *coff, *cleaf;
    double *cthr;
} walk;

typedef struct job {
    const lml_scorer *s;
    size_t n, d, no, bs; /* bs: rows per block (BLOCK or LBLOCK) */
    const lml_column **cols; /* per input */
    uint32_t *fast;          /* per feature slot: the input it copies; NULL when not fast-pathed */
    uint8_t mode;            /* the fast path's assembler handleInvalid */
    walk w;                  /* nodes NULL: trees walked row by row */
    double *out;
    int *codes;
    scratch *sc; /* per worker */
} job;

static bool numeric_type(lml_type t)
{
    return t == LML_DOUBLE || t == LML_FLOAT || t == LML_INT32 || t == LML_INT64 || t == LML_BOOL;
}

static inline bool valid_at(const uint8_t *vb, size_t i) { return !vb || (vb[i >> 3] >> (i & 7)) & 1u; }

/* The fast path applies when the program is NUM ops, one assembler of scalar parts that all come
 * from NUM ops, then the model on the assembled vector: returns, per feature slot, the input. */
static uint32_t *fast_plan(const lml_scorer *s, uint8_t *mode)
{
    size_t nops = s->nops;
    if (nops < 2 || s->ops[nops - 2].code != LML_SC_ASSEMBLE)
        return NULL;
    const lml_sc_op *as = &s->ops[nops - 2];
    if (as->out != s->features || as->n != s->m.d)
        return NULL;
    for (size_t i = 0; i + 2 < nops; i++)
        if (s->ops[i].code != LML_SC_NUM)
            return NULL;
    uint32_t *plan = malloc((s->m.d ? s->m.d : 1) * sizeof *plan);
    if (!plan)
        return NULL;
    for (size_t k = 0; k < as->n; k++) {
        const lml_sc_part *pt = &s->parts[as->aux + k];
        bool found = false;
        for (size_t i = 0; !found && i + 2 < nops; i++)
            if (s->ops[i].out == pt->slot)
                plan[k] = s->ops[i].in, found = true;
        if (!found || pt->vector || pt->size != 1) {
            free(plan);
            return NULL;
        }
    }
    *mode = as->mode;
    return plan;
}

/* One input column into feature j of rows [r0, r0 + nb): VectorAssembler's check (a null or NaN
 * is invalid) and op_num's conversions, NAN written for an invalid value (as op_assemble does). */
static void gather_column(const job *J, const lml_column *c, size_t r0, size_t nb, double *dst, int *cd)
{
    const uint8_t *vb = lml_column_validity(c);
    int bad_code = J->mode == LML_SC_SKIP ? LML_SCORER_SKIPPED : LML_EINVAL;
    bool keep = J->mode == LML_SC_KEEP;
    switch (lml_column_type(c)) {
    case LML_DOUBLE: {
        const double *v = lml_column_doubles(c) + r0;
        bool any_bad = false;
        for (size_t r = 0; r < nb; r++) { /* the common case: one pass, the check folded in */
            dst[r] = v[r];
            any_bad |= isnan(v[r]);
        }
        if (!any_bad && !vb)
            return;
        for (size_t r = 0; r < nb; r++)
            if (isnan(v[r]) || !valid_at(vb, r0 + r)) {
                dst[r] = NAN;
                if (!keep)
                    cd[r] = bad_code;
            }
        return;
    }
    case LML_FLOAT: {
        const float *v = lml_column_floats(c) + r0;
        for (size_t r = 0; r < nb; r++) {
            double x = (double)v[r];
            if (isnan(x) || !valid_at(vb, r0 + r)) {
                x = NAN;
                if (!keep)
                    cd[r] = bad_code;
            }
            dst[r] = x;
        }
        return;
    }
    default:
        for (size_t r = 0; r < nb; r++) {
            double x;
            if (!valid_at(vb, r0 + r)) {
                x = NAN;
                if (!keep)
                    cd[r] = bad_code;
            } else {
                x = lml_column_get_double(c, r0 + r); /* int32, int64, bool: op_num's conversions */
            }
            dst[r] = x;
        }
        return;
    }
}

/* Features of rows [r0, r0 + nb) through the program's own ops, one row at a time (a rejected
 * row's features are zeros, so the block's arithmetic reads no stale values). */
static void gather_rows(const job *J, scratch *sc, size_t r0, size_t nb, int *cd)
{
    const lml_scorer *s = J->s;
    const double *w = sc->ws;
    const uint8_t *fl = (const uint8_t *)(w + s->nslots);
    for (size_t r = 0; r < nb; r++) {
        for (size_t i = 0; i < s->ninputs; i++)
            sc->row[i] = lml_column_get(J->cols[i], r0 + r);
        size_t failed;
        int rc = lml_sc_run_to(s, sc->row, J->out + (r0 + r) * J->no, sc->ws, s->nops - 1, &failed);
        if (rc == LML_OK && (fl[s->features] & LML_SC_NULL))
            rc = LML_EINVAL; /* op_model's check */
        cd[r] = rc;
        for (size_t j = 0; j < J->d; j++)
            sc->feat[j * J->bs + r] = rc == LML_OK ? w[s->features + j] : 0.0;
    }
}

/* Linear models over the block: margins column by column, each row's sum in the row path's order.
 * fused: the features come straight from the input columns, one column of the block at a time
 * (in L1), and the block's feature buffer is never filled. */
static void linear_block(const job *J, scratch *sc, size_t r0, size_t nb, int *cd, bool fused)
{
    const lml_sc_model *m = &J->s->m;
    size_t R = m->rows, d = J->d, no = J->no, bs = J->bs;
    for (size_t k = 0; k < R; k++)
        for (size_t r = 0; r < nb; r++)
            sc->acc[k * bs + r] = m->intercept[k];
    for (size_t j = 0; j < d; j++) {
        const double *x = sc->feat + j * bs;
        if (fused) {
            x = sc->feat;
            gather_column(J, J->cols[J->fast[j]], r0, nb, sc->feat, cd);
        }
        for (size_t k = 0; k < R; k++) {
            double c = m->coef[k * d + j], *g = sc->acc + k * bs;
            for (size_t r = 0; r < nb; r++)
                g[r] += c * x[r];
        }
    }
    for (size_t r = 0; r < nb; r++) {
        if (cd[r] != LML_OK)
            continue;
        double *o = J->out + (r0 + r) * no;
        if (m->kind == LML_SC_LINREG) {
            o[0] = sc->acc[r];
        } else if (!m->multinomial) {
            lml_sc_logreg_finish(m, &sc->acc[r], o);
        } else {
            double *raw = o + 1 + m->K;
            for (size_t k = 0; k < R; k++)
                raw[k] = sc->acc[k * bs + r];
            lml_sc_logreg_finish(m, raw, o);
        }
    }
}

/* Forest / GBT over the active rows: tree-major, LANES rows in flight, leaf sums in tree order. */
static void forest_block(const job *J, scratch *sc, size_t r0, size_t na)
{
    const lml_sc_model *m = &J->s->m;
    size_t no = J->no, K = m->K, lw = m->leaf_width;
    bool cls = m->kind == LML_SC_RF_CLS;
    for (size_t a = 0; a < na; a++) {
        if (cls)
            for (size_t c = 0; c < K; c++)
                J->out[(r0 + sc->act[a]) * no + 1 + K + c] = 0.0;
        else
            sc->acc[a] = 0.0;
    }
    const lml_sc_node *wn = J->w.nodes;
    for (size_t t = 0; t < m->ntrees; t++) {
        uint32_t root = m->roots[t], depth = J->w.depth[t];
        size_t b = J->w.base[t];
        for (size_t a0 = 0; a0 < na; a0 += LANES) {
            size_t q = na - a0 < LANES ? na - a0 : LANES;
            uint32_t k[LANES], lr[LANES];
            bool run = q == LANES && sc->act[a0 + LANES - 1] == sc->act[a0] + LANES - 1;
            if (b != SIZE_MAX) {
                const uint32_t *co = J->w.coff + b;
                const double *ct = J->w.cthr + b;
                for (size_t l = 0; l < LANES; l++)
                    k[l] = 0;
                if (run) { /* consecutive rows (the usual case): lane l reads column offset l */
                    const double *x = sc->feat + sc->act[a0];
                    for (uint32_t st = 0; st < depth; st++)
                        for (size_t l = 0; l < LANES; l++)
                            k[l] = 2 * k[l] + 1 + !(x[co[k[l]] + l] <= ct[k[l]]);
                } else {
                    const double *x[LANES];
                    for (size_t l = 0; l < LANES; l++) /* idle lanes repeat the last row */
                        x[l] = sc->feat + sc->act[a0 + (l < q ? l : q - 1)];
                    for (uint32_t st = 0; st < depth; st++)
                        for (size_t l = 0; l < LANES; l++)
                            k[l] = 2 * k[l] + 1 + !(x[l][co[k[l]]] <= ct[k[l]]);
                }
                uint32_t first = (1u << depth) - 1;
                for (size_t l = 0; l < LANES; l++)
                    lr[l] = J->w.cleaf[b + k[l] - first];
            } else {
                for (size_t l = 0; l < LANES; l++)
                    k[l] = root;
                if (run) {
                    const double *x = sc->feat + sc->act[a0];
                    for (uint32_t st = 0; st < depth; st++)
                        for (size_t l = 0; l < LANES; l++) {
                            /* select by mask, not by branch: the direction is a coin flip per row */
                            const lml_sc_node *nd = &wn[k[l]];
                            uint32_t go_right = -(uint32_t)!(x[(size_t)nd->feat * BLOCK + l] <= nd->thr);
                            k[l] = ((k[l] + 1) & ~go_right) | ((uint32_t)nd->right & go_right);
                        }
                } else {
                    const double *x[LANES];
                    for (size_t l = 0; l < LANES; l++)
                        x[l] = sc->feat + sc->act[a0 + (l < q ? l : q - 1)];
                    for (uint32_t st = 0; st < depth; st++)
                        for (size_t l = 0; l < LANES; l++) {
                            const lml_sc_node *nd = &wn[k[l]];
                            uint32_t go_right = -(uint32_t)!(x[l][(size_t)nd->feat * BLOCK] <= nd->thr);
                            k[l] = ((k[l] + 1) & ~go_right) | ((uint32_t)nd->right & go_right);
                        }
                }
                for (size_t l = 0; l < LANES; l++)
                    lr[l] = (uint32_t)m->nodes[k[l]].right;
            }
            for (size_t l = 0; l < q; l++) {
                const double *leaf = m->leaves + (size_t)lr[l] * lw;
                if (cls) {
                    double *raw = J->out + (r0 + sc->act[a0 + l]) * no + 1 + K;
                    for (size_t c = 0; c < K; c++)
                        raw[c] += leaf[c];
                } else {
                    sc->acc[a0 + l] += leaf[0];
                }
            }
        }
    }
    for (size_t a = 0; a < na; a++)
        lml_sc_trees_finish(m, cls ? 0.0 : sc->acc[a], J->out + (r0 + sc->act[a]) * no);
}

static void trees_block(const job *J, scratch *sc, size_t r0, size_t nb, int *cd)
{
    const lml_sc_model *m = &J->s->m;
    size_t d = J->d, na = 0;
    for (size_t j = 0; j < d; j++) {
        const double *x = sc->feat + j * BLOCK;
        for (size_t r = 0; r < nb; r++)
            if (cd[r] == LML_OK && !isfinite(x[r]))
                cd[r] = LML_EINVAL; /* op_model: lml_tree_read_features rejects NaN and ±inf */
    }
    for (size_t r = 0; r < nb; r++) {
        if (cd[r] != LML_OK)
            continue;
        if (J->w.nodes) {
            sc->act[na++] = (uint32_t)r;
            continue;
        }
        for (size_t j = 0; j < d; j++)
            sc->x[j] = sc->feat[j * BLOCK + r];
        lml_sc_trees(m, sc->x, J->out + (r0 + r) * J->no);
    }
    if (na)
        forest_block(J, sc, r0, na);
}

static void block_task(void *ctx, size_t b, int worker)
{
    const job *J = ctx;
    const lml_sc_model *m = &J->s->m;
    scratch *sc = &J->sc[worker];
    size_t r0 = b * J->bs, nb = J->n - r0 < J->bs ? J->n - r0 : J->bs;
    int *cd = J->codes + r0;
    bool linear = m->kind == LML_SC_LINREG || m->kind == LML_SC_LOGREG;
    if (J->fast) {
        for (size_t r = 0; r < nb; r++)
            cd[r] = LML_OK;
        for (size_t j = 0; !linear && j < J->d; j++)
            gather_column(J, J->cols[J->fast[j]], r0, nb, sc->feat + j * J->bs, cd);
    } else {
        gather_rows(J, sc, r0, nb, cd);
    }
    if (linear)
        linear_block(J, sc, r0, nb, cd, J->fast != NULL);
    else
        trees_block(J, sc, r0, nb, cd);
}

static void walk_free(walk *w)
{
    free(w->nodes), free(w->depth), free(w->base), free(w->coff), free(w->cleaf), free(w->cthr);
    *w = (walk){0};
}

/* Tree t's complete copy at w->base[t] (its depth D ≤ CMAX_DEPTH): pre-order (node, heap index,
 * level) triples on `stack`, which holds 3 · (D + 2) entries (each split pops one and pushes two,
 * so depth-first never holds more than one pending node per level plus the current one). */
static void walk_complete(const lml_sc_model *m, walk *w, size_t t, uint32_t *stack)
{
    size_t b = w->base[t], sp = 0;
    uint32_t D = w->depth[t], first = (1u << D) - 1;
    for (size_t i = 0; i < first; i++)
        w->coff[b + i] = 0, w->cthr[b + i] = INFINITY;
    stack[sp++] = m->roots[t], stack[sp++] = 0, stack[sp++] = 0;
    while (sp) {
        uint32_t lev = stack[--sp], i = stack[--sp], k = stack[--sp];
        const lml_sc_node *nd = &m->nodes[k];
        if (nd->feat == -1) { /* every bottom position under heap node i */
            uint32_t h = D - lev, lo = ((i + 1) << h) - 1 - first;
            for (uint32_t j = 0; j < (1u << h); j++)
                w->cleaf[b + lo + j] = (uint32_t)nd->right;
            continue;
        }
        w->coff[b + i] = (uint32_t)nd->feat * BLOCK, w->cthr[b + i] = nd->thr;
        stack[sp++] = (uint32_t)nd->right, stack[sp++] = 2 * i + 2, stack[sp++] = lev + 1;
        stack[sp++] = k + 1, stack[sp++] = 2 * i + 1, stack[sp++] = lev + 1;
    }
}

/* The walk's copies and tree depths, for forests and GBTs without categorical splits (false only
 * when out of memory; w->nodes stays NULL when the trees are walked row by row). cmax: the deepest
 * tree laid out complete (CMAX_DEPTH; the tests lower it to reach the node walk). */
static bool walk_new(const lml_sc_model *m, walk *w, uint32_t cmax)
{
    *w = (walk){0};
    if (m->kind != LML_SC_RF_CLS && m->kind != LML_SC_RF_REG && m->kind != LML_SC_GBT_CLS && m->kind != LML_SC_GBT_REG)
        return true;
    for (size_t k = 0; k < m->nnodes; k++)
        if (m->nodes[k].feat <= -2)
            return true;
    size_t nt = m->ntrees ? m->ntrees : 1;
    w->nodes = malloc((m->nnodes ? m->nnodes : 1) * sizeof *w->nodes);
    w->depth = malloc(nt * sizeof *w->depth);
    w->base = malloc(nt * sizeof *w->base);
    uint32_t *stack = malloc((m->nnodes ? m->nnodes : 1) * 2 * sizeof *stack + 3 * (CMAX_DEPTH + 2) * sizeof *stack);
    if (!w->nodes || !w->depth || !w->base || !stack) {
        free(stack);
        walk_free(w);
        return false;
    }
    for (size_t k = 0; k < m->nnodes; k++) {
        w->nodes[k] = m->nodes[k];
        if (m->nodes[k].feat == -1)
            w->nodes[k] = (lml_sc_node){.thr = -INFINITY, .feat = 0, .right = (int32_t)k};
    }
    size_t total = 0;
    for (size_t t = 0; t < m->ntrees; t++) { /* depth-first: (node, depth) pairs */
        size_t sp = 0;
        uint32_t deepest = 0;
        stack[sp++] = m->roots[t], stack[sp++] = 0;
        while (sp) {
            uint32_t dep = stack[--sp], k = stack[--sp];
            if (m->nodes[k].feat == -1) {
                deepest = dep > deepest ? dep : deepest;
                continue;
            }
            stack[sp++] = k + 1, stack[sp++] = dep + 1;
            stack[sp++] = (uint32_t)m->nodes[k].right, stack[sp++] = dep + 1;
        }
        w->depth[t] = deepest;
        w->base[t] = SIZE_MAX;
        if (deepest <= cmax && deepest <= CMAX_DEPTH)
            w->base[t] = total, total += (size_t)1 << deepest;
    }
    if (total) {
        w->coff = malloc(total * sizeof *w->coff);
        w->cthr = malloc(total * sizeof *w->cthr);
        w->cleaf = malloc(total * sizeof *w->cleaf);
        if (!w->coff || !w->cthr || !w->cleaf) {
            free(stack);
            walk_free(w);
            return false;
        }
        for (size_t t = 0; t < m->ntrees; t++)
            if (w->base[t] != SIZE_MAX)
                walk_complete(m, w, t, stack);
    }
    free(stack);
    return true;
}

/* The input columns by name, each of a type its input takes. */
static bool find_inputs(const lml_scorer *s, const lml_frame *df, const lml_column **cols, lml_error *err)
{
    for (size_t i = 0; i < s->ninputs; i++) {
        long k = lml_frame_column_index(df, s->input_names[i]);
        if (k < 0)
            return lml_error_set(err, LML_ENOTFOUND, "lml_scorer_predict_frame: input column '%s' not found",
                                 s->input_names[i]);
        cols[i] = lml_frame_column(df, (size_t)k);
        lml_type t = lml_column_type(cols[i]);
        if (!numeric_type(t) && !(s->input_is_string[i] && t == LML_STRING))
            return lml_error_set(err, LML_ETYPE, "lml_scorer_predict_frame: input column '%s' is %s, expected %s",
                                 s->input_names[i], lml_type_name(t),
                                 s->input_is_string[i] ? "a string or a number" : "a number or boolean");
    }
    return true;
}

static void scratch_free(scratch *sc, size_t nw)
{
    for (size_t w = 0; sc && w < nw; w++) {
        free(sc[w].feat);
        free(sc[w].acc);
        free(sc[w].x);
        free(sc[w].act);
        free(sc[w].ws);
        free(sc[w].row);
    }
    free(sc);
}

static scratch *scratch_new(const lml_scorer *s, size_t nw, size_t bs)
{
    size_t d = s->m.d ? s->m.d : 1, R = s->m.rows > 1 ? s->m.rows : 1;
    scratch *sc = calloc(nw, sizeof *sc);
    bool ok = sc != NULL;
    for (size_t w = 0; ok && w < nw; w++) {
        sc[w].feat = malloc(bs * d * sizeof(double));
        sc[w].acc = malloc(bs * R * sizeof(double));
        sc[w].x = malloc(d * sizeof(double));
        sc[w].act = malloc(bs * sizeof(uint32_t));
        sc[w].ws = malloc(lml_scorer_workspace_size(s));
        sc[w].row = calloc(s->ninputs ? s->ninputs : 1, sizeof(lml_value));
        ok = sc[w].feat && sc[w].acc && sc[w].x && sc[w].act && sc[w].ws && sc[w].row;
    }
    if (!ok) {
        scratch_free(sc, sc ? nw : 0);
        return NULL;
    }
    return sc;
}

bool lml_sc_predict_frame_walk(const lml_scorer *s, const lml_frame *df, double *out, int *codes, unsigned cmax,
                               lml_error *err)
{
    if (!s || !df || (!out && lml_frame_num_rows(df)))
        return lml_error_set(err, LML_EINVAL, "lml_scorer_predict_frame: NULL scorer, frame or output");
    job J = {.s = s, .n = lml_frame_num_rows(df), .d = s->m.d, .no = s->noutputs, .out = out, .codes = codes};
    J.cols = calloc(s->ninputs ? s->ninputs : 1, sizeof *J.cols);
    if (!J.cols)
        return lml_error_set(err, LML_ENOMEM, "lml_scorer_predict_frame: out of memory");
    if (!find_inputs(s, df, J.cols, err)) {
        free(J.cols);
        return false;
    }
    size_t nw = (size_t)(lml_get_num_threads() > 0 ? lml_get_num_threads() : 1);
    int *own = codes ? NULL : malloc((J.n ? J.n : 1) * sizeof *own);
    J.codes = codes ? codes : own;
    J.fast = fast_plan(s, &J.mode);
    J.bs = s->m.kind == LML_SC_LINREG || s->m.kind == LML_SC_LOGREG ? LBLOCK : BLOCK;
    J.sc = scratch_new(s, nw, J.bs);
    bool ok = J.codes && J.sc && walk_new(&s->m, &J.w, cmax);
    if (ok)
        lml_parallel_for((J.n + J.bs - 1) / J.bs, block_task, &J);
    else
        lml_error_set(err, LML_ENOMEM, "lml_scorer_predict_frame: out of memory");
    for (size_t r = 0; ok && own && r < J.n; r++) {
        if (own[r] == LML_OK)
            continue;
        for (size_t i = 0; i < s->ninputs; i++)
            J.sc[0].row[i] = lml_column_get(J.cols[i], r);
        ok = false;
        if (lml_scorer_explain(s, J.sc[0].row, err)) /* only if the scorer and the transform disagree */
            lml_error_set(err, LML_EINVAL, "lml_scorer_predict_frame: row %zu is rejected (code %d)", r, own[r]);
        break;
    }
    scratch_free(J.sc, J.sc ? nw : 0);
    walk_free(&J.w);
    free(J.fast);
    free(own);
    free(J.cols);
    return ok;
}

bool lml_scorer_predict_frame(const lml_scorer *s, const lml_frame *df, double *out, int *codes, lml_error *err)
{
    return lml_sc_predict_frame_walk(s, df, out, codes, CMAX_DEPTH, err);
}
