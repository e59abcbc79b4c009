// cptsmap — the map page. Plain JavaScript over the JSON API of `cptsmap serve`.
'use strict';

const STAGES = {
  aci_signe: { label: 'ACI signé', color: '#1b7837' },
  projet_sante_valide: { label: 'Projet de santé validé', color: '#7fbc41' },
  lettre_intention: { label: "Lettre d'intention validée", color: '#fdb863' },
  pre_projet: { label: 'Pré-projet', color: '#b2abd2' },
};
const ORDER = ['pre_projet', 'lettre_intention', 'projet_sante_valide', 'aci_signe'];
const COMMUNES_FROM_ZOOM = 9;
const fmt = new Intl.NumberFormat('fr-FR');
const pct = (p) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(p) + '\u00a0%';
const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

async function api(path) {
  const r = await fetch(path);
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    throw Object.assign(new Error(body.detail || r.statusText), { status: r.status });
  }
  return r.json();
}

const state = { stage: 'pre_projet', region: '', departement: '', summary: null, departements: [], sort: 'percent' };

// ---- map -----------------------------------------------------------------
const renderer = L.svg({ padding: 0.5 });
const map = L.map('map', { renderer, zoomSnap: 0.5, minZoom: 3, maxZoom: 16 }).setView([46.6, 2.4], 6);
window.cptsmapMap = map; // for the browser tests and the console
map.attributionControl.addAttribution('Communes : IGN, INSEE (Licence Ouverte)');
const tiles = new URLSearchParams(location.search).get('tiles') || window.CPTSMAP_TILES;
if (tiles) L.tileLayer(tiles, { maxZoom: 18, attribution: 'fond de carte' }).addTo(map);

// Hatching for zones blanches: an SVG pattern in the renderer's <defs>.
function addHatch() {
  const svg = renderer._container;
  if (!svg || svg.querySelector('#hatch')) return;
  const ns = 'http://www.w3.org/2000/svg';
  const defs = svg.querySelector('defs') || svg.insertBefore(document.createElementNS(ns, 'defs'), svg.firstChild);
  const p = document.createElementNS(ns, 'pattern');
  p.setAttribute('id', 'hatch'); p.setAttribute('patternUnits', 'userSpaceOnUse');
  p.setAttribute('width', '8'); p.setAttribute('height', '8'); p.setAttribute('patternTransform', 'rotate(45)');
  const bg = document.createElementNS(ns, 'rect');
  bg.setAttribute('width', '8'); bg.setAttribute('height', '8'); bg.setAttribute('fill', 'rgba(220,38,38,0.15)');
  const line = document.createElementNS(ns, 'line');
  line.setAttribute('x1', '0'); line.setAttribute('y1', '0'); line.setAttribute('x2', '0'); line.setAttribute('y2', '8');
  line.setAttribute('stroke', '#dc2626'); line.setAttribute('stroke-width', '3');
  p.append(bg, line); defs.appendChild(p);
}

const layers = {
  cpts: L.geoJSON(null, {
    style: (f) => ({ color: '#333', weight: 0.6, fillColor: STAGES[f.properties.stage].color, fillOpacity: 0.55 }),
    onEachFeature: (f, l) => l.bindTooltip(`${esc(f.properties.name)} — ${esc(f.properties.stage_label)}`, { sticky: true }),
  }),
  uncovered: L.geoJSON(null, {
    style: () => ({ color: '#b42318', weight: 1, fillColor: 'url(#hatch)', fillOpacity: 1 }),
    onEachFeature: (f, l) => l.bindTooltip(`Zone blanche : ${fmt.format(f.properties.population)} hab. (${esc(f.properties.main_unit)}…)`, { sticky: true }),
  }),
  overlaps: L.geoJSON(null, { style: () => ({ color: '#d9480f', weight: 2, dashArray: '4 3', fillOpacity: 0 }) }),
  communes: L.geoJSON(null, { style: () => ({ color: '#667', weight: 0.4, fill: false }) }),
  departements: L.geoJSON(null, { style: () => ({ color: '#234', weight: 1, fill: false }), interactive: false }),
  regions: L.geoJSON(null, { style: () => ({ color: '#111', weight: 2.2, fill: false }), interactive: false }),
};
const overlayNames = {
  'Territoires CPTS (par stade)': layers.cpts,
  'Zones blanches': layers.uncovered,
  'Chevauchements': layers.overlaps,
  'Communes (zoom proche)': layers.communes,
  'Départements': layers.departements,
  'Régions': layers.regions,
};
Object.values(layers).forEach((l) => l.addTo(map));
L.control.layers(null, overlayNames, { collapsed: true }).addTo(map);
const legend = L.control({ position: 'bottomleft' });
legend.onAdd = () => {
  const d = L.DomUtil.create('div', 'legend');
  d.innerHTML = '<strong>Stade de la CPTS</strong><br>' +
    ORDER.slice().reverse().map((k) => `<span class="swatch" style="background:${STAGES[k].color}"></span>${STAGES[k].label}`).join('<br>') +
    '<br><span class="swatch" style="background:repeating-linear-gradient(45deg,#dc2626 0 2px,#fde2e2 2px 5px)"></span>Zone blanche' +
    '<br><span class="swatch" style="border:2px dashed #d9480f;background:none"></span>Chevauchement';
  return d;
};
legend.addTo(map);

async function loadLayer(name, params = '') {
  const zoom = Math.round(map.getZoom());
  const data = await api(`api/layers/${name}.geojson?zoom=${zoom}&stage=${state.stage}${params}`);
  layers[name].clearLayers();
  layers[name].addData(data);
  if (name === 'uncovered') addHatch();
  return data;
}

let lastZoomBand = null;
let refreshing = 0;
async function refreshLayers(force) {
  const started = performance.now();
  const ticket = ++refreshing;
  document.body.dataset.loaded = 'false';
  const z = Math.round(map.getZoom());
  const band = z <= 6 ? 0 : z <= 8 ? 1 : z <= 10 ? 2 : 3;
  const jobs = [];
  if (force || band !== lastZoomBand) {
    lastZoomBand = band;
    jobs.push(...['regions', 'departements', 'cpts', 'uncovered', 'overlaps'].map((n) => loadLayer(n)));
  }
  if (z >= COMMUNES_FROM_ZOOM) {
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(4)).join(',');
    jobs.push(loadLayer('communes', `&bbox=${bbox}`));
  } else {
    layers.communes.clearLayers();
  }
  await Promise.all(jobs);
  if (ticket === refreshing) {
    // Read by the browser tests: how long the last view took to load and draw.
    document.body.dataset.lastLoadMs = String(Math.round(performance.now() - started));
    document.body.dataset.loaded = 'true';
  }
}

// ---- commune card ----------------------------------------------------------
function cardHtml(c) {
  const pop = c.population == null ? 'population inconnue' : `${fmt.format(c.population)} habitants`;
  let cover;
  if (c.cpts.length) {
    cover = c.cpts.map((t) => `<p><span class="swatch" style="background:${STAGES[t.stage].color}"></span>${esc(t.name)} — <em>${esc(t.stage_label)}</em></p>`).join('');
  } else if (c.uncovered_zone) {
    cover = `<p class="blanche">Zone blanche</p><p>La zone compte ${fmt.format(c.uncovered_zone.population)} habitants dans ${c.uncovered_zone.units} communes.</p>`;
  } else {
    cover = '<p class="blanche">Aucune CPTS</p>';
  }
  return `<div class="card" data-code="${esc(c.code)}"><h3>${esc(c.name)} <small>(${esc(c.code)})</small></h3>` +
    `<p>${pop} — ${esc(c.departement_name)} (${esc(c.departement)})</p>${cover}</div>`;
}

async function openCard(c, latlng) {
  const at = latlng || (c.bbox ? L.latLng((c.bbox[1] + c.bbox[3]) / 2, (c.bbox[0] + c.bbox[2]) / 2) : map.getCenter());
  L.popup({ maxWidth: 320 }).setLatLng(at).setContent(cardHtml(c)).openOn(map);
}

map.on('click', async (e) => {
  try {
    const c = await api(`api/communes?lon=${e.latlng.lng.toFixed(6)}&lat=${e.latlng.lat.toFixed(6)}`);
    openCard(c, e.latlng);
  } catch (err) {
    L.popup().setLatLng(e.latlng).setContent('Aucune commune ici.').openOn(map);
  }
});

// ---- search with autocomplete ---------------------------------------------
const input = $('#search');
const list = $('#suggestions');
let hits = [], active = -1, typing;
function showHits() {
  list.innerHTML = hits.map((h, i) => `<li role="option" id="opt-${i}" aria-selected="${i === active}" data-i="${i}">` +
    `${esc(h.name)} <small>${esc(h.code)} · ${esc(h.departement)}</small></li>`).join('');
  list.hidden = hits.length === 0;
  input.setAttribute('aria-expanded', String(hits.length > 0));
  if (active >= 0) input.setAttribute('aria-activedescendant', `opt-${active}`); else input.removeAttribute('aria-activedescendant');
}
async function choose(i) {
  const h = hits[i];
  if (!h) return;
  hits = []; active = -1; showHits();
  input.value = h.name;
  const c = await api(`api/communes/${h.code}`);
  if (c.bbox) map.fitBounds([[c.bbox[1], c.bbox[0]], [c.bbox[3], c.bbox[2]]], { maxZoom: 12 });
  openCard(c);
}
input.addEventListener('input', () => {
  clearTimeout(typing);
  const q = input.value.trim();
  if (q.length < 2) { hits = []; showHits(); return; }
  typing = setTimeout(async () => {
    hits = await api(`api/communes/search?q=${encodeURIComponent(q)}&limit=8`).catch(() => []);
    active = hits.length ? 0 : -1;
    showHits();
  }, 120);
});
input.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown') { active = Math.min(active + 1, hits.length - 1); showHits(); e.preventDefault(); }
  else if (e.key === 'ArrowUp') { active = Math.max(active - 1, 0); showHits(); e.preventDefault(); }
  else if (e.key === 'Enter') { choose(active >= 0 ? active : 0); e.preventDefault(); }
  else if (e.key === 'Escape') { hits = []; showHits(); }
});
list.addEventListener('click', (e) => { const li = e.target.closest('li'); if (li) choose(Number(li.dataset.i)); });

// ---- side panel --------------------------------------------------------------
function stageFigure(area, key) {
  return area.by_stage.find((s) => s.stage === key);
}
function renderNational() {
  const s = state.summary;
  const f = stageFigure(s, state.stage);
  $('#national .bar').style.width = `${f.percent}%`;
  $('#national .value').textContent = `${pct(f.percent)} — ${fmt.format(f.population)} hab.`;
  $('#national .progress').setAttribute('aria-valuenow', f.percent.toFixed(1));
  $('#national .stages tbody').innerHTML = s.by_stage.map((b) =>
    `<tr><td><span class="swatch" style="background:${STAGES[b.stage].color}"></span>${b.stage === 'aci_signe' ? 'ACI signé' : '≥ ' + esc(b.stage_label.toLowerCase())}</td>` +
    `<td class="num">${fmt.format(b.population)}</td><td class="num">${pct(b.percent)}</td></tr>`).join('') +
    `<tr><td>Reste à couvrir</td><td class="num">${fmt.format(s.population - s.covered.population)}</td><td></td></tr>`;
  $('#demo').hidden = !s.fictional;
}
function renderDepartements() {
  const rows = state.departements.filter((d) => !state.region || d.region === state.region).map((d) => ({
    d, percent: stageFigure(d, state.stage).percent, aci: stageFigure(d, 'aci_signe').percent,
  }));
  const key = state.sort;
  // Least covered first; départements without known population (Mayotte) last.
  rows.sort((a, b) => key === 'code' ? a.d.code.localeCompare(b.d.code)
    : (a.d.population === 0) - (b.d.population === 0) || a[key] - b[key]);
  $('#dep-table tbody').innerHTML = rows.map((r) =>
    `<tr data-code="${esc(r.d.code)}" tabindex="0"><td>${esc(r.d.code)} ${esc(r.d.name)}</td>` +
    `<td class="num">${r.d.population ? pct(r.percent) : 'n.c.'}</td><td class="num">${r.d.population ? pct(r.aci) : 'n.c.'}</td></tr>`).join('');
}
async function selectArea(kind, code, { zoom = true } = {}) {
  if (kind === 'region') { state.region = code; state.departement = ''; }
  else { state.departement = code; }
  $('#region').value = state.region;
  fillDepartementSelect();
  $('#departement').value = state.departement;
  const exp = $('#export-communes');
  if (state.departement) {
    exp.href = `api/export/communes.geojson?departement=${encodeURIComponent(state.departement)}`;
    exp.removeAttribute('aria-disabled');
    exp.textContent = `Communes du département ${state.departement}`;
  } else {
    exp.href = '#'; exp.setAttribute('aria-disabled', 'true'); exp.textContent = 'Communes du département';
  }
  const target = state.departement ? `api/departements/${state.departement}` : state.region ? `api/regions/${state.region}` : null;
  if (!target) { $('#area-figures').innerHTML = ''; renderDepartements(); writePermalink(); return; }
  const a = await api(target);
  const f = stageFigure(a, state.stage);
  $('#area-figures').innerHTML = `<h2>${esc(a.name)}</h2><div class="progress"><div class="bar" style="width:${f.percent}%"></div>` +
    `<span class="value">${a.population ? pct(f.percent) : 'n.c.'}</span></div>` +
    `<p>${fmt.format(f.population)} habitants couverts sur ${fmt.format(a.population)}.</p>`;
  if (zoom && a.bbox) map.fitBounds([[a.bbox[1], a.bbox[0]], [a.bbox[3], a.bbox[2]]], { animate: false });
  renderDepartements();
  writePermalink();
}
function fillDepartementSelect() {
  const deps = state.departements.filter((d) => !state.region || d.region === state.region);
  $('#departement').innerHTML = '<option value="">—</option>' + deps.map((d) => `<option value="${esc(d.code)}">${esc(d.code)} ${esc(d.name)}</option>`).join('');
}
$('#region').addEventListener('change', (e) => selectArea('region', e.target.value));
$('#departement').addEventListener('change', (e) => selectArea('departement', e.target.value));
$('#dep-table').addEventListener('click', (e) => {
  const sort = e.target.closest('button')?.dataset.sort;
  if (sort) { state.sort = sort; renderDepartements(); return; }
  const tr = e.target.closest('tr[data-code]');
  if (tr) selectArea('departement', tr.dataset.code);
});
$('#dep-table').addEventListener('keydown', (e) => {
  const tr = e.target.closest('tr[data-code]');
  if (tr && e.key === 'Enter') selectArea('departement', tr.dataset.code);
});
$('#stage').addEventListener('change', async (e) => {
  state.stage = e.target.value;
  renderNational(); renderDepartements();
  if (state.departement || state.region) selectArea(state.departement ? 'departement' : 'region', state.departement || state.region, { zoom: false });
  writePermalink();
  await refreshLayers(true);
});

// ---- timeline (inline SVG) -------------------------------------------------------
function renderTimeline(t) {
  const months = t.months;
  if (!months.length) { $('#chart').textContent = 'Aucune date de signature.'; return; }
  const W = 340, H = 140, P = 28, max = 100;
  const x = (i) => P + (i / Math.max(months.length - 1, 1)) * (W - P - 6);
  const y = (p) => H - 18 - (p / max) * (H - 30);
  const path = months.map((m, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(m.percent).toFixed(1)}`).join('');
  const years = months.map((m, i) => [m.month, i]).filter(([m]) => m.endsWith('-01'));
  const last = months[months.length - 1];
  $('#chart').innerHTML = `<svg viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">` +
    [0, 50, 100].map((p) => `<line x1="${P}" x2="${W - 6}" y1="${y(p)}" y2="${y(p)}" stroke="#dde"/><text x="2" y="${y(p) + 4}" font-size="10">${p} %</text>`).join('') +
    years.map(([m, i]) => `<text x="${x(i) - 10}" y="${H - 4}" font-size="10">${m.slice(0, 4)}</text>`).join('') +
    `<path d="${path}" fill="none" stroke="#1b7837" stroke-width="2"/>` +
    `<title>${esc(last.month)} : ${pct(last.percent)} de la population couverte à l'ACI signé</title></svg>`;
}

// ---- permalink ---------------------------------------------------------------------
function writePermalink() {
  const c = map.getCenter();
  const params = new URLSearchParams();
  params.set('z', map.getZoom().toFixed(1)); params.set('lat', c.lat.toFixed(4)); params.set('lon', c.lng.toFixed(4));
  if (state.stage !== 'pre_projet') params.set('stage', state.stage);
  if (state.region) params.set('region', state.region);
  if (state.departement) params.set('dep', state.departement);
  history.replaceState(null, '', '#' + params.toString());
}
function readPermalink() {
  const p = new URLSearchParams(location.hash.slice(1));
  if (p.has('lat') && p.has('lon') && p.has('z')) map.setView([Number(p.get('lat')), Number(p.get('lon'))], Number(p.get('z')));
  if (STAGES[p.get('stage')]) { state.stage = p.get('stage'); $('#stage').value = state.stage; }
  return { region: p.get('region') || '', dep: p.get('dep') || '' };
}
map.on('moveend', () => { writePermalink(); refreshLayers(false).catch(console.warn); });

// ---- start -------------------------------------------------------------------------
(async function start() {
  const wanted = readPermalink();
  const [summary, regions, departements, timeline] = await Promise.all([
    api('api/summary'), api('api/regions'), api('api/departements'), api('api/timeline'),
  ]);
  state.summary = summary;
  state.departements = departements;
  $('#region').innerHTML = '<option value="">France entière</option>' + regions.map((r) => `<option value="${esc(r.code)}">${esc(r.name)}</option>`).join('');
  renderNational();
  fillDepartementSelect();
  renderDepartements();
  renderTimeline(timeline);
  if (wanted.region) await selectArea('region', wanted.region, { zoom: false });
  if (wanted.dep) await selectArea('departement', wanted.dep, { zoom: false });
  await refreshLayers(true);
})().catch((e) => { console.error(e); $('#panel').insertAdjacentHTML('afterbegin', `<p class="blanche">Erreur : ${esc(e.message)}</p>`); });
