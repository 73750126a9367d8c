/* Delta table schemas (delta.md §3, §6): Spark's StructType JSON parsed into a tree of fields
 * with frame types and serialized back as Spark prints it; copies, lookup by name and the type
 * text of a field. The frame → schema side, null columns and the write checks (§8.3) are in
 * schema_write.c. The schema JSON comes from the log (untrusted): nesting depth is capped and
 * every shape is checked before use. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "delta/schema_internal.h"
#include "io/parquet/writer_internal.h"

static size_t path_put(const lml_delta_path *p, char *buf, size_t cap)
{
    if (!p)
        return 0;
    size_t n = path_put(p->up, buf, cap);
    if (n && n + 1 < cap)
        buf[n++] = '.';
    for (const char *s = p->name; *s && n + 1 < cap; s++)
        buf[n++] = *s;
    buf[n] = '\0';
    return n;
}

const char *lml_delta_path_str(const lml_delta_path *p, char buf[LML_DELTA_PATHBUF])
{
    buf[0] = '\0';
    path_put(p, buf, LML_DELTA_PATHBUF);
    return buf[0] ? buf : "(root)";
}

/* "field 'a.b'" (or "top level") to start a message. */
static const char *where(const lml_delta_path *p, char buf[LML_DELTA_PATHBUF])
{
    if (!p)
        return strcpy(buf, "top level");
    memcpy(buf, "field '", 7);
    size_t n = 7 + path_put(p, buf + 7, LML_DELTA_PATHBUF - 8);
    buf[n] = '\'';
    buf[n + 1] = '\0';
    return buf;
}

void lml_delta_field_free(lml_delta_field *f)
{
    for (size_t i = 0; i < f->nchildren; i++)
        lml_delta_field_free(&f->children[i]);
    free(f->children);
    free(f->name);
    free(f->metadata);
    free(f->physical_name);
    free(f->udt_class);
    free(f->udt_pyclass);
    memset(f, 0, sizeof *f);
}

void lml_delta_schema_clear(lml_delta_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfields; i++)
        lml_delta_field_free(&s->fields[i]);
    free(s->fields);
    s->fields = NULL;
    s->nfields = 0;
}

lml_delta_field *lml_delta_fields_alloc(size_t k, lml_error *err)
{
    lml_delta_field *f = calloc(k ? k : 1, sizeof *f);
    if (!f)
        lml_error_set(err, LML_ENOMEM, "out of memory for %zu schema fields", k);
    return f;
}

static int cmp_names(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* Column names are unique case-insensitively (§3); sorting keeps hostile wide structs O(n log n). */
bool lml_delta_check_unique(const char *const *names, size_t n, const lml_delta_path *p, lml_errcode code,
                            lml_error *err)
{
    if (n < 2)
        return true;
    const char **s = malloc(n * sizeof *s);
    if (!s)
        return lml_error_set(err, LML_ENOMEM, "out of memory checking %zu field names", n);
    memcpy(s, names, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_names);
    bool ok = true;
    for (size_t i = 1; ok && i < n; i++)
        if (strcasecmp(s[i - 1], s[i]) == 0) {
            char b[LML_DELTA_PATHBUF];
            ok = lml_error_set(err, code, "%s: field names '%s' and '%s' differ only by case (Delta names are "
                               "case-insensitive)", where(p, b), s[i - 1], s[i]);
        }
    free(s);
    return ok;
}

/* ---------------------------------------------------------------- parsing */

bool lml_delta_field_set_name(lml_delta_field *f, const char *name, bool nullable, lml_error *err)
{
    f->nullable = nullable;
    return (f->name = lml_strdup(name, err)) && (f->metadata = lml_strdup("{}", err));
}

static const struct { const char *name; lml_type type; } PRIMS[] = {
    {"string", LML_STRING}, {"long", LML_INT64},   {"integer", LML_INT32},         {"short", LML_INT16},
    {"byte", LML_INT8},     {"float", LML_FLOAT},  {"double", LML_DOUBLE},         {"boolean", LML_BOOL},
    {"binary", LML_BINARY}, {"date", LML_DATE},    {"timestamp", LML_TIMESTAMP},   {"timestamp_ntz", LML_TIMESTAMP_NTZ},
};

static const char *skip_spaces(const char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

/* Up to 3 digits (precision and scale are ≤ 38); NULL when there are none or too many. */
static const char *read_small(const char *s, int *out)
{
    int v = 0, k = 0;
    for (; *s >= '0' && *s <= '9'; s++, k++) {
        if (k == 3)
            return NULL;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return k ? s : NULL;
}

/* "decimal(P,S)" with optional spaces, as Spark's DataType parser accepts; bare "decimal" is (10,0). */
static bool parse_decimal(const char *s, lml_delta_field *f, const char *where, lml_error *err)
{
    int prec = 10, scale = 0;
    if (s[7] != '\0') {
        const char *q = skip_spaces(s + 8);
        bool neg = false;
        if (!(q = read_small(q, &prec)) || *(q = skip_spaces(q)) != ',')
            goto bad;
        q = skip_spaces(q + 1);
        if (*q == '-')
            neg = true, q++;
        if (!(q = read_small(q, &scale)) || *(q = skip_spaces(q)) != ')' || q[1] != '\0')
            goto bad;
        if (neg)
            return lml_error_set(err, LML_EUNSUPPORTED, "%s: type \"%s\" has a negative scale", where, s);
    }
    if (prec < 1 || prec > 38 || scale > prec)
        return lml_error_set(err, LML_EFORMAT, "%s: type \"%s\": precision must be 1..38 and scale 0..precision",
                             where, s);
    f->type = LML_DECIMAL;
    f->precision = prec;
    f->scale = scale;
    return true;
bad:
    return lml_error_set(err, LML_EFORMAT, "%s: malformed decimal type \"%s\"", where, s);
}

static bool parse_prim(const char *s, lml_delta_field *f, const lml_delta_path *p, lml_error *err)
{
    char at[LML_DELTA_PATHBUF];
    for (size_t i = 0; i < sizeof PRIMS / sizeof *PRIMS; i++)
        if (strcmp(s, PRIMS[i].name) == 0) {
            f->type = PRIMS[i].type;
            return true;
        }
    if (strcmp(s, "void") == 0 || strcmp(s, "null") == 0) { /* NullType ("null" before Spark 3) */
        f->type = LML_STRING;
        f->is_void = true;
        return true;
    }
    if (strncmp(s, "decimal", 7) == 0 && (s[7] == '\0' || s[7] == '('))
        return parse_decimal(s, f, where(p, at), err);
    return lml_error_set(err, LML_EUNSUPPORTED, "%s: %s type \"%.64s\"", where(p, at),
                         strcmp(s, "variant") == 0 ? "unsupported" : "unknown", s);
}

/* A boolean member that Spark always writes; absent means true (lenient), any other kind is bad. */
static bool get_flag(const cJSON *o, const char *key, bool *out, const lml_delta_path *p, lml_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = true;
    if (!v)
        return true;
    if (!cJSON_IsBool(v)) {
        char b[LML_DELTA_PATHBUF];
        return lml_error_set(err, LML_EFORMAT, "%s: \"%s\" is not a boolean", where(p, b), key);
    }
    *out = cJSON_IsTrue(v);
    return true;
}

static const cJSON *need(const cJSON *o, const char *key, const lml_delta_path *p, lml_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    char b[LML_DELTA_PATHBUF];
    if (!v)
        lml_error_set(err, LML_EFORMAT, "%s: type object has no \"%s\"", where(p, b), key);
    return v;
}

/* The element of an array, or the key/value of a map, as child `i` of f. */
static bool parse_child(const cJSON *t, lml_delta_field *f, size_t i, const char *name, bool nullable,
                        const lml_delta_path *p, int depth, lml_error *err)
{
    lml_delta_path cp = {name, p};
    return lml_delta_field_set_name(&f->children[i], name, nullable, err) &&
           lml_delta_parse_type(t, &f->children[i], &cp, depth + 1, err);
}

static bool parse_fields(const cJSON *arr, lml_delta_field *f, const lml_delta_path *p, int depth, lml_error *err);

static bool is_vector_layout(const lml_delta_field *f)
{
    static const char *const names[4] = {"type", "size", "indices", "values"};
    if (f->type != LML_STRUCT || f->nchildren != 4)
        return false;
    for (size_t i = 0; i < 4; i++)
        if (strcmp(f->children[i].name, names[i]) != 0)
            return false;
    return true;
}

static bool parse_udt(const cJSON *t, lml_delta_field *f, const lml_delta_path *p, int depth, lml_error *err)
{
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(t, "class");
    const cJSON *py = cJSON_GetObjectItemCaseSensitive(t, "pyClass");
    const cJSON *sql = need(t, "sqlType", p, err);
    char b[LML_DELTA_PATHBUF];
    if (!sql)
        return false;
    if (!cJSON_IsString(cls) || (py && !cJSON_IsString(py) && !cJSON_IsNull(py)))
        return lml_error_set(err, LML_EFORMAT, "%s: udt type without a string \"class\"", where(p, b));
    if (!lml_delta_parse_type(sql, f, p, depth + 1, err))
        return false;
    if (f->udt_class) /* the sqlType was itself a udt */
        return lml_error_set(err, LML_EFORMAT, "%s: udt whose sqlType is a udt", where(p, b));
    if (!(f->udt_class = lml_strdup(cls->valuestring, err)) ||
        (cJSON_IsString(py) && !(f->udt_pyclass = lml_strdup(py->valuestring, err))))
        return false;
    if ((strcmp(cls->valuestring, LML_DELTA_VECTOR_UDT_CLASS) == 0 ||
         strcmp(cls->valuestring, "org.apache.spark.mllib.linalg.VectorUDT") == 0) && is_vector_layout(f))
        f->type = LML_VECTOR;
    return true;
}

bool lml_delta_parse_type(const cJSON *t, lml_delta_field *f, const lml_delta_path *p, int depth, lml_error *err)
{
    char b[LML_DELTA_PATHBUF];
    if (depth > LML_DELTA_SCHEMA_MAX_DEPTH)
        return lml_error_set(err, LML_EUNSUPPORTED, "%.120s…: types nested deeper than %d levels", where(p, b),
                             LML_DELTA_SCHEMA_MAX_DEPTH);
    if (cJSON_IsString(t))
        return parse_prim(t->valuestring, f, p, err);
    const cJSON *kind = cJSON_IsObject(t) ? cJSON_GetObjectItemCaseSensitive(t, "type") : NULL;
    if (!cJSON_IsString(kind))
        return lml_error_set(err, LML_EFORMAT, "%s: a type must be a name or an object with a \"type\" name",
                             where(p, b));
    const char *k = kind->valuestring;
    if (strcmp(k, "struct") == 0) {
        const cJSON *fs = need(t, "fields", p, err);
        f->type = LML_STRUCT;
        return fs && parse_fields(fs, f, p, depth, err);
    }
    if (strcmp(k, "udt") == 0)
        return parse_udt(t, f, p, depth, err);
    bool is_map = strcmp(k, "map") == 0;
    if (!is_map && strcmp(k, "array") != 0)
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: unknown type object \"%.64s\"", where(p, b), k);
    const cJSON *a = need(t, is_map ? "keyType" : "elementType", p, err), *v = NULL;
    bool vnull;
    if (!a || (is_map && !(v = need(t, "valueType", p, err))) ||
        !get_flag(t, is_map ? "valueContainsNull" : "containsNull", &vnull, p, err))
        return false;
    f->type = is_map ? LML_MAP : LML_LIST;
    if (!(f->children = lml_delta_fields_alloc(is_map ? 2 : 1, err)))
        return false;
    f->nchildren = is_map ? 2 : 1;
    if (!is_map)
        return parse_child(a, f, 0, "element", vnull, p, depth, err);
    return parse_child(a, f, 0, "key", false, p, depth, err) && parse_child(v, f, 1, "value", vnull, p, depth, err);
}

/* delta.columnMapping.id / physicalName (§6) out of the field's metadata, which is kept whole. */
bool lml_delta_parse_metadata(const cJSON *m, lml_delta_field *f, const lml_delta_path *p, lml_error *err)
{
    char b[LML_DELTA_PATHBUF];
    if (!m)
        return (f->metadata = lml_strdup("{}", err)) != NULL;
    if (!cJSON_IsObject(m))
        return lml_error_set(err, LML_EFORMAT, "%s: \"metadata\" is not an object", where(p, b));
    if (!(f->metadata = cJSON_PrintUnformatted(m)))
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory printing metadata", where(p, b));
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "delta.columnMapping.id");
    const cJSON *pn = cJSON_GetObjectItemCaseSensitive(m, "delta.columnMapping.physicalName");
    if (id) {
        double d = cJSON_IsNumber(id) ? id->valuedouble : NAN;
        if (!(d == floor(d) && fabs(d) <= 9007199254740992.0))
            return lml_error_set(err, LML_EFORMAT, "%s: delta.columnMapping.id is not an integer", where(p, b));
        f->has_id = true;
        f->id = (int64_t)d;
    }
    if (pn && (!cJSON_IsString(pn) || !*pn->valuestring))
        return lml_error_set(err, LML_EFORMAT, "%s: delta.columnMapping.physicalName is not a non-empty string",
                             where(p, b));
    return !pn || (f->physical_name = lml_strdup(pn->valuestring, err));
}

static bool parse_field(const cJSON *o, lml_delta_field *f, size_t idx, const lml_delta_path *parent, int depth,
                        lml_error *err)
{
    char b[LML_DELTA_PATHBUF];
    const cJSON *name = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "name") : NULL;
    if (!cJSON_IsString(name) || !*name->valuestring)
        return lml_error_set(err, LML_EFORMAT, "%s: field %zu %s", where(parent, b), idx,
                             cJSON_IsObject(o) ? "has no non-empty string \"name\"" : "is not an object");
    lml_delta_path p = {name->valuestring, parent};
    const cJSON *t = need(o, "type", &p, err);
    return t && (f->name = lml_strdup(name->valuestring, err)) && get_flag(o, "nullable", &f->nullable, &p, err) &&
           lml_delta_parse_metadata(cJSON_GetObjectItemCaseSensitive(o, "metadata"), f, &p, err) &&
           lml_delta_parse_type(t, f, &p, depth + 1, err);
}

/* A struct's "fields" array into f->children. */
static bool parse_fields(const cJSON *arr, lml_delta_field *f, const lml_delta_path *p, int depth, lml_error *err)
{
    char b[LML_DELTA_PATHBUF];
    if (!cJSON_IsArray(arr))
        return lml_error_set(err, LML_EFORMAT, "%s: struct \"fields\" is not an array", where(p, b));
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    if (!(f->children = lml_delta_fields_alloc(n, err)))
        return false;
    f->nchildren = n;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++)
        if (!parse_field(e, &f->children[i], i, p, depth, err))
            return false;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    if (!names)
        return lml_error_set(err, LML_ENOMEM, "out of memory for %zu field names", n);
    for (i = 0; i < n; i++)
        names[i] = f->children[i].name;
    bool ok = lml_delta_check_unique(names, n, p, LML_EFORMAT, err);
    free(names);
    return ok;
}

bool lml_delta_schema_parse(const char *json, lml_delta_schema *out, lml_error *err)
{
    memset(out, 0, sizeof *out);
    if (!json)
        return lml_error_set(err, LML_EINVAL, "schemaString is NULL");
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, true);
    if (!root)
        return lml_error_set(err, LML_EFORMAT, "schemaString is not valid JSON (at byte %td)",
                             end && end >= json ? end - json : (ptrdiff_t)0);
    const cJSON *kind = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "type") : NULL;
    lml_delta_field top = {0};
    bool ok;
    if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "struct") != 0)
        ok = lml_error_set(err, LML_EFORMAT, "not a StructType (no {\"type\":\"struct\"} object)");
    else
        ok = parse_fields(cJSON_GetObjectItemCaseSensitive(root, "fields"), &top, NULL, 0, err);
    cJSON_Delete(root);
    if (!ok) {
        lml_delta_field_free(&top);
        if (err)
            lml_error_prefix(err, "schemaString");
        return false;
    }
    out->fields = top.children;
    out->nfields = top.nchildren;
    return true;
}

/* ---------------------------------------------------------------- serializing */

static void put_type(lml_strbuf *sb, const lml_delta_field *f, bool as_sql);

static void put_field(lml_strbuf *sb, const lml_delta_field *f)
{
    lml_strbuf_puts(sb, "{\"name\":");
    lml_pq_json_string(sb, f->name ? f->name : "");
    lml_strbuf_puts(sb, ",\"type\":");
    put_type(sb, f, false);
    lml_strbuf_printf(sb, ",\"nullable\":%s,\"metadata\":%s}", f->nullable ? "true" : "false",
                      f->metadata && *f->metadata ? f->metadata : "{}");
}

static void put_fields(lml_strbuf *sb, const lml_delta_field *fs, size_t n)
{
    lml_strbuf_puts(sb, "{\"type\":\"struct\",\"fields\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            lml_strbuf_putc(sb, ',');
        put_field(sb, &fs[i]);
    }
    lml_strbuf_puts(sb, "]}");
}

/* Spark's DataType.json of the field's type; as_sql skips the udt wrapper (the udt's sqlType). */
static void put_type(lml_strbuf *sb, const lml_delta_field *f, bool as_sql)
{
    if (!as_sql && (f->udt_class || f->type == LML_VECTOR)) {
        lml_strbuf_puts(sb, "{\"type\":\"udt\",\"class\":");
        lml_pq_json_string(sb, f->udt_class ? f->udt_class : LML_DELTA_VECTOR_UDT_CLASS);
        const char *py = f->udt_class ? f->udt_pyclass : LML_DELTA_VECTOR_UDT_PYCLASS;
        if (py) {
            lml_strbuf_puts(sb, ",\"pyClass\":");
            lml_pq_json_string(sb, py);
        }
        lml_strbuf_puts(sb, ",\"sqlType\":");
        put_type(sb, f, true);
        lml_strbuf_putc(sb, '}');
        return;
    }
    if (f->is_void) {
        lml_strbuf_puts(sb, "\"void\"");
        return;
    }
    switch (f->type) {
    case LML_VECTOR:
        if (f->nchildren == 0) { /* a hand-made vector field: the standard sqlType */
            lml_strbuf_puts(sb, LML_DELTA_VECTOR_SQLTYPE);
            return;
        }
        /* fall through */
    case LML_STRUCT: put_fields(sb, f->children, f->nchildren);
        return;
    case LML_LIST:
        lml_strbuf_puts(sb, "{\"type\":\"array\",\"elementType\":");
        put_type(sb, &f->children[0], false);
        lml_strbuf_printf(sb, ",\"containsNull\":%s}", f->children[0].nullable ? "true" : "false");
        return;
    case LML_MAP:
        lml_strbuf_puts(sb, "{\"type\":\"map\",\"keyType\":");
        put_type(sb, &f->children[0], false);
        lml_strbuf_puts(sb, ",\"valueType\":");
        put_type(sb, &f->children[1], false);
        lml_strbuf_printf(sb, ",\"valueContainsNull\":%s}", f->children[1].nullable ? "true" : "false");
        return;
    case LML_DECIMAL: lml_strbuf_printf(sb, "\"decimal(%d,%d)\"", f->precision, f->scale);
        return;
    default: lml_strbuf_printf(sb, "\"%s\"", lml_type_name(f->type));
    }
}

char *lml_delta_schema_to_json(const lml_delta_schema *s, lml_error *err)
{
    lml_strbuf sb = {0};
    put_fields(&sb, s->fields, s->nfields);
    return lml_strbuf_finish(&sb, err);
}

static void put_simple(lml_strbuf *sb, const lml_delta_field *f)
{
    if (f->is_void) {
        lml_strbuf_puts(sb, "void");
        return;
    }
    switch (f->type) {
    case LML_LIST:
        lml_strbuf_puts(sb, "array<");
        put_simple(sb, &f->children[0]);
        lml_strbuf_putc(sb, '>');
        return;
    case LML_MAP:
        lml_strbuf_puts(sb, "map<");
        put_simple(sb, &f->children[0]);
        lml_strbuf_putc(sb, ',');
        put_simple(sb, &f->children[1]);
        lml_strbuf_putc(sb, '>');
        return;
    case LML_STRUCT:
        lml_strbuf_puts(sb, "struct<");
        for (size_t i = 0; i < f->nchildren; i++) {
            lml_strbuf_printf(sb, "%s%s:", i ? "," : "", f->children[i].name);
            put_simple(sb, &f->children[i]);
        }
        lml_strbuf_putc(sb, '>');
        return;
    case LML_DECIMAL: lml_strbuf_printf(sb, "decimal(%d,%d)", f->precision, f->scale);
        return;
    default: lml_strbuf_puts(sb, lml_type_name(f->type));
    }
}

char *lml_delta_field_type_string(const lml_delta_field *f, lml_error *err)
{
    lml_strbuf sb = {0};
    put_simple(&sb, f);
    return lml_strbuf_finish(&sb, err);
}

/* ---------------------------------------------------------------- copies and lookup */

static bool dup_opt(char **dst, const char *src, lml_error *err)
{
    return !src || (*dst = lml_strdup(src, err));
}

static bool field_copy(const lml_delta_field *s, lml_delta_field *d, lml_error *err)
{
    *d = *s;
    d->name = d->metadata = d->physical_name = d->udt_class = d->udt_pyclass = NULL;
    d->children = NULL;
    d->nchildren = 0;
    if (!dup_opt(&d->name, s->name, err) || !dup_opt(&d->metadata, s->metadata, err) ||
        !dup_opt(&d->physical_name, s->physical_name, err) || !dup_opt(&d->udt_class, s->udt_class, err) ||
        !dup_opt(&d->udt_pyclass, s->udt_pyclass, err))
        return false;
    if (s->nchildren && !(d->children = lml_delta_fields_alloc(s->nchildren, err)))
        return false;
    for (; d->nchildren < s->nchildren; d->nchildren++)
        if (!field_copy(&s->children[d->nchildren], &d->children[d->nchildren], err)) {
            d->nchildren++; /* the partial child is freed with d */
            return false;
        }
    return true;
}

bool lml_delta_schema_copy(const lml_delta_schema *src, lml_delta_schema *dst, lml_error *err)
{
    lml_delta_field s = {.children = src->fields, .nchildren = src->nfields}, d;
    if (!field_copy(&s, &d, err)) {
        lml_delta_field_free(&d);
        memset(dst, 0, sizeof *dst);
        return false;
    }
    dst->fields = d.children;
    dst->nfields = d.nchildren;
    return true;
}

long lml_delta_schema_find(const lml_delta_schema *s, const char *name)
{
    for (size_t i = 0; name && i < s->nfields; i++)
        if (strcasecmp(s->fields[i].name, name) == 0)
            return (long)i;
    return -1;
}
