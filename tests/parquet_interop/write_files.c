/* Writes the Parquet files DuckDB reads back in tests/parquet_interop/check.mjs: one frame of
 * every flat type (with nulls), a dense and a sparse vector column, and nested columns
 * xs array<int>, st struct<a: long, t: string>, mp map<string, double> (with null rows, empty
 * lists/maps, null elements and null map values), f float, b8 byte, s16 short, ntz timestamp_ntz,
 * dec decimal(15,3), big decimal(30,4), once per codec and once
 * with small row groups, pages and dictionary limit; and expected.jsonl, the frame's rows as JSON
 * (int64 values as strings, doubles as %.17g strings, binary as hex, vectors as dense arrays).
 *
 *   write_files OUT_DIR [ROWS] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"

static void die(const char *what, const lml_error *err) {
    fprintf(stderr, "write_files: %s: %s\n", what, err->message);
    exit(1);
}

static bool is_null(size_t i, int k) { return (i * 7 + (size_t)k) % (size_t)(k + 3) == 0; }

static void str_at(size_t i, char *s, size_t cap) { snprintf(s, cap, "%s%zu", i % 3 ? "k" : "\xc3\xa9t\xc3\xa9-", i % 50); }

/* xs: row i is null when i % 9 == 0, else i % 4 elements i*10+j (null when (i+j) % 5 == 0).
 * st: null when i % 6 == 0, else {a: i * 1000003, t: "t<i%13>" or null when i % 4 == 1}.
 * mp: null when i % 7 == 0, else i % 3 entries "k<j>" → i + j/2 (null when (i+j) % 4 == 0). */
static lml_column *with_validity(lml_column *c, const lml_error *err) {
    if (!c) die("nested column", err);
    return c;
}

static void nested_columns(size_t n, lml_column **out) {
    lml_error err = {0};
    int32_t *off = malloc((n + 1) * sizeof *off), *ev = malloc((n * 3 + 1) * sizeof *ev);
    uint8_t *lv = calloc(n / 8 + 1, 1), *evv = calloc(n * 3 / 8 + 1, 1);
    off[0] = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 9) {
            lv[i / 8] |= (uint8_t)(1u << (i % 8));
            for (size_t j = 0; j < i % 4; j++, k++) {
                ev[k] = (int32_t)(i * 10 + j);
                if ((i + j) % 5) evv[k / 8] |= (uint8_t)(1u << (k % 8));
            }
        }
        off[i + 1] = (int32_t)k;
    }
    lml_column *elems = with_validity(lml_column_from_int32s(ev, evv, k, &err), &err);
    out[0] = with_validity(lml_column_list_new(off, lv, n, elems, &err), &err);
    lml_column_free(elems);

    int64_t *a = malloc((n + 1) * sizeof *a);
    const char **t = malloc((n + 1) * sizeof *t);
    static const char *const tn[13] = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11", "t12"};
    memset(lv, 0, n / 8 + 1);
    for (size_t i = 0; i < n; i++) {
        a[i] = (int64_t)i * 1000003;
        t[i] = i % 4 == 1 ? NULL : tn[i % 13];
        if (i % 6) lv[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    lml_column *ac = with_validity(lml_column_from_int64s(a, NULL, n, &err), &err);
    lml_column *tc = with_validity(lml_column_from_strings(t, n, &err), &err);
    out[1] = with_validity(lml_column_struct_new(n, 2, (const char *[]){"a", "t"}, (lml_column *[]){ac, tc}, lv, &err), &err);
    lml_column_free(ac), lml_column_free(tc);

    static const char *const kn[3] = {"k0", "k1", "k2"};
    const char **keys = malloc((n * 3 + 1) * sizeof *keys);
    double *vals = malloc((n * 3 + 1) * sizeof *vals);
    memset(lv, 0, n / 8 + 1);
    memset(evv, 0, n * 3 / 8 + 1);
    k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 7) {
            lv[i / 8] |= (uint8_t)(1u << (i % 8));
            for (size_t j = 0; j < i % 3; j++, k++) {
                keys[k] = kn[j];
                vals[k] = (double)i + (double)j / 2;
                if ((i + j) % 4) evv[k / 8] |= (uint8_t)(1u << (k % 8));
            }
        }
        off[i + 1] = (int32_t)k;
    }
    lml_column *kc = with_validity(lml_column_from_strings(keys, k, &err), &err);
    lml_column *vc = with_validity(lml_column_from_doubles(vals, evv, k, &err), &err);
    out[2] = with_validity(lml_column_map_new(off, lv, n, kc, vc, &err), &err);
    lml_column_free(kc), lml_column_free(vc);
    free(off), free(ev), free(lv), free(evv), free(a), free(t), free(keys), free(vals);
}

/* f, b8, s16, ntz, dec, big: null when i % 8 == 3; values spread over each type's range. */
static void narrow_columns(size_t n, lml_column **out) {
    lml_error err = {0};
    float *f = malloc((n + 1) * sizeof *f);
    int8_t *b = malloc(n + 1);
    int16_t *h = malloc((n + 1) * sizeof *h);
    int64_t *t = malloc((n + 1) * sizeof *t);
    uint8_t *d15 = malloc(n * 16 + 16), *d30 = malloc(n * 16 + 16), *valid = calloc(n / 8 + 1, 1);
    for (size_t i = 0; i < n; i++) {
        if (i % 8 != 3) valid[i / 8] |= (uint8_t)(1u << (i % 8));
        f[i] = (float)((double)i * 1.1 - 500.0);
        b[i] = (int8_t)(i * 37);
        h[i] = (int16_t)(i * 2654435761u);
        t[i] = (int64_t)i * 86400000001 - 1000000000000000;
        int64_t a = ((int64_t)i * 7919 - 50000000) * (i % 2 ? 1 : -1), c = (int64_t)i * 1000 - 3;
        memcpy(d15 + i * 16, &a, 8), memset(d15 + i * 16 + 8, a < 0 ? 0xff : 0, 8);
        /* big: c · 2^64 + i (below 10^27 for 30,000 rows: fits decimal(30,4)) */
        uint64_t lo = (uint64_t)i;
        memcpy(d30 + i * 16, &lo, 8), memcpy(d30 + i * 16 + 8, &c, 8);
    }
    out[0] = with_validity(lml_column_from_floats(f, valid, n, &err), &err);
    out[1] = with_validity(lml_column_from_int8s(b, valid, n, &err), &err);
    out[2] = with_validity(lml_column_from_int16s(h, valid, n, &err), &err);
    out[3] = with_validity(lml_column_from_timestamps_ntz(t, valid, n, &err), &err);
    out[4] = with_validity(lml_column_from_decimals(d15, valid, n, 15, 3, &err), &err);
    out[5] = with_validity(lml_column_from_decimals(d30, valid, n, 30, 4, &err), &err);
    free(f), free(b), free(h), free(t), free(d15), free(d30), free(valid);
}

static lml_frame *make_frame(size_t n) {
    lml_error err = {0};
    lml_type types[] = {LML_BOOL, LML_INT32, LML_INT64, LML_DOUBLE, LML_STRING, LML_DATE, LML_TIMESTAMP};
    const char *names[] = {"b", "i", "l", "d", "s", "dt", "ts", "bin", "features", "sp", "xs", "st", "mp",
                           "f", "b8", "s16", "ntz", "dec", "big"};
    lml_column *cols[19];
    char s[64];
    for (int k = 0; k < 7; k++) {
        lml_column_builder *b = lml_column_builder_new(types[k], n, &err);
        if (!b) die("builder", &err);
        for (size_t i = 0; i < n; i++) {
            bool ok;
            if (is_null(i, k)) ok = lml_column_builder_append_null(b, &err);
            else switch (types[k]) {
            case LML_BOOL: ok = lml_column_builder_append_bool(b, (i * 2654435761u) & 8, &err); break;
            case LML_INT32: ok = lml_column_builder_append_int32(b, (int32_t)(i * 2654435761u), &err); break;
            case LML_DATE: ok = lml_column_builder_append_int32(b, (int32_t)(i % 40000) - 20000, &err); break;
            case LML_INT64: ok = lml_column_builder_append_int64(b, (int64_t)(i * 0x9E3779B97F4A7C15u), &err); break;
            case LML_TIMESTAMP: ok = lml_column_builder_append_int64(b, (int64_t)(i * 1000003) - 500000000000, &err); break;
            case LML_DOUBLE: ok = lml_column_builder_append_double(b, i % 11 == 1 ? NAN : (i % 5 ? i * 0.37 : -0.0), &err); break;
            default: str_at(i, s, sizeof s), ok = lml_column_builder_append_string(b, s, strlen(s), &err);
            }
            if (!ok) die("append", &err);
        }
        if (!(cols[k] = lml_column_builder_finish(b, &err))) die("finish", &err);
    }
    int32_t *off = malloc((n + 1) * sizeof *off);
    uint8_t *data = malloc(n * 3 + 1), *valid = calloc((n + 7) / 8, 1);
    double *dense = malloc((n * 3 + 1) * sizeof *dense), *vals = malloc((n * 2 + 1) * sizeof *vals);
    int64_t *ip = malloc((n + 1) * sizeof *ip);
    int32_t *idx = malloc((n * 2 + 1) * sizeof *idx);
    off[0] = 0, ip[0] = 0;
    for (size_t i = 0, k = 0; i < n; i++) {
        for (size_t j = 0; j < i % 4; j++) data[off[i] + (int32_t)j] = (uint8_t)(i * 31 + j);
        off[i + 1] = off[i] + (int32_t)(i % 4);
        if (i % 6) valid[i / 8] |= (uint8_t)(1u << (i % 8));
        for (size_t j = 0; j < 3; j++) dense[i * 3 + j] = (double)(i * 3 + j) * 0.25 - 7;
        if (i % 3) idx[k] = (int32_t)(i % 7), vals[k++] = (double)i;
        if (i % 2) idx[k] = 7 + (int32_t)(i % 5), vals[k++] = -(double)i;
        ip[i + 1] = (int64_t)k;
    }
    cols[7] = lml_column_from_binary(off, data, valid, n, &err);
    cols[8] = lml_column_vector_from_dense(dense, n, 3, &err);
    cols[9] = lml_column_vector_from_csr(ip, idx, vals, n, 12, &err);
    free(off), free(data), free(valid), free(dense), free(vals), free(ip), free(idx);
    if (!cols[7] || !cols[8] || !cols[9]) die("columns", &err);
    nested_columns(n, cols + 10);
    narrow_columns(n, cols + 13);
    lml_frame *f = lml_frame_new(19, names, cols, &err);
    if (!f) die("frame", &err);
    for (int k = 0; k < 19; k++) lml_column_free(cols[k]);
    return f;
}

static void put_vector(FILE *out, const lml_column *c, size_t i) {
    size_t d = lml_column_vector_size(c);
    fputc('[', out);
    for (size_t j = 0; j < d; j++) {
        double v = 0;
        if (lml_column_vector_is_sparse(c)) {
            const int64_t *ip = lml_column_vector_indptr(c);
            for (int64_t k = ip[i]; k < ip[i + 1]; k++)
                if ((size_t)lml_column_vector_indices(c)[k] == j) v = lml_column_vector_values(c)[k];
        } else v = lml_column_vector_dense(c)[i * d + j];
        fprintf(out, "%s%.17g", j ? "," : "", v);
    }
    fputc(']', out);
}

/* xs as [int|null, ...], st as {"a": "<long>", "t": str|null}, mp as [{"key": k, "value": x|null}]. */
static void put_nested(FILE *out, const lml_column *c, size_t i) {
    if (lml_column_is_null(c, i)) { fputs("null", out); return; }
    if (lml_column_type(c) == LML_STRUCT) {
        const lml_column *a = lml_column_struct_field(c, "a"), *t = lml_column_struct_field(c, "t");
        fprintf(out, "{\"a\":\"%lld\",\"t\":", (long long)lml_column_get(a, i).v.i64);
        lml_value tv = lml_column_get(t, i);
        if (tv.is_null) fputs("null}", out);
        else fprintf(out, "\"%.*s\"}", (int)tv.v.str.len, tv.v.str.ptr);
        return;
    }
    const int32_t *off = lml_column_offsets(c);
    fputc('[', out);
    for (int32_t k = off[i]; k < off[i + 1]; k++) {
        if (k > off[i]) fputc(',', out);
        if (lml_column_type(c) == LML_LIST) {
            lml_value e = lml_column_get(lml_column_child(c, 0), (size_t)k);
            if (e.is_null) fputs("null", out);
            else fprintf(out, "%d", (int)e.v.i32);
            continue;
        }
        lml_value key = lml_column_get(lml_column_map_keys(c), (size_t)k);
        lml_value val = lml_column_get(lml_column_map_values(c), (size_t)k);
        fprintf(out, "{\"key\":\"%.*s\",\"value\":", (int)key.v.str.len, key.v.str.ptr);
        if (val.is_null) fputs("null}", out);
        else fprintf(out, "%.17g}", val.v.f64);
    }
    fputc(']', out);
}

static void write_expected(const lml_frame *f, const char *path) {
    FILE *out = fopen(path, "w");
    if (!out) { perror(path); exit(1); }
    for (size_t i = 0; i < lml_frame_num_rows(f); i++) {
        for (size_t c = 0; c < lml_frame_num_cols(f); c++) {
            const lml_column *col = lml_frame_column(f, c);
            fprintf(out, "%s\"%s\":", c ? "," : "{", lml_frame_column_name(f, c));
            lml_value v = lml_column_get(col, i);
            if (lml_column_type(col) == LML_VECTOR) { put_vector(out, col, i); continue; }
            lml_type ty = lml_column_type(col);
            if (ty == LML_LIST || ty == LML_STRUCT || ty == LML_MAP) { put_nested(out, col, i); continue; }
            if (v.is_null) { fputs("null", out); continue; }
            if (ty == LML_FLOAT || ty == LML_INT8 || ty == LML_INT16 || ty == LML_TIMESTAMP_NTZ || ty == LML_DECIMAL) {
                char buf[128];
                if (ty == LML_FLOAT) snprintf(buf, sizeof buf, "%.17g", lml_column_get_double(col, i));
                else if (ty == LML_TIMESTAMP_NTZ) snprintf(buf, sizeof buf, "%lld", (long long)v.v.i64);
                else if (ty == LML_DECIMAL) lml_format_value(col, i, buf, sizeof buf);
                else snprintf(buf, sizeof buf, "%d", (int)v.v.i32);
                fprintf(out, "\"%s\"", buf);
                continue;
            }
            if (v.is_null) { fputs("null", out); continue; }
            switch (v.type) {
            case LML_BOOL: fputs(v.v.b ? "true" : "false", out); break;
            case LML_INT32:
            case LML_DATE: fprintf(out, "%d", (int)v.v.i32); break;
            case LML_INT64:
            case LML_TIMESTAMP: fprintf(out, "\"%lld\"", (long long)v.v.i64); break;
            case LML_DOUBLE: fprintf(out, "\"%.17g\"", v.v.f64); break;
            case LML_STRING: fprintf(out, "\"%.*s\"", (int)v.v.str.len, v.v.str.ptr); break;
            default:
                fputc('"', out);
                for (size_t j = 0; j < v.v.str.len; j++) fprintf(out, "%02X", (unsigned char)v.v.str.ptr[j]);
                fputc('"', out);
            }
        }
        fputs("}\n", out);
    }
    fclose(out);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: write_files OUT_DIR [ROWS]\n"); return 2; }
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 30000;
    lml_frame *f = make_frame(n);
    static const struct { const char *name; lml_parquet_write_options o; } files[] = {
        {"uncompressed", {.codec = LML_PARQUET_UNCOMPRESSED}},
        {"snappy", {.codec = LML_PARQUET_SNAPPY}},
        {"gzip", {.codec = LML_PARQUET_GZIP}},
        {"zstd", {.codec = LML_PARQUET_ZSTD}},
        {"lz4_raw", {.codec = LML_PARQUET_LZ4_RAW}},
        {"plain", {.codec = LML_PARQUET_SNAPPY, .disable_dictionary = true}},
        {"small", {.codec = LML_PARQUET_ZSTD, .row_group_size = 100000, .page_size = 2000, .dictionary_page_size = 100}},
    };
    char path[4096];
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        lml_error err = {0};
        snprintf(path, sizeof path, "%s/%s.parquet", argv[1], files[k].name);
        if (!lml_parquet_write(f, path, &files[k].o, &err)) die(path, &err);
    }
    /* A Delta table of the same frame, partitioned by b and written by two commits: DuckDB reads
     * its data files with Hive partitioning (check.mjs). */
    snprintf(path, sizeof path, "%s/delta_table", argv[1]);
    for (int k = 0; k < 2; k++) {
        lml_error err = {0};
        lml_delta_write_options o = {.mode = k ? LML_DELTA_APPEND : LML_DELTA_ERROR_IF_EXISTS,
                                     .partition_by = (const char *[]){"b", NULL}};
        if (!lml_delta_write(f, path, &o, NULL, &err)) die(path, &err);
    }
    snprintf(path, sizeof path, "%s/expected.jsonl", argv[1]);
    write_expected(f, path);
    printf("wrote %zu files of %zu rows to %s\n", sizeof files / sizeof *files, n, argv[1]);
    lml_frame_free(f);
    return 0;
}
