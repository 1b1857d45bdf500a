"""syndic: find the same text wherever it was printed.

The engine of the `syndic` program (libsyndic, a C library) for Python:

    res = syndic.dedup(texts, threshold=0.8)      # near-duplicate documents
    t = syndic.trace(docs, min_passage=30)         # shared passages and stories
    syndic.align(a, b)                             # what two texts share
    art = syndic.extract(html, url=None)           # a web page's article
    for rec in syndic.read("crawl.warc.gz"): ...   # the program's readers

Documents may be given as str (or bytes of UTF-8), (id, text) pairs, dicts
with "text" (and "id", "date", "url"), Records from syndic.read(), a pandas
Series of texts or a DataFrame with a "text" column; None (or a Record that
failed) is a document that could not be read: it keeps its place and joins
nothing. Byte offsets in results are into each text's UTF-8, as in the
program's JSON output. Work runs with the GIL released on the library's
threads (threads=None: one per CPU, as the program); Ctrl-C stops a long
call with KeyboardInterrupt. Failures raise syndic.Error or a subclass:
InputError (bad input or option; also a ValueError), OutOfMemoryError
(also a MemoryError), FileError (a read or write failed; also an OSError),
Canceled.
"""
from array import array
import bisect
import itertools
import math
import re
import threading

from . import _syndic
from ._syndic import Canceled, Error, FileError, InputError, OutOfMemoryError

__all__ = [
    "dedup", "Deduper", "DedupResult", "DedupRecord", "trace", "TraceResult", "Story",
    "Copy", "Passage", "Side", "Doc", "align", "extract", "Article", "Paragraph", "read",
    "Record", "Error", "InputError", "OutOfMemoryError", "FileError", "Canceled",
]
__version__ = _syndic.version

# Documents are handed to the library in batches: big enough that its
# threads share the work, small enough that Ctrl-C is seen quickly and a
# memory limit holds.
_BATCH_DOCS = 4096
_BATCH_BYTES = 16 << 20


def _size(memory):
    """A memory limit in bytes from None, an int or a string such as "4G"."""
    if memory is None:
        return 0
    if isinstance(memory, str):
        return _syndic.parse_size(memory)
    if isinstance(memory, bool) or not isinstance(memory, int) or memory < 0:
        raise InputError("memory must be a size such as 512M or 4G, not %r" % (memory,))
    return memory


def _batch_bytes(limit):
    # under a limit a batch's texts take at most a 16th of it, as the program
    return min(_BATCH_BYTES, max(1 << 20, limit // 16)) if limit else _BATCH_BYTES


# ---- documents in -------------------------------------------------------------


class _Doc:
    __slots__ = ("id", "text", "date", "url", "error", "skipped", "file", "line", "offset")

    def __init__(self, id=None, text=None, date=None, url=None):
        self.id, self.text, self.date, self.url = id, text, date, url
        self.error = self.skipped = self.file = None
        self.line = self.offset = 0


def _doc_of(item):
    if isinstance(item, (str, bytes)) or item is None:
        return _Doc(text=item)
    if isinstance(item, Record):
        d = _Doc(item.id, item.text if item.ok else None, item.date, item.url)
        if item.skipped:
            d.skipped = item.skipped
        elif item.error:
            d.error, d.file, d.line, d.offset = item.error, item.source, item.line, item.offset
        return d
    if isinstance(item, dict):
        if "text" not in item:
            raise InputError("a document dict needs a 'text' key (it has %s)"
                             % ", ".join(map(repr, item)) or "none")
        return _Doc(item.get("id"), item["text"], item.get("date"), item.get("url"))
    if isinstance(item, (tuple, list)) and len(item) == 2:
        return _Doc(item[0], item[1])
    raise TypeError("a document is a str, bytes, None, an (id, text) pair, a dict with "
                    "'text' or a syndic.Record, not %s" % type(item).__name__)


def _docs(docs):
    """Yields _Doc for each item of any iterable of documents, or of a
    pandas Series (its values) or DataFrame (its rows, with a text column)."""
    if isinstance(docs, (str, bytes)):
        raise TypeError("give an iterable of documents, not one text")
    mod = type(docs).__module__
    if mod.startswith("pandas."):
        name = type(docs).__name__
        if name == "DataFrame":
            if "text" not in docs.columns:
                raise InputError("the DataFrame needs a 'text' column")
            docs = docs.to_dict("records")
        elif name == "Series":
            docs = docs.tolist()
    for item in docs:
        if mod.startswith("pandas.") and isinstance(item, float) and math.isnan(item):
            item = None  # pandas' missing value
        yield _doc_of(item)


def _index_of(docs):
    """The pandas index of a Series or DataFrame given as input, else None."""
    if type(docs).__module__.startswith("pandas.") and hasattr(docs, "index"):
        return docs.index
    return None


# ---- dedup -----------------------------------------------------------------------


class DedupRecord:
    """One document's result: index, id, cluster, duplicate_of (the index of
    the cluster's representative, -1 for a representative or an absent
    document), similarity (estimated Jaccard to the representative; 1.0 for
    it, nan when absent), exact (byte for byte the representative's text),
    absent (no text: the record could not be read)."""

    __slots__ = ("index", "id", "cluster", "duplicate_of", "similarity", "exact", "absent")

    def __init__(self, index, id, cluster, duplicate_of, similarity, exact, absent):
        self.index, self.id, self.cluster = index, id, cluster
        self.duplicate_of, self.similarity = duplicate_of, similarity
        self.exact, self.absent = exact, absent

    @property
    def keep(self):
        return not self.absent and self.duplicate_of < 0

    def __repr__(self):
        return ("DedupRecord(index=%d, id=%r, cluster=%d, duplicate_of=%d, similarity=%.4f%s)"
                % (self.index, self.id, self.cluster, self.duplicate_of, self.similarity,
                   ", exact=True" if self.exact else ""))


class DedupResult:
    """Results of a dedup, in input order: .cluster, .duplicate_of and
    .similarity are arrays (array.array, one item per document, usable by
    numpy without a copy), .exact and .absent lists of bool, .ids the ids
    given (None where none was), .stats the job's counts."""

    def __init__(self, cluster, rep, similarity, flags, ids, stats, index=None):
        self.cluster = array("q")
        self.cluster.frombytes(cluster)
        self.duplicate_of = array("q")
        self.duplicate_of.frombytes(rep)  # -1 for a representative, from the library
        self.similarity = array("d")
        self.similarity.frombytes(similarity)
        self.absent = [bool(f & 1) for f in flags]
        self.exact = [bool(f & 2) for f in flags]
        self.ids = ids if ids is not None else [None] * len(self.cluster)
        self.stats = stats
        self._index = index

    def __len__(self):
        return len(self.cluster)

    def __getitem__(self, i):
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return DedupRecord(i, self.ids[i], self.cluster[i], self.duplicate_of[i],
                           self.similarity[i], self.exact[i], self.absent[i])

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def keep_mask(self):
        """Which records to keep: one per cluster (its first, the
        representative); duplicates and absent documents are False."""
        return [not a and d < 0 for a, d in zip(self.absent, self.duplicate_of)]

    def to_frame(self):
        """A pandas DataFrame (id, cluster, duplicate_of, similarity, exact,
        absent, keep), indexed as the input Series or DataFrame was."""
        import pandas as pd

        frame = pd.DataFrame({
            "id": self.ids, "cluster": self.cluster, "duplicate_of": self.duplicate_of,
            "similarity": self.similarity, "exact": self.exact, "absent": self.absent,
            "keep": self.keep_mask(),
        })
        if self._index is not None:
            frame.index = self._index
        return frame

    def __repr__(self):
        s = self.stats
        return "DedupResult(%d documents, %d clusters, %d duplicates)" % (
            s["docs"], s["clusters"], s["duplicates"])


class Deduper:
    """A streaming near-duplicate job (MinHash LSH, as `syndic dedup`).

        with syndic.Deduper(threshold=0.8, memory="4G") as d:
            for rec in records:
                d.add(rec["text"], id=rec["id"])
            for r in d.results(): ...

    Documents are sketched in batches as they come, so a generator of any
    length streams; with memory (bytes, or "512M", "4G") the job keeps its
    keys and signatures within the limit, spilling to unnamed temporary
    files in tmpdir, with the same results as without. Options as the
    program's: threshold (Jaccard, 0.01 to 1), ngram (words per shingle),
    num_perm (signature length), bands and rows (LSH; 0 picks them from the
    threshold), threads (None: one per CPU), seed.
    """

    def __init__(self, threshold=0.8, ngram=5, num_perm=256, bands=0, rows=0, threads=None,
                 seed=0, memory=None, tmpdir=None):
        limit = _size(memory)
        self._job = _syndic.Dedup(threshold=float(threshold), ngram=ngram, num_perm=num_perm,
                                  bands=bands, rows=rows, threads=threads, seed=seed,
                                  memory=limit, tmpdir=tmpdir)
        self._max_bytes = _batch_bytes(limit)
        self._batch = []
        self._bytes = 0
        self._ids = None
        self._n = 0
        self._result = None
        self._pending = None  # the batch being sketched while the next is read
        self._failure = None

    def add(self, text, id=None):
        """Adds one document (str, bytes, or None for a record that could
        not be read); returns its index."""
        if self._result is not None:
            raise Error("the job is finished: no more documents")
        if id is not None and self._ids is None:
            self._ids = [None] * self._n
        if self._ids is not None:
            self._ids.append(id)
        self._batch.append(text)
        self._bytes += len(text) if text is not None else 0
        self._n += 1
        if len(self._batch) >= _BATCH_DOCS or self._bytes >= self._max_bytes:
            self._flush()
        return self._n - 1

    def add_many(self, docs):
        """Adds every document of an iterable (see syndic.dedup)."""
        if type(docs) in (list, tuple):
            done = self._add_plain(docs)
            if done == len(docs):
                return
            docs = docs[done:]
        for d in _docs(docs):
            self.add(d.text, d.id)

    def _add_plain(self, docs):
        """add() for a list of plain texts or (id, text) pairs of str, a
        batch's worth at a time, without an object per document (that was
        a fifth of a small dedup's time); returns how many documents of
        the list it took: all, or none from the first slice of another
        kind (add_many takes those one by one)."""
        if self._result is not None:
            raise Error("the job is finished: no more documents")
        i, n = 0, len(docs)
        while i < n:
            chunk = docs[i:i + _BATCH_DOCS - len(self._batch)]
            kinds = set(map(type, chunk))
            if kinds == {str}:
                ids, texts = None, chunk
            elif kinds == {tuple} and set(map(len, chunk)) == {2}:
                ids, texts = zip(*chunk)
                if set(map(type, texts)) != {str}:
                    break
            else:
                break
            # where the batch reaches its bytes, as add() would flush there
            acc = list(itertools.accumulate(map(len, texts), initial=self._bytes))
            take = min(bisect.bisect_left(acc, self._max_bytes, 1), len(texts))
            if ids is not None and self._ids is None and any(x is not None for x in ids[:take]):
                self._ids = [None] * self._n
            if self._ids is not None:
                self._ids.extend(ids[:take] if ids is not None else [None] * take)
            self._batch.extend(texts[:take])
            self._bytes = acc[take]
            self._n += take
            i += take
            if len(self._batch) >= _BATCH_DOCS or self._bytes >= self._max_bytes:
                self._flush()
        return i

    def _wait(self):
        """Waits for the batch being sketched; raises what it raised."""
        if self._pending is not None:
            self._pending.join()
            self._pending = None
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _sketch(self, batch):
        try:
            self._job.add(batch)
        except BaseException as e:  # handed to the caller's thread by _wait
            self._failure = e

    def _flush(self):
        """Hands the batch over to be sketched on a thread of its own (the
        library releases the GIL), so that reading the next batch (a file
        through syndic.read, a generator) overlaps with it, as the program
        overlaps reading and sketching."""
        self._wait()
        if self._batch:
            batch, self._batch, self._bytes = self._batch, [], 0
            self._pending = threading.Thread(target=self._sketch, args=(batch,), daemon=True)
            self._pending.start()

    def finish(self):
        """Finds and clusters the duplicates; returns the DedupResult."""
        if self._result is None:
            # the last batch is sketched here: nothing is left to read
            # alongside, and a thread started for it cost a small dedup
            # (a thousand texts) a twentieth of its time
            self._wait()
            if self._batch:
                batch, self._batch, self._bytes = self._batch, [], 0
                self._job.add(batch)
            self._job.finish()
            c, r, s, f = self._job.results()
            self._result = DedupResult(c, r, s, f, self._ids, self._job.stats())
        return self._result

    def results(self):
        """Finishes if needed, then yields a DedupRecord per document in
        input order."""
        return iter(self.finish())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._batch = []
        try:
            self._wait()
        except Exception:
            if exc[0] is None:
                raise
        return False


def dedup(texts, threshold=0.8, ngram=5, threads=None, num_perm=256, bands=0, rows=0, seed=0,
          memory=None, tmpdir=None, as_frame=False):
    """Near-duplicate documents of `texts` (any iterable of documents: str,
    (id, text) pairs, dicts, Records, a pandas Series; a generator streams),
    as `syndic dedup` finds them. Returns a DedupResult (with as_frame, a
    pandas DataFrame). See Deduper for the options."""
    with Deduper(threshold=threshold, ngram=ngram, num_perm=num_perm, bands=bands, rows=rows,
                 threads=threads, seed=seed, memory=memory, tmpdir=tmpdir) as d:
        d.add_many(texts)
        res = d.finish()
    res._index = _index_of(texts)
    return res.to_frame() if as_frame else res


# ---- trace -------------------------------------------------------------------------


def _num(v):
    """A number as the program's JSON writes it: 4 decimals, no trailing zeros."""
    s = "%.4f" % v
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


_ESC = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CTRL = re.compile(r'["\\\x00-\x1f]')


def _jstr(s):
    """A JSON string as the program writes it (UTF-8 kept, controls as \\u00XX)."""
    if s is None:
        return "null"
    if isinstance(s, bytes):
        s = s.decode("utf-8", "replace")
    return '"' + _CTRL.sub(lambda m: _ESC.get(m.group(), "\\u%04x" % ord(m.group())), s) + '"'


def _jranges(v):
    return "[" + ",".join("[%d,%d]" % r for r in v) + "]"


class Side:
    """One side of a passage: doc (index), id, start and end (bytes of the
    document's UTF-8 text, half-open), tokens."""

    __slots__ = ("doc", "id", "start", "end", "tokens")

    def __init__(self, doc, id, start, end, tokens):
        self.doc, self.id, self.start, self.end, self.tokens = doc, id, start, end, tokens

    def __repr__(self):
        return "Side(doc=%d, start=%d, end=%d, tokens=%d)" % (
            self.doc, self.start, self.end, self.tokens)


class Passage:
    """A passage two documents share: a and b (Side), columns and equal
    (aligned token columns, equal ones), identity, story (its story's id),
    changes (runs of differing bytes: (a_start, a_end, b_start, b_end))."""

    __slots__ = ("a", "b", "columns", "equal", "identity", "story", "changes")

    def __init__(self, t, ids=None):
        da, db, a0, a1, b0, b1, ta, tb, self.columns, self.equal, self.identity, \
            self.story, ch = t
        self.a = Side(da, ids[da] if ids else None, a0, a1, ta)
        self.b = Side(db, ids[db] if ids else None, b0, b1, tb)
        self.changes = [tuple(c) for c in ch]

    def json(self):
        def side(s):
            return '{"doc":%d,"id":%s,"start":%d,"end":%d,"tokens":%d}' % (
                s.doc, _jstr(s.id), s.start, s.end, s.tokens)
        return ('{"type":"passage","story":%d,"a":%s,"b":%s,"columns":%d,"equal":%d,'
                '"identity":%s,"changes":[%s]}' % (
                    self.story, side(self.a), side(self.b), self.columns, self.equal,
                    _num(self.identity), ",".join("[%d,%d,%d,%d]" % c for c in self.changes)))

    def __repr__(self):
        return "Passage(%r, %r, identity=%s)" % (self.a, self.b, _num(self.identity))


class Copy:
    """A document carrying a story: doc (index), id, role ("full",
    "truncated", "extended", "excerpt", "rewrite"), origin (True for the
    story's origin), share (of the consensus it carries), identity (with
    the origin), spans (where the story lies in it), added (its bytes the
    origin lacks), lacks (bytes of the origin's consensus it lacks), changed
    (its bytes aligned to different words)."""

    __slots__ = ("doc", "id", "role", "origin", "share", "identity", "spans", "added",
                 "lacks", "changed", "_trace")

    def __init__(self, t, origin, ids, trace):
        self.doc, self.role, self.share, self.identity, spans, added, lacks, changed = t
        self.spans, self.added = [tuple(r) for r in spans], [tuple(r) for r in added]
        self.lacks, self.changed = [tuple(r) for r in lacks], [tuple(r) for r in changed]
        self.id = ids[self.doc]
        self.origin = self.doc == origin
        self._trace = trace

    @property
    def text(self):
        """The story's text in this copy: its spans, joined by " ... "."""
        return " ... ".join(self._trace.text(self.doc, a, b) for a, b in self.spans)

    def __repr__(self):
        return "Copy(doc=%d, id=%r, role=%r, share=%s)" % (
            self.doc, self.id, self.role, _num(self.share))


class Story:
    """A story: documents linked by long shared passages. id, origin (the
    likely origin's document index), origin_by ("date" when it is the
    earliest dated copy, "coverage" when the copy carrying most of it),
    consensus (bytes of the origin shared with other copies),
    consensus_tokens, consensus_text, passages (how many), copies (Copy,
    in document order, origin included)."""

    __slots__ = ("id", "origin", "origin_by", "consensus", "consensus_tokens", "passages",
                 "copies", "_trace")

    def __init__(self, t, ids, trace):
        self.id, self.origin, by_date, consensus, self.consensus_tokens, self.passages, ms = t
        self.origin_by = "date" if by_date else "coverage"
        self.consensus = [tuple(r) for r in consensus]
        self.copies = [Copy(m, self.origin, ids, trace) for m in ms]
        self._trace = trace

    @property
    def consensus_text(self):
        """The origin's shared text, its pieces joined by " ... " (the
        program's "text" field)."""
        return " ... ".join(self._trace.text(self.origin, a, b) for a, b in self.consensus)

    @property
    def members(self):
        return len(self.copies)

    def json(self, text=True):
        t = self._trace
        out = ['{"type":"story","story":%d,"origin":{"doc":%d,"id":%s,"by":"%s"},'
               '"members":%d,"passages":%d,"consensus_tokens":%d,"consensus":%s' % (
                   self.id, self.origin, _jstr(t.docs[self.origin].id), self.origin_by,
                   len(self.copies), self.passages, self.consensus_tokens,
                   _jranges(self.consensus))]
        if text:
            out.append(',"text":' + _jstr(self.consensus_text))
        out.append(',"copies":[')
        out.append(",".join(
            '{"doc":%d,"id":%s,"role":"%s","origin":%s,"share":%s,"identity":%s,"spans":%s,'
            '"added":%s,"lacks":%s,"changed":%s}' % (
                c.doc, _jstr(c.id), c.role, "true" if c.origin else "false", _num(c.share),
                _num(c.identity), _jranges(c.spans), _jranges(c.added), _jranges(c.lacks),
                _jranges(c.changed)) for c in self.copies))
        out.append("]}")
        return "".join(out)

    def __repr__(self):
        return "Story(id=%d, origin=%d, copies=%d)" % (self.id, self.origin, len(self.copies))


class Doc:
    """A traced document: index, id, url, date, stories (ids of the stories
    it carries), error (why it could not be read, with file, line, offset)
    or skipped (a page without article text, with the reason)."""

    __slots__ = ("index", "id", "url", "date", "stories", "error", "skipped", "file", "line",
                 "offset")

    def __init__(self, index, d, stories):
        self.index, self.id, self.url, self.date = index, d.id, d.url, d.date
        self.error, self.skipped = d.error, d.skipped
        self.file, self.line, self.offset = d.file, d.line, d.offset
        self.stories = stories

    def json(self, text=None):
        out = ['{"type":"doc","doc":%d,"id":%s' % (self.index, _jstr(self.id))]
        if self.url:
            out.append(',"url":' + _jstr(self.url))
        if self.date:
            out.append(',"date":' + _jstr(self.date))
        if self.skipped or self.error:
            if self.skipped:
                out.append(',"stories":[],"skipped":' + _jstr(self.skipped))
            else:
                out.append(',"stories":[],"error":' + _jstr(self.error))
                if self.file:
                    out.append(',"file":' + _jstr(self.file))
                    if self.line:
                        out.append(',"line":%d' % self.line)
                    out.append(',"offset":%d' % self.offset)
            out.append("}")
            return "".join(out)
        out.append(',"stories":[%s]' % ",".join(map(str, self.stories)))
        if text is not None:
            out.append(',"text":' + _jstr(text))
        out.append("}")
        return "".join(out)

    def __repr__(self):
        return "Doc(index=%d, id=%r, stories=%r)" % (self.index, self.id, self.stories)


class TraceResult:
    """The result of syndic.trace(): .stories (Story), .passages (Passage,
    in order of documents and offsets), .docs (Doc, in input order),
    .stats; .text(doc) gives a document's text; .lines() the program's
    JSON lines; .html(path) writes the story report."""

    def __init__(self, job, docs):
        self._job = job
        ids = [d.id for d in docs]
        per_doc = job.doc_stories()
        self.docs = [Doc(i, d, per_doc[i]) for i, d in enumerate(docs)]
        self.stories = [Story(t, ids, self) for t in job.stories()]
        self.passages = [Passage(t, ids) for t in job.passages()]
        self.stats = job.stats()

    def text(self, doc, start=0, end=None):
        """Document `doc`'s text as traced (bytes [start, end) of its UTF-8),
        or None for a document without text."""
        if end is None:
            return self._job.doc_text(doc, start)
        return self._job.doc_text(doc, start, end)

    def lines(self, text=True, passages=False, doc_text=False):
        """The JSON lines `syndic trace` prints, without newlines: stories
        (with their consensus text unless text=False, as --no-text),
        passages (with passages=True, as --passages), docs (with their
        texts: doc_text=True for all, "story" for those in a story)."""
        for s in self.stories:
            yield s.json(text)
        if passages:
            for p in self.passages:
                yield p.json()
        for d in self.docs:
            with_text = doc_text is True or (doc_text == "story" and d.stories)
            yield d.json(self.text(d.index) if with_text else None)

    def html(self, path):
        """Writes the story report (one self-contained HTML page, as
        `syndic trace --html`) to path."""
        head, tail = _syndic.report_frame()
        with open(path, "wb") as f:
            f.write(head)
            first = True
            for line in self.lines(text=True, passages=True, doc_text="story"):
                if not first:
                    f.write(b",")
                first = False
                f.write(_syndic.report_json(line.encode("utf-8")))
                f.write(b"\n")
            f.write(tail)

    def __repr__(self):
        return "TraceResult(%d documents, %d stories, %d passages)" % (
            len(self.docs), len(self.stories), len(self.passages))


def trace(docs, min_passage=30, max_df=0, max_gap=0, min_identity=0.5, exact=False,
          all_text=False, threads=None, seed=0, memory=None, tmpdir=None):
    """Passage-level text reuse, as `syndic trace`: which passages of which
    documents are copies of each other, grouped into stories. `docs` is
    any iterable of documents (see the module's help); a dict's or Record's
    "date" lets the earliest copy be the origin, its "url" tells pages of
    one site apart. Options as the program's: min_passage (fewest tokens),
    max_df (0: automatic), max_gap, min_identity, exact, all_text, threads,
    seed, memory (bytes or "4G"), tmpdir. Returns a TraceResult."""
    limit = _size(memory)
    job = _syndic.Trace(min_passage=min_passage, max_df=max_df, max_gap=max_gap,
                        min_identity=float(min_identity), exact=bool(exact), threads=threads,
                        seed=seed, memory=limit, tmpdir=tmpdir, all_text=bool(all_text))
    kept, batch, size, max_bytes = [], [], 0, _batch_bytes(limit)
    for d in _docs(docs):
        kept.append(d)
        batch.append((d.text, d.date, d.url))
        size += len(d.text) if d.text is not None else 0
        if len(batch) >= _BATCH_DOCS or size >= max_bytes:
            job.add(batch)
            batch, size = [], 0
    if batch:
        job.add(batch)
    for d in kept:
        d.text = None  # the job has its own copy
    job.finish()
    return TraceResult(job, kept)


def align(a, b, min_passage=30, max_gap=0, min_identity=0.5, exact=False, all_text=False):
    """The passages two texts share, as `syndic align` (a is document 0,
    b document 1): a list of Passage."""
    return [Passage(t, [None, None]) for t in _syndic.align(
        a, b, min_passage=min_passage, max_gap=max_gap, min_identity=float(min_identity),
        exact=bool(exact), all_text=bool(all_text))]


# ---- extract and read -----------------------------------------------------------------


class Paragraph:
    """A paragraph of an article: text, kind ("text", "heading", "item",
    "quote", "pre", "cell", "caption"), level, start and end (bytes of the
    article's text)."""

    __slots__ = ("text", "kind", "level", "start", "end")

    def __init__(self, t):
        self.text, self.kind, self.level, self.start, self.end = t

    def __repr__(self):
        return "Paragraph(%r, kind=%r)" % (self.text[:40], self.kind)


class Article:
    """A web page's article (as `syndic extract --jsonl`): text (its
    paragraphs joined by blank lines), title, date (YYYY-MM-DD), lang,
    paragraphs, found (False when the page has none, with reason), method,
    charset, author, date_modified, site_name, page_lang, canonical_url,
    description, comments (with comments=True), links (text, url, start,
    end; with links=True), repaired (bytes replaced while decoding)."""

    def __init__(self, d):
        self.__dict__.update(d)
        self.found = bool(self.found)
        self.paragraphs = [Paragraph(p) for p in self.paragraphs]
        self.comments = [Paragraph(p) for p in self.comments]

    def __repr__(self):
        return "Article(title=%r, %d paragraphs)" % (self.title, len(self.paragraphs))


def extract(html, url=None, charset=None, whole_page=False, comments=False, links=False,
            captions=False, no_tables=False, min_words=10, max_html=None):
    """The article of a web page (str, or bytes in any charset: the page's
    own declaration or its bytes tell which). url, when known, dates a page
    that gives no date. whole_page keeps all the visible text."""
    return Article(_syndic.extract(html, url, charset, whole_page=bool(whole_page),
                                   comments=bool(comments), links=bool(links),
                                   captions=bool(captions), no_tables=bool(no_tables),
                                   min_words=min_words,
                                   max_html=-1 if max_html is None else max_html))


class Record:
    """A record read by syndic.read(): index, id, text (a page's article
    text, resolved as the program does), html (a page's markup), url, date,
    source (the file), line, offset (in the decompressed input), format,
    charset, repaired, and when it failed: error (the reason) and code (the
    SD_E* code); skipped when a page has no article text (with the reason).
    ok is True when the record has text."""

    __slots__ = ("index", "id", "text", "html", "url", "date", "source", "line", "offset",
                 "format", "code", "error", "skipped", "charset", "repaired")

    def __init__(self, t):
        (self.index, self.id, self.text, self.html, self.url, self.date, self.source,
         self.line, self.offset, self.format, self.code, self.error, self.skipped,
         self.charset, self.repaired) = t

    @property
    def ok(self):
        return not self.code and not self.skipped and self.text is not None

    def __getitem__(self, key):  # rec["text"], as for a JSONL dict
        return getattr(self, key)

    def __repr__(self):
        if self.ok:
            return "Record(index=%d, id=%r, %d chars)" % (self.index, self.id, len(self.text))
        return "Record(index=%d, id=%r, %s=%r)" % (
            self.index, self.id, "skipped" if self.skipped else "error",
            self.skipped or self.error)


def read(*paths, id_field="id", text_field="text", html_field="html", format="auto",
         repair_utf8=False, max_record=None, whole_page=False, threads=None):
    """Iterates the records of files, directories and crawls with the
    program's readers (JSONL, JSON, CSV, TSV, WARC, HTML, text; gzip and
    zstd), pages given their article text as `syndic dedup` and `trace`
    read them. Every record comes out, failed ones with .error set."""
    if len(paths) == 1 and isinstance(paths[0], (list, tuple)):
        paths = tuple(paths[0])
    reader = _syndic.Reader(list(paths), id_field=id_field, text_field=text_field,
                            html_field=html_field, format=format, repair_utf8=bool(repair_utf8),
                            max_record=-1 if max_record is None else max_record,
                            whole_page=bool(whole_page), threads=threads)
    for t in reader:
        yield Record(t)
