/** The fallback queue as AMI reports it: the wallboard's degraded figures and the call records. */
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { AmiConnection, AmiHandlers, AmiMessage } from '../../ivr/ami.ts';
import type { CallRecordEvent, RecordedCall } from '../../ivr/api.ts';
import { createFallbackWatch, FallbackQueue, telephonyMode } from '../../ivr/fallback.ts';
import { journalFamilies, readJournal } from '../../ivr/fallback-journal.ts';
import { DEFAULT_MENU } from '../support/menu.ts';

const Q = 'hotline-fallback';
/** `CoreShowChannels`' answer listing channels with these unique ids. */
const alive = (...ids: string[]) => ids.map((uniqueid) => ({ event: 'CoreShowChannel', uniqueid }));

function setup() {
  let t = Date.parse('2024-05-01T08:00:00Z');
  const records: CallRecordEvent[] = [];
  let changes = 0;
  const queue = new FallbackQueue({
    operators: [{ operatorId: 1, displayName: 'Hoa', sipEndpoint: 'tdv01', skills: [] }],
    records: { record: (e) => records.push(e) },
    changed: () => {
      changes++;
    },
    menu: () => DEFAULT_MENU,
    logger: pino({ level: 'silent' }),
    now: () => new Date(t),
  });
  return {
    queue,
    records,
    changes: () => changes,
    advance: (ms: number) => {
      t += ms;
    },
    now: () => new Date(t),
    describe: () =>
      records.map(
        (e) =>
          `${e.callId} ${e.type}${'reason' in e ? ` ${e.reason}` : ''}${'outcome' in e ? ` ${e.outcome}` : ''}${'operatorId' in e ? ` ${e.operatorId}` : ''}`,
      ),
  };
}

describe('the fallback journal read into the records', () => {
  const journal = readJournal([
    { key: '/hotline-fallback-20240501/50.1-r', val: '1714550400,0912000001' },
    { key: '/hotline-fallback-20240501/50.1-q', val: '1714550403,' },
    { key: '/hotline-fallback-20240501/50.1-a', val: '1714550410,tdv01' },
    { key: '/hotline-fallback-20240501/50.1-e', val: '1714550470' },
    { key: '/hotline-fallback-20240501/51.1-r', val: '1714550500,0912000002' },
    { key: '/hotline-fallback-20240501/51.1-q', val: '1714550502,' },
  ]);

  it('records a call that ended unseen once, and leaves one still going and one followed now', () => {
    const s = setup();
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '52.1', calleridnum: '0912000003' });
    const followed = readJournal([
      { key: '52.1-q', val: '1714550600,' },
      { key: '52.1-e', val: '1714550660' },
    ]);
    const before = s.records.length;
    expect(s.queue.completeFromJournal([...journal, ...followed])).toBe(1);
    expect(s.describe().slice(before)).toEqual([
      '50.1 arrived',
      '50.1 queued',
      '50.1 offered 1',
      '50.1 offerEnded answered 1',
      '50.1 answered 1',
      '50.1 ended caller_hung_up',
    ]);
    // The next pass finds nothing new to record.
    expect(s.queue.completeFromJournal(journal)).toBe(0);
    expect(s.records.length).toBe(before + 6);
  });
});

describe('telephony mode', () => {
  it.each([
    [true, true, 'normal'],
    [true, false, 'normal'],
    [false, true, 'fallback'],
    [false, false, 'down'],
  ] as const)('controller up %s, AMI up %s → %s', (controller, ami, mode) => {
    expect(telephonyMode(controller, ami)).toBe(mode);
  });
});

describe('fallback queue', () => {
  it('follows a caller from joining to being answered and hanging up', () => {
    const s = setup();
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '17.1', calleridnum: '0912345678' });
    s.advance(7000);
    expect(s.queue.stats(s.now())).toEqual({ waiting: 1, longestWaitSeconds: 7, answered: 0, abandoned: 0 });
    s.queue.handle({ event: 'AgentCalled', queue: Q, uniqueid: '17.1', interface: 'PJSIP/tdv01' });
    s.queue.handle({ event: 'QueueCallerLeave', queue: Q, uniqueid: '17.1' });
    s.queue.handle({ event: 'AgentConnect', queue: Q, uniqueid: '17.1', interface: 'PJSIP/tdv01' });
    expect(s.queue.stats(s.now())).toEqual({ waiting: 0, longestWaitSeconds: 0, answered: 1, abandoned: 0 });
    s.queue.handle({
      event: 'AgentComplete',
      queue: Q,
      uniqueid: '17.1',
      interface: 'PJSIP/tdv01',
      reason: 'agent',
    });
    expect(s.describe()).toEqual([
      '17.1 arrived',
      '17.1 queued',
      '17.1 offered 1',
      '17.1 offerEnded answered 1',
      '17.1 answered 1',
      '17.1 ended agent_hung_up',
    ]);
    expect(s.records[0]).toMatchObject({ callerNumber: '0912345678' });
    expect(s.records[1]).toMatchObject({ queue: 'general' });
    expect(s.changes()).toBeGreaterThanOrEqual(3);
  });

  /** A caller answered by tdv01 on the operator leg `leg`. */
  const answered = (s: ReturnType<typeof setup>, id: string, leg: string) => {
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: id, calleridnum: '0912' });
    s.queue.handle({ event: 'AgentCalled', queue: Q, uniqueid: id, interface: 'PJSIP/tdv01' });
    s.queue.handle({ event: 'QueueCallerLeave', queue: Q, uniqueid: id });
    s.queue.handle({
      event: 'AgentConnect',
      queue: Q,
      uniqueid: id,
      destuniqueid: leg,
      interface: 'PJSIP/tdv01',
    });
  };

  it.each<[string, Record<string, string>]>([
    // What app_queue sends when the caller's channel was already gone when it reported the end.
    ['without the caller’s fields, by the operator leg', { destuniqueid: '20.2' }],
    ['without either channel’s fields, by the operator', {}],
  ])('ends the record of a talk whose AgentComplete comes %s', (_l, fields) => {
    const s = setup();
    answered(s, '20.1', '20.2');
    s.queue.handle({
      event: 'AgentComplete',
      queue: Q,
      interface: 'PJSIP/tdv01',
      membername: 'tdv01',
      reason: 'caller',
      ...fields,
    });
    expect(s.describe().at(-1)).toBe('20.1 ended caller_hung_up');
  });

  it('ends nothing on an AgentComplete that matches no followed talk', () => {
    const s = setup();
    answered(s, '21.1', '21.2');
    s.queue.handle({ event: 'AgentComplete', queue: Q, destuniqueid: '99.9', interface: 'PJSIP/tdv09' });
    expect(s.describe().at(-1)).toBe('21.1 answered 1');
  });

  it('counts and records a caller who hangs up while waiting (a callback task follows from it)', () => {
    const s = setup();
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '18.1', calleridnum: '0911' });
    s.queue.handle({ event: 'AgentCalled', queue: Q, uniqueid: '18.1', interface: 'PJSIP/tdv01' });
    s.queue.handle({ event: 'AgentRingNoAnswer', queue: Q, uniqueid: '18.1', interface: 'PJSIP/tdv01' });
    s.queue.handle({ event: 'QueueCallerAbandon', queue: Q, uniqueid: '18.1' });
    s.queue.handle({ event: 'QueueCallerLeave', queue: Q, uniqueid: '18.1' });
    expect(s.queue.stats(s.now())).toMatchObject({ waiting: 0, answered: 0, abandoned: 1 });
    expect(s.describe()).toEqual([
      '18.1 arrived',
      '18.1 queued',
      '18.1 offered 1',
      '18.1 offerEnded no_answer 1',
      '18.1 ended abandoned_in_queue',
    ]);
  });

  it('ignores other queues, and rebuilds the waiting list from QueueStatus after a reconnect', () => {
    const s = setup();
    s.queue.handle({ event: 'QueueCallerJoin', queue: 'other', uniqueid: '1.1', calleridnum: '1' });
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '2.1', calleridnum: '2' });
    const followed = s.queue.followedCalls();
    expect([...followed]).toEqual(['2.1']);
    s.queue.resync(
      [
        { event: 'QueueParams', queue: Q },
        { event: 'QueueEntry', queue: Q, uniqueid: '2.1', wait: '42', calleridnum: '2' },
        { event: 'QueueEntry', queue: Q, uniqueid: '4.1', wait: '5', calleridnum: '0913' },
      ],
      alive('2.1', '4.1'),
      followed,
    );
    expect(s.queue.stats(s.now())).toMatchObject({ waiting: 2, longestWaitSeconds: 42 });
    // The caller who joined while AMI was away is recorded from the time they joined.
    expect(s.describe()).toEqual(['2.1 arrived', '2.1 queued', '4.1 arrived', '4.1 queued']);
    expect(s.records[2]).toMatchObject({ callerNumber: '0913', at: new Date(s.now().getTime() - 5000) });
  });

  it('after a restart of the server, follows a waiting caller again without recording them twice', () => {
    const records: CallRecordEvent[] = [];
    const queue = new FallbackQueue({
      operators: [],
      records: {
        record: (e) => records.push(e),
        recall: (id) =>
          id === '50.1'
            ? { queue: 'general', queuedAt: new Date(0), menuPath: '', answeredAt: null, offers: 0 }
            : null,
      },
      changed: () => {},
      menu: () => DEFAULT_MENU,
      logger: pino({ level: 'silent' }),
      now: () => new Date('2024-05-01T08:00:00Z'),
    });
    queue.resync([{ event: 'QueueEntry', queue: Q, uniqueid: '50.1', wait: '30' }], alive('50.1'), new Set());
    expect(records).toEqual([]);
    queue.handle({ event: 'QueueCallerAbandon', queue: Q, uniqueid: '50.1' });
    expect(records.map((e) => `${e.callId} ${e.type}`)).toEqual(['50.1 ended']);
  });

  describe('after a restart of the server, a talk the queue connected meanwhile', () => {
    const now = new Date('2024-05-01T08:00:00Z');
    const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
    /** The caller in app_queue's talk with tdv01's leg, and a caller still waiting, as CoreShowChannels lists them. */
    const channels: AmiMessage[] = [
      {
        event: 'CoreShowChannel',
        channel: 'PJSIP/trunk-00000004',
        uniqueid: '60.1',
        calleridnum: '0916',
        application: 'Queue',
        applicationdata: `${Q},b(fallback-ring^s^1),,,3600`,
        bridgeid: 'b-60',
        duration: '00:01:05',
      },
      {
        event: 'CoreShowChannel',
        channel: 'PJSIP/tdv01-00000005',
        uniqueid: '60.2',
        application: 'AppQueue',
        applicationdata: '(Outgoing Line)',
        bridgeid: 'b-60',
        duration: '00:00:40',
      },
      {
        event: 'CoreShowChannel',
        channel: 'PJSIP/trunk-00000006',
        uniqueid: '61.1',
        application: 'Queue',
        applicationdata: `${Q},b(fallback-ring^s^1),,,3600`,
        bridgeid: '',
        duration: '00:00:10',
      },
      // Bridged, but not by the fallback queue (the controller's own talk).
      {
        event: 'CoreShowChannel',
        channel: 'PJSIP/trunk-00000007',
        uniqueid: '62.1',
        application: 'Stasis',
        applicationdata: 'hotline,citizen',
        bridgeid: 'b-62',
        duration: '00:02:00',
      },
      {
        event: 'CoreShowChannel',
        channel: 'PJSIP/tdv01-00000008',
        uniqueid: '62.2',
        application: 'Stasis',
        applicationdata: 'hotline,agent,62.1',
        bridgeid: 'b-62',
        duration: '00:01:00',
      },
    ];
    const restarted = (recalled: Partial<RecordedCall> | null) => {
      const records: CallRecordEvent[] = [];
      const queue = new FallbackQueue({
        operators: [{ operatorId: 1, displayName: 'Hoa', sipEndpoint: 'tdv01', skills: [] }],
        records: {
          record: (e) => records.push(e),
          recall: (id) =>
            id === '60.1' && recalled
              ? {
                  queue: 'general',
                  queuedAt: ago(65),
                  menuPath: '',
                  answeredAt: null,
                  offers: 0,
                  ...recalled,
                }
              : null,
        },
        changed: () => {},
        menu: () => DEFAULT_MENU,
        logger: pino({ level: 'silent' }),
        now: () => now,
      });
      queue.resync(
        [{ event: 'QueueEntry', queue: Q, uniqueid: '61.1', wait: '10', calleridnum: '0961' }],
        channels,
        new Set(),
      );
      const talk = () => records.filter((e) => e.callId === '60.1');
      return {
        queue,
        talk,
        describe: () => talk().map((e) => `${e.type}${'outcome' in e ? ` ${e.outcome}` : ''}`),
      };
    };
    const end = {
      event: 'AgentComplete',
      queue: Q,
      uniqueid: '60.1',
      interface: 'PJSIP/tdv01',
      reason: 'caller',
    };

    it('with no record yet is recorded from its start, answered by the operator whose leg it is, and ended', () => {
      const s = restarted(null);
      expect(s.describe()).toEqual(['arrived', 'queued', 'offered', 'offerEnded answered', 'answered']);
      expect(s.talk()[0]).toMatchObject({ callerNumber: '0916', at: ago(65) });
      expect(s.talk()[4]).toMatchObject({ operatorId: 1, at: ago(40) });
      // Answered before this server started: not in its own count.
      expect(s.queue.stats(now)).toMatchObject({ waiting: 1, answered: 0 });
      s.queue.handle(end);
      expect(s.describe().at(-1)).toBe('ended');
      expect(s.talk().at(-1)).toMatchObject({ reason: 'caller_hung_up' });
    });

    it('recorded up to the offer by the previous process gets only the answer', () => {
      const s = restarted({ offers: 1 });
      expect(s.describe()).toEqual(['offerEnded answered', 'answered']);
    });

    it('recorded as answered by the previous process gets only its end', () => {
      const s = restarted({ answeredAt: ago(40), offers: 1 });
      expect(s.describe()).toEqual([]);
      // Ended without the caller's fields: matched by the operator's leg.
      s.queue.handle({ ...end, uniqueid: '', destuniqueid: '60.2' });
      expect(s.describe()).toEqual(['ended']);
    });
  });

  it('after a reconnect, ends the followed calls whose channels are gone, as the controller would', () => {
    const s = setup();
    answered(s, '30.1', '30.2'); // talking; hangs up while AMI is away
    answered(s, '31.1', '31.2'); // still talking
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '32.1', calleridnum: '0932' }); // hangs up waiting
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '33.1', calleridnum: '0933' }); // still waiting
    const followed = s.queue.followedCalls();
    // Joins during the catch-up itself, after the channels were listed: not ended.
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '34.1', calleridnum: '0934' });
    s.queue.resync(
      [
        { event: 'QueueEntry', queue: Q, uniqueid: '33.1', wait: '20' },
        { event: 'QueueEntry', queue: Q, uniqueid: '34.1', wait: '0' },
      ],
      alive('31.1', '31.2', '33.1'),
      followed,
    );
    const ends = s.describe().filter((e) => e.includes('ended'));
    expect(ends).toEqual(['30.1 ended caller_hung_up', '32.1 ended abandoned_in_queue']);
    expect(s.queue.stats(s.now())).toMatchObject({ waiting: 2, answered: 2, abandoned: 1 });
    // What still runs is still followed: the talk's end is recorded when it comes.
    s.queue.handle({
      event: 'AgentComplete',
      queue: Q,
      uniqueid: '31.1',
      interface: 'PJSIP/tdv01',
      reason: 'agent',
    });
    expect(s.describe().at(-1)).toBe('31.1 ended agent_hung_up');
  });
});

describe('fallback watch over AMI', () => {
  function watched() {
    const records: CallRecordEvent[] = [];
    const actions: string[] = [];
    let handlers: AmiHandlers | undefined;
    let up = false;
    const connection: AmiConnection = {
      start: (h) => {
        handlers = h;
      },
      stop: async () => {},
      get up() {
        return up;
      },
      action: async () => ({}),
      list: async (fields) => {
        if (!up) throw new Error('not connected');
        actions.push(fields.action ?? '');
        return fields.action === 'QueueStatus'
          ? [{ event: 'QueueEntry', queue: Q, uniqueid: '40.1', wait: '3', calleridnum: '0940' }]
          : [{ event: 'CoreShowChannel', uniqueid: '40.1' }];
      },
    };
    const watch = createFallbackWatch({
      operators: [],
      records: { record: (e) => records.push(e) },
      changed: () => {},
      menu: () => DEFAULT_MENU,
      logger: pino({ level: 'silent' }),
      now: () => new Date('2024-05-01T08:00:00Z'),
      ami: { host: '', port: 0, username: '', password: '' },
      agentStatus: () => null,
      connection,
    });
    watch.start();
    return {
      watch,
      actions,
      described: () => records.map((e) => `${e.callId} ${e.type}`),
      event: (e: Record<string, string>) => handlers?.event(e),
      connected: () => {
        up = true;
        handlers?.connected();
      },
    };
  }

  const CATCH_UP_ACTIONS = [
    'QueueStatus',
    'CoreShowChannels',
    ...journalFamilies(new Date()).map(() => 'DBGetTree'),
  ];

  it('once Asterisk is fully booted after a connect, lists the queue, then the channels, and catches up', async () => {
    const w = watched();
    w.event({ event: 'QueueCallerJoin', queue: Q, uniqueid: '41.1', calleridnum: '0941' });
    w.connected();
    expect(w.actions).toEqual([]); // Asterisk may still be loading app_queue.
    w.event({ event: 'FullyBooted' });
    await vi.waitFor(() => expect(w.described()).toContain('41.1 ended'));
    // Then the fallback journal: today's family and each day it keeps.
    await vi.waitFor(() => expect(w.actions).toEqual([...CATCH_UP_ACTIONS]));
    expect(w.described()).toEqual([
      '41.1 arrived',
      '41.1 queued',
      '40.1 arrived',
      '40.1 queued',
      '41.1 ended',
    ]);
    expect(w.watch.stats(new Date('2024-05-01T08:00:00Z'))).toMatchObject({ waiting: 1, abandoned: 1 });
  });

  it('catches up on connecting when FullyBooted came ahead of the login’s answer', async () => {
    const w = watched();
    w.event({ event: 'FullyBooted' });
    expect(w.actions).toEqual([]);
    w.connected();
    await vi.waitFor(() => expect(w.actions).toEqual([...CATCH_UP_ACTIONS]));
    await vi.waitFor(() => expect(w.described()).toEqual(['40.1 arrived', '40.1 queued']));
  });
});
