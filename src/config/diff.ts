/**
 * Dotted paths of the keys whose values differ between two configs (`server.port`, `drivers.replay.fps`),
 * descending into objects up to `depth` levels; arrays and deeper objects are compared whole.
 */
export function changedKeys(a: unknown, b: unknown, depth = 3, prefix = ''): string[] {
  if (sameValue(a, b)) return [];
  if (depth === 0 || !isPlainObject(a) || !isPlainObject(b)) return [prefix || '(root)'];
  const out: string[] = [];
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    out.push(...changedKeys(a[k], b[k], depth - 1, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}

/** Deep equality of JSON-like values (what a parsed config holds). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameValue(a[k], b[k]));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
