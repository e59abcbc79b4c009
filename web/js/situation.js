// The « Situation au … » slider: one position per month of the history (the
// situation on the 1st of the month, as the server counts it), and a last
// position for today's list. Moving it changes the state's date, which
// redraws the territories, the zones blanches and every figure; dragging
// waits for a pause before asking the server.
import { $, longDate } from './format.js';
import { state, update } from './state.js';

let months = [];
let dataDate = '';
let pending = null;

/** « 1er mars 2023 », « 15 mars 2023 ». */
export function dayLabel(iso) {
  const text = longDate(iso);
  return iso.endsWith('-01') ? text.replace(/^1 /, '1er ') : text;
}

/** What the slider says for a date (null: today's list). */
export function situationLabel(at) {
  if (at) return `Situation au ${dayLabel(at)}`;
  return `Situation actuelle${dataDate ? ` (liste du ${dayLabel(dataDate)})` : ''}`;
}

/** The position of a date: its month, or the last month before it (the first if earlier); today is past the last month. */
function positionOf(at) {
  if (!at) return months.length;
  const month = at.slice(0, 7);
  let i = 0;
  while (i + 1 < months.length && months[i + 1] <= month) i += 1;
  return i;
}

const dateAt = (i) => (i >= months.length ? null : `${months[i]}-01`);

function show(at) {
  const text = situationLabel(at);
  $('#date-label').textContent = text;
  $('#date').setAttribute('aria-valuetext', text);
}

/** Sets the months of the history (`AAAA-MM`, oldest first). */
export function setMonths(list, date) {
  months = list;
  dataDate = date || dataDate;
  const input = $('#date');
  input.max = String(months.length);
  $('#date-first').textContent = months.length ? dayLabel(`${months[0]}-01`) : '';
  input.disabled = months.length === 0;
  render();
}

/** Shows the state's date on the slider. */
export function render() {
  $('#date').value = String(positionOf(state.at));
  show(state.at);
}

export function wire() {
  const input = $('#date');
  input.addEventListener('input', () => {
    const at = dateAt(Number(input.value));
    show(at);
    clearTimeout(pending);
    pending = setTimeout(() => update({ at }), 250);
  });
  input.addEventListener('change', () => {
    clearTimeout(pending);
    update({ at: dateAt(Number(input.value)) });
  });
}

/** Moves to a month (from the chart): `AAAA-MM`, or null for today. */
export function pick(month) {
  update({ at: month ? `${month}-01` : null });
}
