/** What other features do when a ticket changes, inside the transaction that changes it. */
import type { TicketStatus } from '../../common/domain.ts';
import type { Tx } from '../outbox/outbox.ts';
import type { TicketWithAgency } from './repository.ts';
import type { TicketRow } from './schema.ts';

export interface TicketHooks {
  /**
   * Runs inside the ticket's transaction after every change: creation (`from` null), each
   * action, an extension. For a note or an extension `from` equals `ticket.status`. Write
   * through `tx` only (e.g. `addIntent`); throwing rolls the whole change back.
   */
  afterChange(tx: Tx, ticket: TicketRow, from: TicketStatus | null, now: Date): void;
}

export const NO_TICKET_HOOKS: TicketHooks = { afterChange() {} };

/** Told after a ticket change has committed, e.g. to push `ticket:updated` to consoles. */
export interface TicketNotifier {
  /** `row`: the ticket as committed, when the caller has it (saves reading it again). */
  ticketChanged(ticketId: number, row?: TicketWithAgency): void;
}

export const NO_TICKET_NOTIFIER: TicketNotifier = { ticketChanged() {} };
