/** The fallback queue's members are paused unless their operator is ready, and follow each change. */
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { AgentStateView } from '../../common/events.ts';
import type { AmiConnection, AmiHandlers } from '../../ivr/ami.ts';
import { createFallbackWatch, memberActions } from '../../ivr/fallback.ts';
import { type MemberPause, pauseActions, pauseOf } from '../../ivr/fallback-pause.ts';
import { DEFAULT_MENU } from '../support/menu.ts';

const Q = 'hotline-fallback';
const member = (endpoint: string, paused = '0', pausedreason = '') => ({
  event: 'QueueMember',
  queue: Q,
  name: endpoint,
  location: `PJSIP/${endpoint}`,
  membership: 'dynamic',
  paused,
  pausedreason,
});
const view = (state: AgentStateView['state'], reason: AgentStateView['reason'] = null): AgentStateView => ({
  state,
  reason,
  since: '2024-05-01T08:00:00Z',
  wrapUpEndsAt: null,
});

describe('the pause that follows an operator’s state', () => {
  it.each([
    [view('ready'), { paused: false }],
    [view('ringing'), { paused: false }],
    [view('on_call'), { paused: false }],
    [view('wrap_up'), { paused: false }],
    [view('not_ready', 'break'), { paused: true, reason: 'break' }],
    [view('not_ready', 'training'), { paused: true, reason: 'training' }],
    [view('not_ready', 'callback_work'), { paused: true, reason: 'callback_work' }],
    [view('not_ready', 'missed_call'), { paused: true, reason: 'missed_call' }],
    [view('not_ready', 'connection_lost'), { paused: true, reason: 'connection_lost' }],
    [view('offline'), { paused: true, reason: 'offline' }],
    [null, { paused: true, reason: 'offline' }],
  ] as const)('%j → %j', (status, pause) => {
    expect(pauseOf(status)).toEqual(pause);
  });
});

describe('QueuePause actions', () => {
  const wanted = new Map<string, MemberPause>([
    ['tdv01', { paused: false }],
    ['tdv02', { paused: true, reason: 'break' }],
  ]);

  it('pauses and unpauses only the members whose pause differs, with the reason', () => {
    expect(pauseActions([member('tdv01', '1', 'offline'), member('tdv02')], wanted)).toEqual([
      { action: 'QueuePause', queue: Q, interface: 'PJSIP/tdv01', paused: 'false' },
      { action: 'QueuePause', queue: Q, interface: 'PJSIP/tdv02', paused: 'true', reason: 'break' },
    ]);
  });

  it('gives a paused member a new reason; leaves alike members, other queues and unknown members alone', () => {
    expect(pauseActions([member('tdv02', '1', 'training')], wanted)).toEqual([
      { action: 'QueuePause', queue: Q, interface: 'PJSIP/tdv02', paused: 'true', reason: 'break' },
    ]);
    expect(
      pauseActions(
        [
          member('tdv01'),
          member('tdv02', '1', 'break'),
          { ...member('tdv01', '1', 'break'), queue: 'other' },
          member('tdv09', '1', 'offline'),
        ],
        wanted,
      ),
    ).toEqual([]);
  });

  it('adds a member paused already when their operator is not ready', () => {
    expect(memberActions([], ['tdv02'], wanted)).toEqual([
      expect.objectContaining({
        action: 'QueueAdd',
        interface: 'PJSIP/tdv02',
        paused: 'true',
        reason: 'break',
      }),
    ]);
    expect(memberActions([], ['tdv01'], wanted)[0]).not.toHaveProperty('paused');
  });
});

describe('the fallback watch pauses members as operators change state', () => {
  function watched(states: Map<number, AgentStateView>) {
    const sent: Record<string, string>[] = [];
    let handlers: AmiHandlers | undefined;
    let up = false;
    /** The members as Asterisk has them, changed by the actions sent. */
    const members = new Map([
      ['tdv01', { paused: '0', reason: '' }],
      ['tdv02', { paused: '0', reason: '' }],
    ]);
    const connection: AmiConnection = {
      start: (h) => {
        handlers = h;
      },
      stop: async () => {},
      get up() {
        return up;
      },
      action: async (fields) => {
        sent.push(fields);
        const endpoint = (fields.interface ?? '').replace('PJSIP/', '');
        if (fields.action === 'QueuePause')
          members.set(endpoint, {
            paused: fields.paused === 'true' ? '1' : '0',
            reason: fields.reason ?? '',
          });
        return {};
      },
      list: async (fields) =>
        fields.action === 'QueueStatus'
          ? [...members].map(([endpoint, m]) => member(endpoint, m.paused, m.reason))
          : [],
    };
    const watch = createFallbackWatch({
      operators: [
        { operatorId: 1, displayName: 'Hoa', sipEndpoint: 'tdv01', skills: [] },
        { operatorId: 2, displayName: 'Minh', sipEndpoint: 'tdv02', skills: [] },
      ],
      records: { record: () => {} },
      menu: () => DEFAULT_MENU,
      agentStatus: (operatorId) => states.get(operatorId) ?? null,
      changed: () => {},
      logger: pino({ level: 'silent' }),
      now: () => new Date('2024-05-01T08:00:00Z'),
      ami: { host: '', port: 0, username: '', password: '' },
      connection,
    });
    watch.start();
    const pauses = () => sent.filter((a) => a.action === 'QueuePause');
    return {
      watch,
      pauses,
      describe: () => pauses().map((a) => `${a.interface} ${a.paused}${a.reason ? ` ${a.reason}` : ''}`),
      connect: () => {
        up = true;
        handlers?.connected();
        handlers?.event({ event: 'FullyBooted' });
      },
      change: (operatorId: number, status: AgentStateView) => {
        states.set(operatorId, status);
        watch.agentStateChanged(operatorId, status);
      },
    };
  }

  it('on connecting, pauses every member whose operator is not ready', async () => {
    const w = watched(new Map([[1, view('ready')]]));
    w.connect();
    await vi.waitFor(() => expect(w.describe()).toEqual(['PJSIP/tdv02 true offline']));
  });

  it('pauses and unpauses on a change of state, and sends nothing when being rung may not change', async () => {
    const w = watched(new Map([[1, view('ready')]]));
    w.connect();
    await vi.waitFor(() => expect(w.pauses()).toHaveLength(1));
    w.change(2, view('not_ready', 'break'));
    await vi.waitFor(() => expect(w.describe().at(-1)).toBe('PJSIP/tdv02 true break'));
    w.change(2, view('ready'));
    await vi.waitFor(() => expect(w.describe().at(-1)).toBe('PJSIP/tdv02 false'));
    for (const state of ['ringing', 'on_call', 'wrap_up', 'ready'] as const) w.change(2, view(state));
    w.change(1, view('not_ready', 'training'));
    await vi.waitFor(() => expect(w.describe().at(-1)).toBe('PJSIP/tdv01 true training'));
    expect(w.describe()).toEqual([
      'PJSIP/tdv02 true offline',
      'PJSIP/tdv02 true break',
      'PJSIP/tdv02 false',
      'PJSIP/tdv01 true training',
    ]);
  });

  it('while AMI is down a change waits for the reconnect, which applies the state then', async () => {
    const w = watched(new Map([[1, view('ready')]]));
    w.change(2, view('ready'));
    w.change(1, view('offline'));
    expect(w.pauses()).toEqual([]);
    w.connect();
    await vi.waitFor(() => expect(w.describe()).toEqual(['PJSIP/tdv01 true offline']));
  });
});
