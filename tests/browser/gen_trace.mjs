// Writes a synthetic trace (the JSON lines of syndic trace --doc-text
// --passages) of N stories, for the report's benchmark. Deterministic.
// usage: node gen_trace.mjs N > trace.jsonl
const N = Number(process.argv[2] || 5000);
let seed = 12345;
function rand() { // xorshift32
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const WORDS = ("the a of to and in on for with by from at said council river town police school water " +
  "minister report market price vote court city people week year government company workers plan " +
  "storm fire road bridge hospital mayor officials residents season team game club bank rates union " +
  "strike station museum festival harbour ferry island flood rain farmers crops election budget").split(" ");
const HOSTS = ["courier", "ledger", "gazette", "times", "post", "herald", "tribune", "echo", "wire", "daily",
  "observer", "journal", "news", "chronicle", "record", "express", "mercury", "star", "sun", "mail"];
function sentence() {
  const n = 8 + Math.floor(rand() * 14), w = [];
  for (let i = 0; i < n; i++) w.push(pick(WORDS));
  w[0] = w[0][0].toUpperCase() + w[0].slice(1);
  return w.join(" ") + ".";
}
function article() {
  const paras = [];
  const np = 3 + Math.floor(rand() * 5);
  for (let i = 0; i < np; i++) {
    const s = [];
    for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) s.push(sentence());
    paras.push(s.join(" "));
  }
  return paras.join("\n\n");
}
const bytes = (s) => Buffer.byteLength(s, "utf8");
const out = [];
const docs = [];
let docNo = 0;
const passages = [];
for (let st = 0; st < N; st++) {
  const body = article();
  const ncopies = 2 + Math.floor(rand() * rand() * 14);
  const day = 1 + Math.floor(rand() * 28), hour = Math.floor(rand() * 20);
  const members = [];
  for (let c = 0; c < ncopies; c++) {
    const host = pick(HOSTS) + "-" + Math.floor(rand() * 300);
    const head = c === 0 ? "" : "The " + host + " | " + pick(WORDS) + "\n\n";
    let text = body;
    let lacks = [];
    if (c > 0 && rand() < 0.2) { // truncated copy
      const cut = Math.floor(body.length * (0.5 + rand() * 0.4));
      text = body.slice(0, cut);
      lacks = [[bytes(body.slice(0, cut)), bytes(body)]];
    }
    const full = head + text + (c === 0 ? "" : "\n\nMore from " + host + ".");
    const start = bytes(head), end = start + bytes(text);
    const date = "2026-0" + (1 + (st % 9)) + "-" + String(day).padStart(2, "0") + "T" +
      String(Math.min(23, hour + c)).padStart(2, "0") + ":00:00Z";
    const d = { type: "doc", doc: docNo++, id: host + "/" + st + "-" + c + ".html",
      url: "https://www." + host + ".example/" + st + "/" + c, date, stories: [st], text: full };
    docs.push(d);
    members.push({ d, start, end, lacks, share: lacks.length ? (end - start) / bytes(body) : 1 });
  }
  const origin = members[0];
  for (const m of members.slice(1))
    passages.push({ type: "passage", story: st,
      a: { doc: origin.d.doc, id: origin.d.id, start: 0, end: m.end - m.start, tokens: 0 },
      b: { doc: m.d.doc, id: m.d.id, start: m.start, end: m.end, tokens: 0 },
      columns: 0, equal: 0, identity: 1, changes: [] });
  out.push({ type: "story", story: st, origin: { doc: origin.d.doc, id: origin.d.id, by: "date" },
    members: members.length, passages: members.length - 1, consensus_tokens: body.split(/\s+/).length,
    consensus: [[0, bytes(body)]], text: body,
    copies: members.map((m) => ({ doc: m.d.doc, id: m.d.id, role: m.lacks.length ? "truncated" : "full",
      origin: m === origin, share: Math.round(m.share * 1e4) / 1e4, identity: 1,
      spans: [[m.start, m.end]], added: [], lacks: m.lacks, changed: [] })) });
}
for (let i = 0; i < N / 5; i++) // documents in no story
  docs.push({ type: "doc", doc: docNo++, id: "alone/" + i + ".html", stories: [] });
const w = (o) => process.stdout.write(JSON.stringify(o) + "\n");
out.forEach(w);
passages.forEach(w);
docs.forEach(w);
