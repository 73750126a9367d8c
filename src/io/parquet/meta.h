/* Parquet file metadata (parquet.thrift, spec/parquet.md §3) as plain C structs, decoded from and
 * encoded to the Thrift compact protocol (meta_read.c, meta_write.c). Internal header.
 *
 * Ownership: every struct owns its arrays and strings; byte strings (Statistics values, key/value
 * metadata) are copied out of the file buffer, so a decoded FileMetaData outlives the buffer.
 * Optional fields carry a has_<name> flag (or a NULL pointer for strings/structs/lists). */
#ifndef LML_IO_PARQUET_META_H
#define LML_IO_PARQUET_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"

/* Physical types. */
enum { LML_PQ_BOOLEAN = 0, LML_PQ_INT32, LML_PQ_INT64, LML_PQ_INT96, LML_PQ_FLOAT, LML_PQ_DOUBLE,
       LML_PQ_BYTE_ARRAY, LML_PQ_FIXED_LEN_BYTE_ARRAY };
/* FieldRepetitionType. */
enum { LML_PQ_REQUIRED = 0, LML_PQ_OPTIONAL, LML_PQ_REPEATED };
/* ConvertedType. */
enum { LML_PQ_CT_UTF8 = 0, LML_PQ_CT_MAP, LML_PQ_CT_MAP_KEY_VALUE, LML_PQ_CT_LIST, LML_PQ_CT_ENUM,
       LML_PQ_CT_DECIMAL, LML_PQ_CT_DATE, LML_PQ_CT_TIME_MILLIS, LML_PQ_CT_TIME_MICROS,
       LML_PQ_CT_TIMESTAMP_MILLIS, LML_PQ_CT_TIMESTAMP_MICROS, LML_PQ_CT_UINT_8, LML_PQ_CT_UINT_16,
       LML_PQ_CT_UINT_32, LML_PQ_CT_UINT_64, LML_PQ_CT_INT_8, LML_PQ_CT_INT_16, LML_PQ_CT_INT_32,
       LML_PQ_CT_INT_64, LML_PQ_CT_JSON, LML_PQ_CT_BSON, LML_PQ_CT_INTERVAL };
/* Encoding. */
enum { LML_PQ_PLAIN = 0, LML_PQ_PLAIN_DICTIONARY = 2, LML_PQ_RLE = 3, LML_PQ_BIT_PACKED = 4,
       LML_PQ_DELTA_BINARY_PACKED = 5, LML_PQ_DELTA_LENGTH_BYTE_ARRAY = 6, LML_PQ_DELTA_BYTE_ARRAY = 7,
       LML_PQ_RLE_DICTIONARY = 8, LML_PQ_BYTE_STREAM_SPLIT = 9 };
/* CompressionCodec. */
enum { LML_PQ_UNCOMPRESSED = 0, LML_PQ_SNAPPY, LML_PQ_GZIP, LML_PQ_LZO, LML_PQ_BROTLI, LML_PQ_LZ4,
       LML_PQ_ZSTD, LML_PQ_LZ4_RAW };
/* PageType. */
enum { LML_PQ_DATA_PAGE = 0, LML_PQ_INDEX_PAGE, LML_PQ_DICTIONARY_PAGE, LML_PQ_DATA_PAGE_V2 };

/* LogicalType union member (field id of the union), 0 = absent. */
enum { LML_PQ_LT_NONE = 0, LML_PQ_LT_STRING = 1, LML_PQ_LT_MAP = 2, LML_PQ_LT_LIST = 3, LML_PQ_LT_ENUM = 4,
       LML_PQ_LT_DECIMAL = 5, LML_PQ_LT_DATE = 6, LML_PQ_LT_TIME = 7, LML_PQ_LT_TIMESTAMP = 8,
       LML_PQ_LT_INTEGER = 10, LML_PQ_LT_UNKNOWN = 11, LML_PQ_LT_JSON = 12, LML_PQ_LT_BSON = 13,
       LML_PQ_LT_UUID = 14, LML_PQ_LT_FLOAT16 = 15, LML_PQ_LT_VARIANT = 16, LML_PQ_LT_GEOMETRY = 17,
       LML_PQ_LT_GEOGRAPHY = 18 };
/* TimeUnit union member. */
enum { LML_PQ_MILLIS = 1, LML_PQ_MICROS = 2, LML_PQ_NANOS = 3 };

typedef struct lml_pq_logical_type {
    int kind;          /* LML_PQ_LT_*; an unknown member id is kept here as is */
    int32_t scale, precision; /* DECIMAL */
    bool adjusted_to_utc;     /* TIME, TIMESTAMP */
    int unit;                 /* TIME, TIMESTAMP: LML_PQ_MILLIS/MICROS/NANOS */
    int bit_width;            /* INTEGER: 8, 16, 32, 64 */
    bool is_signed;           /* INTEGER */
} lml_pq_logical_type;

typedef struct lml_pq_schema_element {
    bool has_type, has_type_length, has_repetition, has_num_children, has_converted_type, has_scale,
        has_precision, has_field_id;
    int32_t type, type_length, repetition, num_children, converted_type, scale, precision, field_id;
    char *name;
    lml_pq_logical_type logical; /* kind 0 when absent */
} lml_pq_schema_element;

typedef struct lml_pq_bytes {
    uint8_t *data; /* NULL when absent */
    size_t len;
} lml_pq_bytes;

typedef struct lml_pq_statistics {
    bool present;
    lml_pq_bytes max, min;             /* deprecated fields 1, 2 */
    bool has_null_count, has_distinct_count, has_nan_count;
    int64_t null_count, distinct_count, nan_count;
    lml_pq_bytes max_value, min_value; /* fields 5, 6 */
    bool has_is_max_value_exact, has_is_min_value_exact, is_max_value_exact, is_min_value_exact;
} lml_pq_statistics;

typedef struct lml_pq_key_value {
    char *key;
    char *value; /* NULL when absent */
} lml_pq_key_value;

typedef struct lml_pq_page_encoding_stats {
    int32_t page_type, encoding, count;
} lml_pq_page_encoding_stats;

typedef struct lml_pq_column_meta {
    int32_t type;
    size_t num_encodings;
    int32_t *encodings;
    size_t path_len;
    char **path_in_schema;
    int32_t codec;
    int64_t num_values, total_uncompressed_size, total_compressed_size;
    size_t num_kv;
    lml_pq_key_value *kv;
    int64_t data_page_offset;
    bool has_index_page_offset, has_dictionary_page_offset;
    int64_t index_page_offset, dictionary_page_offset;
    lml_pq_statistics statistics;
    size_t num_encoding_stats;
    lml_pq_page_encoding_stats *encoding_stats;
    bool has_bloom_filter_offset, has_bloom_filter_length;
    int64_t bloom_filter_offset;
    int32_t bloom_filter_length;
} lml_pq_column_meta;

typedef struct lml_pq_column_chunk {
    char *file_path; /* set = data in another file (refused) */
    int64_t file_offset;
    bool has_meta_data;
    lml_pq_column_meta meta;
    bool has_offset_index, has_column_index;
    int64_t offset_index_offset, column_index_offset;
    int32_t offset_index_length, column_index_length;
    bool encrypted; /* crypto_metadata or encrypted_column_metadata present (refused) */
} lml_pq_column_chunk;

typedef struct lml_pq_sorting_column {
    int32_t column_idx;
    bool descending, nulls_first;
} lml_pq_sorting_column;

typedef struct lml_pq_row_group {
    size_t num_columns;
    lml_pq_column_chunk *columns;
    int64_t total_byte_size, num_rows;
    size_t num_sorting_columns;
    lml_pq_sorting_column *sorting_columns;
    bool has_file_offset, has_total_compressed_size, has_ordinal;
    int64_t file_offset, total_compressed_size;
    int16_t ordinal;
} lml_pq_row_group;

typedef struct lml_pq_file_meta {
    int32_t version;
    size_t num_schema;
    lml_pq_schema_element *schema; /* depth-first, [0] = root */
    int64_t num_rows;
    size_t num_row_groups;
    lml_pq_row_group *row_groups;
    size_t num_kv;
    lml_pq_key_value *kv;
    char *created_by; /* NULL when absent */
    size_t num_column_orders;
    int32_t *column_orders; /* union member id per leaf (1 = TYPE_ORDER) */
    bool encrypted;         /* encryption_algorithm present (refused) */
} lml_pq_file_meta;

typedef struct lml_pq_page_header {
    int32_t type, uncompressed_page_size, compressed_page_size;
    bool has_crc;
    uint32_t crc;
    /* DATA_PAGE */
    bool has_data_page;
    int32_t dp_num_values, dp_encoding, dp_def_encoding, dp_rep_encoding;
    /* DICTIONARY_PAGE */
    bool has_dictionary_page;
    int32_t dict_num_values, dict_encoding;
    bool dict_is_sorted;
    /* DATA_PAGE_V2 */
    bool has_data_page_v2;
    int32_t v2_num_values, v2_num_nulls, v2_num_rows, v2_encoding, v2_def_length, v2_rep_length;
    bool v2_is_compressed; /* default true */
    lml_pq_statistics statistics; /* of the data page (v1 or v2), when present */
} lml_pq_page_header;

/* Decoding (meta_read.c). `what` names the file for messages. All lengths, counts and list sizes
 * are bounds-checked against the buffer; unknown fields are skipped; a missing required field or
 * a malformed structure is LML_EFORMAT naming the struct and field. */
bool lml_pq_file_meta_decode(const uint8_t *buf, size_t len, const char *what, lml_pq_file_meta *out, lml_error *err);
void lml_pq_file_meta_clear(lml_pq_file_meta *m);
/* Decodes one page header starting at buf; *used receives its encoded size. */
bool lml_pq_page_header_decode(const uint8_t *buf, size_t len, const char *what, lml_pq_page_header *out,
                               size_t *used, lml_error *err);
void lml_pq_page_header_clear(lml_pq_page_header *h);
void lml_pq_statistics_clear(lml_pq_statistics *s);

/* Encoding (meta_write.c): appends the compact-protocol bytes to *buf (realloc'd; *len and *cap
 * track it). Only fields that are set are written. */
bool lml_pq_file_meta_encode(const lml_pq_file_meta *m, uint8_t **buf, size_t *len, size_t *cap, lml_error *err);
bool lml_pq_page_header_encode(const lml_pq_page_header *h, uint8_t **buf, size_t *len, size_t *cap, lml_error *err);

#endif
