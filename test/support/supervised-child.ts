/**
 * A stand-in for the server under `scripts/lib/supervise.ts` in its tests: says it is up (with
 * its pid in the address; a spare, once told to start), runs until SIGTERM, and stops itself when
 * its starter goes.
 */
if (process.env.SUPERVISED_CHILD_EXIT_AT_ONCE === '1') process.exit(3);
process.once('disconnect', () => process.exit(0));
if (process.argv.includes('--standby'))
  await new Promise<void>((resolve) =>
    process.on('message', (m: { type?: string }) => {
      if (m?.type === 'start') resolve();
    }),
  );
process.send?.({ type: 'up', url: `http://127.0.0.1:1/${process.pid}` });
const alive = setInterval(() => undefined, 1000);
process.once('SIGTERM', () => {
  clearInterval(alive);
  process.exit(0);
});
