// The command executor against ARI: the status line's lookup, the after-hours message and the recording of answered calls.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AriRequestError } from '../../ivr/port.ts';
import { configOf, defaultMenuJson } from '../support/menu.ts';
import { CALLER, setup } from '../support/stasis-harness.ts';

describe('Stasis adapter: the status line (menu key 9)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const keys = (s: ReturnType<typeof setup>, digits: string) => {
    for (const digit of digits) s.ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit });
  };
  /** The media of the latest playback, and an event saying it finished. */
  const lastPlayback = (s: ReturnType<typeof setup>) => {
    const last = s.ari.ops('play').at(-1);
    if (!last) throw new Error('nothing was played');
    const [, media, playbackId] = last.args as [string, string[], string];
    return { media, finished: () => s.ctl.handle({ type: 'PlaybackFinished', playbackId }) };
  };

  it('looks the code up for the calling number, reads the status and hangs up after goodbye', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = setup();
    s.statusLine.answer = { kind: 'found', group: 'resolved', smsSent: true };
    await s.ctl.onConnected();
    await s.citizenCalls();
    keys(s, '9123456782#');
    await s.settle();
    expect(s.statusLine.lookups).toEqual([{ trackingCode: '123456782', callerNumber: '0912345678' }]);
    const status = lastPlayback(s);
    expect(status.media).toEqual([
      'sound:hotline/vi/statusResolved',
      'sound:hotline/vi/smsSent',
      'sound:hotline/vi/backToMenu',
    ]);

    status.finished();
    await s.settle();
    await vi.advanceTimersByTimeAsync(5_000);
    await s.settle();
    const bye = lastPlayback(s);
    expect(bye.media).toEqual(['sound:hotline/vi/goodbye']);
    expect(s.ari.ops('hangup')).toEqual([]);

    bye.finished();
    await s.settle();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual([CALLER]);
    expect(s.ari.channels.size).toBe(0);
    // The StasisEnd of the hotline's own hangup finds nothing left to do.
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.ari.leftoverBridges()).toEqual([]);
    expect(s.ctl.queueStats(new Date()).every((q) => q.waiting === 0)).toBe(true);
  });

  it('a status line that throws sends the caller to an operator', async () => {
    const s = setup();
    s.statusLine.answer = new Error('database is locked');
    await s.ctl.onConnected();
    await s.citizenCalls();
    keys(s, '9123456782#');
    await s.settle();
    expect(s.ari.bridgeOf(CALLER)).toBe('hotline-queue-general');
    expect(lastPlayback(s).media).toEqual([
      'sound:hotline/vi/lookupUnavailable',
      'sound:hotline/vi/queued',
      'sound:hotline/vi/positionIs',
      'sound:hotline/vi/number-1',
    ]);
    expect(s.ctl.queueStats(new Date()).find((q) => q.queue === 'general')?.waiting).toBe(1);
  });

  it('a lookup that never answers is given up after the guard time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = setup();
    s.statusLine.answer = new Promise(() => {});
    await s.ctl.onConnected();
    await s.citizenCalls();
    keys(s, '9123456782#');
    await s.settle();
    expect(s.ari.bridgeOf(CALLER)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5_000);
    await s.settle();
    expect(s.ari.bridgeOf(CALLER)).toBe('hotline-queue-general');
  });

  it('an answer arriving after the caller hung up is dropped', async () => {
    const s = setup();
    let answer: (r: { kind: 'not_found' }) => void = () => {};
    s.statusLine.answer = new Promise((resolve) => {
      answer = resolve;
    });
    await s.ctl.onConnected();
    await s.citizenCalls();
    keys(s, '9123456782#');
    await s.settle();
    const opsBefore = s.ari.ops().length;
    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    answer({ kind: 'not_found' });
    await s.settle();
    expect(s.ari.ops().slice(opsBefore)).toEqual([]);
  });
});

describe('Stasis adapter: after hours', () => {
  const closed = configOf({
    ...defaultMenuJson(),
    hours: {
      timeZone: 'Asia/Ho_Chi_Minh',
      open: '07:00',
      close: '20:00',
      holidays: [{ date: '2024-05-01', closed: true }],
    },
  });
  const announcementPlayed = async (s: ReturnType<typeof setup>) => {
    const play = s.ari.ops('play')[0];
    expect(play?.args[1]).toEqual(['sound:hotline/vi/config-welcome', 'sound:hotline/vi/config-after-hours']);
    s.ctl.handle({ type: 'PlaybackFinished', playbackId: String(play?.args[2]) });
    await s.settle();
  };

  it("records the message as message-<call id>, reports it, and routes Asterisk's answer to the call", async () => {
    const s = setup({ menu: closed });
    await s.ctl.onConnected();
    await s.citizenCalls();
    await announcementPlayed(s);
    expect(s.ari.ops('recordChannel')[0]?.args).toEqual([
      CALLER,
      {
        name: `message-${CALLER}`,
        maxDurationSeconds: 120,
        maxSilenceSeconds: 5,
        beep: true,
        terminateOn: '#',
      },
    ]);
    s.ctl.handle({ type: 'RecordingFinished', name: 'message-someone-else', durationSeconds: 3 });
    s.ctl.handle({ type: 'RecordingFinished', name: `message-${CALLER}`, durationSeconds: 6 });
    await s.settle();
    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.records).toEqual([
      `${CALLER} arrived 0912345678`,
      `${CALLER} recorded message message-${CALLER}`,
      `${CALLER} ended after_hours_message`,
    ]);
  });

  it('a failed recording ends the call without a message', async () => {
    const s = setup({ menu: closed });
    await s.ctl.onConnected();
    await s.citizenCalls();
    await announcementPlayed(s);
    s.ctl.handle({ type: 'RecordingFailed', name: `message-${CALLER}`, cause: 'disk full' });
    await s.settle();
    const goodbye = s.ari.ops('play').at(-1);
    expect(goodbye?.args[1]).toEqual(['sound:hotline/vi/goodbye']);
    s.ctl.handle({ type: 'PlaybackFinished', playbackId: String(goodbye?.args[2]) });
    await s.settle();
    expect(s.ari.ops('hangup').map((o) => o.args[0])).toEqual([CALLER]);
    expect(s.records.at(-1)).toBe(`${CALLER} ended after_hours_no_message`);
  });
});

describe('Stasis adapter: recording answered calls', () => {
  it('records the talk bridge once caller and operator are bridged, and reports it', async () => {
    const s = setup({ recordCalls: true });
    await s.inQueue('1');
    await s.operatorReady();
    await s.agentAnswers();
    expect(s.ari.ops('recordBridge')[0]?.args).toEqual([
      `${CALLER}-talk-1`,
      {
        name: `conversation-${CALLER}-1`,
        maxDurationSeconds: 0,
        maxSilenceSeconds: 0,
        beep: false,
        terminateOn: 'none',
      },
    ]);
    expect(s.records).toContain(`${CALLER} recorded conversation conversation-${CALLER}-1`);
  });

  it('a recording that cannot start leaves the talk alone, and nothing is reported', async () => {
    const s = setup({ recordCalls: true });
    s.ari.failNext('recordBridge', new AriRequestError('recordBridge', 'Recording failed'));
    await s.inQueue('1');
    await s.operatorReady();
    await s.agentAnswers();
    expect(s.ari.bridgeOf(CALLER)).toBe(`${CALLER}-talk-1`);
    expect(s.records.some((r) => r.includes('recorded'))).toBe(false);
    expect(s.ari.ops('hangup')).toEqual([]);
  });

  it('records nothing when switched off', async () => {
    const s = setup({ recordCalls: false });
    await s.inQueue('1');
    await s.operatorReady();
    await s.agentAnswers();
    expect(s.ari.bridgeOf(CALLER)).toBe(`${CALLER}-talk-1`);
    expect(s.ari.ops('recordBridge')).toEqual([]);
  });
});
