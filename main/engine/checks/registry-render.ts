/**
 * What is generated from the registry: the contract's catalog of checks (shared/check-catalog.ts,
 * read by the renderer, reports and CLI without loading the engine) and the table of checks in
 * docs/checks.md. test/unit/check-registry.test.ts compares both with the files and rewrites them
 * with UPDATE_CHECKS=1.
 */
import type { CheckMeta } from './check-module.js';

/** Where the docs table sits in docs/checks.md. */
export const DOCS_BEGIN = '<!-- checks table: generated from main/engine/checks/registry.ts; UPDATE_CHECKS=1 npx vitest run --project unit test/unit/check-registry.test.ts -->';
export const DOCS_END = '<!-- end of checks table -->';

/** The source of shared/check-catalog.ts. */
export function renderContractSource(checks: readonly CheckMeta[]): string {
  // Single quotes, or double where the text has a single quote and no double one (as eslint prefers).
  const str = (s: string) => (s.includes("'") && !s.includes('"') ? `"${s.replace(/\\/g, '\\\\')}"` : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  const lines = [
    '/**',
    ' * Generated from main/engine/checks/registry.ts (one module per check in main/engine/checks/defs/):',
    ' * do not edit. Regenerate: UPDATE_CHECKS=1 npx vitest run --project unit test/unit/check-registry.test.ts',
    ' */',
    '',
    '/** Every check id, in report order. */',
    'export const CHECK_IDS = [',
    ...checks.map((c) => `  ${str(c.id)},`),
    '] as const;',
    '',
    '/** Each check\'s contract entry: severity, kind, title, why. */',
    'export const CHECK_CATALOG = {',
    ...checks.flatMap((c) => [
      `  ${str(c.id)}: {`,
      `    id: ${str(c.id)}, severity: ${str(c.severity)}, kind: ${str(c.kind)}, title: ${str(c.title)},`,
      `    why: ${str(c.why)},`,
      '  },',
    ]),
    '} as const;',
    '',
  ];
  return lines.join('\n');
}

/** The markdown table of checks (between the markers) for docs/checks.md. */
export function renderDocsTable(checks: readonly CheckMeta[]): string {
  return [
    DOCS_BEGIN,
    '| id | severity | finds |',
    '|---|---|---|',
    ...checks.map((c) => `| \`${c.id}\` | ${c.severity} | ${c.finds} |`),
    DOCS_END,
  ].join('\n');
}

/** docs/checks.md with its table replaced by `table`; null when the markers are missing. */
export function withDocsTable(doc: string, table: string): string | null {
  const a = doc.indexOf(DOCS_BEGIN);
  const b = doc.indexOf(DOCS_END);
  if (a < 0 || b < a) return null;
  return doc.slice(0, a) + table + doc.slice(b + DOCS_END.length);
}
