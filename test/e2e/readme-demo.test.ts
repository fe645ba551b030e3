/**
 * The README's demo, as a new user runs it, on a fresh clone of this repository's HEAD: `npm
 * start` (as a child process, exactly the README's command), the operator console in headless
 * Chromium (log in as tdv01, "Sẵn sàng"), the test call the start-up output names (`npm run call
 * -- 1`), answer, fill in the ticket, "Tạo phiếu", and `npm start`'s own output shows the demo
 * agency receiving the ticket, validly signed. Then Redis dies (killed, as a crash would) and the
 * next ticket still reaches the agency; then Ctrl+C, and nothing of the clone is left running,
 * mounted or listening. A second case kills `npm start` outright (SIGKILL, which it cannot catch):
 * the next `npm start` stops the Asterisk and Redis it left and unmounts the root, and SIGTERM
 * sent to npm alone (as a process manager would) still stops everything.
 *
 * npm packages: the clone gets a hard-linked copy (`cp -al`) of this checkout's node_modules,
 * which `npm run setup` installed from the same lock file. The run happens inside the test's
 * network namespace, which has no route out, so `npm install` could not fetch anything there;
 * and downloading ~370 MB per run would make the test slow and flaky. npm's own record of the
 * install (node_modules/.package-lock.json) is copied rather than linked so it is newer than the
 * clone's package-lock.json, which is how scripts/setup.sh tells that the packages are there.
 * Everything else `npm start` does runs for real in the clone: scripts/setup.sh checks the
 * Debian packages and the Asterisk root, generates prompts and builds the clone's console.
 *
 * Ports: the demo's defaults (8080, 6379, 5060, 8088, 5038, 5070) are replaced through the
 * documented variables (.env.example, "npm start only") by free ones, so other tests in the same
 * namespace cannot clash; the test call uses the command `npm start` prints for them.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { DEFAULT_ASTERISK_ROOT } from '../../scripts/lib/asterisk.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import {
  descendants,
  isAlive,
  type ProcessRef,
  portUser,
  processesInRoot,
  processRef,
  stopProcesses,
} from '../../scripts/lib/processes.ts';
import { launchChromium, logInAs } from '../support/e2e.ts';

const CHECKOUT = resolve(import.meta.dirname, '../..');
const ASTERISK_ROOT = realpathSync(process.env.HOTLINE_ASTERISK_ROOT ?? DEFAULT_ASTERISK_ROOT);

let clone: string;
let ports: Record<string, number>;
let demo: NpmStart;
let consoleUrl: string;
let browser: Browser;
/** Every `npm start` of this file, to stop whatever a failed case left. */
const runs: NpmStart[] = [];

/** The user's environment, without the test runner's settings or any hotline setting. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(HOTLINE_|VITEST|NODE_ENV$|TEST$)/.test(key)) continue;
    env[key] = value;
  }
  if (process.env.HOTLINE_ASTERISK_ROOT) env.HOTLINE_ASTERISK_ROOT = process.env.HOTLINE_ASTERISK_ROOT;
  return env;
}

interface NpmStart {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null }>;
  output(): string;
  /** Every process seen below npm, for the clean-up checks and for cleaning up after a failure. */
  seen: Map<number, ProcessRef>;
  /** Notes the processes below npm now. */
  remember(): void;
  /** Waits for a line of the output; fails early, with the output, if npm exits. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
}

/** `npm start` in the clone, in a process group of its own as in a terminal (Ctrl+C signals the group). */
function runNpmStart(): NpmStart {
  const child = spawn('npm', ['start'], {
    cwd: clone,
    env: { ...userEnv(), ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const seen = new Map<number, ProcessRef>();
  const remember = () => {
    if (child.pid === undefined) return;
    for (const p of descendants(child.pid)) seen.set(p.pid, p);
  };
  const run: NpmStart = {
    child,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    output: () => text,
    seen,
    remember,
    async waitForOutput(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        remember();
        const found = pattern.exec(text);
        if (found) return found;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`npm start exited before ${pattern}:\n${text.slice(-4000)}`);
        if (Date.now() > deadline)
          throw new Error(`no ${pattern} in npm start's output after ${timeoutMs} ms:\n${text.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
  runs.push(run);
  return run;
}

const CONSOLE_LINE = /\[hotline\] console: (http:\/\/\S+?)\/?$/m;

/** Resolves with how npm ended, or null if it still runs after `ms`. */
const exitWithin = (run: NpmStart, ms: number) =>
  Promise.race([run.exited, new Promise<null>((r) => setTimeout(() => r(null), ms))]);

/** Nothing of the run is left: no process, none from the clone's folder, no port, no mount. */
function expectNothingLeft(run: NpmStart) {
  expect([...run.seen.values()].filter(isAlive), 'processes of npm start still running').toEqual([]);
  expect(processRef(run.child.pid!)).toBeNull();
  const inClone = descendants(1).filter((p) => {
    try {
      return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(clone);
    } catch {
      return false;
    }
  });
  expect(inClone, "processes still running from the clone's folder").toEqual([]);
  for (const [name, port] of Object.entries(ports)) {
    // Where Asterisk sends callback calls: nothing of ours listens there.
    if (name === 'HOTLINE_TRUNK_PORT') continue;
    expect(portUser(port).inUse, `${name} ${port} still in use`).toBe(false);
  }
  // The root's /proc and /dev stay mounted only while another Asterisk (another test's) runs there.
  const others = processesInRoot(ASTERISK_ROOT);
  if (others.length === 0) expect(rootMounts()).toEqual([]);
  else console.log(`[e2e] Asterisk root still used by ${others.map((p) => p.pid).join(', ')}`);
}

/** Mounts under the Asterisk root in this mount namespace (the one npm start runs in). */
const rootMounts = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.split(' ')[4]?.startsWith(`${ASTERISK_ROOT}/`));

beforeAll(async () => {
  clone = mkdtempSync(join(tmpdir(), 'hotline-readme-'));
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', CHECKOUT, clone]);
  execFileSync('cp', ['-al', join(CHECKOUT, 'node_modules'), join(clone, 'node_modules')]);
  const installed = join(clone, 'node_modules/.package-lock.json');
  unlinkSync(installed);
  copyFileSync(join(CHECKOUT, 'node_modules/.package-lock.json'), installed);

  ports = {
    HOTLINE_HTTP_PORT: await freePort(),
    HOTLINE_REDIS_PORT: await freePort(),
    HOTLINE_SIP_PORT: await freePort(),
    HOTLINE_ASTERISK_HTTP_PORT: await freePort(),
    HOTLINE_AMI_PORT: await freePort(),
    HOTLINE_TRUNK_PORT: await freePort(),
  };
  demo = runNpmStart();
  consoleUrl = (await demo.waitForOutput(CONSOLE_LINE, 150_000))[1]!;
  browser = await launchChromium();
}, 200_000);

afterAll(async () => {
  await browser?.close();
  // After a failure: stop each run as a user would, then whatever is still left.
  for (const run of runs) {
    run.remember();
    if (run.child.exitCode === null && run.child.signalCode === null) {
      process.kill(-run.child.pid!, 'SIGINT');
      await exitWithin(run, 30_000);
    }
    await stopProcesses([...run.seen.values()].filter(isAlive), 2000);
  }
  if (clone) rmSync(clone, { recursive: true, force: true });
}, 90_000);

/** `npm run call -- 1` as `npm start` prints it (with HOTLINE_SIP_TARGET for the port it chose). */
function placeTestCall(): { done: Promise<number | null>; output: () => string } {
  const command = /place a test call: (.+?npm run call -- 1)/.exec(demo.output())?.[1];
  if (!command) throw new Error(`npm start printed no test call command:\n${demo.output()}`);
  expect(command).toMatch(/^(HOTLINE_SIP_TARGET=127\.0\.0\.1:\d+ )?npm run call -- 1$/);
  const call = spawn('bash', ['-c', command], {
    cwd: clone,
    env: userEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  call.stdout.on('data', (d: Buffer) => {
    text += d.toString();
  });
  call.stderr.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return { done: new Promise((resolve) => call.once('exit', resolve)), output: () => text };
}

/**
 * The operator's ticket form, filled in for a health request in Biên Hòa. The place is a commune
 * box with suggestions (type "bien hoa", pick "Phường Biên Hòa"); an older console's district
 * list is still understood.
 */
async function fillTicketForm(page: Page, ticket: { callerNumber: string; description: string }) {
  await page.getByLabel('Số điện thoại').fill(ticket.callerNumber);
  await page.getByLabel('Lĩnh vực').selectOption('health');
  const district = page.locator('#ticket-form select#district');
  if ((await district.count()) > 0) {
    await district.selectOption('bien_hoa');
  } else {
    await page.locator('#ticket-form input[role="combobox"]').first().fill('bien hoa');
    await page.getByRole('option', { name: 'Phường Biên Hòa', exact: true }).click();
  }
  await page.getByLabel('Nội dung').fill(ticket.description);
  await expect.poll(() => page.getByLabel('Cơ quan xử lý').inputValue()).not.toBe('');
}

/** Presses "Tạo phiếu" and returns the tracking code the console shows. */
async function createTicket(page: Page, previous = ''): Promise<string> {
  await page.getByRole('button', { name: 'Tạo phiếu' }).click();
  // The previous ticket's code stays on screen until the new one is created.
  const shown = async () => {
    const code = (await page.getByTestId('tracking-code').textContent())?.trim() ?? '';
    return /^\d{9}$/.test(code) && code !== previous ? code : '';
  };
  await expect.poll(shown, { timeout: 15_000 }).not.toBe('');
  return shown();
}

const received = (trackingCode: string) =>
  new RegExp(`\\[hotline\\] agency (\\S+) received ticket ${trackingCode} \\(signature (\\w+)\\)`);

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe("the README's demo on a fresh clone", () => {
  it('answers a test call, forwards its tickets across a Redis crash, and stops clean on Ctrl+C', async () => {
    onTestFailed(() => {
      console.log(`[e2e] npm start's output (end):\n${demo.output().slice(-6000)}`);
      try {
        const log = readFileSync(join(clone, 'data/asterisk.log'), 'utf8');
        console.log(`[e2e] Asterisk's log (end):\n${log.slice(-4000)}`);
      } catch {
        // no log
      }
    });
    // Step 1: the console, tdv01, "Sẵn sàng".
    const page = await browser.newPage();
    page.on('pageerror', (err) => console.error('[console page error]', err));
    await logInAs(page, consoleUrl, 'tdv01');
    await expect
      .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 20_000 })
      .toBe('registered');
    await page.getByRole('button', { name: 'Sẵn sàng' }).click();
    await expect.poll(() => page.getByTestId('agent-state').textContent()).toBe('Sẵn sàng');

    // Step 2: the test call, from another "terminal".
    const call = placeTestCall();

    // Step 3: it rings with the screen-pop; answer, fill in the ticket, "Tạo phiếu".
    const pop = page.getByRole('region', { name: 'Cuộc gọi đến' });
    await pop.waitFor({ state: 'visible', timeout: 40_000 });
    await expect.poll(() => page.getByTestId('call-caller').textContent()).toContain('0912345678');
    await pop.getByRole('button', { name: 'Trả lời' }).click();
    await expect
      .poll(() => page.getByTestId('agent-state').textContent(), { timeout: 10_000 })
      .toBe('Đang nghe máy');
    await fillTicketForm(page, {
      callerNumber: '0912345678',
      description: 'Người dân báo có ca sốt cao tại khu phố 3, cần đội y tế đến kiểm tra.',
    });
    const first = await createTicket(page);
    const firstDelivery = await demo.waitForOutput(received(first), 20_000);
    expect(firstDelivery.slice(1)).toEqual(['syt', 'valid']);

    // Redis crashes; npm start starts it again and the next ticket still gets through.
    demo.remember();
    const redis = [...demo.seen.values()].find((p) => p.name === 'redis-server' && isAlive(p));
    expect(redis, 'the Redis npm start runs').toBeDefined();
    process.kill(redis!.pid, 'SIGKILL');
    await demo.waitForOutput(/\[hotline\] Redis stopped \(SIGKILL\); started again \(pid (\d+)\)/, 10_000);
    await expect.poll(() => tcpOpen(ports.HOTLINE_REDIS_PORT!), { timeout: 10_000 }).toBe(true);
    await fillTicketForm(page, {
      callerNumber: '0912345678',
      description: 'Người dân hỏi thêm về lịch tiêm chủng cho trẻ em ở khu phố 3.',
    });
    const second = await createTicket(page, first);
    const secondDelivery = await demo.waitForOutput(received(second), 40_000);
    expect(secondDelivery.slice(1)).toEqual(['syt', 'valid']);

    // The caller hangs up after the minute `npm run call` stays on the line.
    const callExit = await call.done;
    expect(callExit, call.output()).toBe(0);
    expect(call.output()).toContain('the call went through and the caller hung up');

    // Ctrl+C: npm start stops within 30 s, successfully, and leaves nothing behind.
    demo.remember();
    const tree = [...demo.seen.values()].filter(isAlive);
    expect(tree.map((p) => p.name)).toEqual(expect.arrayContaining(['node', 'redis-server', 'asterisk']));
    const stopAt = Date.now();
    process.kill(-demo.child.pid!, 'SIGINT');
    const result = await exitWithin(demo, 30_000);
    expect(
      result,
      `npm start still running 30 s after Ctrl+C:\n${demo.output().slice(-3000)}`,
    ).not.toBeNull();
    expect(result).toEqual({ code: 0, signal: null });
    console.log(`[e2e] npm start stopped ${Date.now() - stopAt} ms after Ctrl+C`);
    expect(demo.output()).toContain('[hotline] stopped; nothing left running');
    expectNothingLeft(demo);
  });

  it('clears what a killed npm start left, and stops on a SIGTERM sent to npm alone', async () => {
    const killed = runNpmStart();
    await killed.waitForOutput(CONSOLE_LINE, 90_000);
    const starter = [...killed.seen.values()].find(
      (p) => p.name === 'node' && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('scripts/start.ts'),
    );
    expect(starter, 'the Node process of npm start').toBeDefined();
    process.kill(starter!.pid, 'SIGKILL');
    expect(await exitWithin(killed, 10_000)).not.toBeNull();
    // What a killed run cannot stop: its Redis, its Asterisk and the root's mounts.
    const left = [...killed.seen.values()].filter(
      (p) => isAlive(p) && (p.name === 'redis-server' || p.name === 'asterisk'),
    );
    expect(left.map((p) => p.name).sort()).toEqual(['asterisk', 'redis-server']);
    expect(rootMounts()).not.toEqual([]);

    const next = runNpmStart();
    await next.waitForOutput(CONSOLE_LINE, 90_000);
    for (const p of left) {
      expect(next.output()).toContain(
        `stopped ${p.name} (pid ${p.pid}), left running by an earlier npm start`,
      );
      expect(isAlive(p)).toBe(false);
    }

    next.remember();
    process.kill(next.child.pid!, 'SIGTERM');
    expect(await exitWithin(next, 30_000)).toEqual({ code: 0, signal: null });
    expect(next.output()).toContain('[hotline] stopped; nothing left running');
    expectNothingLeft(next);
  });
});
