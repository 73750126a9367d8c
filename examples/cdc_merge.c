/* A change-data-capture job: micro-batches of row changes MERGEd into a Delta table, exactly once
 * even when the job is killed and restarted — the Spark Structured Streaming foreachBatch upsert,
 * with numbered files standing in for Kafka.
 *
 *   cdc_merge INPUT_DIR TARGET_TABLE [--bad-records FILE] [--app-id ID]
 *
 * INPUT_DIR holds JSON-lines files whose names end in a number before ".jsonl"
 * (batch-000001.jsonl, batch-000002.jsonl, …); each file is one batch, taken in numeric order,
 * and the number is the batch's id. Every line is one change:
 *
 *   {"id": 7, "name": "ada", "amount": 12.5, "updated_at": "2024-05-01 10:00:00", "op": "u"}
 *
 * id (long, required), name (string), amount (double), updated_at (timestamp text as Spark's
 * cast reads it, UTC), op ("c" create, "u" update, "d" delete; required); a missing or null
 * optional field is NULL. A line that is not JSON or does not fit that schema (a wrong type, an
 * unknown field, an unparsable timestamp, an unknown op) is written to the bad-records file (one
 * JSON object per line: file, line, error, raw) — or to stderr without --bad-records — and the
 * batch goes on without it. Blank lines are ignored.
 *
 * Rules of a batch:
 *  - Within one batch the LAST line for an id wins: earlier lines for the same id are dropped
 *    before the merge (a MERGE whose source holds two rows for one target row fails with
 *    DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE, and a change log means "the latest
 *    change").
 *  - MERGE INTO target t USING batch s ON t.id = s.id
 *      WHEN MATCHED AND s.op = 'd' THEN DELETE
 *      WHEN MATCHED THEN UPDATE SET *
 *      WHEN NOT MATCHED AND s.op <> 'd' THEN INSERT *
 *    Schema evolution is off, so UPDATE * / INSERT * take the table's columns (id, name, amount,
 *    updated_at) from the batch and `op` never reaches the table.
 *  - The merge commits with the transaction (app id, batch number) — Delta's txnAppId /
 *    txnVersion. A batch whose transaction the table already holds is skipped by the library, so
 *    a job killed at any point and restarted neither loses nor repeats a batch. The bad-records
 *    file is kept exactly-once too: on start-up a torn last line is cut off and the (file, line)
 *    pairs already listed are not written again.
 *  - The table is created empty (id long, name string, amount double, updated_at timestamp) when
 *    TARGET_TABLE is not a Delta table yet.
 *
 * One line per batch on stdout ("batch 3: 25 rows (1 bad, 2 superseded): inserted 10, updated 12,
 * deleted 3" or "batch 3: skipped (already committed)"); exit 0. Errors go to stderr, exit 1.
 *
 * LML_CDC_BATCH_DELAY_MS (environment, default 0): milliseconds to wait before each batch's
 * merge. It only slows the job down — tests use it so that a kill lands in the middle of a run. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lakeml/lakeml.h"

typedef struct batch_file {
    char *name;
    int64_t number;
} batch_file;

/* One good change line. Strings are malloc'd (NULL = SQL NULL). */
typedef struct change {
    int64_t id;
    char *name, *updated_at, *op;
    bool has_amount, has_ts;
    double amount;
    int64_t ts; /* updated_at as µs since the epoch, once cast */
    size_t line;
    char *raw;
} change;

/* The bad-records sink and the (file, line) pairs it already lists. */
typedef struct bad_sink {
    FILE *f; /* NULL: stderr */
    char **seen;
    size_t nseen, cap;
} bad_sink;

static void die(const char *what, const lml_error *err)
{
    fprintf(stderr, "cdc_merge: %s%s%s\n", what, err ? ": " : "", err ? err->message : "");
    exit(1);
}

/* ---------------------------------------------------------------- input files */

/* The number before ".jsonl" in name, or -1 when there is none. */
static int64_t batch_number(const char *name)
{
    size_t n = strlen(name);
    if (n < 7 || strcmp(name + n - 6, ".jsonl") != 0)
        return -1;
    size_t end = n - 6, start = end;
    while (start > 0 && name[start - 1] >= '0' && name[start - 1] <= '9')
        start--;
    if (start == end || end - start > 18)
        return -1;
    return strtoll(name + start, NULL, 10);
}

static int by_number(const void *a, const void *b)
{
    const batch_file *x = a, *y = b;
    return (x->number > y->number) - (x->number < y->number);
}

static batch_file *list_batches(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cdc_merge: cannot open input directory %s: %s\n", dir, strerror(errno));
        exit(1);
    }
    batch_file *files = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 6, ".jsonl") != 0)
            continue;
        int64_t num = batch_number(e->d_name);
        if (num < 0) {
            fprintf(stderr, "cdc_merge: %s/%s: no batch number before .jsonl\n", dir, e->d_name);
            exit(1);
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            files = realloc(files, cap * sizeof *files);
            if (!files)
                die("out of memory listing the input", NULL);
        }
        if (!(files[n].name = strdup(e->d_name)))
            die("out of memory listing the input", NULL);
        files[n++].number = num;
    }
    closedir(d);
    qsort(files, n, sizeof *files, by_number);
    for (size_t i = 1; i < n; i++)
        if (files[i].number == files[i - 1].number) {
            fprintf(stderr, "cdc_merge: %s and %s have the same batch number %lld\n", files[i - 1].name,
                    files[i].name, (long long)files[i].number);
            exit(1);
        }
    *count = n;
    return files;
}

/* ---------------------------------------------------------------- bad records */

static char *seen_key(const char *file, size_t line)
{
    char *k = malloc(strlen(file) + 32);
    if (!k)
        die("out of memory", NULL);
    sprintf(k, "%s:%zu", file, line);
    return k;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Opens the bad-records file for appending after cutting a torn last line (a kill mid-write) and
 * remembering which lines it already lists. */
static void bad_open(bad_sink *b, const char *path)
{
    *b = (bad_sink){0};
    if (!path)
        return;
    FILE *f = fopen(path, "r+");
    if (f) {
        char *line = NULL;
        size_t cap = 0;
        long good = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
            if (line[len - 1] != '\n')
                break; /* torn */
            good = ftell(f);
            cJSON *j = cJSON_Parse(line);
            const cJSON *file = cJSON_GetObjectItemCaseSensitive(j, "file");
            const cJSON *no = cJSON_GetObjectItemCaseSensitive(j, "line");
            if (cJSON_IsString(file) && cJSON_IsNumber(no)) {
                if (b->nseen == b->cap) {
                    b->cap = b->cap ? 2 * b->cap : 64;
                    if (!(b->seen = realloc(b->seen, b->cap * sizeof *b->seen)))
                        die("out of memory", NULL);
                }
                b->seen[b->nseen++] = seen_key(file->valuestring, (size_t)no->valuedouble);
            }
            cJSON_Delete(j);
        }
        free(line);
        if (ftruncate(fileno(f), good) != 0)
            die("cannot repair the bad-records file", NULL);
        fclose(f);
        qsort(b->seen, b->nseen, sizeof *b->seen, cmp_str);
    }
    if (!(b->f = fopen(path, "a"))) {
        fprintf(stderr, "cdc_merge: cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void bad_record(bad_sink *b, const char *file, size_t line, const char *error, const char *raw)
{
    char *key = seen_key(file, line);
    bool seen = b->nseen && bsearch(&key, b->seen, b->nseen, sizeof *b->seen, cmp_str);
    free(key);
    if (seen)
        return;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "file", file);
    cJSON_AddNumberToObject(j, "line", (double)line);
    cJSON_AddStringToObject(j, "error", error);
    cJSON_AddStringToObject(j, "raw", raw);
    char *text = cJSON_PrintUnformatted(j);
    if (!text)
        die("out of memory", NULL);
    FILE *out = b->f ? b->f : stderr;
    fprintf(out, "%s\n", text);
    if (fflush(out) != 0)
        die("cannot write the bad-records file", NULL);
    cJSON_free(text);
    cJSON_Delete(j);
}

static void bad_close(bad_sink *b)
{
    if (b->f)
        fclose(b->f);
    for (size_t i = 0; i < b->nseen; i++)
        free(b->seen[i]);
    free(b->seen);
}

/* ---------------------------------------------------------------- parsing one line */

/* Writes the reason a line is bad into msg; returns false. */
__attribute__((format(printf, 3, 4))) static bool fail(char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    return false;
}

static const char *json_kind(const cJSON *v)
{
    return cJSON_IsString(v) ? "a string" : cJSON_IsNumber(v) ? "a number" : cJSON_IsBool(v) ? "a boolean"
           : cJSON_IsArray(v) ? "an array" : cJSON_IsObject(v) ? "an object" : "null";
}

/* An optional string field (NULL when absent or null). */
static bool opt_string(const cJSON *o, const char *field, char **out, char *msg, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return true;
    if (!cJSON_IsString(v))
        return fail(msg, cap, "field '%s': expected a string, got %s", field, json_kind(v));
    if (!(*out = strdup(v->valuestring)))
        die("out of memory", NULL);
    return true;
}

static bool parse_change(const char *text, change *c, char *msg, size_t cap)
{
    *c = (change){0};
    cJSON *o = cJSON_Parse(text);
    if (!o || !cJSON_IsObject(o)) {
        snprintf(msg, cap, o ? "not a JSON object" : "not valid JSON");
        cJSON_Delete(o);
        return false;
    }
    bool ok = true;
    for (const cJSON *f = o->child; ok && f; f = f->next)
        if (strcmp(f->string, "id") && strcmp(f->string, "name") && strcmp(f->string, "amount") &&
            strcmp(f->string, "updated_at") && strcmp(f->string, "op"))
            ok = fail(msg, cap, "unknown field '%s'", f->string);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    if (ok && !cJSON_IsNumber(id))
        ok = fail(msg, cap, "field 'id': expected a long, got %s", id ? json_kind(id) : "nothing");
    /* Longs travel as JSON numbers (doubles in cJSON): integral and within 2^53 to be exact. */
    if (ok && (id->valuedouble != floor(id->valuedouble) || fabs(id->valuedouble) > 9007199254740992.0))
        ok = fail(msg, cap, "field 'id': %.17g is not a long", id->valuedouble);
    if (ok)
        c->id = (int64_t)id->valuedouble;
    const cJSON *amount = cJSON_GetObjectItemCaseSensitive(o, "amount");
    if (ok && amount && !cJSON_IsNull(amount)) {
        if (!cJSON_IsNumber(amount))
            ok = fail(msg, cap, "field 'amount': expected a double, got %s", json_kind(amount));
        else
            c->has_amount = true, c->amount = amount->valuedouble;
    }
    ok = ok && opt_string(o, "name", &c->name, msg, cap) && opt_string(o, "updated_at", &c->updated_at, msg, cap) &&
         opt_string(o, "op", &c->op, msg, cap);
    if (ok && !c->op)
        ok = fail(msg, cap, "field 'op' is required");
    if (ok && strcmp(c->op, "c") && strcmp(c->op, "u") && strcmp(c->op, "d"))
        ok = fail(msg, cap, "field 'op': '%.40s' is not one of c, u, d", c->op);
    cJSON_Delete(o);
    if (!ok) {
        free(c->name);
        free(c->updated_at);
        free(c->op);
        *c = (change){0};
    }
    return ok;
}

/* ---------------------------------------------------------------- one batch */

typedef struct batch {
    change *rows;
    size_t n, cap;
    size_t bad, superseded;
} batch;

static void change_free(change *c)
{
    free(c->name);
    free(c->updated_at);
    free(c->op);
    free(c->raw);
}

static void batch_free(batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        change_free(&b->rows[i]);
    free(b->rows);
}

static void read_batch(const char *dir, const batch_file *bf, bad_sink *bs, batch *b)
{
    *b = (batch){0};
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, bf->name);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cdc_merge: cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    char *line = NULL, msg[256];
    size_t cap = 0, no = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (strspn(line, " \t") == (size_t)len)
            continue; /* blank */
        change c;
        if (!parse_change(line, &c, msg, sizeof msg)) {
            bad_record(bs, bf->name, no, msg, line);
            b->bad++;
            continue;
        }
        c.line = no;
        if (!(c.raw = strdup(line)))
            die("out of memory reading a batch", NULL);
        if (b->n == b->cap) {
            b->cap = b->cap ? 2 * b->cap : 256;
            if (!(b->rows = realloc(b->rows, b->cap * sizeof *b->rows)))
                die("out of memory reading a batch", NULL);
        }
        b->rows[b->n++] = c;
    }
    if (ferror(f)) {
        fprintf(stderr, "cdc_merge: cannot read %s\n", path);
        exit(1);
    }
    free(line);
    fclose(f);
}

/* Casts the updated_at texts to timestamps as Spark's cast does (UTC); a text the cast turns into
 * NULL makes its line a bad record. */
static void cast_timestamps(const batch_file *bf, batch *b, bad_sink *bs)
{
    lml_error err = {0};
    const char **texts = malloc((b->n + 1) * sizeof *texts);
    if (!texts)
        die("out of memory", NULL);
    for (size_t i = 0; i < b->n; i++)
        texts[i] = b->rows[i].updated_at;
    lml_column *text = lml_column_from_strings(texts, b->n, &err);
    const char *name = "updated_at";
    lml_frame *f = text ? lml_frame_new(1, &name, &text, &err) : NULL;
    lml_frame *g = f ? lml_frame_cast(f, name, LML_TIMESTAMP, &err) : NULL;
    if (!g)
        die("casting updated_at", &err);
    const lml_column *ts = lml_frame_column(g, 0);
    size_t w = 0;
    for (size_t i = 0; i < b->n; i++) {
        change *c = &b->rows[i];
        if (c->updated_at && lml_column_is_null(ts, i)) {
            char msg[256];
            snprintf(msg, sizeof msg, "field 'updated_at': cannot parse '%.160s' as a timestamp", c->updated_at);
            bad_record(bs, bf->name, c->line, msg, c->raw);
            b->bad++;
            change_free(c);
            continue;
        }
        c->has_ts = c->updated_at != NULL;
        c->ts = c->has_ts ? lml_column_int64s(ts)[i] : 0;
        b->rows[w++] = *c;
    }
    b->n = w;
    lml_frame_free(g);
    lml_frame_free(f);
    lml_column_free(text);
    free(texts);
}

static const change *sort_rows;

static int by_id_then_line(const void *a, const void *b)
{
    const change *x = &sort_rows[*(const size_t *)a], *y = &sort_rows[*(const size_t *)b];
    if (x->id != y->id)
        return (x->id > y->id) - (x->id < y->id);
    return (x->line > y->line) - (x->line < y->line);
}

/* Keeps the last line of every id, in file order. */
static void keep_last_per_id(batch *b)
{
    size_t *order = malloc((b->n + 1) * sizeof *order);
    bool *drop = calloc(b->n + 1, sizeof *drop);
    if (!order || !drop)
        die("out of memory", NULL);
    for (size_t i = 0; i < b->n; i++)
        order[i] = i;
    sort_rows = b->rows;
    qsort(order, b->n, sizeof *order, by_id_then_line);
    for (size_t k = 0; k + 1 < b->n; k++)
        if (b->rows[order[k]].id == b->rows[order[k + 1]].id)
            drop[order[k]] = true;
    size_t w = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (drop[i]) {
            change_free(&b->rows[i]);
            b->superseded++;
        } else {
            b->rows[w++] = b->rows[i];
        }
    }
    b->n = w;
    free(order);
    free(drop);
}

/* The batch as a frame: id, name, amount, updated_at (and op when with_op). */
static lml_frame *batch_frame(const batch *b, bool with_op, lml_error *err)
{
    lml_column_builder *id = lml_column_builder_new(LML_INT64, b->n, err);
    lml_column_builder *name = lml_column_builder_new(LML_STRING, b->n, err);
    lml_column_builder *amount = lml_column_builder_new(LML_DOUBLE, b->n, err);
    lml_column_builder *ts = lml_column_builder_new(LML_TIMESTAMP, b->n, err);
    lml_column_builder *op = lml_column_builder_new(LML_STRING, b->n, err);
    bool ok = id && name && amount && ts && op;
    for (size_t i = 0; ok && i < b->n; i++) {
        const change *c = &b->rows[i];
        ok = lml_column_builder_append_int64(id, c->id, err) &&
             (c->name ? lml_column_builder_append_string(name, c->name, strlen(c->name), err)
                      : lml_column_builder_append_null(name, err)) &&
             (c->has_amount ? lml_column_builder_append_double(amount, c->amount, err)
                            : lml_column_builder_append_null(amount, err)) &&
             (c->has_ts ? lml_column_builder_append_int64(ts, c->ts, err) : lml_column_builder_append_null(ts, err)) &&
             lml_column_builder_append_string(op, c->op, strlen(c->op), err);
    }
    lml_column *cols[5] = {NULL};
    lml_column_builder *builders[5] = {id, name, amount, ts, op};
    for (int k = 0; k < 5; k++) {
        if (ok && builders[k])
            ok = (cols[k] = lml_column_builder_finish(builders[k], err)) != NULL;
        else
            lml_column_builder_free(builders[k]);
    }
    const char *names[5] = {"id", "name", "amount", "updated_at", "op"};
    lml_frame *f = ok ? lml_frame_new(with_op ? 5 : 4, names, cols, err) : NULL;
    for (int k = 0; k < 5; k++)
        lml_column_free(cols[k]);
    return f;
}

/* ---------------------------------------------------------------- the merge */

static bool merge_batch(const char *table, const char *app_id, int64_t number, const lml_frame *src,
                        lml_delta_result *res, lml_error *err)
{
    lml_delta_merge *m = lml_delta_merge_new(table, "t", src, "s", "t.id = s.id", err);
    bool ok = m && lml_delta_merge_when_matched_delete(m, "s.op = 'd'", err) &&
              lml_delta_merge_when_matched_update_all(m, NULL, err) &&
              lml_delta_merge_when_not_matched_insert_all(m, "s.op <> 'd'", err);
    lml_delta_dml_options opt = {.txn_app_id = app_id, .txn_version = number};
    ok = ok && lml_delta_merge_execute(m, &opt, res, err);
    lml_delta_merge_free(m);
    return ok;
}

/* A counter of the committed operationMetrics (values are JSON strings, as in commitInfo). */
static const char *metric(const cJSON *metrics, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(metrics, key);
    return cJSON_IsString(v) ? v->valuestring : "0";
}

static void create_table(const char *table)
{
    lml_error err = {0};
    batch empty = {0};
    lml_frame *f = batch_frame(&empty, false, &err);
    /* IGNORE: another instance that created it first wins, harmlessly. */
    lml_delta_write_options opt = {.mode = LML_DELTA_IGNORE};
    if (!f || !lml_delta_write(f, table, &opt, NULL, &err))
        die("creating the target table", &err);
    lml_frame_free(f);
}

static void pause_ms(long ms)
{
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&d, &d) != 0 && errno == EINTR) {
    }
}

static void usage(void)
{
    fputs("usage: cdc_merge INPUT_DIR TARGET_TABLE [--bad-records FILE] [--app-id ID]\n", stderr);
    exit(1);
}

int main(int argc, char **argv)
{
    const char *input = NULL, *table = NULL, *bad_path = NULL, *app_id = "cdc_merge";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bad-records") && i + 1 < argc)
            bad_path = argv[++i];
        else if (!strcmp(argv[i], "--app-id") && i + 1 < argc)
            app_id = argv[++i];
        else if (argv[i][0] == '-' || (input && table))
            usage();
        else if (!input)
            input = argv[i];
        else
            table = argv[i];
    }
    if (!input || !table || !*app_id)
        usage();
    const char *delay_env = getenv("LML_CDC_BATCH_DELAY_MS");
    long delay = delay_env ? strtol(delay_env, NULL, 10) : 0;

    bad_sink bad;
    bad_open(&bad, bad_path);
    if (!lml_delta_is_table(table))
        create_table(table);
    size_t nfiles = 0;
    batch_file *files = list_batches(input, &nfiles);
    for (size_t k = 0; k < nfiles; k++) {
        batch b;
        read_batch(input, &files[k], &bad, &b);
        cast_timestamps(&files[k], &b, &bad);
        keep_last_per_id(&b);
        lml_error err = {0};
        lml_frame *src = batch_frame(&b, true, &err);
        if (!src)
            die(files[k].name, &err);
        if (delay > 0)
            pause_ms(delay);
        lml_delta_result res = {0};
        if (!merge_batch(table, app_id, files[k].number, src, &res, &err)) {
            char what[512];
            snprintf(what, sizeof what, "merging %s", files[k].name);
            die(what, &err);
        }
        if (res.skipped) {
            printf("batch %lld: skipped (already committed)\n", (long long)files[k].number);
        } else {
            cJSON *m = cJSON_Parse(res.metrics ? res.metrics : "{}");
            printf("batch %lld: %zu rows (%zu bad, %zu superseded): inserted %s, updated %s, deleted %s\n",
                   (long long)files[k].number, b.n, b.bad, b.superseded, metric(m, "numTargetRowsInserted"),
                   metric(m, "numTargetRowsUpdated"), metric(m, "numTargetRowsDeleted"));
            cJSON_Delete(m);
        }
        fflush(stdout); /* a line per batch as it happens, also into a pipe */
        lml_delta_result_clear(&res);
        lml_frame_free(src);
        batch_free(&b);
    }
    for (size_t k = 0; k < nfiles; k++)
        free(files[k].name);
    free(files);
    bad_close(&bad);
    return 0;
}
