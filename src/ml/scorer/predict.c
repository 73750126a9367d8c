/* Running a scorer program on one row (no allocation, locks or logging), the slow explain path,
 * and the accessors. Each op repeats the floating-point operations of its stage's transform in
 * the same order (see the comments at the library functions named below). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "lakeml/ml/scorer.h"
#include "ml/linear/logreg_internal.h"
#include "ml/scorer/program.h"
#include "ml/scorer/run.h"
#include "ml/tree/tree_internal.h"
#include "ml/stage_internal.h"

/* A raw numeric value into a slot (a null keeps its type for Imputer's cast). */
static int op_num(const lml_value *v, double *x, uint8_t *f)
{
    uint8_t kind;
    double val;
    switch (v->type) {
    case LML_DOUBLE: kind = 0, val = v->v.f64; break;
    case LML_FLOAT: kind = LML_SC_NONIMP, val = v->v.f64; break;
    case LML_INT32: kind = LML_SC_I32, val = (double)v->v.i32; break;
    case LML_INT64: kind = LML_SC_I64, val = (double)v->v.i64; break;
    case LML_BOOL: kind = LML_SC_NONIMP, val = v->v.b ? 1.0 : 0.0; break;
    default:
        if (!v->is_null)
            return LML_ETYPE;
        kind = 0, val = 0.0;
        break;
    }
    *x = v->is_null ? NAN : val;
    *f = (uint8_t)(kind | (v->is_null ? LML_SC_NULL : 0));
    return LML_OK;
}

/* Decimal digits of x into buf (no snprintf: it may allocate). */
static size_t fmt_int(int64_t x, char *buf)
{
    char tmp[24];
    size_t n = 0, k = 0;
    uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
    do
        tmp[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (x < 0)
        buf[k++] = '-';
    while (n)
        buf[k++] = tmp[--n];
    return k;
}

/* StringIndexerModel (string_indexer.c si_transform, with cell_str's casts of numbers). */
static int op_index(const lml_scorer *s, const lml_sc_op *op, const lml_value *v, double *w, uint8_t *fl)
{
    char buf[LML_DOUBLE_BUF > 32 ? LML_DOUBLE_BUF : 32];
    const char *p = NULL;
    size_t len = 0;
    if (!v->is_null) {
        switch (v->type) {
        case LML_STRING: p = v->v.str.ptr, len = v->v.str.len; break;
        case LML_DOUBLE:
            if (!isnan(v->v.f64))
                p = buf, len = lml_format_double_java(v->v.f64, buf);
            break;
        case LML_FLOAT:
            if (!isnan(v->v.f64))
                p = buf, len = lml_format_float_java((float)v->v.f64, buf);
            break;
        case LML_INT32: p = buf, len = fmt_int(v->v.i32, buf); break;
        case LML_INT64: p = buf, len = fmt_int(v->v.i64, buf); break;
        case LML_BOOL: p = v->v.b ? "true" : "false", len = strlen(p); break;
        default: return LML_ETYPE;
        }
    }
    const lml_sc_strtab *t = &s->tabs[op->aux];
    int64_t idx = -1;
    if (p) {
        const int32_t *h = s->hslots + t->hbase;
        for (size_t k = (size_t)lml_sc_hash(p, len) & t->mask; h[k] >= 0; k = (k + 1) & t->mask) {
            size_t g = t->first + (size_t)h[k];
            if (s->label_len[g] == len && memcmp(s->blob + s->label_off[g], p, len) == 0) {
                idx = h[k];
                break;
            }
        }
    }
    if (idx < 0) {
        if (op->mode == LML_SC_KEEP)
            idx = t->nlabels;
        else
            return op->mode == LML_SC_SKIP ? LML_SCORER_SKIPPED : LML_EINVAL;
    }
    w[op->out] = (double)idx;
    fl[op->out] = 0;
    return LML_OK;
}

/* ImputerModel (imputer.c impute): the surrogate cast back for integer columns. */
static int op_impute(const lml_scorer *s, const lml_sc_op *op, double *w, uint8_t *fl)
{
    double x = w[op->in], sur = s->consts[op->aux], mv = s->consts[op->aux + 1];
    uint8_t f = fl[op->in];
    if (f & LML_SC_NONIMP)
        return LML_ETYPE;
    bool missing = (f & LML_SC_NULL) || (isnan(mv) ? isnan(x) : x == mv);
    if (missing) {
        x = sur;
        if ((f & LML_SC_I32) && sur > (double)INT32_MIN - 1.0 && sur < (double)INT32_MAX + 1.0)
            x = (double)(int32_t)sur;
        else if ((f & LML_SC_I64) && sur >= -0x1p63 && sur < 0x1p63)
            x = (double)(int64_t)sur;
    }
    w[op->out] = x;
    fl[op->out] = f & (LML_SC_I32 | LML_SC_I64);
    return LML_OK;
}

/* OneHotEncoderModel (one_hot_encoder.c encode): a null input gives a null vector. */
static int op_onehot(const lml_sc_op *op, double *w, uint8_t *fl)
{
    if (fl[op->in] & LML_SC_NONIMP)
        return LML_ETYPE;
    double v = w[op->in], *dst = w + op->out;
    memset(dst, 0, op->n * sizeof *dst);
    fl[op->out] = fl[op->in] & LML_SC_NULL;
    if (fl[op->in] & LML_SC_NULL)
        return LML_OK;
    int64_t C = op->aux, slot;
    if (v >= 0 && v < (double)C)
        slot = (int64_t)v;
    else if (op->mode == LML_SC_KEEP)
        slot = C;
    else
        return LML_EINVAL;
    if (slot < (int64_t)op->n)
        dst[slot] = 1.0;
    return LML_OK;
}

/* VectorAssembler (vector_assembler.c): scalars are invalid when null or NaN, vectors when null. */
static int op_assemble(const lml_scorer *s, const lml_sc_op *op, double *w, uint8_t *fl)
{
    double *dst = w + op->out;
    for (size_t k = 0; k < op->n; k++) {
        const lml_sc_part *pt = &s->parts[op->aux + k];
        const double *src = w + pt->slot;
        bool bad = (fl[pt->slot] & LML_SC_NULL) || (!pt->vector && isnan(*src));
        if (bad && op->mode != LML_SC_KEEP)
            return op->mode == LML_SC_SKIP ? LML_SCORER_SKIPPED : LML_EINVAL;
        if (bad && pt->vector)
            for (size_t j = 0; j < pt->size; j++)
                dst[j] = NAN;
        else if (bad)
            *dst = NAN;
        else
            memcpy(dst, src, pt->size * sizeof *dst);
        dst += pt->size;
    }
    fl[op->out] = 0;
    return LML_OK;
}

/* StandardScalerModel (standard_scaler.c ss_transform): (x − shift) · scale. */
static int op_scale(const lml_scorer *s, const lml_sc_op *op, double *w, uint8_t *fl)
{
    if (fl[op->in] & LML_SC_NULL)
        return LML_EINVAL;
    const double *x = w + op->in, *shift = s->consts + op->aux, *scale = shift + op->n;
    double *y = w + op->out;
    for (size_t j = 0; j < op->n; j++)
        y[j] = (x[j] - shift[j]) * scale[j];
    fl[op->out] = 0;
    return LML_OK;
}

/* The leaf row a tree sends x to. */
static inline const double *leaf_of(const lml_sc_model *m, uint32_t k, const double *x)
{
    const lml_sc_node *nodes = m->nodes;
    for (;;) {
        const lml_sc_node *nd = &nodes[k];
        int32_t f = nd->feat;
        if (f >= 0) {
            k = x[f] <= nd->thr ? k + 1 : (uint32_t)nd->right;
        } else if (f == -1) {
            return m->leaves + (size_t)nd->right * m->leaf_width;
        } else {
            const lml_sc_cat *c = &m->cats[(size_t)nd->thr];
            double v = x[-2 - f];
            bool left = v >= 0 && v < (double)c->arity && v == (double)(uint32_t)v ? m->catbits[c->bits + (uint32_t)v]
                                                                                  : c->dflt;
            k = left ? k + 1 : (uint32_t)nd->right;
        }
    }
}

/* One step of a walk from node k (not a leaf). */
static inline uint32_t step(const lml_sc_model *m, uint32_t k, const double *x)
{
    const lml_sc_node *nd = &m->nodes[k];
    int32_t f = nd->feat;
    if (f >= 0)
        return x[f] <= nd->thr ? k + 1 : (uint32_t)nd->right;
    const lml_sc_cat *c = &m->cats[(size_t)nd->thr];
    double v = x[-2 - f];
    bool left = v >= 0 && v < (double)c->arity && v == (double)(uint32_t)v ? m->catbits[c->bits + (uint32_t)v] : c->dflt;
    return left ? k + 1 : (uint32_t)nd->right;
}

/* The leaf rows of trees t .. t+3, walked in lockstep so that their cache misses overlap (the
 * caller still adds the rows up in tree order, so the sums are unchanged). */
static inline void leaves4(const lml_sc_model *m, size_t t, const double *x, const double *rows[4])
{
    uint32_t k0 = m->roots[t], k1 = m->roots[t + 1], k2 = m->roots[t + 2], k3 = m->roots[t + 3];
    const lml_sc_node *n = m->nodes;
    for (;;) {
        bool l0 = n[k0].feat == -1, l1 = n[k1].feat == -1, l2 = n[k2].feat == -1, l3 = n[k3].feat == -1;
        if (l0 && l1 && l2 && l3)
            break;
        if (!l0)
            k0 = step(m, k0, x);
        if (!l1)
            k1 = step(m, k1, x);
        if (!l2)
            k2 = step(m, k2, x);
        if (!l3)
            k3 = step(m, k3, x);
    }
    size_t w = m->leaf_width;
    rows[0] = m->leaves + (size_t)n[k0].right * w;
    rows[1] = m->leaves + (size_t)n[k1].right * w;
    rows[2] = m->leaves + (size_t)n[k2].right * w;
    rows[3] = m->leaves + (size_t)n[k3].right * w;
}

/* Logistic regression's outputs from its margins: mg[0] for a binomial model, mg[0 .. K) for a
 * multinomial one (mg may be out's rawPrediction part), by the library's own code. */
void lml_sc_logreg_finish(const lml_sc_model *m, const double *mg, double *out)
{
    lml_logreg_rule r = {.th = m->th, .binary_rule = m->bin_rule, .cutoff = m->cutoff};
    lml_logreg_outputs(m->multinomial, m->K, mg, &r, out + 1 + m->K, out + 1, out);
}

/* Logistic regression (logreg.c lml_logreg_margins_dense): each margin is the intercept plus
 * coef_j · x_j added in index order. */
static void logreg(const lml_sc_model *m, const double *x, double *out)
{
    size_t K = m->K, d = m->d;
    double *raw = out + 1 + K;
    if (!m->multinomial) {
        double mg = m->intercept[0];
        for (size_t j = 0; j < d; j++)
            mg += m->coef[j] * x[j];
        lml_sc_logreg_finish(m, &mg, out);
        return;
    }
    for (size_t k = 0; k < K; k++) {
        double mg = m->intercept[k];
        const double *c = m->coef + k * d;
        for (size_t j = 0; j < d; j++)
            mg += c[j] * x[j];
        raw[k] = mg;
    }
    lml_sc_logreg_finish(m, raw, out);
}

/* Forest and GBT outputs from the leaf sum (forest.c, gbt.c transforms). */
void lml_sc_trees_finish(const lml_sc_model *m, double F, double *out)
{
    size_t K = m->K, T = m->ntrees;
    double *prob = out + 1, *raw = out + 1 + K;
    switch (m->kind) {
    case LML_SC_RF_CLS: out[0] = lml_tree_vote_outputs(raw, K, prob); return;
    case LML_SC_RF_REG: out[0] = F / (double)T; return;
    case LML_SC_GBT_REG: out[0] = F; return;
    default: out[0] = lml_tree_gbt_outputs(F, m->th, raw, prob); return;
    }
}

/* Tree models (tree.c, forest.c, gbt.c transforms). */
void lml_sc_trees(const lml_sc_model *m, const double *x, double *out)
{
    size_t K = m->K, T = m->ntrees;
    double *raw = out + 1 + K;
    switch (m->kind) {
    case LML_SC_DT_CLS: memcpy(out, leaf_of(m, m->roots[0], x), (1 + 2 * K) * sizeof *out); return;
    case LML_SC_DT_REG: out[0] = leaf_of(m, m->roots[0], x)[0]; return;
    case LML_SC_RF_CLS: {
        for (size_t c = 0; c < K; c++)
            raw[c] = 0.0;
        size_t t = 0;
        for (; t + 4 <= T; t += 4) {
            const double *l[4];
            leaves4(m, t, x, l);
            for (size_t q = 0; q < 4; q++)
                for (size_t c = 0; c < K; c++)
                    raw[c] += l[q][c];
        }
        for (; t < T; t++) {
            const double *l = leaf_of(m, m->roots[t], x);
            for (size_t c = 0; c < K; c++)
                raw[c] += l[c];
        }
        lml_sc_trees_finish(m, 0.0, out);
        return;
    }
    case LML_SC_RF_REG: {
        double sum = 0.0;
        size_t t = 0;
        for (; t + 4 <= T; t += 4) {
            const double *l[4];
            leaves4(m, t, x, l);
            sum += l[0][0];
            sum += l[1][0];
            sum += l[2][0];
            sum += l[3][0];
        }
        for (; t < T; t++)
            sum += leaf_of(m, m->roots[t], x)[0];
        lml_sc_trees_finish(m, sum, out);
        return;
    }
    default: {
        double F = 0.0;
        size_t t = 0;
        for (; t + 4 <= T; t += 4) {
            const double *l[4];
            leaves4(m, t, x, l);
            F += l[0][0];
            F += l[1][0];
            F += l[2][0];
            F += l[3][0];
        }
        for (; t < T; t++)
            F += leaf_of(m, m->roots[t], x)[0];
        lml_sc_trees_finish(m, F, out);
        return;
    }
    }
}

void lml_sc_linear(const lml_sc_model *m, const double *x, double *out)
{
    if (m->kind == LML_SC_LINREG) {
        double acc = m->intercept[0];
        for (size_t j = 0; j < m->d; j++)
            acc += m->coef[j] * x[j];
        out[0] = acc;
    } else {
        logreg(m, x, out);
    }
}

static int op_model(const lml_scorer *s, const lml_sc_op *op, double *w, uint8_t *fl, double *out)
{
    const lml_sc_model *m = &s->m;
    const double *x = w + op->in;
    if (fl[op->in] & LML_SC_NULL)
        return LML_EINVAL;
    if (m->kind == LML_SC_LINREG || m->kind == LML_SC_LOGREG) {
        lml_sc_linear(m, x, out);
    } else {
        for (size_t j = 0; j < m->d; j++)
            if (!isfinite(x[j]))
                return LML_EINVAL; /* lml_tree_read_features rejects NaN and ±inf */
        lml_sc_trees(m, x, out);
    }
    return LML_OK;
}

int lml_sc_run(const lml_scorer *s, const lml_value *row, double *out, void *workspace, size_t *failed)
{
    return lml_sc_run_to(s, row, out, workspace, s->nops, failed);
}

int lml_sc_run_to(const lml_scorer *s, const lml_value *row, double *out, void *workspace, size_t end,
                  size_t *failed)
{
    double *w = workspace;
    uint8_t *fl = (uint8_t *)(w + s->nslots);
    for (size_t i = 0; i < end; i++) {
        const lml_sc_op *op = &s->ops[i];
        int rc;
        switch ((lml_sc_code)op->code) {
        case LML_SC_NUM: rc = op_num(&row[op->in], w + op->out, fl + op->out); break;
        case LML_SC_INDEX: rc = op_index(s, op, &row[op->in], w, fl); break;
        case LML_SC_IMPUTE: rc = op_impute(s, op, w, fl); break;
        case LML_SC_ONEHOT: rc = op_onehot(op, w, fl); break;
        case LML_SC_ASSEMBLE: rc = op_assemble(s, op, w, fl); break;
        case LML_SC_SCALE: rc = op_scale(s, op, w, fl); break;
        default: rc = op_model(s, op, w, fl, out); break;
        }
        if (rc != LML_OK) {
            *failed = i;
            return rc;
        }
    }
    return LML_OK;
}

int lml_scorer_predict(const lml_scorer *s, const lml_value *row, double *out, void *workspace)
{
    size_t failed;
    if (!s || !out || !workspace || (!row && s->ninputs))
        return LML_EINVAL;
    return lml_sc_run(s, row, out, workspace, &failed);
}

/* ---- explain: the same row through lml_transform, for the library's own message */

static lml_column *value_column(const lml_value *v, bool is_string, lml_error *err)
{
    lml_type t = v->type == LML_FLOAT ? LML_DOUBLE : v->type;
    if (v->is_null && (is_string || t > LML_DOUBLE))
        t = is_string ? LML_STRING : LML_DOUBLE;
    lml_column_builder *b = lml_column_builder_new(t, 1, err);
    if (!b)
        return NULL;
    bool ok;
    if (v->is_null)
        ok = lml_column_builder_append_null(b, err);
    else if (v->type == LML_FLOAT)
        ok = lml_column_builder_append_double(b, v->v.f64, err);
    else
        ok = lml_column_builder_append_value(b, v, err);
    if (!ok) {
        lml_column_builder_free(b);
        return NULL;
    }
    return lml_column_builder_finish(b, err);
}

bool lml_scorer_explain(const lml_scorer *s, const lml_value *row, lml_error *err)
{
    if (!s || (!row && s->ninputs))
        return lml_error_set(err, LML_EINVAL, "lml_scorer_explain: NULL scorer or row");
    size_t ws = lml_scorer_workspace_size(s), failed = 0;
    void *w = malloc(ws);
    double *out = malloc(s->noutputs * sizeof *out);
    int rc = w && out ? lml_sc_run(s, row, out, w, &failed) : LML_ENOMEM;
    free(w);
    free(out);
    if (rc == LML_OK)
        return true;
    if (rc == LML_ENOMEM)
        return lml_error_set(err, LML_ENOMEM, "out of memory explaining a row");
    lml_column **cols = calloc(s->ninputs ? s->ninputs : 1, sizeof *cols);
    lml_frame *f = NULL, *r = NULL;
    bool ok = cols != NULL;
    for (size_t i = 0; ok && i < s->ninputs; i++) {
        ok = (cols[i] = value_column(&row[i], s->input_is_string[i], err)) != NULL;
        if (!ok)
            lml_error_prefix(err, "input '%s'", s->input_names[i]);
    }
    if (ok && (f = lml_frame_new(s->ninputs, (const char *const *)s->input_names, cols, err)))
        r = lml_transform(s->model, f, err);
    for (size_t i = 0; cols && i < s->ninputs; i++)
        lml_column_free(cols[i]);
    free(cols);
    lml_frame_free(f);
    if (!ok || !r) /* err holds the library's message */
        return cols ? false : lml_error_set(err, LML_ENOMEM, "out of memory explaining a row");
    size_t rows = lml_frame_num_rows(r);
    lml_frame_free(r);
    const char *uid = s->stage_uids[s->ops[failed].stage];
    if (rc == LML_SCORER_SKIPPED && rows == 0)
        return lml_error_set(err, LML_EINVAL, "%s: the row is dropped (handleInvalid=skip)", uid);
    return lml_error_set(err, rc == LML_ETYPE ? LML_ETYPE : LML_EINVAL,
                         "%s: the scorer rejects the row (%s) although the pipeline's transform accepts it", uid,
                         lml_errcode_name((lml_errcode)(rc == LML_SCORER_SKIPPED ? LML_EINVAL : rc)));
}

/* ---- accessors */

size_t lml_scorer_num_inputs(const lml_scorer *s) { return s ? s->ninputs : 0; }

const char *lml_scorer_input_name(const lml_scorer *s, size_t i)
{
    return s && i < s->ninputs ? s->input_names[i] : NULL;
}

bool lml_scorer_input_is_string(const lml_scorer *s, size_t i) { return s && i < s->ninputs && s->input_is_string[i]; }

size_t lml_scorer_num_outputs(const lml_scorer *s) { return s ? s->noutputs : 0; }

const char *lml_scorer_output_name(const lml_scorer *s, size_t i)
{
    return s && i < s->noutputs ? s->output_names[i] : NULL;
}

size_t lml_scorer_num_classes(const lml_scorer *s) { return s ? s->m.K : 0; }

const char *lml_scorer_label(const lml_scorer *s, double prediction)
{
    if (!s || !s->label_out || !(prediction >= 0 && prediction < (double)s->nlabel_out) ||
        prediction != floor(prediction))
        return NULL;
    return s->label_out[(size_t)prediction];
}

size_t lml_scorer_workspace_size(const lml_scorer *s)
{
    return s && s->nslots ? s->nslots * (sizeof(double) + 1) : 1;
}

void lml_scorer_free(lml_scorer *s)
{
    if (!s)
        return;
    lml_stage_free(s->model);
    free(s->model_class);
    for (size_t i = 0; i < s->ninputs; i++)
        free(s->input_names[i]);
    free(s->input_names);
    free(s->input_is_string);
    free(s->ops);
    free(s->parts);
    free(s->consts);
    free(s->tabs);
    free(s->label_off);
    free(s->label_len);
    free(s->blob);
    free(s->hslots);
    lml_sc_model_clear(&s->m);
    for (size_t i = 0; i < s->nstages; i++)
        free(s->stage_uids[i]);
    free(s->stage_uids);
    for (size_t i = 0; s->output_names && i < s->noutputs; i++)
        free(s->output_names[i]);
    free(s->output_names);
    for (size_t i = 0; i < s->nlabel_out; i++)
        free(s->label_out[i]);
    free(s->label_out);
    free(s);
}
