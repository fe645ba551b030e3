// Coaching's pure rules: how each mode is wired, who hears whom, the steps between modes, what the
// operator is told under each province setting, and the audit actions.
import { describe, expect, it } from 'vitest';
import { COACHING_MODES, type CoachingMode, type CoachingVisibility } from '../../common/api.ts';
import { audibility, type CoachingStep, coachingSteps, wiringOf } from '../../ivr/coaching-rules.ts';
import { auditAction, auditsEnd, operatorSees } from '../../server/coaching/rules.ts';

describe('coaching modes in Asterisk', () => {
  it('listens and whispers through a snoop on both directions; whispers only toward the operator', () => {
    expect(wiringOf('listen')).toEqual({ via: 'snoop', spy: 'both', whisper: 'none' });
    expect(wiringOf('whisper')).toEqual({ via: 'snoop', spy: 'both', whisper: 'out' });
    expect(wiringOf('barge')).toEqual({ via: 'talk' });
  });

  it.each([
    ['listen', { operatorHearsSupervisor: false, callerHearsSupervisor: false }],
    ['whisper', { operatorHearsSupervisor: true, callerHearsSupervisor: false }],
    ['barge', { operatorHearsSupervisor: true, callerHearsSupervisor: true }],
  ] as const)('%s: the supervisor hears both sides; %o', (mode, heard) => {
    expect(audibility(mode)).toEqual({
      supervisorHearsCaller: true,
      supervisorHearsOperator: true,
      ...heard,
    });
  });

  const snoop = (whisper: 'none' | 'out'): CoachingStep => ({ type: 'snoop', spy: 'both', whisper });
  it.each<[CoachingMode | null, CoachingMode, CoachingStep[]]>([
    [null, 'listen', [{ type: 'createCoachBridge' }, snoop('none'), { type: 'joinCoachBridge' }]],
    [null, 'whisper', [{ type: 'createCoachBridge' }, snoop('out'), { type: 'joinCoachBridge' }]],
    [null, 'barge', [{ type: 'joinTalk' }]],
    ['listen', 'whisper', [snoop('out'), { type: 'dropSnoop' }]],
    ['whisper', 'listen', [snoop('none'), { type: 'dropSnoop' }]],
    ['listen', 'barge', [{ type: 'joinTalk' }, { type: 'dropSnoop' }, { type: 'destroyCoachBridge' }]],
    ['whisper', 'barge', [{ type: 'joinTalk' }, { type: 'dropSnoop' }, { type: 'destroyCoachBridge' }]],
    ['barge', 'listen', [{ type: 'createCoachBridge' }, snoop('none'), { type: 'joinCoachBridge' }]],
    ['barge', 'whisper', [{ type: 'createCoachBridge' }, snoop('out'), { type: 'joinCoachBridge' }]],
    ['listen', 'listen', []],
    ['barge', 'barge', []],
  ])('%s → %s', (from, to, steps) => {
    expect(coachingSteps(from, to)).toEqual(steps);
  });

  it('never leaves the supervisor without a bridge or with a gap in the snoop during a change', () => {
    for (const from of [null, ...COACHING_MODES]) {
      for (const to of COACHING_MODES) {
        const types = coachingSteps(from, to).map((s) => s.type);
        // The old snoop goes only after the leg is in its next place (or the new snoop is in).
        const drop = types.indexOf('dropSnoop');
        if (drop >= 0) expect(types.slice(0, drop).some((t) => t === 'snoop' || t === 'joinTalk')).toBe(true);
        // The coaching bridge is destroyed only once the leg has left it for the talk.
        const destroy = types.indexOf('destroyCoachBridge');
        if (destroy >= 0) expect(types.indexOf('joinTalk')).toBeLessThan(destroy);
      }
    }
  });
});

describe('what the operator is told', () => {
  it.each<[CoachingVisibility, Record<CoachingMode, CoachingMode | null>]>([
    ['never', { listen: null, whisper: null, barge: null }],
    ['audible', { listen: null, whisper: 'whisper', barge: 'barge' }],
    ['always', { listen: 'listen', whisper: 'whisper', barge: 'barge' }],
  ])('policy %s', (policy, expected) => {
    for (const mode of COACHING_MODES) expect(operatorSees(mode, policy), mode).toBe(expected[mode]);
    expect(operatorSees(null, policy)).toBeNull();
  });
});

describe('audit', () => {
  it('names each use', () => {
    expect(COACHING_MODES.map(auditAction)).toEqual([
      'coaching.listen',
      'coaching.whisper',
      'coaching.barge',
    ]);
    expect(auditAction(null)).toBe('coaching.leave');
  });

  it('audits ends the supervisor did not ask for; their own leave is audited by the request', () => {
    expect(auditsEnd('left')).toBe(false);
    for (const end of ['supervisor_hung_up', 'talk_ended', 'failed', 'reconnected'] as const)
      expect(auditsEnd(end)).toBe(true);
  });
});
