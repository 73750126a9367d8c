/* Rejected and repaired records as JSON lines: {"file":…,"line":…,"record":…,"reason":…}.
 * Escaped by hand rather than through cJSON: the record is untrusted bytes that may not be UTF-8,
 * and JSON must be; invalid sequences become U+FFFD. */
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
