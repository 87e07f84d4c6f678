/** A step whose expectation was not met, carrying the evidence of what was found. */
import type { Evidence } from '../../../shared/runbook.js';

/** A step whose expectation was not met: the evidence says what was found. */
export class StepFailure extends Error {
  constructor(message: string, readonly evidence: Evidence) {
    super(message);
    this.name = 'StepFailure';
  }
}
