/* The `lakeml` command, run as a user runs it: the built binary (LML_BUILD_DIR/src/cli/lakeml)
 * on small temporary files and on the shared datasets, checking stdout, stderr and the exit
 * status exactly. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

typedef struct result {
    int status; /* exit status, or 128 + signal */
    char *out;
    char *err;
} result;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (buf)
        buf[got] = '\0';
    return buf;
}

static const char *lakeml_path(void)
{
    static char path[4096];
    const char *build = getenv("LML_BUILD_DIR");
    cr_assert_not_null(build, "LML_BUILD_DIR is not set (tests/meson.build sets it)");
    snprintf(path, sizeof path, "%s/src/cli/lakeml", build);
    return path;
}

/* Runs lakeml with the NULL-terminated arguments, standard input from stdin_path (NULL:
 * /dev/null). Output goes to files, so nothing can block on a full pipe. */
static result run_in(const char *stdin_path, const char *arg, ...)
{
    const char *argv[64];
    int argc = 0;
    argv[argc++] = lakeml_path();
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    const char *dir = lml_test_temp_dir();
    cr_assert_not_null(dir);
    char out_path[512], err_path[512];
    snprintf(out_path, sizeof out_path, "%s/stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int in = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    result r = {.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                .out = slurp(out_path),
                .err = slurp(err_path)};
    cr_assert_not_null(r.out);
    cr_assert_not_null(r.err);
    unlink(out_path);
    unlink(err_path);
    rmdir(dir);
    return r;
}

#define run(...) run_in(NULL, __VA_ARGS__, (const char *)NULL)

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

/* Success: exit 0, nothing on stderr, stdout exactly `want`. */
static void expect_ok(result r, const char *want)
{
    cr_expect_eq(r.status, 0, "exit status %d, stderr: %s", r.status, r.err);
    cr_expect_str_empty(r.err);
    cr_expect_str_eq(r.out, want);
    result_free(&r);
}

/* Failure: the given status, nothing on stdout, stderr starting "lakeml: " and holding `needle`. */
static void expect_fail(result r, int status, const char *needle)
{
    cr_expect_eq(r.status, status, "exit status %d (want %d), stderr: %s", r.status, status, r.err);
    cr_expect_str_empty(r.out);
    cr_expect(strncmp(r.err, "lakeml: ", 8) == 0, "stderr does not start with 'lakeml: ': %s", r.err);
    cr_expect(strstr(r.err, needle) != NULL, "stderr lacks \"%s\": %s", needle, r.err);
    result_free(&r);
}

/* The trimmed cells of the table row labelled `label`, joined by ',' ("" when absent). */
static const char *row_cells(const char *text, const char *label, char *buf, size_t cap)
{
    char key[64];
    snprintf(key, sizeof key, "|%7s|", label);
    buf[0] = '\0';
    const char *line = strstr(text, key);
    if (!line)
        return buf;
    const char *end = strchr(line, '\n');
    size_t n = 0;
    for (const char *p = line + 1; end && p < end && n + 1 < cap;) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        if (!bar)
            break;
        const char *a = p, *b = bar;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        n += (size_t)snprintf(buf + n, cap - n, "%s%.*s", n ? "," : "", (int)(b - a), a);
        p = bar + 1;
    }
    return buf;
}

#define SMALL "a,b,c\n1,2.5,x\n2,,y\n3,4,z\n"

/* ------------------------------------------------------------------ global behaviour */

Test(cli, version_prints_name_and_version)
{
    expect_ok(run("--version"), "lakeml 0.1.0\n");
    expect_ok(run("-V"), "lakeml 0.1.0\n");
}

Test(cli, help_lists_commands_on_stdout)
{
    result r = run("--help");
    cr_expect_eq(r.status, 0);
    cr_expect_str_empty(r.err);
    cr_expect(strncmp(r.out, "Usage: lakeml ", 14) == 0, "%s", r.out);
    for (const char *c = "schema\0show\0describe\0convert\0"; *c; c += strlen(c) + 1)
        cr_expect(strstr(r.out, c) != NULL, "help lacks %s", c);
    result_free(&r);
}

Test(cli, every_command_has_help)
{
    static const char *cmds[] = {"schema", "show", "describe", "convert"};
    for (size_t i = 0; i < 4; i++) {
        char want[64];
        snprintf(want, sizeof want, "Usage: lakeml %s ", cmds[i]);
        result a = run(cmds[i], "--help");
        result b = run(cmds[i], "-h");
        result c = run("help", cmds[i]);
        cr_expect_eq(a.status, 0, "%s --help: %d", cmds[i], a.status);
        cr_expect(strncmp(a.out, want, strlen(want)) == 0, "%s --help: %s", cmds[i], a.out);
        cr_expect(strstr(a.out, "--delimiter") != NULL);
        cr_expect_str_empty(a.err);
        cr_expect_str_eq(b.out, a.out);
        cr_expect_str_eq(c.out, a.out);
        cr_expect_eq(b.status, 0);
        cr_expect_eq(c.status, 0);
        result_free(&a);
        result_free(&b);
        result_free(&c);
    }
}

Test(cli, usage_errors_exit_2)
{
    expect_fail(run_in(NULL, NULL), 2, "missing COMMAND");
    expect_fail(run("frobnicate"), 2, "unknown command 'frobnicate'");
    expect_fail(run("help", "frobnicate"), 2, "unknown command 'frobnicate'");
    expect_fail(run("--bogus"), 2, "unrecognized option '--bogus'");
    expect_fail(run("schema"), 2, "missing FILE");
    expect_fail(run("schema", "a.csv", "b.csv"), 2, "expected FILE, got 2 operands");
    expect_fail(run("show", "--bogus", "a.csv"), 2, "Try 'lakeml show --help'");
    expect_fail(run("show", "-n"), 2, "requires an argument");
    expect_fail(run("show", "-n", "-3", "a.csv"), 2, "-n/--rows: expected a non-negative number, got '-3'");
    expect_fail(run("show", "--truncate", "x", "a.csv"), 2, "--truncate");
    expect_fail(run("describe"), 2, "missing FILE");
    expect_fail(run("convert", "in.csv"), 2, "expected IN and OUT, got 1 operand");
    expect_fail(run("schema", "--mode", "LENIENT", "a.csv"), 2,
                "--mode: expected PERMISSIVE, DROPMALFORMED or FAILFAST, got 'LENIENT'");
    expect_fail(run("schema", "--delimiter", "ab", "a.csv"), 2, "--delimiter: expected one character");
    expect_fail(run("schema", "--schema", "a int, b float32", "a.csv"), 2, "unknown type 'float32'");
    expect_fail(run("schema", "--schema", "a int,", "a.csv"), 2, "missing column name");
    expect_fail(run("schema", "--schema", "a", "a.csv"), 2, "missing type");
    expect_fail(run("schema", "--schema", "a int, A string", "a.csv"), 2, "duplicate column name 'A'");
    expect_fail(run("--threads", "many", "schema", "a.csv"), 2, "--threads");
    expect_fail(run("schema", "--log", "loud", "a.csv"), 2, "--log: expected off, error, warn");
}

Test(cli, missing_file_is_a_runtime_error)
{
    const char *dir = lml_test_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/nope.csv", dir);
    expect_fail(run("schema", path), 1, "nope.csv");
    expect_fail(run("show", path), 1, "nope.csv");
    expect_fail(run("describe", path), 1, "nope.csv");
    char out[512];
    snprintf(out, sizeof out, "%s/out.csv", dir);
    expect_fail(run("convert", path, out), 1, "nope.csv");
    struct stat st;
    cr_expect_neq(stat(out, &st), 0, "convert created OUT although reading failed");
    rmdir(dir);
}

/* ------------------------------------------------------------------ schema */

Test(cli, schema_infers_types_with_header_by_default)
{
    const char *p = lml_test_write_temp("s.csv", SMALL);
    expect_ok(run("schema", p), "root\n"
                                " |-- a: integer (nullable = true)\n"
                                " |-- b: double (nullable = true)\n"
                                " |-- c: string (nullable = true)\n"
                                "\n");
}

Test(cli, schema_flags_change_what_is_read)
{
    const char *p = lml_test_write_temp("s.csv", SMALL);
    expect_ok(run("schema", "--no-infer-schema", p), "root\n"
                                                     " |-- a: string (nullable = true)\n"
                                                     " |-- b: string (nullable = true)\n"
                                                     " |-- c: string (nullable = true)\n"
                                                     "\n");
    /* Without a header the names are _c0…, and the header line makes every column a string. */
    expect_ok(run("schema", "--no-header", p), "root\n"
                                               " |-- _c0: string (nullable = true)\n"
                                               " |-- _c1: string (nullable = true)\n"
                                               " |-- _c2: string (nullable = true)\n"
                                               "\n");
    /* Global options before the command, the explicit schema after it. */
    expect_ok(run("--threads", "1", "--log", "error", "schema", "--schema", "x long, `y y` string, z: date", p),
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
    expect_ok(run("schema", "--delimiter", ";", semi),
              "root\n |-- a: integer (nullable = true)\n |-- b: string (nullable = true)\n\n");
    expect_ok(run("schema", "--delimiter", "\\t", tab),
              "root\n |-- a: integer (nullable = true)\n |-- b: double (nullable = true)\n\n");
    expect_ok(run("schema", "--delimiter", "tab", tab),
              "root\n |-- a: integer (nullable = true)\n |-- b: double (nullable = true)\n\n");
    expect_ok(run("schema", na), "root\n |-- a: string (nullable = true)\n |-- b: string (nullable = true)\n\n");
    expect_ok(run("schema", "--null-value", "NA", na),
              "root\n |-- a: integer (nullable = true)\n |-- b: integer (nullable = true)\n\n");
    expect_ok(run("schema", "--comment", "#", comment),
              "root\n |-- a: integer (nullable = true)\n |-- b: integer (nullable = true)\n\n");
    expect_ok(run("schema", "--quote", "'", quoted),
              "root\n |-- a: string (nullable = true)\n |-- b: integer (nullable = true)\n\n");
}

Test(cli, schema_reads_standard_input)
{
    const char *p = lml_test_write_temp("s.csv", SMALL);
    expect_ok(run_in(p, "schema", "-", NULL), "root\n"
                                              " |-- a: integer (nullable = true)\n"
                                              " |-- b: double (nullable = true)\n"
                                              " |-- c: string (nullable = true)\n"
                                              "\n");
}

/* ------------------------------------------------------------------ show */

Test(cli, show_prints_spark_table)
{
    const char *p = lml_test_write_temp("s.csv", SMALL);
    expect_ok(run("show", p), "+---+----+---+\n"
                              "|  a|   b|  c|\n"
                              "+---+----+---+\n"
                              "|  1| 2.5|  x|\n"
                              "|  2|NULL|  y|\n"
                              "|  3| 4.0|  z|\n"
                              "+---+----+---+\n"
                              "\n");
    /* Options may follow the operand (GNU getopt permutes). */
    expect_ok(run("show", p, "-n", "2"), "+---+----+---+\n"
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
    expect_ok(run("show", p), "+--------------------+\n"
                              "|                   s|\n"
                              "+--------------------+\n"
                              "|abcdefghijklmnopq...|\n"
                              "|                  ab|\n"
                              "+--------------------+\n"
                              "\n");
    expect_ok(run("show", "--truncate", "5", p), "+-----+\n"
                                                 "|    s|\n"
                                                 "+-----+\n"
                                                 "|ab...|\n"
                                                 "|   ab|\n"
                                                 "+-----+\n"
                                                 "\n");
    /* Untruncated cells are left-aligned, as in Spark's show(truncate=False). */
    expect_ok(run("show", "--no-truncate", p), "+--------------------------+\n"
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

    expect_ok(run("show", "--schema", "a int, b int", p), "+---+----+\n"
                                                          "|  a|   b|\n"
                                                          "+---+----+\n"
                                                          "|  1|   2|\n"
                                                          "|  3|NULL|\n"
                                                          "|  5|   6|\n"
                                                          "+---+----+\n"
                                                          "\n");
    expect_ok(run("show", "--schema", "a int, b int", "--mode", "dropmalformed", "--bad-records", bad, p),
              "+---+---+\n"
              "|  a|  b|\n"
              "+---+---+\n"
              "|  1|  2|\n"
              "|  5|  6|\n"
              "+---+---+\n"
              "\n");
    char *log = slurp(bad);
    cr_assert_not_null(log, "--bad-records file was not written");
    cr_expect(strstr(log, "\"record\":\"3,x\"") != NULL, "bad records: %s", log);
    cr_expect(strchr(log, '\n') == strrchr(log, '\n'), "expected one JSON line: %s", log);
    free(log);
    unlink(bad);
    rmdir(dir);
    expect_fail(run("show", "--schema", "a int, b int", "--mode", "FAILFAST", p), 1, ":3");
}

/* ------------------------------------------------------------------ describe */

Test(cli, describe_prints_summary_table)
{
    const char *p = lml_test_write_temp("d.csv", "a,b\n1,x\n2,y\n3,z\n");
    expect_ok(run("describe", p), "+-------+---+----+\n"
                                  "|summary|  a|   b|\n"
                                  "+-------+---+----+\n"
                                  "|  count|  3|   3|\n"
                                  "|   mean|2.0|NULL|\n"
                                  "| stddev|1.0|NULL|\n"
                                  "|    min|  1|   x|\n"
                                  "|    max|  3|   z|\n"
                                  "+-------+---+----+\n"
                                  "\n");
    expect_ok(run("describe", p, "a"), "+-------+---+\n"
                                       "|summary|  a|\n"
                                       "+-------+---+\n"
                                       "|  count|  3|\n"
                                       "|   mean|2.0|\n"
                                       "| stddev|1.0|\n"
                                       "|    min|  1|\n"
                                       "|    max|  3|\n"
                                       "+-------+---+\n"
                                       "\n");
    expect_fail(run("describe", p, "nosuch"), 1, "nosuch");
}

/* ------------------------------------------------------------------ convert */

Test(cli, convert_writes_rfc4180_csv)
{
    const char *in = lml_test_write_temp("in.csv", "a,b,c\n1,2.50,hi\n,0.1,\"x,y\"\n");
    const char *dir = lml_test_temp_dir();
    char out[512];
    snprintf(out, sizeof out, "%s/out.csv", dir);
    expect_ok(run("convert", in, out), "");
    char *text = slurp(out);
    cr_assert_not_null(text);
    cr_expect_str_eq(text, "a,b,c\n1,2.5,hi\n,0.1,\"x,y\"\n");
    free(text);

    expect_ok(run("convert", "--out-delimiter", ";", "--out-no-header", "--out-null-value", "NULL", in, out), "");
    text = slurp(out);
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
    expect_ok(run("convert", "--multi-line", ml, out), "");
    char *text = slurp(out);
    cr_assert_not_null(text);
    cr_expect_str_eq(text, "a,b\n\"x\ny\",1\n");
    free(text);
    expect_ok(run("convert", "--escape", "\"", rfc, out), "");
    text = slurp(out);
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
    expect_ok(run("schema", p), "root\n"
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
    expect_ok(run("show", "-n", "2", p, "--threads", "2"),
              "+-----------+--------+------+--------------------+------+----+-----+-----+---------+-------+-----+--------+\n"
              "|PassengerId|Survived|Pclass|                Name|   Sex| Age|SibSp|Parch|   Ticket|   Fare|Cabin|Embarked|\n"
              "+-----------+--------+------+--------------------+------+----+-----+-----+---------+-------+-----+--------+\n"
              "|          1|       0|     3|Braund, Mr. Owen ...|  male|22.0|    1|    0|A/5 21171|   7.25| NULL|       S|\n"
              "|          2|       1|     1|Cumings, Mrs. Joh...|female|38.0|    1|    0| PC 17599|71.2833|  C85|       C|\n"
              "+-----------+--------+------+--------------------+------+----+-----+-----+---------+-------+-----+--------+\n"
              "only showing top 2 rows\n"
              "\n");
    result r = run("describe", p, "Age", "Cabin", "Embarked");
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "|summary|               Age|Cabin|Embarked|\n") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "|  count|               714|  204|     889|\n") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "|    min|              0.42|  A10|       C|\n") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "|    max|              80.0|    T|       S|\n") != NULL, "%s", r.out);
    result_free(&r);
}

Test(cli, housing_schema_and_null_count)
{
    LML_REQUIRE_SHARED(p, "datasets/housing.csv");
    expect_ok(run("schema", p), "root\n"
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
    result r = run("describe", p, "total_bedrooms", "median_house_value", "ocean_proximity");
    cr_expect_eq(r.status, 0, "%s", r.err);
    char cells[512];
    cr_expect_str_eq(row_cells(r.out, "count", cells, sizeof cells), "count,20433,20640,20640");
    cr_expect_str_eq(row_cells(r.out, "min", cells, sizeof cells), "min,1.0,14999.0,<1H OCEAN");
    cr_expect_str_eq(row_cells(r.out, "max", cells, sizeof cells), "max,6445.0,500001.0,NEAR OCEAN");
    result_free(&r);
}

/* ------------------------------------------------------------------ Parquet */

Test(cli, parquet_schema_of_alltypes_plain_matches_spark)
{
    LML_REQUIRE_SHARED(p, "conformance/parquet/alltypes_plain.parquet");
    /* Impala's file: small ints without annotation stay integer, BYTE_ARRAY without UTF8 is binary,
     * INT96 is a timestamp, FLOAT is Spark's float (parquet.h's mapping). */
    expect_ok(run("schema", p), "root\n"
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
    expect_ok(run("schema", copy), "root\n"
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
    result r = run("schema", "--parquet-meta", p);
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
    result_free(&r);
}

Test(cli, parquet_meta_prints_statistics_per_row_group)
{
    LML_REQUIRE_SHARED(p, "conformance/parquet/sort_columns.parquet");
    result r = run("schema", "--parquet-meta", p);
    cr_expect_eq(r.status, 0, "%s", r.err);
    /* Two row groups of rows (null,a),(2,b),(1,c): min/max/null_count from the chunk statistics. */
    cr_expect(strstr(r.out, "\nnum_rows: 6\nnum_row_groups: 2\n"), "%s", r.out);
    cr_expect(strstr(r.out, "\nrow group 1: rows=3 total_byte_size=166 compressed_size=174\n"), "%s", r.out);
    cr_expect(strstr(r.out, "    a: type=INT64 encodings=PLAIN,RLE,RLE_DICTIONARY codec=SNAPPY values=3 compressed=104 "
                            "uncompressed=100 min=1 max=2 null_count=1\n"),
              "%s", r.out);
    cr_expect(strstr(r.out, " min=\"a\" max=\"c\" null_count=0\n"), "%s", r.out);
    result_free(&r);
    LML_REQUIRE_SHARED(b, "conformance/parquet/binary.parquet");
    r = run("schema", "--parquet-meta", b);
    cr_expect_eq(r.status, 0, "%s", r.err);
    /* Bytes that are not printable text show as hex. */
    cr_expect(strstr(r.out, "    foo: type=BYTE_ARRAY encodings=RLE,BIT_PACKED,PLAIN codec=UNCOMPRESSED values=12 "
                            "compressed=95 uncompressed=95 min=0x00 max=0x0B null_count=0\n"),
              "%s", r.out);
    result_free(&r);
}

Test(cli, parquet_meta_refuses_csv)
{
    const char *p = lml_test_write_temp("s.csv", SMALL);
    expect_fail(run("schema", "--parquet-meta", p), 1, "not a Parquet file");
}

Test(cli, parquet_show_prints_first_rows)
{
    LML_REQUIRE_SHARED(p, "conformance/parquet/alltypes_plain.parquet");
    /* Rows 4 and 5 come first (MANIFEST); binary cells print as Spark's hex bytes, the FLOAT
     * 1.1f as Java's Float.toString. */
    expect_ok(run("show", "-n", "2", p),
              "+---+--------+-----------+------------+-------+----------+---------+----------+--------------------+----------+-------------------+\n"
              "| id|bool_col|tinyint_col|smallint_col|int_col|bigint_col|float_col|double_col|     date_string_col|string_col|      timestamp_col|\n"
              "+---+--------+-----------+------------+-------+----------+---------+----------+--------------------+----------+-------------------+\n"
              "|  4|    true|          0|           0|      0|         0|      0.0|       0.0|[30 33 2F 30 31 2...|      [30]|2009-03-01 00:00:00|\n"
              "|  5|   false|          1|           1|      1|        10|      1.1|      10.1|[30 33 2F 30 31 2...|      [31]|2009-03-01 00:01:00|\n"
              "+---+--------+-----------+------------+-------+----------+---------+----------+--------------------+----------+-------------------+\n"
              "only showing top 2 rows\n"
              "\n");
    result r = run("show", "--no-truncate", "-n", "1", p);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "|[30 33 2F 30 31 2F 30 39]|") != NULL, "%s", r.out);
    result_free(&r);
}

Test(cli, parquet_warns_that_csv_flags_do_not_apply)
{
    LML_REQUIRE_SHARED(p, "conformance/parquet/alltypes_plain.parquet");
    result r = run("describe", "--delimiter", ";", p, "id");
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, "lakeml: warning: ") == r.err && strstr(r.err, "--delimiter do not apply"), "%s", r.err);
    char cells[256];
    /* ids 0..7 */
    cr_expect_str_eq(row_cells(r.out, "count", cells, sizeof cells), "count,8");
    cr_expect_str_eq(row_cells(r.out, "mean", cells, sizeof cells), "mean,3.5");
    cr_expect_str_eq(row_cells(r.out, "min", cells, sizeof cells), "min,0");
    cr_expect_str_eq(row_cells(r.out, "max", cells, sizeof cells), "max,7");
    result_free(&r);
}

Test(cli, parquet_corrupt_file_fails_naming_it)
{
    const char *p = lml_test_write_temp("broken.parquet", "PAR1 this is not really parquet at all PAR1");
    expect_fail(run("show", p), 1, "broken.parquet");
    expect_fail(run("schema", "--parquet-meta", p), 1, "broken.parquet");
    const char *q = lml_test_write_temp("short.parquet", "PAR1");
    expect_fail(run("schema", q), 1, "short.parquet");
    LML_REQUIRE_SHARED(c, "conformance/parquet/datapage_v1-corrupt-checksum.parquet");
    expect_fail(run("show", c), 1, "datapage_v1-corrupt-checksum.parquet: column 'a'");
}

Test(cli, convert_usage_errors_for_output_flags)
{
    const char *in = lml_test_write_temp("in.csv", "a\n1\n");
    expect_fail(run("convert", "--codec", "brotli", in, "x.parquet"), 2, "--codec");
    expect_fail(run("convert", "--codec", "zstd", in, "x.csv"), 2, "applies to Parquet output");
    expect_fail(run("convert", "--out-no-header", in, "x.parquet"), 2, "applies to CSV output");
    expect_fail(run("convert", "--row-group-size", "0", in, "x.parquet"), 2, "--row-group-size");
    expect_fail(run("convert", "--format", "orc", in, "x"), 2, "--format");
    expect_fail(run("convert", "--format", "parquet", in, "-"), 2, "standard output");
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
    expect_ok(run("convert", titanic, direct), "");
    expect_ok(run("convert", titanic, pq), "");
    expect_ok(run("convert", pq, back), "");
    char *a = slurp(direct), *b = slurp(back);
    cr_assert(a && b);
    cr_expect(strlen(a) > 60000, "direct CSV is %zu bytes", strlen(a));
    cr_expect(strcmp(a, b) == 0, "CSV → Parquet → CSV differs from CSV → CSV");
    free(b);
    expect_ok(run("schema", pq), "root\n"
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
    result r = run("schema", "--parquet-meta", pq);
    cr_expect(strstr(r.out, "\nnum_rows: 891\nnum_row_groups: 1\n"), "%s", r.out);
    cr_expect(strstr(r.out, "created_by: lakeml version "), "%s", r.out);
    cr_expect(strstr(r.out, "    PassengerId: type=INT32 ") && strstr(r.out, " codec=SNAPPY "), "%s", r.out);
    cr_expect(strstr(r.out, " min=1 max=891 null_count=0\n"), "%s", r.out);
    result_free(&r);

    /* Small row groups, zstd, a name without .parquet: several row groups, same values. */
    expect_ok(run("convert", "--format", "parquet", "--codec", "zstd", "--row-group-size", "16k", titanic, pq2), "");
    r = run("schema", "--parquet-meta", pq2);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\nnum_rows: 891\n"), "%s", r.out);
    cr_expect(strstr(r.out, "\nnum_row_groups: 1\n") == NULL && strstr(r.out, "\nrow group 1: "), "%s", r.out);
    cr_expect(strstr(r.out, " codec=ZSTD ") && !strstr(r.out, " codec=SNAPPY "), "%s", r.out);
    result_free(&r);
    expect_ok(run("convert", pq2, back2), "");
    b = slurp(back2);
    cr_assert_not_null(b);
    cr_expect(strcmp(a, b) == 0, "CSV → Parquet (zstd, 16k row groups) → CSV differs from CSV → CSV");
    free(a);
    free(b);
    expect_ok(run("show", "-n", "1", pq2),
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
