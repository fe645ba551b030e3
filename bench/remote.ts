/**
 * The `remote` part of `npm run bench`: how long a call takes to carry audio once the operator
 * answers (answer click → first audio packet each way, from the browser's getStats), relayed for
 * an operator at home behind NAT (TURN, through the shipped nginx and coturn) beside direct for an
 * operator on the hotline's network (same proxy, host candidates). The same topology as
 * test/e2e/remote-operator.test.ts, run `--rounds N` times (5 by default); prints each figure and
 * the medians. Needs root: it runs itself inside a network namespace of its own.
 *
 *   npm run bench -- remote            (or: npx tsx bench/remote.ts --rounds 9)
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import {
  answerCall,
  callHotline,
  goReady,
  hangUp,
  type RemoteEdge,
  setReady,
  startRemoteEdge,
  twoWayAudio,
} from '../test/support/remote-edge.ts';

const DEFAULT_ROUNDS = 5;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function oneCall(edge: RemoteEdge, page: Page, caller: string, expected: string): Promise<number> {
  const sipp = callHotline(edge, caller);
  try {
    await answerCall(page);
  } catch (err) {
    // What Asterisk knew of the operators and the call when the call did not ring.
    console.error(await edge.phone.asterisk.cli('pjsip show contacts'));
    console.error(JSON.stringify(await edge.phone.ariGet('/channels')));
    console.error(
      await page.getByTestId('agent-state').textContent(),
      await page.getByTestId('phone-status').getAttribute('data-registration'),
    );
    throw err;
  }
  const audio = await twoWayAudio(page);
  if (audio.localCandidate !== expected) {
    throw new Error(`expected a ${expected} path, ICE chose ${audio.localCandidate}`);
  }
  await hangUp(edge, page, sipp);
  return audio.ms;
}

async function runInside(rounds: number): Promise<void> {
  const edge = await startRemoteEdge('bench', { HOTLINE_WRAP_UP_SECONDS: '1' });
  try {
    const home = await (await edge.browser('home')).context.newPage();
    const office = await (await edge.browser('office')).context.newPage();
    await goReady(home, 'tdv01');
    await goReady(office, 'tdv04');
    const relay: number[] = [];
    const direct: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await setReady(office, false);
      await setReady(home, true);
      relay.push(await oneCall(edge, home, `09120000${String(round * 2).padStart(2, '0')}`, 'relay'));
      await setReady(home, false);
      await setReady(office, true);
      direct.push(await oneCall(edge, office, `09120000${String(round * 2 + 1).padStart(2, '0')}`, 'host'));
      console.log(
        `  round ${round + 1}: relayed ${relay.at(-1)!.toFixed(0)} ms, direct ${direct.at(-1)!.toFixed(0)} ms`,
      );
    }
    console.log(
      `remote: answer click → two-way audio over ${rounds} calls each: relayed (TURN, NAT) median ${median(relay).toFixed(0)} ms (${Math.min(...relay).toFixed(0)}–${Math.max(...relay).toFixed(0)}), direct median ${median(direct).toFixed(0)} ms (${Math.min(...direct).toFixed(0)}–${Math.max(...direct).toFixed(0)})`,
    );
  } finally {
    await edge.close();
  }
}

/** The `remote` part: re-runs this file inside a fresh namespace, which the edge's network hangs off. */
export async function remotePart(args: string[] = []): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('the remote benchmark creates network namespaces: run it as root');
  const ns = `hotline-bench-remote-${process.pid}`;
  const ip = (...a: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('ip', a, { stdio: 'inherit' });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`ip ${a.join(' ')} → ${code}`)),
      );
    });
  await ip('netns', 'add', ns);
  try {
    await ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    await ip('netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1');
    await ip(
      'netns',
      'exec',
      ns,
      process.execPath,
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--inside',
      ...args,
    );
  } finally {
    // Whatever a failed run left in the namespace goes with it.
    const pids = await new Promise<string>((resolve) => {
      const child = spawn('ip', ['netns', 'pids', ns], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.once('close', () => resolve(out));
    });
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await ip('netns', 'del', ns).catch(() => undefined);
  }
}

/** The parts `bench/main.ts` offers from this file. */
export const remoteParts: Record<string, () => Promise<void>> = { remote: () => remotePart() };

function roundsArg(args: string[]): number {
  const i = args.indexOf('--rounds');
  if (i === -1) return DEFAULT_ROUNDS;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error('usage: bench/remote.ts [--rounds N]');
  return n;
}

const entry = process.argv[1];
if (entry && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))) {
  const args = process.argv.slice(2);
  const inside = args[0] === '--inside';
  try {
    if (inside) await runInside(roundsArg(args.slice(1)));
    else await remotePart(args);
    process.exit(0);
  } catch (err) {
    console.error(err);
    process.exit(1);
  }
}
