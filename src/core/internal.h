/* Core internals shared by every module (never installed): the worker pool, a growable string
 * buffer and number formatting. */
#ifndef LML_CORE_INTERNAL_H
#define LML_CORE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"
#include "lakeml/log.h"

/* ---- worker pool (src/core/pool.c) */

/* Work item `task` of a parallel loop, run on worker `worker` (0 ≤ worker < nworkers). */
typedef void (*lml_task_fn)(void *ctx, size_t task, int worker);

/* Runs fn(ctx, t, w) for every t in [0, ntasks) on the library's pool and returns when all have
 * finished. Tasks are handed out in increasing order; results must not depend on which worker
 * runs which task. Nested calls run inline on the calling thread. */
void lml_parallel_for(size_t ntasks, lml_task_fn fn, void *ctx);
/* How many workers lml_parallel_for may use (= lml_get_num_threads()). */
int lml_pool_size(void);

/* ---- string buffer (src/core/strbuf.c) */

typedef struct lml_strbuf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed: later appends are ignored */
} lml_strbuf;

void lml_strbuf_append(lml_strbuf *sb, const char *s, size_t len);
void lml_strbuf_puts(lml_strbuf *sb, const char *s);
void lml_strbuf_putc(lml_strbuf *sb, char c);
void lml_strbuf_printf(lml_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lml_strbuf_repeat(lml_strbuf *sb, char c, size_t n);
/* Appends code point cp (≤ 0x10FFFF; the caller has checked it) as 1 to 4 bytes of UTF-8. */
void lml_strbuf_put_utf8(lml_strbuf *sb, uint32_t cp);
/* Hands the string to the caller (malloc'd) and resets sb; NULL with LML_ENOMEM if any append failed. */
char *lml_strbuf_finish(lml_strbuf *sb, lml_error *err);
void lml_strbuf_free(lml_strbuf *sb);

/* ---- numbers (src/core/numfmt.c) */

#define LML_DOUBLE_BUF 32
/* The shortest decimal text that strtod reads back to exactly x ("0.1", "1e+300", "NaN",
 * "Infinity", "-Infinity"); returns its length. */
size_t lml_format_double_shortest(double x, char buf[LML_DOUBLE_BUF]);
/* x as Java's Double.toString prints it (Spark's show and describe): "1.0", "0.001",
 * "1.0E-4", "1.2345678E7", "NaN", "Infinity". */
size_t lml_format_double_java(double x, char buf[LML_DOUBLE_BUF]);
/* f as Java's Float.toString prints it (Spark's show, Delta partition values): "1.5", "1.0E10",
 * "1.4E-45", "NaN". */
size_t lml_format_float_java(float f, char buf[LML_DOUBLE_BUF]);

/* Multiplies with an overflow check: false when a * b does not fit in size_t. */
static inline bool lml_mul_ok(size_t a, size_t b, size_t *out) { return !__builtin_mul_overflow(a, b, out); }
/* The value of a hexadecimal digit (either case), or -1. */
static inline int lml_hex_digit(int c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* strdup that reports LML_ENOMEM. */
char *lml_strdup(const char *s, lml_error *err);

/* ---- logging shorthands */
#define LML_LOG_DEBUG(module, ...) lml_log(LML_LOG_DEBUG, module, __VA_ARGS__)
#define LML_LOG_INFO(module, ...) lml_log(LML_LOG_INFO, module, __VA_ARGS__)
#define LML_LOG_WARN(module, ...) lml_log(LML_LOG_WARN, module, __VA_ARGS__)

/* ---- reading a whole input file (src/core/input.c) */

/* A file's bytes: mapped when it is a non-empty regular file, else read into a buffer (pipes,
 * /dev/stdin). A missing file is LML_ENOTFOUND, a directory or a read failure LML_EIO, each naming
 * the path. */
typedef struct lml_input {
    const char *data;
    size_t len;
    bool mapped;
} lml_input;
bool lml_input_open(const char *path, lml_input *in, lml_error *err);
void lml_input_close(lml_input *in);

/* ---- writing a file atomically (src/core/tmpfile.c) */

/* Creates a temporary file beside `path` with the mode of an existing `path` (else 0644); returns
 * its descriptor and its malloc'd name in *tmp, or -1 (LML_EIO / LML_ENOMEM). */
int lml_tmpfile_open(const char *path, char **tmp, lml_error *err);
/* Renames the finished temporary file onto `path` and fsyncs the directory; frees tmp. On failure
 * (LML_EIO naming path) the temporary file is removed. */
bool lml_tmpfile_commit(char *tmp, const char *path, lml_error *err);
/* Removes the temporary file and frees its name (NULL is a no-op). */
void lml_tmpfile_discard(char *tmp);

#endif
