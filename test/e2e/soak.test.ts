/**
 * The soak, two minutes of it (`SOAK_MINUTES=2`, see bench/soak-plan.ts): the hotline started as
 * `npm start` starts it, four operators in headless Chromium, sipp citizens who talk, give up,
 * ask for a callback and leave after-hours messages, while the server is SIGKILLed once (its
 * supervisor brings it back), Redis is stopped for 15 s and one operator's browser is dropped.
 * Every call must be answered, called back or closed with a reason; every ticket delivered to its
 * agency exactly once; every SMS sent once; every planned fault injected.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHECKOUT = resolve(import.meta.dirname, '../..');
/** CI's budget for the whole soak, start-up and accounting included. */
const LIMIT_MS = 180_000;

function runSoak(): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/soak.ts'], {
      cwd: CHECKOUT,
      env: { ...process.env, SOAK_MINUTES: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (d: Buffer) => {
      output += d.toString();
      process.stdout.write(d);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // Past the test's time, the soak stops what it started and prints what it has.
    const late = setTimeout(() => child.kill('SIGTERM'), LIMIT_MS);
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(late);
      done({ code, output });
    });
  });
}

/** A number printed after `label` in the soak's report. */
function figure(output: string, pattern: RegExp): number[] {
  const found = pattern.exec(output);
  if (!found) throw new Error(`no ${pattern} in the soak's report:\n${output.slice(-3000)}`);
  return found.slice(1).map(Number);
}

describe('a two-minute soak with faults', () => {
  it(
    'accounts for every call, delivers every ticket and SMS once, and injects every fault',
    async () => {
      const started = performance.now();
      const { code, output } = await runSoak();
      const seconds = (performance.now() - started) / 1000;
      expect(code, output.slice(-3000)).toBe(0);

      const [placed] = figure(output, /calls placed\s+(\d+)/);
      expect(placed).toBeGreaterThanOrEqual(10);
      expect(
        figure(output, /calls with none of answered \/ called back \/ closed with a reason: (\d+)/),
      ).toEqual([0]);
      const [once, forwarded] = figure(output, /delivered to the agency exactly once: (\d+) of (\d+)/);
      expect(forwarded).toBeGreaterThanOrEqual(1);
      expect(once).toBe(forwarded);
      const [sent, rows] = figure(output, /SMS sent exactly once: (\d+) of (\d+)/);
      expect(rows).toBeGreaterThanOrEqual(1);
      expect(sent).toBe(rows);
      // The faults happened, and the server came back under its supervisor.
      expect(output).toMatch(/kill_server\s+SIGKILL server \(pid \d+\); server back/);
      expect(output).toMatch(/stop_redis\s+Redis \(pid \d+\) stopped for 15 s/);
      expect(output).toMatch(/drop_browser\s+tdv03's browser closed; logged back in/);
      expect(output).toContain('all targets met');
      expect(seconds).toBeLessThan(LIMIT_MS / 1000);
    },
    LIMIT_MS + 60_000,
  );
});
