/**
 * The seeded routing matrix, cell by cell, on real SQLite: every category × district of Đồng Nai
 * suggests the agency a provincial hotline would expect.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Category, DISTRICT_KEYS, type District } from '../../common/domain.ts';
import { NoRouteError, suggestAgency } from '../../server/agencies/service.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { routing } from '../../server/db/schema.ts';
import { seedDemo } from '../../server/db/seed.ts';

let db: Db;
beforeEach(async () => {
  db = openDatabase(':memory:');
  await seedDemo(db, { agencyUrl: null });
});
afterEach(() => db.$client.close());

/** Province-wide matters go to the department; local works and paperwork to the district. */
const EXPECTED: Record<Category, (district: District) => string> = {
  health: () => 'syt',
  welfare: () => 'sldtbxh',
  goods: () => 'sct',
  infrastructure: (d) => `ubnd-${d.replaceAll('_', '-')}`,
  public_services: (d) => `ubnd-${d.replaceAll('_', '-')}`,
  policy: () => 'vpubnd',
  other: () => 'vpubnd',
};

const cells = (Object.keys(EXPECTED) as Category[]).flatMap((category) =>
  DISTRICT_KEYS.map((district) => ({ category, district, code: EXPECTED[category](district) })),
);

describe('routing matrix', () => {
  it.each(cells)('$category in $district → $code', ({ category, district, code }) => {
    expect(suggestAgency(db, category, district).code).toBe(code);
  });

  it('a category without any rule has no suggestion, rather than a wrong one', () => {
    db.delete(routing).where(eq(routing.category, 'goods')).run();
    expect(() => suggestAgency(db, 'goods', 'bien_hoa')).toThrow(NoRouteError);
  });
});
