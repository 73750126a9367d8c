/* `lakeml score`: one batch through the model. A batch the model rejects is scored again in halves
 * until the rejected rows stand alone, so one bad row costs O(log batch) extra transforms and
 * never the other rows of its batch; rows a handleInvalid=skip stage drops are found through a
 * row-number column added before the transform. */
#include "score.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ bad-record lines */

/* The text of cell i as lml_format_value gives it (malloc'd). */
static char *cell_text(const lml_column *col, size_t i)
{
    char small[64];
    size_t n = lml_format_value(col, i, small, sizeof small);
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    if (n < sizeof small)
        memcpy(s, small, n + 1);
    else
        lml_format_value(col, i, s, n + 1);
    return s;
}

/* One cell as JSON: numbers as numbers (64-bit integers exactly, doubles in Java's shortest text,
 * which JSON accepts; NaN and infinities as strings), booleans, null, strings as they are, and
 * every other type (dates, timestamps, vectors, nested values) in show()'s text. */
static cJSON *cell_json(const lml_column *col, size_t i)
{
    if (lml_column_is_null(col, i))
        return cJSON_CreateNull();
    lml_type t = lml_column_type(col);
    lml_value v = lml_column_get(col, i);
    char buf[32];
    switch (t) {
    case LML_BOOL:
        return cJSON_CreateBool(v.v.b);
    case LML_INT8:
    case LML_INT16:
    case LML_INT32:
        snprintf(buf, sizeof buf, "%" PRId32, v.v.i32);
        return cJSON_CreateRaw(buf);
    case LML_INT64:
        snprintf(buf, sizeof buf, "%" PRId64, v.v.i64);
        return cJSON_CreateRaw(buf);
    case LML_STRING: {
        char *s = malloc(v.v.str.len + 1);
        if (!s)
            return NULL;
        memcpy(s, v.v.str.ptr, v.v.str.len);
        s[v.v.str.len] = '\0';
        cJSON *j = cJSON_CreateString(s);
        free(s);
        return j;
    }
    default: {
        char *s = cell_text(col, i);
        if (!s)
            return NULL;
        bool finite_number = (t == LML_DOUBLE || t == LML_FLOAT) && isfinite(v.v.f64);
        cJSON *j = finite_number ? cJSON_CreateRaw(s) : cJSON_CreateString(s);
        free(s);
        return j;
    }
    }
}

/* Appends {"row": N, "error": "...", "values": {...}} for row i of batch to the bad-records file. */
static bool record_bad(score_ctx *ctx, const lml_frame *batch, size_t i, uint64_t row, const char *error,
                       lml_error *err)
{
    cJSON *o = cJSON_CreateObject(), *values = cJSON_CreateObject();
    bool ok = o && values;
    if (ok) {
        cJSON_AddItemToObject(o, "row", cJSON_CreateNumber((double)row));
        cJSON_AddItemToObject(o, "error", cJSON_CreateString(error));
        for (size_t c = 0; ok && c < lml_frame_num_cols(batch); c++) {
            const char *name = lml_frame_column_name(batch, c);
            if (strcmp(name, SCORE_ROW_COLUMN) == 0)
                continue;
            cJSON *v = cell_json(lml_frame_column(batch, c), i);
            ok = v != NULL;
            if (ok)
                cJSON_AddItemToObject(values, name, v);
        }
        cJSON_AddItemToObject(o, "values", values);
        values = NULL;
    }
    char *line = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    cJSON_Delete(values);
    if (!line)
        return lml_error_set(err, LML_ENOMEM, "out of memory writing a bad record");
    /* Opened on the first record and appended to, as the CSV reader appends its malformed lines
     * to the same file: the two never write at the same time. */
    if (!ctx->bad && !(ctx->bad = fopen(ctx->bad_path, "ae"))) {
        free(line);
        return lml_error_set(err, LML_EIO, "cannot open bad-records file %s: %s", ctx->bad_path, strerror(errno));
    }
    /* Flushed per record: the CSV reader appends to the same file between batches. */
    ok = fputs(line, ctx->bad) >= 0 && fputc('\n', ctx->bad) != EOF && fflush(ctx->bad) == 0;
    free(line);
    if (!ok)
        return lml_error_set(err, LML_EIO, "cannot write bad-records file %s: %s", ctx->bad_path, strerror(errno));
    return true;
}

/* The pipeline's message about a one-row frame, without its "at row 0", which would mislead next
 * to the row number of the input. */
static void drop_local_row(char *msg)
{
    char *p = strstr(msg, " at row 0");
    if (p && (p[9] == '\0' || p[9] == ' ' || p[9] == ')' || p[9] == ',' || p[9] == ':'))
        memmove(p, p + 9, strlen(p + 9) + 1);
}

/* ------------------------------------------------------------------ skipped rows */

/* Which top-level stage of a PipelineModel drops the one-row frame `one` (its uid), or NULL. */
static const char *dropping_stage(const lml_stage *model, const lml_frame *one)
{
    size_t n = lml_pipeline_num_stages(model);
    lml_frame *cur = lml_frame_retain(one);
    const char *who = NULL;
    for (size_t s = 0; cur && !who && s < n; s++) {
        const lml_stage *st = lml_pipeline_stage(model, s);
        lml_frame *next = lml_transform(st, cur, NULL);
        lml_frame_free(cur);
        cur = next;
        if (cur && lml_frame_num_rows(cur) == 0)
            who = lml_stage_uid(st);
    }
    lml_frame_free(cur);
    return who;
}

/* Counts (and, with --bad-records, records) the rows of sub missing from out. */
static bool note_skipped(score_ctx *ctx, const lml_frame *sub, const lml_frame *out, lml_error *err)
{
    size_t n = lml_frame_num_rows(sub), m = lml_frame_num_rows(out);
    if (m >= n)
        return true;
    ctx->rows_skipped += n - m;
    long tag = lml_frame_column_index(out, SCORE_ROW_COLUMN);
    if (!ctx->bad_path || tag < 0) /* a stage that drops columns too: counted, not attributable */
        return true;
    const int64_t *have = lml_column_int64s(lml_frame_column(out, (size_t)tag));
    const int64_t *want = lml_column_int64s(lml_frame_column(sub, (size_t)lml_frame_column_index(sub, SCORE_ROW_COLUMN)));
    /* Transforms keep row order, so one merge walk finds the missing numbers. */
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (j < m && have[j] == want[i]) {
            j++;
            continue;
        }
        lml_frame *one = lml_frame_slice(sub, i, 1, err);
        if (!one)
            return false;
        const char *who = dropping_stage(ctx->model, one);
        char why[256];
        if (who)
            snprintf(why, sizeof why, "dropped by %s (handleInvalid=skip)", who);
        else
            snprintf(why, sizeof why, "dropped by %s (a stage with handleInvalid=skip)", lml_stage_uid(ctx->model));
        lml_frame_free(one);
        if (!record_bad(ctx, sub, i, (uint64_t)want[i], why, err))
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------ scoring */

typedef struct pieces {
    lml_frame **f;
    size_t n, cap;
} pieces;

static bool push(pieces *p, lml_frame *f, lml_error *err)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        lml_frame **g = realloc(p->f, cap * sizeof *g);
        if (!g) {
            lml_frame_free(f);
            return lml_error_set(err, LML_ENOMEM, "out of memory");
        }
        p->f = g;
        p->cap = cap;
    }
    p->f[p->n++] = f;
    return true;
}

/* Errors that belong to the rows (a value the model rejects), as opposed to the machine's
 * (memory, files, cancellation), which no halving can isolate. */
static bool row_level(lml_errcode code)
{
    return code != LML_ENOMEM && code != LML_EIO && code != LML_ECANCELED;
}

/* Scores rows [off, off + len) of the tagged batch, appending the scored pieces in order. */
static bool score_range(score_ctx *ctx, const lml_frame *tagged, size_t off, size_t len, uint64_t first_row,
                        pieces *out, lml_error *err)
{
    lml_frame *sub = off == 0 && len == lml_frame_num_rows(tagged) ? lml_frame_retain(tagged)
                                                                     : lml_frame_slice(tagged, off, len, err);
    if (!sub)
        return false;
    lml_error e = {0};
    lml_frame *res = lml_transform(ctx->model, sub, &e);
    if (res) {
        bool ok = note_skipped(ctx, sub, res, err);
        lml_frame *sel = ok ? lml_frame_select(res, ctx->out_cols, err) : NULL;
        lml_frame_free(res);
        lml_frame_free(sub);
        return sel && push(out, sel, err);
    }
    if (!row_level(e.code) || len > 1) {
        lml_frame_free(sub);
        if (!row_level(e.code)) {
            *err = e;
            return false;
        }
        size_t half = len / 2;
        return score_range(ctx, tagged, off, half, first_row, out, err) &&
               score_range(ctx, tagged, off + half, len - half, first_row, out, err);
    }
    uint64_t row = first_row + off;
    drop_local_row(e.message);
    bool ok;
    if (!ctx->bad_path) {
        ok = lml_error_set(err, e.code, "%s: row %" PRIu64 ": %s (--bad-records PATH records such rows and goes on)",
                           ctx->input, row, e.message);
    } else {
        ctx->rows_bad++;
        ok = record_bad(ctx, sub, 0, row, e.message, err);
    }
    lml_frame_free(sub);
    return ok;
}

/* batch plus the row-number column. */
static lml_frame *tag_rows(const lml_frame *batch, uint64_t first_row, lml_error *err)
{
    size_t n = lml_frame_num_rows(batch);
    int64_t *nums = malloc((n ? n : 1) * sizeof *nums);
    if (!nums) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        nums[i] = (int64_t)(first_row + i);
    lml_column *col = lml_column_from_int64s(nums, NULL, n, err);
    free(nums);
    if (!col)
        return NULL;
    lml_frame *f = lml_frame_with_column(batch, SCORE_ROW_COLUMN, col, err);
    lml_column_free(col);
    return f;
}

bool score_batch(score_ctx *ctx, const lml_frame *batch, uint64_t first_row, lml_frame **out, lml_error *err)
{
    *out = NULL;
    lml_frame *tagged = tag_rows(batch, first_row, err);
    if (!tagged)
        return false;
    pieces p = {0};
    bool ok = score_range(ctx, tagged, 0, lml_frame_num_rows(tagged), first_row, &p, err);
    if (ok && p.n == 1)
        *out = lml_frame_retain(p.f[0]);
    else if (ok && p.n > 1)
        ok = (*out = lml_frame_union_by_name((const lml_frame *const *)p.f, p.n, err)) != NULL;
    for (size_t i = 0; i < p.n; i++)
        lml_frame_free(p.f[i]);
    free(p.f);
    lml_frame_free(tagged);
    return ok;
}

lml_frame *score_schema_check(const score_ctx *ctx, const lml_frame *schema, lml_error *err)
{
    /* Untagged: an error about a missing column lists the input's columns only. */
    return lml_transform(ctx->model, schema, err);
}

/* ------------------------------------------------------------------ default output columns */

typedef struct name_set {
    const char *v[64];
    size_t n;
} name_set;

static void add_name(name_set *s, const char *name)
{
    if (name && *name && s->n < sizeof s->v / sizeof *s->v)
        s->v[s->n++] = name;
}

static bool has_name(const name_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcasecmp(s->v[i], name) == 0)
            return true;
    return false;
}

static void add_param(name_set *s, const lml_stage *st, const char *param)
{
    if (lml_has_param(st, param) && lml_is_defined(st, param))
        add_name(s, lml_get_string(st, param, NULL));
}

static bool is_tuning_model(const lml_stage *st)
{
    const char *n = lml_stage_name(st);
    return strcmp(n, "CrossValidatorModel") == 0 || strcmp(n, "TrainValidationSplitModel") == 0;
}

/* Predictor and IndexToString outputs of st and the stages inside it. */
static void collect_final(const lml_stage *st, name_set *s)
{
    if (!st)
        return;
    size_t n = lml_pipeline_num_stages(st);
    for (size_t i = 0; i < n; i++)
        collect_final(lml_pipeline_stage(st, i), s);
    if (is_tuning_model(st))
        collect_final(lml_tuning_model_best_model(st, NULL), s);
    if (lml_has_param(st, "predictionCol")) {
        add_param(s, st, "rawPredictionCol");
        add_param(s, st, "probabilityCol");
        add_param(s, st, "predictionCol");
        add_param(s, st, "varianceCol");
        add_param(s, st, "leafCol"); /* empty unless the user asked for leaf indices */
    }
    if (strcmp(lml_stage_name(st), "IndexToString") == 0)
        add_param(s, st, "outputCol");
}

/* The outputs of the last stage st runs (for a model without predictors: a feature pipeline). */
static void collect_last(const lml_stage *st, name_set *s)
{
    for (;;) {
        size_t n = lml_pipeline_num_stages(st);
        if (n > 0)
            st = lml_pipeline_stage(st, n - 1);
        else if (is_tuning_model(st))
            st = lml_tuning_model_best_model(st, NULL);
        else
            break;
        if (!st)
            return;
    }
    add_param(s, st, "outputCol");
    if (lml_has_param(st, "outputCols") && lml_is_defined(st, "outputCols")) {
        size_t k = 0;
        const char *const *v = lml_get_strings(st, "outputCols", &k, NULL);
        for (size_t i = 0; v && i < k; i++)
            add_name(s, v[i]);
    }
}

size_t score_final_columns(const lml_stage *model, const lml_frame *in, const lml_frame *out, const char **names,
                           size_t cap)
{
    name_set want = {0};
    for (int pass = 0; pass < 3; pass++) {
        if (pass == 0)
            collect_final(model, &want);
        else if (pass == 1)
            collect_last(model, &want);
        size_t k = 0;
        for (size_t i = 0; i < lml_frame_num_cols(out) && k < cap; i++) {
            const char *name = lml_frame_column_name(out, i);
            if (lml_frame_column_index(in, name) >= 0 || strcmp(name, SCORE_ROW_COLUMN) == 0)
                continue;
            /* pass 2: the model names nothing it adds; every new column then */
            if (pass == 2 || has_name(&want, name))
                names[k++] = name;
        }
        if (k > 0 || pass == 2)
            return k;
        want.n = 0;
    }
    return 0;
}
