/*
 * err.c: error codes and their names, the message kept beside them, job
 * states, and options taken over defaults.
 */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

unsigned sd_version_number(void)
{
    return SD_VERSION_NUMBER;
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

int sd__errbuf(const sd_err *e, char *buf)
{
    const char *m = e->msg[0] ? e->msg : sd_strerror(e->code);
    size_t n = strlen(m);
    if (buf) {
        if (n >= SD_ERRBUF_SIZE)
            n = SD_ERRBUF_SIZE - 1; /* cut to the buffer, as strlcpy */
        memcpy(buf, m, n);
        buf[n] = '\0';
    }
    return e->code;
}

int sd__errbuf_nomem(char *buf)
{
    static const sd_err e = {SD_ENOMEM, "out of memory"};
    return sd__errbuf(&e, buf);
}

int sd__job_check(const sd_job *j, unsigned allowed, sd_err *e, const char *call)
{
    static const char *const why[] = {
        "before anything was added",
        "before the job is finished",
        "after the job finished",
        "after a failed call",
    };
    if (allowed & SD_JOB(j->state))
        return 0;
    if (j->state == SD_JOB_FAILED)
        return j->failure ? j->failure : SD_EINVAL;
    return sd__errorf(e, SD_EINVAL, "%s called %s", call, why[j->state]);
}

int sd__job_begin(sd_job *j, sd_err *e, const char *call)
{
    return sd__job_check(j, SD_JOB(SD_JOB_NEW) | SD_JOB(SD_JOB_ADDING), e, call);
}

int sd__job_end(sd_job *j, int code, int next)
{
    if (code) {
        j->state = SD_JOB_FAILED;
        j->failure = code;
    } else {
        j->state = next;
    }
    return code;
}

int sd__options_take(void *dst, size_t dst_size, size_t first_size, const void *src, sd_err *e,
                     const char *what)
{
    size_t size;
    memcpy(&size, src, sizeof size);
    if (size < first_size)
        return sd__errorf(e, SD_EINVAL, "%s not set up by %s_init() (size %zu)", what, what, size);
    if (size > dst_size)
        return sd__errorf(e, SD_EINVAL,
                          "%s of %zu bytes: built against a newer syndic than this one (%s)", what,
                          size, SD_VERSION_STRING);
    memcpy(dst, src, size);
    memcpy(dst, &dst_size, sizeof dst_size);
    return 0;
}
