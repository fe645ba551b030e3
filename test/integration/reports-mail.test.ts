/**
 * The scheduled summaries by email: a real SQLite file opened by two "server processes", a real
 * SMTP listener (smtp-server on 127.0.0.1, port 0) receiving the workbook, exactly once; retries
 * with backoff; the development outbox and the admin's list; production's refusal of the outbox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ListResponse, ReportMailView, ReportScheduleSettings } from '../../common/api.ts';
import { loadConfig } from '../../server/config.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { reportMails, users } from '../../server/db/schema.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { configProblems } from '../../server/production.ts';
import {
  type ReportMailDeps,
  runReportMails,
  startReportMailRunner,
} from '../../server/reports/mail-runner.ts';
import {
  createMailTransport,
  createOutboxTransport,
  createSmtpTransport,
  type MailTransport,
} from '../../server/reports/mail-transport.ts';
import { runRetention } from '../../server/retention/service.ts';
import { settingsStore } from '../../server/settings/service.ts';
import { L, seedReportRecords } from './reports-fixture.ts';
import { buildFixture } from './server-fixture.ts';

const logger = pino({ level: 'silent' });
const RECIPIENTS = ['giamsat@dongnai.gov.vn', 'theodoi@dongnai.gov.vn'];
const SCHEDULE: ReportScheduleSettings = {
  recipients: RECIPIENTS,
  daily: true,
  weekly: true,
  sendAt: '07:30',
};

/** A real SMTP listener; `failNext` makes it refuse that many messages with a 451. */
class Relay {
  readonly received: { from: string; to: string[]; raw: string }[] = [];
  failNext = 0;
  private server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (this.failNext > 0) {
          this.failNext--;
          const err = Object.assign(new Error('Tạm thời không nhận thư'), { responseCode: 451 });
          callback(err);
          return;
        }
        this.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  url = '';
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
    return this;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ── A small MIME reader for what nodemailer writes: headers, RFC 2047 words, parts ──

function headers(block: string): Map<string, string> {
  const unfolded = block.replace(/\r\n[ \t]+/g, ' ');
  const map = new Map<string, string>();
  for (const line of unfolded.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) map.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return map;
}

function decodeWords(text: string): string {
  return text
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

function decodeBody(body: string, encoding: string | undefined): Buffer {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    return Buffer.from(
      body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      'latin1',
    );
  }
  return Buffer.from(body, 'utf8');
}

interface ReadMail {
  subject: string;
  messageId: string;
  text: string;
  attachment: { fileName: string; contentType: string; content: Buffer };
}

function readMail(raw: string): ReadMail {
  const split = raw.indexOf('\r\n\r\n');
  const top = headers(raw.slice(0, split));
  const boundary = /boundary="?([^";]+)"?/.exec(top.get('content-type') ?? '')?.[1];
  if (!boundary) throw new Error('not multipart');
  const parts = raw
    .slice(split + 4)
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const p = part.replace(/^\r\n/, '');
      const at = p.indexOf('\r\n\r\n');
      return { headers: headers(p.slice(0, at)), body: p.slice(at + 4).replace(/\r\n$/, '') };
    });
  const text = parts.find((p) => p.headers.get('content-type')?.startsWith('text/plain'));
  const file = parts.find((p) => p.headers.get('content-disposition')?.startsWith('attachment'));
  if (!text || !file) throw new Error('missing text or attachment');
  return {
    subject: decodeWords(top.get('subject') ?? ''),
    messageId: top.get('message-id') ?? '',
    text: decodeBody(text.body, text.headers.get('content-transfer-encoding')).toString('utf8'),
    attachment: {
      fileName: decodeWords(
        /filename="?([^";]+)"?/.exec(file.headers.get('content-disposition') ?? '')?.[1] ?? '',
      ),
      contentType: (file.headers.get('content-type') ?? '').split(';')[0] ?? '',
      content: decodeBody(file.body, file.headers.get('content-transfer-encoding')),
    },
  };
}

async function overviewOf(xlsx: Buffer): Promise<Record<string, unknown[]>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (sheet?.name !== 'Tổng quan') throw new Error('no overview sheet');
  const out: Record<string, unknown[]> = {};
  sheet.eachRow((row, n) => {
    if (n > 1) out[String(row.getCell(1).value)] = [row.getCell(2).value, row.getCell(3).value];
  });
  return out;
}

/** The demo data, the report fixture's records and the schedule, on a fresh database. */
async function prepare(db: Db, schedule: ReportScheduleSettings = SCHEDULE): Promise<void> {
  await seedDemo(db, { agencyUrl: null });
  const id = (username: string) => {
    const u = db.select({ id: users.id, username: users.username }).from(users).all();
    const found = u.find((x) => x.username === username);
    if (!found) throw new Error(`no ${username}`);
    return found.id;
  };
  seedReportRecords(db, { tdv01: id('tdv01'), tdv02: id('tdv02'), tdv03: id('tdv03') });
  settingsStore(db).update('reportSchedule', schedule, id('quantri'), L(1));
}

function deps(db: Db, transport: MailTransport, at: { now: Date }, attempts = 3): ReportMailDeps {
  return {
    db,
    logger,
    now: () => new Date(at.now),
    transport,
    from: 'Tổng đài 1022 <bao-cao@1022.test>',
    policy: { attempts, backoffMs: 60_000, timeoutMs: 5_000 },
    reportOptions: { serviceLevelSeconds: 20, shortAbandonSeconds: 5 },
  };
}

describe('through a real SMTP relay, from two server processes', () => {
  let dir: string;
  let relay: Relay;
  let first: Db;
  let second: Db;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-mails-'));
    const path = join(dir, 'hotline.sqlite');
    first = openDatabase(path);
    second = openDatabase(path);
    await prepare(first);
    relay = await new Relay().start();
  });
  afterAll(async () => {
    await relay.close();
    first.$client.close();
    second.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends nothing before the time of day', async () => {
    const at = { now: L(3, 7, 29) };
    const transport = createSmtpTransport({ url: relay.url, timeoutMs: 5000 });
    await Promise.all([
      runReportMails(deps(first, transport, at)),
      runReportMails(deps(second, transport, at)),
    ]);
    expect(relay.received).toHaveLength(0);
    expect(first.select().from(reportMails).all()).toHaveLength(0);
  });

  it("sends yesterday's summary once, with the workbook, the period and the headline figures", async () => {
    // Thursday 3 December, 07:30: the summary of Wednesday 2 December.
    const at = { now: L(3, 7, 30) };
    const transport = createSmtpTransport({ url: relay.url, timeoutMs: 5000 });
    await Promise.all([
      runReportMails(deps(first, transport, at)),
      runReportMails(deps(second, transport, at)),
    ]);
    expect(relay.received).toHaveLength(1);
    const envelope = relay.received[0]!;
    expect(envelope.to.sort()).toEqual([...RECIPIENTS].sort());
    expect(envelope.from).toBe('bao-cao@1022.test');

    const mail = readMail(envelope.raw);
    expect(mail.subject).toBe(
      'Tổng đài 1022 – Báo cáo ngày 02/12/2026: 2 cuộc gọi, trả lời 1, mức phục vụ 100,0%',
    );
    expect(mail.text).toContain('Tổng đài 1022 gửi báo cáo tổng hợp ngày 02/12/2026');
    expect(mail.text).toContain('- Vào hàng chờ: 2');
    expect(mail.text).toContain('- Mức phục vụ (trả lời trong 20 giây): 100,0%');
    // Created on 2 Dec: t3, t6; resolved: t1 on time, t2 late; overdue at its end: t3, t4, t5.
    expect(mail.text).toContain('- Tiếp nhận: 2');
    expect(mail.text).toContain('- Đã giải quyết: 2, trong đó đúng hạn 1 (50,0%)');
    expect(mail.text).toContain('- Quá hạn cuối kỳ: 3');
    expect(mail.attachment.fileName).toBe('bao-cao-tong-hop-2026-12-02-2026-12-02.xlsx');
    expect(mail.attachment.contentType).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(await overviewOf(mail.attachment.content)).toMatchObject({
      'Cuộc gọi vào hàng chờ': [2, null],
      'Đã trả lời': [1, 0.5],
      'Mức phục vụ': [null, 1],
      'Phiếu tiếp nhận': [2, null],
      'Phiếu quá hạn cuối kỳ': [3, null],
    });

    const rows = second.select().from(reportMails).all();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'daily',
      periodFrom: '2026-12-02',
      periodTo: '2026-12-02',
      recipients: RECIPIENTS,
      status: 'sent',
      attempts: 1,
      lastError: null,
      providerMessageId: mail.messageId,
      fileName: 'bao-cao-tong-hop-2026-12-02-2026-12-02.xlsx',
    });
    // The stored file is the one sent.
    expect(Buffer.compare(rows[0]!.file, mail.attachment.content)).toBe(0);
  });

  it('sends nothing more that day: later passes, a restarted runner, the other process', async () => {
    const at = { now: L(3, 18) };
    const transport = createSmtpTransport({ url: relay.url, timeoutMs: 5000 });
    await Promise.all([
      runReportMails(deps(first, transport, at)),
      runReportMails(deps(second, transport, at)),
    ]);
    const restarted = startReportMailRunner({ ...deps(second, transport, at), firstRunAfterMs: 0 });
    await restarted.runNow();
    await restarted.stop();
    expect(relay.received).toHaveLength(1);
  });

  it("on Monday sends yesterday's and last week's summaries", async () => {
    const at = { now: L(7, 8) };
    const transport = createSmtpTransport({ url: relay.url, timeoutMs: 5000 });
    await Promise.all([
      runReportMails(deps(first, transport, at)),
      runReportMails(deps(second, transport, at)),
    ]);
    expect(relay.received).toHaveLength(3);
    const subjects = relay.received.slice(1).map((m) => readMail(m.raw).subject);
    // The week 30 Nov – 6 Dec also has the call 10 s before 1 Dec and the one at 00:00 on 3 Dec.
    expect(subjects.sort()).toEqual(
      [
        'Tổng đài 1022 – Báo cáo ngày 06/12/2026: 0 cuộc gọi, trả lời 0, mức phục vụ —',
        'Tổng đài 1022 – Báo cáo tuần 30/11/2026 – 06/12/2026: 9 cuộc gọi, trả lời 6, mức phục vụ 71,4%',
      ].sort(),
    );
    const weekly = relay.received.map((m) => readMail(m.raw)).find((m) => m.subject.includes('tuần'));
    expect(weekly?.attachment.fileName).toBe('bao-cao-tong-hop-2026-11-30-2026-12-06.xlsx');
  });
});

describe('retries', () => {
  let relay: Relay;
  let db: Db;
  beforeAll(async () => {
    relay = await new Relay().start();
  });
  afterEach(() => {
    db?.$client.close();
  });
  afterAll(async () => {
    await relay.close();
  });

  it('tries again after a doubling delay, until the relay takes it', async () => {
    db = openDatabase(':memory:');
    await prepare(db, { ...SCHEDULE, weekly: false });
    relay.failNext = 2;
    const at = { now: L(3, 7, 30) };
    const d = deps(db, createSmtpTransport({ url: relay.url, timeoutMs: 5000 }), at, 5);
    const row = () => db.select().from(reportMails).get();

    await runReportMails(d);
    expect(row()).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAttemptAt: new Date(L(3, 7, 31).getTime()),
    });
    expect(row()?.lastError).toMatch(/451/);
    // Not before its time.
    at.now = new Date(L(3, 7, 30, 59).getTime());
    await runReportMails(d);
    expect(row()?.attempts).toBe(1);
    at.now = L(3, 7, 31);
    await runReportMails(d);
    // Second failure: two minutes.
    expect(row()).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: L(3, 7, 33) });
    at.now = L(3, 7, 33);
    await runReportMails(d);
    expect(row()).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
    expect(relay.received).toHaveLength(1);
  });

  it('gives up after the last attempt', async () => {
    db = openDatabase(':memory:');
    await prepare(db, { ...SCHEDULE, weekly: false });
    const at = { now: L(3, 7, 30) };
    // Nothing listens on port 9 of loopback.
    const d = deps(db, createSmtpTransport({ url: 'smtp://127.0.0.1:9', timeoutMs: 2000 }), at, 2);
    await runReportMails(d);
    at.now = L(3, 7, 31);
    await runReportMails(d);
    expect(db.select().from(reportMails).get()).toMatchObject({
      status: 'failed',
      attempts: 2,
      nextAttemptAt: null,
    });
    at.now = L(3, 9);
    await runReportMails(d);
    expect(db.select().from(reportMails).get()?.attempts).toBe(2);
  });
});

describe("the development outbox and the admin's list", () => {
  it('stores the summary as sent without mailing it, lists it for admins and serves its file', async () => {
    const at = { now: L(3, 7, 45) };
    const fx = await buildFixture({ now: () => at.now });
    try {
      settingsStore(fx.db).update('reportSchedule', SCHEDULE, fx.userId('quantri'), L(1));
      const transport = createMailTransport({ driver: 'outbox', smtpUrl: null, timeoutMs: 1000 });
      expect(transport.driver).toBe('outbox');
      await runReportMails(deps(fx.db, transport, at));

      const admin = await fx.session('quantri');
      const res = await fx.app.inject({ url: '/api/reports/mails', headers: admin });
      expect(res.statusCode).toBe(200);
      const [mail, ...rest] = res.json<ListResponse<ReportMailView>>().data;
      expect(rest).toHaveLength(0);
      expect(mail).toMatchObject({
        kind: 'daily',
        periodFrom: '2026-12-02',
        periodTo: '2026-12-02',
        recipients: RECIPIENTS,
        status: 'sent',
        attempts: 1,
        providerMessageId: `outbox:${mail?.id}`,
        fileName: 'bao-cao-tong-hop-2026-12-02-2026-12-02.xlsx',
        sentAt: L(3, 7, 45).toISOString(),
      });
      expect(mail?.subject).toContain('Báo cáo ngày 02/12/2026');
      expect(mail).not.toHaveProperty('file');

      const file = await fx.app.inject({ url: `/api/reports/mails/${mail?.id}/file`, headers: admin });
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-disposition']).toBe(
        'attachment; filename="bao-cao-tong-hop-2026-12-02-2026-12-02.xlsx"',
      );
      expect(file.rawPayload.length).toBe(mail?.fileSize);
      expect(await overviewOf(file.rawPayload)).toHaveProperty('Cuộc gọi vào hàng chờ');

      expect((await fx.app.inject({ url: '/api/reports/mails/999/file', headers: admin })).statusCode).toBe(
        404,
      );
      for (const who of ['giamsat', 'tdv01']) {
        const headers = await fx.session(who);
        expect((await fx.app.inject({ url: '/api/reports/mails', headers })).statusCode).toBe(403);
        expect(
          (await fx.app.inject({ url: `/api/reports/mails/${mail?.id}/file`, headers })).statusCode,
        ).toBe(403);
      }
    } finally {
      await fx.close();
    }
  });

  it('sends nothing while the schedule is off', async () => {
    const fx = await buildFixture({ now: () => L(3, 9) });
    try {
      const transport: MailTransport = createOutboxTransport();
      await runReportMails(deps(fx.db, transport, { now: L(3, 9) }));
      expect(fx.db.select().from(reportMails).all()).toHaveLength(0);
    } finally {
      await fx.close();
    }
  });
});

describe('configuration', () => {
  const production = (extra: Record<string, string>) =>
    loadConfig({
      HOTLINE_ENV: 'production',
      HOTLINE_ARI_ENABLED: 'false',
      HOTLINE_DB_PATH: ':memory:',
      HOTLINE_SMS_DRIVER: 'http',
      HOTLINE_SMS_URL: 'https://sms.example.vn/send',
      HOTLINE_SMS_TOKEN: 'b7c1f0e2d9a84e1c9b3f5a7d',
      ...extra,
    });

  it('production refuses the mail outbox unless allowed, and a default relay password', () => {
    expect(configProblems(production({})).join('\n')).toContain('HOTLINE_ALLOW_OUTBOX_MAIL=true');
    expect(configProblems(production({ HOTLINE_ALLOW_OUTBOX_MAIL: 'true' }))).toEqual([]);
    expect(
      configProblems(
        production({
          HOTLINE_MAIL_DRIVER: 'smtp',
          HOTLINE_SMTP_URL: 'smtps://bao-cao:r3l%40y-9f2c1d7e@relay.example.vn:465',
        }),
      ),
    ).toEqual([]);
    expect(
      configProblems(
        production({
          HOTLINE_MAIL_DRIVER: 'smtp',
          HOTLINE_SMTP_URL: 'smtps://bao-cao:changeme@relay.example.vn',
        }),
      ).join('\n'),
    ).toContain('HOTLINE_SMTP_URL');
  });

  it('needs an smtp: or smtps: URL with the smtp driver', () => {
    expect(() => loadConfig({ HOTLINE_ARI_ENABLED: 'false', HOTLINE_MAIL_DRIVER: 'smtp' })).toThrow(
      /HOTLINE_SMTP_URL/,
    );
    expect(() =>
      loadConfig({
        HOTLINE_ARI_ENABLED: 'false',
        HOTLINE_MAIL_DRIVER: 'smtp',
        HOTLINE_SMTP_URL: 'http://relay',
      }),
    ).toThrow(/smtp: or smtps:/);
    expect(() => loadConfig({ HOTLINE_ARI_ENABLED: 'false', HOTLINE_MAIL_DRIVER: 'sendmail' })).toThrow(
      /outbox or smtp/,
    );
    const config = loadConfig({ HOTLINE_ARI_ENABLED: 'false' });
    expect(config.mail.driver).toBe('outbox');
    expect(config.shortAbandonSeconds).toBe(5);
  });
});

describe('retention', () => {
  it('deletes the summaries written before the retention period, keeps the others', async () => {
    const db = openDatabase(':memory:');
    try {
      const mail = (periodFrom: string, createdAt: Date) =>
        db
          .insert(reportMails)
          .values({
            kind: 'daily',
            periodFrom,
            periodTo: periodFrom,
            recipients: RECIPIENTS,
            subject: 's',
            body: 'b',
            fileName: 'f.xlsx',
            file: Buffer.from('x'),
            createdAt,
          })
          .run();
      mail('2025-11-30', new Date('2025-12-01T00:30:00Z'));
      mail('2026-11-30', L(1, 7, 30));
      const summary = await runRetention({
        db,
        // No call has a recording to delete.
        recordings: { deleteStoredRecording: async () => true },
        months: 12,
        logger,
        now: () => L(7),
      });
      expect(summary.deleted).toEqual({ reportMails: 1 });
      expect(db.select({ periodFrom: reportMails.periodFrom }).from(reportMails).all()).toEqual([
        { periodFrom: '2026-11-30' },
      ]);
    } finally {
      db.$client.close();
    }
  });
});
