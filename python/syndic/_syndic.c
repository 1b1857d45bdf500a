/*
 * _syndic.c: the CPython extension under the `syndic` package, written over
 * the library's public API (include/syndic.h) alone and linked with the
 * static library. It holds the jobs and turns their results into plain
 * Python values (ints, floats, str, tuples, lists); syndic/__init__.py
 * builds the classes users see from them.
 *
 * Every call that works (sketching, finishing, reading, extracting,
 * aligning) runs with the GIL released, on the library's own threads. A
 * long finish polls for signals through the library's progress callback
 * (taking the GIL for a moment every 50 ms), and a batch loop in Python
 * checks them between batches, so Ctrl-C stops a run with
 * KeyboardInterrupt. Errors are syndic.Error and its subclasses, with the
 * library's message.
 *
 * Texts cross as UTF-8: a str is encoded (CPython keeps the encoding with
 * the str), bytes are taken as they are. Byte offsets in results are into
 * that UTF-8.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "syndic.h"

/* ---- errors ---------------------------------------------------------------- */

static PyObject *Error, *InputError, *OutOfMemoryError, *FileError, *Canceled;

/* Raises the exception class that fits `code` with `msg` (or the code's
 * name), and returns NULL. The exception carries .code and .reason. */
static PyObject *raise_code(int code, const char *msg)
{
    PyObject *cls, *exc;
    switch (code) {
    case SD_ENOMEM: cls = OutOfMemoryError; break;
    case SD_EIO: cls = FileError; break;
    case SD_ECANCELED: cls = Canceled; break;
    case SD_EINVAL:
    case SD_EFORMAT:
    case SD_ETOOBIG:
    case SD_ETRUNC:
    case SD_EUTF8:
    case SD_EMISSING: cls = InputError; break;
    default: cls = Error; break;
    }
    if (msg == NULL || msg[0] == '\0')
        msg = sd_strerror(code);
    exc = PyObject_CallFunction(cls, "s", msg);
    if (exc == NULL)
        return NULL;
    if (PyObject_SetAttrString(exc, "code", PyLong_FromLong(code)) < 0 ||
        PyObject_SetAttrString(exc, "reason", PyUnicode_FromString(sd_strerror(code))) < 0) {
        Py_DECREF(exc);
        return NULL;
    }
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
    return NULL;
}

/* ---- progress: signals while the GIL is released ---------------------------- */

typedef struct watch {
    double last;         /* when signals were last checked */
    PyObject *exc_type;  /* what a signal handler raised, kept until */
    PyObject *exc_value; /* the call returns with the GIL held */
    PyObject *exc_tb;
} watch;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The library's progress callback: every 50 ms it takes the GIL and runs
 * Python's signal handlers; when one raised (KeyboardInterrupt), the job
 * is asked to stop and the exception kept for the caller. */
static int watch_cb(void *ud, const char *stage, uint64_t done, uint64_t total)
{
    watch *w = ud;
    double t = mono();
    int stop = 0;
    PyGILState_STATE g;
    (void)stage;
    (void)done;
    (void)total;
    if (w->exc_type)
        return 1;
    if (t - w->last < 0.05)
        return 0;
    w->last = t;
    g = PyGILState_Ensure();
    if (PyErr_CheckSignals() < 0) {
        PyErr_Fetch(&w->exc_type, &w->exc_value, &w->exc_tb);
        stop = 1;
    }
    PyGILState_Release(g);
    return stop;
}

/* After the call, with the GIL: raises what a signal handler raised, or
 * the library's failure. Returns NULL. */
static PyObject *watch_fail(watch *w, int code, const char *msg)
{
    if (w->exc_type) {
        PyErr_Restore(w->exc_type, w->exc_value, w->exc_tb);
        w->exc_type = w->exc_value = w->exc_tb = NULL;
        return NULL;
    }
    return raise_code(code, msg);
}

/* ---- texts ------------------------------------------------------------------ */

/* The UTF-8 bytes of a str or bytes object (None: NULL, 0). The pointer
 * lives as long as the object. Returns 0, or -1 with an exception set. */
static int text_of(PyObject *o, const char **p, size_t *n, const char *what)
{
    Py_ssize_t len;
    if (o == Py_None) {
        *p = NULL;
        *n = 0;
        return 0;
    }
    if (PyUnicode_Check(o)) {
        *p = PyUnicode_AsUTF8AndSize(o, &len);
        if (*p == NULL)
            return -1;
    } else if (PyBytes_Check(o)) {
        *p = PyBytes_AS_STRING(o);
        len = PyBytes_GET_SIZE(o);
    } else {
        PyErr_Format(PyExc_TypeError, "%s must be str, bytes or None, not %.100s", what,
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    *n = (size_t)len;
    return 0;
}

static PyObject *str_of(const char *p, size_t n)
{
    if (p == NULL)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(p, (Py_ssize_t)n, "replace");
}

static PyObject *ranges_of(const sd_range *v, size_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    size_t i;
    if (l == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *t =
            Py_BuildValue("(KK)", (unsigned long long)v[i].start, (unsigned long long)v[i].end);
        if (t == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, t);
    }
    return l;
}

/* Threads: None or 0 is one per online CPU, as the program's default. */
static int threads_of(PyObject *o, unsigned *threads)
{
    long v;
    if (o == NULL || o == Py_None) {
        *threads = 0;
        return 0;
    }
    v = PyLong_AsLong(o);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < 0 || v > 256) {
        PyErr_Format(InputError, "threads must be from 1 to 256, not %ld", v);
        return -1;
    }
    *threads = (unsigned)v;
    return 0;
}

/* ---- dedup ------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD sd_dedup *job;
    int finished;
    char *tmpdir; /* the job keeps the pointer: a copy it owns */
} DedupObject;

/* A copy of the tmpdir option in *keep (freed with the object), since the
 * job reads it whenever it opens a temporary file. Returns 0 or -1. */
static int keep_str(const char **s, char **keep)
{
    PyMem_Free(*keep);
    *keep = NULL;
    if (*s == NULL)
        return 0;
    *keep = PyMem_Malloc(strlen(*s) + 1);
    if (*keep == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    strcpy(*keep, *s);
    *s = *keep;
    return 0;
}

/* Raises InputError "NAME must be WHAT, not V" for a float option. */
static int bad_float(const char *name, const char *what, double v)
{
    char num[64];
    snprintf(num, sizeof num, "%g", v);
    PyErr_Format(InputError, "%s must be %s, not %s", name, what, num);
    return -1;
}

static void Dedup_dealloc(DedupObject *self)
{
    PyMem_Free(self->tmpdir);
    sd_dedup_free(self->job);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Options out of range are refused here, each by its name, with the
 * ranges the program's options have; the library checks them again. */
static int Dedup_init(DedupObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"threshold", "ngram", "num_perm", "bands",  "rows",
                            "threads",   "seed",  "memory",   "tmpdir", NULL};
    sd_dedup_options o;
    PyObject *threads = Py_None;
    unsigned long long seed, memory;
    char why[SD_ERRBUF_SIZE];
    int rc;
    sd_dedup_options_init(&o);
    seed = o.seed;
    memory = o.memory_limit;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$dIIIIOKKz:Dedup", names, &o.threshold, &o.ngram,
                                     &o.num_perm, &o.bands, &o.rows, &threads, &seed, &memory,
                                     &o.tmpdir))
        return -1;
    if (threads_of(threads, &o.threads) < 0)
        return -1;
    o.seed = seed;
    o.memory_limit = memory;
    if (!(o.threshold >= 0.01 && o.threshold <= 1.0))
        return bad_float("threshold", "from 0.01 to 1", o.threshold);
    if (o.ngram < 1 || o.ngram > 64) {
        PyErr_Format(InputError, "ngram must be from 1 to 64, not %u", o.ngram);
        return -1;
    }
    if (o.num_perm < 8 || o.num_perm > 1024 || o.num_perm % 8) {
        PyErr_Format(InputError, "num_perm must be a multiple of 8 from 8 to 1024, not %u",
                     o.num_perm);
        return -1;
    }
    if ((o.bands == 0) != (o.rows == 0) || (uint64_t)o.bands * o.rows > o.num_perm) {
        PyErr_Format(InputError,
                     "bands and rows go together, and bands times rows (%u) must not exceed "
                     "num_perm (%u)",
                     o.bands * o.rows, o.num_perm);
        return -1;
    }
    if (o.memory_limit && o.memory_limit < (1u << 20)) {
        PyErr_Format(InputError, "memory must be at least 1M (1048576 bytes), not %llu", memory);
        return -1;
    }
    sd_dedup_free(self->job);
    self->job = NULL;
    self->finished = 0;
    if (keep_str(&o.tmpdir, &self->tmpdir) < 0)
        return -1;
    rc = sd_dedup_new(&o, &self->job, why);
    if (rc != 0) {
        raise_code(rc, why);
        return -1;
    }
    return 0;
}

/* Whether a job exists and is (finished 1) or is not (0) finished; raises
 * syndic.Error when not. Returns 0 or -1. */
static int job_ready(const void *job, int is_finished, int finished)
{
    if (job == NULL) {
        PyErr_SetString(Error, "the job was not created");
        return -1;
    }
    if (is_finished != finished) {
        PyErr_SetString(Error, finished ? "the job is not finished yet"
                                        : "the job is finished: no more documents");
        return -1;
    }
    return 0;
}

/* A batch of documents: the items of `seq` in a tuple of their own
 * (stable while the GIL is released) and a zeroed array of n elements of
 * `size` bytes for the library. Returns the array, or NULL with an
 * exception set. */
static void *batch_new(PyObject *seq, size_t size, PyObject **items, Py_ssize_t *n)
{
    void *docs;
    *items = PySequence_Tuple(seq);
    if (*items == NULL)
        return NULL;
    *n = PyTuple_GET_SIZE(*items);
    docs = PyMem_Calloc(*n ? (size_t)*n : 1, size);
    if (docs == NULL) {
        Py_CLEAR(*items);
        PyErr_NoMemory();
    }
    return docs;
}

/* add(texts): sketches a batch (a sequence of str, bytes or None). */
static PyObject *Dedup_add(DedupObject *self, PyObject *seq)
{
    PyObject *items;
    sd_doc *docs;
    Py_ssize_t n, i;
    int rc;
    if (job_ready(self->job, self->finished, 0) < 0 ||
        (docs = batch_new(seq, sizeof *docs, &items, &n)) == NULL)
        return NULL;
    for (i = 0; i < n; i++)
        if (text_of(PyTuple_GET_ITEM(items, i), &docs[i].text, &docs[i].len, "a text") < 0) {
            PyMem_Free(docs);
            Py_DECREF(items);
            return NULL;
        }
    Py_BEGIN_ALLOW_THREADS rc = sd_dedup_add(self->job, docs, (size_t)n);
    Py_END_ALLOW_THREADS PyMem_Free(docs);
    Py_DECREF(items);
    if (rc != 0)
        return raise_code(rc, sd_dedup_errmsg(self->job));
    Py_RETURN_NONE;
}

/* Finishes a job (dedup or trace, through `fin` and `msg`) with the GIL
 * released, watching for signals; sets *finished. */
typedef int (*finish_fn)(void *job, sd_progress_fn progress, void *ud);
typedef const char *(*errmsg_fn)(const void *job);

static PyObject *finish_job(void *job, int *finished, finish_fn fin, errmsg_fn msg)
{
    watch w = {0};
    int rc;
    if (job_ready(job, *finished, 0) < 0)
        return NULL;
    w.last = mono();
    Py_BEGIN_ALLOW_THREADS rc = fin(job, watch_cb, &w);
    Py_END_ALLOW_THREADS if (rc != 0) return watch_fail(&w, rc, msg(job));
    *finished = 1;
    Py_RETURN_NONE;
}

static int dedup_fin(void *job, sd_progress_fn progress, void *ud)
{
    return sd_dedup_finish(job, progress, ud);
}

static const char *dedup_msg(const void *job)
{
    return sd_dedup_errmsg(job);
}

static PyObject *Dedup_finish(DedupObject *self, PyObject *unused)
{
    (void)unused;
    return finish_job(self->job, &self->finished, dedup_fin, dedup_msg);
}

/* results() -> (cluster, rep, similarity, flags) as bytes of int64, int64,
 * double and uint8 per document (rep -1 for a representative or an absent
 * document; flags: 1 absent, 2 exact). */
static PyObject *Dedup_results(DedupObject *self, PyObject *unused)
{
    sd_dedup_stats st;
    PyObject *c = NULL, *r = NULL, *s = NULL, *f = NULL;
    int64_t *cv, *rv;
    double *sv;
    uint8_t *fv;
    uint64_t i, n;
    (void)unused;
    if (job_ready(self->job, self->finished, 1) < 0)
        return NULL;
    sd_dedup_get_stats(self->job, &st);
    n = st.docs;
    c = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
    r = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
    s = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
    f = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
    if (!c || !r || !s || !f)
        goto fail;
    cv = (int64_t *)PyBytes_AS_STRING(c);
    rv = (int64_t *)PyBytes_AS_STRING(r);
    sv = (double *)PyBytes_AS_STRING(s);
    fv = (uint8_t *)PyBytes_AS_STRING(f);
    for (i = 0; i < n; i++) {
        sd_dedup_result res;
        int rc = sd_dedup_get(self->job, i, &res);
        if (rc != 0) {
            raise_code(rc, sd_dedup_errmsg(self->job));
            goto fail;
        }
        cv[i] = res.absent ? -1 : (int64_t)res.cluster;
        rv[i] = res.absent || res.rep == i ? -1 : (int64_t)res.rep; /* -1: its own */
        sv[i] = res.absent ? Py_NAN : res.similarity;
        fv[i] = (uint8_t)((res.absent ? 1 : 0) | (res.exact ? 2 : 0));
    }
    return Py_BuildValue("(NNNN)", c, r, s, f);
fail:
    Py_XDECREF(c);
    Py_XDECREF(r);
    Py_XDECREF(s);
    Py_XDECREF(f);
    return NULL;
}

static PyObject *Dedup_stats(DedupObject *self, PyObject *unused)
{
    sd_dedup_stats st;
    (void)unused;
    if (self->job == NULL) {
        PyErr_SetString(Error, "the job was not created");
        return NULL;
    }
    sd_dedup_get_stats(self->job, &st);
    return Py_BuildValue(
        "{sKsKsKsKsKsKsKsIsIsKsK}", "docs", (unsigned long long)st.docs, "absent",
        (unsigned long long)st.absent, "clusters", (unsigned long long)st.clusters, "duplicates",
        (unsigned long long)st.duplicates, "exact_duplicates",
        (unsigned long long)st.exact_duplicates, "candidates", (unsigned long long)st.candidates,
        "verified", (unsigned long long)st.verified, "bands", st.bands, "rows", st.rows, "bytes",
        (unsigned long long)st.bytes, "spilled", (unsigned long long)st.spilled);
}

static PyMethodDef Dedup_methods[] = {
    {"add", (PyCFunction)Dedup_add, METH_O, "add(texts): sketch a batch of documents"},
    {"finish", (PyCFunction)Dedup_finish, METH_NOARGS, "finish(): find and cluster duplicates"},
    {"results", (PyCFunction)Dedup_results, METH_NOARGS,
     "results() -> (cluster, rep (-1 for a representative), similarity, flags) as packed "
     "arrays"},
    {"stats", (PyCFunction)Dedup_stats, METH_NOARGS, "stats() -> dict"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject DedupType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "syndic._syndic.Dedup",
    .tp_basicsize = sizeof(DedupObject),
    .tp_dealloc = (destructor)Dedup_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A near-duplicate job (sd_dedup); see syndic.Deduper.",
    .tp_methods = Dedup_methods,
    .tp_init = (initproc)Dedup_init,
    .tp_new = PyType_GenericNew,
};

/* ---- trace and align --------------------------------------------------------- */

static char *trace_names[] = {"min_passage", "max_df",   "max_gap", "min_identity",
                              "exact",       "threads",  "seed",    "memory",
                              "tmpdir",      "all_text", NULL};

/* Parses the trace options of args/kw into *o. Returns 0 or -1. */
static int trace_options(PyObject *args, PyObject *kw, const char *fmt, sd_trace_options *o)
{
    PyObject *threads = Py_None;
    unsigned long long seed, memory;
    int exact = 0, all_text = 0;
    sd_trace_options_init(o);
    seed = o->seed;
    memory = o->memory_limit;
    if (!PyArg_ParseTupleAndKeywords(args, kw, fmt, trace_names, &o->min_passage, &o->max_df,
                                     &o->max_gap, &o->min_identity, &exact, &threads, &seed,
                                     &memory, &o->tmpdir, &all_text))
        return -1;
    if (threads_of(threads, &o->threads) < 0)
        return -1;
    o->exact = exact ? 1u : 0u;
    o->all_text = all_text ? 1u : 0u;
    o->seed = seed;
    o->memory_limit = memory;
    if (o->min_passage < 4 || o->min_passage > 100000) {
        PyErr_Format(InputError, "min_passage must be from 4 to 100000, not %u", o->min_passage);
        return -1;
    }
    if (!(o->min_identity >= 0 && o->min_identity <= 1))
        return bad_float("min_identity", "from 0 to 1", o->min_identity);
    if (o->memory_limit && o->memory_limit < (1u << 20)) {
        PyErr_Format(InputError, "memory must be at least 1M (1048576 bytes), not %llu", memory);
        return -1;
    }
    return 0;
}

static PyObject *passage_of(const sd_passage *p)
{
    PyObject *ch = PyList_New((Py_ssize_t)p->n_changes);
    size_t i;
    if (ch == NULL)
        return NULL;
    for (i = 0; i < p->n_changes; i++) {
        const sd_change *c = &p->changes[i];
        PyObject *t =
            Py_BuildValue("(KKKK)", (unsigned long long)c->a.start, (unsigned long long)c->a.end,
                          (unsigned long long)c->b.start, (unsigned long long)c->b.end);
        if (t == NULL) {
            Py_DECREF(ch);
            return NULL;
        }
        PyList_SET_ITEM(ch, (Py_ssize_t)i, t);
    }
    return Py_BuildValue("(KKKKKKKKKKdKN)", (unsigned long long)p->doc_a,
                         (unsigned long long)p->doc_b, (unsigned long long)p->a.start,
                         (unsigned long long)p->a.end, (unsigned long long)p->b.start,
                         (unsigned long long)p->b.end, (unsigned long long)p->tokens_a,
                         (unsigned long long)p->tokens_b, (unsigned long long)p->columns,
                         (unsigned long long)p->equal, p->identity, (unsigned long long)p->story,
                         ch);
}

typedef struct {
    PyObject_HEAD sd_trace *job;
    int finished;
    char *tmpdir;
} TraceObject;

static void Trace_dealloc(TraceObject *self)
{
    PyMem_Free(self->tmpdir);
    sd_trace_free(self->job);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Trace_init(TraceObject *self, PyObject *args, PyObject *kw)
{
    sd_trace_options o;
    char why[SD_ERRBUF_SIZE];
    int rc;
    if (trace_options(args, kw, "|$IIIdpOKKzp:Trace", &o) < 0)
        return -1;
    sd_trace_free(self->job);
    self->job = NULL;
    self->finished = 0;
    if (keep_str(&o.tmpdir, &self->tmpdir) < 0)
        return -1;
    rc = sd_trace_new(&o, &self->job, why);
    if (rc != 0) {
        raise_code(rc, why);
        return -1;
    }
    return 0;
}

/* add(docs): a sequence of (text, date, url) tuples, each str, bytes or
 * None (text None: a record that failed, which joins no story). */
static PyObject *Trace_add(TraceObject *self, PyObject *seq)
{
    PyObject *items;
    sd_trace_doc *docs;
    Py_ssize_t n, i;
    int rc;
    if (job_ready(self->job, self->finished, 0) < 0 ||
        (docs = batch_new(seq, sizeof *docs, &items, &n)) == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *d = PyTuple_GET_ITEM(items, i);
        if (!PyTuple_Check(d) || PyTuple_GET_SIZE(d) != 3) {
            PyErr_SetString(PyExc_TypeError, "each document must be a (text, date, url) tuple");
            goto fail;
        }
        if (text_of(PyTuple_GET_ITEM(d, 0), &docs[i].text, &docs[i].len, "a text") < 0 ||
            text_of(PyTuple_GET_ITEM(d, 1), &docs[i].date, &docs[i].date_len, "a date") < 0 ||
            text_of(PyTuple_GET_ITEM(d, 2), &docs[i].url, &docs[i].url_len, "a url") < 0)
            goto fail;
    }
    Py_BEGIN_ALLOW_THREADS rc = sd_trace_add(self->job, docs, (size_t)n);
    Py_END_ALLOW_THREADS PyMem_Free(docs);
    Py_DECREF(items);
    if (rc != 0)
        return raise_code(rc, sd_trace_errmsg(self->job));
    Py_RETURN_NONE;
fail:
    PyMem_Free(docs);
    Py_DECREF(items);
    return NULL;
}

static int trace_fin(void *job, sd_progress_fn progress, void *ud)
{
    return sd_trace_finish(job, progress, ud);
}

static const char *trace_msg(const void *job)
{
    return sd_trace_errmsg(job);
}

static PyObject *Trace_finish(TraceObject *self, PyObject *unused)
{
    (void)unused;
    return finish_job(self->job, &self->finished, trace_fin, trace_msg);
}

static PyObject *Trace_passages(TraceObject *self, PyObject *unused)
{
    size_t i, n;
    PyObject *l;
    (void)unused;
    if (job_ready(self->job, self->finished, 1) < 0)
        return NULL;
    n = sd_trace_passage_count(self->job);
    l = PyList_New((Py_ssize_t)n);
    for (i = 0; l && i < n; i++) {
        PyObject *p = passage_of(sd_trace_passage(self->job, i));
        if (p == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, p);
    }
    return l;
}

static PyObject *member_of(const sd_story_member *m)
{
    return Py_BuildValue("(KsddNNNN)", (unsigned long long)m->doc, sd_role_name(m->role), m->share,
                         m->identity, ranges_of(m->spans, m->n_spans),
                         ranges_of(m->added, m->n_added), ranges_of(m->lacks, m->n_lacks),
                         ranges_of(m->changed, m->n_changed));
}

/* stories() -> list of (id, origin, by_date, consensus, consensus_tokens,
 * passages, members), members as (doc, role, share, identity, spans,
 * added, lacks, changed). */
static PyObject *Trace_stories(TraceObject *self, PyObject *unused)
{
    size_t i, k, n;
    PyObject *l;
    (void)unused;
    if (job_ready(self->job, self->finished, 1) < 0)
        return NULL;
    n = sd_trace_story_count(self->job);
    l = PyList_New((Py_ssize_t)n);
    for (i = 0; l && i < n; i++) {
        const sd_story *s = sd_trace_story(self->job, i);
        PyObject *ms = PyList_New((Py_ssize_t)s->n_members), *t;
        for (k = 0; ms && k < s->n_members; k++) {
            PyObject *m = member_of(&s->members[k]);
            if (m == NULL) {
                Py_CLEAR(ms);
                break;
            }
            PyList_SET_ITEM(ms, (Py_ssize_t)k, m);
        }
        t = ms ? Py_BuildValue(
                     "(KKiNKKN)", (unsigned long long)s->id, (unsigned long long)s->origin,
                     s->origin_by_date, ranges_of(s->consensus, s->n_consensus),
                     (unsigned long long)s->consensus_tokens, (unsigned long long)s->passages, ms)
               : NULL;
        if (t == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, t);
    }
    return l;
}

/* doc_stories() -> for each document, the list of its stories' ids. */
static PyObject *Trace_doc_stories(TraceObject *self, PyObject *unused)
{
    sd_trace_stats st;
    uint64_t i, k;
    PyObject *l;
    (void)unused;
    if (job_ready(self->job, self->finished, 1) < 0)
        return NULL;
    sd_trace_get_stats(self->job, &st);
    l = PyList_New((Py_ssize_t)st.docs);
    for (i = 0; l && i < st.docs; i++) {
        const uint64_t *v = NULL;
        size_t n = 0;
        PyObject *s;
        sd_trace_doc_stories(self->job, i, &v, &n);
        s = PyList_New((Py_ssize_t)n);
        for (k = 0; s && k < n; k++) {
            PyObject *x = PyLong_FromUnsignedLongLong(v[k]);
            if (x == NULL)
                Py_CLEAR(s);
            else
                PyList_SET_ITEM(s, (Py_ssize_t)k, x);
        }
        if (s == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, s);
    }
    return l;
}

/* doc_text(i, start=0, end=None) -> the document's text (or its bytes
 * [start, end)) as str; None for an absent document. */
static PyObject *Trace_doc_text(TraceObject *self, PyObject *args)
{
    unsigned long long doc, start = 0, end = UINT64_MAX;
    const char *txt = NULL;
    size_t len = 0;
    if (!PyArg_ParseTuple(args, "K|KK:doc_text", &doc, &start, &end))
        return NULL;
    if (self->job == NULL || sd_trace_doc_text(self->job, doc, &txt, &len) != 0) {
        PyErr_Format(PyExc_IndexError, "no document %llu", doc);
        return NULL;
    }
    if (txt == NULL)
        Py_RETURN_NONE;
    if (end > len)
        end = len;
    if (start > end)
        start = end;
    return str_of(txt + start, (size_t)(end - start));
}

static PyObject *Trace_stats(TraceObject *self, PyObject *unused)
{
    sd_trace_stats st;
    (void)unused;
    if (self->job == NULL) {
        PyErr_SetString(Error, "the job was not created");
        return NULL;
    }
    sd_trace_get_stats(self->job, &st);
    return Py_BuildValue(
        "{sKsKsKsKsKsKsIsIsIsKsKsKsKsK}", "docs", (unsigned long long)st.docs, "absent",
        (unsigned long long)st.absent, "bytes", (unsigned long long)st.bytes, "tokens",
        (unsigned long long)st.tokens, "fingerprints", (unsigned long long)st.fingerprints,
        "dropped", (unsigned long long)st.dropped, "max_df", st.max_df, "k", st.k, "w", st.w,
        "pairs", (unsigned long long)st.pairs, "passages", (unsigned long long)st.passages,
        "stories", (unsigned long long)st.stories, "spilled", (unsigned long long)st.spilled,
        "site_passages", (unsigned long long)st.site_passages);
}

static PyMethodDef Trace_methods[] = {
    {"add", (PyCFunction)Trace_add, METH_O, "add(docs): a batch of (text, date, url) tuples"},
    {"finish", (PyCFunction)Trace_finish, METH_NOARGS, "finish(): align and build stories"},
    {"passages", (PyCFunction)Trace_passages, METH_NOARGS, "passages() -> list of tuples"},
    {"stories", (PyCFunction)Trace_stories, METH_NOARGS, "stories() -> list of tuples"},
    {"doc_stories", (PyCFunction)Trace_doc_stories, METH_NOARGS,
     "doc_stories() -> each document's story ids"},
    {"doc_text", (PyCFunction)Trace_doc_text, METH_VARARGS,
     "doc_text(doc, start=0, end=None) -> str or None"},
    {"stats", (PyCFunction)Trace_stats, METH_NOARGS, "stats() -> dict"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject TraceType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "syndic._syndic.Trace",
    .tp_basicsize = sizeof(TraceObject),
    .tp_dealloc = (destructor)Trace_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A passage-level reuse job (sd_trace); see syndic.trace.",
    .tp_methods = Trace_methods,
    .tp_init = (initproc)Trace_init,
    .tp_new = PyType_GenericNew,
};

/* align(a, b, **trace options) -> list of passage tuples. */
static PyObject *py_align(PyObject *mod, PyObject *args, PyObject *kw)
{
    sd_trace_options o;
    PyObject *a, *b, *l = NULL, *rest = NULL;
    const char *pa, *pb;
    size_t na, nb, n = 0, i;
    sd_passage *v = NULL;
    int rc;
    (void)mod;
    if (PyTuple_GET_SIZE(args) != 2) {
        PyErr_SetString(PyExc_TypeError, "align() takes two texts");
        return NULL;
    }
    a = PyTuple_GET_ITEM(args, 0);
    b = PyTuple_GET_ITEM(args, 1);
    if (a == Py_None || b == Py_None) {
        PyErr_SetString(PyExc_TypeError, "align() takes two texts, not None");
        return NULL;
    }
    rest = PyTuple_New(0);
    if (rest == NULL || trace_options(rest, kw, "|$IIIdpOKKzp:align", &o) < 0) {
        Py_XDECREF(rest);
        return NULL;
    }
    Py_DECREF(rest);
    if (text_of(a, &pa, &na, "a") < 0 || text_of(b, &pb, &nb, "b") < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS rc = sd_align_pair(pa, na, pb, nb, &o, &v, &n);
    Py_END_ALLOW_THREADS if (rc != 0) return raise_code(rc, NULL);
    l = PyList_New((Py_ssize_t)n);
    for (i = 0; l && i < n; i++) {
        PyObject *p = passage_of(&v[i]);
        if (p == NULL)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, (Py_ssize_t)i, p);
    }
    sd_passages_free(v, n);
    return l;
}

/* ---- extract ------------------------------------------------------------------ */

static const char *kind_name(sd_para_kind k)
{
    static const char *names[] = {"text", "heading", "item", "quote", "pre", "cell", "caption"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "text";
}

static PyObject *paragraphs_of(const char *text, const sd_paragraph *p, size_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    size_t i;
    for (i = 0; l && i < n; i++) {
        PyObject *t = Py_BuildValue("(NsIKK)", str_of(text + p[i].start, p[i].end - p[i].start),
                                    kind_name(p[i].kind), p[i].level,
                                    (unsigned long long)p[i].start, (unsigned long long)p[i].end);
        if (t == NULL)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, (Py_ssize_t)i, t);
    }
    return l;
}

/* The article as a dict of the fields `syndic extract --jsonl` names. */
static PyObject *article_of(const sd_article *a)
{
    PyObject *d, *links;
    size_t i;
    links = PyList_New((Py_ssize_t)a->n_links);
    for (i = 0; links && i < a->n_links; i++) {
        PyObject *t = Py_BuildValue(
            "(NsKK)", str_of(a->text + a->links[i].start, a->links[i].end - a->links[i].start),
            a->links[i].url, (unsigned long long)a->links[i].start,
            (unsigned long long)a->links[i].end);
        if (t == NULL)
            Py_CLEAR(links);
        else
            PyList_SET_ITEM(links, (Py_ssize_t)i, t);
    }
    if (links == NULL)
        return NULL;
    d = Py_BuildValue("{sNsNsNsiszszszszsnsNsNsNsNsNsNsNsNsN}", "text",
                      str_of(a->text, a->text_len), "title", str_of(a->title, a->title_len),
                      "paragraphs", paragraphs_of(a->text, a->paragraphs, a->n_paragraphs), "found",
                      a->found, "reason", a->reason, "method", a->method, "charset", a->charset,
                      "lang", a->lang, "repaired", (Py_ssize_t)a->repaired, "author",
                      str_of(a->author, strlen(a->author)), "date",
                      str_of(a->date, strlen(a->date)), "date_modified",
                      str_of(a->date_modified, strlen(a->date_modified)), "site_name",
                      str_of(a->site_name, strlen(a->site_name)), "page_lang",
                      str_of(a->page_lang, strlen(a->page_lang)), "canonical_url",
                      str_of(a->canonical_url, strlen(a->canonical_url)), "description",
                      str_of(a->description, strlen(a->description)), "comments",
                      paragraphs_of(a->comments_text, a->comments, a->n_comments), "links", links);
    return d;
}

static PyObject *py_extract(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = {"html",     "url",       "charset",   "whole_page", "comments", "links",
                            "captions", "no_tables", "min_words", "max_html",   NULL};
    PyObject *html, *d;
    const char *url = NULL, *charset = NULL, *p;
    size_t n;
    int whole = 0, comments = 0, links = 0, captions = 0, no_tables = 0, rc;
    Py_ssize_t max_html = -1;
    sd_extract_options o;
    sd_article a;
    (void)mod;
    sd_extract_options_init(&o);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|zz$pppppIn:extract", names, &html, &url, &charset,
                                     &whole, &comments, &links, &captions, &no_tables, &o.min_words,
                                     &max_html))
        return NULL;
    if (html == Py_None) {
        PyErr_SetString(PyExc_TypeError, "extract() takes a page's markup, not None");
        return NULL;
    }
    if (text_of(html, &p, &n, "html") < 0)
        return NULL;
    if (PyUnicode_Check(html) && charset == NULL)
        charset = "utf-8"; /* a str is decoded already */
    if (max_html >= 0)
        o.max_html = (size_t)max_html;
    o.url = url;
    o.flags = (comments ? SD_EXTRACT_COMMENTS : 0u) | (links ? SD_EXTRACT_LINKS : 0u) |
              (captions ? SD_EXTRACT_CAPTIONS : 0u) | (no_tables ? SD_EXTRACT_NO_TABLES : 0u);
    memset(&a, 0, sizeof a);
    Py_BEGIN_ALLOW_THREADS rc =
        whole ? sd_extract_whole_page(p, n, charset, &o, &a) : sd_extract(p, n, charset, &o, &a);
    Py_END_ALLOW_THREADS if (rc != 0)
    {
        sd_article_release(&a);
        if (rc == SD_ETOOBIG) {
            PyErr_Format(InputError,
                         "page of %zu bytes is larger than the %zu bytes extraction reads", n,
                         o.max_html);
            return NULL;
        }
        return raise_code(rc, NULL);
    }
    d = article_of(&a);
    sd_article_release(&a);
    return d;
}

/* ---- read ----------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD sd_reader *reader;
    sd_page_reader *pages;
    int done, whole_page;
} ReaderObject;

static void Reader_dealloc(ReaderObject *self)
{
    sd_page_reader_free(self->pages);
    sd_reader_free(self->reader);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static const char *format_names[] = {"auto", "text", "jsonl", "html", "warc",
                                     "json", "csv",  "tsv",   NULL};

static int Reader_init(ReaderObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"paths",       "id_field",   "text_field", "html_field", "format",
                            "repair_utf8", "max_record", "whole_page", "threads",    NULL};
    PyObject *paths, *seq = NULL, *threads = Py_None;
    const char *format = "auto";
    sd_reader_options o;
    sd_extract_options eo;
    char why[SD_ERRBUF_SIZE];
    Py_ssize_t i, max_record = -1;
    unsigned nthreads;
    int repair = 0, rc, f;
    sd_reader_options_init(&o);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$zzzspnpO:Reader", names, &paths, &o.id_field,
                                     &o.text_field, &o.html_field, &format, &repair, &max_record,
                                     &self->whole_page, &threads))
        return -1;
    if (threads_of(threads, &nthreads) < 0)
        return -1;
    for (f = 0; format_names[f] && strcmp(format_names[f], format) != 0; f++)
        ;
    if (format_names[f] == NULL) {
        PyErr_Format(InputError,
                     "format must be one of auto, text, jsonl, html, warc, json, csv, tsv, not "
                     "'%s'",
                     format);
        return -1;
    }
    o.format = (sd_format)f;
    o.repair_utf8 = repair;
    if (max_record >= 0)
        o.max_record = (size_t)max_record;
    /* the reader copies the field names */
    sd_page_reader_free(self->pages);
    sd_reader_free(self->reader);
    self->pages = NULL;
    self->reader = NULL;
    rc = sd_reader_new(&o, &self->reader, why);
    if (rc != 0) {
        raise_code(rc, why);
        return -1;
    }
    seq = PySequence_Fast(paths, "paths must be a sequence of paths");
    if (seq == NULL)
        return -1;
    for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *b = NULL;
        if (!PyUnicode_FSConverter(PySequence_Fast_GET_ITEM(seq, i), &b)) {
            Py_DECREF(seq);
            return -1;
        }
        rc = sd_reader_add(self->reader, PyBytes_AS_STRING(b));
        Py_DECREF(b);
        if (rc != 0) {
            Py_DECREF(seq);
            raise_code(rc, sd_reader_errmsg(self->reader));
            return -1;
        }
    }
    Py_DECREF(seq);
    sd_extract_options_init(&eo);
    rc = sd_page_reader_new(self->reader, &eo,
                            SD_PAGE_KEEP_EMPTY | (self->whole_page ? SD_PAGE_WHOLE : 0), nthreads,
                            &self->pages, why);
    if (rc != 0) {
        raise_code(rc, why);
        return -1;
    }
    return 0;
}

static PyObject *Reader_iter(PyObject *self)
{
    Py_INCREF(self);
    return self;
}

static const char *format_name(sd_format f)
{
    return (unsigned)f < sizeof format_names / sizeof *format_names - 1 ? format_names[f] : "auto";
}

/* The next record as a tuple: (index, id, text, html, url, date, source,
 * line, offset, format, error, errmsg, skipped, charset, repaired). A page
 * without text is skipped with the program's reason. */
static PyObject *Reader_next(ReaderObject *self)
{
    sd_record rec;
    const sd_article *art = NULL;
    char skip[160];
    int rc;
    if (self->pages == NULL || self->done)
        return NULL;
    Py_BEGIN_ALLOW_THREADS rc = sd_page_reader_next(self->pages, &rec, &art);
    Py_END_ALLOW_THREADS if (rc == 0)
    {
        self->done = 1;
        return NULL;
    }
    if (rc < 0) {
        self->done = 1;
        return raise_code(rc, sd_page_reader_errmsg(self->pages));
    }
    skip[0] = '\0';
    if (rec.error == 0 && rec.text == NULL && art)
        snprintf(skip, sizeof skip, "page has no %s (%s)",
                 self->whole_page ? "text" : "article text", art->reason ? art->reason : "empty");
    else if (rec.error == 0 && rec.text == NULL) {
        rec.error = SD_EMISSING;
        rec.errmsg = "record has no text";
    }
    return Py_BuildValue("(KNNNNNzKKsizzzn)", (unsigned long long)rec.index,
                         str_of(rec.id, rec.id_len), str_of(rec.text, rec.text_len),
                         str_of(rec.html, rec.html_len), str_of(rec.url, rec.url_len),
                         str_of(rec.date, rec.date_len), rec.source, (unsigned long long)rec.line,
                         (unsigned long long)rec.offset, format_name(rec.format), rec.error,
                         rec.error ? (rec.errmsg ? rec.errmsg : sd_strerror(rec.error)) : NULL,
                         skip[0] ? skip : NULL, rec.charset, (Py_ssize_t)rec.repaired);
}

static PyTypeObject ReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "syndic._syndic.Reader",
    .tp_basicsize = sizeof(ReaderObject),
    .tp_dealloc = (destructor)Reader_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Records of files, directories, crawls (sd_reader with pages' text resolved).",
    .tp_iter = Reader_iter,
    .tp_iternext = (iternextfunc)Reader_next,
    .tp_init = (initproc)Reader_init,
    .tp_new = PyType_GenericNew,
};

/* ---- the report's frame, sizes, version ------------------------------------------- */

static int buf_write(void *ud, const void *p, size_t n)
{
    PyObject **b = ud;
    PyObject *more = PyBytes_FromStringAndSize(p, (Py_ssize_t)n);
    if (more == NULL)
        return -1;
    PyBytes_ConcatAndDel(b, more);
    return *b == NULL ? -1 : 0;
}

/* report_frame() -> (head, tail) bytes of the story report page. */
static PyObject *py_report_frame(PyObject *mod, PyObject *unused)
{
    PyObject *h = PyBytes_FromStringAndSize("", 0), *t = PyBytes_FromStringAndSize("", 0);
    (void)mod;
    (void)unused;
    if (h == NULL || t == NULL || sd_report_head(buf_write, &h) != 0 ||
        sd_report_tail(buf_write, &t) != 0) {
        Py_XDECREF(h);
        Py_XDECREF(t);
        return PyErr_Occurred() ? NULL : PyErr_NoMemory();
    }
    return Py_BuildValue("(NN)", h, t);
}

/* report_json(bytes) -> the JSON with < > & escaped for the page. */
static PyObject *py_report_json(PyObject *mod, PyObject *arg)
{
    PyObject *b = PyBytes_FromStringAndSize("", 0);
    char *p;
    Py_ssize_t n;
    (void)mod;
    if (b == NULL || PyBytes_AsStringAndSize(arg, &p, &n) < 0 ||
        sd_report_json(buf_write, &b, p, (size_t)n) != 0) {
        Py_XDECREF(b);
        return PyErr_Occurred() ? NULL : PyErr_NoMemory();
    }
    return b;
}

static PyObject *py_parse_size(PyObject *mod, PyObject *arg)
{
    const char *s = PyUnicode_AsUTF8(arg);
    uint64_t v;
    (void)mod;
    if (s == NULL)
        return NULL;
    if (sd_parse_size(s, &v) != 0) {
        PyErr_Format(InputError, "a size such as 512M or 4G, not '%s'", s);
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(v);
}

static PyObject *py_strerror(PyObject *mod, PyObject *arg)
{
    long c = PyLong_AsLong(arg);
    (void)mod;
    if (c == -1 && PyErr_Occurred())
        return NULL;
    return PyUnicode_FromString(sd_strerror((int)c));
}

static PyMethodDef module_methods[] = {
    {"align", (PyCFunction)(void (*)(void))py_align, METH_VARARGS | METH_KEYWORDS,
     "align(a, b, **options) -> passage tuples"},
    {"extract", (PyCFunction)(void (*)(void))py_extract, METH_VARARGS | METH_KEYWORDS,
     "extract(html, url=None, charset=None, ...) -> dict"},
    {"report_frame", py_report_frame, METH_NOARGS, "report_frame() -> (head, tail)"},
    {"report_json", py_report_json, METH_O, "report_json(bytes) -> escaped bytes"},
    {"parse_size", py_parse_size, METH_O, "parse_size('4G') -> 4294967296"},
    {"strerror", py_strerror, METH_O, "strerror(code) -> name"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT,
                                    "_syndic",
                                    "The syndic engine (libsyndic) for Python.",
                                    -1,
                                    module_methods,
                                    NULL,
                                    NULL,
                                    NULL,
                                    NULL};

PyMODINIT_FUNC PyInit__syndic(void)
{
    PyObject *m;
    if (PyType_Ready(&DedupType) < 0 || PyType_Ready(&TraceType) < 0 ||
        PyType_Ready(&ReaderType) < 0)
        return NULL;
    m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Error = PyErr_NewExceptionWithDoc("syndic.Error", "A failure the library reported.",
                                      PyExc_Exception, NULL);
    InputError = PyErr_NewExceptionWithDoc(
        "syndic.InputError", "Bad input or a bad option: malformed, too big, out of range.",
        PyTuple_Pack(2, Error, PyExc_ValueError), NULL);
    OutOfMemoryError = PyErr_NewExceptionWithDoc("syndic.OutOfMemoryError", "An allocation failed.",
                                                 PyTuple_Pack(2, Error, PyExc_MemoryError), NULL);
    FileError = PyErr_NewExceptionWithDoc("syndic.FileError",
                                          "A read or write failed (input or temporary files).",
                                          PyTuple_Pack(2, Error, PyExc_OSError), NULL);
    Canceled =
        PyErr_NewExceptionWithDoc("syndic.Canceled", "The job was asked to stop.", Error, NULL);
    if (!Error || !InputError || !OutOfMemoryError || !FileError || !Canceled ||
        PyModule_AddObjectRef(m, "Error", Error) < 0 ||
        PyModule_AddObjectRef(m, "InputError", InputError) < 0 ||
        PyModule_AddObjectRef(m, "OutOfMemoryError", OutOfMemoryError) < 0 ||
        PyModule_AddObjectRef(m, "FileError", FileError) < 0 ||
        PyModule_AddObjectRef(m, "Canceled", Canceled) < 0 ||
        PyModule_AddObjectRef(m, "Dedup", (PyObject *)&DedupType) < 0 ||
        PyModule_AddObjectRef(m, "Trace", (PyObject *)&TraceType) < 0 ||
        PyModule_AddObjectRef(m, "Reader", (PyObject *)&ReaderType) < 0 ||
        PyModule_AddStringConstant(m, "version", sd_version()) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
