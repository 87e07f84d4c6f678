/**
 * Audit log cost: the same statements through a session with an in-memory sink and with the
 * hash-chained JSONL log, side by side; plus raw appends per second and chain verification speed.
 * `npm run bench -- audit [statements]` (needs TEST_DATABASE_URL or starts an embedded server).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryAuditSink, type AuditSink } from '../../main/engine/audit-sink.js';
import { AuditLog } from '../../main/engine/audit/log.js';
import { verifyAuditLog } from '../../main/engine/audit/verify.js';
import { startEmbeddedPostgres } from '../../main/engine/pg/embedded.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';

async function timeStatements(url: string, audit: AuditSink, n: number): Promise<number> {
  const { profile, urlPassword } = profileFromUrl(url);
  const s = await Session.open(profile, { password: urlPassword, audit });
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) await s.query('SELECT $1::int + 1 AS x', [i]);
  const ms = performance.now() - t0;
  await s.close();
  return ms;
}

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 5000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
  let stop: (() => Promise<void>) | undefined;
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const pg = await startEmbeddedPostgres({ fast: true });
    url = pg.adminUrl;
    stop = pg.stop;
  }
  try {
    await timeStatements(url, new MemoryAuditSink(), 200); // warm up
    const mem = await timeStatements(url, new MemoryAuditSink(), n);
    const log = await timeStatements(url, new AuditLog({ dir: path.join(tmp, 'audit') }), n);
    console.log(`${n} statements: memory sink ${mem.toFixed(0)} ms, JSONL hash-chained log ${log.toFixed(0)} ms, ratio ${(log / mem).toFixed(2)}x (${(((log - mem) / n) * 1000).toFixed(1)} µs per statement)`);

    const raw = new AuditLog({ dir: path.join(tmp, 'raw'), maxBytes: 1024 * 1024 });
    const entry = { time: new Date().toISOString(), profile: 'p', operator: 'o', database: 'd', sql: 'SELECT 1', params: [1], durationMs: 0.1, rows: 1, error: null };
    const t0 = performance.now();
    for (let i = 0; i < n; i += 1) raw.record(entry);
    const appendMs = performance.now() - t0;
    const t1 = performance.now();
    const v = verifyAuditLog(path.join(tmp, 'raw'));
    const verifyMs = performance.now() - t1;
    console.log(`raw appends: ${Math.round(n / (appendMs / 1000))}/s; verify: ${v.entries} entries in ${v.files} files in ${verifyMs.toFixed(0)} ms (${Math.round(v.entries / (verifyMs / 1000))}/s), ok=${v.ok}`);
  } finally {
    await stop?.();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
