/** Formatting for backups: sizes and times as people read them. */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 8192 -> "8.0 kB". */
export function formatBytes(n: number): string {
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[i]}`;
}

/** An ISO time as "2024-11-23 14:05:09 UTC" (UTC: the same on every operator's machine). */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
