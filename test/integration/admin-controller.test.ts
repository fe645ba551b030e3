/**
 * POST /api/admin/telephony/controller: admins stop and start the call controller alone (the
 * server stays up; calls go to the dialplan's fallback queue meanwhile); bad bodies are 400, other
 * roles 403, and a hotline without telephony answers 409.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture | undefined;

afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('switching the call controller', () => {
  it('stops and starts it for admins only, and validates the body', async () => {
    const switched: string[] = [];
    fx = await buildFixture({
      controller: {
        start: async () => {
          switched.push('start');
        },
        stop: async () => {
          switched.push('stop');
        },
      },
    });
    const admin = await fx.session('quantri');
    const supervisor = await fx.session('giamsat');
    const post = (headers: Record<string, string>, payload: Record<string, unknown>) =>
      fx!.app.inject({ method: 'POST', url: '/api/admin/telephony/controller', headers, payload });

    expect((await post(supervisor, { running: false })).statusCode).toBe(403);
    const bad = await post(admin, { running: 'no' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBeTypeOf('string');
    expect(switched).toEqual([]);

    const stopped = await post(admin, { running: false });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json()).toEqual({ data: { running: false } });
    expect((await post(admin, { running: true })).json()).toEqual({ data: { running: true } });
    expect(switched).toEqual(['stop', 'start']);
  });

  it('answers 409 when the hotline runs without telephony', async () => {
    fx = await buildFixture();
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/admin/telephony/controller',
      headers: await fx.session('quantri'),
      payload: { running: false },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('NO_TELEPHONY');
  });
});
