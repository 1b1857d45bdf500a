/*
 * dedup_clusters.c: the last steps of a dedup job's finish (see
 * dedup_finish.c): the joins made, union-find over the representatives'
 * array when the job is alone, or on process 0 over the documents that
 * have a join; then clusters numbered in input order of their
 * representatives and each duplicate's similarity to its representative,
 * measured where the duplicate is, with the representative's record.
 */
#include <string.h>

#include "base/alloc.h"
#include "group/dedup_fin.h"

static size_t index_in(const uint64_t *v, size_t n, uint64_t g)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * Alone, the union-find over A_REP is flattened: each parent becomes the
 * root, the representative. With other processes, every process's joins go
 * to process 0, which joins them (union-find over the documents that have
 * a join) and tells each owner its documents' representatives.
 */
int sd__dedup_join_alone(fin *x)
{
    sd_dedup *d = x->d;
    size_t i;
    for (i = 0; i < d->n; i++) {
        uint64_t r = sd__uf_find(&x->uf, i);
        sd__dedup_walk(d, A_BIT(A_REP));
        sd__dedup_touch(d, A_REP, r == i ? 0 : PAGE); /* the root's page */
        rep_of(d)[i] = r; /* r <= i: roots come first, so this flattens */
    }
    return 0;
}

int sd__dedup_join_shared(fin *x)
{
    sd_dedup *d = x->d;
    unsigned char *got = NULL, *back = NULL;
    uint64_t *ends = NULL;
    size_t ng, i, ne = 0, nb;
    sd_uf uf = {0};
    int rc;
    x->ex.size = sizeof(sd_kv);
    for (i = 0; i < x->ed.n; i++)
        if (put(x, 0, &x->ed.v[i]))
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    sd__free(x->ed.v);
    x->ed.v = NULL;
    x->ed.n = x->ed.cap = 0;
    if ((rc = exchange(x, &got, &ng, NULL)) != 0)
        return rc;
    if (ng) {
        const sd_kv *e = (const sd_kv *)(const void *)got;
        if ((ends = sd__reallocarray(NULL, 2 * ng, sizeof *ends)) == NULL)
            goto oom;
        for (i = 0; i < ng; i++) {
            ends[2 * i] = e[i].key;
            ends[2 * i + 1] = e[i].val;
        }
        if (sd__u64_sort(ends, 2 * ng))
            goto oom;
        for (i = 0; i < 2 * ng; i++)
            if (ne == 0 || ends[ne - 1] != ends[i])
                ends[ne++] = ends[i];
        if (sd__uf_init(&uf, ne))
            goto oom;
        /* positions keep the order of indexes: the smallest is the root */
        for (i = 0; i < ng; i++)
            sd__uf_union(&uf, index_in(ends, ne, e[i].key), index_in(ends, ne, e[i].val));
        for (i = 0; i < ne; i++) {
            sd_kv r;
            r.key = ends[i];
            r.val = ends[sd__uf_find(&uf, i)];
            if (r.val != r.key && put(x, owner_of(x, r.key), &r))
                goto oom;
        }
    }
    sd__free(got);
    got = NULL;
    if ((rc = exchange(x, &back, &nb, NULL)) != 0)
        goto done;
    for (i = 0; i < nb; i++) {
        sd_kv r;
        memcpy(&r, back + i * sizeof r, sizeof r);
        rep_of(d)[local_of(x, r.key)] = r.val;
        sd__dedup_touch(d, A_REP, PAGE);
    }
    rc = 0;
    goto done;
oom:
    rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory joining clusters");
done:
    sd__uf_release(&uf);
    sd__free(ends);
    sd__free(got);
    sd__free(back);
    return rc;
}

/* Runs of records one process holds in a row (blocks, or files), walked
 * in input order: process p's k-th run is the k-th with owner p. */
typedef struct runs {
    const sd_share *s;
    uint64_t at, total;
} runs;

static int next_run(runs *w, uint64_t *start, uint64_t *end, unsigned *owner)
{
    if (w->at >= w->total)
        return 0;
    *start = w->at;
    *end = sd_share_run_end(w->s, w->at, w->total);
    *owner = sd_share_owner(w->s, w->at);
    w->at = *end;
    return 1;
}

/* Whether local document i is its cluster's representative. */
static int is_rep(const fin *x, size_t i)
{
    const sd_dedup *d = x->d;
    return !(flags_of(d)[i] & DOC_ABSENT) && rep_of(d)[i] == global_of(x, i);
}

/*
 * Cluster numbers, dense in input order of the representatives: each
 * process counts its representatives per run; with everyone's counts, each
 * knows how many come before each of its runs.
 */
static int number_step(fin *x, uint64_t total)
{
    sd_dedup *d = x->d;
    const sd_share *sh = &x->ex.c->share;
    uint64_t most = 0, *cnt = NULL, *all = NULL, *kp = NULL, base = 0, a, b;
    size_t i, k;
    unsigned p;
    runs w;
    int rc;
    w.s = sh;
    w.total = total;
    w.at = 0;
    while (next_run(&w, &a, &b, &p))
        most += p == x->ex.me;
    if ((rc = max_all(x, &most)) != 0)
        return rc;
    cnt = sd__calloc(most ? most : 1, sizeof *cnt);
    all = sd__reallocarray(NULL, (size_t)(most ? most : 1) * x->ex.np, sizeof *all);
    kp = sd__calloc(x->ex.np, sizeof *kp);
    if (cnt == NULL || all == NULL || kp == NULL) {
        rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        goto done;
    }
    for (w.at = 0, k = 0; next_run(&w, &a, &b, &p);) {
        size_t l0;
        if (p != x->ex.me)
            continue;
        l0 = local_of(x, a);
        for (i = l0; i < l0 + (b - a); i++) {
            sd__dedup_walk(d, A_BIT(A_FLAGS) | A_BIT(A_REP));
            cnt[k] += (uint64_t)is_rep(x, i);
        }
        k++;
    }
    if ((rc = sd__exch_gather(&x->ex, cnt, (size_t)most, all)) != 0)
        goto done;
    for (w.at = 0; next_run(&w, &a, &b, &p);) {
        uint64_t c = all[(size_t)p * most + kp[p]];
        if (p == x->ex.me)
            cnt[kp[p]] = base; /* now the run's first cluster number */
        kp[p]++;
        base += c;
    }
    for (w.at = 0, k = 0; next_run(&w, &a, &b, &p);) {
        uint64_t next;
        size_t l0;
        if (p != x->ex.me)
            continue;
        next = cnt[k++];
        l0 = local_of(x, a);
        for (i = l0; i < l0 + (b - a); i++) {
            sd__dedup_walk(d, A_BIT(A_FLAGS) | A_BIT(A_REP) | A_BIT(A_CLUSTER));
            if (is_rep(x, i))
                cluster_of(d)[i] = next++;
        }
    }
    rc = 0;
done:
    sd__free(cnt);
    sd__free(all);
    sd__free(kp);
    return rc;
}

/*
 * A duplicate's cluster and similarity, given its representative's cluster
 * number, text hash and length, and record; buf holds its own record (6K
 * bytes). Both describe the duplicate against its representative: it is
 * exact (similarity 1) only when its text is the representative's, not
 * when it is a copy of another copy that joined the cluster.
 */
static int similarity(sd_dedup *d, size_t i, uint64_t cluster, const doc_info *rep,
                      const uint32_t *sig, const uint16_t *vsig, unsigned char *buf)
{
    unsigned k = d->o.num_perm;
    const uint32_t *si;
    const uint16_t *vi;
    doc_info own;
    int rc;
    cluster_of(d)[i] = cluster;
    if ((rc = sd__dedup_info(d, i, &own)) != 0)
        return sd__errorf(&d->err, rc, "cannot read back text hashes");
    if (own.len == rep->len && XXH128_isEqual(own.text_hash, rep->text_hash)) {
        sim_of(d)[i] = 1.0f;
        return 0;
    }
    flags_of(d)[i] &= (uint8_t)~DOC_EXACT;
    if ((rc = sd__dedup_record(d, i, buf, &si, &vi)) != 0)
        return sd__errorf(&d->err, rc, "cannot read back signatures");
    sim_of(d)[i] = (float)sd__dedup_matches(k, si, vi, sig, vsig) / (float)(2 * k);
    return 0;
}

/* An answer to a question for a representative: its index, cluster
 * number, text hash (low, high) and length, then its record. */
#define ANSWER_HEAD (5 * sizeof(uint64_t))

/* Similarities to the representatives held here, at once; a question
 * (the representative's index) goes to the owner of each of the others,
 * *need counts them. buf is scratch of two records. */
static int sim_here(fin *x, unsigned char *buf, size_t *need)
{
    sd_dedup *d = x->d;
    size_t rec = 6 * (size_t)d->o.num_perm, i;
    int rc;
    x->ex.size = sizeof(uint64_t);
    for (i = 0; i < d->n; i++) {
        uint64_t rp = rep_of(d)[i];
        sd__dedup_walk(d, A_BIT(A_FLAGS) | A_BIT(A_REP) | A_BIT(A_CLUSTER) | A_BIT(A_SIM));
        if ((flags_of(d)[i] & DOC_ABSENT) || rp == global_of(x, i))
            continue;
        if (owner_of(x, rp) == x->ex.me) {
            size_t lr = local_of(x, rp);
            const uint32_t *sr;
            const uint16_t *vr;
            doc_info ri;
            sd__dedup_touch(d, A_CLUSTER, PAGE);
            if ((rc = sd__dedup_record(d, lr, buf + rec, &sr, &vr)) != 0 ||
                (rc = sd__dedup_info(d, lr, &ri)) != 0)
                return sd__errorf(&d->err, rc, "cannot read back signatures");
            if ((rc = similarity(d, i, cluster_of(d)[lr], &ri, sr, vr, buf)) != 0)
                return rc;
            continue;
        }
        (*need)++;
        if (put(x, owner_of(x, rp), &rp))
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    }
    return 0;
}

/* The questions in the outboxes, per process p, sorted and each once, into
 * reqs[p][0..nreq[p]); the outboxes are emptied. */
static int unique_questions(fin *x, uint64_t **reqs, size_t *nreq)
{
    unsigned p;
    size_t j;
    for (p = 0; p < x->ex.np; p++) {
        sd_box *bx = &x->ex.out[p];
        size_t w = 0;
        if (sd__u64_sort((uint64_t *)(void *)bx->p, bx->n))
            return SD_ENOMEM;
        reqs[p] = sd__reallocarray(NULL, bx->n ? bx->n : 1, sizeof **reqs);
        if (reqs[p] == NULL)
            return SD_ENOMEM;
        for (j = 0; j < bx->n; j++) {
            uint64_t v;
            memcpy(&v, bx->p + j * 8, 8);
            if (w == 0 || reqs[p][w - 1] != v)
                reqs[p][w++] = v;
        }
        nreq[p] = w;
        bx->n = 0;
    }
    return 0;
}

/* Under a memory limit, the rounds of questions and the most asked of one
 * process in a round (*per_dest), the same on every process: an eighth of
 * the limit of answers (msg bytes each) a round. */
static int plan_rounds(fin *x, const size_t *nreq, size_t msg, size_t *per_dest, uint64_t *rounds)
{
    size_t per_round = (size_t)(x->d->o.memory_limit / 8 / msg) + 1;
    unsigned p;
    *per_dest = per_round / (x->ex.np ? x->ex.np : 1) + 1;
    *rounds = 0;
    for (p = 0; p < x->ex.np; p++)
        if ((nreq[p] + *per_dest - 1) / *per_dest > *rounds)
            *rounds = (nreq[p] + *per_dest - 1) / *per_dest;
    return max_all(x, rounds);
}

/* The answers to the questions q (from[p] of them from each process p,
 * one after the other), to whoever asked: each representative's index,
 * cluster, text hash and length, then its record; m is scratch of one
 * answer (msg bytes). */
static int answer_questions(fin *x, const unsigned char *q, const size_t *from, unsigned char *m,
                            size_t msg)
{
    sd_dedup *d = x->d;
    size_t j, at;
    unsigned p;
    int rc;
    x->ex.size = msg;
    for (p = 0, at = 0; p < x->ex.np; p++)
        for (j = 0; j < from[p]; j++, at++) {
            uint64_t g, head[5];
            size_t lg;
            doc_info gi;
            memcpy(&g, q + at * 8, 8);
            lg = local_of(x, g);
            sd__dedup_touch(d, A_CLUSTER, PAGE);
            if ((rc = sd__dedup_info(d, lg, &gi)) != 0)
                return sd__errorf(&d->err, rc, "cannot read back text hashes");
            head[0] = g;
            head[1] = cluster_of(d)[lg];
            head[2] = gi.text_hash.low64;
            head[3] = gi.text_hash.high64;
            head[4] = gi.len;
            memcpy(m, head, sizeof head);
            if ((rc = sd__dedup_record_to(d, lg, m + ANSWER_HEAD)) != 0)
                return sd__errorf(&d->err, rc, "cannot read back signatures");
            if (put(x, p, m))
                return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        }
    return 0;
}

/* The similarities of the documents whose representatives' answers came
 * this round: r[0..nr) of msg bytes each, found through idx (their
 * indexes, sorted); *found counts them. buf is scratch of two records. */
static int sim_answered(fin *x, const unsigned char *r, size_t nr, const sd_kv *idx, size_t msg,
                        unsigned char *buf, size_t *found)
{
    sd_dedup *d = x->d;
    unsigned k = d->o.num_perm;
    size_t i;
    int rc;
    for (i = 0; nr && i < d->n; i++) {
        uint64_t rp = rep_of(d)[i], head[5];
        const unsigned char *e;
        size_t lo;
        doc_info ri;
        sd__dedup_walk(d, A_BIT(A_FLAGS) | A_BIT(A_REP) | A_BIT(A_CLUSTER) | A_BIT(A_SIM));
        if ((flags_of(d)[i] & DOC_ABSENT) || rp == global_of(x, i) || owner_of(x, rp) == x->ex.me)
            continue;
        lo = sd__kv_lower(idx, nr, rp);
        if (lo == nr || idx[lo].key != rp)
            continue;
        e = r + idx[lo].val * msg;
        memcpy(head, e, sizeof head);
        memset(&ri, 0, sizeof ri);
        ri.text_hash.low64 = head[2];
        ri.text_hash.high64 = head[3];
        ri.len = head[4];
        rc = similarity(d, i, head[1], &ri, (const uint32_t *)(const void *)(e + ANSWER_HEAD),
                        (const uint16_t *)(const void *)(e + ANSWER_HEAD + 4 * (size_t)k), buf);
        if (rc != 0)
            return rc;
        (*found)++;
    }
    return 0;
}

/* sim_step's state across its rounds: per process, the answers it asked
 * for (from), its questions (reqs[p][0..nreq[p]), sent[p] of them so far);
 * the questions and answers of a round (q, r), scratch for one answer (m,
 * msg bytes) and two records (buf), the answers' index (idx); the most
 * questions to one process in a round, and the answers used. */
typedef struct sim_io {
    size_t *from, *nreq, *sent;
    uint64_t **reqs;
    unsigned char *q, *r, *m, *buf;
    sd_kv *idx;
    size_t msg, per_dest, found;
} sim_io;

/* One round: the next questions go out, the questions that came are
 * answered, and the answers that came give their documents'
 * similarities. */
static int sim_round(fin *x, sim_io *s)
{
    sd_dedup *d = x->d;
    size_t i, nq, nr;
    unsigned p;
    int rc;
    x->ex.size = sizeof(uint64_t);
    for (p = 0; p < x->ex.np; p++) {
        size_t left = s->nreq[p] - s->sent[p], cnt = left < s->per_dest ? left : s->per_dest;
        if (cnt && sd__exch_putn(&x->ex, p, s->reqs[p] + s->sent[p], cnt))
            return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
        s->sent[p] += cnt;
    }
    if ((rc = exchange(x, &s->q, &nq, s->from)) != 0 ||
        (rc = answer_questions(x, s->q, s->from, s->m, s->msg)) != 0)
        return rc;
    sd__free(s->q);
    s->q = NULL;
    if ((rc = exchange(x, &s->r, &nr, NULL)) != 0)
        return rc;
    sd__free(s->idx);
    if ((s->idx = sd__reallocarray(NULL, nr ? nr : 1, sizeof *s->idx)) == NULL)
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    for (i = 0; i < nr; i++) {
        memcpy(&s->idx[i].key, s->r + i * s->msg, 8);
        s->idx[i].val = i;
    }
    if (sd__kv_sort(s->idx, nr))
        return sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    if ((rc = sim_answered(x, s->r, nr, s->idx, s->msg, s->buf, &s->found)) != 0)
        return rc;
    sd__free(s->r);
    s->r = NULL;
    return 0;
}

/*
 * Similarities to the representatives. Those held here answer at once.
 * Those held elsewhere are asked for, each once, and come with their
 * cluster numbers; under a memory limit a round at a time (each process
 * asking each other for at most its share of an eighth of the limit of
 * records), every round walking the documents for the answers it brought.
 */
static int sim_step(fin *x)
{
    sd_dedup *d = x->d;
    size_t rec = 6 * (size_t)d->o.num_perm, need = 0;
    uint64_t rounds = 1;
    sim_io s;
    unsigned p;
    int rc;
    memset(&s, 0, sizeof s);
    s.msg = ANSWER_HEAD + rec;
    s.per_dest = SIZE_MAX;
    s.from = sd__calloc(x->ex.np, sizeof *s.from);
    s.nreq = sd__calloc(x->ex.np, sizeof *s.nreq);
    s.sent = sd__calloc(x->ex.np, sizeof *s.sent);
    s.reqs = sd__calloc(x->ex.np, sizeof *s.reqs);
    s.m = sd__malloc(s.msg);
    s.buf = sd__malloc(2 * rec);
    if (!s.from || !s.nreq || !s.sent || !s.reqs || !s.m || !s.buf ||
        ((rc = sim_here(x, s.buf, &need)) == 0 && unique_questions(x, s.reqs, s.nreq) != 0))
        rc = sd__errorf(&d->err, SD_ENOMEM, "out of memory");
    if (rc == 0 && d->o.memory_limit)
        rc = plan_rounds(x, s.nreq, s.msg, &s.per_dest, &rounds);
    while (rc == 0 && rounds--)
        rc = sim_round(x, &s);
    if (rc == 0 && s.found != need)
        rc = sd__errorf(&d->err, SD_EIO, "a representative's record did not arrive");
    for (p = 0; s.reqs && p < x->ex.np; p++)
        sd__free(s.reqs[p]);
    sd__free(s.reqs);
    sd__free(s.nreq);
    sd__free(s.sent);
    sd__free(s.from);
    sd__free(s.q);
    sd__free(s.r);
    sd__free(s.m);
    sd__free(s.buf);
    sd__free(s.idx);
    return rc;
}

/* The job's figures, summed over the processes. */
static int sum_stats(fin *x)
{
    sd_dedup *d = x->d;
    uint64_t st[9];
    size_t i;
    int rc;
    memset(st, 0, sizeof st);
    for (i = 0; i < d->n; i++) {
        sd__dedup_walk(d, A_BIT(A_FLAGS) | A_BIT(A_REP));
        if (flags_of(d)[i] & DOC_ABSENT)
            st[0]++;
        else if (rep_of(d)[i] == global_of(x, i))
            st[1]++;
        else
            st[2]++;
        /* the duplicates whose text is their representative's */
        st[3] += (flags_of(d)[i] & DOC_EXACT) != 0;
    }
    st[4] = d->stats.candidates;
    st[5] = d->stats.verified;
    st[6] = d->stats.bytes;
    st[7] = d->n;
    st[8] = x->ex.sent;
    if ((rc = sd__exch_sum(&x->ex, st, 9)) != 0)
        return rc;
    d->stats.absent = st[0];
    d->stats.clusters = st[1];
    d->stats.duplicates = st[2];
    d->stats.exact_duplicates = st[3];
    d->stats.candidates = st[4];
    d->stats.verified = st[5];
    d->stats.bytes = st[6];
    d->stats.docs = st[7];
    d->stats.exchanged = st[8];
    return 0;
}

int sd__dedup_results(fin *x, uint64_t total)
{
    int rc;
    if ((rc = number_step(x, total)) != 0 || (rc = sim_step(x)) != 0)
        return rc;
    return sum_stats(x);
}
