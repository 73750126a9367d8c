/* Decoding of Parquet metadata (FileMetaData, PageHeader and what they contain) from the Thrift
 * compact protocol, spec/parquet.md §3. Every struct is read by one generic loop (rd_struct)
 * driven by a small table per struct (expected wire type and name of each known field id, the
 * required ids), so unknown and extension fields (id 32767) of newer writers pass through and a
 * missing required field is LML_EFORMAT naming the struct and the field. Enum values are stored
 * as read, without range checks: the schema/reader code rejects values it does not know, which
 * keeps this layer a faithful image of the file (PARQUET-1481's corrupt physical type decodes
 * here and is refused by the reader). */
#include "meta.h"
#include "thrift.h"

#include <stdlib.h>
#include <string.h>

/* How one struct decodes: the wire type expected for each known field id (0 = unknown id) and its
 * name for messages, the ids that are required, and the function storing a known field. */
typedef struct sdesc {
    const char *name;
    bool (*fn)(lml_pq_tc_reader *r, void *obj, int16_t id, int type, lml_error *err);
    uint8_t types[16];
    const char *fields[16];
    uint16_t required; /* bit per field id */
} sdesc;

typedef bool (*elem_fn)(lml_pq_tc_reader *r, void *el, lml_error *err);

/* The generic struct loop. Unknown ids are skipped. A known id whose wire type is not the
 * expected one is skipped too, as the Thrift-generated readers of parquet-mr and Arrow do (real
 * files carry such fields: dict-page-offset-zero.parquet has a list in ColumnMetaData field 15,
 * from a draft of the format); if the field is required it is then reported missing, with the
 * type that was found. A known field seen twice is refused: it would leak or silently overwrite. */
static bool rd_struct(lml_pq_tc_reader *r, const sdesc *d, void *obj, lml_error *err)
{
    uint32_t seen = 0;
    uint8_t wrong[16] = {0};
    if (!lml_pq_tc_struct_begin(r, err))
        return false;
    for (;;) {
        int16_t id;
        int t;
        if (!lml_pq_tc_read_field(r, &id, &t, err))
            return false;
        if (t == LML_PQ_TC_STOP)
            break;
        int want = id > 0 && id < 16 ? d->types[id] : 0;
        bool ok = want == LML_PQ_TC_TRUE ? t == LML_PQ_TC_TRUE || t == LML_PQ_TC_FALSE : t == want;
        if (!want || !ok) {
            if (want)
                wrong[id] = (uint8_t)t;
            if (!lml_pq_tc_skip(r, t, err))
                return false;
            continue;
        }
        if (seen & (1u << id))
            return lml_pq_tc_fail(r, err, "%s.%s (field %d) appears twice", d->name, d->fields[id], id);
        seen |= 1u << id;
        if (!d->fn(r, obj, id, t, err))
            return false;
    }
    lml_pq_tc_struct_end(r);
    for (int id = 1; id < 16; id++) {
        if (!(d->required & (1u << id)) || (seen & (1u << id)))
            continue;
        if (wrong[id])
            return lml_pq_tc_fail(r, err, "%s: required field '%s' (%d) has wire type %s, expected %s", d->name,
                                  d->fields[id], id, lml_pq_tc_type_name(wrong[id]), lml_pq_tc_type_name(d->types[id]));
        return lml_pq_tc_fail(r, err, "%s: required field '%s' (%d) missing", d->name, d->fields[id], id);
    }
    return true;
}

#define REQ(id) (1u << (id))

static bool f_has_i32(lml_pq_tc_reader *r, bool *has, int32_t *v, lml_error *err)
{
    return (*has = lml_pq_tc_read_i32(r, v, err));
}

static bool f_has_i64(lml_pq_tc_reader *r, bool *has, int64_t *v, lml_error *err)
{
    return (*has = lml_pq_tc_read_i64(r, v, err));
}

/* Copies a binary value out of the buffer; data is non-NULL even for zero bytes so that
 * "present but empty" stays distinct from "absent". A NUL terminator is added for strings. */
static bool copy_binary(lml_pq_tc_reader *r, lml_pq_bytes *out, lml_error *err)
{
    const uint8_t *d;
    size_t n;
    if (!lml_pq_tc_read_binary(r, &d, &n, err))
        return false;
    uint8_t *p = malloc(n + 1);
    if (!p)
        return lml_error_set(err, LML_ENOMEM, "%s: out of memory copying %zu bytes", r->what, n);
    memcpy(p, d, n);
    p[n] = 0;
    out->data = p;
    out->len = n;
    return true;
}

static bool rd_string(lml_pq_tc_reader *r, void *el, lml_error *err)
{
    lml_pq_bytes b = {0};
    if (!copy_binary(r, &b, err))
        return false;
    *(char **)el = (char *)b.data;
    return true;
}

static bool rd_i32_elem(lml_pq_tc_reader *r, void *el, lml_error *err) { return lml_pq_tc_read_i32(r, el, err); }

/* A list of `elem_type` elements of elsize bytes each. The array grows as elements decode (never
 * sized from the count alone, which the file controls), and *n counts every element that may
 * own memory so that the clear functions free a partial list. */
static bool rd_list(lml_pq_tc_reader *r, const char *st, const char *field, int elem_type, void *slot, size_t *n,
                    size_t elsize, elem_fn elem, lml_error *err)
{
    int et;
    size_t count;
    if (!lml_pq_tc_read_list(r, &et, &count, err))
        return false;
    if (count > 0 && et != elem_type)
        return lml_pq_tc_fail(r, err, "%s.%s: expected list<%s>, found list<%s>", st, field,
                              lml_pq_tc_type_name(elem_type), lml_pq_tc_type_name(et));
    /* `slot` is the address of the struct's typed array pointer (int32_t **, char ***, ...); it is
     * read and written with memcpy so no pointer is accessed through an incompatible type. */
    size_t cap = 0;
    char *a;
    memcpy(&a, slot, sizeof a);
    for (size_t i = 0; i < count; i++) {
        if (i == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            if (ncap > count)
                ncap = count;
            char *na = realloc(a, ncap * elsize);
            if (!na)
                return lml_error_set(err, LML_ENOMEM, "%s: out of memory for %s.%s", r->what, st, field);
            memset(na + cap * elsize, 0, (ncap - cap) * elsize);
            a = na;
            memcpy(slot, &a, sizeof a);
            cap = ncap;
        }
        *n = i + 1;
        if (!elem(r, a + i * elsize, err))
            return false;
    }
    return true;
}

enum { B = LML_PQ_TC_TRUE, I8 = LML_PQ_TC_I8, I16 = LML_PQ_TC_I16, I32 = LML_PQ_TC_I32, I64 = LML_PQ_TC_I64,
       BIN = LML_PQ_TC_BINARY, LST = LML_PQ_TC_LIST, ST = LML_PQ_TC_STRUCT };

/* ---- Statistics, KeyValue, PageEncodingStats, SortingColumn */

static bool stats_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    lml_pq_statistics *s = obj;
    switch (id) {
    case 1: return copy_binary(r, &s->max, err);
    case 2: return copy_binary(r, &s->min, err);
    case 3: return f_has_i64(r, &s->has_null_count, &s->null_count, err);
    case 4: return f_has_i64(r, &s->has_distinct_count, &s->distinct_count, err);
    case 5: return copy_binary(r, &s->max_value, err);
    case 6: return copy_binary(r, &s->min_value, err);
    case 7: s->has_is_max_value_exact = true; s->is_max_value_exact = t == LML_PQ_TC_TRUE; return true;
    case 8: s->has_is_min_value_exact = true; s->is_min_value_exact = t == LML_PQ_TC_TRUE; return true;
    default: return f_has_i64(r, &s->has_nan_count, &s->nan_count, err); /* 9 */
    }
}

static const sdesc STATS = {"Statistics", stats_field, {[1] = BIN, BIN, I64, I64, BIN, BIN, B, B, I64},
    {[1] = "max", "min", "null_count", "distinct_count", "max_value", "min_value", "is_max_value_exact",
     "is_min_value_exact", "nan_count"}, 0};

static bool rd_stats(lml_pq_tc_reader *r, lml_pq_statistics *st, lml_error *err)
{
    /* A page header may carry statistics in both its v1 and v2 sub-headers; keep the last. */
    lml_pq_statistics_clear(st);
    st->present = true;
    return rd_struct(r, &STATS, st, err);
}

static bool kv_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    (void)t;
    lml_pq_key_value *kv = obj;
    return rd_string(r, id == 1 ? (void *)&kv->key : (void *)&kv->value, err);
}

static const sdesc KV = {"KeyValue", kv_field, {[1] = BIN, BIN}, {[1] = "key", "value"}, REQ(1)};

static bool rd_kv(lml_pq_tc_reader *r, void *el, lml_error *err) { return rd_struct(r, &KV, el, err); }

static bool pes_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    (void)t;
    lml_pq_page_encoding_stats *p = obj;
    return lml_pq_tc_read_i32(r, id == 1 ? &p->page_type : id == 2 ? &p->encoding : &p->count, err);
}

static const sdesc PES = {"PageEncodingStats", pes_field, {[1] = I32, I32, I32},
    {[1] = "page_type", "encoding", "count"}, REQ(1) | REQ(2) | REQ(3)};

static bool rd_pes(lml_pq_tc_reader *r, void *el, lml_error *err) { return rd_struct(r, &PES, el, err); }

static bool sorting_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    lml_pq_sorting_column *c = obj;
    if (id == 1)
        return lml_pq_tc_read_i32(r, &c->column_idx, err);
    *(id == 2 ? &c->descending : &c->nulls_first) = t == LML_PQ_TC_TRUE;
    return true;
}

static const sdesc SORTING = {"SortingColumn", sorting_field, {[1] = I32, B, B},
    {[1] = "column_idx", "descending", "nulls_first"}, REQ(1) | REQ(2) | REQ(3)};

static bool rd_sorting(lml_pq_tc_reader *r, void *el, lml_error *err) { return rd_struct(r, &SORTING, el, err); }

/* ---- unions: LogicalType, TimeUnit, ColumnOrder */

/* Reads a union's member header; type STOP when the union is empty. */
static bool union_begin(lml_pq_tc_reader *r, int16_t *id, int *t, lml_error *err)
{
    return lml_pq_tc_struct_begin(r, err) && lml_pq_tc_read_field(r, id, t, err);
}

/* Expects the union's STOP: a second member is corrupt. */
static bool union_end(lml_pq_tc_reader *r, const char *name, int t, lml_error *err)
{
    int16_t id;
    if (t != LML_PQ_TC_STOP) {
        if (!lml_pq_tc_read_field(r, &id, &t, err))
            return false;
        if (t != LML_PQ_TC_STOP)
            return lml_pq_tc_fail(r, err, "%s: union has more than one member set (field %d)", name, id);
    }
    lml_pq_tc_struct_end(r);
    return true;
}

/* A member struct whose contents we do not keep (StringType {}, MICROS {} ...): skipped whole, so
 * members that grew optional fields (VariantType, GeometryType) still decode. */
static bool skip_member(lml_pq_tc_reader *r, const char *name, int16_t id, int t, lml_error *err)
{
    if (t != LML_PQ_TC_STRUCT)
        return lml_pq_tc_fail(r, err, "%s member %d: expected struct, found %s", name, id, lml_pq_tc_type_name(t));
    return lml_pq_tc_skip(r, t, err);
}

static bool rd_time_unit(lml_pq_tc_reader *r, int *unit, lml_error *err)
{
    int16_t id;
    int t;
    if (!union_begin(r, &id, &t, err))
        return false;
    if (t == LML_PQ_TC_STOP)
        return lml_pq_tc_fail(r, err, "TimeUnit: no member set");
    *unit = id; /* an unknown unit is kept: the reader refuses it */
    bool ok = id >= LML_PQ_MILLIS && id <= LML_PQ_NANOS ? skip_member(r, "TimeUnit", id, t, err)
                                                        : lml_pq_tc_skip(r, t, err);
    return ok && union_end(r, "TimeUnit", t, err);
}

static bool logical_member_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    lml_pq_logical_type *lt = obj;
    int8_t w;
    switch (lt->kind) {
    case LML_PQ_LT_DECIMAL:
        return lml_pq_tc_read_i32(r, id == 1 ? &lt->scale : &lt->precision, err);
    case LML_PQ_LT_INTEGER:
        if (id == 2) {
            lt->is_signed = t == LML_PQ_TC_TRUE;
            return true;
        }
        if (!lml_pq_tc_read_i8(r, &w, err))
            return false;
        lt->bit_width = w;
        return true;
    default: /* TIME, TIMESTAMP */
        if (id == 1) {
            lt->adjusted_to_utc = t == LML_PQ_TC_TRUE;
            return true;
        }
        return rd_time_unit(r, &lt->unit, err);
    }
}

static const sdesc DECIMAL = {"DecimalType", logical_member_field, {[1] = I32, I32}, {[1] = "scale", "precision"},
                              REQ(1) | REQ(2)};
static const sdesc INTTYPE = {"IntType", logical_member_field, {[1] = I8, B}, {[1] = "bitWidth", "isSigned"},
                              REQ(1) | REQ(2)};
static const sdesc TIMETYPE = {"TimeType", logical_member_field, {[1] = B, ST}, {[1] = "isAdjustedToUTC", "unit"},
                               REQ(1) | REQ(2)};
static const sdesc TSTYPE = {"TimestampType", logical_member_field, {[1] = B, ST},
                             {[1] = "isAdjustedToUTC", "unit"}, REQ(1) | REQ(2)};

static bool rd_logical(lml_pq_tc_reader *r, lml_pq_logical_type *lt, lml_error *err)
{
    int16_t id;
    int t;
    memset(lt, 0, sizeof *lt);
    if (!union_begin(r, &id, &t, err))
        return false;
    if (t == LML_PQ_TC_STOP) /* empty union: no annotation; ConvertedType still applies */
        return union_end(r, "LogicalType", t, err);
    lt->kind = id; /* unknown member ids are kept; the reader falls back to the physical type */
    const sdesc *d = id == LML_PQ_LT_DECIMAL ? &DECIMAL : id == LML_PQ_LT_INTEGER ? &INTTYPE
                   : id == LML_PQ_LT_TIME ? &TIMETYPE : id == LML_PQ_LT_TIMESTAMP ? &TSTYPE : NULL;
    bool ok;
    if (d)
        ok = t == LML_PQ_TC_STRUCT ? rd_struct(r, d, lt, err) : skip_member(r, "LogicalType", id, t, err);
    else if (id >= LML_PQ_LT_STRING && id <= LML_PQ_LT_GEOGRAPHY && id != 9)
        ok = skip_member(r, "LogicalType", id, t, err);
    else
        ok = lml_pq_tc_skip(r, t, err);
    return ok && union_end(r, "LogicalType", t, err);
}

static bool rd_column_order(lml_pq_tc_reader *r, void *el, lml_error *err)
{
    int16_t id;
    int t;
    if (!union_begin(r, &id, &t, err))
        return false;
    *(int32_t *)el = id; /* 0 for an empty union; unknown orders are kept for the reader to ignore */
    if (t != LML_PQ_TC_STOP && !lml_pq_tc_skip(r, t, err))
        return false;
    return union_end(r, "ColumnOrder", t, err);
}

/* ---- SchemaElement */

static bool schema_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    (void)t;
    lml_pq_schema_element *e = obj;
    switch (id) {
    case 1: return f_has_i32(r, &e->has_type, &e->type, err);
    case 2: return f_has_i32(r, &e->has_type_length, &e->type_length, err);
    case 3: return f_has_i32(r, &e->has_repetition, &e->repetition, err);
    case 4: return rd_string(r, &e->name, err);
    case 5: return f_has_i32(r, &e->has_num_children, &e->num_children, err);
    case 6: return f_has_i32(r, &e->has_converted_type, &e->converted_type, err);
    case 7: return f_has_i32(r, &e->has_scale, &e->scale, err);
    case 8: return f_has_i32(r, &e->has_precision, &e->precision, err);
    case 9: return f_has_i32(r, &e->has_field_id, &e->field_id, err);
    default: return rd_logical(r, &e->logical, err); /* 10 */
    }
}

static const sdesc SCHEMA = {"SchemaElement", schema_field, {[1] = I32, I32, I32, BIN, I32, I32, I32, I32, I32, ST},
    {[1] = "type", "type_length", "repetition_type", "name", "num_children", "converted_type", "scale", "precision",
     "field_id", "logicalType"}, REQ(4)};

static bool rd_schema(lml_pq_tc_reader *r, void *el, lml_error *err) { return rd_struct(r, &SCHEMA, el, err); }

/* ---- ColumnMetaData, ColumnChunk, RowGroup */

static bool colmeta_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    (void)t;
    lml_pq_column_meta *m = obj;
    const char *st = "ColumnMetaData";
    switch (id) {
    case 1: return lml_pq_tc_read_i32(r, &m->type, err);
    case 2:
        return rd_list(r, st, "encodings", I32, &m->encodings, &m->num_encodings, sizeof *m->encodings,
                       rd_i32_elem, err);
    case 3:
        return rd_list(r, st, "path_in_schema", BIN, &m->path_in_schema, &m->path_len,
                       sizeof *m->path_in_schema, rd_string, err);
    case 4: return lml_pq_tc_read_i32(r, &m->codec, err);
    case 5: return lml_pq_tc_read_i64(r, &m->num_values, err);
    case 6: return lml_pq_tc_read_i64(r, &m->total_uncompressed_size, err);
    case 7: return lml_pq_tc_read_i64(r, &m->total_compressed_size, err);
    case 8: return rd_list(r, st, "key_value_metadata", ST, &m->kv, &m->num_kv, sizeof *m->kv, rd_kv, err);
    case 9: return lml_pq_tc_read_i64(r, &m->data_page_offset, err);
    case 10: return f_has_i64(r, &m->has_index_page_offset, &m->index_page_offset, err);
    case 11: return f_has_i64(r, &m->has_dictionary_page_offset, &m->dictionary_page_offset, err);
    case 12: return rd_stats(r, &m->statistics, err);
    case 13:
        return rd_list(r, st, "encoding_stats", ST, &m->encoding_stats, &m->num_encoding_stats,
                       sizeof *m->encoding_stats, rd_pes, err);
    case 14: return f_has_i64(r, &m->has_bloom_filter_offset, &m->bloom_filter_offset, err);
    default: return f_has_i32(r, &m->has_bloom_filter_length, &m->bloom_filter_length, err); /* 15 */
    }
}

static const sdesc COLMETA = {"ColumnMetaData", colmeta_field,
    {[1] = I32, LST, LST, I32, I64, I64, I64, LST, I64, I64, I64, ST, LST, I64, I32},
    {[1] = "type", "encodings", "path_in_schema", "codec", "num_values", "total_uncompressed_size",
     "total_compressed_size", "key_value_metadata", "data_page_offset", "index_page_offset",
     "dictionary_page_offset", "statistics", "encoding_stats", "bloom_filter_offset", "bloom_filter_length"},
    REQ(1) | REQ(2) | REQ(3) | REQ(4) | REQ(5) | REQ(6) | REQ(7) | REQ(9)};

static bool chunk_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    lml_pq_column_chunk *c = obj;
    switch (id) {
    case 1: return rd_string(r, &c->file_path, err);
    case 2: return lml_pq_tc_read_i64(r, &c->file_offset, err);
    case 3: return (c->has_meta_data = true) && rd_struct(r, &COLMETA, &c->meta, err);
    case 4: return f_has_i64(r, &c->has_offset_index, &c->offset_index_offset, err);
    case 5: return lml_pq_tc_read_i32(r, &c->offset_index_length, err);
    case 6: return f_has_i64(r, &c->has_column_index, &c->column_index_offset, err);
    case 7: return lml_pq_tc_read_i32(r, &c->column_index_length, err);
    default:
        /* 8 crypto_metadata / 9 encrypted_column_metadata: the reader refuses encrypted columns. */
        c->encrypted = true;
        return lml_pq_tc_skip(r, t, err);
    }
}

static const sdesc CHUNK = {"ColumnChunk", chunk_field, {[1] = BIN, I64, ST, I64, I32, I64, I32, ST, BIN},
    {[1] = "file_path", "file_offset", "meta_data", "offset_index_offset", "offset_index_length",
     "column_index_offset", "column_index_length", "crypto_metadata", "encrypted_column_metadata"}, REQ(2)};

static bool rd_chunk(lml_pq_tc_reader *r, void *el, lml_error *err) { return rd_struct(r, &CHUNK, el, err); }

static bool rowgroup_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    (void)t;
    lml_pq_row_group *g = obj;
    switch (id) {
    case 1:
        return rd_list(r, "RowGroup", "columns", ST, &g->columns, &g->num_columns, sizeof *g->columns,
                       rd_chunk, err);
    case 2: return lml_pq_tc_read_i64(r, &g->total_byte_size, err);
    case 3: return lml_pq_tc_read_i64(r, &g->num_rows, err);
    case 4:
        return rd_list(r, "RowGroup", "sorting_columns", ST, &g->sorting_columns, &g->num_sorting_columns,
                       sizeof *g->sorting_columns, rd_sorting, err);
    case 5: return f_has_i64(r, &g->has_file_offset, &g->file_offset, err);
    case 6: return f_has_i64(r, &g->has_total_compressed_size, &g->total_compressed_size, err);
    default: return (g->has_ordinal = lml_pq_tc_read_i16(r, &g->ordinal, err)); /* 7 */
    }
}

static const sdesc ROWGROUP = {"RowGroup", rowgroup_field, {[1] = LST, I64, I64, LST, I64, I64, I16},
    {[1] = "columns", "total_byte_size", "num_rows", "sorting_columns", "file_offset", "total_compressed_size",
     "ordinal"}, REQ(1) | REQ(2) | REQ(3)};

static bool rd_rowgroup(lml_pq_tc_reader *r, void *el, lml_error *err) { return rd_struct(r, &ROWGROUP, el, err); }

/* ---- FileMetaData */

static bool filemeta_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    lml_pq_file_meta *m = obj;
    const char *st = "FileMetaData";
    switch (id) {
    case 1: return lml_pq_tc_read_i32(r, &m->version, err);
    case 2:
        return rd_list(r, st, "schema", ST, &m->schema, &m->num_schema, sizeof *m->schema, rd_schema, err);
    case 3: return lml_pq_tc_read_i64(r, &m->num_rows, err);
    case 4:
        return rd_list(r, st, "row_groups", ST, &m->row_groups, &m->num_row_groups, sizeof *m->row_groups,
                       rd_rowgroup, err);
    case 5: return rd_list(r, st, "key_value_metadata", ST, &m->kv, &m->num_kv, sizeof *m->kv, rd_kv, err);
    case 6: return rd_string(r, &m->created_by, err);
    case 7:
        return rd_list(r, st, "column_orders", ST, &m->column_orders, &m->num_column_orders,
                       sizeof *m->column_orders, rd_column_order, err);
    default:
        /* 8 encryption_algorithm / 9 footer_signing_key_metadata: refused by the reader. */
        m->encrypted = true;
        return lml_pq_tc_skip(r, t, err);
    }
}

static const sdesc FILEMETA = {"FileMetaData", filemeta_field, {[1] = I32, LST, I64, LST, LST, BIN, LST, ST, BIN},
    {[1] = "version", "schema", "num_rows", "row_groups", "key_value_metadata", "created_by", "column_orders",
     "encryption_algorithm", "footer_signing_key_metadata"}, REQ(1) | REQ(2) | REQ(3) | REQ(4)};

bool lml_pq_file_meta_decode(const uint8_t *buf, size_t len, const char *what, lml_pq_file_meta *out, lml_error *err)
{
    lml_pq_tc_reader r;
    lml_pq_tc_reader_init(&r, buf, len, what);
    memset(out, 0, sizeof *out);
    if (!rd_struct(&r, &FILEMETA, out, err)) {
        lml_pq_file_meta_clear(out);
        return false;
    }
    return true;
}

/* ---- PageHeader */

static bool dp_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    (void)t;
    lml_pq_page_header *h = obj;
    switch (id) {
    case 1: return lml_pq_tc_read_i32(r, &h->dp_num_values, err);
    case 2: return lml_pq_tc_read_i32(r, &h->dp_encoding, err);
    case 3: return lml_pq_tc_read_i32(r, &h->dp_def_encoding, err);
    case 4: return lml_pq_tc_read_i32(r, &h->dp_rep_encoding, err);
    default: return rd_stats(r, &h->statistics, err); /* 5 */
    }
}

static const sdesc DATAPAGE = {"DataPageHeader", dp_field, {[1] = I32, I32, I32, I32, ST},
    {[1] = "num_values", "encoding", "definition_level_encoding", "repetition_level_encoding", "statistics"},
    REQ(1) | REQ(2) | REQ(3) | REQ(4)};

static bool dict_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    lml_pq_page_header *h = obj;
    if (id == 3) {
        h->dict_is_sorted = t == LML_PQ_TC_TRUE;
        return true;
    }
    return lml_pq_tc_read_i32(r, id == 1 ? &h->dict_num_values : &h->dict_encoding, err);
}

static const sdesc DICTPAGE = {"DictionaryPageHeader", dict_field, {[1] = I32, I32, B},
    {[1] = "num_values", "encoding", "is_sorted"}, REQ(1) | REQ(2)};

static bool v2_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    lml_pq_page_header *h = obj;
    switch (id) {
    case 1: return lml_pq_tc_read_i32(r, &h->v2_num_values, err);
    case 2: return lml_pq_tc_read_i32(r, &h->v2_num_nulls, err);
    case 3: return lml_pq_tc_read_i32(r, &h->v2_num_rows, err);
    case 4: return lml_pq_tc_read_i32(r, &h->v2_encoding, err);
    case 5: return lml_pq_tc_read_i32(r, &h->v2_def_length, err);
    case 6: return lml_pq_tc_read_i32(r, &h->v2_rep_length, err);
    case 7: h->v2_is_compressed = t == LML_PQ_TC_TRUE; return true;
    default: return rd_stats(r, &h->statistics, err); /* 8 */
    }
}

static const sdesc DATAPAGE2 = {"DataPageHeaderV2", v2_field, {[1] = I32, I32, I32, I32, I32, I32, B, ST},
    {[1] = "num_values", "num_nulls", "num_rows", "encoding", "definition_levels_byte_length",
     "repetition_levels_byte_length", "is_compressed", "statistics"},
    REQ(1) | REQ(2) | REQ(3) | REQ(4) | REQ(5) | REQ(6)};

static bool page_field(lml_pq_tc_reader *r, void *obj, int16_t id, int t, lml_error *err)
{
    (void)t;
    lml_pq_page_header *h = obj;
    int32_t crc;
    switch (id) {
    case 1: return lml_pq_tc_read_i32(r, &h->type, err);
    case 2: return lml_pq_tc_read_i32(r, &h->uncompressed_page_size, err);
    case 3: return lml_pq_tc_read_i32(r, &h->compressed_page_size, err);
    case 4:
        if (!lml_pq_tc_read_i32(r, &crc, err))
            return false;
        h->has_crc = true;
        h->crc = (uint32_t)crc;
        return true;
    case 5: return (h->has_data_page = true) && rd_struct(r, &DATAPAGE, h, err);
    case 6: return lml_pq_tc_skip(r, t, err); /* IndexPageHeader {}: never written */
    case 7: return (h->has_dictionary_page = true) && rd_struct(r, &DICTPAGE, h, err);
    default: return (h->has_data_page_v2 = true) && rd_struct(r, &DATAPAGE2, h, err); /* 8 */
    }
}

static const sdesc PAGEHEADER = {"PageHeader", page_field, {[1] = I32, I32, I32, I32, ST, ST, ST, ST},
    {[1] = "type", "uncompressed_page_size", "compressed_page_size", "crc", "data_page_header",
     "index_page_header", "dictionary_page_header", "data_page_header_v2"}, REQ(1) | REQ(2) | REQ(3)};

bool lml_pq_page_header_decode(const uint8_t *buf, size_t len, const char *what, lml_pq_page_header *out,
                               size_t *used, lml_error *err)
{
    lml_pq_tc_reader r;
    lml_pq_tc_reader_init(&r, buf, len, what);
    memset(out, 0, sizeof *out);
    out->v2_is_compressed = true; /* the Thrift default */
    if (!rd_struct(&r, &PAGEHEADER, out, err)) {
        lml_pq_page_header_clear(out);
        return false;
    }
    if (used)
        *used = lml_pq_tc_offset(&r);
    return true;
}

/* ---- clearing */

void lml_pq_statistics_clear(lml_pq_statistics *s)
{
    if (!s)
        return;
    free(s->max.data);
    free(s->min.data);
    free(s->max_value.data);
    free(s->min_value.data);
    memset(s, 0, sizeof *s);
}

static void kv_free(lml_pq_key_value *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static void column_meta_clear(lml_pq_column_meta *m)
{
    free(m->encodings);
    for (size_t i = 0; i < m->path_len; i++)
        free(m->path_in_schema[i]);
    free(m->path_in_schema);
    kv_free(m->kv, m->num_kv);
    lml_pq_statistics_clear(&m->statistics);
    free(m->encoding_stats);
}

void lml_pq_file_meta_clear(lml_pq_file_meta *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->num_schema; i++)
        free(m->schema[i].name);
    free(m->schema);
    for (size_t g = 0; g < m->num_row_groups; g++) {
        lml_pq_row_group *rg = &m->row_groups[g];
        for (size_t c = 0; c < rg->num_columns; c++) {
            free(rg->columns[c].file_path);
            column_meta_clear(&rg->columns[c].meta);
        }
        free(rg->columns);
        free(rg->sorting_columns);
    }
    free(m->row_groups);
    kv_free(m->kv, m->num_kv);
    free(m->created_by);
    free(m->column_orders);
    memset(m, 0, sizeof *m);
}

void lml_pq_page_header_clear(lml_pq_page_header *h)
{
    if (!h)
        return;
    lml_pq_statistics_clear(&h->statistics);
    memset(h, 0, sizeof *h);
}
