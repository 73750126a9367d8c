/* lml_scorer_new: flattens a fitted pipeline, keeps the stages the predictor needs (a backward
 * liveness pass over column names, which is how a label StringIndexer drops out), then gives every
 * live column a workspace slot range and emits one op per live (stage, column pair). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "lakeml/ml/pipeline.h"
#include "lakeml/ml/tuning.h"
#include "ml/feature/feature_internal.h"
#include "ml/scorer/program.h"

#define MAX_STAGES 4096

typedef struct col {
    char *name;
    uint32_t slot, size;
    bool vector;
} col;

typedef struct builder {
    lml_scorer *s;
    const lml_stage *stages[MAX_STAGES];
    size_t nstages;
    size_t cap_ops, cap_parts, cap_consts, cap_tabs, cap_labels, cap_blob, cap_hslots, cap_inputs, cap_uids;
    col *cols;
    size_t ncols, cap_cols;
    uint32_t *raw_slot; /* per input: its NUM slot + 1, or 0 */
    size_t cap_raw;
} builder;

static bool oom(lml_error *err) { return lml_error_set(err, LML_ENOMEM, "out of memory compiling a scorer"); }

/* Makes room for `more` elements of `size` bytes in *arr (count n, capacity *cap). */
static bool reserve(void **arr, size_t n, size_t more, size_t *cap, size_t size)
{
    if (n + more <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < n + more)
        nc *= 2;
    void *p = realloc(*arr, nc * size);
    if (!p)
        return false;
    *arr = p;
    *cap = nc;
    return true;
}

#define RESERVE(b, arr, n, more, capf) reserve((void **)&(arr), (n), (more), &(b)->capf, sizeof *(arr))

/* ---- flattening */

static bool is_tuning_model(const lml_stage *st)
{
    const char *c = lml_stage_class(st);
    return strcmp(c, "org.apache.spark.ml.tuning.CrossValidatorModel") == 0 ||
           strcmp(c, "org.apache.spark.ml.tuning.TrainValidationSplitModel") == 0;
}

static bool flatten(builder *b, const lml_stage *st, int depth, lml_error *err)
{
    if (depth > 32)
        return lml_error_set(err, LML_EUNSUPPORTED, "pipelines nested more than 32 deep");
    if (st->vt == &lml_pipeline_model_vt) {
        for (size_t i = 0; i < lml_pipeline_num_stages(st); i++)
            if (!flatten(b, lml_pipeline_stage(st, i), depth + 1, err))
                return false;
        return true;
    }
    if (is_tuning_model(st)) {
        const lml_stage *best = lml_tuning_model_best_model(st, err);
        return best && flatten(b, best, depth + 1, err);
    }
    if (b->nstages == MAX_STAGES)
        return lml_error_set(err, LML_EUNSUPPORTED, "pipelines of more than %d stages", MAX_STAGES);
    b->stages[b->nstages++] = st;
    return true;
}

static bool is_feature_stage(const lml_stage *st)
{
    const lml_stage_vtable *vt = st->vt;
    return vt == &lml_string_indexer_model_vt || vt == &lml_one_hot_encoder_model_vt ||
           vt == &lml_vector_assembler_vt || vt == &lml_imputer_model_vt || vt == &lml_standard_scaler_model_vt;
}

/* A stage's column pairs: VectorAssembler is one pair with several inputs (ins/nin), the others
 * lml_feat_cols (StandardScaler single-column only). */
typedef struct pairs {
    lml_feat_cols fc;
    const char *const *va_in;
    size_t va_nin;
    char *va_out;
} pairs;

static bool pairs_get(const lml_stage *st, pairs *p, lml_error *err)
{
    memset(p, 0, sizeof *p);
    if (st->vt != &lml_vector_assembler_vt)
        return lml_feat_cols_get(st, st->vt != &lml_standard_scaler_model_vt, &p->fc, err);
    p->va_in = lml_get_strings(st, "inputCols", &p->va_nin, NULL);
    if (!p->va_nin)
        return lml_error_set(err, LML_EINVAL, "%s: inputCols is not set or empty", st->uid);
    const char *oc = lml_param_string(st, "outputCol");
    p->va_out = oc ? lml_strdup(oc, err) : lml_default_output_col(st, err);
    p->fc.n = 1;
    return p->va_out != NULL;
}

static void pairs_free(pairs *p)
{
    if (p->va_out)
        free(p->va_out);
    else
        lml_feat_cols_free(&p->fc);
}

static const char *pair_out(const pairs *p, size_t c) { return p->va_out ? p->va_out : p->fc.out[c]; }

/* ---- name sets for the liveness pass */

typedef struct names {
    const char **v;
    size_t n, cap;
} names;

static long names_find(const names *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], x) == 0)
            return (long)i;
    return -1;
}

static bool names_add(names *s, const char *x)
{
    if (names_find(s, x) >= 0)
        return true;
    if (!reserve((void **)&s->v, s->n, 1, &s->cap, sizeof *s->v))
        return false;
    s->v[s->n++] = x;
    return true;
}

/* ---- emitting */

static bool add_uid(builder *b, const lml_stage *st, uint32_t *idx, lml_error *err)
{
    lml_scorer *s = b->s;
    for (size_t i = 0; i < s->nstages; i++)
        if (strcmp(s->stage_uids[i], st->uid) == 0) {
            *idx = (uint32_t)i;
            return true;
        }
    if (!RESERVE(b, s->stage_uids, s->nstages, 1, cap_uids) || !(s->stage_uids[s->nstages] = lml_strdup(st->uid, err)))
        return oom(err);
    *idx = (uint32_t)s->nstages++;
    return true;
}

static bool add_op(builder *b, const lml_stage *st, lml_sc_op op, lml_error *err)
{
    lml_scorer *s = b->s;
    if (!add_uid(b, st, &op.stage, err))
        return false;
    if (!RESERVE(b, s->ops, s->nops, 1, cap_ops))
        return oom(err);
    s->ops[s->nops++] = op;
    return true;
}

static bool new_slots(builder *b, size_t n, uint32_t *first, lml_error *err)
{
    if (b->s->nslots + n > (size_t)INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "the scorer would need more than %d workspace slots", INT32_MAX);
    *first = (uint32_t)b->s->nslots;
    b->s->nslots += n;
    return true;
}

static bool add_const(builder *b, double v, lml_error *err)
{
    if (!RESERVE(b, b->s->consts, b->s->nconsts, 1, cap_consts))
        return oom(err);
    b->s->consts[b->s->nconsts++] = v;
    return true;
}

/* The index of raw input `name` (added when new). */
static bool raw_input(builder *b, const char *name, bool is_string, size_t *idx, lml_error *err)
{
    lml_scorer *s = b->s;
    for (size_t i = 0; i < s->ninputs; i++)
        if (strcmp(s->input_names[i], name) == 0) {
            s->input_is_string[i] |= is_string;
            *idx = i;
            return true;
        }
    if (!RESERVE(b, s->input_names, s->ninputs, 1, cap_inputs) ||
        !reserve((void **)&s->input_is_string, s->ninputs, 1, &b->cap_raw, sizeof(bool)) ||
        !(b->raw_slot = realloc(b->raw_slot, b->cap_raw * sizeof *b->raw_slot)) ||
        !(s->input_names[s->ninputs] = lml_strdup(name, err)))
        return oom(err);
    s->input_is_string[s->ninputs] = is_string;
    b->raw_slot[s->ninputs] = 0;
    *idx = s->ninputs++;
    return true;
}

static bool set_col(builder *b, const char *name, uint32_t slot, uint32_t size, bool vector, lml_error *err)
{
    if (!RESERVE(b, b->cols, b->ncols, 1, cap_cols))
        return oom(err);
    char *nm = lml_strdup(name, err);
    if (!nm)
        return false;
    b->cols[b->ncols++] = (col){nm, slot, size, vector};
    return true;
}

/* The column `name` as the stage st reads it: the latest producer, else a raw numeric input
 * (converted once by a NUM op). */
static bool resolve(builder *b, const lml_stage *st, const char *name, col *out, lml_error *err)
{
    for (size_t i = b->ncols; i-- > 0;)
        if (strcmp(b->cols[i].name, name) == 0) {
            *out = b->cols[i];
            return true;
        }
    size_t in;
    if (!raw_input(b, name, false, &in, err))
        return false;
    if (!b->raw_slot[in]) {
        uint32_t slot = 0;
        if (!new_slots(b, 1, &slot, err) ||
            !add_op(b, st, (lml_sc_op){.code = LML_SC_NUM, .in = (uint32_t)in, .out = slot}, err))
            return false;
        b->raw_slot[in] = slot + 1;
    }
    *out = (col){(char *)name, b->raw_slot[in] - 1, 1, false};
    return true;
}

static bool scalar_input(builder *b, const lml_stage *st, const char *name, col *c, lml_error *err)
{
    if (!resolve(b, st, name, c, err))
        return false;
    if (c->vector)
        return lml_error_set(err, LML_ETYPE, "%s: input column '%s' must be numeric, got vector", st->uid, name);
    return true;
}

static int mode_of(const lml_stage *st)
{
    const char *hi = lml_param_string(st, "handleInvalid");
    return !hi ? LML_SC_ERROR : strcmp(hi, "skip") == 0 ? LML_SC_SKIP : strcmp(hi, "keep") == 0 ? LML_SC_KEEP
                                                                                                   : LML_SC_ERROR;
}

/* StringIndexer column c: a hash table over the labels, keys in the shared blob. */
static bool emit_index(builder *b, const lml_stage *st, const pairs *p, size_t c, lml_error *err)
{
    lml_scorer *s = b->s;
    size_t n;
    const char *const *labels = lml_string_indexer_model_labels(st, c, &n, err);
    if (!labels)
        return false;
    for (size_t i = b->ncols; i-- > 0;)
        if (strcmp(b->cols[i].name, p->fc.in[c]) == 0)
            return lml_error_set(err, LML_EUNSUPPORTED,
                                 "%s: the scorer indexes raw input columns only, and '%s' is made by an earlier stage",
                                 st->uid, p->fc.in[c]);
    size_t in, cap = 2;
    while (cap < 2 * n)
        cap *= 2;
    if (n > INT32_MAX / 4)
        return lml_error_set(err, LML_ERANGE, "%s: %zu labels", st->uid, n);
    if (!raw_input(b, p->fc.in[c], true, &in, err))
        return false;
    if (!RESERVE(b, s->tabs, s->ntabs, 1, cap_tabs) || !RESERVE(b, s->label_off, s->nlabels_total, n, cap_labels) ||
        !RESERVE(b, s->hslots, s->nhslots, cap, cap_hslots))
        return oom(err);
    /* label_len follows label_off's capacity */
    uint32_t *ll = realloc(s->label_len, (b->cap_labels ? b->cap_labels : 1) * sizeof *ll);
    if (!ll)
        return oom(err);
    s->label_len = ll;
    lml_sc_strtab tab = {.first = (uint32_t)s->nlabels_total, .nlabels = (uint32_t)n, .hbase = (uint32_t)s->nhslots,
                         .mask = (uint32_t)(cap - 1)};
    int32_t *h = s->hslots + s->nhslots;
    for (size_t i = 0; i < cap; i++)
        h[i] = -1;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(labels[i]);
        if (s->blob_len + len + 1 > UINT32_MAX)
            return lml_error_set(err, LML_ERANGE, "%s: the labels exceed 4 GiB", st->uid);
        if (!RESERVE(b, s->blob, s->blob_len, len + 1, cap_blob))
            return oom(err);
        memcpy(s->blob + s->blob_len, labels[i], len + 1);
        s->label_off[s->nlabels_total + i] = (uint32_t)s->blob_len;
        s->label_len[s->nlabels_total + i] = (uint32_t)len;
        s->blob_len += len + 1;
        size_t k = (size_t)lml_sc_hash(labels[i], len) & (cap - 1);
        while (h[k] >= 0)
            k = (k + 1) & (cap - 1);
        h[k] = (int32_t)i;
    }
    s->nlabels_total += n;
    s->nhslots += cap;
    s->tabs[s->ntabs] = tab;
    uint32_t slot = 0;
    if (!new_slots(b, 1, &slot, err) ||
        !add_op(b, st,
                (lml_sc_op){.code = LML_SC_INDEX, .mode = (uint8_t)mode_of(st), .in = (uint32_t)in, .out = slot,
                            .aux = (uint32_t)s->ntabs++},
                err))
        return false;
    return set_col(b, p->fc.out[c], slot, 1, false, err);
}

static bool emit_onehot(builder *b, const lml_stage *st, const pairs *p, size_t c, lml_error *err)
{
    size_t n;
    const int64_t *sizes = lml_one_hot_encoder_model_category_sizes(st, &n, err);
    if (!sizes)
        return false;
    if (n != p->fc.n)
        return lml_error_set(err, LML_EINVAL,
                             "%s: the model has category sizes for %zu columns but %zu input columns are set", st->uid,
                             n, p->fc.n);
    bool drop = lml_param_bool(st, "dropLast");
    bool keep = mode_of(st) == LML_SC_KEEP;
    int64_t C = sizes[c];
    if (drop && !keep && C < 2)
        return lml_error_set(err, LML_EINVAL,
                             "%s: input column '%s' must have at least two categories with dropLast=true and "
                             "handleInvalid=error, got %lld",
                             st->uid, p->fc.in[c], (long long)C);
    if (C < 0 || C > INT32_MAX)
        return lml_error_set(err, LML_ERANGE, "%s: category size %lld", st->uid, (long long)C);
    size_t size = (size_t)C + (keep ? 1 : 0) - (drop ? 1 : 0);
    col in;
    uint32_t slot = 0;
    if (!scalar_input(b, st, p->fc.in[c], &in, err) || !new_slots(b, size ? size : 1, &slot, err) ||
        !add_op(b, st,
                (lml_sc_op){.code = LML_SC_ONEHOT, .mode = keep ? LML_SC_KEEP : LML_SC_ERROR, .in = in.slot,
                            .out = slot, .n = (uint32_t)size, .aux = (uint32_t)C},
                err))
        return false;
    return set_col(b, p->fc.out[c], slot, (uint32_t)size, true, err);
}

static bool emit_impute(builder *b, const lml_stage *st, const pairs *p, size_t c, lml_error *err)
{
    size_t n;
    const double *sur = lml_imputer_model_surrogates(st, &n, err);
    if (!sur)
        return false;
    if (n != p->fc.n)
        return lml_error_set(err, LML_EINVAL,
                             "%s: the model has surrogates for %zu columns but %zu input columns are set", st->uid, n,
                             p->fc.n);
    col in;
    uint32_t slot = 0, k = (uint32_t)b->s->nconsts;
    if (!scalar_input(b, st, p->fc.in[c], &in, err) || !add_const(b, sur[c], err) ||
        !add_const(b, lml_param_double(st, "missingValue"), err) || !new_slots(b, 1, &slot, err) ||
        !add_op(b, st, (lml_sc_op){.code = LML_SC_IMPUTE, .in = in.slot, .out = slot, .aux = k}, err))
        return false;
    return set_col(b, p->fc.out[c], slot, 1, false, err);
}

static bool emit_scale(builder *b, const lml_stage *st, const pairs *p, lml_error *err)
{
    size_t d, d2;
    const double *mean = lml_standard_scaler_model_mean(st, &d, err), *sd = lml_standard_scaler_model_std(st, &d2, err);
    if (!mean || !sd)
        return false;
    col in;
    if (!resolve(b, st, p->fc.in[0], &in, err))
        return false;
    if (!in.vector)
        return lml_error_set(err, LML_ETYPE, "%s: input column '%s' must be a vector column", st->uid, p->fc.in[0]);
    if (in.size != d)
        return lml_error_set(err, LML_EINVAL, "%s: column '%s' has vectors of size %u, the model was fit on size %zu",
                             st->uid, p->fc.in[0], in.size, d);
    bool with_mean = lml_param_bool(st, "withMean"), with_std = lml_param_bool(st, "withStd");
    uint32_t k = (uint32_t)b->s->nconsts, slot = 0;
    for (size_t j = 0; j < d; j++)
        if (!add_const(b, with_mean ? mean[j] : 0.0, err))
            return false;
    for (size_t j = 0; j < d; j++)
        if (!add_const(b, !with_std ? 1.0 : sd[j] != 0.0 ? 1.0 / sd[j] : 0.0, err))
            return false;
    if (!new_slots(b, d ? d : 1, &slot, err) ||
        !add_op(b, st, (lml_sc_op){.code = LML_SC_SCALE, .in = in.slot, .out = slot, .n = (uint32_t)d, .aux = k}, err))
        return false;
    return set_col(b, p->fc.out[0], slot, (uint32_t)d, true, err);
}

static bool emit_assemble(builder *b, const lml_stage *st, const pairs *p, lml_error *err)
{
    lml_scorer *s = b->s;
    uint32_t first = (uint32_t)s->nparts, total = 0, slot = 0;
    for (size_t k = 0; k < p->va_nin; k++) {
        col in;
        if (!resolve(b, st, p->va_in[k], &in, err))
            return false;
        if (!RESERVE(b, s->parts, s->nparts, 1, cap_parts))
            return oom(err);
        s->parts[s->nparts++] = (lml_sc_part){in.slot, in.size, in.vector};
        if ((size_t)total + in.size > INT32_MAX)
            return lml_error_set(err, LML_ERANGE, "%s: the output vector would be too large", st->uid);
        total += in.size;
    }
    if (!new_slots(b, total ? total : 1, &slot, err) ||
        !add_op(b, st,
                (lml_sc_op){.code = LML_SC_ASSEMBLE, .mode = (uint8_t)mode_of(st), .out = slot,
                            .n = (uint32_t)p->va_nin, .aux = first},
                err))
        return false;
    return set_col(b, p->va_out, slot, total, true, err);
}

static bool emit_pair(builder *b, const lml_stage *st, const pairs *p, size_t c, lml_error *err)
{
    const lml_stage_vtable *vt = st->vt;
    if (vt == &lml_string_indexer_model_vt)
        return emit_index(b, st, p, c, err);
    if (vt == &lml_one_hot_encoder_model_vt)
        return emit_onehot(b, st, p, c, err);
    if (vt == &lml_imputer_model_vt)
        return emit_impute(b, st, p, c, err);
    if (vt == &lml_standard_scaler_model_vt)
        return emit_scale(b, st, p, err);
    return emit_assemble(b, st, p, err);
}

/* ---- outputs and IndexToString */

static bool copy_labels(lml_scorer *s, const char *const *labels, size_t n, lml_error *err)
{
    if (!(s->label_out = calloc(n ? n : 1, sizeof *s->label_out)))
        return oom(err);
    for (size_t i = 0; i < n; i++)
        if (!(s->label_out[s->nlabel_out++] = lml_strdup(labels[i], err)))
            return false;
    return true;
}

/* An IndexToString on the prediction: its labels param (the library's transform needs it there,
 * the prediction column carries no nominal metadata). */
static bool index_to_string(builder *b, size_t p, const lml_stage *its, lml_error *err)
{
    const lml_stage *pred = b->stages[p];
    const char *in = lml_param_string(its, "inputCol"), *pc = lml_param_string(pred, "predictionCol");
    if (!in || !pc || strcmp(in, pc) != 0 || b->s->label_out)
        return true;
    size_t nl = 0;
    const char *const *labels = lml_get_strings(its, "labels", &nl, NULL);
    return !labels || !nl || copy_labels(b->s, labels, nl, err);
}

/* A model whose features column is not made by the pipeline reads it as d numeric inputs
 * "features[0]" … (a null element counts as NaN), gathered by a keep-mode assembler. */
static bool raw_features(builder *b, const lml_stage *pred, const char *fcol, col *f, lml_error *err)
{
    lml_scorer *s = b->s;
    size_t d = s->m.d;
    uint32_t first = (uint32_t)s->nparts, slot = 0;
    for (size_t j = 0; j < d; j++) {
        char name[512];
        snprintf(name, sizeof name, "%s[%zu]", fcol, j);
        col in;
        if (!resolve(b, pred, name, &in, err))
            return false;
        if (!RESERVE(b, s->parts, s->nparts, 1, cap_parts))
            return oom(err);
        s->parts[s->nparts++] = (lml_sc_part){in.slot, 1, 0};
    }
    if (!new_slots(b, d ? d : 1, &slot, err) ||
        !add_op(b, pred,
                (lml_sc_op){.code = LML_SC_ASSEMBLE, .mode = LML_SC_KEEP, .out = slot, .n = (uint32_t)d, .aux = first},
                err))
        return false;
    *f = (col){NULL, slot, (uint32_t)d, true};
    return true;
}

/* ---- the whole compile */

static bool compile(builder *b, lml_error *err)
{
    size_t n = b->nstages, p = n;
    for (size_t i = 0; i < n; i++)
        if (lml_sc_is_predictor(b->stages[i]))
            p = i;
    if (p == n)
        return lml_error_set(err, LML_EUNSUPPORTED, "the model has no predictor stage (LogisticRegression, "
                             "LinearRegression or a tree model) to score with");
    for (size_t i = 0; i < n; i++) {
        const lml_stage *st = b->stages[i];
        bool ok = i < p ? is_feature_stage(st) : i == p || st->vt == &lml_index_to_string_vt;
        if (!ok)
            return lml_error_set(err, LML_EUNSUPPORTED, "%s: the scorer does not handle stage class %s%s", st->uid,
                                 lml_stage_class(st), i > p ? " after the predictor" : "");
    }
    /* liveness, backwards from the predictor's features */
    pairs *ps = calloc(p ? p : 1, sizeof *ps);
    bool **live = calloc(p ? p : 1, sizeof *live);
    names need = {0};
    const char *fcol = lml_param_string(b->stages[p], "featuresCol");
    bool ok = ps && live && fcol && names_add(&need, fcol);
    if (!ok)
        oom(err);
    size_t got = 0;
    for (size_t i = p; ok && i-- > 0;) {
        ok = pairs_get(b->stages[i], &ps[i], err);
        if (!ok)
            break;
        got = p - i;
        if (!(live[i] = calloc(ps[i].fc.n ? ps[i].fc.n : 1, sizeof **live))) {
            ok = oom(err);
            break;
        }
        for (size_t c = ps[i].fc.n; ok && c-- > 0;) {
            long at = names_find(&need, pair_out(&ps[i], c));
            if (at < 0)
                continue;
            live[i][c] = true;
            need.v[at] = need.v[--need.n];
            if (ps[i].va_out)
                for (size_t k = 0; ok && k < ps[i].va_nin; k++)
                    ok = names_add(&need, ps[i].va_in[k]) || oom(err);
            else
                ok = names_add(&need, ps[i].fc.in[c]) || oom(err);
        }
    }
    for (size_t i = 0; ok && i < p; i++)
        for (size_t c = 0; ok && c < ps[i].fc.n; c++)
            if (live[i][c])
                ok = emit_pair(b, b->stages[i], &ps[i], c, err);
    for (size_t i = p - got; ps && i < p; i++)
        pairs_free(&ps[i]);
    for (size_t i = 0; live && i < p; i++)
        free(live[i]);
    free(ps);
    free(live);
    free(need.v);
    if (!ok)
        return false;
    const lml_stage *pred = b->stages[p];
    if (!lml_sc_compile_model(b->s, pred, err))
        return false;
    col f = {0};
    bool found = false;
    for (size_t i = b->ncols; !found && i-- > 0;)
        if (strcmp(b->cols[i].name, fcol) == 0)
            f = b->cols[i], found = true;
    if (!found && !raw_features(b, pred, fcol, &f, err))
        return false;
    if (!f.vector || f.size != b->s->m.d)
        return lml_error_set(err, LML_ETYPE, "%s: column '%s' must hold vectors of size %u (the model's numFeatures), "
                             "got %s of size %u", pred->uid, fcol, b->s->m.d, f.vector ? "vector" : "a number", f.size);
    b->s->features = f.slot;
    if (!add_op(b, pred, (lml_sc_op){.code = LML_SC_MODEL, .in = f.slot, .n = b->s->m.d}, err) ||
        !lml_sc_set_outputs(b->s, err))
        return false;
    for (size_t i = p + 1; i < n; i++)
        if (!index_to_string(b, p, b->stages[i], err))
            return false;
    return true;
}

lml_scorer *lml_scorer_new(const lml_stage *model, lml_error *err)
{
    if (!model) {
        lml_error_set(err, LML_EINVAL, "lml_scorer_new: model is NULL");
        return NULL;
    }
    builder *b = calloc(1, sizeof *b);
    lml_scorer *s = calloc(1, sizeof *s);
    bool ok = b && s;
    if (!ok)
        oom(err);
    if (ok) {
        b->s = s;
        ok = (s->model = lml_stage_copy(model, err)) && (s->model_class = lml_strdup(lml_stage_class(model), err)) &&
             flatten(b, s->model, 0, err) && compile(b, err);
    }
    if (b) {
        for (size_t i = 0; i < b->ncols; i++)
            free(b->cols[i].name);
        free(b->cols);
        free(b->raw_slot);
        free(b);
    }
    if (!ok) {
        lml_scorer_free(s);
        return NULL;
    }
    return s;
}
