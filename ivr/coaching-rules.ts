/**
 * Pure rules of a supervisor on a call: how each mode is wired in Asterisk, who hears whom, and
 * the steps from one mode to the next. `stasis-coaching.ts` runs the steps against ARI.
 *
 * Listen and whisper go through a snoop channel on the operator's leg, in a mixing bridge of its
 * own with the supervisor's leg: the snoop spies on both directions of the operator's leg (the
 * operator's voice and the caller's), and for a whisper also speaks into the audio Asterisk sends
 * to the operator, which nobody else hears. Barge puts the supervisor's leg into the talk bridge.
 *
 * ```
 *            ┌──────── snoop (a new one each time) ────────┐
 *  (answered)─► listen ⇄ whisper ─┐                        │
 *      │          ▲      ▲        ▼                        │
 *      └──────────┴──────┴─────► barge ◄───────────────────┘
 * ```
 */
import type { CoachingMode } from '../common/api.ts';
import type { SnoopDirection } from './port.ts';

/** How a mode is wired: a snoop on the operator's leg, or the talk bridge itself. */
export type Wiring = { via: 'snoop'; spy: SnoopDirection; whisper: SnoopDirection } | { via: 'talk' };

export function wiringOf(mode: CoachingMode): Wiring {
  switch (mode) {
    case 'listen':
      return { via: 'snoop', spy: 'both', whisper: 'none' };
    case 'whisper':
      return { via: 'snoop', spy: 'both', whisper: 'out' };
    case 'barge':
      return { via: 'talk' };
  }
}

/** Who hears the supervisor, and whom the supervisor hears, in a mode. */
export interface Audibility {
  supervisorHearsCaller: boolean;
  supervisorHearsOperator: boolean;
  operatorHearsSupervisor: boolean;
  callerHearsSupervisor: boolean;
}

export function audibility(mode: CoachingMode): Audibility {
  return {
    supervisorHearsCaller: true,
    supervisorHearsOperator: true,
    operatorHearsSupervisor: mode !== 'listen',
    callerHearsSupervisor: mode === 'barge',
  };
}

/**
 * One step of a change of mode. `snoop` makes a new snoop channel on the operator's leg and puts it
 * into the coaching bridge; `dropSnoop` hangs up the one before it.
 */
export type CoachingStep =
  | { type: 'createCoachBridge' }
  | { type: 'snoop'; spy: SnoopDirection; whisper: SnoopDirection }
  | { type: 'joinCoachBridge' }
  | { type: 'joinTalk' }
  | { type: 'dropSnoop' }
  | { type: 'destroyCoachBridge' };

/**
 * The steps from `from` (null: the supervisor's leg has just answered) to `to`, in order. The
 * supervisor's leg moves straight from one bridge to the other and the new snoop is in place
 * before the old one goes, so a change of mode never drops the supervisor or leaves a gap.
 */
export function coachingSteps(from: CoachingMode | null, to: CoachingMode): CoachingStep[] {
  if (from === to) return [];
  const target = wiringOf(to);
  const before = from === null ? null : wiringOf(from);
  if (target.via === 'talk') {
    if (before?.via !== 'snoop') return [{ type: 'joinTalk' }];
    return [{ type: 'joinTalk' }, { type: 'dropSnoop' }, { type: 'destroyCoachBridge' }];
  }
  const snoop: CoachingStep = { type: 'snoop', spy: target.spy, whisper: target.whisper };
  if (before?.via === 'snoop') return [snoop, { type: 'dropSnoop' }];
  return [{ type: 'createCoachBridge' }, snoop, { type: 'joinCoachBridge' }];
}
