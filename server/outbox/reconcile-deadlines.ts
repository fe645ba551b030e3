/**
 * Reconciling deadline alerts: every ticket whose deadlines still run must have its next alert
 * waiting in Redis as a delayed job. Its id is worked out from SQLite (ticket, alert, due time),
 * so a missing one is found by asking Redis whether that id exists, and rebuilt by recording a
 * `deadline` intent: the relay adds the next alert again, and a job that exists after all is
 * left alone (same id).
 */
import type { Queue } from 'bullmq';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { tickets } from '../db/schema.ts';
import { AWAITING_RESOLUTION_STATUSES } from '../tickets/lifecycle.ts';
import { addIntent } from './outbox.ts';
import type { DeadlineJob } from './relay.ts';
import { outbox } from './schema.ts';

/** Tickets looked at per round trip to Redis. */
const CHUNK = 200;

/** Which of `ids` Redis holds a job for, in whatever state. */
async function existingJobs(queue: Queue, ids: string[]): Promise<Set<string>> {
  const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
  return new Set(ids.filter((_, i) => states[i] !== 'unknown'));
}

/** Records a `deadline` intent for each open ticket whose next alert job is missing; returns how many. */
export async function rebuildDeadlineAlerts(
  deps: { db: Db; queue: Queue; deadlineJob(ticketId: number): DeadlineJob | null },
  now: Date,
): Promise<number> {
  const { db } = deps;
  const open = db
    .select({ id: tickets.id })
    .from(tickets)
    .where(inArray(tickets.status, [...AWAITING_RESOLUTION_STATUSES]))
    .all()
    .map((r) => r.id);
  // An intent not relayed yet will schedule the alert anyway.
  const waiting = new Set(
    db
      .select({ payload: outbox.payload })
      .from(outbox)
      .where(and(isNull(outbox.relayedAt), eq(outbox.kind, 'deadline')))
      .all()
      .flatMap((r) => (r.payload.kind === 'deadline' ? [r.payload.ticketId] : [])),
  );
  const missing: number[] = [];
  for (let i = 0; i < open.length; i += CHUNK) {
    const jobs = open
      .slice(i, i + CHUNK)
      .filter((id) => !waiting.has(id))
      .flatMap((ticketId) => {
        const job = deps.deadlineJob(ticketId);
        return job ? [{ ticketId, jobId: job.jobId }] : [];
      });
    if (jobs.length === 0) continue;
    const found = await existingJobs(
      deps.queue,
      jobs.map((j) => j.jobId),
    );
    for (const j of jobs) if (!found.has(j.jobId)) missing.push(j.ticketId);
  }
  if (missing.length > 0) {
    db.transaction((tx) => {
      for (const ticketId of missing) addIntent(tx, { kind: 'deadline', ticketId }, now);
    });
  }
  return missing.length;
}
