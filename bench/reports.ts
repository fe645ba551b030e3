/**
 * The reports part of `npm run bench`: how long a month's reports take on a busy province's
 * records — 100,000 calls in December 2026 (~3,200 a day, the busiest Vietnamese hotlines'
 * volume), their callbacks, 20 operators' state changes and 30,000 tickets — in a temporary
 * SQLite file (WAL, as in production). Each figure is the median of several runs, in ms:
 * the calls report by day and by hour, every other report, the CSV and XLSX of the calls by
 * hour, and the month's summary workbook (what the weekly mail builds, four times over).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ReportKind } from '../common/api.ts';
import { AGENT_STATES, NOT_READY_REASONS } from '../common/domain.ts';
import { type Db, openDatabase } from '../server/db/index.ts';
import {
  callbackAttempts,
  callbacks,
  calls,
  operatorStateChanges,
  tickets,
  units,
  users,
} from '../server/db/schema.ts';
import { seedDemo } from '../server/db/seed.ts';
import { buildReport } from '../server/reports/build.ts';
import { toCsv } from '../server/reports/csv.ts';
import { localPeriod } from '../server/reports/period.ts';
import { buildSummary, summaryXlsx } from '../server/reports/summary.ts';
import { reportTables } from '../server/reports/tables.ts';
import { toXlsx } from '../server/reports/xlsx.ts';

const CALLS = 100_000;
const TICKETS = 30_000;
const OPERATORS = 20;
const RUNS = 5;
const MONTH = localPeriod('2026-12-01', '2026-12-31');
const OPTIONS = { serviceLevelSeconds: 20, shortAbandonSeconds: 5 };
/** After the month: the reports look back on it whole. */
const NOW = new Date('2027-01-05T03:00:00Z');

/** A fixed pseudo-random sequence, so every run measures the same records. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return s / 2 ** 32;
  };
}

function fill(db: Db): void {
  const rnd = random(1022);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const start = MONTH.start.getTime();
  const span = MONTH.end.getTime() - start;
  const creator = db.select({ id: users.id }).from(users).limit(1).get()?.id ?? 1;
  const operatorIds: number[] = [];
  for (let i = 0; i < OPERATORS; i++) {
    operatorIds.push(
      db
        .insert(users)
        .values({
          username: `bench${i}`,
          displayName: `Tổng đài viên ${i + 1}`,
          role: 'operator',
          passwordHash: 'x',
          createdAt: MONTH.start,
        })
        .returning({ id: users.id })
        .get().id,
    );
  }
  db.transaction((tx) => {
    for (let i = 0; i < CALLS; i++) {
      const arrived = start + Math.floor(rnd() * span);
      const queued = rnd() < 0.95 ? arrived + 15_000 : null;
      const wait = Math.floor(rnd() * 90_000);
      const fate = rnd();
      const answered = queued !== null && fate < 0.85 ? queued + wait : null;
      const abandoned = queued !== null && !answered && fate < 0.97;
      const talk = answered ? 30 + Math.floor(rnd() * 400) : null;
      tx.insert(calls)
        .values({
          id: `bench-${i}`,
          callerNumber: `09${String(10_000_000 + i).slice(-8)}`,
          arrivedAt: new Date(arrived),
          queue: queued ? 'general' : null,
          queuedAt: queued ? new Date(queued) : null,
          leftQueueAt: answered ? new Date(answered) : abandoned && queued ? new Date(queued + wait) : null,
          answeredAt: answered ? new Date(answered) : null,
          operatorId: answered ? pick(operatorIds) : null,
          endedAt: new Date((answered ?? arrived) + (talk ?? 20) * 1000),
          endReason: answered ? 'agent_hung_up' : abandoned ? 'abandoned_in_queue' : 'caller_hung_up_in_menu',
          waitSeconds: queued ? Math.round(wait / 1000) : null,
          talkSeconds: talk,
        })
        .run();
      if (abandoned && i % 2 === 0) {
        const created = (queued ?? arrived) + wait;
        const reached = rnd() < 0.7;
        const id = tx
          .insert(callbacks)
          .values({
            callerNumber: `09${String(10_000_000 + i).slice(-8)}`,
            queue: 'general',
            callId: `bench-${i}`,
            createdAt: new Date(created),
            waitingSince: new Date(created),
            lastRequestAt: new Date(created),
            status: reached ? 'reached' : 'given_up',
            closedAt: new Date(created + 3_600_000),
            attempts: 1,
          })
          .returning({ id: callbacks.id })
          .get().id;
        tx.insert(callbackAttempts)
          .values({
            callbackId: id,
            operatorId: pick(operatorIds),
            startedAt: new Date(created + 1_800_000),
            endedAt: new Date(created + 1_860_000),
            outcome: reached ? 'reached' : 'no_answer',
          })
          .run();
      }
    }
    // Each operator changes state about every 20 minutes through the month.
    for (const operatorId of operatorIds) {
      for (let t = start; t < start + span; t += 600_000 + Math.floor(rnd() * 1_200_000)) {
        const state = pick(AGENT_STATES);
        tx.insert(operatorStateChanges)
          .values({
            operatorId,
            state,
            reason: state === 'not_ready' ? pick(NOT_READY_REASONS) : null,
            at: new Date(t),
          })
          .run();
      }
    }
    const unitCodes = [
      ...tx
        .select({ code: units.code })
        .from(units)
        .all()
        .map((u) => u.code),
      null,
    ];
    const categories = [
      'health',
      'welfare',
      'goods',
      'infrastructure',
      'public_services',
      'policy',
      'other',
    ] as const;
    const agencyIds = tx.all<{ id: number }>('select id from agencies').map((a) => a.id);
    for (let i = 0; i < TICKETS; i++) {
      const created = start + Math.floor(rnd() * span);
      const due = created + (1 + Math.floor(rnd() * 10)) * 86_400_000;
      const resolved = rnd() < 0.7 ? created + Math.floor(rnd() * 12 * 86_400_000) : null;
      tx.insert(tickets)
        .values({
          trackingCode: String(200_000_000 + i),
          callerNumber: '0912000000',
          category: pick(categories),
          unitCode: pick(unitCodes),
          description: 'bench',
          agencyId: pick(agencyIds),
          createdBy: creator,
          createdAt: new Date(created),
          status: resolved ? 'resolved' : 'in_progress',
          ackDueAt: new Date(created + 86_400_000),
          ackedAt: new Date(created + 3_600_000),
          resolveDueAt: new Date(due),
          resolvedAt: resolved ? new Date(resolved) : null,
        })
        .run();
    }
  });
}

async function median(run: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] as number;
}

const ms = (n: number) => `${n.toFixed(1).padStart(8)} ms`;

async function reportsPart(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-reports-'));
  const db = openDatabase(join(dir, 'hotline.sqlite'));
  try {
    await seedDemo(db, { agencyUrl: null });
    const t0 = performance.now();
    fill(db);
    console.log(
      `reports: ${CALLS.toLocaleString('en')} calls, ${TICKETS.toLocaleString('en')} tickets, ${OPERATORS} operators in December 2026 (filled in ${((performance.now() - t0) / 1000).toFixed(1)} s); median of ${RUNS} runs`,
    );
    const opts = (granularity: 'hour' | 'day') => ({ ...OPTIONS, granularity, now: NOW });
    const hourly = buildReport(db, 'calls', MONTH, opts('hour'));
    console.log(
      `  calls report, month by day     ${ms(await median(() => buildReport(db, 'calls', MONTH, opts('day'))))}`,
    );
    console.log(
      `  calls report, month by hour    ${ms(await median(() => buildReport(db, 'calls', MONTH, opts('hour'))))} (${hourly.rows.length} rows)`,
    );
    for (const kind of ['callbacks', 'operators', 'tickets'] as ReportKind[]) {
      const label = `${kind} report, month`.padEnd(30);
      console.log(`  ${label} ${ms(await median(() => buildReport(db, kind, MONTH, opts('day'))))}`);
    }
    console.log(
      `  calls by hour as CSV           ${ms(await median(() => toCsv(reportTables('calls', hourly))))}`,
    );
    console.log(
      `  calls by hour as XLSX          ${ms(await median(() => toXlsx(reportTables('calls', hourly))))}`,
    );
    let size = 0;
    const summary = await median(async () => {
      const built = await buildSummary(db, MONTH, { ...OPTIONS, now: NOW });
      size = (await summaryXlsx(built, NOW)).length;
    });
    console.log(`  month's summary.xlsx           ${ms(summary)} (${(size / 1024).toFixed(0)} KiB)`);
    const day = localPeriod('2026-12-15', '2026-12-15');
    const daily = await median(async () =>
      summaryXlsx(await buildSummary(db, day, { ...OPTIONS, now: NOW }), NOW),
    );
    console.log(`  a day's summary.xlsx (mailed)  ${ms(daily)}`);
  } finally {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const reportParts: Record<string, () => Promise<void>> = { reports: reportsPart };
