/* examples/cdc_merge end to end: 40 generated micro-batches (inserts, updates, deletes, repeated
 * ids, bad lines) merged into table A in one run, and into table B by a job that is SIGKILLed
 * several times and restarted. Both tables must hold exactly the state computed here in plain C,
 * every batch's transaction must be committed exactly once, and the bad-records files must list
 * each bad line exactly once. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "lakeml/lakeml.h"
#include "support.h"

#define NBATCH 40
#define MAXID 1100

/* ---------------------------------------------------------------- the model */

typedef struct row {
    bool present, has_name, has_amount, has_ts;
    char name[48];
    double amount;
    int64_t ts;
} row;

typedef struct bad_line {
    int batch;
    size_t line;
} bad_line;

static row model[MAXID];
static bad_line bads[NBATCH * 8];
static size_t nbad;

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

static int64_t micros(int mon, int day, int h, int m, int s)
{
    struct tm tm = {.tm_year = 124, .tm_mon = mon - 1, .tm_mday = day, .tm_hour = h, .tm_min = m, .tm_sec = s};
    return (int64_t)timegm(&tm) * 1000000;
}

static const char *bad_texts[] = {
    "{\"id\": 5, \"name\": \"x\", ",                          /* not JSON */
    "{\"id\": \"seven\", \"op\": \"c\"}",                      /* id of the wrong type */
    "{\"id\": 8, \"op\": \"x\"}",                              /* unknown op */
    "{\"id\": 9, \"op\": \"u\", \"updated_at\": \"not a time\"}", /* unparsable timestamp */
    "{\"id\": 10, \"op\": \"c\", \"colour\": \"red\"}",        /* unknown field */
    "[1, 2, 3]",                                              /* not an object */
    "{\"name\": \"no id\", \"op\": \"c\"}",                    /* no id */
    "{\"id\": 1.5, \"op\": \"c\"}",                            /* not a long */
};

/* One good change: its JSON text and its effect, applied to the model once the batch is deduped. */
typedef struct change {
    int id;
    char op;
    row r;
} change;

/* Writes the batch files into dir and computes the state they lead to. */
static void generate(const char *dir)
{
    memset(model, 0, sizeof model);
    nbad = 0;
    for (int b = 1; b <= NBATCH; b++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/batch-%06d.jsonl", dir, b);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        change ch[64];
        size_t nch = 0, line = 0;
        int nlines = 15 + (int)rnd(25);
        for (int k = 0; k <= nlines; k++) {
            line++;
            if (k < nlines && rnd(100) < 4) {
                fputs("\n", f); /* blank lines are skipped, not bad */
                continue;
            }
            if (k < nlines && rnd(100) < 6) {
                fprintf(f, "%s\n", bad_texts[nbad % 8]);
                bads[nbad++] = (bad_line){b, line};
                continue;
            }
            /* The last line of a batch inserts a new id, so that every batch changes the table. */
            change c = {.id = k == nlines ? 300 + b : 1 + (int)rnd(60)};
            uint32_t o = rnd(100);
            c.op = k == nlines ? 'c' : o < 25 ? 'd' : o < 60 ? 'c' : 'u';
            char fields[256] = "";
            size_t at = 0;
            if (rnd(10)) {
                c.r.has_name = true;
                snprintf(c.r.name, sizeof c.r.name, "n%d_b%d_l%zu", c.id, b, line);
                at += (size_t)snprintf(fields + at, sizeof fields - at, ", \"name\": \"%s\"", c.r.name);
            } else if (rnd(2)) {
                at += (size_t)snprintf(fields + at, sizeof fields - at, ", \"name\": null");
            }
            if (rnd(10)) {
                c.r.has_amount = true;
                c.r.amount = (double)rnd(100000) / 4 - 1000;
                at += (size_t)snprintf(fields + at, sizeof fields - at, ", \"amount\": %.17g", c.r.amount);
            }
            if (rnd(10)) {
                int mon = 1 + (int)rnd(12), day = 1 + (int)rnd(28), h = (int)rnd(24), mi = (int)rnd(60),
                    s = (int)rnd(60);
                c.r.has_ts = true;
                c.r.ts = micros(mon, day, h, mi, s);
                at += (size_t)snprintf(fields + at, sizeof fields - at,
                                       ", \"updated_at\": \"2024-%02d-%02d %02d:%02d:%02d\"", mon, day, h, mi, s);
            }
            fprintf(f, "{\"op\": \"%c\", \"id\": %d%s}\n", c.op, c.id, fields);
            /* the last line for an id wins */
            size_t j = 0;
            while (j < nch && ch[j].id != c.id)
                j++;
            if (j < nch)
                memmove(&ch[j], &ch[j + 1], (nch - j - 1) * sizeof *ch), nch--;
            ch[nch++] = c;
        }
        fclose(f);
        for (size_t j = 0; j < nch; j++) {
            row *m = &model[ch[j].id];
            if (ch[j].op == 'd') {
                m->present = false;
            } else {
                *m = ch[j].r;
                m->present = true;
            }
        }
    }
    /* a file that is not a batch is left alone */
    char path[1024];
    snprintf(path, sizeof path, "%s/README.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("not a batch\n", f);
    fclose(f);
}

/* ---------------------------------------------------------------- checks */

/* The table's rows as model rows (id indexes them); fails on any id outside the model's range. */
static void read_table(const char *path, row *out)
{
    memset(out, 0, MAXID * sizeof *out);
    lml_error err = {0};
    lml_frame *f = lml_delta_read(path, NULL, NULL, &err);
    cr_assert_not_null(f, "reading %s: %s", path, err.message);
    cr_assert_eq(lml_frame_num_cols(f), 4, "table columns: %zu (op must not reach the table)", lml_frame_num_cols(f));
    const char *names[4] = {"id", "name", "amount", "updated_at"};
    for (int c = 0; c < 4; c++)
        cr_assert_str_eq(lml_frame_column_name(f, (size_t)c), names[c]);
    const lml_column *id = lml_frame_column(f, 0), *name = lml_frame_column(f, 1), *amount = lml_frame_column(f, 2),
                     *ts = lml_frame_column(f, 3);
    cr_assert_eq(lml_column_type(id), LML_INT64);
    cr_assert_eq(lml_column_type(ts), LML_TIMESTAMP);
    for (size_t i = 0; i < lml_frame_num_rows(f); i++) {
        int64_t k = lml_column_int64s(id)[i];
        cr_assert(!lml_column_is_null(id, i) && k > 0 && k < MAXID, "unexpected id at row %zu", i);
        row *r = &out[k];
        cr_assert_not(r->present, "id %lld appears twice", (long long)k);
        r->present = true;
        if ((r->has_name = !lml_column_is_null(name, i))) {
            size_t len;
            const char *s = lml_column_string_at(name, i, &len);
            cr_assert_lt(len, sizeof r->name);
            memcpy(r->name, s, len);
        }
        if ((r->has_amount = !lml_column_is_null(amount, i)))
            r->amount = lml_column_doubles(amount)[i];
        if ((r->has_ts = !lml_column_is_null(ts, i)))
            r->ts = lml_column_int64s(ts)[i];
    }
    lml_frame_free(f);
}

static void same_rows(const row *got, const row *want, const char *what)
{
    size_t n = 0;
    for (int k = 0; k < MAXID; k++) {
        const row *g = &got[k], *w = &want[k];
        cr_assert_eq(g->present, w->present, "%s: id %d present %d, expected %d", what, k, g->present, w->present);
        if (!w->present)
            continue;
        n++;
        cr_assert_eq(g->has_name, w->has_name, "%s: id %d name nullness", what, k);
        cr_assert_str_eq(g->name, w->name, "%s: id %d name", what, k);
        cr_assert_eq(g->has_amount, w->has_amount, "%s: id %d amount nullness", what, k);
        cr_assert_eq(g->amount, w->amount, "%s: id %d amount %.17g, expected %.17g", what, k, g->amount, w->amount);
        cr_assert_eq(g->has_ts, w->has_ts, "%s: id %d updated_at nullness", what, k);
        cr_assert_eq(g->ts, w->ts, "%s: id %d updated_at", what, k);
    }
    cr_assert_gt(n, 40, "%s: only %zu rows; the generated data should leave more", what, n);
}

/* Every txn action in the table's commits: each batch 1..NBATCH exactly once, in a MERGE commit. */
static void txns_once(const char *table, const char *app_id)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/_delta_log", table);
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    int seen[NBATCH + 1] = {0};
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len != 25 || strcmp(e->d_name + 20, ".json") != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = lml_test_slurp(path);
        cr_assert_not_null(text);
        long version = -1;
        const char *op = NULL;
        cJSON *info = NULL;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
            cJSON *j = cJSON_Parse(line);
            cr_assert_not_null(j, "%s: unparsable line", path);
            const cJSON *txn = cJSON_GetObjectItemCaseSensitive(j, "txn");
            if (txn) {
                cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(txn, "appId")->valuestring, app_id);
                cr_assert_eq(version, -1, "%s: two txn actions", path);
                version = (long)cJSON_GetObjectItemCaseSensitive(txn, "version")->valuedouble;
            }
            if (cJSON_GetObjectItemCaseSensitive(j, "commitInfo")) {
                cJSON_Delete(info);
                info = j;
                op = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "commitInfo"), "operation")
                         ->valuestring;
                continue;
            }
            cJSON_Delete(j);
        }
        if (version >= 0) {
            cr_assert(version >= 1 && version <= NBATCH, "%s: txn version %ld", path, version);
            cr_assert_str_eq(op, "MERGE", "%s", path);
            seen[version]++;
        }
        cJSON_Delete(info);
        free(text);
    }
    closedir(d);
    for (int b = 1; b <= NBATCH; b++)
        cr_assert_eq(seen[b], 1, "%s: batch %d committed %d times", table, b, seen[b]);
}

static int cmp_bad(const void *a, const void *b)
{
    const bad_line *x = a, *y = b;
    return x->batch != y->batch ? x->batch - y->batch : (x->line > y->line) - (x->line < y->line);
}

/* The bad-records file lists the generated bad lines, each once, with its raw text. */
static void bad_records_are(const char *path)
{
    char *text = lml_test_slurp(path);
    cr_assert_not_null(text, "%s", path);
    bad_line got[NBATCH * 8];
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        cr_assert_not_null(j, "bad-records line is not JSON: %s", line);
        const char *file = cJSON_GetObjectItemCaseSensitive(j, "file")->valuestring;
        int b = 0;
        cr_assert_eq(sscanf(file, "batch-%6d.jsonl", &b), 1, "%s", file);
        cr_assert_lt(n, NBATCH * 8);
        got[n] = (bad_line){b, (size_t)cJSON_GetObjectItemCaseSensitive(j, "line")->valuedouble};
        const char *raw = cJSON_GetObjectItemCaseSensitive(j, "raw")->valuestring;
        const char *error = cJSON_GetObjectItemCaseSensitive(j, "error")->valuestring;
        cr_assert(error && *error, "%s", line);
        size_t i = 0;
        while (i < nbad && (bads[i].batch != b || bads[i].line != got[n].line))
            i++;
        cr_assert_lt(i, nbad, "%s:%zu is not a bad line", file, got[n].line);
        cr_assert_str_eq(raw, bad_texts[i % 8]);
        n++;
        cJSON_Delete(j);
    }
    free(text);
    cr_assert_eq(n, nbad, "%s lists %zu bad lines, expected %zu", path, n, nbad);
    qsort(got, n, sizeof *got, cmp_bad);
    for (size_t i = 1; i < n; i++)
        cr_assert(cmp_bad(&got[i - 1], &got[i]) != 0, "bad line listed twice");
}

/* ---------------------------------------------------------------- running the job */

/* Starts the job with LML_CDC_BATCH_DELAY_MS set, reads its stdout until it has printed `lines`
 * lines, then SIGKILLs it. Returns the exit status (128 + 9 when the kill landed). The lines read
 * go to *out. */
static int run_and_kill(const char *const *argv, size_t lines, char **out)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (dup2(p[1], 1) < 0 || dup2(devnull, 2) < 0)
            _exit(126);
        close(p[0]);
        close(p[1]);
        setenv("LML_CDC_BATCH_DELAY_MS", "15", 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    FILE *f = fdopen(p[0], "r");
    size_t cap = 1 << 16, len = 0, seen = 0;
    *out = calloc(cap, 1);
    char *line = NULL;
    size_t lcap = 0;
    ssize_t n;
    while (seen < lines && (n = getline(&line, &lcap, f)) > 0) {
        if (len + (size_t)n < cap) {
            memcpy(*out + len, line, (size_t)n);
            len += (size_t)n;
        }
        seen++;
    }
    kill(pid, SIGKILL);
    free(line);
    fclose(f);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static size_t count_lines(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

Test(cdc_merge, killed_and_restarted_job_merges_every_batch_exactly_once, .timeout = 600)
{
    const char *exe = getenv("LML_EXAMPLE_CDC_MERGE");
    cr_assert(exe, "LML_EXAMPLE_CDC_MERGE unset (tests/integration/meson.build)");
    char dir[256];
    const char *tmp = lml_test_temp_dir();
    cr_assert_not_null(tmp);
    snprintf(dir, sizeof dir, "%s", tmp);
    char input[600], table_a[600], table_b[600], bad_a[600], bad_b[600];
    snprintf(input, sizeof input, "%s/in", dir);
    snprintf(table_a, sizeof table_a, "%s/table_a", dir);
    snprintf(table_b, sizeof table_b, "%s/table_b", dir);
    snprintf(bad_a, sizeof bad_a, "%s/bad_a.jsonl", dir);
    snprintf(bad_b, sizeof bad_b, "%s/bad_b.jsonl", dir);
    cr_assert_eq(mkdir(input, 0700), 0);
    generate(input);
    cr_assert_gt(nbad, 5);

    /* A: one uninterrupted run. */
    char *out, *err;
    int status = lml_it_run((const char *[]){exe, input, table_a, "--bad-records", bad_a, "--app-id", "cdc-a", NULL},
                            &out, &err);
    cr_assert_eq(status, 0, "cdc_merge exited %d; stderr:\n%s", status, err);
    cr_assert_str_eq(err, "");
    cr_assert_eq(count_lines(out, "\n"), NBATCH, "%s", out);
    cr_assert_eq(count_lines(out, "skipped"), 0, "%s", out);
    cr_assert(strncmp(out, "batch 1: ", 9) == 0, "%s", out);
    free(out);
    free(err);

    /* B: killed after 4, 11 and 19 lines of output, restarted each time, then run to the end. */
    const char *argv_b[] = {exe, input, table_b, "--bad-records", bad_b, "--app-id", "cdc-b", NULL};
    size_t kill_after[] = {4, 11, 19};
    for (size_t k = 0; k < 3; k++) {
        status = run_and_kill(argv_b, kill_after[k], &out);
        cr_assert_eq(status, 128 + SIGKILL, "run %zu ended by itself (%d) before the kill:\n%s", k, status, out);
        /* A restart first skips what earlier runs committed. */
        if (k > 0)
            cr_assert(strncmp(out, "batch 1: skipped (already committed)\n", 37) == 0, "run %zu:\n%s", k, out);
        free(out);
    }
    status = lml_it_run(argv_b, &out, &err);
    cr_assert_eq(status, 0, "cdc_merge exited %d; stderr:\n%s", status, err);
    cr_assert_eq(count_lines(out, "\n"), NBATCH, "%s", out);
    cr_assert_geq(count_lines(out, "skipped (already committed)"), 19, "%s", out);
    cr_assert(strstr(out, "batch 40: ") && !strstr(out, "batch 40: skipped"), "%s", out);
    free(out);
    free(err);

    static row got_a[MAXID], got_b[MAXID];
    read_table(table_a, got_a);
    read_table(table_b, got_b);
    same_rows(got_b, got_a, "table B vs table A");
    same_rows(got_a, model, "table A vs the model");
    txns_once(table_a, "cdc-a");
    txns_once(table_b, "cdc-b");
    bad_records_are(bad_a);
    bad_records_are(bad_b);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}
