// The Leaflet map: layers stacked in fixed panes (fills < zones < overlaps <
// borders < selection < labels) whatever order the answers arrive in; the
// national layers once, then only the part in view once zoomed in; the
// selection outlined; place names from the bundled data; overseas insets.
import { api, areaQuery, ApiError } from './api.js';
import { STAGES, ORDER, ZONE_COLOR, OVERLAP_COLOR, fmt, esc } from './format.js';
import { state, update, writeHash } from './state.js';
import { addLabels } from './labels.js';
import { addInsets } from './insets.js';
import { openCard } from './card.js';

/** Metropolitan France and Corsica: the first view. */
export const METROPOLE = [[41.3, -5.2], [51.1, 9.6]];
/** The zoom asked of the server for each band, and the grid bboxes are snapped to (degrees). */
const BAND_ZOOM = [6, 8, 10, 12];
const GRID = [0, 2, 1, 0.5];
/** Communes (their borders, under the fills) from this zoom on. */
const COMMUNES_FROM_ZOOM = 10;

/** A mode that takes clicks on the map (preparing a draft); it returns true when it handled one. */
let clickHandler = null;
export function onMapClick(f) { clickHandler = f; }

export const bandOf = (z) => { const f = Math.floor(z + 1e-6); return f <= 6 ? 0 : f <= 8 ? 1 : f <= 10 ? 2 : 3; };

const PANES = { communes: 390, fills: 400, zones: 410, overlaps: 420, borders: 430, selection: 440, labels: 450 };

export function createMap() {
  const map = L.map('map', { zoomControl: false, zoomSnap: 0.25, minZoom: 3, maxZoom: 16, attributionControl: false });
  window.cptsmapMap = map; // for the browser tests and the console
  for (const [name, z] of Object.entries(PANES)) map.createPane(name).style.zIndex = String(z);
  map.getPane('labels').style.pointerEvents = 'none';
  map.getPane('selection').style.pointerEvents = 'none';
  map.getPane('borders').style.pointerEvents = 'none';

  L.control.zoom({ position: 'topleft', zoomInTitle: 'Zoom avant', zoomOutTitle: 'Zoom arrière' }).addTo(map);
  L.control.attribution({ prefix: '<a href="https://leafletjs.com" title="Bibliothèque de cartes interactives Leaflet">Leaflet</a>' })
    .addAttribution('Communes\u00a0: IGN, INSEE (Licence Ouverte)').addTo(map);
  const tiles = new URLSearchParams(location.search).get('tiles') || window.CPTSMAP_TILES;
  if (tiles) L.tileLayer(tiles, { maxZoom: 18, attribution: 'fond de carte' }).addTo(map);

  const layers = {
    cpts: L.geoJSON(null, {
      pane: 'fills',
      // Thin in the national view, where territories are small; bold once zoomed in (vs commune lines).
      style: (f) => ({ color: '#1d2433', weight: map.getZoom() < 7 ? 0.7 : 1.6, opacity: 0.9, fillColor: STAGES[f.properties.stage].color, fillOpacity: 0.72 }),
    }),
    uncovered: L.geoJSON(null, { pane: 'zones', style: () => ({ color: ZONE_COLOR, weight: 1.2, fillColor: 'url(#hatch)', fillOpacity: 1 }) }),
    overlaps: L.geoJSON(null, { pane: 'overlaps', style: () => ({ color: OVERLAP_COLOR, weight: 2.2, dashArray: '5 3', fillColor: OVERLAP_COLOR, fillOpacity: 0.12 }) }),
    communes: L.geoJSON(null, { pane: 'communes', interactive: false, style: () => ({ color: '#8a94a6', weight: 0.5, dashArray: '2 2', fill: false }) }),
    departements: L.geoJSON(null, { pane: 'borders', interactive: false, style: () => ({ color: '#3b4252', weight: 1, fill: false }) }),
    regions: L.geoJSON(null, { pane: 'borders', interactive: false, style: () => ({ color: '#111', weight: 2.4, fill: false }) }),
    selection: L.geoJSON(null, { pane: 'selection', interactive: false, style: () => ({ color: '#000', weight: 3.5, fill: false }) }),
    halo: L.geoJSON(null, { pane: 'selection', interactive: false, style: () => ({ color: '#fff', weight: 7, opacity: 0.85, fill: false }) }),
  };
  const labels = addLabels(map);
  Object.values(layers).forEach((l) => l.addTo(map));
  const control = L.control.layers(null, {
    'Territoires CPTS (par stade)': layers.cpts,
    'Zones blanches': layers.uncovered,
    'Chevauchements': layers.overlaps,
    'Limites des communes (zoom proche)': layers.communes,
    'Départements': layers.departements,
    'Régions': layers.regions,
    'Noms de lieux': labels.layer,
  }, { collapsed: true }).addTo(map);
  control._layersLink.title = 'Couches';
  control._layersLink.setAttribute('aria-label', 'Couches affichées');
  addLegend(map);
  hoverTooltips(map, layers);
  map.on('popupopen', (e) => {
    const close = e.popup.getElement()?.querySelector('.leaflet-popup-close-button');
    if (close) { close.setAttribute('aria-label', 'Fermer'); close.title = 'Fermer'; }
  });
  map.on('click', (e) => { if (!clickHandler?.(e.latlng)) locate(map, e.latlng); });
  const insets = addInsets(map);
  const view = { map, layers, labels, insets, shown: {}, seq: 0, outlineKey: null };
  map.on('moveend', () => {
    const c = map.getCenter();
    writeHash({ zoom: map.getZoom(), lat: c.lat, lon: c.lng });
    refresh(view).catch(console.warn);
  });
  return view;
}

/** One tooltip for every shape, opened on hover: shapes stay out of the tab order (no focusable paths). */
function hoverTooltips(map, layers) {
  const tip = L.tooltip({ sticky: true, direction: 'top', offset: [0, -6] });
  const text = {
    cpts: (p) => `${esc(p.name)} — ${esc(p.stage_label)} · ${fmt(p.population)} hab.`,
    uncovered: (p) => `Zone blanche : ${fmt(p.population)} hab., ${p.units} commune${p.units > 1 ? 's' : ''} (${esc(p.main_unit)}…)`,
    overlaps: (p) => `${esc(p.name)} : dans ${p.cpts_count} CPTS (${esc(p.cpts_names.replaceAll(';', ', '))})`,
  };
  for (const [name, f] of Object.entries(text)) {
    layers[name].on('mouseover', (e) => tip.setContent(f(e.layer.feature.properties)).setLatLng(e.latlng).openOn(map));
    layers[name].on('mousemove', (e) => tip.setLatLng(e.latlng));
    layers[name].on('mouseout', () => map.closeTooltip(tip));
  }
}

function addLegend(map) {
  const legend = L.control({ position: 'bottomleft' });
  legend.onAdd = () => {
    const d = L.DomUtil.create('details', 'legend');
    d.open = window.matchMedia('(min-width: 700px)').matches;
    d.innerHTML = '<summary>Légende</summary><p class="legend-title">Stade de la CPTS</p><ul>' +
      ORDER.slice().reverse().map((k) => `<li data-stage="${k}"><span class="swatch" style="background:${STAGES[k].color}"></span>${STAGES[k].label}</li>`).join('') +
      '<li><span class="swatch hatch"></span>Zone blanche</li>' +
      `<li><span class="swatch" style="border:2px dashed ${OVERLAP_COLOR};background:none"></span>Chevauchement</li>` +
      '<li><span class="line region"></span>Région</li><li><span class="line dep"></span>Département</li>' +
      '<li><span class="line cpts"></span>Limite de CPTS</li><li><span class="line commune"></span>Commune</li>' +
      '<li><span class="line selection"></span>Sélection</li></ul>';
    L.DomEvent.disableClickPropagation(d);
    L.DomEvent.disableScrollPropagation(d);
    return d;
  };
  legend.addTo(map);
}

/** `[west, south, east, north]` around the view, grown by `margin` and snapped outward to `grid` degrees. */
function snappedBox(map, grid, margin) {
  const b = map.getBounds().pad(margin);
  const down = (v) => Math.floor(v / grid) * grid;
  const up = (v) => Math.ceil(v / grid) * grid;
  const box = [Math.max(-180, down(b.getWest())), Math.max(-85, down(b.getSouth())), Math.min(180, up(b.getEast())), Math.min(85, up(b.getNorth()))];
  return box.map((v) => Number(v.toFixed(3))).join(',');
}

/** Loads what the view needs (from the cache when seen before) and draws it. */
export async function refresh(view, { force = false } = {}) {
  const { map, layers } = view;
  const started = performance.now();
  const ticket = ++view.seq;
  document.body.dataset.loaded = 'false';
  const z = map.getZoom();
  const band = bandOf(z);
  const bbox = band ? snappedBox(map, GRID[band], 0.25) : null;
  const url = (name, box) => `api/layers/${name}.geojson?zoom=${BAND_ZOOM[band]}&stage=${state.stage}${box ? `&bbox=${box}` : ''}`;
  const wanted = ['regions', 'departements', 'cpts', 'uncovered', 'overlaps'].map((n) => [n, url(n, bbox)]);
  if (Math.floor(z + 1e-6) >= COMMUNES_FROM_ZOOM) wanted.push(['communes', url('communes', snappedBox(map, band === 3 ? 0.125 : 0.25, 0.1))]);
  const labelsReady = view.labels.prefetch(band, bbox);
  const results = await Promise.all(wanted.map(([n, u]) => api(u).then((d) => [n, u, d, null], (e) => [n, u, null, e])));
  if (ticket !== view.seq) return;
  let tooLarge = null;
  for (const [name, u, data, err] of results) {
    if (err) { if (err instanceof ApiError && err.status === 413) tooLarge = err; else console.warn(err); continue; }
    if (view.shown[name] === u && !force) continue;
    layers[name].clearLayers();
    layers[name].addData(data);
    view.shown[name] = u;
  }
  if (!wanted.some(([n]) => n === 'communes')) { layers.communes.clearLayers(); view.shown.communes = null; }
  showNotice(map, tooLarge && 'Trop de détails pour cette vue : zoomez davantage.');
  view.insets.update(layers, view.shown);
  await Promise.all([labelsReady.then(() => view.labels.refresh(band, bbox)), outline(view)]);
  if (ticket === view.seq) {
    // Read by the browser tests: how long the last view took to load and draw.
    document.body.dataset.lastLoadMs = String(Math.round(performance.now() - started));
    // …and how long after the navigation the first view was drawn.
    document.body.dataset.firstViewMs ??= String(Math.round(performance.now()));
    document.body.dataset.loaded = 'true';
  }
}

function showNotice(map, text) {
  let el = map.getContainer().querySelector('.map-notice');
  if (!text) { el?.remove(); return; }
  if (!el) { el = L.DomUtil.create('p', 'map-notice', map.getContainer()); el.setAttribute('role', 'status'); }
  el.textContent = text;
}

/** Outlines the selection: the commune if one is selected, else the area (none for France). */
async function outline(view) {
  const { map, layers } = view;
  const query = state.commune ? `commune=${encodeURIComponent(state.commune)}` : areaQuery(state.area);
  const band = bandOf(map.getZoom());
  const key = query ? `${query}&zoom=${BAND_ZOOM[band]}` : null;
  if (key === view.outlineKey) return;
  view.outlineKey = key;
  layers.selection.clearLayers();
  layers.halo.clearLayers();
  if (!key) return;
  try {
    const data = await api(`api/area/outline.geojson?${key}`);
    if (view.outlineKey !== key) return;
    layers.halo.addData(data);
    layers.selection.addData(data);
  } catch (e) {
    console.warn(e);
  }
}

/** Fits the map to `[west, south, east, north]`. */
export function fitBox(map, bbox, options = {}) {
  if (!bbox) return;
  map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]], { animate: false, padding: [12, 12], ...options });
}

/** What is at a clicked point: a commune card, or a plain note on the sea (not an error). */
async function locate(map, latlng) {
  const r = await api(`api/locate?lon=${latlng.lng.toFixed(6)}&lat=${latlng.lat.toFixed(6)}`, { cached: false });
  if (!r.unit) {
    L.popup({ maxWidth: 260 }).setLatLng(latlng).setContent('<p class="card">Aucune commune ici (mer ou hors de France).</p>').openOn(map);
    return;
  }
  update({ commune: r.unit.code });
  openCard(map, r.unit, latlng);
}
