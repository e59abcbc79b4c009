// Overseas départements drawn beside the national view, as in printed maps
// of France: small non-interactive maps with the same layers; a click zooms
// the main map onto the département.
import { STAGES, ZONE_COLOR } from './format.js';
import { update } from './state.js';

const OVERSEAS = [
  { code: '971', name: 'Guadeloupe', bounds: [[15.83, -61.81], [16.52, -61.0]] },
  { code: '972', name: 'Martinique', bounds: [[14.39, -61.23], [14.88, -60.81]] },
  { code: '973', name: 'Guyane', bounds: [[2.11, -54.6], [5.75, -51.63]] },
  { code: '974', name: 'La Réunion', bounds: [[-21.39, 55.21], [-20.87, 55.84]] },
  { code: '976', name: 'Mayotte', bounds: [[-13.01, 45.01], [-12.64, 45.3]] },
];
const METRO_VIEW = L.latLngBounds([[40.5, -6.5], [52, 10.5]]);

export function addInsets(map) {
  const box = L.DomUtil.create('div', 'insets', map.getContainer());
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', 'Départements d\'outre-mer');
  L.DomEvent.disableClickPropagation(box);
  L.DomEvent.disableScrollPropagation(box);
  const minis = OVERSEAS.map((o) => {
    const button = L.DomUtil.create('button', 'inset', box);
    button.type = 'button';
    button.dataset.dep = o.code;
    button.setAttribute('aria-label', `${o.name} : afficher le département`);
    const holder = L.DomUtil.create('span', 'inset-map', button);
    L.DomUtil.create('span', 'inset-name', button).textContent = o.name;
    const mini = L.map(holder, {
      zoomControl: false, attributionControl: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
      boxZoom: false, keyboard: false, touchZoom: false, zoomSnap: 0.1, inertia: false,
    });
    const layers = {
      departements: L.geoJSON(null, { interactive: false, style: () => ({ color: '#3b4252', weight: 1, fillColor: '#fff', fillOpacity: 1 }) }),
      cpts: L.geoJSON(null, { interactive: false, style: (f) => ({ color: '#1d2433', weight: 0.8, fillColor: STAGES[f.properties.stage].color, fillOpacity: 0.72 }) }),
      uncovered: L.geoJSON(null, { interactive: false, style: () => ({ color: ZONE_COLOR, weight: 0.8, fillColor: 'url(#hatch)', fillOpacity: 1 }) }),
    };
    Object.values(layers).forEach((l) => l.addTo(mini));
    button.addEventListener('click', () => update({ area: { level: 'departement', code: o.code, name: o.name }, commune: null }, { fit: true }));
    return { ...o, mini, layers, drawn: {} };
  });
  let sized = false;

  /** Shows the insets in the national view only, drawn from what the main map already has. */
  function redraw(mainLayers, shown) {
    const national = map.getZoom() <= 6.5 && METRO_VIEW.contains(map.getCenter());
    box.hidden = !national;
    if (!national) return;
    for (const m of minis) {
      if (!sized) { m.mini.invalidateSize(); m.mini.fitBounds(m.bounds, { animate: false, padding: [2, 2] }); }
      for (const [name, layer] of Object.entries(m.layers)) {
        if (m.drawn[name] === shown[name]) continue;
        layer.clearLayers();
        const inDep = (p) => p.code === m.code || String(p.departements || '').split(';').includes(m.code);
        mainLayers[name].eachLayer((l) => { if (inDep(l.feature.properties)) layer.addData(l.feature); });
        m.drawn[name] = shown[name];
      }
    }
    sized = true;
  }
  return { update: redraw };
}
