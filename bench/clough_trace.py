#!/usr/bin/env python3
"""clough_trace.py: syndic trace on the Clough-Stevenson short-answer corpus.

  clough_trace.py TRACE_RUN [DATA_DIR]

Writes the 100 texts (5 Wikipedia sources, 95 answers; bytes decoded as
UTF-8, else Windows-1252) to a JSONL file, runs TRACE_RUN (bench/trace_run)
on it, and reports per category (cut, light, heavy, non) the mean share of an
answer's bytes that lie in a story its task's source is in, and how many
answers share a story with their source at all. Expected: cut > light >
heavy > non, and no non-reuse answer linked. CLOUGH_ALL_TEXT=1 runs trace
with every word allowed to start a passage (--all-text), as suits texts that
are not news pages. Prints "skipped: ..." when the data is absent.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict


def decode(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("cp1252", errors="replace")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    data = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "..", "shared", "data", "clough-stevenson")
    info = os.path.join(data, "file_information.csv")
    if not os.path.exists(info):
        print("skipped: ../shared/data/clough-stevenson absent")
        return 0
    rows = list(csv.DictReader(open(info)))
    files = [r["File"] for r in rows] + ["orig_task%s.txt" % t for t in "abcde"]
    cat = {r["File"]: r["Category"] for r in rows}
    task = {r["File"]: r["Task"] for r in rows}
    files = sorted(set(files))
    texts = [decode(open(os.path.join(data, "files", f), "rb").read()) for f in files]
    index = {f: i for i, f in enumerate(files)}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "cs.jsonl")
        with open(corpus, "w", encoding="utf-8") as out:
            for f, t in zip(files, texts):
                out.write(json.dumps({"id": f, "text": t}) + "\n")
        all_text = os.environ.get("CLOUGH_ALL_TEXT", "0")
        res = subprocess.run([sys.argv[1], corpus, "1", "0", "0", all_text], capture_output=True,
                             text=True, check=True)
    # an answer's bytes in a story its source is in (trace links copies
    # to the first document with each passage and aligns them against the
    # story's origin, so not every copy has a passage with the source)
    covered = defaultdict(list)  # answer index -> byte ranges in its source's stories
    src_of = {index[f]: index.get("orig_task%s.txt" % task[f]) for f in cat if cat[f] != "orig"}
    for line in res.stdout.splitlines():
        o = json.loads(line)
        if o["type"] != "story":
            continue
        members = {c["doc"]: c for c in o["copies"]}
        for d, c in members.items():
            if src_of.get(d) is not None and src_of[d] in members:
                covered[d].extend(tuple(r) for r in c["spans"])
    share = defaultdict(list)
    linked = defaultdict(int)
    for f in cat:
        if cat[f] == "orig":
            continue
        i = index[f]
        iv = sorted(covered.get(i, []))
        tot, ce = 0, -1
        for s, e in iv:
            s = max(s, ce)
            if e > s:
                tot += e - s
                ce = e
        n = len(texts[i].encode("utf-8"))
        share[cat[f]].append(tot / n if n else 0)
        linked[cat[f]] += 1 if iv else 0
    order = ["cut", "light", "heavy", "non"]
    for c in order:
        v = share[c]
        print("clough_%s answers %d mean_reuse_share %.3f linked_to_source %d" %
              (c, len(v), sum(v) / len(v) if v else 0, linked[c]))
    means = [sum(share[c]) / len(share[c]) for c in order]
    ok = all(means[i] > means[i + 1] for i in range(3)) and linked["non"] == 0
    print("clough_ordering cut>light>heavy>non %s, non linked %d: %s" %
          ("holds" if all(means[i] > means[i + 1] for i in range(3)) else "FAILS", linked["non"],
           "PASS" if ok else "FAIL"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
