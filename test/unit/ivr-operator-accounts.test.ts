import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { OperatorAccount } from '../../ivr/api.ts';
import { OperatorSync, pjsipObjects, planSync } from '../../ivr/operator-accounts.ts';
import { AriDisconnectedError, AriTimeoutError } from '../../ivr/port.ts';
import { FakeAri } from '../support/ari-fake.ts';

const account = (
  n: number,
  password = `pw${n}`,
  displayName = `TĐV ${n}`,
): OperatorAccount & { sipPassword: string } => ({
  operatorId: n,
  displayName,
  sipEndpoint: `tdv0${n}`,
  skills: ['health'],
  sipPassword: password,
});
const logger = pino({ level: 'silent' });
const fingerprintOf = (a: OperatorAccount & { sipPassword: string }) => JSON.stringify(pjsipObjects(a));

describe('operators’ softphone accounts: the PJSIP objects', () => {
  it('are an auth, an AOR and a WebRTC endpoint named after the username', () => {
    const objects = pjsipObjects(account(1, 's3cret', 'Nguyễn "Lan"'));
    expect(objects.map((o) => `${o.type}/${o.id}`)).toEqual(['auth/tdv01', 'aor/tdv01', 'endpoint/tdv01']);
    const fields = (type: string) =>
      Object.fromEntries(objects.find((o) => o.type === type)!.fields.map((f) => [f.attribute, f.value]));
    expect(fields('auth')).toEqual({ auth_type: 'userpass', username: 'tdv01', password: 's3cret' });
    expect(fields('aor')).toMatchObject({ max_contacts: '1', remove_existing: 'yes' });
    expect(fields('endpoint')).toMatchObject({
      webrtc: 'yes',
      transport: 'transport-ws',
      context: 'from-operators',
      auth: 'tdv01',
      aors: 'tdv01',
      callerid: `"Nguyễn 'Lan'" <tdv01>`,
    });
  });
});

describe('operators’ softphone accounts: what a synchronisation does', () => {
  const pushed = new Map([
    ['tdv01', fingerprintOf(account(1))],
    ['tdv02', fingerprintOf(account(2))],
  ]);
  it.each<[string, OperatorAccount[], string[], string[], string[]]>([
    ['nothing changed', [account(1), account(2)], [], [], []],
    ['a new operator', [account(1), account(2), account(3)], [], ['tdv03'], []],
    ['a new password', [account(1), account(2, 'other')], [], ['tdv02'], []],
    ['a new display name', [account(1, 'pw1', 'Lan'), account(2)], [], ['tdv01'], []],
    ['an operator left out', [account(1)], [], [], ['tdv02']],
    [
      'an endpoint Asterisk lists that is nobody’s',
      [account(1), account(2)],
      ['trunk', 'tdv09'],
      [],
      ['trunk', 'tdv09'],
    ],
  ])('%s', (_name, desired, present, put, remove) => {
    const plan = planSync(pushed, desired, present);
    expect(plan.put.map((p) => p.endpoint)).toEqual(put);
    expect(plan.remove).toEqual(remove);
  });
});

describe('operators’ softphone accounts: OperatorSync against ARI', () => {
  it('pushes new accounts, deletes removed ones endpoint first, and pushes only changes', async () => {
    const ari = new FakeAri();
    const sync = new OperatorSync(ari, logger);
    await sync.set([account(1), account(2)]);
    expect([...ari.pjsip.keys()].sort()).toEqual(
      ['aor/tdv01', 'aor/tdv02', 'auth/tdv01', 'auth/tdv02', 'endpoint/tdv01', 'endpoint/tdv02'].sort(),
    );
    ari.calls.length = 0;
    await sync.set([account(1, 'changed')]);
    expect(ari.calls.map((c) => `${c.op} ${String(c.args[0])}/${String(c.args[1])}`)).toEqual([
      'deletePjsipObject endpoint/tdv02',
      'deletePjsipObject auth/tdv02',
      'deletePjsipObject aor/tdv02',
      'putPjsipObject auth/tdv01',
      'putPjsipObject aor/tdv01',
      'putPjsipObject endpoint/tdv01',
    ]);
    expect(ari.pjsip.get('auth/tdv01')?.password).toBe('changed');
    ari.calls.length = 0;
    await sync.set([account(1, 'changed')]);
    expect(ari.calls).toEqual([]);
  });

  it('after a (re)connect, pushes everything again and deletes endpoints that are nobody’s, leaving pjsip.conf’s', async () => {
    const ari = new FakeAri();
    ari.pjsip.set('endpoint/tdv09', { context: 'from-operators' });
    ari.pjsip.set('auth/tdv09', { password: 'old' });
    ari.pjsip.set('aor/tdv09', {});
    const sync = new OperatorSync(ari, logger);
    await sync.set([account(1)]);
    expect([...ari.pjsip.keys()].sort()).toEqual(['aor/tdv01', 'auth/tdv01', 'endpoint/tdv01']);
    expect(ari.staticPjsip.has('endpoint/trunk')).toBe(true);
    // Deleted while ARI was away, or by an Asterisk that kept it in astdb.
    ari.pjsip.set('endpoint/tdv08', {});
    ari.calls.length = 0;
    await sync.connected();
    expect(ari.pjsip.has('endpoint/tdv08')).toBe(false);
    expect(ari.ops('putPjsipObject')).toHaveLength(3);
    ari.calls.length = 0;
    await sync.connected();
    expect(ari.ops('putPjsipObject')).toHaveLength(3);
  });

  it('a failed push is tried again by the next run; the failure is reported', async () => {
    const ari = new FakeAri();
    const sync = new OperatorSync(ari, logger);
    ari.failNext('putPjsipObject', new AriTimeoutError('putPjsipObject', 5000));
    await expect(sync.set([account(1), account(2)])).rejects.toThrow(AggregateError);
    expect(ari.pjsip.has('endpoint/tdv01')).toBe(false);
    expect(ari.pjsip.has('endpoint/tdv02')).toBe(true);
    await sync.set([account(1), account(2)]);
    expect(ari.pjsip.has('endpoint/tdv01')).toBe(true);
  });

  it('while ARI is down nothing is pushed and nothing fails; the reconnect pushes', async () => {
    const ari = new FakeAri();
    const sync = new OperatorSync(ari, logger);
    ari.failNext('listPjsipEndpoints', new AriDisconnectedError('listPjsipEndpoints'));
    await expect(sync.set([account(1)])).resolves.toBeUndefined();
    expect(ari.pjsip.size).toBe(0);
    await sync.connected();
    expect(ari.pjsip.has('endpoint/tdv01')).toBe(true);
  });
});
