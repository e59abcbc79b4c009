// What « Préparer un projet » shows in the panel: the draft's figures (size,
// newly covered residents, overlaps, France and départements before → after,
// its communes), the zones blanches to start from, the suggested cuts and
// the CPTS to start from. Raw figures ride in data-* attributes.
import { STAGES, fmt, pct, esc, SIZE_LABELS } from './format.js';

/** Communes listed one by one (each with its « Retirer » button); the rest are counted. */
const SHOWN_COMMUNES = 60;
const SHOWN = 10;

export const DEFAULT_NAME = 'Projet de CPTS';

function more(items, render, label) {
  const rows = items.map((it, i) => `<li${i >= SHOWN ? ' class="extra"' : ''}>${render(it)}</li>`).join('');
  const button = items.length > SHOWN ? `<button type="button" class="link" data-more="1">Afficher les ${items.length - SHOWN} autres ${label}</button>` : '';
  return `<ul class="more-list plan-list">${rows}</ul>${button}`;
}

export function figuresHtml(f) {
  const tenant = f.contiguous ? 'oui'
    : `<span class="blanche">non : ${f.parts} morceaux sans frontière commune</span>`;
  const nc = f.units_without_population
    ? ` <small>(dont ${f.units_without_population} sans population connue, comptée${f.units_without_population > 1 ? 's' : ''} 0)</small>` : '';
  const deps = f.departements_after.map((d) =>
    `<tr data-code="${esc(d.code)}" data-before="${d.covered_population_before}" data-after="${d.covered_population_after}">` +
    `<th scope="row">${esc(d.code)} ${esc(d.name)}</th><td class="num">${pct(d.percent_before)}</td>` +
    `<td class="num">→ ${pct(d.percent_after)}</td></tr>`).join('');
  const overlaps = f.overlaps.length
    ? more(f.overlaps, (o) => `<span class="swatch" style="background:${STAGES[o.stage].color}" aria-hidden="true"></span>` +
      `${esc(o.name)} <small>(${esc(o.stage_label)}) : ${o.units} commune${o.units > 1 ? 's' : ''}, ${fmt(o.population)} hab.</small>`, 'CPTS')
    : '<p>Aucune : le projet ne partage aucune commune avec une CPTS.</p>';
  const zones = f.zones.length
    ? more(f.zones, (z) => `${esc(z.main_unit)} <small>: ${fmt(z.covered_by_draft)} hab. sur ${fmt(z.population)} de la zone</small>`, 'zones')
    : '<p>Aucune.</p>';
  const communes = f.communes.slice(0, SHOWN_COMMUNES).map((c) =>
    `<li data-code="${esc(c.code)}">${esc(c.name)} <small>(${esc(c.code)}, ${c.population == null ? 'n.c.' : `${fmt(c.population)} hab.`}${c.covered ? ', déjà couverte' : ''})</small> ` +
    `<button type="button" class="link" data-remove="${esc(c.code)}" aria-label="Retirer ${esc(c.name)} du projet">Retirer</button></li>`).join('');
  const rest = f.communes.length > SHOWN_COMMUNES ? `<p class="note">… et ${fmt(f.communes.length - SHOWN_COMMUNES)} autres communes.</p>` : '';
  const notes = f.notes.length ? `<ul class="note">${f.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return `<dl class="plan-figs">` +
    `<div><dt>Communes</dt><dd id="plan-units" data-value="${f.units}">${fmt(f.units)}</dd></div>` +
    `<div><dt>Population</dt><dd id="plan-population" data-value="${f.population}">${fmt(f.population)} hab. · taille ${f.size_class} <small>(${SIZE_LABELS[f.size_class]})</small>${nc}</dd></div>` +
    `<div><dt>Nouvellement couverts</dt><dd id="plan-newly" data-value="${f.newly_covered.population}">${fmt(f.newly_covered.population)} hab. <small>(${f.newly_covered.units} commune${f.newly_covered.units > 1 ? 's' : ''} sans aucune CPTS aujourd'hui)</small></dd></div>` +
    `<div><dt>D'un seul tenant</dt><dd id="plan-contiguous" data-value="${f.contiguous}">${tenant}</dd></div>` +
    `<div><dt>France, tout stade</dt><dd id="plan-france" data-before="${f.coverage_before.population}" data-after="${f.coverage_after.population}">${pct(f.coverage_before.percent)} → <strong>${pct(f.coverage_after.percent)}</strong> <small>(${fmt(f.coverage_after.population)} hab.)</small></dd></div>` +
    `</dl>` +
    `<h3>Départements, tout stade <small>(avant → après)</small></h3><table id="plan-deps"><caption class="visually-hidden">Population couverte avant et après le projet</caption><tbody>${deps}</tbody></table>` +
    `<h3>Chevauchements <small>(${f.overlaps.length})</small></h3>${overlaps}` +
    `<h3>Zones blanches atteintes <small>(${f.zones.length})</small></h3>${zones}` +
    `<h3>Communes du projet <small>(${fmt(f.units)})</small></h3><ul class="plan-communes">${communes}</ul>${rest}${notes}`;
}

export function zonesHtml(z, areaName) {
  if (!z.count) return `<p>Aucune zone blanche ${areaName === 'France' ? 'en France' : `dans ${esc(areaName)}`} : toute la population y est couverte par une CPTS.</p>`;
  const items = z.list.map((zone) =>
    `<li data-zone="${zone.zone}">${esc(zone.main_unit)}${zone.units > 1 ? ` et ${zone.units - 1} autre${zone.units > 2 ? 's' : ''}` : ''} <small>(${fmt(zone.population)} hab.)</small><br>` +
    `<button type="button" class="link" data-zone-add="${zone.zone}" aria-label="Ajouter au projet la zone blanche de ${esc(zone.main_unit)}">Ajouter au projet</button> · ` +
    `<button type="button" class="link" data-zone-cut="${zone.zone}" aria-label="Proposer un découpage de la zone blanche de ${esc(zone.main_unit)}">Proposer un découpage</button></li>`);
  const rows = items.map((li, i) => (i >= SHOWN ? li.replace('<li ', '<li class="extra" ') : li)).join('');
  const button = items.length > SHOWN ? `<button type="button" class="link" data-more="1">Afficher les ${items.length - SHOWN} autres zones</button>` : '';
  const cut = z.count > z.list.length ? `<p class="note">Les ${z.list.length} plus peuplées sur ${fmt(z.count)}.</p>` : '';
  return `<p class="note">Zones blanches (aucune CPTS, à aucun stade) ${areaName === 'France' ? 'de France' : `touchant ${esc(areaName)}`} : ${fmt(z.count)}, ${fmt(z.population)} hab.</p>` +
    `<ol class="more-list plan-list">${rows}</ol>${button}${cut}`;
}

export function suggestionHtml(s, colours) {
  const items = s.candidates.map((c, i) =>
    `<li data-candidate="${i}"><span class="swatch" style="background:${colours[i % colours.length]}" aria-hidden="true"></span>` +
    `<strong>${esc(c.name)}</strong><br><small>${c.codes.length} commune${c.codes.length > 1 ? 's' : ''}, ${fmt(c.population)} hab., taille ${c.size_class}</small>` +
    (c.issue ? `<br><small class="blanche">${esc(c.issue)}</small>` : '') +
    `<br><button type="button" class="link" data-adopt="${i}" aria-label="Adopter comme projet : ${esc(c.name)}">Adopter comme projet</button></li>`).join('');
  const notes = s.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return `<h3>Découpage proposé <small>(zone de ${esc(s.main_unit)}, ${fmt(s.population)} hab.)</small></h3>` +
    `<p class="note">${s.candidates.length} projet${s.candidates.length > 1 ? 's' : ''} d'un seul tenant, de 20 000 à 175 000 habitants quand c'est possible, ` +
    `grandis à partir de la commune la plus peuplée en suivant les limites communales (calculé en ${String(s.computed_in_ms).replace('.', ',')} ms).</p>` +
    `<ol class="plan-list">${items}</ol>${notes}` +
    '<p><button type="button" class="link" data-suggestion-close="1">Masquer le découpage</button></p>';
}

export function cptsOptions(list) {
  return '<option value="">— choisir une CPTS —</option>' +
    list.map((t) => `<option value="${esc(t.id)}">${esc(t.name)} (${esc(t.stage_label)}, ${fmt(t.population)} hab.)</option>`).join('');
}
