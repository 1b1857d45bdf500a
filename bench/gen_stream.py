#!/usr/bin/env python3
"""gen_stream.py: a news stream as it really comes, with ground truth, for syndic trace.

Stories (real article texts from ../shared/data: l3s-gn1 and scrapinghub-aeb)
are printed inside real site templates: each l3s-gn1 page minus its article
(navigation lines, section lists, "most read" and related-story lists,
footers, comment widgets, captions of the old article) is one site's
template, used for several pages with different stories, as a site's pages
are. Stories are printed from 2 to thousands of times; copies are verbatim,
truncated, with British spellings and curly quotes, merged into one line,
with a paragraph dropped, with a paragraph paraphrased, with a caption or
an advertisement inserted, with broken bytes; some pages carry two stories;
some pages carry teaser lists (a headline and the first sentence of other
stories of the corpus), which do not make the page a copy of those stories;
some text pages are squeezed into one line.

  gen_stream.py -o DIR [--copies 2000,30] [--small 200] [--unrelated 400]
                [--format text|html] [--squeeze 0.1] [--teasers 0.3] [--seed 1]

Writes DIR/corpus.jsonl (text: {"id","url","text"}; html: {"id","url","html"})
and DIR/truth.json: {"docs": [{"id", "stories": [story, ...], "site"}],
"copies": {story: number of pages}}. Python 3 standard library only. Needs
../shared/data/l3s-gn1 (the templates); says so and exits 2 when absent.
"""
import argparse
import gzip
import html
import json
import os
import random
import re
import sys
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data")

BRIT = [("behavior", "behaviour"), ("neighbor", "neighbour"), ("color", "colour"),
        ("organization", "organisation"), ("organize", "organise"), ("center", "centre"),
        ("defense", "defence"), ("favor", "favour"), ("labor", "labour"), ("honor", "honour"),
        ("program", "programme"), ("analyze", "analyse"), ("realize", "realise")]

BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
         "table", "blockquote", "pre", "dd", "dt", "dl", "section", "article", "header",
         "footer", "form", "hr", "title", "nav", "aside"}
VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "param",
        "source", "track", "wbr"}
LABEL = re.compile(r"x-nc-sel(\d)")
ART, HEAD = 2, 1


class Page(HTMLParser):
    """An annotated l3s-gn1 page, kept as its raw markup pieces with the
    label of the text they carry, so it can be written back with another
    article in the place of its own, and as text blocks (lines)."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.pieces = []  # (kind, raw, label) kind: tag | data
        self.stack = []   # (tag, label, invisible)
        self.skip = 0

    def label(self):
        for _, lab, _ in reversed(self.stack):
            if lab is not None:
                return lab
        return 0

    def invisible(self):
        return any(inv for _, _, inv in self.stack)

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text()
        if tag in ("script", "style", "noscript"):
            self.skip += 1
        self.pieces.append(("tag", raw, self.label(), tag in BLOCK))
        if tag in VOID:
            return
        cls = dict(attrs).get("class") or ""
        m = LABEL.search(cls)
        self.stack.append((tag, int(m.group(1)) if m else None, "x-nc-invisible" in cls))

    def handle_startendtag(self, tag, attrs):
        self.pieces.append(("tag", self.get_starttag_text(), self.label(), tag in BLOCK))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript"):
            self.skip = max(0, self.skip - 1)
        lab = self.label()
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        self.pieces.append(("tag", "</%s>" % tag, lab, tag in BLOCK))

    def _data(self, raw, text):
        if self.skip or self.invisible():
            self.pieces.append(("raw", raw, -1, False))
        else:
            self.pieces.append(("data", raw, self.label(), text))

    def handle_data(self, data):
        self._data(data, data)

    def handle_entityref(self, name):
        self._data("&%s;" % name, html.unescape("&%s;" % name))

    def handle_charref(self, name):
        self._data("&#%s;" % name, html.unescape("&#%s;" % name))

    def handle_comment(self, data):
        self.pieces.append(("raw", "<!--%s-->" % data, -1, False))

    def handle_decl(self, decl):
        self.pieces.append(("raw", "<!%s>" % decl, -1, False))


def load_templates():
    """Each l3s-gn1 page as a template: its text blocks with the article
    and headline replaced by a slot, and its markup for the HTML form."""
    d = os.path.join(DATA, "l3s-gn1", "annotated")
    out = []
    # each template's site: the host of the page it was taken from
    hosts = {}
    with open(os.path.join(DATA, "l3s-gn1", "url-mapping.txt"), encoding="utf-8") as fh:
        for line in fh:
            m = re.match(r"<urn:uuid:([^>]+)>\t\w+://([^/:]+)", line)
            if m:
                hosts[m.group(1)] = m.group(2).lower()
    for f in sorted(os.listdir(d)):
        with gzip.open(os.path.join(d, f), "rt", encoding="utf-8", errors="replace") as fh:
            src = fh.read()
        p = Page()
        try:
            p.feed(src)
            p.close()
        except Exception:
            continue
        # text blocks: lines of the page's visible text, article replaced by a slot
        lines, cur, cur_lab, slot = [], [], None, None

        def flush():
            nonlocal cur, cur_lab
            t = re.sub(r"\s+", " ", "".join(cur)).strip()
            # script text some pages leak into their title is not page text
            code = sum(t.count(c) for c in "{};=")
            if t and cur_lab not in (ART, HEAD) and code * 20 < len(t):
                lines.append(t)
            cur, cur_lab = [], None

        for kind, raw, lab, extra in p.pieces:
            if kind == "tag" and extra:
                flush()
            elif kind == "data":
                if lab != cur_lab:
                    flush()
                if lab in (ART, HEAD) and slot is None and extra.strip():
                    slot = len(lines)
                cur_lab = lab
                cur.append(extra)
        flush()
        if slot is None or len(lines) < 3:
            continue
        host = hosts.get(f.split(".")[0], f[:8] + ".example")
        out.append({"name": f.split(".")[0], "host": host, "lines": lines, "slot": slot,
                    "pieces": p.pieces})
    return out


def load_sources():
    """Real article texts: l3s-gn1 and scrapinghub-aeb bodies of 150 words
    or more, with a headline; articles sharing a 10-word run with one kept
    already are left out (real syndication inside the data would make the
    truth wrong)."""
    arts, seen = [], set()
    gt = json.load(open(os.path.join(DATA, "l3s-gn1", "ground-truth.json"), encoding="utf-8"))
    items = [(gt[k]["articleBody"], gt[k].get("headline") or "") for k in sorted(gt)]
    sp = os.path.join(DATA, "scrapinghub-aeb", "ground-truth.json")
    if os.path.exists(sp):
        sg = json.load(open(sp, encoding="utf-8"))
        items += [(sg[k]["articleBody"], "") for k in sorted(sg)]
    for body, head in items:
        body = (body or "").strip()
        words = body.split()
        if len(words) < 150:
            continue
        grams = {" ".join(words[i:i + 10]).lower() for i in range(len(words) - 9)}
        if grams & seen:
            continue
        seen |= grams
        paras = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n|\n", body)]
        paras = [p for p in paras if p]
        # a headline is a line of a few words, never a sentence or two
        head = re.split(r"(?<=[.!?])\s", re.sub(r"\s+", " ", head).strip())[0]
        head = " ".join(head.split()[:14]).rstrip(",.;:")
        if not head:
            head = " ".join(words[:9]).rstrip(",.;:")
        arts.append({"head": head, "paras": paras})
    return arts


def first_sentence(text):
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    s = m.group(1) if m else text
    w = s.split()
    return " ".join(w[:40]) + (" ..." if len(w) > 40 else "")


def britishize(t):
    for a, b in BRIT:
        t = re.sub(r"\b%s" % a, b, t)
    t = re.sub(r"\b(He|She) said\b", lambda m: "Mr Smith said" if m.group(1) == "He" else "Ms Smith said", t)
    out, q = [], 0
    for ch in t:
        if ch == '"':
            out.append("\u201c" if q == 0 else "\u201d")
            q ^= 1
        else:
            out.append(ch)
    return "".join(out)


def paraphrase(rng, p):
    ws = p.split()
    rng.shuffle(ws)
    return " ".join(ws[: max(5, int(len(ws) * 0.8))])


def copy_of(rng, art, kind):
    """The story's paragraphs as one page prints them (headline first)."""
    paras = list(art["paras"])
    if kind == "truncated":
        words = " ".join(paras).split()
        keep = int(len(words) * rng.uniform(0.4, 0.85))
        out, n = [], 0
        for p in paras:
            w = p.split()
            if n + len(w) > keep:
                out.append(" ".join(w[: keep - n]))
                break
            out.append(p)
            n += len(w)
        paras = out
    elif kind == "british":
        paras = [britishize(p) for p in paras]
    elif kind == "merged":
        paras = [" ".join(paras)]
    elif kind == "excerpt" and len(paras) >= 4:
        del paras[rng.randrange(1, len(paras) - 1)]
    elif kind == "paraphrased" and len(paras) >= 4:
        i = rng.randrange(1, len(paras) - 1)
        paras[i] = paraphrase(rng, paras[i])
    elif kind == "inserted" and len(paras) >= 3:
        i = rng.randrange(1, len(paras))
        paras.insert(i, rng.choice([
            "Advertisement", "Story continues below advertisement",
            "(Photo: a view of the scene on Monday. Image courtesy of the agency.)",
            "Read more: our full coverage of the week's events"]))
    elif kind == "mojibake":
        t = "\n".join(paras)
        for _ in range(3):
            i = rng.randrange(len(t))
            t = t[:i] + "\u00c3\u00a9" + t[i + 1:]
        paras = t.split("\n")
    return [art["head"]] + paras


KINDS = ["verbatim", "verbatim", "truncated", "british", "merged", "excerpt", "paraphrased",
         "inserted", "mojibake"]


def teaser_block(rng, arts, exclude):
    items = []
    for s in rng.sample(range(len(arts)), 4):
        if s in exclude:
            continue
        items.append((arts[s]["head"], first_sentence(arts[s]["paras"][0])))
    return rng.choice(["Most read", "Related stories", "More from this section"]), items


def text_page(tpl, story_lines, teasers, squeeze):
    lines = list(tpl["lines"])
    ins = list(story_lines)
    if teasers:
        title, items = teasers
        ins.append(title)
        for h, s in items:
            ins += [h, s]
    lines[tpl["slot"]:tpl["slot"]] = ins
    return (" " if squeeze else "\n").join(lines)


def html_page(tpl, story_lines, teasers):
    """The template's markup with the headline slot and the article slot
    holding the new story (its paragraphs spread over the old article's
    paragraph elements; extra ones joined by <br><br> in the last)."""
    esc = html.escape
    head, paras = story_lines[0], story_lines[1:]
    out, art_slots, head_done = [], [], False
    in_lab = None
    for kind, raw, lab, extra in tpl["pieces"]:
        if kind == "data" and lab == HEAD:
            if not head_done:
                out.append(esc(head))
                head_done = True
            continue
        if kind == "data" and lab == ART:
            if in_lab != "art":
                art_slots.append(len(out))
                out.append("")
                in_lab = "art"
            continue
        if kind == "tag" and extra:
            in_lab = None
        out.append(raw)
    if not art_slots:
        return None
    if len(art_slots) == 1:
        out[art_slots[0]] = "<br><br>".join(esc(p) for p in paras)
    else:
        for i, slot in enumerate(art_slots):
            if i < len(art_slots) - 1:
                out[slot] = esc(paras[i]) if i < len(paras) else ""
            else:
                out[slot] = "<br><br>".join(esc(p) for p in paras[i:])
    page = "".join(out)
    if teasers:
        title, items = teasers
        box = '<div class="most-read"><h3>%s</h3><ul>%s</ul></div>' % (esc(title), "".join(
            '<li><a href="/story/%d">%s</a><p>%s</p></li>' % (i, esc(h), esc(s))
            for i, (h, s) in enumerate(items)))
        k = page.lower().rfind("</body>")
        page = page[:k] + box + page[k:] if k >= 0 else page + box
    if not head_done:
        page = "<h1>%s</h1>" % esc(head) + page
    return page


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--copies", default="2000,30", help="pages of each big story")
    ap.add_argument("--small", type=int, default=200, help="stories printed 2 to 5 times")
    ap.add_argument("--unrelated", type=int, default=400, help="pages with a story of their own")
    ap.add_argument("--format", choices=["text", "html"], default="text")
    ap.add_argument("--squeeze", type=float, default=0.1, help="text pages squeezed into one line")
    ap.add_argument("--teasers", type=float, default=0.3, help="pages with a teaser list")
    ap.add_argument("--two", type=float, default=0.05, help="pages carrying a second story")
    ap.add_argument("--no-url", action="store_true", help="records without URLs (pages saved as text)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if not os.path.exists(os.path.join(DATA, "l3s-gn1", "annotated")):
        print("gen_stream: skipped: ../shared/data/l3s-gn1 absent (its pages are the templates)",
              file=sys.stderr)
        sys.exit(2)
    tpls = load_templates()
    arts = load_sources()
    big = [int(x) for x in a.copies.split(",") if x]
    nstory = len(big) + a.small + a.unrelated
    if nstory > len(arts):
        sys.exit("gen_stream: %d stories asked, %d real articles" % (nstory, len(arts)))
    # Two random streams: the first story's copies come from rb, all other
    # pages from ra, so changing the first number of --copies changes only
    # how many copies of the first story there are (the scaling run).
    ra, rb = random.Random(a.seed), random.Random(a.seed * 7919 + 17)
    ra.shuffle(arts)
    counts = big + [ra.randint(2, 5) for _ in range(a.small)] + [1] * a.unrelated

    def specs(rng, stories):
        """Pages (story, kind, template) of the stories, sites in blocks:
        each template serves 5 to 15 pages, as a site's pages share it."""
        pages = [(s, "verbatim" if c == 0 else rng.choice(KINDS)) for s in stories
                 for c in range(counts[s])]
        rng.shuffle(pages)
        site_of, order = [], list(range(len(tpls)))
        rng.shuffle(order)
        t = 0
        while len(site_of) < len(pages):
            site_of += [order[t % len(order)]] * rng.randint(5, 15)
            t += 1
        rng.shuffle(site_of)
        return [(s, k, site_of[i]) for i, (s, k) in enumerate(pages)]

    def content(rng, s, kind, tpl):
        lines = copy_of(rng, arts[s], kind)
        stories = [s]
        if rng.random() < a.two:
            s2 = rng.randrange(1, len(counts))
            if s2 != s:
                lines += copy_of(rng, arts[s2], "verbatim")
                stories.append(s2)
        teas = teaser_block(rng, arts[:nstory], set(stories)) if rng.random() < a.teasers else None
        if a.format == "text":
            return text_page(tpl, lines, teas, rng.random() < a.squeeze), stories
        return html_page(tpl, lines, teas), stories

    first = 1 if big else 0  # the story whose copies come from rb
    others = [content(ra, s, k, tpls[t]) + (tpls[t],)
              for s, k, t in specs(ra, range(first, len(counts)))]
    firsts = [content(rb, s, k, tpls[t]) + (tpls[t],) for s, k, t in specs(rb, [0])] if big else []
    pages = list(others)
    for p in firsts:
        pages.insert(rb.randrange(len(pages) + 1), p)
    os.makedirs(a.out, exist_ok=True)
    truth, n_ok = [], 0
    with open(os.path.join(a.out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for i, (body, stories, tpl) in enumerate(pages):
            if body is None:
                continue
            rec = {"id": "p%05d" % i}
            if not a.no_url:
                rec["url"] = "https://%s/stream/%d" % (tpl["host"], i)
            rec["text" if a.format == "text" else "html"] = body
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            truth.append({"id": rec["id"], "stories": stories, "site": tpl["host"]})
            n_ok += 1
    with open(os.path.join(a.out, "truth.json"), "w") as f:
        json.dump({"docs": truth, "copies": {str(s): n for s, n in enumerate(counts) if n > 1}}, f)
    print("gen_stream: %d pages (%s), %d templates, %d stories (%s copies, %d small, %d single)"
          % (n_ok, a.format, len(tpls), nstory, a.copies, a.small, a.unrelated), file=sys.stderr)


if __name__ == "__main__":
    main()
