/* Write throughput of lml_parquet_write: ROWS rows × (40 double, 5 long, 5 string) columns,
 * SNAPPY (or the codec named in argv[3]), written to PATH; prints the uncompressed in-memory size,
 * the file size, the seconds of the write and MB/s of in-memory data.
 *
 *   bench_write PATH [ROWS] [uncompressed|snappy|gzip|zstd|lz4_raw] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"

static uint64_t rng(uint64_t *s) {
    *s += 0x9E3779B97F4A7C15u;
    uint64_t z = *s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: bench_write PATH [ROWS] [CODEC]\n"); return 2; }
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
    lml_parquet_write_options o = {.codec = LML_PARQUET_SNAPPY};
    static const char *const codecs[] = {"snappy", "uncompressed", "gzip", "zstd", "lz4_raw"};
    if (argc > 3)
        for (int k = 0; k < 5; k++)
            if (!strcmp(argv[3], codecs[k])) o.codec = (lml_parquet_codec)k;
    lml_error err = {0};
    lml_column *cols[50];
    char names[50][16];
    const char *np[50];
    size_t bytes = 0;
    uint64_t s = 42;
    double *d = malloc(n * sizeof *d);
    int64_t *l = malloc(n * sizeof *l);
    const char **str = malloc(n * sizeof *str);
    char *pool = malloc(n * 16);
    for (int c = 0; c < 50; c++) {
        snprintf(names[c], 16, "%s%d", c < 40 ? "d" : c < 45 ? "l" : "s", c);
        np[c] = names[c];
        if (c < 40) {
            for (size_t i = 0; i < n; i++) d[i] = (double)(rng(&s) >> 11) * 0x1p-53 * 1000.0;
            cols[c] = lml_column_from_doubles(d, NULL, n, &err);
            bytes += n * 8;
        } else if (c < 45) {
            for (size_t i = 0; i < n; i++) l[i] = (int64_t)(rng(&s) % 1000000);
            cols[c] = lml_column_from_int64s(l, NULL, n, &err);
            bytes += n * 8;
        } else {
            for (size_t i = 0; i < n; i++) {
                char *p = pool + i * 16;
                bytes += (size_t)snprintf(p, 16, "cat-%u", (unsigned)(rng(&s) % 5000));
                str[i] = p;
            }
            cols[c] = lml_column_from_strings(str, n, &err);
        }
        if (!cols[c]) { fprintf(stderr, "%s\n", err.message); return 1; }
    }
    free(d), free(l), free(str), free(pool);
    lml_frame *f = lml_frame_new(50, np, cols, &err);
    for (int c = 0; c < 50; c++) lml_column_free(cols[c]);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!lml_parquet_write(f, argv[1], &o, &err)) { fprintf(stderr, "%s\n", err.message); return 1; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    struct stat st;
    stat(argv[1], &st);
    printf("rows=%zu cols=50 codec=%s data_bytes=%zu file_bytes=%lld seconds=%.3f MB/s=%.1f threads=%d\n", n,
           codecs[o.codec], bytes, (long long)st.st_size, secs, (double)bytes / secs / 1e6, lml_get_num_threads());
    lml_frame_free(f);
    return 0;
}
