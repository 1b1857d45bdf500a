/*
 * out.c: the program's output files, buffered output with JSON escaping,
 * and the program's messages.
 *
 * Every file a command writes (-o, --keep, --html, report -o, extract -o)
 * is written under a hidden temporary name in its own directory and renamed
 * into place when it is complete, so an interrupted or failed run never
 * leaves a half-written file where the user expects a result. The
 * temporaries are removed on failure, at exit, and on SIGINT, SIGTERM,
 * SIGHUP and SIGPIPE (out_signals()). Standard output, devices and FIFOs
 * are written directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/utf8.h"
#include "cli.h"

int cli_quiet;
int cli_verbose;

/* One message as one write, so that the lines of several processes (under
 * mpirun) never interleave. */
static void say(const char *prefix, const char *fmt, va_list ap)
{
    char line[1024];
    size_t n;
    int k = snprintf(line, sizeof line, "%s", prefix);
    n = k > 0 ? (size_t)k : 0;
    k = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    if (k < 0)
        k = 0;
    n += (size_t)k < sizeof line - n - 1 ? (size_t)k : sizeof line - n - 2;
    line[n++] = '\n';
    fwrite(line, 1, n, stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("syndic: ", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    if (cli_quiet)
        return;
    va_start(ap, fmt);
    say("syndic: warning: ", fmt, ap);
    va_end(ap);
}

const char *noun(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* ---- temporaries, removed on failure and on signals ---- */

/* The temporaries being written: slots a signal handler may read. A slot's
 * name is complete before the slot is published, and unpublished before it
 * is freed. */
#define MAX_TEMPS 64
static char *volatile temps[MAX_TEMPS];

static void temps_remove(void)
{
    int i;
    for (i = 0; i < MAX_TEMPS; i++) {
        char *t = temps[i];
        if (t)
            unlink(t); /* async-signal-safe */
    }
}

static void on_signal(int sig)
{
    temps_remove();
    signal(sig, SIG_DFL);
    raise(sig);
}

void out_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    size_t i;
    atexit(temps_remove);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        /* a signal ignored when the program started (nohup, a background
         * job's SIGINT) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

void out_remove_temps(void)
{
    temps_remove();
}

static int temp_publish(char *name)
{
    int i;
    for (i = 0; i < MAX_TEMPS; i++)
        if (temps[i] == NULL) {
            temps[i] = name;
            return 0;
        }
    return -1;
}

static void temp_unpublish(const char *name)
{
    int i;
    for (i = 0; i < MAX_TEMPS; i++)
        if (temps[i] == name)
            temps[i] = NULL;
}

/* The file a path names: a symbolic link's target, so that the rename
 * replaces the file the link points to, not the link. malloc'd. */
static char *destination(const char *path)
{
    struct stat st;
    char *real;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (real = realpath(path, NULL)) != NULL)
        return real;
    return strdup(path);
}

int outfile_open(outfile *f, const char *path)
{
    struct stat st;
    char *dir = NULL, *base, *copy = NULL;
    mode_t mask;
    int have = 0;
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->path = destination(path);
    if (f->path == NULL)
        goto oom;
    if (stat(f->path, &st) == 0) {
        have = 1;
        if (!S_ISREG(st.st_mode)) {
            /* a device (/dev/null), a FIFO, a terminal: written directly */
            if (S_ISDIR(st.st_mode)) {
                cli_error("cannot open '%s' for writing: %s", path, strerror(EISDIR));
                goto fail;
            }
            f->fd = open(f->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
            if (f->fd < 0) {
                cli_error("cannot open '%s' for writing: %s", path, strerror(errno));
                goto fail;
            }
            return 0;
        }
    }
    copy = strdup(f->path);
    if (copy == NULL)
        goto oom;
    base = basename(copy);
    dir = strdup(f->path);
    if (dir == NULL)
        goto oom;
    {
        char *d = dirname(dir);
        size_t n = strlen(d) + strlen(base) + 32;
        f->tmp = malloc(n);
        if (f->tmp == NULL)
            goto oom;
        /* hidden, so that a directory walk (a later run's input) skips it */
        snprintf(f->tmp, n, "%s/.%s.syndic-XXXXXX", d, base);
    }
    f->fd = mkostemp(f->tmp, O_CLOEXEC);
    if (f->fd < 0) {
        cli_error("cannot open '%s' for writing: %s", path, strerror(errno));
        goto fail;
    }
    if (temp_publish(f->tmp) != 0) {
        unlink(f->tmp);
        cli_error("cannot open '%s' for writing: too many output files", path);
        goto fail;
    }
    /* the mode of a new file, or that of the file it replaces */
    mask = umask(0);
    umask(mask);
    if (fchmod(f->fd, have ? st.st_mode & 07777 : 0666 & ~mask) != 0) {
        cli_error("cannot open '%s' for writing: %s", path, strerror(errno));
        outfile_abort(f);
        goto fail;
    }
    free(copy);
    free(dir);
    return 0;
oom:
    cli_error("out of memory");
fail:
    if (f->fd >= 0 && f->tmp == NULL)
        close(f->fd);
    f->fd = -1;
    free(copy);
    free(dir);
    free(f->path);
    free(f->tmp);
    f->path = f->tmp = NULL;
    return -1;
}

int outfile_commit(outfile *f)
{
    int rc = 0;
    if (f->path == NULL)
        return 0;
    if (f->tmp) {
        if (rename(f->tmp, f->path) != 0) {
            cli_error("cannot put the output in place as '%s': %s", f->path, strerror(errno));
            unlink(f->tmp);
            rc = -1;
        }
        temp_unpublish(f->tmp);
    }
    free(f->tmp);
    free(f->path);
    f->tmp = f->path = NULL;
    return rc;
}

void outfile_abort(outfile *f)
{
    if (f->tmp) {
        unlink(f->tmp);
        temp_unpublish(f->tmp);
    }
    free(f->tmp);
    free(f->path);
    f->tmp = f->path = NULL;
}

/* Where an output lands: its directory's device and inode and its name,
 * so two spellings of one path compare equal whether or not it exists. */
typedef struct landing {
    dev_t dev;
    ino_t ino;
    char *name; /* malloc'd */
    int exists;
    struct stat st; /* with exists */
} landing;

/* Whether the output dest, in directory dir, can be written (l says
 * whether it exists, and what it is); errno says why not. A new file needs
 * a writable directory; so does the temporary that replaces a regular
 * file; a directory, to be writable itself; anything else (a device, a
 * pipe) is written in place. */
static int writable(const landing *l, const char *dest, const char *dir)
{
    if (!l->exists || S_ISREG(l->st.st_mode) || S_ISDIR(l->st.st_mode))
        return access(l->exists && S_ISDIR(l->st.st_mode) ? dest : dir, W_OK | X_OK) == 0;
    return access(dest, W_OK) == 0;
}

/* Where output p lands (see landing), checked: its directory exists, and
 * it can be written there. 0, or -1 after saying why. */
static int land(const out_path *p, landing *l)
{
    char *dest = destination(p->path), *d1 = NULL, *d2 = NULL, *dir;
    struct stat ds;
    int rc = -1;
    memset(l, 0, sizeof *l);
    if (dest == NULL || (d1 = strdup(dest)) == NULL || (d2 = strdup(dest)) == NULL) {
        cli_error("out of memory");
        goto done;
    }
    dir = dirname(d1);
    if (stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode)) {
        int e = stat(dir, &ds) != 0 ? errno : ENOTDIR;
        if (e == ENOENT)
            cli_error("%s: cannot write '%s': directory '%s' does not exist", p->opt, p->path, dir);
        else
            cli_error("%s: cannot write '%s': '%s': %s", p->opt, p->path, dir, strerror(e));
        goto done;
    }
    l->exists = stat(dest, &l->st) == 0;
    if (l->exists && S_ISDIR(l->st.st_mode) && !p->dir_ok) {
        cli_error("%s: cannot write '%s': it is a directory", p->opt, p->path);
        goto done;
    }
    if (!writable(l, dest, dir)) {
        cli_error("%s: cannot write '%s': %s", p->opt, p->path, strerror(errno));
        goto done;
    }
    l->dev = ds.st_dev;
    l->ino = ds.st_ino;
    l->name = strdup(basename(d2));
    if (l->name == NULL) {
        cli_error("out of memory");
        goto done;
    }
    rc = 0;
done:
    free(dest);
    free(d1);
    free(d2);
    return rc;
}

/* Whether the existing file `out` (stat st) is the input `in` or, for an
 * input directory, a file the walk of it would read. */
static int is_input(const char *path, const struct stat *st, const char *in)
{
    struct stat is;
    char *ro, *ri;
    size_t n;
    int inside;
    if (strcmp(in, "-") == 0 || stat(in, &is) != 0)
        return 0;
    if (is.st_dev == st->st_dev && is.st_ino == st->st_ino)
        return 1;
    if (!S_ISDIR(is.st_mode))
        return 0;
    ro = realpath(path, NULL);
    ri = realpath(in, NULL);
    n = ri ? strlen(ri) : 0;
    /* under the directory, and not hidden (the walk skips those) */
    inside = ro && ri && strncmp(ro, ri, n) == 0 && (ro[n] == '/' || n == 1) &&
             strstr(ro + n, "/.") == NULL;
    free(ro);
    free(ri);
    return inside;
}

int out_check_paths(const out_path *v, size_t n, char *const *inputs, int ninputs)
{
    landing *l = calloc(n ? n : 1, sizeof *l);
    const char *stdout_opt = NULL;
    size_t i, j;
    int k, rc = -1;
    if (l == NULL) {
        cli_error("out of memory");
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (v[i].path == NULL)
            continue;
        if (strcmp(v[i].path, "-") == 0) {
            if (stdout_opt) {
                cli_error("%s and %s both write to standard output", stdout_opt, v[i].opt);
                goto done;
            }
            stdout_opt = v[i].opt;
            continue;
        }
        if (land(&v[i], &l[i]) != 0)
            goto done;
        for (j = 0; j < i; j++)
            if (l[j].name && l[j].dev == l[i].dev && l[j].ino == l[i].ino &&
                strcmp(l[j].name, l[i].name) == 0) {
                cli_error("%s and %s name the same file '%s'; give each its own", v[j].opt,
                          v[i].opt, v[i].path);
                goto done;
            }
        for (k = 0; l[i].exists && k < ninputs; k++)
            if (is_input(v[i].path, &l[i].st, inputs[k])) {
                if (strcmp(v[i].path, inputs[k]) == 0)
                    cli_error("%s '%s' is an input too: writing it would destroy it; write "
                              "the output elsewhere",
                              v[i].opt, v[i].path);
                else
                    cli_error("%s '%s' is an input too (as '%s'): writing it would destroy "
                              "it; write the output elsewhere",
                              v[i].opt, v[i].path, inputs[k]);
                goto done;
            }
    }
    rc = 0;
done:
    for (i = 0; i < n; i++)
        free(l[i].name);
    free(l);
    return rc;
}

int out_open(out *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->cap = 1 << 16;
    o->buf = malloc(o->cap);
    if (o->buf == NULL) {
        cli_error("out of memory");
        return -1;
    }
    if (path == NULL || strcmp(path, "-") == 0) {
        o->f = stdout;
        o->name = "standard output";
        return 0;
    }
    if (outfile_open(&o->file, path) != 0) {
        free(o->buf);
        o->buf = NULL;
        return -1;
    }
    o->f = fdopen(o->file.fd, "wb");
    if (o->f == NULL) {
        cli_error("cannot open '%s' for writing: %s", path, strerror(errno));
        close(o->file.fd);
        outfile_abort(&o->file);
        free(o->buf);
        o->buf = NULL;
        return -1;
    }
    o->name = path;
    o->owned = 1;
    return 0;
}

int out_open_mem(out *o)
{
    memset(o, 0, sizeof *o);
    o->cap = 1 << 16;
    o->buf = malloc(o->cap);
    o->name = "memory";
    if (o->buf == NULL) {
        cli_error("out of memory");
        return -1;
    }
    return 0;
}

/* In memory: room for n more bytes (0, or -1 with o->failed set). */
static int mem_room(out *o, size_t n)
{
    size_t cap = o->cap;
    char *p;
    while (cap < o->len + n)
        cap *= 2;
    if (cap == o->cap)
        return 0;
    p = realloc(o->buf, cap);
    if (p == NULL) {
        o->failed = ENOMEM;
        return -1;
    }
    o->buf = p;
    o->cap = cap;
    return 0;
}

void out_flush(out *o)
{
    if (o->f == NULL)
        return; /* in memory: the owner takes the bytes */
    if (o->len && !o->failed) {
        if (fwrite(o->buf, 1, o->len, o->f) != o->len)
            o->failed = errno ? errno : EIO;
    }
    o->len = 0;
}

void out_write(out *o, const void *p, size_t n)
{
    if (o->f == NULL && mem_room(o, n))
        return;
    if (o->len + n > o->cap) {
        out_flush(o);
        if (n > o->cap) {
            if (!o->failed && fwrite(p, 1, n, o->f) != n)
                o->failed = errno ? errno : EIO;
            return;
        }
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

void out_str(out *o, const char *s)
{
    out_write(o, s, strlen(s));
}

void out_char(out *o, char c)
{
    if (o->f == NULL && mem_room(o, 1))
        return;
    if (o->len == o->cap)
        out_flush(o);
    o->buf[o->len++] = c;
}

void out_printf(out *o, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        out_write(o, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (big == NULL) {
            o->failed = ENOMEM;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        out_write(o, big, (size_t)n);
        free(big);
    }
}

void out_u64(out *o, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_write(o, tmp + i, sizeof tmp - i);
}

void out_json_str(out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    out_char(o, '"');
    while (i < n) {
        unsigned c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80 &&
            !(o->html_safe && (c == '<' || c == '>' || c == '&'))) {
            run++;
            i++;
            continue;
        }
        if (run) {
            out_write(o, p + i - run, run);
            run = 0;
        }
        if (c >= 0x80) {
            size_t k = sd__utf8_seq(p + i, n - i);
            if (k) {
                out_write(o, p + i, k);
                i += k;
            } else {
                out_write(o, "\xEF\xBF\xBD", 3);
                i++;
            }
            continue;
        }
        switch (c) {
        case '"': out_write(o, "\\\"", 2); break;
        case '\\': out_write(o, "\\\\", 2); break;
        case '\n': out_write(o, "\\n", 2); break;
        case '\r': out_write(o, "\\r", 2); break;
        case '\t': out_write(o, "\\t", 2); break;
        default: {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out_write(o, e, 6);
        }
        }
        i++;
    }
    if (run)
        out_write(o, p + i - run, run);
    out_char(o, '"');
}

void out_text_safe(out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i, run = 0;
    for (i = 0; i < n; i++) {
        unsigned c = p[i];
        /* C0 controls and DEL; C1 controls are U+0080-U+009F, C2 80-9F */
        int c1 = c == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F;
        if (c >= 0x20 && c != 0x7F && c != '\\' && !c1) {
            run++;
            continue;
        }
        out_write(o, p + i - run, run);
        run = 0;
        if (c == '\\') {
            out_write(o, "\\\\", 2);
            continue;
        }
        if (c1)
            c = p[++i];
        {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            switch (c) {
            case '\n': out_write(o, "\\n", 2); break;
            case '\r': out_write(o, "\\r", 2); break;
            case '\t': out_write(o, "\\t", 2); break;
            default: out_write(o, e, 4);
            }
        }
    }
    out_write(o, p + n - run, run);
}

void out_json_num(out *o, double v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%.4f", v);
    while (n > 1 && tmp[n - 1] == '0')
        n--;
    if (n > 1 && tmp[n - 1] == '.')
        n--;
    out_write(o, tmp, (size_t)n);
}

/* Flushes and closes; with `keep`, a complete file is put in place, else
 * (or when writing failed) its temporary is removed. */
static int finish_out(out *o, int keep)
{
    int rc = 0;
    if (o->buf == NULL)
        return 0;
    if (keep)
        out_flush(o);
    if (o->f == NULL) {
        free(o->buf);
        o->buf = NULL;
        return o->failed ? -1 : 0;
    }
    if (fflush(o->f) != 0 && !o->failed)
        o->failed = errno ? errno : EIO;
    if (o->owned && fclose(o->f) != 0 && !o->failed)
        o->failed = errno ? errno : EIO;
    if (o->failed && keep) {
        cli_error("cannot write to %s: %s", o->name, strerror(o->failed));
        rc = -1;
    }
    if (o->owned) {
        if (keep && !o->failed)
            rc = outfile_commit(&o->file);
        else
            outfile_abort(&o->file);
    }
    free(o->buf);
    o->buf = NULL;
    return rc;
}

int out_close(out *o)
{
    return finish_out(o, 1);
}

void out_abort(out *o)
{
    finish_out(o, 0);
}
