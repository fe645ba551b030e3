import { describe, expect, it } from 'vitest';
import {
  type CalendarEntry,
  combineCalendar,
  computedHolidays,
  yearWarnings,
} from '../../server/calendar/holidays.ts';
import { decreedDays } from '../../server/calendar/service.ts';
import { addWorkingTime, createCalendar, isWorkingTime } from '../../server/deadlines/calendar.ts';

const dates = (year: number) => computedHolidays(year).map((h) => h.date);
const vn = (local: string) => new Date(`${local}:00+07:00`);

describe('computed public holidays (date-holidays, VN)', () => {
  it.each([
    // Mùng 1 Tết Bính Ngọ is 17/2/2026: the eve and four days; Giỗ Tổ (10/3 lunar) is Sunday 26/4.
    [
      2026,
      [
        '2026-01-01',
        '2026-02-16',
        '2026-02-17',
        '2026-02-18',
        '2026-02-19',
        '2026-02-20',
        '2026-04-26',
        '2026-04-30',
        '2026-05-01',
        '2026-09-02',
      ],
    ],
    // Mùng 1 Tết Đinh Mùi is Saturday 6/2/2027; Giỗ Tổ is 16/4.
    [
      2027,
      [
        '2027-01-01',
        '2027-02-05',
        '2027-02-06',
        '2027-02-07',
        '2027-02-08',
        '2027-02-09',
        '2027-04-16',
        '2027-04-30',
        '2027-05-01',
        '2027-09-02',
      ],
    ],
  ])('%i: Tết Dương lịch, Tết Nguyên đán, Giỗ Tổ Hùng Vương, 30/4, 1/5, Quốc khánh', (year, expected) => {
    expect(dates(year)).toEqual(expected);
  });

  it('names them in Vietnamese and keeps only public holidays (no Trung thu, no Phật đản)', () => {
    const names = computedHolidays(2026).map((h) => h.name);
    expect(names).toContain('Tết Nguyên Đán');
    expect(names).toContain('Giỗ tổ Hùng Vương');
    expect(names.join()).not.toMatch(/Trung thu|Phật đản|Nguyên Tiêu/);
  });

  it('gives the lunar dates of 2025 and 2028 too', () => {
    expect(dates(2025)).toContain('2025-01-29');
    expect(dates(2025)).toContain('2025-04-07');
    expect(dates(2028)).toContain('2028-01-26');
    expect(dates(2028)).toContain('2028-04-04');
  });
});

describe('combineCalendar', () => {
  const calendarOf = (entries: CalendarEntry[]) => {
    const days = combineCalendar([2026], entries);
    return createCalendar({ holidays: [...days.holidays.keys()], extraWorkdays: [...days.workdays] });
  };

  it('an admin workday cancels a computed holiday', () => {
    const moved = calendarOf([
      { date: '2026-09-02', kind: 'workday', name: 'Quốc khánh dời sang ngày khác' },
    ]);
    expect(isWorkingTime(vn('2026-09-02T10:00'), moved)).toBe(true);
    expect(isWorkingTime(vn('2026-09-02T10:00'), calendarOf([]))).toBe(false);
  });

  it('an admin workday makes a Saturday worked', () => {
    const swapped = calendarOf([{ date: '2026-03-14', kind: 'workday', name: 'Làm bù' }]);
    expect(isWorkingTime(vn('2026-03-14T10:00'), swapped)).toBe(true);
  });

  it('an extra admin holiday counts: a deadline across it moves a day', () => {
    const plain = calendarOf([]);
    const bridge = calendarOf([{ date: '2026-03-11', kind: 'holiday', name: 'Nghỉ bù' }]);
    expect(addWorkingTime(vn('2026-03-10T16:00'), 2 * 3_600_000, plain)).toEqual(vn('2026-03-11T08:30'));
    expect(addWorkingTime(vn('2026-03-10T16:00'), 2 * 3_600_000, bridge)).toEqual(vn('2026-03-12T08:30'));
    expect(
      combineCalendar([2026], [{ date: '2026-03-11', kind: 'holiday', name: 'Nghỉ bù' }]).holidays.get(
        '2026-03-11',
      ),
    ).toBe('Nghỉ bù');
  });
});

describe('yearWarnings', () => {
  it('warns about a year with no admin entry, the missing second day of Quốc khánh, and holidays on weekends', () => {
    expect(yearWarnings(2028, [])).toEqual([
      'Năm 2028 chưa có ngày nghỉ bù/hoán đổi nào do quản trị nhập — kiểm tra thông báo nghỉ Tết của Bộ Nội vụ.',
      'Năm 2028 chưa có ngày nghỉ thứ hai của Quốc khánh (1/9 hoặc 3/9) — nhập theo thông báo của Bộ Nội vụ.',
      'Ngày lễ trùng thứ Bảy, Chủ nhật chưa có ngày nghỉ bù: 01/01, 29/01, 30/04, 02/09 — nhập ngày nghỉ bù (Bộ luật Lao động 2019, Điều 112).',
    ]);
  });

  it('has nothing to add for the years the shipped decreed days cover', () => {
    for (const year of [2025, 2026, 2027])
      expect([year, yearWarnings(year, decreedDays().days)]).toEqual([year, []]);
  });

  it('is quiet once the year has its entries; other years do not count', () => {
    const entries: CalendarEntry[] = [
      { date: '2028-01-03', kind: 'holiday', name: 'Nghỉ bù Tết Dương lịch' },
      { date: '2028-01-31', kind: 'holiday', name: 'Nghỉ bù Tết' },
      { date: '2028-05-02', kind: 'holiday', name: 'Nghỉ bù 30/4' },
      { date: '2028-09-01', kind: 'holiday', name: 'Quốc khánh (ngày thứ hai)' },
    ];
    expect(yearWarnings(2028, entries)).toEqual([]);
    expect(yearWarnings(2029, entries)[0]).toMatch(/^Năm 2029 chưa có ngày nghỉ bù/);
    // Without 1/9: Quốc khánh has one day only, and 2/9/2028 (a Saturday) no day in lieu.
    expect(yearWarnings(2028, entries.slice(0, 3))).toEqual([
      'Năm 2028 chưa có ngày nghỉ thứ hai của Quốc khánh (1/9 hoặc 3/9) — nhập theo thông báo của Bộ Nội vụ.',
      'Ngày lễ trùng thứ Bảy, Chủ nhật chưa có ngày nghỉ bù: 02/09 — nhập ngày nghỉ bù (Bộ luật Lao động 2019, Điều 112).',
    ]);
  });
});
