"""syndic.dedup and syndic.Deduper against the program and on their own."""
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

import pytest

import syndic
from conftest import ROOT, run_lines, run_prog


def program_view(res):
    """The result as the program's JSON lines say it: (id, cluster,
    duplicate_of id, similarity as printed, exact) per record."""
    out = []
    for r in res:
        if r.absent:
            out.append((r.id, None))
            continue
        dup = res.ids[r.duplicate_of] if r.duplicate_of >= 0 else None
        sim = syndic._num(r.similarity) if r.duplicate_of >= 0 else None
        out.append((r.id, r.cluster, dup, sim, r.exact))
    return out


def prog_view(lines):
    out = []
    for d in lines:
        if d.get("cluster") is None:
            out.append((d["id"], None))
            continue
        sim = d["similarity"]
        out.append((d["id"], d["cluster"], d["duplicate_of"],
                    None if sim is None else syndic._num(sim), d.get("exact", False)))
    return out


def test_news_equals_program(prog):
    res = syndic.dedup(syndic.read(os.path.join(ROOT, "examples/news.jsonl")))
    assert len(res) == 12
    assert program_view(res) == prog_view(run_lines(prog, "dedup", "-q", "examples/news.jsonl"))
    # the README's reading of it
    assert res.stats["clusters"] == 7 and res.stats["duplicates"] == 5
    assert res.ids[res.duplicate_of[5]] == "wire/ferry" and res.exact[5]
    assert res.keep_mask() == [True] * 5 + [False] * 4 + [True, True, False]


def test_pages_crawl_equals_program(prog, tmp_path):
    crawl = tmp_path / "crawl.warc.gz"
    pages = sorted(os.path.join("examples/pages", p) for p in os.listdir(
        os.path.join(ROOT, "examples/pages")))
    subprocess.run(["sh", "tests/mkwarc.sh", str(crawl)] + pages, cwd=ROOT, check=True)
    res = syndic.dedup(syndic.read(str(crawl)))
    assert program_view(res) == prog_view(run_lines(prog, "dedup", "-q", str(crawl)))
    assert res.absent == [False, False, False, True]  # the section front: no article


def test_bench_corpus_equals_program(prog, gen_dedup, tmp_path):
    corpus = tmp_path / "x.jsonl"
    with open(corpus, "wb") as f:
        subprocess.run([gen_dedup, "-m", "5"], stdout=f, check=True)
    lines = run_lines(prog, "dedup", "-q", str(corpus))
    res = syndic.dedup(syndic.read(str(corpus)))
    assert program_view(res) == prog_view(lines)
    assert res.stats["duplicates"] > 100
    # the same texts as plain (id, text) pairs, on one thread, under a limit
    with open(corpus, encoding="utf-8") as f:
        pairs = [(r["id"], r["text"]) for r in map(json.loads, f)]
    res1 = syndic.dedup(iter(pairs), threads=1, memory="4M")
    assert program_view(res1) == program_view(res)
    assert res1.stats["spilled"] > 0
    # a list takes add_many's batched path (cut at a batch's bytes under
    # the limit): the same results, ids kept
    res2 = syndic.dedup(pairs, threads=1, memory="4M")
    assert program_view(res2) == program_view(res)
    assert res2.ids == [i for i, _ in pairs]


def test_lists_batched_as_one_by_one():
    texts = ["story %d of the ferry, the harbour and the island number %d" % (i % 700, i)
             for i in range(9000)]
    one_by_one = syndic.dedup(iter(texts), threshold=0.5)
    ids = ["d%d" % i for i in range(9000)]
    mixed = list(zip(ids, texts))
    mixed[6000] = {"id": ids[6000], "text": texts[6000]}  # a dict: the rest one by one
    mixed[7000] = None
    for docs in (texts, tuple(texts), list(zip(ids, texts)), mixed,
                 list(zip([None] * 9000, texts))):
        res = syndic.dedup(docs, threshold=0.5)
        want = list(one_by_one.cluster)
        if docs is mixed:
            want[7000] = -1
            assert res.absent[7000]
        assert list(res.cluster)[:7000] == want[:7000]
        assert len(res) == 9000
    assert syndic.dedup(mixed, threshold=0.5).ids == ids[:7000] + [None] + ids[7001:]
    assert syndic.dedup(texts).ids == [None] * 9000


def test_inputs_of_every_kind():
    a = "the ferry link between the two harbours reopened on monday morning after repairs"
    b = a + " today"
    res = syndic.dedup([a, ("x", b), {"id": "y", "text": a}, None, a.encode()], threshold=0.5)
    assert list(res.cluster) == [0, 0, 0, -1, 0]
    assert list(res.duplicate_of) == [-1, 0, 0, -1, 0]
    assert res.absent == [False, False, False, True, False]
    assert res.exact == [False, False, True, False, True]
    assert res.ids == [None, "x", "y", None, None]
    assert res.similarity[0] == 1.0 and 0.5 < res.similarity[1] < 1.0
    assert res.keep_mask() == [True, False, False, False, False]
    gen = (t for t in [a, b])
    assert list(syndic.dedup(gen, threshold=0.5).cluster) == [0, 0]
    assert len(syndic.dedup([])) == 0
    with pytest.raises(TypeError):
        syndic.dedup([3])
    with pytest.raises(TypeError):
        syndic.dedup("one text")


def test_unicode_ids_and_texts_round_trip():
    text = "Das Fährschiff legte um 7 Uhr ab; 渡し船は午前七時に出航した。Паром отошёл в семь. 🚢 " * 3
    ids = ["fähre/1", "渡し船/2", "паром/3", "🚢"]
    res = syndic.dedup(list(zip(ids, [text, text, text + " ещё", text])))
    assert res.ids == ids
    assert [r.id for r in res] == ids
    assert list(res.duplicate_of) == [-1, 0, 0, 0]
    with syndic.Deduper() as d:
        for i, t in zip(ids, [text] * 4):
            d.add(t, id=i)
        assert [r.id for r in d.results()] == ids


def test_deduper_streams_as_dedup():
    texts = ["story number %d tells of the ferry and the harbour and the island %d" % (i % 50, i)
             for i in range(300)]
    whole = syndic.dedup(texts, threshold=0.5)
    with syndic.Deduper(threshold=0.5, memory="2M") as d:
        for i, t in enumerate(texts):
            assert d.add(t, id=str(i)) == i
        got = list(d.results())
    assert [r.cluster for r in got] == list(whole.cluster)
    assert [r.similarity for r in got] == list(whole.similarity)
    with pytest.raises(syndic.Error):
        d.add("late")


def test_bad_options_are_named():
    with pytest.raises(syndic.InputError, match="threshold"):
        syndic.dedup(["a"], threshold=1.5)
    with pytest.raises(ValueError, match="ngram"):
        syndic.dedup(["a"], ngram=0)
    with pytest.raises(syndic.InputError, match="num_perm"):
        syndic.Deduper(num_perm=100)
    with pytest.raises(syndic.InputError, match="bands"):
        syndic.Deduper(bands=4)
    with pytest.raises(syndic.InputError, match="512M or 4G.*4X"):
        syndic.Deduper(memory="4X")
    with pytest.raises(syndic.InputError, match="memory"):
        syndic.Deduper(memory=1000)
    with pytest.raises(TypeError, match="colour"):
        syndic.Deduper(colour=1)
    with pytest.raises(syndic.InputError, match="threads"):
        syndic.Deduper(threads=-1)


def test_errors_are_library_errors(tmp_path):
    missing = tmp_path / "absent.jsonl"
    recs = list(syndic.read(str(missing)))
    assert len(recs) == 1 and not recs[0].ok and recs[0].code == -3
    assert str(missing) in recs[0].error or "No such file" in recs[0].error
    assert issubclass(syndic.FileError, OSError) and issubclass(syndic.FileError, syndic.Error)
    assert issubclass(syndic.OutOfMemoryError, MemoryError)
    with pytest.raises(syndic.FileError) as e:
        syndic.dedup((_words(i) for i in range(5000)), memory="4M", tmpdir=str(missing))
    assert e.value.code == -3 and e.value.reason


def test_pandas_series_and_frame():
    pd = pytest.importorskip("pandas")
    a = "the ferry link between the two harbours reopened on monday morning after repairs"
    df = pd.DataFrame({"id": ["p", "q", "r"], "text": [a, a, "something else entirely here"]},
                      index=[10, 20, 30])
    res = syndic.dedup(df["text"])
    assert list(res.duplicate_of) == [-1, 0, -1]
    frame = syndic.dedup(df["text"], as_frame=True)
    assert list(frame.index) == [10, 20, 30]
    assert list(frame["keep"]) == [True, False, True]
    assert list(frame["cluster"]) == [0, 0, 1]
    frame = syndic.dedup(df, as_frame=True)  # rows, with their ids
    assert list(frame["id"]) == ["p", "q", "r"]
    assert df[frame["keep"].values].shape == (2, 2)


def test_works_without_pandas():
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "import syndic\n"
        "r = syndic.dedup(['a b c d e f', 'a b c d e f'])\n"
        "assert list(r.duplicate_of) == [-1, 0]\n"
        "try:\n"
        "    syndic.dedup(['a'], as_frame=True)\n"
        "except ImportError:\n"
        "    print('no pandas')\n")
    out = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "no pandas"


def _words(i, n=12):
    return " ".join("w%d" % ((i * 7919 + k * 104729) % 50000) for k in range(n))


def test_ctrl_c_stops_a_long_dedup():
    def interrupt():
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGINT)

    gen = (_words(i, 60) for i in range(10_000_000))  # minutes of work
    t = threading.Thread(target=interrupt)
    t0 = time.monotonic()
    t.start()
    with pytest.raises(KeyboardInterrupt):
        syndic.dedup(gen, threads=1)
    t.join()
    assert time.monotonic() - t0 < 30
    # the package is usable afterwards
    assert list(syndic.dedup(["x y z"] * 2).duplicate_of) == [-1, 0]


MEMORY_CHILD = """
import resource, sys, syndic
n, limit = int(sys.argv[1]), sys.argv[2]
def gen():
    for i in range(n):
        yield ("r%d" % i, " ".join("w%d" % ((i * 7919 + k * 104729) % 50000) for k in range(12)))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
res = syndic.dedup(gen(), memory=limit)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(len(res), base, peak, res.stats["spilled"])
"""


def memory_run(n, limit):
    out = subprocess.run([sys.executable, "-P", "-c", MEMORY_CHILD, str(n), limit],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return [int(x) for x in out.stdout.split()]


@pytest.mark.skipif(not os.environ.get("SYNDIC_SLOW"),
                    reason="1M records take minutes: make bench-python runs it (SYNDIC_SLOW=1)")
def test_one_million_records_within_memory():
    n, base, peak, spilled = memory_run(1_000_000, "64M")
    # the job within its limit; the results (ids, 3 arrays) are the caller's
    results = n * (8 * 3 + 2) + n * 60
    print("1M records: peak %.1f MB, interpreter %.1f MB" % (peak / 1e6, base / 1e6))
    assert n == 1_000_000 and spilled > 0
    assert peak - base <= 64 * 2**20 + results


def test_records_stream_within_memory():
    n, base, peak, spilled = memory_run(50_000, "16M")
    results = n * (8 * 3 + 2) + n * 60
    assert n == 50_000 and spilled > 0
    assert peak - base <= 16 * 2**20 + results, (peak - base) / 1e6
