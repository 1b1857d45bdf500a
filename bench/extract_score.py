#!/usr/bin/env python3
"""Scores `syndic extract` against article-extraction ground truth.

Runs `syndic extract --jsonl` over the pages of each benchmark set and
compares the extracted text with the set's gold article body using the
metric of the Scrapinghub article extraction benchmark: tokens are Unicode
`\\w+` runs (case kept), shingles are word 4-grams counted with
multiplicity (a text of fewer than four tokens is one shorter shingle), and
per page TP / FP / FN are the shingle counts both have / only the
extraction has / only the gold has, normalised to sum to one. Precision is
averaged over the pages where the extraction has any shingle, recall over
the pages where the gold has any, and F1 = 2PR / (P + R) of those averages.

Sets (read from ../shared/data relative to the repository):
  scrapinghub-aeb  html/<key>.html.gz, ground-truth.json {key: {articleBody}}
  l3s-gn1          original/<key>.html.gz, ground-truth.json {key: {articleBody}}
L3S-GN1's gold lost its non-ASCII characters (curly quotes became '?'), so
for that set every non-ASCII character is mapped to '?' on both sides
before tokenising, as its README says.

Usage:
  python3 bench/extract_score.py [--syndic PATH] [--worst N] [--timing] [--set NAME]

--timing also reports the median extraction time per page measured inside
the program (`syndic extract --timing`: the time of each sd_extract call,
no process start-up, no reading), on one core. Standard library only.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(os.path.dirname(REPO), "shared", "data")

SETS = {
    "scrapinghub-aeb": ("html", False),
    "l3s-gn1": ("original", True),
}

TOKEN_RE = re.compile(r"\w+")
NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def shingles(text, ascii_only, n=4):
    if ascii_only:
        text = NON_ASCII_RE.sub("?", text)
    tokens = TOKEN_RE.findall(text or "")
    out = collections.Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        sh = tuple(tokens[i:i + n])
        if sh:
            out[sh] += 1
    return out


def tp_fp_fn(gold, pred, ascii_only):
    g = shingles(gold, ascii_only)
    p = shingles(pred, ascii_only)
    tp = fp = fn = 0
    for key in set(g) | set(p):
        a, b = g.get(key, 0), p.get(key, 0)
        tp += min(a, b)
        fp += max(0, b - a)
        fn += max(0, a - b)
    s = tp + fp + fn
    if s:
        return tp / s, fp / s, fn / s
    return 0.0, 0.0, 0.0


def precision(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def metrics(rows):
    ps = [precision(*r) for r in rows if r[0] + r[1] > 0]
    rs = [recall(*r) for r in rows if r[0] + r[2] > 0]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def run_extract(syndic, folder, timing):
    cmd = [syndic, "extract", "--jsonl", "-q"]
    if timing:
        cmd.append("--timing")
    cmd.append(folder)
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if res.returncode not in (0, 1):
        sys.exit("syndic extract failed: " + res.stderr.decode("utf-8", "replace"))
    pages = {}
    for line in res.stdout.decode("utf-8").split("\n"):
        if not line:
            continue
        obj = json.loads(line)
        key = os.path.basename(obj["id"])
        for suffix in (".gz", ".html", ".htm"):
            if key.endswith(suffix):
                key = key[: -len(suffix)]
        pages[key] = obj
    median = None
    m = re.search(r"median ([0-9.]+) ms", res.stderr.decode("utf-8", "replace"))
    if m:
        median = float(m.group(1))
    return pages, median


def score_set(name, syndic, worst, timing):
    sub, ascii_only = SETS[name]
    base = os.path.join(DATA, name)
    folder = os.path.join(base, sub)
    gt_path = os.path.join(base, "ground-truth.json")
    if not os.path.isdir(folder) or not os.path.isfile(gt_path):
        print("%-16s skipped: ../shared/data/%s absent" % (name, name))
        return
    with open(gt_path, encoding="utf-8") as f:
        gold = json.load(f)
    pages, median = run_extract(syndic, folder, timing)
    rows, per_page = [], []
    missing = 0
    for key, g in sorted(gold.items()):
        page = pages.get(key)
        if page is None:
            missing += 1
        pred = page.get("text", "") if page else ""
        r = tp_fp_fn(g.get("articleBody", ""), pred, ascii_only)
        rows.append(r)
        per_page.append((key, r))
    p, r, f = metrics(rows)
    line = "%-16s pages %d  precision %.4f  recall %.4f  F1 %.4f" % (name, len(rows), p, r, f)
    if missing:
        line += "  (%d pages without output)" % missing
    if median is not None:
        line += "  median %.3f ms/page" % median
    print(line)
    if worst:
        scored = []
        for key, (tp, fp, fn) in per_page:
            pp, rr = precision(tp, fp, fn), recall(tp, fp, fn)
            ff = 2 * pp * rr / (pp + rr) if pp + rr else 0.0
            scored.append((ff, pp, rr, key))
        scored.sort()
        for ff, pp, rr, key in scored[:worst]:
            print("    F1 %.3f  P %.3f  R %.3f  %s" % (ff, pp, rr, key))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--syndic", default=os.environ.get("SYNDIC", os.path.join(REPO, "build", "syndic")))
    ap.add_argument("--worst", type=int, default=0, help="list the N pages with the lowest F1")
    ap.add_argument("--timing", action="store_true", help="also report the median time per page")
    ap.add_argument("--set", choices=sorted(SETS), action="append", help="only this set")
    args = ap.parse_args()
    if not os.access(args.syndic, os.X_OK):
        sys.exit("no syndic program at %s (run make, or give --syndic)" % args.syndic)
    for name in args.set or sorted(SETS, reverse=True):
        score_set(name, args.syndic, args.worst, args.timing)


if __name__ == "__main__":
    main()
