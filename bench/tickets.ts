/**
 * The tickets part of `npm run bench`:
 *
 * - `tickets:throughput`: tickets created through the real HTTP API by concurrent keep-alive
 *   clients for ~10 s (target ≥ 1,500/s), with the CPU time each process spent per ticket.
 * - `tickets:forward`: on a fresh stack, 200 tickets/s for ~10 s and the forward latency from the
 *   request that creates each ticket to the agency's webhook receiving it (target p99 < 500 ms).
 * - `tickets`: both.
 *
 * Each measurement starts its own Redis, a temporary SQLite file (WAL), the server
 * (`server/main.ts` as a child process, telephony disabled, demo data, job workers in a process
 * of their own) and a local agency receiver.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { type AgencyReceiver, agencySecret, startAgencyReceiver } from '../scripts/lib/agency-receiver.ts';
import { type RunningRedis, startRedis } from '../scripts/lib/redis.ts';
import { type Db, openDatabase } from '../server/db/index.ts';
import { childPids, commandLine, mainThreadCpuMs, ownCpuMs, processCpuMs, startMeter } from './cpu.ts';
import { type BenchServer, percentile, startBenchServer } from './server.ts';

const THROUGHPUT_SECONDS = 10;
const CONCURRENCY = 32;
const PACED_RATE = 200;
const PACED_SECONDS = 10;
/** Longest wait for the last paced ticket to reach the agency. */
const DRAIN_TIMEOUT_MS = 20_000;

const CATEGORIES = ['health', 'welfare', 'goods', 'infrastructure', 'public_services', 'policy', 'other'];
/** Units of the shipped Đồng Nai list (Biên Hòa, Long Khánh, Long Thành have their own routing), or none. */
const UNIT_CODES = ['26068', '26080', '26368', '26017', '26005', undefined];

interface Stack {
  url: string;
  receiver: AgencyReceiver;
  /** When each ticket reached the agency, in performance.now() ms. */
  arrivals: Map<number, number>;
  /** CPU ms per process since `cpu()` was called: server, its main thread, jobs, Redis, bench. */
  cpu(): () => Record<string, number>;
  /** Counts Redis commands from now on; the reader resolves with the count per command. */
  redisCommands(): Promise<() => Promise<Map<string, number>>>;
  close(): Promise<void>;
}

async function startStack(): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-'));
  const redis: RunningRedis = await startRedis();
  const dbPath = join(dir, 'hotline.sqlite');
  let db: Db | undefined;
  const secrets = new Map<string, string | undefined>();
  const arrivals = new Map<number, number>();
  const receiver = await startAgencyReceiver({
    // Read once per agency: the receiver shares the machine with the hotline it measures.
    secretFor: (code) => {
      if (!secrets.has(code)) {
        db ??= openDatabase(dbPath);
        secrets.set(code, agencySecret(db, code));
      }
      return secrets.get(code);
    },
    onDelivery: (d) => {
      if (!d.signatureValid) console.error(`bad signature from the hotline for ${d.agencyCode}`);
      const id = Number(d.body.ticketId);
      if (!arrivals.has(id)) arrivals.set(id, performance.now());
      d.body = {};
    },
  });
  const close = async () => {
    await server?.stop();
    db?.$client.close();
    await receiver.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  let server: BenchServer | undefined;
  try {
    server = await startBenchServer({
      dbPath,
      redisUrl: redis.url,
      queuePrefix: 'bench',
      env: { HOTLINE_DEMO_AGENCY_URL: receiver.url },
      startTimeoutMs: 30_000,
    });
  } catch (err) {
    // Leave no Redis or server behind when the stack does not come up.
    await close();
    throw err;
  }
  const { url } = server;
  const serverPid = server.process.pid!;
  // The job process, not the TypeScript loader's helper processes.
  const jobsPid = childPids(serverPid).find((pid) => commandLine(pid).includes('workers-main'));
  const cpu = () => {
    const meter = startMeter({
      server: () => processCpuMs(serverPid),
      'server main thread': () => mainThreadCpuMs(serverPid),
      ...(jobsPid !== undefined ? { jobs: () => processCpuMs(jobsPid) } : {}),
      ...(redis.pid !== undefined ? { redis: () => processCpuMs(redis.pid!) } : {}),
      'bench (clients, receiver)': ownCpuMs,
    });
    return () => meter.read();
  };
  const redisCommands = async () => {
    const client = new Redis(redis.url, { lazyConnect: true });
    await client.connect();
    await client.config('RESETSTAT');
    return async () => {
      const info = await client.info('commandstats');
      client.disconnect();
      return parseCommandStats(info);
    };
  };
  return { url, receiver, arrivals, cpu, redisCommands, close };
}

interface Session {
  cookie: string;
  csrf: string;
}

async function login(url: string): Promise<Session> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'tdv01', password: '1022demo' }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const csrf = /hotline_csrf=([^;]+)/.exec(cookie)?.[1];
  if (!csrf) throw new Error('no CSRF cookie');
  return { cookie, csrf };
}

/** POST /api/tickets on a keep-alive connection; resolves with the new ticket's id. */
function createTicket(url: string, session: Session, agent: Agent, n: number): Promise<number> {
  const body = JSON.stringify({
    callerNumber: `09${String(10_000_000 + (n % 89_999_999)).padStart(8, '0')}`,
    category: CATEGORIES[n % CATEGORIES.length],
    unitCode: UNIT_CODES[n % UNIT_CODES.length],
    description: `Phản ánh số ${n}: đèn đường hỏng, khu phố tối đã ba ngày.`,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/tickets`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          cookie: session.cookie,
          'x-csrf-token': session.csrf,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 201) {
            reject(
              new Error(
                `create answered ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`,
              ),
            );
            return;
          }
          resolve((JSON.parse(Buffer.concat(chunks).toString()) as { id: number }).id);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

/** `INFO commandstats` as calls per command; commands run inside Lua scripts are counted too. */
function parseCommandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

/**
 * Redis commands per ticket, those run inside Lua scripts (BullMQ's) included, how many of them
 * were scripts, and the most frequent.
 */
function printRedis(calls: Map<string, number>, tickets: number): void {
  let total = 0;
  for (const n of calls.values()) total += n;
  const scripts = (calls.get('evalsha') ?? 0) + (calls.get('eval') ?? 0);
  const top = [...calls]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, n]) => `${name} ${(n / tickets).toFixed(2)}`);
  console.log(
    `  Redis per ticket ${(total / tickets).toFixed(1)} commands, ${(scripts / tickets).toFixed(2)} scripts; ${top.join(', ')}`,
  );
}

/** CPU ms per ticket of each process, and the rate the server's main thread could sustain alone. */
function printCpu(used: Record<string, number>, tickets: number): void {
  const perTicket = (name: string) => (used[name] ?? Number.NaN) / tickets;
  const parts = Object.keys(used).map((name) => `${name} ${perTicket(name).toFixed(3)}`);
  console.log(`  CPU per ticket ${parts.join(', ')} (ms)`);
  const main = perTicket('server main thread');
  console.log(`  server main thread capacity ≈ ${(1000 / main).toFixed(0)} tickets/s (1 / CPU per ticket)`);
}

async function throughput(): Promise<void> {
  const stack = await startStack();
  try {
    const session = await login(stack.url);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    // Warm-up: connections, JIT, prepared statements.
    await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) => createTicket(stack.url, session, agent, i)),
    );
    let created = 0;
    let failed = 0;
    let n = CONCURRENCY;
    const latencies: number[] = [];
    const commands = await stack.redisCommands();
    const cpu = stack.cpu();
    const started = performance.now();
    const end = started + THROUGHPUT_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          const t0 = performance.now();
          try {
            await createTicket(stack.url, session, agent, n++);
            created++;
            latencies.push(performance.now() - t0);
          } catch (err) {
            if (failed++ === 0) console.error(String(err));
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const used = cpu();
    const calls = await commands();
    latencies.sort((a, b) => a - b);
    console.log(`tickets: ${CONCURRENCY} keep-alive clients, ${seconds.toFixed(1)} s`);
    console.log(`  created        ${created} (${failed} failed)`);
    console.log(`  throughput     ${(created / seconds).toFixed(0)} tickets/s   (target ≥ 1500)`);
    console.log(
      `  request time   p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}`,
    );
    printCpu(used, created);
    printRedis(calls, created);
    // The job side may fall behind while tickets pour in; its CPU above covers only what it did.
    console.log(
      `  forwarded      ${stack.arrivals.size} of ${created + CONCURRENCY} by the end (the rest still queued)`,
    );
    agent.destroy();
  } finally {
    await stack.close();
  }
}

async function forwardLatency(): Promise<void> {
  const stack = await startStack();
  try {
    const session = await login(stack.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const sentAt = new Map<number, number>();
    const total = PACED_RATE * PACED_SECONDS;
    const interval = 1000 / PACED_RATE;
    const commands = await stack.redisCommands();
    const cpu = stack.cpu();
    const started = performance.now();
    const requests: Promise<void>[] = [];
    let failed = 0;
    for (let i = 0; i < total; i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const t0 = performance.now();
      requests.push(
        createTicket(stack.url, session, agent, i).then(
          (id) => void sentAt.set(id, t0),
          (err) => {
            if (failed++ === 0) console.error(String(err));
          },
        ),
      );
    }
    await Promise.all(requests);
    const pacedSeconds = (performance.now() - started) / 1000;
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (performance.now() < deadline && [...sentAt.keys()].some((id) => !stack.arrivals.has(id))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const used = cpu();
    const calls = await commands();
    const latencies = [...sentAt].flatMap(([id, t0]) => {
      const at = stack.arrivals.get(id);
      return at === undefined ? [] : [at - t0];
    });
    latencies.sort((a, b) => a - b);
    console.log(
      `forward latency: ${PACED_RATE} tickets/s for ${pacedSeconds.toFixed(1)} s, creation → agency webhook`,
    );
    console.log(`  created        ${sentAt.size} (${failed} failed), delivered ${latencies.length}`);
    console.log(
      `  latency        p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? Number.NaN)}   (target p99 < 500 ms)`,
    );
    printCpu(used, sentAt.size);
    printRedis(calls, sentAt.size);
    agent.destroy();
  } finally {
    await stack.close();
  }
}

/** Parts `npm run bench` can run by name. */
export const ticketParts: Record<string, () => Promise<void>> = {
  tickets: async () => {
    await throughput();
    await forwardLatency();
  },
  'tickets:throughput': throughput,
  'tickets:forward': forwardLatency,
};
