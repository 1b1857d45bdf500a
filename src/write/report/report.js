// The story report's script (embedded by cli/report.c). It reads the trace's
// JSON lines from the page's JSON data element (id "trace") and
// builds the view. Page text is untrusted: it reaches the document only as
// text nodes (textContent, createTextNode, attributes set one by one), never
// as markup. Byte offsets in the trace are of UTF-8 text; JavaScript strings
// count UTF-16 units, so offsets go through byteMap() before slicing.
"use strict";
(function () {
  const app = document.getElementById("app");
  const summary = document.getElementById("summary");
  let items = [];
  try {
    items = JSON.parse(document.getElementById("trace").textContent);
  } catch (e) {
    app.textContent = "The report's data cannot be read: " + e.message;
    return;
  }

  const stories = [], passages = [], errors = [], docs = new Map();
  for (const it of items) {
    if (!it || typeof it !== "object") continue;
    if (it.type === "story") stories.push(it);
    else if (it.type === "passage") passages.push(it);
    else if (it.type === "doc") docs.set(it.doc, it);
    else if (it.type === "error") errors.push(it);
  }
  const byStory = new Map();
  for (let i = 0; i < passages.length; i++) {
    const p = passages[i];
    p.index = i;
    if (!byStory.has(p.story)) byStory.set(p.story, []);
    byStory.get(p.story).push(p);
  }
  const alone = [], failed = [];
  for (const d of docs.values()) {
    if (d.error || d.skipped) failed.push(d);
    else if (!d.stories || d.stories.length === 0) alone.push(d);
  }

  // ---- helpers ----------------------------------------------------------

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    if (attrs)
      for (const k of Object.keys(attrs)) {
        if (k === "class") e.className = attrs[k];
        else if (k === "text") e.textContent = attrs[k];
        else e.setAttribute(k, attrs[k]);
      }
    for (const k of kids)
      if (k !== null && k !== undefined) e.append(k);
    return e;
  }
  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const k of Object.keys(attrs || {})) e.setAttribute(k, attrs[k]);
    return e;
  }
  function docOf(n) {
    return docs.get(n) || { doc: n, id: "document " + n };
  }
  function host(d) {
    if (d.url) {
      try {
        return new URL(d.url).hostname.replace(/^www\./, "");
      } catch (e) { /* not a URL: fall through */ }
    }
    const id = String(d.id || "");
    const slash = id.lastIndexOf("/");
    return slash > 0 ? id.slice(slash + 1) : id;
  }
  // A link to a document's URL when it is http(s); its name otherwise.
  function docName(d) {
    const name = d.url || d.id || "document " + d.doc;
    if (d.url && /^https?:\/\//i.test(d.url))
      return el("a", { href: d.url, rel: "noopener noreferrer", target: "_blank", text: name });
    return el("span", { class: "docid", text: name });
  }
  function shortDate(s) {
    if (!s) return "";
    const m = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d))?/.exec(s);
    return m ? m[1] + (m[2] ? " " + m[2] : "") : s;
  }
  function pct(x) {
    return Math.round((x || 0) * 100) + "%";
  }
  function opening(s, n) {
    const t = String(s || "").replace(/\s+/g, " ").trim();
    return t.length > n ? t.slice(0, n - 1) + "\u2026" : t;
  }

  // Byte offset -> UTF-16 index, for one text; cached on the doc.
  function byteMap(d) {
    if (d.map) return d.map;
    const t = d.text || "";
    let bytes = 0;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (c >= 0xd800 && c < 0xdc00) { bytes += 4; i++; }
      else bytes += 3;
    }
    const map = new Uint32Array(bytes + 1);
    let b = 0;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 4 : 3;
      for (let k = 0; k < n; k++) map[b + k] = i;
      b += n;
      if (n === 4) i++;
    }
    map[bytes] = t.length;
    d.map = map;
    return map;
  }
  function slice(d, start, end) {
    const m = byteMap(d);
    const last = m.length - 1;
    return d.text.slice(m[Math.min(start, last)], m[Math.min(end, last)]);
  }

  // ---- the index ----------------------------------------------------------

  // Per story, computed once: what the index shows, sorts and filters by.
  const rows = stories.map((s) => {
    const copies = s.copies || [];
    const dates = copies.map((c) => docOf(c.doc).date).filter(Boolean).sort();
    const outlets = [];
    for (const c of copies) {
      const h = host(docOf(c.doc));
      if (!outlets.includes(h)) outlets.push(h);
    }
    const origin = docOf(s.origin ? s.origin.doc : -1);
    const head = opening(s.text, 140);
    return {
      s, copies: copies.length, words: s.consensus_tokens || 0,
      origin: origin.url || origin.id || "", outlets, first: dates[0] || "",
      last: dates[dates.length - 1] || "", head,
      hay: (head + " " + outlets.join(" ") + " " +
            copies.map((c) => { const d = docOf(c.doc); return (d.id || "") + " " + (d.url || ""); })
              .join(" ")).toLowerCase(),
    };
  });

  const view = { sort: "copies", desc: true, filter: "", shown: 200 };
  const columns = [
    ["story", "Story", (r) => r.s.story],
    ["copies", "Copies", (r) => r.copies],
    ["words", "Words", (r) => r.words],
    ["origin", "Likely origin", (r) => r.origin],
    ["outlets", "Outlets", (r) => r.outlets.join(" ")],
    ["first", "Dates", (r) => r.first],
    ["head", "Opening", (r) => r.head],
  ];

  function sortedRows() {
    const col = columns.find((c) => c[0] === view.sort) || columns[1];
    const key = col[2];
    const f = view.filter.toLowerCase().trim();
    const terms = f ? f.split(/\s+/) : [];
    const out = terms.length ? rows.filter((r) => terms.every((t) => r.hay.includes(t))) : rows.slice();
    out.sort((a, b) => {
      const x = key(a), y = key(b);
      let c = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      if (c === 0) c = a.s.story - b.s.story;
      return view.desc ? -c : c;
    });
    return out;
  }

  function renderIndex() {
    app.replaceChildren();
    const h1 = el("h1", { tabindex: "-1", text: stories.length + (stories.length === 1 ? " story" : " stories") });
    const filter = el("input", {
      type: "search", id: "filter", placeholder: "words, outlets, ids", "aria-label": "Filter stories",
      autocomplete: "off",
    });
    filter.value = view.filter;
    const count = el("p", { class: "count", "aria-live": "polite" });
    const table = el("table", { class: "stories" });
    const thead = el("thead");
    const tr = el("tr");
    for (const [key, label] of columns) {
      const th = el("th", { scope: "col", class: "c-" + key });
      const b = el("button", { type: "button", "data-sort": key, text: label });
      if (view.sort === key) th.setAttribute("aria-sort", view.desc ? "descending" : "ascending");
      th.append(b);
      tr.append(th);
    }
    thead.append(tr);
    const tbody = el("tbody");
    table.append(thead, tbody);
    const more = el("button", { type: "button", class: "more" });
    function fill() {
      const list = sortedRows();
      tbody.replaceChildren();
      const frag = document.createDocumentFragment();
      const n = Math.min(list.length, view.shown);
      for (let i = 0; i < n; i++) {
        const r = list[i];
        const link = el("a", { href: "#story-" + r.s.story, text: "#" + r.s.story });
        const outlets = r.outlets.slice(0, 3).join(", ") + (r.outlets.length > 3 ? " +" + (r.outlets.length - 3) : "");
        const dates = r.first ? shortDate(r.first) + (r.last && r.last !== r.first ? " \u2013 " + shortDate(r.last) : "") : "";
        frag.append(el("tr", { "data-story": String(r.s.story) },
          el("td", { class: "c-story" }, link),
          el("td", { class: "c-copies num", text: String(r.copies) }),
          el("td", { class: "c-words num", text: String(r.words) }),
          el("td", { class: "c-origin", text: host(docOf(r.s.origin ? r.s.origin.doc : -1)) }),
          el("td", { class: "c-outlets", text: outlets }),
          el("td", { class: "c-first", text: dates }),
          el("td", { class: "c-head", text: r.head })));
      }
      tbody.append(frag);
      count.textContent = list.length === rows.length
        ? "Showing " + n + " of " + rows.length + "."
        : list.length + " of " + rows.length + " stories match; showing " + n + ".";
      more.hidden = list.length <= n;
      more.textContent = "Show " + Math.min(200, list.length - n) + " more";
    }
    let timer = 0;
    filter.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => { view.filter = filter.value; view.shown = 200; fill(); }, 80);
    });
    thead.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-sort]");
      if (!b) return;
      const key = b.getAttribute("data-sort");
      if (view.sort === key) view.desc = !view.desc;
      else { view.sort = key; view.desc = key === "copies" || key === "words"; }
      for (const th of thead.querySelectorAll("th")) th.removeAttribute("aria-sort");
      b.parentNode.setAttribute("aria-sort", view.desc ? "descending" : "ascending");
      fill();
    });
    tbody.addEventListener("click", (ev) => {
      if (ev.target.closest("a")) return;
      const row = ev.target.closest("tr[data-story]");
      if (row) location.hash = "#story-" + row.getAttribute("data-story");
    });
    more.addEventListener("click", () => { view.shown += 200; fill(); });
    app.append(h1, el("div", { class: "tools" }, filter, count), el("div", { class: "scroll" }, table), more);
    fill();
    app.append(docLists());
    return h1;
  }

  function docLists() {
    const box = el("div", { class: "lists" });
    function list(title, docsList, why) {
      const d = el("details", { class: "doclist" });
      d.append(el("summary", { text: title + " (" + docsList.length + ")" }));
      const ul = el("ul");
      for (const x of docsList.slice(0, 1000)) {
        const li = el("li", null, docName(x));
        if (x.date) li.append(el("span", { class: "date", text: " " + shortDate(x.date) }));
        if (why(x)) li.append(el("span", { class: "why", text: " \u2014 " + why(x) }));
        ul.append(li);
      }
      if (docsList.length > 1000) ul.append(el("li", { text: "and " + (docsList.length - 1000) + " more" }));
      d.append(ul);
      return d;
    }
    box.append(list("Documents in no story", alone, () => ""));
    box.append(list("Records that failed or were skipped", failed, (x) =>
      (x.error ? "failed: " + x.error + (x.file ? " (" + x.file + (x.line ? ":" + x.line : "") + ", byte " + x.offset + ")" : "")
        : "skipped: " + x.skipped)));
    if (errors.length) {
      const d = el("details", { class: "doclist", open: "" });
      d.append(el("summary", { text: "Trace lines that could not be read (" + errors.length + ")" }));
      const ul = el("ul");
      for (const e of errors)
        ul.append(el("li", { text: e.file + ":" + e.line + " (byte " + e.offset + "): " + e.error }));
      d.append(ul);
      box.append(d);
    }
    return box;
  }

  // ---- a story --------------------------------------------------------------

  // The consensus as pieces of the origin's text: [{start, end}] in bytes,
  // each with its place along the consensus (pos).
  function consensusPieces(s) {
    let pos = 0;
    return (s.consensus || []).map(([a, b]) => { const p = { start: a, end: b, pos }; pos += b - a; return p; });
  }

  function coverageChart(s, pieces, total, select) {
    const copies = s.copies || [];
    const W = 600, L = 180, rowH = 22, H = copies.length * rowH + 24;
    const root = svg("svg", { viewBox: "0 0 " + (L + W + 50) + " " + H, class: "chart", role: "img" });
    root.append(Object.assign(svg("title"), { textContent: "Share of the consensus each copy carries" }));
    const toX = (origByte) => {
      for (const p of pieces)
        if (origByte <= p.end) return L + (W * (p.pos + Math.max(0, origByte - p.start))) / Math.max(1, total);
      return L + W;
    };
    copies.forEach((c, i) => {
      const y = 8 + i * rowH;
      const g = svg("g", { class: "row", "data-doc": String(c.doc), tabindex: "0", role: "button" });
      const label = svg("text", { x: String(L - 8), y: String(y + 13), "text-anchor": "end" });
      label.textContent = opening(host(docOf(c.doc)), 26) + (c.origin ? " \u2605" : "");
      g.append(label);
      g.append(svg("rect", { x: String(L), y: String(y + 2), width: String(W), height: "14", class: "have" }));
      for (const [a, b] of c.lacks || []) {
        const x0 = toX(a), x1 = toX(b);
        g.append(svg("rect", { x: String(x0), y: String(y + 2), width: String(Math.max(1, x1 - x0)), height: "14", class: "lack" }));
      }
      const v = svg("text", { x: String(L + W + 6), y: String(y + 13) });
      v.textContent = pct(c.share);
      g.append(v);
      g.addEventListener("click", () => select(c.doc));
      g.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(c.doc); } });
      root.append(g);
    });
    return root;
  }

  function timeline(s) {
    const pts = (s.copies || []).map((c) => ({ c, d: docOf(c.doc), t: Date.parse(docOf(c.doc).date || "") }))
      .filter((p) => !isNaN(p.t)).sort((a, b) => a.t - b.t);
    if (pts.length < 2) return null;
    const W = 600, L = 20, H = 40 + pts.length * 16;
    const t0 = pts[0].t, t1 = pts[pts.length - 1].t, span = Math.max(1, t1 - t0);
    const root = svg("svg", { viewBox: "0 0 " + (W + 2 * L + 200) + " " + H, class: "chart timeline", role: "img" });
    root.append(Object.assign(svg("title"), { textContent: "When each copy was published" }));
    root.append(svg("line", { x1: String(L), x2: String(L + W), y1: "20", y2: "20", class: "axis" }));
    pts.forEach((p, i) => {
      const x = L + (W * (p.t - t0)) / span;
      root.append(svg("circle", { cx: String(x), cy: "20", r: "5", class: p.c.origin ? "dot origin" : "dot" }));
      root.append(svg("line", { x1: String(x), x2: String(x), y1: "25", y2: String(34 + i * 16), class: "tick" }));
      const t = svg("text", { x: String(x + 4), y: String(38 + i * 16) });
      t.textContent = shortDate(p.d.date) + "  " + opening(host(p.d), 30);
      root.append(t);
    });
    return root;
  }

  // The consensus text, with the parts the chosen copy lacks struck out.
  function consensusText(s, pieces, copy) {
    const origin = docOf(s.origin ? s.origin.doc : -1);
    const box = el("div", { class: "text consensus" });
    if (!origin.text) {
      box.append(document.createTextNode(s.text || "(the trace has no consensus text)"));
      return box;
    }
    const lacks = (copy && copy.lacks) || [];
    pieces.forEach((p, i) => {
      if (i) box.append(el("span", { class: "gap", text: " \u2026 " }));
      let at = p.start;
      for (const [a, b] of lacks) {
        if (b <= at || a >= p.end) continue;
        if (a > at) box.append(document.createTextNode(slice(origin, at, a)));
        box.append(el("del", { class: "lack", title: "not in this copy", text: slice(origin, Math.max(a, at), Math.min(b, p.end)) }));
        at = Math.min(b, p.end);
      }
      if (at < p.end) box.append(document.createTextNode(slice(origin, at, p.end)));
    });
    return box;
  }

  // The marks of one side of the passages between documents x and y:
  // [{start, end, cls, key, pass}] in x's bytes, sorted.
  function marks(x, y, list) {
    const out = [];
    for (const p of list) {
      let me;
      if (p.a.doc === x && p.b.doc === y) me = "a";
      else if (p.b.doc === x && p.a.doc === y) me = "b";
      else continue;
      const ch = (p.changes || []).map((c) => (me === "a" ? c : [c[2], c[3], c[0], c[1]]))
        .sort((u, v) => u[0] - v[0] || u[1] - v[1]);
      let at = p[me].start, atOther = me === "a" ? p.b.start : p.a.start, k = 0;
      const seg = (s, e, os, oe) => {
        if (e > s) out.push({ start: s, end: e, cls: "seg", key: p.index + "." + k, pass: p.index, twin: [os, oe], isA: me === "a" });
        k++;
      };
      for (const c of ch) {
        seg(at, c[0], atOther, c[2]);
        if (c[1] > c[0]) out.push({ start: c[0], end: c[1], cls: c[3] > c[2] ? "chg" : "add", pass: p.index,
          other: c[3] > c[2] ? [c[2], c[3]] : null });
        at = Math.max(at, c[1]);
        atOther = Math.max(atOther, c[3]);
      }
      seg(at, p[me].end, atOther, me === "a" ? p.b.end : p.a.end);
    }
    out.sort((u, v) => u.start - v.start);
    return out;
  }

  // Words, as [start, end) string indices.
  function words(t) {
    const out = [];
    for (const m of t.matchAll(/[\p{L}\p{N}]+/gu)) out.push([m.index, m.index + m[0].length]);
    return out;
  }
  // An equal run of a passage, cut at its sentence ends so that a sentence
  // lights its counterpart, not the whole run: the string indices where
  // each piece of `mine` starts. The cuts are found in the passage's "a"
  // side and carried over word for word, so both sides cut alike; when the
  // two sides do not count the same words, the run stays whole.
  const SENTENCE_END = /[.!?;:]['"\u2019\u201d)\]]*\s|\n/;
  // Where the next sentence starts in the gap after word w: past the
  // punctuation and the white space, so its opening quote goes with it.
  function cutAfter(t, w, next) {
    const m = /^\S*\s+/.exec(t.slice(w[1], next[0]));
    return m ? w[1] + m[0].length : next[0];
  }
  function sentenceStarts(t) {
    const w = words(t), starts = [0];
    for (let i = 0; i + 1 < w.length; i++)
      if (SENTENCE_END.test(t.slice(w[i][1], w[i + 1][0]))) starts.push(cutAfter(t, w[i], w[i + 1]));
    return starts;
  }
  function sentencePieces(mine, other, mineIsA) {
    // the same number of sentences on both sides: they pair in order
    const sm = sentenceStarts(mine);
    if (sm.length > 1 && sm.length === sentenceStarts(other).length) return sm;
    const wm = words(mine), wo = words(other);
    if (wm.length !== wo.length || wm.length < 2) return [0];
    const aText = mineIsA ? mine : other, wa = mineIsA ? wm : wo;
    const starts = [0];
    for (let i = 0; i + 1 < wa.length; i++)
      if (SENTENCE_END.test(aText.slice(wa[i][1], wa[i + 1][0])))
        starts.push(cutAfter(mine, wm[i], wm[i + 1]));
    return starts;
  }

  function sideText(d, ms, otherDoc) {
    const box = el("div", { class: "text side", "data-doc": String(d.doc) });
    if (!d.text) {
      box.append(el("p", { class: "note", text: "The trace has no text for this document (trace with --doc-text, or --html)." }));
      return box;
    }
    const bytes = byteMap(d).length - 1;
    let at = 0;
    for (const m of ms) {
      if (m.start < at) continue; // overlapping passages: the first wins
      if (m.start > at) box.append(el("span", { class: "out", text: slice(d, at, m.start) }));
      if (m.cls === "seg") {
        const mine = slice(d, m.start, m.end);
        const starts = otherDoc.text ? sentencePieces(mine, slice(otherDoc, m.twin[0], m.twin[1]), m.isA) : [0];
        starts.forEach((s, j) => {
          box.append(el("span", { class: "seg", "data-p": String(m.pass), "data-k": m.key + "." + j, tabindex: "0",
            text: mine.slice(s, j + 1 < starts.length ? starts[j + 1] : mine.length) }));
        });
        at = m.end;
        continue;
      }
      const span = el("mark", { class: m.cls, "data-p": String(m.pass), text: slice(d, m.start, m.end) });
      if (m.other && otherDoc.text) {
        span.title = "the other copy has: " + slice(otherDoc, m.other[0], m.other[1]);
      } else if (m.cls === "add") {
        span.title = "only in this copy";
      }
      box.append(span);
      at = m.end;
    }
    if (at < bytes) box.append(el("span", { class: "out", text: slice(d, at, bytes) }));
    return box;
  }

  // A passage that overlaps an earlier one in one copy is shown there only
  // as far as it does not overlap, so some of its pieces have no
  // counterpart: those stay marked as shared text but are not links.
  function unlinkLone(a, b) {
    const keys = (c) => new Set(Array.from(c.querySelectorAll(".seg[data-k]"), (x) => x.getAttribute("data-k")));
    const ka = keys(a), kb = keys(b);
    for (const [c, other] of [[a, kb], [b, ka]])
      for (const x of c.querySelectorAll(".seg[data-k]"))
        if (!other.has(x.getAttribute("data-k"))) {
          x.removeAttribute("data-k");
          x.removeAttribute("tabindex");
          x.classList.add("lone");
        }
  }

  function renderStory(n) {
    const s = stories.find((x) => x.story === n);
    if (!s) {
      app.replaceChildren(el("h1", { tabindex: "-1", text: "No story " + n }), el("p", null, el("a", { href: "#", text: "All stories" })));
      return app.firstChild;
    }
    const copies = s.copies || [];
    const list = byStory.get(s.story) || [];
    const pieces = consensusPieces(s);
    const total = pieces.reduce((t, p) => t + p.end - p.start, 0);
    const origin = docOf(s.origin ? s.origin.doc : -1);
    let left = origin.doc, right = (copies.find((c) => c.doc !== origin.doc) || copies[0] || {}).doc;

    app.replaceChildren();
    const h1 = el("h1", { tabindex: "-1", text: "Story #" + s.story + ": " + opening(String(s.text || "").split("\n")[0], 100) });
    app.append(el("p", { class: "back" }, el("a", { href: "#", text: "\u2190 All stories" })), h1);
    app.append(el("p", { class: "facts" },
      copies.length + " copies, " + (s.consensus_tokens || 0) + " words in common, " + (s.passages || 0) +
      " aligned passages. Likely origin: ", docName(origin),
      " (" + (s.origin && s.origin.by === "date" ? "earliest date" : "carries the most of the story") + ")."));

    // copies
    const table = el("table", { class: "copies" });
    table.append(el("thead", null, el("tr", null, ...["Copy", "Role", "Carries", "Same words", "Date", "Added", "Changed", "Compare"]
      .map((t) => el("th", { scope: "col", text: t })))));
    const tb = el("tbody");
    for (const c of copies) {
      const d = docOf(c.doc);
      const cmp = el("button", { type: "button", "data-doc": String(c.doc), text: c.doc === origin.doc ? "origin" : "compare" });
      tb.append(el("tr", null,
        el("td", null, docName(d), c.origin ? el("span", { class: "badge", text: "origin" }) : null),
        el("td", { text: c.role || "" }),
        el("td", { class: "num", text: pct(c.share) }),
        el("td", { class: "num", text: pct(c.identity) }),
        el("td", { text: shortDate(d.date) }),
        el("td", { class: "num", text: String((c.added || []).length) }),
        el("td", { class: "num", text: String((c.changed || []).length) }),
        el("td", null, cmp)));
    }
    table.append(tb);
    app.append(el("h2", { text: "Copies" }), el("div", { class: "scroll" }, table));

    const charts = el("div", { class: "charts" });
    app.append(el("h2", { text: "Coverage" }), el("p", { class: "hint", text: "Each bar is the story's consensus; red is what a copy lacks. Select a copy to compare it with the origin." }), charts);
    const tl = timeline(s);
    if (tl) app.append(el("h2", { text: "Timeline" }), tl);

    const consBox = el("div");
    app.append(el("h2", { text: "Consensus" }), consBox);

    const sbsHead = el("div", { class: "pick" });
    const selL = el("select", { "aria-label": "Left copy" }), selR = el("select", { "aria-label": "Right copy" });
    for (const c of copies) {
      const name = host(docOf(c.doc)) + (c.origin ? " (origin)" : "");
      selL.append(el("option", { value: String(c.doc), text: name }));
      selR.append(el("option", { value: String(c.doc), text: name }));
    }
    sbsHead.append(el("label", null, "Left ", selL), el("label", null, "Right ", selR));
    const sbs = el("div", { class: "sbs" });
    app.append(el("h2", { text: "Side by side" }),
      el("p", { class: "hint", text: "Shared passages are underlined; select one (click, or Tab and Enter) and its counterpart lights up. Changed words are orange, words only one copy has are green, text outside the shared passages is grey." }),
      sbsHead, el("div", { class: "legend" },
        el("span", { class: "seg", text: "shared" }), " ", el("mark", { class: "chg", text: "changed" }), " ",
        el("mark", { class: "add", text: "only here" }), " ", el("span", { class: "out", text: "not shared" })), sbs);

    function draw() {
      selL.value = String(left);
      selR.value = String(right);
      const focus = copies.find((c) => c.doc === right);
      charts.replaceChildren(coverageChart(s, pieces, total, (doc) => { right = doc; if (left === right) left = origin.doc; draw(); }));
      consBox.replaceChildren(el("p", { class: "hint", text: "Struck out: what " + host(docOf(right)) + " lacks." }), consensusText(s, pieces, focus));
      const dl = docOf(left), dr = docOf(right);
      const colL = el("div", { class: "col" }, el("h3", null, docName(dl)), sideText(dl, marks(left, right, list), dr));
      const colR = el("div", { class: "col" }, el("h3", null, docName(dr)), sideText(dr, marks(right, left, list), dl));
      unlinkLone(colL, colR);
      if (left === right)
        sbs.replaceChildren(el("p", { class: "note", text: "Choose two different copies." }));
      else if (!list.some((p) => (p.a.doc === left && p.b.doc === right) || (p.a.doc === right && p.b.doc === left)))
        sbs.replaceChildren(el("p", { class: "note", text: list.length ? "These two copies share no aligned passage directly; each shares one with other copies." : "The trace has no passages (trace with --passages, or --html)." }), colL, colR);
      else sbs.replaceChildren(colL, colR);
    }
    selL.addEventListener("change", () => { left = Number(selL.value); draw(); });
    selR.addEventListener("change", () => { right = Number(selR.value); draw(); });
    tb.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-doc]");
      if (!b) return;
      const doc = Number(b.getAttribute("data-doc"));
      if (doc !== origin.doc) { left = origin.doc; right = doc; }
      draw();
      sbs.scrollIntoView({ block: "start" });
    });
    function light(target) {
      const seg = target.closest(".seg[data-k]");
      if (!seg) return;
      for (const x of sbs.querySelectorAll(".lit, .litp")) x.classList.remove("lit", "litp");
      for (const x of sbs.querySelectorAll('[data-p="' + seg.getAttribute("data-p") + '"]')) x.classList.add("litp");
      const twins = sbs.querySelectorAll('.seg[data-k="' + seg.getAttribute("data-k") + '"]');
      for (const x of twins) {
        x.classList.add("lit");
        if (x !== seg) x.scrollIntoView({ block: "nearest" });
      }
    }
    sbs.addEventListener("click", (ev) => light(ev.target));
    sbs.addEventListener("focusin", (ev) => light(ev.target));
    sbs.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { if (ev.target.closest(".seg")) { ev.preventDefault(); light(ev.target); } } });
    draw();
    return h1;
  }

  // ---- routing ----------------------------------------------------------------

  summary.textContent = stories.length + " stories \u00b7 " + docs.size + " documents \u00b7 " +
    alone.length + " in no story \u00b7 " + failed.length + " failed or skipped";
  function route() {
    const m = /^#story-(\d+)$/.exec(location.hash);
    const h = m ? renderStory(Number(m[1])) : renderIndex();
    document.title = m ? "syndic: story #" + m[1] : "syndic: stories";
    if (h && document.activeElement !== document.getElementById("filter")) h.focus({ preventScroll: false });
    if (m) window.scrollTo(0, 0);
  }
  window.addEventListener("hashchange", route);
  route();
  document.documentElement.setAttribute("data-ready", "1");
  if (performance.mark) performance.mark("syndic-ready");
})();
