/**
 * `npm run soak`: a bounded soak of the whole hotline on real parts. It starts the hotline as
 * `npm start` does (real Asterisk, Redis, SQLite), operators in headless Chromium, sipp citizens,
 * and for `SOAK_MINUTES` (or `--minutes N`; default 30) plays a shift: a steady trickle, bursts
 * after an announcement, callers who give up waiting, callers who ask to be called back, an
 * after-hours window with messages, operators who let a call ring out or write a ticket. Meanwhile
 * it kills the server (SIGKILL; `npm start`'s supervision must bring it back), stops Redis,
 * restarts Asterisk and drops operators' browsers (see soak-plan.ts for how many and when).
 *
 * At the end it accounts for every call from the database and what the agency endpoint and the
 * SMS gateway received, prints the figures, and exits 1 if a target is missed (a call neither
 * answered, called back nor closed with a reason; a ticket not delivered exactly once; an SMS not
 * sent exactly once; a planned fault that could not be injected).
 *
 * Runs inside a network namespace it creates (needs root), or where it is when already inside one.
 * `--keep` keeps the data folder (database, logs) when all targets are met; it is kept otherwise.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { account, missedTargets, readLedger } from './soak-accounting.ts';
import { citizenPhones, citizens } from './soak-citizens.ts';
import { type InjectedFault, inject } from './soak-faults.ts';
import { type SoakHotline, startSoakHotline } from './soak-hotline.ts';
import { insideNamespace, runInNamespace } from './soak-namespace.ts';
import { startOperators } from './soak-operators.ts';
import { arrivals, soakPlan } from './soak-plan.ts';
import { report } from './soak-report.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const soakStart = Date.now();
const say = (line: string) =>
  console.log(`[soak ${String(Math.round((Date.now() - soakStart) / 1000)).padStart(4)} s] ${line}`);

/**
 * Set by SIGTERM or Ctrl+C: the run stops placing calls and waiting, accounts for what happened
 * so far, prints it and stops everything it started. A second signal exits at once.
 */
let cut = false;
let onCut: () => void = () => undefined;
const cutShort = new Promise<void>((resolve) => {
  onCut = resolve;
});
const interrupt = () => {
  if (cut) process.exit(130);
  cut = true;
  say('interrupted: accounting for what happened so far');
  onCut();
};
/** `promise`, or nothing once the run is cut short. */
const unlessCut = <T>(promise: Promise<T>) => Promise.race([promise, cutShort.then(() => null)]);

/** A small seeded generator (mulberry32), so a run's pattern can be replayed with SOAK_SEED. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function options(args: string[]) {
  let minutes = Number(process.env.SOAK_MINUTES || 30);
  const i = args.indexOf('--minutes');
  if (i >= 0) minutes = Number(args[i + 1]);
  const plan = soakPlan(minutes);
  const seed = Number(process.env.SOAK_SEED || Date.now() % 100_000);
  return { plan, seed, keep: args.includes('--keep') };
}

async function run(args: string[]): Promise<number> {
  const { plan, seed, keep } = options(args);
  const random = seeded(seed);
  const wallStart = Date.now();
  say(`${plan.minutes} min, seed ${seed}; starting the hotline as npm start does…`);
  const hotline: SoakHotline = await startSoakHotline({ menuOpen: true });
  const stops: (() => Promise<void> | void)[] = [() => hotline.stop()];
  let kept = keep;
  try {
    const phones = citizenPhones(hotline.trunkPort);
    stops.push(phones.stop);
    const operators = await startOperators({
      url: hotline.url,
      usernames: plan.operators,
      shares: { ringOut: plan.ringOutShare, ticket: plan.ticketShare },
      random,
    });
    stops.push(operators.stop);
    say(`console ${hotline.url}, data in ${hotline.dir}; ${plan.operators.length} operators ready`);

    const crowd = citizens({
      sipPort: hotline.sipPort,
      maxAtOnce: plan.maxAtOnce,
      patienceMs: plan.patienceMs,
      offerHeardMs: 7000,
      random,
    });
    const startedAt = Date.now();
    const since = () => Date.now() - startedAt;
    let peakAtOnce = 0;

    const faults: Promise<InjectedFault>[] = plan.faults.map(async (fault) => {
      await pause(fault.atMs);
      say(
        `fault at ${Math.round(since() / 1000)} s: ${fault.kind}${fault.operator ? ` (${fault.operator})` : ''}`,
      );
      const done = await inject(
        fault,
        { hotline, dropBrowser: operators.drop, logBackIn: operators.logBackIn },
        startedAt,
      ).catch((err: unknown) => ({ ...fault, doneAtMs: null, note: `failed: ${String(err).slice(0, 200)}` }));
      say(`  ${done.note}`);
      return done;
    });
    const hours = (async () => {
      await pause(plan.afterHours.startMs);
      hotline.setOpen(false);
      say(`after hours from ${Math.round(since() / 1000)} s`);
      await pause(plan.afterHours.endMs - plan.afterHours.startMs);
      hotline.setOpen(true);
      say(`open again at ${Math.round(since() / 1000)} s`);
    })();

    for (const arrival of arrivals(plan, random)) {
      const wait = arrival.atMs - since();
      if (wait > 0) await unlessCut(pause(wait));
      if (cut) break;
      // The cap holds: a caller who finds every line taken tries again a second later.
      while (!crowd.place(arrival.kind)) {
        if (since() > plan.callsMs || cut) break;
        await pause(1000);
      }
      peakAtOnce = Math.max(peakAtOnce, crowd.atOnce());
    }
    say(
      `${crowd.placed.length} calls placed in ${Math.round(since() / 1000)} s; waiting for the last callers`,
    );
    await unlessCut(hours);
    await unlessCut(crowd.settled());
    const injected = await Promise.all(
      faults.map(
        async (fault, i) =>
          (await unlessCut(fault)) ?? {
            ...plan.faults[i]!,
            doneAtMs: null,
            note: 'cut short before it ended',
          },
      ),
    );

    // Drain: operators call back whom the hotline still owes a call, deliveries finish.
    const drainUntil = Date.now() + plan.drainMs;
    let figures = account(readLedger(hotline.db), crowd.placed, hotline.deliveries(), hotline.sms);
    while (Date.now() < drainUntil && missedTargets(figures).length > 0 && !cut) {
      await pause(2000);
      figures = account(readLedger(hotline.db), crowd.placed, hotline.deliveries(), hotline.sms);
    }
    // Let a late duplicate show up before counting.
    await unlessCut(pause(3000));
    figures = account(readLedger(hotline.db), crowd.placed, hotline.deliveries(), hotline.sms);

    const missed = missedTargets(figures);
    for (const fault of injected)
      if (fault.doneAtMs === null) missed.push(`fault ${fault.kind} not injected (${fault.note})`);
    if (!hotline.alive()) missed.push('npm start exited during the run');
    if (cut) missed.push('the run was cut short');
    console.log(
      report({
        minutes: plan.minutes,
        wallSeconds: Math.round((Date.now() - wallStart) / 1000),
        account: figures,
        faults: injected,
        operators: operators.figures(),
        peakAtOnce,
        missed,
      }),
    );
    if (missed.length > 0) kept = true;
    return missed.length === 0 ? 0 : 1;
  } catch (err) {
    kept = true;
    console.error('[soak] failed:', err);
    console.error(hotline.output().slice(-4000));
    return 1;
  } finally {
    for (const stop of stops.splice(0).reverse()) await Promise.resolve(stop()).catch(() => undefined);
    if (kept) say(`data and logs kept in ${hotline.dir}`);
    else rmSync(hotline.dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
let code: number;
if (insideNamespace()) {
  process.on('SIGTERM', interrupt);
  process.on('SIGINT', interrupt);
  code = await run(args);
} else {
  code = await runInNamespace(fileURLToPath(import.meta.url), args);
}
process.exit(code);
