/** Citizens' calls in end-to-end tests: placing one, finding its channels and its call record. */
import type { CallRecordDetail, CallRecordView, ListResponse } from '../../common/api.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { type CitizenCall, placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import type { ApiSession } from './api-session.ts';
import type { Telephony } from './e2e.ts';

/** A sipp citizen who presses 0 (an operator) and holds 20 s, unless `opts` says otherwise. */
export async function dialHotline(phone: Telephony, callerNumber: string, opts: Partial<CitizenCall> = {}) {
  return placeCitizenCall({
    target: `127.0.0.1:${phone.asterisk.sipPort}`,
    callerNumber,
    keys: '0',
    keyDelayMs: 1500,
    holdMs: 20_000,
    localPort: await freePort(),
    ...opts,
  });
}

/** The legs Asterisk created to ring an operator's softphone, oldest first. */
export const operatorLegs = (phone: Telephony, endpoint: string) =>
  phone.observer.channels((c) => c.name?.startsWith(`PJSIP/${endpoint}-`) ?? false);

/** The citizen's own channel (operators' legs carry the caller's number too). */
export const citizenChannel = (phone: Telephony, callerNumber: string) =>
  phone.observer.channel((c) => c.caller?.number === callerNumber && !/^PJSIP\/tdv/.test(c.name ?? ''));

/** The number's call records, oldest first, as a supervisor's list shows them (numbers masked). */
export async function callRecordsOf(supervisor: ApiSession, callerNumber: string): Promise<CallRecordView[]> {
  const calls = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data;
  return calls.filter((c) => c.callerNumber === maskPhone(callerNumber)).reverse();
}

/** The number's latest call record in full. */
export async function latestCallRecord(
  supervisor: ApiSession,
  callerNumber: string,
): Promise<CallRecordDetail> {
  const found = (await callRecordsOf(supervisor, callerNumber)).at(-1);
  if (!found) throw new Error(`no call record for ${callerNumber}`);
  return supervisor.get<CallRecordDetail>(`/api/calls/${encodeURIComponent(found.id)}`);
}
