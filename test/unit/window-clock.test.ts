/** The window view's wording: durations, elapsed against expected (and over it), which step is current. */
import { describe, expect, it } from 'vitest';
import { duration, elapsedText } from '../../shared/window-clock.js';

describe('duration', () => {
  it.each([
    [0, '0 s'], [12_400, '12 s'], [65_000, '1 min 05 s'], [3_600_000 + 120_000, '1 h 02 min'], [-5, '0 s'],
  ])('%d ms reads "%s"', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});

describe('elapsedText', () => {
  it('says there is no expectation, and how to give one', () => {
    expect(elapsedText(5000, undefined)).toEqual({ text: expect.stringContaining('5 s elapsed · no expected time (give the step expectedMinutes'), over: false, share: null });
  });

  it('measures against the runbook\'s expected time', () => {
    expect(elapsedText(30_000, { durationMs: 120_000, source: 'runbook' })).toEqual({ text: '30 s elapsed of 2 min 00 s expected (from the runbook)', over: false, share: 0.25 });
  });

  it('says by how much a step runs over the last run\'s time', () => {
    const e = elapsedText(150_000, { durationMs: 60_000, source: { run: 'run_20260101_000000_abcdef', startedAt: '2026-01-01T00:00:00Z' } });
    expect(e.over).toBe(true);
    expect(e.text).toBe('2 min 30 s elapsed of 1 min 00 s expected (from the run of 2026-01-01) · 1 min 30 s over');
  });
});
