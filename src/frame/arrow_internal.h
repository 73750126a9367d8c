/* Helpers shared by the Arrow C Data Interface exporter and importer (never installed). */
#ifndef LML_ARROW_INTERNAL_H
#define LML_ARROW_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "lakeml/arrow.h"
#include "frame/internal.h"

/* The field-metadata key under which a column's ML attributes (JSON text) travel. */
#define LML_ARROW_ML_ATTR_KEY "ml_attr"

/* Spark's VectorUDT struct: type (int8: 0 sparse, 1 dense), size (int32, null for dense rows),
 * indices (list<int32>), values (list<double>). */
#define LML_ARROW_VEC_SPARSE 0
#define LML_ARROW_VEC_DENSE 1

/* Encodes one key/value pair as Arrow metadata (int32 count, then per pair int32 length + key
 * bytes, int32 length + value bytes; native byte order). Returns a malloc'd buffer, or NULL with
 * LML_ENOMEM / LML_ERANGE (a value over 2 GiB). */
char *lml_arrow_metadata_encode(const char *key, const char *value, lml_error *err);

/* Looks `key` up in Arrow metadata `md` (may be NULL). The encoding carries no total size, so
 * only the counts and lengths can be checked: negative or absurd values (over 1 GiB per string,
 * over 1 M pairs) are an LML_EFORMAT error. On success *out is a malloc'd NUL-terminated copy of
 * the value, or NULL when the key is absent. */
bool lml_arrow_metadata_find(const char *md, const char *key, char **out, lml_error *err);

/* ---------------------------------------------------------------- import (src/frame/arrow_view.c) */

/* A checked window onto an imported array node: rows [0, len) of the node live at buffer
 * index off + row (off = the node's own offset plus what parent structs pass down). */
typedef struct iview {
    const struct ArrowSchema *s;
    const struct ArrowArray *a;
    int64_t off;
    int64_t len;
    const uint8_t *valid; /* the validity bitmap (indexed by off + row), NULL when no row is null */
    int64_t nulls;        /* null rows in the window */
    const char *field;    /* the column's name, for messages */
    int depth;            /* nesting level (root 0): imports recurse, so hostile depth is refused */
} iview;

/* Deepest nesting an import accepts (Spark's own schemas rarely pass 10). */
#define LML_ARROW_MAX_DEPTH 64

static inline bool iview_null(const iview *v, int64_t row)
{
    return v->valid && !lml_bit_get(v->valid, (size_t)(v->off + row));
}

/* The top node of an imported array. */
bool iview_root(const struct ArrowSchema *s, const struct ArrowArray *a, iview *out, lml_error *err);
/* Child i of a struct view (it inherits the struct's offset and length). */
bool iview_struct_child(const iview *parent, size_t i, iview *out, lml_error *err);
/* The element view of a fixed-size list of `size` elements: rows off·size … (off + len)·size. */
bool iview_fixed_list_child(const iview *parent, int64_t size, iview *out, lml_error *err);

/* The element (or map entries) view of a list/map node: child rows [from, from + count), the
 * child's own offset added (list offsets are relative to the child's start). */
bool iview_list_child(const iview *parent, int64_t from, int64_t count, iview *out, lml_error *err);

/* IK_STRING covers binary too (fmt->type says which); IK_LIST covers "+l" and "+L"
 * (src_width 4 or 8 for the offsets), IK_MAP "+m", IK_STRUCT any "+s" but Spark's vector form. */
typedef enum ikind { IK_FIXED, IK_STRING, IK_FIXED_LIST, IK_VECTOR_UDT, IK_LIST, IK_STRUCT, IK_MAP } ikind;

/* What lakeml makes of an Arrow format string. */
typedef struct iformat {
    ikind kind;
    lml_type type;     /* the lakeml column type it becomes */
    char src;          /* source value kind: 'b','c','s','C','S','i','I','l','f','g','D' (days),
                          'M' (date ms), 's','m','u','n' after 't' for timestamps — see iconvert */
    bool timestamp;    /* src is a time unit */
    size_t src_width;  /* bytes per source value (offsets for strings); 0 for bit-packed bool */
    bool zero_copy;    /* the source layout is exactly lakeml's */
    int64_t list_size; /* fixed-size lists */
    int precision, scale; /* decimals */
} iformat;

/* Parses v's format and checks the node's buffers and children against it (string offsets
 * monotonic and non-negative). Unknown formats are LML_EUNSUPPORTED naming field and format. */
bool iformat_parse(const iview *v, iformat *fmt, lml_error *err);
/* Converts source value k of buffer `src` to lakeml's representation at dst; false when it does
 * not fit (a timestamp in seconds beyond ±292,000 years in µs). */
bool iconvert(const iformat *fmt, const void *src, size_t k, void *dst);
/* Offset i of an int32 (width 4) or int64 (width 8) offsets buffer. */
static inline int64_t ioffset(const void *offs, size_t width, int64_t i)
{
    return width == 4 ? ((const int32_t *)offs)[i] : ((const int64_t *)offs)[i];
}
/* Bytes per value of a fixed-width lakeml type (bool: 0, bit-packed). */
size_t lml_arrow_type_width(lml_type t);

/* A vector column from Spark's VectorUDT struct form (always copied). */
lml_column *lml_arrow_import_vector_udt(const iview *v, lml_error *err);

#endif
