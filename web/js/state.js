// The one state of the page — stage, area, selected commune — and the
// permalink that carries it. The map, every figure, the table and the
// downloads read it; nothing else decides what is shown.

const listeners = [];

export const state = {
  stage: 'pre_projet',
  /** { level: 'france' | 'region' | 'departement' | 'epci' | 'cpts', code, name } */
  area: { level: 'france', code: null, name: 'France' },
  /** INSEE code of the selected commune, or null. */
  commune: null,
  /** The draft of « Préparer un projet »: { name, codes } (unit codes, sorted), or null. */
  plan: null,
  /** Whether the « Préparer un projet » mode is open. */
  planning: false,
};

/** Longest list of codes a permalink carries (longer drafts stay in the browser's storage). */
const PLAN_IN_LINK = 1800;

export const FRANCE = { level: 'france', code: null, name: 'France' };

/** Changes the state and tells every view; `why` says what changed (`stage`, `area`, `commune`, `plan`, `planning`). */
export function update(patch, options = {}) {
  const why = Object.keys(patch).filter((k) => JSON.stringify(state[k]) !== JSON.stringify(patch[k]));
  Object.assign(state, patch);
  for (const f of listeners) f(why, options);
}

export function subscribe(f) {
  listeners.push(f);
}

const HASH_KEYS = { region: 'region', departement: 'dep', epci: 'epci', cpts: 'cpts' };

/** `#stage=aci_signe&dep=26&z=8&lat=…&lon=…` (and `plan=26113.26108&plan_name=…` while planning) */
export function writeHash(view) {
  const p = new URLSearchParams();
  if (view) {
    p.set('z', view.zoom.toFixed(1));
    p.set('lat', view.lat.toFixed(4));
    p.set('lon', view.lon.toFixed(4));
  }
  if (state.stage !== 'pre_projet') p.set('stage', state.stage);
  if (state.area.level !== 'france') p.set(HASH_KEYS[state.area.level], state.area.code);
  if (state.commune) p.set('commune', state.commune);
  const codes = state.planning && state.plan?.codes.length ? state.plan.codes.join('.') : '';
  if (codes && codes.length <= PLAN_IN_LINK) {
    p.set('plan', codes);
    if (state.plan.name) p.set('plan_name', state.plan.name);
  }
  const hash = '#' + p.toString();
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

export function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const out = { stage: p.get('stage'), area: null, commune: p.get('commune'), view: null, plan: null };
  if (p.get('plan')) out.plan = { codes: p.get('plan').split('.').filter(Boolean), name: p.get('plan_name') || '' };
  for (const [level, key] of Object.entries(HASH_KEYS)) {
    if (p.get(key)) out.area = { level, code: p.get(key) };
  }
  if (p.has('lat') && p.has('lon') && p.has('z')) {
    const view = { lat: Number(p.get('lat')), lon: Number(p.get('lon')), zoom: Number(p.get('z')) };
    if ([view.lat, view.lon, view.zoom].every(Number.isFinite)) out.view = view;
  }
  return out;
}
