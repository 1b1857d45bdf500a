// Browser tests of the story report: headless Chromium (Debian's chromium)
// driven by playwright-core. Run by tests/browser/run.sh, which makes the
// report first. usage: node report.test.mjs DIR   (DIR holds report.html and
// trace.jsonl, the same trace as JSON lines; screenshots are written there)
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const dir = resolve(process.argv[2] || "build/browser");
const url = "file://" + dir + "/report.html";
const lines = readFileSync(dir + "/trace.jsonl", "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const stories = lines.filter((x) => x.type === "story");
const docs = lines.filter((x) => x.type === "doc");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
let passed = 0, failed = 0;

// A fresh page per test (the report, or the page at `at`); every console
// error or page error fails the test.
async function test(name, fn, viewport, at) {
  const context = await browser.newContext({ viewport: viewport || { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push("console: " + m.text()); });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  try {
    await page.goto(at || url);
    await page.waitForSelector("html[data-ready='1']", { timeout: 10000 });
    await fn(page);
    if (problems.length) throw new Error(problems.join("; "));
    passed++;
    console.log("ok   " + name);
  } catch (e) {
    failed++;
    console.log("FAIL " + name + ": " + (e && e.message ? e.message.split("\n")[0] : e));
  } finally {
    await context.close();
  }
}
function check(cond, what) {
  if (!cond) throw new Error(what);
}

// The story whose copies include a document whose id matches re.
function storyWith(re) {
  const ids = new Set(docs.filter((d) => re.test(d.id)).map((d) => d.doc));
  return stories.find((s) => s.copies.some((c) => ids.has(c.doc)));
}

check(stories.length >= 2, "the sample trace has at least two stories");

await test("opens with no console errors and a summary", async (page) => {
  const s = await page.textContent("#summary");
  check(s.includes(stories.length + " stories"), "summary names the story count: " + s);
  await page.screenshot({ path: dir + "/report-index.png", fullPage: true });
});

await test("the index lists every story", async (page) => {
  const shown = await page.$$eval("table.stories tbody tr", (rows) => rows.map((r) => Number(r.getAttribute("data-story"))));
  check(shown.length === stories.length, "rows " + shown.length + ", stories " + stories.length);
  for (const s of stories) check(shown.includes(s.story), "story " + s.story + " listed");
});

await test("the filter narrows the index", async (page) => {
  await page.fill("#filter", "ferry kestrel");
  await page.waitForFunction(() => document.querySelectorAll("table.stories tbody tr").length === 1);
  const head = await page.textContent("table.stories tbody tr .c-head");
  check(/ferry/i.test(head), "the ferry story is left: " + head);
  await page.fill("#filter", "no-such-words-anywhere");
  await page.waitForFunction(() => document.querySelectorAll("table.stories tbody tr").length === 0);
});

await test("a column header sorts the index", async (page) => {
  const order = () => page.$$eval("table.stories tbody tr", (rows) => rows.map((r) => r.getAttribute("data-story")));
  await page.click("th.c-words button");
  const desc = await order();
  check((await page.getAttribute("th.c-words", "aria-sort")) === "descending", "aria-sort descending");
  await page.click("th.c-words button");
  const asc = await order();
  check((await page.getAttribute("th.c-words", "aria-sort")) === "ascending", "aria-sort ascending");
  check(JSON.stringify(asc) === JSON.stringify(desc.slice().reverse()), "ascending is descending reversed");
});

await test("a story opens from the keyboard", async (page) => {
  await page.focus("table.stories tbody tr a");
  await page.keyboard.press("Enter");
  await page.waitForSelector("h1:has-text('Story #')");
  check(/^#story-\d+$/.test(await page.evaluate(() => location.hash)), "the address names the story");
  await page.keyboard.press("Tab");
});

const wire = storyWith(/wire-original/);
await test("selecting a passage lights up its counterpart", async (page) => {
  await page.goto(url + "#story-" + wire.story);
  await page.waitForSelector(".sbs .col");
  const segs = await page.$$(".sbs .col:first-child .seg[data-k]");
  check(segs.length > 0, "the left copy has shared passages");
  const seg = segs[Math.floor(segs.length / 2)];
  const key = await seg.getAttribute("data-k");
  await seg.click();
  const twin = page.locator('.sbs .col:nth-child(2) .seg.lit[data-k="' + key + '"]');
  check((await twin.count()) === 1, "the right copy's counterpart of " + key + " is lit");
  const a = (await seg.textContent()).replace(/\W+/g, " ").trim().toLowerCase();
  const b = (await twin.textContent()).replace(/\W+/g, " ").trim().toLowerCase();
  check(a === b, "the two lit segments have the same words: '" + a.slice(0, 40) + "' / '" + b.slice(0, 40) + "'");
  // from the keyboard too: focus a segment on the right
  const other = page.locator(".sbs .col:nth-child(2) .seg[data-k]").first();
  const k2 = await other.getAttribute("data-k");
  await other.focus();
  check((await page.locator('.sbs .col:first-child .seg.lit[data-k="' + k2 + '"]').count()) === 1, "focus lights the counterpart");
  await page.screenshot({ path: dir + "/report-story.png", fullPage: false });
});

await test("every linked passage piece has its counterpart, for every pair of copies", async (page) => {
  await page.goto(url + "#story-" + wire.story);
  await page.waitForSelector(".sbs .col");
  let pairs = 0;
  for (const a of wire.copies)
    for (const b of wire.copies) {
      if (a.doc === b.doc) continue;
      await page.selectOption(".pick label:nth-child(1) select", String(a.doc));
      await page.selectOption(".pick label:nth-child(2) select", String(b.doc));
      const r = await page.evaluate(() => {
        const cols = document.querySelectorAll(".sbs .col");
        if (cols.length < 2) return { pieces: 0, lonely: 0 };
        const keys = (c) => Array.from(c.querySelectorAll(".seg[data-k]"), (x) => x.getAttribute("data-k"));
        const l = keys(cols[0]), r = new Set(keys(cols[1]));
        return { pieces: l.length, lonely: l.filter((k) => !r.has(k)).length + r.size - new Set(l.filter((k) => r.has(k))).size };
      });
      check(r.lonely === 0, "copies " + a.doc + " and " + b.doc + ": " + r.lonely + " pieces without a counterpart");
      if (r.pieces) pairs++;
    }
  check(pairs >= wire.copies.length * (wire.copies.length - 1) / 2, "most pairs have linked pieces: " + pairs);
});

await test("changed words and cuts are marked", async (page) => {
  const ledger = docs.find((d) => /northern-ledger/.test(d.id));
  await page.goto(url + "#story-" + wire.story);
  await page.waitForSelector(".sbs .col");
  await page.selectOption(".pick label:nth-child(2) select", String(ledger.doc));
  check((await page.locator(".sbs .col:nth-child(2) mark.chg").count()) > 0, "changed words marked");
  check((await page.locator(".sbs .col:nth-child(2) mark.add").count()) > 0, "added words marked");
  await page.locator(".sbs .col:first-child .seg[data-k]").nth(14).click();
  await page.screenshot({ path: dir + "/report-compare.png", fullPage: true });
  const newspile = docs.find((d) => /newspile/.test(d.id));
  await page.selectOption(".pick label:nth-child(2) select", String(newspile.doc));
  check((await page.locator(".consensus del.lack").count()) > 0, "the truncated copy's cut is struck out");
  const rows = await page.locator("svg.chart g.row").count();
  check(rows === wire.copies.length, "one coverage row per copy");
});

await test("a document's <script> is shown as text, never run", async (page) => {
  const doc = docs.find((d) => /script-in-text/.test(d.id));
  check(doc && doc.stories.length === 1, "the script document is in a story");
  await page.goto(url + "#story-" + doc.stories[0]);
  await page.waitForSelector(".sbs .col");
  await page.selectOption(".pick label:nth-child(2) select", String(doc.doc));
  const text = await page.textContent(".sbs .col:nth-child(2) .side");
  check(text.includes("<script>window.__syndicPwned = 1;"), "the script tag is visible as text");
  check(text.includes('<img src=x onerror="window.__syndicPwned = 2">'), "the img tag is visible as text");
  check((await page.evaluate(() => window.__syndicPwned)) === undefined, "no script from the input ran");
  check((await page.title()) !== "pwned", "the title is the report's");
  check((await page.locator("main img, main script").count()) === 0, "no element made from input markup");
});

await test("documents in no story and failed records are listed with reasons", async (page) => {
  const lists = await page.textContent(".lists");
  check(lists.includes("independent-report.txt"), "a document in no story is listed");
  check(/section-front[^]*skipped: page has no article text/.test(lists), "the skipped page is listed with its reason");
  check(/feed\/broken[^]*failed: invalid JSON[^]*feed\.jsonl:2, byte 90\)/.test(lists),
    "the broken record is listed with its reason and place");
});

await test("a story with dated copies has a timeline", async (page) => {
  const ferry = storyWith(/00000000-0000-4000-8000-000000000001/);
  check(ferry && docs.some((d) => d.date), "the crawl's pages have dates");
  await page.goto(url + "#story-" + ferry.story);
  await page.waitForSelector("svg.timeline");
  check((await page.locator("svg.timeline circle").count()) === ferry.copies.length, "one dot per dated copy");
  const row = await page.locator("table.copies tbody tr").first().textContent();
  check(/news\.example/.test(row), "copies are named by URL: " + row);
});

await test("readable on a phone: no sideways scrolling", async (page) => {
  const wide = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check((await wide()) <= 1, "index fits: " + (await wide()));
  await page.goto(url + "#story-" + wire.story);
  await page.waitForSelector(".sbs .col");
  check((await wide()) <= 1, "story fits: " + (await wide()));
  await page.screenshot({ path: dir + "/report-phone.png", fullPage: false });
}, { width: 390, height: 844 });

await test("a saved trace with damaged lines still renders, and lists them", async (page) => {
  const s = await page.textContent("#summary");
  check(s.includes(stories.length + " stories"), "every story is shown: " + s);
  const shown = await page.locator("table.stories tbody tr").count();
  check(shown === stories.length, "rows " + shown + ", stories " + stories.length);
  const lists = await page.textContent(".lists");
  check(/Trace lines that could not be read \(3\)/.test(lists), "three damaged lines listed");
  check(/trace-damaged\.jsonl:3 \(byte \d+\): not a trace line: a story without a valid "story"/.test(lists),
    "the damaged story line is named by file and line");
  check(/trace-damaged\.jsonl:5 \(byte \d+\): not JSON/.test(lists), "the line that is not JSON is named");
}, null, "file://" + dir + "/report-damaged.html");

await browser.close();
console.log(passed + " passed, " + failed + " failed");
process.exit(failed ? 1 : 0);
