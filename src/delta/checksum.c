/* The `_last_checkpoint` checksum (delta.md §4.2): every leaf of the JSON object becomes
 * `path=value`, the pairs are sorted by path and joined with ',', and the MD5 of that text is the
 * checksum.
 *
 * Numbers must appear "as written". cJSON turns every number into a double and prints it back
 * in its own way (a sizeInBytes above 2^53 would change, 1.50 would become 1.5), so this file
 * walks the JSON text itself with a strict RFC 8259 grammar and copies number tokens verbatim.
 * The walk also validates: anything that is not one JSON object is LML_EFORMAT. */
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "checksum.h"

#define MAX_DEPTH 256

typedef struct pair {
    char *text; /* "path=value" */
    size_t path_len;
} pair;

typedef struct walker {
    const char *p, *end, *start;
    lml_strbuf path;   /* the current leaf path */
    lml_strbuf scratch; /* decoded string bytes */
    pair *pairs;
    size_t npairs, cap;
    lml_error *err;
} walker;

static bool fail(walker *w, const char *what)
{
    return lml_error_set(w->err, LML_EFORMAT, "_last_checkpoint JSON: %s at byte %zu", what,
                         (size_t)(w->p - w->start));
}

static void skip_ws(walker *w)
{
    while (w->p < w->end && (*w->p == ' ' || *w->p == '\t' || *w->p == '\n' || *w->p == '\r'))
        w->p++;
}

/* URL-encoding of §4.2: keep A-Z a-z 0-9 - . _ ~, every other byte becomes %XX. */
static void url_encode(lml_strbuf *sb, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            lml_strbuf_putc(sb, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            lml_strbuf_append(sb, e, 3);
        }
    }
}

static bool hex4(walker *w, uint32_t *out)
{
    if (w->end - w->p < 4)
        return fail(w, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = w->p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return fail(w, "bad \\u escape");
        v = v << 4 | (uint32_t)d;
    }
    w->p += 4;
    *out = v;
    return true;
}

/* Decodes the string starting at the opening quote into w->scratch (length in scratch.len). */
static bool read_string(walker *w)
{
    w->scratch.len = 0;
    lml_strbuf_append(&w->scratch, "", 0);
    w->p++; /* the opening quote */
    for (;;) {
        if (w->p >= w->end)
            return fail(w, "unterminated string");
        unsigned char c = (unsigned char)*w->p;
        if (c == '"') {
            w->p++;
            return !w->scratch.failed || lml_error_set(w->err, LML_ENOMEM, "_last_checkpoint JSON: out of memory");
        }
        if (c < 0x20)
            return fail(w, "control character in string");
        if (c != '\\') {
            const char *run = w->p;
            while (w->p < w->end && *w->p != '"' && *w->p != '\\' && (unsigned char)*w->p >= 0x20)
                w->p++;
            lml_strbuf_append(&w->scratch, run, (size_t)(w->p - run));
            continue;
        }
        if (w->end - w->p < 2)
            return fail(w, "truncated escape");
        char e = w->p[1];
        w->p += 2;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e != '\0' && simple) {
            static const char rep[] = "\"\\/\b\f\n\r\t";
            lml_strbuf_putc(&w->scratch, rep[simple - "\"\\/bfnrt"]);
            continue;
        }
        if (e != 'u')
            return fail(w, "bad escape in string");
        uint32_t cp;
        if (!hex4(w, &cp))
            return false;
        if (cp >= 0xD800 && cp < 0xDC00) { /* a high surrogate must pair with a low one */
            uint32_t lo;
            if (w->end - w->p < 2 || w->p[0] != '\\' || w->p[1] != 'u')
                return fail(w, "unpaired surrogate");
            w->p += 2;
            if (!hex4(w, &lo))
                return false;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return fail(w, "unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(w, "unpaired surrogate");
        }
        lml_strbuf_put_utf8(&w->scratch, cp);
    }
}

/* Records "path=value" for the current path; value is raw text or, when quoted, URL-encoded. */
static bool emit(walker *w, const char *val, size_t len, bool quoted)
{
    if (w->npairs == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 32, bytes;
        if (!lml_mul_ok(ncap, sizeof *w->pairs, &bytes))
            return lml_error_set(w->err, LML_ENOMEM, "_last_checkpoint JSON: too many values");
        pair *np = realloc(w->pairs, bytes);
        if (!np)
            return lml_error_set(w->err, LML_ENOMEM, "_last_checkpoint JSON: out of memory");
        w->pairs = np;
        w->cap = ncap;
    }
    lml_strbuf sb = {0};
    lml_strbuf_append(&sb, w->path.data ? w->path.data : "", w->path.len);
    lml_strbuf_putc(&sb, '=');
    if (quoted) {
        lml_strbuf_putc(&sb, '"');
        url_encode(&sb, val, len);
        lml_strbuf_putc(&sb, '"');
    } else {
        lml_strbuf_append(&sb, val, len);
    }
    char *text = lml_strbuf_finish(&sb, w->err);
    if (!text)
        return false;
    w->pairs[w->npairs++] = (pair){text, w->path.len};
    return true;
}

static void path_truncate(walker *w, size_t len)
{
    w->path.len = len;
    if (w->path.data)
        w->path.data[len] = '\0';
}

static bool parse_value(walker *w, int depth);

static bool parse_number(walker *w)
{
    const char *s = w->p;
    if (w->p < w->end && *w->p == '-')
        w->p++;
    if (w->p >= w->end || *w->p < '0' || *w->p > '9')
        return fail(w, "bad number");
    if (*w->p == '0') {
        w->p++;
    } else {
        while (w->p < w->end && *w->p >= '0' && *w->p <= '9')
            w->p++;
    }
    if (w->p < w->end && *w->p == '.') {
        w->p++;
        if (w->p >= w->end || *w->p < '0' || *w->p > '9')
            return fail(w, "bad number");
        while (w->p < w->end && *w->p >= '0' && *w->p <= '9')
            w->p++;
    }
    if (w->p < w->end && (*w->p == 'e' || *w->p == 'E')) {
        w->p++;
        if (w->p < w->end && (*w->p == '+' || *w->p == '-'))
            w->p++;
        if (w->p >= w->end || *w->p < '0' || *w->p > '9')
            return fail(w, "bad number");
        while (w->p < w->end && *w->p >= '0' && *w->p <= '9')
            w->p++;
    }
    return emit(w, s, (size_t)(w->p - s), false);
}

static bool parse_literal(walker *w, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(w->end - w->p) < n || memcmp(w->p, lit, n) != 0)
        return fail(w, "unexpected character");
    w->p += n;
    return emit(w, lit, n, false);
}

static void path_segment_sep(walker *w)
{
    if (w->path.len > 0)
        lml_strbuf_putc(&w->path, '+');
}

static bool parse_object(walker *w, int depth)
{
    w->p++; /* '{' */
    size_t base = w->path.len;
    skip_ws(w);
    if (w->p < w->end && *w->p == '}') {
        w->p++;
        return true; /* an empty object has no leaves */
    }
    for (;;) {
        skip_ws(w);
        if (w->p >= w->end || *w->p != '"')
            return fail(w, "expected a key");
        if (!read_string(w))
            return false;
        /* The top-level "checksum" is what is being computed: validated, left out. */
        bool skip = depth == 1 && w->scratch.len == 8 && memcmp(w->scratch.data, "checksum", 8) == 0;
        path_segment_sep(w);
        lml_strbuf_putc(&w->path, '"');
        url_encode(&w->path, w->scratch.data, w->scratch.len);
        lml_strbuf_putc(&w->path, '"');
        if (w->path.failed)
            return lml_error_set(w->err, LML_ENOMEM, "_last_checkpoint JSON: out of memory");
        skip_ws(w);
        if (w->p >= w->end || *w->p != ':')
            return fail(w, "expected ':'");
        w->p++;
        size_t before = w->npairs;
        if (!parse_value(w, depth))
            return false;
        if (skip) {
            for (size_t i = before; i < w->npairs; i++)
                free(w->pairs[i].text);
            w->npairs = before;
        }
        path_truncate(w, base);
        skip_ws(w);
        if (w->p < w->end && *w->p == ',') {
            w->p++;
            continue;
        }
        if (w->p < w->end && *w->p == '}') {
            w->p++;
            return true;
        }
        return fail(w, "expected ',' or '}'");
    }
}

static bool parse_array(walker *w, int depth)
{
    w->p++; /* '[' */
    size_t base = w->path.len;
    skip_ws(w);
    if (w->p < w->end && *w->p == ']') {
        w->p++;
        return true;
    }
    for (size_t i = 0;; i++) {
        path_segment_sep(w);
        lml_strbuf_printf(&w->path, "%zu", i);
        if (w->path.failed)
            return lml_error_set(w->err, LML_ENOMEM, "_last_checkpoint JSON: out of memory");
        if (!parse_value(w, depth))
            return false;
        path_truncate(w, base);
        skip_ws(w);
        if (w->p < w->end && *w->p == ',') {
            w->p++;
            continue;
        }
        if (w->p < w->end && *w->p == ']') {
            w->p++;
            return true;
        }
        return fail(w, "expected ',' or ']'");
    }
}

static bool parse_value(walker *w, int depth)
{
    skip_ws(w);
    if (w->p >= w->end)
        return fail(w, "truncated");
    switch (*w->p) {
    case '{':
        if (depth >= MAX_DEPTH)
            return fail(w, "nesting too deep");
        return parse_object(w, depth + 1);
    case '[':
        if (depth >= MAX_DEPTH)
            return fail(w, "nesting too deep");
        return parse_array(w, depth + 1);
    case '"':
        return read_string(w) && emit(w, w->scratch.data, w->scratch.len, true);
    case 't':
        return parse_literal(w, "true");
    case 'f':
        return parse_literal(w, "false");
    case 'n':
        return parse_literal(w, "null");
    default:
        return parse_number(w);
    }
}

static int cmp_pairs(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    size_t n = x->path_len < y->path_len ? x->path_len : y->path_len;
    int c = memcmp(x->text, y->text, n);
    if (c)
        return c;
    return (x->path_len > y->path_len) - (x->path_len < y->path_len);
}

bool lml_delta_json_checksum(const char *json, size_t len, char out[33], lml_error *err)
{
    if (!json)
        return lml_error_set(err, LML_EINVAL, "_last_checkpoint checksum: no JSON text");
    walker w = {.p = json, .end = json + len, .start = json, .err = err};
    bool ok = false;
    lml_strbuf text = {0};
    skip_ws(&w);
    if (w.p >= w.end || *w.p != '{') {
        fail(&w, "not a JSON object");
        goto done;
    }
    if (!parse_value(&w, 0))
        goto done;
    skip_ws(&w);
    if (w.p != w.end) {
        fail(&w, "trailing text after the object");
        goto done;
    }
    if (w.npairs > 1)
        qsort(w.pairs, w.npairs, sizeof *w.pairs, cmp_pairs);
    for (size_t i = 0; i < w.npairs; i++) {
        /* Equal paths can only come from a key repeated in one object, which has no single
         * canonical form. */
        if (i > 0 && cmp_pairs(&w.pairs[i - 1], &w.pairs[i]) == 0) {
            lml_error_set(err, LML_EFORMAT, "_last_checkpoint JSON: duplicate key at %.*s",
                          (int)(w.pairs[i].path_len > 200 ? 200 : w.pairs[i].path_len), w.pairs[i].text);
            goto done;
        }
        if (i > 0)
            lml_strbuf_putc(&text, ',');
        lml_strbuf_puts(&text, w.pairs[i].text);
    }
    lml_strbuf_append(&text, "", 0);
    if (text.failed) {
        lml_error_set(err, LML_ENOMEM, "_last_checkpoint checksum: out of memory");
        goto done;
    }
    uint8_t d[16];
    lml_md5(text.data ? text.data : "", text.len, d);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[32] = '\0';
    ok = true;
done:
    for (size_t i = 0; i < w.npairs; i++)
        free(w.pairs[i].text);
    free(w.pairs);
    lml_strbuf_free(&w.path);
    lml_strbuf_free(&w.scratch);
    lml_strbuf_free(&text);
    return ok;
}
