/**
 * Places a test call to the running hotline with sipp: `npm run call -- 1` dials 1022, presses 1
 * while the menu plays, streams a voice recording for a minute, then hangs up. `npm run call -- 9<code>#`
 * asks for a ticket's status and waits for the hotline to hang up.
 * Usage: npm run call -- <keys> [seconds on the line] [caller number]
 */
import { placeCitizenCall } from './lib/sipp.ts';

const [keys = '1', seconds = '60', callerNumber = '0912345678'] = process.argv.slice(2);
if (!/^[0-9*#]+$/.test(keys) || !/^\d+$/.test(seconds)) {
  console.error('usage: npm run call -- <keys, e.g. 1> [seconds on the line] [caller number]');
  process.exit(2);
}
const target = process.env.HOTLINE_SIP_TARGET ?? '127.0.0.1:5060';
console.log(`[call] ${callerNumber} dials 1022 at ${target}, presses ${keys}, stays ${seconds} s`);
const result = await placeCitizenCall({
  target,
  callerNumber,
  keys,
  keyDelayMs: 2000,
  holdMs: Number(seconds) * 1000,
});
if (result.exitCode === 0) {
  console.log('[call] the call went through and the caller hung up');
} else {
  console.error(`[call] the call failed (sipp exit ${result.exitCode})\n${result.errors}`);
  process.exit(1);
}
