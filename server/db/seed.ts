/**
 * Demo data for Đồng Nai: operators, a supervisor, an admin, the provincial departments and each
 * district's People's Committee as agencies, their liaisons, and a full routing matrix.
 * Idempotent: existing rows are kept (so changed passwords and an admin's routing edits survive
 * a restart); only agencies' forward URLs follow `agencyUrl`, because the demo agency receiver
 * may move between runs, and their kind and district, which are reference data.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import {
  type Category,
  DISTRICT_KEYS,
  DISTRICTS,
  type District,
  QUEUE_NAMES,
  type QueueName,
  type Role,
} from '../../common/domain.ts';
import type { AgencyKind } from '../agencies/schema.ts';
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
  kind: AgencyKind;
  district: District | null;
}

/** Provincial departments and offices. `syt` and the other codes are also the liaisons' usernames. */
const DEPARTMENTS: DemoAgency[] = (
  [
    ['syt', 'Sở Y tế'],
    ['sldtbxh', 'Sở Lao động - Thương binh và Xã hội'],
    ['sct', 'Sở Công Thương'],
    ['stc', 'Sở Tài chính'],
    ['sgtvt', 'Sở Giao thông vận tải'],
    ['stttt', 'Sở Thông tin và Truyền thông'],
    ['bhxh', 'Bảo hiểm xã hội tỉnh'],
    ['cat', 'Công an tỉnh'],
    ['sxd', 'Sở Xây dựng'],
    ['vpubnd', 'Văn phòng UBND tỉnh'],
  ] as const
).map(([code, name]) => ({ code, name, kind: 'department', district: null }));

/** `bien_hoa` → `ubnd-bien-hoa`. */
export function districtCommitteeCode(district: District): string {
  return `ubnd-${district.replaceAll('_', '-')}`;
}

/** "Thành phố Biên Hòa" → "UBND thành phố Biên Hòa", "Huyện Nhơn Trạch" → "UBND huyện Nhơn Trạch". */
function districtCommitteeName(district: District): string {
  const label = DISTRICTS[district];
  return `UBND ${label.charAt(0).toLocaleLowerCase('vi')}${label.slice(1)}`;
}

const DISTRICT_COMMITTEES: DemoAgency[] = DISTRICT_KEYS.map((district) => ({
  code: districtCommitteeCode(district),
  name: districtCommitteeName(district),
  kind: 'district_committee',
  district,
}));

const DEMO_AGENCIES: DemoAgency[] = [...DEPARTMENTS, ...DISTRICT_COMMITTEES];

/** Each category's default agency. */
const DEFAULT_ROUTING: Record<Category, string> = {
  health: 'syt',
  welfare: 'sldtbxh',
  goods: 'sct',
  infrastructure: 'sxd',
  public_services: 'vpubnd',
  policy: 'vpubnd',
  other: 'vpubnd',
};

/** Local matters go to the district's People's Committee: roads, drains, lighting, paperwork. */
const DISTRICT_ROUTING: { category: Category; district: District; agency: string }[] = DISTRICT_KEYS.flatMap(
  (district) =>
    (['infrastructure', 'public_services'] as const).map((category) => ({
      category,
      district,
      agency: districtCommitteeCode(district),
    })),
);

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
  {
    username: 'tdv03',
    displayName: 'Lê Thị Thu',
    role: 'operator',
    skills: ['goods', 'infrastructure', 'general'],
  },
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
  { username: 'stc', displayName: 'Lý Văn Phúc (Sở Tài chính)', role: 'agency', skills: [], agency: 'stc' },
  { username: 'sgtvt', displayName: 'Ngô Thị Lan (Sở GT-VT)', role: 'agency', skills: [], agency: 'sgtvt' },
  {
    username: 'stttt',
    displayName: 'Trịnh Văn Khoa (Sở TT-TT)',
    role: 'agency',
    skills: [],
    agency: 'stttt',
  },
  { username: 'bhxh', displayName: 'Mai Thị Thảo (BHXH tỉnh)', role: 'agency', skills: [], agency: 'bhxh' },
  {
    username: 'cat',
    displayName: 'Hoàng Văn Dũng (Công an tỉnh)',
    role: 'agency',
    skills: [],
    agency: 'cat',
  },
  { username: 'sxd', displayName: 'Phan Thị Yến (Sở Xây dựng)', role: 'agency', skills: [], agency: 'sxd' },
  {
    username: 'vpubnd',
    displayName: 'Tô Văn Lực (VP UBND tỉnh)',
    role: 'agency',
    skills: [],
    agency: 'vpubnd',
  },
  {
    username: 'ubnd-bien-hoa',
    displayName: 'Lâm Thị Kim (UBND TP Biên Hòa)',
    role: 'agency',
    skills: [],
    agency: 'ubnd-bien-hoa',
  },
  {
    username: 'ubnd-long-khanh',
    displayName: 'Châu Văn Sơn (UBND TP Long Khánh)',
    role: 'agency',
    skills: [],
    agency: 'ubnd-long-khanh',
  },
  {
    username: 'ubnd-nhon-trach',
    displayName: 'Dương Thị Hằng (UBND huyện Nhơn Trạch)',
    role: 'agency',
    skills: [],
    agency: 'ubnd-nhon-trach',
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
    const { code, name, kind, district } = agency;
    const row = db
      .insert(agencies)
      .values({ code, name, kind, district, forwardUrl, forwardSecret: randomSecret(32) })
      .onConflictDoUpdate({ target: agencies.code, set: { forwardUrl, kind, district } })
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
