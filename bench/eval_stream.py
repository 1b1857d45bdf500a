#!/usr/bin/env python3
"""eval_stream.py: scores syndic trace output against gen_stream.py truth.

  eval_stream.py TRUTH.json OUT.jsonl

The metric is pairwise, on pages: a pair of pages is true when the truth says
they carry a story in common, predicted when the output puts them in a story
in common (a "doc" line's "stories"). Reported: precision and recall of the
predicted pairs; the false pairs split into pages of one site (a template
linked them) and of different sites; per story printed at least 10 times,
the share of its pages found in its largest predicted story.
"""
import json
import sys
from collections import Counter, defaultdict


def pairs(groups):
    """The set of page pairs (i, j), i < j, that share a group."""
    out = set()
    for members in groups.values():
        m = sorted(set(members))
        for x in range(len(m)):
            a = m[x]
            for b in m[x + 1:]:
                out.add((a, b))
    return out


def main():
    truth = json.load(open(sys.argv[1]))
    idx = {d["id"]: i for i, d in enumerate(truth["docs"])}
    site = [d["site"] for d in truth["docs"]]
    tgroups = defaultdict(list)
    for i, d in enumerate(truth["docs"]):
        for s in d["stories"]:
            tgroups[s].append(i)
    pgroups = defaultdict(list)
    pred_of = defaultdict(list)
    nstories = 0
    for line in open(sys.argv[2]):
        o = json.loads(line)
        if o["type"] == "story":
            nstories += 1
        if o["type"] != "doc" or o["id"] not in idx:
            continue
        i = idx[o["id"]]
        for s in o.get("stories", []):
            pgroups[s].append(i)
            pred_of[i].append(s)
    tp_set, pp_set = pairs(tgroups), pairs(pgroups)
    tp = len(tp_set & pp_set)
    fp_pairs = pp_set - tp_set
    same_site = sum(1 for a, b in fp_pairs if site[a] == site[b])
    p = tp / len(pp_set) if pp_set else 1.0
    r = tp / len(tp_set) if tp_set else 1.0
    print("pages %d, true stories %d (%d printed twice or more), predicted stories %d"
          % (len(truth["docs"]), len(tgroups), sum(1 for m in tgroups.values() if len(m) > 1),
             nstories))
    print("pairs sharing a story: true %d, predicted %d, correct %d" % (len(tp_set), len(pp_set), tp))
    print("pairwise precision %.4f recall %.4f F1 %.4f" % (p, r, 2 * p * r / (p + r) if p + r else 0))
    print("false pairs: %d of pages of one site, %d of different sites" %
          (same_site, len(fp_pairs) - same_site))
    for s, m in sorted(tgroups.items(), key=lambda kv: -len(kv[1])):
        if len(m) < 10:
            break
        c = Counter(x for i in m for x in set(pred_of.get(i, [])))
        best = c.most_common(1)[0] if c else (None, 0)
        print("story printed %d times: %d pages (%.4f) in its largest predicted story %s" %
              (len(m), best[1], best[1] / len(m), best[0]))
    # small stories: share found as one story
    small = [m for m in tgroups.values() if 2 <= len(m) < 10]
    whole = 0
    for m in small:
        c = Counter(x for i in m for x in set(pred_of.get(i, [])))
        if c and c.most_common(1)[0][1] == len(m):
            whole += 1
    if small:
        print("stories printed 2 to 9 times: %d of %d found whole (%.4f)" %
              (whole, len(small), whole / len(small)))


if __name__ == "__main__":
    main()
