/* `lakeml schema --parquet-meta FILE`: the footer facts of a Parquet file, one line per row group
 * and per column chunk, as key=value pairs so that scripts can grep them:
 *
 *   file: data.parquet
 *   created_by: parquet-mr version 1.13.1 (build …)
 *   num_rows: 8
 *   num_row_groups: 1
 *   row group 0: rows=8 total_byte_size=671 compressed_size=-
 *       id: type=INT32 encodings=PLAIN,RLE codec=SNAPPY values=8 compressed=73 uncompressed=73 min=0 max=7 null_count=0
 */
#include "cli.h"

#include <string.h>

static void print_chunk(FILE *out, const lml_parquet_chunk_info *c)
{
    fprintf(out, "    %s: type=%s encodings=%s codec=%s values=%lld compressed=%lld uncompressed=%lld", c->path,
            c->physical_type, c->encodings[0] ? c->encodings : "-", c->codec, (long long)c->num_values,
            (long long)c->compressed_size, (long long)c->uncompressed_size);
    if (c->min)
        fprintf(out, " min=%s", c->min);
    if (c->max)
        fprintf(out, " max=%s", c->max);
    if (c->has_null_count)
        fprintf(out, " null_count=%lld", (long long)c->null_count);
    fputc('\n', out);
}

bool cli_print_parquet_meta(const char *path, FILE *out, lml_error *err)
{
    /* Opening checks the schema as a read would; the footer facts come from a second, plain
     * decoding of the footer. */
    lml_parquet_file *f = lml_parquet_open(path, err);
    if (!f)
        return false;
    lml_parquet_footer *ft = lml_parquet_footer_read(path, err);
    if (!ft) {
        lml_parquet_close(f);
        return false;
    }
    const char *by = lml_parquet_created_by(f);
    fprintf(out, "file: %s\ncreated_by: %s\nnum_rows: %lld\nnum_row_groups: %zu\n", path, by ? by : "-",
            (long long)lml_parquet_num_rows(f), lml_parquet_footer_num_row_groups(ft));
    /* Values can be long (Spark's schema JSON): their size says enough here. */
    for (size_t i = 0; i < lml_parquet_num_metadata(f); i++) {
        const char *key = NULL, *value = NULL;
        lml_parquet_metadata_at(f, i, &key, &value);
        if (value)
            fprintf(out, "metadata: %s (%zu bytes)\n", key ? key : "", strlen(value));
        else
            fprintf(out, "metadata: %s (no value)\n", key ? key : "");
    }
    for (size_t g = 0; g < lml_parquet_footer_num_row_groups(ft); g++) {
        lml_parquet_row_group_info rg;
        lml_parquet_footer_row_group(ft, g, &rg);
        fprintf(out, "row group %zu: rows=%lld total_byte_size=%lld compressed_size=", g, (long long)rg.num_rows,
                (long long)rg.total_byte_size);
        if (rg.total_compressed_size >= 0)
            fprintf(out, "%lld\n", (long long)rg.total_compressed_size);
        else
            fputs("-\n", out);
        for (size_t c = 0; c < rg.num_columns; c++) {
            lml_parquet_chunk_info ci;
            if (lml_parquet_footer_chunk(ft, g, c, &ci))
                print_chunk(out, &ci);
            else
                fprintf(out, "    column %zu: no column metadata\n", c);
        }
    }
    lml_parquet_footer_free(ft);
    lml_parquet_close(f);
    return true;
}
