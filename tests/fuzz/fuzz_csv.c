/* libFuzzer target for the CSV reader. The first two bytes pick the options (header, inference,
 * multi_line, RFC escape, mode, other delimiter/null/comment, an explicit schema with a
 * corrupt-record column, guards, tiny chunks); the rest is the file. Every cell of the result
 * is formatted, so a bad offset or length shows up under ASan. Without inference the result
 * cannot depend on how the input is cut into chunks, so it is also read in tiny chunks and the
 * two results (or error messages) must be identical; and every input is read once more with
 * the fast line splitter off, which must not change anything either. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "io/csv/csv_internal.h"
#include "lakeml/lakeml.h"

static const lml_csv_field schema[] = {{"i", LML_INT32},  {"d", LML_DOUBLE},    {"s", LML_STRING},
                                       {"b", LML_BOOL},   {"t", LML_TIMESTAMP}, {"dt", LML_DATE},
                                       {"l", LML_INT64},  {"_corrupt_record", LML_STRING}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const lml_frame *f)
{
    char buf[128];
    for (size_t c = 0; c < lml_frame_num_cols(f); c++) {
        const lml_column *col = lml_frame_column(f, c);
        if (lml_column_length(col) != lml_frame_num_rows(f))
            __builtin_trap();
        for (size_t r = 0; r < lml_column_length(col); r++)
            lml_format_value(col, r, buf, sizeof buf);
    }
}

static void same(const lml_frame *f, const lml_frame *g)
{
    if (lml_frame_num_rows(f) != lml_frame_num_rows(g) || lml_frame_num_cols(f) != lml_frame_num_cols(g))
        __builtin_trap();
    char x[256], y[256];
    for (size_t c = 0; c < lml_frame_num_cols(f); c++) {
        const lml_column *a = lml_frame_column(f, c), *b = lml_frame_column(g, c);
        if (lml_column_type(a) != lml_column_type(b) || lml_column_null_count(a) != lml_column_null_count(b))
            __builtin_trap();
        for (size_t r = 0; r < lml_column_length(a); r++) {
            if (lml_column_is_null(a, r) != lml_column_is_null(b, r))
                __builtin_trap();
            lml_format_value(a, r, x, sizeof x);
            lml_format_value(b, r, y, sizeof y);
            if (strcmp(x, y) != 0)
                __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t a = data[0], b = data[1];
    data += 2;
    size -= 2;
    lml_csv_options o = {
        .header = a & 1,
        .infer_schema = a & 2,
        .multi_line = a & 4,
        .escape = a & 8 ? '"' : 0,
        .mode = (lml_csv_mode)((a >> 4) % 3),
        .max_columns = b & 1 ? 8 : 0,
        .max_chars_per_column = b & 2 ? 16 : 0,
        .no_prefer_date = b & 4,
    };
    if (a & 0x40) {
        o.delimiter = ';';
        o.null_value = "NA";
        o.comment = '#';
        o.quote = b & 8 ? LML_CSV_NO_QUOTE : '\'';
    }
    if (a & 0x80) {
        o.schema = schema;
        o.schema_len = (size_t)(b >> 4) % 8 + 1;
        if (o.schema_len == 8 || b & 16)
            o.schema_len = 8; /* with the corrupt-record column */
    }
    lml_set_num_threads(1);
    lml_error err = {0};
    lml_frame *f = lml_csv_read_buffer((const char *)data, size, "fuzz.csv", &o, &err);
    if (f)
        check(f);
    /* The fast path must split exactly as the quoted-line tokenizers do. */
    lml_error err3 = {0};
    csv_slow_path_for_tests = true;
    lml_frame *h = lml_csv_read_buffer((const char *)data, size, "fuzz.csv", &o, &err3);
    csv_slow_path_for_tests = false;
    if (!f != !h || (!f && (err.code != err3.code || strcmp(err.message, err3.message) != 0)))
        __builtin_trap();
    if (h)
        same(f, h);
    lml_frame_free(h);
    if (!o.infer_schema || o.schema_len) {
        lml_error err2 = {0};
        csv_chunk_bytes_for_tests = 1 + (b >> 6) * 5;
        lml_frame *g = lml_csv_read_buffer((const char *)data, size, "fuzz.csv", &o, &err2);
        csv_chunk_bytes_for_tests = 0;
        if (!f != !g || (!f && (err.code != err2.code || strcmp(err.message, err2.message) != 0)))
            __builtin_trap();
        if (g)
            same(f, g);
        lml_frame_free(g);
    }
    lml_frame_free(f);
    return 0;
}
