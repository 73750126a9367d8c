/* Delta table schemas (src/delta/schema.c): every schemaString of the conformance tables parsed
 * and printed back byte for byte, known tables' fields and column-mapping facts, Spark's JSON for
 * a frame (the same text the Parquet writer puts in its footer) and all-null columns of every
 * type. Write enforcement / evolution and hostile schema JSON: test_delta_schema_write.c. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "delta/schema.h"
#include "delta_schema_support.h"
#include "lakeml/lakeml.h"
#include "lakeml/parquet.h"
#include "support.h"

/* ---------------------------------------------------------------- helpers */

/* The schemaString of the first metaData line of a commit file (malloc'd), or NULL. */
static char *commit_schema(const char *path)
{
    char *text = lml_test_slurp(path), *out = NULL;
    cr_assert(text, "cannot read %s", path);
    for (char *line = strtok(text, "\n"); line && !out; line = strtok(NULL, "\n")) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metaData");
        const cJSON *ss = cJSON_GetObjectItemCaseSensitive(md, "schemaString");
        if (md)
            out = cJSON_IsString(ss) ? strdup(ss->valuestring) : strdup("");
        cJSON_Delete(o);
    }
    free(text);
    return out;
}

static char *table_schema(const char *table, const char *commit)
{
    char rel[512];
    snprintf(rel, sizeof rel, "conformance/delta/%s/_delta_log/%s.json", table, commit);
    const char *path = lml_test_shared_path(rel);
    cr_assert(path, "missing %s", rel);
    char *s = commit_schema(path);
    cr_assert(s && *s, "%s has no metaData.schemaString", rel);
    return s;
}

/* ---------------------------------------------------------------- conformance tables */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Parses, prints and re-parses the schema of every commit with a metaData action. */
static size_t check_dir_commits(const char *logdir)
{
    DIR *d = opendir(logdir);
    if (!d)
        return 0;
    char *names[256];
    size_t n = 0, done = 0;
    for (struct dirent *e; (e = readdir(d)) && n < 256;) {
        size_t len = strlen(e->d_name);
        if (len == 25 && strcmp(e->d_name + 20, ".json") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", logdir, names[i]);
        char *schema = commit_schema(path);
        if (schema && *schema) {
            lml_delta_schema s, s2;
            lml_error err = {0};
            cr_assert(lml_delta_schema_parse(schema, &s, &err), "%s: %s", path, err.message);
            cr_assert_gt(s.nfields, 0, "%s", path);
            char *j = lml_test_schema_to_json(&s);
            /* Spark wrote these: our serialization must give back the same bytes */
            cr_assert_str_eq(j, schema, "%s: printed schema differs", path);
            lml_test_schema_parse_ok(j, &s2);
            char *j2 = lml_test_schema_to_json(&s2);
            cr_assert_str_eq(j2, j);
            free(j);
            free(j2);
            lml_delta_schema_clear(&s);
            lml_delta_schema_clear(&s2);
            done++;
        }
        free(schema);
        free(names[i]);
    }
    return done;
}

Test(delta_schema, every_conformance_schema_string_parses_and_prints_back_unchanged)
{
    LML_REQUIRE_SHARED(root, "conformance/delta");
    const char *groups[2] = {"golden", "delta-rs"};
    size_t tables = 0, schemas = 0;
    for (int g = 0; g < 2; g++) {
        char dir[2048];
        snprintf(dir, sizeof dir, "%s/%s", root, groups[g]);
        DIR *d = opendir(dir);
        cr_assert(d, "cannot list %s", dir);
        for (struct dirent *e; (e = readdir(d));) {
            if (e->d_name[0] == '.')
                continue;
            char log[3072];
            snprintf(log, sizeof log, "%s/%s/_delta_log", dir, e->d_name);
            size_t k = check_dir_commits(log);
            tables += k > 0;
            schemas += k;
        }
        closedir(d);
    }
    /* 33 tables; versions-not-contiguous has no schemaString and checkpoint-cdf-table keeps its
     * metaData only in its checkpoint */
    cr_assert_geq(tables, 31, "only %zu tables had a schema", tables);
    cr_assert_geq(schemas, tables);
}

Test(delta_schema, only_struct_stats_table_has_fifteen_fields_with_nested_types)
{
    LML_REQUIRE_SHARED(p, "conformance/delta/delta-rs/delta-1.2.1-only-struct-stats");
    char *json = table_schema("delta-rs/delta-1.2.1-only-struct-stats", "00000000000000000010");
    lml_delta_schema s;
    lml_test_schema_parse_ok(json, &s);
    static const char *const want[15][2] = {
        {"integer", "integer"}, {"null", "boolean"}, {"boolean", "boolean"}, {"double", "double"},
        {"decimal", "decimal(8,5)"}, {"string", "string"}, {"binary", "binary"}, {"date", "date"},
        {"timestamp", "timestamp"}, {"struct", "struct<struct_element:string>"}, {"map", "map<string,string>"},
        {"array", "array<string>"}, {"nested_struct", "struct<struct_element:struct<nested_struct_element:string>>"},
        {"struct_of_array_of_map", "struct<struct_element:array<map<string,string>>>"}, {"new_column", "integer"}};
    cr_assert_eq(s.nfields, 15);
    for (size_t i = 0; i < 15; i++)
        lml_test_schema_expect_type(&s.fields[i], want[i][0], want[i][1]);
    cr_assert_not(s.fields[0].nullable);
    cr_assert(s.fields[1].nullable);
    cr_assert_eq(s.fields[4].type, LML_DECIMAL);
    cr_assert_eq(s.fields[4].precision, 8);
    cr_assert_eq(s.fields[4].scale, 5);
    cr_assert_eq(s.fields[6].type, LML_BINARY);
    cr_assert_eq(s.fields[10].type, LML_MAP);
    cr_assert_eq(s.fields[10].children[0].nullable, false); /* map keys */
    cr_assert(s.fields[10].children[1].nullable);           /* valueContainsNull */
    cr_assert_str_eq(s.fields[10].children[1].name, "value");
    cr_assert_eq(s.fields[11].type, LML_LIST);
    cr_assert_str_eq(s.fields[11].children[0].name, "element");
    cr_assert_str_eq(s.fields[0].metadata, "{}");
    cr_assert_not(s.fields[0].has_id);
    cr_assert_null(s.fields[0].physical_name);
    cr_assert_eq(lml_delta_schema_find(&s, "NEW_COLUMN"), 14);
    cr_assert_eq(lml_delta_schema_find(&s, "nope"), -1);
    lml_delta_schema_clear(&s);
    free(json);
}

Test(delta_schema, column_mapping_table_exposes_ids_and_physical_names)
{
    LML_REQUIRE_SHARED(p, "conformance/delta/golden/table-with-columnmapping-mode-name");
    char *json = table_schema("golden/table-with-columnmapping-mode-name", "00000000000000000000");
    lml_delta_schema s;
    lml_test_schema_parse_ok(json, &s);
    static const char *const want[22][2] = {
        {"ByteType", "byte"}, {"ShortType", "short"}, {"IntegerType", "integer"}, {"LongType", "long"},
        {"FloatType", "float"}, {"DoubleType", "double"}, {"decimal", "decimal(10,2)"}, {"BooleanType", "boolean"},
        {"StringType", "string"}, {"BinaryType", "binary"}, {"DateType", "date"}, {"TimestampType", "timestamp"},
        {"nested_struct", "struct<aa:string,ac:struct<aca:integer>>"}, {"array_of_prims", "array<integer>"},
        {"array_of_arrays", "array<array<integer>>"}, {"array_of_map_of_arrays", "array<map<integer,array<integer>>>"},
        {"array_of_structs", "array<struct<ab:integer>>"},
        {"struct_of_arrays_maps_of_structs", "struct<aa:array<integer>,ab:map<array<integer>,struct<aca:integer>>>"},
        {"map_of_prims", "map<integer,long>"}, {"map_of_rows", "map<integer,struct<ab:long>>"},
        {"map_of_arrays", "map<long,array<integer>>"}, {"map_of_maps", "map<long,map<integer,integer>>"}};
    static const int64_t ids[22] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 17, 18, 19, 20, 22, 26, 27, 29, 30};
    cr_assert_eq(s.nfields, 22);
    for (size_t i = 0; i < 22; i++) {
        lml_test_schema_expect_type(&s.fields[i], want[i][0], want[i][1]);
        cr_assert(s.fields[i].has_id);
        cr_assert_eq(s.fields[i].id, ids[i], "%s: id %lld", want[i][0], (long long)s.fields[i].id);
        cr_assert(s.fields[i].physical_name && strncmp(s.fields[i].physical_name, "col-", 4) == 0);
    }
    cr_assert_str_eq(s.fields[0].physical_name, "col-33314a5e-7dc1-438a-8f4d-df8c417071d6");
    cr_assert_str_eq(s.fields[0].metadata, "{\"delta.columnMapping.id\":1,\"delta.columnMapping.physicalName\":"
                                           "\"col-33314a5e-7dc1-438a-8f4d-df8c417071d6\"}");
    const lml_delta_field *ns = &s.fields[12];
    cr_assert_str_eq(ns->physical_name, "col-e08b8668-6c8f-4081-aa77-357325212630");
    cr_assert_eq(ns->children[0].id, 14);
    cr_assert_str_eq(ns->children[0].physical_name, "col-7295e744-4c2c-48a1-baf5-3bb131ec68ea");
    cr_assert_eq(ns->children[1].id, 15);
    cr_assert_str_eq(ns->children[1].physical_name, "col-15ecbe5f-906d-4d64-a627-eb16eb4b4410");
    cr_assert_eq(ns->children[1].children[0].id, 16);
    cr_assert_str_eq(ns->children[1].children[0].physical_name, "col-562033a2-86d8-4eb3-83e6-87eb2f27314f");
    /* array element / map key/value are not fields: no mapping of their own */
    cr_assert_not(s.fields[13].children[0].has_id);
    cr_assert_null(s.fields[13].children[0].physical_name);
    lml_delta_schema_clear(&s);
    free(json);
}

Test(delta_schema, parquet_all_types_table_maps_to_frame_types)
{
    LML_REQUIRE_SHARED(p, "conformance/delta/golden/parquet-all-types");
    char *json = table_schema("golden/parquet-all-types", "00000000000000000000");
    lml_delta_schema s;
    lml_test_schema_parse_ok(json, &s);
    static const lml_type types[20] = {LML_INT8, LML_INT16, LML_INT32, LML_INT64, LML_FLOAT, LML_DOUBLE, LML_DECIMAL,
                                       LML_BOOL, LML_STRING, LML_BINARY, LML_DATE, LML_TIMESTAMP, LML_TIMESTAMP_NTZ,
                                       LML_STRUCT, LML_LIST, LML_LIST, LML_LIST, LML_MAP, LML_MAP, LML_MAP};
    cr_assert_eq(s.nfields, 20);
    for (size_t i = 0; i < 20; i++)
        cr_assert_eq(s.fields[i].type, types[i], "field %zu (%s)", i, s.fields[i].name);
    lml_test_schema_expect_type(&s.fields[12], "TimestampNTZType", "timestamp_ntz");
    lml_test_schema_expect_type(&s.fields[16], "array_of_structs", "array<struct<ab:long>>");
    lml_delta_schema_clear(&s);
    free(json);
}

/* ---------------------------------------------------------------- serialization */

Test(delta_schema, hand_built_schema_prints_as_spark)
{
    lml_delta_field el = {.name = "element", .type = LML_DOUBLE, .nullable = false};
    lml_delta_field kids[2] = {{.name = "d", .type = LML_DECIMAL, .precision = 12, .scale = 3, .nullable = true},
                               {.name = "arr", .type = LML_LIST, .nullable = true, .children = &el, .nchildren = 1}};
    lml_delta_field top[3] = {
        {.name = "id", .type = LML_INT64, .nullable = false, .metadata = "{\"comment\":\"key\"}"},
        {.name = "s\"q", .type = LML_STRUCT, .nullable = true, .children = kids, .nchildren = 2},
        {.name = "nothing", .type = LML_STRING, .is_void = true, .nullable = true}};
    lml_delta_schema s = {.fields = top, .nfields = 3};
    char *j = lml_test_schema_to_json(&s);
    cr_assert_str_eq(j, "{\"type\":\"struct\",\"fields\":["
                        "{\"name\":\"id\",\"type\":\"long\",\"nullable\":false,\"metadata\":{\"comment\":\"key\"}},"
                        "{\"name\":\"s\\\"q\",\"type\":{\"type\":\"struct\",\"fields\":["
                        "{\"name\":\"d\",\"type\":\"decimal(12,3)\",\"nullable\":true,\"metadata\":{}},"
                        "{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"elementType\":\"double\",\"containsNull\":false},"
                        "\"nullable\":true,\"metadata\":{}}]},\"nullable\":true,\"metadata\":{}},"
                        "{\"name\":\"nothing\",\"type\":\"void\",\"nullable\":true,\"metadata\":{}}]}");
    lml_delta_schema back;
    lml_test_schema_parse_ok(j, &back);
    cr_assert_str_eq(back.fields[1].name, "s\"q");
    cr_assert(back.fields[2].is_void && back.fields[2].type == LML_STRING);
    lml_test_schema_expect_type(&back.fields[1], "s\"q", "struct<d:decimal(12,3),arr:array<double>>");
    lml_delta_schema copy;
    lml_error err = {0};
    cr_assert(lml_delta_schema_copy(&back, &copy, &err), "%s", err.message);
    lml_delta_schema_clear(&back);
    char *j2 = lml_test_schema_to_json(&copy);
    cr_assert_str_eq(j2, j);
    lml_delta_schema_clear(&copy);
    free(j);
    free(j2);
}

Test(delta_schema, decimal_spellings_and_udts)
{
    lml_delta_schema s;
    lml_test_schema_parse_ok("{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"decimal\",\"nullable\":true,\"metadata\":{}},"
             "{\"name\":\"b\",\"type\":\"decimal( 38 , 38 )\",\"nullable\":true,\"metadata\":{}},"
             "{\"name\":\"m\",\"type\":{\"type\":\"udt\",\"class\":\"x.PointUDT\",\"sqlType\":{\"type\":\"array\","
             "\"elementType\":\"double\",\"containsNull\":false}},\"nullable\":true,\"metadata\":{}},"
             "{\"name\":\"v\",\"type\":{\"type\":\"udt\",\"class\":\"org.apache.spark.ml.linalg.VectorUDT\",\"pyClass\":"
             "\"pyspark.ml.linalg.VectorUDT\",\"sqlType\":{\"type\":\"struct\",\"fields\":[{\"name\":\"type\",\"type\":"
             "\"byte\",\"nullable\":false,\"metadata\":{}},{\"name\":\"size\",\"type\":\"integer\",\"nullable\":true,"
             "\"metadata\":{}},{\"name\":\"indices\",\"type\":{\"type\":\"array\",\"elementType\":\"integer\","
             "\"containsNull\":false},\"nullable\":true,\"metadata\":{}},{\"name\":\"values\",\"type\":{\"type\":"
             "\"array\",\"elementType\":\"double\",\"containsNull\":false},\"nullable\":true,\"metadata\":{}}]}},"
             "\"nullable\":true,\"metadata\":{}}]}",
             &s);
    cr_assert_eq(s.fields[0].precision, 10);
    cr_assert_eq(s.fields[0].scale, 0);
    cr_assert_eq(s.fields[1].precision, 38);
    cr_assert_eq(s.fields[1].scale, 38);
    cr_assert_eq(s.fields[2].type, LML_LIST); /* a udt is its sqlType */
    cr_assert_str_eq(s.fields[2].udt_class, "x.PointUDT");
    cr_assert_null(s.fields[2].udt_pyclass);
    cr_assert_eq(s.fields[3].type, LML_VECTOR);
    cr_assert_eq(s.fields[3].nchildren, 4);
    lml_test_schema_expect_type(&s.fields[3], "v", "vector");
    char *j = lml_test_schema_to_json(&s);
    cr_assert(strstr(j, "\"type\":\"decimal(10,0)\""));
    cr_assert(strstr(j, "\"type\":\"decimal(38,38)\""));
    cr_assert(strstr(j, "{\"name\":\"m\",\"type\":{\"type\":\"udt\",\"class\":\"x.PointUDT\",\"sqlType\":{\"type\":"
                        "\"array\",\"elementType\":\"double\",\"containsNull\":false}},"));
    cr_assert(strstr(j, "\"pyClass\":\"pyspark.ml.linalg.VectorUDT\",\"sqlType\":{\"type\":\"struct\""));
    free(j);
    lml_delta_schema_clear(&s);
}

Test(delta_schema, frame_schema_is_the_parquet_writers_spark_schema)
{
    lml_frame *f = lml_test_schema_sample_frame();
    lml_delta_schema s;
    lml_error err = {0};
    cr_assert(lml_delta_schema_from_frame(f, &s, &err), "%s", err.message);
    static const char *const want[8][2] = {{"i", "integer"}, {"s", "string"}, {"d", "decimal(9,2)"},
                                           {"l", "array<double>"}, {"m", "map<string,long>"},
                                           {"st", "struct<b8:byte,ntz:timestamp_ntz>"}, {"vec", "vector"},
                                           {"f", "float"}};
    cr_assert_eq(s.nfields, 8);
    for (size_t i = 0; i < 8; i++) {
        lml_test_schema_expect_type(&s.fields[i], want[i][0], want[i][1]);
        cr_assert(s.fields[i].nullable);
        cr_assert(lml_delta_field_matches(&s.fields[i], lml_frame_column(f, i)), "field %zu", i);
    }
    cr_assert_str_eq(s.fields[0].metadata, "{\"ml_attr\":{\"type\":\"nominal\"}}");
    char *j = lml_test_schema_to_json(&s);
    cr_assert(strstr(j, "{\"name\":\"i\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{\"ml_attr\":{\"type\":"
                        "\"nominal\"}}},{\"name\":\"s\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"));
    /* the Parquet writer's footer holds the same StructType JSON */
    char path[600];
    snprintf(path, sizeof path, "%s/schema.parquet", lml_test_temp_dir());
    lml_frame *g = lml_frame_with_metadata(f, "i", "{\"ml_attr\":{\"type\":\"nominal\"}}", &err);
    cr_assert(g && lml_parquet_write(g, path, NULL, &err), "%s", err.message);
    lml_parquet_file *pf = lml_parquet_open(path, &err);
    cr_assert(pf, "%s", err.message);
    const char *footer = lml_parquet_metadata_get(pf, "org.apache.spark.sql.parquet.row.metadata");
    cr_assert(footer);
    cr_assert_str_eq(j, footer);
    lml_parquet_close(pf);
    lml_frame_free(g);
    free(j);
    lml_delta_schema_clear(&s);
    lml_frame_free(f);
}

/* ---------------------------------------------------------------- null columns */

Test(delta_schema, null_columns_of_every_type_are_all_null)
{
    LML_REQUIRE_SHARED(p, "conformance/delta/golden/parquet-all-types");
    char *json = table_schema("golden/parquet-all-types", "00000000000000000000");
    lml_delta_schema s;
    lml_test_schema_parse_ok(json, &s);
    lml_error err = {0};
    for (size_t i = 0; i < s.nfields; i++) {
        for (size_t n = 0; n <= 9; n += 9) {
            lml_column *c = lml_delta_field_null_column(&s.fields[i], n, &err);
            cr_assert(c, "%s: %s", s.fields[i].name, err.message);
            cr_assert_eq(lml_column_type(c), s.fields[i].type);
            cr_assert_eq(lml_column_length(c), n);
            cr_assert_eq(lml_column_null_count(c), n, "%s", s.fields[i].name);
            for (size_t r = 0; r < n; r++)
                cr_assert(lml_column_is_null(c, r));
            cr_assert(lml_delta_field_matches(&s.fields[i], c), "%s", s.fields[i].name);
            lml_column_free(c);
        }
    }
    lml_column *d = lml_delta_field_null_column(&s.fields[6], 3, &err);
    cr_assert_eq(lml_column_decimal_precision(d), 10);
    cr_assert_eq(lml_column_decimal_scale(d), 2);
    lml_column_free(d);
    /* struct<aa:string, ac:struct<aca:int>>: children of the struct's length, themselves null */
    lml_column *st = lml_delta_field_null_column(&s.fields[13], 4, &err);
    cr_assert_eq(lml_column_num_children(st), 2);
    cr_assert_str_eq(lml_column_child_name(st, 1), "ac");
    const lml_column *ac = lml_column_child(st, 1);
    cr_assert_eq(lml_column_type(ac), LML_STRUCT);
    cr_assert_eq(lml_column_length(ac), 4);
    cr_assert_eq(lml_column_null_count(lml_column_child(ac, 0)), 4);
    lml_column_free(st);
    /* array<array<integer>>: offsets all 0 over an empty element column */
    lml_column *aa = lml_delta_field_null_column(&s.fields[15], 3, &err);
    const int32_t *off = lml_column_offsets(aa);
    for (int r = 0; r <= 3; r++)
        cr_assert_eq(off[r], 0);
    cr_assert_eq(lml_column_length(lml_column_child(aa, 0)), 0);
    cr_assert_eq(lml_column_type(lml_column_child(aa, 0)), LML_LIST);
    lml_column_free(aa);
    /* map<long,array<integer>> */
    lml_column *ma = lml_delta_field_null_column(&s.fields[19], 2, &err);
    cr_assert_eq(lml_column_type(lml_column_map_keys(ma)), LML_INT64);
    cr_assert_eq(lml_column_type(lml_column_map_values(ma)), LML_LIST);
    cr_assert_eq(lml_column_offsets(ma)[2], 0);
    lml_column_free(ma);
    lml_delta_schema_clear(&s);
    free(json);
}

Test(delta_schema, null_columns_of_void_and_vector_fields)
{
    lml_delta_schema s;
    lml_test_schema_parse_ok("{\"type\":\"struct\",\"fields\":[{\"name\":\"n\",\"type\":\"void\",\"nullable\":true,\"metadata\":{}}]}",
             &s);
    lml_error err = {0};
    lml_column *c = lml_delta_field_null_column(&s.fields[0], 5, &err);
    cr_assert(c, "%s", err.message);
    cr_assert_eq(lml_column_type(c), LML_STRING);
    cr_assert_eq(lml_column_null_count(c), 5);
    lml_column_free(c);
    lml_delta_schema_clear(&s);
    lml_frame *f = lml_test_schema_sample_frame();
    cr_assert(lml_delta_schema_from_frame(f, &s, &err), "%s", err.message);
    c = lml_delta_field_null_column(&s.fields[6], 3, &err);
    cr_assert(c, "%s", err.message);
    cr_assert_eq(lml_column_type(c), LML_VECTOR);
    cr_assert_eq(lml_column_null_count(c), 3);
    cr_assert(lml_delta_field_matches(&s.fields[6], c));
    cr_assert_not(lml_delta_field_matches(&s.fields[0], c));
    lml_column_free(c);
    /* the vector's sqlType struct (what the Parquet reader returns) matches a vector field too */
    lml_column *st = lml_delta_field_null_column(&(lml_delta_field){.name = "v", .type = LML_STRUCT,
                                                                    .children = s.fields[6].children,
                                                                    .nchildren = s.fields[6].nchildren},
                                                 2, &err);
    cr_assert(st, "%s", err.message);
    cr_assert(lml_delta_field_matches(&s.fields[6], st));
    lml_column_free(st);
    lml_delta_schema_clear(&s);
    lml_frame_free(f);
}
