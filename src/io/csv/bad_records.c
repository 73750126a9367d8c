/* Rejected and repaired records as JSON lines: {"file":…,"line":…,"record":…,"reason":…}.
 * Escaped by hand rather than through cJSON: the record is untrusted bytes that may not be UTF-8,
 * and JSON must be; invalid sequences become U+FFFD. Also the decoding of CSV text that
 * Spark does with Java's UTF-8 decoder (csv_utf8_*). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "io/csv/csv_internal.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static bool cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* At a non-ASCII byte s[0] (n >= 1): the length of the valid sequence there (2..4), or 0 with
 * *bad set to how many bytes Java's decoder replaces by one U+FFFD (sun.nio.cs.UTF_8 and
 * String's decoder: malformedN for complete sequences, the truncated-input paths otherwise). */
static size_t java_seq(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned char c = s[0];
    *bad = 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && cont(s[1]) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 2 || !cont(s[1]) || (c == 0xE0 && s[1] < 0xA0)) /* overlong E0 80–9F */
            return 0;
        *bad = 2;
        if (n < 3 || !cont(s[2]))
            return 0;
        if (c == 0xED && s[1] >= 0xA0) { /* a surrogate: Java replaces the whole sequence */
            *bad = 3;
            return 0;
        }
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 2 || !cont(s[1]) || (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
            return 0; /* overlong F0 80–8F, or beyond U+10FFFF */
        *bad = 2;
        if (n < 3 || !cont(s[2]))
            return 0;
        *bad = 3;
        if (n < 4 || !cont(s[3]))
            return 0;
        return 4;
    }
    return 0; /* 80–BF, C0, C1, F5–FF */
}

size_t csv_utf8_valid_prefix(const char *str, size_t n)
{
    /* The hot loop for non-ASCII text, so its own tight checks rather than java_seq's. */
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            while (i + 8 <= n) { /* ASCII runs between non-ASCII text, eight bytes at a time */
                uint64_t w;
                memcpy(&w, s + i, 8);
                if (w & 0x8080808080808080ull)
                    break;
                i += 8;
            }
        } else if (c < 0xE0) {
            if (c < 0xC2 || n - i < 2 || !cont(s[i + 1]))
                return i;
            i += 2;
        } else if (c < 0xF0) {
            if (n - i < 3)
                return i;
            unsigned char b = s[i + 1];
            if (!cont(b) || !cont(s[i + 2]) || (c == 0xE0 && b < 0xA0) || (c == 0xED && b >= 0xA0))
                return i;
            i += 3;
        } else {
            if (c > 0xF4 || n - i < 4)
                return i;
            unsigned char b = s[i + 1];
            if (!cont(b) || !cont(s[i + 2]) || !cont(s[i + 3]) || (c == 0xF0 && b < 0x90) || (c == 0xF4 && b >= 0x90))
                return i;
            i += 4;
        }
    }
    return n;
}

size_t csv_utf8_fixed_len(const char *str, size_t n, size_t v)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = v, out = v, bad;
    while (i < n) {
        if (s[i] < 0x80) {
            i++, out++;
            continue;
        }
        size_t len = java_seq(s + i, n - i, &bad);
        i += len ? len : bad;
        out += len ? len : 3;
    }
    return out;
}

size_t csv_utf8_fix(char *dst, const char *str, size_t n, size_t v)
{
    const unsigned char *s = (const unsigned char *)str;
    memcpy(dst, str, v);
    size_t i = v, out = v, bad;
    while (i < n) {
        if (s[i] < 0x80) {
            dst[out++] = (char)s[i++];
            continue;
        }
        size_t len = java_seq(s + i, n - i, &bad);
        if (len) {
            memcpy(dst + out, s + i, len);
            i += len, out += len;
        } else {
            memcpy(dst + out, "\xEF\xBF\xBD", 3);
            i += bad, out += 3;
        }
    }
    return out;
}

static void json_string(lml_strbuf *sb, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    lml_strbuf_putc(sb, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            lml_strbuf_putc(sb, '\\');
            lml_strbuf_putc(sb, (char)c);
            i++;
        } else if (c == '\n') {
            lml_strbuf_puts(sb, "\\n");
            i++;
        } else if (c == '\r') {
            lml_strbuf_puts(sb, "\\r");
            i++;
        } else if (c == '\t') {
            lml_strbuf_puts(sb, "\\t");
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            lml_strbuf_printf(sb, "\\u%04x", c);
            i++;
        } else {
            size_t len = utf8_len(s + i, n - i);
            if (len == 0) {
                lml_strbuf_puts(sb, "\xEF\xBF\xBD");
                i++;
            } else {
                lml_strbuf_append(sb, (const char *)s + i, len);
                i += len;
            }
        }
    }
    lml_strbuf_putc(sb, '"');
}

void csv_bad_record_json(lml_strbuf *sb, const char *file, size_t line, const char *raw, size_t raw_len,
                         const char *reason)
{
    lml_strbuf_puts(sb, "{\"file\":");
    json_string(sb, file, strlen(file));
    lml_strbuf_printf(sb, ",\"line\":%zu,\"record\":", line);
    json_string(sb, raw, raw_len);
    lml_strbuf_puts(sb, ",\"reason\":");
    json_string(sb, reason, strlen(reason));
    lml_strbuf_puts(sb, "}\n");
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

bool csv_bad_records_write(const char *path, const csv_chunk *chunks, size_t nchunks, lml_error *err)
{
    bool any = false;
    for (size_t i = 0; i < nchunks; i++) {
        if (chunks[i].bad.failed)
            return lml_error_set(err, LML_ENOMEM, "out of memory collecting bad records for %s", path);
        any |= chunks[i].bad.len > 0;
    }
    if (!any)
        return true;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return lml_error_set(err, LML_EIO, "cannot open bad-records file %s: %s", path, strerror(errno));
    bool ok = true;
    for (size_t i = 0; i < nchunks && ok; i++)
        ok = write_all(fd, chunks[i].bad.data, chunks[i].bad.len);
    if (close(fd) != 0)
        ok = false;
    if (!ok)
        return lml_error_set(err, LML_EIO, "cannot write bad-records file %s: %s", path, strerror(errno));
    return true;
}
