import { describe, expect, it } from 'vitest';
import {
  categoryForQueue,
  formatMinutesSeconds,
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
  it.each([
    ['health', 'health'],
    ['welfare', 'welfare'],
    ['goods', 'goods'],
    ['general', 'other'],
  ] as const)('%s → %s', (queue, category) => {
    expect(categoryForQueue(queue)).toBe(category);
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
