#!/usr/bin/env python3
"""The Python package's dedup against the program and against datasketch.

    python_bench.py SYNDIC_PROGRAM CORPUS.jsonl DATASKETCH_MB

1. The binding's overhead: `syndic dedup CORPUS` (default threads) against
   syndic.dedup(syndic.read(CORPUS)) in this process, the same records and
   the same results; median wall time of 5 alternating runs each. Also
   syndic.dedup over (id, text) pairs already in a list (json parsed by
   Python, not timed), the path of a caller who has texts in memory.
2. One core: the program with -j 1 against syndic.dedup(..., threads=1).
3. Against datasketch (bench/baseline_datasketch.py's procedure, as its
   users write it) on the first DATASKETCH_MB of the corpus, in this
   process, against syndic.dedup(threads=1) on the same texts: end to end
   from texts in memory to clusters, in wall time and in the process's CPU
   time. Skipped, saying so, without DATASKETCH_SRC.
"""
import json
import os
import statistics
import subprocess
import sys
import time

import syndic

prog, corpus, ds_mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
RUNS = int(os.environ.get("RUNS", 5))


def wall(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run_prog(*args):
    subprocess.run([prog, "dedup", "-q", *args, corpus], stdout=subprocess.DEVNULL, check=True)


def median_pair(a, b):
    ta, tb = [], []
    for _ in range(RUNS):
        ta.append(wall(a))
        tb.append(wall(b))
    return statistics.median(ta), statistics.median(tb)


size = os.path.getsize(corpus)
with open(corpus, encoding="utf-8") as f:
    pairs = [(r["id"], r["text"]) for r in map(json.loads, f)]
text_mb = sum(len(t.encode("utf-8")) for _, t in pairs) / 1e6
print("corpus: %s, %d records, %.1f MB of text (%.1f MB file); machine: shared 2-core VM"
      % (corpus, len(pairs), text_mb, size / 1e6))

# the results are the program's
mine = syndic.dedup(syndic.read(corpus))
out = subprocess.run([prog, "dedup", "-q", corpus], capture_output=True, check=True).stdout
theirs = [json.loads(line) for line in out.splitlines()]
same = all(r.cluster == d["cluster"] for r, d in zip(mine, theirs)) and len(mine) == len(theirs)
print("results equal to the program's: %s (%d clusters)" % (same, mine.stats["clusters"]))

for label, popt, threads in (("default threads", (), None), ("one core", ("-j", "1"), 1)):
    tp, tr = median_pair(lambda: run_prog(*popt),
                         lambda: syndic.dedup(syndic.read(corpus), threads=threads))
    _, tl = median_pair(lambda: None, lambda: syndic.dedup(pairs, threads=threads))
    print("%s: program %.3f s, syndic.dedup(syndic.read()) %.3f s (%+.1f%%), "
          "syndic.dedup(list of texts) %.3f s (%+.1f%%)"
          % (label, tp, tr, (tr / tp - 1) * 100, tl, (tl / tp - 1) * 100))

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if os.environ.get("DATASKETCH_SRC"):
    import baseline_datasketch

    docs, got = [], 0
    for p in pairs:
        docs.append(p)
        got += len(p[1].encode("utf-8"))
        if got >= ds_mb * 1e6:
            break
    c0 = time.process_time()
    ds_secs, ds_clusters = baseline_datasketch.run(docs, 0.8)
    ds_cpu = time.process_time() - c0
    ts, cs = [], []
    for _ in range(RUNS):
        t0, c0 = time.perf_counter(), time.process_time()
        res = syndic.dedup(docs, threads=1)
        cs.append(time.process_time() - c0)
        ts.append(time.perf_counter() - t0)
    sy, sc = statistics.median(ts), statistics.median(cs)
    print("against datasketch, one core, %d records (%.1f MB): datasketch %.2f s "
          "(%.2f MB/s, %d clusters), syndic.dedup %.4f s (%.1f MB/s, %d clusters): %.0fx"
          % (len(docs), got / 1e6, ds_secs, got / 1e6 / ds_secs, ds_clusters, sy,
             got / 1e6 / sy, res.stats["clusters"], ds_secs / sy))
    # CPU time of the process (all its threads): on a shared machine, less
    # moved by the other work than wall time
    print("same, CPU time: datasketch %.2f s, syndic.dedup %.4f s (%.1f MB/s): %.0fx"
          % (ds_cpu, sc, got / 1e6 / sc, ds_cpu / sc))
else:
    print("against datasketch: skipped: set DATASKETCH_SRC to a checkout of datasketch "
          "(it needs python3-numpy and python3-scipy)")
