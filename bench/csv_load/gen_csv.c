/* gen_csv — writes the deterministic CSV that bench/csv_load reads.
 *
 *   gen_csv OUT [ROWS [SEED]]     (defaults: 1000000 rows, seed 42)
 *
 * Columns (53): id (int64: 10^10 + row, too big for int32 so inference must pick long),
 * x01..x50 (doubles: a Gaussian draw with a per-column scale of 1, 10, 100 or 1000, rounded to
 * a random 1–9 decimals per value), cat (one of 16 words) and name (8–25 random lowercase
 * letters). No field needs quoting. 1,000,000 rows make about 507 MB.
 *
 * A double is printed as the integer round(x · 10^d) with the decimal point put in by hand: that
 * is exact (no binary→decimal formatting step that could differ between C libraries) and about
 * ten times faster than printf("%.*f"). The same seed gives the same bytes on every run. The
 * file is written to OUT.tmp and renamed, so an interrupted run never leaves a half file. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NDOUBLE 50

/* xoshiro256** seeded through splitmix64: fast, good, and fully specified (no libc rand). */
typedef struct rng { uint64_t s[4]; } rng;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in (0, 1): 53 random bits, never exactly 0 (log() below needs that). */
static inline double rng_unit(rng *r) { return ((double)(rng_next(r) >> 11) + 0.5) * 0x1p-53; }

/* Box–Muller, both outputs used. */
static double rng_gauss(rng *r, double *spare, int *has_spare) {
    if (*has_spare) { *has_spare = 0; return *spare; }
    double u = rng_unit(r), v = rng_unit(r);
    double rad = sqrt(-2.0 * log(u)), ang = 2.0 * M_PI * v;
    *spare = rad * sin(ang);
    *has_spare = 1;
    return rad * cos(ang);
}

/* Writes the decimal digits of v (no sign) ending just before `end`; returns the start. */
static char *put_digits(char *end, uint64_t v) {
    do { *--end = (char)('0' + v % 10); v /= 10; } while (v);
    return end;
}

/* Appends m / 10^d with exactly d decimals ("-0.05" for m = -5, d = 2). */
static char *put_fixed(char *p, int64_t m, int d) {
    if (m < 0) *p++ = '-';
    uint64_t a = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
    char tmp[32], *end = tmp + sizeof tmp;
    char *s = put_digits(end, a);
    int nd = (int)(end - s);
    if (nd <= d) { /* pad to "0.00ddd" */
        *p++ = '0'; *p++ = '.';
        for (int i = nd; i < d; i++) *p++ = '0';
        memcpy(p, s, (size_t)nd);
        return p + nd;
    }
    memcpy(p, s, (size_t)(nd - d)); p += nd - d;
    *p++ = '.';
    memcpy(p, end - d, (size_t)d);
    return p + d;
}

static const char *const CATS[16] = {
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    "india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa"};

static const double POW10[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

int main(int argc, char **argv) {
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s OUT [ROWS [SEED]]\n", argv[0]);
        return 2;
    }
    const char *out = argv[1];
    char *endp;
    unsigned long long rows = 1000000, seed = 42;
    if (argc > 2) {
        errno = 0;
        rows = strtoull(argv[2], &endp, 10);
        if (errno || *endp || argv[2][0] == '-') { fprintf(stderr, "gen_csv: bad ROWS '%s'\n", argv[2]); return 2; }
    }
    if (argc > 3) {
        errno = 0;
        seed = strtoull(argv[3], &endp, 10);
        if (errno || *endp || argv[3][0] == '-') { fprintf(stderr, "gen_csv: bad SEED '%s'\n", argv[3]); return 2; }
    }

    size_t tmplen = strlen(out) + 5;
    char *tmp = malloc(tmplen);
    if (!tmp) return 1;
    snprintf(tmp, tmplen, "%s.tmp", out);
    FILE *f = fopen(tmp, "wb");
    if (!f) { fprintf(stderr, "gen_csv: cannot create %s: %s\n", tmp, strerror(errno)); free(tmp); return 1; }

    /* One row is < 53 × 32 bytes; flush the buffer whenever less than that is left. */
    enum { BUF = 1 << 22, ROWMAX = 4096 };
    char *buf = malloc(BUF);
    if (!buf) { fclose(f); free(tmp); return 1; }
    char *p = buf;

    p += sprintf(p, "id");
    for (int j = 1; j <= NDOUBLE; j++) p += sprintf(p, ",x%02d", j);
    p += sprintf(p, ",cat,name\n");

    rng r;
    rng_seed(&r, seed);
    double spare = 0;
    int has_spare = 0;
    unsigned long long bytes = 0;
    for (unsigned long long i = 0; i < rows; i++) {
        char tmpd[24], *e = tmpd + sizeof tmpd, *s = put_digits(e, 10000000000ULL + i);
        memcpy(p, s, (size_t)(e - s)); p += e - s;
        for (int j = 0; j < NDOUBLE; j++) {
            double x = rng_gauss(&r, &spare, &has_spare) * POW10[j % 4];
            int d = 1 + (int)(rng_next(&r) % 9);
            *p++ = ',';
            p = put_fixed(p, llround(x * POW10[d]), d);
        }
        *p++ = ',';
        const char *c = CATS[rng_next(&r) & 15];
        size_t cl = strlen(c);
        memcpy(p, c, cl); p += cl;
        *p++ = ',';
        uint64_t w = rng_next(&r);
        int nl = 8 + (int)(w % 18);
        for (int k = 0; k < nl; k++) {
            if (k % 6 == 0) w = rng_next(&r); /* 26^6 < 2^32: six letters per 64-bit draw */
            *p++ = (char)('a' + w % 26);
            w /= 26;
        }
        *p++ = '\n';
        if ((size_t)(p - buf) > BUF - ROWMAX) {
            if (fwrite(buf, 1, (size_t)(p - buf), f) != (size_t)(p - buf)) goto io_fail;
            bytes += (unsigned long long)(p - buf);
            p = buf;
        }
    }
    if (p > buf && fwrite(buf, 1, (size_t)(p - buf), f) != (size_t)(p - buf)) goto io_fail;
    bytes += (unsigned long long)(p - buf);
    if (fclose(f) != 0) { f = NULL; goto io_fail; }
    f = NULL;
    if (rename(tmp, out) != 0) {
        fprintf(stderr, "gen_csv: cannot rename %s to %s: %s\n", tmp, out, strerror(errno));
        remove(tmp); free(tmp); free(buf);
        return 1;
    }
    printf("gen_csv: wrote %s: %llu rows x 53 columns, %llu bytes (seed %llu)\n", out, rows, bytes, seed);
    free(tmp); free(buf);
    return 0;

io_fail:
    fprintf(stderr, "gen_csv: write to %s failed: %s\n", tmp, strerror(errno));
    if (f) fclose(f);
    remove(tmp); free(tmp); free(buf);
    return 1;
}
