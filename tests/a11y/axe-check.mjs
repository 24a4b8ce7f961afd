#!/usr/bin/env node
// Usage: node axe-check.mjs FILE.html [--width N]
// Runs axe-core (WCAG 2.0/2.1 A+AA tags) in Debian's headless Chromium against a
// local HTML file and reports horizontal scrolling at the given viewport width.
// Exit: 0 = no violations and no horizontal scroll (scrollWidth > clientWidth), 1 = findings, 2 = usage/launch error or timeout.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, chromiumSession, patience } from './chromium.mjs';

const OVERALL_TIMEOUT_MS = 60_000;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

function usage(msg) {
  if (msg) console.error(`axe-check: ${msg}`);
  console.error('usage: node axe-check.mjs FILE.html [--width N]');
  process.exit(2);
}

// ---- arguments ----
let file = null;
let width = 1280;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  let w = null;
  if (a === '--width') { w = argv[++i]; if (w === undefined) usage('--width needs a value'); }
  else if (a.startsWith('--width=')) w = a.slice(8);
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else if (file === null) file = a;
  else usage('only one FILE may be given');
  if (w !== null) {
    if (!/^\d+$/.test(w) || +w < 100 || +w > 10000) usage(`bad --width ${w} (integer 100..10000)`);
    width = +w;
  }
}
if (file === null) usage('missing FILE');
const path = resolve(file);
if (!existsSync(path) || !statSync(path).isFile()) usage(`no such file: ${file}`);
if (!existsSync(CHROMIUM)) usage(`browser not found: ${CHROMIUM}`);

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// never hang, never leave the profile behind
const session = chromiumSession('axe-check', OVERALL_TIMEOUT_MS);

async function main() {
  const browser = await session.launch({
    defaultViewport: { width, height: 900, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
  });
  const page = await browser.newPage();
  // Offline and deterministic: only local resources may load.
  const blocked = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const u = req.url();
    if (/^(file|data|blob|about):/.test(u)) req.continue();
    else { blocked.push(u); req.abort('blockedbyclient'); }
  });
  const url = pathToFileURL(path).href;
  const resp = await page.goto(url, { waitUntil: 'load', timeout: patience(30_000) });
  if (resp && !resp.ok()) throw new Error(`loading ${url} failed: ${resp.status()}`);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));

  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    clientWidth: document.documentElement.clientWidth, // innerWidth minus any vertical scrollbar
    horizontalScroll: document.documentElement.scrollWidth > document.documentElement.clientWidth,
  }));

  await page.evaluate(axeSource); // inject axe-core from node_modules, no network
  const r = await page.evaluate(async (tags) => {
    const res = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    const tgt = (t) => (Array.isArray(t) ? t.map(tgt).join(' >>> ') : String(t));
    return {
      violations: res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => tgt(n.target)) })),
      passes: res.passes.length,
      incomplete: res.incomplete.length,
      incompleteIds: res.incomplete.map((v) => v.id),
      url: res.url,
      axeVersion: res.testEngine.version,
    };
  }, TAGS);

  const out = { ...r, width, horizontalScroll: layout.horizontalScroll,
    scrollWidth: layout.scrollWidth, innerWidth: layout.innerWidth,
    clientWidth: layout.clientWidth, blockedRequests: blocked };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  return out.violations.length === 0 && !out.horizontalScroll ? 0 : 1;
}

let code;
try {
  code = await main();
} catch (e) {
  console.error(`axe-check: ${e && e.stack ? e.stack : e}`);
  code = 2;
}
await session.finish();
process.exit(code);
