// Shared set-up of the browser tests: the release binary on a free port with
// the bundled data (started once per test file, ready once its national
// layers are drawn), and Debian's headless Chromium driven by playwright-core.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const artifacts = path.join(root, 'tests/artifacts');
const binary = path.join(root, 'target/release/cptsmap');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const ctx = { base: null, browser: null };
let server;

before(async () => {
  assert.ok(existsSync(binary), 'build first: cargo build --release');
  mkdirSync(artifacts, { recursive: true });
  server = spawn(binary, ['serve', '--port', '0'], { cwd: root, env: { ...process.env, RUST_LOG: 'cptsmap=info,tower_http=off', NO_COLOR: '1' } });
  // Ready when it listens and what the first view asks is prepared: timings are then the page's, not the start-up's.
  ctx.base = await new Promise((resolve, reject) => {
    let seen = '';
    let url = null;
    server.stderr.on('data', (d) => {
      seen += d;
      url ??= seen.match(/http:\/\/([\d.]+:\d+)\//)?.[1];
      if (url && /couches nationales prêtes/.test(seen) && /résumés nationaux prêts/.test(seen)) resolve(`http://${url}/`);
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });
  ctx.browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await ctx.browser?.close();
  server?.kill('SIGTERM');
});

export const DESKTOP = { width: 1400, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Opens the page and waits until the view is drawn; console errors are collected. */
export async function openPage(hash = '', viewport = DESKTOP, options = {}) {
  const page = await ctx.browser.newPage({ viewport, acceptDownloads: true, ...options });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const started = Date.now();
  await page.goto(ctx.base + hash);
  await loaded(page);
  return { page, errors, drawnMs: Date.now() - started };
}

/** Waits until the map and the panel show the current state. */
export async function loaded(page) {
  await page.waitForFunction(() => document.body.dataset.started === 'true' && document.body.dataset.loaded === 'true'
    && document.querySelector('#summary')?.getAttribute('aria-busy') === 'false', null, { timeout: 30000 });
}

/** Bytes transferred so far (compressed), from the Resource Timing entries. */
export async function transferred(page) {
  return page.evaluate(() => performance.getEntriesByType('resource')
    .concat(performance.getEntriesByType('navigation')).reduce((s, e) => s + (e.transferSize || 0), 0));
}

/** French number text (« 10 514 179 ») to a number. */
export const num = (text) => Number(String(text).replace(/[\s\u00a0\u202f]/g, '').replace(',', '.'));

export async function json(pathAndQuery) {
  const r = await fetch(ctx.base + pathAndQuery);
  return { status: r.status, body: await r.json() };
}

/** Changes a select and waits for the page to settle on the new state. */
export async function choose(page, selector, value) {
  await page.selectOption(selector, value);
  await page.waitForTimeout(50);
  await loaded(page);
}

export const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name) });
