/**
 * A database from before the 2025 reform (migration 0010, tickets with a district, routing by
 * district) brought up to date: tickets keep their district, by its name, as `legacyDistrict` and name no unit
 * (chưa xác định); each category keeps its default agency; the district tables and columns are gone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { agencies, categories, routingUnits } from '../../server/db/schema.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { deleteException } from '../../server/routing/service.ts';
import { findTicket, toTicketView } from '../../server/tickets/repository.ts';
import { migrationsUpTo } from '../support/migrations.ts';

let dir: string;
let db: Db | undefined;
afterEach(() => {
  db?.$client.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const at = Date.parse('2025-06-20T03:00:00Z');

/** A database as the demo left it before the reform (migration 0010), with two open tickets. */
function oldDatabase(): string {
  dir = mkdtempSync(join(tmpdir(), 'hotline-migrate-'));
  const path = join(dir, 'hotline.db');
  const old = openDatabase(path, { migrationsFolder: migrationsUpTo(dir, 10) });
  old.$client.exec(`
    INSERT INTO agencies (id, code, name, kind, district, forward_secret)
      VALUES (1, 'syt', 'Sở Y tế', 'department', NULL, 's'),
             (2, 'ubnd-bien-hoa', 'UBND thành phố Biên Hòa', 'district_committee', 'bien_hoa', 's'),
             (3, 'sldtbxh', 'Sở Lao động - Thương binh và Xã hội', 'department', NULL, 's'),
             (4, 'ubnd-cam-my', 'UBND huyện Cẩm Mỹ', 'district_committee', 'cam_my', 's'),
             (5, 'ubnd-xuan-loc', 'UBND huyện Xuân Lộc', 'district_committee', 'xuan_loc', 's');
    INSERT INTO routing (category, agency_id) VALUES ('health', 1), ('infrastructure', 1), ('welfare', 3);
    INSERT INTO routing_districts (category, district, agency_id) VALUES ('infrastructure', 'bien_hoa', 2);
    INSERT INTO users (id, username, display_name, role, password_hash, created_at)
      VALUES (1, 'tdv01', 'Nguyễn Thị Hoa', 'operator', 'x', ${at});
    INSERT INTO tickets (id, tracking_code, caller_number, category, district, description, agency_id,
                         created_by, created_at, status)
      VALUES (1, '123456780', '0912345678', 'infrastructure', 'bien_hoa', 'Đèn đường hỏng.', 2, 1, ${at},
              'assigned'),
             (2, '123456781', '0912345678', 'infrastructure', 'xuan_loc', 'Ổ gà.', 5, 1, ${at},
              'in_progress'),
             (3, '123456782', '0912345678', 'infrastructure', 'cam_my', 'Cống tắc.', 4, 1, ${at},
              'closed');
  `);
  old.$client.close();
  return path;
}

it('keeps an old ticket’s district as legacyDistrict, with no unit, after all migrations', () => {
  db = openDatabase(oldDatabase());
  const row = findTicket(db, 1);
  expect(row?.ticket).toMatchObject({ legacyDistrict: 'Thành phố Biên Hòa', unitCode: null, address: null });
  expect(row?.ticket).not.toHaveProperty('district');
  const view = toTicketView(row!, new Date(at), 'supervisor');
  expect(view).toMatchObject({
    category: 'infrastructure',
    categoryName: 'Hạ tầng đô thị',
    unit: null,
    legacyDistrict: 'Thành phố Biên Hòa',
    agency: { code: 'ubnd-bien-hoa', kind: 'district_committee', unitCode: null, active: true },
  });

  const defaults = db.$client
    .prepare('SELECT key, default_agency_id AS agency FROM categories ORDER BY sort_order')
    .all();
  expect(defaults).toContainEqual({ key: 'health', agency: 1 });
  expect(defaults).toContainEqual({ key: 'infrastructure', agency: 1 });
  expect(defaults).toContainEqual({ key: 'welfare', agency: 3 });
  expect(defaults).toContainEqual({ key: 'goods', agency: null });
  const tables = db.$client
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'routing%'")
    .all();
  expect(tables).toEqual([{ name: 'routing_units' }]);
  const columns = (table: string) =>
    (db!.$client.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  expect(columns('tickets')).not.toContain('district');
  expect(columns('agencies')).not.toContain('district');
});

it('the demo seed on an old demo database retires idle district committees and merged departments', async () => {
  db = openDatabase(oldDatabase());
  await seedDemo(db, { agencyUrl: null });
  const bienHoa = { category: 'infrastructure', unitCode: '26068' };
  const exception = () =>
    db!
      .select()
      .from(routingUnits)
      .where(and(eq(routingUnits.category, bienHoa.category), eq(routingUnits.unitCode, bienHoa.unitCode)))
      .get();
  expect(exception()?.agencyId).toBe(2);
  // The admin removes an exception: the next start does not bring it back.
  deleteException(db, bienHoa.category, bienHoa.unitCode, null);
  await seedDemo(db, { agencyUrl: null });
  expect(exception()).toBeUndefined();
  const agency = (code: string) => db!.select().from(agencies).where(eq(agencies.code, code)).get();
  // Open tickets keep it active until an admin moves them; closed ones do not.
  expect(agency('ubnd-xuan-loc')).toMatchObject({ kind: 'district_committee', active: true });
  expect(agency('ubnd-cam-my')).toMatchObject({ kind: 'district_committee', active: false });
  expect(agency('sldtbxh')?.active).toBe(false);
  // The demo's commune committee takes over the old code (and its liaison account).
  expect(agency('ubnd-bien-hoa')).toMatchObject({
    id: 2,
    name: 'UBND phường Biên Hòa',
    kind: 'commune_committee',
    unitCode: '26068',
    active: true,
  });
  const category = (key: string) => db!.select().from(categories).where(eq(categories.key, key)).get();
  expect(category('welfare')?.defaultAgencyId).toBe(agency('snv')?.id);
  expect(category('health')?.defaultAgencyId).toBe(1);
  expect(findTicket(db, 2)?.ticket).toMatchObject({
    agencyId: 5,
    legacyDistrict: 'Huyện Xuân Lộc',
    unitCode: null,
  });
});
