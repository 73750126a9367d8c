/* The `lakeml` command on Parquet: schema, --parquet-meta and show of the conformance files,
 * detection by magic rather than name, corrupt files, and convert between CSV and Parquet with
 * its output flags (round trip of titanic.csv through Parquet). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_support.h"
#include "support.h"

Test(cli, parquet_schema_of_alltypes_plain_matches_spark)
{
    LML_REQUIRE_SHARED(p, "conformance/parquet/alltypes_plain.parquet");
    /* Impala's file: small ints without annotation stay integer, BYTE_ARRAY without UTF8 is binary,
     * INT96 is a timestamp, FLOAT is Spark's float (parquet.h's mapping). */
    lml_test_expect_ok(lml_test_run("schema", p), "root\n"
                                " |-- id: integer (nullable = true)\n"
                                " |-- bool_col: boolean (nullable = true)\n"
                                " |-- tinyint_col: integer (nullable = true)\n"
                                " |-- smallint_col: integer (nullable = true)\n"
                                " |-- int_col: integer (nullable = true)\n"
                                " |-- bigint_col: long (nullable = true)\n"
                                " |-- float_col: float (nullable = true)\n"
                                " |-- double_col: double (nullable = true)\n"
                                " |-- date_string_col: binary (nullable = true)\n"
                                " |-- string_col: binary (nullable = true)\n"
                                " |-- timestamp_col: timestamp (nullable = true)\n"
                                "\n");
}

Test(cli, parquet_detected_by_magic_not_name)
{
    LML_REQUIRE_SHARED(p, "conformance/parquet/list_columns.parquet");
    const char *dir = lml_test_temp_dir();
    char copy[512];
    snprintf(copy, sizeof copy, "%s/data.bin", dir);
    char *bytes = NULL;
    FILE *in = fopen(p, "rb");
    cr_assert_not_null(in);
    bytes = malloc(4096);
    size_t n = fread(bytes, 1, 4096, in);
    fclose(in);
    FILE *out = fopen(copy, "wb");
    cr_assert_not_null(out);
    fwrite(bytes, 1, n, out);
    fclose(out);
    free(bytes);
    /* Nested types print as Spark's printSchema nests them. */
    lml_test_expect_ok(lml_test_run("schema", copy), "root\n"
                                   " |-- int64_list: array (nullable = true)\n"
                                   " |    |-- element: long (containsNull = true)\n"
                                   " |-- utf8_list: array (nullable = true)\n"
                                   " |    |-- element: string (containsNull = true)\n"
                                   "\n");
    unlink(copy);
    rmdir(dir);
}

Test(cli, parquet_meta_prints_footer_facts)
{
    LML_REQUIRE_SHARED(p, "conformance/parquet/alltypes_plain.parquet");
    lml_test_result r = lml_test_run("schema", "--parquet-meta", p);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_empty(r.err);
    cr_expect(strstr(r.out, "created_by: impala version 1.3.0-INTERNAL (build 8a48ddb1eff84592b3fc06bc6f51ec120e1fffc9)\n"),
              "%s", r.out);
    cr_expect(strstr(r.out, "\nnum_rows: 8\nnum_row_groups: 1\n"), "%s", r.out);
    cr_expect(strstr(r.out, "\nrow group 0: rows=8 total_byte_size=671 compressed_size=-\n"), "%s", r.out);
    cr_expect(strstr(r.out, "\n    id: type=INT32 encodings=RLE,PLAIN_DICTIONARY,PLAIN codec=UNCOMPRESSED values=8 "
                            "compressed=73 uncompressed=73\n"),
              "%s", r.out);
    cr_expect(strstr(r.out, "\n    timestamp_col: type=INT96 "), "%s", r.out);
    cr_expect(strstr(r.out, "row group 1") == NULL, "%s", r.out);
    lml_test_result_free(&r);
}

Test(cli, parquet_meta_prints_statistics_per_row_group)
{
    LML_REQUIRE_SHARED(p, "conformance/parquet/sort_columns.parquet");
    lml_test_result r = lml_test_run("schema", "--parquet-meta", p);
    cr_expect_eq(r.status, 0, "%s", r.err);
    /* Two row groups of rows (null,a),(2,b),(1,c): min/max/null_count from the chunk statistics. */
    cr_expect(strstr(r.out, "\nnum_rows: 6\nnum_row_groups: 2\n"), "%s", r.out);
    cr_expect(strstr(r.out, "\nrow group 1: rows=3 total_byte_size=166 compressed_size=174\n"), "%s", r.out);
    cr_expect(strstr(r.out, "    a: type=INT64 encodings=PLAIN,RLE,RLE_DICTIONARY codec=SNAPPY values=3 compressed=104 "
                            "uncompressed=100 min=1 max=2 null_count=1\n"),
              "%s", r.out);
    cr_expect(strstr(r.out, " min=\"a\" max=\"c\" null_count=0\n"), "%s", r.out);
    lml_test_result_free(&r);
    LML_REQUIRE_SHARED(b, "conformance/parquet/binary.parquet");
    r = lml_test_run("schema", "--parquet-meta", b);
    cr_expect_eq(r.status, 0, "%s", r.err);
    /* Bytes that are not printable text show as hex. */
    cr_expect(strstr(r.out, "    foo: type=BYTE_ARRAY encodings=RLE,BIT_PACKED,PLAIN codec=UNCOMPRESSED values=12 "
                            "compressed=95 uncompressed=95 min=0x00 max=0x0B null_count=0\n"),
              "%s", r.out);
    lml_test_result_free(&r);
}

Test(cli, parquet_meta_refuses_csv)
{
    const char *p = lml_test_write_temp("s.csv", LML_TEST_SMALL_CSV);
    lml_test_expect_fail(lml_test_run("schema", "--parquet-meta", p), 1, "not a Parquet file");
}

Test(cli, parquet_show_prints_first_rows)
{
    LML_REQUIRE_SHARED(p, "conformance/parquet/alltypes_plain.parquet");
    /* Rows 4 and 5 come first (MANIFEST); binary cells print as Spark's hex bytes, the FLOAT
     * 1.1f as Java's Float.toString. */
    lml_test_expect_ok(lml_test_run("show", "-n", "2", p),
              "+---+--------+-----------+------------+-------+----------+---------+----------+--------------------+----------+-------------------+\n"
              "| id|bool_col|tinyint_col|smallint_col|int_col|bigint_col|float_col|double_col|     date_string_col|string_col|      timestamp_col|\n"
              "+---+--------+-----------+------------+-------+----------+---------+----------+--------------------+----------+-------------------+\n"
              "|  4|    true|          0|           0|      0|         0|      0.0|       0.0|[30 33 2F 30 31 2...|      [30]|2009-03-01 00:00:00|\n"
              "|  5|   false|          1|           1|      1|        10|      1.1|      10.1|[30 33 2F 30 31 2...|      [31]|2009-03-01 00:01:00|\n"
              "+---+--------+-----------+------------+-------+----------+---------+----------+--------------------+----------+-------------------+\n"
              "only showing top 2 rows\n"
              "\n");
    lml_test_result r = lml_test_run("show", "--no-truncate", "-n", "1", p);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "|[30 33 2F 30 31 2F 30 39]|") != NULL, "%s", r.out);
    lml_test_result_free(&r);
}

Test(cli, parquet_warns_that_csv_flags_do_not_apply)
{
    LML_REQUIRE_SHARED(p, "conformance/parquet/alltypes_plain.parquet");
    lml_test_result r = lml_test_run("describe", "--delimiter", ";", p, "id");
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, "lakeml: warning: ") == r.err && strstr(r.err, "--delimiter do not apply"), "%s", r.err);
    char cells[256];
    /* ids 0..7 */
    cr_expect_str_eq(lml_test_row_cells(r.out, "count", cells, sizeof cells), "count,8");
    cr_expect_str_eq(lml_test_row_cells(r.out, "mean", cells, sizeof cells), "mean,3.5");
    cr_expect_str_eq(lml_test_row_cells(r.out, "min", cells, sizeof cells), "min,0");
    cr_expect_str_eq(lml_test_row_cells(r.out, "max", cells, sizeof cells), "max,7");
    lml_test_result_free(&r);
}

Test(cli, parquet_corrupt_file_fails_naming_it)
{
    const char *p = lml_test_write_temp("broken.parquet", "PAR1 this is not really parquet at all PAR1");
    lml_test_expect_fail(lml_test_run("show", p), 1, "broken.parquet");
    lml_test_expect_fail(lml_test_run("schema", "--parquet-meta", p), 1, "broken.parquet");
    const char *q = lml_test_write_temp("short.parquet", "PAR1");
    lml_test_expect_fail(lml_test_run("schema", q), 1, "short.parquet");
    LML_REQUIRE_SHARED(c, "conformance/parquet/datapage_v1-corrupt-checksum.parquet");
    lml_test_expect_fail(lml_test_run("show", c), 1, "datapage_v1-corrupt-checksum.parquet: column 'a'");
}

Test(cli, convert_usage_errors_for_output_flags)
{
    const char *in = lml_test_write_temp("in.csv", "a\n1\n");
    lml_test_expect_fail(lml_test_run("convert", "--codec", "brotli", in, "x.parquet"), 2, "--codec");
    lml_test_expect_fail(lml_test_run("convert", "--codec", "zstd", in, "x.csv"), 2, "applies to Parquet output");
    lml_test_expect_fail(lml_test_run("convert", "--out-no-header", in, "x.parquet"), 2, "applies to CSV output");
    lml_test_expect_fail(lml_test_run("convert", "--row-group-size", "0", in, "x.parquet"), 2, "--row-group-size");
    lml_test_expect_fail(lml_test_run("convert", "--format", "orc", in, "x"), 2, "--format");
    lml_test_expect_fail(lml_test_run("convert", "--format", "parquet", in, "-"), 2, "standard output");
}

Test(cli, convert_csv_to_parquet_round_trips_titanic)
{
    LML_REQUIRE_SHARED(t, "datasets/titanic.csv");
    char *titanic = strdup(t);
    const char *dir = lml_test_temp_dir();
    char direct[512], pq[512], back[512], pq2[512], back2[512];
    snprintf(direct, sizeof direct, "%s/direct.csv", dir);
    snprintf(pq, sizeof pq, "%s/t.parquet", dir);
    snprintf(back, sizeof back, "%s/back.csv", dir);
    snprintf(pq2, sizeof pq2, "%s/t.bin", dir);
    snprintf(back2, sizeof back2, "%s/back2.csv", dir);
    /* CSV → CSV is the reference text; CSV → Parquet → CSV must give the same bytes. */
    lml_test_expect_ok(lml_test_run("convert", titanic, direct), "");
    lml_test_expect_ok(lml_test_run("convert", titanic, pq), "");
    lml_test_expect_ok(lml_test_run("convert", pq, back), "");
    char *a = lml_test_slurp(direct), *b = lml_test_slurp(back);
    cr_assert(a && b);
    cr_expect(strlen(a) > 60000, "direct CSV is %zu bytes", strlen(a));
    cr_expect(strcmp(a, b) == 0, "CSV → Parquet → CSV differs from CSV → CSV");
    free(b);
    lml_test_expect_ok(lml_test_run("schema", pq), "root\n"
                                 " |-- PassengerId: integer (nullable = true)\n"
                                 " |-- Survived: integer (nullable = true)\n"
                                 " |-- Pclass: integer (nullable = true)\n"
                                 " |-- Name: string (nullable = true)\n"
                                 " |-- Sex: string (nullable = true)\n"
                                 " |-- Age: double (nullable = true)\n"
                                 " |-- SibSp: integer (nullable = true)\n"
                                 " |-- Parch: integer (nullable = true)\n"
                                 " |-- Ticket: string (nullable = true)\n"
                                 " |-- Fare: double (nullable = true)\n"
                                 " |-- Cabin: string (nullable = true)\n"
                                 " |-- Embarked: string (nullable = true)\n"
                                 "\n");
    lml_test_result r = lml_test_run("schema", "--parquet-meta", pq);
    cr_expect(strstr(r.out, "\nnum_rows: 891\nnum_row_groups: 1\n"), "%s", r.out);
    cr_expect(strstr(r.out, "created_by: lakeml version "), "%s", r.out);
    cr_expect(strstr(r.out, "    PassengerId: type=INT32 ") && strstr(r.out, " codec=SNAPPY "), "%s", r.out);
    cr_expect(strstr(r.out, " min=1 max=891 null_count=0\n"), "%s", r.out);
    lml_test_result_free(&r);

    /* Small row groups, zstd, a name without .parquet: several row groups, same values. */
    lml_test_expect_ok(lml_test_run("convert", "--format", "parquet", "--codec", "zstd", "--row-group-size", "16k", titanic, pq2), "");
    r = lml_test_run("schema", "--parquet-meta", pq2);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\nnum_rows: 891\n"), "%s", r.out);
    cr_expect(strstr(r.out, "\nnum_row_groups: 1\n") == NULL && strstr(r.out, "\nrow group 1: "), "%s", r.out);
    cr_expect(strstr(r.out, " codec=ZSTD ") && !strstr(r.out, " codec=SNAPPY "), "%s", r.out);
    lml_test_result_free(&r);
    lml_test_expect_ok(lml_test_run("convert", pq2, back2), "");
    b = lml_test_slurp(back2);
    cr_assert_not_null(b);
    cr_expect(strcmp(a, b) == 0, "CSV → Parquet (zstd, 16k row groups) → CSV differs from CSV → CSV");
    free(a);
    free(b);
    lml_test_expect_ok(lml_test_run("show", "-n", "1", pq2),
              "+-----------+--------+------+--------------------+----+----+-----+-----+---------+----+-----+--------+\n"
              "|PassengerId|Survived|Pclass|                Name| Sex| Age|SibSp|Parch|   Ticket|Fare|Cabin|Embarked|\n"
              "+-----------+--------+------+--------------------+----+----+-----+-----+---------+----+-----+--------+\n"
              "|          1|       0|     3|Braund, Mr. Owen ...|male|22.0|    1|    0|A/5 21171|7.25| NULL|       S|\n"
              "+-----------+--------+------+--------------------+----+----+-----+-----+---------+----+-----+--------+\n"
              "only showing top 1 row\n"
              "\n");
    unlink(direct);
    unlink(pq);
    unlink(back);
    unlink(pq2);
    unlink(back2);
    rmdir(dir);
    free(titanic);
}
