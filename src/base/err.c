/*
 * err.c: error codes and their names, and the message kept beside them.
 */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>

#include "syndic.h"

const char *sd_strerror(int code)
{
    switch (code) {
    case SD_OK: return "success";
    case SD_ENOMEM: return "out of memory";
    case SD_EINVAL: return "invalid argument";
    case SD_EIO: return "input/output error";
    case SD_EFORMAT: return "malformed input";
    case SD_ETOOBIG: return "too large";
    case SD_ETRUNC: return "truncated input";
    case SD_EUTF8: return "invalid UTF-8";
    case SD_EMISSING: return "missing field";
    case SD_ECANCELED: return "canceled";
    default: return "unknown error";
    }
}

const char *sd_version(void)
{
    return SD_VERSION_STRING;
}

int sd__errorf(sd_err *e, int code, const char *fmt, ...)
{
    va_list ap;
    if (e == NULL)
        return code;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void sd__err_clear(sd_err *e)
{
    e->code = 0;
    e->msg[0] = '\0';
}
