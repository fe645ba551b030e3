/**
 * A citizen checks their request by phone, on the real parts: a ticket filed for their number is
 * taken through its life cycle to `resolved` (operator, agency liaison, supervisor); sipp dials
 * 1022 on a real Asterisk, presses 9 while the menu plays, keys the tracking code and #; the
 * hotline reads "resolved", texts the result to the caller's number, says goodbye and hangs up.
 *
 * Runs inside the network namespace that scripts/e2e.sh creates, like the other e2e tests.
 */
import { and, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import type { AuthUser } from '../../server/auth/service.ts';
import type { Db } from '../../server/db/index.ts';
import { smsMessages, users } from '../../server/db/schema.ts';
import { smsTexts } from '../../server/sms/texts.ts';
import { createTicketService } from '../../server/tickets/service.ts';
import { type E2eHotline, startE2eHotline, type Telephony } from '../support/e2e.ts';

const CALLER = '0912000111';
const RESULT = 'Trạm y tế phường đã cử đội phun thuốc diệt muỗi tại khu phố 3 ngày 03/6.';
const sound = (name: string) => `sound:hotline/vi/${name}`;

let env: E2eHotline;
let phone: Telephony;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'lookup', telephony: true });
  phone = env.telephony!;
});

afterAll(() => env?.close());

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
      unitCode: '26068', // Phường Biên Hòa
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

describe('a citizen checks a resolved request by phone', () => {
  it('hears it is resolved, gets the result by SMS, and the hotline hangs up cleanly', async () => {
    const code = resolvedTicket(env.hotline.db);
    expect(code).toMatch(/^\d{9}$/);

    const result = await placeCitizenCall({
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
      callerNumber: CALLER,
      // 9 during the menu prompt (type-ahead), then the code and # while "enter your code" plays.
      keys: `9${code}#`,
      firstKeyDelayMs: 6_000,
      keyDelayMs: 400,
      hangup: 'hotline',
      // The status (≈ 10 s of prompts), 5 s to press *, then goodbye (≈ 6 s).
      holdMs: 40_000,
    });
    const citizen = phone.observer.channel((c) => c.caller?.number === CALLER);
    const seen = `Asterisk got keys "${citizen.digits}", played ${citizen.media.join(' ')}`;
    expect(result.exitCode, `${result.errors}\n${seen}`).toBe(0);

    // Asterisk got every key once, in order, and the caller heard exactly this (the hotline's
    // BYE, which sipp required, came after goodbye).
    expect(citizen.digits).toBe(`9${code}#`);
    expect(citizen.media).toEqual(
      ['config-welcome', 'menu-main', 'enterCode', 'statusResolved', 'smsSent', 'backToMenu', 'goodbye'].map(
        sound,
      ),
    );

    const texts = env.hotline.db
      .select()
      .from(smsMessages)
      .where(and(eq(smsMessages.to, CALLER), eq(smsMessages.event, 'status_lookup')))
      .all();
    expect(texts).toHaveLength(1);
    expect(texts[0]?.body).toBe(smsTexts.statusLookup(code, RESULT));

    // The hotline hung up; nothing is left behind in Asterisk but the empty queue bridges.
    await phone.waitUntilClean(10_000);
  });
});
