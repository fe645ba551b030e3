import { describe, expect, it } from 'vitest';
import type { QueueName } from '../../common/domain.ts';
import type { RecordedCall } from '../../ivr/api.ts';
import { journalFamilies, missingEvents, readJournal } from '../../ivr/fallback-journal.ts';

const at = (s: number) => new Date(s * 1000);
const operatorOf = (endpoint: string) => (endpoint === 'tdv01' ? 1 : null);
const queueOf = (choice: string | null): QueueName => (choice === '1' ? 'health' : 'general');

describe('the fallback journal', () => {
  it('reads the families of today and the days kept, in UTC', () => {
    expect(journalFamilies(new Date('2026-12-07T23:30:00+07:00'), 2)).toEqual([
      'hotline-fallback-20261207',
      'hotline-fallback-20261206',
      'hotline-fallback-20261205',
    ]);
  });

  it('groups DBGetTree entries by caller, whatever the key carries before the id', () => {
    const calls = readJournal([
      { key: '/hotline-fallback-20261207/1796.10-r', val: '1000,0904000002' },
      { key: '/hotline-fallback-20261207/1796.10-q', val: '1004,1' },
      { key: '1796.10-a', val: '1010,tdv01' },
      { key: '/hotline-fallback-20261207/1796.10-e', val: '1070' },
      { key: '/hotline-fallback-20261207/1797.2-q', val: '1100,' },
      { key: '/hotline-fallback-20261207/nonsense', val: '1' },
    ]);
    expect(calls).toEqual([
      {
        callId: '1796.10',
        arrivedAt: at(1000),
        callerNumber: '0904000002',
        queuedAt: at(1004),
        choice: '1',
        answeredAt: at(1010),
        endpoint: 'tdv01',
        endedAt: at(1070),
      },
      {
        callId: '1797.2',
        arrivedAt: null,
        callerNumber: '',
        queuedAt: at(1100),
        choice: '',
        answeredAt: null,
        endpoint: null,
        endedAt: null,
      },
    ]);
  });

  const [talk] = readJournal([
    { key: 'c1-r', val: '1000,0904000002' },
    { key: 'c1-q', val: '1004,1' },
    { key: 'c1-a', val: '1010,tdv01' },
    { key: 'c1-e', val: '1070' },
  ]);
  const [abandon] = readJournal([
    { key: 'c2-r', val: '1000,0904000003' },
    { key: 'c2-q', val: '1003,' },
    { key: 'c2-e', val: '1020' },
  ]);

  it('records a call that came and went unseen from its arrival to its end', () => {
    expect(missingEvents(talk!, null, operatorOf, queueOf)).toEqual([
      { type: 'arrived', callId: 'c1', at: at(1000), callerNumber: '0904000002' },
      { type: 'digit', callId: 'c1', at: at(1004), digit: '1' },
      { type: 'queued', callId: 'c1', at: at(1004), queue: 'health' },
      { type: 'offered', callId: 'c1', at: at(1010), operatorId: 1 },
      { type: 'offerEnded', callId: 'c1', at: at(1010), operatorId: 1, outcome: 'answered' },
      { type: 'answered', callId: 'c1', at: at(1010), operatorId: 1 },
      { type: 'ended', callId: 'c1', at: at(1070), reason: 'caller_hung_up' },
    ]);
    expect(missingEvents(abandon!, null, operatorOf, queueOf).map((e) => e.type)).toEqual([
      'arrived',
      'queued',
      'ended',
    ]);
    expect(missingEvents(abandon!, null, operatorOf, queueOf).at(-1)).toMatchObject({
      reason: 'abandoned_in_queue',
    });
  });

  it('only ends a call the controller recorded before the watchdog moved it', () => {
    const recorded: RecordedCall = {
      queue: 'general',
      queuedAt: at(900),
      menuPath: '0',
      answeredAt: null,
      offers: 0,
      ended: false,
    };
    expect(missingEvents(abandon!, recorded, operatorOf, queueOf)).toEqual([
      { type: 'ended', callId: 'c2', at: at(1020), reason: 'abandoned_in_queue' },
    ]);
  });

  it('leaves a record that has its end, and a call the journal has not seen end', () => {
    const ended: RecordedCall = {
      queue: 'general',
      queuedAt: at(900),
      menuPath: '0',
      answeredAt: null,
      offers: 0,
      ended: true,
    };
    expect(missingEvents(abandon!, ended, operatorOf, queueOf)).toEqual([]);
    expect(missingEvents({ ...abandon!, endedAt: null }, null, operatorOf, queueOf)).toEqual([]);
  });

  it('ends a caller who hung up in the fallback menu as such', () => {
    const [menu] = readJournal([
      { key: 'c3-r', val: '1000,0904000004' },
      { key: 'c3-e', val: '1002' },
    ]);
    expect(missingEvents(menu!, null, operatorOf, queueOf).at(-1)).toMatchObject({
      reason: 'caller_hung_up_in_menu',
    });
  });
});
