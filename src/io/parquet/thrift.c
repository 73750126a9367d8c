/* Thrift compact protocol reader and writer (spec/parquet.md §2). */
#include "thrift.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *lml_pq_tc_type_name(int type)
{
    static const char *const names[] = {"stop", "bool", "bool", "i8", "i16", "i32", "i64",
                                        "double", "binary", "list", "set", "map", "struct", "uuid"};
    return type >= 0 && type <= LML_PQ_TC_UUID ? names[type] : "invalid type";
}

/* ---- reader */

void lml_pq_tc_reader_init(lml_pq_tc_reader *r, const uint8_t *buf, size_t len, const char *what)
{
    memset(r, 0, sizeof *r);
    r->start = r->p = buf;
    r->end = buf + len;
    r->what = what ? what : "thrift";
}

bool lml_pq_tc_fail(const lml_pq_tc_reader *r, lml_error *err, const char *fmt, ...)
{
    char msg[LML_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lml_error_set(err, LML_EFORMAT, "%s: offset %zu: %s", r->what, lml_pq_tc_offset(r), msg);
}

bool lml_pq_tc_read_uvarint(lml_pq_tc_reader *r, uint64_t *v, lml_error *err)
{
    uint64_t x = 0;
    *v = 0; /* defined on failure too (the compiler cannot see that lml_pq_tc_fail returns false) */
    for (unsigned shift = 0;; shift += 7) {
        if (r->p == r->end)
            return lml_pq_tc_fail(r, err, "truncated varint");
        uint8_t b = *r->p++;
        /* The tenth byte may only carry bit 63. */
        if (shift == 63 && (b & 0xfe))
            return lml_pq_tc_fail(r, err, "varint longer than 64 bits");
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    *v = x;
    return true;
}

static bool read_zigzag(lml_pq_tc_reader *r, int64_t lo, int64_t hi, const char *what, int64_t *v, lml_error *err)
{
    uint64_t u = 0;
    *v = 0;
    if (!lml_pq_tc_read_uvarint(r, &u, err))
        return false;
    /* Unsigned arithmetic avoids undefined shifts of negative numbers. */
    uint64_t x = (u >> 1) ^ (0 - (u & 1));
    int64_t s;
    memcpy(&s, &x, sizeof s);
    if (s < lo || s > hi)
        return lml_pq_tc_fail(r, err, "%s value %lld out of range", what, (long long)s);
    *v = s;
    return true;
}

bool lml_pq_tc_read_i8(lml_pq_tc_reader *r, int8_t *v, lml_error *err)
{
    if (r->p == r->end)
        return lml_pq_tc_fail(r, err, "truncated i8");
    *v = (int8_t)*r->p++;
    return true;
}

bool lml_pq_tc_read_i16(lml_pq_tc_reader *r, int16_t *v, lml_error *err)
{
    int64_t s = 0;
    if (!read_zigzag(r, INT16_MIN, INT16_MAX, "i16", &s, err))
        return false;
    *v = (int16_t)s;
    return true;
}

bool lml_pq_tc_read_i32(lml_pq_tc_reader *r, int32_t *v, lml_error *err)
{
    int64_t s = 0;
    if (!read_zigzag(r, INT32_MIN, INT32_MAX, "i32", &s, err))
        return false;
    *v = (int32_t)s;
    return true;
}

bool lml_pq_tc_read_i64(lml_pq_tc_reader *r, int64_t *v, lml_error *err)
{
    return read_zigzag(r, INT64_MIN, INT64_MAX, "i64", v, err);
}

bool lml_pq_tc_read_double(lml_pq_tc_reader *r, double *v, lml_error *err)
{
    if (lml_pq_tc_left(r) < 8)
        return lml_pq_tc_fail(r, err, "truncated double");
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--)
        bits = bits << 8 | r->p[i];
    memcpy(v, &bits, sizeof *v);
    r->p += 8;
    return true;
}

bool lml_pq_tc_read_binary(lml_pq_tc_reader *r, const uint8_t **data, size_t *len, lml_error *err)
{
    uint64_t n = 0;
    *data = NULL;
    *len = 0;
    if (!lml_pq_tc_read_uvarint(r, &n, err))
        return false;
    if (n > lml_pq_tc_left(r))
        return lml_pq_tc_fail(r, err, "binary length %llu exceeds the %zu bytes left", (unsigned long long)n,
                              lml_pq_tc_left(r));
    *data = r->p;
    *len = (size_t)n;
    r->p += n;
    return true;
}

bool lml_pq_tc_read_bool_elem(lml_pq_tc_reader *r, bool *v, lml_error *err)
{
    if (r->p == r->end)
        return lml_pq_tc_fail(r, err, "truncated bool");
    *v = *r->p++ == 1;
    return true;
}

bool lml_pq_tc_struct_begin(lml_pq_tc_reader *r, lml_error *err)
{
    if (r->depth >= LML_PQ_TC_MAX_DEPTH)
        return lml_pq_tc_fail(r, err, "nesting deeper than %d levels", LML_PQ_TC_MAX_DEPTH);
    r->last_id[++r->depth] = 0;
    return true;
}

void lml_pq_tc_struct_end(lml_pq_tc_reader *r)
{
    if (r->depth > 0)
        r->depth--;
}

bool lml_pq_tc_read_field(lml_pq_tc_reader *r, int16_t *id, int *type, lml_error *err)
{
    if (r->p == r->end)
        return lml_pq_tc_fail(r, err, "truncated struct (no STOP byte)");
    uint8_t b = *r->p++;
    if (b == 0) {
        *id = 0;
        *type = LML_PQ_TC_STOP;
        return true;
    }
    int t = b & 0x0f, delta = b >> 4;
    if (t > LML_PQ_TC_UUID)
        return lml_pq_tc_fail(r, err, "invalid field type %d", t);
    int32_t fid;
    if (delta) {
        fid = (int32_t)r->last_id[r->depth] + delta;
        if (fid > INT16_MAX)
            return lml_pq_tc_fail(r, err, "field id %d out of range", (int)fid);
    } else {
        int16_t x;
        if (!lml_pq_tc_read_i16(r, &x, err))
            return false;
        fid = x;
    }
    r->last_id[r->depth] = (int16_t)fid;
    *id = (int16_t)fid;
    *type = t;
    return true;
}

/* Smallest encoded size of one container element of a wire type, for the count sanity check. */
static size_t min_elem_size(int type) { return type == LML_PQ_TC_DOUBLE ? 8 : type == LML_PQ_TC_UUID ? 16 : 1; }

bool lml_pq_tc_read_list(lml_pq_tc_reader *r, int *elem_type, size_t *count, lml_error *err)
{
    if (r->p == r->end)
        return lml_pq_tc_fail(r, err, "truncated list header");
    uint8_t b = *r->p++;
    int t = b & 0x0f;
    uint64_t n = b >> 4;
    if (n == 15) {
        if (!lml_pq_tc_read_uvarint(r, &n, err))
            return false;
        if (n > INT32_MAX)
            return lml_pq_tc_fail(r, err, "list size %llu out of range", (unsigned long long)n);
    }
    if (n > 0 && (t < LML_PQ_TC_TRUE || t > LML_PQ_TC_UUID))
        return lml_pq_tc_fail(r, err, "invalid list element type %d", t);
    if (n > lml_pq_tc_left(r) / min_elem_size(t))
        return lml_pq_tc_fail(r, err, "list of %llu %s elements cannot fit in the %zu bytes left",
                              (unsigned long long)n, lml_pq_tc_type_name(t), lml_pq_tc_left(r));
    *elem_type = t;
    *count = (size_t)n;
    return true;
}

static bool skip_bytes(lml_pq_tc_reader *r, size_t n, const char *what, lml_error *err)
{
    if (n > lml_pq_tc_left(r))
        return lml_pq_tc_fail(r, err, "truncated %s", what);
    r->p += n;
    return true;
}

/* in_container: booleans inside lists/sets/maps are one byte each; as struct fields they live in
 * the header. */
static bool skip_value(lml_pq_tc_reader *r, int type, bool in_container, lml_error *err)
{
    int64_t i64;
    const uint8_t *data;
    size_t n;
    switch (type) {
    case LML_PQ_TC_TRUE:
    case LML_PQ_TC_FALSE:
        return in_container ? skip_bytes(r, 1, "bool", err) : true;
    case LML_PQ_TC_I8:
        return skip_bytes(r, 1, "i8", err);
    case LML_PQ_TC_I16:
    case LML_PQ_TC_I32:
    case LML_PQ_TC_I64:
        return read_zigzag(r, INT64_MIN, INT64_MAX, "integer", &i64, err);
    case LML_PQ_TC_DOUBLE:
        return skip_bytes(r, 8, "double", err);
    case LML_PQ_TC_UUID:
        return skip_bytes(r, 16, "uuid", err);
    case LML_PQ_TC_BINARY:
        return lml_pq_tc_read_binary(r, &data, &n, err);
    case LML_PQ_TC_STRUCT: {
        if (!lml_pq_tc_struct_begin(r, err))
            return false;
        for (;;) {
            int16_t id;
            int t;
            if (!lml_pq_tc_read_field(r, &id, &t, err))
                return false;
            if (t == LML_PQ_TC_STOP)
                break;
            if (!skip_value(r, t, false, err))
                return false;
        }
        lml_pq_tc_struct_end(r);
        return true;
    }
    case LML_PQ_TC_LIST:
    case LML_PQ_TC_SET:
    case LML_PQ_TC_MAP: {
        if (r->depth >= LML_PQ_TC_MAX_DEPTH)
            return lml_pq_tc_fail(r, err, "nesting deeper than %d levels", LML_PQ_TC_MAX_DEPTH);
        int kt, vt = -1;
        size_t count;
        if (type == LML_PQ_TC_MAP) {
            uint64_t c = 0;
            if (!lml_pq_tc_read_uvarint(r, &c, err))
                return false;
            if (c == 0)
                return true; /* an empty map is the single byte 00 */
            if (r->p == r->end)
                return lml_pq_tc_fail(r, err, "truncated map header");
            kt = *r->p >> 4;
            vt = *r->p & 0x0f;
            r->p++;
            if (kt < LML_PQ_TC_TRUE || kt > LML_PQ_TC_UUID || vt < LML_PQ_TC_TRUE || vt > LML_PQ_TC_UUID)
                return lml_pq_tc_fail(r, err, "invalid map key/value types %d/%d", kt, vt);
            if (c > lml_pq_tc_left(r) / (min_elem_size(kt) + min_elem_size(vt)))
                return lml_pq_tc_fail(r, err, "map of %llu entries cannot fit in the %zu bytes left",
                                      (unsigned long long)c, lml_pq_tc_left(r));
            count = (size_t)c;
        } else if (!lml_pq_tc_read_list(r, &kt, &count, err)) {
            return false;
        }
        r->depth++;
        for (size_t i = 0; i < count; i++) {
            if (!skip_value(r, kt, true, err) || (vt >= 0 && !skip_value(r, vt, true, err)))
                return false;
        }
        r->depth--;
        return true;
    }
    default:
        return lml_pq_tc_fail(r, err, "cannot skip a value of wire type %d", type);
    }
}

bool lml_pq_tc_skip(lml_pq_tc_reader *r, int type, lml_error *err) { return skip_value(r, type, false, err); }

/* ---- writer */

void lml_pq_tc_writer_init(lml_pq_tc_writer *w, uint8_t **buf, size_t *len, size_t *cap)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->len = len;
    w->cap = cap;
}

bool lml_pq_tc_writer_finish(const lml_pq_tc_writer *w, lml_error *err)
{
    if (w->too_deep)
        return lml_error_set(err, LML_EINVAL, "thrift writer: nesting deeper than %d levels", LML_PQ_TC_MAX_DEPTH);
    if (w->failed)
        return lml_error_set(err, LML_ENOMEM, "thrift writer: out of memory growing the output buffer");
    if (w->depth != 0)
        return lml_error_set(err, LML_EINVAL, "thrift writer: %d struct(s) left open", w->depth);
    return true;
}

void lml_pq_tc_write_raw(lml_pq_tc_writer *w, const void *data, size_t n)
{
    if (w->failed || n == 0)
        return;
    if (n > SIZE_MAX - *w->len) {
        w->failed = true;
        return;
    }
    size_t need = *w->len + n;
    if (need > *w->cap) {
        size_t cap = *w->cap < 256 ? 256 : *w->cap;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        uint8_t *nb = realloc(*w->buf, cap);
        if (!nb) {
            w->failed = true;
            return;
        }
        *w->buf = nb;
        *w->cap = cap;
    }
    memcpy(*w->buf + *w->len, data, n);
    *w->len = need;
}

static void put_byte(lml_pq_tc_writer *w, uint8_t b) { lml_pq_tc_write_raw(w, &b, 1); }

void lml_pq_tc_write_uvarint(lml_pq_tc_writer *w, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        tmp[n++] = v ? (uint8_t)(b | 0x80) : b;
    } while (v);
    lml_pq_tc_write_raw(w, tmp, n);
}

void lml_pq_tc_write_i64(lml_pq_tc_writer *w, int64_t v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    lml_pq_tc_write_uvarint(w, (u << 1) ^ (v < 0 ? UINT64_MAX : 0));
}

void lml_pq_tc_write_i32(lml_pq_tc_writer *w, int32_t v) { lml_pq_tc_write_i64(w, v); }

void lml_pq_tc_write_i8(lml_pq_tc_writer *w, int8_t v) { put_byte(w, (uint8_t)v); }

void lml_pq_tc_write_double(lml_pq_tc_writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(bits >> (8 * i));
    lml_pq_tc_write_raw(w, b, 8);
}

void lml_pq_tc_write_binary(lml_pq_tc_writer *w, const void *data, size_t n)
{
    lml_pq_tc_write_uvarint(w, n);
    lml_pq_tc_write_raw(w, data, n);
}

void lml_pq_tc_write_field(lml_pq_tc_writer *w, int16_t id, int type)
{
    int delta = (int)id - (int)w->last_id[w->depth];
    if (delta > 0 && delta <= 15) {
        put_byte(w, (uint8_t)(delta << 4 | type));
    } else {
        put_byte(w, (uint8_t)type);
        lml_pq_tc_write_i32(w, id);
    }
    w->last_id[w->depth] = id;
}

void lml_pq_tc_write_bool_field(lml_pq_tc_writer *w, int16_t id, bool v)
{
    lml_pq_tc_write_field(w, id, v ? LML_PQ_TC_TRUE : LML_PQ_TC_FALSE);
}

void lml_pq_tc_write_list(lml_pq_tc_writer *w, int elem_type, size_t count)
{
    if (count < 15) {
        put_byte(w, (uint8_t)(count << 4 | (size_t)elem_type));
    } else {
        put_byte(w, (uint8_t)(0xf0 | elem_type));
        lml_pq_tc_write_uvarint(w, count);
    }
}

void lml_pq_tc_write_struct_begin(lml_pq_tc_writer *w)
{
    if (w->depth >= LML_PQ_TC_MAX_DEPTH) {
        w->failed = w->too_deep = true;
        return;
    }
    w->last_id[++w->depth] = 0;
}

void lml_pq_tc_write_struct_end(lml_pq_tc_writer *w)
{
    put_byte(w, LML_PQ_TC_STOP);
    if (w->depth > 0)
        w->depth--;
}

void lml_pq_tc_field_i32(lml_pq_tc_writer *w, int16_t id, int32_t v)
{
    lml_pq_tc_write_field(w, id, LML_PQ_TC_I32);
    lml_pq_tc_write_i32(w, v);
}

void lml_pq_tc_field_i64(lml_pq_tc_writer *w, int16_t id, int64_t v)
{
    lml_pq_tc_write_field(w, id, LML_PQ_TC_I64);
    lml_pq_tc_write_i64(w, v);
}

void lml_pq_tc_field_binary(lml_pq_tc_writer *w, int16_t id, const void *data, size_t n)
{
    lml_pq_tc_write_field(w, id, LML_PQ_TC_BINARY);
    lml_pq_tc_write_binary(w, data, n);
}

void lml_pq_tc_field_string(lml_pq_tc_writer *w, int16_t id, const char *s)
{
    lml_pq_tc_field_binary(w, id, s, strlen(s));
}

void lml_pq_tc_field_struct_begin(lml_pq_tc_writer *w, int16_t id)
{
    lml_pq_tc_write_field(w, id, LML_PQ_TC_STRUCT);
    lml_pq_tc_write_struct_begin(w);
}
