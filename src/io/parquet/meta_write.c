/* Encoding of Parquet metadata to the Thrift compact protocol (spec/parquet.md §2–3). Fields are
 * written in ascending id order and only when set, which is what parquet-mr (and so Spark) emits
 * for the same values: the bytes of §2.6 come out exactly. Writer errors are sticky in the
 * lml_pq_tc_writer and checked once at the end. */
#include "meta.h"
#include "thrift.h"

#include <string.h>

typedef lml_pq_tc_writer W;

static void wr_bytes_field(W *w, int16_t id, const lml_pq_bytes *b)
{
    if (b->data)
        lml_pq_tc_field_binary(w, id, b->data, b->len);
}

static void wr_statistics(W *w, int16_t id, const lml_pq_statistics *s)
{
    if (!s->present)
        return;
    lml_pq_tc_field_struct_begin(w, id);
    wr_bytes_field(w, 1, &s->max);
    wr_bytes_field(w, 2, &s->min);
    if (s->has_null_count)
        lml_pq_tc_field_i64(w, 3, s->null_count);
    if (s->has_distinct_count)
        lml_pq_tc_field_i64(w, 4, s->distinct_count);
    wr_bytes_field(w, 5, &s->max_value);
    wr_bytes_field(w, 6, &s->min_value);
    if (s->has_is_max_value_exact)
        lml_pq_tc_write_bool_field(w, 7, s->is_max_value_exact);
    if (s->has_is_min_value_exact)
        lml_pq_tc_write_bool_field(w, 8, s->is_min_value_exact);
    if (s->has_nan_count)
        lml_pq_tc_field_i64(w, 9, s->nan_count);
    lml_pq_tc_write_struct_end(w);
}

static void wr_kv_list(W *w, int16_t id, const lml_pq_key_value *kv, size_t n)
{
    if (n == 0)
        return;
    lml_pq_tc_write_field(w, id, LML_PQ_TC_LIST);
    lml_pq_tc_write_list(w, LML_PQ_TC_STRUCT, n);
    for (size_t i = 0; i < n; i++) {
        lml_pq_tc_write_struct_begin(w);
        lml_pq_tc_field_string(w, 1, kv[i].key ? kv[i].key : "");
        if (kv[i].value)
            lml_pq_tc_field_string(w, 2, kv[i].value);
        lml_pq_tc_write_struct_end(w);
    }
}

/* An empty member struct of a union: field header + STOP. */
static void wr_empty_member(W *w, int16_t id)
{
    lml_pq_tc_field_struct_begin(w, id);
    lml_pq_tc_write_struct_end(w);
}

static void wr_logical(W *w, const lml_pq_logical_type *lt)
{
    if (lt->kind == LML_PQ_LT_NONE)
        return;
    lml_pq_tc_field_struct_begin(w, 10);
    int16_t kind = (int16_t)lt->kind;
    switch (lt->kind) {
    case LML_PQ_LT_DECIMAL:
        lml_pq_tc_field_struct_begin(w, kind);
        lml_pq_tc_field_i32(w, 1, lt->scale);
        lml_pq_tc_field_i32(w, 2, lt->precision);
        lml_pq_tc_write_struct_end(w);
        break;
    case LML_PQ_LT_TIME:
    case LML_PQ_LT_TIMESTAMP:
        lml_pq_tc_field_struct_begin(w, kind);
        lml_pq_tc_write_bool_field(w, 1, lt->adjusted_to_utc);
        lml_pq_tc_field_struct_begin(w, 2);
        wr_empty_member(w, (int16_t)lt->unit);
        lml_pq_tc_write_struct_end(w);
        lml_pq_tc_write_struct_end(w);
        break;
    case LML_PQ_LT_INTEGER:
        lml_pq_tc_field_struct_begin(w, kind);
        lml_pq_tc_write_field(w, 1, LML_PQ_TC_I8);
        lml_pq_tc_write_i8(w, (int8_t)lt->bit_width);
        lml_pq_tc_write_bool_field(w, 2, lt->is_signed);
        lml_pq_tc_write_struct_end(w);
        break;
    default:
        /* Members without fields, and members we only know by id, encode as an empty struct. */
        wr_empty_member(w, kind);
    }
    lml_pq_tc_write_struct_end(w);
}

static void wr_schema_element(W *w, const lml_pq_schema_element *e)
{
    lml_pq_tc_write_struct_begin(w);
    if (e->has_type)
        lml_pq_tc_field_i32(w, 1, e->type);
    if (e->has_type_length)
        lml_pq_tc_field_i32(w, 2, e->type_length);
    if (e->has_repetition)
        lml_pq_tc_field_i32(w, 3, e->repetition);
    lml_pq_tc_field_string(w, 4, e->name ? e->name : "");
    if (e->has_num_children)
        lml_pq_tc_field_i32(w, 5, e->num_children);
    if (e->has_converted_type)
        lml_pq_tc_field_i32(w, 6, e->converted_type);
    if (e->has_scale)
        lml_pq_tc_field_i32(w, 7, e->scale);
    if (e->has_precision)
        lml_pq_tc_field_i32(w, 8, e->precision);
    if (e->has_field_id)
        lml_pq_tc_field_i32(w, 9, e->field_id);
    wr_logical(w, &e->logical);
    lml_pq_tc_write_struct_end(w);
}

static void wr_column_meta(W *w, const lml_pq_column_meta *m)
{
    lml_pq_tc_field_struct_begin(w, 3);
    lml_pq_tc_field_i32(w, 1, m->type);
    lml_pq_tc_write_field(w, 2, LML_PQ_TC_LIST);
    lml_pq_tc_write_list(w, LML_PQ_TC_I32, m->num_encodings);
    for (size_t i = 0; i < m->num_encodings; i++)
        lml_pq_tc_write_i32(w, m->encodings[i]);
    lml_pq_tc_write_field(w, 3, LML_PQ_TC_LIST);
    lml_pq_tc_write_list(w, LML_PQ_TC_BINARY, m->path_len);
    for (size_t i = 0; i < m->path_len; i++) {
        const char *p = m->path_in_schema[i] ? m->path_in_schema[i] : "";
        lml_pq_tc_write_binary(w, p, strlen(p));
    }
    lml_pq_tc_field_i32(w, 4, m->codec);
    lml_pq_tc_field_i64(w, 5, m->num_values);
    lml_pq_tc_field_i64(w, 6, m->total_uncompressed_size);
    lml_pq_tc_field_i64(w, 7, m->total_compressed_size);
    wr_kv_list(w, 8, m->kv, m->num_kv);
    lml_pq_tc_field_i64(w, 9, m->data_page_offset);
    if (m->has_index_page_offset)
        lml_pq_tc_field_i64(w, 10, m->index_page_offset);
    if (m->has_dictionary_page_offset)
        lml_pq_tc_field_i64(w, 11, m->dictionary_page_offset);
    wr_statistics(w, 12, &m->statistics);
    if (m->num_encoding_stats) {
        lml_pq_tc_write_field(w, 13, LML_PQ_TC_LIST);
        lml_pq_tc_write_list(w, LML_PQ_TC_STRUCT, m->num_encoding_stats);
        for (size_t i = 0; i < m->num_encoding_stats; i++) {
            lml_pq_tc_write_struct_begin(w);
            lml_pq_tc_field_i32(w, 1, m->encoding_stats[i].page_type);
            lml_pq_tc_field_i32(w, 2, m->encoding_stats[i].encoding);
            lml_pq_tc_field_i32(w, 3, m->encoding_stats[i].count);
            lml_pq_tc_write_struct_end(w);
        }
    }
    if (m->has_bloom_filter_offset)
        lml_pq_tc_field_i64(w, 14, m->bloom_filter_offset);
    if (m->has_bloom_filter_length)
        lml_pq_tc_field_i32(w, 15, m->bloom_filter_length);
    lml_pq_tc_write_struct_end(w);
}

static void wr_column_chunk(W *w, const lml_pq_column_chunk *c)
{
    lml_pq_tc_write_struct_begin(w);
    if (c->file_path)
        lml_pq_tc_field_string(w, 1, c->file_path);
    lml_pq_tc_field_i64(w, 2, c->file_offset);
    if (c->has_meta_data)
        wr_column_meta(w, &c->meta);
    if (c->has_offset_index) {
        lml_pq_tc_field_i64(w, 4, c->offset_index_offset);
        lml_pq_tc_field_i32(w, 5, c->offset_index_length);
    }
    if (c->has_column_index) {
        lml_pq_tc_field_i64(w, 6, c->column_index_offset);
        lml_pq_tc_field_i32(w, 7, c->column_index_length);
    }
    lml_pq_tc_write_struct_end(w);
}

static void wr_row_group(W *w, const lml_pq_row_group *g)
{
    lml_pq_tc_write_struct_begin(w);
    lml_pq_tc_write_field(w, 1, LML_PQ_TC_LIST);
    lml_pq_tc_write_list(w, LML_PQ_TC_STRUCT, g->num_columns);
    for (size_t i = 0; i < g->num_columns; i++)
        wr_column_chunk(w, &g->columns[i]);
    lml_pq_tc_field_i64(w, 2, g->total_byte_size);
    lml_pq_tc_field_i64(w, 3, g->num_rows);
    if (g->num_sorting_columns) {
        lml_pq_tc_write_field(w, 4, LML_PQ_TC_LIST);
        lml_pq_tc_write_list(w, LML_PQ_TC_STRUCT, g->num_sorting_columns);
        for (size_t i = 0; i < g->num_sorting_columns; i++) {
            lml_pq_tc_write_struct_begin(w);
            lml_pq_tc_field_i32(w, 1, g->sorting_columns[i].column_idx);
            lml_pq_tc_write_bool_field(w, 2, g->sorting_columns[i].descending);
            lml_pq_tc_write_bool_field(w, 3, g->sorting_columns[i].nulls_first);
            lml_pq_tc_write_struct_end(w);
        }
    }
    if (g->has_file_offset)
        lml_pq_tc_field_i64(w, 5, g->file_offset);
    if (g->has_total_compressed_size)
        lml_pq_tc_field_i64(w, 6, g->total_compressed_size);
    if (g->has_ordinal) {
        lml_pq_tc_write_field(w, 7, LML_PQ_TC_I16);
        lml_pq_tc_write_i32(w, g->ordinal);
    }
    lml_pq_tc_write_struct_end(w);
}

/* On failure the partial output is dropped, leaving *len as it was. */
static bool finish(W *w, size_t start, lml_error *err)
{
    if (lml_pq_tc_writer_finish(w, err))
        return true;
    *w->len = start;
    return false;
}

bool lml_pq_file_meta_encode(const lml_pq_file_meta *m, uint8_t **buf, size_t *len, size_t *cap, lml_error *err)
{
    /* The crypto fields are not modelled, so encrypted metadata could only be written wrongly. */
    if (m->encrypted)
        return lml_error_set(err, LML_EUNSUPPORTED, "parquet writer: encrypted metadata cannot be written");
    for (size_t g = 0; g < m->num_row_groups; g++)
        for (size_t c = 0; c < m->row_groups[g].num_columns; c++)
            if (m->row_groups[g].columns[c].encrypted)
                return lml_error_set(err, LML_EUNSUPPORTED,
                                     "parquet writer: row group %zu column %zu: encrypted column metadata cannot be written",
                                     g, c);
    W w;
    size_t start = *len;
    lml_pq_tc_writer_init(&w, buf, len, cap);
    lml_pq_tc_write_struct_begin(&w);
    lml_pq_tc_field_i32(&w, 1, m->version);
    lml_pq_tc_write_field(&w, 2, LML_PQ_TC_LIST);
    lml_pq_tc_write_list(&w, LML_PQ_TC_STRUCT, m->num_schema);
    for (size_t i = 0; i < m->num_schema; i++)
        wr_schema_element(&w, &m->schema[i]);
    lml_pq_tc_field_i64(&w, 3, m->num_rows);
    lml_pq_tc_write_field(&w, 4, LML_PQ_TC_LIST);
    lml_pq_tc_write_list(&w, LML_PQ_TC_STRUCT, m->num_row_groups);
    for (size_t i = 0; i < m->num_row_groups; i++)
        wr_row_group(&w, &m->row_groups[i]);
    wr_kv_list(&w, 5, m->kv, m->num_kv);
    if (m->created_by)
        lml_pq_tc_field_string(&w, 6, m->created_by);
    if (m->num_column_orders) {
        lml_pq_tc_write_field(&w, 7, LML_PQ_TC_LIST);
        lml_pq_tc_write_list(&w, LML_PQ_TC_STRUCT, m->num_column_orders);
        for (size_t i = 0; i < m->num_column_orders; i++) {
            lml_pq_tc_write_struct_begin(&w);
            wr_empty_member(&w, (int16_t)m->column_orders[i]);
            lml_pq_tc_write_struct_end(&w);
        }
    }
    lml_pq_tc_write_struct_end(&w);
    return finish(&w, start, err);
}

bool lml_pq_page_header_encode(const lml_pq_page_header *h, uint8_t **buf, size_t *len, size_t *cap, lml_error *err)
{
    W w;
    size_t start = *len;
    lml_pq_tc_writer_init(&w, buf, len, cap);
    lml_pq_tc_write_struct_begin(&w);
    lml_pq_tc_field_i32(&w, 1, h->type);
    lml_pq_tc_field_i32(&w, 2, h->uncompressed_page_size);
    lml_pq_tc_field_i32(&w, 3, h->compressed_page_size);
    if (h->has_crc)
        lml_pq_tc_field_i32(&w, 4, (int32_t)h->crc);
    if (h->has_data_page) {
        lml_pq_tc_field_struct_begin(&w, 5);
        lml_pq_tc_field_i32(&w, 1, h->dp_num_values);
        lml_pq_tc_field_i32(&w, 2, h->dp_encoding);
        lml_pq_tc_field_i32(&w, 3, h->dp_def_encoding);
        lml_pq_tc_field_i32(&w, 4, h->dp_rep_encoding);
        wr_statistics(&w, 5, &h->statistics);
        lml_pq_tc_write_struct_end(&w);
    }
    if (h->has_dictionary_page) {
        lml_pq_tc_field_struct_begin(&w, 7);
        lml_pq_tc_field_i32(&w, 1, h->dict_num_values);
        lml_pq_tc_field_i32(&w, 2, h->dict_encoding);
        /* parquet-mr leaves is_sorted unset; only a sorted dictionary says so. */
        if (h->dict_is_sorted)
            lml_pq_tc_write_bool_field(&w, 3, true);
        lml_pq_tc_write_struct_end(&w);
    }
    if (h->has_data_page_v2) {
        lml_pq_tc_field_struct_begin(&w, 8);
        lml_pq_tc_field_i32(&w, 1, h->v2_num_values);
        lml_pq_tc_field_i32(&w, 2, h->v2_num_nulls);
        lml_pq_tc_field_i32(&w, 3, h->v2_num_rows);
        lml_pq_tc_field_i32(&w, 4, h->v2_encoding);
        lml_pq_tc_field_i32(&w, 5, h->v2_def_length);
        lml_pq_tc_field_i32(&w, 6, h->v2_rep_length);
        /* The Thrift default is true, so only an uncompressed body needs the field. */
        if (!h->v2_is_compressed)
            lml_pq_tc_write_bool_field(&w, 7, false);
        /* Statistics belong to whichever sub-header the page has; v1 took them above. */
        if (!h->has_data_page)
            wr_statistics(&w, 8, &h->statistics);
        lml_pq_tc_write_struct_end(&w);
    }
    lml_pq_tc_write_struct_end(&w);
    return finish(&w, start, err);
}
