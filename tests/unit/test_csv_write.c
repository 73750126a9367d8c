/* lml_csv_write: RFC 4180 quoting, nulls, every column type, shortest round-trip doubles and
 * the write-to-temp-then-rename guarantee. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lakeml/lakeml.h"
#include "support.h"

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    cr_assert(fp, "cannot open %s", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static lml_column *typed(lml_type t, const int64_t *v, const bool *null, size_t n)
{
    lml_error err = {0};
    lml_column_builder *b = lml_column_builder_new(t, n, &err);
    cr_assert(b, "%s", err.message);
    for (size_t i = 0; i < n; i++) {
        bool ok = null[i]                       ? lml_column_builder_append_null(b, &err)
                  : t == LML_BOOL               ? lml_column_builder_append_bool(b, v[i] != 0, &err)
                  : t == LML_DATE || t == LML_INT32 ? lml_column_builder_append_int32(b, (int32_t)v[i], &err)
                                                : lml_column_builder_append_int64(b, v[i], &err);
        cr_assert(ok, "%s", err.message);
    }
    lml_column *c = lml_column_builder_finish(b, &err);
    cr_assert(c, "%s", err.message);
    return c;
}

static lml_frame *frame_of(size_t n, const char *const *names, lml_column **cols)
{
    lml_error err = {0};
    lml_frame *f = lml_frame_new(n, names, cols, &err);
    cr_assert(f, "%s", err.message);
    for (size_t i = 0; i < n; i++)
        lml_column_free(cols[i]);
    return f;
}

static const char *out_path(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", lml_test_temp_dir(), name);
    return p;
}

Test(csv_write, quotes_only_what_needs_quoting_and_writes_nulls_as_empty)
{
    const char *s[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "", NULL, " spaced ", "cr\r"};
    lml_error err = {0};
    lml_column *cols[2] = {lml_column_from_strings(s, 8, &err), NULL};
    int64_t iv[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    bool nulls[8] = {0, 0, 0, 0, 0, 0, 1, 0};
    cols[1] = typed(LML_INT64, iv, nulls, 8);
    lml_frame *f = frame_of(2, (const char *[]){"s", "n,um"}, cols);
    const char *path = out_path("q.csv");
    cr_assert(lml_csv_write(f, path, NULL, &err), "%s", err.message);
    cr_assert_str_eq(slurp(path), "s,\"n,um\"\nplain,1\n\"a,b\",2\n\"say \"\"hi\"\"\",3\n\"two\nlines\",4\n\"\",5\n,6\n"
                                  " spaced ,\n\"cr\r\",8\n");
    /* RFC mode reads it back exactly (the null stays null; "" is an empty string). */
    lml_frame *g = lml_csv_read(path, &(lml_csv_options){.header = true, .escape = '"', .multi_line = true,
                                                         .null_value = "NULL"},
                                &err);
    cr_assert(g, "%s", err.message);
    cr_assert_eq(lml_frame_num_rows(g), 8);
    for (size_t i = 0; i < 8; i++) {
        const lml_column *c = lml_frame_column(g, 0);
        cr_assert_eq(lml_column_is_null(c, i), s[i] == NULL, "row %zu", i);
        if (s[i]) {
            size_t len;
            const char *v = lml_column_string_at(c, i, &len);
            cr_assert(len == strlen(s[i]) && !memcmp(v, s[i], len), "row %zu: '%.*s'", i, (int)len, v);
        }
    }
    lml_frame_free(f);
    lml_frame_free(g);
}

Test(csv_write, every_type_is_written_in_spark_text_form)
{
    int64_t b[3] = {1, 0, 0}, i32[3] = {-5, 0, 2147483647}, dt[3] = {18292, -1, 0},
            ts[3] = {INT64_C(1580466030123000), -1, 0};
    bool none[3] = {0, 0, 1};
    lml_column *cols[5] = {typed(LML_BOOL, b, none, 3), typed(LML_INT32, i32, none, 3), typed(LML_DATE, dt, none, 3),
                           typed(LML_TIMESTAMP, ts, none, 3), NULL};
    lml_error err = {0};
    double vec[6] = {1, 2.5, 0, 0.1, -3, 1e-7};
    cols[4] = lml_column_vector_from_dense(vec, 3, 2, &err);
    cr_assert(cols[4], "%s", err.message);
    lml_frame *f = frame_of(5, (const char *[]){"b", "i", "d", "t", "v"}, cols);
    const char *path = out_path("types.csv");
    cr_assert(lml_csv_write(f, path, &(lml_csv_write_options){.null_value = "NA"}, &err), "%s", err.message);
    cr_assert_str_eq(slurp(path), "b,i,d,t,v\n"
                                  "true,-5,2020-01-31,2020-01-31T10:20:30.123Z,\"[1.0,2.5]\"\n"
                                  "false,0,1969-12-31,1969-12-31T23:59:59.999999Z,\"[0.0,0.1]\"\n"
                                  "NA,NA,NA,NA,\"[-3.0,1.0E-7]\"\n");
    /* Dates and timestamps read back to the same values. */
    lml_frame *g = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true, .null_value = "NA"},
                                &err);
    cr_assert(g, "%s", err.message);
    cr_assert_eq(lml_column_type(lml_frame_column(g, 2)), LML_DATE);
    cr_assert_eq(lml_column_int32s(lml_frame_column(g, 2))[1], -1);
    cr_assert_eq(lml_column_type(lml_frame_column(g, 3)), LML_TIMESTAMP);
    cr_assert_eq(lml_column_int64s(lml_frame_column(g, 3))[0], ts[0]);
    cr_assert_eq(lml_column_int64s(lml_frame_column(g, 3))[1], -1);
    cr_assert_eq(lml_column_type(lml_frame_column(g, 0)), LML_BOOL);
    lml_frame_free(f);
    lml_frame_free(g);
}

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

Test(csv_write, tricky_doubles_read_back_bit_identical)
{
    enum { N = 20000 };
    double *v = malloc(N * sizeof *v);
    const double fixed[] = {0.1, 1.0 / 3, 5e-324, DBL_MAX, DBL_MIN, -0.0, 0.0, 1e23, 9007199254740993.0,
                            123456789.123456789, 2.2250738585072009e-308, 1e-7, 1e21, 1e22, 0.3, 100, -1.5e-300,
                            4.35, 0x1p-1022, 0x1.fffffffffffffp1023, INFINITY, -INFINITY};
    size_t nf = sizeof fixed / sizeof *fixed;
    memcpy(v, fixed, sizeof fixed);
    srand(7);
    for (size_t i = nf; i < N; i++) {
        uint64_t u;
        do {
            u = (uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^ (uint64_t)rand();
            memcpy(&v[i], &u, 8);
        } while (!isfinite(v[i]));
        if (i % 3 == 0)
            v[i] = (double)(rand() % 100000) / 100.0; /* short decimals too */
    }
    lml_error err = {0};
    lml_column *col = lml_column_from_doubles(v, NULL, N, &err);
    cr_assert(col, "%s", err.message);
    lml_frame *f = frame_of(1, (const char *[]){"x"}, &col);
    const char *path = out_path("d.csv");
    cr_assert(lml_csv_write(f, path, NULL, &err), "%s", err.message);
    lml_frame *g = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert(g, "%s", err.message);
    const double *r = lml_column_doubles(lml_frame_column(g, 0));
    cr_assert(r, "read back as %s", lml_type_name(lml_column_type(lml_frame_column(g, 0))));
    cr_assert_eq(lml_frame_num_rows(g), N);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(bits(r[i]), bits(v[i]), "row %zu: wrote %.17g, read %.17g", i, v[i], r[i]);
    lml_frame_free(f);
    lml_frame_free(g);
    free(v);
}

Test(csv_write, options_change_header_delimiter_and_null_text)
{
    lml_error err = {0};
    double v[2] = {1.5, 2};
    uint8_t valid = 1; /* row 1 null */
    lml_column *col = lml_column_from_doubles(v, &valid, 2, &err);
    lml_frame *f = frame_of(1, (const char *[]){"a;b"}, &col);
    const char *path = out_path("o.csv");
    cr_assert(lml_csv_write(f, path, &(lml_csv_write_options){.no_header = true, .delimiter = ';', .null_value = "\\N"},
                            &err),
              "%s", err.message);
    cr_assert_str_eq(slurp(path), "1.5\n\\N\n");
    cr_assert(lml_csv_write(f, path, &(lml_csv_write_options){.delimiter = ';'}, &err), "%s", err.message);
    cr_assert_str_eq(slurp(path), "\"a;b\"\n1.5\n\n");
    cr_assert(!lml_csv_write(f, path, &(lml_csv_write_options){.delimiter = '"'}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    lml_frame_free(f);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

Test(csv_write, a_failed_write_leaves_the_target_and_no_temporary_file)
{
    lml_error err = {0};
    double v[1] = {1};
    lml_column *col = lml_column_from_doubles(v, NULL, 1, &err);
    lml_frame *f = frame_of(1, (const char *[]){"x"}, &col);
    const char *dir = lml_test_temp_dir();
    char target[512];
    snprintf(target, sizeof target, "%s/target", dir);
    cr_assert_eq(mkdir(target, 0755), 0);
    /* Renaming a file over a directory fails after the temporary file was fully written. */
    cr_assert(!lml_csv_write(f, target, NULL, &err));
    cr_assert_eq(err.code, LML_EIO);
    struct stat st;
    cr_assert(stat(target, &st) == 0 && S_ISDIR(st.st_mode));
    cr_assert_eq(count_entries(dir), 1, "a temporary file was left behind");
    /* A missing directory is reported. */
    cr_assert(!lml_csv_write(f, "/nonexistent/dir/out.csv", NULL, &err));
    cr_assert_eq(err.code, LML_EIO);
    lml_frame_free(f);
}

Test(csv_write, rewriting_a_file_replaces_it_whole)
{
    lml_error err = {0};
    const char *path = out_path("r.csv");
    FILE *fp = fopen(path, "wb");
    fputs("old,content,that,is,longer\n1,2,3,4,5\n", fp);
    fclose(fp);
    chmod(path, 0640);
    int64_t iv[1] = {42};
    bool nn[1] = {0};
    lml_column *col = typed(LML_INT32, iv, nn, 1);
    lml_frame *f = frame_of(1, (const char *[]){"n"}, &col);
    cr_assert(lml_csv_write(f, path, NULL, &err), "%s", err.message);
    cr_assert_str_eq(slurp(path), "n\n42\n");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0640, "mode %o", st.st_mode & 0777);
    lml_frame_free(f);
}
