/* printSchema() and show(n, truncate), byte for byte as Spark 3.5 prints them.
 *
 * Spark measures a cell in Java chars (UTF-16 units) plus one more for each char in its
 * "full width" ranges (Utils.stringHalfWidth), escapes control characters so a cell stays on one
 * line (SchemaUtils.escapeMetaCharacters), cuts cells longer than `truncate` to truncate − 3
 * chars + "...", and right-aligns cells when truncating, left-aligns otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"

/* Next code point of s[0..len), or U+FFFD for a malformed byte (advancing one byte), as Java's
 * UTF-8 decoder replaces it. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *adv)
{
    unsigned char b = s[0];
    int n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    *adv = 1;
    if (n == 1)
        return b;
    if (n == 0 || (size_t)n > len)
        return 0xFFFD;
    uint32_t cp = b & (0x7F >> n);
    for (int k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = cp << 6 | (s[k] & 0x3F);
    }
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *adv = (size_t)n;
    return cp;
}

static bool full_width(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE10 && c <= 0xFE19) || (c >= 0xFE30 && c <= 0xFE6F) ||
           (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6);
}

/* The cell as Spark shows it, appended to sb; returns its width in half-width columns. */
static size_t render_cell(lml_strbuf *sb, const char *text, size_t len, int truncate)
{
    /* Pass 1: escape into code points, counting UTF-16 units. */
    size_t cap = len * 2 + 1, n = 0, units = 0;
    uint32_t *cps = malloc(cap * sizeof *cps);
    if (!cps) {
        sb->failed = true;
        return 0;
    }
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = next_cp(s + i, len - i, &adv);
        i += adv;
        const char *esc = cp == '\n' ? "n" : cp == '\r' ? "r" : cp == '\t' ? "t" : cp == '\f' ? "f"
                        : cp == '\b' ? "b" : cp == 0x0B ? "v" : cp == 0x07 ? "a" : NULL;
        if (esc) {
            cps[n++] = '\\';
            cps[n++] = (uint32_t)esc[0];
            units += 2;
        } else {
            cps[n++] = cp;
            units += cp >= 0x10000 ? 2 : 1;
        }
    }
    /* Pass 2: cut to the first `keep` UTF-16 units (a cut through a surrogate pair leaves a
     * lone high surrogate, which Java prints as '?'). */
    size_t keep = units;
    bool ellipsis = false;
    if (truncate > 0 && units > (size_t)truncate) {
        keep = truncate < 4 ? (size_t)truncate : (size_t)truncate - 3;
        ellipsis = truncate >= 4;
    }
    size_t width = 0, used = 0;
    for (size_t k = 0; k < n && used < keep; k++) {
        size_t u = cps[k] >= 0x10000 ? 2 : 1;
        if (used + u > keep) {
            lml_strbuf_putc(sb, '?');
            width++;
            used++;
            break;
        }
        lml_strbuf_put_utf8(sb, cps[k]);
        used += u;
        width += u + full_width(cps[k]);
    }
    if (ellipsis) {
        lml_strbuf_puts(sb, "...");
        width += 3;
    }
    free(cps);
    return width;
}

static void put_escaped_name(lml_strbuf *sb, const char *name)
{
    for (const char *p = name; *p; p++) {
        const char *esc = *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : *p == '\t' ? "\\t" : *p == '\f' ? "\\f"
                        : *p == '\b' ? "\\b" : *p == 0x0B ? "\\v" : *p == 0x07 ? "\\a" : NULL;
        if (esc)
            lml_strbuf_puts(sb, esc);
        else
            lml_strbuf_putc(sb, *p);
    }
}

/* Spark's DataType.buildFormattedString for the inside of a nested type: each child on a line
 * under `prefix`, its own children one level deeper (prefix + "    |"). Everything read from a
 * file is nullable in Spark (file sources make the schema asNullable), so every flag is true. */
/* Spark's typeName of a column: "decimal(10,2)" for decimals (a compound literal per use). */
#define TYPE(col) lml_column_type_string((col), (char[48]){0}, 48)

static void schema_children(lml_strbuf *sb, const lml_column *c, const char *prefix)
{
    size_t plen = strlen(prefix);
    char *deeper = malloc(plen + 6);
    if (!deeper) {
        sb->failed = true;
        return;
    }
    memcpy(deeper, prefix, plen);
    memcpy(deeper + plen, "    |", 6);
    switch (c->type) {
    case LML_LIST:
        lml_strbuf_printf(sb, "%s-- element: %s (containsNull = true)\n", prefix, TYPE(c->children[0]));
        schema_children(sb, c->children[0], deeper);
        break;
    case LML_STRUCT:
        for (size_t k = 0; k < c->nchildren; k++) {
            lml_strbuf_printf(sb, "%s-- ", prefix);
            put_escaped_name(sb, c->child_names[k]);
            lml_strbuf_printf(sb, ": %s (nullable = true)\n", TYPE(c->children[k]));
            schema_children(sb, c->children[k], deeper);
        }
        break;
    case LML_MAP: {
        const lml_column *e = c->children[0];
        lml_strbuf_printf(sb, "%s-- key: %s\n", prefix, TYPE(e->children[0]));
        schema_children(sb, e->children[0], deeper);
        lml_strbuf_printf(sb, "%s-- value: %s (valueContainsNull = true)\n", prefix,
                          TYPE(e->children[1]));
        schema_children(sb, e->children[1], deeper);
        break;
    }
    default: break;
    }
    free(deeper);
}

char *lml_frame_schema_string(const lml_frame *f, lml_error *err)
{
    if (!f) {
        lml_error_set(err, LML_EINVAL, "schema_string needs a frame");
        return NULL;
    }
    lml_strbuf sb = {0};
    lml_strbuf_puts(&sb, "root\n");
    for (size_t i = 0; i < f->ncols; i++) {
        lml_strbuf_puts(&sb, " |-- ");
        put_escaped_name(&sb, f->fields[i].name);
        /* Spark reports every column read from CSV (and made by ML stages) as nullable. */
        lml_strbuf_printf(&sb, ": %s (nullable = true)\n", TYPE(f->fields[i].col));
        schema_children(&sb, f->fields[i].col, " |    |");
    }
    return lml_strbuf_finish(&sb, err);
}

typedef struct cell {
    size_t off, len, width;
} cell;

char *lml_frame_show_string(const lml_frame *f, size_t n, int truncate, lml_error *err)
{
    if (!f) {
        lml_error_set(err, LML_EINVAL, "show needs a frame");
        return NULL;
    }
    size_t rows = n < f->nrows ? n : f->nrows, ncols = f->ncols, ncells;
    if (!lml_mul_ok(rows + 1, ncols, &ncells) || ncells > SIZE_MAX / sizeof(cell)) {
        lml_error_set(err, LML_ENOMEM, "show: %zu rows × %zu columns is too many", rows, ncols);
        return NULL;
    }
    cell *cells = malloc((ncells + 1) * sizeof *cells);
    size_t *widths = malloc((ncols + 1) * sizeof *widths);
    lml_strbuf text = {0}, sb = {0};
    char small[256];
    if (!cells || !widths) {
        free(cells);
        free(widths);
        lml_error_set(err, LML_ENOMEM, "out of memory showing %zu rows", rows);
        return NULL;
    }
    for (size_t c = 0; c < ncols; c++)
        widths[c] = 3;
    for (size_t r = 0; r <= rows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            cell *ce = &cells[r * ncols + c];
            ce->off = text.len;
            if (r == 0) { /* header: escaped, never cut */
                ce->width = render_cell(&text, f->fields[c].name, strlen(f->fields[c].name), 0);
            } else {
                size_t len = lml_format_value(f->fields[c].col, r - 1, small, sizeof small);
                char *s = small;
                if (len >= sizeof small && (s = malloc(len + 1)) != NULL)
                    lml_format_value(f->fields[c].col, r - 1, s, len + 1);
                if (!s)
                    text.failed = true;
                else
                    ce->width = render_cell(&text, s, len, truncate);
                if (s != small)
                    free(s);
            }
            ce->len = text.len - ce->off;
            if (ce->width > widths[c])
                widths[c] = ce->width;
        }
    }
    lml_strbuf sep = {0};
    lml_strbuf_putc(&sep, '+');
    if (ncols == 0) /* Scala's addString("+", "+", "+\n") on no columns */
        lml_strbuf_putc(&sep, '+');
    for (size_t c = 0; c < ncols; c++) {
        lml_strbuf_repeat(&sep, '-', widths[c]);
        lml_strbuf_putc(&sep, '+');
    }
    lml_strbuf_putc(&sep, '\n');
    lml_strbuf_append(&sb, sep.data ? sep.data : "", sep.len);
    for (size_t r = 0; r <= rows && !text.failed; r++) {
        lml_strbuf_putc(&sb, '|');
        if (ncols == 0)
            lml_strbuf_putc(&sb, '|');
        for (size_t c = 0; c < ncols; c++) {
            const cell *ce = &cells[r * ncols + c];
            size_t pad = widths[c] - ce->width;
            if (truncate > 0)
                lml_strbuf_repeat(&sb, ' ', pad);
            lml_strbuf_append(&sb, text.data + ce->off, ce->len);
            if (truncate <= 0)
                lml_strbuf_repeat(&sb, ' ', pad);
            lml_strbuf_putc(&sb, '|');
        }
        lml_strbuf_putc(&sb, '\n');
        if (r == 0)
            lml_strbuf_append(&sb, sep.data ? sep.data : "", sep.len);
    }
    lml_strbuf_append(&sb, sep.data ? sep.data : "", sep.len);
    if (f->nrows > n)
        lml_strbuf_printf(&sb, "only showing top %zu %s\n", n, n == 1 ? "row" : "rows");
    if (text.failed || sep.failed)
        sb.failed = true;
    free(cells);
    free(widths);
    lml_strbuf_free(&text);
    lml_strbuf_free(&sep);
    return lml_strbuf_finish(&sb, err);
}

/* Spark's printSchema() and show() println the string, so one more newline follows it. */
bool lml_frame_print_schema(const lml_frame *f, FILE *out, lml_error *err)
{
    char *s = lml_frame_schema_string(f, err);
    if (!s)
        return false;
    bool ok = fputs(s, out) >= 0 && fputc('\n', out) != EOF;
    free(s);
    return ok ? true : lml_error_set(err, LML_EIO, "printSchema: write failed");
}

bool lml_frame_show(const lml_frame *f, FILE *out, size_t n, int truncate, lml_error *err)
{
    char *s = lml_frame_show_string(f, n, truncate, err);
    if (!s)
        return false;
    bool ok = fputs(s, out) >= 0 && fputc('\n', out) != EOF;
    free(s);
    return ok ? true : lml_error_set(err, LML_EIO, "show: write failed");
}
