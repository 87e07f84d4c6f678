/**
 * `tenancy runbook export RUN`: the journal, every signed head and the public key in one file, so
 * an auditor can verify the run elsewhere (`verify --expect-key` with the key id the issuer publishes).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JournalLine } from '../../../shared/runbook.js';
import { JournalLineSchema } from '../../../shared/runbook.js';
import { readSignatures, verifySignedJournal, type SignedHead, type SignedVerification } from './head.js';
import { checkRunId, runsDir } from './journal.js';
import { UserError } from '../errors.js';

/** What an export holds. */
export interface RunExport {
  run: string;
  keyId: string | null;
  /** The signing public key, SPKI DER base64. */
  publicKey: string | null;
  journal: JournalLine[];
  signatures: SignedHead[];
  verification: SignedVerification;
  exportedAt: string;
}

/** The export of run `run` (written even when it does not verify: the verification says so). */
export function exportRun(run: string, base = runsDir()): RunExport {
  const dir = path.join(base, checkRunId(run));
  const file = path.join(dir, 'journal.jsonl');
  if (!fs.existsSync(file)) throw new UserError(`no run ${run}; see tenancy runbook list`, 'usage');
  const signatures = readSignatures(dir);
  const journal = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).flatMap((l) => {
    try {
      return [JournalLineSchema.parse(JSON.parse(l))];
    } catch {
      return [];
    }
  });
  return {
    run, keyId: signatures[0]?.keyId ?? null, publicKey: signatures[0]?.publicKey ?? null, journal, signatures,
    verification: verifySignedJournal(dir, { run }), exportedAt: new Date().toISOString(),
  };
}
