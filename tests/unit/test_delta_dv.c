/* Deletion vectors (src/delta/dv.c, spec/delta.md §7): Z85, the spec's inline example, the paths
 * descriptors name, DV files (the spec's Spark example and the real files of two golden tables)
 * and damaged files that must fail cleanly. The RoaringBitmapArray format on its own (round
 * trips, hand-built and hostile bitmaps): test_delta_dv_bitmap.c. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delta/dv.h"
#include "delta_dv_support.h"
#include "support.h"

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    fwrite(p, 1, n, f);
    fclose(f);
}

/* ---- Z85 */

Test(delta_dv, z85_matches_the_zeromq_rfc_vector_both_ways)
{
    static const uint8_t in[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char s[11];
    lml_z85_encode(in, 8, s);
    cr_assert_str_eq(s, "HelloWorld");
    uint8_t back[8];
    lml_error err = {0};
    cr_assert(lml_z85_decode("HelloWorld", 10, back, &err), "%s", err.message);
    cr_assert_arr_eq(back, in, 8);
}

Test(delta_dv, z85_round_trips_every_byte_value)
{
    uint8_t in[256], back[256];
    char s[321];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)(i * 37 + 11);
    in[0] = in[1] = in[2] = in[3] = 0xFF; /* the largest group, "%nSc0" */
    lml_z85_encode(in, 256, s);
    cr_assert_eq(strlen(s), 320);
    cr_assert_eq(strncmp(s, "%nSc0", 5), 0, "0xFFFFFFFF encodes as %.5s", s);
    cr_assert(lml_z85_decode(s, 320, back, NULL));
    cr_assert_arr_eq(back, in, 256);
}

Test(delta_dv, z85_rejects_bad_characters_overflowing_groups_and_odd_lengths)
{
    uint8_t out[8];
    lml_error err = {0};
    cr_assert_not(lml_z85_decode("Hello~orld", 10, out, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "position 5"), "%s", err.message);
    cr_assert_not(lml_z85_decode("#####", 5, out, &err)); /* 85^5 - 1 > 2^32 - 1 */
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_not(lml_z85_decode("%nSc1", 5, out, &err)); /* 0xFFFFFFFF + 1 */
    cr_assert_not(lml_z85_decode("Hell", 4, out, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_not(lml_z85_decode("Hel\0o", 5, out, &err));
}

/* ---- the spec's inline example (§7.3); its bitmap bytes are lml_test_dv_inline_hex */

static const char *inline_z85 = "^Bg9^0rr910000000000iXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L";
static const uint64_t inline_rows[6] = {3, 4, 7, 11, 18, 29};

Test(delta_dv, spec_inline_example_decodes_to_its_bytes_and_rows)
{
    uint8_t want[64], got[64];
    size_t n = lml_test_dv_unhex(lml_test_dv_inline_hex, want);
    cr_assert_eq(n, 44);
    cr_assert_eq(strlen(inline_z85), 55);
    cr_assert(lml_z85_decode(inline_z85, 55, got, NULL));
    cr_assert_arr_eq(got, want, 44);

    lml_dv_rows r;
    lml_error err = {0};
    cr_assert(lml_dv_bitmap_decode(want, 44, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 6);
    cr_assert_arr_eq(r.rows, inline_rows, sizeof inline_rows);
    lml_dv_rows_clear(&r);

    lml_dv_descriptor d = {.storage_type = 'i', .path_or_inline = inline_z85, .size_in_bytes = 44, .cardinality = 6};
    cr_assert(lml_dv_load(&lml_test_dv_storage, "/nonexistent", &d, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 6);
    cr_assert_arr_eq(r.rows, inline_rows, sizeof inline_rows);
    lml_dv_rows_clear(&r);
    lml_dv_rows_clear(&r); /* clearing twice is harmless */
}

Test(delta_dv, encoding_the_inline_example_rows_gives_the_spec_bytes_and_string)
{
    uint8_t want[64];
    lml_test_dv_unhex(lml_test_dv_inline_hex, want);
    uint8_t *buf;
    size_t len;
    lml_error err = {0};
    cr_assert(lml_dv_bitmap_encode(inline_rows, 6, &buf, &len, &err), "%s", err.message);
    cr_assert_eq(len, 44);
    cr_assert_arr_eq(buf, want, 44);
    uint8_t padded[48] = {0};
    memcpy(padded, buf, 44);
    char s[61];
    lml_z85_encode(padded, 44, s); /* 44 is a multiple of 4: no padding needed */
    cr_assert_str_eq(s, inline_z85);
    free(buf);
}

Test(delta_dv, inline_descriptor_with_wrong_cardinality_or_size_is_an_error)
{
    lml_dv_rows r;
    lml_error err = {0};
    lml_dv_descriptor d = {.storage_type = 'i', .path_or_inline = inline_z85, .size_in_bytes = 44, .cardinality = 5};
    cr_assert_not(lml_dv_load(&lml_test_dv_storage, "/t", &d, &r, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "cardinality"), "%s", err.message);
    cr_assert_null(r.rows);
    d.cardinality = 6;
    d.size_in_bytes = 40; /* cuts the last two values off: trailing structure missing */
    cr_assert_not(lml_dv_load(&lml_test_dv_storage, "/t", &d, &r, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    d.size_in_bytes = 60; /* more than 55 characters can hold */
    cr_assert_not(lml_dv_load(&lml_test_dv_storage, "/t", &d, &r, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
}

/* ---- paths (§7.1) */

Test(delta_dv, uuid_descriptor_names_the_prefixed_file_of_the_spec_example)
{
    lml_dv_descriptor d = {.storage_type = 'u', .path_or_inline = "ab^-aqEH.-t@S}K{vb[*k^"};
    lml_error err = {0};
    char *p = lml_dv_file_path("/data/t", &d, &err);
    cr_assert_not_null(p, "%s", err.message);
    cr_assert_str_eq(p, "/data/t/ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
    free(p);
    d.path_or_inline = "^-aqEH.-t@S}K{vb[*k^"; /* no prefix: no subdirectory */
    p = lml_dv_file_path("/data/t/", &d, &err);
    cr_assert_str_eq(p, "/data/t/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
    free(p);
}

Test(delta_dv, absolute_descriptor_paths_are_uri_decoded_and_other_types_refused)
{
    lml_error err = {0};
    lml_dv_descriptor d = {.storage_type = 'p', .path_or_inline = "file:///tmp/a%20b/deletion_vector_x.bin"};
    char *p = lml_dv_file_path("/t", &d, &err);
    cr_assert_str_eq(p, "/tmp/a b/deletion_vector_x.bin");
    free(p);
    d.path_or_inline = "file:/tmp/c%3Dd.bin";
    p = lml_dv_file_path("/t", &d, &err);
    cr_assert_str_eq(p, "/tmp/c=d.bin");
    free(p);
    d.path_or_inline = "s3://bucket/dv.bin";
    cr_assert_null(lml_dv_file_path("/t", &d, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    d.path_or_inline = "file:///tmp/bad%zz";
    cr_assert_null(lml_dv_file_path("/t", &d, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    d.storage_type = 'r';
    d.path_or_inline = "ab^-aqEH.-t@S}K{vb[*k^";
    cr_assert_null(lml_dv_file_path("/t", &d, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "'r'"), "%s", err.message);
    lml_dv_rows r;
    cr_assert_not(lml_dv_load(&lml_test_dv_storage, "/t", &d, &r, &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
}

Test(delta_dv, uuid_descriptors_that_are_short_bad_z85_or_climb_out_are_refused)
{
    lml_error err = {0};
    const char *bad[] = {"aqEH.-t@S}K{vb[*k^", "ab^-aqEH.-t@S}K{vb[*k~", "../^-aqEH.-t@S}K{vb[*k^",
                         "../^-aqEH.-t@S}K{vb[*k^", "..^-aqEH.-t@S}K{vb[*k^", "#####^-aqEH.-t@S}K{vb"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lml_dv_descriptor d = {.storage_type = 'u', .path_or_inline = bad[i]};
        cr_assert_null(lml_dv_file_path("/t", &d, &err), "%s accepted", bad[i]);
        cr_assert_eq(err.code, LML_EFORMAT, "%s: %s", bad[i], err.message);
    }
}

/* ---- DV files (§7.4) */

static const char *spark_file_hex =
    "01 | 00000022 | d1d33964 0100000000000000 00000000 3a300000 01000000 0000 0000 10000000 0000 | f7a6b4b5";

Test(delta_dv, spark_dv_file_example_loads_through_u_and_p_descriptors)
{
    uint8_t bytes[64];
    size_t n = lml_test_dv_unhex(spark_file_hex, bytes);
    cr_assert_eq(n, 43);
    const char *dir = lml_test_temp_dir();
    char path[600], uri[620];
    snprintf(path, sizeof path, "%s/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin", dir);
    write_file(path, bytes, n);

    lml_dv_rows r;
    lml_error err = {0};
    lml_dv_descriptor d = {.storage_type = 'u', .path_or_inline = "^-aqEH.-t@S}K{vb[*k^", .has_offset = true,
                           .offset = 1, .size_in_bytes = 34, .cardinality = 1};
    cr_assert(lml_dv_load(&lml_test_dv_storage, dir, &d, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.rows[0], 0);
    lml_dv_rows_clear(&r);

    snprintf(uri, sizeof uri, "file://%s", path);
    d.storage_type = 'p';
    d.path_or_inline = uri;
    d.has_offset = false; /* absent offset: the DV right after the version byte */
    cr_assert(lml_dv_load(&lml_test_dv_storage, "/elsewhere", &d, &r, &err), "%s", err.message);
    cr_assert_eq(r.n, 1);
    lml_dv_rows_clear(&r);
    remove(path);
    rmdir(dir);
}

static lml_errcode load_mutated(const uint8_t *bytes, size_t n, int64_t offset, int64_t size, int64_t card,
                                lml_error *err)
{
    const char *dir = lml_test_temp_dir();
    char path[600];
    snprintf(path, sizeof path, "%s/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin", dir);
    write_file(path, bytes, n);
    lml_dv_descriptor d = {.storage_type = 'u', .path_or_inline = "^-aqEH.-t@S}K{vb[*k^", .has_offset = true,
                           .offset = offset, .size_in_bytes = size, .cardinality = card};
    lml_dv_rows r = {0};
    bool ok = lml_dv_load(&lml_test_dv_storage, dir, &d, &r, err);
    cr_assert_null(r.rows);
    remove(path);
    rmdir(dir);
    return ok ? LML_OK : err->code;
}

Test(delta_dv, damaged_dv_files_fail_with_clean_errors_naming_the_file)
{
    uint8_t good[64], b[64];
    size_t n = lml_test_dv_unhex(spark_file_hex, good);
    lml_error err = {0};

    memcpy(b, good, n);
    b[42] ^= 1; /* CRC */
    cr_assert_eq(load_mutated(b, n, 1, 34, 1, &err), LML_EFORMAT);
    cr_assert(strstr(err.message, "CRC") && strstr(err.message, "deletion_vector_d2c639aa"), "%s", err.message);

    memcpy(b, good, n);
    b[0] = 2; /* version */
    cr_assert_eq(load_mutated(b, n, 1, 34, 1, &err), LML_EFORMAT);
    cr_assert(strstr(err.message, "version"), "%s", err.message);

    cr_assert_eq(load_mutated(good, n, 1, 30, 1, &err), LML_EFORMAT); /* size field != sizeInBytes */
    cr_assert(strstr(err.message, "sizeInBytes"), "%s", err.message);
    cr_assert_eq(load_mutated(good, n, 1, 34, 2, &err), LML_EFORMAT); /* cardinality */
    cr_assert_eq(load_mutated(good, n, 0, 34, 1, &err), LML_EFORMAT); /* offset on the version byte */
    cr_assert_eq(load_mutated(good, n, 40, 34, 1, &err), LML_EFORMAT);
    cr_assert_eq(load_mutated(good, n, INT64_MAX, 34, 1, &err), LML_EFORMAT);
    cr_assert_eq(load_mutated(good, n, 1, -1, 1, &err), LML_EFORMAT);
    for (size_t cut = 0; cut < n; cut++)
        cr_assert_eq(load_mutated(good, cut, 1, 34, 1, &err), LML_EFORMAT, "cut at %zu: %s", cut, err.message);

    memcpy(b, good, n); /* a lying size field, consistent with the descriptor */
    b[1] = 0x7f;
    cr_assert_eq(load_mutated(b, n, 1, 0x7f000022, 1, &err), LML_EFORMAT);

    lml_dv_descriptor d = {.storage_type = 'u', .path_or_inline = "^-aqEH.-t@S}K{vb[*k^", .has_offset = true,
                           .offset = 1, .size_in_bytes = 34, .cardinality = 1};
    lml_dv_rows r;
    cr_assert_not(lml_dv_load(&lml_test_dv_storage, "/nonexistent-dir", &d, &r, &err));
    cr_assert_eq(err.code, LML_ENOTFOUND);
}

/* ---- real DV files written by Spark (golden tables) */
static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Loads every deletionVector of every add/remove in the table's JSON commits; checks each against
 * its cardinality and its file's numRecords. Returns how many were loaded; `check` sees each. */
static size_t load_all_dvs(const char *table, void (*check)(const lml_dv_descriptor *, const lml_dv_rows *))
{
    char logdir[1024];
    snprintf(logdir, sizeof logdir, "%s/_delta_log", table);
    DIR *dir = opendir(logdir);
    cr_assert_not_null(dir, "%s", logdir);
    char *names[256];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && nn < 256) {
        size_t l = strlen(e->d_name);
        if (l == 25 && strcmp(e->d_name + 20, ".json") == 0)
            names[nn++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, nn, sizeof *names, cmp_names);
    size_t loaded = 0;
    for (size_t f = 0; f < nn; f++) {
        char path[1300];
        snprintf(path, sizeof path, "%s/%s", logdir, names[f]);
        char *text = lml_test_slurp(path);
        cr_assert_not_null(text, "cannot read %s", path);
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
            cJSON *j = cJSON_Parse(line);
            cr_assert_not_null(j, "%s: bad JSON line", path);
            cJSON *act = cJSON_GetObjectItem(j, "add");
            if (!act)
                act = cJSON_GetObjectItem(j, "remove");
            cJSON *dv = act ? cJSON_GetObjectItem(act, "deletionVector") : NULL;
            if (dv && cJSON_IsObject(dv)) {
                cJSON *off = cJSON_GetObjectItem(dv, "offset");
                lml_dv_descriptor d = {
                    .storage_type = cJSON_GetStringValue(cJSON_GetObjectItem(dv, "storageType"))[0],
                    .path_or_inline = cJSON_GetStringValue(cJSON_GetObjectItem(dv, "pathOrInlineDv")),
                    .has_offset = off != NULL,
                    .offset = off ? (int64_t)off->valuedouble : 0,
                    .size_in_bytes = (int64_t)cJSON_GetObjectItem(dv, "sizeInBytes")->valuedouble,
                    .cardinality = (int64_t)cJSON_GetObjectItem(dv, "cardinality")->valuedouble};
                lml_dv_rows r;
                lml_error err = {0};
                cr_assert(lml_dv_load(&lml_test_dv_storage, table, &d, &r, &err), "%s: %s", names[f], err.message);
                cr_assert_eq((int64_t)r.n, d.cardinality);
                cJSON *stats = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(act, "stats")));
                cJSON *nrec = stats ? cJSON_GetObjectItem(stats, "numRecords") : NULL;
                if (nrec) /* some removes carry no stats */
                    cr_assert_lt(r.rows[r.n - 1], (uint64_t)nrec->valuedouble, "deleted row beyond the file");
                cJSON_Delete(stats);
                if (check)
                    check(&d, &r);
                lml_dv_rows_clear(&r);
                loaded++;
            }
            cJSON_Delete(j);
        }
        free(text);
        free(names[f]);
    }
    return loaded;
}

static void check_key_cases(const lml_dv_descriptor *d, const lml_dv_rows *r)
{
    /* The table deletes id 0, then 7, then 14 (ids equal row positions: one file, ids 0..49). */
    static const uint64_t want[3] = {0, 7, 14};
    cr_assert(d->cardinality >= 1 && d->cardinality <= 3);
    cr_assert_arr_eq(r->rows, want, (size_t)d->cardinality * sizeof *want);
    cr_assert_eq(d->size_in_bytes, 32 + 2 * d->cardinality);
}

Test(delta_dv, golden_log_replay_dv_key_cases_dvs_load_with_their_cardinality)
{
    LML_REQUIRE_SHARED(table, "conformance/delta/golden/log-replay-dv-key-cases");
    cr_assert_eq(load_all_dvs(table, check_key_cases), 5); /* 3 adds and 2 removes carry DVs */
}

Test(delta_dv, golden_dv_partitioned_with_checkpoint_dvs_load_with_their_cardinality)
{
    LML_REQUIRE_SHARED(table, "conformance/delta/golden/dv-partitioned-with-checkpoint");
    size_t n = load_all_dvs(table, NULL);
    cr_assert_eq(n, 18, "%zu DVs found in the JSON commits (commits 0..15 carry 18)", n);
}
