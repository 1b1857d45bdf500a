"""syndic.trace, align, extract and read against the program."""
import glob
import json
import os
import subprocess

import pytest

import syndic
from conftest import ROOT, run_lines, run_prog

TRACE = sorted(glob.glob(os.path.join(ROOT, "examples/trace/*.txt")))


def rel(paths):
    return [os.path.relpath(p, ROOT) for p in paths]


@pytest.fixture(scope="module")
def traced():
    os.chdir(ROOT)  # ids are the paths as given, as the program's
    return syndic.trace(syndic.read(*rel(TRACE)))


def test_trace_equals_program(prog, traced):
    want = run_prog(prog, "trace", "-q", "--passages", *rel(TRACE)).splitlines()
    assert list(traced.lines(passages=True)) == want
    want = run_prog(prog, "trace", "-q", "--no-text", "--doc-text", *rel(TRACE)).splitlines()
    assert list(traced.lines(text=False, doc_text=True)) == want


def test_stories_as_the_readme_says(traced):
    assert len(traced.stories) == 1 and len(traced.docs) == 6
    s = traced.stories[0]
    assert traced.docs[s.origin].id == "examples/trace/wire-original.txt"
    assert s.origin_by == "coverage" and s.consensus == [(0, 2295)]
    roles = {c.id.split("/")[-1]: (c.role, c.share) for c in s.copies}
    assert roles["site-b-newspile.txt"][0] == "truncated"
    assert round(roles["site-b-newspile.txt"][1], 4) == 0.6228
    assert [c.origin for c in s.copies] == [False, False, False, False, True]
    assert s.consensus_text == traced.text(s.origin, 0, 2295)
    assert traced.docs[0].stories == [] and traced.docs[1].stories == [0]
    c = s.copies[2]  # the print edition: changed "He" to "Renn"
    a, b = c.changed[0]
    assert traced.text(c.doc, a, b) == "Renn"
    for p in traced.passages:
        assert p.a.doc < p.b.doc and p.a.start < p.a.end <= len(
            traced.text(p.a.doc).encode("utf-8"))


def test_pages_and_trace_equal_program(prog):
    inputs = rel(TRACE) + ["examples/pages"]
    t = syndic.trace(syndic.read(*inputs))
    want = run_prog(prog, "trace", "-q", "--passages", *inputs).splitlines()
    assert list(t.lines(passages=True)) == want
    skipped = [d for d in t.docs if d.skipped]
    assert len(skipped) == 1 and "no article text" in skipped[0].skipped


def test_html_report_equals_program(prog, traced, tmp_path):
    mine, theirs = tmp_path / "mine.html", tmp_path / "theirs.html"
    traced.html(str(mine))
    run_prog(prog, "trace", "-q", "--html", str(theirs), *rel(TRACE))
    assert mine.read_bytes() == theirs.read_bytes()
    page = mine.read_text()
    assert page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page


def test_report_escapes_markup(tmp_path):
    with open(os.path.join(ROOT, "examples/trace/wire-original.txt"), encoding="utf-8") as f:
        story = f.read()
    t = syndic.trace([("a", story + "\n\n<script>alert(1)</script>"),
                      ("b", "Elsewhere:\n\n" + story)])
    assert len(t.stories) == 1
    t.html(str(tmp_path / "r.html"))
    page = (tmp_path / "r.html").read_text()
    assert "<script>alert(1)" not in page and "\\u003cscript\\u003ealert(1)" in page


def test_trace_inputs_dates_and_unicode():
    body = ("Ein Fährschiff verbindet seit Montag wieder die Insel mit dem Festland, "
            "nachdem ein Wintersturm den Anleger zerstört hatte und die Bewohner sechs "
            "Wochen lang auf ein gechartertes Fischerboot angewiesen waren, das täglich "
            "voll besetzt über den Sund fuhr. ") * 2
    docs = [{"id": "später", "text": "Vorspann. " + body, "date": "2024-03-05"},
            {"id": "früh", "text": body + " Nachsatz.", "date": "2024-03-01",
             "url": "https://b.example/x"},
            None]
    t = syndic.trace(docs, min_passage=20)
    assert len(t.stories) == 1
    s = t.stories[0]
    assert s.origin == 1 and s.origin_by == "date"
    assert [c.id for c in s.copies] == ["später", "früh"]
    assert s.copies[0].text.startswith("Ein Fährschiff")
    assert t.docs[2].stories == [] and t.text(2) is None
    assert t.docs[1].url == "https://b.example/x"


def test_trace_bad_options_are_named():
    with pytest.raises(syndic.InputError, match="min_passage"):
        syndic.trace(["a"], min_passage=2)
    with pytest.raises(syndic.InputError, match="min_identity"):
        syndic.trace(["a"], min_identity=2)
    with pytest.raises(TypeError, match="min_pasage"):
        syndic.trace(["a"], min_pasage=20)


def test_align_equals_trace(traced):
    a, b = traced.text(3), traced.text(5)
    got = syndic.align(a, b)
    want = [p for p in traced.passages if (p.a.doc, p.b.doc) == (3, 5)]
    assert [(p.a.start, p.a.end, p.b.start, p.b.end, p.changes) for p in got] == \
        [(p.a.start, p.a.end, p.b.start, p.b.end, p.changes) for p in want]
    assert syndic.align("short", "texts") == []


def test_extract_equals_program(prog):
    for path in sorted(glob.glob(os.path.join(ROOT, "examples/pages/*.html"))):
        want = run_lines(prog, "extract", "-q", "--jsonl", path)[0]
        with open(path, "rb") as f:
            art = syndic.extract(f.read())
        assert art.text == want["text"]
        assert art.title == want.get("title", "")
        assert [p.text for p in art.paragraphs] == want["paragraphs"]
        assert art.found == (not want.get("no_article", False))
        assert art.date == want.get("date", "")
        assert art.charset == want.get("charset")


def test_extract_fields_and_errors():
    html = ("<html lang='en'><head><title>Ferry back</title>"
            "<meta name='author' content='A. Writer'></head><body><article>"
            "<h1>Ferry back</h1><p>The ferry link between Port Avery and Kestrel Island "
            "reopened on Monday morning, six weeks after a winter storm tore the landing "
            "stage from its moorings.</p><p>The first sailing left the mainland at seven "
            "o'clock with a full deck of delivery vans and a group of schoolchildren.</p>"
            "</article></body></html>")
    art = syndic.extract(html, url="https://x.example/2024/03/04/ferry")
    assert art.found and art.title == "Ferry back" and art.lang == "en"
    assert art.author == "A. Writer" and art.date == "2024-03-04"
    assert art.text.startswith("The ferry link") or art.text.startswith("Ferry back")
    assert all(art.text[:0] == "" for _ in art.paragraphs)
    assert not syndic.extract("<html><body></body></html>").found
    with pytest.raises(syndic.InputError, match="larger than"):
        syndic.extract(html, max_html=10)
    with pytest.raises(TypeError):
        syndic.extract(None)


def test_read_formats_and_errors(prog, tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"id":"ä","text":"one"}\nnot json\n{"id":"c","text":"three","date":"2024"}\n',
                 encoding="utf-8")
    recs = list(syndic.read(str(p)))
    assert [r.id for r in recs[::2]] == ["ä", "c"]
    assert recs[0].ok and recs[0]["text"] == "one" and recs[2].date == "2024"
    assert not recs[1].ok and recs[1].line == 2 and recs[1].error
    prog_err = run_lines(prog, "dedup", "-q", str(p))[1]
    assert prog_err["error"] == recs[1].error and prog_err["line"] == 2
    c = tmp_path / "t.csv"
    c.write_text("id,body\nx,hello there\n", encoding="utf-8")
    (r,) = syndic.read(str(c), text_field="body")
    assert (r.id, r.text, r.format) == ("x", "hello there", "csv")
    with pytest.raises(syndic.InputError, match="format"):
        list(syndic.read(str(c), format="xml"))
