// « Préparer un projet »: a draft territory built on the map — communes
// clicked, a rectangle, a zone blanche, an existing CPTS, a suggested cut —
// with its figures from `POST /api/plan`; undo; kept in this browser
// (localStorage) and in the permalink when short; exported as a CPTS list
// (the CSV `--cpts` reads) or as GeoJSON. The draft lives in the one state
// (`state.plan`, `state.planning`), so the permalink follows it.
import { api, areaQuery, ApiError } from './api.js';
import { $, esc } from './format.js';
import { state, update, subscribe } from './state.js';
import { onMapClick } from './map.js';
import { figuresHtml, zonesHtml, suggestionHtml, cptsOptions, DEFAULT_NAME } from './plan-view.js';

const STORAGE = 'cptsmap.plan';
const UNDO_STEPS = 50;
const DRAFT_COLOR = '#c2410c';
/** Candidate drafts of a suggested cut, told apart by colour (and listed in the panel). */
const CANDIDATE_COLORS = ['#6d28d9', '#0f766e', '#b45309', '#be185d', '#1d4ed8', '#4d7c0f', '#9f1239', '#0e7490'];

const undo = [];
let map = null;
let layers = null;
let figures = null;
let suggestion = null;
let asked = 0;
let lastKey = null;
let timer = null;
let swallowClick = false;

const codes = () => state.plan?.codes ?? [];
const name = () => state.plan?.name || DEFAULT_NAME;
const status = (text) => { $('#plan-status').textContent = text; };

function save() {
  try {
    localStorage.setItem(STORAGE, JSON.stringify({ name: state.plan?.name ?? '', codes: codes(), open: state.planning }));
  } catch { /* private browsing: the permalink still carries short drafts */ }
}

function stored() {
  try { return JSON.parse(localStorage.getItem(STORAGE) || 'null'); } catch { return null; }
}

/** Replaces the draft's communes; the previous ones can be restored with « Annuler ». */
function setCodes(next, { name: newName } = {}) {
  const sorted = [...new Set(next)].sort();
  const before = { codes: codes(), name: state.plan?.name ?? '' };
  if (sorted.join() === before.codes.join() && (newName === undefined || newName === before.name)) return;
  undo.push(before);
  if (undo.length > UNDO_STEPS) undo.shift();
  update({ plan: { name: newName ?? before.name, codes: sorted } });
}

function addCodes(more, what) {
  const had = new Set(codes());
  const added = more.filter((c) => !had.has(c));
  setCodes([...codes(), ...more]);
  status(`${what} : ${added.length} commune${added.length > 1 ? 's' : ''} ajoutée${added.length > 1 ? 's' : ''}.`);
}

function undoLast() {
  const previous = undo.pop();
  if (!previous) return;
  update({ plan: previous });
  status('Dernière modification annulée.');
}

/** A click on the map while planning adds or removes the commune under it. */
async function toggleAt(latlng) {
  const r = await api(`api/locate?lon=${latlng.lng.toFixed(6)}&lat=${latlng.lat.toFixed(6)}`, { cached: false });
  if (!r.unit) { status('Aucune commune ici (mer ou hors de France).'); return; }
  const { code, name: unitName } = r.unit;
  if (codes().includes(code)) {
    setCodes(codes().filter((c) => c !== code));
    status(`${unitName} retirée du projet.`);
  } else {
    setCodes([...codes(), code]);
    status(`${unitName} ajoutée au projet.`);
  }
}

/** Asks the figures of the draft (debounced; only the latest answer is shown). */
function refreshFigures() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const key = JSON.stringify([name(), codes()]);
    if (key === lastKey) return;
    lastKey = key;
    const ticket = ++asked;
    if (!codes().length) { showFigures(null); return; }
    $('#plan-figures').setAttribute('aria-busy', 'true');
    try {
      const r = await fetch('api/plan', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: name(), communes: codes() }) });
      const body = await r.json();
      if (ticket !== asked) return;
      if (!r.ok) throw new ApiError(r.status, body);
      showFigures(body);
    } catch (e) {
      if (ticket === asked) { lastKey = null; status(`Erreur : ${e.message}`); $('#plan-figures').setAttribute('aria-busy', 'false'); }
    }
  }, 80);
}

function showFigures(f) {
  figures = f;
  const el = $('#plan-figures');
  el.innerHTML = f ? figuresHtml(f) : '<p>Aucune commune dans le projet : cliquez sur la carte, ou partez d\'une zone blanche ou d\'une CPTS.</p>';
  el.setAttribute('aria-busy', 'false');
  layers.draft.clearLayers();
  if (f?.geometry) layers.draft.addData({ type: 'Feature', properties: {}, geometry: f.geometry });
  $('#plan-undo').disabled = !undo.length;
  for (const id of ['#plan-csv', '#plan-geojson']) $(id).disabled = !f;
  document.body.dataset.plan = f ? `${f.units}:${f.population}:${f.coverage_after.population}` : 'empty';
}

async function showZones() {
  if (!state.planning) return;
  const q = areaQuery(state.area);
  try {
    const z = await api(`api/plan/zones${q ? '?' + q : ''}`);
    $('#plan-zones').innerHTML = zonesHtml(z, state.area.name || 'France');
  } catch (e) { $('#plan-zones').textContent = `Erreur : ${e.message}`; }
  try {
    const a = await api(`api/area?stage=pre_projet${q ? '&' + q : ''}`);
    $('#plan-cpts').innerHTML = cptsOptions(a.cpts);
  } catch (e) { console.warn(e); }
}

async function showSuggestion(zone) {
  status('Découpage en cours…');
  suggestion = await api(`api/plan/zones/${zone}/suggestion`);
  $('#plan-suggestion').innerHTML = suggestionHtml(suggestion, CANDIDATE_COLORS);
  layers.candidates.clearLayers();
  suggestion.candidates.forEach((c, i) => {
    if (c.geometry) layers.candidates.addData({ type: 'Feature', properties: { i, name: c.name }, geometry: c.geometry });
  });
  if (layers.candidates.getLayers().length) map.fitBounds(layers.candidates.getBounds(), { animate: false, padding: [12, 12] });
  status(`${suggestion.candidates.length} projets proposés pour la zone de ${suggestion.main_unit}.`);
}

function hideSuggestion() {
  suggestion = null;
  $('#plan-suggestion').innerHTML = '';
  layers.candidates.clearLayers();
}

/** Adds the communes whose interior point lies in `bounds` (a drawn rectangle, or the view). */
async function addBox(bounds) {
  const box = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v) => v.toFixed(5)).join(',');
  try {
    const r = await api(`api/plan/box?bbox=${box}`, { cached: false });
    addCodes(r.codes, 'Rectangle');
  } catch (e) { status(`Erreur : ${e.message}`); }
}

/** One rectangle drawn with the mouse: the map stops panning until the button is released; Échap cancels. */
let stopDrawing = null;
function drawBox() {
  if (stopDrawing) { stopDrawing(); status('Rectangle annulé.'); return; }
  const button = $('#plan-box');
  button.setAttribute('aria-pressed', 'true');
  map.dragging.disable();
  map.getContainer().classList.add('plan-drawing');
  status('Tracez un rectangle sur la carte (cliquer-glisser) ; Échap pour annuler.');
  let start = null;
  let rect = null;
  const down = (e) => {
    start = e.latlng;
    rect = L.rectangle([start, start], { pane: 'plan', color: DRAFT_COLOR, weight: 1.5, dashArray: '4 3', fillOpacity: 0.05, interactive: false }).addTo(map);
  };
  const move = (e) => { if (start) rect.setBounds([start, e.latlng]); };
  const escape = (e) => { if (e.key === 'Escape') { stopDrawing(); status('Rectangle annulé.'); } };
  stopDrawing = () => {
    map.off('mousedown', down).off('mousemove', move).off('mouseup', up);
    document.removeEventListener('keydown', escape);
    map.dragging.enable();
    map.getContainer().classList.remove('plan-drawing');
    button.setAttribute('aria-pressed', 'false');
    rect?.remove();
    stopDrawing = null;
  };
  function up(e) {
    if (!start) return;
    const bounds = L.latLngBounds(start, e.latlng);
    stopDrawing();
    // The mouse-up of a rectangle is also a click: it must not toggle the commune under it.
    swallowClick = true;
    setTimeout(() => { swallowClick = false; }, 300);
    addBox(bounds);
  }
  map.on('mousedown', down).on('mousemove', move).on('mouseup', up);
  document.addEventListener('keydown', escape);
}

function csvCell(text) {
  const s = String(text);
  return /[;"\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function slug(text) {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'CPTS';
}

function download(text, type, file) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = file;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The draft as a CPTS list in long format (`cptsmap report --cpts …`): one row per commune, stage « Pré-projet ». */
function exportCsv() {
  if (!figures) return;
  const id = `PROJET-${slug(figures.name)}`;
  const rows = figures.communes.map((c) => [id, figures.name, 'Pré-projet', c.code, c.name].map(csvCell).join(';'));
  const text = '\ufeffcpts_id;cpts_nom;statut;code_commune;commune\n' + rows.join('\n') + '\n';
  download(text, 'text/csv;charset=utf-8', `cptsmap_projet_${slug(figures.name).toLowerCase()}.csv`);
}

function exportGeojson() {
  if (!figures) return;
  const f = figures;
  const feature = {
    type: 'Feature',
    properties: { name: f.name, units: f.units, population: f.population, size_class: f.size_class, area_km2: f.area_km2,
      newly_covered_population: f.newly_covered.population, departements: f.departements.join(';'), codes: f.communes.map((c) => c.code).join(';') },
    geometry: f.geometry,
  };
  download(JSON.stringify({ type: 'FeatureCollection', name: 'cptsmap_projet', features: [feature] }), 'application/geo+json',
    `cptsmap_projet_${slug(f.name).toLowerCase()}.geojson`);
}

function open(on) {
  update({ planning: on });
}

function render() {
  $('#plan').hidden = !state.planning;
  $('#plan-toggle').setAttribute('aria-expanded', String(state.planning));
  $('#plan-toggle').textContent = state.planning ? 'Quitter le mode projet' : 'Préparer un projet';
  if ($('#plan-name') !== document.activeElement) $('#plan-name').value = state.plan?.name ?? '';
  for (const l of Object.values(layers)) {
    if (state.planning) l.addTo(map); else l.remove();
  }
}

async function onPanelClick(e) {
  const b = e.target.closest('button');
  if (!b) return;
  try {
    if (b.dataset.remove) { setCodes(codes().filter((c) => c !== b.dataset.remove)); status('Commune retirée du projet.'); }
    else if (b.dataset.zoneAdd) { const z = await api(`api/plan/zones/${b.dataset.zoneAdd}`); addCodes(z.codes, `Zone blanche de ${z.main_unit}`); }
    else if (b.dataset.zoneCut) await showSuggestion(b.dataset.zoneCut);
    else if (b.dataset.adopt && suggestion) {
      const c = suggestion.candidates[Number(b.dataset.adopt)];
      setCodes(c.codes, { name: c.name });
      status(`Projet remplacé par « ${c.name} » : modifiez-le sur la carte.`);
    } else if (b.dataset.suggestionClose) hideSuggestion();
    else if (b.dataset.more) {
      // The button goes: the focus moves to the first item it revealed, not to the page's top.
      const list = b.previousElementSibling;
      list?.classList.add('expanded');
      b.remove();
      const first = list?.querySelector('li.extra');
      const target = first?.querySelector('button') ?? first;
      if (target) { if (target === first) first.tabIndex = -1; target.focus(); }
    }
  } catch (err) { status(`Erreur : ${err.message}`); }
}

function wireControls() {
  $('#plan-toggle').addEventListener('click', () => open(!state.planning));
  $('#plan-undo').addEventListener('click', undoLast);
  $('#plan-clear').addEventListener('click', () => { setCodes([]); hideSuggestion(); status('Projet vidé (« Annuler » le rétablit).'); });
  $('#plan-box').addEventListener('click', drawBox);
  $('#plan-view-all').addEventListener('click', () => addBox(map.getBounds()));
  $('#plan-csv').addEventListener('click', exportCsv);
  $('#plan-geojson').addEventListener('click', exportGeojson);
  $('#plan').addEventListener('click', onPanelClick);
  $('#plan-name').addEventListener('change', (e) => update({ plan: { codes: codes(), name: e.target.value.trim() } }));
  $('#plan-cpts-add').addEventListener('click', async () => {
    const id = $('#plan-cpts').value;
    if (!id) { status('Choisissez d\'abord une CPTS.'); return; }
    try {
      const t = await api(`api/cpts/${encodeURIComponent(id)}`);
      addCodes(t.communes.map((c) => c.code), t.name);
    } catch (e) { status(`Erreur : ${e.message}`); }
  });
  $('#plan-add').addEventListener('submit', async (e) => {
    e.preventDefault();
    const typed = $('#plan-add-input').value.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean);
    if (!typed.length) return;
    // The server reads codes and names as the CPTS lists do, and says which one it does not know.
    const r = await fetch('api/plan', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: name(), communes: typed }) });
    const body = await r.json();
    if (!r.ok) { status(`Erreur : ${body.detail}`); return; }
    addCodes(body.communes.map((c) => c.code), 'Saisie');
    $('#plan-add-input').value = '';
  });
  document.addEventListener('keydown', (e) => {
    const typing = e.target.closest?.('input, select, textarea');
    if (state.planning && !typing && (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') { e.preventDefault(); undoLast(); }
  });
}

/** Sets the mode up: `linked` is the draft of the permalink, if any (it wins over the stored one). */
export function startPlan(view, linked) {
  map = view.map;
  map.createPane('plan').style.zIndex = '436';
  map.getPane('plan').style.pointerEvents = 'none';
  layers = {
    candidates: L.geoJSON(null, { pane: 'plan', interactive: false, style: (f) => ({ color: CANDIDATE_COLORS[f.properties.i % CANDIDATE_COLORS.length], weight: 2.5, dashArray: '6 4', fillOpacity: 0.08 }) }),
    draft: L.geoJSON(null, { pane: 'plan', interactive: false, style: () => ({ color: DRAFT_COLOR, weight: 3.5, fillColor: '#f59e0b', fillOpacity: 0.3 }) }),
  };
  onMapClick((latlng) => {
    if (!state.planning) return false;
    if (!swallowClick) toggleAt(latlng).catch((e) => status(`Erreur : ${e.message}`));
    return true;
  });
  wireControls();
  const kept = stored();
  const draft = linked ?? (kept?.codes ? { name: kept.name ?? '', codes: kept.codes } : null);
  subscribe((why) => {
    if (why.includes('planning') || why.includes('plan')) { render(); save(); }
    if (why.includes('planning') && state.planning) showZones();
    if (why.includes('area')) showZones();
    if (state.planning && (why.includes('plan') || why.includes('planning'))) refreshFigures();
  });
  update({ plan: draft, planning: Boolean(linked || kept?.open) });
  render();
}
