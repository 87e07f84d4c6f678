/**
 * The published JSON contract is the one in the code: docs/cli-json.md and docs/cli-json.schema.json
 * are what main/cli/json-docs.ts generates from shared/cli-output.ts. UPDATE_DOCS=1 rewrites them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCliJsonDocs, renderCliJsonSchemaFile } from '../../main/cli/json-docs.js';

const docs = path.resolve(import.meta.dirname, '..', '..', 'docs');
const files: [string, () => string][] = [['cli-json.md', renderCliJsonDocs], ['cli-json.schema.json', renderCliJsonSchemaFile]];

describe('docs of the CLI JSON contract', () => {
  it.each(files)('docs/%s is current (regenerate with UPDATE_DOCS=1)', (name, render) => {
    const file = path.join(docs, name);
    const want = render();
    if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(file, want);
    expect(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)').toBe(want);
  });

  it('the schema file names every command and the failure shape with its field', () => {
    const schema = JSON.parse(renderCliJsonSchemaFile()) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['failure', 'tenancy check', 'tenancy profile list', 'tenancy backup drop']));
    expect(JSON.stringify(schema.properties.failure)).toContain('"field"');
  });
});
