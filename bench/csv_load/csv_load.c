/* csv_load — the lakeml side of bench/csv_load: times one lml_csv_read of FILE with
 * header + infer_schema on THREADS threads (default 2) and prints one line of key=value pairs:
 *
 *   tool=lakeml version=… threads=2 seconds=… bytes=… mbps=… rows=… cols=… types=double:50,…
 *   frame_bytes=… rss_self_kb=…
 *
 * seconds is the wall time of the lml_csv_read call alone. frame_bytes is the size of the
 * frame's Arrow buffers (values, validity bitmaps, string offsets and bytes) counted through the
 * public API, i.e. what the data needs, not what the allocator handed out. rss_self_kb is this
 * process's peak RSS (getrusage) — run.sh reports /usr/bin/time's figure for every tool instead,
 * so all three are measured the same way; this one is a cross-check.
 *
 * With --verify (after the timing, not timed) the file is read again line by line, and every cell
 * is compared with what a plain reading gives: each double bit for bit with strtod, integers
 * with strtoll, strings byte for byte, empty fields as nulls. It splits on commas only, so it is
 * meant for files without quoting, like the one gen_csv writes. It prints one more line,
 *
 *   verify=ok cells=… doubles=…      or      verify=FAILED mismatches=… first="row …"
 *
 * Exit status: 0 on success, 1 when the read fails (the error is printed) or --verify finds a
 * difference, 2 on bad usage. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/stat.h>

#include "lakeml/lakeml.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Bytes of the Arrow buffers behind one column. */
static size_t column_bytes(const lml_column *col) {
    size_t n = lml_column_length(col), b = 0;
    if (lml_column_validity(col)) b += (n + 7) / 8;
    switch (lml_column_type(col)) {
    case LML_BOOL: b += (n + 7) / 8; break;
    case LML_INT32: case LML_DATE: b += n * sizeof(int32_t); break;
    case LML_INT64: case LML_TIMESTAMP: b += n * sizeof(int64_t); break;
    case LML_DOUBLE: b += n * sizeof(double); break;
    case LML_STRING: {
        const int32_t *off = lml_column_string_offsets(col);
        b += (n + 1) * sizeof(int32_t) + (off ? (size_t)off[n] : 0);
        break;
    }
    case LML_VECTOR:
        if (lml_column_vector_is_sparse(col)) {
            const int64_t *ip = lml_column_vector_indptr(col);
            size_t nnz = ip ? (size_t)ip[n] : 0;
            b += (n + 1) * sizeof(int64_t) + nnz * (sizeof(int32_t) + sizeof(double));
        } else {
            b += n * lml_column_vector_size(col) * sizeof(double);
        }
        break;
    default: /* the CSV reader produces none of the other types */
        break;
    }
    return b;
}

/* The --verify pass; returns the number of mismatching cells (SIZE_MAX when it cannot run). */
static size_t verify(const lml_frame *f, const char *path, size_t *cells, size_t *doubles, char *first, size_t cap) {
    FILE *in = fopen(path, "r");
    if (!in) return SIZE_MAX;
    char *line = NULL;
    size_t linecap = 0, bad = 0, row = 0, ncols = lml_frame_num_cols(f), nrows = lml_frame_num_rows(f);
    ssize_t len = getline(&line, &linecap, in); /* the header */
    while (len >= 0 && (len = getline(&line, &linecap, in)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r') line[--len] = '\0';
        if (row >= nrows) { bad++; break; }
        char *p = line;
        for (size_t c = 0; c < ncols; c++) {
            char *end = p ? strchr(p, ',') : NULL;
            if (end) *end = '\0';
            const lml_column *col = lml_frame_column(f, c);
            bool ok;
            if (!p || !*p) {
                ok = lml_column_is_null(col, row);
            } else if (lml_column_is_null(col, row)) {
                ok = false;
            } else {
                switch (lml_column_type(col)) {
                case LML_DOUBLE: {
                    double want = strtod(p, NULL), got = lml_column_doubles(col)[row];
                    ok = memcmp(&want, &got, sizeof want) == 0;
                    ++*doubles;
                    break;
                }
                case LML_INT64: ok = lml_column_int64s(col)[row] == strtoll(p, NULL, 10); break;
                case LML_INT32: ok = lml_column_int32s(col)[row] == strtol(p, NULL, 10); break;
                case LML_STRING: {
                    size_t sl;
                    const char *sv = lml_column_string_at(col, row, &sl);
                    ok = sl == strlen(p) && memcmp(sv, p, sl) == 0;
                    break;
                }
                default: ok = true; /* other types: not checked */
                }
            }
            ++*cells;
            if (!ok && bad++ == 0)
                snprintf(first, cap, "row %zu column %zu '%s': field \"%.40s\"", row + 1, c + 1,
                         lml_frame_column_name(f, c), p ? p : "");
            p = end ? end + 1 : NULL;
        }
        row++;
    }
    if (row != nrows && bad++ == 0) snprintf(first, cap, "the file has %zu rows, the frame %zu", row, nrows);
    free(line);
    fclose(in);
    return bad;
}

int main(int argc, char **argv) {
    bool do_verify = argc > 1 && strcmp(argv[1], "--verify") == 0;
    if (do_verify) { argv++; argc--; }
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s [--verify] FILE [THREADS]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    int threads = 2;
    if (argc == 3) {
        char *end;
        long t = strtol(argv[2], &end, 10);
        if (*end || t < 1 || t > 1024) {
            fprintf(stderr, "csv_load: bad THREADS '%s'\n", argv[2]);
            return 2;
        }
        threads = (int)t;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "csv_load: cannot stat %s\n", path);
        return 1;
    }
    lml_set_num_threads(threads);

    lml_error err = {0};
    double t0 = now_seconds();
    lml_frame *f = lml_csv_read(path, &(lml_csv_options){ .header = true, .infer_schema = true }, &err);
    double secs = now_seconds() - t0;
    if (!f) {
        fprintf(stderr, "csv_load: %s: %s\n", lml_errcode_name(err.code), err.message);
        return 1;
    }

    size_t ncols = lml_frame_num_cols(f), frame_bytes = 0;
    size_t per_type[LML_VECTOR + 1] = {0};
    for (size_t i = 0; i < ncols; i++) {
        const lml_column *col = lml_frame_column(f, i);
        frame_bytes += column_bytes(col);
        lml_type t = lml_column_type(col);
        if ((int)t >= 0 && t <= LML_VECTOR) per_type[t]++;
    }
    char types[256] = "";
    size_t tl = 0;
    for (int t = 0; t <= LML_VECTOR && tl < sizeof types; t++) {
        if (!per_type[t]) continue;
        tl += (size_t)snprintf(types + tl, sizeof types - tl, "%s%s:%zu", tl ? "," : "",
                               lml_type_name((lml_type)t), per_type[t]);
    }

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double mb = (double)st.st_size / 1e6;
    printf("tool=lakeml version=%s threads=%d seconds=%.4f bytes=%jd mbps=%.1f rows=%zu cols=%zu types=%s "
           "frame_bytes=%zu rss_self_kb=%ld\n",
           lml_version(), lml_get_num_threads(), secs, (intmax_t)st.st_size, secs > 0 ? mb / secs : 0.0,
           lml_frame_num_rows(f), ncols, types, frame_bytes, ru.ru_maxrss);
    int status = 0;
    if (do_verify) {
        size_t cells = 0, doubles = 0;
        char first[256] = "";
        size_t bad = verify(f, path, &cells, &doubles, first, sizeof first);
        if (bad == SIZE_MAX) {
            printf("verify=FAILED cannot reopen %s\n", path);
            status = 1;
        } else if (bad) {
            printf("verify=FAILED mismatches=%zu first=\"%s\"\n", bad, first);
            status = 1;
        } else {
            printf("verify=ok cells=%zu doubles=%zu\n", cells, doubles);
        }
    }
    lml_frame_free(f);
    return status;
}
