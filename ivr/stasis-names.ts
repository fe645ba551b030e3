/**
 * The names the controller gives what it leaves in Asterisk: queue and talk bridges, stored
 * recordings. A restarted controller, the tests and the benchmark find calls by them. Queues are
 * holding bridges with fixed ids, so they survive a controller restart.
 */
import type { QueueName } from '../common/domain.ts';

export const QUEUE_BRIDGE_PREFIX = 'hotline-queue-';
export const queueBridgeId = (queue: QueueName) => `${QUEUE_BRIDGE_PREFIX}${queue}`;
/**
 * The bridge a call's n-th offer talks in. Each offer gets its own: a bridge destroyed when an
 * operator drops can linger in Asterisk (its recorder leaving) while the next offer is answered.
 */
export const talkBridgeId = (callId: string, offer: number) => `${callId}-talk-${offer}`;
/** The call a talk bridge belongs to, or null for any other bridge. */
export const callOfTalkBridge = (bridgeId: string | undefined) =>
  /^(.+)-talk-\d+$/.exec(bridgeId ?? '')?.[1] ?? null;
/** Stored-recording names: a caller's after-hours message, and an answered call's conversation. */
export const messageRecordingName = (callId: string) => `message-${callId}`;
/** A call answered again after its operator dropped gets a second conversation (`offer` numbers them). */
export const conversationRecordingName = (callId: string, offer: number) => `conversation-${callId}-${offer}`;
/**
 * A supervisor's coaching leg on a call (`stamp` tells one joining from the next); its snoop
 * channels and bridges are named after it, so every coaching resource has `-coach-` in its id.
 */
export const coachLegId = (callId: string, stamp: string) => `${callId}-coach-${stamp}`;
/** A supervisor's leg, a snoop channel or a bridge made for coaching (never a caller's or operator's). */
export const isCoachingResource = (id: string) => id.includes('-coach-');
