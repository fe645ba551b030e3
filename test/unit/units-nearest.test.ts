import { describe, expect, it } from 'vitest';
import { parseUnitsCsv } from '../../server/units/import.ts';
import { distanceKm, nearestUnit, type UnitPoint } from '../../server/units/nearest.ts';

/** Fixture points, not real communes' (three points 10 km apart along a meridian). */
const A: UnitPoint = { code: '90001', latitude: 10.9, longitude: 106.8 };
const B: UnitPoint = { code: '90002', latitude: 10.99, longitude: 106.8 };
const C: UnitPoint = { code: '90003', latitude: 11.08, longitude: 106.8 };

describe('distanceKm', () => {
  it('measures great-circle distance', () => {
    expect(distanceKm(A, A)).toBe(0);
    // 0.09° of latitude ≈ 10.0 km.
    expect(distanceKm(A, B)).toBeCloseTo(10.01, 1);
    // Hà Nội (Hoàn Kiếm) to TP Hồ Chí Minh (Bến Thành): about 1,140 km as the crow flies.
    const km = distanceKm(
      { latitude: 21.0285, longitude: 105.8542 },
      { latitude: 10.7725, longitude: 106.698 },
    );
    expect(km).toBeGreaterThan(1130);
    expect(km).toBeLessThan(1150);
  });
});

describe('nearestUnit', () => {
  it.each([
    ['at a unit point', { latitude: 10.9, longitude: 106.8 }, 15, '90001'],
    ['nearer the second', { latitude: 10.96, longitude: 106.8 }, 15, '90002'],
    ['past the last one, within reach', { latitude: 11.15, longitude: 106.81 }, 15, '90003'],
    ['too far from every unit', { latitude: 11.3, longitude: 106.8 }, 15, null],
    ['within a wider reach', { latitude: 11.3, longitude: 106.8 }, 30, '90003'],
  ])('%s', (_name, point, maxKm, code) => {
    expect(nearestUnit(point, [A, B, C], maxKm)?.code ?? null).toBe(code);
  });

  it('finds nothing without unit points, and keeps the first of two at the same distance', () => {
    expect(nearestUnit(A, [], 15)).toBeNull();
    const twin = { ...A, code: '90009' };
    expect(nearestUnit(A, [A, twin], 15)?.code).toBe('90001');
  });
});

describe('units file coordinates', () => {
  const header = 'code,name,kind,former_names,note,latitude,longitude';
  const rows = (text: string) => {
    const parsed = parseUnitsCsv(text);
    if ('errors' in parsed) throw new Error(JSON.stringify(parsed.errors));
    return parsed.rows;
  };
  const errors = (text: string) => {
    const parsed = parseUnitsCsv(text);
    if (!('errors' in parsed)) throw new Error('expected errors');
    return parsed.errors;
  };

  it('reads a point, or none when both are empty; a file without the columns leaves points out', () => {
    const [withPoint, without] = rows(`${header}\n90001,Xã A,xa,,,10.9,106.8\n90002,Xã B,xa,,,,\n`);
    expect(withPoint?.point).toEqual({ latitude: 10.9, longitude: 106.8 });
    expect(without?.point).toBeNull();
    const [old] = rows('code,name,kind,former_names,note\n90001,Xã A,xa,,\n');
    expect(old && 'point' in old).toBe(false);
  });

  it('refuses half a point, text, commas and out-of-range degrees, with the line', () => {
    const found = errors(
      `${header}\n90001,Xã A,xa,,,10.9,\n90002,Xã B,xa,,,abc,106.8\n90003,Xã C,xa,,,91,106.8\n90004,Xã D,xa,,,10.9,"106,8"\n`,
    );
    expect(found.map((e) => e.line)).toEqual([2, 3, 4, 5]);
    expect(found[0]?.message).toContain('cần cả vĩ độ');
    expect(found[1]?.message).toContain('vĩ độ "abc"');
    expect(found[2]?.message).toContain('vĩ độ "91"');
    expect(found[3]?.message).toContain('kinh độ "106,8"');
    expect(errors(`${header}\n90001,Xã A,xa,,,10.9\n`)[0]?.message).toContain('cần 5 hoặc 7 cột');
    expect(rows(`${header}\n90001,Xã A,xa,,\n`)[0]?.point).toBeNull();
  });
});
