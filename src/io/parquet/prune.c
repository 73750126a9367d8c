/* Row-group pruning on footer statistics (spec §7): a row group is skipped only when its
 * min/max/null_count prove that no row can satisfy the predicate. */
#include <stdio.h>
#include <string.h>
#include "column.h"
#include "lakeml/parquet.h"

/* parquet-mr before 1.8.0 wrote wrong byte-array statistics (PARQUET-251). */
static bool old_parquet_mr(const char *created_by) {
    int major, minor;
    if (!created_by || sscanf(created_by, "parquet-mr version %d.%d", &major, &minor) != 2) return false;
    return major < 1 || (major == 1 && minor < 8);
}

static int64_t rd_i64(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    if (n == 4) return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

static bool small_int(lml_type t) { return t == LML_INT32 || t == LML_DATE || t == LML_INT8 || t == LML_INT16; }

/* Compares a stored bound with the predicate value: <0, 0, >0; *ok false when undecidable. */
static int cmp_bound(const lml_pq_rleaf *lf, const lml_pq_bytes *b, const lml_value *v, bool *ok) {
    *ok = false;
    if (!b->data) return 0;
    switch (lf->conv) {
    case LML_PQ_CONV_I32: case LML_PQ_CONV_I8: case LML_PQ_CONV_I16: case LML_PQ_CONV_I64: case LML_PQ_CONV_TS_MICROS:
    case LML_PQ_CONV_TS_MILLIS: {
        size_t w = lf->physical == LML_PQ_INT32 ? 4 : 8;
        if (b->len != w) return 0;
        int64_t x = rd_i64(b->data, w);
        if (lf->conv == LML_PQ_CONV_TS_MILLIS && __builtin_mul_overflow(x, 1000, &x)) return 0;
        *ok = true;
        if (v->type == LML_DOUBLE || v->type == LML_FLOAT) {
            *ok = v->v.f64 == v->v.f64;
            return (double)x < v->v.f64 ? -1 : (double)x > v->v.f64 ? 1 : 0;
        }
        int64_t y = small_int(v->type) ? v->v.i32 : v->v.i64;
        return x < y ? -1 : x > y;
    }
    case LML_PQ_CONV_FLOAT: case LML_PQ_CONV_DOUBLE: {
        double x;
        if (lf->conv == LML_PQ_CONV_FLOAT) {
            float fl;
            if (b->len != 4) return 0;
            memcpy(&fl, b->data, 4);
            x = fl;
        } else {
            if (b->len != 8) return 0;
            memcpy(&x, b->data, 8);
        }
        if (x != x) return 0; /* a NaN bound proves nothing */
        double y = v->type == LML_DOUBLE || v->type == LML_FLOAT ? v->v.f64
                 : small_int(v->type)                           ? v->v.i32
                                                                : (double)v->v.i64;
        *ok = y == y;
        return x < y ? -1 : x > y;
    }
    case LML_PQ_CONV_BYTES: {
        size_t n = b->len < v->v.str.len ? b->len : v->v.str.len;
        int c = n ? memcmp(b->data, v->v.str.ptr, n) : 0;
        *ok = true;
        return c ? c : (b->len > v->v.str.len) - (b->len < v->v.str.len);
    }
    default: return 0;
    }
}

bool lml_pq_value_fits(const lml_pq_rleaf *lf, const lml_value *v) {
    bool numeric = small_int(v->type) || v->type == LML_INT64 || v->type == LML_DOUBLE || v->type == LML_FLOAT ||
                   v->type == LML_TIMESTAMP || v->type == LML_TIMESTAMP_NTZ;
    if (lf->conv == LML_PQ_CONV_BYTES) return lf->type == LML_STRING && v->type == LML_STRING;
    return numeric;
}

bool lml_pq_rg_pruned(const lml_pq_file_meta *m, const lml_pq_rleaf *lf, size_t leaf, size_t rg,
                      const lml_parquet_predicate *p) {
    const lml_pq_column_chunk *cc = &m->row_groups[rg].columns[leaf];
    if (!cc->has_meta_data || !cc->meta.statistics.present) return false;
    const lml_pq_statistics *st = &cc->meta.statistics;
    int64_t nv = cc->meta.num_values;
    if (p->op == LML_PQ_OP_IS_NULL) return st->has_null_count && st->null_count == 0;
    if (p->op == LML_PQ_OP_IS_NOT_NULL) return st->has_null_count && st->null_count == nv;
    if (p->value.is_null) return false;
    if (st->has_null_count && st->null_count == nv && nv > 0) return true; /* all null: no comparison holds */
    const lml_pq_bytes *mn = &st->min_value, *mx = &st->max_value;
    bool bytes = lf->conv == LML_PQ_CONV_BYTES;
    if (bytes && old_parquet_mr(m->created_by)) return false;
    if (!mn->data || !mx->data) {
        /* Deprecated min/max were compared signed, which is wrong for strings unless min == max. */
        mn = &st->min;
        mx = &st->max;
        if (bytes && (mn->len != mx->len || !mn->data || memcmp(mn->data, mx->data, mn->len) != 0)) return false;
    }
    bool ok1, ok2;
    int cmin = cmp_bound(lf, mn, &p->value, &ok1), cmax = cmp_bound(lf, mx, &p->value, &ok2);
    switch (p->op) {
    case LML_PQ_OP_EQ: return (ok1 && cmin > 0) || (ok2 && cmax < 0);
    case LML_PQ_OP_LT: return ok1 && cmin >= 0;
    case LML_PQ_OP_LE: return ok1 && cmin > 0;
    case LML_PQ_OP_GT: return ok2 && cmax <= 0;
    case LML_PQ_OP_GE: return ok2 && cmax < 0;
    default: return false;
    }
}
