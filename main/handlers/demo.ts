/**
 * The demo offer: starts the demo database (main/engine/demo) once per process and turns its
 * scenarios into profiles (ephemeral; their passwords stay in the host's memory).
 */
import { ProfileSchema } from '../../shared/profile.js';
import { startDemo, type RunningDemo } from '../engine/demo/load.js';
import { DEMO_SCENARIOS, type DemoScenario } from '../engine/demo/scenarios.js';
import { profileFromUrl } from '../engine/target.js';
import type { DemoLauncher, DemoProfile } from './context.js';

let running: Promise<RunningDemo> | null = null;

/**
 * A demo profile's name: its place in runbook order, the scenario's title and the reference
 * runbook it reproduces ("demo-1 Better Auth Drizzle - runbook 000"), so the list sorts in
 * runbook order and says what each one is. Profile names allow letters, digits, spaces, "_", "." and "-".
 */
export function demoProfileName(scenario: Pick<DemoScenario, 'id' | 'title' | 'runbook'> | undefined, id: string): string {
  if (!scenario) return `demo-${id}`;
  const place = DEMO_SCENARIOS.findIndex((s) => s.id === scenario.id) + 1;
  const title = scenario.title.replace(/[^\p{L}\p{N} _.-]+/gu, ' ').replace(/\s+/g, ' ').trim();
  const runbook = scenario.runbook.replace(/_.*$/, '').replace(/\.txt$/, '');
  return `demo-${place} ${title} - runbook ${runbook}`.slice(0, 64).trim();
}

/** The demo launcher (starts the embedded server on first use, then reuses it). */
export function demoLauncher(): DemoLauncher {
  return async () => {
    running ??= startDemo();
    let demo: RunningDemo;
    try {
      demo = await running;
    } catch (err) {
      running = null;
      throw err;
    }
    const profiles: DemoProfile[] = demo.databases.map((db) => {
      const scenario = DEMO_SCENARIOS.find((s) => s.id === db.scenario);
      const { profile, urlPassword } = profileFromUrl(db.url);
      return {
        profile: ProfileSchema.parse({
          ...profile,
          name: demoProfileName(scenario, db.scenario),
          environment: 'development',
          tenancy: scenario?.settings.tenancy ?? {},
          rlsRole: scenario?.settings.rlsRole,
          rlsSetting: scenario?.settings.rlsSetting,
        }),
        password: urlPassword,
      };
    });
    return {
      profiles,
      note: `demo PostgreSQL running on 127.0.0.1:${demo.server.port} with ${profiles.length} scenario databases; it stops when the console quits`,
    };
  };
}

/** Stop the demo server if this process started one. */
export async function stopDemo(): Promise<void> {
  const r = running;
  running = null;
  if (!r) return;
  await (await r.catch(() => null))?.server.stop();
}
