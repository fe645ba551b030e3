/**
 * What a start needs beyond the configuration: in production (`HOTLINE_ENV=production`) the
 * server refuses to start while anything of the demo is left (the demo password on an enabled
 * account, the demo seed, the development SMS or mail outbox, a default or empty secret) or an active
 * agency's webhook is plain http, naming every problem at once; and on a first start with no account at all, an admin is created with a
 * one-time password printed once on standard output.
 */
import { and, asc, count, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { WatchdogHealth } from '../ivr/watchdog-health.ts';
import { verifyPassword } from './auth/password.ts';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import { agencies, users } from './db/schema.ts';
import { DEMO_PASSWORD } from './db/seed.ts';
import { clientsWithDemoKey, DEMO_API_KEY } from './open311/clients.ts';
import { createAccountService } from './users/service.ts';

/** Secrets that ship in examples, tutorials and vendors' defaults (Asterisk, FreePBX) or this project's demo. */
const KNOWN_DEFAULT_SECRETS = new Set([
  'asterisk',
  'amp111',
  'manager',
  'admin',
  'password',
  'secret',
  'changeme',
  'change-me',
  'default',
  'test',
  'hotline',
  '123456',
  '12345678',
  DEMO_PASSWORD,
]);

/** Each problem in Vietnamese, then in English, so whoever runs the server can act on it. */
export class ProductionRefusedError extends Error {
  constructor(readonly problems: string[]) {
    super(
      [
        'Không khởi động ở chế độ production (HOTLINE_ENV=production) vì / Refusing to start in production because:',
        ...problems.map((p) => `  - ${p}`),
      ].join('\n'),
    );
    this.name = 'ProductionRefusedError';
  }
}

function isWeakSecret(value: string | null | undefined): boolean {
  return !value || KNOWN_DEFAULT_SECRETS.has(value.trim().toLowerCase());
}

/** Problems found in the configuration alone. */
export function configProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.seedDemo) {
    problems.push(
      'HOTLINE_SEED_DEMO=true tạo các tài khoản demo với mật khẩu công khai / creates demo accounts with a published password: set HOTLINE_SEED_DEMO=false.',
    );
  }
  if (config.sms.driver === 'outbox' && !config.sms.allowOutboxInProduction) {
    problems.push(
      'SMS đang dùng hộp thư thử nghiệm, người dân không nhận được tin / SMS use the development outbox and citizens get nothing: set HOTLINE_SMS_DRIVER=http (with HOTLINE_SMS_URL, HOTLINE_SMS_TOKEN), or HOTLINE_ALLOW_OUTBOX_SMS=true to accept it.',
    );
  }
  if (config.mail.driver === 'outbox' && !config.mail.allowOutboxInProduction) {
    problems.push(
      'Thư báo cáo định kỳ đang dùng hộp thư thử nghiệm, tổ theo dõi không nhận được / scheduled report mails use the development outbox and the monitoring team gets nothing: set HOTLINE_MAIL_DRIVER=smtp (with HOTLINE_SMTP_URL), or HOTLINE_ALLOW_OUTBOX_MAIL=true to accept it.',
    );
  }
  if (config.ari.enabled && !config.sipWsUrl.startsWith('wss:')) {
    problems.push(
      'HOTLINE_SIP_WS_URL không phải wss://: trình duyệt chỉ mở micrô trên trang HTTPS, và trang HTTPS không mở được ws:// / is not wss://: browsers open the microphone only on HTTPS pages, which cannot open ws://. Put the shipped reverse proxy in front (deploy/) and set HOTLINE_SIP_WS_URL=wss://<host>/ws.',
    );
  }
  const secrets: [string, string | null | undefined][] = [];
  if (config.ari.enabled) secrets.push(['HOTLINE_ARI_PASSWORD', config.ari.password]);
  if (config.ami) secrets.push(['HOTLINE_AMI_PASSWORD', config.ami.password]);
  if (config.sms.driver === 'http') secrets.push(['HOTLINE_SMS_TOKEN', config.sms.token]);
  if (config.turn) secrets.push(['HOTLINE_TURN_SECRET', config.turn.secret]);
  if (config.zalo) {
    // Without the OA secret key the webhook cannot tell Zalo's events from forged ones.
    secrets.push(['HOTLINE_ZALO_OA_SECRET', config.zalo.oaSecret]);
    secrets.push(['HOTLINE_ZALO_APP_SECRET', config.zalo.appSecret]);
  }
  const smtp = config.mail.driver === 'smtp' && config.mail.smtpUrl ? new URL(config.mail.smtpUrl) : null;
  if (smtp?.password)
    secrets.push(['HOTLINE_SMTP_URL (mật khẩu / password)', decodeURIComponent(smtp.password)]);
  for (const [name, value] of secrets) {
    if (isWeakSecret(value)) {
      problems.push(
        `${name} để trống hoặc là giá trị mặc định ai cũng biết / is empty or a well-known default: set a long random secret.`,
      );
    }
  }
  return problems;
}

/** Usernames of enabled accounts whose password is still the demo one. */
export async function accountsWithDemoPassword(db: Db): Promise<string[]> {
  const rows = db
    .select({ username: users.username, passwordHash: users.passwordHash })
    .from(users)
    .where(isNull(users.disabledAt))
    .all();
  // The demo seed hashes once for every account: one (slow) verification per distinct hash.
  const byHash = new Map<string, string[]>();
  for (const row of rows)
    byHash.set(row.passwordHash, [...(byHash.get(row.passwordHash) ?? []), row.username]);
  const found: string[] = [];
  for (const [hash, usernames] of byHash) {
    if (await verifyPassword(hash, DEMO_PASSWORD)) found.push(...usernames);
  }
  return found.sort();
}

/** Active agencies whose webhook is not `https:` (tickets carry personal data), by code. */
export function agenciesWithoutHttps(db: Db): { code: string; forwardUrl: string }[] {
  return db
    .select({ code: agencies.code, forwardUrl: agencies.forwardUrl })
    .from(agencies)
    .where(and(eq(agencies.active, true), isNotNull(agencies.forwardUrl)))
    .orderBy(asc(agencies.code))
    .all()
    .flatMap((a) =>
      a.forwardUrl && !a.forwardUrl.toLowerCase().startsWith('https:')
        ? [{ code: a.code, forwardUrl: a.forwardUrl }]
        : [],
    );
}

/** Every reason production must not start; empty when it may. */
export async function productionProblems(db: Db, config: Config): Promise<string[]> {
  const problems = configProblems(config);
  const plain = agenciesWithoutHttps(db);
  if (plain.length > 0) {
    problems.push(
      `${plain.length} cơ quan nhận phiếu qua http (không mã hóa) / agencies receive tickets over plain http: ${plain.map((a) => `${a.code} (${a.forwardUrl})`).join(', ')}. Đổi địa chỉ sang https:// trên trang quản trị cơ quan / switch their forward URL to https:// on the agency admin page.`,
    );
  }
  const demoApps = clientsWithDemoKey(db);
  if (demoApps.length > 0) {
    problems.push(
      `Ứng dụng Open311 còn dùng api_key demo ${DEMO_API_KEY} / Open311 apps still hold the published demo api_key: ${demoApps.join(', ')}. Đổi khóa hoặc ngừng ứng dụng trên trang Ứng dụng kết nối / rotate its key or deactivate it on the admin page (/admin-open311.html).`,
    );
  }
  const demo = await accountsWithDemoPassword(db);
  if (demo.length > 0) {
    problems.push(
      `${demo.length} tài khoản còn dùng mật khẩu demo ${DEMO_PASSWORD} / accounts still use the demo password: ${demo.join(', ')}. Đặt lại mật khẩu hoặc khóa các tài khoản này / reset their passwords or disable them.`,
    );
  }
  return problems;
}

/** Throws `ProductionRefusedError` in production while any problem remains; nothing in development. */
export async function refuseUnsafeProduction(db: Db, config: Config): Promise<void> {
  if (config.environment !== 'production') return;
  const problems = await productionProblems(db, config);
  if (problems.length > 0) throw new ProductionRefusedError(problems);
}

export const FIRST_ADMIN_USERNAME = 'quantri';

/**
 * On a database without any account, creates the admin `quantri` with a one-time password
 * (audited as the system's doing) and prints it once, on a line of its own, through `print`
 * (standard output by default; never the log). Returns it, or null when accounts exist.
 */
export async function createFirstAdmin(
  db: Db,
  deps: { logger: Logger; print?: (line: string) => void; now?: () => Date },
): Promise<{ username: string; oneTimePassword: string } | null> {
  const existing = db.select({ n: count() }).from(users).get()?.n ?? 0;
  if (existing > 0) return null;
  const accounts = createAccountService({ db, logger: deps.logger, ...(deps.now ? { now: deps.now } : {}) });
  const { oneTimePassword } = await accounts.create(null, {
    username: FIRST_ADMIN_USERNAME,
    displayName: 'Quản trị hệ thống',
    role: 'admin',
  });
  const print = deps.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  print(
    `Tài khoản quản trị đầu tiên / first admin account: ${FIRST_ADMIN_USERNAME} — mật khẩu một lần / one-time password: ${oneTimePassword} (đổi ngay khi đăng nhập / change it at first login)`,
  );
  deps.logger.info(
    { username: FIRST_ADMIN_USERNAME },
    'first admin account created; its one-time password was printed',
  );
  return { username: FIRST_ADMIN_USERNAME, oneTimePassword };
}

/** How long after a start production waits for a watchdog's beat before it warns. */
export const WATCHDOG_GRACE_MS = 20_000;

/**
 * In production, a start with no watchdog seen (`/api/health`'s `watchdog.state` not `up`) after
 * `graceMs` is logged as a warning: without it, callers the controller leaves are moved to the
 * fallback queue by nobody (run `hotline-1022-watchdog.service`).
 */
export function warnWithoutWatchdog(
  health: () => WatchdogHealth,
  logger: Logger,
  graceMs: number = WATCHDOG_GRACE_MS,
): { stop(): void } {
  const timer = setTimeout(() => {
    const seen = health();
    if (seen.state !== 'up')
      logger.warn(
        { watchdog: seen },
        'no watchdog seen: callers are not moved to the fallback queue if the controller stops',
      );
  }, graceMs);
  timer.unref();
  return { stop: () => clearTimeout(timer) };
}
