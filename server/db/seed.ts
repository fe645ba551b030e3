/**
 * Demo data for Đồng Nai after the 2025 reform: the province's 95 commune-level units (from the
 * shipped units file), operators, a supervisor, an admin, the merged provincial departments and a
 * few communes' People's Committees as agencies, their liaisons, each category's default agency
 * and the communes whose local matters go to their own committee.
 * Idempotent: existing rows are kept (so changed passwords and an admin's routing edits survive
 * a restart); only agencies' forward URLs follow `agencyUrl`, because the demo agency receiver
 * may move between runs, and their name, kind and unit, which are reference data. A database
 * seeded before the reform keeps its district committees and old departments; each one without
 * open tickets is deactivated (one with open tickets waits for an admin to move them).
 */
import { and, eq, inArray, isNull, notInArray, or } from 'drizzle-orm';
import { QUEUE_NAMES, type QueueName, type Role } from '../../common/domain.ts';
import type { AgencyKind } from '../agencies/schema.ts';
import { hashPassword, randomSecret } from '../auth/password.ts';
import { seedDemoClient } from '../open311/clients.ts';
import { DONE_STATUSES } from '../tickets/lifecycle.ts';
import { DONG_NAI_UNITS_FILE, importUnitsFile } from '../units/import.ts';
import type { Db } from './index.ts';
import { agencies, categories, routingUnits, tickets, units, users } from './schema.ts';

export const DEMO_PASSWORD = '1022demo';

export interface DemoLogins {
  password: string;
  accounts: { username: string; displayName: string; role: Role }[];
}

interface DemoAgency {
  code: string;
  name: string;
  kind: AgencyKind;
  /** A commune committee's unit, by its current name in the units file. */
  unitName?: string;
}

/**
 * Provincial departments after the 2025 mergers (labour and social affairs into home affairs,
 * transport into construction, information and communications into science and technology), and
 * other agencies. `syt` and the other codes are also the liaisons' usernames.
 */
const PROVINCIAL: DemoAgency[] = [
  { code: 'syt', name: 'Sở Y tế', kind: 'department' },
  { code: 'snv', name: 'Sở Nội vụ', kind: 'department' },
  { code: 'sct', name: 'Sở Công Thương', kind: 'department' },
  { code: 'stc', name: 'Sở Tài chính', kind: 'department' },
  { code: 'sxd', name: 'Sở Xây dựng', kind: 'department' },
  { code: 'skhcn', name: 'Sở Khoa học và Công nghệ', kind: 'department' },
  { code: 'snnmt', name: 'Sở Nông nghiệp và Môi trường', kind: 'department' },
  { code: 'vpubnd', name: 'Văn phòng UBND tỉnh', kind: 'department' },
  { code: 'bhxh', name: 'Bảo hiểm xã hội tỉnh', kind: 'social_insurance' },
  { code: 'cat', name: 'Công an tỉnh', kind: 'police' },
  { code: 'dienluc', name: 'Công ty Điện lực Đồng Nai', kind: 'utility' },
];

/** Communes whose roads, drains, lighting and paperwork go to their own People's Committee. */
const COMMUNE_COMMITTEES: DemoAgency[] = (
  [
    ['ubnd-bien-hoa', 'Phường Biên Hòa'],
    ['ubnd-tran-bien', 'Phường Trấn Biên'],
    ['ubnd-long-khanh', 'Phường Long Khánh'],
    ['ubnd-long-thanh', 'Xã Long Thành'],
    ['ubnd-nhon-trach', 'Xã Nhơn Trạch'],
    ['ubnd-trang-bom', 'Xã Trảng Bom'],
  ] as const
).map(([code, unitName]) => ({
  code,
  name: `UBND ${unitName.charAt(0).toLocaleLowerCase('vi')}${unitName.slice(1)}`,
  kind: 'commune_committee',
  unitName,
}));

const DEMO_AGENCIES: DemoAgency[] = [...PROVINCIAL, ...COMMUNE_COMMITTEES];

/** Demo departments merged away in 2025, deactivated like the district committees. */
const MERGED_AGENCY_CODES = ['sldtbxh', 'sgtvt', 'stttt'];

/** The categories a fresh database starts with (migration 0011 adds the same rows). */
const DEMO_CATEGORIES: { key: string; name: string; agency: string }[] = [
  { key: 'health', name: 'Y tế, dịch bệnh', agency: 'syt' },
  { key: 'welfare', name: 'An sinh xã hội, hỗ trợ lương thực', agency: 'snv' },
  { key: 'goods', name: 'Hàng hóa thiết yếu', agency: 'sct' },
  { key: 'infrastructure', name: 'Hạ tầng đô thị', agency: 'sxd' },
  { key: 'public_services', name: 'Dịch vụ hành chính công', agency: 'vpubnd' },
  { key: 'policy', name: 'Hỏi đáp chính sách', agency: 'vpubnd' },
  { key: 'other', name: 'Khác', agency: 'vpubnd' },
];

/** Categories a commune's committee handles in its commune. */
const LOCAL_CATEGORIES = ['infrastructure', 'public_services'];

interface DemoUser {
  username: string;
  displayName: string;
  role: Role;
  skills: QueueName[];
  agency?: string;
}

const liaison = (agency: string, displayName: string): DemoUser => ({
  username: agency,
  displayName,
  role: 'agency',
  skills: [],
  agency,
});

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
  liaison('syt', 'Huỳnh Thị Mai (Sở Y tế)'),
  liaison('snv', 'Bùi Văn Tâm (Sở Nội vụ)'),
  liaison('sct', 'Đặng Thị Ngọc (Sở Công Thương)'),
  liaison('stc', 'Lý Văn Phúc (Sở Tài chính)'),
  liaison('sxd', 'Phan Thị Yến (Sở Xây dựng)'),
  liaison('skhcn', 'Trịnh Văn Khoa (Sở KH-CN)'),
  liaison('snnmt', 'Ngô Thị Lan (Sở NN-MT)'),
  liaison('vpubnd', 'Tô Văn Lực (VP UBND tỉnh)'),
  liaison('bhxh', 'Mai Thị Thảo (BHXH tỉnh)'),
  liaison('cat', 'Hoàng Văn Dũng (Công an tỉnh)'),
  liaison('dienluc', 'Kiều Văn Thành (Điện lực Đồng Nai)'),
  liaison('ubnd-bien-hoa', 'Lâm Thị Kim (UBND phường Biên Hòa)'),
  liaison('ubnd-tran-bien', 'Quách Văn Nam (UBND phường Trấn Biên)'),
  liaison('ubnd-long-khanh', 'Châu Văn Sơn (UBND phường Long Khánh)'),
  liaison('ubnd-long-thanh', 'Tạ Thị Bích (UBND xã Long Thành)'),
  liaison('ubnd-nhon-trach', 'Dương Thị Hằng (UBND xã Nhơn Trạch)'),
  liaison('ubnd-trang-bom', 'Vũ Văn Lộc (UBND xã Trảng Bom)'),
];

export async function seedDemo(db: Db, opts: { agencyUrl: string | null }): Promise<DemoLogins> {
  const base = opts.agencyUrl?.replace(/\/+$/, '') ?? null;
  const now = new Date();
  // Once: later the admin keeps the units (an import of a newer list must not be undone here).
  if (db.select({ code: units.code }).from(units).limit(1).get() === undefined) {
    importUnitsFile(db, DONG_NAI_UNITS_FILE, { actorId: null, now });
  }
  const unitCodeByName = new Map(
    db
      .select({ code: units.code, name: units.name })
      .from(units)
      .where(eq(units.active, true))
      .all()
      .map((u) => [u.name, u.code]),
  );
  const unitCodeOf = (name: string): string => {
    const code = unitCodeByName.get(name);
    if (code === undefined) throw new Error(`demo unit ${name} missing from the units file`);
    return code;
  };

  const agencyIds = new Map<string, number>();
  for (const agency of DEMO_AGENCIES) {
    const forwardUrl = base === null ? null : `${base}/${agency.code}`;
    const { code, name, kind } = agency;
    const unitCode = agency.unitName === undefined ? null : unitCodeOf(agency.unitName);
    const row = db
      .insert(agencies)
      .values({
        code,
        name,
        kind,
        unitCode,
        forwardUrl,
        // The police and commune committees call citizens back; departments work without the number.
        receivesCallerNumber: kind === 'police' || kind === 'commune_committee',
        forwardSecret: randomSecret(32),
      })
      .onConflictDoUpdate({ target: agencies.code, set: { forwardUrl, name, kind, unitCode } })
      .returning({ id: agencies.id })
      .get();
    agencyIds.set(agency.code, row.id);
  }
  const agencyId = (code: string): number => {
    const id = agencyIds.get(code);
    if (id === undefined) throw new Error(`demo agency ${code} missing`);
    return id;
  };

  retireLegacyAgencies(db);

  for (const [sortOrder, category] of DEMO_CATEGORIES.entries()) {
    db.insert(categories)
      .values({ key: category.key, name: category.name, sortOrder: sortOrder + 1 })
      .onConflictDoNothing()
      .run();
    // An admin's choice stays; a missing default, or one deactivated above, takes the demo's.
    const inactive = db.select({ id: agencies.id }).from(agencies).where(eq(agencies.active, false));
    db.update(categories)
      .set({ defaultAgencyId: agencyId(category.agency) })
      .where(
        and(
          eq(categories.key, category.key),
          or(isNull(categories.defaultAgencyId), inArray(categories.defaultAgencyId, inactive)),
        ),
      )
      .run();
  }
  // Only into an empty table: an exception the admin removed must not come back at the next start.
  const hasExceptions = db.select({ unit: routingUnits.unitCode }).from(routingUnits).limit(1).get();
  for (const committee of hasExceptions ? [] : COMMUNE_COMMITTEES) {
    for (const category of LOCAL_CATEGORIES) {
      db.insert(routingUnits)
        .values({ category, unitCode: unitCodeOf(committee.unitName!), agencyId: agencyId(committee.code) })
        .onConflictDoNothing()
        .run();
    }
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
  for (const user of missing) {
    db.insert(users)
      .values({
        username: user.username,
        displayName: user.displayName,
        role: user.role,
        passwordHash,
        skills: user.skills,
        agencyId: user.agency === undefined ? null : agencyId(user.agency),
        createdAt: now,
      })
      .onConflictDoNothing()
      .run();
  }

  seedDemoClient(db, now);

  return {
    password: DEMO_PASSWORD,
    accounts: DEMO_USERS.map(({ username, displayName, role }) => ({ username, displayName, role })),
  };
}

/**
 * A database seeded before the 2025 reform: deactivates its district committees and merged
 * departments that hold no open ticket. One with open tickets stays active until an admin
 * deactivates it with a target agency for them.
 */
function retireLegacyAgencies(db: Db): void {
  const busy = db
    .selectDistinct({ id: tickets.agencyId })
    .from(tickets)
    .where(notInArray(tickets.status, [...DONE_STATUSES]));
  db.update(agencies)
    .set({ active: false })
    .where(
      and(
        eq(agencies.active, true),
        or(eq(agencies.kind, 'district_committee'), inArray(agencies.code, MERGED_AGENCY_CODES)),
        notInArray(agencies.id, busy),
      ),
    )
    .run();
}
