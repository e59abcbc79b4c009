// Search: communes (ranked by the server: names, codes, postcodes…) and
// CPTS by name, in one list. Enter opens the first, best-ranked hit — once
// the answer for what was typed has arrived. « Aucun résultat » is said.
import { api } from './api.js';
import { esc, fmt } from './format.js';
import { update } from './state.js';

const input = document.getElementById('search');
const list = document.getElementById('suggestions');
const status = document.getElementById('search-status');
let hits = [];
let active = -1;
let pending = null; // the search of `pendingQuery`: running, or done and shown
let pendingQuery = null;
let timer = null;

function kindLabel(h) {
  if (h.kind === 'cpts') return `CPTS · ${esc(h.stage_label)}`;
  const dep = h.departement_name ? `${esc(h.departement_name)} (${esc(h.departement)})` : esc(h.departement);
  const matched = h.matched && h.matched !== h.name ? ` · ${esc(h.matched)}` : '';
  const pop = h.population != null ? ` · ${fmt(h.population)} hab.` : '';
  return `${esc(h.code)} · ${dep}${pop}${matched}`;
}

function show(query) {
  if (query && !hits.length) {
    list.innerHTML = `<li class="empty" role="option" aria-disabled="true" aria-selected="false">Aucun résultat pour « ${esc(query)} »</li>`;
    status.textContent = `Aucun résultat pour ${query}`;
  } else {
    list.innerHTML = hits.map((h, i) => `<li role="option" id="opt-${i}" aria-selected="${i === active}" data-i="${i}">` +
      `${h.kind === 'cpts' ? '<span class="tag">CPTS</span> ' : ''}${esc(h.name)} <small>${kindLabel(h)}</small></li>`).join('');
    status.textContent = hits.length ? `${hits.length} résultat${hits.length > 1 ? 's' : ''}` : '';
  }
  const open = Boolean(query) || hits.length > 0;
  list.hidden = !open;
  input.setAttribute('aria-expanded', String(open));
  if (active >= 0) input.setAttribute('aria-activedescendant', `opt-${active}`); else input.removeAttribute('aria-activedescendant');
}

function close() {
  hits = []; active = -1; pending = null; pendingQuery = null;
  clearTimeout(timer);
  show('');
}

async function search(q) {
  const [communes, cpts] = await Promise.all([
    api(`api/communes/search?q=${encodeURIComponent(q)}&limit=8`).catch(() => []),
    api(`api/cpts/search?q=${encodeURIComponent(q)}&limit=5`).catch(() => []),
  ]);
  // Communes first, in the server's order; CPTS after, unless no commune matches.
  return [...communes.map((c) => ({ kind: 'commune', ...c })), ...cpts];
}

function start(q) {
  const run = search(q).then((found) => {
    if (pending !== run) return found;
    hits = found;
    active = hits.length ? 0 : -1;
    show(q);
    return found;
  });
  pending = run;
  pendingQuery = q;
  return run;
}

export function wireSearch({ openCommune }) {
  const choose = async (i) => {
    const h = hits[i];
    if (!h) return;
    input.value = h.name;
    close();
    if (h.kind === 'cpts') update({ area: { level: 'cpts', code: h.id, name: h.name }, commune: null }, { fit: true });
    else await openCommune(h.code);
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    // Debounced; Enter does not wait for the debounce, it starts the search at once.
    timer = setTimeout(() => start(q), 150);
  });
  input.addEventListener('keydown', async (e) => {
    if (e.key === 'ArrowDown') { active = Math.min(active + 1, hits.length - 1); show(input.value.trim()); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { active = Math.max(active - 1, 0); show(input.value.trim()); e.preventDefault(); }
    else if (e.key === 'Escape') close();
    else if (e.key === 'Enter') {
      e.preventDefault();
      const q = input.value.trim();
      if (q.length < 1) return;
      if (timer) { clearTimeout(timer); timer = null; }
      // The hits of the text typed, not of an earlier prefix.
      await (pending && pendingQuery === q ? pending : start(q));
      if (hits.length) await choose(active >= 0 ? active : 0);
    }
  });
  list.addEventListener('click', (e) => { const li = e.target.closest('li[data-i]'); if (li) choose(Number(li.dataset.i)); });
  document.addEventListener('click', (e) => { if (!e.target.closest('.search')) { hits = []; active = -1; list.hidden = true; input.setAttribute('aria-expanded', 'false'); } });
}
