/* What the benchmark data generators share: a seeded xoshiro256** generator (the same bytes on
 * every machine for a seed; only log, sqrt, sin and cos come from the C library) and output files
 * that exit with a message on failure. Header-only: each generator is one small program. */
#ifndef LML_BENCH_GEN_COMMON_H
#define LML_BENCH_GEN_COMMON_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t s[4];

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(void)
{
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

/* Uniform in (0, 1): never 0, so log() below is finite. */
static double next_unit(void) { return ((double)(next_u64() >> 11) + 0.5) * 0x1.0p-53; }

static double next_gauss(void)
{
    static int have;
    static double spare;
    if (have) {
        have = 0;
        return spare;
    }
    double r = sqrt(-2.0 * log(next_unit())), a = 6.283185307179586 * next_unit();
    spare = r * sin(a);
    have = 1;
    return r * cos(a);
}

static void seed_rng(uint64_t seed)
{
    /* splitmix64 expands the seed into the four state words. */
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        s[i] = z ^ (z >> 31);
    }
}

/* PROG names the program in messages. */
static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        fprintf(stderr, PROG ": path too long: %s/%s\n", dir, name);
        exit(1);
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, PROG ": cannot create %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return f;
}

static void close_out(FILE *f, const char *name)
{
    if (ferror(f) || fclose(f) != 0) {
        fprintf(stderr, PROG ": writing %s failed\n", name);
        exit(1);
    }
}

#endif
