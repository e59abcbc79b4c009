// Keyboard, contrast and colours: no keyboard trap in the map's shapes,
// focus kept on the table, disabled downloads inert, sortable columns that
// say so, every text readable (≥ 4.5:1) and a stage palette that stays
// ordered in greyscale and under deuteranopia or protanopia.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, loaded, shot } from './lib/setup.mjs';

test('from the search box, the stage selector is reached in at most 15 Tab presses; map shapes are not tab stops', async () => {
  const { page } = await openPage();
  const focusable = await page.evaluate(() => document.querySelectorAll('.leaflet-overlay-pane path[tabindex], .leaflet-pane path[tabindex]').length);
  assert.equal(focusable, 0);
  await page.focus('#search');
  let presses = 0;
  while (presses < 40) {
    await page.keyboard.press('Tab');
    presses += 1;
    if (await page.evaluate(() => document.activeElement?.id === 'stage')) break;
  }
  console.log(`Tab presses from the search box to the stage selector: ${presses}`);
  assert.ok(presses <= 15, `${presses} presses`);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await page.close();
});

test('Enter on a row of the table selects the département and keeps the focus in the page', async () => {
  const { page } = await openPage();
  await page.focus('#dep-table tbody tr[data-code="23"] button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.summary?.startsWith('departement:23'));
  await loaded(page);
  const f = await page.evaluate(() => ({
    active: document.activeElement?.id || document.activeElement?.tagName,
    title: document.querySelector('#summary-title').textContent,
    inView: (() => { const r = document.querySelector('#summary-title').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })(),
  }));
  assert.notEqual(f.active, 'BODY');
  assert.equal(f.active, 'summary-title');
  assert.match(f.title, /Creuse/);
  assert.ok(f.inView, 'the summary is in view');
  await page.close();
});

test('the disabled communes download is not a tab stop and downloads nothing on Enter', async () => {
  const { page } = await openPage();
  const link = await page.evaluate(() => {
    const a = document.querySelector('#export-communes');
    return { href: a.getAttribute('href'), disabled: a.getAttribute('aria-disabled'), tabIndex: a.tabIndex };
  });
  assert.equal(link.href, null);
  assert.equal(link.disabled, 'true');
  let downloaded = false;
  page.on('download', () => { downloaded = true; });
  await page.focus('#export-figures');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const id = await page.evaluate(() => document.activeElement?.id);
  assert.notEqual(id, 'export-communes');
  await page.evaluate(() => document.querySelector('#export-communes').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
  await page.click('#export-communes', { force: true });
  await page.waitForTimeout(500);
  assert.equal(downloaded, false);
  assert.equal(await page.evaluate(() => location.pathname), '/');
  await page.close();
});

test('sorting the table says its order (aria-sort, arrow) and reverses on a second click', async () => {
  const { page } = await openPage();
  const read = () => page.evaluate(() => ({
    sort: [...document.querySelectorAll('#dep-table thead th')].map((th) => th.getAttribute('aria-sort')),
    arrow: document.querySelector('#dep-table th[aria-sort="ascending"] .sort, #dep-table th[aria-sort="descending"] .sort')?.textContent,
    codes: [...document.querySelectorAll('#dep-table tbody tr')].map((r) => r.dataset.code),
  }));
  const initial = await read();
  assert.deepEqual(initial.sort, ['none', 'ascending', 'none']);
  await page.click('#dep-table button[data-sort="code"]');
  const asc = await read();
  assert.deepEqual(asc.sort, ['ascending', 'none', 'none']);
  assert.match(asc.arrow, /▲/);
  assert.equal(asc.codes[0], '01');
  await page.click('#dep-table button[data-sort="code"]');
  const desc = await read();
  assert.deepEqual(desc.sort, ['descending', 'none', 'none']);
  assert.match(desc.arrow, /▼/);
  assert.equal(desc.codes[0], '974', 'reverse order (Mayotte, without population, stays last)');
  await page.close();
});

/** Contrast of every visible text against its painted background, computed in the page (WCAG 2). */
function contrastFailures() {
  const parse = (c) => { const m = c.match(/[\d.]+/g)?.map(Number) || [0, 0, 0, 0]; return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
  const over = (top, bottom) => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg.a > 0) layers.push(bg);
      if (bg.a >= 1) break;
    }
    return layers.reverse().reduce((acc, c) => over(c, acc), { r: 255, g: 255, b: 255, a: 1 });
  };
  const failures = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || el.closest('svg, .visually-hidden, [hidden], [aria-hidden="true"]')) continue;
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || r.width === 0 || r.height === 0 || el.closest('.extra')) continue;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    checked += 1;
    if (ratio < 4.5) failures.push(`${ratio.toFixed(2)}: « ${n.textContent.trim().slice(0, 40)} » (${style.color} on rgb(${bg.r | 0},${bg.g | 0},${bg.b | 0}))`);
  }
  return { checked, failures };
}

for (const [name, hash] of [['national view', ''], ['a département at ACI signé', '#stage=aci_signe&dep=26']]) {
  test(`every text has a contrast of at least 4.5:1 (${name})`, async () => {
    const { page } = await openPage(hash);
    await page.hover('#dep-table tbody tr:first-child');
    const { checked, failures } = await page.evaluate(contrastFailures);
    assert.ok(checked > 100, `texts checked: ${checked}`);
    assert.deepEqual(failures, []);
    await page.close();
  });
}

/** The legend's stage colours as rendered, read back from a screenshot under a vision emulation. */
async function legendColours(page, deficiency) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setEmulatedVisionDeficiency', { type: deficiency });
  await page.waitForTimeout(100);
  const boxes = await page.evaluate(() => [...document.querySelectorAll('.legend li[data-stage] .swatch')].map((s) => {
    const r = s.getBoundingClientRect();
    return { stage: s.parentElement.dataset.stage, x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) };
  }));
  const png = (await page.screenshot()).toString('base64');
  await cdp.send('Emulation.setEmulatedVisionDeficiency', { type: 'none' });
  // Decode the PNG in the page itself: no image library needed.
  return page.evaluate(async ({ png, boxes }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${png}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    return boxes.map((b) => { const [r, gr, bl] = g.getImageData(b.x, b.y, 1, 1).data; return { stage: b.stage, r, g: gr, b: bl }; });
  }, { png, boxes });
}

test('the stage palette is ordered and distinct in greyscale and under deuteranopia and protanopia', async () => {
  const { page } = await openPage();
  const order = ['aci_signe', 'projet_sante_valide', 'lettre_intention', 'pre_projet'];
  for (const deficiency of ['none', 'achromatopsia', 'deuteranopia', 'protanopia']) {
    const colours = await legendColours(page, deficiency);
    assert.deepEqual(colours.map((c) => c.stage), order);
    const lightness = colours.map((c) => 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b);
    // Ordered: each stage darker than the one before it, by a visible step.
    for (let i = 1; i < lightness.length; i++) {
      assert.ok(lightness[i] - lightness[i - 1] >= 25, `${deficiency}: ${order[i - 1]} ${lightness[i - 1].toFixed(0)} vs ${order[i]} ${lightness[i].toFixed(0)}`);
    }
    for (let i = 0; i < colours.length; i++) for (let j = i + 1; j < colours.length; j++) {
      const d = Math.hypot(colours[i].r - colours[j].r, colours[i].g - colours[j].g, colours[i].b - colours[j].b);
      assert.ok(d >= 40, `${deficiency}: ${order[i]} and ${order[j]} too close (${d.toFixed(0)})`);
    }
    console.log(`legend lightness (${deficiency}): ${lightness.map((l) => l.toFixed(0)).join(' < ')}`);
  }
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setEmulatedVisionDeficiency', { type: 'achromatopsia' });
  await shot(page, 'greyscale.png');
  await page.close();
});
