/**
 * `/api/health` shows the watchdog, on the real parts as npm start runs them (server and watchdog
 * processes of their own, a real Asterisk): with no watchdog it is `unknown`; once the watchdog
 * process runs, its beat (HOTLINE_WATCHDOG_BEAT, read through the controller's ARI client) makes
 * it `up` with a fresh `lastSeenAt`; after the watchdog is stopped it turns `stale`, with the
 * same `lastSeenAt`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WATCHDOG_BEAT_VARIABLE } from '../../ivr/watchdog-health.ts';
import { type ProcessHotline, startProcessHotline } from '../support/e2e-processes.ts';

interface Health {
  status: string;
  watchdog?: { state: string; lastSeenAt: string | null };
}

let hotline: ProcessHotline;

beforeAll(async () => {
  hotline = await startProcessHotline({ name: 'watchdog-health' });
  await hotline.startServer({ restart: false });
}, 120_000);

afterAll(async () => {
  await hotline?.close();
});

const health = async () => (await (await fetch(`${hotline.url}/api/health`)).json()) as Health;

describe('the watchdog in the health check', () => {
  it('is unknown without a watchdog, up while one runs, stale once it stops', async () => {
    await new Promise((r) => setTimeout(r, 2000));
    expect((await health()).watchdog).toEqual({ state: 'unknown', lastSeenAt: null });

    const startedAt = Date.now();
    await hotline.startWatchdog(30);
    await expect.poll(async () => (await health()).watchdog?.state, { timeout: 15_000 }).toBe('up');
    const upAfterMs = Date.now() - startedAt;
    // The beat is the watchdog's own variable in Asterisk, written every second.
    const beat = (await hotline.ari('GET', `/asterisk/variable?variable=${WATCHDOG_BEAT_VARIABLE}`)) as {
      value: string;
    };
    expect(beat.value).toMatch(/^\d+-\d+-\d+$/);
    const seen = (await health()).watchdog!;
    expect(Date.now() - Date.parse(seen.lastSeenAt!)).toBeLessThan(3000);

    await hotline.stopWatchdog();
    const stoppedAt = Date.now();
    await expect.poll(async () => (await health()).watchdog?.state, { timeout: 15_000 }).toBe('stale');
    const staleAfterMs = Date.now() - stoppedAt;
    const stale = (await health()).watchdog!;
    expect(Date.parse(stale.lastSeenAt!)).toBeLessThanOrEqual(stoppedAt);
    console.log(
      `[e2e] watchdog up in health ${upAfterMs} ms after its start; stale ${staleAfterMs} ms after its stop`,
    );
  });
});
