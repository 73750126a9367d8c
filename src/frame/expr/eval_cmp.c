/* Comparisons, the hot path of every filter: typed loops over whole columns that pack eight
 * results into a byte at a time, with the column-vs-constant shapes specialised. Doubles order
 * as Spark orders them: NaN equals NaN and is greater than every other value. `<=>` is never
 * NULL: NULL <=> NULL is true, NULL <=> x false. */
#include <string.h>
#include "frame/expr/ast.h"

#define I_EQ(a, b) ((a) == (b))
#define I_LT(a, b) ((a) < (b))
#define I_LE(a, b) ((a) <= (b))
#define I_GT(a, b) ((a) > (b))
#define I_GE(a, b) ((a) >= (b))
#define D_EQ(a, b) ((a) == (b) || ((a) != (a) && (b) != (b)))
#define D_LT(a, b) ((a) < (b) || ((a) == (a) && (b) != (b)))
#define D_GT(a, b) ((a) > (b) || ((a) != (a) && (b) == (b)))
#define D_LE(a, b) (!D_GT(a, b))
#define D_GE(a, b) (!D_LT(a, b))

/* bits[0..len) = OP(x[i or 0], y[i or 0]). */
#define LOOP(T, OP, XI, YI)                                                              \
    for (size_t base = 0; base < len; base += 8) {                                       \
        size_t lim = len - base < 8 ? len - base : 8;                                    \
        uint8_t byte = 0;                                                                \
        for (size_t j = 0; j < lim; j++) {                                               \
            T u = x[XI], w = y[YI];                                                      \
            byte |= (uint8_t)((OP(u, w) ? 1u : 0u) << j);                                \
        }                                                                                \
        bits[base >> 3] = byte;                                                          \
    }

#define SHAPES(T, OP)                                                                    \
    do {                                                                                 \
        if (!xs && !ys) {                                                                \
            LOOP(T, OP, base + j, base + j)                                              \
        } else if (!xs) {                                                                \
            LOOP(T, OP, base + j, 0)                                                     \
        } else if (!ys) {                                                                \
            LOOP(T, OP, 0, base + j)                                                     \
        } else {                                                                         \
            LOOP(T, OP, 0, 0)                                                            \
        }                                                                                \
    } while (0)

#define OPS(T, P)                                                                        \
    do {                                                                                 \
        const T *x = (const T *)xv, *y = (const T *)yv;                                  \
        switch (op) {                                                                    \
        case OP_EQ: case OP_NSEQ: SHAPES(T, P##_EQ); break;                              \
        case OP_LT: SHAPES(T, P##_LT); break;                                            \
        case OP_LE: SHAPES(T, P##_LE); break;                                            \
        case OP_GT: SHAPES(T, P##_GT); break;                                            \
        default: SHAPES(T, P##_GE); break;                                               \
        }                                                                                \
    } while (0)

static bool holds(int op, int c)
{
    switch (op) {
    case OP_EQ: case OP_NSEQ: return c == 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    default: return c >= 0;
    }
}

static void cmp_strings(int op, const vec *a, const vec *b, size_t len, uint8_t *bits)
{
    const int32_t *ao = a->c->offsets, *bo = b->c->offsets;
    const char *ad = a->c->values, *bd = b->c->values;
    for (size_t i = 0; i < len; i++) {
        size_t ra = vrow(a, i), rb = vrow(b, i);
        size_t la = (size_t)(ao[ra + 1] - ao[ra]), lb = (size_t)(bo[rb + 1] - bo[rb]);
        int c;
        if (op == OP_EQ || op == OP_NSEQ) {
            c = la != lb || (la && memcmp(ad + ao[ra], bd + bo[rb], la) != 0);
        } else {
            size_t m = la < lb ? la : lb;
            c = m ? memcmp(ad + ao[ra], bd + bo[rb], m) : 0; /* bytewise, as UTF8String.compareTo */
            if (c == 0)
                c = la < lb ? -1 : la > lb;
        }
        if (holds(op, c))
            lml_bit_set(bits, i);
    }
}

static void cmp_bools(int op, const vec *a, const vec *b, size_t len, uint8_t *bits)
{
    const uint8_t *av = a->c->values, *bv = b->c->values;
    for (size_t i = 0; i < len; i++) {
        int x = lml_bit_get(av, vrow(a, i)), y = lml_bit_get(bv, vrow(b, i));
        if (holds(op, x - y))
            lml_bit_set(bits, i);
    }
}

bool eval_cmp(eval_ctx *cx, int op, const vec *a, const vec *b, vec *out)
{
    size_t len = vlen(cx, a, b);
    bool nullsafe = op == OP_NSEQ;
    lml_column *o = nullsafe ? lml_column_alloc(LML_BOOL, len, 0, false, cx->err)
                             : vec_alloc(cx, LML_BOOL, len, 0, a, b);
    if (!o)
        return false;
    uint8_t *bits = o->values;
    bool xs = a->scalar, ys = b->scalar;
    const void *xv = a->c->values, *yv = b->c->values;
    switch (a->c->type) {
    case LML_INT32: case LML_DATE: OPS(int32_t, I); break;
    case LML_INT64: case LML_TIMESTAMP: OPS(int64_t, I); break;
    case LML_DOUBLE: OPS(double, D); break;
    case LML_STRING: cmp_strings(op, a, b, len, bits); break;
    default: cmp_bools(op, a, b, len, bits); break;
    }
    if (nullsafe && (a->c->validity || b->c->validity)) {
        for (size_t i = 0; i < len; i++) {
            bool na = vnull(a, i), nb = vnull(b, i);
            if (na || nb) {
                if (na && nb)
                    lml_bit_set(bits, i);
                else
                    lml_bit_clear(bits, i);
            }
        }
    }
    out->c = vec_seal(o);
    out->scalar = len == 1 && a->scalar && b->scalar;
    return true;
}
