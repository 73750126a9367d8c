/* LIBSVM reader: Spark's sample_libsvm_data.txt checked against an independent sscanf parse,
 * the numFeatures and dense options, the line grammar (comments, blank lines, tabs, CRLF,
 * Java number forms), every format error with its file:line:column and token, and hostile
 * bytes (NULs, truncation, random garbage) under ASan/UBSan. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/lakeml.h"
#include "support.h"

#define SAMPLE "conformance/spark-models/spark-ml-serving/data/sample_libsvm_data.txt"

/* Writes len bytes (NULs allowed) to a fresh temporary file. */
static const char *write_bytes(const char *name, const char *data, size_t len)
{
    static char path[512];
    const char *dir = lml_test_temp_dir();
    cr_assert(dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

static lml_frame *read_text(const char *text, const lml_libsvm_options *o)
{
    lml_error err = {0};
    lml_frame *f = lml_libsvm_read(lml_test_write_temp("t.libsvm", text), o, &err);
    cr_assert(f, "read failed: %s", err.message);
    return f;
}

/* Reads text expecting LML_EFORMAT whose message holds `where` (":line:col:") and `needle`. */
static void expect_format_error(const char *text, const char *where, const char *needle)
{
    lml_error err = {0};
    const char *path = lml_test_write_temp("bad.libsvm", text);
    lml_frame *f = lml_libsvm_read(path, NULL, &err);
    cr_assert_null(f, "expected an error for %s", text);
    cr_assert_eq(err.code, LML_EFORMAT, "code %d: %s", err.code, err.message);
    cr_assert(strstr(err.message, "bad.libsvm"), "no file name: %s", err.message);
    cr_assert(strstr(err.message, where), "no %s in: %s", where, err.message);
    cr_assert(strstr(err.message, needle), "no %s in: %s", needle, err.message);
}

static const lml_column *col(const lml_frame *f, const char *name)
{
    lml_error err = {0};
    const lml_column *c = lml_frame_column_by_name(f, name, &err);
    cr_assert(c, "%s", err.message);
    return c;
}

/* ------------------------------------------------------------------ Spark's sample file */

typedef struct ref_data {
    size_t rows, nnz, zeros, ones;
    long max_index;
    long first_index;
    double first_value;
    long *indices;   /* 1-based, as in the file */
    double *values;
    size_t *row_end; /* cumulative entry count per row */
} ref_data;

/* An independent parse of the sample with sscanf (the file has no comments or blank lines). */
static void ref_parse(const char *path, ref_data *r)
{
    memset(r, 0, sizeof *r);
    r->max_index = -1;
    FILE *fp = fopen(path, "r");
    cr_assert(fp);
    static char line[1 << 16];
    size_t cap = 1 << 16;
    r->indices = malloc(cap * sizeof(long));
    r->values = malloc(cap * sizeof(double));
    r->row_end = malloc(256 * sizeof(size_t));
    while (fgets(line, sizeof line, fp)) {
        int off = 0, used;
        double label;
        if (sscanf(line, "%lf%n", &label, &used) != 1)
            continue;
        off = used;
        cr_assert(label == 0.0 || label == 1.0);
        label == 0.0 ? r->zeros++ : r->ones++;
        long idx;
        double v;
        while (sscanf(line + off, " %ld:%lf%n", &idx, &v, &used) == 2) {
            cr_assert(r->nnz < cap);
            if (r->nnz == 0) {
                r->first_index = idx;
                r->first_value = v;
            }
            r->indices[r->nnz] = idx;
            r->values[r->nnz++] = v;
            if (idx > r->max_index)
                r->max_index = idx;
            off += used;
        }
        cr_assert(r->rows < 256);
        r->row_end[r->rows++] = r->nnz;
    }
    fclose(fp);
}

static void ref_free(ref_data *r)
{
    free(r->indices);
    free(r->values);
    free(r->row_end);
}

Test(libsvm, sample_file_matches_an_independent_parse)
{
    LML_REQUIRE_SHARED(path, SAMPLE);
    ref_data r;
    ref_parse(path, &r);
    cr_assert_eq(r.rows, 100);
    cr_assert_eq(r.max_index, 692);

    lml_error err = {0};
    lml_frame *f = lml_libsvm_read(path, NULL, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 100);
    cr_assert_eq(lml_frame_num_cols(f), 2);
    cr_assert_str_eq(lml_frame_column_name(f, 0), "label");
    cr_assert_str_eq(lml_frame_column_name(f, 1), "features");

    const lml_column *label = col(f, "label");
    cr_assert_eq(lml_column_type(label), LML_DOUBLE);
    cr_assert_eq(lml_column_null_count(label), 0);
    const double *lab = lml_column_doubles(label);
    size_t zeros = 0, ones = 0;
    for (size_t i = 0; i < 100; i++)
        lab[i] == 0.0 ? zeros++ : lab[i] == 1.0 ? ones++ : 0;
    cr_assert_eq(zeros, 43);
    cr_assert_eq(ones, 57);
    cr_assert_eq(zeros, r.zeros);
    cr_assert_eq(ones, r.ones);

    const lml_column *feat = col(f, "features");
    cr_assert_eq(lml_column_type(feat), LML_VECTOR);
    cr_assert(lml_column_vector_is_sparse(feat));
    cr_assert_eq(lml_column_vector_size(feat), 692);
    const int64_t *ptr = lml_column_vector_indptr(feat);
    const int32_t *idx = lml_column_vector_indices(feat);
    const double *val = lml_column_vector_values(feat);
    cr_assert_eq((size_t)ptr[100], r.nnz);
    cr_assert_eq(idx[0], r.first_index - 1);
    cr_assert_eq(idx[0], 127);
    cr_assert_eq(val[0], 51.0);
    cr_assert_eq(val[0], r.first_value);
    for (size_t i = 0; i < 100; i++)
        cr_assert_eq((size_t)ptr[i + 1], r.row_end[i], "row %zu", i);
    for (size_t k = 0; k < r.nnz; k++) {
        cr_assert_eq(idx[k], r.indices[k] - 1, "entry %zu", k);
        cr_assert_eq(val[k], r.values[k], "entry %zu", k);
    }
    const char *meta = lml_frame_column_metadata(f, 1);
    cr_assert(meta);
    cr_assert_str_eq(meta, "{\"ml_attr\":{\"num_attrs\":692}}");
    cr_assert_null(lml_frame_column_metadata(f, 0));
    lml_frame_free(f);
    ref_free(&r);
}

Test(libsvm, sample_with_num_features_1000_has_size_1000)
{
    LML_REQUIRE_SHARED(path, SAMPLE);
    lml_error err = {0};
    lml_frame *f = lml_libsvm_read(path, &(lml_libsvm_options){.num_features = 1000}, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_column_vector_size(col(f, "features")), 1000);
    cr_assert_str_eq(lml_frame_column_metadata(f, 1), "{\"ml_attr\":{\"num_attrs\":1000}}");
    cr_assert_eq(lml_column_vector_indices(col(f, "features"))[0], 127);
    lml_frame_free(f);
}

Test(libsvm, sample_with_num_features_100_fails_naming_the_line)
{
    LML_REQUIRE_SHARED(path, SAMPLE);
    lml_error err = {0};
    cr_assert_null(lml_libsvm_read(path, &(lml_libsvm_options){.num_features = 100}, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    /* Line 1 is "0 128:51 …": the first entry (column 3) is already beyond 100. */
    cr_assert(strstr(err.message, "sample_libsvm_data.txt:1:3:"), "%s", err.message);
    cr_assert(strstr(err.message, "\"128:51\""), "%s", err.message);
    cr_assert(strstr(err.message, "numFeatures 100"), "%s", err.message);
}

Test(libsvm, sample_dense_equals_sparse)
{
    LML_REQUIRE_SHARED(path, SAMPLE);
    lml_error err = {0};
    lml_frame *s = lml_libsvm_read(path, NULL, &err);
    lml_frame *d = lml_libsvm_read(path, &(lml_libsvm_options){.dense = true}, &err);
    cr_assert(s && d, "%s", err.message);
    const lml_column *fs = col(s, "features"), *fd = col(d, "features");
    cr_assert_not(lml_column_vector_is_sparse(fd));
    cr_assert_eq(lml_column_vector_size(fd), 692);
    cr_assert_str_eq(lml_frame_column_metadata(d, 1), "{\"ml_attr\":{\"num_attrs\":692}}");
    const double *dense = lml_column_vector_dense(fd);
    const int64_t *ptr = lml_column_vector_indptr(fs);
    const int32_t *idx = lml_column_vector_indices(fs);
    const double *val = lml_column_vector_values(fs);
    size_t nonzero = 0;
    for (size_t i = 0; i < 100 * 692; i++)
        nonzero += dense[i] != 0.0;
    cr_assert_eq(nonzero, (size_t)ptr[100]); /* the sample stores no explicit zeros */
    for (size_t r = 0; r < 100; r++)
        for (int64_t k = ptr[r]; k < ptr[r + 1]; k++)
            cr_assert_eq(dense[r * 692 + (size_t)idx[k]], val[k]);
    cr_assert_eq(dense[127], 51.0);
    cr_assert_eq(dense[0], 0.0);
    lml_frame_free(s);
    lml_frame_free(d);
}

/* ------------------------------------------------------------------ the line grammar */

Test(libsvm, comments_blank_lines_tabs_and_trailing_spaces)
{
    const char *text = "# a header comment\n"
                       "\n"
                       "1 1:0.5 3:2   \n"
                       "   \t  \n"
                       "0\t2:-1.5\t\t4:1e3 # trailing comment 9:9\n"
                       "  # indented comment\n"
                       "-1 1:2.5E-2 10:+7\r\n"
                       "2\n"
                       "1 5:-0.0#x\r"
                       "3 2:4"; /* no final newline */
    lml_frame *f = read_text(text, NULL);
    cr_assert_eq(lml_frame_num_rows(f), 6);
    const double *lab = lml_column_doubles(col(f, "label"));
    const double want_lab[6] = {1, 0, -1, 2, 1, 3};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(lab[i], want_lab[i], "row %d", i);
    const lml_column *c = col(f, "features");
    cr_assert_eq(lml_column_vector_size(c), 10);
    const int64_t *ptr = lml_column_vector_indptr(c);
    const int64_t want_ptr[7] = {0, 2, 4, 6, 6, 7, 8};
    for (int i = 0; i < 7; i++)
        cr_assert_eq(ptr[i], want_ptr[i], "indptr %d", i);
    const int32_t want_idx[8] = {0, 2, 1, 3, 0, 9, 4, 1};
    const double want_val[8] = {0.5, 2, -1.5, 1000, 0.025, 7, -0.0, 4};
    for (int k = 0; k < 8; k++) {
        cr_assert_eq(lml_column_vector_indices(c)[k], want_idx[k], "entry %d", k);
        cr_assert_eq(lml_column_vector_values(c)[k], want_val[k], "entry %d", k);
    }
    cr_assert(signbit(lml_column_vector_values(c)[6]), "-0.0 keeps its sign");
    lml_frame_free(f);
}

Test(libsvm, numbers_follow_java_double_parse)
{
    lml_frame *f = read_text("1.5d 1:0x1p3 2:NaN 3:-Infinity 4:1f 5:.5 6:1e-320 7:0.1\n", NULL);
    cr_assert_eq(lml_column_doubles(col(f, "label"))[0], 1.5);
    const double *v = lml_column_vector_values(col(f, "features"));
    cr_assert_eq(v[0], 8.0);
    cr_assert(isnan(v[1]));
    cr_assert(isinf(v[2]) && v[2] < 0);
    cr_assert_eq(v[3], 1.0);
    cr_assert_eq(v[4], 0.5);
    cr_assert_eq(v[5], 1e-320);
    cr_assert_eq(v[6], 0.1);
    lml_frame_free(f);
}

Test(libsvm, dense_option_on_a_small_file)
{
    lml_frame *f = read_text("1 2:3\n0\n2 1:-1 3:4\n", &(lml_libsvm_options){.dense = true, .num_features = 4});
    const lml_column *c = col(f, "features");
    cr_assert_not(lml_column_vector_is_sparse(c));
    cr_assert_eq(lml_column_vector_size(c), 4);
    const double want[12] = {0, 3, 0, 0, 0, 0, 0, 0, -1, 0, 4, 0};
    for (int i = 0; i < 12; i++)
        cr_assert_eq(lml_column_vector_dense(c)[i], want[i], "cell %d", i);
    lml_frame_free(f);
}

Test(libsvm, inferred_size_is_the_largest_index_of_any_row)
{
    lml_frame *f = read_text("0 7:1\n1 2:1 3:1\n", NULL);
    cr_assert_eq(lml_column_vector_size(col(f, "features")), 7);
    lml_frame_free(f);
    /* A given numFeatures equal to the largest index is allowed. */
    f = read_text("0 7:1\n", &(lml_libsvm_options){.num_features = 7});
    cr_assert_eq(lml_column_vector_size(col(f, "features")), 7);
    lml_frame_free(f);
}

Test(libsvm, empty_and_comment_only_files_give_zero_rows_of_size_zero)
{
    const char *texts[] = {"", "\n\n", "# only a comment\n   \n"};
    for (int i = 0; i < 3; i++) {
        lml_frame *f = read_text(texts[i], NULL);
        cr_assert_eq(lml_frame_num_rows(f), 0);
        cr_assert_eq(lml_frame_num_cols(f), 2);
        cr_assert_eq(lml_column_vector_size(col(f, "features")), 0);
        cr_assert_str_eq(lml_frame_column_metadata(f, 1), "{\"ml_attr\":{\"num_attrs\":0}}");
        lml_frame_free(f);
    }
    lml_frame *f = read_text("", &(lml_libsvm_options){.dense = true, .num_features = 5});
    cr_assert_eq(lml_frame_num_rows(f), 0);
    cr_assert_eq(lml_column_vector_size(col(f, "features")), 5);
    lml_frame_free(f);
}

Test(libsvm, rows_without_features_are_empty_vectors)
{
    lml_frame *f = read_text("1\n0 \n", NULL);
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_eq(lml_column_vector_size(col(f, "features")), 0);
    cr_assert_eq(lml_column_vector_indptr(col(f, "features"))[2], 0);
    lml_frame_free(f);
}

/* ------------------------------------------------------------------ format errors */

Test(libsvm, descending_index_is_reported_with_line_and_column)
{
    expect_format_error("1 1:1\n0 3:1 2:1\n", ":2:7:", "indices should be one-based and in ascending order");
    expect_format_error("1 1:1\n0 3:1 2:1\n", ":2:7:", "\"2:1\"");
}

Test(libsvm, repeated_index_is_an_error)
{
    expect_format_error("1 2:1 2:5\n", ":1:7:", "indices should be one-based and in ascending order: index 2 after 2");
}

Test(libsvm, index_zero_and_negative_are_errors)
{
    expect_format_error("1 0:1\n", ":1:3:", "one-based");
    expect_format_error("# c\n\n1 -4:1\n", ":3:3:", "index -4");
}

Test(libsvm, unparsable_value_label_and_index)
{
    expect_format_error("1 3:abc\n", ":1:3:", "cannot parse the value as double in \"3:abc\"");
    expect_format_error("0 1:1\nabc 1:2\n", ":2:1:", "cannot parse label as double: \"abc\"");
    expect_format_error("1 x:1\n", ":1:3:", "cannot parse the index as an int in \"x:1\"");
    expect_format_error("1 :1\n", ":1:3:", "index");
    expect_format_error("1 1.5:1\n", ":1:3:", "index");
    expect_format_error("1 99999999999:1\n", ":1:3:", "\"99999999999:1\"");
    expect_format_error("1 1:1.2.3\n", ":1:3:", "value");
}

Test(libsvm, missing_value_missing_colon_and_extra_colon)
{
    expect_format_error("1 3:\n", ":1:3:", "missing value after index 3 in \"3:\"");
    expect_format_error("1 2:1 5\n", ":1:7:", "expected index:value, found \"5\"");
    expect_format_error("1 3:1:2\n", ":1:3:", "\"3:1:2\"");
}

Test(libsvm, index_beyond_num_features_is_an_error)
{
    lml_error err = {0};
    const char *path = lml_test_write_temp("nf.libsvm", "0 1:1\n1 2:1 4:2\n");
    cr_assert_null(lml_libsvm_read(path, &(lml_libsvm_options){.num_features = 3}, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "nf.libsvm:2:7:"), "%s", err.message);
    cr_assert(strstr(err.message, "index 4 is beyond numFeatures 3 in \"4:2\""), "%s", err.message);
}

Test(libsvm, crlf_lines_are_counted_once)
{
    expect_format_error("1 1:1\r\n1 1:1\r\n1 2:x\r\n", ":3:3:", "\"2:x\"");
    expect_format_error("1 1:1\r1 2:x\r", ":2:3:", "\"2:x\"");
}

Test(libsvm, bad_arguments_and_files)
{
    lml_error err = {0};
    cr_assert_null(lml_libsvm_read(NULL, NULL, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    const char *path = lml_test_write_temp("ok.libsvm", "1 1:1\n");
    cr_assert_null(lml_libsvm_read(path, &(lml_libsvm_options){.num_features = -1}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_null(lml_libsvm_read(path, &(lml_libsvm_options){.num_features = (int64_t)1 << 31}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_null(lml_libsvm_read("/nonexistent/x.libsvm", NULL, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert(strstr(err.message, "/nonexistent/x.libsvm"), "%s", err.message);
    cr_assert_null(lml_libsvm_read(lml_test_temp_dir(), NULL, &err));
    cr_assert_eq(err.code, LML_EIO);
}

Test(libsvm, largest_int_index_gives_size_int32_max)
{
    /* Spark parses indices with Integer.parseInt: 2147483647 is the largest, one past fails. */
    lml_frame *f = read_text("1 2147483647:1\n0\n", NULL);
    const lml_column *c = col(f, "features");
    cr_assert_eq(lml_column_vector_size(c), 2147483647u);
    cr_assert_eq(lml_column_vector_indices(c)[0], 2147483646);
    cr_assert_str_eq(lml_frame_column_metadata(f, 1), "{\"ml_attr\":{\"num_attrs\":2147483647}}");
    lml_frame_free(f);
    expect_format_error("1 2147483648:1\n", ":1:3:", "cannot parse the index as an int");
}

/* ------------------------------------------------------------------ hostile bytes */

Test(libsvm, nul_bytes_and_long_tokens_give_clean_messages)
{
    /* A NUL after a value is whitespace to Java's trim (Double.parseDouble("3\\0") is 3.0) … */
    const char nul_end[] = "1 2:3\0\n";
    lml_frame *ok = lml_libsvm_read(write_bytes("nul0.libsvm", nul_end, sizeof nul_end - 1), NULL, NULL);
    cr_assert(ok);
    cr_assert_eq(lml_column_vector_values(col(ok, "features"))[0], 3.0);
    lml_frame_free(ok);
    /* … but not inside an index, which Integer.parseInt reads without trimming. */
    const char nul[] = "1 2\0:3\n";
    const char *path = write_bytes("nul.libsvm", nul, sizeof nul - 1);
    lml_error err = {0};
    cr_assert_null(lml_libsvm_read(path, NULL, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "\"2?:3\""), "%s", err.message);

    char longtok[400] = "1 1:";
    memset(longtok + 4, 'z', 300);
    longtok[304] = '\n';
    longtok[305] = '\0';
    cr_assert_null(lml_libsvm_read(lml_test_write_temp("long.libsvm", longtok), NULL, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "...\""), "token should be cut: %s", err.message);
    cr_assert_lt(strlen(err.message), 200);
}

Test(libsvm, truncated_sample_reads_or_fails_cleanly)
{
    LML_REQUIRE_SHARED(path, SAMPLE);
    size_t len = 0;
    char *all = lml_test_slurp_n(path, &len);
    cr_assert(all);
    /* Cut after "0 128:" (6 bytes): the last entry has no value. */
    lml_error err = {0};
    cr_assert_null(lml_libsvm_read(write_bytes("cut.libsvm", all, 6), NULL, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "cut.libsvm:1:3: missing value"), "%s", err.message);
    /* Cut after "0 128:5": one row, one entry, value 5. */
    lml_frame *f = lml_libsvm_read(write_bytes("cut.libsvm", all, 7), NULL, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(f), 1);
    cr_assert_eq(lml_column_vector_values(col(f, "features"))[0], 5.0);
    cr_assert_eq(lml_column_vector_size(col(f, "features")), 128);
    lml_frame_free(f);
    /* Every prefix either reads or fails with LML_EFORMAT. */
    for (size_t cut = 0; cut < len; cut += 97) {
        f = lml_libsvm_read(write_bytes("cut.libsvm", all, cut), NULL, &err);
        if (f)
            lml_frame_free(f);
        else
            cr_assert_eq(err.code, LML_EFORMAT, "cut %zu: %s", cut, err.message);
    }
    free(all);
}

Test(libsvm, random_garbage_never_crashes)
{
    static const char alphabet[] = "0123456789:: \t\n#.-+eE\r\0xNa";
    uint64_t s = 0x9e3779b97f4a7c15u;
    char buf[512];
    size_t oks = 0;
    for (int iter = 0; iter < 300; iter++) {
        size_t n = (size_t)(iter % 64) * 8;
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            buf[i] = alphabet[s % (sizeof alphabet - 1)];
        }
        lml_error err = {0};
        lml_frame *f = lml_libsvm_read(write_bytes("rnd.libsvm", buf, n), NULL, &err);
        if (f) {
            oks++;
            /* Whatever read must be a valid CSR column of the advertised size. */
            const lml_column *c = col(f, "features");
            size_t size = lml_column_vector_size(c);
            const int64_t *ptr = lml_column_vector_indptr(c);
            for (size_t r = 0; r < lml_frame_num_rows(f); r++)
                for (int64_t k = ptr[r]; k < ptr[r + 1]; k++)
                    cr_assert_lt((size_t)lml_column_vector_indices(c)[k], size);
            lml_frame_free(f);
        } else {
            cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
        }
    }
    cr_assert_gt(oks, 0);
}
