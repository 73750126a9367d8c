#include <string.h>
#include <strings.h>
#include "lakeml/frame.h"

const char *lml_type_name(lml_type type)
{
    static const char *const names[] = {
        [LML_BOOL] = "boolean", [LML_INT32] = "integer", [LML_INT64] = "long",
        [LML_DOUBLE] = "double", [LML_STRING] = "string", [LML_DATE] = "date",
        [LML_TIMESTAMP] = "timestamp", [LML_VECTOR] = "vector", [LML_BINARY] = "binary",
        [LML_LIST] = "array", [LML_STRUCT] = "struct", [LML_MAP] = "map", [LML_FLOAT] = "float",
        [LML_INT8] = "byte", [LML_INT16] = "short", [LML_TIMESTAMP_NTZ] = "timestamp_ntz",
        [LML_DECIMAL] = "decimal",
    };
    return (unsigned)type <= LML_DECIMAL ? names[type] : "unknown";
}

bool lml_type_parse(const char *name, lml_type *out)
{
    static const struct { const char *name; lml_type type; } names[] = {
        {"boolean", LML_BOOL},  {"bool", LML_BOOL},       {"integer", LML_INT32},  {"int", LML_INT32},
        {"int32", LML_INT32},   {"long", LML_INT64},      {"bigint", LML_INT64},   {"int64", LML_INT64},
        {"double", LML_DOUBLE}, {"float64", LML_DOUBLE},  {"string", LML_STRING},  {"str", LML_STRING},
        {"date", LML_DATE},     {"timestamp", LML_TIMESTAMP}, {"vector", LML_VECTOR},
        {"binary", LML_BINARY}, {"float", LML_FLOAT}, {"float32", LML_FLOAT}, {"real", LML_FLOAT},
        {"byte", LML_INT8},     {"tinyint", LML_INT8},    {"short", LML_INT16},    {"smallint", LML_INT16},
        {"timestamp_ntz", LML_TIMESTAMP_NTZ},
    };
    if (!name)
        return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].type;
            return true;
        }
    }
    return false;
}
