/** A fallback call is recorded in the queue its caller's key leads to in the menu as it is now. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../ivr/ami.ts';
import type { CallRecordEvent } from '../../ivr/api.ts';
import { FallbackQueue } from '../../ivr/fallback.ts';
import { choiceOf, queueOfChoice } from '../../ivr/fallback-choice.ts';
import type { IvrConfig } from '../../ivr/menu.ts';
import { configOf, DEFAULT_MENU, defaultMenuJson } from '../support/menu.ts';

const Q = 'hotline-fallback';
/** An AMI event as the AMI library hands it over: `ChanVariable` lines gathered in an object. */
const withChoice = (event: Record<string, string>, key: string): AmiMessage =>
  ({ ...event, chanvariable: { HOTLINE_CHOICE: key } }) as unknown as AmiMessage;

describe('the caller’s key', () => {
  it.each([
    [withChoice({ event: 'QueueCallerJoin' }, '1'), '1'],
    [withChoice({ event: 'QueueCallerJoin' }, ''), null],
    [withChoice({ event: 'QueueCallerJoin' }, '*'), null],
    [{ event: 'QueueCallerJoin', chanvariable: 'HOTLINE_CHOICE=4' }, '4'],
    [{ event: 'QueueCallerJoin' }, null],
  ])('%j → %s', (event, key) => {
    expect(choiceOf(event)).toBe(key);
  });

  it.each([
    ['1', 'health'],
    ['2', 'welfare'],
    ['4', 'infrastructure'],
    ['0', 'general'],
    ['5', 'general'], // announcements: the fallback has none to play
    ['9', 'general'], // the status line needs the controller
    ['7', 'general'], // no such key
    [null, 'general'],
  ])('key %s → queue %s', (key, queue) => {
    expect(queueOfChoice(DEFAULT_MENU.menu, key)).toBe(queue);
  });
});

describe('fallback call records keep the choice', () => {
  function setup(menu: () => IvrConfig = () => DEFAULT_MENU) {
    const records: CallRecordEvent[] = [];
    const queue = new FallbackQueue({
      operators: [{ operatorId: 1, displayName: 'Hoa', sipEndpoint: 'tdv01', skills: [] }],
      records: { record: (e) => records.push(e), recall: () => null },
      menu,
      changed: () => {},
      logger: pino({ level: 'silent' }),
      now: () => new Date('2024-05-01T08:00:00Z'),
    });
    const described = () =>
      records.map(
        (e) =>
          `${e.callId} ${e.type}${'digit' in e ? ` ${e.digit}` : ''}${'queue' in e ? ` ${e.queue}` : ''}`,
      );
    return { queue, described };
  }

  it('records the key and the queue it leads to; no key is general', () => {
    const s = setup();
    s.queue.handle(
      withChoice({ event: 'QueueCallerJoin', queue: Q, uniqueid: '1.1', calleridnum: '09' }, '1'),
    );
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '2.1', calleridnum: '09' });
    expect(s.described()).toEqual([
      '1.1 arrived',
      '1.1 digit 1',
      '1.1 queued health',
      '2.1 arrived',
      '2.1 queued general',
    ]);
  });

  it('reads the key with the menu as it is now', () => {
    const json = defaultMenuJson() as { menu: { options: Record<string, unknown> } };
    json.menu.options['1'] = { queue: 'goods' };
    let menu = DEFAULT_MENU;
    const s = setup(() => menu);
    menu = configOf(json);
    s.queue.handle(withChoice({ event: 'QueueCallerJoin', queue: Q, uniqueid: '3.1' }, '1'));
    expect(s.described().at(-1)).toBe('3.1 queued goods');
  });

  it('after a reconnect, takes the key of a caller who joined meanwhile from their channel', () => {
    const s = setup();
    s.queue.resync(
      [{ event: 'QueueEntry', queue: Q, uniqueid: '4.1', wait: '5', calleridnum: '09' }],
      [withChoice({ event: 'CoreShowChannel', uniqueid: '4.1' }, '2')],
      new Set(),
    );
    expect(s.described()).toEqual(['4.1 arrived', '4.1 digit 2', '4.1 queued welfare']);
  });
});
