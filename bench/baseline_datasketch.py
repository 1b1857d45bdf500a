#!/usr/bin/env python3
"""Baseline for `make bench`: near-duplicate detection with the Python MinHash
library datasketch, the way its users write it: lowercase word tokens, word
5-gram shingles, MinHash(num_perm=128).update_batch, MinHashLSH at the same
threshold, query-then-insert, union-find over the matches.

    baseline_datasketch.py CORPUS.jsonl MEGABYTES [THRESHOLD]

Processes the first MEGABYTES of text of the corpus and prints its throughput.
datasketch is not a Debian package: point DATASKETCH_SRC at a checkout of it
(it needs python3-numpy and python3-scipy). Without it, prints a line saying
the baseline was skipped and exits 0.
"""
import json
import os
import re
import sys
import time

src = os.environ.get("DATASKETCH_SRC")
if src:
    sys.path.insert(0, src)
try:
    from datasketch import MinHash, MinHashLSH
except Exception as e:  # noqa: BLE001 - any import failure means no baseline
    if __name__ != "__main__":
        raise
    print(f"baseline: skipped: datasketch not importable ({e}); set DATASKETCH_SRC")
    sys.exit(0)

WORD = re.compile(r"\w+")


def main():
    path, megabytes = sys.argv[1], float(sys.argv[2])
    threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 0.8
    limit = int(megabytes * 1e6)
    docs = []
    size = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            docs.append((rec["id"], rec["text"]))
            size += len(rec["text"].encode("utf-8"))
            if size >= limit:
                break
    secs, clusters = run(docs, threshold)
    print(f"baseline: datasketch {len(docs)} docs {size / 1e6:.1f} MB {secs:.2f} s "
          f"{size / 1e6 / secs:.2f} MB/s clusters {clusters}")


def run(docs, threshold):
    """Clusters (id, text) pairs; returns (seconds, clusters). bench/python_bench.py
    calls it in its own process."""
    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    parent = list(range(len(docs)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, (_, text) in enumerate(docs):
        words = WORD.findall(text.lower())
        shingles = {" ".join(words[j:j + 5]) for j in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in shingles])
        for other in lsh.query(m):
            a, b = find(i), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
        lsh.insert(i, m)
    secs = time.perf_counter() - t0
    return secs, len({find(i) for i in range(len(docs))})


if __name__ == "__main__":
    main()
