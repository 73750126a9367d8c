#include <stdio.h>
#include <string.h>
#include "lakeml/error.h"

bool lml_error_setv(lml_error *err, lml_errcode code, const char *fmt, va_list ap)
{
    if (!err)
        return false;
    err->code = code;
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    if (n >= (int)sizeof err->message)
        memcpy(err->message + sizeof err->message - 4, "...", 4);
    return false;
}

bool lml_error_set(lml_error *err, lml_errcode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lml_error_setv(err, code, fmt, ap);
    va_end(ap);
    return false;
}

void lml_error_prefix(lml_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[LML_ERROR_MESSAGE_MAX], old[LML_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    int n = snprintf(err->message, sizeof err->message, "%s: %s", prefix, old);
    if (n >= (int)sizeof err->message)
        memcpy(err->message + sizeof err->message - 4, "...", 4);
}

void lml_error_clear(lml_error *err)
{
    if (!err)
        return;
    err->code = LML_OK;
    err->message[0] = '\0';
}

const char *lml_errcode_name(lml_errcode code)
{
    static const char *const names[] = {
        [LML_OK] = "OK",           [LML_EINVAL] = "EINVAL",       [LML_EIO] = "EIO",
        [LML_EFORMAT] = "EFORMAT", [LML_ECONFLICT] = "ECONFLICT", [LML_ENOTFOUND] = "ENOTFOUND",
        [LML_EUNSUPPORTED] = "EUNSUPPORTED", [LML_ENOMEM] = "ENOMEM", [LML_ETYPE] = "ETYPE",
        [LML_ERANGE] = "ERANGE",   [LML_ECANCELED] = "ECANCELED",
    };
    if ((unsigned)code < sizeof names / sizeof names[0] && names[code])
        return names[code];
    return "UNKNOWN";
}
