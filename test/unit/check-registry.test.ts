/**
 * The registry of checks is the one source: the contract (shared/check-catalog.ts) and the table
 * in docs/checks.md are generated from it and must be current; every module is named by its id.
 * UPDATE_CHECKS=1 rewrites both files from the registry.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS, CHECKS } from '../../shared/checks.js';
import { REGISTRY } from '../../main/engine/checks/registry.js';
import { renderContractSource, renderDocsTable, withDocsTable } from '../../main/engine/checks/registry-render.js';

const root = join(import.meta.dirname, '..', '..');
const contractPath = join(root, 'shared', 'check-catalog.ts');
const docsPath = join(root, 'docs', 'checks.md');
const update = process.env.UPDATE_CHECKS === '1';

describe('check registry', () => {
  it('generates shared/check-catalog.ts as it is on disk', () => {
    const want = renderContractSource(REGISTRY);
    if (update) writeFileSync(contractPath, want);
    expect(readFileSync(contractPath, 'utf8'), 'shared/check-catalog.ts is stale: UPDATE_CHECKS=1 npx vitest run --project unit test/unit/check-registry.test.ts').toBe(want);
  });

  it('generates the table of docs/checks.md as it is on disk', () => {
    const doc = readFileSync(docsPath, 'utf8');
    const want = withDocsTable(doc, renderDocsTable(REGISTRY));
    expect(want, 'docs/checks.md lost its checks-table markers').not.toBeNull();
    if (update) writeFileSync(docsPath, want!);
    expect(readFileSync(docsPath, 'utf8'), 'the table in docs/checks.md is stale: UPDATE_CHECKS=1 npx vitest run --project unit test/unit/check-registry.test.ts').toBe(want);
  });

  it('the contract the renderer reads is the registry, in report order', () => {
    expect([...CHECK_IDS]).toEqual(REGISTRY.map((c) => c.id));
    for (const c of REGISTRY) {
      expect(CHECKS[c.id]).toEqual({ id: c.id, severity: c.severity, kind: c.kind, title: c.title, why: c.why });
    }
  });

  it('has one module per check in defs/, named by its id, and no module left out', () => {
    const files = readdirSync(join(root, 'main', 'engine', 'checks', 'defs')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
    expect(files).toEqual(REGISTRY.map((c) => c.id).sort());
    expect(new Set(REGISTRY.map((c) => c.id)).size).toBe(REGISTRY.length);
    for (const c of REGISTRY) {
      const src = readFileSync(join(root, 'main', 'engine', 'checks', 'defs', `${c.id}.ts`), 'utf8');
      expect(src, `defs/${c.id}.ts defines ${c.id}`).toContain(`id: '${c.id}'`);
    }
  });

  it('says what each check needs, and the kind agrees with it', () => {
    const kindOf = { model: 'catalog', 'rls-catalog': 'catalog', 'table-scan': 'rows', 'fk-scan': 'rows', probe: 'probe' } as const;
    for (const c of REGISTRY) expect(`${c.id}: ${c.kind}`).toBe(`${c.id}: ${kindOf[c.needs]}`);
  });
});
