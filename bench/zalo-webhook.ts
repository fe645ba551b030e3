/**
 * The Zalo part of `npm run bench` (`zalo`): signed webhook events posted to the real server at
 * 200 events/s for ~10 s, one in 20 sent twice as Zalo's retries are, and the time each answer
 * takes (target p99 < 100 ms, Zalo allows 2 s). Then every event must be stored exactly once and
 * processed (0 lost). Starts its own Redis, a temporary SQLite file, the server (`server/main.ts`
 * as a child process, telephony disabled, job workers in a process of their own) and the fake OA
 * server from the tests, which receives the tracking codes the hotline sends back.
 * `BENCH_ZALO_RATE` changes the rate; `BENCH_SERVER_ARGS` adds Node flags to the server (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { count, isNotNull } from 'drizzle-orm';
import { waitFor } from '../scripts/lib/ports.ts';
import { startRedis } from '../scripts/lib/redis.ts';
import { openDatabase } from '../server/db/index.ts';
import { zaloInboundEvents } from '../server/zalo/schema.ts';
import { FakeZaloOa, sendWebhook, textEvent, zaloConfigFor } from '../test/support/fake-zalo-oa.ts';
import { type BenchServer, percentile, startBenchServer } from './server.ts';

const RATE = Number(process.env.BENCH_ZALO_RATE ?? 200) || 200;
const SECONDS = 10;
/** Every this many events, one is sent a second time (Zalo's retry). */
const RETRY_EVERY = 20;
const USERS = 400;
/** Longest wait for the jobs to process the last event. */
const DRAIN_TIMEOUT_MS = 60_000;

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '—');
async function webhookLatency(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-zalo-'));
  const redis = await startRedis();
  const fake = new FakeZaloOa();
  await fake.start();
  const zalo = zaloConfigFor(fake);
  const dbPath = join(dir, 'hotline.sqlite');
  const db = openDatabase(dbPath);
  let server: BenchServer | undefined;
  try {
    server = await startBenchServer({
      dbPath,
      redisUrl: redis.url,
      queuePrefix: 'bench',
      env: {
        HOTLINE_ZALO_APP_ID: zalo.appId,
        HOTLINE_ZALO_OA_SECRET: zalo.oaSecret,
        HOTLINE_ZALO_APP_SECRET: zalo.appSecret,
        HOTLINE_ZALO_REFRESH_TOKEN: zalo.refreshToken,
        HOTLINE_ZALO_API_URL: fake.url,
        HOTLINE_ZALO_OAUTH_URL: fake.url,
      },
      // The first start seeds the demo accounts (argon2): slow on a busy machine.
      startTimeoutMs: 90_000,
    });
    const { url } = server;
    const latencies: number[] = [];
    const failures: string[] = [];
    const unique = new Set<string>();
    const inFlight = new Set<Promise<void>>();
    const post = (event: Record<string, unknown>) => {
      const sent = sendWebhook(url, event).then(
        (r) => {
          if (r.status === 200) latencies.push(r.ms);
          else failures.push(`${r.status} ${r.body.slice(0, 120)}`);
        },
        (err: unknown) => void failures.push(String(err)),
      );
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
    };
    const total = RATE * SECONDS;
    const started = performance.now();
    let n = 0;
    while (n < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
      for (; n < due; n++) {
        const msgId = `bench-${n}`;
        const event = textEvent(`u-${n % USERS}`, `Phản ánh số ${n}: đèn đường hỏng.`, msgId);
        unique.add(msgId);
        post(event);
        if (n % RETRY_EVERY === 0) post(event);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(inFlight);
    const elapsed = (performance.now() - started) / 1000;
    const stored = () => db.select({ n: count() }).from(zaloInboundEvents).get()!.n;
    const processed = () =>
      db.select({ n: count() }).from(zaloInboundEvents).where(isNotNull(zaloInboundEvents.processedAt)).get()!
        .n;
    await waitFor('every event processed', async () => processed() >= unique.size, DRAIN_TIMEOUT_MS).catch(
      () => undefined,
    );
    latencies.sort((a, b) => a - b);
    const lost = unique.size - stored();
    console.log(
      `zalo webhook: ${RATE} events/s for ${elapsed.toFixed(1)} s, signed, 1 in ${RETRY_EVERY} sent twice`,
    );
    console.log(
      `  answered 200   ${latencies.length} (${failures.length} failed${failures[0] ? `: ${failures[0]}` : ''})`,
    );
    console.log(
      `  answer time    p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? Number.NaN)}   (target p99 < 100 ms)`,
    );
    console.log(
      `  events         ${unique.size} distinct, stored ${stored()}, processed ${processed()}, lost ${lost}   (target 0 lost, each stored once)`,
    );
    console.log(
      `  sent to the OA ${fake.messages.filter((m) => m.error === 0).length} tracking-code messages`,
    );
  } finally {
    db.$client.close();
    await server?.stop();
    await fake.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parts `npm run bench` can run by name. */
export const zaloParts: Record<string, () => Promise<void>> = {
  zalo: webhookLatency,
};
