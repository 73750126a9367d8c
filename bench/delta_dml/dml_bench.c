/* dml_bench — the lakeml side of bench/delta_dml (Delta MERGE, DELETE, OPTIMIZE, Z-order), and
 * the generator of its tables.
 *
 *   dml_bench gen DIR ROWS FILES SOURCE_ROWS SMALL_FILES SMALL_ROWS SEED
 *   dml_bench merge TABLE SOURCE.parquet THREADS
 *   dml_bench delete TABLE THREADS
 *   dml_bench optimize TABLE THREADS
 *   dml_bench zorder TABLE THREADS
 *
 * gen writes, from one seeded generator (the same values on every machine):
 *   DIR/plain         ROWS rows in FILES data files of consecutive ids (one commit; files of
 *                     ceil(ROWS / FILES) rows): id long 0..ROWS-1, a, b, c double uniform in [0, 1),
 *                     s string (8-16 lowercase letters), d date (2020-01-01 + id % 1500 days)
 *   DIR/dv            the same rows, a table created with delta.enableDeletionVectors=true
 *   DIR/source.parquet  SOURCE_ROWS rows of the same columns: the first half ids of the table
 *                     spread evenly over all its files (id = k * P mod ROWS, P near ROWS / the
 *                     golden ratio and coprime to ROWS, so distinct), the rest new ids ROWS,
 *                     ROWS + 1, …; fresh a, b, c, s, d
 *   DIR/small         SMALL_FILES files of SMALL_ROWS rows each (ids 0…, same columns), one commit
 * and prints `op=gen rows=… files=… source_rows=… updates=… inserts=… deleted=… small_files=…
 * small_rows=… table_bytes=… seconds=…` (deleted: the rows DELETE's predicate matches).
 *
 * The operations, one per process, each timed around the library calls alone:
 *   merge     lml_parquet_read(SOURCE) + MERGE INTO TABLE t USING source s ON t.id = s.id
 *             WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *
 *   delete    DELETE FROM TABLE WHERE id % 100 = 7 (1 % of the rows, in every file)
 *   optimize  OPTIMIZE TABLE (bin-packing, default target size)
 *   zorder    OPTIMIZE TABLE ZORDER BY (a, b), target size = the table's bytes / its file count,
 *             so the table keeps about as many files; before and after, the files whose
 *             minValues / maxValues of a and b overlap the box a in [0.25, 0.30], b in
 *             [0.50, 0.55] are counted (the files a query on that box must read)
 * Each prints one line of key=value pairs: tool=lakeml op=… threads=… seconds=… cpu=…
 * rss_kb=… (getrusage's ru_maxrss of this process right after the operation, before the checks)
 * rows=… files=… (the table afterwards, from the log) largest_file=… (bytes) plus the
 * operation's metrics (numTargetRowsUpdated=…, numDeletedRows=… …) and, for zorder,
 * kept_before=… kept_after=… files_before=…. Exit status: 0 on success, 1 when lakeml fails
 * (its error is printed), 2 on bad usage. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cjson/cJSON.h>

#define PROG "dml_bench"
#include "bench_data.h"
#include "lakeml/lakeml.h"

static int usage(void)
{
    fprintf(stderr, "usage: " PROG " gen DIR ROWS FILES SOURCE_ROWS SMALL_FILES SMALL_ROWS SEED\n"
                    "       " PROG " merge TABLE SOURCE.parquet THREADS\n"
                    "       " PROG " delete TABLE THREADS\n"
                    "       " PROG " optimize TABLE THREADS\n"
                    "       " PROG " zorder TABLE THREADS\n");
    return 2;
}

#define DELETE_PREDICATE "id % 100 = 7"
#define BOX_A_LO 0.25
#define BOX_A_HI 0.30
#define BOX_B_LO 0.50
#define BOX_B_HI 0.55

/* splitmix64: a private generator, the same sequence everywhere for a seed. */
static uint64_t rng_state;
static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double next_unit(void) { return (double)(next_u64() >> 11) * 0x1.0p-53; }

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* ---------------------------------------------------------------- gen */

/* A frame of n rows with ids ids[0..n) and fresh values for the other columns. */
static lml_frame *make_rows(const int64_t *ids, size_t n, lml_error *err)
{
    double *v[3];
    for (int k = 0; k < 3; k++)
        v[k] = malloc(n * sizeof *v[k]);
    char (*buf)[17] = malloc(n * sizeof *buf), (*day)[11] = malloc(n * sizeof *day);
    const char **s = malloc(n * sizeof *s), **d = malloc(n * sizeof *d);
    if (!v[0] || !v[1] || !v[2] || !buf || !day || !s || !d) {
        fprintf(stderr, PROG ": out of memory for %zu rows\n", n);
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++)
            v[k][i] = next_unit();
        int len = 8 + (int)(next_u64() % 9);
        for (int j = 0; j < len; j++)
            buf[i][j] = (char)('a' + next_u64() % 26);
        buf[i][len] = '\0';
        s[i] = buf[i];
        /* 2020-01-01 plus id % 1500 days, as text that the cast below reads as a date. */
        int64_t days = ids[i] % 1500;
        int y = 2020, m = 1, dd = 1 + (int)days;
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        for (;;) {
            int ml = mdays[m - 1] + (m == 2 && y % 4 == 0);
            if (dd <= ml)
                break;
            dd -= ml;
            if (++m == 13)
                m = 1, y++;
        }
        snprintf(day[i], sizeof day[i], "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)dd % 100u);
        d[i] = day[i];
    }
    lml_column *cols[6] = {lml_column_from_int64s(ids, NULL, n, err), lml_column_from_doubles(v[0], NULL, n, err),
                           lml_column_from_doubles(v[1], NULL, n, err), lml_column_from_doubles(v[2], NULL, n, err),
                           lml_column_from_strings(s, n, err), lml_column_from_strings(d, n, err)};
    lml_frame *f = NULL, *typed = NULL;
    if (cols[0] && cols[1] && cols[2] && cols[3] && cols[4] && cols[5])
        f = lml_frame_new(6, (const char *[]){"id", "a", "b", "c", "s", "d"}, cols, err);
    if (f)
        typed = lml_frame_cast(f, "d", LML_DATE, err);
    for (int k = 0; k < 6; k++)
        lml_column_free(cols[k]);
    lml_frame_free(f);
    for (int k = 0; k < 3; k++)
        free(v[k]);
    free(buf), free(day), free(s), free(d);
    return typed;
}

static lml_frame *range_rows(int64_t from, size_t n, lml_error *err)
{
    int64_t *ids = malloc((n ? n : 1) * sizeof *ids);
    if (!ids)
        return NULL;
    for (size_t i = 0; i < n; i++)
        ids[i] = from + (int64_t)i;
    lml_frame *f = make_rows(ids, n, err);
    free(ids);
    return f;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static bool write_table(const lml_frame *f, const char *path, size_t per_file, const char *const *props,
                        lml_error *err)
{
    lml_delta_write_options o = {.max_records_per_file = per_file, .properties = props};
    return lml_delta_write(f, path, &o, NULL, err);
}

static int64_t table_bytes(const char *path, lml_error *err);

static int gen(char **argv)
{
    size_t rows, files, src_rows, small_files, small_rows, seed;
    if (!parse_size(argv[3], 2, (size_t)1 << 32, &rows) || !parse_size(argv[4], 1, 100000, &files) ||
        !parse_size(argv[5], 2, rows * 2, &src_rows) || !parse_size(argv[6], 1, 1000000, &small_files) ||
        !parse_size(argv[7], 1, 100000000, &small_rows) || !parse_size(argv[8], 0, SIZE_MAX, &seed) ||
        src_rows / 2 > rows)
        return usage();
    const char *dir = argv[2];
    char path[4096];
    lml_error err = {0};
    double t0 = now_seconds();
    rng_state = seed;
    size_t per_file = (rows + files - 1) / files;
    lml_frame *f = range_rows(0, rows, &err);
    if (!f)
        return fail("building the table's rows", &err);
    snprintf(path, sizeof path, "%s/plain", dir);
    if (!write_table(f, path, per_file, NULL, &err))
        return fail(path, &err);
    snprintf(path, sizeof path, "%s/dv", dir);
    if (!write_table(f, path, per_file, (const char *const[]){"delta.enableDeletionVectors", "true", NULL}, &err))
        return fail(path, &err);
    lml_frame_free(f);

    /* The source: updates spread over every file, then new ids. */
    size_t updates = src_rows / 2, inserts = src_rows - updates;
    /* k * p mod rows with p near rows / golden ratio (a Weyl sequence) spreads the updated ids
     * evenly over the id range, so over every file; p coprime to rows keeps them distinct. */
    uint64_t p = (uint64_t)((double)rows * 0.6180339887498949) | 1;
    while (gcd(p, rows) != 1)
        p += 2;
    int64_t *ids = malloc(src_rows * sizeof *ids);
    if (!ids) {
        fprintf(stderr, PROG ": out of memory for %zu source ids\n", src_rows);
        return 1;
    }
    for (size_t k = 0; k < updates; k++)
        ids[k] = (int64_t)(((uint64_t)k * p) % rows);
    for (size_t k = 0; k < inserts; k++)
        ids[updates + k] = (int64_t)(rows + k);
    f = make_rows(ids, src_rows, &err);
    free(ids);
    snprintf(path, sizeof path, "%s/source.parquet", dir);
    if (!f || !lml_parquet_write(f, path, NULL, &err))
        return fail(path, &err);
    lml_frame_free(f);

    f = range_rows(0, small_files * small_rows, &err);
    snprintf(path, sizeof path, "%s/small", dir);
    if (!f || !write_table(f, path, small_rows, NULL, &err))
        return fail(path, &err);
    lml_frame_free(f);

    size_t deleted = rows / 100 + (rows % 100 > 7);
    snprintf(path, sizeof path, "%s/plain", dir);
    int64_t bytes = table_bytes(path, &err);
    if (bytes < 0)
        return fail(path, &err);
    printf("op=gen rows=%zu files=%zu source_rows=%zu updates=%zu inserts=%zu deleted=%zu small_files=%zu "
           "small_rows=%zu table_bytes=%" PRId64 " seconds=%.2f\n",
           rows, files, src_rows, updates, inserts, deleted, small_files, small_rows, bytes, now_seconds() - t0);
    return 0;
}

/* ---------------------------------------------------------------- the table afterwards, from its log */

typedef struct table_facts {
    int64_t rows, files, bytes, largest;
    int64_t kept; /* files whose a/b statistics overlap the query box (or lack them) */
} table_facts;

static double stat_of(const lml_column *c, size_t i, const char *key, double missing)
{
    if (lml_column_is_null(c, i))
        return missing;
    size_t len;
    const char *s = lml_column_string_at(c, i, &len);
    char *text = strndup(s, len);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    double x = cJSON_IsNumber(v) ? v->valuedouble : missing;
    cJSON_Delete(o);
    free(text);
    return x;
}

static bool facts(const char *path, table_facts *t, lml_error *err)
{
    lml_delta_table *d = lml_delta_table_open(path, NULL, err);
    lml_frame *f = d ? lml_delta_table_files(d, err) : NULL;
    lml_delta_table_free(d);
    if (!f)
        return false;
    const lml_column *size = lml_frame_column_by_name(f, "size", err), *recs = lml_frame_column_by_name(f, "numRecords", err),
                     *del = lml_frame_column_by_name(f, "deletedRows", err),
                     *mn = lml_frame_column_by_name(f, "minValues", err), *mx = lml_frame_column_by_name(f, "maxValues", err);
    if (!size || !recs || !del || !mn || !mx) {
        lml_frame_free(f);
        return false;
    }
    *t = (table_facts){.files = (int64_t)lml_frame_num_rows(f)};
    for (size_t i = 0; i < lml_frame_num_rows(f); i++) {
        int64_t sz = lml_column_get(size, i).v.i64;
        t->bytes += sz;
        t->largest = sz > t->largest ? sz : t->largest;
        t->rows += lml_column_get(recs, i).v.i64 - lml_column_get(del, i).v.i64;
        /* A file without statistics for a column cannot be skipped on it. */
        bool skip = stat_of(mn, i, "a", -1e300) > BOX_A_HI || stat_of(mx, i, "a", 1e300) < BOX_A_LO ||
                    stat_of(mn, i, "b", -1e300) > BOX_B_HI || stat_of(mx, i, "b", 1e300) < BOX_B_LO;
        t->kept += !skip;
    }
    lml_frame_free(f);
    return true;
}

static int64_t table_bytes(const char *path, lml_error *err)
{
    table_facts t;
    return facts(path, &t, err) ? t.bytes : -1;
}

/* ---------------------------------------------------------------- the operations */

/* " key=value" for every operationMetrics entry (values are JSON strings). */
static void print_metrics(const char *json)
{
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    const cJSON *m;
    cJSON_ArrayForEach(m, o)
    {
        if (cJSON_IsString(m))
            printf(" %s=%s", m->string, m->valuestring);
    }
    cJSON_Delete(o);
}

static int run_op(int argc, char **argv)
{
    const char *op = argv[1], *table = argv[2];
    bool merge = strcmp(op, "merge") == 0;
    size_t threads;
    if (argc != (merge ? 5 : 4) || !parse_size(argv[argc - 1], 1, 4096, &threads))
        return usage();
    lml_set_num_threads((int)threads);
    lml_error err = {0};
    lml_delta_result r = {0};
    table_facts before = {0}, after;
    if (strcmp(op, "zorder") == 0 && !facts(table, &before, &err))
        return fail(table, &err);
    lml_frame *src = NULL;
    bool ok;
    double t0 = now_seconds(), c0 = cpu_seconds();
    if (merge) {
        src = lml_parquet_read(argv[3], NULL, &err);
        lml_delta_merge *m = src ? lml_delta_merge_new(table, "t", src, "s", "t.id = s.id", &err) : NULL;
        ok = m && lml_delta_merge_when_matched_update_all(m, NULL, &err) &&
             lml_delta_merge_when_not_matched_insert_all(m, NULL, &err) && lml_delta_merge_execute(m, NULL, &r, &err);
        lml_delta_merge_free(m);
    } else if (strcmp(op, "delete") == 0) {
        ok = lml_delta_delete(table, DELETE_PREDICATE, NULL, &r, &err);
    } else if (strcmp(op, "optimize") == 0) {
        ok = lml_delta_optimize(table, NULL, &r, &err);
    } else if (strcmp(op, "zorder") == 0) {
        lml_delta_optimize_options o = {.zorder_by = (const char *const[]){"a", "b", NULL},
                                        .max_file_size = before.bytes / (before.files ? before.files : 1)};
        ok = lml_delta_optimize(table, &o, &r, &err);
    } else {
        return usage();
    }
    double secs = now_seconds() - t0, cpu = cpu_seconds() - c0;
    long rss = peak_rss_kb();
    lml_frame_free(src);
    if (!ok)
        return fail(op, &err);
    if (!facts(table, &after, &err))
        return fail(table, &err);
    printf("tool=lakeml version=%s op=%s threads=%zu seconds=%.4f cpu=%.4f rss_kb=%ld rows=%" PRId64
           " files=%" PRId64 " largest_file=%" PRId64 " committed=%d",
           lml_version(), op, threads, secs, cpu, rss, after.rows, after.files, after.largest, r.committed);
    if (strcmp(op, "zorder") == 0)
        printf(" kept_before=%" PRId64 " kept_after=%" PRId64 " files_before=%" PRId64, before.kept, after.kept,
               before.files);
    print_metrics(r.metrics);
    putchar('\n');
    lml_delta_result_clear(&r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 9 && strcmp(argv[1], "gen") == 0)
        return gen(argv);
    if (argc >= 4)
        return run_op(argc, argv);
    return usage();
}
