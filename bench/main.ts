/**
 * `npm run bench [-- part…]`: load figures on this machine, loopback only, bounded in time. Each
 * part lives in a file of its own and starts the processes it measures; with no part named, the
 * default ones run in turn.
 */
import { callParts } from './calls.ts';
import { remoteParts } from './remote.ts';
import { reportParts } from './reports.ts';
import { ticketParts } from './tickets.ts';
import { webIntakeParts } from './web-intake.ts';
import { zaloParts } from './zalo-webhook.ts';

const PARTS: Record<string, () => Promise<void>> = {
  ...ticketParts,
  ...callParts,
  ...remoteParts,
  ...reportParts,
  ...zaloParts,
  ...webIntakeParts,
};
const DEFAULT_PARTS = ['tickets', 'calls', 'reports', 'zalo', 'web'];

const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!PARTS[name]) {
    console.error(`unknown part "${name}"; parts: ${Object.keys(PARTS).join(', ')}`);
    process.exit(2);
  }
}
for (const name of chosen.length > 0 ? chosen : DEFAULT_PARTS) await PARTS[name]!();
