#!/usr/bin/env node
// Usage: node preview-check.mjs URL TEMPLATE OLD NEW DATA
// Drives `letters preview` in Debian's headless Chromium, with no reload by the script:
// opens URL and waits for the letter; replaces OLD with NEW in the TEMPLATE file on disk
// and waits for NEW in the page's HTML version and a new page image (only the pages drawn
// anew are fetched again: report.redrawn lists them); adds a character no
// house font has and waits for the page's warning, then for its end; breaks the YAML of
// DATA and waits for the mistake (file and line) in the page; restores DATA and waits for
// the letter again. Prints a JSON report, with the milliseconds from each save to the page
// showing it. Exit: 0 = report written, 2 = usage/launch error or a step timed out.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromiumSession, patience } from './chromium.mjs';

const [url, template, oldText, newText, data] = process.argv.slice(2);
if (!data) {
  console.error('usage: node preview-check.mjs URL TEMPLATE OLD NEW DATA');
  process.exit(2);
}
const session = chromiumSession('preview-check', 90_000);

async function htmlText(page) {
  // the frame reloads on every rebuild: a read that meets a reload simply finds nothing yet
  const frame = page.frames().find((f) => f !== page.mainFrame());
  try {
    return frame ? await frame.evaluate(() => document.body ? document.body.innerText : '') : '';
  } catch {
    return '';
  }
}

async function until(page, test, what) {
  const start = Date.now();
  while (Date.now() - start < patience(20_000)) {
    if (await test()) return Date.now();
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never saw ${what}`);
}

async function main() {
  const browser = await session.launch();
  const page = await browser.newPage();
  const report = {};
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: patience(30_000) });
  const images = () => page.$$eval('#pages img', (imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0 ? i.src : ''));
  await until(page, async () => { const now = await images(); return now.length > 0 && now.every(Boolean); }, 'the first pages');
  report.pages = (await images()).length;
  report.before = (await htmlText(page)).includes(oldText);
  const firstImages = await images();

  const source = readFileSync(template, 'utf8');
  let saved = Date.now();
  writeFileSync(template, source.replace(oldText, newText));
  let seen = await until(page, async () => (await htmlText(page)).includes(newText), 'the new words');
  // only a page drawn anew is fetched again: some page's image changes
  await until(page, async () => (await images()).some((src, i) => src && src !== firstImages[i]), 'new page images');
  report.template_ms = Date.now() - saved;
  report.template_text_ms = seen - saved;
  // the pages whose image was fetched again (1 = the first), once the new ones are in
  await new Promise((r) => setTimeout(r, 500));
  const redrawn = await images();
  report.redrawn = redrawn.flatMap((src, i) => (src !== firstImages[i] ? [i + 1] : []));

  // a character no house font has: the page warns of it, then stops when it goes
  writeFileSync(template, source.replace(oldText, newText + ' \u0627'));
  await until(page, async () => (await page.$eval('#warnings', (e) => e.textContent)).length > 0, 'the warning');
  report.warnings = await page.$eval('#warnings', (e) => e.textContent);
  report.warned_state = await page.$eval('#state', (e) => e.textContent);
  writeFileSync(template, source.replace(oldText, newText));
  await until(page, async () => (await page.$eval('#warnings', (e) => e.textContent)) === '', 'no warning');

  const letter = readFileSync(data, 'utf8');
  saved = Date.now();
  writeFileSync(data, letter.replace('report:\n', 'report:\n  title: [unclosed\n'));
  await until(page, async () => (await page.$eval('#error', (e) => e.textContent)).length > 0, 'the mistake');
  report.error_ms = Date.now() - saved;
  report.error = await page.$eval('#error', (e) => e.textContent);

  saved = Date.now();
  writeFileSync(data, letter);
  await until(page, async () => (await page.$eval('#error', (e) => e.textContent)) === '' && (await images()).filter(Boolean).length > 0, 'the letter again');
  report.recovered_ms = Date.now() - saved;
  report.after = (await htmlText(page)).includes(newText);
  console.log(JSON.stringify(report));
}

main().then(async () => { await session.finish(); process.exit(0); })
  .catch((error) => { console.error(`preview-check: ${error.message}`); process.exit(2); });
