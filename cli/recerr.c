/*
 * recerr.c: the records a command could not read, or skipped, kept until
 * their output lines are written: why, and where (input, line, byte), for
 * dedup and trace alike; and the JSON fields that say so in every
 * command's output.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int32_t rec_errors_add(rec_errors *e, const char *msg, size_t msg_len, int skipped,
                       const char *source, size_t source_len, uint64_t line, uint64_t offset)
{
    rec_error *x;
    if (e->n >= INT32_MAX)
        return -1;
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 64;
        rec_error *p = realloc(e->v, cap * sizeof *p);
        if (p == NULL)
            return -1;
        e->v = p;
        e->cap = cap;
    }
    x = &e->v[e->n];
    x->msg = strndup(msg, msg_len);
    x->source = source ? strndup(source, source_len) : NULL;
    x->skipped = skipped;
    x->line = line;
    x->offset = offset;
    if (x->msg == NULL || (source && x->source == NULL)) {
        free(x->msg);
        free(x->source);
        return -1;
    }
    e->failed += !skipped;
    return (int32_t)e->n++;
}

int32_t rec_errors_add_record(rec_errors *e, const sd_record *rec, const char *skip)
{
    const char *msg = skip ? skip : rec->errmsg ? rec->errmsg : sd_strerror(rec->error);
    const char *src = rec->source ? rec->source : "-";
    return rec_errors_add(e, msg, strlen(msg), skip != NULL, src, strlen(src), rec->line,
                          rec->offset);
}

void rec_errors_release(rec_errors *e)
{
    size_t i;
    for (i = 0; i < e->n; i++) {
        free(e->v[i].msg);
        free(e->v[i].source);
    }
    free(e->v);
    memset(e, 0, sizeof *e);
}

void out_error_fields(out *o, const char *msg, const char *source, uint64_t line, uint64_t offset)
{
    out_str(o, ",\"error\":");
    out_json_str(o, msg, strlen(msg));
    if (source == NULL)
        return;
    out_str(o, ",\"file\":");
    out_json_str(o, source, strlen(source));
    if (line) {
        out_str(o, ",\"line\":");
        out_u64(o, line);
    }
    out_str(o, ",\"offset\":");
    out_u64(o, offset);
}
