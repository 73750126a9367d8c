/* Columns of every type built in parts, shared by tests/unit/test_frame_concat*.c. They check
 * with cr_assert, so they fail the calling Criterion test. */
#include "frame_concat_support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "frame/internal.h"

#define MAXROWS 128

/* Bit i set (present) for even i: nulls at odd rows of each part. */
static void odd_nulls(uint8_t *bits, size_t n)
{
    memset(bits, 0, lml_bitmap_bytes(MAXROWS));
    for (size_t i = 0; i < n; i += 2)
        lml_bit_set(bits, i);
}

/* Gives a column made without a validity argument (vectors) nulls at odd rows. */
static lml_column *with_odd_nulls(lml_column *c)
{
    cr_assert_null(c->validity);
    c->validity = lml_aligned_calloc(lml_bitmap_bytes(c->length));
    cr_assert_not_null(c->validity);
    for (size_t i = 0; i < c->length; i += 2)
        lml_bit_set(c->validity, i);
    return lml_column_seal(c);
}

static void dec_of(int64_t unscaled, uint8_t out[16])
{
    uint64_t lo = (uint64_t)unscaled;
    int64_t hi = unscaled < 0 ? -1 : 0;
    memcpy(out, &lo, 8);
    memcpy(out + 8, &hi, 8);
}

/* list<string> of n rows; row i (global g = base + i) holds g % 4 strings "e<g>_<k>". The child
 * starts with a junk element (offsets[0] = 1), and each null row's range holds one junk element,
 * which concatenation must drop. */
lml_column *lml_test_concat_list_of_strings(size_t n, size_t base, bool nulls)
{
    const char *elems[4 * MAXROWS + 1];
    char store[4 * MAXROWS + 1][24];
    int32_t offs[MAXROWS + 1];
    uint8_t valid[MAXROWS / 8 + 1];
    odd_nulls(valid, n);
    size_t m = 0;
    snprintf(store[m], sizeof store[m], "junk");
    elems[m] = store[m];
    m++;
    offs[0] = 1;
    for (size_t i = 0; i < n; i++) {
        size_t g = base + i;
        if (nulls && (i & 1)) {
            snprintf(store[m], sizeof store[m], "junk%zu", g);
            elems[m] = store[m];
            m++;
        } else {
            for (size_t k = 0; k < g % 4; k++) {
                snprintf(store[m], sizeof store[m], "e%zu_%zu", g, k);
                elems[m] = k == 1 && g % 8 == 3 ? NULL : store[m]; /* a null element now and then */
                m++;
            }
        }
        offs[i + 1] = (int32_t)m;
    }
    lml_column *child = lml_column_from_strings(elems, m, NULL);
    cr_assert_not_null(child);
    lml_error err = {0};
    lml_column *c = lml_column_list_new(offs, nulls ? valid : NULL, n, child, &err);
    cr_assert_not_null(c, "%s", err.message);
    lml_column_free(child);
    return c;
}

/* A part of n rows of kind k whose row i holds a value derived from g = base + i. */
lml_column *lml_test_concat_part(lml_test_concat_kind k, size_t n, size_t base)
{
    uint8_t valid[MAXROWS / 8 + 1];
    odd_nulls(valid, n);
    lml_error err = {0};
    lml_column *c = NULL;
    switch (k) {
    case K_BOOL: {
        lml_column_builder *b = lml_column_builder_new(LML_BOOL, n, NULL);
        for (size_t i = 0; i < n; i++)
            (i & 1) ? lml_column_builder_append_null(b, NULL) : lml_column_builder_append_bool(b, (base + i) % 3 == 0, NULL);
        c = lml_column_builder_finish(b, &err);
        break;
    }
    case K_INT8: {
        int8_t v[MAXROWS] = {0};
        for (size_t i = 0; i < n; i++)
            v[i] = (int8_t)((int)(base + i) * 5 - 40);
        c = lml_column_from_int8s(v, valid, n, &err);
        break;
    }
    case K_INT16: {
        int16_t v[MAXROWS] = {0};
        for (size_t i = 0; i < n; i++)
            v[i] = (int16_t)((int)(base + i) * 300 - 2000);
        c = lml_column_from_int16s(v, valid, n, &err);
        break;
    }
    case K_INT32:
    case K_DATE: {
        lml_column_builder *b = lml_column_builder_new(k == K_DATE ? LML_DATE : LML_INT32, n, NULL);
        for (size_t i = 0; i < n; i++)
            (i & 1) ? lml_column_builder_append_null(b, NULL)
                    : lml_column_builder_append_int32(b, (int32_t)(base + i) * (k == K_DATE ? 400 : 7) - 50, NULL);
        c = lml_column_builder_finish(b, &err);
        break;
    }
    case K_INT64:
    case K_TIMESTAMP: {
        lml_column_builder *b = lml_column_builder_new(k == K_TIMESTAMP ? LML_TIMESTAMP : LML_INT64, n, NULL);
        for (size_t i = 0; i < n; i++)
            (i & 1) ? lml_column_builder_append_null(b, NULL)
                    : lml_column_builder_append_int64(b, (int64_t)(base + i) * 86400000000LL - 3, NULL);
        c = lml_column_builder_finish(b, &err);
        break;
    }
    case K_TIMESTAMP_NTZ: {
        int64_t v[MAXROWS] = {0};
        for (size_t i = 0; i < n; i++)
            v[i] = (int64_t)(base + i) * 3600000001LL + 7;
        c = lml_column_from_timestamps_ntz(v, valid, n, &err);
        break;
    }
    case K_FLOAT: {
        float v[MAXROWS] = {0};
        for (size_t i = 0; i < n; i++)
            v[i] = (float)(base + i) * 0.5f - 1.25f;
        c = lml_column_from_floats(v, valid, n, &err);
        break;
    }
    case K_DOUBLE: {
        lml_column_builder *b = lml_column_builder_new(LML_DOUBLE, n, NULL);
        for (size_t i = 0; i < n; i++) {
            size_t g = base + i;
            double x = g == 0 ? -0.0 : g == 6 ? NAN : (double)g * 1.1 - 3;
            (i & 1) ? lml_column_builder_append_null(b, NULL) : lml_column_builder_append_double(b, x, NULL);
        }
        c = lml_column_builder_finish(b, &err);
        break;
    }
    case K_STRING: {
        char store[MAXROWS][24];
        const char *v[MAXROWS] = {0};
        for (size_t i = 0; i < n; i++) {
            size_t g = base + i;
            snprintf(store[i], sizeof store[i], g % 5 == 4 ? "" : g % 3 ? "s%zu" : "\xc3\xa9%zu", g);
            v[i] = (i & 1) ? NULL : store[i];
        }
        c = lml_column_from_strings(v, n, &err);
        break;
    }
    case K_BINARY: {
        int32_t offs[MAXROWS + 1] = {0};
        uint8_t data[4 * MAXROWS] = {0};
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            size_t g = base + i;
            for (size_t j = 0; j < g % 4 && !(i & 1); j++)
                data[m++] = (uint8_t)(j == 0 ? g : j == 1 ? 0xFF : 0);
            offs[i + 1] = (int32_t)m;
        }
        c = lml_column_from_binary(offs, data, valid, n, &err);
        break;
    }
    case K_DECIMAL: {
        uint8_t v[MAXROWS * 16] = {0};
        for (size_t i = 0; i < n; i++)
            dec_of((int64_t)(base + i) * 12345 - 50000, v + 16 * i);
        c = lml_column_from_decimals(v, valid, n, 10, 2, &err);
        break;
    }
    case K_DENSE: {
        double v[MAXROWS * 3] = {0};
        for (size_t i = 0; i < n; i++) {
            double g = (double)(base + i);
            v[3 * i] = g, v[3 * i + 1] = 0, v[3 * i + 2] = -g * 0.5;
        }
        c = lml_column_vector_from_dense(v, n, 3, &err);
        if (c)
            with_odd_nulls(c);
        break;
    }
    case K_SPARSE: {
        int64_t ip[MAXROWS + 1] = {0};
        int32_t idx[MAXROWS] = {0};
        double v[MAXROWS] = {0};
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            size_t g = base + i;
            if (g % 3) {
                idx[m] = (int32_t)(g % 3); /* always within the dense parts' size 3 */
                v[m++] = (double)g + 0.25;
            }
            ip[i + 1] = (int64_t)m;
        }
        c = lml_column_vector_from_csr(ip, idx, v, n, 3, &err);
        if (c)
            with_odd_nulls(c);
        break;
    }
    case K_LIST_STR: return lml_test_concat_list_of_strings(n, base, true);
    case K_STRUCT: {
        int32_t iv[MAXROWS] = {0};
        uint8_t ivalid[MAXROWS / 8 + 1] = {0};
        for (size_t i = 0; i < n; i++) {
            iv[i] = (int32_t)(base + i) * 11;
            if ((base + i) % 3 != 2)
                lml_bit_set(ivalid, i);
        }
        lml_column *kids[2] = {lml_column_from_int32s(iv, ivalid, n, NULL), lml_test_concat_list_of_strings(n, base, false)};
        c = lml_column_struct_new(n, 2, (const char *[]){"i", "l"}, kids, valid, &err);
        lml_column_free(kids[0]);
        lml_column_free(kids[1]);
        break;
    }
    case K_MAP: {
        char store[3 * MAXROWS][24];
        const char *keys[3 * MAXROWS] = {0};
        int32_t vals[3 * MAXROWS], offs[MAXROWS + 1] = {0};
        uint8_t vvalid[3 * MAXROWS / 8 + 1] = {0};
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            size_t g = base + i;
            for (size_t j = 0; j < g % 3; j++, m++) {
                snprintf(store[m], sizeof store[m], "k%zu_%zu", g, j);
                keys[m] = store[m];
                vals[m] = (int32_t)(g * 10 + j);
                if (j != 1)
                    lml_bit_set(vvalid, m);
            }
            offs[i + 1] = (int32_t)m;
        }
        lml_column *kc = lml_column_from_strings(keys, m, NULL), *vc = lml_column_from_int32s(vals, vvalid, m, NULL);
        c = lml_column_map_new(offs, valid, n, kc, vc, &err);
        lml_column_free(kc);
        lml_column_free(vc);
        break;
    }
    }
    cr_assert_not_null(c, "kind %d: %s", (int)k, err.message);
    return c;
}
