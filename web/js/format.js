// Formatting and the stage palette, shared by the map, the panel and the legend.

// An ordered, colour-blind-safe sequential palette (ColorBrewer YlGnBu):
// the further a stage, the darker its colour, so the order survives greyscale
// printing and deuteranopia/protanopia (lightness alone tells the stages apart).
export const STAGES = {
  pre_projet: { label: 'Pré-projet', color: '#a1dab4' },
  lettre_intention: { label: "Lettre d'intention validée", color: '#41b6c4' },
  projet_sante_valide: { label: 'Projet de santé validé', color: '#2c7fb8' },
  aci_signe: { label: 'ACI signé', color: '#253494' },
};
/** Least to most advanced. */
export const ORDER = ['pre_projet', 'lettre_intention', 'projet_sante_valide', 'aci_signe'];
export const ZONE_COLOR = '#b42318';
export const OVERLAP_COLOR = '#7a0177';

const int = new Intl.NumberFormat('fr-FR');
const dec = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
export const fmt = (n) => int.format(n);
export const pct = (p) => `${dec.format(p)}\u00a0%`;
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
export const $ = (sel, root = document) => root.querySelector(sel);

/** « 22 novembre 2026 » from `2026-11-22`. */
export function longDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** « ≥ projet de santé validé » / « ACI signé » / « tout stade »: what a figure counts. */
export function stagePhrase(key) {
  if (key === 'aci_signe') return 'ACI signé';
  if (key === 'pre_projet') return 'tout stade';
  return `≥ ${STAGES[key].label.toLowerCase()}`;
}

export function swatch(key) {
  return `<span class="swatch" style="background:${STAGES[key].color}" aria-hidden="true"></span>`;
}

/** ACI funding class of a territory by population (taille 1–4). */
export const SIZE_LABELS = { 1: '< 40 000 hab.', 2: '40 000–80 000 hab.', 3: '80 000–175 000 hab.', 4: '> 175 000 hab.' };
