// The coverage of the selected area in time: one line per cumulative stage
// (ACI signé, ≥ projet de santé, ≥ lettre d'intention), the objective at
// 100 %, the published national milestones, the pace of the last twelve
// months drawn dashed towards 100 %, and the date shown on the map. A
// cursor reads the values month by month, with the mouse or the keyboard
// (the chart is a slider over the months: arrows, Page up/down, Home/End;
// Enter or a click shows the map on that month).
import { STAGES, pct, esc, $, swatch } from './format.js';

/** Pré-projets have no date: « tout stade » is the ≥ lettre d'intention line. */
const SHOWN = ['aci_signe', 'projet_sante_valide', 'lettre_intention'];
const PHRASE = { aci_signe: 'ACI signé', projet_sante_valide: '≥ projet de santé', lettre_intention: "≥ lettre d'intention", pre_projet: 'tout stade' };
const COUNTED = { aci_signe: "à l'ACI", projet_sante_valide: 'au projet de santé', lettre_intention: "à la lettre d'intention" };
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const W = 340, H = 210, LEFT = 32, RIGHT = 10, TOP = 16, BOTTOM = 20;
const TEXT = '#1d2433';
const GOAL = '#b42318';

let chart = null; // { t, xMax, at, onPick, cursor }

const monthName = (m) => `${MONTHS[Number(m.slice(5, 7)) - 1]} ${m.slice(0, 4)}`;
const monthsBetween = (a, b) => (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));
const x = (i) => LEFT + (i / Math.max(chart.xMax, 1)) * (W - LEFT - RIGHT);
const y = (p) => TOP + (1 - p / 100) * (H - TOP - BOTTOM);
const stageOf = (key) => chart.t.stages.find((s) => s.stage === key);

/** Months drawn after the last one, for the projections: until the latest 100 % (1 to 4 years). */
function extension(t) {
  const last = t.months[t.months.length - 1];
  const ahead = t.projection.filter((p) => SHOWN.includes(p.stage) && p.outlook === 'projected').map((p) => monthsBetween(last, p.month));
  return ahead.length ? Math.min(48, Math.max(12, ...ahead)) : 24;
}

/** The dashed continuation of a stage at its pace, clipped at the chart's right edge. */
function projectionPath(p, n) {
  if (p.pace == null || p.outlook === 'reached' || p.outlook === 'unknown') return '';
  const room = chart.xMax - (n - 1);
  const reach = p.outlook === 'projected' ? monthsBetween(chart.t.months[n - 1], p.month) : Infinity;
  const months = Math.min(room, reach);
  const end = Math.max(0, Math.min(100, p.percent + (p.pace / 12) * months));
  return `M${x(n - 1).toFixed(1)},${y(p.percent).toFixed(1)}L${x(n - 1 + months).toFixed(1)},${y(end).toFixed(1)}`;
}

function svg() {
  const { t } = chart;
  const n = t.months.length;
  const grid = [0, 25, 50, 75].map((p) => `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(p)}" y2="${y(p)}" stroke="#d5dae2"/>` +
    `<text x="2" y="${y(p) + 3.5}" font-size="9.5" fill="${TEXT}">${p} %</text>`).join('');
  const future = `<rect x="${x(n - 1)}" y="${TOP}" width="${W - RIGHT - x(n - 1)}" height="${H - TOP - BOTTOM}" fill="#eef1f6"/>` +
    `<text x="${x(n - 1) + 3}" y="${H - BOTTOM - 4}" font-size="9" fill="${TEXT}">projection</text>`;
  const goal = `<line data-role="objective" x1="${LEFT}" x2="${W - RIGHT}" y1="${y(100)}" y2="${y(100)}" stroke="${GOAL}" stroke-width="1.6"/>` +
    `<text x="2" y="${y(100) + 3.5}" font-size="9.5" fill="${TEXT}">100 %</text>` +
    `<text x="${LEFT + 3}" y="${y(100) - 3}" font-size="9.5" font-weight="700" fill="${GOAL}">Objectif : 100 % de la population</text>`;
  const years = [];
  for (let i = 0; i <= chart.xMax; i++) {
    const m = i < n ? t.months[i] : addMonths(t.months[n - 1], i - n + 1);
    if (m.endsWith('-01')) years.push([i, m.slice(0, 4)]);
  }
  const step = years.length > 9 ? 2 : 1;
  const ticks = years.map(([i, year], k) => `<line x1="${x(i)}" x2="${x(i)}" y1="${H - BOTTOM}" y2="${H - BOTTOM + 3}" stroke="${TEXT}"/>` +
    (k % step === 0 ? `<text x="${x(i) + 1}" y="${H - 6}" font-size="9.5" fill="${TEXT}">${year}</text>` : '')).join('');
  const lines = SHOWN.map((key) => {
    const s = stageOf(key);
    if (!s) return '';
    const d = s.percent.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p).toFixed(1)}`).join('');
    const p = t.projection.find((q) => q.stage === key);
    const dashed = p ? projectionPath(p, n) : '';
    return `<path data-stage="${key}" d="${d}" fill="none" stroke="${STAGES[key].color}" stroke-width="2"/>` +
      (dashed ? `<path data-role="projection" data-stage="${key}" d="${dashed}" fill="none" stroke="${STAGES[key].color}" stroke-width="1.6" stroke-dasharray="4 3"/>` : '');
  }).join('');
  const milestones = (t.milestones || []).map((m) => {
    const i = t.months.indexOf(m.month);
    if (i < 0) return '';
    const cx = x(i), cy = y(m.percent);
    const label = `${String(m.percent).replace('.', ',')} %`;
    return `<g data-role="milestone"><path d="M${cx},${cy - 5}L${cx + 5},${cy}L${cx},${cy + 5}L${cx - 5},${cy}Z" fill="#fff" stroke="${TEXT}" stroke-width="1.6"/>` +
      `<text x="${cx - 7}" y="${cy + (m.stage === 'aci_signe' ? 14 : -7)}" font-size="9.5" font-weight="700" fill="${TEXT}" text-anchor="end">${label}</text>` +
      `<title>${esc(m.label)}</title></g>`;
  }).join('');
  const shown = chart.at ? t.months.indexOf(chart.at.slice(0, 7)) : n - 1;
  const marker = shown >= 0 ? `<line data-role="date" x1="${x(shown)}" x2="${x(shown)}" y1="${TOP}" y2="${H - BOTTOM}" stroke="${TEXT}" stroke-width="1.2" stroke-dasharray="2 2"/>` : '';
  const cursor = `<g data-role="cursor" visibility="hidden"><line y1="${TOP}" y2="${H - BOTTOM}" stroke="${TEXT}" stroke-width="1"/>` +
    SHOWN.map((key) => `<circle data-stage="${key}" r="3.2" fill="${STAGES[key].color}" stroke="#fff" stroke-width="1"/>`).join('') + '</g>';
  return `<svg viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">` +
    future + grid + goal + ticks + marker + lines + milestones + cursor + '</svg>';
}

function addMonths(m, k) {
  const total = Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1 + k;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** What a month reads: every stage's share, the territories at each stage, a milestone of that month. */
function readout(i) {
  const { t } = chart;
  const values = SHOWN.map((key) => `${PHRASE[key]} ${pct(stageOf(key).percent[i])}`).join(' · ');
  const counts = SHOWN.map((key) => `${stageOf(key).territories[i]} ${COUNTED[key]}`).join(', ');
  const milestone = (t.milestones || []).filter((m) => m.month === t.months[i]).map((m) => ` Repère publié : ${m.label}.`).join('');
  return `Au 1er ${monthName(t.months[i])} : ${values}. CPTS : ${counts}.${milestone}`;
}

function setCursor(i, { hover = false } = {}) {
  const { t } = chart;
  const n = t.months.length;
  chart.cursor = Math.max(0, Math.min(n - 1, i));
  const c = chart.cursor;
  const g = $('#chart [data-role="cursor"]');
  g.setAttribute('visibility', 'visible');
  g.querySelector('line').setAttribute('x1', x(c));
  g.querySelector('line').setAttribute('x2', x(c));
  for (const dot of g.querySelectorAll('circle')) {
    dot.setAttribute('cx', x(c));
    dot.setAttribute('cy', y(stageOf(dot.dataset.stage).percent[c]));
  }
  const text = readout(c);
  $('#chart-readout').textContent = text;
  const el = $('#chart');
  el.setAttribute('aria-valuenow', String(c));
  el.setAttribute('aria-valuetext', text);
  if (!hover) el.dataset.cursor = t.months[c];
}

function monthAtPointer(e) {
  const box = $('#chart svg').getBoundingClientRect();
  const vx = ((e.clientX - box.left) / box.width) * W;
  return Math.round(((vx - LEFT) / (W - LEFT - RIGHT)) * chart.xMax);
}

/** Wires the chart's pointer and keys once. */
export function wire() {
  const el = $('#chart');
  el.addEventListener('mousemove', (e) => { if (chart?.t.months.length) setCursor(monthAtPointer(e), { hover: true }); });
  el.addEventListener('mouseleave', () => { if (chart?.t.months.length) setCursor(restingMonth()); });
  el.addEventListener('click', (e) => {
    if (!chart?.t.months.length) return;
    setCursor(monthAtPointer(e));
    chart.onPick(chart.t.months[chart.cursor]);
  });
  el.addEventListener('keydown', (e) => {
    if (!chart?.t.months.length) return;
    const steps = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -12, PageUp: 12 };
    const n = chart.t.months.length;
    let i = chart.cursor ?? restingMonth();
    if (e.key in steps) i += steps[e.key];
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = n - 1;
    else if (e.key === 'Enter' || e.key === ' ') { chart.onPick(chart.t.months[i]); e.preventDefault(); return; } else return;
    e.preventDefault();
    setCursor(i);
  });
}

/** The month the cursor rests on: the one shown on the map. */
function restingMonth() {
  const { t, at } = chart;
  const i = at ? t.months.indexOf(at.slice(0, 7)) : -1;
  return i >= 0 ? i : t.months.length - 1;
}

/** Draws the series `t` of `/api/timeline`; `at` is the date shown on the map, `onPick(month)` moves it. */
export function render(t, { at = null, onPick = () => {} } = {}) {
  const el = $('#chart');
  $('#timeline-area').textContent = t.name ? `(${t.name})` : '';
  if (!t.months.length) {
    chart = null;
    el.innerHTML = '<p>Aucune date de stade dans la liste : pas d\'historique.</p>';
    $('#chart-readout').textContent = '';
    $('#projection').innerHTML = '';
    return;
  }
  chart = { t, at, onPick, xMax: t.months.length - 1 + extension(t), cursor: null };
  el.innerHTML = svg();
  el.setAttribute('aria-valuemin', '0');
  el.setAttribute('aria-valuemax', String(t.months.length - 1));
  const last = t.months[t.months.length - 1];
  el.setAttribute('aria-label', `Couverture de ${t.name} dans le temps, de ${monthName(t.months[0])} à ${monthName(last)} : ` +
    'flèches pour lire chaque mois, Entrée pour afficher la carte à ce mois');
  setCursor(restingMonth());
  $('#projection').innerHTML = t.projection.filter((p) => SHOWN.includes(p.stage)).map((p) => {
    const pace = p.pace == null ? '' : ` ; ${p.pace >= 0 ? '+' : ''}${String(p.pace.toFixed(1)).replace('.', ',')} points par an sur ${p.window_months} mois`;
    return `<li>${swatch(p.stage)}<strong>${esc(PHRASE[p.stage])}</strong> : ${pct(p.percent)}${pace} → ${esc(p.label)}</li>`;
  }).join('');
  const milestones = (t.milestones || []).map((m) => esc(m.label)).join(' ; ');
  $('#chart-milestones').textContent = milestones ? `Repères publiés (losanges) : ${milestones}.` : '';
}

/** Moves the date marker and the resting cursor to the map's date. */
export function showDate(at) {
  if (!chart) return;
  chart.at = at;
  render(chart.t, chart);
}
