/* The `lakeml` command on Delta tables: convert CSV into a partitioned table (create, append,
 * overwrite), schema / show / describe with time travel, `lakeml delta history|detail|files|
 * restore|checkpoint`, and the usage errors of those flags. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_support.h"
#include "support.h"

static const char *csv(const char *name, const char *text) {
    static char buf[4][512];
    static int slot;
    char *p = buf[slot++ % 4];
    snprintf(p, 512, "%s", lml_test_write_temp(name, text));
    return p;
}

Test(cli, convert_csv_into_a_delta_table_and_read_it_back_at_each_version)
{
    const char *a = csv("a.csv", "id,city,score\n1,Oslo,2.5\n2,Rome,\n3,Oslo,4\n");
    const char *b = csv("b.csv", "id,city,score\n4,Lima,1.5\n");
    const char *bad = csv("bad.csv", "id,city,score\n5,Lima,1\n"); /* score infers as integer */
    char table[512];
    snprintf(table, sizeof table, "%s/events", lml_test_temp_dir());
    lml_test_expect_ok(lml_test_run("convert", "--partition-by", "city", a, table), "");
    struct stat st;
    char dir[600];
    snprintf(dir, sizeof dir, "%s/city=Oslo", table);
    cr_assert(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), "Hive partition directory %s", dir);
    lml_test_expect_fail(lml_test_run("convert", a, table), 1, "already exists");
    lml_test_expect_fail(lml_test_run("convert", "--mode", "append", bad, table), 1, "column 'score'");
    lml_test_expect_ok(lml_test_run("convert", "--mode", "append", b, table), "");
    lml_test_expect_ok(lml_test_run("schema", table), "root\n"
                                                     " |-- id: integer (nullable = true)\n"
                                                     " |-- city: string (nullable = true)\n"
                                                     " |-- score: double (nullable = true)\n"
                                                     "\n");
    lml_test_result r = lml_test_run("describe", table);
    char row[256];
    cr_expect_str_eq(lml_test_row_cells(r.out, "count", row, sizeof row), "count,4,4,3", "%s", r.out);
    lml_test_result_free(&r);
    r = lml_test_run("describe", "--version", "0", table);
    cr_expect_str_eq(lml_test_row_cells(r.out, "count", row, sizeof row), "count,3,3,2", "%s", r.out);
    lml_test_result_free(&r);
    /* overwrite, then restore version 1 */
    lml_test_expect_ok(lml_test_run("convert", "--mode", "overwrite", b, table), "");
    r = lml_test_run("describe", table);
    cr_expect_str_eq(lml_test_row_cells(r.out, "count", row, sizeof row), "count,1,1,1", "%s", r.out);
    lml_test_result_free(&r);
    char want[700];
    snprintf(want, sizeof want, "restored %s as version 3\n", table);
    lml_test_expect_ok(lml_test_run("delta", "restore", "--version", "1", table), want);
    r = lml_test_run("describe", table);
    cr_expect_str_eq(lml_test_row_cells(r.out, "count", row, sizeof row), "count,4,4,3", "%s", r.out);
    lml_test_result_free(&r);
    /* history: RESTORE, WRITE (Overwrite), WRITE (Append), WRITE (ErrorIfExists) */
    r = lml_test_run("delta", "history", table);
    cr_assert_eq(r.status, 0, "%s", r.err);
    const char *p1 = strstr(r.out, "RESTORE"), *p2 = p1 ? strstr(p1, "Overwrite") : NULL,
               *p3 = p2 ? strstr(p2, "Append") : NULL, *p4 = p3 ? strstr(p3, "ErrorIfExists") : NULL;
    cr_expect(p4, "history lists the four commits newest first:\n%s", r.out);
    lml_test_result_free(&r);
    r = lml_test_run("delta", "history", "--limit", "1", table);
    cr_expect(strstr(r.out, "RESTORE") && !strstr(r.out, "Overwrite"), "%s", r.out);
    lml_test_result_free(&r);
    r = lml_test_run("delta", "files", table);
    cr_expect(strstr(r.out, "city=Lima/part-00000-") && strstr(r.out, "city=Oslo/part-"), "%s", r.out);
    lml_test_result_free(&r);
    r = lml_test_run("delta", "detail", table);
    cr_expect(strstr(r.out, "|delta ") && strstr(r.out, "[city]"), "%s", r.out);
    lml_test_result_free(&r);
    snprintf(want, sizeof want, "checkpoint written for %s\n", table);
    lml_test_expect_ok(lml_test_run("delta", "checkpoint", table), want);
    snprintf(dir, sizeof dir, "%s/_delta_log/00000000000000000003.checkpoint.parquet", table);
    cr_expect(stat(dir, &st) == 0, "checkpoint file %s", dir);
    r = lml_test_run("show", table);
    cr_expect(strstr(r.out, "Lima") && strstr(r.out, "Rome"), "%s", r.out);
    lml_test_result_free(&r);
}

Test(cli, delta_flags_outside_delta_tables_are_errors)
{
    const char *a = csv("c.csv", "x\n1\n");
    lml_test_expect_fail(lml_test_run("show", "--version", "0", a), 1, "apply to Delta tables");
    lml_test_expect_fail(lml_test_run("show", "--version", "1", "--timestamp", "2024-01-01", a), 2, "not both");
    lml_test_expect_fail(lml_test_run("convert", "--partition-by", "x", a, "out.csv"), 2, "applies to Delta output");
    lml_test_expect_fail(lml_test_run("delta", "compact", "t"), 2, "unknown action");
    lml_test_expect_fail(lml_test_run("delta", "history", lml_test_temp_dir()), 1, "not a Delta table");
    char table[512];
    snprintf(table, sizeof table, "%s/t", lml_test_temp_dir());
    lml_test_expect_ok(lml_test_run("convert", a, table), "");
    lml_test_expect_fail(lml_test_run("show", "--version", "7", table), 1, "Available versions: [0, 0]");
    lml_test_expect_fail(lml_test_run("delta", "restore", table), 2, "--version");
}

/* lakeml fit reads a Delta table as its data, at a version (Spark's versionAsOf option), and
 * trains the same model as from the CSV it came from. */
Test(cli, fit_reads_a_delta_table_at_a_version)
{
    LML_REQUIRE_SHARED(t, "datasets/titanic.csv");
    char titanic[512], table[512], spec[1200];
    snprintf(titanic, sizeof titanic, "%s", t);
    snprintf(table, sizeof table, "%s/titanic", lml_test_temp_dir());
    lml_test_expect_ok(lml_test_run("convert", "--partition-by", "Pclass", titanic, table), "");
    lml_test_expect_ok(lml_test_run("convert", "--mode", "append", titanic, table), ""); /* version 1: doubled */
    const char *body = "\"select\": [\"Survived\", \"Sex\", \"Age\", \"Fare\"], \"dropNulls\": true},"
                       "\"prepare\": [{\"class\": \"StringIndexer\", \"params\": {\"inputCol\": \"Sex\", \"outputCol\": \"SexIndex\"}},"
                       "{\"class\": \"VectorAssembler\", \"params\": {\"inputCols\": [\"SexIndex\", \"Age\", \"Fare\"], \"outputCol\": \"features\"}}],"
                       "\"split\": {\"weights\": [0.7, 0.3], \"seed\": 42},"
                       "\"pipeline\": [{\"class\": \"LogisticRegression\", \"params\": {\"labelCol\": \"Survived\"}}],"
                       "\"evaluators\": [{\"class\": \"BinaryClassificationEvaluator\", \"params\": {\"labelCol\": \"Survived\"}}]}";
    snprintf(spec, sizeof spec, "{\"data\": {\"path\": \"%s\", \"options\": {\"versionAsOf\": 0}, %s", table, body);
    const char *sp = lml_test_write_temp("spec.json", spec);
    lml_test_result r = lml_test_run("fit", sp);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\"rows\":\t714,"), "714 rows at version 0: %s", r.out);
    lml_test_result_free(&r);
    snprintf(spec, sizeof spec, "{\"data\": {\"path\": \"%s\", %s", table, body);
    sp = lml_test_write_temp("spec2.json", spec);
    r = lml_test_run("fit", sp);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\"rows\":\t1428,"), "1428 rows at the latest: %s", r.out);
    lml_test_result_free(&r);
    snprintf(spec, sizeof spec, "{\"data\": {\"path\": \"%s\", \"options\": {\"header\": true}, %s", table, body);
    sp = lml_test_write_temp("spec3.json", spec);
    lml_test_expect_fail(lml_test_run("fit", sp), 1, "not a Delta reader option");
}
