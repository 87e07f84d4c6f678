/**
 * `tenancy backfill`: fill a tenant column in primary-key batches, with progress on stderr.
 */
import type { Command } from 'commander';
import type { BackfillProgress, BackfillResult, BackfillSource } from '../../../shared/backfill.js';
import { resumeBackfill, startBackfill } from '../../engine/backfill/run.js';
import { listBackfills } from '../../engine/backfill/state.js';
import { UserError } from '../../engine/errors.js';
import { addConnectionOptions, withSession, type TargetOptions } from '../common.js';
import { exitState } from '../exit.js';
import { printOk, renderTable } from '../format.js';
import { addPacingOptions, addWriteOptions, deprecatedAlias, optionalWhole, parseFraction, parseRatioAboveOne, parseWhole, requireWrite } from '../options.js';

interface BackfillCliOptions extends TargetOptions {
  table?: string;
  value?: string;
  map?: string;
  mapKey?: string;
  default?: string;
  fromParent?: string;
  batchSize: string;
  throttleMs: string;
  batchMs?: string;
  maxBatch?: string;
  duty?: string;
  lockTimeoutMs?: string;
  maxBatchSize?: string;
  maxLatencyRatio?: string;
  nice?: string;
  resume?: string;
  list?: boolean;
  write?: boolean;
  confirmDb?: string;
}

/** The source the options describe: exactly one of --value, --map, --from-parent. */
export function sourceFromOptions(o: Pick<BackfillCliOptions, 'value' | 'map' | 'mapKey' | 'default' | 'fromParent'>): BackfillSource {
  const given = [o.value !== undefined, o.map !== undefined, o.fromParent !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UserError('give exactly one source: --value V, --map TABLE:FROMCOL:TOCOL or --from-parent FK_NAME', 'usage');
  if (o.value !== undefined) {
    if (o.default !== undefined) throw new UserError('--default goes with --map or --from-parent, not --value', 'usage');
    return { kind: 'constant', value: o.value };
  }
  if (o.map !== undefined) {
    const i = o.map.lastIndexOf(':');
    const j = o.map.lastIndexOf(':', i - 1);
    if (i <= 0 || j <= 0) throw new UserError(`--map "${o.map}": write TABLE:FROMCOL:TOCOL, e.g. legacy_credential_org_map:legacy_key:org_id`, 'usage');
    return {
      kind: 'map', table: o.map.slice(0, j), fromColumn: o.map.slice(j + 1, i), toColumn: o.map.slice(i + 1),
      ...(o.mapKey ? { keyColumn: o.mapKey } : {}), default: o.default ?? null,
    };
  }
  return { kind: 'parent', foreignKey: o.fromParent!, default: o.default ?? null };
}

/** One progress line. */
export function formatProgress(e: BackfillProgress): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const eta = e.etaSeconds === null ? '?' : `${e.etaSeconds}s`;
  switch (e.phase) {
    case 'counting':
      return `backfill ${e.id}: ${n(e.done)} done so far, ${e.remainingEstimated ? `about ${n(e.remaining)} NULL rows to visit (estimated from the planner's statistics; the count at the end is exact)` : `${n(e.remaining)} NULL rows to visit`}${e.lastKey ? ` after key ${e.lastKey.join('/')}` : ''}${e.message ? `; ${e.message}` : ''}`;
    case 'batch':
      return `backfill ${e.id}: batch ${e.batch} committed, key ${e.lastKey?.join('/') ?? '-'}: ${n(e.done)} done, ${e.remainingEstimated ? 'about ' : ''}${n(e.remaining)} remaining, ${n(e.rate)} rows/s, ETA ${eta}${e.unresolved ? `, ${e.unresolved} unresolved` : ''}`;
    case 'retry':
      return `backfill ${e.id}: ${e.message ?? 'retrying'}`;
    default:
      return `backfill ${e.id}: ${e.phase}`;
  }
}

/** A result, for humans. */
export function formatBackfillResult(r: BackfillResult, source?: BackfillSource): string {
  const lines = [`backfill ${r.id} ${r.status}: ${r.rowsDone.toLocaleString('en-US')} rows filled in ${r.batches} batches (${r.durationMs} ms this run, ${r.rate.toLocaleString('en-US')} rows/s)`];
  if (r.nullsLeft > 0 && source?.kind === 'constant') {
    // A constant always has a value: these rows were written with NULL behind the cursor while it ran.
    lines.push(`  ${r.nullsLeft} rows still NULL: written with NULL behind the backfill's cursor while it ran (the application still inserts without a tenant); run the same backfill again, and stop those writes (contract --step defaults,not-null)`);
  } else if (r.nullsLeft > 0) {
    lines.push(`  ${r.nullsLeft} rows still NULL: the source has no value for them, or they were written with NULL behind the cursor while it ran (give --default, or run it again)`);
  }
  return lines.join('\n');
}

/** Register `tenancy backfill`. */
export function registerBackfill(program: Command): void {
  const cmd = program.command('backfill').description('fill a tenant column in primary-key batches: commit per batch, throttled, resumable');
  addConnectionOptions(cmd)
    .option('--table <schema.table>', 'table to fill')
    .option('--tenant-column <name>', 'column to fill (the tenant column)')
    .option('--value <v>', 'source: this constant (the default org id)')
    .option('--map <table:fromcol:tocol>', 'source: a mapping table, e.g. legacy_credential_org_map:legacy_key:org_id')
    .option('--map-key <column>', 'with --map: the column of --table matched against FROMCOL (default: same name, else the primary key)')
    .option('--from-parent <fk>', 'source: the parent row\'s value through this foreign key')
    .option('--default <v>', 'with --map or --from-parent: value for rows with no mapping or parent value')
    .option('--max-batch-size <n>', 'the most keys a batch may take (default: no limit but --batch-ms)')
    .option('--max-latency-ratio <x>', 'how much slower one-row reads may get during batches than at rest before the backfill rests more (default 1.3)')
    .option('--nice <0-19>', 'lower the CPU priority of the backfill\'s server process while it runs, so the application\'s queries get the CPU first (Linux, the server on this host, as its OS user or root; otherwise says why and runs without)')
    .option('--resume <id>', 'resume this backfill from its last committed batch')
    .option('--list', 'list the backfills recorded in this database');
  addPacingOptions(cmd, { batchSize: '1000', batchMs: true, duty: true, throttleMs: '0', lockTimeoutMs: true });
  addWriteOptions(cmd, 'a backfill writes');
  deprecatedAlias(cmd, '--column <name>', '--tenant-column');
  deprecatedAlias(cmd, '--confirm <db>', '--confirm-db');
  cmd.action(async (o: BackfillCliOptions) => {
      if (o.list) {
        await withSession(o, async (session) => {
          const all = await listBackfills(session);
          if (o.format === 'json') return printOk({ backfills: all });
          process.stdout.write(`${renderTable(['id', 'table', 'column', 'status', 'rows', 'batches', 'last key', 'updated'],
            all.map((b) => [b.id, `${b.schema}.${b.table}`, b.column, b.status, String(b.rowsDone), String(b.batches), b.lastKey?.join('/') ?? '-', b.updatedAt]))}\n`);
        });
        return;
      }
      requireWrite(o, 'a backfill');
      const opts = {
        batchSize: parseWhole(o.batchSize, '--batch-size', { min: 1 }), throttleMs: parseWhole(o.throttleMs, '--throttle-ms'),
        ...(o.batchMs !== undefined ? { targetBatchMs: parseWhole(o.batchMs, '--batch-ms') } : {}),
        ...(o.duty !== undefined ? { dutyCycle: parseFraction(o.duty, '--duty') } : {}),
        lockTimeoutMs: optionalWhole(o.lockTimeoutMs, '--lock-timeout-ms'),
        ...(o.maxBatchSize !== undefined ? { maxBatchSize: parseWhole(o.maxBatchSize, '--max-batch-size', { min: 1 }) } : {}),
        ...(o.maxLatencyRatio !== undefined ? { maxLatencyRatio: parseRatioAboveOne(o.maxLatencyRatio, '--max-latency-ratio') } : {}),
        ...(o.nice !== undefined ? { nice: parseWhole(o.nice, '--nice', { max: 19 }) } : {}),
        onProgress: (e: BackfillProgress) => process.stderr.write(`${formatProgress(e)}\n`),
      };
      let source: BackfillSource | undefined;
      if (!o.resume) {
        if (!o.table || !o.tenantColumn) throw new UserError('give --table and --tenant-column (or --resume ID)', 'usage', o.table ? '--tenant-column' : '--table');
        source = sourceFromOptions(o);
      }
      await withSession(o, async (session, _target, signal) => {
        await session.enableWrite(o.confirmDb);
        const r = o.resume
          ? await resumeBackfill(session, o.resume, { ...opts, signal })
          : await startBackfill(session, { table: o.table!, column: o.tenantColumn!, source: source! }, { ...opts, signal });
        if (r.nullsLeft > 0) exitState.code = 1;
        if (o.format === 'json') printOk(r);
        else process.stdout.write(`${formatBackfillResult(r, source)}\n`);
      });
    });
}
