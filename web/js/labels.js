// Place names drawn from the bundled data (no tile server): the chef-lieu of
// each département in the national view, more communes as one zooms in.
// Labels that would overlap a more important one are hidden.
import { api } from './api.js';
import { esc } from './format.js';

export function addLabels(map) {
  const layer = L.layerGroup([], { pane: 'labels' }).addTo(map);
  let shownUrl = null;

  function cull() {
    const size = map.getSize();
    const placed = [];
    for (const marker of layer.getLayers()) {
      const el = marker.getElement();
      if (!el) continue;
      const p = map.latLngToContainerPoint(marker.getLatLng());
      const w = el.offsetWidth || 60;
      const h = el.offsetHeight || 14;
      const box = { x0: p.x - w / 2, y0: p.y - h / 2, x1: p.x + w / 2, y1: p.y + h / 2 };
      const inside = box.x1 > 0 && box.y1 > 0 && box.x0 < size.x && box.y0 < size.y;
      const free = inside && !placed.some((b) => b.x0 < box.x1 + 4 && box.x0 < b.x1 + 4 && b.y0 < box.y1 + 2 && box.y0 < b.y1 + 2);
      el.style.visibility = free ? 'visible' : 'hidden';
      if (free) placed.push(box);
    }
  }
  map.on('zoomend moveend', cull);

  const urlOf = (band, bbox) => `api/places?zoom=${Math.floor(map.getZoom() + 1e-6)}${band && bbox ? `&bbox=${bbox}` : ''}`;
  /** Asks for the names while the layers load (the answer is kept by the cache). */
  const prefetch = (band, bbox) => api(urlOf(band, bbox)).catch(() => null);

  async function refresh(band, bbox) {
    const url = urlOf(band, bbox);
    if (url === shownUrl) { cull(); return; }
    let places;
    try { places = await api(url); } catch (e) { console.warn(e); return; }
    shownUrl = url;
    layer.clearLayers();
    // Chefs-lieux first, then by population: they win when labels collide.
    places.sort((a, b) => (b.chef_lieu - a.chef_lieu) || (b.population - a.population));
    for (const p of places) {
      const icon = L.divIcon({ className: `place${p.chef_lieu ? ' chef-lieu' : ''}`, html: `<span>${esc(p.name)}</span>`, iconSize: null });
      L.marker([p.lat, p.lon], { icon, pane: 'labels', interactive: false, keyboard: false }).addTo(layer);
    }
    cull();
  }
  return { layer, refresh, prefetch };
}
