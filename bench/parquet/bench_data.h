/* The data set of bench/parquet and bench/delta: ROWS rows x 50 columns — d00..d39 double,
 * i0..i4 long, s0..s4 string — built in memory from a seed, the same values on every machine
 * (see make_data in bench_data.c for the columns). Compiled into parquet_bench and delta_bench
 * (bench/meson.build), so that both benchmarks time the very same frame. */
#ifndef LML_BENCH_DATA_H
#define LML_BENCH_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/lakeml.h"

enum { N_DOUBLE = 40, N_LONG = 5, N_STRING = 5, N_COLS = N_DOUBLE + N_LONG + N_STRING };

/* The projected read and the checksum: one double, one long, one string column. The checksum is
 * order-independent and skips nulls, so DuckDB computes the same in SQL:
 *   sum(i2), sum(strlen(s0)), sum(round(d05 * 10^4)) — d05 has 4 decimals (double_decimals). */
#define PROJ_D "d05"
#define PROJ_I "i2"
#define PROJ_S "s0"
#define PROJ_D_SCALE 1e4

typedef struct data {
    size_t rows;
    double *d[N_DOUBLE];
    uint8_t *d_valid[N_DOUBLE]; /* NULL: no nulls */
    int64_t *i[N_LONG];
    const char **s[N_STRING];  /* NULL entry: null */
    char *vocab;               /* VOCAB words of up to 11 bytes each, NUL-terminated */
    char *s1_buf, *s3_buf;     /* row-wise storage of the composite and unique strings */
} data;

/* Builds the data set (exits with a message when out of memory). */
void make_data(data *D, size_t rows, uint64_t seed);
void free_data(data *D);
/* Column c's name: d00..d39, i0..i4, s0..s4. */
void col_name(int c, char *buf, size_t cap);
/* data_bytes of the whole data set and of the projected columns: 8 bytes per double or long
 * slot plus the string bytes (no offsets, no validity). */
void data_bytes(const data *D, size_t *all, size_t *proj);
/* Writes the data set as DIR/data.csv (header line, empty field = null, doubles with exactly
 * the decimals they were rounded to); exits with a message on failure. */
void gen_csv(const data *D, const char *dir);
/* The frame of the data set. With consume, each source array is freed as soon as its column
 * holds a copy. */
lml_frame *make_frame(data *D, bool consume, lml_error *err);
/* The checksum of the projected columns as "sum_i=… len_s=… sum_d=…" ("na" for a column not in
 * the frame). */
void checksum(const lml_frame *f, char *out, size_t cap);

/* Timing helpers shared by the benchmark programs: monotonic wall seconds; user + system CPU
 * seconds of the whole process (every thread) so far — the timed call's CPU time is the
 * difference, a figure other load on the machine hardly changes. */
double now_seconds(void);
double cpu_seconds(void);
/* Parses a decimal size in [lo, hi]. */
bool parse_size(const char *text, size_t lo, size_t hi, size_t *out);
/* Prints "PROG: what: CODE: message" on stderr and returns 1 (the exit status). */
int fail(const char *what, const lml_error *err);

#endif
