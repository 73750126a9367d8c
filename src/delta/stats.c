/* Per-file statistics (delta.md §8.6): the JSON text of add.stats for the rows of one data file.
 *
 * Choices where Spark leaves room (each keeps min/max valid bounds, which is all skipping needs):
 * - doubles and floats are written as Java prints them (Spark's Jackson: 0.0, 1.5E10; a float
 *   with Float.toString's shortest digits); NaN is left out of min/max; ±Infinity is not a JSON
 *   number, so an infinite min or max is left out (the file is then never skipped on that side);
 *   -0.0 orders below 0.0, so {-0.0, 0.0} gives min -0.0 and max 0.0;
 * - timestamps are written in UTC ("…Z"), the min truncated to the millisecond (floor) and the
 *   max rounded up (ceiling), so both still bound the microsecond values; timestamp_ntz the same
 *   without a zone; a date or timestamp outside years 0001..9999 is left out;
 * - decimals are plain JSON numbers with exactly `scale` fraction digits (1.23, 0.05, -7),
 *   never BigDecimal's exponent form;
 * - strings compare bytewise (UTF-8 byte order is code point order, as Spark's UTF8String);
 *   bounds are cut at 32 characters (code points); a string that is not valid UTF-8 where the
 *   bound needs it is left out;
 * - booleans, binary, lists, maps and vectors get only nullCount; a struct's leaves are nested
 *   objects, and a leaf under a null struct row counts as null; a struct with nothing to write
 *   in one of the three objects is left out of that object;
 * - schema fields the frame does not have (partition columns) are skipped and do not count
 *   against num_indexed_cols. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/internal.h"
#include "../frame/internal.h"
#include "stats.h"

#define PREFIX_CHARS 32

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* One leaf's statistics merged over the batches seen so far; string bounds are copies. */
typedef struct slot {
    size_t nulls;
    bool have;
    lml_value lo, hi;
    char *lo_s, *hi_s;
} slot;

struct lml_delta_stats_acc {
    const lml_delta_schema *schema;
    int indexed;
    bool physical;
    lml_frame *proto; /* no rows: the first batch's columns, for emitting */
    size_t n;         /* rows so far */
    slot *slots;      /* one per indexed leaf, in walk order */
    size_t nslots, cap;
};

/* A walk over the schema: either merging one batch's leaves into the slots (emit false) or
 * writing the slots out as JSON (emit true; the frame walked then has no rows). */
typedef struct sctx {
    size_t n;
    int budget; /* leaves still to index; < 0: all */
    bool physical;
    lml_error *err;
    lml_delta_stats_acc *acc;
    size_t at;  /* the next leaf's slot */
    bool emit;
} sctx;

/* ---------------------------------------------------------------- text helpers */

/* Length of the UTF-8 character at p (rem bytes left) and its code point in *cp; an invalid
 * sequence is one byte with *cp = UINT32_MAX. */
static size_t next_char(const unsigned char *p, size_t rem, uint32_t *cp) {
    unsigned char c = p[0];
    size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    *cp = UINT32_MAX;
    if (!n || n > rem) return 1;
    uint32_t v = n == 1 ? c : c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 1;
        v = v << 6 | (p[i] & 0x3F);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 1;
    *cp = v;
    return n;
}

static bool valid_utf8(const char *s, size_t len) {
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        i += next_char((const unsigned char *)s + i, len - i, &cp);
        if (cp == UINT32_MAX) return false;
    }
    return true;
}

/* A JSON string literal, escaped as Jackson does (see actions_write.c); s is valid UTF-8. */
static void put_json_str(lml_strbuf *sb, const char *s, size_t len) {
    static const char hex[] = "0123456789ABCDEF";
    lml_strbuf_putc(sb, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\t' ? "\\t"
                        : c == '\n' ? "\\n" : c == '\f' ? "\\f" : c == '\r' ? "\\r" : NULL;
        if (esc) lml_strbuf_puts(sb, esc);
        else if (c < 0x20) lml_strbuf_printf(sb, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
        else lml_strbuf_putc(sb, (char)c);
    }
    lml_strbuf_putc(sb, '"');
}

/* `"key":` into an object's member list (comma first unless the list is empty). */
static void member(lml_strbuf *sb, const char *key) {
    if (sb->len) lml_strbuf_putc(sb, ',');
    put_json_str(sb, key, strlen(key));
    lml_strbuf_putc(sb, ':');
}

/* ---------------------------------------------------------------- dates and timestamps */

/* Civil date of a day count since 1970-01-01 (proleptic Gregorian); false outside 0001..9999. */
static bool civil(int64_t days, int *y, int *m, int *d) {
    if (days < -719162 || days > 2932896) return false; /* 0001-01-01 .. 9999-12-31 */
    int64_t y64;
    lml_civil_from_days(days, &y64, m, d);
    *y = (int)y64;
    return true;
}

static bool put_date(lml_strbuf *sb, int64_t days) {
    int y, m, d;
    if (!civil(days, &y, &m, &d)) return false;
    lml_strbuf_printf(sb, "\"%04d-%02d-%02d\"", y, m, d);
    return true;
}

/* us → milliseconds, rounded down (min) or up (max), written with or without "Z". */
static bool put_timestamp(lml_strbuf *sb, int64_t us, bool round_up, bool utc) {
    int64_t ms = us / 1000, r = us % 1000;
    if (r < 0) ms--;
    if (round_up && r != 0) ms++;
    int64_t days = ms / 86400000, t = ms % 86400000;
    if (t < 0) days--, t += 86400000;
    int y, m, d;
    if (!civil(days, &y, &m, &d)) return false;
    lml_strbuf_printf(sb, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03d%s\"", y, m, d, (int)(t / 3600000),
                      (int)(t / 60000 % 60), (int)(t / 1000 % 60), (int)(t % 1000), utc ? "Z" : "");
    return true;
}

/* ---------------------------------------------------------------- numbers */

static bool put_double(lml_strbuf *sb, double x, bool is_float) {
    if (!isfinite(x)) return false;
    if (is_float) {
        /* Float.toString's digits: the shortest decimal that reads back to the same float, and
         * when one digit would do, the closest two-digit one (Java's rule: Float.MIN_VALUE is
         * 1.4E-45, not 1.0E-45). */
        char buf[40];
        for (int p = 1; p <= 9; p++) {
            snprintf(buf, sizeof buf, "%.*e", p - 1, x);
            if ((float)strtod(buf, NULL) != (float)x) continue;
            if (p == 1) {
                char two[40];
                snprintf(two, sizeof two, "%.1e", x);
                if ((float)strtod(two, NULL) == (float)x) memcpy(buf, two, sizeof buf);
            }
            break;
        }
        x = strtod(buf, NULL);
    }
    char out[LML_DOUBLE_BUF];
    lml_format_double_java(x, out);
    lml_strbuf_puts(sb, out);
    return true;
}

static i128 dec_value(const lml_value *v) { return (i128)((u128)(uint64_t)v->v.dec.hi << 64 | v->v.dec.lo); }

static void put_decimal(lml_strbuf *sb, i128 v, int scale) {
    char digits[48];
    int n = 0;
    u128 mag = v < 0 ? (u128)0 - (u128)v : (u128)v;
    do {
        digits[n++] = (char)('0' + (int)(mag % 10));
        mag /= 10;
    } while (mag);
    while (n <= scale) digits[n++] = '0'; /* at least one digit before the point */
    if (v < 0) lml_strbuf_putc(sb, '-');
    for (int i = n - 1; i >= 0; i--) {
        lml_strbuf_putc(sb, digits[i]);
        if (i == scale && scale > 0) lml_strbuf_putc(sb, '.');
    }
}

/* ---------------------------------------------------------------- strings */

/* The first PREFIX_CHARS characters of s: its byte length. */
static size_t prefix_len(const char *s, size_t len, size_t *nchars) {
    size_t i = 0, k = 0;
    uint32_t cp;
    for (; i < len && k < PREFIX_CHARS; k++) i += next_char((const unsigned char *)s + i, len - i, &cp);
    *nchars = k;
    return i;
}

static bool put_min_string(lml_strbuf *sb, const char *s, size_t len) {
    size_t nchars, cut = prefix_len(s, len, &nchars);
    if (!valid_utf8(s, cut)) return false;
    put_json_str(sb, s, cut);
    return true;
}

/* The max bound of §8.6: s itself when it has at most 32 characters; else its 32-character
 * prefix followed by a tie-breaker that sorts after the character cut off: U+007F when that is
 * below U+007F, else U+10FFFF. A cut-off U+10FFFF has nothing above it, so the prefix grows past
 * it (up to twice the prefix length; beyond that the bound is left out). */
static bool put_max_string(lml_strbuf *sb, const char *s, size_t len) {
    size_t nchars, cut = prefix_len(s, len, &nchars);
    uint32_t cp = 0;
    while (cut < len) {
        size_t cl = next_char((const unsigned char *)s + cut, len - cut, &cp);
        if (cp != 0x10FFFF) break;
        if (++nchars > 2 * PREFIX_CHARS) return false;
        cut += cl;
    }
    if (!valid_utf8(s, cut)) return false;
    if (cut == len) {
        put_json_str(sb, s, len);
        return true;
    }
    if (cp == UINT32_MAX) return false; /* an invalid byte may sort above any tie-breaker */
    lml_strbuf sub = {0};
    lml_strbuf_append(&sub, s, cut);
    lml_strbuf_puts(&sub, cp < 0x7F ? "\x7F" : "\xF4\x8F\xBF\xBF");
    if (!sub.failed) put_json_str(sb, sub.data, sub.len);
    else sb->failed = true;
    lml_strbuf_free(&sub);
    return true;
}

static int cmp_bytes(const lml_value *a, const lml_value *b) {
    size_t n = a->v.str.len < b->v.str.len ? a->v.str.len : b->v.str.len;
    int c = n ? memcmp(a->v.str.ptr, b->v.str.ptr, n) : 0;
    return c ? c : (a->v.str.len > b->v.str.len) - (a->v.str.len < b->v.str.len);
}

/* ---------------------------------------------------------------- one leaf */

static bool orders(lml_type t) {
    switch (t) {
    case LML_INT8: case LML_INT16: case LML_INT32: case LML_INT64: case LML_FLOAT: case LML_DOUBLE:
    case LML_STRING: case LML_DATE: case LML_TIMESTAMP: case LML_TIMESTAMP_NTZ: case LML_DECIMAL: return true;
    default: return false;
    }
}

/* a < b in the column's order (NaN never reaches here; -0.0 below 0.0). */
static bool less(lml_type t, const lml_value *a, const lml_value *b) {
    switch (t) {
    case LML_INT8: case LML_INT16: case LML_INT32: case LML_DATE: return a->v.i32 < b->v.i32;
    case LML_INT64: case LML_TIMESTAMP: case LML_TIMESTAMP_NTZ: return a->v.i64 < b->v.i64;
    case LML_FLOAT: case LML_DOUBLE:
        return a->v.f64 < b->v.f64 || (a->v.f64 == b->v.f64 && signbit(a->v.f64) && !signbit(b->v.f64));
    case LML_STRING: return cmp_bytes(a, b) < 0;
    case LML_DECIMAL: return dec_value(a) < dec_value(b);
    default: return false;
    }
}

/* Writes the bound's value (no key) into sb; false (sb unchanged) when it is left out. */
static bool put_bound(lml_strbuf *sb, const lml_column *col, const lml_value *v, bool is_max) {
    size_t mark = sb->len;
    bool ok = true;
    switch (v->type) {
    case LML_INT8: case LML_INT16: case LML_INT32: lml_strbuf_printf(sb, "%d", (int)v->v.i32); break;
    case LML_INT64: lml_strbuf_printf(sb, "%lld", (long long)v->v.i64); break;
    case LML_FLOAT: case LML_DOUBLE: ok = put_double(sb, v->v.f64, v->type == LML_FLOAT); break;
    case LML_DATE: ok = put_date(sb, v->v.i32); break;
    case LML_TIMESTAMP: case LML_TIMESTAMP_NTZ: ok = put_timestamp(sb, v->v.i64, is_max, v->type == LML_TIMESTAMP); break;
    case LML_DECIMAL: put_decimal(sb, dec_value(v), lml_column_decimal_scale(col)); break;
    case LML_STRING:
        ok = is_max ? put_max_string(sb, v->v.str.ptr, v->v.str.len) : put_min_string(sb, v->v.str.ptr, v->v.str.len);
        break;
    default: ok = false;
    }
    if (!ok && sb->data) sb->len = mark, sb->data[mark] = 0;
    return ok;
}

/* Bounds of a double, long or int column as plain array scans (every data file's stats cover
 * up to 32 columns of all its rows: the general loop below is several times slower). Returns
 * false for other types. */
static bool scan_bounds(const lml_column *col, size_t n, bool *have, lml_value *lo, lml_value *hi, size_t *nulls) {
    lml_type t = lml_column_type(col);
    const uint8_t *valid = lml_column_validity(col);
    size_t k = 0;
    *have = false;
#define VALID(i) (!valid || (valid[(i) >> 3] >> ((i) & 7) & 1))
    if (t == LML_DOUBLE) {
        const double *x = lml_column_doubles(col);
        double a = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            if (!VALID(i)) {
                k++;
                continue;
            }
            double v = x[i];
            if (isnan(v)) continue;
            if (!*have) a = b = v, *have = true;
            else if (v < a || (v == a && signbit(v) && !signbit(a))) a = v;
            else if (v > b || (v == b && signbit(b) && !signbit(v))) b = v;
        }
        *lo = (lml_value){.type = t, .v.f64 = a};
        *hi = (lml_value){.type = t, .v.f64 = b};
    } else if (t == LML_INT64 || t == LML_TIMESTAMP || t == LML_TIMESTAMP_NTZ || t == LML_INT32 || t == LML_DATE) {
        const int64_t *x64 = t == LML_INT32 || t == LML_DATE ? NULL : lml_column_int64s(col);
        const int32_t *x32 = x64 ? NULL : lml_column_int32s(col);
        int64_t a = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            if (!VALID(i)) {
                k++;
                continue;
            }
            int64_t v = x64 ? x64[i] : x32[i];
            if (!*have) a = b = v, *have = true;
            else if (v < a) a = v;
            else if (v > b) b = v;
        }
        *lo = x64 ? (lml_value){.type = t, .v.i64 = a} : (lml_value){.type = t, .v.i32 = (int32_t)a};
        *hi = x64 ? (lml_value){.type = t, .v.i64 = b} : (lml_value){.type = t, .v.i32 = (int32_t)b};
    } else {
        return false;
    }
#undef VALID
    *nulls = k;
    return true;
}

/* Sets *bound to v, copying a string's bytes into *owned (the previous copy freed). */
static bool keep_bound(lml_value *bound, char **owned, const lml_value *v) {
    *bound = *v;
    if (v->type != LML_STRING) return true;
    char *copy = malloc(v->v.str.len ? v->v.str.len : 1);
    if (!copy) return false;
    if (v->v.str.len) memcpy(copy, v->v.str.ptr, v->v.str.len);
    free(*owned);
    *owned = copy;
    bound->v.str.ptr = copy;
    return true;
}

/* Merges one batch's null count and bounds of a leaf into its slot. */
static bool merge(sctx *c, slot *s, size_t nulls, bool have, lml_type t, const lml_value *lo, const lml_value *hi) {
    s->nulls += nulls;
    if (!have) return true;
    bool ok = true;
    if (!s->have || less(t, lo, &s->lo)) ok = keep_bound(&s->lo, &s->lo_s, lo);
    if (ok && (!s->have || less(t, &s->hi, hi))) ok = keep_bound(&s->hi, &s->hi_s, hi);
    s->have = true;
    return ok || lml_error_set(c->err, LML_ENOMEM, "out of memory");
}

/* The slot of the walk's next leaf (created while merging the first batch); NULL on ENOMEM, or
 * when emitting before any batch was merged (then there is nothing but a zero null count). */
static slot *next_slot(sctx *c) {
    lml_delta_stats_acc *a = c->acc;
    size_t i = c->at++;
    if (i < a->nslots) return &a->slots[i];
    if (c->emit) return NULL;
    if (a->nslots == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        slot *q = realloc(a->slots, cap * sizeof *q);
        if (!q) {
            lml_error_set(c->err, LML_ENOMEM, "out of memory");
            return NULL;
        }
        a->slots = q;
        a->cap = cap;
    }
    memset(&a->slots[a->nslots], 0, sizeof *a->slots);
    return &a->slots[a->nslots++];
}

/* Emits `key` into the three member lists from the leaf's slot. */
static void emit_leaf(const slot *s, const lml_column *col, const char *key, lml_strbuf *mn, lml_strbuf *mx,
                      lml_strbuf *nc) {
    member(nc, key);
    lml_strbuf_printf(nc, "%zu", s ? s->nulls : (size_t)0);
    if (!s || !s->have) return;
    size_t mark = mn->len;
    member(mn, key);
    if (!put_bound(mn, col, &s->lo, false) && mn->data) mn->len = mark, mn->data[mark] = 0;
    mark = mx->len;
    member(mx, key);
    if (!put_bound(mx, col, &s->hi, true) && mx->data) mx->len = mark, mx->data[mark] = 0;
}

/* A non-struct column: merges the batch's rows into the leaf's slot, or emits the slot; present[i]
 * false marks rows nulled by an enclosing struct (NULL: every row present). */
static bool leaf(sctx *c, const lml_column *col, const uint8_t *present, const char *key, lml_strbuf *mn,
                 lml_strbuf *mx, lml_strbuf *nc) {
    if (c->emit) {
        emit_leaf(next_slot(c), col, key, mn, mx, nc);
        return true;
    }
    slot *s = next_slot(c);
    if (!s) return false;
    lml_type t = lml_column_type(col);
    size_t nulls = 0;
    bool have = false;
    lml_value lo = {0}, hi = {0};
    bool fast = !present && scan_bounds(col, c->n, &have, &lo, &hi, &nulls);
    for (size_t i = 0; !fast && i < c->n; i++) {
        if ((present && !present[i]) || lml_column_is_null(col, i)) {
            nulls++;
            continue;
        }
        if (!orders(t)) continue;
        lml_value v = lml_column_get(col, i);
        if ((t == LML_FLOAT || t == LML_DOUBLE) && isnan(v.v.f64)) continue;
        if (!have) lo = hi = v, have = true;
        else if (less(t, &v, &lo)) lo = v;
        else if (less(t, &hi, &v)) hi = v;
    }
    return merge(c, s, nulls, have, t, &lo, &hi);
}

/* ---------------------------------------------------------------- fields */

static const lml_column *struct_child(const lml_column *col, const char *name) {
    const lml_column *exact = lml_column_struct_field(col, name);
    if (exact) return exact;
    for (size_t i = 0; i < lml_column_num_children(col); i++)
        if (strcasecmp(lml_column_child_name(col, i), name) == 0) return lml_column_child(col, i);
    return NULL;
}

static bool fields(sctx *c, const lml_delta_field *fs, size_t nf, const lml_frame *frame, const lml_column *parent,
                   const uint8_t *present, lml_strbuf *mn, lml_strbuf *mx, lml_strbuf *nc);

/* A nested object `"key":{…}` appended to out when the member list `in` is not empty. */
static void nest(lml_strbuf *out, const char *key, const lml_strbuf *in) {
    if (!in->len) return;
    member(out, key);
    lml_strbuf_putc(out, '{');
    lml_strbuf_append(out, in->data, in->len);
    lml_strbuf_putc(out, '}');
}

static bool struct_field(sctx *c, const lml_delta_field *f, const lml_column *col, const uint8_t *present,
                         const char *key, lml_strbuf *mn, lml_strbuf *mx, lml_strbuf *nc) {
    uint8_t *mine = NULL;
    if (lml_column_null_count(col) > 0) {
        if (!(mine = malloc(c->n ? c->n : 1))) return lml_error_set(c->err, LML_ENOMEM, "out of memory");
        for (size_t i = 0; i < c->n; i++) mine[i] = (uint8_t)((!present || present[i]) && !lml_column_is_null(col, i));
        present = mine;
    }
    lml_strbuf cmn = {0}, cmx = {0}, cnc = {0};
    bool ok = fields(c, f->children, f->nchildren, NULL, col, present, &cmn, &cmx, &cnc);
    if (ok) {
        nest(mn, key, &cmn);
        nest(mx, key, &cmx);
        nest(nc, key, &cnc);
        if (cmn.failed || cmx.failed || cnc.failed) nc->failed = true;
    }
    lml_strbuf_free(&cmn);
    lml_strbuf_free(&cmx);
    lml_strbuf_free(&cnc);
    free(mine);
    return ok;
}

static bool fields(sctx *c, const lml_delta_field *fs, size_t nf, const lml_frame *frame, const lml_column *parent,
                   const uint8_t *present, lml_strbuf *mn, lml_strbuf *mx, lml_strbuf *nc) {
    for (size_t i = 0; i < nf && c->budget != 0; i++) {
        const lml_delta_field *f = &fs[i];
        if (!f->name) return lml_error_set(c->err, LML_EINVAL, "stats: schema field %zu has no name", i);
        const lml_column *col = NULL;
        if (frame) {
            long k = lml_frame_column_index(frame, f->name);
            col = k >= 0 ? lml_frame_column(frame, (size_t)k) : NULL;
        } else {
            col = struct_child(parent, f->name);
        }
        if (!col) continue; /* a partition column, or a field this file does not store */
        if (lml_column_length(col) != c->n)
            return lml_error_set(c->err, LML_EINVAL, "stats: column '%s' has %zu rows, the file %zu", f->name,
                                 lml_column_length(col), c->n);
        const char *key = c->physical && f->physical_name ? f->physical_name : f->name;
        /* A VectorUDT comes back from Parquet as a struct of its sqlType, and a void field may be
         * any all-null column: both are leaves with a null count only. */
        bool leafish = f->type == LML_VECTOR || f->is_void;
        bool is_struct = lml_column_type(col) == LML_STRUCT && !leafish;
        if (is_struct != (f->type == LML_STRUCT && !leafish))
            return lml_error_set(c->err, LML_ETYPE, "stats: column '%s' is %s in the data but %s in the schema", f->name,
                                 lml_type_name(lml_column_type(col)), lml_type_name(f->type));
        if (is_struct) {
            if (!struct_field(c, f, col, present, key, mn, mx, nc)) return false;
            continue;
        }
        if (!leaf(c, col, present, key, mn, mx, nc)) return false;
        if (c->budget > 0) c->budget--;
    }
    return true;
}

/* ---------------------------------------------------------------- accumulating */

lml_delta_stats_acc *lml_delta_stats_acc_new(const lml_delta_schema *schema, int num_indexed_cols, bool physical,
                                             lml_error *err) {
    if (!schema) {
        lml_error_set(err, LML_EINVAL, "stats: no schema");
        return NULL;
    }
    lml_delta_stats_acc *a = calloc(1, sizeof *a);
    if (!a) {
        lml_error_set(err, LML_ENOMEM, "out of memory");
        return NULL;
    }
    a->schema = schema;
    a->indexed = num_indexed_cols < 0 ? -1 : num_indexed_cols;
    a->physical = physical;
    return a;
}

bool lml_delta_stats_acc_add(lml_delta_stats_acc *a, const lml_frame *data, lml_error *err) {
    if (!a || !data) return lml_error_set(err, LML_EINVAL, "stats: no %s", a ? "data" : "accumulator");
    if (!a->proto && !(a->proto = lml_frame_slice(data, 0, 0, err))) return false;
    sctx c = {.n = lml_frame_num_rows(data), .budget = a->indexed, .physical = a->physical, .err = err, .acc = a};
    lml_strbuf mn = {0}, mx = {0}, nc = {0}; /* unused while merging */
    bool ok = fields(&c, a->schema->fields, a->schema->nfields, data, NULL, NULL, &mn, &mx, &nc);
    lml_strbuf_free(&mn);
    lml_strbuf_free(&mx);
    lml_strbuf_free(&nc);
    if (ok) a->n += c.n;
    return ok;
}

size_t lml_delta_stats_acc_rows(const lml_delta_stats_acc *a) { return a ? a->n : 0; }

char *lml_delta_stats_acc_json(const lml_delta_stats_acc *a, lml_error *err) {
    if (!a || !a->proto) {
        lml_error_set(err, LML_EINVAL, "stats: no batch was added");
        return NULL;
    }
    sctx c = {.n = 0, .budget = a->indexed, .physical = a->physical, .err = err,
              .acc = (lml_delta_stats_acc *)a, .emit = true};
    lml_strbuf mn = {0}, mx = {0}, nc = {0}, out = {0};
    char *res = NULL;
    if (fields(&c, a->schema->fields, a->schema->nfields, a->proto, NULL, NULL, &mn, &mx, &nc)) {
        lml_strbuf_printf(&out, "{\"numRecords\":%zu,\"minValues\":{%s},\"maxValues\":{%s},\"nullCount\":{%s", a->n,
                          mn.len ? mn.data : "", mx.len ? mx.data : "", nc.len ? nc.data : "");
        lml_strbuf_puts(&out, "},\"tightBounds\":true}");
        if (mn.failed || mx.failed || nc.failed) out.failed = true;
        res = lml_strbuf_finish(&out, err);
    }
    lml_strbuf_free(&mn);
    lml_strbuf_free(&mx);
    lml_strbuf_free(&nc);
    lml_strbuf_free(&out);
    return res;
}

void lml_delta_stats_acc_free(lml_delta_stats_acc *a) {
    if (!a) return;
    for (size_t i = 0; i < a->nslots; i++) {
        free(a->slots[i].lo_s);
        free(a->slots[i].hi_s);
    }
    free(a->slots);
    lml_frame_free(a->proto);
    free(a);
}

char *lml_delta_stats_json(const lml_frame *data, const lml_delta_schema *schema, int num_indexed_cols, bool physical,
                           lml_error *err) {
    if (!data || !schema) {
        lml_error_set(err, LML_EINVAL, "stats: no %s", data ? "schema" : "data");
        return NULL;
    }
    lml_delta_stats_acc *a = lml_delta_stats_acc_new(schema, num_indexed_cols, physical, err);
    char *res = a && lml_delta_stats_acc_add(a, data, err) ? lml_delta_stats_acc_json(a, err) : NULL;
    lml_delta_stats_acc_free(a);
    return res;
}
