/* delta_bench — the lakeml side of bench/delta, and the generator of its logs.
 *
 *   delta_bench gen-log DIR ADDS COMMITS SEED
 *   delta_bench load TABLE THREADS
 *   delta_bench append TABLE ROWS SEED THREADS
 *   delta_bench read TABLE THREADS
 *
 * gen-log writes two log-only tables (no data files: a snapshot load never opens them) whose
 * schema is the bench/parquet data set's 50 columns, taken from the protocol and metaData lines
 * lakeml itself writes for that frame (a 1-row probe table, removed afterwards):
 *   DIR/checkpointed  ADDS add actions: commits 0..10 hold 91 % of them (commit 0: protocol,
 *                     metaData and 1 %; commits 1..10: 9 % each), then lml_delta_checkpoint
 *                     writes 00000000000000000010.checkpoint.parquet, then commits 11..19 hold
 *                     1 % each — the latest snapshot is the checkpoint + 9 JSON commits;
 *   DIR/json_only     COMMITS JSON commits (0..COMMITS-1) of one add each, no checkpoint.
 * Every commit starts with a commitInfo line as Spark writes it; every add is a realistic line
 * (part-NNNNN-<uuid>-c000.snappy.parquet, partitionValues {}, size, modificationTime, dataChange,
 * and a stats JSON string with numRecords, minValues, maxValues and nullCount of 5 columns).
 * ADDS must be a multiple of 100. It prints:
 *   op=gen-log adds=… commits=… checkpointed_log_bytes=… json_only_log_bytes=… seconds=…
 *
 * load times lml_delta_table_open of the latest version; append builds the data set's frame
 * (bench/parquet/bench_data.c; before the clock starts) and times lml_delta_write with
 * LML_DELTA_APPEND into TABLE — when TABLE is not a table yet it is first created, untimed, by an
 * append of the frame's first 0 rows (schema only), so that the timed call is a real append to an existing table;
 * read times lml_delta_table_open + lml_delta_table_read of every column. Each prints one line:
 *   tool=lakeml op=load threads=… seconds=… cpu=… version=… files=… adds_per_s=…
 *   tool=lakeml op=append threads=… seconds=… cpu=… rows=… version=… files=… data_bytes=…
 *       largest_file=… sum_i=… len_s=… sum_d=…   (the appended frame's checksum: what a read
 *       of the table must give)
 *   tool=lakeml op=read threads=… seconds=… cpu=… rows=… cols=… files=… sum_i=… len_s=… sum_d=…
 * seconds is the wall time of the call(s) alone, cpu the process's user + system CPU seconds
 * during them (all threads). largest_file is the table's biggest data file (relative path), which
 * run.sh reads with parquet_bench for the Parquet-only comparison. Exit status: 0 on success, 1
 * when lakeml fails (its error is printed), 2 on bad usage. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define PROG "delta_bench"
#include "bench_data.h"
#include "lakeml/delta.h"
#include "lakeml/lakeml.h"

static int usage(void)
{
    fprintf(stderr, "usage: " PROG " gen-log DIR ADDS COMMITS SEED\n"
                    "       " PROG " load TABLE THREADS\n"
                    "       " PROG " append TABLE ROWS SEED THREADS\n"
                    "       " PROG " read TABLE THREADS\n");
    return 2;
}

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, arg, strerror(errno));
    fputc('\n', stderr);
    exit(1);
}

static void join(char *out, size_t cap, const char *a, const char *b)
{
    if ((size_t)snprintf(out, cap, "%s/%s", a, b) >= cap) die("path too long: %s (%s)", a);
}

/* ---------------------------------------------------------------- gen-log */

/* A private xorshift for the log's names and stats, so gen-log does not disturb the data set's
 * generator (bench_data.c owns it). */
static uint64_t lrng = 0x9e3779b97f4a7c15u;
static uint64_t lnext(void)
{
    lrng ^= lrng << 13;
    lrng ^= lrng >> 7;
    lrng ^= lrng << 17;
    return lrng;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* The protocol and metaData lines lakeml writes for the data set's schema: a 1-row probe table
 * under DIR/.probe, read back and removed. */
static void schema_lines(const char *dir, uint64_t seed, char **protocol, char **metadata)
{
    char probe[4096], log0[4200];
    join(probe, sizeof probe, dir, ".probe");
    nftw(probe, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    data D;
    make_data(&D, 1, seed);
    lml_error err = {0};
    lml_frame *f = make_frame(&D, true, &err);
    free_data(&D);
    if (!f || !lml_delta_write(f, probe, NULL, NULL, &err)) exit(fail("writing the probe table", &err));
    lml_frame_free(f);
    join(log0, sizeof log0, probe, "_delta_log/00000000000000000000.json");
    FILE *in = fopen(log0, "r");
    if (!in) die("cannot open %s: %s", log0);
    char *line = NULL;
    size_t cap = 0;
    *protocol = *metadata = NULL;
    while (getline(&line, &cap, in) > 0) {
        if (!strncmp(line, "{\"protocol\"", 11)) *protocol = strdup(line);
        if (!strncmp(line, "{\"metaData\"", 11)) *metadata = strdup(line);
    }
    free(line);
    fclose(in);
    if (!*protocol || !*metadata) {
        fprintf(stderr, PROG ": %s holds no protocol or metaData line\n", log0);
        exit(1);
    }
    nftw(probe, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A random version-4 UUID. */
static void uuid(char out[37])
{
    uint64_t a = lnext(), b = lnext();
    snprintf(out, 37, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64, a >> 32, (a >> 16) & 0xffff,
             a & 0xfff, 0x8000 | (b >> 48 & 0x3fff), b & 0xffffffffffffu);
}

/* Writes commit VERSION of TABLE: commitInfo, the HEADER lines (protocol and metaData, or
 * NULL), and NADDS add actions; returns the file's size. */
static size_t write_commit(const char *table, int64_t version, const char *header, size_t nadds)
{
    char path[4200], name[64];
    snprintf(name, sizeof name, "_delta_log/%020" PRId64 ".json", version);
    join(path, sizeof path, table, name);
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot create %s: %s", path);
    static char iobuf[1 << 20];
    setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
    int64_t ts = INT64_C(1735689600000) + version * 60000; /* 2025-01-01, a commit a minute */
    size_t rows_per_file = 10000;
    fprintf(f,
            "{\"commitInfo\":{\"timestamp\":%" PRId64 ",\"operation\":\"WRITE\",\"operationParameters\":"
            "{\"mode\":\"%s\",\"partitionBy\":\"[]\"},%s\"isolationLevel\":\"Serializable\","
            "\"isBlindAppend\":true,\"operationMetrics\":{\"numFiles\":\"%zu\",\"numOutputRows\":\"%zu\","
            "\"numOutputBytes\":\"%zu\"},\"engineInfo\":\"Apache-Spark/3.5.1 Delta-Lake/3.2.0\","
            "\"txnId\":\"%08" PRIx64 "-0000-4000-8000-%012" PRIx64 "\"}}\n",
            ts, version ? "Append" : "ErrorIfExists", version ? "\"readVersion\":0," : "", nadds,
            nadds * rows_per_file, nadds * 1200000, lnext() >> 32, lnext() & 0xffffffffffffu);
    if (header) fputs(header, f);
    char id[37];
    uuid(id);
    for (size_t k = 0; k < nadds; k++) {
        /* Spark names a commit's files by task number and one UUID per job. */
        int64_t base = (int64_t)(lnext() % 1000000);
        fprintf(f,
                "{\"add\":{\"path\":\"part-%05zu-%s-c000.snappy.parquet\",\"partitionValues\":{},"
                "\"size\":%" PRIu64 ",\"modificationTime\":%" PRId64 ",\"dataChange\":true,\"stats\":"
                "\"{\\\"numRecords\\\":%zu,\\\"minValues\\\":{\\\"d00\\\":%.2f,\\\"d05\\\":%.4f,\\\"i0\\\":%" PRId64
                ",\\\"i2\\\":%" PRIu64 ",\\\"s0\\\":\\\"aab%04" PRIx64 "\\\"},\\\"maxValues\\\":{\\\"d00\\\":%.2f,"
                "\\\"d05\\\":%.4f,\\\"i0\\\":%" PRId64 ",\\\"i2\\\":%" PRIu64 ",\\\"s0\\\":\\\"zzy%04" PRIx64 "\\\"},"
                "\\\"nullCount\\\":{\\\"d00\\\":0,\\\"d05\\\":0,\\\"i0\\\":0,\\\"i2\\\":0,\\\"s0\\\":0}}\"}}\n",
                k, id, 1100000 + lnext() % 200000, ts - 5000, rows_per_file, -(double)(lnext() % 400000) / 100,
                -(double)(lnext() % 50000) / 1e4, INT64_C(10000000000) + base * 10000, lnext() % 10,
                lnext() & 0xffff, (double)(lnext() % 400000) / 100, (double)(lnext() % 50000) / 1e4,
                INT64_C(10000000000) + base * 10000 + 9999, 9990 + lnext() % 10, lnext() & 0xffff);
    }
    long size = ftell(f);
    if (ferror(f) || fclose(f) != 0) die("writing %s failed: %s", path);
    return (size_t)size;
}

static void make_table_dirs(const char *dir, const char *name, char *table, size_t cap)
{
    char log[4300];
    join(table, cap, dir, name);
    nftw(table, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    join(log, sizeof log, table, "_delta_log");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) die("cannot create %s: %s", dir);
    if (mkdir(table, 0777) != 0) die("cannot create %s: %s", table);
    if (mkdir(log, 0777) != 0) die("cannot create %s: %s", log);
}

static int cmd_gen_log(int argc, char **argv)
{
    size_t adds, commits, seed;
    if (argc != 6 || !parse_size(argv[3], 100, SIZE_MAX / 2, &adds) || adds % 100 ||
        !parse_size(argv[4], 1, 100000000, &commits) || !parse_size(argv[5], 0, SIZE_MAX, &seed))
        return usage();
    const char *dir = argv[2];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) die("cannot create %s: %s", dir);
    double t0 = now_seconds();
    lrng ^= seed * 0x2545f4914f6cdd1du;
    char *protocol, *metadata, header[1 << 16];
    schema_lines(dir, seed, &protocol, &metadata);
    if ((size_t)snprintf(header, sizeof header, "%s%s", protocol, metadata) >= sizeof header) {
        fprintf(stderr, PROG ": the metaData line is too long\n");
        return 1;
    }

    char table[4200];
    size_t ckpt_bytes = 0, json_bytes = 0, hundredth = adds / 100;
    make_table_dirs(dir, "checkpointed", table, sizeof table);
    ckpt_bytes += write_commit(table, 0, header, hundredth);
    for (int64_t v = 1; v <= 10; v++) ckpt_bytes += write_commit(table, v, NULL, 9 * hundredth);
    lml_error err = {0};
    if (!lml_delta_checkpoint(table, &err)) return fail(table, &err);
    char ckpt[4300];
    struct stat st;
    join(ckpt, sizeof ckpt, table, "_delta_log/00000000000000000010.checkpoint.parquet");
    if (stat(ckpt, &st) != 0) die("no checkpoint %s: %s", ckpt);
    ckpt_bytes += (size_t)st.st_size;
    for (int64_t v = 11; v <= 19; v++) ckpt_bytes += write_commit(table, v, NULL, hundredth);

    make_table_dirs(dir, "json_only", table, sizeof table);
    for (size_t v = 0; v < commits; v++) json_bytes += write_commit(table, (int64_t)v, v ? NULL : header, 1);
    printf("op=gen-log adds=%zu commits=%zu checkpointed_log_bytes=%zu json_only_log_bytes=%zu seconds=%.2f\n", adds,
           commits, ckpt_bytes, json_bytes, now_seconds() - t0);
    free(protocol);
    free(metadata);
    return 0;
}

/* ---------------------------------------------------------------- load, append, read */

static int cmd_load(int argc, char **argv)
{
    size_t threads;
    if (argc != 4 || !parse_size(argv[3], 1, 1024, &threads)) return usage();
    lml_set_num_threads((int)threads);
    lml_error err = {0};
    double t0 = now_seconds(), c0 = cpu_seconds();
    lml_delta_table *t = lml_delta_table_open(argv[2], NULL, &err);
    double secs = now_seconds() - t0, cpu = cpu_seconds() - c0;
    if (!t) return fail(argv[2], &err);
    size_t files = lml_delta_table_num_files(t);
    printf("tool=lakeml version=%s op=load threads=%d seconds=%.4f cpu=%.4f table_version=%" PRId64
           " files=%zu adds_per_s=%.0f\n",
           lml_version(), lml_get_num_threads(), secs, cpu, lml_delta_table_version(t), files,
           secs > 0 ? (double)files / secs : 0.0);
    lml_delta_table_free(t);
    return 0;
}

/* The live files' count and the relative path of the biggest (for the Parquet-only read). */
static bool largest_file(const char *table, size_t *nfiles, char *out, size_t cap, lml_error *err)
{
    lml_delta_table *t = lml_delta_table_open(table, NULL, err);
    if (!t) return false;
    lml_frame *files = lml_delta_table_files(t, err);
    lml_delta_table_free(t);
    if (!files) return false;
    const lml_column *path = lml_frame_column(files, (size_t)lml_frame_column_index(files, "path"));
    const int64_t *size = lml_column_int64s(lml_frame_column(files, (size_t)lml_frame_column_index(files, "size")));
    *nfiles = lml_frame_num_rows(files);
    size_t best = 0;
    for (size_t r = 1; r < *nfiles; r++)
        if (size[r] > size[best]) best = r;
    size_t len = 0;
    const char *p = *nfiles ? lml_column_string_at(path, best, &len) : "";
    snprintf(out, cap, "%.*s", (int)len, p);
    lml_frame_free(files);
    return true;
}

static int cmd_append(int argc, char **argv)
{
    size_t rows, seed, threads;
    if (argc != 6 || !parse_size(argv[3], 2, SIZE_MAX / 64, &rows) || !parse_size(argv[4], 0, SIZE_MAX, &seed) ||
        !parse_size(argv[5], 1, 1024, &threads))
        return usage();
    const char *table = argv[2];
    lml_set_num_threads((int)threads);
    data D;
    make_data(&D, rows, seed);
    size_t all, proj;
    data_bytes(&D, &all, &proj);
    lml_error err = {0};
    lml_frame *f = make_frame(&D, true, &err);
    free_data(&D);
    if (!f) return fail("making the frame", &err);
    char sum[128];
    checksum(f, sum, sizeof sum);
    const lml_delta_write_options append = {.mode = LML_DELTA_APPEND};
    if (!lml_delta_is_table(table)) {
        lml_frame *first = lml_frame_head(f, 0, &err);
        bool ok = first && lml_delta_write(first, table, &append, NULL, &err);
        lml_frame_free(first);
        if (!ok) return fail(table, &err);
    }
    int64_t version = -1;
    double t0 = now_seconds(), c0 = cpu_seconds();
    bool ok = lml_delta_write(f, table, &append, &version, &err);
    double secs = now_seconds() - t0, cpu = cpu_seconds() - c0;
    lml_frame_free(f);
    if (!ok) return fail(table, &err);
    char big[4096];
    size_t nfiles;
    if (!largest_file(table, &nfiles, big, sizeof big, &err)) return fail(table, &err);
    printf("tool=lakeml version=%s op=append threads=%d seconds=%.4f cpu=%.4f rows=%zu table_version=%" PRId64
           " files=%zu data_bytes=%zu largest_file=%s %s\n",
           lml_version(), lml_get_num_threads(), secs, cpu, rows, version, nfiles, all, big, sum);
    return 0;
}

static int cmd_read(int argc, char **argv)
{
    size_t threads;
    if (argc != 4 || !parse_size(argv[3], 1, 1024, &threads)) return usage();
    lml_set_num_threads((int)threads);
    lml_error err = {0};
    double t0 = now_seconds(), c0 = cpu_seconds();
    lml_delta_table *t = lml_delta_table_open(argv[2], NULL, &err);
    lml_frame *f = t ? lml_delta_table_read(t, NULL, &err) : NULL;
    double secs = now_seconds() - t0, cpu = cpu_seconds() - c0;
    size_t files = t ? lml_delta_table_num_files(t) : 0;
    lml_delta_table_free(t);
    if (!f) return fail(argv[2], &err);
    char sum[128];
    checksum(f, sum, sizeof sum);
    printf("tool=lakeml version=%s op=read threads=%d seconds=%.4f cpu=%.4f rows=%zu cols=%zu files=%zu %s\n",
           lml_version(), lml_get_num_threads(), secs, cpu, lml_frame_num_rows(f), lml_frame_num_cols(f), files, sum);
    lml_frame_free(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    if (!strcmp(argv[1], "gen-log")) return cmd_gen_log(argc, argv);
    if (!strcmp(argv[1], "load")) return cmd_load(argc, argv);
    if (!strcmp(argv[1], "append")) return cmd_append(argc, argv);
    if (!strcmp(argv[1], "read")) return cmd_read(argc, argv);
    return usage();
}
