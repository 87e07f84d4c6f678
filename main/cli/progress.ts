/**
 * Progress on stderr: a live line on a TTY, a line per table otherwise (logs, CI).
 */
import type { ProgressEvent } from '../../shared/findings.js';
import { inert, writeRaw } from './inert-output.js';

/** A progress callback writing to stderr, and a function to finish the live line. */
export function stderrProgress(verb = 'scanning'): { onProgress: (e: ProgressEvent) => void; finish: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  let live = false;
  return {
    onProgress(e) {
      if (e.phase === 'done' || e.phase === 'model') return;
      const what = `${e.schema}.${e.table}${e.constraint ? ` (${e.constraint})` : ''}`;
      const label = e.phase === 'foreign-key' ? 'joining' : e.phase === 'probe' ? 'probing' : verb;
      const line = `[${e.done + 1}/${e.total}] ${label} ${what}`;
      if (tty) {
        writeRaw(process.stderr, `\r\x1b[K${inert(line)}`);
        live = true;
      } else {
        process.stderr.write(`${line}\n`);
      }
    },
    finish() {
      if (live) writeRaw(process.stderr, '\r\x1b[K');
      live = false;
    },
  };
}
