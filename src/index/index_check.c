/*
 * index_check.c: `syndic index check`, the index read through in one read
 * transaction. LMDB keeps its own pages consistent (a write transaction
 * is committed whole or not at all); what is checked here is what the
 * index writes: every record's checksum, that every reference finds what
 * it names and is named back (a passage its unit and documents, a unit its
 * passages and stories, a story its members, each document its stories,
 * spans their passages), the counters of the state record, and the dedup
 * clusters against their edges (each cluster one connected component,
 * represented by its smallest member).
 *
 * Problems are counted; the message names the first and how many there
 * are. Memory: one walk at a time, and per cluster its members.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "index/index_int.h"

typedef struct chk {
    sd_index *ix;
    uint64_t problems;
    int rc; /* an error that stops the check (not a problem found) */
} chk;

static void problem(chk *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Counts a problem; the first one is kept as the message. */
static void problem(chk *c, const char *fmt, ...)
{
    if (c->problems++ == 0) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        sd__errorf(&c->ix->err, SD_EFORMAT, "%s", msg);
    }
}

static void say_run(void *ctx, const char *what)
{
    problem(ctx, "%s", what);
}

/* Whether key k has dup v in an integer-dup database. */
static int has_dup64(chk *c, int db, uint64_t k, uint64_t v)
{
    const uint64_t *d;
    size_t n, i;
    if ((c->rc = sd__st_dups64(&c->ix->st, db, k, 0, &d, &n)) != 0)
        return 0;
    for (i = 0; i < n; i++)
        if (d[i] == v)
            return 1;
    return 0;
}

static int exists(chk *c, int db, uint64_t k)
{
    sd_val v;
    int rc = sd__st_get64(&c->ix->st, db, k, &v);
    if (rc < 0)
        c->rc = rc;
    return rc == 1;
}

#define U(x) ((unsigned long long)(x))

/* Documents: record, text, sketch; the counters of documents and text. */
static void check_docs(chk *c)
{
    sd_index *ix = c->ix;
    sd_walk w;
    sd_val k, v;
    uint64_t n = 0, bytes = 0, nt = 0, ns = 0;
    int rc;
    if ((c->rc = sd__walk_open(&w, &ix->st, DB_DOC, NULL, 0)) != 0)
        return;
    while ((rc = sd__walk_next(&w, &k, &v)) == 1) {
        uint64_t d;
        ix_doc x;
        sd_val tv;
        sd_rd r;
        memcpy(&d, k.p, sizeof d);
        n++;
        sd__rd_init(&r, v.p, v.n);
        if (r.bad || sd__ix_doc(ix, d, &x) != 1) {
            problem(c, "document %llu: its record does not read back", U(d));
            continue;
        }
        if (d >= ix->state.next_doc)
            problem(c, "document %llu is numbered past the next number, %llu", U(d),
                    U(ix->state.next_doc));
        if (x.rep > d)
            problem(c, "document %llu: its representative %llu is larger", U(d), U(x.rep));
        if (sd__st_get64(&ix->st, DB_TEXT, d, &tv) != 1) {
            problem(c, "document %llu has no text record", U(d));
        } else {
            sd__rd_init(&r, tv.p, tv.n);
            (void)sd__rd_u32(&r);
            bytes += sd__rd_u32(&r);
            if (r.bad)
                problem(c, "document %llu: its text record does not read back", U(d));
        }
        if (sd__st_get64(&ix->st, DB_SIG, d, &tv) != 1) {
            problem(c, "document %llu has no dedup sketch", U(d));
        } else {
            sd__rd_init(&r, tv.p, tv.n);
            if (r.bad)
                problem(c, "document %llu: its dedup sketch does not read back", U(d));
        }
    }
    sd__walk_close(&w);
    if (rc < 0) {
        c->rc = rc;
        return;
    }
    if ((c->rc = sd__st_count(&ix->st, DB_TEXT, &nt)) != 0 ||
        (c->rc = sd__st_count(&ix->st, DB_SIG, &ns)) != 0)
        return;
    if (n != ix->state.docs)
        problem(c, "%llu documents kept, the state says %llu", U(n), U(ix->state.docs));
    if (nt != n)
        problem(c, "%llu text records for %llu documents", U(nt), U(n));
    if (ns != n)
        problem(c, "%llu dedup sketches for %llu documents", U(ns), U(n));
    if (bytes != ix->state.text_bytes)
        problem(c, "%llu bytes of text kept, the state says %llu", U(bytes),
                U(ix->state.text_bytes));
}

/* A database whose values name documents (shifted right by `shift`, of
 * `size` bytes at `at`): each names one kept. */
static void check_doc_refs(chk *c, int db, const char *name, size_t size, size_t at, int shift)
{
    sd_walk w;
    sd_val k, v;
    uint64_t last = UINT64_MAX;
    int rc;
    if ((c->rc = sd__walk_open(&w, &c->ix->st, db, NULL, 0)) != 0)
        return;
    while (!c->rc && (rc = sd__walk_next(&w, &k, &v)) == 1) {
        uint64_t d;
        if (v.n != size) {
            problem(c, "a %s entry of %llu bytes", name, U(v.n));
            continue;
        }
        if (size == 16)
            d = sd__get_be64((const unsigned char *)v.p + at);
        else
            memcpy(&d, (const unsigned char *)v.p + at, sizeof d);
        d >>= shift;
        if (d != last && !exists(c, db == DB_SPAN ? DB_PASS : DB_DOC, d))
            problem(c, "%s %llu is named in the %s database but not kept",
                    db == DB_SPAN ? "passage" : "document", U(d), name);
        last = d;
    }
    sd__walk_close(&w);
    if (rc < 0 && !c->rc)
        c->rc = rc;
}

/* Edges both ways; clusters: members sharing their representative, the
 * smallest of them, one connected component of the edges. */
static void check_dedup(chk *c)
{
    sd_index *ix = c->ix;
    sd_walk w;
    sd_val k, v;
    uint64_t clusters = 0, dups = 0, *m = NULL, last = UINT64_MAX;
    size_t n = 0, cap = 0, *queue = NULL, qcap = 0;
    uint8_t *seen = NULL;
    size_t scap = 0;
    int rc;
    if ((c->rc = sd__walk_open(&w, &ix->st, DB_EDGE, NULL, 0)) != 0)
        return;
    while (!c->rc && (rc = sd__walk_next(&w, &k, &v)) == 1) {
        uint64_t a, b;
        memcpy(&a, k.p, sizeof a);
        memcpy(&b, v.p, sizeof b);
        if (!has_dup64(c, DB_EDGE, b, a))
            problem(c, "the dedup edge %llu-%llu is kept one way only", U(a), U(b));
    }
    sd__walk_close(&w);
    if (rc < 0 && !c->rc)
        c->rc = rc;
    if (c->rc || (c->rc = sd__walk_open(&w, &ix->st, DB_CLUSTER, NULL, 0)) != 0)
        return;
    for (;;) {
        uint64_t r = UINT64_MAX, x;
        size_t i, head = 0, tail = 0;
        rc = c->rc ? 0 : sd__walk_next(&w, &k, &v);
        if (rc == 1)
            memcpy(&r, k.p, sizeof r);
        if (n && (rc != 1 || r != last)) {
            /* the cluster of `last`, its members m[0..n) */
            clusters++;
            dups += n - 1;
            if (m[0] != last)
                problem(c, "cluster %llu: its representative is not its smallest member", U(last));
            if (SD_GROW(queue, qcap, n) || SD_GROW(seen, scap, n)) {
                c->rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
                break;
            }
            memset(seen, 0, n);
            for (i = 0; i < n && !c->rc; i++) {
                ix_doc d;
                if (sd__ix_doc(ix, m[i], &d) != 1 || d.rep != last)
                    problem(c, "document %llu is in cluster %llu but not represented by it",
                            U(m[i]), U(last));
            }
            seen[0] = 1;
            queue[tail++] = 0;
            while (head < tail && !c->rc) {
                const uint64_t *e;
                size_t ne, j;
                x = m[queue[head++]];
                if ((c->rc = sd__st_dups64(&ix->st, DB_EDGE, x, 0, &e, &ne)) != 0)
                    break;
                for (j = 0; j < ne; j++) {
                    size_t lo = sd__ix_find_u64(m, n, e[j]);
                    if (lo == SIZE_MAX) {
                        problem(c, "the dedup edge %llu-%llu leaves its cluster", U(x), U(e[j]));
                        continue;
                    }
                    if (!seen[lo]) {
                        seen[lo] = 1;
                        queue[tail++] = lo;
                    }
                }
            }
            if (tail != n && !c->rc)
                problem(c, "cluster %llu: its members are not connected by its edges", U(last));
            n = 0;
        }
        if (rc != 1)
            break;
        memcpy(&x, v.p, sizeof x);
        if (SD_GROW(m, cap, n + 1)) {
            c->rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
            break;
        }
        m[n++] = x;
        last = r;
    }
    sd__walk_close(&w);
    if (rc < 0 && !c->rc)
        c->rc = rc;
    sd__free(m);
    sd__free(queue);
    sd__free(seen);
    if (c->rc)
        return;
    if (clusters != ix->state.clusters || dups != ix->state.duplicates)
        problem(c, "dedup: %llu clusters and %llu duplicates, the state says otherwise",
                U(clusters), U(dups));
    /* a duplicate is in its representative's cluster */
    if ((c->rc = sd__walk_open(&w, &ix->st, DB_DOC, NULL, 0)) != 0)
        return;
    while (!c->rc && (rc = sd__walk_next(&w, &k, &v)) == 1) {
        uint64_t d;
        ix_doc x;
        memcpy(&d, k.p, sizeof d);
        if (sd__ix_doc(ix, d, &x) == 1 && x.rep != d && !has_dup64(c, DB_CLUSTER, x.rep, d))
            problem(c, "document %llu is represented by %llu but not in its cluster", U(d),
                    U(x.rep));
    }
    sd__walk_close(&w);
    if (rc < 0 && !c->rc)
        c->rc = rc;
}

/* Passages: their documents, their unit naming them back, their spans. */
static void check_passages(chk *c)
{
    sd_index *ix = c->ix;
    sd_walk w;
    sd_val k, v;
    uint64_t n = 0;
    int rc;
    if ((c->rc = sd__walk_open(&w, &ix->st, DB_PASS, NULL, 0)) != 0)
        return;
    while (!c->rc && (rc = sd__walk_next(&w, &k, &v)) == 1) {
        uint64_t pid;
        ix_pass p;
        sd_val uv;
        memcpy(&pid, k.p, sizeof pid);
        n++;
        if (sd__ix_pass(ix, pid, &p) != 1) {
            problem(c, "passage %llu: its record does not read back", U(pid));
            continue;
        }
        if (pid >= ix->state.next_pass)
            problem(c, "passage %llu is numbered past the next number", U(pid));
        if (!exists(c, DB_DOC, p.da) || !exists(c, DB_DOC, p.db))
            problem(c, "passage %llu names a document not kept (%llu)", U(pid),
                    U(exists(c, DB_DOC, p.da) ? p.db : p.da));
        if (sd__st_get64(&ix->st, DB_UNIT, p.unit, &uv) != 1) {
            problem(c, "passage %llu is in unit %llu, which is not kept", U(pid), U(p.unit));
        } else {
            sd_rd r;
            uint64_t np, i, q;
            int found = 0;
            sd__rd_init(&r, uv.p, uv.n);
            np = sd__rd_u64(&r);
            for (i = 0; i < np && !r.bad && !found; i++) {
                q = sd__rd_u64(&r);
                found = q == pid;
            }
            if (!found)
                problem(c, "passage %llu is not listed by its unit %llu", U(pid), U(p.unit));
        }
        {
            unsigned char sv[16];
            const void *sp;
            size_t ns, i, side;
            for (side = 0; side < 2; side++) {
                uint64_t doc = side ? p.db : p.da;
                int found = 0;
                sd__be32(sv, side ? p.p.b0 : p.p.a0);
                sd__be32(sv + 4, side ? p.p.b1 : p.p.a1);
                sd__be64(sv + 8, pid);
                if ((c->rc = sd__st_dups(&ix->st, DB_SPAN, &doc, sizeof doc, 16, 0, &sp, &ns)) != 0)
                    break;
                for (i = 0; i < ns && !found; i++)
                    found = memcmp((const unsigned char *)sp + 16 * i, sv, 16) == 0;
                if (!found)
                    problem(c, "passage %llu has no span in document %llu", U(pid), U(doc));
            }
        }
    }
    sd__walk_close(&w);
    if (rc < 0 && !c->rc)
        c->rc = rc;
    if (!c->rc && n != ix->state.passages)
        problem(c, "%llu passages kept, the state says %llu", U(n), U(ix->state.passages));
}

/* Units: their passages and stories naming them back. */
static void check_units(chk *c)
{
    sd_index *ix = c->ix;
    sd_walk w;
    sd_val k, v;
    uint64_t n = 0;
    int rc;
    if ((c->rc = sd__walk_open(&w, &ix->st, DB_UNIT, NULL, 0)) != 0)
        return;
    while (!c->rc && (rc = sd__walk_next(&w, &k, &v)) == 1) {
        uint64_t u, np, ns, i, x;
        sd_rd r;
        memcpy(&u, k.p, sizeof u);
        n++;
        if (u >= ix->state.next_unit)
            problem(c, "unit %llu is numbered past the next number", U(u));
        sd__rd_init(&r, v.p, v.n);
        np = sd__rd_u64(&r);
        if (r.bad || np > v.n / 8) {
            problem(c, "unit %llu: its record does not read back", U(u));
            continue;
        }
        for (i = 0; i < np && !c->rc; i++) {
            ix_pass p;
            x = sd__rd_u64(&r);
            if (sd__ix_pass(ix, x, &p) != 1 || p.unit != u)
                problem(c, "unit %llu lists passage %llu, not kept in it", U(u), U(x));
        }
        ns = sd__rd_u64(&r);
        if (r.bad || ns > v.n / 8) {
            problem(c, "unit %llu: its record does not read back", U(u));
            continue;
        }
        for (i = 0; i < ns && !c->rc; i++) {
            x = sd__rd_u64(&r);
            if (sd__ix_story(ix, x, &ix->one) != 1 || ix->one.unit != u)
                problem(c, "unit %llu lists story %llu, not kept in it", U(u), U(x));
        }
        if (r.bad)
            problem(c, "unit %llu: its record does not read back", U(u));
    }
    sd__walk_close(&w);
    if (rc < 0 && !c->rc)
        c->rc = rc;
    if (!c->rc && n != ix->state.units)
        problem(c, "%llu units kept, the state says %llu", U(n), U(ix->state.units));
}

/* Stories: their unit, their members kept and naming them back. */
static void check_stories(chk *c)
{
    sd_index *ix = c->ix;
    sd_walk w;
    sd_val k, v;
    uint64_t n = 0;
    int rc;
    if ((c->rc = sd__walk_open(&w, &ix->st, DB_STORY, NULL, 0)) != 0)
        return;
    while (!c->rc && (rc = sd__walk_next(&w, &k, &v)) == 1) {
        uint64_t id;
        size_t i;
        memcpy(&id, k.p, sizeof id);
        n++;
        if (id >= ix->state.next_story)
            problem(c, "story %llu is numbered past the next number", U(id));
        if (sd__ix_story(ix, id, &ix->one) != 1) {
            problem(c, "story %llu: its record does not read back", U(id));
            continue;
        }
        if (!exists(c, DB_UNIT, ix->one.unit))
            problem(c, "story %llu is in unit %llu, which is not kept", U(id), U(ix->one.unit));
        if (ix->one.s.n_members < 2)
            problem(c, "story %llu has fewer than two copies", U(id));
        for (i = 0; i < ix->one.s.n_members && !c->rc; i++) {
            uint64_t d = ix->one.s.members[i].doc;
            if (!exists(c, DB_DOC, d))
                problem(c, "story %llu names document %llu, not kept", U(id), U(d));
            else if (!has_dup64(c, DB_DSTORY, d, id))
                problem(c, "document %llu does not name its story %llu", U(d), U(id));
        }
    }
    sd__walk_close(&w);
    if (rc < 0 && !c->rc)
        c->rc = rc;
    if (!c->rc && n != ix->state.stories)
        problem(c, "%llu stories kept, the state says %llu", U(n), U(ix->state.stories));
    /* every document's stories name it */
    if (c->rc || (c->rc = sd__walk_open(&w, &ix->st, DB_DSTORY, NULL, 0)) != 0)
        return;
    while (!c->rc && (rc = sd__walk_next(&w, &k, &v)) == 1) {
        uint64_t d, id;
        size_t i;
        int found = 0;
        memcpy(&d, k.p, sizeof d);
        memcpy(&id, v.p, sizeof id);
        if (sd__ix_story(ix, id, &ix->one) != 1) {
            problem(c, "document %llu names story %llu, not kept", U(d), U(id));
            continue;
        }
        for (i = 0; i < ix->one.s.n_members; i++)
            found |= ix->one.s.members[i].doc == d;
        if (!found)
            problem(c, "document %llu names story %llu, which does not name it", U(d), U(id));
    }
    sd__walk_close(&w);
    if (rc < 0 && !c->rc)
        c->rc = rc;
}

int sd__ix_check(sd_index *ix)
{
    chk c;
    memset(&c, 0, sizeof c);
    c.ix = ix;
    memset(&ix->err, 0, sizeof ix->err);
    check_docs(&c);
    if (!c.rc) {
        sd__runs_check(&ix->st, DB_POST, say_run, &c);
        sd__runs_check(&ix->st, DB_BAND, say_run, &c);
        sd__runs_check(&ix->st, DB_EXACT, say_run, &c);
        check_doc_refs(&c, DB_POST, "fingerprint", 8, 0, 32);
    }
    if (!c.rc)
        check_doc_refs(&c, DB_BAND, "LSH band", 8, 0, 0);
    if (!c.rc)
        check_doc_refs(&c, DB_EXACT, "exact-copy", 8, 0, 0);
    if (!c.rc)
        check_doc_refs(&c, DB_SPAN, "span", 16, 8, 0);
    if (!c.rc)
        check_dedup(&c);
    if (!c.rc)
        check_passages(&c);
    if (!c.rc)
        check_units(&c);
    if (!c.rc)
        check_stories(&c);
    if (c.rc)
        return c.rc;
    if (c.problems) {
        char first[SD_ERRMSG_MAX];
        snprintf(first, sizeof first, "%s", ix->err.msg);
        return sd__errorf(&ix->err, SD_EFORMAT, "the index is damaged: %s (%llu %s found)", first,
                          U(c.problems), c.problems == 1 ? "problem" : "problems");
    }
    return 0;
}
