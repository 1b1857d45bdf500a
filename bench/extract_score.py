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

Beside the benchmark's metric, ROUGE-LSum F1 (the summary-level ROUGE-L of
Lin 2004, as the wider extraction benchmarks report it): both texts are cut
into lines (sentences: the gold's lines, the extraction's paragraphs and
lines), each line into lowercased `\\w+` tokens. For each gold line r,
the tokens of r that some extracted line matches in a longest common
subsequence of the two are united; their count, summed over gold lines, is
the hits. Recall = hits / gold tokens, precision = hits / extracted tokens,
F1 of the two, per page, then averaged over pages (a page with no
extraction scores 0). L3S-GN1's non-ASCII mapping applies here too.

The scorer also counts the pages per extraction method ("article",
"fallback"), the pages without output, and how many pages get each piece
of metadata (author, published date, ...). For l3s-gn1, whose gold marks
readers' comments, it scores `--comments` against them (the benchmark's
metric on the pages whose gold has comments) and checks that no comment
leaks into the text.

Usage:
  python3 bench/extract_score.py [--syndic PATH] [--worst N] [--timing] [--set NAME]

--timing also reports the median time per page measured inside the program
(`syndic extract --timing`, one core, no process start-up): from asking the
reader for the record (reading the file, gzip, charset detection and
decoding) to the extraction's result (parse and selection), output
excluded; wall-clock, and the thread's CPU time beside it (the machine may
be shared). Standard library only.
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


LINE_TOKEN_RE = re.compile(r"\w+")


def rouge_lines(text, ascii_only):
    if ascii_only:
        text = NON_ASCII_RE.sub("?", text or "")
    out = []
    for line in (text or "").split("\n"):
        toks = LINE_TOKEN_RE.findall(line.lower())
        if toks:
            out.append(toks)
    return out


def lcs_hits(ref, cand):
    """Positions of ref in one longest common subsequence with cand."""
    n, m = len(ref), len(cand)
    prev = [0] * (m + 1)
    rows = []
    for i in range(n):
        cur = [0] * (m + 1)
        ri = ref[i]
        for j in range(m):
            if ri == cand[j]:
                cur[j + 1] = prev[j] + 1
            else:
                a, b = prev[j + 1], cur[j]
                cur[j + 1] = a if a >= b else b
        rows.append(prev)
        prev = cur
    rows.append(prev)
    hits = set()
    i, j = n, m
    while i > 0 and j > 0:
        if ref[i - 1] == cand[j - 1]:
            hits.add(i - 1)
            i -= 1
            j -= 1
        elif rows[i - 1][j] >= rows[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return hits


def rouge_lsum(gold, pred, ascii_only):
    ref = rouge_lines(gold, ascii_only)
    cand = rouge_lines(pred, ascii_only)
    nr = sum(len(r) for r in ref)
    nc = sum(len(c) for c in cand)
    if nr == 0 or nc == 0:
        return 1.0 if nr == nc else 0.0
    cand_sets = [set(c) for c in cand]
    hits = 0
    for r in ref:
        rs = set(r)
        union = set()
        for c, cs in zip(cand, cand_sets):
            if rs & cs:
                union |= lcs_hits(r, c)
        hits += len(union)
    p, rr = hits / nc, hits / nr
    return 2 * p * rr / (p + rr) if p + rr else 0.0


URL_DATE_RE = re.compile(r"/(20[0-9][0-9])/([01][0-9])/([0-3][0-9])/")
META_FIELDS = ("author", "published", "modified", "site_name", "page_lang", "canonical_url")


def run_extract(syndic, folder, timing, extra=()):
    cmd = [syndic, "extract", "--jsonl", "-q"] + list(extra)
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
    m = re.search(r"median ([0-9.]+) ms.*CPU median ([0-9.]+) ms", res.stderr.decode("utf-8", "replace"))
    if m:
        median = (float(m.group(1)), float(m.group(2)))
    return pages, median


def score_set(name, syndic, worst, timing, show_meta=False, comments=False):
    sub, ascii_only = SETS[name]
    base = os.path.join(DATA, name)
    folder = os.path.join(base, sub)
    gt_path = os.path.join(base, "ground-truth.json")
    if not os.path.isdir(folder) or not os.path.isfile(gt_path):
        print("%-16s skipped: ../shared/data/%s absent" % (name, name))
        return
    with open(gt_path, encoding="utf-8") as f:
        gold = json.load(f)
    pages, median = run_extract(syndic, folder, timing, ("--comments",) if comments else ())
    rows, per_page, rouges = [], [], []
    missing = empty = 0
    methods = collections.Counter()
    meta = collections.Counter()
    for key, g in sorted(gold.items()):
        page = pages.get(key)
        if page is None:
            missing += 1
        pred = page.get("text", "") if page else ""
        if not pred and g.get("articleBody", ""):
            empty += 1
        methods[(page or {}).get("method") or "none"] += 1
        for field in META_FIELDS:
            meta[field] += bool((page or {}).get(field))
        r = tp_fp_fn(g.get("articleBody", ""), pred, ascii_only)
        rows.append(r)
        per_page.append((key, r))
        rouges.append(rouge_lsum(g.get("articleBody", ""), pred, ascii_only))
    p, r, f = metrics(rows)
    line = "%-16s pages %d  precision %.4f  recall %.4f  F1 %.4f  ROUGE-LSum F1 %.4f" % (
        name, len(rows), p, r, f, sum(rouges) / len(rouges))
    if missing:
        line += "  (%d pages missing)" % missing
    if median is not None:
        line += "  median %.3f ms/page (CPU %.3f ms)" % median
    print(line)
    print("%-16s methods %s; pages with a non-empty gold and no text: %d" % (
        "", ", ".join("%s %d" % kv for kv in sorted(methods.items())), empty))
    if show_meta:
        print("%-16s metadata: %s (of %d pages)" % (
            "", ", ".join("%s %d" % (k, meta[k]) for k in META_FIELDS), len(rows)))
        # a check of the dates: where the gold's address holds a full date,
        # does the published date the page gives agree with it?
        agree = with_url = 0
        for key, g in sorted(gold.items()):
            m = URL_DATE_RE.search(g.get("url", ""))
            pub = (pages.get(key) or {}).get("published")
            if m and pub:
                with_url += 1
                agree += pub == "%s-%s-%s" % m.groups()
        if with_url:
            print("%-16s published date equal to the date in the gold's address: %d of %d" % (
                "", agree, with_url))
    if comments:
        crow, leaks = [], 0
        for key, g in sorted(gold.items()):
            gc = g.get("comments", "")
            page = pages.get(key) or {}
            got = "\n".join(page.get("comments", []))
            if gc.strip():
                crow.append(tp_fp_fn(gc, got, ascii_only))
            # a comment line of the gold (not in the article) found in the text
            body = g.get("articleBody", "")
            for cl in gc.split("\n"):
                if len(cl) > 40 and cl not in body and cl in page.get("text", ""):
                    leaks += 1
        cp, cr, cf = metrics(crow)
        print("%-16s comments (--comments) on %d pages with gold comments: precision %.4f  "
              "recall %.4f  F1 %.4f; gold comment lines found in the text: %d" % (
                  "", len(crow), cp, cr, cf, leaks))
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
    ap.add_argument("--meta", action="store_true", help="also count the pages with each metadata field")
    ap.add_argument("--comments", action="store_true",
                    help="extract with --comments and score them where the gold has comments")
    args = ap.parse_args()
    if not os.access(args.syndic, os.X_OK):
        sys.exit("no syndic program at %s (run make, or give --syndic)" % args.syndic)
    for name in args.set or sorted(SETS, reverse=True):
        score_set(name, args.syndic, args.worst, args.timing, args.meta,
                  args.comments and name == "l3s-gn1")


if __name__ == "__main__":
    main()
