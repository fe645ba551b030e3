/** The whole database schema, for drizzle-kit and the typed query builder. One file per area. */
export { agencies } from '../agencies/schema.ts';
export { auditLog } from '../audit/schema.ts';
export { sessions, users } from '../auth/schema.ts';
export { calendarDays } from '../calendar/schema.ts';
export { callbackAttempts, callbacks } from '../callbacks/schema.ts';
export { callEvents, callOffers, calls } from '../calls/schema.ts';
export { categories, routingUnits } from '../categories/schema.ts';
export {
  intakeIdempotencyKeys,
  open311Clients,
  phoneVerifications,
  writtenRequestEvents,
  writtenRequestPhotos,
  writtenRequests,
} from '../intake/schema.ts';
export { open311Tokens } from '../open311/schema.ts';
export { operatorStateChanges, operatorStates } from '../operators/schema.ts';
export { outbox } from '../outbox/schema.ts';
export { reportMails } from '../reports/schema.ts';
export { settings } from '../settings/schema.ts';
export { deadlineAlerts } from '../sla/schema.ts';
export { smsMessages } from '../sms/schema.ts';
export { ticketEvents, ticketIdempotencyKeys, tickets } from '../tickets/schema.ts';
export { units } from '../units/schema.ts';
export { zaloConversations, zaloInboundEvents, zaloMessages, zaloTokens } from '../zalo/schema.ts';
