/*
 * err.h: the detail kept on an object that failed: a code and a message.
 */
#ifndef SD_BASE_ERR_H
#define SD_BASE_ERR_H

#define SD_ERRMSG_MAX 512

typedef struct sd_err {
    int code;
    char msg[SD_ERRMSG_MAX];
} sd_err;

/* Records `code` and a printf-style message on `e`; returns `code`. */
int sd__errorf(sd_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void sd__err_clear(sd_err *e);

#endif
