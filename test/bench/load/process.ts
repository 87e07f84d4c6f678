/**
 * The backfill bench's load process (started by loop.ts with its config as the one argument):
 * opens its connections, runs its warm-up, says ready, runs the load until the bench sends 'stop', answers with
 * every operation it timed, and exits.
 */
import { runLoadHere, type LoadConfig, type LoadMessage } from './loop.js';

const send = (m: LoadMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

try {
  const cfg = JSON.parse(process.argv[2]!) as LoadConfig;
  const load = await runLoadHere(cfg);
  process.once('message', async () => {
    try {
      await send({ result: await load.stop() });
    } catch (err) {
      await send({ error: (err as Error).message });
    }
    process.disconnect();
  });
  await send({ ready: true });
} catch (err) {
  await send({ error: (err as Error).message });
  process.disconnect();
}
