/* What the two latency drivers (latency_bench.c for the library's scorer, export_driver.c for the
 * exported C) share: the clock, and the statistics line they print, so both are measured and
 * reported the same way. Header-only: export_driver.c is compiled alone by run.sh. */
#ifndef LML_BENCH_LATENCY_STATS_H
#define LML_BENCH_LATENCY_STATS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int64_t ns_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Prints "median_ns=… p99_ns=… mean_ns=… clock_ns=… calls=…" for the calls timings in lat (sorted
 * and then reused to time the clock itself: back-to-back pairs, their median) and no newline: the
 * caller adds its own fields. */
static void latency_report(int64_t *lat, long calls)
{
    double mean = 0;
    for (long c = 0; c < calls; c++)
        mean += (double)lat[c];
    mean /= (double)calls;
    qsort(lat, (size_t)calls, sizeof *lat, cmp_i64);
    long long med = (long long)lat[calls / 2], p99 = (long long)lat[(size_t)((double)calls * 0.99)];
    for (long c = 0; c < calls; c++) {
        int64_t t0 = ns_now();
        lat[c] = ns_now() - t0;
    }
    qsort(lat, (size_t)calls, sizeof *lat, cmp_i64);
    printf("median_ns=%lld p99_ns=%lld mean_ns=%.1f clock_ns=%lld calls=%ld", med, p99, mean,
           (long long)lat[calls / 2], calls);
}

#endif
