#include <string.h>
#include <strings.h>
#include "lakeml/frame.h"

const char *lml_type_name(lml_type type)
{
    static const char *const names[] = {
        [LML_BOOL] = "boolean", [LML_INT32] = "integer", [LML_INT64] = "long",
        [LML_DOUBLE] = "double", [LML_STRING] = "string", [LML_DATE] = "date",
        [LML_TIMESTAMP] = "timestamp", [LML_VECTOR] = "vector",
    };
    return (unsigned)type <= LML_VECTOR ? names[type] : "unknown";
}

bool lml_type_parse(const char *name, lml_type *out)
{
    static const struct { const char *name; lml_type type; } names[] = {
        {"boolean", LML_BOOL},  {"bool", LML_BOOL},       {"integer", LML_INT32},  {"int", LML_INT32},
        {"int32", LML_INT32},   {"long", LML_INT64},      {"bigint", LML_INT64},   {"int64", LML_INT64},
        {"double", LML_DOUBLE}, {"float64", LML_DOUBLE},  {"string", LML_STRING},  {"str", LML_STRING},
        {"date", LML_DATE},     {"timestamp", LML_TIMESTAMP}, {"vector", LML_VECTOR},
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
