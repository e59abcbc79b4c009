// « Préparer un projet »: a draft built by clicks on the map, removed and
// restored, grown from a zone blanche and a CPTS, kept across a reload,
// exported as CSV and read back by `cptsmap report --cpts … --cpts draft.csv`,
// whose figures must be the panel's « après »; the GeoJSON export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openPage, json, root, artifacts, shot } from './lib/setup.mjs';

/** Points of the Diois (Drôme), in its zone blanche, each well inside its commune (a click is a pixel away). */
const POINTS = [[5.37, 44.753], [5.28, 44.77], [5.47, 44.72]];

/** The draft's figures as the panel shows them, once the last answer is in. */
async function figures(page, units) {
  await page.waitForFunction((n) => {
    const d = document.body.dataset.plan;
    return d && d !== 'empty' && Number(d.split(':')[0]) === n && document.querySelector('#plan-figures').getAttribute('aria-busy') === 'false';
  }, units, { timeout: 15000 });
  return page.evaluate(() => ({
    units: Number(document.querySelector('#plan-units').dataset.value),
    population: Number(document.querySelector('#plan-population').dataset.value),
    newly: Number(document.querySelector('#plan-newly').dataset.value),
    france: Number(document.querySelector('#plan-france').dataset.after),
    departements: Object.fromEntries([...document.querySelectorAll('#plan-deps tr')].map((r) => [r.dataset.code, Number(r.dataset.after)])),
    codes: [...document.querySelectorAll('.plan-communes li')].map((li) => li.dataset.code),
    outline: document.querySelectorAll('.leaflet-plan-pane path').length,
  }));
}

/** Clicks the map at a longitude and latitude. */
async function clickAt(page, [lon, lat]) {
  const { x, y } = await page.evaluate(([lo, la]) => {
    const p = window.cptsmapMap.latLngToContainerPoint([la, lo]);
    const r = window.cptsmapMap.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, [lon, lat]);
  await page.mouse.click(x, y);
}

test('a draft built on the map is kept, undone, exported and counted by report as the panel says', async () => {
  const { page, errors } = await openPage('#z=11&lat=44.74&lon=5.37');
  await page.evaluate(() => localStorage.clear());
  await page.click('#plan-toggle');
  assert.equal(await page.getAttribute('#plan-toggle', 'aria-expanded'), 'true');
  await page.waitForSelector('#plan-zones [data-zone-add]');

  // Clicks: each point's commune, as the API locates it, is added.
  const codes = [];
  for (const p of POINTS) {
    const { body } = await json(`api/locate?lon=${p[0]}&lat=${p[1]}`);
    codes.push(body.unit.code);
    await clickAt(page, p);
    await figures(page, codes.length);
  }
  let f = await figures(page, 3);
  assert.deepEqual(f.codes, [...codes].sort());
  assert.ok(f.outline > 0, 'the draft is drawn');
  assert.equal(f.newly, f.population, 'the Diois has no CPTS: all its residents are new');
  assert.match(decodeURIComponent(await page.evaluate(() => location.hash)), new RegExp(`plan=${[...codes].sort().join('\\.')}`));

  // A second click removes the commune; « Annuler » brings it back.
  await clickAt(page, POINTS[2]);
  f = await figures(page, 2);
  assert.ok(!f.codes.includes(codes[2]));
  await page.click('#plan-undo');
  f = await figures(page, 3);
  assert.ok(f.codes.includes(codes[2]));

  // From the zone blanche of the Diois: all its communes (the clicked ones are in it already).
  const zoneNumber = (await json(`api/communes/${codes[0]}`)).body.uncovered_zone.zone;
  const zone = (await json(`api/plan/zones/${zoneNumber}`)).body;
  await page.click(`[data-zone-add="${zoneNumber}"]`);
  f = await figures(page, zone.units);
  assert.equal(f.newly, zone.population, 'a whole zone blanche is newly covered');
  await page.keyboard.press('Control+z');
  await figures(page, 3);
  await page.click(`[data-zone-add="${zoneNumber}"]`);
  await figures(page, zone.units);

  // And the communes of an existing CPTS: the draft overlaps it.
  const cpts = await page.evaluate(() => document.querySelector('#plan-cpts option:nth-child(2)').value);
  await page.selectOption('#plan-cpts', cpts);
  await page.click('#plan-cpts-add');
  const territory = (await json(`api/cpts/${encodeURIComponent(cpts)}`)).body;
  const withCpts = new Set([...zone.codes, ...territory.communes.map((c) => c.code)]).size;
  f = await figures(page, withCpts);
  const overlap = await page.locator('#plan-figures').textContent();
  assert.ok(overlap.includes(territory.name), `overlap named: ${territory.name}`);
  await shot(page, 'plan.png');

  // A reload keeps the draft (too long for the link: from this browser's storage).
  assert.ok(!(await page.evaluate(() => location.hash)).includes('plan='), 'a long draft stays out of the link');
  await page.reload();
  const kept = await figures(page, withCpts);
  assert.deepEqual(kept, f);

  // The CSV export, counted with the official list by `report`: the panel's « après ».
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#plan-csv')]);
  const draftCsv = path.join(artifacts, 'projet.csv');
  await csv.saveAs(draftCsv);
  const report = JSON.parse(execFileSync(path.join(root, 'target/release/cptsmap'),
    ['report', '--cpts', 'geodata/cpts_demo_fictif.csv', '--cpts', draftCsv, '--format', 'json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 }));
  assert.equal(report.covered.population, kept.france);
  for (const [code, after] of Object.entries(kept.departements)) {
    assert.equal(report.departements.find((d) => d.code === code).covered_population, after, code);
  }
  assert.match(readFileSync(draftCsv, 'utf8'), /^\ufeffcpts_id;cpts_nom;statut;code_commune;commune\n/);

  const [geo] = await Promise.all([page.waitForEvent('download'), page.click('#plan-geojson')]);
  const geojson = JSON.parse(readFileSync(await geo.path(), 'utf8'));
  assert.equal(geojson.features[0].geometry.type, 'MultiPolygon');
  assert.equal(geojson.features[0].properties.units, withCpts);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a suggested cut of a zone blanche is drawn and a candidate adopted as the draft', async () => {
  const { page, errors } = await openPage('#dep=26');
  await page.evaluate(() => localStorage.clear());
  await page.click('#plan-toggle');
  await page.click('#plan-clear');
  const zoneNumber = await page.locator('#plan-zones [data-zone-cut]').first().getAttribute('data-zone-cut');
  await page.click(`[data-zone-cut="${zoneNumber}"]`);
  await page.waitForSelector('#plan-suggestion [data-adopt]');
  const cut = (await json(`api/plan/zones/${zoneNumber}/suggestion`)).body;
  assert.equal(await page.locator('#plan-suggestion [data-adopt]').count(), cut.candidates.length);
  await page.click('#plan-suggestion [data-adopt="0"]');
  const f = await figures(page, cut.candidates[0].codes.length);
  assert.equal(f.population, cut.candidates[0].population);
  assert.equal(await page.inputValue('#plan-name'), cut.candidates[0].name);
  // Leaving the mode hides the panel and the drawn draft; the draft stays.
  await page.click('#plan-toggle');
  assert.equal(await page.isHidden('#plan'), true);
  assert.equal(await page.locator('.leaflet-plan-pane path').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
