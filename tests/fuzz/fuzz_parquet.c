/* libFuzzer target for the Parquet reader. The input is a whole file: it is written to a
 * per-process temporary file (the public API opens paths; the reader maps the file) and then
 * read every way a user can: the footer facts (fields, metadata, row groups, and the per-chunk
 * facts of lml_parquet_footer_read), every row group one at a time, the whole file with page
 * checksums skipped (so that mutated pages reach the decoders instead of stopping at a CRC
 * mismatch), and a read pruned by a predicate on the first field (statistics are input too).
 * Every cell of every frame read is formatted, so a bad offset or length shows up under ASan.
 * Errors are expected and ignored: only crashes, leaks, hangs and sanitizer reports count. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lakeml/lakeml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void check(const lml_frame *f)
{
    char buf[256];
    for (size_t c = 0; c < lml_frame_num_cols(f); c++) {
        const lml_column *col = lml_frame_column(f, c);
        if (lml_column_length(col) != lml_frame_num_rows(f))
            __builtin_trap();
        for (size_t r = 0; r < lml_column_length(col); r++)
            lml_format_value(col, r, buf, sizeof buf);
    }
}

static void footer_facts(void)
{
    lml_parquet_footer *ft = lml_parquet_footer_read(path, NULL);
    if (!ft)
        return;
    size_t n = 0;
    for (size_t g = 0; g < lml_parquet_footer_num_row_groups(ft); g++) {
        lml_parquet_row_group_info rg;
        if (!lml_parquet_footer_row_group(ft, g, &rg))
            __builtin_trap();
        for (size_t c = 0; c < rg.num_columns; c++) {
            lml_parquet_chunk_info ci;
            if (!lml_parquet_footer_chunk(ft, g, c, &ci))
                continue;
            /* Touch every string: they must be NUL-terminated and owned by the footer. */
            n += strlen(ci.path) + strlen(ci.physical_type) + strlen(ci.encodings) + strlen(ci.codec);
            n += ci.min ? strlen(ci.min) : 0;
            n += ci.max ? strlen(ci.max) : 0;
        }
    }
    lml_parquet_footer_free(ft);
    if (n == (size_t)-1)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/fuzz_parquet.%ld.parquet", (long)getpid());
        lml_set_num_threads(1);
        lml_log_set_level(LML_LOG_OFF);
    }
    FILE *out = fopen(path, "wb");
    if (!out)
        return 0;
    if (size && fwrite(data, 1, size, out) != size) {
        fclose(out);
        return 0;
    }
    if (fclose(out) != 0)
        return 0;

    footer_facts();
    lml_parquet_file *f = lml_parquet_open(path, NULL);
    /* The open file is mapped: the name can go now, so that a crash below leaves no file. */
    unlink(path);
    if (!f)
        return 0;
    lml_parquet_num_rows(f);
    lml_parquet_created_by(f);
    for (size_t i = 0; i < lml_parquet_num_metadata(f); i++) {
        const char *k, *v;
        lml_parquet_metadata_at(f, i, &k, &v);
    }
    for (size_t i = 0; i < lml_parquet_num_fields(f); i++)
        if (!lml_parquet_field_at(f, i))
            __builtin_trap();

    /* Every column of every row group, one row group at a time. */
    for (size_t g = 0; g < lml_parquet_num_row_groups(f); g++) {
        lml_frame *fr = lml_parquet_read_row_group(f, g, NULL, NULL);
        if (fr) {
            if ((int64_t)lml_frame_num_rows(fr) != lml_parquet_row_group_num_rows(f, g))
                __builtin_trap();
            check(fr);
        }
        lml_frame_free(fr);
    }
    /* The whole file, decoders reached even when a mutation broke a page CRC. */
    lml_parquet_read_options all = {.skip_checksums = true};
    lml_frame *fr = lml_parquet_file_read(f, &all, NULL);
    if (fr)
        check(fr);
    lml_frame_free(fr);

    /* Pruning on the first field's statistics, with an operator the input picks. */
    const lml_parquet_field *fd = lml_parquet_field_at(f, 0);
    if (fd && fd->supported) {
        lml_parquet_predicate p = {.column = fd->name, .op = (lml_parquet_op)(size % 7)};
        if (fd->type == LML_STRING)
            p.value = (lml_value){.type = LML_STRING, .v.str = {.ptr = "m", .len = 1}};
        else
            p.value = (lml_value){.type = LML_INT64, .v.i64 = (int64_t)(size % 100)};
        lml_parquet_read_options o = {.predicate = &p, .skip_checksums = true};
        fr = lml_parquet_file_read(f, &o, NULL);
        if (fr)
            check(fr);
        lml_frame_free(fr);
    }
    lml_parquet_close(f);
    return 0;
}
