import { describe, expect, it } from 'vitest';
import { memberActions } from '../../ivr/fallback.ts';

const Q = 'hotline-fallback';
const member = (endpoint: string, membership: 'static' | 'dynamic', queue = Q) => ({
  event: 'QueueMember',
  queue,
  name: endpoint,
  location: `PJSIP/${endpoint}`,
  stateinterface: `PJSIP/${endpoint}`,
  membership,
});

describe('fallback queue members follow the operators', () => {
  it('adds an operator who is not a member, as queues.conf names members', () => {
    expect(
      memberActions([{ event: 'QueueParams', queue: Q }, member('tdv01', 'static')], ['tdv01', 'tdv09']),
    ).toEqual([
      {
        action: 'QueueAdd',
        queue: Q,
        interface: 'PJSIP/tdv09',
        membername: 'tdv09',
        stateinterface: 'PJSIP/tdv09',
        penalty: '0',
      },
    ]);
  });

  it('removes a member added at run time who is no operator any more; queues.conf’s members stay', () => {
    expect(memberActions([member('tdv01', 'static'), member('tdv09', 'dynamic')], [])).toEqual([
      { action: 'QueueRemove', queue: Q, interface: 'PJSIP/tdv09' },
    ]);
  });

  it('changes nothing when the members are the operators, and reads only its own queue', () => {
    expect(
      memberActions([member('tdv01', 'static'), member('tdv09', 'dynamic')], ['tdv01', 'tdv09']),
    ).toEqual([]);
    expect(memberActions([member('tdv01', 'dynamic', 'other')], ['tdv01'])).toHaveLength(1);
  });
});
