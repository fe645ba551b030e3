/**
 * Demo data: operators, a supervisor, an admin, agency liaisons, agencies and routing defaults.
 * Idempotent: existing rows are kept (so changed passwords survive a restart); only agencies'
 * forward URLs follow `agencyUrl`, because the demo agency receiver may move between runs.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Category, District, QueueName, Role } from '../../common/domain.ts';
import { QUEUE_NAMES } from '../../common/domain.ts';
import { hashPassword } from '../auth/password.ts';
import type { Db } from './index.ts';
import { agencies, routing, routingDistricts, users } from './schema.ts';

export const DEMO_PASSWORD = '1022demo';

export interface DemoLogins {
  password: string;
  accounts: { username: string; displayName: string; role: Role }[];
}

interface DemoAgency {
  code: string;
  name: string;
}

const DEMO_AGENCIES: DemoAgency[] = [
  { code: 'syt', name: 'Sở Y tế' },
  { code: 'sldtbxh', name: 'Sở Lao động - Thương binh và Xã hội' },
  { code: 'sct', name: 'Sở Công Thương' },
  { code: 'sxd', name: 'Sở Xây dựng (hạ tầng đô thị)' },
  { code: 'vpubnd', name: 'Văn phòng UBND tỉnh' },
  { code: 'bhxh', name: 'Bảo hiểm xã hội tỉnh' },
  { code: 'ubnd-bien-hoa', name: 'UBND thành phố Biên Hòa' },
  { code: 'ubnd-long-khanh', name: 'UBND thành phố Long Khánh' },
];

const DEFAULT_ROUTING: Record<Category, string> = {
  health: 'syt',
  welfare: 'sldtbxh',
  goods: 'sct',
  infrastructure: 'sxd',
  public_services: 'vpubnd',
  policy: 'vpubnd',
  other: 'vpubnd',
};

const DISTRICT_ROUTING: { category: Category; district: District; agency: string }[] = [
  { category: 'infrastructure', district: 'bien_hoa', agency: 'ubnd-bien-hoa' },
  { category: 'infrastructure', district: 'long_khanh', agency: 'ubnd-long-khanh' },
];

interface DemoUser {
  username: string;
  displayName: string;
  role: Role;
  skills: QueueName[];
  agency?: string;
}

const DEMO_USERS: DemoUser[] = [
  { username: 'tdv01', displayName: 'Nguyễn Thị Hoa', role: 'operator', skills: ['health', 'general'] },
  { username: 'tdv02', displayName: 'Trần Văn Minh', role: 'operator', skills: ['welfare', 'general'] },
  { username: 'tdv03', displayName: 'Lê Thị Thu', role: 'operator', skills: ['goods', 'general'] },
  { username: 'tdv04', displayName: 'Phạm Quốc Bảo', role: 'operator', skills: [...QUEUE_NAMES] },
  { username: 'giamsat', displayName: 'Võ Thị Hạnh', role: 'supervisor', skills: [...QUEUE_NAMES] },
  { username: 'quantri', displayName: 'Đỗ Văn Hùng', role: 'admin', skills: [] },
  { username: 'syt', displayName: 'Huỳnh Thị Mai (Sở Y tế)', role: 'agency', skills: [], agency: 'syt' },
  {
    username: 'sldtbxh',
    displayName: 'Bùi Văn Tâm (Sở LĐ-TBXH)',
    role: 'agency',
    skills: [],
    agency: 'sldtbxh',
  },
  {
    username: 'sct',
    displayName: 'Đặng Thị Ngọc (Sở Công Thương)',
    role: 'agency',
    skills: [],
    agency: 'sct',
  },
];

/** A fresh random secret: SIP passwords and agencies' HMAC keys. */
export function randomSecret(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}

function hasSoftphone(role: Role): boolean {
  return role === 'operator' || role === 'supervisor';
}

export async function seedDemo(db: Db, opts: { agencyUrl: string | null }): Promise<DemoLogins> {
  const base = opts.agencyUrl?.replace(/\/+$/, '') ?? null;
  const agencyIds = new Map<string, number>();
  for (const agency of DEMO_AGENCIES) {
    const forwardUrl = base === null ? null : `${base}/${agency.code}`;
    const row = db
      .insert(agencies)
      .values({ code: agency.code, name: agency.name, forwardUrl, forwardSecret: randomSecret(32) })
      .onConflictDoUpdate({ target: agencies.code, set: { forwardUrl } })
      .returning({ id: agencies.id })
      .get();
    agencyIds.set(agency.code, row.id);
  }
  const agencyId = (code: string): number => {
    const id = agencyIds.get(code);
    if (id === undefined) throw new Error(`demo agency ${code} missing`);
    return id;
  };

  for (const [category, code] of Object.entries(DEFAULT_ROUTING)) {
    db.insert(routing)
      .values({ category: category as Category, agencyId: agencyId(code) })
      .onConflictDoNothing()
      .run();
  }
  for (const rule of DISTRICT_ROUTING) {
    db.insert(routingDistricts)
      .values({ category: rule.category, district: rule.district, agencyId: agencyId(rule.agency) })
      .onConflictDoNothing()
      .run();
  }

  const existing = new Set(
    db
      .select({ username: users.username })
      .from(users)
      .all()
      .map((u) => u.username),
  );
  const missing = DEMO_USERS.filter((u) => !existing.has(u.username));
  // Every demo account shares the published demo password, so one (slow, by design) hash serves all.
  const passwordHash = missing.length > 0 ? await hashPassword(DEMO_PASSWORD) : '';
  const now = new Date();
  for (const user of missing) {
    db.insert(users)
      .values({
        username: user.username,
        displayName: user.displayName,
        role: user.role,
        passwordHash,
        skills: user.skills,
        agencyId: user.agency === undefined ? null : agencyId(user.agency),
        sipPassword: hasSoftphone(user.role) ? randomSecret() : null,
        createdAt: now,
      })
      .onConflictDoNothing()
      .run();
  }
  for (const user of DEMO_USERS.filter((u) => hasSoftphone(u.role))) {
    db.update(users)
      .set({ sipPassword: randomSecret() })
      .where(and(eq(users.username, user.username), isNull(users.sipPassword)))
      .run();
  }

  return {
    password: DEMO_PASSWORD,
    accounts: DEMO_USERS.map(({ username, displayName, role }) => ({ username, displayName, role })),
  };
}
