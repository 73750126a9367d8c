/* The data set of bench/parquet and bench/delta (bench_data.h). PROG, the program named in
 * messages, comes from BENCH_PROG, which bench/meson.build sets per executable. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#ifndef BENCH_PROG
#error "BENCH_PROG (the program's name, a string literal) must be defined"
#endif
#define PROG BENCH_PROG
#include "../gen_common.h"
#include "bench_data.h"

enum { VOCAB = 4096, S1_WIDTH = 24, S3_WIDTH = 20 };

/* Decimals of double column c: 2-4, so values look like measured data (prices, sensor
 * readings) and compress like it, rather than like 17 random digits. */
static int double_decimals(int c) { return c >= 30 && c < 35 ? 2 : 2 + c % 3; }

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
void make_data(data *D, size_t rows, uint64_t seed)
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

void free_data(data *D)
{
    for (int c = 0; c < N_DOUBLE; c++) free(D->d[c]), free(D->d_valid[c]);
    for (int c = 0; c < N_LONG; c++) free(D->i[c]);
    for (int c = 0; c < N_STRING; c++) free((void *)D->s[c]);
    free(D->vocab);
    free(D->s1_buf);
    free(D->s3_buf);
}

void col_name(int c, char *buf, size_t cap)
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
void data_bytes(const data *D, size_t *all, size_t *proj)
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

void gen_csv(const data *D, const char *dir)
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
lml_frame *make_frame(data *D, bool consume, lml_error *err)
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
void checksum(const lml_frame *f, char *out, size_t cap)
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

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

bool parse_size(const char *text, size_t lo, size_t hi, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi) return false;
    *out = (size_t)v;
    return true;
}

int fail(const char *what, const lml_error *err)
{
    fprintf(stderr, PROG ": %s: %s: %s\n", what, lml_errcode_name(err->code), err->message);
    return 1;
}
