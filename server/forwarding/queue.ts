/** The forwarding queue's name, and the producer interface the ticket service used before the outbox. */
export { FORWARD_QUEUE } from '../outbox/queues.ts';

/** @deprecated Tickets record a `forward` intent in the outbox instead; kept until the app stops asking for it. */
export interface ForwardQueue {
  enqueue(ticketId: number): Promise<void>;
}
