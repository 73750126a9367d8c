/* Helpers shared by tests/unit/test_delta_dv*.c (deletion vectors). */
#include "delta_dv_support.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- a tiny storage of our own (only `read`), so these tests do not depend on storage.c */

static bool test_read(const lml_storage *st, const char *path, size_t max_len, uint8_t **data, size_t *len,
                      lml_error *err)
{
    (void)st;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lml_error_set(err, LML_ENOTFOUND, "%s: not found", path);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (sz < 0 || (size_t)sz > max_len) {
        fclose(f);
        return lml_error_set(err, LML_EFORMAT, "%s: too large", path);
    }
    *data = malloc((size_t)sz + 1);
    *len = fread(*data, 1, (size_t)sz, f);
    (*data)[*len] = 0;
    fclose(f);
    return true;
}

const lml_storage lml_test_dv_storage = {.read = test_read};

size_t lml_test_dv_unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ' || *p == '|') {
            p++;
            continue;
        }
        unsigned v;
        sscanf(p, "%2x", &v);
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

/* The spec's inline example (§7.3). */
const char *const lml_test_dv_inline_hex =
    "d1d33964 0100000000000000 00000000 3a300000 01000000 0000 0500 10000000 0300 0400 0700 0b00 1200 1d00";
