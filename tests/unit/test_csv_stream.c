/* The batch reader and writer (lml_csv_reader_*, lml_csv_writer_*): every batch size gives, once
 * concatenated, lml_csv_read's frame cell for cell, its errors and its bad records; the writer
 * gives lml_csv_write's bytes and keeps the target untouched until close. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "io/csv/csv_internal.h"
#include "lakeml/lakeml.h"
#include "support.h"

static const size_t batch_sizes[] = {1, 2, 7, 100000};

static char *fmt_cell(const lml_column *col, size_t r)
{
    lml_value v = lml_column_get(col, r);
    char *s = NULL;
    if (v.is_null)
        return strdup("<null>");
    switch (v.type) {
    case LML_BOOL: s = strdup(v.v.b ? "true" : "false"); break;
    case LML_INT32:
    case LML_DATE: cr_assert(asprintf(&s, "%d", v.v.i32) > 0); break;
    case LML_INT64:
    case LML_TIMESTAMP: cr_assert(asprintf(&s, "%lld", (long long)v.v.i64) > 0); break;
    case LML_DOUBLE: cr_assert(asprintf(&s, "%a", v.v.f64) > 0); break; /* exact bits (NaN prints nan) */
    case LML_STRING: cr_assert(asprintf(&s, "s:%.*s", (int)v.v.str.len, v.v.str.ptr) > 0); break;
    default: cr_assert_fail("unexpected type %s", lml_type_name(v.type));
    }
    return s;
}

/* Row `row` of `whole` equals row `r` of batch b, column by column (names and types too). */
static void same_row(const lml_frame *whole, size_t row, const lml_frame *b, size_t r, const char *what)
{
    for (size_t c = 0; c < lml_frame_num_cols(whole); c++) {
        const lml_column *x = lml_frame_column(whole, c), *y = lml_frame_column(b, c);
        char *sx = fmt_cell(x, row), *sy = fmt_cell(y, r);
        cr_assert_str_eq(sx, sy, "%s: row %zu column '%s'", what, row, lml_frame_column_name(whole, c));
        free(sx);
        free(sy);
    }
}

static void same_schema(const lml_frame *a, const lml_frame *b, const char *what)
{
    cr_assert_eq(lml_frame_num_cols(a), lml_frame_num_cols(b), "%s", what);
    for (size_t c = 0; c < lml_frame_num_cols(a); c++) {
        cr_assert_str_eq(lml_frame_column_name(a, c), lml_frame_column_name(b, c), "%s", what);
        cr_assert_eq(lml_column_type(lml_frame_column(a, c)), lml_column_type(lml_frame_column(b, c)),
                     "%s: column '%s' is %s in the whole read, %s in the batch", what, lml_frame_column_name(a, c),
                     lml_type_name(lml_column_type(lml_frame_column(a, c))),
                     lml_type_name(lml_column_type(lml_frame_column(b, c))));
    }
}

/* Reads path whole and in batches of every size; the batches must concatenate to the whole
 * read, or fail with its message. Returns the whole read's row count (or -1 on its error). */
static long check_same(const char *path, const lml_csv_options *o, const char *what)
{
    lml_error e1 = {0};
    lml_frame *whole = lml_csv_read(path, o, &e1);
    for (size_t k = 0; k < sizeof batch_sizes / sizeof *batch_sizes; k++) {
        char label[256];
        snprintf(label, sizeof label, "%s, batches of %zu", what, batch_sizes[k]);
        lml_error e2 = {0};
        lml_csv_reader *r = lml_csv_reader_open(path, o, &e2);
        size_t row = 0;
        bool failed = !r;
        if (r) {
            if (whole)
                same_schema(whole, lml_csv_reader_schema(r), label);
            cr_assert_eq(lml_frame_num_rows(lml_csv_reader_schema(r)), 0);
            lml_frame *b;
            for (;;) {
                if (!lml_csv_reader_next(r, batch_sizes[k], &b, &e2)) {
                    failed = true;
                    break;
                }
                if (!b)
                    break;
                if (!whole) { /* the batches before the failing record */
                    lml_frame_free(b);
                    continue;
                }
                same_schema(whole, b, label);
                size_t n = lml_frame_num_rows(b);
                cr_assert(n >= 1 && n <= batch_sizes[k], "%s: a batch of %zu rows", label, n);
                cr_assert(row + n <= lml_frame_num_rows(whole), "%s: more rows than the whole read", label);
                for (size_t i = 0; i < n; i++)
                    same_row(whole, row + i, b, i, label);
                row += n;
                lml_frame_free(b);
            }
            uint64_t done, total;
            lml_csv_reader_progress(r, &done, &total);
            struct stat st;
            cr_assert_eq(stat(path, &st), 0);
            cr_assert_eq(total, (uint64_t)st.st_size, "%s", label);
            if (!failed)
                cr_assert_eq(done, total, "%s: progress at the end", label);
            lml_csv_reader_free(r);
        }
        if (whole) {
            cr_assert(!failed, "%s: the batch reader failed: %s", label, e2.message);
            cr_assert_eq(row, lml_frame_num_rows(whole), "%s", label);
        } else {
            cr_assert(failed, "%s: lml_csv_read failed (%s) but the batch reader did not", label, e1.message);
            cr_assert_str_eq(e2.message, e1.message, "%s", label);
            cr_assert_eq(e2.code, e1.code, "%s", label);
        }
    }
    long n = whole ? (long)lml_frame_num_rows(whole) : -1;
    lml_frame_free(whole);
    return n;
}

/* A file with a column for every inferred type, nulls, NaN/Inf, quotes, escaped quotes, commas
 * and line breaks inside quotes, invalid UTF-8, a blank line, a copy of the header, and (when
 * `bad`) rows with missing or extra fields and values that do not convert. */
static const char *make_file(const char *name, size_t n, bool bad)
{
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "i,l,d,dt,ts,b,s,q\n");
    for (size_t r = 0; r < n; r++) {
        if (r == 5)
            lml_strbuf_puts(&sb, "\n   \n");
        if (r == 9)
            lml_strbuf_puts(&sb, "i,l,d,dt,ts,b,s,q\n");
        if (bad && r % 13 == 4) {
            lml_strbuf_printf(&sb, "%zu,%zu\n", r, r);
            continue;
        }
        if (bad && r % 17 == 6) {
            lml_strbuf_printf(&sb, "%zu,1,2,2020-01-01,2020-01-01 00:00:00,true,x,y,extra\n", r);
            continue;
        }
        if (r % 7 == 3)
            lml_strbuf_puts(&sb, ",");
        else
            lml_strbuf_printf(&sb, "%ld,", (long)r * (r % 2 ? -1 : 1));
        lml_strbuf_printf(&sb, "%lld,", r % 5 == 0 ? 5000000000LL + (long long)r : (long long)r);
        if (r % 11 == 2)
            lml_strbuf_puts(&sb, "NaN,");
        else if (r % 11 == 3)
            lml_strbuf_puts(&sb, "-Inf,");
        else if (r % 9 == 4)
            lml_strbuf_puts(&sb, ",");
        else
            lml_strbuf_printf(&sb, "%zu.%zu,", r, r % 10);
        lml_strbuf_printf(&sb, "2021-%02zu-%02zu,", r % 12 + 1, r % 28 + 1);
        lml_strbuf_printf(&sb, "2021-03-04 %02zu:%02zu:%02zu%s,", r % 24, r % 60, r % 59, r % 4 ? "" : "Z");
        lml_strbuf_puts(&sb, r % 3 ? "true," : r % 6 == 0 ? "false," : ",");
        if (bad && r % 19 == 8)
            lml_strbuf_puts(&sb, "b\xFF\xC3z,"); /* invalid UTF-8 */
        else if (r % 8 == 1)
            lml_strbuf_puts(&sb, "\"\",");
        else
            lml_strbuf_printf(&sb, "v%zu,", r % 4);
        switch (r % 6) {
        case 0: lml_strbuf_printf(&sb, "\"line one\nline %zu\"\n", r); break;
        case 1: lml_strbuf_printf(&sb, "\"a, \\\"quoted\\\" %zu\"\n", r); break;
        case 2: lml_strbuf_puts(&sb, "plain\r\n"); break;
        case 3: lml_strbuf_puts(&sb, "\n"); break;
        case 4: lml_strbuf_printf(&sb, "\"x\n\ny\n%zu\"\n", r); break;
        default: lml_strbuf_puts(&sb, "\"\"\n"); break;
        }
    }
    cr_assert(!sb.failed);
    const char *path = lml_test_write_temp(name, sb.data);
    lml_strbuf_free(&sb);
    return path;
}

Test(csv_stream, batches_concatenate_to_the_whole_read_for_every_option_combination)
{
    static char path[512];
    snprintf(path, sizeof path, "%s", make_file("gen.csv", 120, false));
    long rows[2][2][2];
    for (int header = 0; header < 2; header++)
        for (int infer = 0; infer < 2; infer++)
            for (int ml = 0; ml < 2; ml++) {
                lml_csv_options o = {.header = header, .infer_schema = infer, .multi_line = ml};
                char what[128];
                snprintf(what, sizeof what, "header %d infer %d multi_line %d", header, infer, ml);
                rows[header][infer][ml] = check_same(path, &o, what);
            }
    /* multi_line keeps every generated record whole (header copy, 120 data rows); without it the
     * quoted line breaks make extra records. */
    cr_assert_eq(rows[1][1][1], 121);
    cr_assert_eq(rows[0][0][1], 122);
    cr_assert_gt(rows[1][1][0], 121);
    /* The inferred types, seen from the batch reader. */
    lml_error err = {0};
    lml_csv_reader *r = lml_csv_reader_open(path, &(lml_csv_options){.header = true, .infer_schema = true,
                                                                      .multi_line = true}, &err);
    cr_assert(r, "%s", err.message);
    const lml_frame *s = lml_csv_reader_schema(r);
    /* The copy of the header line is skipped by inference, as in Spark. */
    const lml_type want[] = {LML_INT32, LML_INT64, LML_DOUBLE, LML_DATE, LML_TIMESTAMP, LML_BOOL, LML_STRING, LML_STRING};
    for (size_t c = 0; c < 8; c++)
        cr_assert_eq(lml_column_type(lml_frame_column(s, c)), want[c], "column %zu", c);
    lml_csv_reader_free(r);
}

Test(csv_stream, malformed_rows_in_every_mode_with_corrupt_column_and_bad_records)
{
    static char path[512];
    snprintf(path, sizeof path, "%s", make_file("bad.csv", 90, true));
    const lml_csv_field schema[] = {{"i", LML_INT32}, {"l", LML_INT64}, {"d", LML_DOUBLE}, {"dt", LML_DATE},
                                    {"ts", LML_TIMESTAMP}, {"b", LML_BOOL}, {"s", LML_STRING},
                                    {"q", LML_INT32}, {"_corrupt_record", LML_STRING}};
    for (int mode = 0; mode < 3; mode++)
        for (int corrupt = 0; corrupt < 2; corrupt++)
            for (int ml = 0; ml < 2; ml++) {
                char what[128];
                snprintf(what, sizeof what, "mode %d corrupt %d multi_line %d", mode, corrupt, ml);
                lml_csv_options o = {.header = true, .multi_line = ml, .mode = (lml_csv_mode)mode,
                                     .schema = schema, .schema_len = corrupt ? 9 : 8};
                long n = check_same(path, &o, what);
                if (mode == LML_CSV_FAILFAST)
                    cr_assert_eq(n, -1, "%s", what);
                else
                    cr_assert_gt(n, 10, "%s", what);
                o.schema = NULL, o.schema_len = 0, o.infer_schema = true;
                check_same(path, &o, what);
            }
}

static char *bad_records_of(const char *path, const lml_csv_options *o, size_t batch, const char *bad_path)
{
    remove(bad_path);
    lml_csv_options oo = *o;
    oo.bad_records_path = bad_path;
    lml_error err = {0};
    if (batch == 0) {
        lml_frame *f = lml_csv_read(path, &oo, &err);
        lml_frame_free(f);
    } else {
        lml_csv_reader *r = lml_csv_reader_open(path, &oo, &err);
        cr_assert(r, "%s", err.message);
        lml_frame *b;
        while (lml_csv_reader_next(r, batch, &b, &err) && b)
            lml_frame_free(b);
        lml_csv_reader_free(r);
    }
    char *text = lml_test_slurp(bad_path);
    return text ? text : strdup("");
}

Test(csv_stream, bad_records_file_is_the_same_line_for_line)
{
    static char path[512], bad[512];
    snprintf(path, sizeof path, "%s", make_file("badrec.csv", 90, true));
    snprintf(bad, sizeof bad, "%s/bad.json", lml_test_temp_dir());
    const lml_csv_field schema[] = {{"i", LML_INT32}, {"l", LML_INT64}, {"d", LML_DOUBLE}, {"dt", LML_DATE},
                                    {"ts", LML_TIMESTAMP}, {"b", LML_BOOL}, {"s", LML_STRING}, {"q", LML_INT32}};
    for (int mode = 0; mode < 3; mode++) {
        lml_csv_options o = {.header = true, .multi_line = true, .mode = (lml_csv_mode)mode, .schema = schema,
                             .schema_len = 8};
        char *want = bad_records_of(path, &o, 0, bad);
        cr_assert_gt(strlen(want), 100, "mode %d: the whole read wrote bad records", mode);
        for (size_t k = 0; k < sizeof batch_sizes / sizeof *batch_sizes; k++) {
            char *got = bad_records_of(path, &o, batch_sizes[k], bad);
            cr_assert_str_eq(got, want, "mode %d batches of %zu", mode, batch_sizes[k]);
            free(got);
        }
        free(want);
    }
}

Test(csv_stream, inference_merges_the_same_chunks_as_the_whole_read)
{
    /* A bare year after dates widens to timestamp inside one chunk but merges to string across
     * chunks: with small chunks (many inference windows), the types depend on where the chunks
     * are cut, and the batch reader must cut them exactly where lml_csv_read does. */
    lml_strbuf sb = {0};
    for (int r = 0; r < 400; r++)
        lml_strbuf_printf(&sb, "%s,%d\n", r % 5 == 4 ? "2020" : "2020-01-02", r);
    const char *path = lml_test_write_temp("years.csv", sb.data);
    lml_strbuf_free(&sb);
    lml_type seen[2] = {LML_VECTOR, LML_VECTOR};
    for (int i = 0; i < 2; i++) {
        csv_chunk_bytes_for_tests = i ? 40 : 0;
        lml_csv_options o = {.infer_schema = true};
        check_same(path, &o, i ? "small chunks" : "one chunk");
        lml_error err = {0};
        lml_csv_reader *r = lml_csv_reader_open(path, &o, &err);
        cr_assert(r, "%s", err.message);
        seen[i] = lml_column_type(lml_frame_column(lml_csv_reader_schema(r), 0));
        lml_csv_reader_free(r);
        csv_chunk_bytes_for_tests = 0;
    }
    cr_assert_eq(seen[0], LML_TIMESTAMP);
    cr_assert_eq(seen[1], LML_STRING);
}

Test(csv_stream, an_error_on_line_n_is_reported_as_line_n_by_the_batch_that_holds_it)
{
    /* Line 1 is the header; data line L holds value L; line 38 (a multi-line record starts
     * earlier, so the numbering must count its lines) is malformed. */
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "a,b\n");
    for (int line = 2; line <= 60;) {
        if (line == 10) {
            lml_strbuf_puts(&sb, "10,\"two\nlines\"\n");
            line += 2;
        } else if (line == 38) {
            lml_strbuf_puts(&sb, "38,x,oops\n");
            line++;
        } else {
            lml_strbuf_printf(&sb, "%d,v\n", line);
            line++;
        }
    }
    const char *path = lml_test_write_temp("failfast.csv", sb.data);
    lml_strbuf_free(&sb);
    lml_csv_options o = {.header = true, .infer_schema = true, .multi_line = true, .mode = LML_CSV_FAILFAST};
    lml_error e1 = {0};
    cr_assert_null(lml_csv_read(path, &o, &e1));
    char want[1024];
    snprintf(want, sizeof want, "%s:38: malformed record: expected 2 fields, found 3: \"38,x,oops\"", path);
    cr_assert_str_eq(e1.message, want);
    check_same(path, &o, "failfast");
    /* Records before line 38: lines 2..37 less the continuation line 11 = 35 records. With
     * batches of 5, seven full batches come back, and the eighth (records 36..40) fails. */
    lml_error err = {0};
    lml_csv_reader *r = lml_csv_reader_open(path, &o, &err);
    cr_assert(r, "%s", err.message);
    size_t rows = 0, batches = 0;
    lml_frame *b;
    while (lml_csv_reader_next(r, 5, &b, &err) && b) {
        cr_assert_eq(lml_frame_num_rows(b), 5);
        cr_assert_eq(lml_column_int32s(lml_frame_column(b, 0))[4], (int32_t)(rows + 4 < 8 ? rows + 6 : rows + 7));
        rows += lml_frame_num_rows(b);
        batches++;
        lml_frame_free(b);
    }
    cr_assert_eq(batches, 7);
    cr_assert_eq(rows, 35);
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_str_eq(err.message, e1.message);
    /* The reader stays failed. */
    lml_error again = {0};
    cr_assert_not(lml_csv_reader_next(r, 5, &b, &again));
    cr_assert_str_eq(again.message, e1.message);
    lml_csv_reader_free(r);
}

Test(csv_stream, a_guard_error_names_the_same_line_as_the_whole_read)
{
    /* max_chars_per_column is checked by the tokenizer (pass 1 of the batch). */
    lml_strbuf sb = {0};
    for (int line = 1; line <= 30; line++)
        lml_strbuf_printf(&sb, "%d,%s\n", line, line == 23 ? "far-too-long-value" : "ok");
    const char *path = lml_test_write_temp("guard.csv", sb.data);
    lml_strbuf_free(&sb);
    lml_csv_options o = {.max_chars_per_column = 8};
    cr_assert_eq(check_same(path, &o, "max_chars"), -1);
    /* With inference the scan at open meets it, with the same message. */
    cr_assert_eq(check_same(path, &(lml_csv_options){.max_chars_per_column = 8, .infer_schema = true}, "infer"), -1);
    csv_chunk_bytes_for_tests = 16;
    cr_assert_eq(check_same(path, &(lml_csv_options){.max_chars_per_column = 8, .infer_schema = true}, "chunks"), -1);
    csv_chunk_bytes_for_tests = 0;
    lml_error err = {0};
    cr_assert_null(lml_csv_read(path, &o, &err));
    cr_assert(strstr(err.message, "guard.csv:23: "), "%s", err.message);
    /* Without inference the batches before line 23 come back first. */
    lml_csv_reader *r = lml_csv_reader_open(path, &o, &err);
    cr_assert(r, "%s", err.message);
    lml_frame *b;
    size_t rows = 0;
    while (lml_csv_reader_next(r, 4, &b, &err) && b) {
        rows += lml_frame_num_rows(b);
        lml_frame_free(b);
    }
    cr_assert_eq(rows, 20);
    cr_assert(strstr(err.message, "guard.csv:23: "), "%s", err.message);
    lml_csv_reader_free(r);
}

Test(csv_stream, empty_inputs_and_bad_arguments)
{
    lml_error err = {0};
    const char *path = lml_test_write_temp("hdr.csv", "a,b\n\n");
    lml_csv_reader *r = lml_csv_reader_open(path, &(lml_csv_options){.header = true}, &err);
    cr_assert(r, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(lml_csv_reader_schema(r)), 2);
    lml_frame *b = (lml_frame *)1;
    cr_assert(lml_csv_reader_next(r, 3, &b, &err));
    cr_assert_null(b);
    cr_assert_not(lml_csv_reader_next(r, 0, &b, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    lml_csv_reader_free(r);
    lml_error e2 = {0};
    char missing[512];
    snprintf(missing, sizeof missing, "%s/none.csv", lml_test_temp_dir());
    cr_assert_null(lml_csv_reader_open(missing, NULL, &e2));
    cr_assert_eq(e2.code, LML_ENOTFOUND);
}

Test(csv_stream, options_are_copied_at_open)
{
    const char *path = lml_test_write_temp("nulls.csv", "a,b\nNA,1\nx,NA\n");
    char *null_value = strdup("NA");
    lml_csv_options o = {.header = true, .null_value = null_value};
    lml_error err = {0};
    lml_csv_reader *r = lml_csv_reader_open(path, &o, &err);
    cr_assert(r, "%s", err.message);
    memset(null_value, 'Z', 2);
    free(null_value);
    lml_frame *b;
    cr_assert(lml_csv_reader_next(r, 10, &b, &err), "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(b), 2);
    cr_assert(lml_column_is_null(lml_frame_column(b, 0), 0));
    cr_assert(lml_column_is_null(lml_frame_column(b, 1), 1));
    cr_assert_not(lml_column_is_null(lml_frame_column(b, 0), 1));
    lml_frame_free(b);
    lml_csv_reader_free(r);
}

/* ---- writer */

static char *slurp(const char *path, size_t *len)
{
    char *t = lml_test_slurp_n(path, len);
    cr_assert(t, "cannot read %s", path);
    return t;
}

static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Reads `text` as CSV (header, inferred types) in batches of `batch` rows. */
static size_t read_batches(const char *text, size_t batch, lml_frame **out, size_t cap, lml_frame **whole)
{
    const char *path = lml_test_write_temp("src.csv", text);
    lml_error err = {0};
    lml_csv_options o = {.header = true, .infer_schema = true, .multi_line = true, .escape = '"'};
    *whole = lml_csv_read(path, &o, &err);
    cr_assert(*whole, "%s", err.message);
    lml_csv_reader *r = lml_csv_reader_open(path, &o, &err);
    cr_assert(r, "%s", err.message);
    size_t n = 0;
    lml_frame *b;
    while (lml_csv_reader_next(r, batch, &b, &err) && b) {
        cr_assert_lt(n, cap);
        out[n++] = b;
    }
    cr_assert_eq(err.code, LML_OK, "%s", err.message);
    lml_csv_reader_free(r);
    return n;
}

static const char *src_text = "id,name,score,day\n1,\"a,b\",1.5,2020-01-01\n2,,NaN,\n3,\"say \"\"hi\"\"\",-0.0,2021-02-03\n"
                              "4,\"two\nlines\",1e300,2022-12-31\n5,plain,0.1,1999-09-09\n";

Test(csv_stream, writer_batches_give_lml_csv_write_bytes)
{
    lml_frame *parts[8], *whole;
    size_t n = read_batches(src_text, 3, parts, 8, &whole);
    cr_assert_eq(n, 2);
    const char *dir = lml_test_temp_dir();
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/whole.csv", dir);
    snprintf(b, sizeof b, "%s/batches.csv", dir);
    lml_error err = {0};
    lml_csv_write_options wo = {.null_value = "NULL"};
    cr_assert(lml_csv_write(whole, a, &wo, &err), "%s", err.message);
    lml_csv_writer *w = lml_csv_writer_open(b, &wo, false, &err);
    cr_assert(w, "%s", err.message);
    for (size_t i = 0; i < n; i++)
        cr_assert(lml_csv_writer_write(w, parts[i], &err), "%s", err.message);
    struct stat st;
    cr_assert_neq(stat(b, &st), 0, "nothing is visible before close");
    cr_assert(lml_csv_writer_close(w, &err), "%s", err.message);
    size_t la, lb;
    char *ta = slurp(a, &la), *tb = slurp(b, &lb);
    cr_assert_eq(la, lb);
    cr_assert(memcmp(ta, tb, la) == 0, "%s\n---\n%s", ta, tb);
    cr_assert_str_eq(ta, "id,name,score,day\n1,\"a,b\",1.5,2020-01-01\n2,NULL,NaN,NULL\n"
                         "3,\"say \"\"hi\"\"\",-0.0,2021-02-03\n4,\"two\nlines\",1e+300,2022-12-31\n"
                         "5,plain,0.1,1999-09-09\n");
    cr_assert_eq(dir_entries(dir), 2, "no temporary file is left");
    free(ta);
    free(tb);
    for (size_t i = 0; i < n; i++)
        lml_frame_free(parts[i]);
    lml_frame_free(whole);
}

Test(csv_stream, writer_abort_leaves_the_existing_file_untouched)
{
    lml_frame *parts[8], *whole;
    size_t n = read_batches(src_text, 2, parts, 8, &whole);
    const char *dir = lml_test_temp_dir();
    char p[512];
    snprintf(p, sizeof p, "%s/keep.csv", dir);
    FILE *fp = fopen(p, "wb");
    cr_assert(fp);
    fputs("old,bytes\n1,2", fp);
    fclose(fp);
    for (int append = 0; append < 2; append++) {
        lml_error err = {0};
        lml_csv_writer *w = lml_csv_writer_open(p, NULL, append, &err);
        cr_assert(w, "%s", err.message);
        if (!append)
            for (size_t i = 0; i < n; i++)
                cr_assert(lml_csv_writer_write(w, parts[i], &err), "%s", err.message);
        lml_csv_writer_abort(w);
        size_t len;
        char *t = slurp(p, &len);
        cr_assert_eq(len, 13);
        cr_assert_str_eq(t, "old,bytes\n1,2");
        free(t);
        cr_assert_eq(dir_entries(dir), 1, "no temporary file is left");
    }
    for (size_t i = 0; i < n; i++)
        lml_frame_free(parts[i]);
    lml_frame_free(whole);
}

Test(csv_stream, writer_append_keeps_old_bytes_and_refuses_other_columns)
{
    lml_frame *parts[8], *whole;
    size_t n = read_batches(src_text, 3, parts, 8, &whole);
    cr_assert_eq(n, 2);
    const char *dir = lml_test_temp_dir();
    char p[512];
    snprintf(p, sizeof p, "%s/app.csv", dir);
    lml_error err = {0};
    /* Appending to a missing file writes a new one, header included. */
    lml_csv_writer *w = lml_csv_writer_open(p, NULL, true, &err);
    cr_assert(w, "%s", err.message);
    cr_assert(lml_csv_writer_write(w, parts[0], &err), "%s", err.message);
    cr_assert(lml_csv_writer_close(w, &err), "%s", err.message);
    size_t len0;
    char *first = slurp(p, &len0);
    cr_assert_str_eq(first, "id,name,score,day\n1,\"a,b\",1.5,2020-01-01\n2,,NaN,\n3,\"say \"\"hi\"\"\",-0.0,2021-02-03\n");
    /* A second run appends the other batch after the old bytes, without a second header. */
    w = lml_csv_writer_open(p, NULL, true, &err);
    cr_assert(w, "%s", err.message);
    cr_assert(lml_csv_writer_write(w, parts[1], &err), "%s", err.message);
    cr_assert(lml_csv_writer_close(w, &err), "%s", err.message);
    char q[512];
    snprintf(q, sizeof q, "%s/ref.csv", dir);
    cr_assert(lml_csv_write(whole, q, NULL, &err), "%s", err.message);
    size_t la, lb;
    char *ta = slurp(p, &la), *tb = slurp(q, &lb);
    cr_assert_eq(la, lb);
    cr_assert(memcmp(ta, tb, la) == 0, "%s\n---\n%s", ta, tb);
    cr_assert(memcmp(ta, first, len0) == 0, "the old bytes come first");
    /* A batch whose header differs is refused, and the file stays as it was. */
    lml_frame *renamed = lml_frame_with_column_renamed(parts[1], "score", "points", &err);
    cr_assert(renamed, "%s", err.message);
    w = lml_csv_writer_open(p, NULL, true, &err);
    cr_assert(w, "%s", err.message);
    lml_error e2 = {0};
    cr_assert_not(lml_csv_writer_write(w, renamed, &e2));
    cr_assert_eq(e2.code, LML_EINVAL);
    cr_assert(strstr(e2.message, "[id,name,points,day]") && strstr(e2.message, "[id,name,score,day]"), "%s",
              e2.message);
    lml_csv_writer_abort(w);
    size_t lc;
    char *tc = slurp(p, &lc);
    cr_assert_eq(lc, la);
    cr_assert(memcmp(tc, ta, la) == 0);
    cr_assert_eq(dir_entries(dir), 2);
    free(first);
    free(ta);
    free(tb);
    free(tc);
    lml_frame_free(renamed);
    for (size_t i = 0; i < n; i++)
        lml_frame_free(parts[i]);
    lml_frame_free(whole);
}

Test(csv_stream, writer_refuses_a_batch_with_another_column_type)
{
    lml_error err = {0};
    double d[] = {1.5, 2.5};
    int32_t k[] = {1, 2};
    lml_column *cd = lml_column_from_doubles(d, NULL, 2, &err), *ck = lml_column_from_int32s(k, NULL, 2, &err);
    cr_assert(cd && ck, "%s", err.message);
    const char *names[] = {"x"};
    lml_frame *fd = lml_frame_new(1, names, &cd, &err), *fk = lml_frame_new(1, names, &ck, &err);
    cr_assert(fd && fk, "%s", err.message);
    lml_column_free(cd);
    lml_column_free(ck);
    char p[512];
    snprintf(p, sizeof p, "%s/typed.csv", lml_test_temp_dir());
    lml_csv_writer *w = lml_csv_writer_open(p, NULL, false, &err);
    cr_assert(w, "%s", err.message);
    cr_assert(lml_csv_writer_write(w, fd, &err), "%s", err.message);
    lml_error e2 = {0};
    cr_assert_not(lml_csv_writer_write(w, fk, &e2));
    cr_assert_eq(e2.code, LML_EINVAL);
    cr_assert(strstr(e2.message, "column 'x' has type integer, earlier batches had double"), "%s", e2.message);
    /* The refused batch wrote nothing: the writer goes on. */
    cr_assert(lml_csv_writer_write(w, fd, &err), "%s", err.message);
    cr_assert(lml_csv_writer_close(w, &err), "%s", err.message);
    char *t = lml_test_slurp(p);
    cr_assert_str_eq(t, "x\n1.5\n2.5\n1.5\n2.5\n");
    free(t);
    lml_frame_free(fd);
    lml_frame_free(fk);
}
