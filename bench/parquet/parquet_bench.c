/* parquet_bench — the lakeml side of bench/parquet, and the generator of its data.
 *
 *   parquet_bench gen-csv DIR ROWS SEED
 *   parquet_bench write OUT.parquet ROWS SEED CODEC THREADS
 *   parquet_bench read FILE THREADS [COL,COL,...]
 *
 * The data set (see make_data) is ROWS rows x 50 columns — d00..d39 double, i0..i4 long,
 * s0..s4 string — built in memory from SEED, the same values on every machine.
 *
 * gen-csv writes it as DIR/data.csv (header line, empty field = null, doubles with exactly the decimals
 * they were rounded to, so any CSV reader gets the same doubles back); it is what DuckDB loads
 * before its timed COPY. It prints the figures run.sh needs:
 *   data_bytes=… proj_data_bytes=… rows=… sum_i=… len_s=… sum_d=…
 * data_bytes is the size of the values themselves: 8 bytes per double or long slot plus the
 * string bytes (no offsets, no validity) — what MB/s is computed from for every tool. The last
 * three are the checksum of the projected columns (PROJ below) any correct read must reproduce.
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
#include "../gen_common.h"
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"

enum { N_DOUBLE = 40, N_LONG = 5, N_STRING = 5, N_COLS = N_DOUBLE + N_LONG + N_STRING };
enum { VOCAB = 4096, S1_WIDTH = 24, S3_WIDTH = 20 };

/* The projected read and the checksum: one double, one long, one string column. The checksum is
 * order-independent and skips nulls, so DuckDB computes the same in SQL:
 *   sum(i2), sum(strlen(s0)), sum(round(d05 * 10^4)) — d05 has 4 decimals (double_decimals). */
#define PROJ_D "d05"
#define PROJ_I "i2"
#define PROJ_S "s0"
#define PROJ_D_SCALE 1e4

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* User + system CPU seconds of the whole process (every thread) so far: the timed call's CPU
 * time is the difference, a figure other load on the machine hardly changes. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* Decimals of double column c: 2-4, so values look like measured data (prices, sensor
 * readings) and compress like it, rather than like 17 random digits. */
static int double_decimals(int c) { return c >= 30 && c < 35 ? 2 : 2 + c % 3; }

typedef struct data {
    size_t rows;
    double *d[N_DOUBLE];
    uint8_t *d_valid[N_DOUBLE]; /* NULL: no nulls */
    int64_t *i[N_LONG];
    const char **s[N_STRING];  /* NULL entry: null */
    char *vocab;               /* VOCAB words of up to 11 bytes each, NUL-terminated */
    char *s1_buf, *s3_buf;     /* row-wise storage of the composite and unique strings */
} data;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, PROG ": out of memory\n");
        exit(1);
    }
    return p;
}

static uint64_t below(uint64_t n) { return next_u64() % n; }

/* Columns (each from its own seed, so the values of one do not depend on the others):
 *   d00-d29  Gaussian x 1, 10, 100 or 1000 (by column), rounded to 2-4 decimals;
 *   d30-d34  a quarter step in [0, 125) (500 distinct values: dictionary-friendly, like prices);
 *   d35-d39  like d00-d29 with 2% nulls;
 *   i0  10^10 + row (ids; sorted), i1 in [0, 100), i2 in [0, 10000),
 *   i3  epoch milliseconds, one row a second plus jitter (increasing timestamps), i4 in [0, 2^40);
 *   s0  a word from a 4096-word vocabulary, skewed (u^2) towards the first words;
 *   s1  two vocabulary words joined by a space;  s2  one of 16 category names;
 *   s3  a unique id "u" + 16 hex digits;  s4  a vocabulary word (uniform) with 5% nulls. */
static void make_data(data *D, size_t rows, uint64_t seed)
{
    memset(D, 0, sizeof *D);
    D->rows = rows;
    seed_rng(seed * 7919 + 1);
    D->vocab = xcalloc(VOCAB, 12);
    for (int w = 0; w < VOCAB; w++) {
        int len = 3 + (int)below(9);
        for (int k = 0; k < len; k++) D->vocab[w * 12 + k] = (char)('a' + below(26));
    }
    for (int c = 0; c < N_DOUBLE; c++) {
        seed_rng(seed * 7919 + 100 + (uint64_t)c);
        double *v = D->d[c] = xcalloc(rows, sizeof(double));
        double p = pow(10.0, double_decimals(c)), scale = pow(10.0, c % 4);
        if (c >= 35) D->d_valid[c] = xcalloc((rows + 7) / 8, 1);
        for (size_t r = 0; r < rows; r++) {
            if (D->d_valid[c]) {
                if (below(100) < 2) continue; /* null: slot stays 0, bit stays clear */
                D->d_valid[c][r / 8] |= (uint8_t)(1u << (r % 8));
            }
            /* round(x * p) / p is the double nearest the decimal, as strtod gives it back. */
            v[r] = c >= 30 && c < 35 ? (double)below(500) / 4.0 : round(next_gauss() * scale * p) / p;
        }
    }
    for (int c = 0; c < N_LONG; c++) {
        seed_rng(seed * 7919 + 200 + (uint64_t)c);
        int64_t *v = D->i[c] = xcalloc(rows, sizeof(int64_t));
        for (size_t r = 0; r < rows; r++) {
            switch (c) {
            case 0: v[r] = INT64_C(10000000000) + (int64_t)r; break;
            case 1: v[r] = (int64_t)below(100); break;
            case 2: v[r] = (int64_t)below(10000); break;
            case 3: v[r] = INT64_C(1700000000000) + (int64_t)r * 1000 + (int64_t)below(1000); break;
            default: v[r] = (int64_t)(next_u64() >> 24); break;
            }
        }
    }
    static const char *const cats[16] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
                                         "golf", "hotel", "india", "juliett", "kilo", "lima",
                                         "mike", "november", "oscar", "papa"};
    D->s1_buf = xcalloc(rows, S1_WIDTH);
    D->s3_buf = xcalloc(rows, S3_WIDTH);
    for (int c = 0; c < N_STRING; c++) {
        seed_rng(seed * 7919 + 300 + (uint64_t)c);
        const char **v = D->s[c] = xcalloc(rows, sizeof(char *));
        for (size_t r = 0; r < rows; r++) {
            switch (c) {
            case 0: {
                double u = next_unit();
                v[r] = D->vocab + 12 * (size_t)(u * u * VOCAB);
                break;
            }
            case 1: {
                char *b = D->s1_buf + r * S1_WIDTH;
                snprintf(b, S1_WIDTH, "%s %s", D->vocab + 12 * below(VOCAB), D->vocab + 12 * below(VOCAB));
                v[r] = b;
                break;
            }
            case 2: v[r] = cats[below(16)]; break;
            case 3: {
                char *b = D->s3_buf + r * S3_WIDTH;
                snprintf(b, S3_WIDTH, "u%016" PRIx64, next_u64());
                v[r] = b;
                break;
            }
            default: v[r] = below(100) < 5 ? NULL : D->vocab + 12 * below(VOCAB); break;
            }
        }
    }
}

static void free_data(data *D)
{
    for (int c = 0; c < N_DOUBLE; c++) free(D->d[c]), free(D->d_valid[c]);
    for (int c = 0; c < N_LONG; c++) free(D->i[c]);
    for (int c = 0; c < N_STRING; c++) free((void *)D->s[c]);
    free(D->vocab);
    free(D->s1_buf);
    free(D->s3_buf);
}

static void col_name(int c, char *buf, size_t cap)
{
    /* c < 50, so two digits always fit; the modulo tells GCC's truncation check so. */
    unsigned u = (unsigned)c % 100u;
    if (c < N_DOUBLE) snprintf(buf, cap, "d%02u", u);
    else if (c < N_DOUBLE + N_LONG) snprintf(buf, cap, "i%u", u - N_DOUBLE);
    else snprintf(buf, cap, "s%u", u - N_DOUBLE - N_LONG);
}

static bool is_proj(const char *name)
{
    return !strcmp(name, PROJ_D) || !strcmp(name, PROJ_I) || !strcmp(name, PROJ_S);
}

/* data_bytes of the whole data set and of the projected columns. */
static void data_bytes(const data *D, size_t *all, size_t *proj)
{
    *all = *proj = 0;
    for (int c = 0; c < N_COLS; c++) {
        char name[8];
        col_name(c, name, sizeof name);
        size_t b = 0;
        if (c < N_DOUBLE + N_LONG) {
            b = D->rows * 8;
        } else {
            const char **v = D->s[c - N_DOUBLE - N_LONG];
            for (size_t r = 0; r < D->rows; r++) b += v[r] ? strlen(v[r]) : 0;
        }
        *all += b;
        if (is_proj(name)) *proj += b;
    }
}

static bool valid_at(const uint8_t *bits, size_t r) { return !bits || (bits[r / 8] >> (r % 8) & 1); }

static void gen_csv(const data *D, const char *dir)
{
    FILE *f = open_out(dir, "data.csv");
    static char iobuf[1 << 20];
    setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
    for (int c = 0; c < N_COLS; c++) {
        char name[8];
        col_name(c, name, sizeof name);
        fprintf(f, "%s%c", name, c + 1 < N_COLS ? ',' : '\n');
    }
    for (size_t r = 0; r < D->rows; r++) {
        for (int c = 0; c < N_DOUBLE; c++) {
            if (valid_at(D->d_valid[c], r)) fprintf(f, "%.*f", double_decimals(c), D->d[c][r]);
            fputc(',', f);
        }
        for (int c = 0; c < N_LONG; c++) fprintf(f, "%" PRId64 ",", D->i[c][r]);
        for (int c = 0; c < N_STRING; c++) {
            if (D->s[c][r]) fputs(D->s[c][r], f);
            fputc(c + 1 < N_STRING ? ',' : '\n', f);
        }
    }
    close_out(f, "data.csv");
}

/* The frame of the data set. With consume, each source array is freed as soon as its column
 * holds a copy, so the process never holds the data twice: the write's peak RSS is then the
 * frame plus what the writer itself needs. */
static lml_frame *make_frame(data *D, bool consume, lml_error *err)
{
    lml_column *cols[N_COLS] = {0};
    char names[N_COLS][8];
    const char *name_ptrs[N_COLS];
    lml_frame *f = NULL;
    for (int c = 0; c < N_COLS; c++) {
        col_name(c, names[c], sizeof names[c]);
        name_ptrs[c] = names[c];
        if (c < N_DOUBLE) {
            cols[c] = lml_column_from_doubles(D->d[c], D->d_valid[c], D->rows, err);
            if (consume) free(D->d[c]), free(D->d_valid[c]), D->d[c] = NULL, D->d_valid[c] = NULL;
        } else if (c < N_DOUBLE + N_LONG) {
            cols[c] = lml_column_from_int64s(D->i[c - N_DOUBLE], NULL, D->rows, err);
            if (consume) free(D->i[c - N_DOUBLE]), D->i[c - N_DOUBLE] = NULL;
        } else {
            int k = c - N_DOUBLE - N_LONG;
            cols[c] = lml_column_from_strings(D->s[k], D->rows, err);
            if (consume) {
                free((void *)D->s[k]), D->s[k] = NULL;
                if (k == 1) free(D->s1_buf), D->s1_buf = NULL;
                if (k == 3) free(D->s3_buf), D->s3_buf = NULL;
            }
        }
        if (!cols[c]) goto done;
    }
    f = lml_frame_new(N_COLS, name_ptrs, cols, err);
done:
    for (int c = 0; c < N_COLS; c++) lml_column_free(cols[c]);
    return f;
}

/* The checksum of the projected columns as text ("na" for a column not in the frame). */
static void checksum(const lml_frame *f, char *out, size_t cap)
{
    char si[32] = "na", ls[32] = "na", sd[32] = "na";
    size_t n = lml_frame_num_rows(f);
    long ci = lml_frame_column_index(f, PROJ_I), cs = lml_frame_column_index(f, PROJ_S),
         cd = lml_frame_column_index(f, PROJ_D);
    if (ci >= 0 && lml_column_type(lml_frame_column(f, (size_t)ci)) == LML_INT64) {
        const lml_column *col = lml_frame_column(f, (size_t)ci);
        const int64_t *v = lml_column_int64s(col);
        int64_t sum = 0;
        for (size_t r = 0; r < n; r++) sum += lml_column_is_null(col, r) ? 0 : v[r];
        snprintf(si, sizeof si, "%" PRId64, sum);
    }
    if (cs >= 0 && lml_column_type(lml_frame_column(f, (size_t)cs)) == LML_STRING) {
        const lml_column *col = lml_frame_column(f, (size_t)cs);
        int64_t sum = 0;
        for (size_t r = 0; r < n; r++) {
            size_t len = 0;
            if (!lml_column_is_null(col, r)) lml_column_string_at(col, r, &len);
            sum += (int64_t)len;
        }
        snprintf(ls, sizeof ls, "%" PRId64, sum);
    }
    if (cd >= 0 && lml_column_type(lml_frame_column(f, (size_t)cd)) == LML_DOUBLE) {
        const lml_column *col = lml_frame_column(f, (size_t)cd);
        const double *v = lml_column_doubles(col);
        int64_t sum = 0;
        for (size_t r = 0; r < n; r++) sum += lml_column_is_null(col, r) ? 0 : llround(v[r] * PROJ_D_SCALE);
        snprintf(sd, sizeof sd, "%" PRId64, sum);
    }
    snprintf(out, cap, "sum_i=%s len_s=%s sum_d=%s", si, ls, sd);
}

static bool parse_size(const char *text, size_t lo, size_t hi, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi) return false;
    *out = (size_t)v;
    return true;
}

static int usage(void)
{
    fprintf(stderr, "usage: " PROG " gen-csv DIR ROWS SEED\n"
                    "       " PROG " write OUT.parquet ROWS SEED CODEC THREADS\n"
                    "       " PROG " read FILE THREADS [COL,COL,...]\n");
    return 2;
}

static int fail(const char *what, const lml_error *err)
{
    fprintf(stderr, PROG ": %s: %s: %s\n", what, lml_errcode_name(err->code), err->message);
    return 1;
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
