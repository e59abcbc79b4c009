// The map: first view weight and time, fixed layer order, selection
// outlines, place names, overseas insets, only the box in view once zoomed
// in, French controls, the sea, Mayotte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, loaded, choose, transferred, shot } from './lib/setup.mjs';

test('the first view is light and quick, with territories, zones, labels and the overseas insets', async () => {
  const { page, errors, drawnMs } = await openPage();
  const bytes = await transferred(page);
  console.log(`first view: ${(bytes / 1e6).toFixed(2)} MB transferred, drawn in ${drawnMs} ms`);
  assert.ok(bytes <= 0.6e6, `first view ${bytes} bytes`);
  assert.ok(drawnMs <= 1500, `first view drawn in ${drawnMs} ms`);
  const v = await page.evaluate(() => ({
    fills: document.querySelectorAll('.leaflet-fills-pane path').length,
    hatched: document.querySelectorAll('.leaflet-zones-pane path[fill="url(#hatch)"]').length,
    labels: [...document.querySelectorAll('.leaflet-labels-pane .place')].filter((l) => l.style.visibility !== 'hidden').map((l) => l.textContent),
    insets: [...document.querySelectorAll('.insets button')].map((b) => b.textContent),
    insetPaths: document.querySelectorAll('.insets path').length,
    demo: !document.querySelector('#demo').hidden,
    rows: document.querySelectorAll('#dep-table tbody tr').length,
    date: document.querySelector('#data-date').textContent,
  }));
  assert.ok(v.fills > 500, `territories drawn: ${v.fills}`);
  assert.ok(v.hatched > 10, `zones blanches hatched: ${v.hatched}`);
  assert.ok(v.labels.includes('Paris') && v.labels.includes('Lyon') && v.labels.length > 20, v.labels.join(', '));
  assert.deepEqual(v.insets, ['Guadeloupe', 'Martinique', 'Guyane', 'La Réunion', 'Mayotte']);
  assert.ok(v.insetPaths > 10, 'the insets draw their départements and territories');
  assert.ok(v.demo, 'the fictional-data notice is visible');
  assert.equal(v.rows, 101);
  assert.match(v.date, /^Données du \d+ \S+ \d{4}\.$/);
  assert.deepEqual(errors, []);
  await shot(page, 'national.png');
  await page.close();
});

test('layers are stacked by panes: fills < zones < overlaps < borders < selection < labels', async () => {
  const { page } = await openPage('#dep=13');
  const z = await page.evaluate(() => Object.fromEntries(['fills', 'zones', 'overlaps', 'borders', 'selection', 'labels', 'communes']
    .map((p) => [p, Number(getComputedStyle(document.querySelector(`.leaflet-${p}-pane`)).zIndex)])));
  assert.ok(z.communes < z.fills && z.fills < z.zones && z.zones < z.overlaps && z.overlaps < z.borders && z.borders < z.selection && z.selection < z.labels, JSON.stringify(z));
  const drawn = await page.evaluate(() => ({
    borders: document.querySelectorAll('.leaflet-borders-pane path').length,
    selection: document.querySelectorAll('.leaflet-selection-pane path').length,
    overlaps: document.querySelectorAll('.leaflet-overlaps-pane path').length,
  }));
  assert.ok(drawn.borders > 3 && drawn.selection > 0, JSON.stringify(drawn));
  await page.close();
});

test('zoomed in, CPTS borders are distinct from commune borders', async () => {
  const { page } = await openPage('#z=10&lat=45.75&lon=4.85');
  const s = await page.evaluate(() => {
    const style = (sel) => { const p = document.querySelector(sel); return { w: Number(p.getAttribute('stroke-width')), dash: p.getAttribute('stroke-dasharray'), color: p.getAttribute('stroke') }; };
    return { cpts: style('.leaflet-fills-pane path'), commune: style('.leaflet-communes-pane path'), communes: document.querySelectorAll('.leaflet-communes-pane path').length };
  });
  assert.ok(s.communes > 20, `communes drawn: ${s.communes}`);
  assert.ok(s.cpts.w >= 2 * s.commune.w, JSON.stringify(s));
  assert.ok(s.commune.dash && !s.cpts.dash, 'commune borders dashed, CPTS borders solid');
  assert.notEqual(s.cpts.color, s.commune.color);
  await page.close();
});

test('zooming into a département fetches only the box in view (no national re-download)', async () => {
  const { page, errors } = await openPage();
  const before = await transferred(page);
  const started = Date.now();
  await page.evaluate(() => performance.clearResourceTimings());
  await choose(page, '#departement', '26');
  const ms = Date.now() - started;
  const { bytes, urls } = await page.evaluate(() => {
    const e = performance.getEntriesByType('resource');
    return { bytes: e.reduce((s, x) => s + (x.transferSize || 0), 0), urls: e.map((x) => x.name) };
  });
  const z = await page.evaluate(() => window.cptsmapMap.getZoom());
  console.log(`département view (Drôme, zoom ${z}): ${(bytes / 1e6).toFixed(2)} MB more, loaded and drawn in ${ms} ms (first view ${(before / 1e6).toFixed(2)} MB)`);
  assert.ok(bytes <= 0.5e6, `département zoom: ${bytes} bytes`);
  const layers = urls.filter((u) => u.includes('/api/layers/'));
  assert.ok(layers.length >= 5 && layers.every((u) => u.includes('bbox=')), layers.join('\n'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking the sea says so, without any console error; a click on land opens a card', async () => {
  const { page, errors } = await openPage();
  const at = async (lat, lon) => page.evaluate(([lat, lon]) => {
    const p = window.cptsmapMap.latLngToContainerPoint([lat, lon]);
    const r = document.getElementById('map').getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, [lat, lon]);
  const sea = await at(46.0, -4.0);
  await page.mouse.click(sea.x, sea.y);
  const popup = await page.waitForSelector('.leaflet-popup');
  assert.match(await popup.textContent(), /Aucune commune ici/);
  await page.waitForTimeout(300);
  assert.deepEqual(errors, []);
  await page.close();
});

test('every Leaflet control speaks French', async () => {
  const { page } = await openPage();
  await page.evaluate(() => { window.cptsmapMap.openPopup('<p>x</p>', window.cptsmapMap.getCenter()); });
  const labels = await page.evaluate(() => [...document.querySelectorAll('.leaflet-container [title], .leaflet-container [aria-label]')]
    .flatMap((e) => [e.getAttribute('title'), e.getAttribute('aria-label')]).filter(Boolean));
  for (const english of ['Zoom in', 'Zoom out', 'Layers', 'Close popup', 'A JavaScript library']) {
    assert.ok(!labels.some((l) => l.includes(english)), `${english} in ${labels.join(' | ')}`);
  }
  for (const french of ['Zoom avant', 'Zoom arrière', 'Couches', 'Fermer']) assert.ok(labels.includes(french), `${french} missing: ${labels.join(' | ')}`);
  await page.close();
});

test('an overseas inset zooms onto its département; Mayotte says why it has no figures', async () => {
  const { page, errors } = await openPage();
  await page.click('.insets button[data-dep="976"]');
  await page.waitForFunction(() => document.body.dataset.summary?.startsWith('departement:976'));
  await loaded(page);
  const v = await page.evaluate(() => ({
    center: window.cptsmapMap.getCenter(), zoom: window.cptsmapMap.getZoom(),
    text: document.querySelector('#summary').textContent,
    row: document.querySelector('#dep-table tr[data-code="976"]')?.textContent,
    note: document.querySelector('#nc-note').textContent,
  }));
  assert.ok(Math.abs(v.center.lat + 12.8) < 0.5 && Math.abs(v.center.lng - 45.15) < 0.5 && v.zoom >= 9, JSON.stringify(v));
  assert.match(v.text, /n\.c\./);
  assert.match(v.text, /Mayotte n'a pas de population INSEE/);
  assert.match(v.note, /Mayotte/);
  assert.deepEqual(errors, []);
  await page.close();
});
