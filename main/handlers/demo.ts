/**
 * The demo offer: starts the demo database (main/engine/demo) once per process and turns its
 * scenarios into profiles (ephemeral; their passwords stay in the host's memory).
 */
import { ProfileSchema } from '../../shared/profile.js';
import { startDemo, type RunningDemo } from '../engine/demo/load.js';
import { DEMO_SCENARIOS } from '../engine/demo/scenarios.js';
import { profileFromUrl } from '../engine/target.js';
import type { DemoLauncher, DemoProfile } from './context.js';

let running: Promise<RunningDemo> | null = null;

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
          name: `demo-${db.scenario}`,
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
