/* Logging: the library's only global mutable state. Records go to stderr (text or JSON lines)
 * or to a user callback; the level comes from LAKEML_LOG on first use unless set explicitly. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "core/internal.h"

static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int cur_level = LML_LOG_WARN;
static _Atomic int cur_format = LML_LOG_TEXT;
static lml_log_fn user_fn;
static void *user_data;

static const char *const level_names[] = {"off", "error", "warn", "info", "debug", "trace"};

const char *lml_log_level_name(lml_log_level level)
{
    return (unsigned)level <= LML_LOG_TRACE ? level_names[level] : "unknown";
}

bool lml_log_level_parse(const char *name, lml_log_level *out)
{
    if (!name)
        return false;
    for (int i = 0; i <= LML_LOG_TRACE; i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *out = (lml_log_level)i;
            return true;
        }
    }
    if (strcasecmp(name, "warning") == 0) {
        *out = LML_LOG_WARN;
        return true;
    }
    return false;
}

/* LAKEML_LOG=LEVEL[,json|,text] */
static void read_env(void)
{
    const char *env = getenv("LAKEML_LOG");
    if (!env || !*env)
        return;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", env);
    char *fmt = strchr(buf, ',');
    if (fmt) {
        *fmt++ = '\0';
        if (strcasecmp(fmt, "json") == 0)
            atomic_store(&cur_format, LML_LOG_JSON);
    }
    lml_log_level lv;
    if (lml_log_level_parse(buf, &lv))
        atomic_store(&cur_level, (int)lv);
}

void lml_log_set_level(lml_log_level level)
{
    pthread_once(&env_once, read_env);
    atomic_store(&cur_level, (int)level);
}

lml_log_level lml_log_get_level(void)
{
    pthread_once(&env_once, read_env);
    return (lml_log_level)atomic_load(&cur_level);
}

void lml_log_set_format(lml_log_format format)
{
    pthread_once(&env_once, read_env);
    atomic_store(&cur_format, (int)format);
}

void lml_log_set_callback(lml_log_fn fn, void *user)
{
    pthread_mutex_lock(&sink_lock);
    user_fn = fn;
    user_data = user;
    pthread_mutex_unlock(&sink_lock);
}

static void json_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

void lml_log(lml_log_level level, const char *module, const char *fmt, ...)
{
    if (level == LML_LOG_OFF || (int)level > (int)lml_log_get_level())
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    pthread_mutex_lock(&sink_lock);
    if (user_fn) {
        user_fn(user_data, level, module, msg);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        char when[64];
        snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
        if (atomic_load(&cur_format) == LML_LOG_JSON) {
            fprintf(stderr, "{\"ts\":\"%s\",\"level\":\"%s\",\"module\":\"", when, lml_log_level_name(level));
            json_escaped(stderr, module);
            fputs("\",\"msg\":\"", stderr);
            json_escaped(stderr, msg);
            fputs("\"}\n", stderr);
        } else {
            fprintf(stderr, "%s %-5s [%s] %s\n", when, lml_log_level_name(level), module, msg);
        }
    }
    pthread_mutex_unlock(&sink_lock);
}
