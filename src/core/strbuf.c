#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"

static bool reserve(lml_strbuf *sb, size_t extra)
{
    if (sb->failed)
        return false;
    if (sb->len + extra + 1 <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            sb->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(sb->data, cap);
    if (!p) {
        sb->failed = true;
        return false;
    }
    sb->data = p;
    sb->cap = cap;
    return true;
}

void lml_strbuf_append(lml_strbuf *sb, const char *s, size_t len)
{
    if (!reserve(sb, len))
        return;
    memcpy(sb->data + sb->len, s, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void lml_strbuf_puts(lml_strbuf *sb, const char *s) { lml_strbuf_append(sb, s, strlen(s)); }

void lml_strbuf_putc(lml_strbuf *sb, char c) { lml_strbuf_append(sb, &c, 1); }

void lml_strbuf_repeat(lml_strbuf *sb, char c, size_t n)
{
    if (!reserve(sb, n))
        return;
    memset(sb->data + sb->len, c, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void lml_strbuf_put_utf8(lml_strbuf *sb, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    lml_strbuf_append(sb, b, n);
}

void lml_strbuf_printf(lml_strbuf *sb, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(sb, (size_t)n)) {
        sb->failed = true;
        va_end(ap2);
        return;
    }
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    sb->len += (size_t)n;
}

char *lml_strbuf_finish(lml_strbuf *sb, lml_error *err)
{
    if (sb->failed || !reserve(sb, 0)) {
        lml_strbuf_free(sb);
        lml_error_set(err, LML_ENOMEM, "out of memory building a string");
        return NULL;
    }
    char *s = sb->data;
    s[sb->len] = '\0'; /* appends terminate already; this covers a buffer nothing was appended to */
    *sb = (lml_strbuf){0};
    return s;
}

void lml_strbuf_free(lml_strbuf *sb)
{
    free(sb->data);
    *sb = (lml_strbuf){0};
}

char *lml_strdup(const char *s, lml_error *err)
{
    char *d = strdup(s ? s : "");
    if (!d)
        lml_error_set(err, LML_ENOMEM, "out of memory copying a string of %zu bytes", strlen(s ? s : ""));
    return d;
}
