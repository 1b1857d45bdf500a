#!/usr/bin/env python3
"""gen_trace.py: a synthetic syndication corpus with ground truth, for syndic trace.

Each story has a source text (an article body from ../shared/data/l3s-gn1 when
present, generated pseudo-text otherwise) that is printed on several pages the
way sites do it: wrapped in a site's header and footer, with unrelated text
around it and unrelated stories appended, truncated mid-sentence, paragraphs
merged into one line or reordered, British spellings and honorifics, curly
quotes and dashes, mojibake, a dropped paragraph; some pages carry two
stories, and some stories get an independent rewrite that shares no passage.

Writes DIR/corpus.jsonl ({"id","text"} per page; the source of each story is
a document too) and DIR/truth.json:
  {"docs": [{"id", "segments": [{"story", "start", "end", "src": [[s,e],...]}]}],
   "sources": {story: doc index}, "rewrites": [doc index, ...]}
Offsets are UTF-8 byte offsets into the text; "src" lists the byte ranges of
the story's source that the segment reproduces. Python 3 standard library only.
"""
import argparse
import json
import os
import random
import re
import sys

BRIT = [("behavior", "behaviour"), ("neighbor", "neighbour"), ("color", "colour"),
        ("organization", "organisation"), ("organize", "organise"), ("center", "centre"),
        ("defense", "defence"), ("favor", "favour"), ("labor", "labour"), ("honor", "honour"),
        ("program", "programme"), ("theater", "theatre"), ("analyze", "analyse"),
        ("realize", "realise"), ("recognize", "recognise"), ("gray", "grey")]

SITES = ["Valley Courier", "Northern Ledger", "Tessaly Today", "Newspile", "Morning Dispatch",
         "Coast Herald", "The Daily Lantern", "Metro Wire Digest", "Harbor Times", "Plains Record",
         "City Beacon", "The Observer Post", "Riverside Gazette", "Capital Sentinel"]

SYLL = ["ka", "lo", "mi", "ten", "ra", "vo", "shi", "nel", "dor", "pa", "sen", "tu", "bel",
        "quin", "ar", "mo", "li", "ves", "ga", "ron", "de", "fi", "ust", "ho", "lan", "pre"]


def make_vocab(rng, n):
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLL) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class TextGen:
    """Pseudo-text: Zipf-distributed words from a made-up vocabulary."""

    def __init__(self, rng, vocab=30000):
        self.rng = rng
        self.vocab = make_vocab(rng, vocab)
        self.weights = [1.0 / (i + 10) for i in range(vocab)]
        self.cum = []
        s = 0.0
        for w in self.weights:
            s += w
            self.cum.append(s)

    def words(self, n):
        import bisect
        tot = self.cum[-1]
        return [self.vocab[bisect.bisect_left(self.cum, self.rng.random() * tot)] for _ in range(n)]

    def article(self, nwords):
        out, left = [], nwords
        while left > 0:
            para = []
            for _ in range(self.rng.randint(2, 5)):
                k = self.rng.randint(8, 25)
                ws = self.words(k)
                ws[0] = ws[0].capitalize()
                para.append(" ".join(ws) + ".")
                left -= k
            out.append(" ".join(para))
        return "\n\n".join(out)


def load_sources(limit):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data",
                        "l3s-gn1", "ground-truth.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        gt = json.load(f)
    bodies, seen = [], set()
    for key in sorted(gt):
        body = (gt[key].get("articleBody") or "").strip()
        words = body.split()
        if len(words) < 150:
            continue
        # drop articles that share a 10-word run with one kept already (real
        # syndication inside the data would make the ground truth wrong)
        grams = {" ".join(words[i:i + 10]).lower() for i in range(0, len(words) - 9)}
        if grams & seen:
            continue
        seen |= grams
        body = re.sub(r"\n\s*\n*", "\n\n", body)
        bodies.append(body)
    return bodies[:limit] if limit else bodies


def paragraphs(text):
    return [p for p in text.split("\n\n") if p.strip()]


def britishize(text):
    for a, b in BRIT:
        text = re.sub(r"\b%s" % a, b, text)
        text = re.sub(r"\b%s" % a.capitalize(), b.capitalize(), text)
    return re.sub(r"\b(He|She) said\b", lambda m: "Mr Smith said" if m.group(1) == "He" else "Ms Smith said", text)


def curly(text):
    out, q = [], 0
    for ch in text:
        if ch == '"':
            out.append("\u201c" if q == 0 else "\u201d")
            q ^= 1
        elif ch == "'":
            out.append("\u2019")
        else:
            out.append(ch)
    return "".join(out).replace(" - ", " \u2014 ")


def mojibake(rng, text):
    chars = list(text)
    for _ in range(3):
        i = rng.randrange(len(chars))
        if chars[i].isalpha():
            chars[i] = chars[i].encode("utf-8").decode("latin-1") if ord(chars[i]) > 127 else "\u00c3\u00a9"
    return "".join(chars)


class Page:
    def __init__(self):
        self.parts = []  # (text, story or None, src ranges)

    def add(self, text, story=None, src=None):
        self.parts.append((text, story, src))

    def build(self):
        out, segs, pos = [], [], 0
        for text, story, src in self.parts:
            b = text.encode("utf-8")
            if story is not None:
                segs.append({"story": story, "start": pos, "end": pos + len(b), "src": src})
            out.append(b)
            pos += len(b)
        return b"".join(out).decode("utf-8"), segs


def src_range(source, start_char, end_char):
    """Byte range of characters [start_char, end_char) of source."""
    return [len(source[:start_char].encode("utf-8")), len(source[:end_char].encode("utf-8"))]


def story_copy(rng, source, kind):
    """The story as a page prints it, and the source byte ranges it carries."""
    paras = paragraphs(source)
    starts, p = [], 0
    for para in paras:
        i = source.index(para, p)
        starts.append(i)
        p = i + len(para)
    full = [src_range(source, 0, len(source))]
    if kind == "verbatim":
        return source, full
    if kind == "merged":
        return " ".join(paras), full
    if kind == "truncated":
        cut = int(len(source) * rng.uniform(0.35, 0.85))
        return source[:cut], [src_range(source, 0, cut)]
    if kind == "reordered" and len(paras) >= 3:
        i = rng.randrange(len(paras) - 1)
        paras[i], paras[i + 1] = paras[i + 1], paras[i]
        return "\n\n".join(paras), full
    if kind == "excerpt" and len(paras) >= 3:
        i = rng.randrange(1, len(paras) - 1)
        kept = paras[:i] + paras[i + 1:]
        a = [src_range(source, 0, starts[i]), src_range(source, starts[i + 1], len(source))]
        return "\n\n".join(kept), a
    if kind == "british":
        return curly(britishize(source)), full
    if kind == "mojibake":
        return mojibake(rng, source), full
    return source, full


def rewrite(rng, source):
    """An independent article on the same event: every sentence's words
    shuffled and thinned, so no run of more than a few words survives."""
    out = []
    for para in paragraphs(source):
        sents = re.split(r"(?<=[.!?])\s+", para)
        new = []
        for s in sents:
            ws = s.split()
            rng.shuffle(ws)
            new.append(" ".join(ws[: max(3, int(len(ws) * 0.7))]))
        out.append(" ".join(new))
    return "\n\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out", required=True, help="output directory")
    ap.add_argument("--stories", type=int, default=300)
    ap.add_argument("--mb", type=float, default=0, help="grow to about this many MB with more stories of generated text")
    ap.add_argument("--generated", action="store_true", help="generated text even when real sources exist")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    gen = TextGen(rng)
    sources = None if a.generated else load_sources(0)
    if sources is None:
        print("gen_trace: ../shared/data/l3s-gn1 absent or --generated: using generated text", file=sys.stderr)
        sources = []
    # fillers (text never printed twice) are generated; stories use real text first
    nstories = a.stories
    os.makedirs(a.out, exist_ok=True)
    docs, truth_docs, story_src, rewrites = [], [], {}, []
    kinds = ["verbatim", "merged", "truncated", "reordered", "excerpt", "british", "mojibake"]
    total = 0
    counted = 0
    s = 0
    pending_second = []
    while s < nstories or (a.mb and total < a.mb * 1e6):
        source = sources[s] if s < len(sources) else gen.article(rng.randint(250, 700))
        story = s
        s += 1
        # the source itself is a document
        story_src[story] = len(docs)
        docs.append(source)
        truth_docs.append([{"story": story, "start": 0, "end": len(source.encode("utf-8")),
                            "src": [[0, len(source.encode("utf-8"))]]}])
        for c in range(rng.randint(2, 5)):
            pg = Page()
            site = rng.choice(SITES)
            pg.add("%s | Home | News | Sport | Weather\n\n" % site)
            if rng.random() < 0.5:
                pg.add(gen.article(rng.randint(50, 600)) + "\n\n")
            kind = rng.choice(kinds)
            text, src = story_copy(rng, source, kind)
            pg.add(text, story, src)
            if pending_second and rng.random() < 0.3:
                # a second story on the same page
                st2, src_text = pending_second.pop()
                t2, r2 = story_copy(rng, src_text, rng.choice(kinds))
                pg.add("\n\n")
                pg.add(t2, st2, r2)
            for _ in range(rng.randint(0, 2)):
                pg.add("\n\nMore news\n\n" + gen.article(rng.randint(100, 400)))
            pg.add("\n\nCopyright %s. All rights reserved.\n" % site)
            text, segs = pg.build()
            docs.append(text)
            truth_docs.append(segs)
        if rng.random() < 0.5:
            pending_second.append((story, source))
        if rng.random() < 0.25:
            rewrites.append(len(docs))
            docs.append(rewrite(rng, source))
            truth_docs.append([])
        total += sum(len(d.encode("utf-8")) for d in docs[counted:])
        counted = len(docs)
    with open(os.path.join(a.out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for i, d in enumerate(docs):
            f.write(json.dumps({"id": "d%06d" % i, "text": d}, ensure_ascii=False) + "\n")
    with open(os.path.join(a.out, "truth.json"), "w") as f:
        json.dump({"docs": [{"id": "d%06d" % i, "segments": segs} for i, segs in enumerate(truth_docs)],
                   "sources": story_src, "rewrites": rewrites}, f)
    print("gen_trace: %d stories, %d documents, %.1f MB (%d real sources)" %
          (s, len(docs), sum(len(d.encode("utf-8")) for d in docs) / 1e6, min(s, len(sources))), file=sys.stderr)


if __name__ == "__main__":
    main()
