import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RunningRedis, startRedis } from '../../scripts/lib/redis.ts';
import { FORWARD_QUEUE } from '../../server/outbox/queues.ts';
import { waitFor } from '../support/jobs.ts';

let redis: RunningRedis | undefined;
let dir: string | undefined;
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the Redis npm start runs', () => {
  it('keeps a queued job through a kill -9 and its restart, and never evicts', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hotline-redis-'));
    const restarted: (number | undefined)[] = [];
    redis = await startRedis({ dataDir: join(dir, 'redis'), supervise: ({ pid }) => restarted.push(pid) });
    const warn = vi.spyOn(console, 'warn');
    const queue = new Queue(FORWARD_QUEUE, { connection: { url: redis.url }, prefix: 'aof' });
    queue.on('error', () => undefined); // while Redis is being restarted
    const admin = new Redis(redis.url);
    admin.on('error', () => undefined);
    try {
      await queue.add('forward', { ticketId: 1 }, { jobId: 'outbox-1' });
      expect(await admin.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await admin.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(warn.mock.calls.flat().join('\n')).not.toMatch(/Eviction policy/);

      const killed = redis.pid!;
      process.kill(killed, 'SIGKILL');
      await waitFor('Redis started again', () => restarted.length === 1, 15_000);
      expect(restarted[0]).not.toBe(killed);
      const state = await waitFor(
        'the job read back',
        () => queue.getJobState('outbox-1').catch(() => null),
        15_000,
      );
      expect(state).toBe('waiting');
      expect((await queue.getJob('outbox-1'))?.data).toEqual({ ticketId: 1 });
    } finally {
      warn.mockRestore();
      admin.disconnect();
      await queue.close();
    }
  });
});
