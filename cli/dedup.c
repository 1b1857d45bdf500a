/*
 * dedup.c: `syndic dedup`, exact and near-duplicate documents.
 *
 * Records are read in batches, their texts handed to the library's dedup job
 * (which sketches a batch on its threads), and only the ids and, with
 * --keep, the records' raw bytes (spooled to a temporary file) are kept
 * until the end. Then one JSON line per record goes out, in input order.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "cli.h"

#define BATCH_BYTES (8u << 20)
#define BATCH_DOCS 16384

/* What is kept of each record until the output is written: 24 bytes, its
 * id and URL (in memory, or with --memory in a temporary file), and with
 * --keep where its raw bytes are in the spool. With --memory the two
 * per-record arrays are file-backed (sd_fmap), at most a 16th of the limit
 * each resident. */
typedef struct rec_meta {
    uint64_t id_off; /* of the id in the ids; the url, if any, follows it */
    uint32_t id_len;
    uint32_t url_len; /* a page's URL (WARC-Target-URI, JSONL url), or 0 */
    int32_t err;      /* index into errs, or -1 */
    uint8_t lines;    /* record came from a line format (JSONL) */
    uint8_t warc;     /* record came from a WARC file: raw is the whole record */
} rec_meta;

typedef struct rec_raw {
    uint64_t off, len; /* in the spool file, with --keep */
} rec_raw;

/* A window of the ids file, for reading ids back with --memory. */
typedef struct id_window {
    char *buf;
    uint64_t start;
    size_t len, cap;
} id_window;

#define IDS_BUFFER (1u << 20)

typedef struct sd_kv_far {
    uint64_t rec, off;
} sd_kv_far;

typedef struct dedup_run {
    rec_meta *meta;
    rec_raw *raw; /* with --keep */
    size_t n, cap;
    int mapped; /* with --memory: meta and raw are in: */
    sd_fmap meta_map, raw_map;
    char *ids; /* ids and URLs; with --memory, those not yet written out */
    size_t ids_len, ids_cap;
    int ids_fd;           /* with --memory: the ids file, else -1 */
    uint64_t ids_flushed; /* bytes of ids in the file */
    id_window own, rep;   /* read windows: a record's own id, its rep's */
    int ids_failed;
    rec_errors errs; /* failed records, and pages without text (skipped) */
    FILE *spool;
    uint64_t spool_len;
    int whole_page;
    sd_comm *comm;     /* under mpirun: this process reads a share */
    char *far;         /* representatives' ids held by other processes: */
    sd_kv_far *far_at; /* (record, offset of its length and id in far) */
    size_t nfar;
    char *const *inputs; /* the input arguments, for --keep's file paths */
    int ninputs;
    uint64_t kept_records, kept_bytes; /* what --keep wrote (this process) */
    int kept_dir;                      /* --keep wrote file documents to a directory */
} dedup_run;

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: syndic dedup [options] INPUT...\n"
        "\n"
        "Finds exact and near-duplicate documents by MinHash LSH and writes one JSON\n"
        "line per input record, in input order:\n"
        "  {\"id\":...,\"cluster\":N,\"duplicate_of\":ID|null,\"similarity\":X}\n"
        "\n"
        "INPUT: files, directories, JSONL (.jsonl, .jsonl.gz, .jsonl.zst), HTML pages\n"
        "(.html, .htm), web crawls (.warc, .warc.gz), or - for stdin. Pages are compared\n"
        "by their article text (see syndic extract).\n"
        "\n"
        "  -o, --output FILE     write results to FILE (default: standard output)\n"
        "      --keep PATH       write the kept records, unchanged: JSONL records to the\n"
        "                        file PATH (.gz/.zst compress), file documents into the\n"
        "                        directory PATH\n"
        "  -t, --threshold X     Jaccard similarity that makes a duplicate (default 0.8)\n"
        "  -n, --ngram N         words per shingle (default 5)\n"
        "      --num-perm N      MinHash signature length, multiple of 8 (default 256)\n"
        "      --bands B --rows R  LSH banding (default: chosen from the threshold)\n"
        "      --seed N          hash seed (default 0)\n"
        "      --format F        read every input as F: jsonl, json, text, html, warc,\n"
        "                        csv or tsv (default: told from its content and name)\n"
        "      --id-field F      JSON field or CSV column of the id (default id)\n"
        "      --text-field F    JSON field or CSV column of the text (default text)\n"
        "      --html-field F    JSON field or CSV column of a page's HTML (default html)\n"
        "      --whole-page      compare pages by all their visible text, not the article\n"
        "      --repair-utf8     repair invalid UTF-8 in JSONL text instead of failing the record\n"
        "      --memory LIMIT    stay within LIMIT (512M, 4G): past half of it, signatures\n"
        "                        and keys spill to temporary files in sorted runs; same\n"
        "                        results\n"
        "      --tmpdir DIR      where those files go (default: $TMPDIR, else /tmp)\n"
        "      --share MODE      under mpirun, how inputs are dealt to processes: records\n"
        "                        (blocks of records; each process scans every input),\n"
        "                        files (whole files), auto (files when there are at least\n"
        "                        4 per process; the default); see docs/cluster.md\n"
        "  -j, --threads N       worker threads (default: one per CPU)\n"
        "      --progress, --no-progress  progress on stderr (default: on a terminal)\n"
        "  -q, --quiet           no warnings and no summary\n"
        "  -v, --verbose         more detail in the summary\n"
        "  -h, --help            this help\n"
        "\n"
        "Exit: 0 ok, 1 run error or records that could not be read, 2 usage error.\n");
}

/* With --memory: counts a record walked in input order (reading, or
 * writing the output), for the per-record arrays to let their pages go
 * past their bound. */
static void walk_at(dedup_run *r)
{
    if (r->mapped) {
        sd_fmap_touch(&r->meta_map, sizeof(rec_meta));
        sd_fmap_touch(&r->raw_map, sizeof(rec_raw));
    }
}

static int remember_id(dedup_run *r, rec_meta *m, const char *id, size_t len, const char *url,
                       size_t url_len)
{
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    if (url == NULL || url_len > UINT32_MAX)
        url_len = 0;
    if (r->ids_fd >= 0 && r->ids_len && r->ids_len + len + url_len > IDS_BUFFER) {
        /* an id never straddles the file and the buffer */
        size_t done = 0;
        while (done < r->ids_len) {
            ssize_t w =
                pwrite(r->ids_fd, r->ids + done, r->ids_len - done, (off_t)(r->ids_flushed + done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                cli_error("cannot write the temporary ids file: %s",
                          w < 0 ? strerror(errno) : "no space");
                return -1;
            }
            done += (size_t)w;
        }
        r->ids_flushed += r->ids_len;
        r->ids_len = 0;
    }
    if (r->ids == NULL || r->ids_len + len + url_len > r->ids_cap) {
        size_t cap = r->ids_cap ? r->ids_cap * 2 : 1 << 20;
        char *p;
        while (cap < r->ids_len + len + url_len)
            cap *= 2;
        p = realloc(r->ids, cap);
        if (p == NULL)
            return -1;
        r->ids = p;
        r->ids_cap = cap;
    }
    if (len)
        memcpy(r->ids + r->ids_len, id, len);
    if (url_len)
        memcpy(r->ids + r->ids_len + len, url, url_len);
    m->id_off = r->ids_flushed + r->ids_len;
    m->id_len = (uint32_t)len;
    m->url_len = (uint32_t)url_len;
    r->ids_len += len + url_len;
    return 0;
}

/* The n bytes of ids at `off`, through window w when they are in the file;
 * valid until w is used again. NULL (after saying why, once) if they cannot
 * be read. */
static const char *ids_at(dedup_run *r, id_window *w, uint64_t off, size_t n)
{
    size_t got = 0, want;
    if (off >= r->ids_flushed)
        return r->ids + (off - r->ids_flushed);
    if (off >= w->start && off + n <= w->start + w->len)
        return w->buf + (off - w->start);
    want = n > IDS_BUFFER ? n : IDS_BUFFER;
    if (want > r->ids_flushed - off)
        want = (size_t)(r->ids_flushed - off);
    if (w->cap < want) {
        char *p = realloc(w->buf, want);
        if (p == NULL)
            goto fail;
        w->buf = p;
        w->cap = want;
    }
    while (got < want) {
        ssize_t k = pread(r->ids_fd, w->buf + got, want - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            goto fail;
        got += (size_t)k;
    }
    w->start = off;
    w->len = want;
    return w->buf;
fail:
    if (!r->ids_failed)
        cli_error("cannot read the temporary ids file: %s", strerror(errno ? errno : EIO));
    r->ids_failed = 1;
    w->len = 0;
    return NULL;
}

/* Record i's index in the whole input (under mpirun i counts this
 * process's records only). */
static uint64_t global_of(const dedup_run *r, size_t i)
{
    return r->comm ? sd_share_record(&r->comm->share, i) : i;
}

/* Whether record g (of the whole input) is this process's, and its index here. */
static int local_of(const dedup_run *r, uint64_t g, size_t *i)
{
    if (r->comm == NULL) {
        *i = (size_t)g;
        return 1;
    }
    if (sd_share_owner(&r->comm->share, g) != r->comm->share.index)
        return 0;
    *i = (size_t)sd_share_local(&r->comm->share, g);
    return 1;
}

/* The id of record g, a representative: NULL if it cannot be read. */
static const char *rep_id(dedup_run *r, uint64_t g, uint32_t *len)
{
    size_t i, lo = 0, hi = r->nfar;
    uint32_t n;
    if (local_of(r, g, &i)) {
        if (r->mapped)
            sd_fmap_touch(&r->meta_map, 4096); /* a page at random */
        *len = r->meta[i].id_len;
        return ids_at(r, &r->rep, r->meta[i].id_off, r->meta[i].id_len);
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->far_at[mid].rec < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == r->nfar || r->far_at[lo].rec != g)
        return NULL;
    memcpy(&n, r->far + r->far_at[lo].off, sizeof n);
    *len = n;
    return r->far + r->far_at[lo].off + sizeof n;
}

static int cmp_far(const void *a, const void *b)
{
    const sd_kv_far *x = a, *y = b;
    return x->rec < y->rec ? -1 : x->rec > y->rec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Makes room for need bytes in *buf (of *cap bytes, doubled from 4096).
 * Returns 0 or -1 when out of memory. */
static int room(char **buf, size_t *cap, size_t need)
{
    size_t ncap = *cap ? *cap : 4096;
    char *x;
    if (need <= *cap)
        return 0;
    while (ncap < need)
        ncap *= 2;
    x = realloc(*buf, ncap);
    if (x == NULL)
        return -1;
    *buf = x;
    *cap = ncap;
    return 0;
}

/* The questions to other processes: per process p, in ask[p] (alen[p]
 * bytes), the global indexes of the representatives it read of this
 * process's records, sorted, each once. Returns 0 or -1 when out of
 * memory. */
static int ask_reps(dedup_run *r, const sd_dedup *d, char **ask, size_t *alen, size_t *acap)
{
    const sd_comm *c = r->comm;
    unsigned np = c->share.count, p;
    size_t i;
    for (i = 0; i < r->n; i++) {
        sd_dedup_result res;
        uint64_t g = global_of(r, i);
        size_t li;
        if (r->meta[i].err >= 0 || sd_dedup_get(d, g, &res) != 0 || res.rep == g ||
            local_of(r, res.rep, &li))
            continue;
        p = sd_share_owner(&c->share, res.rep);
        if (room(&ask[p], &acap[p], alen[p] + 8) != 0)
            return -1;
        memcpy(ask[p] + alen[p], &res.rep, 8);
        alen[p] += 8;
    }
    for (p = 0; p < np; p++) {
        size_t n = alen[p] / 8, w = 0, k;
        if (n == 0 || ask[p] == NULL) {
            alen[p] = 0;
            continue;
        }
        qsort(ask[p], n, 8, cmp_u64);
        for (k = 0; k < n; k++)
            if (w == 0 || memcmp(ask[p] + (w - 1) * 8, ask[p] + k * 8, 8) != 0)
                memmove(ask[p] + w++ * 8, ask[p] + k * 8, 8);
        alen[p] = w * 8;
    }
    return 0;
}

/* The answers to the questions q (qlen[p] bytes from each process p, one
 * after the other): per process, in ans[p] (alen[p] bytes), each index
 * asked, the length of its record's id and the id (none when this process
 * has no such record). Returns 0 or -1 when out of memory. */
static int answer_reps(dedup_run *r, const char *q, const uint64_t *qlen, char **ans, size_t *alen,
                       size_t *acap)
{
    unsigned np = r->comm->share.count, p;
    size_t at, i, k;
    for (p = 0, at = 0; p < np; at += qlen[p], p++) {
        for (k = 0; k < qlen[p] / 8; k++) {
            uint64_t g;
            uint32_t n = 0;
            const char *id = NULL;
            memcpy(&g, q + at + k * 8, 8);
            if (local_of(r, g, &i)) {
                id = ids_at(r, &r->own, r->meta[i].id_off, r->meta[i].id_len);
                n = id ? r->meta[i].id_len : 0;
            }
            if (room(&ans[p], &acap[p], alen[p] + 12 + n) != 0)
                return -1;
            memcpy(ans[p] + alen[p], &g, 8);
            memcpy(ans[p] + alen[p] + 8, &n, 4);
            if (n)
                memcpy(ans[p] + alen[p] + 12, id, n);
            alen[p] += 12 + (size_t)n;
        }
    }
    return 0;
}

/* Keeps the answers a (total bytes) in r->far, indexed by r->far_at: each
 * answer's index becomes its key; its length and id stay. Returns 0 or -1
 * when out of memory. */
static int keep_answers(dedup_run *r, char *a, uint64_t total)
{
    uint64_t off = 0;
    r->far = a;
    r->nfar = 0;
    r->far_at = malloc((size_t)(total / 12 + 1) * sizeof *r->far_at);
    if (r->far_at == NULL)
        return -1;
    while (off < total) {
        uint32_t n;
        memcpy(&r->far_at[r->nfar].rec, r->far + off, 8);
        memcpy(&n, r->far + off + 8, 4);
        r->far_at[r->nfar++].off = off + 8;
        off += 12 + (uint64_t)n;
    }
    if (r->nfar)
        qsort(r->far_at, r->nfar, sizeof *r->far_at, cmp_far);
    return 0;
}

/*
 * Under mpirun: fetches the ids of this process's records' representatives
 * that other processes read (each asked for once), into r->far. 0 or -1.
 */
static int fetch_rep_ids(dedup_run *r, const sd_dedup *d)
{
    const sd_comm *c = r->comm;
    unsigned np = c->share.count, p;
    char **ask = calloc(np, sizeof *ask), **ans = calloc(np, sizeof *ans), *q = NULL, *a = NULL;
    size_t *alen = calloc(np, sizeof *alen), *acap = calloc(np, sizeof *acap);
    uint64_t *qlen = calloc(np, sizeof *qlen), *glen = calloc(np, sizeof *glen), total = 0;
    int rc = -1;
    if (!ask || !ans || !alen || !acap || !qlen || !glen || ask_reps(r, d, ask, alen, acap) != 0)
        goto oom;
    if (comm_swap(c, ask, alen, &q, qlen) != 0)
        goto done;
    for (p = 0; p < np; p++) {
        free(ask[p]);
        ask[p] = NULL;
        alen[p] = acap[p] = 0;
    }
    if (answer_reps(r, q, qlen, ans, alen, acap) != 0)
        goto oom;
    if (comm_swap(c, ans, alen, &a, glen) != 0)
        goto done;
    for (p = 0; p < np; p++)
        total += glen[p];
    rc = keep_answers(r, a, total);
    a = NULL;
    if (rc == 0)
        goto done;
oom:
    cli_error("out of memory");
done:
    if (ask)
        for (p = 0; p < np; p++)
            free(ask[p]);
    if (ans)
        for (p = 0; p < np; p++)
            free(ans[p]);
    free(ask);
    free(ans);
    free(alen);
    free(acap);
    free(qlen);
    free(glen);
    free(q);
    free(a);
    return rc;
}

/* Writes the result line of record i. */
static void write_result(out *o, dedup_run *r, const sd_dedup *d, size_t i)
{
    const rec_meta *m = &r->meta[i];
    const char *id = ids_at(r, &r->own, m->id_off, (size_t)m->id_len + m->url_len), *rid;
    uint64_t g = global_of(r, i);
    uint32_t rlen = 0;
    sd_dedup_result res;
    out_str(o, "{\"id\":");
    out_json_str(o, id ? id : "", id ? m->id_len : 0);
    if (m->url_len && id) {
        out_str(o, ",\"url\":");
        out_json_str(o, id + m->id_len, m->url_len);
    }
    if (m->err >= 0 && r->errs.v[m->err].skipped) {
        const rec_error *e = &r->errs.v[m->err];
        out_str(o, ",\"cluster\":null,\"skipped\":");
        out_json_str(o, e->msg, strlen(e->msg));
        out_str(o, "}\n");
        return;
    }
    if (m->err >= 0) {
        const rec_error *e = &r->errs.v[m->err];
        out_error_fields(o, e->msg, e->source, e->line, e->offset);
        out_str(o, "}\n");
        return;
    }
    sd_dedup_get(d, g, &res);
    out_str(o, ",\"cluster\":");
    out_u64(o, res.cluster);
    if (res.rep == g) {
        out_str(o, ",\"duplicate_of\":null,\"similarity\":null}\n");
        return;
    }
    out_str(o, ",\"duplicate_of\":");
    rid = rep_id(r, res.rep, &rlen);
    out_json_str(o, rid ? rid : "", rid ? rlen : 0);
    out_str(o, ",\"similarity\":");
    out_json_num(o, res.similarity);
    if (res.exact)
        out_str(o, ",\"exact\":true");
    out_str(o, "}\n");
}

static void put_out(void *ud, const void *p, size_t n)
{
    out_write(ud, p, n);
}

/*
 * Under mpirun: walks the records in input order a run at a time (a block,
 * or part of a file, held by one process; at most MPI_SHARE_BLOCK records a
 * step); the owner renders its records of the step into a buffer and
 * process 0 hands each process's bytes to put(). 0 or -1.
 */
static int gather_in_order(dedup_run *r, const sd_dedup *d,
                           void (*render)(out *, dedup_run *, const sd_dedup *, size_t),
                           void (*put)(void *, const void *, size_t), void *ud)
{
    const sd_share *sh = &r->comm->share;
    uint64_t total = mpi_sum(r->n), g = 0;
    out blk;
    int rc = 0;
    size_t i;
    if (out_open_mem(&blk) != 0)
        return -1;
    while (g < total) {
        uint64_t end = sd_share_run_end(sh, g, total);
        if (end - g > MPI_SHARE_BLOCK)
            end = g + MPI_SHARE_BLOCK;
        if (sd_share_owner(sh, g) == sh->index) {
            size_t l0 = (size_t)sd_share_local(sh, g);
            for (i = l0; i < l0 + (end - g); i++) {
                walk_at(r);
                render(&blk, r, d, i);
            }
        }
        if (blk.failed || mpi_gather_write(blk.buf, blk.len, put, ud) != 0) {
            rc = -1;
            break;
        }
        blk.len = 0;
        g = end;
    }
    out_close(&blk);
    return rc;
}

/* Writes every record's result line, in input order (under mpirun, each
 * process renders its own, process 0 writes). 0 or -1. */
static int write_results(out *o, dedup_run *r, const sd_dedup *d)
{
    size_t i;
    if (r->comm == NULL) {
        for (i = 0; i < r->n; i++) {
            walk_at(r);
            write_result(o, r, d, i);
        }
        return 0;
    }
    if (fetch_rep_ids(r, d) != 0)
        return -1;
    if (gather_in_order(r, d, write_result, put_out, o) != 0) {
        cli_error("cannot gather the results");
        return -1;
    }
    return 0;
}

/* ---- --keep ---- */

typedef struct keep_out {
    FILE *f;
    gzFile gz;
    ZSTD_CCtx *zc;
    char *zbuf;
    size_t zcap;
    int failed;
    outfile file;            /* written under a temporary name, put in place at the end */
    uint64_t records, bytes; /* kept, and their bytes before compression */
} keep_out;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void keep_write(keep_out *k, const void *p, size_t n)
{
    if (k->failed || n == 0)
        return;
    k->bytes += n;
    if (k->gz) {
        if (gzwrite(k->gz, p, (unsigned)n) != (int)n)
            k->failed = 1;
    } else if (k->zc) {
        ZSTD_inBuffer in = {p, n, 0};
        while (in.pos < in.size) {
            ZSTD_outBuffer zo = {k->zbuf, k->zcap, 0};
            size_t rc = ZSTD_compressStream2(k->zc, &zo, &in, ZSTD_e_continue);
            if (ZSTD_isError(rc) || fwrite(k->zbuf, 1, zo.pos, k->f) != zo.pos) {
                k->failed = 1;
                return;
            }
        }
    } else if (fwrite(p, 1, n, k->f) != n) {
        k->failed = 1;
    }
}

/* Finishes the kept file: with `commit` it is put in place, else (or when
 * writing failed) its temporary is removed. 0 or -1. */
static int keep_close(keep_out *k, int commit)
{
    if (k->gz) {
        if (gzclose(k->gz) != Z_OK)
            k->failed = 1;
        k->gz = NULL;
    } else if (k->zc) {
        ZSTD_inBuffer in = {NULL, 0, 0};
        size_t left;
        do {
            ZSTD_outBuffer zo = {k->zbuf, k->zcap, 0};
            left = ZSTD_compressStream2(k->zc, &zo, &in, ZSTD_e_end);
            if (ZSTD_isError(left) || fwrite(k->zbuf, 1, zo.pos, k->f) != zo.pos) {
                k->failed = 1;
                break;
            }
        } while (left);
        ZSTD_freeCCtx(k->zc);
        free(k->zbuf);
        k->zc = NULL;
    }
    if (k->f && (k->f == stdout ? fflush(stdout) : fclose(k->f)) != 0)
        k->failed = 1;
    k->f = NULL;
    if (commit && !k->failed)
        return outfile_commit(&k->file);
    outfile_abort(&k->file);
    return k->failed ? -1 : 0;
}

/* Makes the directories of `path` (up to its last '/') below the first
 * `from` bytes, which exist. */
static int make_parents(char *path, size_t from)
{
    char *s;
    for (s = path + from; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
                *s = '/';
                return -1;
            }
            *s = '/';
        }
    }
    return 0;
}

/* How much of the path id[0..len) of a file document to leave out for
 * --keep: the input argument it came from (a directory argument and its
 * slash; a file argument's directories). */
static size_t input_prefix(const char *id, size_t len, char *const *inputs, int ninputs)
{
    size_t best = 0;
    int k;
    for (k = 0; k < ninputs; k++) {
        size_t n = strlen(inputs[k]);
        while (n > 1 && inputs[k][n - 1] == '/')
            n--;
        if (n == len && memcmp(inputs[k], id, n) == 0) {
            /* a file argument: its name */
            const char *slash = memrchr(id, '/', len);
            return slash ? (size_t)(slash - id) + 1 : 0;
        }
        if (n < len && n > best && memcmp(inputs[k], id, n) == 0 &&
            (id[n] == '/' || inputs[k][n - 1] == '/'))
            best = id[n] == '/' ? n + 1 : n;
    }
    return best;
}

/*
 * Where a kept file document goes under the keep directory: its path
 * relative to the input argument it came from (under a directory argument,
 * its path inside it; a file argument, its name), with no "." or ".."
 * components.
 */
static char *keep_path(const char *dir, const char *id, size_t len, char *const *inputs,
                       int ninputs)
{
    size_t dl = strlen(dir), i = 0, w, best;
    char *p = malloc(dl + len + 2);
    if (p == NULL)
        return NULL;
    best = input_prefix(id, len, inputs, ninputs);
    id += best;
    len -= best;
    memcpy(p, dir, dl);
    w = dl;
    if (w && p[w - 1] != '/')
        p[w++] = '/';
    while (i < len) {
        size_t j = i;
        while (j < len && id[j] != '/')
            j++;
        if (j > i && !(j - i == 1 && id[i] == '.') &&
            !(j - i == 2 && id[i] == '.' && id[i + 1] == '.')) {
            memcpy(p + w, id + i, j - i);
            w += j - i;
            p[w++] = '/';
        }
        i = j + 1;
    }
    if (w > dl && p[w - 1] == '/')
        w--;
    p[w] = '\0';
    return p;
}

static int copy_from_spool(FILE *spool, uint64_t off, uint64_t len,
                           void (*put)(void *, const void *, size_t), void *ud)
{
    char buf[1 << 16];
    if (fseeko(spool, (off_t)off, SEEK_SET) != 0)
        return -1;
    while (len) {
        size_t want = len < sizeof buf ? (size_t)len : sizeof buf;
        if (fread(buf, 1, want, spool) != want)
            return -1;
        put(ud, buf, want);
        len -= want;
    }
    return 0;
}

static void put_keep(void *ud, const void *p, size_t n)
{
    keep_write(ud, p, n);
}

/* Into a kept file document: a keep_out writing plain bytes. */
static void put_file(void *ud, const void *p, size_t n)
{
    keep_write(ud, p, n);
}

/* The paths kept file documents went to, so that two documents that would
 * land on one file (two file arguments with one name) are an error, not a
 * silent overwrite: an open-addressed set of strings. */
typedef struct name_set {
    char **v;
    size_t n, cap;
} name_set;

static uint64_t name_hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

/* Adds s: 1 when added (the set owns it), 0 when already there, -1 when
 * out of memory. */
static int name_add(name_set *ns, char *s)
{
    size_t i;
    if (2 * (ns->n + 1) > ns->cap) {
        size_t cap = ns->cap ? 2 * ns->cap : 256, k;
        char **v = calloc(cap, sizeof *v);
        if (v == NULL)
            return -1;
        for (k = 0; k < ns->cap; k++)
            if (ns->v[k]) {
                for (i = name_hash(ns->v[k]) & (cap - 1); v[i]; i = (i + 1) & (cap - 1))
                    ;
                v[i] = ns->v[k];
            }
        free(ns->v);
        ns->v = v;
        ns->cap = cap;
    }
    for (i = name_hash(s) & (ns->cap - 1); ns->v[i]; i = (i + 1) & (ns->cap - 1))
        if (strcmp(ns->v[i], s) == 0)
            return 0;
    ns->v[i] = s;
    ns->n++;
    return 1;
}

static void name_set_release(name_set *ns)
{
    size_t i;
    for (i = 0; i < ns->cap; i++)
        free(ns->v[i]);
    free(ns->v);
}

/* Writes kept record i as the file dst (a temporary, renamed into place).
 * 0 or -1 after saying why. */
static int keep_one_file(dedup_run *r, size_t i, const char *dst, size_t from)
{
    keep_out k;
    char *mk = strdup(dst);
    int rc = mk && make_parents(mk, from) == 0 ? 0 : -1;
    free(mk);
    if (rc != 0) {
        cli_error("--keep: cannot write '%s': %s", dst, strerror(errno));
        return -1;
    }
    memset(&k, 0, sizeof k);
    if (outfile_open(&k.file, dst) != 0)
        return -1;
    if ((k.f = fdopen(k.file.fd, "wb")) == NULL) {
        close(k.file.fd);
        k.failed = 1;
    } else if (copy_from_spool(r->spool, r->raw[i].off, r->raw[i].len, put_file, &k)) {
        k.failed = 1;
    }
    if (keep_close(&k, 1) != 0) {
        cli_error("--keep: cannot write '%s': %s", dst, strerror(errno ? errno : EIO));
        return -1;
    }
    r->kept_records++;
    r->kept_bytes += r->raw[i].len;
    return 0;
}

static int kept(const dedup_run *r, const sd_dedup *d, size_t i);

/* One file per kept document under the directory `path`, at its path
 * relative to its input argument (under mpirun, each process writes its
 * own documents' files). 0 or -1 after saying why. */
static int keep_files(const char *path, dedup_run *r, const sd_dedup *d)
{
    name_set seen = {0};
    size_t i;
    int rc = -1;
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        cli_error("--keep: cannot create directory '%s': %s", path, strerror(errno));
        return -1;
    }
    for (i = 0; i < r->n; i++) {
        const char *id;
        char *dst;
        int added;
        walk_at(r);
        if (!kept(r, d, i))
            continue;
        id = ids_at(r, &r->own, r->meta[i].id_off, r->meta[i].id_len);
        dst = id ? keep_path(path, id, r->meta[i].id_len, r->inputs, r->ninputs) : NULL;
        if (dst == NULL || (added = name_add(&seen, dst)) < 0) {
            free(dst);
            cli_error("out of memory");
            goto done;
        }
        if (added == 0) {
            cli_error("--keep: two kept documents would both be '%s' (inputs with the same "
                      "name); keep them in separate runs",
                      dst);
            free(dst);
            goto done;
        }
        if (keep_one_file(r, i, dst, strlen(path)) != 0)
            goto done;
    }
    rc = 0;
done:
    name_set_release(&seen);
    return rc;
}

/* Whether --keep writes record i: it read, and is its cluster's
 * representative, or a page skipped for want of text (not a duplicate). */
static int kept(const dedup_run *r, const sd_dedup *d, size_t i)
{
    sd_dedup_result res;
    if (r->meta[i].err >= 0)
        return r->errs.v[r->meta[i].err].skipped;
    return sd_dedup_get(d, global_of(r, i), &res) == 0 && res.rep == global_of(r, i);
}

/* Ends one kept record in the stream: a blank line after a WARC record
 * (one gzip member per record, as crawls are published), else a newline. */
static void keep_end(keep_out *k, int warcs)
{
    k->records++;
    if (warcs) {
        keep_write(k, "\r\n\r\n", 4);
        if (k->gz && !k->failed && gzflush(k->gz, Z_FINISH) != Z_OK)
            k->failed = 1;
    } else {
        keep_write(k, "\n", 1);
    }
}

static int keep_open(keep_out *k, const char *path)
{
    memset(k, 0, sizeof *k);
    k->file.fd = -1;
    if (strcmp(path, "-") == 0) {
        k->f = stdout;
        return 0;
    }
    if (outfile_open(&k->file, path) != 0)
        return -1;
    if (ends_with(path, ".gz")) {
        k->gz = gzdopen(k->file.fd, "wb6");
    } else {
        k->f = fdopen(k->file.fd, "wb");
        if (k->f && ends_with(path, ".zst")) {
            k->zc = ZSTD_createCCtx();
            k->zcap = ZSTD_CStreamOutSize();
            k->zbuf = malloc(k->zcap);
            if (k->zc == NULL || k->zbuf == NULL) {
                cli_error("--keep: out of memory");
                ZSTD_freeCCtx(k->zc);
                free(k->zbuf);
                k->zc = NULL;
                k->failed = 1;
                keep_close(k, 0);
                return -1;
            }
            ZSTD_CCtx_setParameter(k->zc, ZSTD_c_compressionLevel, 3);
        }
    }
    if (k->f == NULL && k->gz == NULL) {
        cli_error("--keep: cannot open '%s' for writing: %s", path, strerror(errno));
        close(k->file.fd);
        outfile_abort(&k->file);
        return -1;
    }
    return 0;
}

/* Under mpirun, kept records travel to process 0 framed: length, bytes. */
typedef struct keep_frames {
    keep_out *k;
    int warcs;
} keep_frames;

static void put_frames(void *ud, const void *p, size_t n)
{
    keep_frames *kf = ud;
    const char *c = p;
    /* each process's bytes come whole (mpi_gather_write), so whole frames */
    while (n >= 8) {
        uint64_t len;
        memcpy(&len, c, 8);
        if (len > n - 8) {
            kf->k->failed = 1;
            return;
        }
        keep_write(kf->k, c + 8, (size_t)len);
        keep_end(kf->k, kf->warcs);
        c += 8 + len;
        n -= 8 + (size_t)len;
    }
}

static void put_mem(void *ud, const void *p, size_t n)
{
    out_write(ud, p, n);
}

/* Under mpirun: record i framed (length, bytes) when --keep keeps it. */
static void frame_kept(out *blk, dedup_run *r, const sd_dedup *d, size_t i)
{
    uint64_t len = r->raw[i].len;
    if (!kept(r, d, i))
        return;
    out_write(blk, &len, 8);
    if (copy_from_spool(r->spool, r->raw[i].off, len, put_mem, blk))
        blk->failed = EIO;
}

/* The records --keep keeps, by kind: JSONL lines, WARC records, file
 * documents; under mpirun, over all processes. */
static void count_kept(dedup_run *r, size_t *lines, size_t *warcs, size_t *files)
{
    size_t i;
    *lines = *warcs = *files = 0;
    for (i = 0; i < r->n; i++) {
        walk_at(r);
        if (r->meta[i].err >= 0 && !r->errs.v[r->meta[i].err].skipped)
            continue;
        if (r->meta[i].lines)
            (*lines)++;
        else if (r->meta[i].warc)
            (*warcs)++;
        else
            (*files)++;
    }
    if (r->comm) {
        *lines = (size_t)mpi_sum(*lines);
        *warcs = (size_t)mpi_sum(*warcs);
        *files = (size_t)mpi_sum(*files);
    }
}

/* Writes the kept records (WARC records when warcs) in input order into
 * the file path, left open in *k. 0 or -1 after saying why. */
static int keep_here(const char *path, dedup_run *r, const sd_dedup *d, int warcs, keep_out *k)
{
    size_t i;
    if (keep_open(k, path) != 0)
        return -1;
    for (i = 0; i < r->n; i++) {
        walk_at(r);
        if (!kept(r, d, i))
            continue;
        if (copy_from_spool(r->spool, r->raw[i].off, r->raw[i].len, put_keep, k)) {
            k->failed = 1;
            break;
        }
        keep_end(k, warcs);
    }
    if (k->failed) {
        cli_error("--keep: cannot write '%s': %s", path, strerror(errno ? errno : EIO));
        keep_close(k, 0);
        return -1;
    }
    return 0;
}

/* Under mpirun: the kept records of all processes in input order, a run at
 * a time, to process 0, which writes them into the file path, left open in
 * *k. 0 there, 1 on the other processes, -1 after saying why. */
static int keep_gathered(const char *path, dedup_run *r, const sd_dedup *d, int warcs, keep_out *k)
{
    keep_frames kf;
    int bad = 0, opened = 0;
    memset(k, 0, sizeof *k);
    memset(&kf, 0, sizeof kf);
    kf.k = k;
    kf.warcs = warcs;
    if (mpi_rank() == 0) {
        bad = keep_open(k, path) != 0;
        opened = !bad;
    }
    if (mpi_sum((uint64_t)bad)) {
        if (opened)
            keep_close(k, 0);
        return -1;
    }
    if (gather_in_order(r, d, frame_kept, put_frames, &kf) != 0) {
        cli_error("--keep: cannot gather the kept records");
        if (opened)
            keep_close(k, 0);
        return -1;
    }
    return opened ? 0 : 1;
}

/* Writes the kept records: into the directory `path` (file documents, put
 * in place one by one), or into the file `path`, left open in *kout (f NULL
 * when there is none) for the caller to close when every output is done. 0
 * or -1 after saying why. */
static int write_keep(const char *path, dedup_run *r, const sd_dedup *d, keep_out *kout)
{
    size_t files, lines, warcs;
    keep_out k;
    int rc;
    memset(kout, 0, sizeof *kout);
    kout->file.fd = -1;
    fflush(r->spool);
    count_kept(r, &lines, &warcs, &files);
    if ((lines != 0) + (files != 0) + (warcs != 0) > 1) {
        if (mpi_rank() == 0)
            cli_error("--keep: inputs mix %s; keep them in separate runs",
                      files && lines   ? "JSONL records and file documents"
                      : warcs && lines ? "JSONL records and WARC records"
                                       : "WARC records and file documents");
        return -1;
    }
    if (files) {
        r->kept_dir = 1;
        return keep_files(path, r, d);
    }
    rc = r->comm == NULL ? keep_here(path, r, d, warcs != 0, &k)
                         : keep_gathered(path, r, d, warcs != 0, &k);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    r->kept_records = k.records;
    r->kept_bytes = k.bytes;
    *kout = k;
    return 0;
}

/* The summary's line of what --keep wrote: records, bytes, where. */
static void keep_summary(const char *path, const dedup_run *r)
{
    char size[32], disk[48] = "";
    struct stat st;
    fmt_bytes(size, sizeof size, r->kept_bytes);
    if (!r->kept_dir && strcmp(path, "-") != 0 &&
        (ends_with(path, ".gz") || ends_with(path, ".zst")) && stat(path, &st) == 0) {
        char z[32];
        fmt_bytes(z, sizeof z, (uint64_t)st.st_size);
        snprintf(disk, sizeof disk, ", %s compressed", z);
    }
    fprintf(stderr, "syndic: --keep wrote %llu %s (%s%s) to %s%s%s\n",
            (unsigned long long)r->kept_records,
            r->kept_dir ? noun(r->kept_records, "file", "files")
                        : noun(r->kept_records, "record", "records"),
            size, disk, r->kept_dir ? "the directory " : "",
            strcmp(path, "-") == 0 ? "standard output" : path, r->kept_dir ? "/" : "");
}

/* ---- reading and sketching ---- */

/* A batch of documents: texts copied into an arena (a record's pointers last
 * only until the next read), kept as offsets so the arena may grow. A
 * record larger than BORROW_BYTES is not copied: it ends the batch, which
 * borrows its text from the reader, and the reader waits until the batch
 * is sketched (a record is then held once, in the reader, not three times:
 * there and in both arenas). */
#define BORROW_BYTES (BATCH_BYTES / 2)
#define BORROWED (SIZE_MAX - 1)
typedef struct batch {
    sd_doc docs[BATCH_DOCS];
    size_t off[BATCH_DOCS]; /* SIZE_MAX for a record that failed */
    size_t n;
    char *arena;
    size_t used, cap;
    const char *big;               /* the borrowed text (off BORROWED), or NULL */
    uint64_t bytes_at, records_at; /* input consumed, records read, when it was filled */
} batch;

/* The reading side: owns the records' metadata until reading ends. */
typedef struct feed {
    dedup_run *r;
    sd_page_reader *pages; /* the reader, with pages' article text */
    record_warnings warned;
    sd_reader *reader; /* under it: how many bytes it consumed */
    uint64_t total_bytes;
    int failed; /* reading failed; a message was printed */
    /* with a reader thread: two batches handed back and forth */
    batch slot[2];
    int full[2], done, stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} feed;

/* Room for twice as many records. 0, or -1 with errno set. */
static int grow_records(dedup_run *r)
{
    size_t cap = r->cap ? r->cap * 2 : 4096;
    if (grow_array((void **)&r->meta, &r->meta_map, r->mapped, (uint64_t)cap * sizeof *r->meta))
        return -1;
    if (r->spool &&
        grow_array((void **)&r->raw, &r->raw_map, r->mapped, (uint64_t)cap * sizeof *r->raw))
        return -1;
    r->cap = cap;
    return 0;
}

/* With --keep: spools the raw bytes of the record being noted (none for
 * a failed one). 0 or -1 after saying why. */
static int spool_raw(dedup_run *r, const sd_record *rec)
{
    r->raw[r->n].off = r->raw[r->n].len = 0;
    if (rec->error)
        return 0;
    r->raw[r->n].off = r->spool_len;
    r->raw[r->n].len = rec->raw_len;
    if (rec->raw_len && fwrite(rec->raw, 1, rec->raw_len, r->spool) != rec->raw_len) {
        cli_error("--keep: cannot write the temporary file: %s", strerror(errno));
        return -1;
    }
    r->spool_len += rec->raw_len;
    return 0;
}

/* Records one record's metadata (and spools its raw bytes for --keep).
 * Returns 0 or -1 after printing why. */
static int note_record(feed *fd, sd_record *rec, const sd_article *art)
{
    dedup_run *r = fd->r;
    rec_meta *m;
    walk_at(r);
    if (r->n == r->cap && grow_records(r) != 0) {
        if (r->mapped)
            cli_error("--memory: cannot grow a temporary file: %s", strerror(errno));
        else
            cli_error("out of memory");
        return -1;
    }
    m = &r->meta[r->n];
    memset(m, 0, sizeof *m);
    m->err = -1;
    m->lines = rec->format == SD_FORMAT_JSONL;
    m->warc = rec->format == SD_FORMAT_WARC;
    if (remember_id(r, m, rec->id ? rec->id : "", rec->id ? rec->id_len : 0, rec->url,
                    rec->url_len) != 0)
        goto oom;
    if (rec->error == 0 && rec->text == NULL && art) {
        char why[160];
        snprintf(why, sizeof why, "page has no %s (%s)", r->whole_page ? "text" : "article text",
                 art->reason ? art->reason : "empty");
        if ((m->err = rec_errors_add_record(&r->errs, rec, why)) < 0)
            goto oom;
    } else if (rec->error == 0 && rec->text == NULL) {
        rec->error = SD_EMISSING;
        rec->errmsg = "record has no text";
    }
    if (rec->error) {
        warn_record(&fd->warned, rec, NULL);
        if ((m->err = rec_errors_add_record(&r->errs, rec, NULL)) < 0)
            goto oom;
    }
    if (r->spool && spool_raw(r, rec) != 0)
        return -1;
    r->n++;
    return 0;
oom:
    cli_error("out of memory");
    return -1;
}

/* Copies a record's text into b's arena as its next document. 0 or -1
 * after saying why. */
static int batch_copy(batch *b, const char *text, size_t len)
{
    if (b->used + len > b->cap) {
        size_t cap = b->cap ? b->cap : BATCH_BYTES;
        char *p;
        while (cap < b->used + len)
            cap *= 2;
        p = realloc(b->arena, cap);
        if (p == NULL) {
            cli_error("out of memory for a record of %zu bytes", len);
            return -1;
        }
        b->arena = p;
        b->cap = cap;
    }
    if (len)
        memcpy(b->arena + b->used, text, len);
    b->off[b->n] = b->used;
    b->docs[b->n].len = len;
    b->used += len;
    return 0;
}

/* Reads records into b until it is full or the input ends. Returns 1 if
 * there may be more, 0 at the end, -1 on failure (message printed). */
static int fill_batch(feed *fd, batch *b)
{
    size_t i;
    int more = 1;
    b->n = 0;
    b->used = 0;
    b->big = NULL;
    while (b->n < BATCH_DOCS && b->used < BATCH_BYTES && b->big == NULL) {
        sd_record rec;
        const sd_article *art;
        int rc = sd_page_reader_next(fd->pages, &rec, &art);
        if (rc < 0) {
            cli_error("cannot read input: %s", sd_page_reader_errmsg(fd->pages));
            return -1;
        }
        if (rc == 0) {
            more = 0;
            break;
        }
        if (note_record(fd, &rec, art) != 0)
            return -1;
        b->off[b->n] = SIZE_MAX;
        b->docs[b->n].len = 0;
        if (rec.error == 0 && rec.text && rec.text_len > BORROW_BYTES) {
            b->big = rec.text;
            b->off[b->n] = BORROWED;
            b->docs[b->n].len = rec.text_len;
            fd->total_bytes += rec.text_len;
        } else if (rec.error == 0 && rec.text) {
            if (batch_copy(b, rec.text, rec.text_len) != 0)
                return -1;
            fd->total_bytes += rec.text_len;
        }
        b->n++;
    }
    for (i = 0; i < b->n; i++)
        b->docs[i].text = b->off[i] == SIZE_MAX   ? NULL
                          : b->off[i] == BORROWED ? b->big
                          : b->arena              ? b->arena + b->off[i]
                                                  : "";
    b->bytes_at = sd_reader_bytes(fd->reader);
    b->records_at = fd->r->n;
    return more;
}

/* The reader thread: fills the two slots in turn while the caller sketches. */
static void *feed_main(void *arg)
{
    feed *fd = arg;
    int k = 0;
    for (;;) {
        int rc;
        pthread_mutex_lock(&fd->mu);
        while (fd->full[k] && !fd->stop)
            pthread_cond_wait(&fd->cv, &fd->mu);
        if (fd->stop) {
            pthread_mutex_unlock(&fd->mu);
            break;
        }
        pthread_mutex_unlock(&fd->mu);
        rc = fill_batch(fd, &fd->slot[k]);
        pthread_mutex_lock(&fd->mu);
        if (rc < 0)
            fd->failed = 1;
        fd->full[k] = rc >= 0;
        fd->done = rc <= 0;
        pthread_cond_broadcast(&fd->cv);
        /* a borrowed text lives in the reader until it is sketched */
        while (rc > 0 && fd->slot[k].big && fd->full[k] && !fd->stop)
            pthread_cond_wait(&fd->cv, &fd->mu);
        pthread_mutex_unlock(&fd->mu);
        if (rc <= 0)
            break;
        k ^= 1;
    }
    return NULL;
}

/*
 * Reads every record and sketches it. With one thread, reading and
 * sketching take turns; with more, a reader thread fills one batch while
 * the job sketches the other, so reading costs no wall time. Batches reach
 * the job in input order either way. Returns 0 or -1 (message printed).
 */
static int feed_run(feed *fd, sd_dedup *job, unsigned threads, progress *prog, double *t_sketch)
{
    int rc = 0, k = 0;
    pthread_t tid;
    if (threads == 1) {
        for (;;) {
            int more = fill_batch(fd, &fd->slot[0]);
            double t = now_seconds();
            if (more < 0) {
                rc = -1;
                break;
            }
            if (fd->slot[0].n && sd_dedup_add(job, fd->slot[0].docs, fd->slot[0].n) != 0) {
                cli_error("%s", sd_dedup_errmsg(job));
                rc = -1;
                break;
            }
            *t_sketch += now_seconds() - t;
            progress_read(prog, fd->slot[0].bytes_at, fd->slot[0].records_at);
            if (!more)
                break;
        }
        goto out;
    }
    pthread_mutex_init(&fd->mu, NULL);
    pthread_cond_init(&fd->cv, NULL);
    if (pthread_create(&tid, NULL, feed_main, fd) != 0) {
        cli_error("cannot start the reader thread");
        rc = -1;
        goto out_sync;
    }
    for (;;) {
        batch *b = &fd->slot[k];
        double t;
        int last;
        pthread_mutex_lock(&fd->mu);
        while (!fd->full[k] && !fd->done)
            pthread_cond_wait(&fd->cv, &fd->mu);
        last = !fd->full[k];
        pthread_mutex_unlock(&fd->mu);
        if (last)
            break;
        t = now_seconds();
        if (b->n && sd_dedup_add(job, b->docs, b->n) != 0) {
            cli_error("%s", sd_dedup_errmsg(job));
            rc = -1;
        }
        *t_sketch += now_seconds() - t;
        progress_read(prog, b->bytes_at, b->records_at);
        pthread_mutex_lock(&fd->mu);
        fd->full[k] = 0;
        if (rc)
            fd->stop = 1;
        pthread_cond_broadcast(&fd->cv);
        pthread_mutex_unlock(&fd->mu);
        if (rc)
            break;
        k ^= 1;
    }
    pthread_join(tid, NULL);
    if (fd->failed)
        rc = -1;
out_sync:
    pthread_mutex_destroy(&fd->mu);
    pthread_cond_destroy(&fd->cv);
out:
    free(fd->slot[0].arena);
    free(fd->slot[1].arena);
    return rc;
}

/* ---- the run ---- */

enum {
    OPT_KEEP = 256,
    OPT_NUM_PERM,
    OPT_BANDS,
    OPT_ROWS,
    OPT_SEED,
    OPT_ID_FIELD,
    OPT_TEXT_FIELD,
    OPT_REPAIR,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_HTML_FIELD,
    OPT_WHOLE_PAGE,
    OPT_MEMORY,
    OPT_TMPDIR,
    OPT_SHARE,
    OPT_FORMAT
};

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"keep", required_argument, NULL, OPT_KEEP},
    {"threshold", required_argument, NULL, 't'},
    {"ngram", required_argument, NULL, 'n'},
    {"num-perm", required_argument, NULL, OPT_NUM_PERM},
    {"bands", required_argument, NULL, OPT_BANDS},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"id-field", required_argument, NULL, OPT_ID_FIELD},
    {"text-field", required_argument, NULL, OPT_TEXT_FIELD},
    {"repair-utf8", no_argument, NULL, OPT_REPAIR},
    {"html-field", required_argument, NULL, OPT_HTML_FIELD},
    {"whole-page", no_argument, NULL, OPT_WHOLE_PAGE},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"tmpdir", required_argument, NULL, OPT_TMPDIR},
    {"share", required_argument, NULL, OPT_SHARE},
    {"threads", required_argument, NULL, 'j'},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A dedup command: what its line asks for, and what its run holds. */
typedef struct dedup_cmd {
    sd_dedup_options dopt;
    sd_reader_options ropt;
    const char *output, *keep, *share_mode;
    int show_progress;
    dedup_run r;
    feed fd;
    sd_reader *reader;
    sd_dedup *job;
    out o;
    int o_open;
    keep_out kept;
    progress prog;
    double t0, t_sketch, t_finish;
} dedup_cmd;

/* Reads the command line into c. Returns -1 to go on, or the exit status
 * (help, or a usage error already said). */
static int parse_args(dedup_cmd *c, int argc, char **argv)
{
    unsigned seed = 0;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:t:n:j:qvh", long_opts, NULL)) != -1) {
        switch (opt) {
        case 'o': c->output = optarg; break;
        case OPT_KEEP: c->keep = optarg; break;
        /* numbers are parsed here, their ranges checked by the library */
        case 't':
            if (parse_double("--threshold", optarg, -HUGE_VAL, HUGE_VAL, &c->dopt.threshold))
                return EXIT_USAGE;
            break;
        case 'n':
            if (parse_unsigned("--ngram", optarg, 0, UINT_MAX, &c->dopt.ngram))
                return EXIT_USAGE;
            break;
        case OPT_NUM_PERM:
            if (parse_unsigned("--num-perm", optarg, 0, UINT_MAX, &c->dopt.num_perm))
                return EXIT_USAGE;
            break;
        case OPT_BANDS:
            if (parse_unsigned("--bands", optarg, 1, UINT_MAX, &c->dopt.bands))
                return EXIT_USAGE;
            break;
        case OPT_ROWS:
            if (parse_unsigned("--rows", optarg, 1, UINT_MAX, &c->dopt.rows))
                return EXIT_USAGE;
            break;
        case OPT_SEED:
            if (parse_unsigned("--seed", optarg, 0, 0xFFFFFFFFu, &seed))
                return EXIT_USAGE;
            c->dopt.seed = seed;
            break;
        case OPT_FORMAT:
            if (parse_format(optarg, &c->ropt.format))
                return EXIT_USAGE;
            break;
        case OPT_ID_FIELD: c->ropt.id_field = optarg; break;
        case OPT_TEXT_FIELD: c->ropt.text_field = optarg; break;
        case OPT_REPAIR: c->ropt.repair_utf8 = 1; break;
        case OPT_HTML_FIELD: c->ropt.html_field = optarg; break;
        case OPT_WHOLE_PAGE: c->r.whole_page = 1; break;
        case OPT_MEMORY:
            if (parse_size("--memory", optarg, 1u << 20, &c->dopt.memory_limit))
                return EXIT_USAGE;
            break;
        case OPT_TMPDIR: c->dopt.tmpdir = optarg; break;
        case OPT_SHARE:
            if (!share_mode_ok(optarg))
                return EXIT_USAGE;
            c->share_mode = optarg;
            break;
        case 'j':
            if (parse_unsigned("--threads", optarg, 1, 256, &c->dopt.threads))
                return EXIT_USAGE;
            break;
        case OPT_PROGRESS: c->show_progress = 1; break;
        case OPT_NO_PROGRESS: c->show_progress = 0; break;
        case 'q': cli_quiet = 1; break;
        case 'v': cli_verbose = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: return cli_bad_option("dedup", long_opts, opt, argv);
        }
    }
    if (optind >= argc) {
        cli_error("dedup: no input; give files, directories or - for standard input");
        cli_see_help("dedup");
        return EXIT_USAGE;
    }
    if (c->show_progress && cli_quiet)
        c->show_progress = 0;
    c->r.inputs = argv + optind;
    c->r.ninputs = argc - optind;
    if ((c->r.comm = mpi_comm()) != NULL) {
        c->dopt.comm = c->r.comm;
        if (share_choose(c->r.comm, c->share_mode, argv + optind, argc - optind) != 0)
            return EXIT_USAGE;
        c->ropt.share = c->r.comm->share;
        if (mpi_rank() != 0)
            c->show_progress = 0;
    }
    return -1;
}

/* The temporary files of the run: the spool of raw records for --keep,
 * the records' metadata and ids mapped from files under --memory. 0 or -1
 * after saying why. */
static int open_temporaries(dedup_cmd *c)
{
    dedup_run *r = &c->r;
    if (c->keep) {
        int sfd = sd_tmpfd(c->dopt.tmpdir);
        r->spool = sfd >= 0 ? fdopen(sfd, "w+b") : NULL;
        if (r->spool == NULL) {
            cli_error("--keep: cannot create a temporary file: %s", strerror(errno));
            if (sfd >= 0)
                close(sfd);
            return -1;
        }
    }
    if (c->dopt.memory_limit) {
        r->mapped = 1;
        sd_fmap_init(&r->meta_map, c->dopt.tmpdir, c->dopt.memory_limit / 16);
        sd_fmap_init(&r->raw_map, c->dopt.tmpdir, c->dopt.memory_limit / 16);
        if ((r->ids_fd = sd_tmpfd(c->dopt.tmpdir)) < 0) {
            cli_error("--memory: cannot create a temporary file in %s: %s",
                      c->dopt.tmpdir ? c->dopt.tmpdir : "the temporary directory", strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* The job, the reader and the outputs, every one checked before reading:
 * 0, or the exit status after saying why. */
static int open_run(dedup_cmd *c)
{
    dedup_run *r = &c->r;
    char why[SD_ERRBUF_SIZE];
    int rc, i;
    if ((rc = sd_dedup_new(&c->dopt, &c->job, why)) != 0) {
        cli_error("dedup: %s", why);
        return rc == SD_EINVAL ? EXIT_USAGE : EXIT_RUN;
    }
    if (mpi_rank() == 0) {
        /* every output can be written, before hours of reading; results
         * go to standard output unless -o says otherwise */
        const out_path outs[] = {{"-o", c->output ? c->output : "-", 0}, {"--keep", c->keep, 1}};
        if (out_check_paths(outs, 2, r->inputs, r->ninputs) != 0)
            return r->comm ? EXIT_RUN : EXIT_USAGE;
    }
    if (sd_reader_new(&c->ropt, &c->reader, why) != 0 ||
        sd_page_reader_new(c->reader, NULL,
                           SD_PAGE_KEEP_EMPTY | (r->whole_page ? SD_PAGE_WHOLE : 0),
                           c->dopt.threads, &c->fd.pages, why) != 0) {
        cli_error("dedup: %s", why);
        return EXIT_RUN;
    }
    for (i = 0; i < r->ninputs; i++)
        if (sd_reader_add(c->reader, r->inputs[i]) != 0) {
            cli_error("out of memory");
            return EXIT_RUN;
        }
    if (open_temporaries(c) != 0)
        return EXIT_RUN;
    if (mpi_rank() == 0 ? out_open(&c->o, c->output) != 0 : out_open_mem(&c->o) != 0)
        return EXIT_RUN;
    c->o_open = 1;
    return 0;
}

/* Reads and sketches every record, finishes the job, and writes the results
 * and the kept records: 0, or EXIT_RUN after saying why. */
static int run_dedup(dedup_cmd *c)
{
    dedup_run *r = &c->r;
    double t;
    progress_init(&c->prog, c->show_progress);
    if (!r->comm) /* under mpirun a process reads a share: no total */
        progress_total(&c->prog, r->inputs, r->ninputs);
    c->t0 = now_seconds();
    c->fd.r = r;
    c->fd.reader = c->reader;
    if (feed_run(&c->fd, c->job, c->dopt.threads, &c->prog, &c->t_sketch) != 0)
        return EXIT_RUN;
    if (r->comm && share_files_read(r->comm, c->reader, r->n) != 0)
        return EXIT_RUN;
    t = now_seconds();
    if (sd_dedup_finish(c->job, c->show_progress ? progress_cb : NULL, &c->prog) != 0) {
        cli_error("%s", sd_dedup_errmsg(c->job));
        return EXIT_RUN;
    }
    c->t_finish = now_seconds() - t;
    progress_done(&c->prog);
    if (write_results(&c->o, r, c->job) != 0)
        return EXIT_RUN;
    /* the results and the kept records go in place together, at the end */
    if (c->keep && write_keep(c->keep, r, c->job, &c->kept) != 0)
        return EXIT_RUN;
    c->o_open = 0;
    if (out_close(&c->o) != 0) {
        if (c->keep)
            keep_close(&c->kept, 0);
        return EXIT_RUN;
    }
    if (c->keep && keep_close(&c->kept, 1) != 0) {
        cli_error("--keep: cannot write '%s': %s", c->keep, strerror(errno ? errno : EIO));
        return EXIT_RUN;
    }
    return 0;
}

/* The summary on standard error (under mpirun, of every process's records,
 * on process 0: collective). Returns the exit status. */
static int summarize(dedup_cmd *c)
{
    dedup_run *r = &c->r;
    sd_dedup_stats st;
    uint64_t n_all = r->n, failed_all = r->errs.failed, skipped_all = r->errs.n - r->errs.failed;
    uint64_t total_bytes = c->fd.total_bytes, over = warn_hidden(&c->fd.warned);
    double secs;
    char size[32], skipped[64] = "";
    sd_dedup_get_stats(c->job, &st);
    if (r->comm) {
        over = mpi_sum(over);
        n_all = mpi_sum(r->n);
        failed_all = mpi_sum(failed_all);
        skipped_all = mpi_sum(skipped_all);
        total_bytes = mpi_sum(total_bytes);
        if (r->kept_dir) { /* each process wrote its own documents' files */
            r->kept_records = mpi_sum(r->kept_records);
            r->kept_bytes = mpi_sum(r->kept_bytes);
        }
        if (mpi_rank() != 0)
            cli_quiet = 1;
    }
    if (cli_quiet)
        return failed_all || r->ids_failed ? EXIT_RUN : EXIT_OK;
    secs = now_seconds() - c->t0;
    if (over)
        cli_warn("%llu more records failed; each has an \"error\" line in the output",
                 (unsigned long long)over);
    fmt_bytes(size, sizeof size, total_bytes);
    if (skipped_all)
        snprintf(skipped, sizeof skipped, ", %llu skipped", (unsigned long long)skipped_all);
    fprintf(stderr,
            "syndic: %llu %s, %llu %s, %llu %s (%llu exact), %llu %s%s; %s in %.2f s (%.1f "
            "MB/s)\n",
            (unsigned long long)n_all, noun(n_all, "document", "documents"),
            (unsigned long long)st.clusters, noun(st.clusters, "cluster", "clusters"),
            (unsigned long long)st.duplicates, noun(st.duplicates, "duplicate", "duplicates"),
            (unsigned long long)st.exact_duplicates, (unsigned long long)failed_all,
            noun(failed_all, "error", "errors"), skipped, size, secs,
            secs > 0 ? (double)total_bytes / 1e6 / secs : 0.0);
    if (c->keep)
        keep_summary(c->keep, r);
    if (cli_verbose)
        fprintf(stderr,
                "syndic: LSH %u bands x %u rows; %llu candidate %s, %llu verified; "
                "sketch %.2f s, candidates+verify+cluster %.2f s, read+write %.2f s\n",
                st.bands, st.rows, (unsigned long long)st.candidates,
                noun(st.candidates, "pair", "pairs"), (unsigned long long)st.verified, c->t_sketch,
                c->t_finish, secs - c->t_sketch - c->t_finish);
    if (cli_verbose && r->comm) {
        char ex[32];
        fmt_bytes(ex, sizeof ex, st.exchanged);
        fprintf(stderr, "syndic: %u %s; %s of keys exchanged (%.0f bytes per document)\n",
                r->comm->share.count, noun(r->comm->share.count, "process", "processes"), ex,
                n_all ? (double)st.exchanged / (double)n_all : 0.0);
    }
    if (cli_verbose && c->dopt.memory_limit) {
        char sp[32];
        fmt_bytes(sp, sizeof sp, st.spilled);
        fprintf(stderr, "syndic: %s written to temporary files\n", sp);
    }
    return failed_all || r->ids_failed ? EXIT_RUN : EXIT_OK;
}

/* Lets go of everything the command holds. */
static void release_cmd(dedup_cmd *c)
{
    dedup_run *r = &c->r;
    rec_errors_release(&r->errs);
    if (r->mapped) {
        sd_fmap_release(&r->meta_map);
        sd_fmap_release(&r->raw_map);
    } else {
        free(r->meta);
        free(r->raw);
    }
    free(r->ids);
    free(r->own.buf);
    free(r->rep.buf);
    free(r->far);
    free(r->far_at);
    if (r->ids_fd >= 0)
        close(r->ids_fd);
    if (r->spool)
        fclose(r->spool);
    sd_dedup_free(c->job);
    sd_page_reader_free(c->fd.pages);
    sd_reader_free(c->reader);
}

int cmd_dedup(int argc, char **argv)
{
    dedup_cmd c;
    int status;
    memset(&c, 0, sizeof c);
    c.r.ids_fd = -1;
    c.share_mode = "auto";
    c.show_progress = progress_default();
    sd_dedup_options_init(&c.dopt);
    sd_reader_options_init(&c.ropt);
    if ((status = parse_args(&c, argc, argv)) >= 0)
        return status;
    if ((status = open_run(&c)) == 0 && (status = run_dedup(&c)) == 0)
        status = summarize(&c);
    else if (c.r.comm)
        mpi_abort(EXIT_RUN); /* the other processes would wait for this one */
    if (c.o_open)
        out_abort(&c.o);
    release_cmd(&c);
    return status;
}
