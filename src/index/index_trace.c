/*
 * index_trace.c: passages and stories in the index, as sd_trace finds them
 * over all documents kept (index_int.h describes units).
 *
 *   1. candidates: sd_trace links the documents sharing a fingerprint as a
 *      star around the first of them (sd__pair_group). A new document has
 *      the largest number so far, so it pairs with the fingerprint's first
 *      document (the first of its postings), and no existing pair changes;
 *      its anchors are the hub's first SD__MAX_OCC occurrences against its own
 *      first SD__MAX_OCC, as sd__pair_group makes them;
 *   2. each new pair is aligned (sd__trace_align_pair) and given its site
 *      test (sd__trace_site_pair), and its passages are stored;
 *   3. the new passages and the units they touch (a shared token in a
 *      document, or the same pair) are gathered, and each gathering's
 *      stories are recomputed: a job holding just its documents and
 *      passages, in the order sd_trace holds them (documents by number,
 *      passages by pair and then as aligned), runs the site filter's
 *      removal and sd__trace_stories;
 *   4. the stories found take the ids of the stories they continue: each
 *      the oldest id among the old stories whose spans it overlaps that no
 *      earlier story took, else a new one; the other old ids it overlaps
 *      are merges.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/keysort.h"
#include "index/index_int.h"
#include "match/passages.h"

/* ---- text records ---- */

int sd__ix_put_text(sd_index *ix, uint64_t d, const sd_tdoc *td)
{
    size_t words = td->n ? SD_PROSE_WORDS(td->n) : 0, i;
    int rc;
    sd__wr_reset(&ix->wr);
    sd__wr_u32(&ix->wr, (uint32_t)td->n);
    sd__wr_u32(&ix->wr, (uint32_t)td->len);
    sd__wr_u32(&ix->wr, td->pflags);
    sd__wr_u32(&ix->wr, (uint32_t)td->nfp);
    if (words) {
        sd__wr_bytes(&ix->wr, td->art, words * sizeof *td->art);
        sd__wr_bytes(&ix->wr, td->ends, words * sizeof *td->ends);
    }
    for (i = 0; i < td->nfp; i++) {
        sd__wr_u64(&ix->wr, td->fp[i].hash);
        sd__wr_u32(&ix->wr, td->fp[i].pos);
        sd__wr_u32(&ix->wr, 0);
    }
    if (td->n) {
        sd__wr_bytes(&ix->wr, td->h, td->n * sizeof *td->h);
        sd__wr_bytes(&ix->wr, td->off, td->n * sizeof *td->off);
        sd__wr_bytes(&ix->wr, td->end, td->n * sizeof *td->end);
    }
    sd__wr_bytes(&ix->wr, td->text, td->len);
    if ((rc = sd__wr_seal(&ix->wr)) != 0)
        return sd__errorf(&ix->err, rc, "out of memory");
    return sd__st_put64(&ix->st, DB_TEXT, d, ix->wr.b.p, ix->wr.b.len);
}

/* A text record decoded, pointing into an aligned copy. */
typedef struct ix_text {
    uint32_t ntok, len, pflags, nfp;
    const uint64_t *art, *ends;
    const unsigned char *fp; /* nfp entries of 16 bytes: hash, pos, pad */
    const uint32_t *tok;     /* h, off, end: 3 ntok */
    const char *text;
} ix_text;

/* Reads document d's text record into buf (aligned) and *t. */
static int get_text(sd_index *ix, uint64_t d, sd_buf *buf, ix_text *t)
{
    sd_val v;
    sd_rd r;
    size_t words;
    int rc = sd__st_get64(&ix->st, DB_TEXT, d, &v);
    if (rc <= 0)
        return rc < 0 ? rc : sd__ix_damaged(ix, "missing text of document", d);
    sd__buf_reset(buf);
    if (sd__buf_append(buf, v.p, v.n))
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    sd__rd_init(&r, buf->p, buf->len);
    t->ntok = sd__rd_u32(&r);
    t->len = sd__rd_u32(&r);
    t->pflags = sd__rd_u32(&r);
    t->nfp = sd__rd_u32(&r);
    words = t->ntok ? SD_PROSE_WORDS(t->ntok) : 0;
    t->art = sd__rd_bytes(&r, words * 8);
    t->ends = sd__rd_bytes(&r, words * 8);
    t->fp = sd__rd_bytes(&r, (size_t)t->nfp * 16);
    t->tok = sd__rd_bytes(&r, (size_t)t->ntok * 12);
    t->text = sd__rd_bytes(&r, t->len);
    if (r.bad)
        return sd__ix_damaged(ix, "text of document", d);
    return 0;
}

int sd__ix_text(sd_index *ix, uint64_t d, sd_buf *buf, const char **text, size_t *len)
{
    ix_text t;
    int rc = get_text(ix, d, buf, &t);
    if (rc)
        return rc;
    *text = t.text;
    *len = t.len;
    return 0;
}

/* Puts document d into job t at slot i: its text, tokens and marks, its
 * URL and date. */
static int load_doc(sd_index *ix, sd_trace *t, size_t i, uint64_t d, sd_buf *buf)
{
    ix_text tx;
    ix_doc x;
    sd_trace_doc src;
    sd_tmarks mk;
    char *meta = NULL;
    int rc;
    memset(&tx, 0, sizeof tx);
    if ((rc = sd__ix_doc(ix, d, &x)) <= 0)
        return rc < 0 ? rc : sd__ix_damaged(ix, "missing document", d);
    /* the URL and date, before the text read moves the store's pages */
    if ((meta = sd__malloc(x.url_len + x.date_len + 1)) == NULL)
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    memset(&src, 0, sizeof src);
    if (x.url_len)
        memcpy(meta, x.url, x.url_len);
    if (x.date_len)
        memcpy(meta + x.url_len, x.date, x.date_len);
    if ((rc = get_text(ix, d, buf, &tx)) != 0)
        goto done;
    src.text = tx.text;
    src.len = tx.len;
    src.url = x.url_len ? meta : NULL;
    src.url_len = x.url_len;
    src.date = x.date_len ? meta + x.url_len : NULL;
    src.date_len = x.date_len;
    mk.art = tx.art;
    mk.ends = tx.ends;
    mk.pflags = tx.pflags;
    if ((rc = sd__trace_put_doc(t, i, &src, tx.ntok, tx.tok, &mk)) != 0)
        rc = sd__errorf(&ix->err, rc, "out of memory");
done:
    sd__free(meta);
    return rc;
}

/* ---- passage records ---- */

static int put_pass(sd_index *ix, const ix_pass *p)
{
    size_t e;
    int rc;
    sd__wr_reset(&ix->wr);
    sd__wr_u32(&ix->wr, p->da);
    sd__wr_u32(&ix->wr, p->db);
    sd__wr_u64(&ix->wr, p->unit);
    sd__wr_u32(&ix->wr, (uint32_t)p->site);
    sd__wr_u32(&ix->wr, (uint32_t)p->p.nedit);
    sd__wr_u32(&ix->wr, p->p.a0);
    sd__wr_u32(&ix->wr, p->p.a1);
    sd__wr_u32(&ix->wr, p->p.b0);
    sd__wr_u32(&ix->wr, p->p.b1);
    sd__wr_u32(&ix->wr, p->p.cols);
    sd__wr_u32(&ix->wr, p->p.equal);
    for (e = 0; e < p->p.nedit; e++)
        sd__wr_bytes(&ix->wr, &p->e[e], sizeof p->e[e]);
    if ((rc = sd__wr_seal(&ix->wr)) != 0)
        return sd__errorf(&ix->err, rc, "out of memory");
    return sd__st_put64(&ix->st, DB_PASS, p->id, ix->wr.b.p, ix->wr.b.len);
}

int sd__ix_pass(sd_index *ix, uint64_t pid, ix_pass *p)
{
    sd_val v;
    sd_rd r;
    int rc = sd__st_get64(&ix->st, DB_PASS, pid, &v);
    if (rc <= 0)
        return rc;
    sd__rd_init(&r, v.p, v.n);
    memset(p, 0, sizeof *p);
    p->id = pid;
    p->da = sd__rd_u32(&r);
    p->db = sd__rd_u32(&r);
    p->unit = sd__rd_u64(&r);
    p->site = (int)sd__rd_u32(&r);
    p->p.nedit = sd__rd_u32(&r);
    p->p.a0 = sd__rd_u32(&r);
    p->p.a1 = sd__rd_u32(&r);
    p->p.b0 = sd__rd_u32(&r);
    p->p.b1 = sd__rd_u32(&r);
    p->p.cols = sd__rd_u32(&r);
    p->p.equal = sd__rd_u32(&r);
    p->e = sd__rd_bytes(&r, p->p.nedit * sizeof *p->e); /* unaligned: read with memcpy */
    if (r.bad || p->da >= p->db)
        return sd__ix_damaged(ix, "passage", pid);
    return 1;
}

/* A span's dup in DB_SPAN: start, end, passage, big-endian. */
static void span_dup(unsigned char v[16], uint32_t t0, uint32_t t1, uint64_t pid)
{
    sd__be32(v, t0);
    sd__be32(v + 4, t1);
    sd__be64(v + 8, pid);
}

/* ---- unit records ---- */

static int put_unit(sd_index *ix, uint64_t u, const uint64_t *pids, size_t np, const uint64_t *sids,
                    size_t ns)
{
    int rc;
    sd__wr_reset(&ix->wr);
    sd__wr_u64(&ix->wr, np);
    sd__wr_bytes(&ix->wr, pids, np * sizeof *pids);
    sd__wr_u64(&ix->wr, ns);
    sd__wr_bytes(&ix->wr, sids, ns * sizeof *sids);
    if ((rc = sd__wr_seal(&ix->wr)) != 0)
        return sd__errorf(&ix->err, rc, "out of memory");
    return sd__st_put64(&ix->st, DB_UNIT, u, ix->wr.b.p, ix->wr.b.len);
}

/* Appends unit u's passages and stories to the lists. */
static int get_unit(sd_index *ix, uint64_t u, uint64_t **pids, size_t *np, size_t *pcap,
                    uint64_t **sids, size_t *ns, size_t *scap)
{
    sd_val v;
    sd_rd r;
    uint64_t n, m;
    const void *p;
    int rc = sd__st_get64(&ix->st, DB_UNIT, u, &v);
    if (rc <= 0)
        return rc < 0 ? rc : sd__ix_damaged(ix, "missing unit", u);
    sd__rd_init(&r, v.p, v.n);
    n = sd__rd_u64(&r);
    if (r.bad || n > v.n / 8)
        return sd__ix_damaged(ix, "unit", u);
    if (SD_GROW(*pids, *pcap, *np + n + 1))
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    if ((p = sd__rd_bytes(&r, n * 8)) != NULL)
        memcpy(*pids + *np, p, n * 8);
    m = sd__rd_u64(&r);
    if (r.bad || m > v.n / 8)
        return sd__ix_damaged(ix, "unit", u);
    if (SD_GROW(*sids, *scap, *ns + m + 1))
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    if ((p = sd__rd_bytes(&r, m * 8)) != NULL)
        memcpy(*sids + *ns, p, m * 8);
    if (r.bad)
        return sd__ix_damaged(ix, "unit", u);
    *np += n;
    *ns += m;
    return 0;
}

/* ---- story records ---- */

static void put_ranges(sd_wr *w, const sd_range *v, size_t n)
{
    size_t i;
    sd__wr_u32(w, (uint32_t)n);
    for (i = 0; i < n; i++) {
        sd__wr_u64(w, v[i].start);
        sd__wr_u64(w, v[i].end);
    }
}

/* Encodes story s of job t (documents local; gdoc[] maps them) with its
 * passages (those of t whose story is local id ls) under id `id`. */
static int put_story(sd_index *ix, uint64_t id, uint64_t unit, const sd_trace *t, size_t ls,
                     const uint64_t *gdoc, const char *latest, size_t latest_len)
{
    const sd_story *s = &t->stories[ls];
    size_t i, np = 0;
    int rc;
    sd_wr *w = &ix->wr;
    sd__wr_reset(w);
    sd__wr_u64(w, unit);
    sd__wr_u64(w, gdoc[s->origin]);
    sd__wr_u32(w, (uint32_t)s->origin_by_date);
    sd__wr_u32(w, (uint32_t)s->n_members);
    sd__wr_u64(w, s->passages);
    sd__wr_u64(w, s->consensus_tokens);
    sd__wr_str(w, latest, latest_len);
    for (i = 0; i < s->n_members; i++) {
        const sd_story_member *m = &s->members[i];
        sd__wr_u64(w, gdoc[m->doc]);
        sd__wr_u32(w, (uint32_t)m->role);
        sd__wr_f64(w, m->share);
        sd__wr_f64(w, m->identity);
        put_ranges(w, m->spans, m->n_spans);
        put_ranges(w, m->added, m->n_added);
        put_ranges(w, m->lacks, m->n_lacks);
        put_ranges(w, m->changed, m->n_changed);
    }
    for (i = 0; i < t->npass; i++)
        np += t->pass[i].story == ls;
    sd__wr_u32(w, (uint32_t)np);
    for (i = 0; i < t->npass; i++) {
        const sd_passage *p = &t->pass[i];
        size_t c;
        if (p->story != ls)
            continue;
        sd__wr_u64(w, gdoc[p->doc_a]);
        sd__wr_u64(w, gdoc[p->doc_b]);
        sd__wr_u64(w, p->a.start);
        sd__wr_u64(w, p->a.end);
        sd__wr_u64(w, p->b.start);
        sd__wr_u64(w, p->b.end);
        sd__wr_u64(w, p->tokens_a);
        sd__wr_u64(w, p->tokens_b);
        sd__wr_u64(w, p->columns);
        sd__wr_u64(w, p->equal);
        sd__wr_f64(w, p->identity);
        sd__wr_u32(w, (uint32_t)p->n_changes);
        for (c = 0; c < p->n_changes; c++) {
            sd__wr_u64(w, p->changes[c].a.start);
            sd__wr_u64(w, p->changes[c].a.end);
            sd__wr_u64(w, p->changes[c].b.start);
            sd__wr_u64(w, p->changes[c].b.end);
        }
    }
    if ((rc = sd__wr_seal(w)) != 0)
        return sd__errorf(&ix->err, rc, "out of memory");
    return sd__st_put64(&ix->st, DB_STORY, id, w->b.p, w->b.len);
}

void sd__ix_story_release(ix_story *st)
{
    sd__free(st->mem);
    sd__free(st->rng);
    sd__free(st->pass);
    sd__free(st->ch);
    sd__free(st->latest_own);
    memset(st, 0, sizeof *st);
}

/* Reads n ranges into st->rng at *at (grown); returns their start. */
static size_t get_ranges(sd_rd *r, ix_story *st, size_t *at, size_t *n)
{
    size_t i, first = *at;
    *n = sd__rd_u32(r);
    if (r->bad || *n > (size_t)(r->end - r->p) / 16) {
        r->bad = 1;
        *n = 0;
        return first;
    }
    if (SD_GROW(st->rng, st->rng_cap, *at + *n + 1)) {
        r->bad = 2;
        *n = 0;
        return first;
    }
    for (i = 0; i < *n; i++) {
        st->rng[*at].start = sd__rd_u64(r);
        st->rng[*at].end = sd__rd_u64(r);
        (*at)++;
    }
    return first;
}

int sd__ix_story(sd_index *ix, uint64_t id, ix_story *st)
{
    sd_val v;
    sd_rd r;
    size_t i, nrng = 0, nch = 0, nm, np;
    size_t(*at)[4] = NULL;
    const char *latest;
    int rc = sd__st_get64(&ix->st, DB_STORY, id, &v);
    if (rc <= 0)
        return rc;
    sd__rd_init(&r, v.p, v.n);
    memset(&st->s, 0, sizeof st->s);
    st->s.id = id;
    st->unit = sd__rd_u64(&r);
    st->s.origin = sd__rd_u64(&r);
    st->s.origin_by_date = (int)sd__rd_u32(&r);
    nm = sd__rd_u32(&r);
    st->s.passages = sd__rd_u64(&r);
    st->s.consensus_tokens = sd__rd_u64(&r);
    latest = sd__rd_str(&r, &st->latest_len);
    if (r.bad || nm > v.n / 8)
        return sd__ix_damaged(ix, "story", id);
    if (SD_GROW(st->latest_own, st->latest_cap, st->latest_len + 1) ||
        SD_GROW(st->mem, st->mem_cap, nm + 1) || (at = sd__calloc(nm + 1, sizeof *at)) == NULL)
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    memcpy(st->latest_own, latest, st->latest_len);
    st->latest = st->latest_own;
    for (i = 0; i < nm && !r.bad; i++) {
        sd_story_member *m = &st->mem[i];
        memset(m, 0, sizeof *m);
        m->doc = sd__rd_u64(&r);
        m->role = (sd_role)sd__rd_u32(&r);
        m->share = sd__rd_f64(&r);
        m->identity = sd__rd_f64(&r);
        at[i][0] = get_ranges(&r, st, &nrng, &m->n_spans);
        at[i][1] = get_ranges(&r, st, &nrng, &m->n_added);
        at[i][2] = get_ranges(&r, st, &nrng, &m->n_lacks);
        at[i][3] = get_ranges(&r, st, &nrng, &m->n_changed);
    }
    np = sd__rd_u32(&r);
    if (r.bad || np > v.n / 8) {
        sd__free(at);
        return r.bad == 2 ? sd__errorf(&ix->err, SD_ENOMEM, "out of memory")
                          : sd__ix_damaged(ix, "story", id);
    }
    if (SD_GROW(st->pass, st->pass_cap, np + 1)) {
        sd__free(at);
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    }
    {
        size_t *chat = sd__calloc(np + 1, sizeof *chat);
        if (!chat) {
            sd__free(at);
            return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
        }
        for (i = 0; i < np && !r.bad; i++) {
            sd_passage *p = &st->pass[i];
            size_t c, n;
            memset(p, 0, sizeof *p);
            p->doc_a = sd__rd_u64(&r);
            p->doc_b = sd__rd_u64(&r);
            p->a.start = sd__rd_u64(&r);
            p->a.end = sd__rd_u64(&r);
            p->b.start = sd__rd_u64(&r);
            p->b.end = sd__rd_u64(&r);
            p->tokens_a = sd__rd_u64(&r);
            p->tokens_b = sd__rd_u64(&r);
            p->columns = sd__rd_u64(&r);
            p->equal = sd__rd_u64(&r);
            p->identity = sd__rd_f64(&r);
            p->story = id;
            n = sd__rd_u32(&r);
            if (r.bad || n > (size_t)(r.end - r.p) / 32) {
                r.bad = 1;
                break;
            }
            if (SD_GROW(st->ch, st->ch_cap, nch + n + 1)) {
                r.bad = 2;
                break;
            }
            chat[i] = nch;
            p->n_changes = n;
            for (c = 0; c < n; c++) {
                st->ch[nch].a.start = sd__rd_u64(&r);
                st->ch[nch].a.end = sd__rd_u64(&r);
                st->ch[nch].b.start = sd__rd_u64(&r);
                st->ch[nch].b.end = sd__rd_u64(&r);
                nch++;
            }
        }
        for (i = 0; i < np && !r.bad; i++)
            st->pass[i].changes = st->ch + chat[i];
        sd__free(chat);
    }
    if (r.bad) {
        sd__free(at);
        return r.bad == 2 ? sd__errorf(&ix->err, SD_ENOMEM, "out of memory")
                          : sd__ix_damaged(ix, "story", id);
    }
    st->npass = np;
    st->s.members = st->mem;
    st->s.n_members = nm;
    for (i = 0; i < nm; i++) {
        sd_story_member *m = &st->mem[i];
        m->spans = st->rng + at[i][0];
        m->added = st->rng + at[i][1];
        m->lacks = st->rng + at[i][2];
        m->changed = st->rng + at[i][3];
        if (m->doc == st->s.origin) {
            st->s.consensus = m->spans;
            st->s.n_consensus = m->n_spans;
        }
    }
    sd__free(at);
    return 1;
}

/* ---- 1, 2: candidates and alignment of a chunk ---- */

/* A candidate pair of the chunk: local documents in the workspace. */
typedef struct cpair {
    uint32_t la, lb;   /* workspace documents */
    uint64_t ga, gb;   /* their numbers */
    size_t anc0, nanc; /* its anchors */
} cpair;

typedef struct align_ctx {
    sd_index *ix;
    const cpair *pairs;
    const uint64_t *anc;
    sd_tpassages *out;
    sd_aligner *al; /* per worker */
    int *rc;
} align_ctx;

static void align_pair(void *ctx, size_t i, unsigned worker)
{
    align_ctx *c = ctx;
    const cpair *p = &c->pairs[i];
    sd__tpassages_reset(&c->out[i]);
    c->rc[i] = sd__trace_align_pair(c->ix->w, &c->al[worker], p->la, p->lb, c->anc + p->anc0,
                                    p->nanc, &c->out[i]);
}

/* The anchors of the chunk's new documents (workspace 0..n, numbered
 * gnum[0..n), ascending) with the hubs of their fingerprints, as sd__pair_group makes
 * them; their postings are stored as they go, so a later document of the
 * chunk pairs with an earlier one. kv: key (hub << 32 | doc), val
 * (position in hub << 32 | position in doc). */
static int candidates(sd_index *ix, const uint64_t *gnum, size_t n, sd_kv **out, size_t *nout)
{
    sd_kv *anc = NULL, *fp = NULL;
    size_t na = 0, acap = 0, fcap = 0, i, j, g;
    int rc = 0;
    for (i = 0; i < n && !rc; i++) {
        const sd_tdoc *td = &ix->w->docs[i];
        uint64_t d = gnum[i];
        if (SD_GROW(fp, fcap, td->nfp + 1)) {
            rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
            break;
        }
        for (j = 0; j < td->nfp; j++) {
            fp[j].key = td->fp[j].hash;
            fp[j].val = td->fp[j].pos;
        }
        if (sd__kv_sort(fp, td->nfp)) {
            rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
            break;
        }
        for (j = 0; j < td->nfp && !rc; j = g) {
            const uint64_t *post;
            size_t np, nh = 0, x, y;
            uint64_t hub, hpos[SD__MAX_OCC];
            for (g = j + 1; g < td->nfp && fp[g].key == fp[j].key; g++)
                ;
            if ((rc = sd__st_dups64(&ix->st, DB_POST, fp[j].key, SD__MAX_OCC, &post, &np)) != 0)
                break;
            hub = np ? post[0] >> 32 : d;
            while (nh < np && nh < SD__MAX_OCC && post[nh] >> 32 == hub) {
                hpos[nh] = post[nh] & 0xffffffffu;
                nh++;
            }
            for (x = j; x < g && x < j + SD__MAX_OCC && nh; x++)
                for (y = 0; y < nh; y++) {
                    if (SD_GROW(anc, acap, na + 1)) {
                        rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
                        goto fail;
                    }
                    anc[na].key = hub << 32 | d;
                    anc[na++].val = hpos[y] << 32 | fp[x].val;
                }
            for (x = j; x < g && !rc; x++)
                rc = sd__st_dup_put64(&ix->st, DB_POST, fp[j].key, d << 32 | fp[x].val);
        }
    }
    if (!rc && sd__kv_sort(anc, na))
        rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
fail:
    sd__free(fp);
    if (rc) {
        sd__free(anc);
        return rc;
    }
    *out = anc;
    *nout = na;
    return 0;
}

size_t sd__ix_find_u64(const uint64_t *a, size_t n, uint64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo] == v ? lo : SIZE_MAX;
}

/* Sorts and removes repeats; returns the new count. */
static size_t uniq_u64(uint64_t *a, size_t n)
{
    size_t i, o = 0;
    if (sd__u64_sort(a, n) != 0)
        return SIZE_MAX;
    for (i = 0; i < n; i++)
        if (o == 0 || a[o - 1] != a[i])
            a[o++] = a[i];
    return o;
}

size_t sd__ix_uniq_u64(uint64_t *a, size_t n)
{
    return uniq_u64(a, n);
}

/* ---- 3: units ---- */

/* Union-find over small dense indexes. */
static size_t uf_find(size_t *p, size_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

static void uf_join(size_t *p, size_t a, size_t b)
{
    a = uf_find(p, a);
    b = uf_find(p, b);
    if (a != b)
        p[a > b ? a : b] = a < b ? a : b;
}

/* The chunk's new passages pid0.. (np of them, records in nps[]) grouped
 * with the units their spans touch; each group recomputed. */
static int gather(sd_index *ix, uint64_t pid0, const ix_pass *nps, size_t np)
{
    uint64_t *gu = NULL, *gp = NULL;
    size_t *par = NULL, i, side, gucap = 0, gpcap = 0;
    sd_kv *link = NULL, *byroot = NULL; /* link: (unit, new passage) */
    size_t nl = 0, lcap = 0;
    int rc = 0;
    if ((par = sd__reallocarray(NULL, np + 1, sizeof *par)) == NULL)
        return sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
    for (i = 0; i < np; i++)
        par[i] = i;
    for (i = 0; i < np && !rc; i++) {
        /* the same pair: passages of one pair come together */
        if (i > 0 && nps[i].da == nps[i - 1].da && nps[i].db == nps[i - 1].db)
            uf_join(par, i, i - 1);
        for (side = 0; side < 2 && !rc; side++) {
            uint64_t doc = side ? nps[i].db : nps[i].da;
            uint32_t t0 = side ? nps[i].p.b0 : nps[i].p.a0, t1 = side ? nps[i].p.b1 : nps[i].p.a1;
            const void *v;
            size_t n, j;
            unsigned char *spans = NULL;
            if ((rc = sd__st_dups(&ix->st, DB_SPAN, &doc, sizeof doc, 16, 0, &v, &n)) != 0)
                break;
            if (n && (spans = sd__malloc(n * 16)) == NULL) {
                rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
                break;
            }
            if (n)
                memcpy(spans, v, n * 16);
            for (j = 0; j < n && !rc; j++) {
                uint32_t s0 = sd__get_be32(spans + 16 * j), s1 = sd__get_be32(spans + 16 * j + 4);
                uint64_t pid = sd__get_be64(spans + 16 * j + 8);
                ix_pass op;
                if (s0 >= t1)
                    break; /* sorted by start */
                if (s1 <= t0 || pid == pid0 + i)
                    continue;
                if (pid >= pid0) {
                    uf_join(par, i, (size_t)(pid - pid0));
                    continue;
                }
                if ((rc = sd__ix_pass(ix, pid, &op)) <= 0) {
                    rc = rc < 0 ? rc : sd__ix_damaged(ix, "missing passage", pid);
                    break;
                }
                rc = 0;
                if (SD_GROW(link, lcap, nl + 1)) {
                    rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
                    break;
                }
                link[nl].key = op.unit;
                link[nl++].val = i;
            }
            sd__free(spans);
        }
    }
    if (rc)
        goto done;
    /* old units joined through the new passages that touch them */
    if (sd__kv_sort(link, nl)) {
        rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 1; i < nl; i++)
        if (link[i].key == link[i - 1].key)
            uf_join(par, link[i].val, link[i - 1].val);
    /* each group: the new passages of one root and the units they touch,
     * both sorted by root */
    if ((byroot = sd__reallocarray(NULL, np + nl + 1, sizeof *byroot)) == NULL) {
        rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < np; i++) {
        byroot[i].key = uf_find(par, i) << 1;
        byroot[i].val = pid0 + i;
    }
    for (i = 0; i < nl; i++) {
        byroot[np + i].key = uf_find(par, link[i].val) << 1 | 1;
        byroot[np + i].val = link[i].key;
    }
    if (sd__kv_sort(byroot, np + nl)) {
        rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < np + nl && !rc;) {
        uint64_t root = byroot[i].key >> 1;
        size_t ngu = 0, ngp = 0;
        for (; i < np + nl && byroot[i].key >> 1 == root; i++) {
            if (byroot[i].key & 1) {
                if (ngu && gu[ngu - 1] == byroot[i].val)
                    continue;
                if (SD_GROW(gu, gucap, ngu + 1)) {
                    rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
                    goto done;
                }
                gu[ngu++] = byroot[i].val;
            } else {
                if (SD_GROW(gp, gpcap, ngp + 1)) {
                    rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
                    goto done;
                }
                gp[ngp++] = byroot[i].val;
            }
        }
        rc = sd__ix_recompute(ix, gu, ngu, gp, ngp);
    }
done:
    sd__free(byroot);
    sd__free(gu);
    sd__free(gp);
    sd__free(par);
    sd__free(link);
    return rc;
}

int sd__ix_trace_add(sd_index *ix, const uint64_t *gnum, size_t n)
{
    sd_trace *w = ix->w;
    sd_kv *anc = NULL;
    size_t na = 0, npair = 0, pcap = 0, i, j, nhub = 0, hcap = 0;
    cpair *pairs = NULL;
    uint64_t *hubs = NULL, *av = NULL, pid0 = ix->state.next_pass;
    ix_pass *nps = NULL;
    size_t nnp = 0, npcap = 0;
    sd_tedit *edits = NULL;
    size_t ne = 0, ecap = 0;
    align_ctx c;
    unsigned nw = sd__pool_size(ix->pool);
    sd_site_scratch sc;
    sd_buf buf;
    int rc;

    memset(&c, 0, sizeof c);
    memset(&sc, 0, sizeof sc);
    sd__buf_init(&buf, 0);
    if ((rc = candidates(ix, gnum, n, &anc, &na)) != 0)
        return rc;
    /* the pairs, and the hubs among the documents already kept */
    for (i = 0; i < na; i = j) {
        for (j = i + 1; j < na && anc[j].key == anc[i].key; j++)
            ;
        if (SD_GROW(pairs, pcap, npair + 1))
            goto oom;
        pairs[npair].ga = anc[i].key >> 32;
        pairs[npair].gb = (uint32_t)anc[i].key;
        pairs[npair].anc0 = i;
        pairs[npair].nanc = j - i;
        if (sd__ix_find_u64(gnum, n, pairs[npair].ga) == SIZE_MAX) {
            if (SD_GROW(hubs, hcap, nhub + 1))
                goto oom;
            hubs[nhub++] = pairs[npair].ga;
        }
        npair++;
    }
    if (npair == 0)
        goto done;
    if ((nhub = uniq_u64(hubs, nhub)) == SIZE_MAX)
        goto oom;
    if ((rc = sd__trace_docs_room(w, n + nhub)) != 0) {
        rc = sd__errorf(&ix->err, rc, "%s", w->err.msg);
        goto done;
    }
    for (i = 0; i < nhub; i++)
        if ((rc = load_doc(ix, w, n + i, hubs[i], &buf)) != 0)
            goto done;
    w->n = n + nhub;
    if ((av = sd__reallocarray(NULL, na, sizeof *av)) == NULL)
        goto oom;
    for (i = 0; i < na; i++)
        av[i] = anc[i].val;
    for (i = 0; i < npair; i++) {
        cpair *p = &pairs[i];
        size_t la = sd__ix_find_u64(gnum, n, p->ga);
        p->la = (uint32_t)(la != SIZE_MAX ? la : n + sd__ix_find_u64(hubs, nhub, p->ga));
        p->lb = (uint32_t)sd__ix_find_u64(gnum, n, p->gb);
    }
    /* 2. alignment, on the pool, each pair into its slot */
    c.ix = ix;
    c.pairs = pairs;
    c.anc = av;
    c.out = sd__calloc(npair, sizeof *c.out);
    c.al = sd__calloc(nw, sizeof *c.al);
    c.rc = sd__calloc(npair, sizeof *c.rc);
    if (!c.out || !c.al || !c.rc)
        goto oom;
    for (i = 0; i < nw; i++)
        sd__aligner_init(&c.al[i]);
    for (i = 0; i < npair; i++)
        sd__tpassages_init(&c.out[i]);
    sd__pool_for(ix->pool, npair, align_pair, &c);
    for (i = 0; i < npair; i++)
        if (c.rc[i]) {
            rc = sd__errorf(&ix->err, c.rc[i], "aligning a pair: %s", sd_strerror(c.rc[i]));
            goto done;
        }
    /* the passages, pair by pair, with the pair's site test */
    for (i = 0; i < npair; i++) {
        const sd_tpassages *o = &c.out[i];
        size_t at = w->npass, q;
        int same = 0;
        if (o->n == 0)
            continue;
        if ((rc = sd__trace_add_passages(w, pairs[i].la, pairs[i].lb, o, UINT64_MAX)) != 0) {
            rc = sd__errorf(&ix->err, rc, "out of memory");
            goto done;
        }
        if (!ix->topt.all_text && (rc = sd__trace_site_pair(w, at, w->npass, &sc, &same)) != 0) {
            rc = sd__errorf(&ix->err, rc, "out of memory");
            goto done;
        }
        for (q = 0; q < o->n; q++) {
            ix_pass *p;
            unsigned char sv[16];
            if (SD_GROW(nps, npcap, nnp + 1) || SD_GROW(edits, ecap, ne + o->v[q].nedit + 1))
                goto oom;
            p = &nps[nnp];
            memset(p, 0, sizeof *p);
            p->id = pid0 + nnp;
            p->da = (uint32_t)pairs[i].ga;
            p->db = (uint32_t)pairs[i].gb;
            p->site = same;
            p->p = o->v[q];
            if (o->v[q].nedit)
                memcpy(edits + ne, o->e + o->v[q].edit0, o->v[q].nedit * sizeof *edits);
            p->p.edit0 = ne;
            ne += o->v[q].nedit;
            p->e = NULL;
            nnp++;
            span_dup(sv, p->p.a0, p->p.a1, p->id);
            if ((rc = sd__st_dup_put(&ix->st, DB_SPAN, &pairs[i].ga, 8, sv, 16)) != 0)
                goto done;
            span_dup(sv, p->p.b0, p->p.b1, p->id);
            if ((rc = sd__st_dup_put(&ix->st, DB_SPAN, &pairs[i].gb, 8, sv, 16)) != 0)
                goto done;
        }
    }
    for (i = 0; i < nnp; i++) {
        nps[i].e = edits + nps[i].p.edit0;
        if ((rc = put_pass(ix, &nps[i])) != 0)
            goto done;
    }
    ix->state.next_pass = pid0 + nnp;
    ix->state.passages += nnp;
    /* 3. units and stories */
    if (nnp)
        rc = gather(ix, pid0, nps, nnp);
    goto done;
oom:
    rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
done:
    if (c.out)
        for (i = 0; i < npair; i++)
            sd__tpassages_release(&c.out[i]);
    if (c.al)
        for (i = 0; i < nw; i++)
            sd__aligner_release(&c.al[i]);
    sd__free(c.out);
    sd__free(c.al);
    sd__free(c.rc);
    sd__trace_site_scratch_release(&sc);
    sd__buf_release(&buf);
    sd__free(anc);
    sd__free(av);
    sd__free(pairs);
    sd__free(hubs);
    sd__free(nps);
    sd__free(edits);
    return rc;
}

/* ---- 3, 4: a unit's stories ---- */

/* A span of a story in a document, for matching new stories to old. */
typedef struct sspan {
    uint64_t doc, start, end;
    uint64_t story; /* old id, or new local index */
} sspan;

static int cmp_sspan(const void *a, const void *b)
{
    const sspan *x = a, *y = b;
    if (x->doc != y->doc)
        return x->doc < y->doc ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->story < y->story ? -1 : x->story > y->story;
}

/* Passages of a recompute in sd_trace's order: by pair, then as aligned
 * (their numbers were given in that order). */
static int cmp_pass(const void *a, const void *b)
{
    const ix_pass *x = a, *y = b;
    if (x->da != y->da)
        return x->da < y->da ? -1 : 1;
    if (x->db != y->db)
        return x->db < y->db ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int sd__ix_recompute(sd_index *ix, const uint64_t *units_in, size_t nu_in, const uint64_t *pids_in,
                     size_t np_in)
{
    sd_trace *t = ix->c;
    uint64_t *pids = NULL, *sids = NULL, *docs = NULL, *units = NULL, uid, *newid = NULL;
    size_t np = 0, pcap = 0, ns = 0, scap = 0, nd = 0, i, j, nu = 0;
    ix_pass *ps = NULL;
    sd_tedit *edits = NULL;
    size_t ne = 0, ecap = 0;
    uint8_t *site = NULL;
    char **when = NULL;
    size_t *when_len = NULL;
    sspan *olds = NULL, *news = NULL;
    size_t nold = 0, ocap = 0, nnew = 0, ncap = 0;
    sd_kv *rel = NULL; /* (new local story, old id) */
    size_t nrel = 0, rcap = 0;
    uint8_t *taken = NULL; /* per old story (index in sids) */
    sd_tpassages tp;
    sd_buf buf;
    ix_story os;
    int rc = 0;

    memset(&os, 0, sizeof os);
    sd__tpassages_init(&tp);
    sd__buf_init(&buf, 0);
    /* the passages and stories of the units, and the new passages */
    if ((units = sd__reallocarray(NULL, nu_in + 1, sizeof *units)) == NULL)
        goto oom;
    if (nu_in)
        memcpy(units, units_in, nu_in * sizeof *units);
    if ((nu = uniq_u64(units, nu_in)) == SIZE_MAX)
        goto oom;
    for (i = 0; i < nu; i++)
        if ((rc = get_unit(ix, units[i], &pids, &np, &pcap, &sids, &ns, &scap)) != 0)
            goto done;
    if (SD_GROW(pids, pcap, np + np_in + 1))
        goto oom;
    if (np_in)
        memcpy(pids + np, pids_in, np_in * sizeof *pids);
    np += np_in;
    if ((np = uniq_u64(pids, np)) == SIZE_MAX || (ns && (ns = uniq_u64(sids, ns)) == SIZE_MAX))
        goto oom;
    /* the passage records, and their documents */
    if ((ps = sd__calloc(np + 1, sizeof *ps)) == NULL ||
        (docs = sd__reallocarray(NULL, 2 * np + 1, sizeof *docs)) == NULL ||
        (site = sd__calloc(np + 1, 1)) == NULL)
        goto oom;
    for (i = 0; i < np; i++) {
        if ((rc = sd__ix_pass(ix, pids[i], &ps[i])) <= 0) {
            rc = rc < 0 ? rc : sd__ix_damaged(ix, "missing passage", pids[i]);
            goto done;
        }
        if (SD_GROW(edits, ecap, ne + ps[i].p.nedit + 1))
            goto oom;
        memcpy(edits + ne, ps[i].e, ps[i].p.nedit * sizeof *edits);
        ps[i].p.edit0 = ne;
        ne += ps[i].p.nedit;
        docs[2 * i] = ps[i].da;
        docs[2 * i + 1] = ps[i].db;
    }
    if ((nd = uniq_u64(docs, 2 * np)) == SIZE_MAX)
        goto oom;
    qsort(ps, np, sizeof *ps, cmp_pass);
    /* the job: its documents in order, its passages as sd_trace has them */
    sd__trace_reset(t);
    if ((rc = sd__trace_docs_room(t, nd)) != 0) {
        rc = sd__errorf(&ix->err, rc, "%s", t->err.msg);
        goto done;
    }
    if ((when = sd__calloc(nd, sizeof *when)) == NULL ||
        (when_len = sd__calloc(nd, sizeof *when_len)) == NULL)
        goto oom;
    for (i = 0; i < nd; i++) {
        ix_doc x;
        if ((rc = sd__ix_doc(ix, docs[i], &x)) <= 0) {
            rc = rc < 0 ? rc : sd__ix_damaged(ix, "missing document", docs[i]);
            goto done;
        }
        if ((when[i] = sd__strndup(x.when, x.when_len)) == NULL)
            goto oom;
        when_len[i] = x.when_len;
        if ((rc = load_doc(ix, t, i, docs[i], &buf)) != 0)
            goto done;
    }
    t->n = nd;
    for (i = 0; i < np; i = j) {
        size_t q;
        for (j = i + 1; j < np && ps[j].da == ps[i].da && ps[j].db == ps[i].db; j++)
            ;
        sd__tpassages_reset(&tp);
        if (SD_GROW(tp.v, tp.cap, j - i + 1))
            goto oom;
        for (q = i; q < j; q++) {
            tp.v[tp.n++] = ps[q].p;
            site[q] = (uint8_t)ps[q].site;
        }
        tp.e = edits; /* edit0 index the chunk's edits */
        tp.ne = ne;
        rc = sd__trace_add_passages(t, (uint32_t)sd__ix_find_u64(docs, nd, ps[i].da),
                                    (uint32_t)sd__ix_find_u64(docs, nd, ps[i].db), &tp, UINT64_MAX);
        tp.e = NULL;
        tp.ne = 0;
        if (rc) {
            rc = sd__errorf(&ix->err, rc, "out of memory");
            goto done;
        }
    }
    sd__trace_fix_changes(t);
    if (!ix->topt.all_text && sd__trace_site_drop(t, site) != 0)
        goto oom;
    if ((rc = sd__trace_stories(t)) != 0) {
        rc = sd__errorf(&ix->err, rc, "building stories: %s", sd_strerror(rc));
        goto done;
    }
    /* 4. ids: the old stories' spans against the new ones' */
    for (i = 0; i < ns; i++) {
        if ((rc = sd__ix_story(ix, sids[i], &os)) <= 0) {
            rc = rc < 0 ? rc : sd__ix_damaged(ix, "missing story", sids[i]);
            goto done;
        }
        for (j = 0; j < os.s.n_members; j++) {
            const sd_story_member *m = &os.s.members[j];
            size_t q;
            for (q = 0; q < m->n_spans; q++) {
                if (SD_GROW(olds, ocap, nold + 1))
                    goto oom;
                olds[nold].doc = m->doc;
                olds[nold].start = m->spans[q].start;
                olds[nold].end = m->spans[q].end;
                olds[nold++].story = i;
            }
        }
        /* its documents lose it; the new stories are put back below */
        for (j = 0; j < os.s.n_members; j++)
            if ((rc = sd__st_dup_del64(&ix->st, DB_DSTORY, os.s.members[j].doc, sids[i])) != 0)
                goto done;
    }
    for (i = 0; i < t->nstories; i++) {
        const sd_story *s = &t->stories[i];
        for (j = 0; j < s->n_members; j++) {
            const sd_story_member *m = &s->members[j];
            size_t q;
            for (q = 0; q < m->n_spans; q++) {
                if (SD_GROW(news, ncap, nnew + 1))
                    goto oom;
                news[nnew].doc = docs[m->doc];
                news[nnew].start = m->spans[q].start;
                news[nnew].end = m->spans[q].end;
                news[nnew++].story = i;
            }
        }
    }
    if (nold)
        qsort(olds, nold, sizeof *olds, cmp_sspan);
    if (nnew)
        qsort(news, nnew, sizeof *news, cmp_sspan);
    for (i = 0, j = 0; i < nnew; i++) {
        size_t q;
        while (j < nold && olds[j].doc < news[i].doc)
            j++;
        for (q = j; q < nold && olds[q].doc == news[i].doc; q++)
            if (olds[q].start < news[i].end && news[i].start < olds[q].end) {
                if (SD_GROW(rel, rcap, nrel + 1))
                    goto oom;
                rel[nrel].key = news[i].story;
                rel[nrel++].val = olds[q].story;
            }
    }
    if (sd__kv_sort(rel, nrel))
        goto oom;
    if ((taken = sd__calloc(ns + 1, 1)) == NULL ||
        (newid = sd__reallocarray(NULL, t->nstories + 1, sizeof *newid)) == NULL)
        goto oom;
    /* the stories in order of the oldest story they continue; a story
     * continuing none comes after, in the order sd_trace numbers them */
    {
        sd_kv *order = sd__reallocarray(NULL, t->nstories + 1, sizeof *order);
        if (!order)
            goto oom;
        for (i = 0; i < t->nstories; i++) {
            order[i].key = UINT64_MAX;
            order[i].val = i;
            newid[i] = UINT64_MAX;
        }
        for (i = 0; i < nrel; i++)
            if (sids[rel[i].val] < order[rel[i].key].key)
                order[rel[i].key].key = sids[rel[i].val];
        if (sd__kv_sort(order, t->nstories)) {
            sd__free(order);
            goto oom;
        }
        for (i = 0; i < t->nstories; i++) {
            size_t s = (size_t)order[i].val, q;
            /* the oldest related id not taken: rel is sorted by (new, old
             * index), and sids ascending, so the first free one */
            for (q = sd__kv_lower(rel, nrel, s); q < nrel && rel[q].key == s; q++)
                if (!taken[rel[q].val]) {
                    taken[rel[q].val] = 1;
                    newid[s] = sids[rel[q].val];
                    break;
                }
            if (newid[s] == UINT64_MAX) {
                newid[s] = ix->state.next_story++;
                ix->state.stories++;
            }
        }
        sd__free(order);
    }
    /* merges: an old story no new one took, continued by a new one */
    for (i = 0; i < nrel; i++) {
        size_t o = (size_t)rel[i].val;
        if (taken[o] || (i > 0 && rel[i - 1].key == rel[i].key && rel[i - 1].val == rel[i].val))
            continue;
        if (ix->mode > 0 && SD_GROW(ix->merges, ix->mcap, ix->nmerges + 1) == 0) {
            ix->merges[ix->nmerges].into = newid[rel[i].key];
            ix->merges[ix->nmerges++].gone = sids[o];
        }
        taken[o] = 2;
    }
    /* old stories not continued: gone */
    for (i = 0; i < ns; i++)
        if (taken[i] != 1) {
            if ((rc = sd__st_del64(&ix->st, DB_STORY, sids[i])) != 0)
                goto done;
            ix->state.stories--;
        }
    /* the unit: the oldest of the units, or a new one */
    if (nu) {
        uid = units[0];
        for (i = 1; i < nu; i++) {
            if ((rc = sd__st_del64(&ix->st, DB_UNIT, units[i])) != 0)
                goto done;
            ix->state.units--;
        }
    } else {
        uid = ix->state.next_unit++;
        ix->state.units++;
    }
    /* the new stories' records and their documents */
    for (i = 0; i < t->nstories; i++) {
        const sd_story *s = &t->stories[i];
        size_t late = s->members[0].doc;
        for (j = 0; j < s->n_members; j++) {
            size_t m = s->members[j].doc,
                   n = when_len[m] < when_len[late] ? when_len[m] : when_len[late];
            int cmp = memcmp(when[m], when[late], n);
            if (cmp > 0 || (cmp == 0 && when_len[m] > when_len[late]))
                late = m;
            if ((rc = sd__st_dup_put64(&ix->st, DB_DSTORY, docs[m], newid[i])) != 0)
                goto done;
        }
        if ((rc = put_story(ix, newid[i], uid, t, i, docs, when[late], when_len[late])) != 0)
            goto done;
    }
    /* the passages whose unit changed */
    for (i = 0; i < np; i++)
        if (ps[i].unit != uid) {
            ps[i].unit = uid;
            ps[i].e = edits + ps[i].p.edit0;
            if ((rc = put_pass(ix, &ps[i])) != 0)
                goto done;
        }
    {
        uint64_t *ids = sd__reallocarray(NULL, t->nstories + 1, sizeof *ids);
        if (!ids)
            goto oom;
        memcpy(ids, newid, t->nstories * sizeof *ids);
        if (uniq_u64(ids, t->nstories) == SIZE_MAX) {
            sd__free(ids);
            goto oom;
        }
        rc = put_unit(ix, uid, pids, np, ids, t->nstories);
        sd__free(ids);
    }
    goto done;
oom:
    rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
done:
    sd__ix_story_release(&os);
    sd__tpassages_release(&tp);
    sd__buf_release(&buf);
    if (when)
        for (i = 0; i < nd; i++)
            sd__free(when[i]);
    sd__free(when);
    sd__free(when_len);
    sd__free(units);
    sd__free(pids);
    sd__free(sids);
    sd__free(docs);
    sd__free(ps);
    sd__free(edits);
    sd__free(site);
    sd__free(olds);
    sd__free(news);
    sd__free(rel);
    sd__free(taken);
    sd__free(newid);
    return rc;
}

int sd__ix_rename_stories(sd_index *ix, const sd_kv *map, size_t n)
{
    uint64_t *units = NULL, *pids = NULL, *sids = NULL;
    size_t nu = 0, ucap = 0, np, pcap = 0, ns, scap = 0, i, j;
    sd_buf rec;
    ix_story os;
    int rc = 0;
    memset(&os, 0, sizeof os);
    sd__buf_init(&rec, 0);
    /* the records move to their ids; their documents name them */
    for (i = 0; i < n && !rc; i++) {
        sd_val v;
        if ((rc = sd__st_get64(&ix->st, DB_STORY, map[i].key, &v)) <= 0) {
            rc = rc < 0 ? rc : sd__ix_damaged(ix, "missing story", map[i].key);
            break;
        }
        sd__buf_reset(&rec);
        if (sd__buf_append(&rec, v.p, v.n))
            goto oom;
        if ((rc = sd__st_del64(&ix->st, DB_STORY, map[i].key)) != 0 ||
            (rc = sd__st_put64(&ix->st, DB_STORY, map[i].val, rec.p, rec.len)) != 0)
            break;
        if ((rc = sd__ix_story(ix, map[i].val, &os)) <= 0) {
            rc = rc < 0 ? rc : sd__ix_damaged(ix, "missing story", map[i].val);
            break;
        }
        rc = 0;
        for (j = 0; j < os.s.n_members && !rc; j++)
            if ((rc = sd__st_dup_del64(&ix->st, DB_DSTORY, os.s.members[j].doc, map[i].key)) == 0)
                rc = sd__st_dup_put64(&ix->st, DB_DSTORY, os.s.members[j].doc, map[i].val);
        if (SD_GROW(units, ucap, nu + 1))
            goto oom;
        units[nu++] = os.unit;
    }
    if (rc)
        goto done;
    /* the units list their stories by id */
    if ((nu = uniq_u64(units, nu)) == SIZE_MAX)
        goto oom;
    for (i = 0; i < nu && !rc; i++) {
        np = ns = 0;
        if ((rc = get_unit(ix, units[i], &pids, &np, &pcap, &sids, &ns, &scap)) != 0)
            break;
        for (j = 0; j < ns; j++) {
            size_t at = sd__kv_lower(map, n, sids[j]);
            if (at < n && map[at].key == sids[j])
                sids[j] = map[at].val;
        }
        if ((ns = uniq_u64(sids, ns)) == SIZE_MAX)
            goto oom;
        rc = put_unit(ix, units[i], pids, np, sids, ns);
    }
    goto done;
oom:
    rc = sd__errorf(&ix->err, SD_ENOMEM, "out of memory");
done:
    sd__ix_story_release(&os);
    sd__buf_release(&rec);
    sd__free(units);
    sd__free(pids);
    sd__free(sids);
    return rc;
}
