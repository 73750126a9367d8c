/* See scorer_support.h. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scorer_support.h"

#define N 1200

static uint64_t rng_state;
static double unif(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* cat: 5 labels + nulls; cls: 3 labels; x1: double with nulls and NaN; x2: int32; labels y
 * (binary), y3 (3 classes), yr (regression), all depending on the inputs. */
lml_frame *sc_make_frame(uint64_t seed)
{
    static const char *cats[] = {"a", "b", "c", "d", "e"}, *clss[] = {"red", "green", "blue"};
    const char *cat[N], *cls[N];
    double x1[N], y[N], y3[N], yr[N];
    int32_t x2[N];
    uint8_t valid[(N + 7) / 8];
    memset(valid, 0xff, sizeof valid);
    rng_state = seed;
    for (size_t i = 0; i < N; i++) {
        int c = (int)(unif() * 5), k = (int)(unif() * 3);
        cat[i] = unif() < 0.05 ? NULL : cats[c];
        cls[i] = clss[k];
        x1[i] = unif() * 10 - 3;
        if (unif() < 0.04)
            x1[i] = NAN;
        if (unif() < 0.04)
            valid[i / 8] &= (uint8_t)~(1u << (i % 8));
        x2[i] = (int32_t)(unif() * 50) - 10;
        double xv = isnan(x1[i]) ? 0 : x1[i];
        double s = 0.8 * c - 1.1 * k + 0.3 * xv + 0.02 * x2[i] + (unif() - 0.5) * 3;
        y[i] = s > 0.5 ? 1.0 : 0.0;
        y3[i] = s < -0.5 ? 0.0 : s < 1.5 ? 1.0 : 2.0;
        yr[i] = s * 2.5 + 1.0;
    }
    lml_error err = {0};
    const char *names[] = {"cat", "cls", "x1", "x2", "y", "y3", "yr"};
    lml_column *cols[7] = {lml_column_from_strings(cat, N, &err), lml_column_from_strings(cls, N, &err),
                           lml_column_from_doubles(x1, valid, N, &err), lml_column_from_int32s(x2, NULL, N, &err),
                           lml_column_from_doubles(y, NULL, N, &err), lml_column_from_doubles(y3, NULL, N, &err),
                           lml_column_from_doubles(yr, NULL, N, &err)};
    lml_frame *f = lml_frame_new(7, names, cols, &err);
    cr_assert_not_null(f, "%s", err.message);
    for (int i = 0; i < 7; i++)
        lml_column_free(cols[i]);
    return f;
}

/* The feature stages: indexers (cat keep), imputer, then one-hot + assembler, or the indices
 * straight into the assembler (categorical features for trees). Returns the count. */
size_t sc_feature_stages(lml_stage **st, bool onehot)
{
    lml_error err = {0};
    st[0] = lml_string_indexer_new("cat", "catIdx");
    cr_assert(lml_set_string(st[0], "handleInvalid", "keep", &err), "%s", err.message);
    st[1] = lml_string_indexer_new("cls", "clsIdx");
    st[2] = lml_imputer_new("x1", "x1i");
    if (!onehot) {
        st[3] = lml_vector_assembler_new((const char *[]){"catIdx", "clsIdx", "x1i", "x2", NULL}, "features");
        return 4;
    }
    st[3] = lml_one_hot_encoder_new2((const char *[]){"catIdx", "clsIdx", NULL}, (const char *[]){"catVec", "clsVec", NULL});
    st[4] = lml_vector_assembler_new((const char *[]){"catVec", "clsVec", "x1i", "x2", NULL}, "features");
    return 5;
}

lml_stage *sc_fit(lml_stage **st, size_t n, lml_stage *est, const lml_frame *df)
{
    lml_error err = {0};
    st[n] = est;
    st[n + 1] = NULL;
    lml_stage *p = lml_pipeline_new(st, &err);
    cr_assert_not_null(p, "%s", err.message);
    lml_stage *m = lml_fit(p, df, &err);
    cr_assert_not_null(m, "%s", err.message);
    lml_stage_free(p);
    return m;
}

/* Row i of df as the scorer's input values ("features[j]" reads slot j of a vector column). */
void sc_row(const lml_scorer *s, const lml_frame *df, size_t i, lml_value *row)
{
    lml_error err = {0};
    for (size_t k = 0; k < lml_scorer_num_inputs(s); k++) {
        const char *name = lml_scorer_input_name(s, k), *br = strchr(name, '[');
        if (br) {
            char base[256];
            snprintf(base, sizeof base, "%.*s", (int)(br - name), name);
            const lml_column *c = lml_frame_column_by_name(df, base, &err);
            cr_assert_not_null(c, "%s", err.message);
            size_t j = strtoul(br + 1, NULL, 10);
            row[k] = (lml_value){.type = LML_DOUBLE, .v.f64 = sc_vec_at(c, i, j)};
            continue;
        }
        const lml_column *c = lml_frame_column_by_name(df, name, &err);
        cr_assert_not_null(c, "input %s: %s", name, err.message);
        row[k] = lml_column_get(c, i);
    }
}

double sc_vec_at(const lml_column *c, size_t i, size_t j)
{
    if (!lml_column_vector_is_sparse(c))
        return lml_column_vector_dense(c)[i * lml_column_vector_size(c) + j];
    const int64_t *ip = lml_column_vector_indptr(c);
    const int32_t *ix = lml_column_vector_indices(c);
    for (int64_t z = ip[i]; z < ip[i + 1]; z++)
        if ((size_t)ix[z] == j)
            return lml_column_vector_values(c)[z];
    return 0.0;
}

/* The transform's outputs of row i in the scorer's layout. */
void sc_expected(const lml_frame *out, size_t i, size_t K, double *want)
{
    lml_error err = {0};
    const lml_column *p = lml_frame_column_by_name(out, "prediction", &err);
    cr_assert_not_null(p, "%s", err.message);
    want[0] = lml_column_doubles(p)[i];
    if (!K)
        return;
    const lml_column *pr = lml_frame_column_by_name(out, "probability", &err), *raw =
                                                                                lml_frame_column_by_name(out, "rawPrediction", &err);
    cr_assert(pr && raw, "%s", err.message);
    for (size_t k = 0; k < K; k++) {
        want[1 + k] = sc_vec_at(pr, i, k);
        want[1 + K + k] = sc_vec_at(raw, i, k);
    }
}

/* Scores every row of df and compares each output with lml_transform's bit for bit. */
void sc_check_all(const lml_stage *model, const lml_frame *df, size_t want_outputs)
{
    lml_error err = {0};
    lml_scorer *s = lml_scorer_new(model, &err);
    cr_assert_not_null(s, "%s", err.message);
    size_t no = lml_scorer_num_outputs(s), K = lml_scorer_num_classes(s), n = lml_frame_num_rows(df);
    cr_assert_eq(no, want_outputs);
    lml_frame *out = lml_transform(model, df, &err);
    cr_assert_not_null(out, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(out), n);
    void *ws = malloc(lml_scorer_workspace_size(s));
    lml_value *row = calloc(lml_scorer_num_inputs(s) + 1, sizeof *row);
    double got[64], want[64];
    for (size_t i = 0; i < n; i++) {
        sc_row(s, df, i, row);
        int rc = lml_scorer_predict(s, row, got, ws);
        cr_assert_eq(rc, LML_OK, "row %zu: code %d", i, rc);
        sc_expected(out, i, K, want);
        for (size_t k = 0; k < no; k++)
            cr_assert(memcmp(&got[k], &want[k], sizeof(double)) == 0, "row %zu output %s: scorer %a, transform %a", i,
                      lml_scorer_output_name(s, k), got[k], want[k]);
    }
    free(ws);
    free(row);
    lml_frame_free(out);
    lml_scorer_free(s);
}

