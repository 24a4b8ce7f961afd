// Debian's headless Chromium for the checks in this folder, started one way: only our flags,
// a throwaway profile, a watchdog so that no check ever hangs, and nothing left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// The tests stretch every time limit by LETTERS_TEST_SLOWDOWN (tests/conftest.py sets it), as a
// machine whose cores are all busy is several times slower; run by hand, the limits are as written.
const SLOWDOWN = Number(process.env.LETTERS_TEST_SLOWDOWN) > 0 ? Number(process.env.LETTERS_TEST_SLOWDOWN) : 1;
export function patience(ms) { return ms * SLOWDOWN; }
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Begin a check called `name` that may take `timeoutMs` (stretched) at most: exit 2 once it has.
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
    console.error(`${name}: timed out after ${patience(timeoutMs) / 1000} s`);
    process.exit(2);
  }, patience(timeoutMs));
  return {
    async launch(options = {}) {
      browser = await puppeteer.launch({
        executablePath: CHROMIUM, headless: true, ignoreDefaultArgs: true, pipe: true,
        args: [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
        timeout: patience(20_000), protocolTimeout: patience(45_000), // the launch; any CDP call
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
