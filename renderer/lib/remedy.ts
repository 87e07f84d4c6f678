/** What a remedy's own comments say a person must know before running it. */

/** The sentence after `WARNING:` in a remedy's comment line (the orphan reassignment's), or null. */
export function remedyWarning(remedy: string | null | undefined): string | null {
  const line = (remedy ?? '').split('\n').find((l) => l.startsWith('--') && l.includes('WARNING: '));
  return line ? line.slice(line.indexOf('WARNING: ') + 'WARNING: '.length).trim() : null;
}

/** The remedy's first comment line when it is the recommended one ("-- 1. Quarantine (recommended): ..."), or null. */
export function recommendedRemedy(remedy: string | null | undefined): string | null {
  const first = (remedy ?? '').split('\n')[0] ?? '';
  const m = /^-- 1\. (.+?) \(recommended\): (.+)$/.exec(first);
  return m ? `${m[1]}: ${m[2]}` : null;
}
