import { describe, expect, it } from 'vitest';
import {
  type CallCommand,
  type CallInput,
  type CallState,
  initialState,
  MAX_INVALID,
  type SoundName,
  step,
} from '../../ivr/flow.ts';
import { configOf, DEFAULT_MENU, defaultMenuJson } from '../support/menu.ts';

const t0 = new Date('2024-05-01T03:00:00Z'); // 10:00 in Hồ Chí Minh City: open
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** A main menu with a sub-menu (key 2) holding a queue, an announcement and a deeper sub-menu. */
const NESTED = configOf({
  ...defaultMenuJson(),
  menu: {
    id: 'main',
    prompt: 'Menu chính.',
    options: {
      '1': { queue: 'health' },
      '2': {
        menu: {
          id: 'support',
          prompt: 'Hỗ trợ.',
          options: {
            '1': { queue: 'welfare' },
            '3': {
              announcements: [
                { id: 'rice', text: 'Gạo.' },
                { id: 'water', text: 'Nước.' },
              ],
            },
            '4': { menu: { id: 'deep', prompt: 'Sâu.', options: { '1': { queue: 'goods' } } } },
          },
        },
      },
      '7': { statusLookup: true },
      '0': { queue: 'general' },
    },
  },
});

function run(keys: string, config = NESTED): { state: CallState; commands: CallCommand[] } {
  let state: CallState = initialState(config);
  const commands: CallCommand[] = [];
  const inputs: CallInput[] = [
    { type: 'started' },
    ...[...keys].map((digit) => ({ type: 'dtmf', digit }) as const),
  ];
  inputs.forEach((input, i) => {
    const result = step(state, input, at(i));
    state = result.state;
    commands.push(...result.commands);
  });
  return { state, commands };
}
/** Prompts played, and what an announcement plays before the position (on joining a queue). */
const played = (commands: CallCommand[]): SoundName[][] =>
  commands.flatMap((c) => (c.type === 'play' ? [c.sounds] : c.type === 'announce' ? [c.before] : []));
const lastPlayed = (commands: CallCommand[]) => played(commands).at(-1);

describe('menu from the configuration', () => {
  it.each<[string, string, Partial<CallState> & Record<string, unknown>, SoundName[]]>([
    ['a queue on the main menu', '1', { name: 'queued', queue: 'health', menuChoice: '1' }, ['queued']],
    ['a sub-menu', '2', { name: 'menu', path: ['2'], invalidKeys: 0 }, ['menu-support']],
    [
      'a queue in a sub-menu, with the whole path as the choice',
      '21',
      { name: 'queued', queue: 'welfare', menuChoice: '21' },
      ['queued'],
    ],
    ['a sub-menu of a sub-menu', '24', { name: 'menu', path: ['2', '4'] }, ['menu-deep']],
    ['a queue two levels down', '241', { name: 'queued', queue: 'goods', menuChoice: '241' }, ['queued']],
    ['* in a sub-menu goes back to its parent', '24*', { name: 'menu', path: ['2'] }, ['menu-support']],
    ['* twice goes back to the main menu', '24**', { name: 'menu', path: [] }, ['menu-main']],
    [
      'a key of the main menu after going back',
      '2*1',
      { name: 'queued', queue: 'health', menuChoice: '1' },
      ['queued'],
    ],
    [
      'announcements, then the same menu again',
      '23',
      { name: 'menu', path: ['2'] },
      ['announcement-rice', 'announcement-water', 'menu-support'],
    ],
    [
      'a key after the announcements',
      '231',
      { name: 'queued', queue: 'welfare', menuChoice: '21' },
      ['queued'],
    ],
    ['the status line on the key the file gives it', '7', { name: 'codeEntry' }, ['enterCode']],
    [
      '* on the main menu is an invalid key',
      '*',
      { name: 'menu', path: [], invalidKeys: 1 },
      ['invalid', 'menu-main'],
    ],
    [
      'a key of the main menu is invalid in a sub-menu',
      '27',
      { name: 'menu', path: ['2'], invalidKeys: 1 },
      ['invalid', 'menu-support'],
    ],
  ])('%s (%s)', (_label, keys, expected, sounds) => {
    const { state, commands } = run(keys);
    expect(state).toMatchObject(expected);
    expect(lastPlayed(commands)).toEqual(sounds);
  });

  it('the default menu: 5 plays the official announcements and comes back; 4 joins infrastructure', () => {
    const info = run('5', DEFAULT_MENU);
    expect(info.state).toMatchObject({ name: 'menu', path: [] });
    expect(lastPlayed(info.commands)).toEqual(['announcement-official-info', 'menu-main']);
    expect(run('54', DEFAULT_MENU).state).toMatchObject({
      name: 'queued',
      queue: 'infrastructure',
      menuChoice: '4',
    });
  });

  it('entering a sub-menu starts its invalid-key count afresh', () => {
    expect(run('82', NESTED).state).toMatchObject({ name: 'menu', path: ['2'], invalidKeys: 0 });
  });

  it(`sends the caller to general after ${MAX_INVALID} invalid keys in a sub-menu`, () => {
    const { state } = run('2999');
    expect(state).toMatchObject({ name: 'queued', queue: 'general', menuChoice: '' });
  });

  it('replays the sub-menu on silence, then sends the caller to general', () => {
    let { state } = run('2');
    const finish = (s: CallState) => step(s, { type: 'playbackFinished', playback: s.playing ?? -1 }, at(10));
    const fire = (s: CallState) =>
      step(s, { type: 'timeout', timer: 'timer' in s ? (s.timer ?? -1) : -1 }, at(20));
    state = finish(state).state;
    const first = fire(state);
    expect(first.state).toMatchObject({ name: 'menu', path: ['2'], timeouts: 1 });
    expect(lastPlayed(first.commands)).toEqual(['menu-support']);
    const second = fire(finish(first.state).state);
    expect(second.state).toMatchObject({ name: 'queued', queue: 'general' });
  });

  it('takes a key pressed during a sub-menu prompt (type-ahead) and stops the prompt', () => {
    const { state } = run('2');
    const { commands } = step(state, { type: 'dtmf', digit: '1' }, at(5));
    expect(commands[0]).toEqual({ type: 'stopPlayback', playback: state.playing });
  });

  it('a call keeps the menu it started with', () => {
    const { state } = run('2');
    // A reload gives new calls another menu; this call's state still holds the old one.
    const next = step(state, { type: 'dtmf', digit: '1' }, at(5));
    expect(next.state).toMatchObject({ name: 'queued', queue: 'welfare' });
    expect(next.state.config).toBe(NESTED);
  });
});
