import { describe, expect, it } from 'vitest';
import { CALLER_PREFIX, callerScenario } from '../../bench/calls-sipp.ts';
import {
  answerDelays,
  coreShare,
  cpuTicks,
  parseSippStats,
  percentile,
  readyToRinging,
  residentBytes,
  ringingHalves,
  summarize,
} from '../../bench/calls-stats.ts';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it.each([
    [50, 50],
    [95, 95],
    [99, 99],
    [100, 100],
    [0, 1],
  ])('p%d of 1..100 is %d', (p, expected) => {
    expect(percentile(hundred, p)).toBe(expected);
  });

  it('takes the higher value when the rank falls between two', () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 95)).toBe(40);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarize sorts first', () => {
    expect(summarize([5, 1, 4, 2, 3])).toEqual({ count: 5, p50: 3, p95: 5, p99: 5, max: 5 });
  });
});

describe('reading /proc', () => {
  it('adds utime and stime, counting fields after the process name', () => {
    const stat =
      '4242 (node (main) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 567 0 0 20 0 11 0 100 1000 2000 0';
    expect(cpuTicks(stat)).toBe(1234 + 567);
  });

  it('rejects text that is not a stat line', () => {
    expect(() => cpuTicks('nonsense')).toThrow();
  });

  it('reads the resident set size in bytes', () => {
    expect(residentBytes('Name:\tnode\nVmPeak:\t 900 kB\nVmRSS:\t  183204 kB\nRssAnon: 1 kB\n')).toBe(
      183204 * 1024,
    );
    expect(() => residentBytes('Name:\tzombie\n')).toThrow();
  });

  it('turns ticks over a window into a share of one core', () => {
    expect(coreShare(250, 10)).toBe(0.25);
    expect(coreShare(10, 0)).toBeNaN();
  });
});

describe('parseSippStats', () => {
  const header =
    'StartTime;LastResetTime;CurrentTime;ElapsedTime(P);ElapsedTime(C);TargetRate;CallRate(P);CallRate(C);IncomingCall(P);IncomingCall(C);OutgoingCall(P);OutgoingCall(C);TotalCallCreated;CurrentCall;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);';
  it('takes the totals from the last line', () => {
    const csv = `${header}
2026-11-23	15:00:00.000000	1700000000.000000;x;x;00:00:01;00:00:01;30;0;0;0;0;30;30;30;30;0;0;0;0;
2026-11-23	15:00:00.000000	1700000000.000000;x;x;00:00:01;00:01:40;30;0;0;0;0;0;600;600;0;0;598;0;2;
`;
    expect(parseSippStats(csv)).toEqual({ created: 600, successful: 598, failed: 2 });
  });

  it('refuses a file without data or without the columns', () => {
    expect(() => parseSippStats(`${header}\n`)).toThrow(/no data line/);
    expect(() => parseSippStats('A;B\n1;2\n')).toThrow(/TotalCallCreated/);
  });
});

describe('latencies from event times', () => {
  it('answer delay is entered → up, for callers with both', () => {
    expect(
      answerDelays([
        { callerNumber: '1', enteredAt: 1000, upAt: 1004 },
        { callerNumber: '2', enteredAt: 2000 },
        { callerNumber: '3', upAt: 3000 },
      ]),
    ).toEqual([4]);
  });

  const queued: Record<string, number> = { a: 100, b: 500, c: 1500 };
  const queuedAt = (n: string) => queued[n];

  it('measures from the last time the operator freed up to the next INVITE', () => {
    const op = {
      freeAt: [0, 1000, 1010],
      rings: [
        { at: 50, callerNumber: 'x' },
        { at: 1030, callerNumber: 'b' },
      ],
    };
    // The first ring's caller never queued; the second counts from 1010, not 1000.
    expect(readyToRinging([op], queuedAt, []).seen).toEqual([20]);
  });

  it('skips rings whose caller joined the queue after the operator was free', () => {
    const op = { freeAt: [1000], rings: [{ at: 1600, callerNumber: 'c' }] };
    expect(readyToRinging([op], queuedAt, []).seen).toEqual([]);
  });

  it('pairs each free moment with one ring only', () => {
    const op = {
      freeAt: [200],
      rings: [
        { at: 210, callerNumber: 'a' },
        { at: 900, callerNumber: 'b' },
      ],
    };
    expect(readyToRinging([op], queuedAt, []).seen).toEqual([10]);
  });

  it('measures ringing when Asterisk sent the INVITE, and apart when the softphone saw it', () => {
    const op = {
      freeAt: [1000],
      rings: [{ at: 1030, callerNumber: 'b' }],
    };
    // An INVITE for the same caller before the operator was free went to someone else.
    const invites = [
      { at: 995, callerNumber: 'b' },
      { at: 1012, callerNumber: 'b' },
      { at: 1013, callerNumber: 'c' },
    ];
    expect(readyToRinging([op], queuedAt, invites)).toEqual({ sent: [12], seen: [30] });
    // No INVITE on record: only what the softphone saw.
    expect(readyToRinging([op], queuedAt, [])).toEqual({ sent: [], seen: [30] });
  });

  it("splits each delay where the operator's leg was created and where Asterisk sent the INVITE", () => {
    const op = {
      name: 'tdv01',
      freeAt: [1000],
      rings: [
        { at: 1030, callerNumber: 'b' },
        { at: 1700, callerNumber: 'c' },
      ],
    };
    // A leg created before the operator was free belongs to an earlier ring.
    const legs: Record<string, number[]> = { tdv01: [990, 1008] };
    const invites = [{ at: 1012, callerNumber: 'b' }];
    expect(ringingHalves([op], queuedAt, (name) => legs[name] ?? [], invites)).toEqual({
      decision: [8],
      dial: [4],
      softphone: [18],
    });
    expect(ringingHalves([op], queuedAt, () => [], [])).toEqual({ decision: [], dial: [], softphone: [] });
  });
});

describe('callerScenario', () => {
  it('gives every call its own caller number and presses the key once', () => {
    const xml = callerScenario({ key: '1', keyDelayMs: 6000, holdMs: 150_000 });
    expect(xml).toContain(`<sip:${CALLER_PREFIX}[call_number]@[local_ip]:[local_port]>`);
    expect(xml).not.toContain('0999999999');
    expect(xml.match(/dtmf_2833_1\.pcap/g)).toHaveLength(1);
    expect(xml).toContain('<recv request="BYE" timeout="150000"/>');
  });
});
