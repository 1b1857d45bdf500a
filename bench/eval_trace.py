#!/usr/bin/env python3
"""eval_trace.py: scores syndic trace output against gen_trace.py ground truth.

  eval_trace.py TRUTH.json OUT.jsonl

Stories: every ground-truth story segment (a page's copy of a story) and every
independent rewrite is an item; its predicted story is the one whose spans in
that document overlap it most (none: a cluster of its own). Reported: pairwise
precision and recall of same-story pairs and the adjusted Rand index.

Passages, as in the PAN text-alignment task (Potthast et al. 2010) at byte
level: a case is a page's copy of a story against the story's source
document; a detection is a passage one of whose documents is a source. Reported:
precision, recall, granularity and plagdet = F1 / log2(1 + granularity).
"""
import json
import math
import sys
from collections import defaultdict


def union_len(iv):
    iv = sorted(iv)
    tot, cur_s, cur_e = 0, None, None
    for s, e in iv:
        if e <= s:
            continue
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                tot += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        tot += cur_e - cur_s
    return tot


def inter(a, b):
    s, e = max(a[0], b[0]), min(a[1], b[1])
    return (s, e) if e > s else None


def comb2(n):
    return n * (n - 1) // 2


def main():
    truth = json.load(open(sys.argv[1]))
    stories, passages = [], []
    for line in open(sys.argv[2]):
        o = json.loads(line)
        if o["type"] == "story":
            stories.append(o)
        elif o["type"] == "passage":
            passages.append(o)
    sources = {int(k): v for k, v in truth["sources"].items()}
    src_docs = set(sources.values())

    # ---- stories ----
    spans_by_doc = defaultdict(list)  # doc -> [(story, start, end)]
    for s in stories:
        for c in s["copies"]:
            for a, b in c["spans"]:
                spans_by_doc[c["doc"]].append((s["story"], a, b))
    items_true, items_pred = [], []
    fresh = [0]

    def singleton():
        fresh[0] += 1
        return ("none", fresh[0])

    for d, doc in enumerate(truth["docs"]):
        for seg in doc["segments"]:
            ov = defaultdict(int)
            for st, a, b in spans_by_doc.get(d, []):
                x = inter((a, b), (seg["start"], seg["end"]))
                if x:
                    ov[st] += x[1] - x[0]
            items_true.append(seg["story"])
            items_pred.append(max(sorted(ov), key=lambda k: ov[k]) if ov else singleton())
    for d in truth["rewrites"]:
        sts = sorted({st for st, a, b in spans_by_doc.get(d, [])})
        items_true.append(("rewrite", d))
        items_pred.append(sts[0] if sts else singleton())
    cont = defaultdict(int)
    rows, cols = defaultdict(int), defaultdict(int)
    for t, p in zip(items_true, items_pred):
        cont[(t, p)] += 1
        rows[t] += 1
        cols[p] += 1
    n = len(items_true)
    sum_c = sum(comb2(v) for v in cont.values())
    sum_r = sum(comb2(v) for v in rows.values())
    sum_k = sum(comb2(v) for v in cols.values())
    expected = sum_r * sum_k / comb2(n) if n > 1 else 0
    maxi = (sum_r + sum_k) / 2
    ari = (sum_c - expected) / (maxi - expected) if maxi != expected else 1.0
    pp = sum_c / sum_k if sum_k else 1.0
    pr = sum_c / sum_r if sum_r else 1.0
    print("stories: items %d, true stories %d, predicted clusters %d" % (n, len(rows), len(cols)))
    print("story_pairwise_precision %.4f recall %.4f ARI %.4f" % (pp, pr, ari))

    # ---- passages (PAN) ----
    cases = []  # (susp doc, susp range, src doc, [src ranges])
    for d, doc in enumerate(truth["docs"]):
        if d in src_docs:
            continue
        for seg in doc["segments"]:
            cases.append((d, (seg["start"], seg["end"]), sources[seg["story"]],
                          [tuple(r) for r in seg["src"]]))
    dets = []
    for p in passages:
        a, b = p["a"], p["b"]
        if a["doc"] in src_docs:
            dets.append((b["doc"], (b["start"], b["end"]), a["doc"], (a["start"], a["end"])))
        elif b["doc"] in src_docs:
            dets.append((a["doc"], (a["start"], a["end"]), b["doc"], (b["start"], b["end"])))
    det_by_pair = defaultdict(list)
    for i, r in enumerate(dets):
        det_by_pair[(r[0], r[2])].append(i)
    case_by_pair = defaultdict(list)
    for i, s in enumerate(cases):
        case_by_pair[(s[0], s[2])].append(i)
    rec_sum, gran_sum, detected = 0.0, 0, 0
    for s in cases:
        su, so = [], []
        hits = 0
        for i in det_by_pair.get((s[0], s[2]), []):
            r = dets[i]
            x = inter(s[1], r[1])
            ys = [inter(q, r[3]) for q in s[3]]
            ys = [y for y in ys if y]
            if x and ys:
                hits += 1
                su.append(x)
                so.extend(ys)
        size = (s[1][1] - s[1][0]) + sum(e - b for b, e in s[3])
        rec_sum += (union_len(su) + union_len(so)) / size if size else 0
        if hits:
            detected += 1
            gran_sum += hits
    prec_sum = 0.0
    for r in dets:
        su, so = [], []
        for i in case_by_pair.get((r[0], r[2]), []):
            s = cases[i]
            x = inter(s[1], r[1])
            ys = [inter(q, r[3]) for q in s[3]]
            ys = [y for y in ys if y]
            if x and ys:
                su.append(x)
                so.extend(ys)
        size = (r[1][1] - r[1][0]) + (r[3][1] - r[3][0])
        prec_sum += (union_len(su) + union_len(so)) / size if size else 0
    rec = rec_sum / len(cases) if cases else 1.0
    prec = prec_sum / len(dets) if dets else 1.0
    gran = gran_sum / detected if detected else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    plagdet = f1 / math.log2(1 + gran)
    print("passages: cases %d, detections %d" % (len(cases), len(dets)))
    print("passage_precision %.4f recall %.4f granularity %.4f plagdet %.4f" % (prec, rec, gran, plagdet))


if __name__ == "__main__":
    main()
