/**
 * The per-section digest map a report carries: sha256 of every top-level section, of every
 * second-level key, and of every element of a second-level array (each finding, each table's
 * facts, each distribution row). When the body digest fails, comparing this signed map with the
 * recomputed one names exactly which parts changed.
 */
import { canonicalDigest } from './canonical.js';

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

function entries(value: unknown): [string | number, unknown][] {
  if (Array.isArray(value)) return value.map((v, i) => [i, v]);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  }
  return [];
}

/** Section path -> sha256 of its canonical JSON, for a report body. */
export function sectionDigests(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k1, v1] of entries(body)) {
    const p1 = child('', k1);
    out[p1] = canonicalDigest(v1);
    for (const [k2, v2] of entries(v1)) {
      const p2 = child(p1, k2);
      out[p2] = canonicalDigest(v2);
      if (Array.isArray(v2)) {
        v2.forEach((v3, i) => {
          out[child(p2, i)] = canonicalDigest(v3 ?? null);
        });
      }
    }
  }
  return out;
}

/** A difference between the signed section map and the recomputed one. */
export interface SectionChange {
  path: string;
  change: 'changed' | 'added' | 'removed';
}

/** Sections that differ, deepest only (a changed finding is named, not also its array and section). */
export function compareSections(signed: Record<string, string>, now: Record<string, string>): SectionChange[] {
  const changes: SectionChange[] = [];
  for (const [p, d] of Object.entries(signed)) {
    if (!(p in now)) changes.push({ path: p, change: 'removed' });
    else if (now[p] !== d) changes.push({ path: p, change: 'changed' });
  }
  for (const p of Object.keys(now)) if (!(p in signed)) changes.push({ path: p, change: 'added' });
  const isAncestor = (a: string, b: string) => b !== a && (b.startsWith(`${a}.`) || b.startsWith(`${a}[`));
  return changes
    .filter((c) => c.change !== 'changed' || !changes.some((o) => isAncestor(c.path, o.path)))
    .sort((a, b) => a.path.localeCompare(b.path));
}
