/* lakeml — logging and progress reporting. The library never prints: it hands log records to
 * the configured sink (stderr by default, text or JSON lines, or a user callback) and reports
 * progress of long work through an optional callback that the caller supplies per call.
 *
 * Logging configuration is the library's only global mutable state. It is read from the
 * environment once, on first use: LAKEML_LOG=off|error|warn|info|debug|trace (default warn),
 * optionally followed by ",json" (e.g. LAKEML_LOG=debug,json) for JSON-lines output. */
#ifndef LAKEML_LOG_H
#define LAKEML_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lml_log_level {
    LML_LOG_OFF = 0,
    LML_LOG_ERROR,
    LML_LOG_WARN,
    LML_LOG_INFO,
    LML_LOG_DEBUG,
    LML_LOG_TRACE
} lml_log_level;

typedef enum lml_log_format { LML_LOG_TEXT = 0, LML_LOG_JSON } lml_log_format;

/* A user sink: receives every record at or above the configured level. `module` is a short
 * static string ("csv", "frame" …); `message` is valid only during the call. Must be
 * thread-safe: records may come from several worker threads at once. */
typedef void (*lml_log_fn)(void *user, lml_log_level level, const char *module, const char *message);

LML_API void lml_log_set_level(lml_log_level level);
LML_API lml_log_level lml_log_get_level(void);
LML_API void lml_log_set_format(lml_log_format format);
/* Replaces the stderr sink with fn (NULL restores stderr). */
LML_API void lml_log_set_callback(lml_log_fn fn, void *user);
/* Parses a level name ("warn", "DEBUG" …); returns false for an unknown name. */
LML_API bool lml_log_level_parse(const char *name, lml_log_level *out);
LML_API const char *lml_log_level_name(lml_log_level level);

/* Emits a record. Used by the library itself; applications may use it too. */
LML_API void lml_log(lml_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Progress of one long call: `done` of `total` units (bytes, rows, iterations — `total` 0 when
 * unknown) of the task named `what`. Return false to cancel: the call then fails with
 * LML_ECANCELED and leaves no partial output behind. Called from the calling thread only. */
typedef bool (*lml_progress_fn)(void *user, const char *what, uint64_t done, uint64_t total);

typedef struct lml_progress {
    lml_progress_fn fn; /* NULL: no reporting */
    void *user;
} lml_progress;

#ifdef __cplusplus
}
#endif
#endif
