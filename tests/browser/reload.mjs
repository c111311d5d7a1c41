// Real-browser test of live reload: open a served article, change its text on disk, wait until
// the browser shows the new text. Prints the milliseconds each edit took to appear.
// Usage: node reload.mjs PAGE_URL FILE OLD_TEXT [REPEAT [NEW_TEXT [NEW_FILE]]]
// OLD_TEXT is replaced by a new marker each time, or by NEW_TEXT with `{marker}` in it replaced
// by the marker (to edit front matter: 'topics = [' -> 'topics = ["{marker}", '). With
// NEW_FILE (`x.md`), FILE is left as it is and each edit is a new article instead: FILE so
// changed, saved as `x-1.md`, `x-2.md`, ... (all deleted at the end).
import { chromium } from "playwright-core";
import { readFileSync, rmSync, writeFileSync } from "node:fs";

const [url, file, oldText, repeatArg, newText, newFile] = process.argv.slice(2);
if (!url || !file || !oldText) {
  console.error("usage: node reload.mjs PAGE_URL FILE OLD_TEXT [REPEAT [NEW_TEXT [NEW_FILE]]]");
  process.exit(2);
}
const repeat = Number(repeatArg || 3);
const original = readFileSync(file, "utf8");
if (!original.includes(oldText)) {
  console.error(`${file} does not contain ${JSON.stringify(oldText)}`);
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const times = [];
const added = [];
let failed = false;
try {
  const page = await browser.newPage();
  await page.goto(url);
  // Set once: it survives only if every edit is swapped into the page rather than reloaded
  // (the page's styles and scripts do not change with an article's text).
  await page.evaluate(() => { window.__sameDocument = true; });
  for (let i = 1; i <= repeat; i++) {
    const marker = `Live edit number ${i} ${Date.now()}`;
    // Wait until the page is connected to the event stream before editing.
    await page.waitForTimeout(300);
    const text = original.replace(oldText, newText ? newText.replace("{marker}", marker) : marker);
    const target = newFile ? newFile.replace(/\.md$/, `-${i}.md`) : file;
    if (newFile) added.push(target);
    const started = Date.now();
    writeFileSync(target, text);
    try {
      await page.waitForFunction((m) => document.body && document.body.innerText.includes(m), marker, { timeout: 15000 });
      times.push(Date.now() - started);
      if (!(await page.evaluate(() => window.__sameDocument === true))) {
        console.error(`edit ${i}: the page was reloaded instead of updated in place`);
        failed = true;
        break;
      }
    } catch (e) {
      console.error(`edit ${i}: the new text did not appear within 15 s`);
      failed = true;
      break;
    }
  }
} finally {
  if (!newFile) writeFileSync(file, original);
  added.forEach((f) => rmSync(f, { force: true }));
  await browser.close();
}
if (times.length) {
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`live reload: save to new text in the browser: ${times.join(", ")} ms (median ${sorted[Math.floor(sorted.length / 2)]} ms)`);
}
console.log(failed ? "browser: 0 passed, 1 failed" : "browser: 1 passed, 0 failed");
process.exit(failed ? 1 : 0);
