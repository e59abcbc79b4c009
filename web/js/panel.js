// The side panel: the summary of the selected area at the chosen stage and
// date, the downloads of exactly that and the table of départements (the
// chart of the area in time is chart.js).
import { api, areaQuery, ApiError } from './api.js';
import { STAGES, fmt, pct, esc, $, swatch, stagePhrase, longDate, SIZE_LABELS } from './format.js';
import { state, update, FRANCE, atParam } from './state.js';
import { dayLabel } from './situation.js';

const SHOWN = 10;
const table = { key: 'percent', dir: 'ascending' };
let departements = [];
let regions = [];

export function setAreas(deps, regs) {
  departements = deps;
  regions = regs;
  $('#region').innerHTML = '<option value="">France entière</option>' +
    regions.map((r) => `<option value="${esc(r.code)}">${esc(r.name)}</option>`).join('');
}

/** The départements' figures at the state's date (the table follows the date). */
export function setDepartements(deps) {
  departements = deps;
}

export const departementName = (code) => departements.find((d) => d.code === code)?.name;
export const regionName = (code) => regions.find((r) => r.code === code)?.name;

/** The région the pickers and the table show: the selected one, or the selected département's. */
function currentRegion() {
  if (state.area.level === 'region') return state.area.code;
  if (state.area.level === 'departement') return departements.find((d) => d.code === state.area.code)?.region || '';
  return '';
}

export function renderPickers() {
  const region = currentRegion();
  $('#region').value = region;
  const deps = departements.filter((d) => !region || d.region === region);
  $('#departement').innerHTML = '<option value="">—</option>' +
    deps.map((d) => `<option value="${esc(d.code)}">${esc(d.code)} ${esc(d.name)}</option>`).join('');
  $('#departement').value = state.area.level === 'departement' ? state.area.code : '';
}

export function wirePickers() {
  $('#region').addEventListener('change', (e) => {
    const code = e.target.value;
    update({ area: code ? { level: 'region', code, name: regionName(code) } : FRANCE, commune: null }, { fit: true });
  });
  $('#departement').addEventListener('change', (e) => {
    const code = e.target.value;
    const region = $('#region').value;
    // Back to « — »: the région chosen above, or France; the map follows.
    const area = code ? { level: 'departement', code, name: departementName(code) }
      : region ? { level: 'region', code: region, name: regionName(region) } : FRANCE;
    update({ area, commune: null }, { fit: true });
  });
  $('#stage').addEventListener('change', (e) => update({ stage: e.target.value }));
  $('#summary').addEventListener('click', onSummaryClick);
  $('#dep-table thead').addEventListener('click', (e) => {
    const key = e.target.closest('button[data-sort]')?.dataset.sort;
    if (!key) return;
    table.dir = table.key === key && table.dir === 'ascending' ? 'descending' : 'ascending';
    table.key = key;
    renderTable();
  });
  $('#dep-table tbody').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-code]');
    if (!b) return;
    update({ area: { level: 'departement', code: b.dataset.code, name: departementName(b.dataset.code) }, commune: null },
      { fit: true, focusSummary: true });
  });
}

let zoomTo = () => {};
export function onZoomRequest(f) { zoomTo = f; }

function onSummaryClick(e) {
  const b = e.target.closest('button');
  if (!b) return;
  if (b.dataset.today) update({ at: null });
  else if (b.dataset.bbox) zoomTo(JSON.parse(b.dataset.bbox));
  else if (b.dataset.level === 'france') update({ area: FRANCE, commune: null }, { fit: true, focusSummary: true });
  else if (b.dataset.level) update({ area: { level: b.dataset.level, code: b.dataset.code, name: b.dataset.name }, commune: null }, { fit: true, focusSummary: true });
  else if (b.dataset.more) {
    b.closest('.more-list')?.classList.add('expanded');
    b.remove();
  }
}

const LEVEL_LABEL = { france: '', region: 'région', departement: 'département', epci: 'EPCI', cpts: 'CPTS' };

function crumbs(a) {
  if (a.level === 'france') return '';
  const items = ['<button type="button" class="link" data-level="france">France</button>'];
  if (a.region) items.push(`<button type="button" class="link" data-level="region" data-code="${esc(a.region.code)}" data-name="${esc(a.region.name)}">${esc(a.region.name)}</button>`);
  if (a.level !== 'france') items.push(`<span aria-current="page">${esc(a.name)}</span>`);
  return `<nav class="crumbs" aria-label="Zone choisie">${items.join(' › ')}</nav>`;
}

function list(items, render, label) {
  if (!items.length) return '';
  const rows = items.map((it, i) => `<li${i >= SHOWN ? ' class="extra"' : ''}>${render(it)}</li>`).join('');
  const more = items.length > SHOWN ? `<button type="button" class="link" data-more="1">Afficher les ${items.length - SHOWN} autres ${label}</button>` : '';
  return `<ol class="more-list">${rows}</ol>${more}`;
}

function summaryHtml(a) {
  const known = a.population > 0;
  const stage = STAGES[a.stage];
  const code = a.code ? ` <small>${esc(LEVEL_LABEL[a.level])} ${a.level === 'cpts' ? '' : esc(a.code)}</small>` : '';
  const rows = a.by_stage.slice().map((b) =>
    `<tr${b.stage === a.stage ? ' class="current"' : ''}><td>${swatch(b.stage)}${esc(stagePhrase(b.stage))}</td>` +
    `<td class="num">${fmt(b.population)}</td><td class="num">${known ? pct(b.percent) : 'n.c.'}</td></tr>`).join('');
  const nc = a.units_without_population
    ? `<p class="note">${a.units_without_population} commune${a.units_without_population > 1 ? 's' : ''} sans population connue (<abbr title="non connue">n.c.</abbr>), comptée${a.units_without_population > 1 ? 's' : ''} pour 0 habitant : Mayotte n'a pas de population INSEE dans les données fournies.</p>` : '';
  const zones = list(a.zones.list, (z) =>
    `<button type="button" class="link" data-bbox="${esc(JSON.stringify(z.bbox))}">${esc(z.main_unit)}${z.units > 1 ? ` et ${z.units - 1} autre${z.units > 2 ? 's' : ''}` : ''}</button> <span class="num">${fmt(z.population)} hab.</span>`, 'zones');
  const cpts = list(a.cpts, (t) =>
    `<button type="button" class="link" data-level="cpts" data-code="${esc(t.id)}" data-name="${esc(t.name)}">${esc(t.name)}</button>` +
    `<br><small>${swatch(t.stage)}${esc(t.stage_label)} · taille ${t.size_class} <span class="visually-hidden">(${SIZE_LABELS[t.size_class]})</span>` +
    `${stageDate(t)} · ${fmt(t.population)} hab.</small>`, 'CPTS');
  const overlaps = a.overlaps.units
    ? `<p>${fmt(a.overlaps.units)} commune${a.overlaps.units > 1 ? 's' : ''} (${fmt(a.overlaps.population)} hab.) dans plusieurs CPTS.</p>` +
      list(a.overlaps.list, (o) => `${esc(o.name)} <small>(${esc(o.cpts.join(', '))})</small>`, 'communes')
    : '<p>Aucune commune dans plusieurs CPTS.</p>';
  return crumbs(a) +
    `<h2 id="summary-title" tabindex="-1">${esc(a.name)}${code}</h2>` +
    (a.as_of ? `<p class="as-of">Au ${esc(dayLabel(a.as_of))}</p>` : '') +
    `<p class="headline"><strong>${known ? pct(a.percent) : 'n.c.'}</strong> de la population couverte (${esc(stagePhrase(a.stage))})<br>` +
    `${fmt(a.covered_population)} habitants sur ${fmt(a.population)}</p>` +
    `<div class="progress" role="progressbar" aria-label="Population couverte, ${esc(stage.label)}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${a.percent.toFixed(1)}"><div class="bar" style="width:${a.percent}%;background:${stage.color}"></div></div>` +
    '<p class="goal">Objectif : 100 % de la population couverte.</p>' +
    `<table class="stages"><caption class="visually-hidden">Population couverte par stade (cumulé)</caption><tbody>${rows}` +
    `<tr class="remaining"><th scope="row">Reste à couvrir</th><td class="num" id="remaining">${fmt(a.uncovered_population)}</td><td class="num">${known ? pct(100 - a.percent) : 'n.c.'}</td></tr></tbody></table>` +
    nc + undatedNote(a) +
    `<h3>Zones blanches <small>(${fmt(a.zones.count)} zone${a.zones.count > 1 ? 's' : ''}, ${fmt(a.zones.population)} hab.)</small></h3>` +
    (a.zones.count ? zones : '<p>Aucune : toute la population est couverte à ce stade.</p>') +
    (a.zones.count > a.zones.list.length ? `<p class="note">Les ${a.zones.list.length} plus peuplées ; les ${fmt(a.zones.count)} sont dans le téléchargement « Zones blanches ».</p>` : '') +
    `<h3>CPTS <small>(${fmt(a.cpts_count)}, ${esc(stagePhrase(a.stage))})</small></h3>` +
    (a.cpts_count ? cpts : '<p>Aucune CPTS à ce stade.</p>') +
    (a.cpts_count > a.cpts.length ? `<p class="note">Les ${a.cpts.length} plus peuplées ici ; les ${fmt(a.cpts_count)} sont dans le téléchargement « Territoires CPTS ».</p>` : '') +
    '<h3>Chevauchements</h3>' + overlaps +
    (a.level !== 'france' ? '<p><button type="button" class="button back" data-level="france">Retour à la France entière</button></p>' : '');
}

/** The date of the stage a territory is shown at (its stage on the map's date). */
function stageDate(t) {
  const date = { aci_signe: t.aci_date, projet_sante_valide: t.projet_sante_date, lettre_intention: t.lettre_intention_date }[t.stage];
  const what = { aci_signe: 'ACI du', projet_sante_valide: 'projet de santé validé le', lettre_intention: "lettre d'intention du" }[t.stage];
  return date ? ` · ${what} ${esc(longDate(date))}` : '';
}

/** On a past date, for France: the territories whose stage on that date their dates leave uncertain. */
function undatedNote(a) {
  const u = a.undated;
  if (!a.as_of || a.level !== 'france' || !u || !u.territories) return '';
  const pre = u.pre_projets ? ` (dont ${fmt(u.pre_projets)} pré-projet${u.pre_projets > 1 ? 's' : ''}, un stade sans date)` : '';
  return `<p class="note">Au ${esc(dayLabel(a.as_of))}, ${fmt(u.territories)} CPTS${pre} n'ont pas de date pour un stade atteint depuis : ` +
    `elles ne sont pas comptées à cette date, ou à un stade inférieur ; ${fmt(u.population)} habitants sont peut-être sous-comptés à un stade.</p>`;
}

/** A CPTS chosen on the map, on a date before its first dated stage: say so, offer today or France. */
function notYetHtml(e) {
  return `<h2 id="summary-title" tabindex="-1">${esc(state.area.name || state.area.code)} <small>CPTS</small></h2>` +
    `<p class="as-of">Au ${esc(dayLabel(state.at))}</p><p class="blanche" role="alert">${esc(e.message)}.</p>` +
    '<p><button type="button" class="button" data-today="1">Revenir à la situation actuelle</button> ' +
    '<button type="button" class="button back" data-level="france">Retour à la France entière</button></p>';
}

let summarySeq = 0;
/** Loads and shows the summary of the state's area at its stage; resolves to it. */
export async function renderSummary({ focus = false } = {}) {
  const ticket = ++summarySeq;
  const el = $('#summary');
  el.setAttribute('aria-busy', 'true');
  const q = areaQuery(state.area);
  let a;
  try {
    a = await api(`api/area?stage=${state.stage}${q ? '&' + q : ''}${atParam()}`);
  } catch (e) {
    if (!(state.at && e instanceof ApiError && e.status === 404) || ticket !== summarySeq) throw e;
    el.innerHTML = notYetHtml(e);
    el.setAttribute('aria-busy', 'false');
    disableExports('Cette CPTS n\'existait pas encore à cette date');
    $('#summary-status').textContent = e.message;
    document.body.dataset.summary = `${state.area.level}:${state.area.code ?? ''}:${state.stage}`;
    return { level: state.area.level, code: state.area.code, name: state.area.name, bbox: state.area.bbox };
  }
  if (ticket !== summarySeq) return a;
  el.innerHTML = summaryHtml(a);
  // Said once by screen readers, rather than the whole panel.
  $('#summary-status').textContent = `${a.name}${a.as_of ? `, au ${dayLabel(a.as_of)}` : ''} : ${a.population ? pct(a.percent) : 'n.c.'} de la population couverte (${stagePhrase(a.stage)}), reste à couvrir ${fmt(a.uncovered_population)} habitants.`;
  el.setAttribute('aria-busy', 'false');
  $('#demo').hidden = !a.fictional;
  $('#data-date').textContent = a.data_date ? `Données du ${longDate(a.data_date)}.` : '';
  document.body.dataset.summary = `${a.level}:${a.code ?? ''}:${a.stage}`;
  if (focus) $('#summary-title').focus({ preventScroll: true });
  // On a wide screen the panel scrolls on its own: bring the summary into view.
  // On a phone the page scrolls: only when the choice was made in the panel.
  const wide = matchMedia('(min-width: 901px)').matches;
  if (wide && state.area.level !== 'france') {
    const aside = $('#panel');
    aside.scrollTop = el.getBoundingClientRect().top - aside.getBoundingClientRect().top + aside.scrollTop;
  } else if (focus && !wide) {
    el.scrollIntoView({ block: 'start', behavior: 'instant' });
  }
  renderExports(a);
  return a;
}

/** Nothing to download: every button inert, saying why. */
function disableExports(why) {
  $('#export-scope').textContent = why;
  for (const el of document.querySelectorAll('#exports a.button')) {
    el.removeAttribute('href');
    el.removeAttribute('download');
    el.setAttribute('aria-disabled', 'true');
    el.title = why;
  }
}

function renderExports(a) {
  const q = areaQuery(state.area);
  const params = `stage=${state.stage}${q ? '&' + q : ''}${atParam()}`;
  const when = state.at ? ` · au ${dayLabel(state.at)}` : '';
  const scope = `${STAGES[state.stage].label}${state.stage === 'pre_projet' ? ' (tout stade)' : ''} · ${a.name}${when}`;
  $('#export-scope').textContent = `Stade : ${scope}${a.data_date ? ` · données du ${longDate(a.data_date)}` : ''}`;
  const links = { figures: 'figures.csv', uncovered: 'uncovered.geojson', cpts: 'cpts.geojson', overlaps: 'overlaps.geojson', communes: 'communes.geojson' };
  for (const [id, file] of Object.entries(links)) {
    const el = $(`#export-${id}`);
    // France's communes are too heavy a file for a button: choose an area first.
    if (id === 'communes' && state.area.level === 'france') {
      el.removeAttribute('href');
      el.removeAttribute('download');
      el.setAttribute('aria-disabled', 'true');
      el.title = 'Choisissez une région, un département, un EPCI ou une CPTS';
      continue;
    }
    el.href = `api/export/${file}?${params}`;
    el.setAttribute('download', '');
    el.removeAttribute('aria-disabled');
    el.removeAttribute('title');
  }
}

export function renderTable() {
  const region = currentRegion();
  const rows = departements.filter((d) => !region || d.region === region).map((d) => {
    const f = d.by_stage.find((s) => s.stage === state.stage);
    return { d, percent: f.percent, uncovered: d.population - f.population };
  });
  const { key, dir } = table;
  const sign = dir === 'ascending' ? 1 : -1;
  // Départements without known population (Mayotte) last, whatever the order.
  rows.sort((a, b) => (a.d.population === 0) - (b.d.population === 0) ||
    sign * (key === 'code' ? a.d.code.localeCompare(b.d.code) : a[key] - b[key]) || a.d.code.localeCompare(b.d.code));
  for (const th of document.querySelectorAll('#dep-table thead th')) {
    const k = th.querySelector('button').dataset.sort;
    th.setAttribute('aria-sort', k === key ? dir : 'none');
    th.querySelector('.sort').textContent = k === key ? (dir === 'ascending' ? ' ▲' : ' ▼') : '';
  }
  const chosen = state.area.level === 'departement' ? state.area.code : null;
  const focused = document.activeElement?.closest?.('#dep-table tbody button')?.dataset.code;
  $('#deps-title').textContent = region ? `Départements de ${regionName(region)}` : 'Départements';
  $('#dep-table tbody').innerHTML = rows.map((r) => {
    const nc = '<abbr title="non connu">n.c.</abbr>';
    const mine = r.d.code === chosen;
    return `<tr data-code="${esc(r.d.code)}"${mine ? ' class="current" aria-current="true"' : ''}>` +
      `<th scope="row"><button type="button" class="link" data-code="${esc(r.d.code)}">${esc(r.d.code)} ${esc(r.d.name)}</button></th>` +
      `<td class="num">${r.d.population ? pct(r.percent) : nc}</td><td class="num">${r.d.population ? fmt(r.uncovered) : nc}</td></tr>`;
  }).join('');
  if (focused) document.querySelector(`#dep-table tbody button[data-code="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
}
