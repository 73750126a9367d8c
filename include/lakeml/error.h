/* lakeml — errors. Every fallible call takes `lml_error *err` (may be NULL) as its last
 * argument and returns NULL / false / -1 on failure, with err->code and a message that names
 * the thing, the place and the value ("titanic.csv:17: column 'Age': cannot parse \"abc\" as double"). */
#ifndef LAKEML_ERROR_H
#define LAKEML_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lml_errcode {
    LML_OK = 0,
    LML_EINVAL,       /* a bad argument or option from the caller */
    LML_EIO,          /* the operating system refused a read, write, open … */
    LML_EFORMAT,      /* input bytes that do not follow their format (CSV, Parquet, JSON …) */
    LML_ECONFLICT,    /* a concurrent writer won (Delta commits) */
    LML_ENOTFOUND,    /* a file, column, param or version that does not exist */
    LML_EUNSUPPORTED, /* valid input using a feature lakeml does not handle */
    LML_ENOMEM,       /* an allocation failed or a size would overflow */
    LML_ETYPE,        /* a value or column of the wrong type */
    LML_ERANGE,       /* a value outside its allowed range */
    LML_ECANCELED     /* a progress callback asked to stop */
} lml_errcode;

#define LML_ERROR_MESSAGE_MAX 512

typedef struct lml_error {
    lml_errcode code;
    char message[LML_ERROR_MESSAGE_MAX];
} lml_error;

/* Records code and a printf-formatted message in *err (no-op when err is NULL). A message
 * longer than the buffer is cut with "…". Returns false so a failing path can write
 * `return lml_error_set(err, …);` in functions returning bool. */
LML_API bool lml_error_set(lml_error *err, lml_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
LML_API bool lml_error_setv(lml_error *err, lml_errcode code, const char *fmt, va_list ap);

/* Prefixes the message already in *err with "prefix: " (e.g. a file name), keeping the code. */
LML_API void lml_error_prefix(lml_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Resets *err to LML_OK with an empty message (no-op when err is NULL). */
LML_API void lml_error_clear(lml_error *err);

/* The code's name, e.g. "EFORMAT"; a static string. */
LML_API const char *lml_errcode_name(lml_errcode code);

#ifdef __cplusplus
}
#endif
#endif
