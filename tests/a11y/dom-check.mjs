#!/usr/bin/env node
// Usage: node dom-check.mjs FILE.html
// Opens a local HTML file in Debian's headless Chromium, with every request outside the file
// refused, and reports what a visitor's browser would meet: whether any script ran (a payload
// sets window.__pwned or calls alert), the elements and attributes in the page, and the
// requests it tried. Exit: 0 = report written, 2 = usage/launch error or timeout.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumSession, patience } from './chromium.mjs';

const file = process.argv[2];
if (!file || !existsSync(resolve(file)) || !statSync(resolve(file)).isFile()) {
  console.error('usage: node dom-check.mjs FILE.html');
  process.exit(2);
}
const session = chromiumSession('dom-check', 60_000);

async function main() {
  const browser = await session.launch();
  const page = await browser.newPage();
  const requests = [];
  const dialogs = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const u = req.url();
    if (u === pathToFileURL(resolve(file)).href || /^(data|about):/.test(u)) req.continue();
    else { requests.push(u); req.abort('blockedbyclient'); }
  });
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load', timeout: patience(30_000) });
  // Give timers and event handlers a moment to run, and hover and click everything.
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('*')) {
      for (const type of ['mouseover', 'focus', 'click']) el.dispatchEvent(new Event(type, { bubbles: true }));
    }
  });
  await new Promise((r) => setTimeout(r, 300));
  const dom = await page.evaluate(() => ({
    pwned: Boolean(window.__pwned),
    tags: [...new Set([...document.querySelectorAll('*')].map((el) => el.tagName.toLowerCase()))].sort(),
    attributes: [...new Set([...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => `${el.tagName.toLowerCase()}[${a.name}]`)))].sort(),
    hrefs: [...document.querySelectorAll('[href]')].map((el) => el.getAttribute('href')),
    srcs: [...document.querySelectorAll('[src]')].map((el) => el.getAttribute('src').slice(0, 30)),
    styles: document.querySelectorAll('style').length,
  }));
  process.stdout.write(JSON.stringify({ ...dom, dialogs, requests }, null, 2) + '\n');
}

let code = 0;
try { await main(); } catch (e) { console.error(`dom-check: ${e && e.stack ? e.stack : e}`); code = 2; }
await session.finish();
process.exit(code);
