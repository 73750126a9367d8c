/* Spark's describe(): count, mean, stddev, min and max of every numeric and string column, as
 * a frame of strings. The arithmetic follows Spark's aggregates on a single partition step by
 * step, so the printed digits agree: Average adds each value (0.0 for a null) to a double sum
 * and divides by the count; StddevSamp runs CentralMomentAgg's update (n, avg, m2) and returns
 * sqrt(m2 / (n − 1)), null for n ≤ 1; string columns are averaged through TRY_CAST to double;
 * min and max use Spark's ordering and print the column's own value cast to string. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "frame/sort.h"

#define NSTATS 5

static bool describable(lml_type t) { return t == LML_INT32 || t == LML_INT64 || t == LML_DOUBLE || t == LML_STRING; }

/* Row i as the double Spark's aggregates see (the column cast to double), or false for null. */
static bool as_double(const lml_column *c, size_t i, double *x)
{
    if (c->validity && !lml_bit_get(c->validity, i))
        return false;
    switch (c->type) {
    case LML_INT32: *x = ((const int32_t *)c->values)[i]; return true;
    case LML_INT64: *x = (double)((const int64_t *)c->values)[i]; return true;
    case LML_DOUBLE: *x = ((const double *)c->values)[i]; return true;
    case LML_STRING: {
        lml_value in = {.type = LML_STRING}, out;
        in.v.str.ptr = lml_column_string_at(c, i, &in.v.str.len);
        if (!lml_value_cast(&in, LML_DOUBLE, &out, NULL) || out.is_null)
            return false;
        *x = out.v.f64;
        return true;
    }
    default: return false;
    }
}

/* The five statistics of one column as malloc'd strings (NULL for a null statistic). */
static bool describe_column(const lml_column *c, char *stats[NSTATS], lml_error *err)
{
    size_t count = 0, cnt = 0;
    double sum = 0.0, n = 0.0, avg = 0.0, m2 = 0.0;
    long min_row = -1, max_row = -1;
    for (size_t i = 0; i < c->length; i++) {
        if (c->validity && !lml_bit_get(c->validity, i))
            continue;
        count++;
        if (min_row < 0 || lml_column_compare(c, i, (size_t)min_row) < 0)
            min_row = (long)i;
        if (max_row < 0 || lml_column_compare(c, i, (size_t)max_row) > 0)
            max_row = (long)i;
    }
    for (size_t i = 0; i < c->length; i++) {
        double x;
        if (!as_double(c, i, &x)) {
            sum += 0.0; /* Average adds coalesce(x, 0.0) */
            continue;
        }
        sum += x;
        cnt++;
        double new_n = n + 1.0, delta = x - avg, delta_n = delta / new_n;
        avg += delta_n;
        m2 += delta * (delta - delta_n);
        n = new_n;
    }
    char buf[LML_DOUBLE_BUF + 8];
    snprintf(buf, sizeof buf, "%zu", count);
    stats[0] = strdup(buf);
    if (cnt > 0) {
        lml_format_double_java(sum / (double)cnt, buf);
        stats[1] = strdup(buf);
    }
    if (n > 1.0) {
        lml_format_double_java(sqrt(m2 / (n - 1.0)), buf);
        stats[2] = strdup(buf);
    }
    for (int k = 0; k < 2; k++) {
        long row = k ? max_row : min_row;
        if (row < 0)
            continue;
        size_t len = lml_format_value(c, (size_t)row, NULL, 0);
        char *s = malloc(len + 1);
        if (s)
            lml_format_value(c, (size_t)row, s, len + 1);
        stats[3 + k] = s;
        if (!s)
            return lml_error_set(err, LML_ENOMEM, "out of memory in describe");
    }
    if (!stats[0] || (cnt > 0 && !stats[1]) || (n > 1.0 && !stats[2]))
        return lml_error_set(err, LML_ENOMEM, "out of memory in describe");
    return true;
}

lml_frame *lml_frame_describe(const lml_frame *f, const char *const *cols, lml_error *err)
{
    if (!f) {
        lml_error_set(err, LML_EINVAL, "describe needs a frame");
        return NULL;
    }
    lml_frame *sel = cols && cols[0] ? lml_frame_select(f, cols, err) : lml_frame_retain(f);
    if (!sel)
        return NULL;
    lml_field *fields = calloc(sel->ncols + 2, sizeof *fields);
    size_t nf = 0;
    lml_frame *out = NULL;
    if (!fields) {
        lml_error_set(err, LML_ENOMEM, "out of memory in describe");
        goto done;
    }
    static const char *const names[NSTATS] = {"count", "mean", "stddev", "min", "max"};
    fields[0].name = strdup("summary");
    fields[0].col = lml_column_from_strings(names, NSTATS, err);
    nf = 1;
    if (!fields[0].name || !fields[0].col) {
        if (!fields[0].name)
            lml_error_set(err, LML_ENOMEM, "out of memory in describe");
        goto done;
    }
    for (size_t i = 0; i < sel->ncols; i++) {
        const lml_column *c = sel->fields[i].col;
        if (!describable(c->type))
            continue;
        char *stats[NSTATS] = {0};
        bool ok = describe_column(c, stats, err);
        if (ok) {
            fields[nf].name = strdup(sel->fields[i].name);
            fields[nf].col = lml_column_from_strings((const char *const *)stats, NSTATS, err);
            nf++;
            if (!fields[nf - 1].name && fields[nf - 1].col)
                lml_error_set(err, LML_ENOMEM, "out of memory in describe");
            ok = fields[nf - 1].name && fields[nf - 1].col;
        }
        for (int k = 0; k < NSTATS; k++)
            free(stats[k]);
        if (!ok)
            goto done;
    }
    out = lml_frame_adopt(fields, nf, err);
    fields = NULL;
done:
    if (fields)
        lml_fields_free(fields, nf);
    lml_frame_free(sel);
    return out;
}
