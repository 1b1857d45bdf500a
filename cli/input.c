/*
 * input.c: what the commands share about their input: the names --format
 * takes, and the warnings for records that failed, where a field that the
 * records lack is said once, with the option that names another, instead
 * of once per record.
 */
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    sd_format fmt;
} formats[] = {
    {"auto", SD_FORMAT_AUTO}, {"jsonl", SD_FORMAT_JSONL}, {"json", SD_FORMAT_JSON},
    {"text", SD_FORMAT_TEXT}, {"html", SD_FORMAT_HTML},   {"warc", SD_FORMAT_WARC},
    {"csv", SD_FORMAT_CSV},   {"tsv", SD_FORMAT_TSV},
};

size_t batch_bytes(uint64_t memory_limit, size_t dflt)
{
    if (memory_limit == 0 || memory_limit / 16 >= dflt)
        return dflt;
    return memory_limit / 16 < (1u << 20) ? 1u << 20 : (size_t)(memory_limit / 16);
}

int parse_format(const char *s, sd_format *fmt)
{
    size_t i;
    for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(s, formats[i].name) == 0) {
            *fmt = formats[i].fmt;
            return 0;
        }
    cli_error("--format wants auto, jsonl, json, text, html, warc, csv or tsv, not '%s'", s);
    return -1;
}

/* Whether a failed record stands for a whole input that could not be read
 * (missing, unreadable, not text, a FIFO in a directory). */
static int whole_input(const sd_record *rec)
{
    return rec->line == 0 && rec->offset == 0 &&
           (rec->error == SD_EIO || rec->format == SD_FORMAT_AUTO);
}

void warn_record(record_warnings *w, const sd_record *rec, const char *msg)
{
    const char *src = rec->source ? rec->source : "-";
    char where[64] = "";
    if (msg == NULL)
        msg = rec->errmsg ? rec->errmsg : sd_strerror(rec->error);
    if (whole_input(rec)) {
        cli_error("%s", msg); /* an input lost whole is an error, not a warning */
        return;
    }
    if (rec->line)
        snprintf(where, sizeof where, ":%llu", (unsigned long long)rec->line);
    if (rec->error == SD_EMISSING &&
        (strncmp(msg, "missing field ", 14) == 0 || strncmp(msg, "missing column ", 15) == 0)) {
        /* the usual cause is a field named otherwise: said once */
        if (w->missing++ == 0 && !cli_quiet)
            cli_warn("%s%s (byte %llu): %s; name the field to read with --text-field (or "
                     "--html-field); each record without it has an \"error\" line",
                     src, where, (unsigned long long)rec->offset, msg);
        return;
    }
    if (cli_quiet || w->shown >= WARNINGS_SHOWN) {
        w->hidden++;
        return;
    }
    w->shown++;
    cli_warn("%s%s (byte %llu): %s", src, where, (unsigned long long)rec->offset, msg);
}

uint64_t warn_hidden(const record_warnings *w)
{
    return w->hidden + (w->missing > 1 ? w->missing - 1 : 0);
}
