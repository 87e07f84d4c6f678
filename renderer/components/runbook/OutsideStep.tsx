/**
 * Steps that act outside the database (command, http, notify, rehearsal): what they run or ask,
 * shown before they run, and for a command the exact CLI line instead of a Run button (a program
 * never starts from the console's window: browser mode must never execute programs).
 */
import type { RunbookStep } from '../../../shared/runbook.js';
import { commandCliLine, isOutsideStep, outsideTarget } from '../../../shared/runbook-checklist.js';
import { CodeBlock } from '../CodeBlock.js';

/** What an outside step runs or asks (argv, request, webhook, the runs it looks for). */
export function OutsideTarget({ def }: { def: RunbookStep }) {
  if (!isOutsideStep(def)) return null;
  const t = outsideTarget(def);
  return (
    <p className="small-text outside-target" data-testid="outside-target" data-kind={def.kind}>
      <span className="muted">{t.label}:</span> <code className="mono">{t.text}</code>
    </p>
  );
}

/** A command step's way to run: the CLI line, to copy into a terminal. */
export function CommandCliLine({ file, run, step, profile }: { file: string; run: string; step: string; profile: string }) {
  return (
    <div className="command-cli" data-testid="command-cli-line">
      <p className="small-text">A command never runs from the console&apos;s window. Run it from a terminal (the CLI prints the argv before the program starts):</p>
      <CodeBlock label="CLI line" code={commandCliLine(file, run, step, profile)} />
    </div>
  );
}
