/* Hostile and broken Delta logs: data paths that leave the table, malformed JSON, missing
 * fields, gaps in the versions, a lying or corrupt _last_checkpoint, a checkpoint that is not
 * Parquet, a protocol from the future. Each is a clear error naming the file (or the documented
 * fallback), never a crash, and nothing is read from outside the table. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lakeml/delta.h"
#include "support.h"

static const char *PROTO = "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n";
static const char *META = "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"
                          "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"id\\\","
                          "\\\"type\\\":\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\","
                          "\"partitionColumns\":[],\"configuration\":{},\"createdTime\":1}}\n";

/* A table directory whose log holds the given commit texts as versions 0, 1, … */
static const char *make_table(const char *name, const char *const *commits, size_t n) {
    static char root[512];
    snprintf(root, sizeof root, "%s/%s", lml_test_temp_dir(), name);
    char p[700];
    mkdir(root, 0755);
    snprintf(p, sizeof p, "%s/_delta_log", root);
    mkdir(p, 0755);
    for (size_t v = 0; v < n; v++) {
        snprintf(p, sizeof p, "%s/_delta_log/%020zu.json", root, v);
        FILE *fp = fopen(p, "w");
        fputs(commits[v], fp);
        fclose(fp);
    }
    return root;
}

static void put_file(const char *root, const char *rel, const char *text) {
    char p[700];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *fp = fopen(p, "w");
    cr_assert(fp, "%s", p);
    fputs(text, fp);
    fclose(fp);
}

static char *v0(const char *extra) {
    size_t n = strlen(PROTO) + strlen(META) + strlen(extra) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%s%s%s", PROTO, META, extra);
    return s;
}

static void expect_read_error(const char *root, lml_errcode code, const char *needle) {
    lml_error err = {0};
    lml_frame *f = lml_delta_read(root, NULL, NULL, &err);
    cr_assert_null(f, "a read of %s should fail", root);
    cr_assert_eq(err.code, code, "%s", err.message);
    cr_assert(strstr(err.message, needle), "'%s' not in: %s", needle, err.message);
}

Test(delta_hostile, data_paths_outside_the_table_are_refused) {
    static const char *const paths[] = {"../outside.parquet", "a/../../outside.parquet", "/etc/passwd",
                                        "file:///etc/passwd", "%2E%2E/outside.parquet"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        char add[512];
        snprintf(add, sizeof add,
                 "{\"add\":{\"path\":\"%s\",\"partitionValues\":{},\"size\":1,\"modificationTime\":1,\"dataChange\":true}}\n",
                 paths[i]);
        char *c0 = v0(add);
        char name[32];
        snprintf(name, sizeof name, "escape%zu", i);
        const char *root = make_table(name, (const char *const[]){c0}, 1);
        expect_read_error(root, LML_EFORMAT, "outside the table");
        free(c0);
    }
}

Test(delta_hostile, malformed_commits_name_file_and_line) {
    char *c0 = v0("{\"add\":{\"path\":\"x.parquet\",\"partitionValues\":{},\"size\":1,\"modificationTime\":1,\n");
    const char *root = make_table("badjson", (const char *const[]){c0}, 1);
    lml_error err = {0};
    cr_assert_null(lml_delta_table_open(root, NULL, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "00000000000000000000.json:3"), "%s", err.message);
    free(c0);
    /* A known field of the wrong type, a required field missing. */
    c0 = v0("{\"add\":{\"path\":\"x.parquet\",\"partitionValues\":{},\"size\":\"big\",\"modificationTime\":1,\"dataChange\":true}}\n");
    root = make_table("badtype", (const char *const[]){c0}, 1);
    cr_assert_null(lml_delta_table_open(root, NULL, &err));
    cr_assert(strstr(err.message, "'size'") && strstr(err.message, "integer"), "%s", err.message);
    free(c0);
    c0 = v0("{\"add\":{\"partitionValues\":{},\"size\":1,\"modificationTime\":1,\"dataChange\":true}}\n");
    root = make_table("nopath", (const char *const[]){c0}, 1);
    cr_assert_null(lml_delta_table_open(root, NULL, &err));
    cr_assert(strstr(err.message, "'path' is missing"), "%s", err.message);
    free(c0);
    /* Unknown actions and fields are ignored, as the protocol requires. */
    c0 = v0("{\"someFutureAction\":{\"x\":1}}\n{\"txn\":{\"appId\":\"a\",\"version\":3,\"futureField\":[1,2]}}\n");
    root = make_table("future", (const char *const[]){c0}, 1);
    lml_delta_table *t = lml_delta_table_open(root, NULL, &err);
    cr_assert(t, "%s", err.message);
    lml_delta_table_free(t);
    free(c0);
}

Test(delta_hostile, protocol_from_the_future_and_missing_state) {
    const char *root = make_table("future_proto",
                                  (const char *const[]){"{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
                                                        "\"readerFeatures\":[\"timeTravelToMars\"],\"writerFeatures\":[]}}\n"},
                                  1);
    lml_error err = {0};
    cr_assert_null(lml_delta_table_open(root, NULL, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "timeTravelToMars"), "%s", err.message);
    root = make_table("nometa", (const char *const[]){PROTO}, 1);
    cr_assert_null(lml_delta_table_open(root, NULL, &err));
    cr_assert(strstr(err.message, "no metaData"), "%s", err.message);
}

Test(delta_hostile, gaps_lies_and_corrupt_checkpoints) {
    char *c0 = v0("");
    const char *c1 = "{\"commitInfo\":{\"operation\":\"WRITE\"}}\n";
    /* Version 1 missing: versions 0 and 2 only. */
    const char *root = make_table("gap", (const char *const[]){c0, c1, c1}, 3);
    char p[700];
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000001.json", root);
    cr_assert(remove(p) == 0);
    lml_error err = {0};
    cr_assert_null(lml_delta_table_open(root, NULL, &err));
    cr_assert(strstr(err.message, "commit 1 is missing"), "%s", err.message);
    /* _last_checkpoint pointing at a checkpoint that does not exist, or holding garbage: only a
     * hint, the listing decides. */
    root = make_table("lying", (const char *const[]){c0, c1}, 2);
    put_file(root, "_delta_log/_last_checkpoint", "{\"version\":7,\"size\":3}");
    lml_delta_table *t = lml_delta_table_open(root, NULL, &err);
    cr_assert(t, "%s", err.message);
    cr_assert_eq(lml_delta_table_version(t), 1);
    lml_delta_table_free(t);
    put_file(root, "_delta_log/_last_checkpoint", "\x01garbage{{{");
    t = lml_delta_table_open(root, NULL, &err);
    cr_assert(t, "%s", err.message);
    lml_delta_table_free(t);
    /* A checkpoint file that is not Parquet: a clear error naming it. */
    put_file(root, "_delta_log/00000000000000000001.checkpoint.parquet", "this is not parquet at all");
    cr_assert_null(lml_delta_table_open(root, NULL, &err));
    cr_assert(strstr(err.message, "00000000000000000001.checkpoint.parquet"), "%s", err.message);
    /* A 0-byte checkpoint is incomplete (a writer died): skipped. */
    put_file(root, "_delta_log/00000000000000000001.checkpoint.parquet", "");
    t = lml_delta_table_open(root, NULL, &err);
    cr_assert(t, "%s", err.message);
    lml_delta_table_free(t);
    /* Temporary and unrelated files in _delta_log are ignored. */
    put_file(root, "_delta_log/00000000000000000002.json.tmp-abc123", "{{{");
    put_file(root, "_delta_log/.00000000000000000002.json.crc", "crc");
    t = lml_delta_table_open(root, NULL, &err);
    cr_assert(t, "%s", err.message);
    cr_assert_eq(lml_delta_table_version(t), 1);
    lml_delta_table_free(t);
    free(c0);
}

Test(delta_hostile, missing_data_file_and_not_a_table) {
    char *c0 = v0("{\"add\":{\"path\":\"gone.parquet\",\"partitionValues\":{},\"size\":1,\"modificationTime\":1,"
                  "\"dataChange\":true}}\n");
    const char *root = make_table("gone", (const char *const[]){c0}, 1);
    expect_read_error(root, LML_EIO, "gone.parquet");
    free(c0);
    lml_error err = {0};
    cr_assert_null(lml_delta_table_open(lml_test_temp_dir(), NULL, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert(strstr(err.message, "not a Delta table"), "%s", err.message);
    cr_assert_not(lml_delta_is_table(lml_test_temp_dir()));
}

/* A checkpoint whose add struct carries a field of a type no Delta writer uses. */
Test(delta_hostile, checkpoint_with_wrong_field_types_is_eformat) {
    const char *root = make_table("cptypes", (const char *const[]){PROTO}, 1);
    lml_error err = {0};
    const char *paths[] = {"a.parquet"}, *sizes[] = {"big"};
    lml_column *p = lml_column_from_strings(paths, 1, &err), *s = lml_column_from_strings(sizes, 1, &err);
    lml_column *add = lml_column_struct_new(1, 2, (const char *[]){"path", "size"}, (lml_column *[]){p, s}, NULL, &err);
    cr_assert(add, "%s", err.message);
    lml_frame *f = lml_frame_new(1, (const char *[]){"add"}, &add, &err);
    char cp[700];
    snprintf(cp, sizeof cp, "%s/_delta_log/00000000000000000000.checkpoint.parquet", root);
    cr_assert(lml_parquet_write(f, cp, NULL, &err), "%s", err.message);
    cr_assert_null(lml_delta_table_open(root, NULL, &err));
    cr_assert_eq(err.code, LML_EFORMAT, "%s", err.message);
    cr_assert(strstr(err.message, "'size'") && strstr(err.message, "checkpoint.parquet"), "%s", err.message);
    lml_frame_free(f);
    lml_column_free(p), lml_column_free(s), lml_column_free(add);
}
