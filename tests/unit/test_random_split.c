#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "frame/sort.h"
#include "frame/xorshift.h"
#include "lakeml/threads.h"
#include "support.h"

static lml_frame *one_int_column(const int32_t *v, size_t n)
{
    lml_column *c = lml_column_from_int32s(v, NULL, n, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"x"}, &c, NULL);
    lml_column_free(c);
    return f;
}

Test(random_split, three_rows_follow_the_spec_draws_for_seed_42)
{
    /* Sorted: 10, 20, 30. XORShiftRandom(42) draws 0.6192, 0.5096, 0.8325 (spec §13.1), so with
     * bounds [0, 0.7) and [0.7, 1.0) the first two sorted rows go left, the third right. */
    lml_frame *f = one_int_column((int32_t[]){30, 10, 20}, 3);
    lml_frame *out[2];
    lml_error err = {0};
    cr_assert(lml_frame_random_split(f, (double[]){0.7, 0.3}, 2, 42, out, &err), "%s", err.message);
    cr_assert_eq(lml_frame_count(out[0]), 2);
    cr_assert_eq(lml_frame_count(out[1]), 1);
    const int32_t *a = lml_column_int32s(lml_frame_column(out[0], 0));
    cr_assert(a[0] == 10 && a[1] == 20, "splits keep the sorted order");
    cr_assert_eq(lml_column_int32s(lml_frame_column(out[1], 0))[0], 30);
    /* weights are normalised: 7 and 3 give the same split */
    lml_frame *again[2];
    cr_assert(lml_frame_random_split(f, (double[]){7, 3}, 2, 42, again, &err));
    cr_assert_eq(lml_frame_count(again[0]), 2);
    for (int i = 0; i < 2; i++) {
        lml_frame_free(out[i]);
        lml_frame_free(again[i]);
    }
    lml_frame_free(f);
}

/* Ten rows over five types whose ascending order (nulls first, -0.0 == 0.0, NaN last, strings
 * by unsigned bytes, false < true) is known by construction: sorted position → input row. */
static lml_frame *mixed(void)
{
    /*             row:  0     1     2      3      4     5    6     7    8      9 */
    double d[10] = {NAN, 1.0, -0.0, 0.0, 0, -5.0, 1.0, 0.0, 1.0, 2.5};
    uint8_t dvalid[2] = {0xEF, 0x03}; /* row 4 null */
    const char *s[10] = {"a", "\xc3\xa9", "b", "a", "q", "q", "Z", "a", NULL, "q"};
    lml_column *b = lml_column_alloc(LML_BOOL, 10, 0, false, NULL);
    lml_bit_set(b->values, 3); /* rows 2 and 3 tie on d and s would tie: bool decides 2 < 3 */
    lml_column *cols[3] = {lml_column_from_doubles(d, dvalid, 10, NULL), lml_column_from_strings(s, 10, NULL), b};
    lml_frame *f = lml_frame_new(3, (const char *[]){"d", "s", "flag"}, cols, NULL);
    for (int i = 0; i < 3; i++)
        lml_column_free(cols[i]);
    return f;
}

/* d: null(4) < -5(5) < {-0.0(2) "b", 0.0(3) "a", 0.0(7) "a"} < {1.0: 8 null-s, 6 "Z", 1 "é"}
 * < 2.5(9) < NaN(0). Among the zeros: "a" < "b", rows 3 and 7 tie on d and s; flag 3=true,
 * 7=false → 7 before 3. */
static const size_t mixed_order[10] = {4, 5, 7, 3, 2, 8, 6, 1, 9, 0};

Test(random_split, sort_order_follows_spark_sql_ordering)
{
    lml_frame *f = mixed();
    size_t perm[10];
    cr_assert(lml_frame_sort_order(f, perm, NULL));
    for (int i = 0; i < 10; i++)
        cr_expect_eq(perm[i], mixed_order[i], "position %d: row %zu, want %zu", i, perm[i], mixed_order[i]);
    lml_frame_free(f);
}

Test(random_split, sort_is_stable_for_equal_rows)
{
    /* -0.0 and 0.0 compare equal: input order is kept */
    double d[4] = {0.0, -0.0, 0.0, -0.0};
    lml_column *c = lml_column_from_doubles(d, NULL, 4, NULL);
    lml_frame *f = lml_frame_new(1, (const char *[]){"d"}, &c, NULL);
    lml_column_free(c);
    size_t perm[4];
    cr_assert(lml_frame_sort_order(f, perm, NULL));
    cr_assert(perm[0] == 0 && perm[1] == 1 && perm[2] == 2 && perm[3] == 3);
    lml_frame_free(f);
}

Test(random_split, assignment_replays_xorshift_draws_on_sorted_rows)
{
    lml_frame *f = mixed();
    double w[3] = {1, 2, 1}; /* bounds 0, 0.25, 0.75, 1.0 */
    lml_frame *out[3];
    lml_error err = {0};
    cr_assert(lml_frame_random_split(f, w, 3, 7, out, &err), "%s", err.message);
    lml_xorshift r;
    lml_xorshift_init(&r, 7);
    size_t want[3][10], nwant[3] = {0, 0, 0};
    for (int i = 0; i < 10; i++) {
        double x = lml_xorshift_next_double(&r);
        int k = x < 0.25 ? 0 : x < 0.75 ? 1 : 2;
        want[k][nwant[k]++] = mixed_order[i];
    }
    const lml_column *src = lml_frame_column(f, 1);
    for (int k = 0; k < 3; k++) {
        cr_assert_eq(lml_frame_count(out[k]), nwant[k], "split %d", k);
        const lml_column *got = lml_frame_column(out[k], 1);
        for (size_t i = 0; i < nwant[k]; i++) {
            /* compare the string cell (null or bytes) and the double bits of the source row */
            cr_assert_eq(lml_column_is_null(got, i), lml_column_is_null(src, want[k][i]));
            double a = lml_column_doubles(lml_frame_column(out[k], 0))[i];
            double b = lml_column_doubles(lml_frame_column(f, 0))[want[k][i]];
            cr_assert(memcmp(&a, &b, sizeof a) == 0, "split %d row %zu", k, i);
            cr_assert_eq(lml_column_bool_at(lml_frame_column(out[k], 2), i),
                         lml_column_bool_at(lml_frame_column(f, 2), want[k][i]));
        }
        lml_frame_free(out[k]);
    }
    lml_frame_free(f);
}

Test(random_split, zero_weight_split_is_empty_and_bad_weights_fail)
{
    lml_frame *f = one_int_column((int32_t[]){1, 2, 3, 4, 5}, 5);
    lml_frame *out[2];
    lml_error err = {0};
    cr_assert(lml_frame_random_split(f, (double[]){0, 1}, 2, 1, out, &err));
    cr_assert_eq(lml_frame_count(out[0]), 0);
    cr_assert_eq(lml_frame_count(out[1]), 5);
    lml_frame_free(out[0]);
    lml_frame_free(out[1]);
    cr_assert_not(lml_frame_random_split(f, (double[]){-1, 2}, 2, 1, out, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_not(lml_frame_random_split(f, (double[]){0, 0}, 2, 1, out, &err));
    cr_assert_not(lml_frame_random_split(f, (double[]){NAN, 1}, 2, 1, out, &err));
    lml_frame_free(f);
}

Test(random_split, vectors_order_as_spark_structs)
{
    /* dense rows compare element by element */
    double dv[6] = {1, 5, 1, 2, 0, 9};
    lml_column *d = lml_column_vector_from_dense(dv, 3, 2, NULL);
    cr_assert(lml_column_compare(d, 0, 1) > 0 && lml_column_compare(d, 2, 1) < 0);
    /* sparse rows: indices first ([0] < [0,2] < [1]), then values */
    int64_t ip[5] = {0, 1, 3, 4, 5};
    int32_t ix[5] = {0, 0, 2, 1, 0};
    double vv[5] = {9, 1, 1, 1, 3};
    lml_column *s = lml_column_vector_from_csr(ip, ix, vv, 4, 3, NULL);
    cr_assert(lml_column_compare(s, 0, 1) < 0, "shorter prefix first");
    cr_assert(lml_column_compare(s, 1, 2) < 0, "index 0 < index 1");
    cr_assert(lml_column_compare(s, 3, 0) < 0, "same indices: values decide");
    lml_column_free(d);
    lml_column_free(s);
}

/* ---- titanic.csv: select Survived, Pclass, Sex, Age, Fare; na.drop; randomSplit([0.7, 0.3], 42)
 * (the frame is built by a small RFC 4180 reader here so the test stands alone). */

static char *next_field(char **p, size_t *len)
{
    char *s = *p, *o = s, *start = s;
    if (*s == '"') {
        s++;
        for (;;) {
            if (*s == '"' && s[1] == '"') {
                *o++ = '"';
                s += 2;
            } else if (*s == '"') {
                s++;
                break;
            } else {
                *o++ = *s++;
            }
        }
    } else {
        while (*s && *s != ',' && *s != '\n')
            *o++ = *s++;
    }
    *len = (size_t)(o - start);
    if (*s == ',')
        s++;
    *p = s;
    return start;
}

static lml_frame *titanic_selected(const char *path)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp);
    static char buf[1 << 17];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = 0;
    char *p = strchr(buf, '\n') + 1;
    enum { N = 891 };
    static int32_t surv[N], pcl[N];
    static double age[N], fare[N];
    static const char *sex[N];
    static char sexbuf[N][8];
    uint8_t agevalid[(N + 7) / 8] = {0};
    size_t r = 0;
    while (*p && r < N) {
        for (int col = 0; col < 12; col++) {
            size_t len;
            char *s = next_field(&p, &len);
            char tmp[64] = {0};
            memcpy(tmp, s, len < 63 ? len : 63);
            if (col == 1)
                surv[r] = atoi(tmp);
            else if (col == 2)
                pcl[r] = atoi(tmp);
            else if (col == 4) {
                memcpy(sexbuf[r], tmp, 7);
                sex[r] = sexbuf[r];
            } else if (col == 5 && len) {
                age[r] = strtod(tmp, NULL);
                agevalid[r / 8] |= (uint8_t)(1u << (r % 8));
            } else if (col == 9)
                fare[r] = strtod(tmp, NULL);
        }
        if (*p == '\n')
            p++;
        r++;
    }
    cr_assert_eq(r, N);
    lml_column *cols[5] = {lml_column_from_int32s(surv, NULL, N, NULL), lml_column_from_int32s(pcl, NULL, N, NULL),
                           lml_column_from_strings(sex, N, NULL), lml_column_from_doubles(age, agevalid, N, NULL),
                           lml_column_from_doubles(fare, NULL, N, NULL)};
    lml_frame *f = lml_frame_new(5, (const char *[]){"Survived", "Pclass", "Sex", "Age", "Fare"}, cols, NULL);
    for (int i = 0; i < 5; i++)
        lml_column_free(cols[i]);
    return f;
}

static void split_sizes(const lml_frame *data, size_t sizes[2], lml_frame *out[2])
{
    lml_error err = {0};
    cr_assert(lml_frame_random_split(data, (double[]){0.7, 0.3}, 2, 42, out, &err), "%s", err.message);
    sizes[0] = lml_frame_count(out[0]);
    sizes[1] = lml_frame_count(out[1]);
}

Test(random_split, titanic_split_is_disjoint_exhaustive_and_thread_independent)
{
    LML_REQUIRE_SHARED(path, "datasets/titanic.csv");
    lml_frame *f = titanic_selected(path);
    cr_assert_eq(lml_column_null_count(lml_frame_column(f, 3)), 177);
    lml_error err = {0};
    lml_frame *data = lml_frame_drop_nulls(f, NULL, &err);
    cr_assert_not_null(data, "%s", err.message);
    cr_assert_eq(lml_frame_count(data), 714, "spec §1.8: na.drop keeps 714 rows");
    int saved = lml_get_num_threads();
    size_t s1[2], s4[2];
    lml_frame *o1[2], *o4[2];
    lml_set_num_threads(1);
    split_sizes(data, s1, o1);
    lml_set_num_threads(4);
    split_sizes(data, s4, o4);
    lml_set_num_threads(saved);
    cr_assert_eq(s1[0] + s1[1], 714, "exhaustive: %zu + %zu", s1[0], s1[1]);
    cr_assert(s1[0] == s4[0] && s1[1] == s4[1]);
    cr_log_info("titanic randomSplit([0.7, 0.3], 42): %zu / %zu rows", s1[0], s1[1]);
    /* Every sorted row lands in exactly one split, the one its draw picks, in sorted order; and
     * the 4-thread run holds the same cells. */
    size_t perm[714], at[2] = {0, 0};
    cr_assert(lml_frame_sort_order(data, perm, NULL));
    lml_xorshift r;
    lml_xorshift_init(&r, 42);
    char a[64], b[64];
    for (int i = 0; i < 714; i++) {
        int k = lml_xorshift_next_double(&r) < 0.7 ? 0 : 1;
        size_t j = at[k]++;
        cr_assert(j < s1[k]);
        for (size_t c = 0; c < 5; c++) {
            lml_format_value(lml_frame_column(data, c), perm[i], a, sizeof a);
            lml_format_value(lml_frame_column(o1[k], c), j, b, sizeof b);
            cr_assert_str_eq(a, b, "sorted row %d column %zu", i, c);
            lml_format_value(lml_frame_column(o4[k], c), j, b, sizeof b);
            cr_assert_str_eq(a, b, "4 threads: sorted row %d column %zu", i, c);
        }
    }
    cr_assert(at[0] == s1[0] && at[1] == s1[1], "disjoint and exhaustive");
    for (int k = 0; k < 2; k++) {
        lml_frame_free(o1[k]);
        lml_frame_free(o4[k]);
    }
    lml_frame_free(data);
    lml_frame_free(f);
}
