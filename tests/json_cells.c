/* Comparing a frame cell with a JSON value that another reader wrote (the conformance suites'
 * expected/<name>.jsonl files): numbers, dates and timestamps as text or numbers, binary as DuckDB's
 * \xNN text, hex or a byte list, lists, structs and maps (as objects or key/value lists). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_cells.h"

static bool same_map(const lml_column *c, size_t i, const cJSON *j, char *why, size_t wcap);

/* j as JSON text for a message (a static buffer: the messages are built one at a time). */
static const char *show(const cJSON *j) {
    static char buf[256];
    char *s = cJSON_PrintUnformatted(j);
    snprintf(buf, sizeof buf, "%s", s ? s : "?");
    free(s);
    return buf;
}

/* "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" → days or microseconds since the epoch. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}
static bool parse_ts(const char *s, int64_t *days, int64_t *micros) {
    int y, mo, d, h = 0, mi = 0, se = 0;
    char frac[16] = "";
    int n = sscanf(s, "%d-%d-%d %d:%d:%d.%9[0-9]", &y, &mo, &d, &h, &mi, &se, frac);
    if (n < 3) return false;
    *days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t us = 0;
    for (int i = 0; i < 6; i++) us = us * 10 + (frac[i] && i < (int)strlen(frac) ? frac[i] - '0' : 0);
    *micros = ((*days * 24 + h) * 60 + mi) * 60000000LL + se * 1000000LL + us;
    return true;
}

/* Expected bytes of a binary cell: DuckDB's text with \xNN escapes, hyparquet's "hex:…" or a
 * list of byte values. */
static size_t expected_bytes(const cJSON *j, uint8_t *out, size_t cap) {
    size_t n = 0;
    if (cJSON_IsArray(j)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, j) if (n < cap) out[n++] = (uint8_t)e->valuedouble;
        return n;
    }
    const char *s = j->valuestring;
    if (strncmp(s, "hex:", 4) == 0) {
        for (s += 4; s[0] && s[1] && n < cap; s += 2) {
            unsigned v;
            sscanf(s, "%2x", &v);
            out[n++] = (uint8_t)v;
        }
        return n;
    }
    while (*s && n < cap) {
        unsigned v;
        if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
            out[n++] = (uint8_t)v;
            s += 4;
        } else {
            out[n++] = (uint8_t)*s++;
        }
    }
    return n;
}


static bool same_map(const lml_column *c, size_t i, const cJSON *j, char *why, size_t wcap) {
    const int32_t *off = lml_column_offsets(c);
    const lml_column *k = lml_column_map_keys(c), *v = lml_column_map_values(c);
    size_t n = (size_t)(off[i + 1] - off[i]);
    if (cJSON_IsObject(j)) { /* {"key": value}: keys compared as text */
        if ((size_t)cJSON_GetArraySize(j) != n) return snprintf(why, wcap, "map size %zu vs %d", n, cJSON_GetArraySize(j)), false;
        size_t e = (size_t)off[i];
        const cJSON *m;
        cJSON_ArrayForEach(m, j) {
            char buf[64];
            lml_format_value(k, e, buf, sizeof buf);
            if (strcmp(buf, m->string) != 0) return snprintf(why, wcap, "map key %s vs %s", buf, m->string), false;
            if (!lml_test_cell_matches(v, e, m, why, wcap)) return false;
            e++;
        }
        return true;
    }
    if (!cJSON_IsArray(j) || (size_t)cJSON_GetArraySize(j) != n)
        return snprintf(why, wcap, "map of %zu entries vs %s", n, show(j)), false;
    for (size_t e = 0; e < n; e++) {
        const cJSON *kv = cJSON_GetArrayItem(j, (int)e);
        if (!lml_test_cell_matches(k, (size_t)off[i] + e, cJSON_GetObjectItemCaseSensitive(kv, "key"), why, wcap)) return false;
        if (!lml_test_cell_matches(v, (size_t)off[i] + e, cJSON_GetObjectItemCaseSensitive(kv, "value"), why, wcap)) return false;
    }
    return true;
}

bool lml_test_cell_matches(const lml_column *c, size_t i, const cJSON *j, char *why, size_t wcap) {
    bool jnull = !j || cJSON_IsNull(j);
    if (lml_column_is_null(c, i) || jnull) {
        if (lml_column_is_null(c, i) && jnull) return true;
        return snprintf(why, wcap, "null mismatch at row %zu (ours %s)", i, lml_column_is_null(c, i) ? "null" : "set"), false;
    }
    switch (lml_column_type(c)) {
    case LML_BOOL:
        if (!cJSON_IsBool(j) || cJSON_IsTrue(j) != lml_column_bool_at(c, i)) return snprintf(why, wcap, "bool row %zu", i), false;
        return true;
    case LML_INT8: case LML_INT16: case LML_INT32: case LML_INT64: {
        lml_type t = lml_column_type(c);
        int64_t v = t == LML_INT8 ? lml_column_int8s(c)[i] : t == LML_INT16 ? lml_column_int16s(c)[i]
                  : t == LML_INT32 ? lml_column_int32s(c)[i] : lml_column_int64s(c)[i];
        bool ok = cJSON_IsString(j) ? strtoll(j->valuestring, NULL, 10) == v : cJSON_IsNumber(j) && (double)v == j->valuedouble;
        if (!ok) return snprintf(why, wcap, "row %zu: %lld vs %s", i, (long long)v, show(j)), false;
        return true;
    }
    case LML_DATE: case LML_TIMESTAMP: case LML_TIMESTAMP_NTZ: {
        int64_t v = lml_column_type(c) == LML_DATE ? lml_column_int32s(c)[i] : lml_column_int64s(c)[i], days, us;
        bool ok = cJSON_IsNumber(j) ? (double)v == j->valuedouble
                                     : cJSON_IsString(j) && parse_ts(j->valuestring, &days, &us) &&
                                           v == (lml_column_type(c) == LML_DATE ? days : us);
        if (!ok) return snprintf(why, wcap, "row %zu: %lld vs %s", i, (long long)v, show(j)), false;
        return true;
    }
    case LML_DECIMAL: {
        /* DuckDB prints "1.00" with the declared scale, as Spark does: compare the text; a
         * number (hyparquet) compares as a double. */
        char buf[64];
        lml_format_value(c, i, buf, sizeof buf);
        if (cJSON_IsString(j)) {
            if (strcmp(buf, j->valuestring) != 0) return snprintf(why, wcap, "row %zu: %s vs %s", i, buf, j->valuestring), false;
        } else if (!cJSON_IsNumber(j) || fabs(strtod(buf, NULL) - j->valuedouble) > 1e-9 * fmax(1.0, fabs(j->valuedouble))) {
            return snprintf(why, wcap, "row %zu: %s vs %s", i, buf, show(j)), false;
        }
        return true;
    }
    case LML_FLOAT: case LML_DOUBLE: {
        double v = lml_column_type(c) == LML_FLOAT ? lml_column_floats(c)[i] : lml_column_doubles(c)[i], w;
        if (cJSON_IsString(j) && strcmp(j->valuestring, "NaN") == 0) w = NAN;
        else w = cJSON_IsString(j) ? strtod(j->valuestring, NULL) : j->valuedouble;
        bool ok = isnan(w) ? isnan(v) : fabs(v - w) <= 1e-12 * fmax(1.0, fabs(w));
        if (!ok) return snprintf(why, wcap, "row %zu: %.17g vs %s", i, v, show(j)), false;
        return true;
    }
    case LML_STRING: {
        size_t n;
        const char *s = lml_column_string_at(c, i, &n);
        if (!cJSON_IsString(j) || strlen(j->valuestring) != n || memcmp(s, j->valuestring, n) != 0)
            return snprintf(why, wcap, "row %zu: '%.*s' vs %s", i, (int)n, s, show(j)), false;
        return true;
    }
    case LML_BINARY: {
        size_t n;
        const uint8_t *s = lml_column_binary_at(c, i, &n);
        uint8_t buf[4096];
        size_t m = expected_bytes(j, buf, sizeof buf);
        if (m != n || memcmp(s, buf, n) != 0) return snprintf(why, wcap, "row %zu: binary of %zu bytes differs", i, n), false;
        return true;
    }
    case LML_LIST: {
        const int32_t *off = lml_column_offsets(c);
        size_t n = (size_t)(off[i + 1] - off[i]);
        if (!cJSON_IsArray(j) || (size_t)cJSON_GetArraySize(j) != n)
            return snprintf(why, wcap, "row %zu: list of %zu vs %s", i, n, show(j)), false;
        for (size_t e = 0; e < n; e++)
            if (!lml_test_cell_matches(lml_column_child(c, 0), (size_t)off[i] + e, cJSON_GetArrayItem(j, (int)e), why, wcap)) return false;
        return true;
    }
    case LML_STRUCT:
        if (!cJSON_IsObject(j)) return snprintf(why, wcap, "row %zu: struct vs %s", i, show(j)), false;
        for (size_t k = 0; k < lml_column_num_children(c); k++)
            if (!lml_test_cell_matches(lml_column_child(c, k), i, cJSON_GetObjectItemCaseSensitive(j, lml_column_child_name(c, k)), why, wcap))
                return false;
        return true;
    case LML_MAP: return same_map(c, i, j, why, wcap);
    default: return snprintf(why, wcap, "unexpected column type"), false;
    }
}

