/* Spark's ML attribute metadata (spec §3): parsing and writing the "ml_attr" JSON shapes of
 * Attribute.toMetadata / AttributeGroup.toMetadata, so that metadata written here reads back in
 * Spark and vice versa. Keys lakeml does not model (min, max, std, sparsity, ord) are ignored
 * on reading. */
#include "ml/attr.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

void lml_attr_clear(lml_attr *a)
{
    if (!a)
        return;
    free(a->name);
    for (size_t i = 0; i < a->nvals; i++)
        free(a->vals[i]);
    free(a->vals);
    memset(a, 0, sizeof *a);
    a->idx = -1;
    a->num_vals = -1;
}

void lml_attr_group_clear(lml_attr_group *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nattrs; i++)
        lml_attr_clear(&g->attrs[i]);
    free(g->attrs);
    memset(g, 0, sizeof *g);
    g->num_attrs = -1;
}

/* The "ml_attr" object of metadata, NULL when absent; *root receives the parsed document
 * (the caller deletes it). False on malformed JSON. */
static bool find_ml_attr(const char *metadata, cJSON **root, const cJSON **ml, lml_error *err)
{
    *root = NULL;
    *ml = NULL;
    if (!metadata)
        return true;
    *root = cJSON_Parse(metadata);
    if (!*root || !cJSON_IsObject(*root)) {
        cJSON_Delete(*root);
        *root = NULL;
        return lml_error_set(err, LML_EFORMAT, "column metadata is not a JSON object: %.80s", metadata);
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(*root, "ml_attr");
    if (m && !cJSON_IsObject(m)) {
        cJSON_Delete(*root);
        *root = NULL;
        return lml_error_set(err, LML_EFORMAT, "column metadata: \"ml_attr\" is not an object");
    }
    *ml = m;
    return true;
}

static bool get_long(const cJSON *obj, const char *key, long *out, lml_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return true;
    double d = v->valuedouble;
    if (!cJSON_IsNumber(v) || d != floor(d) || d < -1 || d > 2147483647.0)
        return lml_error_set(err, LML_EFORMAT, "ml_attr: \"%s\" is not a valid integer", key);
    *out = (long)d;
    return true;
}

/* Fills a from one attribute object; type is given by the caller (group lists) or read from
 * "type" (scalar columns, where numeric is the default and omitted). */
static bool parse_one(const cJSON *o, bool read_type, lml_attr_type type, lml_attr *a, lml_error *err)
{
    memset(a, 0, sizeof *a);
    a->idx = -1;
    a->num_vals = -1;
    a->type = type;
    if (read_type) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
        if (t) {
            const char *s = cJSON_GetStringValue(t);
            if (s && strcmp(s, "numeric") == 0)
                a->type = LML_ATTR_NUMERIC;
            else if (s && strcmp(s, "nominal") == 0)
                a->type = LML_ATTR_NOMINAL;
            else if (s && strcmp(s, "binary") == 0)
                a->type = LML_ATTR_BINARY;
            else
                return lml_error_set(err, LML_EFORMAT, "ml_attr: unknown attribute type '%s'", s ? s : "?");
        }
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (name) {
        if (!cJSON_IsString(name))
            return lml_error_set(err, LML_EFORMAT, "ml_attr: \"name\" is not a string");
        if (!(a->name = lml_strdup(name->valuestring, err)))
            return false;
    }
    if (!get_long(o, "idx", &a->idx, err) || !get_long(o, "num_vals", &a->num_vals, err))
        goto fail;
    const cJSON *vals = cJSON_GetObjectItemCaseSensitive(o, "vals");
    if (vals) {
        if (!cJSON_IsArray(vals)) {
            lml_error_set(err, LML_EFORMAT, "ml_attr: \"vals\" is not an array");
            goto fail;
        }
        size_t n = (size_t)cJSON_GetArraySize(vals);
        a->vals = calloc(n ? n : 1, sizeof *a->vals);
        if (!a->vals) {
            lml_error_set(err, LML_ENOMEM, "out of memory");
            goto fail;
        }
        const cJSON *it;
        cJSON_ArrayForEach(it, vals)
        {
            if (!cJSON_IsString(it)) {
                lml_error_set(err, LML_EFORMAT, "ml_attr: \"vals\" holds a non-string");
                goto fail;
            }
            if (!(a->vals[a->nvals] = lml_strdup(it->valuestring, err)))
                goto fail;
            a->nvals++;
        }
    }
    return true;
fail:
    lml_attr_clear(a);
    return false;
}

bool lml_attr_parse(const char *metadata, lml_attr *out, bool *present, lml_error *err)
{
    memset(out, 0, sizeof *out);
    out->idx = -1;
    out->num_vals = -1;
    *present = false;
    cJSON *root;
    const cJSON *ml;
    if (!find_ml_attr(metadata, &root, &ml, err))
        return false;
    bool ok = true;
    if (ml) {
        ok = parse_one(ml, true, LML_ATTR_NUMERIC, out, err);
        *present = ok;
    }
    cJSON_Delete(root);
    return ok;
}

long lml_attr_num_values(const char *metadata, lml_error *err)
{
    lml_attr a;
    bool present;
    if (!lml_attr_parse(metadata, &a, &present, err))
        return -2;
    long r = -1;
    if (present) {
        if (a.type == LML_ATTR_BINARY)
            r = 2;
        else if (a.type == LML_ATTR_NOMINAL)
            r = a.vals ? (long)a.nvals : a.num_vals;
    }
    lml_attr_clear(&a);
    return r;
}

static int cmp_idx(const void *x, const void *y)
{
    long a = ((const lml_attr *)x)->idx, b = ((const lml_attr *)y)->idx;
    return (a > b) - (a < b);
}

bool lml_attr_group_parse(const char *metadata, lml_attr_group *out, bool *present, lml_error *err)
{
    memset(out, 0, sizeof *out);
    out->num_attrs = -1;
    *present = false;
    cJSON *root;
    const cJSON *ml;
    if (!find_ml_attr(metadata, &root, &ml, err))
        return false;
    if (!ml) {
        cJSON_Delete(root);
        return true;
    }
    static const char *const lists[] = {"numeric", "nominal", "binary"};
    static const lml_attr_type types[] = {LML_ATTR_NUMERIC, LML_ATTR_NOMINAL, LML_ATTR_BINARY};
    if (!get_long(ml, "num_attrs", &out->num_attrs, err))
        goto fail;
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(ml, "attrs");
    if (attrs) {
        size_t total = 0;
        for (size_t k = 0; k < 3; k++) {
            const cJSON *l = cJSON_GetObjectItemCaseSensitive(attrs, lists[k]);
            if (l && !cJSON_IsArray(l)) {
                lml_error_set(err, LML_EFORMAT, "ml_attr: attrs.%s is not an array", lists[k]);
                goto fail;
            }
            total += l ? (size_t)cJSON_GetArraySize(l) : 0;
        }
        out->attrs = calloc(total ? total : 1, sizeof *out->attrs);
        if (!out->attrs) {
            lml_error_set(err, LML_ENOMEM, "out of memory");
            goto fail;
        }
        for (size_t k = 0; k < 3; k++) {
            const cJSON *l = cJSON_GetObjectItemCaseSensitive(attrs, lists[k]), *it;
            cJSON_ArrayForEach(it, l)
            {
                if (!parse_one(it, false, types[k], &out->attrs[out->nattrs], err))
                    goto fail;
                out->nattrs++;
                if (out->attrs[out->nattrs - 1].idx < 0) {
                    lml_error_set(err, LML_EFORMAT, "ml_attr: attrs.%s entry without \"idx\"", lists[k]);
                    goto fail;
                }
            }
        }
        qsort(out->attrs, out->nattrs, sizeof *out->attrs, cmp_idx);
        for (size_t i = 0; i < out->nattrs; i++)
            if ((i > 0 && out->attrs[i].idx == out->attrs[i - 1].idx) ||
                (out->num_attrs >= 0 && out->attrs[i].idx >= out->num_attrs)) {
                lml_error_set(err, LML_EFORMAT, "ml_attr: attribute index %ld duplicated or beyond num_attrs",
                              out->attrs[i].idx);
                goto fail;
            }
    }
    cJSON_Delete(root);
    *present = true;
    return true;
fail:
    cJSON_Delete(root);
    lml_attr_group_clear(out);
    return false;
}

/* Adds a's keys to obj in Spark's order (type when with_type, name, idx, num_vals, vals). */
static bool put_attr(cJSON *obj, const lml_attr *a, bool with_type)
{
    static const char *const names[] = {"numeric", "nominal", "binary"};
    if (with_type && a->type != LML_ATTR_NUMERIC && !cJSON_AddStringToObject(obj, "type", names[a->type]))
        return false;
    if (a->name && !cJSON_AddStringToObject(obj, "name", a->name))
        return false;
    if (a->idx >= 0 && !cJSON_AddNumberToObject(obj, "idx", (double)a->idx))
        return false;
    if (a->type == LML_ATTR_NUMERIC)
        return true;
    if (!a->vals && a->type == LML_ATTR_NOMINAL && a->num_vals >= 0 &&
        !cJSON_AddNumberToObject(obj, "num_vals", (double)a->num_vals))
        return false;
    if (a->vals) {
        cJSON *arr = cJSON_AddArrayToObject(obj, "vals");
        if (!arr)
            return false;
        for (size_t i = 0; i < a->nvals; i++) {
            cJSON *s = cJSON_CreateString(a->vals[i]);
            if (!s || !cJSON_AddItemToArray(arr, s)) {
                cJSON_Delete(s);
                return false;
            }
        }
    }
    return true;
}

static char *finish(cJSON *root, bool ok, lml_error *err)
{
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text) {
        lml_error_set(err, LML_ENOMEM, "out of memory writing ml_attr metadata");
        return NULL;
    }
    /* cJSON allocates with malloc by default, so the caller may free() it. */
    return text;
}

char *lml_attr_to_json(const lml_attr *a, lml_error *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *ml = root ? cJSON_AddObjectToObject(root, "ml_attr") : NULL;
    return finish(root, ml && put_attr(ml, a, true), err);
}

char *lml_attr_group_to_json(const lml_attr_group *g, lml_error *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *ml = root ? cJSON_AddObjectToObject(root, "ml_attr") : NULL;
    bool ok = ml != NULL;
    if (ok && g->attrs) {
        /* Spark writes the lists numeric, nominal, binary, leaves out empty ones and numeric
         * attributes that carry nothing but their index, and always writes num_attrs. */
        static const char *const lists[] = {"numeric", "nominal", "binary"};
        cJSON *attrs = cJSON_AddObjectToObject(ml, "attrs");
        ok = attrs != NULL;
        for (int k = 0; ok && k < 3; k++) {
            cJSON *arr = NULL;
            for (size_t i = 0; ok && i < g->nattrs; i++) {
                const lml_attr *a = &g->attrs[i];
                if ((int)a->type != k || (a->type == LML_ATTR_NUMERIC && !a->name))
                    continue;
                if (!arr && !(arr = cJSON_AddArrayToObject(attrs, lists[k]))) {
                    ok = false;
                    break;
                }
                cJSON *o = cJSON_CreateObject();
                if (!o || !cJSON_AddItemToArray(arr, o)) {
                    cJSON_Delete(o);
                    ok = false;
                    break;
                }
                ok = put_attr(o, a, false);
            }
        }
        long n = g->num_attrs >= 0 ? g->num_attrs : (long)g->nattrs;
        ok = ok && cJSON_AddNumberToObject(ml, "num_attrs", (double)n);
    } else if (ok && g->num_attrs >= 0) {
        ok = cJSON_AddNumberToObject(ml, "num_attrs", (double)g->num_attrs) != NULL;
    }
    return finish(root, ok, err);
}
