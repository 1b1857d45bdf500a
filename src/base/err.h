/*
 * err.h: the detail kept on an object that failed (a code and a message),
 * the one state of a job object, and the options every job copies in.
 */
#ifndef SD_BASE_ERR_H
#define SD_BASE_ERR_H

#include <stddef.h>

#define SD_ERRMSG_MAX 512

typedef struct sd_err {
    int code;
    char msg[SD_ERRMSG_MAX];
} sd_err;

/* Records `code` and a printf-style message on `e` (which may be NULL);
 * returns `code`. */
int sd__errorf(sd_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copies e's message into a caller's error buffer of SD_ERRBUF_SIZE bytes
 * (buf may be NULL); returns e->code. */
int sd__errbuf(const sd_err *e, char *buf);
/* The same for a constructor that could not allocate its object: writes
 * "out of memory" and returns SD_ENOMEM. */
int sd__errbuf_nomem(char *buf);

/*
 * A job object's one state, as libuv's handle flags: every call that
 * uses the object checks it first. new: created, nothing added; adding:
 * documents (or inputs) going in; finished: results ready; failed: a call
 * failed in a way that leaves the job unusable, and every later call
 * (but errmsg, stats and free) returns that failure's code.
 */
enum { SD_JOB_NEW, SD_JOB_ADDING, SD_JOB_FINISHED, SD_JOB_FAILED };
#define SD_JOB(s) (1u << (s))

typedef struct sd_job {
    int state;
    int failure; /* in SD_JOB_FAILED: the code of the call that failed */
} sd_job;

/*
 * The check at the top of a call named `call`: 0 when the job's state is
 * one of `allowed` (SD_JOB() bits); else the failure's code in the failed
 * state, or SD_EINVAL with a message on e (NULL for a call on a const
 * object: no message) saying why the call does not fit the state.
 */
int sd__job_check(const sd_job *j, unsigned allowed, sd_err *e, const char *call);

/* The check of a call that adds to or finishes a job: allowed while it is
 * new or adding. */
int sd__job_begin(sd_job *j, sd_err *e, const char *call);

/* After a call's work: a non-zero code leaves the job failed, 0 moves it
 * to `next`. Returns code. */
int sd__job_end(sd_job *j, int code, int next);

/*
 * The options a caller passes, over the library's defaults: every public
 * options struct starts with `size`, which its _init() sets to the struct's
 * size as the caller was built. The library takes that many bytes over its
 * defaults (a caller built against an older, shorter struct gets the
 * defaults of the fields it does not know) and refuses a size it does not
 * know: below first_size, the struct's size in the first release that had
 * it (0: the struct was not set up by its _init()), or above the library's
 * (built against a newer syndic). Fields are only ever added at the end.
 * Returns 0 or SD_EINVAL with a message on e naming `what`, the struct.
 */
int sd__options_take(void *dst, size_t dst_size, size_t first_size, const void *src, sd_err *e,
                     const char *what);

#endif
