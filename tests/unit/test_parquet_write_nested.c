/* lml_parquet_write, columns with more than one leaf: ML vectors shredded as Spark's VectorUDT,
 * array, struct and map columns shredded as Spark writes them (schema, levels, values), their
 * round trips through lml_parquet_read, and nested shapes Parquet cannot hold. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/parquet/codec.h"
#include "io/parquet/encoding.h"
#include "io/parquet/meta.h"
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"
#include "pq_support.h"
#include "support.h"

/* ---------------------------------------------------------------- vectors */

Test(parquet_write, vectors_are_written_as_spark_vector_udt) {
    lml_error err = {0};
    lml_column *cols[2];
    cols[0] = lml_column_vector_from_dense((double[]){0.5, 1.5, 2.5, 3.5}, 2, 2, &err);
    cols[1] = lml_column_vector_from_csr((int64_t[]){0, 2, 2}, (int32_t[]){1, 3}, (double[]){2.0, 4.0}, 2, 5, &err);
    cr_assert(cols[0] && cols[1], "%s", err.message);
    lml_frame *fr = lml_frame_new(2, (const char *[]){"dense", "sparse"}, cols, &err);
    lml_column_free(cols[0]);
    lml_column_free(cols[1]);
    const char *path = lml_test_pq_tmp_path("vec.parquet");
    lml_test_pq_write_ok(fr, path, &lml_test_pq_plain_uncompressed);
    lml_test_pq_file f = lml_test_pq_load(path);
    lml_pq_file_meta *m = &f.meta;
    cr_assert_eq(m->num_schema, 19);
    const char *shape[9] = {"dense", "type", "size", "indices", "list", "element", "values", "list", "element"};
    for (int k = 0; k < 9; k++) cr_assert_str_eq(m->schema[1 + k].name, shape[k]);
    cr_assert(m->schema[2].repetition == LML_PQ_REQUIRED && m->schema[2].converted_type == LML_PQ_CT_INT_8);
    cr_assert(m->schema[2].logical.kind == LML_PQ_LT_INTEGER && m->schema[2].logical.bit_width == 8);
    cr_assert(m->schema[4].converted_type == LML_PQ_CT_LIST && m->schema[5].repetition == LML_PQ_REPEATED);
    cr_assert(m->schema[9].type == LML_PQ_DOUBLE && m->schema[9].repetition == LML_PQ_REQUIRED);
    cr_assert(strstr(m->kv[0].value, "\"class\":\"org.apache.spark.ml.linalg.VectorUDT\""));
    lml_pq_row_group *rg = &m->row_groups[0];
    cr_assert_eq(rg->num_columns, 8);
    lml_pq_column_meta *vals = &rg->columns[3].meta;
    cr_assert_eq(vals->path_len, 4);
    cr_assert_str_eq(vals->path_in_schema[1], "values");
    cr_assert_str_eq(vals->path_in_schema[3], "element");
    cr_assert_eq(vals->num_values, 4);
    /* dense.values: rep 0,1,0,1; def 3 ×4; values 0.5 1.5 2.5 3.5. */
    lml_pq_page_header h;
    size_t next;
    uint8_t *body = lml_test_pq_page_at(&f, (size_t)vals->data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    uint32_t rep[4], def[4];
    size_t at = lml_test_pq_levels(body, 1, rep, 4);
    at += lml_test_pq_levels(body + at, 3, def, 4);
    for (int i = 0; i < 4; i++) cr_assert(rep[i] == (uint32_t)(i & 1) && def[i] == 3);
    double d[4];
    memcpy(d, body + at, 32);
    cr_assert(d[0] == 0.5 && d[1] == 1.5 && d[2] == 2.5 && d[3] == 3.5);
    free(body);
    lml_pq_page_header_clear(&h);
    /* sparse.indices: row 0 {1, 3} → (0,3)(1,3); row 1 empty → (0,2); values 1, 3. */
    lml_pq_column_meta *ind = &rg->columns[6].meta;
    cr_assert_eq(ind->num_values, 3);
    body = lml_test_pq_page_at(&f, (size_t)ind->data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    at = lml_test_pq_levels(body, 1, rep, 3);
    at += lml_test_pq_levels(body + at, 3, def, 3);
    cr_assert(rep[0] == 0 && rep[1] == 1 && rep[2] == 0 && def[0] == 3 && def[1] == 3 && def[2] == 2);
    cr_assert(memcmp(body + at, "\x01\0\0\0\x03\0\0\0", 8) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    /* sparse.size: def 2 for both rows, value 5 twice; sparse.type: 0 twice. */
    lml_pq_column_meta *size = &rg->columns[5].meta;
    body = lml_test_pq_page_at(&f, (size_t)size->data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    at = lml_test_pq_levels(body, 2, def, 2);
    cr_assert(def[0] == 2 && def[1] == 2);
    cr_assert(memcmp(body + at, "\x05\0\0\0\x05\0\0\0", 8) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    lml_test_pq_unload(&f);
    lml_frame_free(fr);
}

/* A vector column against its VectorUDT struct form {type, size, indices, values}. */
static void assert_vector_struct(const lml_column *vec, const lml_column *st) {
    cr_assert_eq(lml_column_type(st), LML_STRUCT);
    const lml_column *type = lml_column_struct_field(st, "type"), *size = lml_column_struct_field(st, "size");
    const lml_column *ind = lml_column_struct_field(st, "indices"), *val = lml_column_struct_field(st, "values");
    cr_assert(type && size && ind && val);
    const lml_column *ie = lml_column_child(ind, 0), *ve = lml_column_child(val, 0);
    const int32_t *io = lml_column_offsets(ind), *vo = lml_column_offsets(val);
    bool sparse = lml_column_vector_is_sparse(vec);
    size_t d = lml_column_vector_size(vec);
    for (size_t i = 0; i < lml_column_length(vec); i++) {
        cr_assert(!lml_column_is_null(st, i));
        cr_assert_eq(lml_column_get_double(type, i), sparse ? 0 : 1, "row %zu", i);
        if (!sparse) {
            cr_assert(lml_column_is_null(size, i) && lml_column_is_null(ind, i));
            cr_assert_eq((size_t)(vo[i + 1] - vo[i]), d);
            for (size_t j = 0; j < d; j++)
                cr_assert_eq(lml_column_get_double(ve, (size_t)vo[i] + j), lml_column_vector_dense(vec)[i * d + j]);
            continue;
        }
        cr_assert_eq(lml_column_get_double(size, i), (double)d);
        const int64_t *ip = lml_column_vector_indptr(vec);
        cr_assert_eq(io[i + 1] - io[i], ip[i + 1] - ip[i], "row %zu", i);
        cr_assert_eq(vo[i + 1] - vo[i], ip[i + 1] - ip[i]);
        for (int64_t k = 0; k < ip[i + 1] - ip[i]; k++) {
            cr_assert_eq(lml_column_get_double(ie, (size_t)(io[i] + k)), lml_column_vector_indices(vec)[ip[i] + k]);
            cr_assert_eq(lml_column_get_double(ve, (size_t)(vo[i] + k)), lml_column_vector_values(vec)[ip[i] + k]);
        }
    }
}

Test(parquet_write, vectors_round_trip) {
    lml_error err = {0};
    enum { N = 300 };
    double *dense = malloc(N * 3 * sizeof *dense);
    for (int i = 0; i < N * 3; i++) dense[i] = i * 0.25 - 7;
    int64_t ip[N + 1];
    int32_t idx[N * 2];
    double vals[N * 2];
    ip[0] = 0;
    for (int i = 0, k = 0; i < N; i++) {
        if (i % 3) idx[k] = i % 7, vals[k++] = i;
        if (i % 2) idx[k] = 7 + i % 5, vals[k++] = -i;
        ip[i + 1] = k;
    }
    lml_column *cols[2] = {lml_column_vector_from_dense(dense, N, 3, &err),
                           lml_column_vector_from_csr(ip, idx, vals, N, 12, &err)};
    free(dense);
    cr_assert(cols[0] && cols[1], "%s", err.message);
    lml_frame *fr = lml_frame_new(2, (const char *[]){"features", "sp"}, cols, &err);
    lml_column_free(cols[0]), lml_column_free(cols[1]);
    const char *path = lml_test_pq_tmp_path("vecrt.parquet");
    lml_test_pq_write_ok(fr, path, NULL);
    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    if (lml_column_type(lml_frame_column(back, 0)) == LML_VECTOR) lml_test_assert_frames_equal(fr, back);
    else /* a reader without VectorUDT mapping returns Spark's sqlType struct: check it field by field */
        for (size_t c = 0; c < 2; c++) assert_vector_struct(lml_frame_column(fr, c), lml_frame_column(back, c));
    lml_frame_free(back);
    lml_frame_free(fr);
}

/* ---------------------------------------------------------------- nested columns */

Test(parquet_write, list_column_is_shredded_as_spark_three_level_list) {
    lml_error err = {0};
    /* rows: null, [], [1, null, 2], [4] (spec §5.3) */
    lml_column *elems = lml_column_from_int32s((int32_t[]){1, 0, 2, 4}, (uint8_t[]){0xd}, 4, &err);
    lml_column *list = lml_column_list_new((int32_t[]){0, 0, 0, 3, 4}, (uint8_t[]){0xe}, 4, elems, &err);
    cr_assert(list, "%s", err.message);
    lml_column_free(elems);
    lml_frame *fr = lml_test_frame1("xs", list);
    const char *path = lml_test_pq_tmp_path("list.parquet");
    lml_test_pq_write_ok(fr, path, &lml_test_pq_plain_uncompressed);
    lml_test_pq_file f = lml_test_pq_load(path);
    lml_pq_file_meta *m = &f.meta;
    cr_assert_eq(m->num_schema, 4);
    cr_assert(m->schema[1].converted_type == LML_PQ_CT_LIST && m->schema[1].logical.kind == LML_PQ_LT_LIST);
    cr_assert(m->schema[1].repetition == LML_PQ_OPTIONAL);
    cr_assert_str_eq(m->schema[2].name, "list");
    cr_assert_eq(m->schema[2].repetition, LML_PQ_REPEATED);
    cr_assert_str_eq(m->schema[3].name, "element");
    cr_assert(m->schema[3].repetition == LML_PQ_OPTIONAL && m->schema[3].type == LML_PQ_INT32);
    cr_assert(strstr(m->kv[0].value, "\"type\":{\"type\":\"array\",\"elementType\":\"integer\",\"containsNull\":true}"));
    lml_pq_column_meta *cm = &m->row_groups[0].columns[0].meta;
    cr_assert_eq(cm->path_len, 3);
    cr_assert_str_eq(cm->path_in_schema[2], "element");
    cr_assert_eq(cm->num_values, 6);
    cr_assert_eq(cm->statistics.null_count, 3, "null list, empty list and null element hold no value");
    lml_pq_page_header h;
    size_t next;
    uint8_t *body = lml_test_pq_page_at(&f, (size_t)cm->data_page_offset, LML_PQ_UNCOMPRESSED, &h, &next);
    uint32_t rep[6], def[6];
    size_t at = lml_test_pq_levels(body, 1, rep, 6);
    at += lml_test_pq_levels(body + at, 3, def, 6);
    uint32_t want_r[6] = {0, 0, 0, 1, 1, 0}, want_d[6] = {0, 1, 3, 2, 3, 3};
    for (int i = 0; i < 6; i++) cr_assert(rep[i] == want_r[i] && def[i] == want_d[i], "entry %d: (%u,%u)", i, rep[i], def[i]);
    cr_assert(memcmp(body + at, "\x01\0\0\0\x02\0\0\0\x04\0\0\0", 12) == 0);
    free(body);
    lml_pq_page_header_clear(&h);
    lml_test_pq_unload(&f);
    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    const lml_column *b = lml_frame_column(back, 0);
    cr_assert_eq(lml_column_type(b), LML_LIST);
    cr_assert(lml_column_is_null(b, 0) && !lml_column_is_null(b, 1));
    const int32_t *o = lml_column_offsets(b);
    cr_assert(o[1] - o[0] == 0 && o[2] - o[1] == 0 && o[3] - o[2] == 3 && o[4] - o[3] == 1);
    const lml_column *e = lml_column_child(b, 0);
    cr_assert(lml_column_get(e, (size_t)o[2]).v.i32 == 1 && lml_column_is_null(e, (size_t)o[2] + 1));
    cr_assert(lml_column_get(e, (size_t)o[2] + 2).v.i32 == 2 && lml_column_get(e, (size_t)o[3]).v.i32 == 4);
    lml_frame_free(back);
    lml_frame_free(fr);
}

Test(parquet_write, struct_and_map_columns_round_trip) {
    lml_error err = {0};
    enum { N = 500 };
    /* struct<a: long, t: string> with null rows; map<string, double> with null, empty and null values. */
    int64_t av[N];
    const char *tv[N];
    char tb[N][8];
    uint8_t sv[(N + 7) / 8] = {0}, mv[(N + 7) / 8] = {0};
    for (int i = 0; i < N; i++) {
        av[i] = (int64_t)i * 1000003;
        snprintf(tb[i], 8, "t%d", i % 13);
        tv[i] = i % 4 == 1 ? NULL : tb[i];
        if (i % 5) sv[i / 8] |= (uint8_t)(1u << (i % 8));
        if (i % 7) mv[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    lml_column *a = lml_column_from_int64s(av, NULL, N, &err), *t = lml_column_from_strings(tv, N, &err);
    lml_column *st = lml_column_struct_new(N, 2, (const char *[]){"a", "t"}, (lml_column *[]){a, t}, sv, &err);
    cr_assert(st, "%s", err.message);
    int32_t off[N + 1];
    const char *keys[3 * N];
    double vals[3 * N];
    uint8_t vvalid[(3 * N + 7) / 8] = {0};
    off[0] = 0;
    int k = 0;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i % 4; j++, k++) {
            keys[k] = tb[(i + j) % N];
            vals[k] = i + j * 0.5;
            if ((i + j) % 3) vvalid[k / 8] |= (uint8_t)(1u << (k % 8));
        }
        off[i + 1] = k;
    }
    lml_column *kc = lml_column_from_strings(keys, (size_t)k, &err), *vc = lml_column_from_doubles(vals, vvalid, (size_t)k, &err);
    lml_column *mp = lml_column_map_new(off, mv, N, kc, vc, &err);
    cr_assert(mp, "%s", err.message);
    lml_column *cols[2] = {st, mp};
    lml_frame *fr = lml_frame_new(2, (const char *[]){"s", "m"}, cols, &err);
    cr_assert(fr, "%s", err.message);
    lml_column_free(a), lml_column_free(t), lml_column_free(st), lml_column_free(kc), lml_column_free(vc), lml_column_free(mp);
    const char *path = lml_test_pq_tmp_path("nested.parquet");
    lml_test_pq_write_ok(fr, path, &(lml_parquet_write_options){.page_row_limit = 64});
    lml_test_pq_file f = lml_test_pq_load(path);
    cr_assert_eq(f.meta.num_schema, 1 + 3 + 4);
    cr_assert_str_eq(f.meta.schema[5].name, "key_value");
    cr_assert(f.meta.schema[4].converted_type == LML_PQ_CT_MAP && f.meta.schema[4].logical.kind == LML_PQ_LT_MAP);
    cr_assert(f.meta.schema[6].repetition == LML_PQ_REQUIRED && f.meta.schema[7].repetition == LML_PQ_OPTIONAL);
    cr_assert(strstr(f.meta.kv[0].value, "{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":\"double\",\"valueContainsNull\":true}"));
    cr_assert(strstr(f.meta.kv[0].value, "{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\""));
    cr_assert_eq(f.meta.row_groups[0].num_columns, 4);
    lml_test_pq_unload(&f);
    lml_frame *back = lml_parquet_read(path, NULL, &err);
    cr_assert(back, "%s", err.message);
    const lml_column *bs = lml_frame_column(back, 0), *bm = lml_frame_column(back, 1);
    cr_assert_eq(lml_column_type(bs), LML_STRUCT);
    cr_assert_eq(lml_column_type(bm), LML_MAP);
    const lml_column *ba = lml_column_struct_field(bs, "a"), *bt = lml_column_struct_field(bs, "t");
    const lml_column *bk = lml_column_map_keys(bm), *bv = lml_column_map_values(bm);
    const int32_t *bo = lml_column_offsets(bm);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(lml_column_is_null(bs, (size_t)i), i % 5 == 0, "struct row %d", i);
        if (i % 5) {
            cr_assert_eq(lml_column_get(ba, (size_t)i).v.i64, av[i]);
            cr_assert_eq(lml_column_is_null(bt, (size_t)i), tv[i] == NULL);
            if (tv[i]) cr_assert(strncmp(lml_column_get(bt, (size_t)i).v.str.ptr, tv[i], strlen(tv[i])) == 0);
        }
        cr_assert_eq(lml_column_is_null(bm, (size_t)i), i % 7 == 0, "map row %d", i);
        if (i % 7 == 0) continue;
        cr_assert_eq(bo[i + 1] - bo[i], off[i + 1] - off[i], "map row %d", i);
        for (int j = 0; j < off[i + 1] - off[i]; j++) {
            size_t x = (size_t)(bo[i] + j), y = (size_t)(off[i] + j);
            lml_value kv = lml_column_get(bk, x);
            cr_assert(kv.v.str.len == strlen(keys[y]) && memcmp(kv.v.str.ptr, keys[y], kv.v.str.len) == 0);
            bool null = !((vvalid[y / 8] >> (y % 8)) & 1);
            cr_assert_eq(lml_column_is_null(bv, x), null, "map row %d entry %d", i, j);
            if (!null) cr_assert_eq(lml_column_get(bv, x).v.f64, vals[y]);
        }
    }
    lml_frame_free(back);
    lml_frame_free(fr);
}

Test(parquet_write, unwritable_nested_shapes_fail_before_any_file) {
    lml_error err = {0};
    lml_column *empty = lml_column_struct_new(2, 0, NULL, NULL, NULL, &err);
    cr_assert(empty, "%s", err.message);
    lml_frame *fr = lml_test_frame1("e", empty);
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s", lml_test_temp_dir());
    snprintf(path, sizeof path, "%s/e.parquet", dir);
    cr_assert(!lml_parquet_write(fr, path, NULL, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "'e'"), "%s", err.message);
    cr_assert_eq(lml_test_dir_entries(dir), 0);
    lml_frame_free(fr);
}
