// cptsmap — the map page. Plain JavaScript modules over the JSON API of
// `cptsmap serve`. One state (stage, area, selected commune) drives the map,
// the figures, the table, the downloads and the permalink.
import { api } from './api.js';
import { $, esc } from './format.js';
import { state, update, subscribe, readHash, writeHash, FRANCE } from './state.js';
import { createMap, refresh, fitBox, METROPOLE } from './map.js';
import { openCard } from './card.js';
import * as panel from './panel.js';
import { wireSearch } from './search.js';
import { startPlan } from './plan.js';

const view = createMap();
const { map } = view;

function writeView() {
  const c = map.getCenter();
  writeHash({ zoom: map.getZoom(), lat: c.lat, lon: c.lng });
}

/** The national first view: metropolitan France and Corsica, whatever the screen (insets on the side). */
function fitFrance() {
  const narrow = map.getSize().x < 600;
  const padding = narrow ? { paddingTopLeft: [4, 66], paddingBottomRight: [4, 24] } : { paddingTopLeft: [8, 8], paddingBottomRight: [120, 8] };
  map.fitBounds(METROPOLE, { animate: false, ...padding });
}

/** Cities replaced by their arrondissements: their own code has no card, only an outline. */
const CITIES = new Set(['75056', '69123', '13055']);

async function openCommune(code) {
  const c = CITIES.has(code) ? null : await api(`api/communes/${encodeURIComponent(code)}`).catch(() => null);
  if (!c) {
    // A city searched by its own code (Paris 75056…): show its arrondissements.
    update({ commune: code });
    const outline = await api(`api/area/outline.geojson?commune=${encodeURIComponent(code)}&zoom=10`).catch(() => null);
    const f = outline?.features?.[0];
    if (f) map.fitBounds(L.geoJSON(f).getBounds(), { animate: false, maxZoom: 12 });
    return;
  }
  update({ commune: c.code });
  if (c.bbox) fitBox(map, c.bbox, { maxZoom: 12 });
  openCard(map, c);
}

panel.onZoomRequest((bbox) => fitBox(map, bbox, { maxZoom: 12 }));
wireSearch({ openCommune });
panel.wirePickers();

subscribe(async (why, options) => {
  if (why.includes('stage')) $('#stage').value = state.stage;
  if (why.includes('area')) panel.renderPickers();
  // The map follows the state even when the view does not move; when it
  // moves to the area (known once its summary is in), it loads again.
  if (!options.fit) refresh(view).catch(console.warn);
  if (why.includes('stage') || why.includes('area')) {
    panel.renderTable();
    const a = await panel.renderSummary({ focus: options.focusSummary }).catch((e) => { console.error(e); return null; });
    if (a && a.level === state.area.level && (a.code ?? null) === (state.area.code ?? null)) {
      state.area = { ...state.area, name: a.name, bbox: a.bbox };
    }
    if (options.fit && a) {
      if (a.level === 'france') fitFrance(); else fitBox(map, a.bbox);
      refresh(view).catch(console.warn);
    }
  }
  writeView();
});

/** The printed map is smaller than the screen's: show the whole area on it, then come back. */
let beforePrint = null;
window.addEventListener('beforeprint', () => {
  const legend = document.querySelector('.legend');
  if (legend) legend.open = true;
  beforePrint = { center: map.getCenter(), zoom: map.getZoom() };
  map.invalidateSize();
  if (state.area.level === 'france') fitFrance(); else if (state.area.bbox) fitBox(map, state.area.bbox);
});
window.addEventListener('afterprint', () => {
  map.invalidateSize();
  if (beforePrint) map.setView(beforePrint.center, beforePrint.zoom, { animate: false });
});

(async function start() {
  const wanted = readHash();
  if (['pre_projet', 'lettre_intention', 'projet_sante_valide', 'aci_signe'].includes(wanted.stage)) state.stage = wanted.stage;
  $('#stage').value = state.stage;
  // Where to look is known without any answer: start drawing at once.
  if (wanted.view) map.setView([wanted.view.lat, wanted.view.lon], wanted.view.zoom, { animate: false });
  else if (!wanted.area) fitFrance();
  if (wanted.area) state.area = { ...wanted.area, name: wanted.area.code };
  state.commune = wanted.commune || null;
  const early = wanted.view || !wanted.area ? refresh(view) : null;
  const summary = panel.renderSummary().then((a) => ({ a }), (e) => ({ e }));
  const [regions, departements, timeline] = await Promise.all([api('api/regions'), api('api/departements'), api('api/timeline')]);
  panel.setAreas(departements, regions);
  panel.renderTimeline(timeline);
  panel.renderPickers();
  panel.renderTable();
  let { a, e } = await summary;
  if (e) {
    // An unknown area in a link: say so, show France.
    state.area = FRANCE;
    panel.renderPickers();
    panel.renderTable();
    a = await panel.renderSummary();
    $('#summary').insertAdjacentHTML('afterbegin', `<p class="blanche" role="alert">${esc(e.message)}</p>`);
  }
  state.area = { ...state.area, name: a.name, bbox: a.bbox };
  // `#dep=26` alone: the map shows the area whose figures are shown.
  if (!wanted.view) { if (a.level !== 'france') fitBox(map, a.bbox); else if (!early) fitFrance(); }
  writeView();
  await (early ?? refresh(view));
  startPlan(view, wanted.plan);
  // Read by the browser tests: the panel, the table and the first view are all there.
  document.body.dataset.started = 'true';
})().catch((e) => {
  console.error(e);
  $('#panel').insertAdjacentHTML('afterbegin', `<p class="blanche" role="alert">Erreur : ${esc(e.message)}</p>`);
});
