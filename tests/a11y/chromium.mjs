// Debian's headless Chromium for the checks in this folder, started one way: only our flags,
// a throwaway profile, a watchdog so that no check ever hangs, and nothing left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Begin a check called `name` that may take `timeoutMs` at most: exit 2 once it has.
// Returns launch(options) (puppeteer's options added to ours) and finish(), which closes
// the browser (within 5 s) and removes the profile; both also happen at any exit.
export function chromiumSession(name, timeoutMs) {
  const profile = mkdtempSync(join(tmpdir(), `${name}-profile-`));
  let browser = null;
  const cleanup = () => {
    try { browser?.process()?.kill('SIGKILL'); } catch {}
    try { rmSync(profile, { recursive: true, force: true, maxRetries: 3 }); } catch {}
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { console.error(`${name}: ${sig}`); process.exit(2); });
  const watchdog = setTimeout(() => {
    console.error(`${name}: timed out after ${timeoutMs / 1000} s`);
    process.exit(2);
  }, timeoutMs);
  return {
    async launch(options = {}) {
      browser = await puppeteer.launch({
        executablePath: CHROMIUM, headless: true, ignoreDefaultArgs: true, pipe: true,
        args: [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
        timeout: 20_000, protocolTimeout: 45_000, // the launch; any single CDP call
        handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
        ...options,
      });
      return browser;
    },
    async finish() {
      clearTimeout(watchdog);
      try { await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 5000))]); } catch {}
      cleanup();
    },
  };
}
