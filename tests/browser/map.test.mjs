// Browser tests of the map page in a real headless Chromium (Debian's
// /usr/bin/chromium), driven by playwright-core. They start the release
// binary on a free port, with the bundled data.
//
//   cargo build --release && npm ci --prefix tests/browser && node --test tests/browser/
//
// Screenshots of the national and a département view go to tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = path.join(root, 'target/release/cptsmap');
const artifacts = path.join(root, 'tests/artifacts');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
let server, base, browser;

before(async () => {
  assert.ok(existsSync(binary), 'build first: cargo build --release');
  mkdirSync(artifacts, { recursive: true });
  server = spawn(binary, ['serve', '--port', '0'], { cwd: root, env: { ...process.env, RUST_LOG: 'off' } });
  base = await new Promise((resolve, reject) => {
    let seen = '';
    server.stderr.on('data', (d) => {
      seen += d;
      const m = seen.match(/http:\/\/([\d.]+:\d+)\//);
      if (m) resolve(`http://${m[1]}/`);
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

async function openPage(url = base, viewport = { width: 1400, height: 900 }) {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const started = Date.now();
  await page.goto(url);
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 20000 });
  return { page, errors, drawnMs: Date.now() - started };
}

test('the national view loads without console errors, draws territories and zones blanches', async () => {
  const { page, errors, drawnMs } = await openPage();
  assert.deepEqual(errors, []);
  const counts = await page.evaluate(() => ({
    paths: document.querySelectorAll('.leaflet-overlay-pane path').length,
    hatched: document.querySelectorAll('.leaflet-overlay-pane path[fill="url(#hatch)"]').length,
    pattern: !!document.querySelector('svg pattern#hatch'),
    demo: !document.querySelector('#demo').hidden,
    national: document.querySelector('#national .value').textContent,
    rows: document.querySelectorAll('#dep-table tbody tr').length,
  }));
  assert.ok(counts.paths > 500, `paths drawn: ${counts.paths}`);
  assert.ok(counts.hatched > 10 && counts.pattern, `zones blanches hatched: ${counts.hatched}`);
  assert.ok(counts.demo, 'the fictional-data notice is visible');
  assert.match(counts.national, /\d+,\d\s%/, 'French number formatting');
  assert.equal(counts.rows, 101);
  // Weight of the first view, as transferred (compressed).
  const bytes = await page.evaluate(() => performance.getEntriesByType('resource')
    .concat(performance.getEntriesByType('navigation')).reduce((s, e) => s + (e.transferSize || 0), 0));
  console.log(`first view: ${(bytes / 1e6).toFixed(2)} MB transferred, drawn in ${drawnMs} ms`);
  assert.ok(bytes < 1.5e6, `first view ${bytes} bytes`);
  await page.screenshot({ path: path.join(artifacts, 'national.png') });
  await page.close();
});

for (const query of ['Paimbœuf', 'paimboeuf']) {
  test(`searching « ${query} » opens the card of Paimbœuf`, async () => {
    const { page, errors } = await openPage();
    await page.fill('#search', query);
    await page.waitForSelector('#suggestions li');
    await page.keyboard.press('Enter');
    const card = await page.waitForSelector('.leaflet-popup .card');
    const text = await card.textContent();
    assert.match(text, /Paimbœuf/);
    assert.match(text, /44116/);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('clicking a point opens the card of the commune there', async () => {
  const { page } = await openPage();
  const point = await page.evaluate(() => {
    const map = window.cptsmapMap;
    map.setView([43.6086, 3.8799], 11, { animate: false });
    const p = map.latLngToContainerPoint([43.6086, 3.8799]);
    const r = document.getElementById('map').getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  });
  await page.mouse.click(point.x, point.y);
  const card = await page.waitForSelector('.leaflet-popup .card[data-code="34172"]');
  assert.match(await card.textContent(), /Montpellier/);
  await page.close();
});

test('the export buttons download GeoJSON that parses', async () => {
  const { page } = await openPage();
  for (const id of ['#export-uncovered', '#export-cpts']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    const file = await download.path();
    const geojson = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(geojson.type, 'FeatureCollection');
    assert.ok(geojson.features.length > 10);
    assert.match(download.suggestedFilename(), /^cptsmap_.*\.geojson$/);
  }
  await page.selectOption('#departement', '23');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-communes')]);
  const communes = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.ok(communes.features.every((f) => f.properties.departement === '23'));
  await page.close();
});

test('the permalink restores the view, the stage and the département', async () => {
  const url = `${base}#z=9&lat=45.7600&lon=4.8300&stage=aci_signe&dep=69`;
  const { page, errors } = await openPage(url);
  const view = await page.evaluate(() => {
    const map = window.cptsmapMap;
    return { zoom: map.getZoom(), center: map.getCenter(), stage: document.querySelector('#stage').value,
      dep: document.querySelector('#departement').value, communes: document.querySelectorAll('.leaflet-overlay-pane path').length };
  });
  assert.equal(view.zoom, 9);
  assert.ok(Math.abs(view.center.lat - 45.76) < 0.01 && Math.abs(view.center.lng - 4.83) < 0.01);
  assert.equal(view.stage, 'aci_signe');
  assert.equal(view.dep, '69');
  assert.deepEqual(errors, []);
  await page.selectOption('#departement', '23');
  await page.waitForFunction(() => location.hash.includes('dep=23') && document.body.dataset.loaded === 'true'
    && document.querySelectorAll('.leaflet-overlay-pane path').length > 0);
  const ms = await page.evaluate(() => document.body.dataset.lastLoadMs);
  const z = await page.evaluate(() => window.cptsmapMap.getZoom());
  console.log(`département view (zoom ${z}): layers and communes loaded and drawn in ${ms} ms`);
  await page.screenshot({ path: path.join(artifacts, 'departement.png') });
  await page.close();
});
