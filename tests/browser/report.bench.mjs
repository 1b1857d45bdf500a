// The story report's benchmark mode: a report of thousands of stories
// (tests/browser/run.sh --bench makes it), opened five times in headless
// Chromium. Prints medians: time to the index being shown, to sort the
// index, to filter it, to open a story; JS heap. Figures, not pass/fail.
// usage: node report.bench.mjs DIR   (DIR holds bench-report.html)
import { chromium } from "playwright-core";
import { statSync } from "node:fs";
import { resolve } from "node:path";

const dir = resolve(process.argv[2] || "build/browser");
const file = dir + "/bench-report.html";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--enable-precise-memory-info"],
});
const runs = [];
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto("file://" + file);
  await page.waitForSelector("html[data-ready='1']", { timeout: 60000 });
  const r = await page.evaluate(() => {
    const ready = performance.getEntriesByName("syndic-ready")[0].startTime;
    const stories = document.querySelector("h1").textContent;
    let t = performance.now();
    document.querySelector("th.c-words button").click();
    const sort = performance.now() - t;
    return { ready, stories, sort, heap: performance.memory ? performance.memory.usedJSHeapSize : 0 };
  });
  // filtering: the input's debounce (80 ms) is subtracted
  r.filter = await page.evaluate(() => new Promise((done) => {
    const f = document.getElementById("filter");
    const body = document.querySelector("table.stories tbody");
    const t = performance.now();
    new MutationObserver((_, obs) => { obs.disconnect(); done(performance.now() - t - 80); })
      .observe(body, { childList: true });
    f.value = "harbour ferry";
    f.dispatchEvent(new Event("input"));
  }));
  r.story = await page.evaluate(() => {
    history.replaceState(null, "", "#story-2500");
    const t = performance.now();
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    return performance.now() - t;
  });
  runs.push(r);
  await page.close();
}
await browser.close();
const med = (k) => { const v = runs.map((r) => r[k]).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
const mb = (statSync(file).size / 1e6).toFixed(1);
console.log("report of " + runs[0].stories + ", " + mb + " MB; medians of " + runs.length + " loads in headless Chromium:");
console.log("  open to index shown  " + med("ready").toFixed(0) + " ms");
console.log("  sort by a column     " + med("sort").toFixed(1) + " ms");
console.log("  filter               " + med("filter").toFixed(1) + " ms");
console.log("  open a story         " + med("story").toFixed(1) + " ms");
console.log("  JS heap              " + (med("heap") / 1e6).toFixed(0) + " MB");
