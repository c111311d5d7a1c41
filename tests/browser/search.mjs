// Real-browser test of the search page: type a person's name, expect exactly the articles of
// that person's page among the results. Usage: node search.mjs BASE_URL "Person Name" person-slug
import { chromium } from "playwright-core";

const [base, name, slug] = process.argv.slice(2);
if (!base || !name || !slug) {
  console.error("usage: node search.mjs BASE_URL NAME SLUG");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
let failed = false;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));

  await page.goto(`${base}people/${slug}/`);
  const expected = (await page.locator(".card-title a").allTextContents()).map((t) => t.trim()).sort();

  await page.goto(`${base}search/`);
  await page.waitForFunction(() => /articles\. Type to search/.test(document.getElementById("search-status").textContent));
  const started = Date.now();
  // Keyboard only: the skip link, the search box, type.
  await page.locator("#q").focus();
  await page.keyboard.type(name, { delay: 10 });
  await page.waitForFunction(() => /match/.test(document.getElementById("search-status").textContent));
  const ms = Date.now() - started;
  const got = (await page.locator("#results .card-title a").allTextContents()).map((t) => t.trim());
  const missing = expected.filter((t) => !got.includes(t));
  // Arrow down moves focus to the first result.
  await page.keyboard.press("ArrowDown");
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.textContent);
  console.log(`search "${name}": ${got.length} results in ${ms} ms, ${expected.length} expected, focus on "${focused}"`);
  if (missing.length) { console.error(`missing from results: ${missing.join(" | ")}`); failed = true; }
  if (got.length !== expected.length) { console.error(`expected ${expected.length} results, got ${got.length}`); failed = true; }
  if (focused !== got[0]) { console.error("ArrowDown did not focus the first result"); failed = true; }
  if (errors.length) { console.error(`console errors: ${errors.join("; ")}`); failed = true; }
} finally {
  await browser.close();
}
console.log(failed ? "browser: 0 passed, 1 failed" : "browser: 1 passed, 0 failed");
process.exit(failed ? 1 : 0);
