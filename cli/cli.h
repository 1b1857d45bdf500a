/*
 * cli.h: what the syndic program's commands share. The program uses the
 * public API in syndic.h, and, as zstd's programs share lib/common, the
 * library's temporary-file arrays (base/fmap.h) for what it keeps per
 * record under --memory and its definition of well-formed UTF-8
 * (base/utf8.h); it links the static library, which has them.
 */
#ifndef SYNDIC_CLI_H
#define SYNDIC_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "base/fmap.h"
#include "syndic.h"

/* Exit codes, documented in the README and the man page. */
enum { EXIT_OK = 0, EXIT_RUN = 1, EXIT_USAGE = 2 };

/* Commands: each gets argv from its own name on and returns an exit code. */
int cmd_dedup(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_align(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_index(int argc, char **argv);

/* Messages in git's style: "syndic: cannot read 'x': reason". */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int cli_quiet;   /* -q: no warnings, no summary */
extern int cli_verbose; /* -v: more detail */

/* ---- several processes (mpi.c, the one file that calls MPI) ---- */

/* Records per block of a process's share under mpirun. */
#define MPI_SHARE_BLOCK 4096

/* Joins the MPI job when a launcher started this process. 0, or -1 after
 * printing why (started by mpirun, built without MPI). */
int mpi_start(int *argc, char ***argv);
void mpi_stop(void);
/* The transport for the library's jobs, or NULL when not under mpirun. */
sd_comm *mpi_comm(void);
/* 1 when this program was built with MPI. */
int mpi_built(void);
unsigned mpi_rank(void);
/* The largest status and the sum of v over the processes (collective). */
int mpi_worst(int status);
uint64_t mpi_sum(uint64_t v);
/* Ends every process after a failure in this one (under mpirun only). */
void mpi_abort(int status);
/* Collective: process 0 gets every process's bytes, in process order,
 * through put() (one call per process, its bytes whole); the others send
 * theirs. 0 or -1. */
/* Through the job's transport (not MPI itself): sends each process p the
 * len[p] bytes of buf[p]; *got (malloc'd) holds what arrived, from process
 * 0 first, glen[p] bytes from p. Collective. 0 or -1 after saying why. */
int comm_swap(const sd_comm *c, char **buf, const size_t *len, char **got, uint64_t *glen);
/* Deals the inputs as `mode` says: "records" (blocks of records), "files"
 * (whole files) or "auto" (files when the inputs make at least 4 files per
 * process). 0 or -1 after saying why. */
int share_choose(sd_comm *c, const char *mode, char **inputs, int n);
/* Whether `mode` is one of those (after saying why not). */
int share_mode_ok(const char *mode);
/* After reading (collective): checks that every process read the same
 * inputs and this one its `mine` records; with whole files dealt, makes the
 * table of where each file's records fall. 0 or -1 after saying why. */
int share_files_read(sd_comm *c, const sd_reader *r, uint64_t mine);
int mpi_gather_write(const void *p, size_t n, void (*put)(void *ud, const void *p, size_t n),
                     void *ud);

/* ---- output ---- */

/*
 * An output file written safely: under a hidden temporary name in the
 * destination's directory, renamed into place by outfile_commit(), removed
 * by outfile_abort() and, when the program is stopped, by the handlers of
 * out_signals(). A device or FIFO is written directly (tmp NULL).
 */
typedef struct outfile {
    char *path; /* the destination (a symbolic link's target) */
    char *tmp;  /* the temporary, or NULL when writing directly */
    int fd;     /* open for writing; the caller closes it before commit */
} outfile;

/* Opens f for writing `path`. 0, or -1 after printing why. */
int outfile_open(outfile *f, const char *path);
/* Puts the written file in place. 0, or -1 after printing why. */
int outfile_commit(outfile *f);
/* Removes the temporary (the destination is left as it was). */
void outfile_abort(outfile *f);
/* Installs the handlers that remove temporaries on SIGINT, SIGTERM, SIGHUP
 * and SIGPIPE (then die of the signal), and at exit. */
void out_signals(void);
/* Removes every temporary now (before an abnormal end: MPI_Abort). */
void out_remove_temps(void);

/*
 * Checks the output paths of a command before any input is read: that
 * each one's directory exists and is writable, that no two name the same
 * file (or both standard output), and that none is one of the inputs (same
 * device and inode) or a file an input directory holds. v[i].opt names the
 * option ("-o"); a NULL path is skipped, "-" is standard output; dir_ok
 * lets the path be a directory (--keep). 0, or -1 after printing why.
 */
typedef struct out_path {
    const char *opt, *path;
    int dir_ok;
} out_path;
int out_check_paths(const out_path *v, size_t n, char *const *inputs, int ninputs);

/* A buffered writer to a FILE; write errors are remembered and reported by
 * out_close(). */
typedef struct out {
    FILE *f;
    outfile file;     /* with owned: the file being written */
    const char *name; /* for messages */
    char *buf;
    size_t len, cap;
    int failed;
    int owned;     /* close f in out_close */
    int html_safe; /* out_json_str escapes < > & too: JSON inside an HTML <script> */
} out;

/* Opens `path` for writing ("-" or NULL: standard output). Returns 0 or -1
 * after printing why. */
int out_open(out *o, const char *path);
/* A writer into memory: the bytes stay in o->buf (o->len of them) until the
 * owner takes them and sets o->len to 0; out_close() frees them. */
int out_open_mem(out *o);
void out_write(out *o, const void *p, size_t n);
void out_str(out *o, const char *s);
void out_char(out *o, char c);
void out_printf(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_u64(out *o, uint64_t v);
/* A JSON string literal with quotes; invalid UTF-8 bytes become U+FFFD. */
void out_json_str(out *o, const char *p, size_t n);
/* Text for a terminal or a line-based text output, with its control
 * characters shown as escapes (\n, \t, \x1b; C1 controls as \x9b) and
 * backslashes doubled, so that no input can fake a line or send a
 * terminal escape sequence. */
void out_text_safe(out *o, const char *p, size_t n);
/* A number with up to 4 decimals, as JSON ("0.8125", "1"). */
void out_json_num(out *o, double v);
void out_flush(out *o);
/* Flushes and closes, and puts the file in place; returns 0, or -1 after
 * printing the write error (the destination is then left as it was). */
int out_close(out *o);
/* Closes after a failed run: the destination is left as it was. */
void out_abort(out *o);

/*
 * The story report (report.c): one self-contained HTML page holding the
 * trace's JSON lines as one JSON array, and the script and style that show
 * them. report_head() writes the page up to the array's opening bracket and
 * turns on o->html_safe; the caller writes the items, separated by commas;
 * report_tail() closes the array and writes the rest.
 */
void report_head(out *o);
void report_tail(out *o);

/* ---- records that could not be read ---- */

/* Why a record has no result, kept until its output line is written: it
 * failed to read, or is a page skipped for want of text to compare (not a
 * failure). */
typedef struct rec_error {
    char *msg;
    char *source;          /* its input ("-": standard input), or NULL */
    uint64_t line, offset; /* where in it: line (0 if none), byte */
    int skipped;
} rec_error;

/* The records' errors in the order they were met; a record refers to its
 * own by index. */
typedef struct rec_errors {
    rec_error *v;
    size_t n, cap;
    size_t failed; /* of n, not skipped */
} rec_errors;

/* Keeps a record's error: its index in e->v, or -1 when out of memory (or
 * past INT32_MAX of them). The strings are copied. */
int32_t rec_errors_add(rec_errors *e, const char *msg, size_t msg_len, int skipped,
                       const char *source, size_t source_len, uint64_t line, uint64_t offset);
/* The same for rec: why it failed, or `skip` (not NULL) why it was skipped. */
int32_t rec_errors_add_record(rec_errors *e, const sd_record *rec, const char *skip);
void rec_errors_release(rec_errors *e);

/* A failed record's fields in its JSON line:
 * ,"error":msg,"file":source,"line":N,"offset":N (no line when 0, and only
 * the error without a source). */
void out_error_fields(out *o, const char *msg, const char *source, uint64_t line, uint64_t offset);

/*
 * Story and passage lines (storyout.c), docs/trace.md's schema: a
 * story_docs says how the documents they name are found. id() gives a
 * document's id (NULL: unknown, written as null), text() its text (NULL
 * when unknown); what they return is used before the next call.
 */
typedef struct story_docs {
    const char *(*id)(void *ud, uint64_t doc, size_t *len);
    const char *(*text)(void *ud, uint64_t doc, size_t *len);
    void *ud;
} story_docs;
/* "doc":N,"id":"..." (no braces). */
void out_doc_ref(out *o, const story_docs *d, uint64_t doc);
/* ,"name":[[start,end],...] */
void out_ranges(out *o, const char *name, const sd_range *v, size_t n);
/* A story line's fields from "story" to "consensus_tokens" (no braces). */
void out_story_head(out *o, const story_docs *d, const sd_story *s);
/* A copy's fields: doc, id, role, origin, share, identity, spans, added,
 * lacks, changed (no braces). */
void out_copy(out *o, const story_docs *d, const sd_story *s, const sd_story_member *m);
/* A whole "story" line (with_text: the consensus text) and a "passage"
 * line, each with its newline. */
void out_story(out *o, const story_docs *d, const sd_story *s, int with_text);
void out_passage(out *o, const story_docs *d, const sd_passage *p);

/* ---- progress ---- */

/*
 * Progress on stderr: bytes and records read out of the total when it is
 * known (the inputs' sizes), the rates and an ETA; then the library's
 * stages with their counts. On a terminal one line, redrawn in place at
 * most 10 times a second; otherwise (a log file) a plain line every few
 * seconds and when a stage starts, without escape codes.
 */
typedef struct progress {
    int on, tty, drawn;
    double start, last, stage_start;
    uint64_t bytes_total; /* of the inputs, 0 when unknown */
    const char *stage;
} progress;

void progress_init(progress *p, int on);
/* Sums the sizes of the inputs (files, directories walked as the reader
 * walks them); a pipe leaves the total unknown. */
void progress_total(progress *p, char *const *inputs, int n);
/* While reading: `bytes` of the inputs consumed, `records` read. */
void progress_read(progress *p, uint64_t bytes, uint64_t records);
/* An sd_progress_fn: `ud` is a progress*. */
int progress_cb(void *ud, const char *stage, uint64_t done, uint64_t total);
/* Clears the terminal's progress line before other output. */
void progress_done(progress *p);
double now_seconds(void);

/* ---- input (input.c) ---- */

/* Bytes of texts a batch handed to a job holds: `dflt`, or under a memory
 * limit at most a 16th of it (the job's copies and tokens of a batch,
 * about 3.3 bytes a byte, are held until it is done), 1 MiB at least. */
size_t batch_bytes(uint64_t memory_limit, size_t dflt);

/* --format NAME: auto, jsonl, json, text, html, warc, csv or tsv. 0, or -1
 * after a usage error. */
int parse_format(const char *s, sd_format *fmt);

/* Warnings for failed records: an input that could not be read at all is
 * an error message; a missing field is said once, naming the fields the
 * record has and the option to use; others are warnings, the first
 * WARNINGS_SHOWN of them. */
#define WARNINGS_SHOWN 20
typedef struct record_warnings {
    uint64_t shown, hidden, missing;
} record_warnings;
/* Says what is wrong with failed record rec (msg, or its errmsg when NULL). */
void warn_record(record_warnings *w, const sd_record *rec, const char *msg);
/* The failed records that were not warned about one by one. */
uint64_t warn_hidden(const record_warnings *w);

/* ---- option parsing helpers ---- */

struct option;
/* The candidate closest to `word` when it looks like a slip of the fingers
 * ("dedupe" for "dedup"), else NULL. */
const char *cli_nearest(const char *word, const char *const *cands, size_t n);
/* After getopt_long (with opterr 0 and ':' leading the short options)
 * returned c, '?' or ':': says what was wrong in one line, with the nearest
 * option for a typo and a pointer to --help; returns EXIT_USAGE. */
int cli_bad_option(const char *cmd, const struct option *opts, int c, char **argv);
/* The one line after a usage error: where the options are described. */
void cli_see_help(const char *cmd);

/* Parses a number; prints a usage error naming `opt` and returns -1 if bad. */
int parse_double(const char *opt, const char *s, double lo, double hi, double *res);
int parse_unsigned(const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *res);
/* Parses a size: digits with an optional K, M, G or T (powers of 1024, "Gi"
 * and "GB" too); at least lo. */
int parse_size(const char *opt, const char *s, uint64_t lo, uint64_t *res);

/* `one` or `many`, as n asks ("1 story", "2 stories"). */
const char *noun(uint64_t n, const char *one, const char *many);

/* Writes a byte count in human units ("812 bytes", "11.3 kB", "59.0 MB"). */
void fmt_bytes(char *buf, size_t n, uint64_t bytes);

/* Progress on by default when stderr is a terminal. */
int progress_default(void);

/* Room for `bytes` at *p: realloc'd memory or, with `mapped` (--memory),
 * the file-backed array m, whose contents *p then points to. 0, or -1
 * with errno set. */
int grow_array(void **p, sd_fmap *m, int mapped, uint64_t bytes);

#endif
