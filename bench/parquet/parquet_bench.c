/* parquet_bench — the lakeml side of bench/parquet, and the generator of its data.
 *
 *   parquet_bench gen-csv DIR ROWS SEED
 *   parquet_bench write OUT.parquet ROWS SEED CODEC THREADS
 *   parquet_bench read FILE THREADS [COL,COL,...]
 *
 * The data set (make_data in bench_data.c, shared with bench/delta) is ROWS rows x 50 columns — d00..d39 double, i0..i4 long,
 * s0..s4 string — built in memory from SEED, the same values on every machine.
 *
 * gen-csv writes it as DIR/data.csv (header line, empty field = null, doubles with exactly the decimals
 * they were rounded to, so any CSV reader gets the same doubles back); it is what DuckDB loads
 * before its timed COPY. It prints the figures run.sh needs:
 *   data_bytes=… proj_data_bytes=… rows=… sum_i=… len_s=… sum_d=…
 * data_bytes is the size of the values themselves: 8 bytes per double or long slot plus the
 * string bytes (no offsets, no validity) — what MB/s is computed from for every tool. The last
 * three are the checksum of the projected columns (PROJ_* in bench_data.h) any correct read must reproduce.
 *
 * write times lml_parquet_write of the frame (made before the clock starts) with CODEC (snappy,
 * zstd, gzip, lz4_raw, none) on THREADS threads; read times lml_parquet_read of every column, or
 * of the listed ones, on THREADS threads. Each prints one line of key=value pairs:
 *   tool=lakeml op=write codec=… threads=… seconds=… cpu=… rows=… file_bytes=… row_groups=…
 *   tool=lakeml op=read threads=… seconds=… cpu=… rows=… cols=… sum_i=… len_s=… sum_d=…
 * seconds is the wall time of the call alone, cpu the process's user + system CPU seconds during
 * it (all threads). (sum_i etc. are "na" when a projected column is not in the frame). Exit status: 0 on success,
 * 1 when lakeml fails (its error is printed), 2 on bad usage. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define PROG "parquet_bench"
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"
#include "bench_data.h"

static int usage(void)
{
    fprintf(stderr, "usage: " PROG " gen-csv DIR ROWS SEED\n"
                    "       " PROG " write OUT.parquet ROWS SEED CODEC THREADS\n"
                    "       " PROG " read FILE THREADS [COL,COL,...]\n");
    return 2;
}

static int cmd_gen_or_write(int argc, char **argv, bool write)
{
    size_t rows, seed, threads = 1;
    lml_parquet_codec codec = LML_PARQUET_SNAPPY;
    if (argc != (write ? 7 : 5) || !parse_size(argv[3], 1, SIZE_MAX / 64, &rows) ||
        !parse_size(argv[4], 0, SIZE_MAX, &seed) || (write && !parse_size(argv[6], 1, 1024, &threads)))
        return usage();
    if (write) {
        static const struct { const char *name; lml_parquet_codec codec; } codecs[] = {
            {"snappy", LML_PARQUET_SNAPPY}, {"zstd", LML_PARQUET_ZSTD}, {"gzip", LML_PARQUET_GZIP},
            {"lz4_raw", LML_PARQUET_LZ4_RAW}, {"none", LML_PARQUET_UNCOMPRESSED}};
        size_t k = 0;
        while (k < sizeof codecs / sizeof codecs[0] && strcmp(codecs[k].name, argv[5])) k++;
        if (k == sizeof codecs / sizeof codecs[0]) return usage();
        codec = codecs[k].codec;
    }
    data D;
    make_data(&D, rows, seed);
    if (!write) {
        gen_csv(&D, argv[2]);
        size_t all, proj;
        data_bytes(&D, &all, &proj);
        lml_error err = {0};
        lml_frame *f = make_frame(&D, false, &err);
        if (!f) return fail("making the frame", &err);
        char sum[128];
        checksum(f, sum, sizeof sum);
        printf("data_bytes=%zu proj_data_bytes=%zu rows=%zu %s\n", all, proj, rows, sum);
        lml_frame_free(f);
        free_data(&D);
        return 0;
    }
    lml_set_num_threads((int)threads);
    lml_error err = {0};
    lml_frame *f = make_frame(&D, true, &err);
    free_data(&D);
    if (!f) return fail("making the frame", &err);
    double t0 = now_seconds(), c0 = cpu_seconds();
    bool ok = lml_parquet_write(f, argv[2], &(lml_parquet_write_options){.codec = codec}, &err);
    double secs = now_seconds() - t0, cpu = cpu_seconds() - c0;
    lml_frame_free(f);
    if (!ok) return fail(argv[2], &err);
    struct stat st;
    if (stat(argv[2], &st) != 0) {
        fprintf(stderr, PROG ": cannot stat %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    /* Row groups from the footer, untimed; "na" when lakeml cannot read the file back. */
    char rg[32] = "na";
    lml_parquet_file *pf = lml_parquet_open(argv[2], &err);
    if (pf) snprintf(rg, sizeof rg, "%zu", lml_parquet_num_row_groups(pf));
    lml_parquet_close(pf);
    printf("tool=lakeml version=%s op=write codec=%s threads=%d seconds=%.4f cpu=%.4f rows=%zu "
           "file_bytes=%jd row_groups=%s\n",
           lml_version(), argv[5], lml_get_num_threads(), secs, cpu, rows, (intmax_t)st.st_size, rg);
    return 0;
}

static int cmd_read(int argc, char **argv)
{
    size_t threads;
    if (argc < 4 || argc > 5 || !parse_size(argv[3], 1, 1024, &threads)) return usage();
    /* COL,COL,... -> a NULL-terminated list pointing into a copy of the argument. */
    const char *cols[N_COLS + 1] = {0};
    char *list = argc == 5 ? strdup(argv[4]) : NULL;
    size_t ncols = 0;
    for (char *p = list, *tok; p && (tok = strsep(&p, ",")) != NULL;) {
        if (!*tok || ncols == N_COLS) {
            free(list);
            return usage();
        }
        cols[ncols++] = tok;
    }
    lml_set_num_threads((int)threads);
    lml_error err = {0};
    double t0 = now_seconds(), c0 = cpu_seconds();
    lml_frame *f = lml_parquet_read(argv[2], &(lml_parquet_read_options){.columns = list ? cols : NULL}, &err);
    double secs = now_seconds() - t0, cpu = cpu_seconds() - c0;
    free(list);
    if (!f) return fail(argv[2], &err);
    char sum[128];
    checksum(f, sum, sizeof sum);
    printf("tool=lakeml version=%s op=read threads=%d seconds=%.4f cpu=%.4f rows=%zu cols=%zu %s\n",
           lml_version(), lml_get_num_threads(), secs, cpu, lml_frame_num_rows(f), lml_frame_num_cols(f), sum);
    lml_frame_free(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    if (!strcmp(argv[1], "gen-csv")) return cmd_gen_or_write(argc, argv, false);
    if (!strcmp(argv[1], "write")) return cmd_gen_or_write(argc, argv, true);
    if (!strcmp(argv[1], "read")) return cmd_read(argc, argv);
    return usage();
}
