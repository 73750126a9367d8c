/* AND, OR, NOT and IS [NOT] NULL on bit-packed booleans with SQL's three-valued logic, a byte
 * (eight rows) at a time: FALSE AND NULL is FALSE, TRUE OR NULL is TRUE, NOT NULL is NULL. */
#include <string.h>
#include "frame/expr/ast.h"

/* Byte k of v's values and validity (a scalar repeats its one bit). */
static void load(const vec *v, size_t k, uint8_t *val, uint8_t *valid)
{
    if (v->scalar) {
        *val = lml_bit_get(v->c->values, 0) ? 0xFF : 0;
        *valid = v->c->validity && !lml_bit_get(v->c->validity, 0) ? 0 : 0xFF;
        return;
    }
    *val = ((const uint8_t *)v->c->values)[k];
    *valid = v->c->validity ? v->c->validity[k] : 0xFF;
}

bool eval_and_or(eval_ctx *cx, bool is_and, const vec *x, const vec *y, vec *out)
{
    size_t len = vlen(cx, x, y), nb = lml_bitmap_bytes(len);
    bool nullable = x->c->validity || y->c->validity;
    lml_column *o = lml_column_alloc(LML_BOOL, len, 0, nullable, cx->err);
    if (!o)
        return false;
    uint8_t *bits = o->values, *valid = o->validity;
    for (size_t k = 0; k < nb; k++) {
        uint8_t av, aok, bv, bok;
        load(x, k, &av, &aok);
        load(y, k, &bv, &bok);
        uint8_t at = aok & av, af = aok & (uint8_t)~av, bt = bok & bv, bf = bok & (uint8_t)~bv;
        uint8_t t = is_and ? at & bt : at | bt, f = is_and ? af | bf : af & bf;
        bits[k] = t;
        if (valid)
            valid[k] = t | f;
    }
    out->c = vec_seal(o);
    out->scalar = x->scalar && y->scalar && len == 1;
    return true;
}

bool eval_not(eval_ctx *cx, const vec *x, vec *out)
{
    size_t len = x->scalar ? 1 : cx->n, nb = lml_bitmap_bytes(len);
    lml_column *o = vec_alloc(cx, LML_BOOL, len, 0, x, NULL);
    if (!o)
        return false;
    const uint8_t *v = x->c->values;
    for (size_t k = 0; k < nb; k++)
        ((uint8_t *)o->values)[k] = (uint8_t)~v[k];
    out->c = vec_seal(o);
    out->scalar = x->scalar;
    return true;
}

bool eval_isnull(eval_ctx *cx, bool negated, const vec *x, vec *out)
{
    size_t len = x->scalar ? 1 : cx->n, nb = lml_bitmap_bytes(len);
    lml_column *o = lml_column_alloc(LML_BOOL, len, 0, false, cx->err);
    if (!o)
        return false;
    const uint8_t *valid = x->c->validity;
    for (size_t k = 0; k < nb; k++) {
        uint8_t present = valid ? valid[k] : 0xFF;
        ((uint8_t *)o->values)[k] = negated ? present : (uint8_t)~present;
    }
    out->c = vec_seal(o);
    out->scalar = x->scalar;
    return true;
}
