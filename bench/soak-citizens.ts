/**
 * The soak's citizens: sipp callers on the trunk side of the real Asterisk, each with a number of
 * their own (so the database's rows are theirs alone), at most `maxAtOnce` at a time, and the
 * citizens' phones behind the trunk that answer the hotline's callbacks (one sipp UAS that takes
 * any number of calls).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { citizenPhoneScenario, placeCitizenCall } from '../scripts/lib/sipp.ts';
import type { CallerKind } from './soak-plan.ts';

export interface PlacedCall {
  number: string;
  kind: CallerKind;
  /** Menu key: 0 (an operator) or 1 (health). */
  key: string;
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
  /**
   * The SIP status Asterisk refused the call with before answering it (e.g. `503` while it
   * restarts), null if it answered.
   */
  refusedWith: string | null;
}

/** The final status a sipp caller got instead of the answer it expected, from its error log. */
export function refusal(errors: string): string | null {
  return (
    /while expecting '(?:100|180|183|200)'[^\n]*received 'SIP\/2\.0 ([3-6]\d\d) /.exec(errors)?.[1] ?? null
  );
}

/** Welcome ≈ 4.5 s, then the menu prompt: a key pressed at 2.5 s lands in the menu (pressed once). */
const FIRST_KEY_MS = 2500;

export function citizens(opts: {
  sipPort: number;
  maxAtOnce: number;
  patienceMs: number;
  /** After joining the queue, when the callback offer has been made. */
  offerHeardMs: number;
  random: () => number;
}) {
  const placed: PlacedCall[] = [];
  const running = new Set<Promise<void>>();
  const freeSlots = Array.from({ length: opts.maxAtOnce }, (_, i) => i);
  let serial = 0;
  const between = (lo: number, hi: number) => Math.round(lo + opts.random() * (hi - lo));

  /** Places one caller if a slot is free; false when `maxAtOnce` callers are already on. */
  function place(kind: CallerKind): boolean {
    const slot = freeSlots.shift();
    if (slot === undefined) return false;
    serial++;
    // 09 + a run id + the serial: unique within the run, dialable.
    const number = `09${String(process.pid % 1000).padStart(3, '0')}${String(serial).padStart(5, '0')}`;
    const key = kind === 'talk' && opts.random() < 0.4 ? '1' : '0';
    const call: PlacedCall = {
      number,
      kind,
      key,
      startedAt: Date.now(),
      endedAt: null,
      exitCode: null,
      refusedWith: null,
    };
    placed.push(call);
    const shape = {
      talk: { keys: key, keyDelayMs: FIRST_KEY_MS, holdMs: opts.patienceMs },
      abandon: { keys: '0', keyDelayMs: FIRST_KEY_MS, holdMs: between(6000, 25_000) },
      // 0 in the menu, then 1 once the offer has been made; the hotline confirms and hangs up.
      callback: { keys: '01', keyDelayMs: opts.offerHeardMs, holdMs: 20_000 },
      // ≈ 17 s of welcome and after-hours announcement, then a few seconds of message.
      after_hours: { keys: '', keyDelayMs: 0, holdMs: 25_000 },
    }[kind];
    const done = placeCitizenCall({
      target: `127.0.0.1:${opts.sipPort}`,
      callerNumber: number,
      firstKeyDelayMs: FIRST_KEY_MS,
      hangup: 'caller',
      localPort: 5300 + slot,
      mediaPort: 40_000 + slot * 10,
      ...shape,
    })
      .then(
        (r) => {
          call.exitCode = r.exitCode;
          call.refusedWith = refusal(r.errors);
        },
        () => {
          call.exitCode = -1;
        },
      )
      .finally(() => {
        call.endedAt = Date.now();
        freeSlots.push(slot);
        running.delete(done);
      });
    running.add(done);
    return true;
  }

  return {
    placed,
    place,
    atOnce: () => running.size,
    /** Resolves once every caller has hung up. */
    settled: async () => {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

/**
 * Citizens' phones behind the trunk: one sipp listening on the trunk's port, answering every call
 * the hotline places (ringing 1 s, then talking until the hotline hangs up, at most `holdMs`).
 */
export function citizenPhones(port: number, holdMs = 120_000) {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-soak-phones-'));
  const scenario = join(dir, 'phones.xml');
  writeFileSync(scenario, citizenPhoneScenario({ port, answer: 'answer', ringMs: 1000, holdMs }));
  const args = [
    ...['-sf', scenario, '-i', '127.0.0.1', '-mi', '127.0.0.1', '-p', String(port)],
    ...['-mp', '45000', '-m', '100000', '-l', '50', '-nostdin', '-trace_err', '-error_file'],
    join(dir, 'errors.log'),
  ];
  const child: ChildProcess = spawn('sipp', args, { stdio: 'ignore', cwd: dir });
  return {
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
