/** The soak's printed figures and targets. */
import type { Account } from './soak-accounting.ts';
import type { InjectedFault } from './soak-faults.ts';
import type { OperatorFigures } from './soak-operators.ts';

const at = (ms: number | null) =>
  ms === null
    ? '—'
    : `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;
const secs = (s: number | null) => (s === null ? '—' : `${s} s`);

export function report(opts: {
  minutes: number;
  wallSeconds: number;
  account: Account;
  faults: InjectedFault[];
  operators: (OperatorFigures & { username: string })[];
  peakAtOnce: number;
  missed: string[];
}): string {
  const { account: a } = opts;
  const kinds = Object.entries(a.byKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const lines = [
    `soak: ${opts.minutes} min of calls, ${opts.wallSeconds} s in all`,
    `  calls placed        ${a.placed} (${kinds}); at once at most ${opts.peakAtOnce}`,
    `  call records        ${a.recorded}`,
    `  answered            ${a.outcomes.answered}`,
    `  called back, reached ${a.outcomes.called_back}`,
    `  closed with reason  ${a.outcomes.given_up_with_reason} given up, ${a.outcomes.after_hours_message} after-hours message (task), ${a.outcomes.nothing_owed} nothing owed${
      a.outcomes.nothing_owed > 0
        ? ` (${Object.entries(a.nothingOwed)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')})`
        : ''
    }`,
    `  refused by Asterisk ${a.outcomes.refused} (503 before answering, while it restarted: never taken in)`,
    `  abandoned in queue  ${a.abandoned}; asked for a callback ${a.callbackRequested}`,
    `  callback tasks      ${a.tasks.reached} reached, ${a.tasks.givenUp} given up, ${a.tasks.open} open`,
    `  callback attempts   ${
      Object.entries(a.attempts)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }`,
    `  ring-outs           ${a.ringOuts} offers not answered (${a.instantNoAnswers} over within 1 s: never rang)`,
    `  wait to answer      p50 ${secs(a.waits.p50)}, p95 ${secs(a.waits.p95)}, max ${secs(a.waits.max)}`,
    `  operators           ${opts.operators
      .map(
        (o) =>
          `${o.username}: ${o.answered} answered, ${o.ringOuts} let ring, ${o.callbacksDialled} "Gọi lại" clicks, ${o.tickets.length} tickets`,
      )
      .join('; ')}`,
    '  faults:',
    ...opts.faults.map((f) => `    ${at(f.doneAtMs ?? f.atMs).padStart(6)}  ${f.kind.padEnd(16)} ${f.note}`),
    `  TARGET calls with none of answered / called back / closed with a reason: ${a.unaccounted.length} (target 0)`,
    ...a.unaccounted.slice(0, 20).map((u) => `    ${u.number}: ${u.why}`),
    `  TARGET tickets delivered to the agency exactly once: ${a.tickets.deliveredOnce} of ${a.tickets.forwarded} forwarded (${a.tickets.created} created)`,
    ...a.tickets.problems.slice(0, 10).map((p) => `    ${p}`),
    `  TARGET SMS sent exactly once: ${a.sms.sentOnce} of ${a.sms.rows} (${a.sms.posts} posts to the gateway)`,
    ...a.sms.problems.slice(0, 10).map((p) => `    ${p}`),
    opts.missed.length === 0 ? '  all targets met' : `  MISSED: ${opts.missed.join('; ')}`,
  ];
  return lines.join('\n');
}
