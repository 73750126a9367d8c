/* The `lakeml` command, run as a user runs it: the built binary (LML_BUILD_DIR/src/cli/lakeml)
 * on small temporary CSV files and on the shared datasets, checking stdout, stderr and the exit
 * status exactly. Parquet input and output are in test_cli_parquet.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_support.h"
#include "support.h"

/* ------------------------------------------------------------------ global behaviour */

Test(cli, version_prints_name_and_version)
{
    lml_test_expect_ok(lml_test_run("--version"), "lakeml 0.1.0\n");
    lml_test_expect_ok(lml_test_run("-V"), "lakeml 0.1.0\n");
}

Test(cli, help_lists_commands_on_stdout)
{
    lml_test_result r = lml_test_run("--help");
    cr_expect_eq(r.status, 0);
    cr_expect_str_empty(r.err);
    cr_expect(strncmp(r.out, "Usage: lakeml ", 14) == 0, "%s", r.out);
    for (const char *c = "schema\0show\0describe\0convert\0"; *c; c += strlen(c) + 1)
        cr_expect(strstr(r.out, c) != NULL, "help lacks %s", c);
    lml_test_result_free(&r);
}

Test(cli, every_command_has_help)
{
    static const char *cmds[] = {"schema", "show", "describe", "convert"};
    for (size_t i = 0; i < 4; i++) {
        char want[64];
        snprintf(want, sizeof want, "Usage: lakeml %s ", cmds[i]);
        lml_test_result a = lml_test_run(cmds[i], "--help");
        lml_test_result b = lml_test_run(cmds[i], "-h");
        lml_test_result c = lml_test_run("help", cmds[i]);
        cr_expect_eq(a.status, 0, "%s --help: %d", cmds[i], a.status);
        cr_expect(strncmp(a.out, want, strlen(want)) == 0, "%s --help: %s", cmds[i], a.out);
        cr_expect(strstr(a.out, "--delimiter") != NULL);
        cr_expect_str_empty(a.err);
        cr_expect_str_eq(b.out, a.out);
        cr_expect_str_eq(c.out, a.out);
        cr_expect_eq(b.status, 0);
        cr_expect_eq(c.status, 0);
        lml_test_result_free(&a);
        lml_test_result_free(&b);
        lml_test_result_free(&c);
    }
}

Test(cli, usage_errors_exit_2)
{
    lml_test_expect_fail(lml_test_run_in(NULL, NULL), 2, "missing COMMAND");
    lml_test_expect_fail(lml_test_run("frobnicate"), 2, "unknown command 'frobnicate'");
    lml_test_expect_fail(lml_test_run("help", "frobnicate"), 2, "unknown command 'frobnicate'");
    lml_test_expect_fail(lml_test_run("--bogus"), 2, "unrecognized option '--bogus'");
    lml_test_expect_fail(lml_test_run("schema"), 2, "missing FILE");
    lml_test_expect_fail(lml_test_run("schema", "a.csv", "b.csv"), 2, "expected FILE, got 2 operands");
    lml_test_expect_fail(lml_test_run("show", "--bogus", "a.csv"), 2, "Try 'lakeml show --help'");
    lml_test_expect_fail(lml_test_run("show", "-n"), 2, "requires an argument");
    lml_test_expect_fail(lml_test_run("show", "-n", "-3", "a.csv"), 2, "-n/--rows: expected a non-negative number, got '-3'");
    lml_test_expect_fail(lml_test_run("show", "--truncate", "x", "a.csv"), 2, "--truncate");
    lml_test_expect_fail(lml_test_run("describe"), 2, "missing FILE");
    lml_test_expect_fail(lml_test_run("convert", "in.csv"), 2, "expected IN and OUT, got 1 operand");
    lml_test_expect_fail(lml_test_run("schema", "--mode", "LENIENT", "a.csv"), 2,
                "--mode: expected PERMISSIVE, DROPMALFORMED or FAILFAST, got 'LENIENT'");
    lml_test_expect_fail(lml_test_run("schema", "--delimiter", "ab", "a.csv"), 2, "--delimiter: expected one character");
    lml_test_expect_fail(lml_test_run("schema", "--schema", "a int, b float32", "a.csv"), 2, "unknown type 'float32'");
    lml_test_expect_fail(lml_test_run("schema", "--schema", "a int,", "a.csv"), 2, "missing column name");
    lml_test_expect_fail(lml_test_run("schema", "--schema", "a", "a.csv"), 2, "missing type");
    lml_test_expect_fail(lml_test_run("schema", "--schema", "a int, A string", "a.csv"), 2, "duplicate column name 'A'");
    lml_test_expect_fail(lml_test_run("--threads", "many", "schema", "a.csv"), 2, "--threads");
    lml_test_expect_fail(lml_test_run("schema", "--log", "loud", "a.csv"), 2, "--log: expected off, error, warn");
}

Test(cli, missing_file_is_a_runtime_error)
{
    const char *dir = lml_test_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/nope.csv", dir);
    lml_test_expect_fail(lml_test_run("schema", path), 1, "nope.csv");
    lml_test_expect_fail(lml_test_run("show", path), 1, "nope.csv");
    lml_test_expect_fail(lml_test_run("describe", path), 1, "nope.csv");
    char out[512];
    snprintf(out, sizeof out, "%s/out.csv", dir);
    lml_test_expect_fail(lml_test_run("convert", path, out), 1, "nope.csv");
    struct stat st;
    cr_expect_neq(stat(out, &st), 0, "convert created OUT although reading failed");
    rmdir(dir);
}

/* ------------------------------------------------------------------ schema */

Test(cli, schema_infers_types_with_header_by_default)
{
    const char *p = lml_test_write_temp("s.csv", LML_TEST_SMALL_CSV);
    lml_test_expect_ok(lml_test_run("schema", p), "root\n"
                                " |-- a: integer (nullable = true)\n"
                                " |-- b: double (nullable = true)\n"
                                " |-- c: string (nullable = true)\n"
                                "\n");
}

Test(cli, schema_flags_change_what_is_read)
{
    const char *p = lml_test_write_temp("s.csv", LML_TEST_SMALL_CSV);
    lml_test_expect_ok(lml_test_run("schema", "--no-infer-schema", p), "root\n"
                                                     " |-- a: string (nullable = true)\n"
                                                     " |-- b: string (nullable = true)\n"
                                                     " |-- c: string (nullable = true)\n"
                                                     "\n");
    /* Without a header the names are _c0…, and the header line makes every column a string. */
    lml_test_expect_ok(lml_test_run("schema", "--no-header", p), "root\n"
                                               " |-- _c0: string (nullable = true)\n"
                                               " |-- _c1: string (nullable = true)\n"
                                               " |-- _c2: string (nullable = true)\n"
                                               "\n");
    /* Global options before the command, the explicit schema after it. */
    lml_test_expect_ok(lml_test_run("--threads", "1", "--log", "error", "schema", "--schema", "x long, `y y` string, z: date", p),
              "root\n"
              " |-- x: long (nullable = true)\n"
              " |-- y y: string (nullable = true)\n"
              " |-- z: date (nullable = true)\n"
              "\n");
}

Test(cli, schema_reads_other_dialects)
{
    const char *semi = lml_test_write_temp("semi.csv", "a;b\n1;x\n");
    const char *tab = lml_test_write_temp("tab.csv", "a\tb\n1\t2.5\n");
    const char *na = lml_test_write_temp("na.csv", "a,b\n1,NA\nNA,2\n");
    const char *comment = lml_test_write_temp("comment.csv", "# generated\na,b\n1,2\n#x,y\n");
    const char *quoted = lml_test_write_temp("quoted.csv", "a,b\n'x,y',1\n");
    lml_test_expect_ok(lml_test_run("schema", "--delimiter", ";", semi),
              "root\n |-- a: integer (nullable = true)\n |-- b: string (nullable = true)\n\n");
    lml_test_expect_ok(lml_test_run("schema", "--delimiter", "\\t", tab),
              "root\n |-- a: integer (nullable = true)\n |-- b: double (nullable = true)\n\n");
    lml_test_expect_ok(lml_test_run("schema", "--delimiter", "tab", tab),
              "root\n |-- a: integer (nullable = true)\n |-- b: double (nullable = true)\n\n");
    lml_test_expect_ok(lml_test_run("schema", na), "root\n |-- a: string (nullable = true)\n |-- b: string (nullable = true)\n\n");
    lml_test_expect_ok(lml_test_run("schema", "--null-value", "NA", na),
              "root\n |-- a: integer (nullable = true)\n |-- b: integer (nullable = true)\n\n");
    lml_test_expect_ok(lml_test_run("schema", "--comment", "#", comment),
              "root\n |-- a: integer (nullable = true)\n |-- b: integer (nullable = true)\n\n");
    lml_test_expect_ok(lml_test_run("schema", "--quote", "'", quoted),
              "root\n |-- a: string (nullable = true)\n |-- b: integer (nullable = true)\n\n");
}

Test(cli, schema_reads_standard_input)
{
    const char *p = lml_test_write_temp("s.csv", LML_TEST_SMALL_CSV);
    lml_test_expect_ok(lml_test_run_in(p, "schema", "-", NULL), "root\n"
                                              " |-- a: integer (nullable = true)\n"
                                              " |-- b: double (nullable = true)\n"
                                              " |-- c: string (nullable = true)\n"
                                              "\n");
}

/* ------------------------------------------------------------------ show */

Test(cli, show_prints_spark_table)
{
    const char *p = lml_test_write_temp("s.csv", LML_TEST_SMALL_CSV);
    lml_test_expect_ok(lml_test_run("show", p), "+---+----+---+\n"
                              "|  a|   b|  c|\n"
                              "+---+----+---+\n"
                              "|  1| 2.5|  x|\n"
                              "|  2|NULL|  y|\n"
                              "|  3| 4.0|  z|\n"
                              "+---+----+---+\n"
                              "\n");
    /* Options may follow the operand (GNU getopt permutes). */
    lml_test_expect_ok(lml_test_run("show", p, "-n", "2"), "+---+----+---+\n"
                                         "|  a|   b|  c|\n"
                                         "+---+----+---+\n"
                                         "|  1| 2.5|  x|\n"
                                         "|  2|NULL|  y|\n"
                                         "+---+----+---+\n"
                                         "only showing top 2 rows\n"
                                         "\n");
}

Test(cli, show_truncates_like_spark)
{
    const char *p = lml_test_write_temp("long.csv", "s\nabcdefghijklmnopqrstuvwxyz\nab\n");
    lml_test_expect_ok(lml_test_run("show", p), "+--------------------+\n"
                              "|                   s|\n"
                              "+--------------------+\n"
                              "|abcdefghijklmnopq...|\n"
                              "|                  ab|\n"
                              "+--------------------+\n"
                              "\n");
    lml_test_expect_ok(lml_test_run("show", "--truncate", "5", p), "+-----+\n"
                                                 "|    s|\n"
                                                 "+-----+\n"
                                                 "|ab...|\n"
                                                 "|   ab|\n"
                                                 "+-----+\n"
                                                 "\n");
    /* Untruncated cells are left-aligned, as in Spark's show(truncate=False). */
    lml_test_expect_ok(lml_test_run("show", "--no-truncate", p), "+--------------------------+\n"
                                               "|s                         |\n"
                                               "+--------------------------+\n"
                                               "|abcdefghijklmnopqrstuvwxyz|\n"
                                               "|ab                        |\n"
                                               "+--------------------------+\n"
                                               "\n");
}

Test(cli, modes_handle_malformed_lines)
{
    const char *p = lml_test_write_temp("bad.csv", "a,b\n1,2\n3,x\n5,6\n");
    const char *dir = lml_test_temp_dir();
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.jsonl", dir);

    lml_test_expect_ok(lml_test_run("show", "--schema", "a int, b int", p), "+---+----+\n"
                                                          "|  a|   b|\n"
                                                          "+---+----+\n"
                                                          "|  1|   2|\n"
                                                          "|  3|NULL|\n"
                                                          "|  5|   6|\n"
                                                          "+---+----+\n"
                                                          "\n");
    lml_test_expect_ok(lml_test_run("show", "--schema", "a int, b int", "--mode", "dropmalformed", "--bad-records", bad, p),
              "+---+---+\n"
              "|  a|  b|\n"
              "+---+---+\n"
              "|  1|  2|\n"
              "|  5|  6|\n"
              "+---+---+\n"
              "\n");
    char *log = lml_test_slurp(bad);
    cr_assert_not_null(log, "--bad-records file was not written");
    cr_expect(strstr(log, "\"record\":\"3,x\"") != NULL, "bad records: %s", log);
    cr_expect(strchr(log, '\n') == strrchr(log, '\n'), "expected one JSON line: %s", log);
    free(log);
    unlink(bad);
    rmdir(dir);
    lml_test_expect_fail(lml_test_run("show", "--schema", "a int, b int", "--mode", "FAILFAST", p), 1, ":3");
}

/* ------------------------------------------------------------------ describe */

Test(cli, describe_prints_summary_table)
{
    const char *p = lml_test_write_temp("d.csv", "a,b\n1,x\n2,y\n3,z\n");
    lml_test_expect_ok(lml_test_run("describe", p), "+-------+---+----+\n"
                                  "|summary|  a|   b|\n"
                                  "+-------+---+----+\n"
                                  "|  count|  3|   3|\n"
                                  "|   mean|2.0|NULL|\n"
                                  "| stddev|1.0|NULL|\n"
                                  "|    min|  1|   x|\n"
                                  "|    max|  3|   z|\n"
                                  "+-------+---+----+\n"
                                  "\n");
    lml_test_expect_ok(lml_test_run("describe", p, "a"), "+-------+---+\n"
                                       "|summary|  a|\n"
                                       "+-------+---+\n"
                                       "|  count|  3|\n"
                                       "|   mean|2.0|\n"
                                       "| stddev|1.0|\n"
                                       "|    min|  1|\n"
                                       "|    max|  3|\n"
                                       "+-------+---+\n"
                                       "\n");
    lml_test_expect_fail(lml_test_run("describe", p, "nosuch"), 1, "nosuch");
}

/* ------------------------------------------------------------------ convert */

Test(cli, convert_writes_rfc4180_csv)
{
    const char *in = lml_test_write_temp("in.csv", "a,b,c\n1,2.50,hi\n,0.1,\"x,y\"\n");
    const char *dir = lml_test_temp_dir();
    char out[512];
    snprintf(out, sizeof out, "%s/out.csv", dir);
    lml_test_expect_ok(lml_test_run("convert", in, out), "");
    char *text = lml_test_slurp(out);
    cr_assert_not_null(text);
    cr_expect_str_eq(text, "a,b,c\n1,2.5,hi\n,0.1,\"x,y\"\n");
    free(text);

    lml_test_expect_ok(lml_test_run("convert", "--out-delimiter", ";", "--out-no-header", "--out-null-value", "NULL", in, out), "");
    text = lml_test_slurp(out);
    cr_assert_not_null(text);
    cr_expect_str_eq(text, "1;2.5;hi\nNULL;0.1;x,y\n");
    free(text);
    unlink(out);
    rmdir(dir);
}

Test(cli, convert_handles_multi_line_and_escapes)
{
    const char *ml = lml_test_write_temp("ml.csv", "a,b\n\"x\ny\",1\n");
    const char *rfc = lml_test_write_temp("rfc.csv", "a\n\"say \"\"hi\"\"\"\n");
    const char *dir = lml_test_temp_dir();
    char out[512];
    snprintf(out, sizeof out, "%s/out.csv", dir);
    lml_test_expect_ok(lml_test_run("convert", "--multi-line", ml, out), "");
    char *text = lml_test_slurp(out);
    cr_assert_not_null(text);
    cr_expect_str_eq(text, "a,b\n\"x\ny\",1\n");
    free(text);
    lml_test_expect_ok(lml_test_run("convert", "--escape", "\"", rfc, out), "");
    text = lml_test_slurp(out);
    cr_assert_not_null(text);
    cr_expect_str_eq(text, "a\n\"say \"\"hi\"\"\"\n");
    free(text);
    unlink(out);
    rmdir(dir);
}

/* ------------------------------------------------------------------ the shared datasets */

Test(cli, titanic_schema_matches_spark)
{
    LML_REQUIRE_SHARED(p, "datasets/titanic.csv");
    lml_test_expect_ok(lml_test_run("schema", p), "root\n"
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
}

Test(cli, titanic_show_and_describe_counts)
{
    LML_REQUIRE_SHARED(p, "datasets/titanic.csv");
    lml_test_expect_ok(lml_test_run("show", "-n", "2", p, "--threads", "2"),
              "+-----------+--------+------+--------------------+------+----+-----+-----+---------+-------+-----+--------+\n"
              "|PassengerId|Survived|Pclass|                Name|   Sex| Age|SibSp|Parch|   Ticket|   Fare|Cabin|Embarked|\n"
              "+-----------+--------+------+--------------------+------+----+-----+-----+---------+-------+-----+--------+\n"
              "|          1|       0|     3|Braund, Mr. Owen ...|  male|22.0|    1|    0|A/5 21171|   7.25| NULL|       S|\n"
              "|          2|       1|     1|Cumings, Mrs. Joh...|female|38.0|    1|    0| PC 17599|71.2833|  C85|       C|\n"
              "+-----------+--------+------+--------------------+------+----+-----+-----+---------+-------+-----+--------+\n"
              "only showing top 2 rows\n"
              "\n");
    lml_test_result r = lml_test_run("describe", p, "Age", "Cabin", "Embarked");
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "|summary|               Age|Cabin|Embarked|\n") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "|  count|               714|  204|     889|\n") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "|    min|              0.42|  A10|       C|\n") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "|    max|              80.0|    T|       S|\n") != NULL, "%s", r.out);
    lml_test_result_free(&r);
}

Test(cli, housing_schema_and_null_count)
{
    LML_REQUIRE_SHARED(p, "datasets/housing.csv");
    lml_test_expect_ok(lml_test_run("schema", p), "root\n"
                                " |-- longitude: double (nullable = true)\n"
                                " |-- latitude: double (nullable = true)\n"
                                " |-- housing_median_age: double (nullable = true)\n"
                                " |-- total_rooms: double (nullable = true)\n"
                                " |-- total_bedrooms: double (nullable = true)\n"
                                " |-- population: double (nullable = true)\n"
                                " |-- households: double (nullable = true)\n"
                                " |-- median_income: double (nullable = true)\n"
                                " |-- median_house_value: double (nullable = true)\n"
                                " |-- ocean_proximity: string (nullable = true)\n"
                                "\n");
    lml_test_result r = lml_test_run("describe", p, "total_bedrooms", "median_house_value", "ocean_proximity");
    cr_expect_eq(r.status, 0, "%s", r.err);
    char cells[512];
    cr_expect_str_eq(lml_test_row_cells(r.out, "count", cells, sizeof cells), "count,20433,20640,20640");
    cr_expect_str_eq(lml_test_row_cells(r.out, "min", cells, sizeof cells), "min,1.0,14999.0,<1H OCEAN");
    cr_expect_str_eq(lml_test_row_cells(r.out, "max", cells, sizeof cells), "max,6445.0,500001.0,NEAR OCEAN");
    lml_test_result_free(&r);
}
