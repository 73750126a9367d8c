/* Shared plumbing of the feature transformers (see feature_internal.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "ml/feature/feature_internal.h"

void lml_feat_cols_free(lml_feat_cols *c)
{
    if (c->out)
        for (size_t i = 0; i < c->n; i++)
            free(c->out[i]);
    free(c->out);
    free(c->in);
    memset(c, 0, sizeof *c);
}

bool lml_feat_cols_get(const lml_stage *s, bool multi, lml_feat_cols *c, lml_error *err)
{
    memset(c, 0, sizeof *c);
    size_t nin = 0, nout = 0;
    const char *const *ins = multi ? lml_get_strings(s, "inputCols", &nin, NULL) : NULL;
    const char *const *outs = multi ? lml_get_strings(s, "outputCols", &nout, NULL) : NULL;
    const char *in = lml_param_string(s, "inputCol");
    if (nin && in)
        return lml_error_set(err, LML_EINVAL, "%s: inputCol and inputCols are mutually exclusive; set only one",
                             s->uid);
    if (nin) {
        if (nout != nin)
            return lml_error_set(err, LML_EINVAL, "%s: inputCols has %zu names but outputCols has %zu", s->uid,
                                 nin, nout);
        c->n = nin;
    } else {
        if (!in)
            return lml_error_set(err, LML_EINVAL, "%s: inputCol%s is not set", s->uid, multi ? " or inputCols" : "");
        c->n = 1;
    }
    c->in = calloc(c->n, sizeof *c->in);
    c->out = calloc(c->n, sizeof *c->out);
    if (!c->in || !c->out) {
        lml_feat_cols_free(c);
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < c->n; i++) {
        c->in[i] = nin ? ins[i] : in;
        const char *o = nin ? outs[i] : lml_param_string(s, "outputCol");
        c->out[i] = o ? lml_strdup(o, err) : lml_default_output_col(s, err);
        if (!c->out[i]) {
            lml_feat_cols_free(c);
            return false;
        }
    }
    return true;
}

void lml_feat_state_retain(void *st) { atomic_fetch_add(&((lml_feat_state *)st)->refs, 1); }

void lml_feat_state_release(void *st)
{
    lml_feat_state *h = st;
    if (h && atomic_fetch_sub(&h->refs, 1) == 1)
        h->destroy(h);
}

lml_stage *lml_feat_new(const lml_stage_vtable *vt, const char *in, const char *out, const char *const *ins,
                        const char *const *outs)
{
    lml_stage *s = lml_stage_create(vt, NULL, NULL, NULL);
    if (!s)
        return NULL;
    bool ok = (!in || lml_set_string(s, "inputCol", in, NULL)) && (!out || lml_set_string(s, "outputCol", out, NULL)) &&
              (!ins || lml_set_strings(s, "inputCols", ins, NULL)) &&
              (!outs || lml_set_strings(s, "outputCols", outs, NULL));
    if (!ok) {
        lml_stage_free(s);
        return NULL;
    }
    return s;
}

lml_frame *lml_feat_add(const lml_frame *df, const char *name, lml_column *col, char *meta, lml_error *err)
{
    lml_frame *r = col ? lml_frame_with_column(df, name, col, err) : NULL;
    lml_column_free(col);
    if (r) {
        lml_frame *m = lml_frame_with_metadata(r, name, meta, err);
        lml_frame_free(r);
        r = m;
    }
    free(meta);
    return r;
}

bool lml_feat_fail(const lml_stage *s, lml_error *err)
{
    lml_error_prefix(err, "%s", s->uid);
    return false;
}

lml_frame *lml_feat_take_rows(const lml_frame *df, const size_t *idx, size_t n, lml_error *err)
{
    return lml_frame_take(df, idx, n, err);
}

bool lml_feat_is_numeric(lml_type t) { return t == LML_BOOL || t == LML_INT32 || t == LML_INT64 || t == LML_DOUBLE; }

double lml_feat_num(const lml_column *c, size_t i)
{
    if (lml_column_is_null(c, i))
        return NAN;
    switch (c->type) {
    case LML_DOUBLE: return ((const double *)c->values)[i];
    case LML_INT32: return ((const int32_t *)c->values)[i];
    case LML_INT64: return (double)((const int64_t *)c->values)[i];
    case LML_BOOL: return lml_bit_get(c->values, i) ? 1.0 : 0.0;
    default: return NAN;
    }
}

/* FNV-1a: labels are short, and the table only needs a decent spread. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static lml_strmap_slot *find_slot(lml_strmap_slot *slots, size_t cap, const char *key, size_t len, uint64_t h)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        lml_strmap_slot *s = &slots[i];
        if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
            return s;
    }
}

int64_t *lml_strmap_upsert(lml_strmap *m, const char *key, size_t len, bool *created, lml_error *err)
{
    if ((m->n + 1) * 2 > m->cap) { /* keep the load under one half */
        size_t cap = m->cap ? m->cap * 2 : 64;
        lml_strmap_slot *slots = calloc(cap, sizeof *slots);
        if (!slots || cap < m->cap) {
            free(slots);
            lml_error_set(err, LML_ENOMEM, "out of memory");
            return NULL;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key)
                *find_slot(slots, cap, m->slots[i].key, m->slots[i].len, m->slots[i].hash) = m->slots[i];
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    uint64_t h = hash_bytes(key, len);
    lml_strmap_slot *s = find_slot(m->slots, m->cap, key, len, h);
    *created = !s->key;
    if (!s->key) {
        /* +1 keeps an empty key a non-NULL pointer and NUL-terminates every label. */
        if (!(s->key = malloc(len + 1))) {
            lml_error_set(err, LML_ENOMEM, "out of memory");
            return NULL;
        }
        memcpy(s->key, key, len);
        s->key[len] = '\0';
        s->len = len;
        s->hash = h;
        s->val = 0;
        m->n++;
    }
    return &s->val;
}

int64_t lml_strmap_get(const lml_strmap *m, const char *key, size_t len)
{
    if (!m->cap)
        return -1;
    const lml_strmap_slot *s = find_slot(m->slots, m->cap, key, len, hash_bytes(key, len));
    return s->key ? s->val : -1;
}

void lml_strmap_free(lml_strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* Decodes one UTF-8 code point at s[*i] (advancing *i); malformed bytes decode as themselves,
 * which keeps the order total. */
static uint32_t next_cp(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c = u[*i];
    size_t extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    bool ok = extra > 0 && *i + extra < len;
    for (size_t k = 1; ok && k <= extra; k++)
        ok = (u[*i + k] & 0xC0u) == 0x80u;
    if (!ok) {
        (*i)++;
        return c;
    }
    uint32_t cp = c & (0x3Fu >> extra);
    for (size_t k = 1; k <= extra; k++)
        cp = (cp << 6) | (u[*i + k] & 0x3Fu);
    *i += extra + 1;
    return cp;
}

/* Order of a code point's UTF-16 encoding: supplementary characters start with a surrogate
 * (D800–DBFF), so they sort after U+D7FF and before U+E000. */
static uint32_t utf16_key(uint32_t cp)
{
    if (cp >= 0x10000)
        return cp - 0x10000 + 0xD800;
    if (cp >= 0xE000)
        return cp + 0x100000;
    return cp;
}

int lml_feat_utf16_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0, j = 0;
    while (i < alen && j < blen) {
        uint32_t x = utf16_key(next_cp(a, alen, &i)), y = utf16_key(next_cp(b, blen, &j));
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (i < alen) - (j < blen);
}

bool lml_feat_set_nulls(lml_column *col, const bool *null, lml_error *err)
{
    size_t n = col->length;
    bool any = false;
    for (size_t i = 0; i < n && !any; i++)
        any = null[i];
    if (!any)
        return true;
    uint8_t *bits = lml_aligned_calloc(lml_bitmap_bytes(n));
    if (!bits)
        return lml_error_set(err, LML_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (!null[i])
            lml_bit_set(bits, i);
    lml_aligned_free(col->validity);
    col->validity = bits;
    lml_column_seal(col);
    return true;
}
