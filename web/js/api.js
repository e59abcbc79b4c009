// The JSON API of `cptsmap serve`, with a bounded cache of parsed answers
// (layers of the views already seen, summaries) so that going back and forth
// on the map does not download anything twice, and memory stays bounded.

const MAX_ENTRIES = 48;
const cache = new Map();

export class ApiError extends Error {
  constructor(status, body) {
    super(body.detail || `erreur ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** GET a JSON answer; cached answers are moved to the most recent end. */
export async function api(path, { cached = true } = {}) {
  if (cached && cache.has(path)) {
    const hit = cache.get(path);
    cache.delete(path);
    cache.set(path, hit);
    return hit;
  }
  const promise = fetch(path).then(async (r) => {
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new ApiError(r.status, body);
    return body;
  });
  if (cached) {
    cache.set(path, promise);
    promise.catch(() => cache.delete(path));
    while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value);
  }
  return promise;
}

export const cacheSize = () => cache.size;

/** Query string of an area: `departement=26`, `region=84`… (empty for France). */
export function areaQuery(area) {
  return area.level === 'france' ? '' : `${area.level}=${encodeURIComponent(area.code)}`;
}
