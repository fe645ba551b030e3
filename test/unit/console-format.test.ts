import { describe, expect, it } from 'vitest';
import {
  categoryForQueue,
  categoryKeyFrom,
  dateInputValue,
  dateTimeInputValue,
  formatDateTime,
  formatDueTime,
  formatMinutesSeconds,
  formatRate,
  isoFromDateTimeInput,
  lastDays,
  periodFromDateInputs,
  readAudioPackets,
  secondsSince,
} from '../../agent-console/src/format.ts';

describe('formatMinutesSeconds', () => {
  it.each([
    [0, '0:00'],
    [5, '0:05'],
    [59.9, '0:59'],
    [60, '1:00'],
    [75, '1:15'],
    [3600 + 125, '62:05'],
    [-3, '0:00'],
  ])('%s s → %s', (seconds, text) => {
    expect(formatMinutesSeconds(seconds)).toBe(text);
  });
});

describe('secondsSince', () => {
  it('counts on the server clock even when the browser clock is off', () => {
    const since = '2025-01-01T08:00:00.000Z';
    const serverAt = '2025-01-01T08:00:30.000Z';
    const browserReceivedAt = Date.parse('2025-01-01T07:00:00.000Z'); // an hour slow
    expect(secondsSince(since, serverAt, browserReceivedAt, browserReceivedAt)).toBe(30);
    expect(secondsSince(since, serverAt, browserReceivedAt, browserReceivedAt + 12_500)).toBe(42);
  });

  it('never goes negative and survives bad dates', () => {
    expect(secondsSince('2025-01-01T08:01:00Z', '2025-01-01T08:00:00Z', 0, 0)).toBe(0);
    expect(secondsSince('not a date', '2025-01-01T08:00:00Z', 0, 0)).toBe(0);
  });
});

describe('categoryForQueue', () => {
  const categories = ['health', 'welfare', 'goods', 'infrastructure', 'other'].map((key) => ({
    key,
    active: true,
  }));
  it.each([
    ['health', 'health'],
    ['welfare', 'welfare'],
    ['goods', 'goods'],
    ['infrastructure', 'infrastructure'],
    ['general', 'other'],
  ] as const)('%s → %s', (queue, category) => {
    expect(categoryForQueue(queue, categories)).toBe(category);
  });

  it('falls back to "other" when the queue has no active category, and to none without it', () => {
    const withoutGoods = categories.map((c) => (c.key === 'goods' ? { ...c, active: false } : c));
    expect(categoryForQueue('goods', withoutGoods)).toBe('other');
    expect(categoryForQueue('goods', [{ key: 'health', active: true }])).toBe('');
    expect(categoryForQueue('general', [])).toBe('');
  });
});

describe('readAudioPackets', () => {
  it('sums audio RTP packets and ignores video, transport and remote reports', () => {
    const reports = [
      { type: 'outbound-rtp', kind: 'audio', packetsSent: 120 },
      { type: 'inbound-rtp', kind: 'audio', packetsReceived: 98 },
      { type: 'outbound-rtp', kind: 'video', packetsSent: 1000 },
      { type: 'inbound-rtp', kind: 'video', packetsReceived: 1000 },
      { type: 'remote-inbound-rtp', kind: 'audio', packetsReceived: 7 },
      { type: 'transport' },
    ];
    expect(readAudioPackets(reports)).toEqual({ sent: 120, received: 98 });
  });

  it('reads the older mediaType field and treats missing counters as zero', () => {
    const reports = [
      { type: 'outbound-rtp', mediaType: 'audio' },
      { type: 'inbound-rtp', mediaType: 'audio', packetsReceived: 3 },
    ];
    expect(readAudioPackets(reports)).toEqual({ sent: 0, received: 3 });
  });

  it('is zero before any media', () => {
    expect(readAudioPackets([])).toEqual({ sent: 0, received: 0 });
  });
});

describe('dates for the ticket pages (local time)', () => {
  it('formats a time as dd/mm/yyyy hh:mm', () => {
    expect(formatDateTime(new Date(2025, 2, 4, 8, 5).toISOString())).toBe('04/03/2025 08:05');
    expect(formatDateTime('not a date')).toBe('');
  });

  it('shortens a deadline in the current year', () => {
    const now = new Date(2025, 5, 1).getTime();
    expect(formatDueTime(new Date(2025, 2, 4, 8, 5).toISOString(), now)).toBe('04/03 08:05');
    expect(formatDueTime(new Date(2026, 0, 2, 9, 0).toISOString(), now)).toBe('02/01/2026 09:00');
  });

  it('round-trips a datetime-local value', () => {
    const date = new Date(2025, 11, 31, 23, 59);
    expect(dateTimeInputValue(date)).toBe('2025-12-31T23:59');
    expect(isoFromDateTimeInput('2025-12-31T23:59')).toBe(date.toISOString());
    expect(isoFromDateTimeInput('')).toBeNull();
    expect(isoFromDateTimeInput('31/12/2025 23:59')).toBeNull();
  });

  it('turns a from–to pair of days into a half-open period covering both days', () => {
    expect(periodFromDateInputs('2025-05-01', '2025-05-31')).toEqual({
      from: new Date(2025, 4, 1).toISOString(),
      to: new Date(2025, 5, 1).toISOString(),
    });
    expect(periodFromDateInputs('2025-05-02', '2025-05-02')).toEqual({
      from: new Date(2025, 4, 2).toISOString(),
      to: new Date(2025, 4, 3).toISOString(),
    });
    expect(periodFromDateInputs('2025-05-03', '2025-05-02')).toBeNull();
    expect(periodFromDateInputs('', '2025-05-02')).toBeNull();
  });

  it('defaults the report to the last 30 days, today included', () => {
    const today = new Date(2025, 2, 10, 15, 0);
    expect(lastDays(30, today)).toEqual({ from: '2025-02-09', to: '2025-03-10' });
    expect(dateInputValue(today)).toBe('2025-03-10');
  });
});

describe('formatRate', () => {
  it.each([
    [1, '100%'],
    [0.875, '87,5%'],
    [2 / 3, '66,7%'],
    [0, '0%'],
    [null, '—'],
  ])('%s → %s', (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });
});

describe('categoryKeyFrom', () => {
  it.each([
    ['Môi trường, rác thải', 'moi_truong_rac_thai'],
    ['Đất đai', 'dat_dai'],
    ['  Điện   nước ', 'dien_nuoc'],
    ['123 Giao thông', 'giao_thong'],
    ['', ''],
  ])('%j → %j', (name, key) => {
    expect(categoryKeyFrom(name)).toBe(key);
  });

  it('keeps keys within 32 characters', () => {
    expect(
      categoryKeyFrom('Hỏi đáp chính sách về bảo hiểm xã hội và bảo hiểm y tế').length,
    ).toBeLessThanOrEqual(32);
  });
});
