/**
 * Asterisk is restarted (`core restart now`) while citizens call, and nobody is ready to answer.
 * Calls placed just before, during and just after the restart are each either recorded by the
 * hotline (with an end, and a callback task for a caller who waited and hung up), or refused by
 * Asterisk at the SIP level so the carrier knows the call did not get through; none is taken in
 * and then forgotten. A caller in the menu when Asterisk goes down, shut down or killed outright,
 * is cut off by the hotline, not by themselves, and is owed a call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTaskView, CallRecordView, ListResponse } from '../../common/api.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { placeCitizenCall, type SippResult } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { apiSession } from '../support/api-session.ts';
import { type E2eHotline, startE2eHotline } from '../support/e2e.ts';

let env: E2eHotline;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'ast-restart', telephony: true });
}, 120_000);

afterAll(async () => {
  await env?.close();
});

/** Offsets from the restart command at which a citizen dials, ms. */
const OFFSETS = [-1500, 0, 400, 1000, 2000, 4000];

describe('Asterisk restarted while citizens call', () => {
  it('records every call it took in, or refuses it', async () => {
    const phone = env.telephony!;
    const target = `127.0.0.1:${phone.asterisk.sipPort}`;
    const calls: { number: string; result: Promise<SippResult> }[] = [];
    const started = Date.now() + 2000;
    const restart = new Promise<void>((resolve) => {
      setTimeout(() => {
        phone.asterisk.cli('core restart now').then(
          () => resolve(),
          () => resolve(),
        );
      }, started - Date.now());
    });
    for (const [i, offset] of OFFSETS.entries()) {
      const number = `090777${String(i).padStart(4, '0')}`;
      const localPort = await freePort();
      const result = new Promise<SippResult>((resolve) => {
        setTimeout(
          () => {
            placeCitizenCall({
              target,
              callerNumber: number,
              keys: '0',
              keyDelayMs: 2500,
              holdMs: 12_000,
              localPort,
              mediaPort: 17000 + i * 10,
            }).then(resolve, (err) => resolve({ exitCode: -1, errors: String(err) }));
          },
          started + offset - Date.now(),
        );
      });
      calls.push({ number, result });
    }
    await restart;
    const results = await Promise.all(calls.map((c) => c.result));
    await new Promise((r) => setTimeout(r, 5000));
    const supervisor = await apiSession(env.hotline.url, 'giamsat');
    const records = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls?limit=100')).data;
    const tasks = (await supervisor.get<ListResponse<CallbackTaskView>>('/api/callbacks?limit=100')).data;
    const summary = calls.map((c, i) => {
      const record = records.find((r) => r.callerNumber === maskPhone(c.number));
      return {
        offset: OFFSETS[i],
        number: c.number,
        sipp: results[i]!.exitCode,
        errors: results[i]!.errors.slice(0, 300),
        record: record ? { endReason: record.endReason, queue: record.queue } : null,
        task: tasks.some((t) => t.callerNumber === maskPhone(c.number)),
      };
    });
    console.log(
      `[e2e] calls around the restart: ${JSON.stringify(summary.map(({ errors: _, ...rest }) => rest))}`,
    );
    for (const call of summary) {
      // Refused at the door (the carrier hears 503 and may try again), or recorded with an end.
      if (call.record === null) expect(call.errors, call.number).toMatch(/SIP\/2\.0 503/);
      else expect(call.record.endReason, call.number).not.toBeNull();
    }
    // The caller in the menu when Asterisk went down was cut off by it, not by themselves: owed a call.
    expect(summary[0]!.record, summary[0]!.number).toMatchObject({ endReason: 'error' });
    expect(summary[0]!.task, summary[0]!.number).toBe(true);
    // Those who reached the menu after the restart waited, hung up, and are owed a callback.
    for (const call of summary.filter((c) => c.offset! >= 2000)) {
      expect(call.record, call.number).toMatchObject({ endReason: 'abandoned_in_queue', queue: 'general' });
      expect(call.task, call.number).toBe(true);
    }
  }, 120_000);

  it('killed outright with a caller in the menu: once it is back, that caller is owed a call', async () => {
    const phone = env.telephony!;
    const number = '0907779999';
    const caller = placeCitizenCall({
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
      callerNumber: number,
      keys: '',
      keyDelayMs: 0,
      holdMs: 20_000,
      localPort: await freePort(),
      mediaPort: 17200,
    });
    const supervisor = await apiSession(env.hotline.url, 'giamsat');
    const recordOf = async () =>
      (await supervisor.get<ListResponse<CallRecordView>>('/api/calls?limit=100')).data.find(
        (r) => r.callerNumber === maskPhone(number),
      );
    await expect.poll(recordOf, { timeout: 10_000 }).toBeDefined();
    // No shutdown, no hang-ups: the process is gone, then started again.
    process.kill(phone.asterisk.pid!, 'SIGKILL');
    await phone.asterisk.restart();
    await expect.poll(async () => (await recordOf())?.endReason, { timeout: 30_000 }).toBe('error');
    const tasks = (await supervisor.get<ListResponse<CallbackTaskView>>('/api/callbacks?limit=100')).data;
    expect(tasks.filter((t) => t.callerNumber === maskPhone(number))).toHaveLength(1);
    await caller;
  }, 90_000);
});
