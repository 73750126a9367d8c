/* bench/latency: times the C that `lakeml export-c MODEL_DIR -o model.c` generates (default
 * prefix lml_model), compiled into this driver by run.sh:
 *
 *   cc -O2 -std=c99 -DMODEL_C='"model.c"' bench/latency/export_driver.c -lm -o driver
 *   driver ROWS_FILE CALLS
 *
 * ROWS_FILE is what `latency_bench run` writes: "NIN TYPES", then one row per line (NIN
 * tab-separated inputs, strings as they are, numbers as hex floats, then the probability of class 1
 * that lml_transform gave). The generated lml_model_input has one member per input, const char *
 * for a string and double for a number, in that order: on this ABI (LP64: both 8 bytes, 8-aligned)
 * it is laid out as an array of 8-byte slots, which the driver fills through a union and checks by
 * size. Checks every row's out[2] (probability of class 1) against the expected bits, then times
 * CALLS calls as latency_bench does (1000 warm-up calls, each call timed alone with
 * clock_gettime(CLOCK_MONOTONIC), the clock's own cost printed and not subtracted). Prints
 * "median_ns=… p99_ns=… mean_ns=… clock_ns=… calls=… rows=… mismatches=…". */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "latency_stats.h"
#include MODEL_C

#define MAX_ROWS 1000
#define MAX_IN 4096

typedef union slot {
    const char *s;
    double d;
} slot;

int main(int argc, char **argv)
{
    long calls = argc == 3 ? atol(argv[2]) : 0;
    if (calls <= 0) {
        fprintf(stderr, "usage: driver ROWS_FILE CALLS\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    size_t nin = 0;
    char types[MAX_IN + 1];
    if (!f || fscanf(f, "%zu %4096s\n", &nin, types) != 2 || nin == 0 || nin > MAX_IN || strlen(types) != nin ||
        sizeof(lml_model_input) != nin * sizeof(slot)) {
        fprintf(stderr, "driver: %s does not describe this model's %zu-byte input\n", argv[1],
                sizeof(lml_model_input));
        return 1;
    }
    static lml_model_input rows[MAX_ROWS];
    static double want[MAX_ROWS];
    size_t n = 0;
    char *line = NULL;
    size_t cap = 0;
    while (n < MAX_ROWS && getline(&line, &cap, f) > 0) {
        slot s[MAX_IN];
        char *p = line;
        for (size_t k = 0; k <= nin; k++) {
            char *tab = strpbrk(p, "\t\n");
            if (tab)
                *tab = '\0';
            if (k == nin)
                want[n] = strtod(p, NULL);
            else if (types[k] == 's')
                s[k].s = strcmp(p, "\\N") == 0 ? NULL : strdup(p);
            else
                s[k].d = strtod(p, NULL);
            p = tab ? tab + 1 : p + strlen(p);
        }
        memcpy(&rows[n++], s, sizeof(lml_model_input));
    }
    fclose(f);
    free(line);
    if (n == 0)
        return fprintf(stderr, "driver: no rows in %s\n", argv[1]), 1;
    double out[lml_model_NUM_OUTPUTS];
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += lml_model_predict(&rows[i], out) != 0 || memcmp(&out[2], &want[i], sizeof(double)) != 0;
    int64_t *lat = malloc((size_t)calls * sizeof *lat);
    if (!lat)
        return 1;
    volatile double sink = 0;
    for (long c = 0; c < 1000; c++) {
        lml_model_predict(&rows[c % (long)n], out);
        sink += out[2];
    }
    for (long c = 0; c < calls; c++) {
        const lml_model_input *row = &rows[c % (long)n];
        int64_t t0 = ns_now();
        lml_model_predict(row, out);
        lat[c] = ns_now() - t0;
        sink += out[2];
    }
    latency_report(lat, calls);
    printf(" rows=%zu mismatches=%zu\n", n, bad);
    (void)sink;
    free(lat);
    return bad ? 3 : 0;
}
