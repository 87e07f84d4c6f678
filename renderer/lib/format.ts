/** Number and name formatting shared by the pages. */

const nf = new Intl.NumberFormat('en-US');

/** 12,345 */
export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : nf.format(n);
}

/** "12.3 %" of part in whole; "–" when whole is 0. */
export function percent(part: number, whole: number): string {
  if (!whole) return '–';
  const p = (part / whole) * 100;
  return `${p < 0.1 && p > 0 ? '<0.1' : p.toFixed(1)} %`;
}

/** schema.table as shown to people (public. omitted). */
export function tableLabel(t: { schema: string; table: string }): string {
  return t.schema === 'public' ? t.table : `${t.schema}.${t.table}`;
}

/** A stable key for a table. */
export function tableKey(t: { schema: string; table: string }): string {
  return JSON.stringify([t.schema, t.table]);
}
