// Figures, areas and downloads agree: what the panel says under a stage and
// an area is what the downloaded files hold, and what the API counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage, loaded, choose, json, num, shot } from './lib/setup.mjs';

const STAGES = ['pre_projet', 'lettre_intention', 'projet_sante_valide', 'aci_signe'];

test('under each stage, « Reste à couvrir » is the population minus the covered population at that stage', async () => {
  const { body: summary } = await json('api/summary');
  const { page, errors } = await openPage();
  for (const stage of STAGES) {
    await choose(page, '#stage', stage);
    const covered = summary.by_stage.find((s) => s.stage === stage).population;
    const remaining = num(await page.textContent('#remaining'));
    assert.equal(remaining, summary.population - covered, stage);
    const headline = await page.textContent('#summary .headline');
    assert.ok(headline.includes(new Intl.NumberFormat('fr-FR').format(covered)), `${stage}: ${headline}`);
  }
  assert.equal(num(await page.textContent('#remaining')), 24434421, 'ACI signé: ≈ 24,4 M left to cover');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a département under a stage: its zones, territories and communes files match the panel, and say so in their names', async () => {
  const { page, errors } = await openPage('#stage=aci_signe');
  await choose(page, '#departement', '26');
  const panel = await page.evaluate(() => ({
    remaining: document.querySelector('#remaining').textContent,
    headline: document.querySelector('#summary .headline').textContent,
    zones: document.querySelector('#summary h3 small').textContent,
    region: document.querySelector('#region').value,
  }));
  assert.equal(panel.region, '84', 'the région picker shows the région of the département');
  const { body: area } = await json('api/area?stage=aci_signe&departement=26');
  assert.equal(num(panel.remaining), area.population - area.covered_population);
  const download = async (id) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    return { name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') };
  };
  const zones = await download('#export-uncovered');
  assert.match(zones.name, /^cptsmap_zones-blanches_aci-signe_dep-26_\d{4}-\d{2}-\d{2}\.geojson$/);
  const zoneFeatures = JSON.parse(zones.text).features;
  const zonePopulation = zoneFeatures.reduce((s, f) => s + f.properties.population, 0);
  assert.equal(zonePopulation, num(panel.remaining), 'zones blanches sum to « reste à couvrir »');
  assert.equal(zoneFeatures.length, area.zones.count);
  const cpts = await download('#export-cpts');
  assert.match(cpts.name, /^cptsmap_territoires-cpts_aci-signe_dep-26_/);
  const territories = JSON.parse(cpts.text).features;
  assert.equal(territories.length, area.cpts_count, 'the territories reaching Drôme at ACI signé, not all France');
  assert.ok(territories.every((f) => f.properties.stage === 'aci_signe' && f.properties.departements.split(';').includes('26')));
  const communes = await download('#export-communes');
  assert.match(communes.name, /^cptsmap_communes_aci-signe_dep-26_/);
  const units = JSON.parse(communes.text).features;
  assert.ok(units.every((f) => f.properties.departement === '26'));
  const covered = units.filter((f) => f.properties.covered).reduce((s, f) => s + f.properties.population, 0);
  assert.equal(covered, area.covered_population, 'covered communes at ACI signé = the panel');
  assert.ok(panel.headline.includes(new Intl.NumberFormat('fr-FR').format(covered)), panel.headline);
  const csv = await download('#export-figures');
  assert.match(csv.name, /^cptsmap_chiffres_aci-signe_dep-26_.*\.csv$/);
  assert.ok(csv.text.startsWith('\ufeff'), 'UTF-8 with a BOM for Excel');
  const [header, first] = csv.text.slice(1).split(/\r?\n/).map((l) => l.split(';'));
  const row = Object.fromEntries(header.map((h, i) => [h, first[i]]));
  assert.equal(row.level, 'departement');
  assert.equal(Number(row.uncovered_population), num(panel.remaining));
  assert.deepEqual(errors, []);
  await page.close();
});

test('an area summary: stages, zones blanches, CPTS, overlaps; the chosen row is marked; « — » zooms back out', async () => {
  const { page, errors } = await openPage();
  await choose(page, '#departement', '69');
  const s = await page.evaluate(() => ({
    stages: document.querySelectorAll('#summary table.stages tbody tr').length,
    zones: document.querySelectorAll('#summary .more-list')[0]?.children.length,
    cpts: [...document.querySelectorAll('#summary button[data-level="cpts"]')].length,
    title: document.querySelector('#summary-title').textContent,
    marked: document.querySelector('#dep-table tr.current')?.dataset.code,
    ariaCurrent: document.querySelector('#dep-table tr[aria-current="true"]')?.dataset.code,
    back: !!document.querySelector('#summary button.back'),
    summaryTop: document.querySelector('#summary').getBoundingClientRect().top,
    outline: document.querySelectorAll('.leaflet-selection-pane path').length,
    zoom: window.cptsmapMap.getZoom(),
  }));
  assert.match(s.title, /Rhône/);
  assert.equal(s.stages, 5, 'four cumulative stages and « reste à couvrir »');
  assert.ok(s.cpts > 5, `CPTS listed: ${s.cpts}`);
  assert.equal(s.marked, '69');
  assert.equal(s.ariaCurrent, '69');
  assert.ok(s.back, '« Retour à la France entière »');
  assert.ok(s.summaryTop >= 0 && s.summaryTop < 900, `summary in view: ${s.summaryTop}`);
  assert.ok(s.outline > 0, 'the département is outlined');
  assert.ok(s.zoom >= 8, `zoomed on the département: ${s.zoom}`);
  await choose(page, '#departement', '');
  const after = await page.evaluate(() => ({ zoom: window.cptsmapMap.getZoom(), region: document.querySelector('#region').value, title: document.querySelector('#summary-title').textContent }));
  assert.equal(after.region, '84');
  assert.match(after.title, /Auvergne-Rhône-Alpes/);
  assert.ok(after.zoom < s.zoom, `zoomed out to the région: ${after.zoom}`);
  await page.click('#summary button.back');
  await loaded(page);
  const france = await page.evaluate(() => ({ zoom: window.cptsmapMap.getZoom(), title: document.querySelector('#summary-title').textContent, region: document.querySelector('#region').value }));
  assert.equal(france.title, 'France');
  assert.equal(france.region, '');
  assert.ok(france.zoom < 7, `France again: ${france.zoom}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('#dep=26 alone shows Drôme on the map as in the panel', async () => {
  const { page, errors } = await openPage('#dep=26');
  const v = await page.evaluate(() => {
    const b = window.cptsmapMap.getBounds();
    return { zoom: window.cptsmapMap.getZoom(), center: window.cptsmapMap.getCenter(), contains: b.contains([44.73, 5.0]), title: document.querySelector('#summary-title').textContent };
  });
  assert.match(v.title, /Drôme/);
  assert.ok(v.zoom >= 8 && v.contains, JSON.stringify(v));
  assert.ok(Math.abs(v.center.lat - 44.7) < 0.6 && Math.abs(v.center.lng - 5.1) < 0.8, JSON.stringify(v.center));
  assert.deepEqual(errors, []);
  await shot(page, 'departement.png');
  await page.close();
});

test('a CPTS is an area too: chosen from a commune card, summarised, outlined', async () => {
  const { page, errors } = await openPage('#z=11&lat=44.9334&lon=4.8924');
  const point = await page.evaluate(() => {
    const p = window.cptsmapMap.latLngToContainerPoint([44.9334, 4.8924]);
    const r = document.getElementById('map').getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  });
  await page.mouse.click(point.x, point.y);
  await page.waitForSelector('.leaflet-popup .card[data-code="26362"]');
  await loaded(page);
  const highlighted = await page.evaluate(() => document.querySelectorAll('.leaflet-selection-pane path').length);
  assert.ok(highlighted > 0, 'the commune is outlined');
  await page.waitForTimeout(400); // the popup fades in
  await shot(page, 'commune.png');
  await page.click('.leaflet-popup .card button[data-level="cpts"]');
  await page.waitForFunction(() => document.body.dataset.summary?.startsWith('cpts:'));
  await loaded(page);
  const cpts = await page.evaluate(() => ({ title: document.querySelector('#summary-title').textContent, hash: location.hash }));
  assert.match(cpts.title, /Valence/);
  assert.match(cpts.hash, /cpts=/);
  const { body } = await json(`api/area?cpts=${encodeURIComponent(new URLSearchParams(cpts.hash.slice(1)).get('cpts'))}`);
  assert.equal(body.uncovered_population, 0, 'a territory covers all its own population');
  assert.deepEqual(errors, []);
  await page.close();
});
