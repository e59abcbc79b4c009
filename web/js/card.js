// The card of a commune, in a popup: population, département, EPCI, the CPTS
// covering it and whether it is covered at the chosen stage. Its links
// select the département, the EPCI or a CPTS (the panel then summarises it).
import { STAGES, ORDER, fmt, esc, stagePhrase } from './format.js';
import { state, update } from './state.js';
import { dayLabel } from './situation.js';

function covered(c) {
  const level = ORDER.indexOf(state.stage);
  return c.cpts.some((t) => ORDER.indexOf(t.stage) >= level);
}

export function cardHtml(c) {
  const pop = c.population == null
    ? '<abbr title="non connue">population n.c.</abbr> (aucune population INSEE dans les données)'
    : `${fmt(c.population)} habitants`;
  const areaLink = (level, code, name) =>
    `<button type="button" class="link" data-level="${level}" data-code="${esc(code)}" data-name="${esc(name)}">${esc(name)}</button>`;
  const cpts = c.cpts.map((t) => `<li><span class="swatch" style="background:${STAGES[t.stage].color}" aria-hidden="true"></span>` +
    `${areaLink('cpts', t.id, t.name)} — <em>${esc(t.stage_label)}</em></li>`).join('');
  let status;
  const when = c.as_of ? ` au ${esc(dayLabel(c.as_of))}` : '';
  if (covered(c)) status = `<p class="ok">Couverte (${esc(stagePhrase(state.stage))})${when}.</p>`;
  else if (c.cpts.length) status = `<p class="blanche">Non couverte au stade « ${esc(STAGES[state.stage].label)} »${when} : zone blanche à ce stade.</p>`;
  else if (c.uncovered_zone) status = `<p class="blanche">Zone blanche${when} : aucune CPTS.</p><p>La zone compte ${fmt(c.uncovered_zone.population)} habitants dans ${c.uncovered_zone.units} communes.</p>`;
  else status = `<p class="blanche">Aucune CPTS${when}.</p>`;
  const epcis = (c.epcis || []).map((e) => areaLink('epci', e.code, e.name)).join(', ');
  return `<div class="card" data-code="${esc(c.code)}"><h3>${esc(c.name)} <small>(${esc(c.code)})</small></h3>` +
    `<p>${pop}</p><p>Département : ${areaLink('departement', c.departement, c.departement_name)} (${esc(c.departement)})</p>` +
    (epcis ? `<p>EPCI : ${epcis}</p>` : '') + status + (cpts ? `<ul class="card-cpts">${cpts}</ul>` : '') + '</div>';
}

/** Opens the card at a point (or the middle of the commune) and wires its links. */
export function openCard(map, c, latlng) {
  const at = latlng || (c.bbox ? L.latLng((c.bbox[1] + c.bbox[3]) / 2, (c.bbox[0] + c.bbox[2]) / 2) : map.getCenter());
  const popup = L.popup({ maxWidth: 320, autoPanPadding: [20, 20] }).setLatLng(at).setContent(cardHtml(c)).openOn(map);
  popup.getElement()?.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-level]');
    if (!b) return;
    map.closePopup(popup);
    update({ area: { level: b.dataset.level, code: b.dataset.code, name: b.dataset.name }, commune: null }, { fit: true });
  });
  return popup;
}
