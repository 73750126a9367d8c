/* State shared by the parallel passes: failures (the earliest chunk wins, so the reported error
 * is the first in file order whatever the thread count), cancellation and progress. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "io/csv/csv_internal.h"

void csv_chunk_fail(csv_ctx *x, size_t i, size_t line, lml_errcode code, const char *fmt, ...)
{
    csv_chunk *ch = &x->chunks[i];
    if (ch->failed)
        return;
    ch->failed = true;
    ch->code = code;
    ch->err_line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ch->msg, sizeof ch->msg, fmt, ap);
    va_end(ap);
    size_t cur = atomic_load(&x->first_failed);
    while (i < cur && !atomic_compare_exchange_weak(&x->first_failed, &cur, i)) {
    }
}

bool csv_should_stop(csv_ctx *x, size_t i)
{
    return atomic_load_explicit(&x->first_failed, memory_order_relaxed) < i ||
           atomic_load_explicit(&x->canceled, memory_order_relaxed);
}

void csv_chunk_done(csv_ctx *x, size_t i, int worker)
{
    const csv_chunk *ch = &x->chunks[i];
    if (x->mapped) {
        /* Only pages entirely inside the chunk: the edge pages are shared with neighbours. */
        uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
        uintptr_t b = ((uintptr_t)ch->begin + pg - 1) & ~(pg - 1), e = (uintptr_t)ch->end & ~(pg - 1);
        if (e > b)
            madvise((void *)b, e - b, MADV_DONTNEED);
    }
    size_t bytes = (size_t)(ch->end - ch->begin);
    size_t done = atomic_fetch_add(&x->done_bytes, bytes) + bytes;
    if (worker != 0 || !x->cfg->progress.fn)
        return;
    if (!x->cfg->progress.fn(x->cfg->progress.user, "csv", done, x->total_bytes))
        atomic_store(&x->canceled, true);
}

void csv_quote_value(lml_strbuf *sb, const char *s, size_t n)
{
    enum { MAX_SHOWN = 60 };
    lml_strbuf_putc(sb, '"');
    size_t shown = n > MAX_SHOWN ? MAX_SHOWN : n;
    while (shown < n && shown > 0 && ((unsigned char)s[shown] & 0xC0) == 0x80)
        shown--; /* do not cut a UTF-8 sequence */
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            lml_strbuf_printf(sb, "\\%c", c);
        else if (c < ' ' || c == 0x7f)
            lml_strbuf_printf(sb, "\\x%02x", c);
        else
            lml_strbuf_putc(sb, (char)c);
    }
    lml_strbuf_putc(sb, '"');
    if (shown < n)
        lml_strbuf_printf(sb, "… (%zu bytes)", n);
}
