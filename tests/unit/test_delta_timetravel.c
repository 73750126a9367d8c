/* timestampAsOf as Spark resolves it: commit file times (made strictly increasing) for plain
 * tables — golden/time-travel-start-start20-start40 copied with its commits' times set as its
 * generator set them — and in-commit timestamps for delta-rs/cdc_ict_table; the errors before
 * the first and after the last commit; history timestamps; restore by timestamp. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "lakeml/delta.h"
#include "support.h"

#define T0 1540415658000LL /* the generator's first commit time; then +20 and +40 minutes */

static const char *copy_table(const char *rel) {
    static char dst[512];
    const char *src = lml_test_shared_path(rel);
    if (!src) return NULL;
    snprintf(dst, sizeof dst, "%s/t", lml_test_temp_dir());
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "cp -R '%s' '%s'", src, dst);
    cr_assert(system(cmd) == 0, "%s", cmd);
    return dst;
}

static void set_mtime(const char *root, int v, long long ms) {
    char p[700];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", root, v);
    struct timeval tv[2] = {{ms / 1000, (ms % 1000) * 1000}, {ms / 1000, (ms % 1000) * 1000}};
    cr_assert(utimes(p, tv) == 0, "%s", p);
}

static int64_t version_at(const char *root, const char *ts) {
    lml_error err = {0};
    lml_delta_table *t = lml_delta_table_open(root, &(lml_delta_open_options){.timestamp = ts}, &err);
    cr_assert(t, "%s: %s", ts, err.message);
    int64_t v = lml_delta_table_version(t);
    lml_delta_table_free(t);
    return v;
}

static void expect_refused(const char *root, const char *ts, const char *needle) {
    lml_error err = {0};
    cr_assert_null(lml_delta_table_open(root, &(lml_delta_open_options){.timestamp = ts}, &err), "%s", ts);
    cr_assert(strstr(err.message, needle), "%s: '%s' not in %s", ts, needle, err.message);
}

Test(delta_timetravel, timestamp_as_of_uses_commit_file_times) {
    const char *root = copy_table("conformance/delta/golden/time-travel-start-start20-start40");
    if (!root) cr_skip_test("SKIPPED: ../shared/conformance/delta not found; conformance data absent");
    for (int v = 0; v < 3; v++) set_mtime(root, v, T0 + v * 20 * 60000LL);
    cr_assert_eq(version_at(root, "2018-10-24 21:14:18"), 0);
    cr_assert_eq(version_at(root, "2018-10-24 21:30:00"), 0);
    cr_assert_eq(version_at(root, "2018-10-24T21:34:18Z"), 1);
    cr_assert_eq(version_at(root, "2018-10-24 21:54:17.999"), 1);
    cr_assert_eq(version_at(root, "2018-10-24 21:54:18"), 2);
    expect_refused(root, "2018-10-24 21:14:17", "before the earliest version");
    expect_refused(root, "2018-10-24", "before the earliest version");
    expect_refused(root, "2018-10-24 22:00:00", "after the latest version");
    expect_refused(root, "yesterday", "not a date or timestamp");
    /* Equal file times are spread 1 ms apart, as Spark does. */
    for (int v = 0; v < 3; v++) set_mtime(root, v, T0);
    cr_assert_eq(version_at(root, "2018-10-24 21:14:18.000"), 0);
    cr_assert_eq(version_at(root, "2018-10-24 21:14:18.002"), 2);
    /* history shows the same times, newest first */
    for (int v = 0; v < 3; v++) set_mtime(root, v, T0 + v * 20 * 60000LL);
    lml_error err = {0};
    lml_delta_table *t = lml_delta_table_open(root, NULL, &err);
    lml_frame *h = lml_delta_table_history(t, 0, &err);
    cr_assert(h, "%s", err.message);
    const int64_t *ts = lml_column_int64s(lml_frame_column_by_name(h, "timestamp", &err));
    cr_assert_eq(ts[0], (T0 + 40 * 60000LL) * 1000);
    cr_assert_eq(ts[2], T0 * 1000);
    lml_frame_free(h);
    lml_delta_table_free(t);
    /* restore by timestamp: back to version 1 as version 3 */
    int64_t nv;
    cr_assert(lml_delta_restore_to_timestamp(root, "2018-10-24 21:40:00", &nv, &err), "%s", err.message);
    cr_assert_eq(nv, 3);
    lml_frame *f = lml_delta_read(root, NULL, NULL, &err);
    cr_assert_eq(lml_frame_num_rows(f), 20);
    lml_frame_free(f);
}

/* In-commit timestamps decide, not file times; delta-rs's table has v1's ICT (2023) below v0's. */
Test(delta_timetravel, timestamp_as_of_uses_in_commit_timestamps) {
    const char *root = copy_table("conformance/delta/delta-rs/cdc_ict_table");
    if (!root) cr_skip_test("SKIPPED: ../shared/conformance/delta not found; conformance data absent");
    for (int v = 0; v < 4; v++) set_mtime(root, v, T0); /* file times that would say otherwise */
    cr_assert_eq(version_at(root, "2026-07-12 16:36:50"), 1);
    cr_assert_eq(version_at(root, "2026-07-12 16:36:52.175"), 2);
    cr_assert_eq(version_at(root, "2026-07-12 16:36:53.881"), 3);
    expect_refused(root, "2026-07-12 16:37:00", "after the latest version");
}

/* A table lakeml creates with in-commit timestamps: writer feature inCommitTimestamp, each
 * commit's first action carries an increasing inCommitTimestamp, and time travel follows it
 * whatever the file times say. */
Test(delta_timetravel, lakeml_writes_in_commit_timestamps) {
    char root[512];
    snprintf(root, sizeof root, "%s/ict", lml_test_temp_dir());
    lml_error err = {0};
    int64_t id = 1;
    lml_column *c = lml_column_from_int64s(&id, NULL, 1, &err);
    lml_frame *f = lml_frame_new(1, (const char *[]){"id"}, &c, &err);
    lml_column_free(c);
    lml_delta_write_options o = {.properties = (const char *[]){"delta.enableInCommitTimestamps", "true", NULL}};
    cr_assert(lml_delta_write(f, root, &o, NULL, &err), "%s", err.message);
    lml_delta_write_options app = {.mode = LML_DELTA_APPEND};
    cr_assert(lml_delta_write(f, root, &app, NULL, &err), "%s", err.message);
    cr_assert(lml_delta_write(f, root, &app, NULL, &err), "%s", err.message);
    lml_frame_free(f);
    lml_delta_table *t = lml_delta_table_open(root, NULL, &err);
    cr_assert(t, "%s", err.message);
    cr_assert_eq(lml_delta_table_min_writer_version(t), 7);
    cr_assert_eq(lml_delta_table_min_reader_version(t), 1);
    lml_delta_table_free(t);
    long long ict[3];
    for (int v = 0; v < 3; v++) {
        char p[700], line[4096];
        snprintf(p, sizeof p, "%s/_delta_log/%020d.json", root, v);
        FILE *fp = fopen(p, "r");
        cr_assert(fp && fgets(line, sizeof line, fp));
        fclose(fp);
        const char *k = strstr(line, "{\"commitInfo\":{\"inCommitTimestamp\":");
        cr_assert(k == line, "version %d: commitInfo with inCommitTimestamp first: %s", v, line);
        ict[v] = atoll(k + strlen("{\"commitInfo\":{\"inCommitTimestamp\":"));
        if (v) cr_assert_gt(ict[v], ict[v - 1], "in-commit timestamps increase");
        set_mtime(root, v, T0); /* file times that would say otherwise */
    }
    /* The table's own clock: version 1's ICT selects version 1. */
    lml_value when = {.type = LML_TIMESTAMP, .v.i64 = ict[1] * 1000};
    char text[64];
    time_t secs = (time_t)(when.v.i64 / 1000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%03lld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, ict[1] % 1000);
    cr_assert_eq(version_at(root, text), 1, "%s", text);
}
