/* Shared by the `lakeml score` tests (test_cli_score*.c): the data, the pipelines, reading the
 * outputs back and comparing them with lml_transform, the JSON summary, bad-record lines. */
#include "cli_score_support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_support.h"
#include "support.h"

static const char *const cats[] = {"red", "green", "blue"};

/* The CSV text of n rows: id, cat, x1, x2, label. `unseen_at` (1-based, 0 = none) gets category
 * "violet", which the model never saw; `null_at` gets an empty x1. */
char *make_csv(size_t n, size_t unseen_at, size_t null_at)
{
    size_t cap = 64 + n * 80;
    char *s = malloc(cap), *p = s;
    p += sprintf(p, "id,cat,x1,x2,label\n");
    for (size_t i = 1; i <= n; i++) {
        double x1 = (double)((i * 37) % 101) / 10.0 - 5, x2 = (double)((i * 53) % 97) / 7.0;
        const char *cat = i == unseen_at ? "violet" : cats[(i * 7) % 3];
        double label = x1 + 0.3 * x2 + ((i * 7) % 3 == 1 ? 1.5 : 0) > 1.0 ? 1 : 0;
        if (i == null_at)
            p += sprintf(p, "%zu,%s,,%.4f,%.0f\n", i, cat, x2, label);
        else
            p += sprintf(p, "%zu,%s,%.4f,%.4f,%.0f\n", i, cat, x1, x2, label);
    }
    return s;
}

const char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int slot;
    char *p = buf[slot++ % 8];
    snprintf(p, 512, "%s/%s", lml_test_temp_dir(), name);
    return p;
}

const char *write_text(const char *name, const char *text)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

lml_frame *read_csv(const char *path)
{
    lml_error err = {0};
    lml_frame *f = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert_not_null(f, "%s", err.message);
    return f;
}

lml_stage *lr_pipeline(const char *indexer_invalid)
{
    lml_error err = {0};
    lml_stage *si = lml_string_indexer_new("cat", "catIdx");
    if (indexer_invalid)
        cr_assert(lml_set_string(si, "handleInvalid", indexer_invalid, &err), "%s", err.message);
    lml_stage *lr = lml_logistic_regression_new();
    cr_assert(lml_set_string(lr, "labelCol", "label", &err) && lml_set_int(lr, "maxIter", 20, &err), "%s",
              err.message);
    lml_stage *stages[] = {si, lml_one_hot_encoder_new("catIdx", "catVec"),
                           lml_vector_assembler_new((const char *[]){"catVec", "x1", "x2", NULL}, "features"), lr,
                           NULL};
    lml_stage *p = lml_pipeline_new(stages, &err);
    cr_assert_not_null(p, "%s", err.message);
    return p;
}

lml_stage *rf_pipeline(void)
{
    lml_error err = {0};
    lml_stage *rf = lml_random_forest_classifier_new();
    cr_assert(lml_set_string(rf, "labelCol", "label", &err) && lml_set_int(rf, "numTrees", 5, &err) &&
                  lml_set_int(rf, "seed", 7, &err),
              "%s", err.message);
    lml_stage *stages[] = {lml_string_indexer_new("cat", "catIdx"),
                           lml_vector_assembler_new((const char *[]){"catIdx", "x1", "x2", NULL}, "features"), rf,
                           NULL};
    lml_stage *p = lml_pipeline_new(stages, &err);
    cr_assert_not_null(p, "%s", err.message);
    return p;
}

/* Fits the pipeline on the clean data, saves the model and returns its directory. */
const char *fit_and_save(lml_stage *pipeline, const lml_frame *train)
{
    lml_error err = {0};
    lml_stage *m = lml_fit(pipeline, train, &err);
    cr_assert_not_null(m, "%s", err.message);
    const char *dir = tmp_path("model");
    cr_assert(lml_save(m, dir, LML_SAVE_ERROR_IF_EXISTS, &err), "%s", err.message);
    lml_stage_free(m);
    lml_stage_free(pipeline);
    return dir;
}

/* lml_transform of the whole input with the saved model, restricted to cols. */
lml_frame *expected(const char *model_dir, const lml_frame *in, const char *const *cols)
{
    lml_error err = {0};
    lml_stage *m = lml_load(model_dir, &err);
    cr_assert_not_null(m, "%s", err.message);
    lml_frame *t = lml_transform(m, in, &err);
    cr_assert_not_null(t, "%s", err.message);
    lml_frame *s = lml_frame_select(t, cols, &err);
    cr_assert_not_null(s, "%s", err.message);
    lml_frame_free(t);
    lml_stage_free(m);
    return s;
}

const char *const default_cols[] = {"id", "cat", "x1", "x2", "label", "rawPrediction", "probability",
                                           "prediction", NULL};

/* The doubles of cell i: a double, a vector, Spark's VectorUDT struct as a Parquet reader may
 * return it, or the dense text "[a,b]" a CSV file holds. Returns how many. */
size_t cell_doubles(const lml_column *c, size_t i, double *out, size_t cap)
{
    switch (lml_column_type(c)) {
    case LML_DOUBLE:
        out[0] = lml_column_doubles(c)[i];
        return 1;
    case LML_INT32:
        out[0] = lml_column_int32s(c)[i];
        return 1;
    case LML_VECTOR: {
        size_t d = lml_column_vector_size(c);
        cr_assert(d <= cap);
        if (!lml_column_vector_is_sparse(c)) {
            memcpy(out, lml_column_vector_dense(c) + i * d, d * sizeof *out);
        } else {
            memset(out, 0, d * sizeof *out);
            const int64_t *ip = lml_column_vector_indptr(c);
            for (int64_t k = ip[i]; k < ip[i + 1]; k++)
                out[lml_column_vector_indices(c)[k]] = lml_column_vector_values(c)[k];
        }
        return d;
    }
    case LML_STRUCT: {
        const lml_column *type = lml_column_struct_field(c, "type"), *size = lml_column_struct_field(c, "size"),
                         *idx = lml_column_struct_field(c, "indices"), *val = lml_column_struct_field(c, "values");
        cr_assert(type && val, "not a VectorUDT struct");
        const int32_t *vo = lml_column_offsets(val);
        const double *vv = lml_column_doubles(lml_column_child(val, 0));
        if (lml_column_get(type, i).v.i32 == 1) {
            size_t d = (size_t)(vo[i + 1] - vo[i]);
            cr_assert(d <= cap);
            memcpy(out, vv + vo[i], d * sizeof *out);
            return d;
        }
        size_t d = (size_t)lml_column_get(size, i).v.i32;
        cr_assert(d <= cap);
        memset(out, 0, d * sizeof *out);
        const int32_t *io = lml_column_offsets(idx), *iv = lml_column_int32s(lml_column_child(idx, 0));
        for (int32_t k = 0; k < io[i + 1] - io[i]; k++)
            out[iv[io[i] + k]] = vv[vo[i] + k];
        return d;
    }
    case LML_STRING: {
        const char *s = lml_column_string_at(c, i, NULL);
        cr_assert(s && s[0] == '[', "not a dense vector text: %s", s ? s : "null");
        size_t n = 0;
        for (const char *p = s + 1; *p && *p != ']' && n < cap;) {
            char *end;
            out[n++] = strtod(p, &end);
            p = *end == ',' ? end + 1 : end;
        }
        return n;
    }
    default:
        cr_assert_fail("unexpected column type %s", lml_type_name(lml_column_type(c)));
        return 0;
    }
}

/* got holds exactly want's rows and columns in order; numbers and vectors bit for bit, other
 * cells by their text. */
void assert_same_rows(const lml_frame *got, const lml_frame *want, const char *what)
{
    cr_assert_eq(lml_frame_num_cols(got), lml_frame_num_cols(want), "%s: columns", what);
    cr_assert_eq(lml_frame_num_rows(got), lml_frame_num_rows(want), "%s: rows", what);
    for (size_t c = 0; c < lml_frame_num_cols(want); c++) {
        const char *name = lml_frame_column_name(want, c);
        cr_assert_str_eq(lml_frame_column_name(got, c), name, "%s: column %zu", what, c);
        const lml_column *g = lml_frame_column(got, c), *w = lml_frame_column(want, c);
        lml_type wt = lml_column_type(w);
        for (size_t i = 0; i < lml_frame_num_rows(want); i++) {
            cr_assert_eq(lml_column_is_null(g, i), lml_column_is_null(w, i), "%s: %s row %zu null", what, name, i);
            if (lml_column_is_null(w, i))
                continue;
            if (wt == LML_DOUBLE || wt == LML_VECTOR) {
                double a[1024], b[1024];
                size_t na = cell_doubles(g, i, a, 1024), nb = cell_doubles(w, i, b, 1024);
                cr_assert_eq(na, nb, "%s: %s row %zu size", what, name, i);
                cr_assert(memcmp(a, b, na * sizeof *a) == 0, "%s: %s row %zu: %.17g vs %.17g", what, name, i, a[0],
                          b[0]);
            } else {
                char a[256], b[256];
                lml_format_value(g, i, a, sizeof a);
                lml_format_value(w, i, b, sizeof b);
                cr_assert_str_eq(a, b, "%s: %s row %zu", what, name, i);
            }
        }
    }
}

lml_frame *read_output(const char *path)
{
    lml_error err = {0};
    lml_frame *f;
    if (strstr(path, ".csv"))
        return read_csv(path);
    if (strstr(path, ".parquet"))
        f = lml_parquet_read(path, NULL, &err);
    else
        f = lml_delta_read(path, NULL, NULL, &err);
    cr_assert_not_null(f, "%s: %s", path, err.message);
    return f;
}

/* Runs score and returns its parsed one-line JSON summary (asserting success). */
cJSON *run_ok(const char *const *args)
{
    const char *a[24] = {0};
    size_t n = 0;
    while (args[n]) {
        a[n] = args[n];
        n++;
    }
    lml_test_result r = lml_test_run_in(NULL, "score", a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
                                        a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], NULL);
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    cr_assert_str_empty(r.err);
    cr_assert(strchr(r.out, '\n') == r.out + strlen(r.out) - 1, "one line of JSON: %s", r.out);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert_not_null(j, "not JSON: %s", r.out);
    lml_test_result_free(&r);
    return j;
}

double num(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    cr_assert(cJSON_IsNumber(v), "summary lacks %s", key);
    return v->valuedouble;
}

void expect_counts(const cJSON *j, double read, double written, double bad, double skipped, double batches)
{
    cr_expect_eq(num(j, "rows_read"), read);
    cr_expect_eq(num(j, "rows_written"), written);
    cr_expect_eq(num(j, "rows_bad"), bad);
    cr_expect_eq(num(j, "rows_skipped"), skipped);
    if (batches >= 0)
        cr_expect_eq(num(j, "batches"), batches);
}


/* The clean input as CSV, Parquet and a Delta table, and the LR pipeline fitted on it. */
fixture fixture_setup(void)
{
    fixture fx;
    char *text = make_csv(NROWS, 0, 0);
    fx.csv = strdup(write_text("in.csv", text));
    free(text);
    fx.in = read_csv(fx.csv);
    lml_error err = {0};
    fx.parquet = strdup(tmp_path("in.parquet"));
    /* small row groups, so a Parquet input streams in several pieces */
    cr_assert(lml_parquet_write(fx.in, fx.parquet, &(lml_parquet_write_options){.row_group_size = 2048}, &err), "%s",
              err.message);
    fx.delta = strdup(tmp_path("in_table"));
    cr_assert(lml_delta_write(fx.in, fx.delta, NULL, NULL, &err), "%s", err.message);
    fx.model = strdup(fit_and_save(lr_pipeline(NULL), fx.in));
    return fx;
}

void fixture_teardown(fixture *fx)
{
    lml_frame_free(fx->in);
    free((char *)fx->csv);
    free((char *)fx->parquet);
    free((char *)fx->delta);
    free((char *)fx->model);
}

/* The JSON lines of a bad-records file, parsed (NULL-terminated, malloc'd). */
cJSON **bad_lines(const char *path, size_t *n)
{
    char *text = lml_test_slurp(path);
    cr_assert_not_null(text, "no bad-records file %s", path);
    cJSON **v = calloc(NROWS + 1, sizeof *v);
    *n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        v[*n] = cJSON_Parse(line);
        cr_assert_not_null(v[*n], "not JSON: %s", line);
        (*n)++;
    }
    free(text);
    return v;
}

void free_lines(cJSON **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(v[i]);
    free(v);
}

/* in without its rows `skip` (1-based, ascending, 0-terminated). */
lml_frame *without_rows(const lml_frame *in, const size_t *skip)
{
    size_t n = lml_frame_num_rows(in);
    lml_column_builder *b = lml_column_builder_new(LML_BOOL, n, NULL);
    for (size_t i = 1, k = 0; i <= n; i++) {
        bool drop = skip[k] == i;
        k += drop;
        lml_column_builder_append_bool(b, !drop, NULL);
    }
    lml_column *mask = lml_column_builder_finish(b, NULL);
    lml_frame *f = lml_frame_filter(in, mask, NULL);
    lml_column_free(mask);
    cr_assert_not_null(f);
    return f;
}

