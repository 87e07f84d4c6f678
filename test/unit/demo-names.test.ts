/** Demo profile names: scenario, reference runbook, runbook order. (The renderer's pure pieces are covered by test/e2e/walkthrough.test.ts.) */
import { describe, expect, it } from 'vitest';
import { demoProfileName } from '../../main/handlers/demo.js';
import { DEMO_SCENARIOS } from '../../main/engine/demo/scenarios.js';
import { ProfileNameSchema } from '../../shared/profile.js';

describe('demo profile names', () => {
  it('say the scenario and its reference runbook, sort in runbook order, and are valid profile names', () => {
    const names = DEMO_SCENARIOS.map((s) => demoProfileName(s, s.id));
    expect(names[0]).toBe('demo-1 Better Auth Drizzle - runbook 000');
    expect([...names].sort()).toEqual(names);
    for (const [i, n] of names.entries()) {
      expect(ProfileNameSchema.safeParse(n).success).toBe(true);
      expect(n).toContain(`runbook ${DEMO_SCENARIOS[i]!.runbook.slice(0, 3)}`);
    }
  });
});
