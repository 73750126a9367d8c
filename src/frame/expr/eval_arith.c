/* + - * / % and unary minus over int, bigint and double columns, and date ± days. Integer
 * arithmetic wraps (two's complement, as the JVM does in Spark's default non-ANSI mode); `/`
 * works on doubles; a zero divisor makes the row NULL (x / 0, x % 0), as Spark does. */
#include <math.h>
#include <string.h>
#include "frame/expr/ast.h"

#define BIN_LOOP(T, EXPR)                                                               \
    do {                                                                                \
        const T *x = (const T *)a->c->values, *y = (const T *)b->c->values;             \
        T *r = (T *)o->values;                                                          \
        for (size_t i = 0; i < len; i++) {                                              \
            T p = x[i * sx], q = y[i * sy];                                             \
            r[i] = (EXPR);                                                              \
        }                                                                               \
    } while (0)

/* Wrapping integer operations through the unsigned type. */
#define WRAP(T, U, OP) ((T)(U)((U)p OP (U)q))

static bool null_where_zero(lml_column *o, const vec *b, size_t len, size_t sy)
{
    bool any = false;
    for (size_t i = 0; i < len && !any; i++) {
        double q = b->c->type == LML_DOUBLE ? ((const double *)b->c->values)[i * sy]
                 : b->c->type == LML_INT64 ? (double)((const int64_t *)b->c->values)[i * sy]
                                            : ((const int32_t *)b->c->values)[i * sy];
        any = q == 0;
    }
    if (!any)
        return true;
    if (!o->validity) {
        o->validity = lml_aligned_malloc(lml_bitmap_bytes(len));
        if (!o->validity)
            return false;
        memset(o->validity, 0xFF, lml_bitmap_bytes(len));
    }
    for (size_t i = 0; i < len; i++) {
        double q = b->c->type == LML_DOUBLE ? ((const double *)b->c->values)[i * sy]
                 : b->c->type == LML_INT64 ? (double)((const int64_t *)b->c->values)[i * sy]
                                            : ((const int32_t *)b->c->values)[i * sy];
        if (q == 0)
            lml_bit_clear(o->validity, i);
    }
    return true;
}

static int32_t mod32(int32_t p, int32_t q) { return q == 0 || q == -1 ? 0 : p % q; }
static int64_t mod64(int64_t p, int64_t q) { return q == 0 || q == -1 ? 0 : p % q; }

bool eval_arith(eval_ctx *cx, const bnode *bn, const vec *a, const vec *b, vec *out)
{
    size_t len = vlen(cx, a, b), sx = a->scalar ? 0 : 1, sy = b->scalar ? 0 : 1;
    lml_type t = bn->type;
    lml_column *o = vec_alloc(cx, t, len, 0, a, b);
    if (!o)
        return false;
    int op = bn->op;
    if (t == LML_DATE) { /* date ± days */
        if (op == OP_ADD)
            BIN_LOOP(int32_t, WRAP(int32_t, uint32_t, +));
        else
            BIN_LOOP(int32_t, WRAP(int32_t, uint32_t, -));
    } else if (t == LML_INT32) {
        switch (op) {
        case OP_ADD: BIN_LOOP(int32_t, WRAP(int32_t, uint32_t, +)); break;
        case OP_SUB: BIN_LOOP(int32_t, WRAP(int32_t, uint32_t, -)); break;
        case OP_MUL: BIN_LOOP(int32_t, WRAP(int32_t, uint32_t, *)); break;
        default: BIN_LOOP(int32_t, mod32(p, q)); break;
        }
    } else if (t == LML_INT64) {
        switch (op) {
        case OP_ADD: BIN_LOOP(int64_t, WRAP(int64_t, uint64_t, +)); break;
        case OP_SUB: BIN_LOOP(int64_t, WRAP(int64_t, uint64_t, -)); break;
        case OP_MUL: BIN_LOOP(int64_t, WRAP(int64_t, uint64_t, *)); break;
        default: BIN_LOOP(int64_t, mod64(p, q)); break;
        }
    } else {
        switch (op) {
        case OP_ADD: BIN_LOOP(double, p + q); break;
        case OP_SUB: BIN_LOOP(double, p - q); break;
        case OP_MUL: BIN_LOOP(double, p * q); break;
        case OP_DIV: BIN_LOOP(double, q == 0 ? 0 : p / q); break;
        default: BIN_LOOP(double, q == 0 ? 0 : fmod(p, q)); break;
        }
    }
    if ((op == OP_DIV || op == OP_MOD) && !null_where_zero(o, b, len, sy)) {
        lml_column_free(o);
        return lml_error_set(cx->err, LML_ENOMEM, "out of memory dividing %zu rows", len);
    }
    out->c = vec_seal(o);
    out->scalar = len == 1 && a->scalar && b->scalar;
    return true;
}

bool eval_neg(eval_ctx *cx, const vec *a, vec *out)
{
    size_t len = a->scalar ? 1 : cx->n;
    lml_column *o = vec_alloc(cx, a->c->type, len, 0, a, NULL);
    if (!o)
        return false;
    for (size_t i = 0; i < len; i++) {
        switch (a->c->type) {
        case LML_INT32: ((int32_t *)o->values)[i] = (int32_t)(0u - (uint32_t)((const int32_t *)a->c->values)[i]); break;
        case LML_INT64: ((int64_t *)o->values)[i] = (int64_t)(0u - (uint64_t)((const int64_t *)a->c->values)[i]); break;
        default: ((double *)o->values)[i] = -((const double *)a->c->values)[i]; break;
        }
    }
    out->c = vec_seal(o);
    out->scalar = a->scalar;
    return true;
}
