/**
 * The web form part of `npm run bench` (`web`): requests sent through the public form's API
 * (`POST /api/public/requests`, photos excluded) by concurrent keep-alive clients for ~10 s
 * (target ≥ 300/s), each taken in durably with its SMS in one transaction, then checked: every
 * accepted request is in the database with its SMS (0 lost).
 *
 * The SMS code step is not measured: each number is confirmed directly in the database before the
 * run (`confirmedTokenFor`), as a citizen who typed the code would be; the output says so. The
 * server runs as a child process (telephony disabled, demo data, job workers apart) with the
 * per-number and per-address limits widened, since every client comes from 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { eq } from 'drizzle-orm';
import { type RunningRedis, startRedis } from '../scripts/lib/redis.ts';
import { openDatabase } from '../server/db/index.ts';
import { smsMessages } from '../server/db/schema.ts';
import { CONSENT } from '../server/intake/consent.ts';
import { confirmedTokenFor } from '../server/intake/otp.ts';
import { writtenRequests } from '../server/intake/schema.ts';
import { childPids, commandLine, processCpuMs } from './cpu.ts';
import { type BenchServer, percentile, startBenchServer } from './server.ts';

const SECONDS = 10;
const CONCURRENCY = 32;
/** Numbers confirmed before the run: more than the run can use, so each request is a new one. */
const NUMBERS = 12_000;
const TARGET_PER_SECOND = 300;

const CATEGORIES = ['health', 'welfare', 'goods', 'infrastructure', 'public_services', 'policy', 'other'];
const UNIT_CODES = ['26068', '26080', '25993', '26017', '26005'];

function post(url: string, agent: Agent, body: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/public/requests`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'idempotency-key': key,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function webIntake(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-web-'));
  const dbPath = join(dir, 'hotline.sqlite');
  const redis: RunningRedis = await startRedis();
  const wide = String(1_000_000_000);
  const db = openDatabase(dbPath);
  let server: BenchServer | undefined;
  try {
    server = await startBenchServer({
      dbPath,
      redisUrl: redis.url,
      queuePrefix: 'bench-web',
      env: { HOTLINE_WEB_REQUESTS_PER_PHONE_DAY: wide, HOTLINE_WEB_REQUESTS_PER_ADDRESS_DAY: wide },
      // The machine may be busy: starting tsx and seeding can take a while.
      startTimeoutMs: 90_000,
    });
    const { url } = server;
    const now = new Date();
    const phones = Array.from({ length: NUMBERS }, (_, i) => `09${String(10_000_000 + i).padStart(8, '0')}`);
    const tokens = db.transaction(() =>
      phones.map((phone) => confirmedTokenFor(db, phone, '127.0.0.1', now)),
    );

    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const latencies: number[] = [];
    const failures = new Map<number, number>();
    let next = 0;
    const jobsPid = childPids(server.process.pid!).find((pid) => commandLine(pid).includes('workers-main'));
    const cpuAtStart = processCpuMs(server.process.pid!);
    const jobsAtStart = jobsPid !== undefined ? processCpuMs(jobsPid) : 0;
    const started = performance.now();
    const until = started + SECONDS * 1000;
    const client = async () => {
      while (performance.now() < until && next < NUMBERS) {
        const n = next++;
        const body = JSON.stringify({
          category: CATEGORIES[n % CATEGORIES.length],
          description: `Phản ánh số ${n}: đèn đường hỏng, khu phố tối đã ba ngày.`,
          unitCode: UNIT_CODES[n % UNIT_CODES.length],
          address: `${n} đường Phạm Văn Thuận`,
          phone: phones[n],
          phoneToken: tokens[n],
          consentVersion: CONSENT.version,
        });
        const t0 = performance.now();
        const status = await post(url, agent, body, `bench-${n}`);
        if (status === 201) latencies.push(performance.now() - t0);
        else failures.set(status, (failures.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
    const elapsed = (performance.now() - started) / 1000;
    const serverCpu = processCpuMs(server.process.pid!) - cpuAtStart;
    const jobsCpu = jobsPid !== undefined ? processCpuMs(jobsPid) - jobsAtStart : 0;
    agent.destroy();

    const accepted = latencies.length;
    const stored = db.select({ id: writtenRequests.id }).from(writtenRequests).all().length;
    const texted = db
      .select({ id: smsMessages.id })
      .from(smsMessages)
      .where(eq(smsMessages.event, 'written_received'))
      .all().length;
    latencies.sort((a, b) => a - b);
    const rate = accepted / elapsed;
    console.log('\nweb form: requests through POST /api/public/requests (photos excluded)');
    console.log(
      '  numbers confirmed directly in the database before the run: the SMS code step is not measured',
    );
    console.log(
      `  ${accepted} accepted in ${elapsed.toFixed(1)} s with ${CONCURRENCY} clients: ${rate.toFixed(0)}/s ` +
        `(target ≥ ${TARGET_PER_SECOND}/s: ${rate >= TARGET_PER_SECOND ? 'met' : 'NOT met'})`,
    );
    const perRequest = serverCpu / Math.max(1, accepted);
    console.log(
      `  server CPU ${perRequest.toFixed(2)} ms per request (one core: ~${(1000 / perRequest).toFixed(0)}/s), ` +
        `job process (SMS relay) ${(jobsCpu / Math.max(1, accepted)).toFixed(2)} ms; load average ` +
        `${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`,
    );
    console.log(
      `  latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    console.log(
      `  refused: ${failures.size === 0 ? 0 : [...failures].map(([s, c]) => `${c}×${s}`).join(', ')}; ` +
        `stored ${stored}, SMS with the code ${texted}; lost ${Math.max(0, accepted - Math.min(stored, texted))}`,
    );
  } finally {
    db.$client.close();
    await server?.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const webIntakeParts: Record<string, () => Promise<void>> = { web: webIntake };
