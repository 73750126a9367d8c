/* File skipping (delta.md §8.6): a file is left unread only when its partition values or its
 * statistics prove that no row satisfies a filter. Anything missing, unparsable or not
 * comparable keeps the file. */
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include "pvalue.h"
#include "skip.h"

/* v compared with the filter value w (both in the field's type): <0, 0, >0; *ok false when the
 * two cannot be compared. */
static int cmp_values(const lml_value *v, const lml_value *w, bool *ok) {
    *ok = !v->is_null && !w->is_null;
    if (!*ok) return 0;
    switch (v->type) {
    case LML_STRING: case LML_BINARY: {
        if (w->type != LML_STRING && w->type != LML_BINARY) break;
        size_t n = v->v.str.len < w->v.str.len ? v->v.str.len : w->v.str.len;
        int c = n ? memcmp(v->v.str.ptr, w->v.str.ptr, n) : 0;
        return c ? c : (v->v.str.len > w->v.str.len) - (v->v.str.len < w->v.str.len);
    }
    case LML_BOOL: if (w->type == LML_BOOL) return (int)v->v.b - (int)w->v.b; break;
    default: break;
    }
    double a, b;
    switch (v->type) {
    case LML_INT8: case LML_INT16: case LML_INT32: case LML_DATE: a = v->v.i32; break;
    case LML_INT64: case LML_TIMESTAMP: case LML_TIMESTAMP_NTZ: a = (double)v->v.i64; break;
    case LML_FLOAT: case LML_DOUBLE: a = v->v.f64; break;
    default: *ok = false; return 0;
    }
    switch (w->type) {
    case LML_INT8: case LML_INT16: case LML_INT32: case LML_DATE: b = w->v.i32; break;
    case LML_INT64: case LML_TIMESTAMP: case LML_TIMESTAMP_NTZ: b = (double)w->v.i64; break;
    case LML_FLOAT: case LML_DOUBLE: b = w->v.f64; break;
    default: *ok = false; return 0;
    }
    if (isnan(a) || isnan(b)) {
        *ok = false;
        return 0;
    }
    return a < b ? -1 : a > b;
}

/* True when a row whose value is v can never satisfy the filter. */
static bool value_fails(const lml_value *v, const lml_parquet_predicate *p) {
    if (p->op == LML_PQ_OP_IS_NULL) return !v->is_null;
    if (p->op == LML_PQ_OP_IS_NOT_NULL) return v->is_null;
    if (v->is_null || p->value.is_null) return true; /* a comparison with null is never true */
    bool ok;
    int c = cmp_values(v, &p->value, &ok);
    if (!ok) return false;
    switch (p->op) {
    case LML_PQ_OP_EQ: return c != 0;
    case LML_PQ_OP_LT: return c >= 0;
    case LML_PQ_OP_LE: return c > 0;
    case LML_PQ_OP_GT: return c <= 0;
    case LML_PQ_OP_GE: return c < 0;
    default: return false;
    }
}

/* A stats bound (a JSON number or string) as a value of the field's type. */
static bool bound(const cJSON *j, const lml_delta_field *f, lml_value *out) {
    lml_error e = {0};
    if (cJSON_IsNumber(j)) {
        switch (f->type) {
        case LML_INT8: case LML_INT16: case LML_INT32: case LML_INT64: {
            int64_t v;
            if (!lml_delta_json_int(j, &v)) return false;
            if (f->type == LML_INT64) *out = (lml_value){.type = LML_INT64, .v.i64 = v};
            else if (v >= INT32_MIN && v <= INT32_MAX) *out = (lml_value){.type = f->type, .v.i32 = (int32_t)v};
            else return false;
            return true;
        }
        case LML_FLOAT: case LML_DOUBLE: *out = (lml_value){.type = f->type, .v.f64 = j->valuedouble}; return true;
        default: return false;
        }
    }
    if (!cJSON_IsString(j)) return false;
    switch (f->type) {
    case LML_STRING: *out = (lml_value){.type = LML_STRING, .v.str = {j->valuestring, strlen(j->valuestring)}}; return true;
    case LML_DATE: case LML_TIMESTAMP: case LML_TIMESTAMP_NTZ:
        return lml_delta_pvalue_parse(j->valuestring, f->type, 0, 0, out, &e) && !out->is_null;
    default: return false;
    }
}

/* Whether the file's statistics prove the filter false for every row. */
static bool stats_fail(const cJSON *stats, const char *key, const lml_delta_field *f, const lml_parquet_predicate *p) {
    const cJSON *nr = cJSON_GetObjectItemCaseSensitive(stats, "numRecords");
    const cJSON *nc = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stats, "nullCount"), key);
    bool tight = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(stats, "tightBounds"));
    if (p->op == LML_PQ_OP_IS_NULL) return tight && cJSON_IsNumber(nc) && nc->valuedouble == 0;
    if (p->op == LML_PQ_OP_IS_NOT_NULL)
        return cJSON_IsNumber(nc) && cJSON_IsNumber(nr) && nr->valuedouble > 0 && nc->valuedouble == nr->valuedouble;
    if (p->value.is_null) return true;
    if (cJSON_IsNumber(nc) && cJSON_IsNumber(nr) && nr->valuedouble > 0 && nc->valuedouble == nr->valuedouble)
        return true; /* every value null: no comparison holds */
    lml_value mn, mx;
    bool has_min = bound(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stats, "minValues"), key), f, &mn);
    bool has_max = bound(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stats, "maxValues"), key), f, &mx);
    /* Timestamp bounds are truncated to milliseconds: the true maximum may be up to 999 µs more.
     * A string maximum may be a truncated prefix: it bounds only what starts with it. */
    if (has_max && (f->type == LML_TIMESTAMP || f->type == LML_TIMESTAMP_NTZ)) mx.v.i64 += 999;
    if (f->type == LML_STRING && has_max && mx.v.str.len >= 32) has_max = false;
    bool ok;
    int cmin = has_min ? cmp_values(&mn, &p->value, &ok) : 0;
    bool okmin = has_min && ok;
    int cmax = has_max ? cmp_values(&mx, &p->value, &ok) : 0;
    bool okmax = has_max && ok;
    switch (p->op) {
    case LML_PQ_OP_EQ: return (okmin && cmin > 0) || (okmax && cmax < 0);
    case LML_PQ_OP_LT: return okmin && cmin >= 0;
    case LML_PQ_OP_LE: return okmin && cmin > 0;
    case LML_PQ_OP_GT: return okmax && cmax <= 0;
    case LML_PQ_OP_GE: return okmax && cmax < 0;
    default: return false;
    }
}

bool lml_delta_file_skipped(const lml_delta_file *file, const lml_delta_skip_filter *filters, size_t n) {
    cJSON *stats = NULL;
    bool parsed = false, skip = false;
    for (size_t i = 0; i < n && !skip; i++) {
        const lml_delta_skip_filter *sf = &filters[i];
        if (sf->partition) {
            lml_value v = {.type = sf->field->type, .is_null = true};
            lml_error e = {0};
            const char *text = lml_delta_map_get(&file->partition_values, sf->key, NULL);
            if (text && !lml_delta_pvalue_parse(text, sf->field->type, sf->field->precision, sf->field->scale, &v, &e))
                continue; /* an unreadable value proves nothing */
            skip = value_fails(&v, sf->pred);
            continue;
        }
        if (!parsed) {
            parsed = true;
            stats = file->stats ? cJSON_Parse(file->stats) : NULL;
        }
        if (stats) skip = stats_fail(stats, sf->key, sf->field, sf->pred);
    }
    cJSON_Delete(stats);
    return skip;
}
