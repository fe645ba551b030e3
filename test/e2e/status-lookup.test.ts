/**
 * A citizen checks their request by phone, on the real parts: a ticket filed for their number is
 * taken through its life cycle to `resolved` (operator, agency liaison, supervisor); sipp dials
 * 1022 on a real Asterisk, presses 9 while the menu plays, keys the tracking code and #; the
 * hotline reads "resolved", texts the result to the caller's number, says goodbye and hangs up.
 *
 * Runs inside the network namespace that scripts/e2e.sh creates, like the other e2e tests.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../common/domain.ts';
import { STASIS_APP } from '../../ivr/constants.ts';
import { queueBridgeId } from '../../ivr/stasis.ts';
import { DEFAULT_ASTERISK_ROOT, type RunningAsterisk, startAsterisk } from '../../scripts/lib/asterisk.ts';
import { freePort, waitFor } from '../../scripts/lib/ports.ts';
import { type RunningRedis, startRedis } from '../../scripts/lib/redis.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import type { AuthUser } from '../../server/auth/service.ts';
import { loadConfig } from '../../server/config.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { smsMessages, users } from '../../server/db/schema.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { startHotline } from '../../server/main.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import { smsTexts } from '../../server/sms/texts.ts';
import { createTicketService } from '../../server/tickets/service.ts';
import { type AriObserver, observeAri } from '../support/ari-observer.ts';

const CALLER = '0912000111';
const RESULT = 'Trạm y tế phường đã cử đội phun thuốc diệt muỗi tại khu phố 3 ngày 03/6.';
const sound = (name: string) => `sound:hotline/vi/${name}`;

let redis: RunningRedis;
let asterisk: RunningAsterisk;
let hotline: Awaited<ReturnType<typeof startHotline>>;
let observer: AriObserver;
const workDir = mkdtempSync(join(tmpdir(), 'hotline-e2e-'));

beforeAll(async () => {
  redis = await startRedis();
  const dbPath = join(workDir, 'hotline.sqlite');
  const db = openDatabase(dbPath);
  await seedDemo(db, { agencyUrl: null });
  const operators = sipAccounts(db);
  db.$client.close();
  asterisk = await startAsterisk({
    root: process.env.HOTLINE_ASTERISK_ROOT ?? DEFAULT_ASTERISK_ROOT,
    instance: `e2e-lookup-${process.pid}`,
    sipPort: await freePort(),
    httpPort: await freePort(),
    amiPort: await freePort(),
    rtpStart: 30000,
    rtpEnd: 30200,
    operators,
    logFile: join(workDir, 'asterisk.log'),
  });
  observer = await observeAri(asterisk.ariUrl, asterisk.ari);
  hotline = await startHotline(
    loadConfig({
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_DB_PATH: dbPath,
      HOTLINE_REDIS_URL: redis.url,
      HOTLINE_QUEUE_PREFIX: `e2e-lookup-${process.pid}`,
      HOTLINE_ARI_URL: asterisk.ariUrl,
      HOTLINE_ARI_USERNAME: asterisk.ari.username,
      HOTLINE_ARI_PASSWORD: asterisk.ari.password,
      HOTLINE_SIP_WS_URL: asterisk.sipWsUrl,
      LOG_LEVEL: 'warn',
    }),
  );
});

afterAll(async () => {
  await hotline?.close();
  observer?.close();
  await asterisk?.stop();
  await redis?.stop();
});

function user(db: Db, username: string): AuthUser {
  const { passwordHash: _hash, ...rest } = db.select().from(users).where(eq(users.username, username)).get()!;
  return rest;
}

/** A health request filed for CALLER, forwarded to Sở Y tế, answered by it and approved. */
function resolvedTicket(db: Db): string {
  const tickets = createTicketService({ db, logger: pino({ level: 'silent' }) });
  const filed = tickets.create(
    {
      callerNumber: CALLER,
      category: 'health',
      district: 'bien_hoa',
      description: 'Nhiều ca sốt xuất huyết ở khu phố 3, đề nghị phun thuốc diệt muỗi.',
    },
    user(db, 'tdv01'),
  );
  const liaison = user(db, filed.agency.code);
  tickets.act(filed.id, { action: 'acknowledge' }, liaison);
  tickets.act(filed.id, { action: 'post_result', text: RESULT }, liaison);
  const done = tickets.act(filed.id, { action: 'approve' }, user(db, 'giamsat'));
  expect(done.status).toBe('resolved');
  return done.trackingCode;
}

const ariGet = async (path: string) => {
  const auth = Buffer.from(`${asterisk.ari.username}:${asterisk.ari.password}`).toString('base64');
  const res = await fetch(`${asterisk.ariUrl}/ari${path}`, { headers: { authorization: `Basic ${auth}` } });
  expect(res.ok, `GET ${path} → ${res.status}`).toBe(true);
  return res.json();
};

describe('a citizen checks a resolved request by phone', () => {
  it('hears it is resolved, gets the result by SMS, and the hotline hangs up cleanly', async () => {
    const code = resolvedTicket(hotline.db);
    expect(code).toMatch(/^\d{9}$/);
    // The controller connects in the background; until then calls go to the dialplan fallback.
    await waitFor(
      'the hotline Stasis application is registered',
      async () => ((await ariGet('/applications')) as { name: string }[]).some((a) => a.name === STASIS_APP),
      15_000,
    );

    const result = await placeCitizenCall({
      target: `127.0.0.1:${asterisk.sipPort}`,
      callerNumber: CALLER,
      // 9 during the menu prompt (type-ahead), then the code and # while "enter your code" plays.
      keys: `9${code}#`,
      firstKeyDelayMs: 6_000,
      keyDelayMs: 400,
      hangup: 'hotline',
      // The status (≈ 10 s of prompts), 5 s to press *, then goodbye (≈ 6 s).
      holdMs: 40_000,
    });
    const citizen = observer.channel((c) => c.caller?.number === CALLER);
    const seen = `Asterisk got keys "${citizen.digits}", played ${citizen.media.join(' ')}`;
    expect(result.exitCode, `${result.errors}\n${seen}`).toBe(0);

    // Asterisk got every key once, in order, and the caller heard exactly this (the hotline's
    // BYE, which sipp required, came after goodbye).
    expect(citizen.digits).toBe(`9${code}#`);
    expect(citizen.media).toEqual(
      ['welcome', 'menu', 'enterCode', 'statusResolved', 'smsSent', 'backToMenu', 'goodbye'].map(sound),
    );

    const texts = hotline.db
      .select()
      .from(smsMessages)
      .where(and(eq(smsMessages.to, CALLER), eq(smsMessages.event, 'status_lookup')))
      .all();
    expect(texts).toHaveLength(1);
    expect(texts[0]?.body).toBe(smsTexts.statusLookup(code, RESULT));

    // The hotline hung up; nothing is left behind in Asterisk but the empty queue bridges.
    const queueBridges = QUEUE_NAMES.map(queueBridgeId).sort().join();
    await waitFor(
      'no channels and no bridges left but the empty queue bridges',
      async () => {
        const left = (await ariGet('/channels')) as unknown[];
        const bridges = (await ariGet('/bridges')) as { id: string; channels: string[] }[];
        const ids = bridges
          .map((b) => b.id)
          .sort()
          .join();
        return left.length === 0 && ids === queueBridges && bridges.every((b) => b.channels.length === 0);
      },
      10_000,
    );
  });
});
