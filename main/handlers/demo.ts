/** The demo offer: starts the demo database (main/engine/demo) and turns its scenarios into profiles. */
import type { DemoLauncher } from './context.js';

/** The demo launcher, or null when this build has no demo. */
export function demoLauncher(): DemoLauncher | null {
  return null;
}
