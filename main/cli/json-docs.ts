/**
 * The published JSON contract of the CLI, generated from the zod schemas of shared/cli-output.ts:
 * docs/cli-json.schema.json (one JSON Schema, every command a property, shared parts in $defs)
 * and docs/cli-json.md (each command's top-level fields). test/unit/cli-json-docs.test.ts fails
 * when either file is stale (`UPDATE_DOCS=1 npx vitest run --project unit test/unit/cli-json-docs.test.ts`
 * rewrites them).
 */
import { z } from 'zod';
import { CLI_OUTPUT, CliFailureSchema } from '../../shared/cli-output.js';

/** The JSON Schema of every command's output: properties `failure` and `tenancy <command>`. */
export function cliJsonSchema(): unknown {
  const shape: Record<string, z.ZodType> = { failure: CliFailureSchema };
  for (const [command, schema] of Object.entries(CLI_OUTPUT)) shape[`tenancy ${command}`] = schema;
  const schema = z.toJSONSchema(z.object(shape), { io: 'output', unrepresentable: 'any', reused: 'ref' }) as Record<string, unknown>;
  delete schema.required;
  return {
    ...schema,
    title: 'tenancy --format json',
    description: 'What each tenancy command prints on stdout with --format json (generated from shared/cli-output.ts).',
  };
}

function topFields(schema: z.ZodType): string {
  const def = schema as unknown as { shape?: Record<string, unknown>; options?: z.ZodType[] };
  if (def.options) return def.options.map(topFields).join(' <br>or ');
  return def.shape ? Object.keys(def.shape).map((k) => `\`${k}\``).join(', ') : '(see the schema)';
}

/** The whole of docs/cli-json.md. */
export function renderCliJsonDocs(): string {
  const out: string[] = [
    '# The CLI\'s JSON contract',
    '',
    '<!-- Generated from shared/cli-output.ts by main/cli/json-docs.ts; do not edit by hand. -->',
    '',
    'Every command with `--format json` prints exactly one JSON object on stdout. A success is',
    '`{"ok": true, ...}` with the IPC response of the same action: an object\'s fields at the top level,',
    'a list under a plural name (`{"ok": true, "profiles": [...]}`), and a verification, whose own `ok`',
    'says whether it held, under `verification`. A failure, whatever the command, is',
    '`{"ok": false, "error": {"code", "message", "field"}}` with exit code 2 (130 when cancelled);',
    '`field` names the option to fix (`--samples`) or is null. Progress and notes go to stderr.',
    '',
    'Exit codes, the same for every command: 0 done / clean; 1 findings or a verification that failed',
    '(the JSON is still a success object: the command ran and says what it found); 2 usage, connection,',
    'permission or integrity error; 130 cancelled with Ctrl-C.',
    '',
    'The full JSON Schema is [cli-json.schema.json](cli-json.schema.json): one property per command',
    '(`"tenancy backup list"`), shared parts under `$defs`. `tenancy serve` prints text only (it stays up).',
    '',
    '| command | top-level fields of a success |',
    '| --- | --- |',
    `| (every failure) | ${topFields(CliFailureSchema)} |`,
  ];
  for (const [command, schema] of Object.entries(CLI_OUTPUT)) out.push(`| \`tenancy ${command}\` | ${topFields(schema)} |`);
  return `${out.join('\n')}\n`;
}

/** The whole of docs/cli-json.schema.json. */
export function renderCliJsonSchemaFile(): string {
  return `${JSON.stringify(cliJsonSchema(), null, 2)}\n`;
}
