/* Delta writes under concurrency and crashes: several processes appending to one table at once
 * (every version exactly once, every row once), an overwrite racing appends (the loser gets
 * LML_ECONFLICT, no committed row is lost), the conflict rules on a deterministic lost race, and
 * a writer killed with SIGKILL at random points (the table always opens at its last complete
 * version with exactly that version's rows). */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "delta/commit.h"
#include "delta/storage.h"
#include "lakeml/delta.h"
#include "lakeml/threads.h"
#include "support.h"

static lml_frame *one_row(int64_t id) {
    lml_error err = {0};
    lml_column *c = lml_column_from_int64s(&id, NULL, 1, &err);
    lml_frame *f = lml_frame_new(1, (const char *[]){"id"}, &c, &err);
    lml_column_free(c);
    return f;
}

static const char *table_dir(const char *name) {
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", lml_test_temp_dir(), name);
    return buf;
}

/* Ids of the latest snapshot, sorted; n receives the count. */
static int64_t *ids_of(const char *path, int64_t version, size_t *n) {
    lml_error err = {0};
    lml_delta_open_options o = {.has_version = version >= 0, .version = version};
    lml_frame *f = lml_delta_read(path, &o, NULL, &err);
    cr_assert(f, "%s", err.message);
    *n = lml_frame_num_rows(f);
    int64_t *ids = malloc((*n + 1) * sizeof *ids);
    memcpy(ids, lml_column_int64s(lml_frame_column(f, 0)), *n * sizeof *ids);
    lml_frame_free(f);
    for (size_t i = 1; i < *n; i++) /* insertion sort: small tables */
        for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            int64_t t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    return ids;
}

static size_t count_commits(const char *path) {
    size_t n = 0;
    char p[700];
    struct stat st;
    for (int v = 0; v < 10000; v++) {
        snprintf(p, sizeof p, "%s/_delta_log/%020d.json", path, v);
        if (stat(p, &st) != 0) break;
        n++;
    }
    return n;
}

Test(delta_reliability, four_processes_append_25_times_each) {
    const char *path = table_dir("conc");
    lml_frame *seed = one_row(-1);
    lml_error err = {0};
    cr_assert(lml_delta_write(seed, path, NULL, NULL, &err), "%s", err.message);
    lml_frame_free(seed);
    int go[2];
    cr_assert(pipe(go) == 0);
    pid_t kids[4];
    for (int k = 0; k < 4; k++) {
        kids[k] = fork();
        cr_assert(kids[k] >= 0);
        if (kids[k] == 0) {
            lml_set_num_threads(1); /* the pool's threads are not in a forked child */
            char c;
            close(go[1]);
            if (read(go[0], &c, 1) < 0) _exit(3); /* all start together when the pipe closes */
            for (int i = 0; i < 25; i++) {
                lml_frame *f = one_row(k * 100 + i);
                lml_error e = {0};
                bool ok = lml_delta_write(f, path, &(lml_delta_write_options){.mode = LML_DELTA_APPEND}, NULL, &e);
                lml_frame_free(f);
                if (!ok) {
                    fprintf(stderr, "child %d append %d: %s\n", k, i, e.message);
                    _exit(1);
                }
            }
            _exit(0);
        }
    }
    close(go[0]);
    close(go[1]);
    for (int k = 0; k < 4; k++) {
        int status;
        cr_assert(waitpid(kids[k], &status, 0) == kids[k]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "appender %d failed", k);
    }
    cr_assert_eq(count_commits(path), 101, "versions 0..100, each exactly once");
    size_t n;
    int64_t *ids = ids_of(path, -1, &n);
    cr_assert_eq(n, 101);
    size_t at = 1;
    cr_assert_eq(ids[0], -1);
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 25; i++, at++) cr_assert_eq(ids[at], k * 100 + i, "row %d of appender %d present once", i, k);
    free(ids);
}

/* A lost race decided by the conflict rules, without timing: both transactions read version 0,
 * an append commits version 1, then the other tries version 1. */
Test(delta_reliability, lost_race_follows_the_conflict_rules) {
    const char *path = table_dir("race");
    lml_frame *f = one_row(0);
    lml_error err = {0};
    cr_assert(lml_delta_write(f, path, NULL, NULL, &err), "%s", err.message);
    cr_assert(lml_delta_write(f, path, &(lml_delta_write_options){.mode = LML_DELTA_APPEND}, NULL, &err), "%s", err.message);
    lml_frame_free(f);
    const lml_storage *st = lml_storage_local();
    /* An overwrite that read version 0 read the whole table: the append at 1 conflicts. */
    lml_delta_tx ow = {.root = path, .read_version = 0, .read_whole_table = true, .operation = "WRITE",
                       .parameters = "{\"mode\":\"Overwrite\",\"partitionBy\":\"[]\"}"};
    int64_t v = -1;
    cr_assert_not(lml_delta_commit(st, &ow, &v, &err));
    cr_assert_eq(err.code, LML_ECONFLICT);
    cr_assert(strstr(err.message, "version 1 (WRITE)") && strstr(err.message, "DELTA_CONCURRENT_APPEND"), "%s",
              err.message);
    /* A blind append that read version 0 commits after it, at version 2. */
    lml_delta_tx app = {.root = path, .read_version = 0, .blind_append = true, .operation = "WRITE",
                        .parameters = "{\"mode\":\"Append\",\"partitionBy\":\"[]\"}"};
    cr_assert(lml_delta_commit(st, &app, &v, &err), "%s", err.message);
    cr_assert_eq(v, 2);
    /* Creating a table that exists is a conflict, not an overwrite of version 0. */
    lml_delta_tx create = {.root = path, .read_version = -1, .operation = "WRITE"};
    cr_assert_not(lml_delta_commit(st, &create, &v, &err));
    cr_assert_eq(err.code, LML_ECONFLICT);
}

Test(delta_reliability, overwrites_racing_appends_lose_cleanly_and_lose_no_row) {
    const char *path = table_dir("owrace");
    lml_frame *f = one_row(0);
    lml_error err = {0};
    cr_assert(lml_delta_write(f, path, NULL, NULL, &err), "%s", err.message);
    lml_frame_free(f);
    int out[2];
    cr_assert(pipe(out) == 0);
    pid_t kid = fork();
    cr_assert(kid >= 0);
    if (kid == 0) { /* the appender reports "id version" for each commit */
        lml_set_num_threads(1);
        close(out[0]);
        FILE *w = fdopen(out[1], "w");
        for (int i = 1; i <= 40; i++) {
            lml_frame *r = one_row(i);
            int64_t v;
            lml_error e = {0};
            if (!lml_delta_write(r, path, &(lml_delta_write_options){.mode = LML_DELTA_APPEND}, &v, &e)) _exit(1);
            fprintf(w, "%d %lld\n", i, (long long)v);
            lml_frame_free(r);
        }
        fclose(w);
        _exit(0);
    }
    close(out[1]);
    int conflicts = 0, wins = 0;
    int64_t last_ow = 0;
    for (int i = 0; i < 15; i++) {
        lml_frame *r = one_row(1000 + i);
        int64_t v;
        lml_error e = {0};
        if (lml_delta_write(r, path, &(lml_delta_write_options){.mode = LML_DELTA_OVERWRITE}, &v, &e)) {
            wins++;
            last_ow = v;
        } else {
            cr_assert_eq(e.code, LML_ECONFLICT, "%s", e.message);
            conflicts++;
        }
        lml_frame_free(r);
    }
    FILE *rd = fdopen(out[0], "r");
    int id;
    long long ver;
    int64_t appended_after[64];
    size_t na = 0;
    while (fscanf(rd, "%d %lld", &id, &ver) == 2)
        if (ver > last_ow) appended_after[na++] = id;
    fclose(rd);
    int status;
    waitpid(kid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the appender never fails: blind appends do not conflict");
    cr_assert_eq(wins + conflicts, 15);
    cr_log_info("overwrites: %d committed, %d lost to a concurrent append", wins, conflicts);
    size_t n;
    int64_t *ids = ids_of(path, -1, &n);
    /* The table = the last overwrite's row (or the first row) + every append committed after it. */
    size_t want = na + 1;
    cr_assert_eq(n, want, "%zu rows, want %zu (overwrites won %d, lost %d)", n, want, wins, conflicts);
    for (size_t k = 0; k < na; k++) {
        bool found = false;
        for (size_t j = 0; j < n; j++) found |= ids[j] == appended_after[k];
        cr_assert(found, "append of id %lld after the last overwrite is present", (long long)appended_after[k]);
    }
    free(ids);
}

Test(delta_reliability, sigkill_during_appends_never_leaves_a_broken_table) {
    const char *path = table_dir("crash");
    lml_frame *f = one_row(0);
    lml_error err = {0};
    cr_assert(lml_delta_write(f, path, NULL, NULL, &err), "%s", err.message);
    lml_frame_free(f);
    srand(42);
    int kills = 0;
    int64_t last = 0;
    for (int round = 0; round < 400; round++) {
        pid_t kid = fork();
        cr_assert(kid >= 0);
        if (kid == 0) {
            lml_set_num_threads(1);
            for (;;) { /* appends id = the version it expects, so a table at v holds ids 0..v */
                lml_delta_table *t = lml_delta_table_open(path, NULL, NULL);
                if (!t) _exit(2);
                int64_t next = lml_delta_table_version(t) + 1;
                lml_delta_table_free(t);
                if (next > 50) _exit(0);
                lml_frame *r = one_row(next);
                int64_t v;
                if (!lml_delta_write(r, path, &(lml_delta_write_options){.mode = LML_DELTA_APPEND}, &v, NULL) ||
                    v != next)
                    _exit(1);
                lml_frame_free(r);
            }
        }
        struct timespec ts = {0, (long)(rand() % 40000) * 1000};
        nanosleep(&ts, NULL);
        kills += kill(kid, SIGKILL) == 0;
        int status;
        waitpid(kid, &status, 0);
        cr_assert(!WIFEXITED(status) || WEXITSTATUS(status) == 0, "writer failed with %d", WEXITSTATUS(status));
        lml_delta_table *t = lml_delta_table_open(path, NULL, &err);
        cr_assert(t, "after kill %d: %s", round, err.message);
        int64_t v = lml_delta_table_version(t);
        lml_delta_table_free(t);
        size_t n;
        int64_t *ids = ids_of(path, -1, &n);
        cr_assert_eq(n, (size_t)v + 1, "version %lld holds %zu rows", (long long)v, n);
        for (size_t i = 0; i < n; i++) cr_assert_eq(ids[i], (int64_t)i);
        free(ids);
        last = v;
        if (v >= 50) break;
    }
    cr_log_info("%d kills during the appends; the table reached version %lld", kills, (long long)last);
    cr_assert_eq(last, 50, "the 50 appends completed across the kills");
    cr_assert_gt(kills, 10);
}
