/** When an abandoned call opens a new callback task and when it joins one: pure, table-tested. */

/** A second abandon from the same number within this long of the last one joins its open task. */
export const CALLBACK_MERGE_WINDOW_MS = 30 * 60_000;

/** An open callback task of the caller's number. */
export interface OpenCallback {
  id: number;
  lastAbandonAt: Date;
}

export type AbandonDecision = { kind: 'create' } | { kind: 'merge'; callbackId: number };

/**
 * A caller hung up while waiting at `at`: merge into the open task of that number whose last
 * abandon is closest (within the window, either side, so events out of order still merge), or
 * open a new task.
 */
export function decideOnAbandon(
  open: readonly OpenCallback[],
  at: Date,
  windowMs: number = CALLBACK_MERGE_WINDOW_MS,
): AbandonDecision {
  let best: { id: number; distance: number } | null = null;
  for (const task of open) {
    const distance = Math.abs(at.getTime() - task.lastAbandonAt.getTime());
    if (distance <= windowMs && (!best || distance < best.distance)) best = { id: task.id, distance };
  }
  return best ? { kind: 'merge', callbackId: best.id } : { kind: 'create' };
}
