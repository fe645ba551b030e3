/**
 * The watchdog's rules: which channel the controller left goes to the fallback queue (with which
 * key), which is hung up, which is left alone; when the controller counts as away; and the run
 * loop that never acts beside a live controller and acts once per channel.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { MenuNode } from '../../ivr/menu.ts';
import { queueBridgeId, talkBridgeId } from '../../ivr/stasis-names.ts';
import {
  CONTROLLER_BEAT_VARIABLE,
  choiceForQueue,
  controllerAway,
  observeBeat,
  planRescues,
  startBeatWatch,
  type WatchedBridge,
  type WatchedChannel,
} from '../../ivr/watchdog.ts';
import type { WatchdogRest } from '../../ivr/watchdog-rest.ts';
import { createWatchdog } from '../../ivr/watchdog-run.ts';
import { DEFAULT_MENU } from '../support/menu.ts';

const menu = DEFAULT_MENU.menu;

const citizen = (id: string, state = 'Up'): WatchedChannel => ({
  id,
  state,
  app: 'Stasis',
  appData: 'hotline,citizen',
  context: 'from-trunk',
  exten: '1022',
});
const leg = (id: string, role: 'agent' | 'coach' | 'snoop', callId: string): WatchedChannel => ({
  id,
  state: 'Up',
  app: 'Stasis',
  appData: `hotline,${role},${callId}`,
  context: 'default',
  exten: 's',
});
const bridge = (id: string, ...channels: string[]): WatchedBridge => ({ id, channels });

describe('what becomes of each channel the controller left', () => {
  it('sends waiting callers to the fallback with the key of their queue, and menu callers without one', () => {
    const plan = planRescues(
      [citizen('w1'), citizen('w2'), citizen('m1', 'Ring')],
      [bridge(queueBridgeId('health'), 'w1'), bridge(queueBridgeId('general'), 'w2')],
      menu,
      new Set(),
    );
    expect(plan).toEqual([
      {
        kind: 'fallback',
        channelId: 'w1',
        context: 'from-trunk',
        exten: '1022',
        choice: '1',
        queue: 'health',
        why: 'waiting',
      },
      expect.objectContaining({ channelId: 'w2', choice: '0', queue: 'general', why: 'waiting' }),
      expect.objectContaining({
        kind: 'fallback',
        channelId: 'm1',
        choice: null,
        queue: null,
        why: 'in_menu',
      }),
    ]);
  });

  it('leaves a talk alone, and hangs up whoever is left alone in one', () => {
    const plan = planRescues(
      [
        citizen('t1'),
        leg('t1-agent-1', 'agent', 't1'),
        leg('t1-coach-a', 'coach', 't1'),
        citizen('t2'),
        leg('t3-agent-1', 'agent', 't3'),
      ],
      [
        bridge(talkBridgeId('t1', 1), 't1', 't1-agent-1'),
        bridge('t1-coach-a-bridge', 't1-coach-a'),
        bridge(talkBridgeId('t2', 1), 't2'),
        bridge(talkBridgeId('t3', 2), 't3-agent-1'),
      ],
      menu,
      new Set(),
    );
    expect(plan).toEqual([
      { kind: 'hangup', channelId: 't2', why: 'operator_gone' },
      { kind: 'hangup', channelId: 't3-agent-1', why: 'caller_gone' },
    ]);
  });

  it('hangs up an operator leg and a supervisor leg whose call is not talked', () => {
    const plan = planRescues(
      [citizen('w1'), leg('w1-agent-1', 'agent', 'w1'), leg('x-coach-b', 'coach', 'x')],
      [bridge(queueBridgeId('goods'), 'w1')],
      menu,
      new Set(),
    );
    expect(plan.map((r) => [r.channelId, r.kind])).toEqual([
      ['w1', 'fallback'],
      ['w1-agent-1', 'hangup'],
      ['x-coach-b', 'hangup'],
    ]);
  });

  it('acts once per channel, and never on channels of other applications or out of Stasis', () => {
    const other: WatchedChannel = { ...citizen('o1'), appData: 'another-app,citizen' };
    const queued: WatchedChannel = { ...citizen('q1'), app: 'Queue', appData: 'hotline-fallback' };
    expect(planRescues([citizen('w1'), other, queued], [], menu, new Set(['w1']))).toEqual([]);
  });

  it('keys a queue only a sub-menu leads to as general, and none without a general key', () => {
    const only: MenuNode = { id: 'm', prompt: 'p', options: { '2': { queue: 'welfare' } } };
    expect(choiceForQueue(menu, 'goods')).toBe('3');
    expect(choiceForQueue(only, 'health')).toBeNull();
    expect(
      choiceForQueue({ ...only, options: { ...only.options, '7': { queue: 'general' } } }, 'health'),
    ).toBe('7');
  });
});

describe('the controller’s heartbeat', () => {
  it('counts the controller away once its value has not changed for the time given', () => {
    let watch = startBeatWatch(0);
    expect(controllerAway(watch, 9_999, 10_000)).toBe(false);
    watch = observeBeat(watch, 'a', 5_000);
    expect(controllerAway(watch, 14_000, 10_000)).toBe(false);
    watch = observeBeat(watch, 'a', 14_000);
    watch = observeBeat(watch, '', 14_500);
    expect(controllerAway(watch, 15_000, 10_000)).toBe(true);
    watch = observeBeat(watch, 'b', 15_000);
    expect(controllerAway(watch, 15_000, 10_000)).toBe(false);
  });
});

/** Asterisk's state as the watchdog's REST calls see and change it (the rules' input, in memory). */
function asteriskState() {
  const state = {
    beat: 'x',
    channels: [citizen('w1'), citizen('w2'), citizen('t1'), leg('t1-agent-1', 'agent', 't1')],
    bridges: [
      bridge(queueBridgeId('health'), 'w1', 'w2'),
      bridge(talkBridgeId('t1', 1), 't1', 't1-agent-1'),
    ] as WatchedBridge[],
    actions: [] as string[],
  };
  const leave = (id: string) => {
    state.channels = state.channels.filter((c) => c.id !== id);
    for (const b of state.bridges) b.channels = b.channels.filter((c) => c !== id);
  };
  const rest: WatchdogRest = {
    globalVariable: async (name) => (name === CONTROLLER_BEAT_VARIABLE ? state.beat : ''),
    setGlobalVariable: async () => undefined,
    channels: async () => state.channels.map((c) => ({ ...c })),
    bridges: async () => state.bridges.map((b) => ({ ...b, channels: [...b.channels] })),
    continueInDialplan: async (id, to) => {
      state.actions.push(`continue ${id} ${to.context},${to.exten},${to.label}`);
      leave(id);
    },
    hangup: async (id) => {
      state.actions.push(`hangup ${id}`);
      leave(id);
    },
  };
  return { state, rest, leave };
}

describe('the watchdog at work', () => {
  const logger = pino({ level: 'silent' });

  it('waits out the configured time, moves the waiting callers once, then hangs up a talk left alone', async () => {
    const { state, rest, leave } = asteriskState();
    let t = 0;
    const dog = createWatchdog({ rest, afterMs: 4000, menu: () => menu, logger, now: () => t });
    await dog.tick();
    t = 3999;
    await dog.tick();
    expect(state.actions).toEqual([]);
    t = 4000;
    await dog.tick();
    await dog.idle();
    // Side by side, each with their key as the extension that leads to the fallback.
    expect([...state.actions].sort()).toEqual([
      'continue w1 fallback-moved,1,fallback',
      'continue w2 fallback-moved,1,fallback',
    ]);
    expect(dog.status()).toEqual({ controllerAway: true, moved: 2, hungUp: 0 });
    // The operator hangs up: the caller is alone and hung up, once.
    leave('t1-agent-1');
    t = 5000;
    await dog.tick();
    await dog.tick();
    await dog.idle();
    await dog.tick();
    await dog.idle();
    expect(state.actions.slice(2)).toEqual(['hangup t1']);
  });

  it('stands aside as soon as the heartbeat moves again, also between the rescue’s steps', async () => {
    const { state, rest } = asteriskState();
    let t = 0;
    let back = false;
    const dog = createWatchdog({
      rest: {
        ...rest,
        globalVariable: async () => (back ? 'back' : state.beat),
        // The controller comes back while the watchdog lists the channels.
        channels: async () => {
          back = true;
          return rest.channels();
        },
      },
      afterMs: 4000,
      menu: () => menu,
      logger,
      now: () => t,
    });
    await dog.tick();
    t = 10_000;
    await dog.tick();
    await dog.idle();
    expect(state.actions.filter((a) => a.startsWith('continue'))).toEqual([]);
    expect(dog.status()).toEqual({ controllerAway: false, moved: 0, hungUp: 0 });
    t = 13_000;
    await dog.tick();
    await dog.idle();
    expect(state.actions.filter((a) => a.startsWith('continue'))).toEqual([]);
  });
});
