// The map in time: the « Situation au … » slider redraws the figures and the
// territories at a past date, as the API counts them; the chart of the area
// shows every stage, the objective, the milestones and the projection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, loaded, json, num, shot } from './lib/setup.mjs';

const ACI_COLOR = '#253494';

/** Territories drawn on the main map, by fill colour. */
const fills = (page) => page.evaluate(() => {
  const count = {};
  for (const p of document.querySelectorAll('.leaflet-fills-pane path')) {
    const c = p.getAttribute('fill');
    count[c] = (count[c] || 0) + 1;
  }
  return count;
});

/** ACI-signed territories of the national layer the first view draws (zoom 6; those simplified away have no shape). */
async function aciDrawn(at = '') {
  const { body } = await json(`api/layers/cpts.geojson?zoom=6&stage=pre_projet${at ? `&at=${at}` : ''}`);
  return body.features.filter((f) => f.geometry && f.properties.stage === 'aci_signe').length;
}

/** The ACI signé row of the panel's stage table: population and percent shown. */
const aciRow = (page) => page.evaluate(() => {
  const row = [...document.querySelectorAll('#summary table.stages tr')].find((r) => r.cells[0]?.textContent.includes('ACI signé'));
  return { population: row.cells[1].textContent, percent: row.cells[2].textContent };
});

test('the slider at 2023-03-01 shows the ACI figure of that date and recolours the territories', async () => {
  const { body: today } = await json('api/area?stage=aci_signe');
  const { body: then } = await json('api/area?stage=aci_signe&at=2023-03-01');
  const { body: summary } = await json('api/summary?at=2023-03-01');
  const aci = summary.by_stage.find((s) => s.stage === 'aci_signe');
  assert.ok(then.cpts_count < today.cpts_count, 'fewer ACI signed in March 2023 than today');
  const [drawnToday, drawnThen] = [await aciDrawn(), await aciDrawn('2023-03-01')];
  assert.ok(drawnThen < drawnToday && drawnToday <= today.cpts_count, `${drawnThen} ${drawnToday} ${today.cpts_count}`);
  const { page, errors } = await openPage();
  const before = await fills(page);
  assert.equal(before[ACI_COLOR], drawnToday, 'today: one ACI-coloured territory per signed CPTS drawn');

  const months = await page.evaluate(() => Number(document.querySelector('#date').max));
  assert.ok(months > 60, `a position per month of the history, then today: ${months}`);
  // Move the slider as a user does: keyboard, from today's end back to March 2023.
  const { body: timeline } = await json('api/timeline');
  const target = timeline.months.indexOf('2023-03');
  assert.ok(target > 0);
  await page.focus('#date');
  await page.evaluate((i) => {
    const input = document.querySelector('#date');
    input.value = String(i);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, target);
  await page.waitForFunction(() => document.querySelector('#summary .as-of')?.textContent.includes('mars 2023'), null, { timeout: 30000 });
  await loaded(page);
  assert.equal(await page.textContent('#date-label'), 'Situation au 1er mars 2023');
  assert.equal(await page.getAttribute('#date', 'aria-valuetext'), 'Situation au 1er mars 2023');

  const row = await aciRow(page);
  assert.equal(num(row.population), aci.population, `panel ${row.population} vs /api/summary?at=2023-03-01`);
  assert.ok(Math.abs(num(row.percent.replace('%', '')) - aci.percent) < 0.05, `${row.percent} vs ${aci.percent}`);
  assert.ok(Math.abs(aci.percent - 48.5) < 0.05, 'the demo passes through the published milestone');

  const after = await fills(page);
  assert.equal(after[ACI_COLOR], drawnThen, 'on 2023-03-01: one ACI-coloured territory per CPTS signed by then');
  assert.notDeepEqual(after, before, 'the territories changed colour');
  assert.ok(page.url().includes('at=2023-03-01'), `permalink: ${page.url()}`);
  const marker = await page.$('#chart [data-role="date"]');
  assert.ok(marker, 'the chart marks the date shown');
  await shot(page, 'situation-2023-03-01.png');

  // Back to today: the last position.
  await page.evaluate((i) => {
    const input = document.querySelector('#date');
    input.value = String(i);
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, months);
  await page.waitForFunction(() => !document.querySelector('#summary .as-of'), null, { timeout: 30000 });
  await loaded(page);
  assert.match(await page.textContent('#date-label'), /^Situation actuelle/);
  assert.equal((await fills(page))[ACI_COLOR], drawnToday);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the chart shows every stage, the 100 % objective, the milestones, values on hover and the projection dashed', async () => {
  const { body: t } = await json('api/timeline');
  const { page, errors } = await openPage();
  const chart = await page.evaluate(() => ({
    stages: [...document.querySelectorAll('#chart path[data-stage]:not([data-role])')].map((p) => p.dataset.stage),
    objective: !!document.querySelector('#chart [data-role="objective"]'),
    milestones: document.querySelectorAll('#chart [data-role="milestone"]').length,
    dashed: [...document.querySelectorAll('#chart [data-role="projection"]')].map((p) => p.getAttribute('stroke-dasharray')),
    role: document.querySelector('#chart').getAttribute('role'),
    label: document.querySelector('#chart').getAttribute('aria-label'),
  }));
  assert.deepEqual(chart.stages, ['aci_signe', 'projet_sante_valide', 'lettre_intention']);
  assert.ok(chart.objective, 'the objective line at 100 %');
  assert.equal(chart.milestones, 2, '48,5 % ACI in March 2023, 75 % any stage in July 2023');
  assert.ok(chart.dashed.length > 0 && chart.dashed.every((d) => d), 'projections are dashed');
  assert.equal(chart.role, 'slider');
  assert.match(chart.label, /Couverture de France dans le temps/);
  // Hover over March 2023: the readout gives that month's values, the milestone included.
  await page.locator('#chart').scrollIntoViewIfNeeded();
  const box = await page.locator('#chart svg').boundingBox();
  const i = t.months.indexOf('2023-03');
  const xMax = Number(await page.getAttribute('#chart', 'aria-valuemax'));
  assert.equal(xMax, t.months.length - 1);
  // The chart's x axis runs past the last month (the projection): find March 2023 by moving along it.
  let read = '';
  for (let x = box.x + 1; x < box.x + box.width && !read.includes('mars 2023'); x += 1) {
    await page.mouse.move(x, box.y + box.height / 2);
    read = await page.textContent('#chart-readout');
  }
  const aci = t.stages[0].percent[i];
  assert.ok(read.startsWith('Au 1er mars 2023'), read);
  assert.ok(read.includes(`ACI signé ${new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(aci)}`), `${read} (${aci})`);
  assert.ok(read.includes('Repère publié'), read);
  // Keyboard: End reads the last month.
  await page.focus('#chart');
  await page.keyboard.press('End');
  const last = t.months[t.months.length - 1];
  assert.equal(await page.getAttribute('#chart', 'aria-valuenow'), String(t.months.length - 1));
  assert.ok((await page.getAttribute('#chart', 'aria-valuetext')).includes(last.slice(0, 4)));
  const projection = await page.textContent('#projection');
  assert.match(projection, /ACI signé/);
  assert.match(projection, /à ce rythme|atteint/);
  assert.deepEqual(errors, []);
  await page.close();
});
