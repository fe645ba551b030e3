/**
 * The callers of the calls benchmark: one sipp process placing up to `total` calls, `concurrent`
 * at a time, opened at `rate` calls per second. Each caller dials 1022, presses a key during the
 * menu prompt, waits in the queue (music on hold) and answers the hotline's BYE once the operator
 * has talked and hung up; a caller not released within `holdMs` fails.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { citizenScenario } from '../scripts/lib/sipp.ts';
import { parseSippStats, type SippCounts } from './calls-stats.ts';

export interface CallerLoad {
  /** Asterisk's SIP UDP address, e.g. `127.0.0.1:5060`. */
  target: string;
  concurrent: number;
  total: number;
  /** New calls per second while fewer than `concurrent` are up. */
  rate: number;
  key: string;
  /** Delay from the answer to the key press (during the menu prompt). */
  keyDelayMs: number;
  /** Longest a caller waits for the operator's hang-up after pressing the key. */
  holdMs: number;
  /** sipp stops (and counts what is left as failed) after this. */
  deadlineSeconds: number;
  localPort: number;
  mediaPort: number;
  dir: string;
  /** Names this run's files in `dir`. */
  name: string;
}

export interface CallerResult extends SippCounts {
  exitCode: number;
  /** The first lines of sipp's error log. */
  errors: string;
}

/** Prefix of every benchmark caller's number; sipp appends the call's sequence number. */
export const CALLER_PREFIX = '0990';
const PLACEHOLDER = '0999999999';

/** The scenario, with each call's caller number made unique by sipp's `[call_number]`. */
export function callerScenario(load: Pick<CallerLoad, 'key' | 'keyDelayMs' | 'holdMs'>): string {
  return citizenScenario({
    target: '',
    callerNumber: PLACEHOLDER,
    keys: load.key,
    keyDelayMs: load.keyDelayMs,
    hangup: 'hotline',
    holdMs: load.holdMs,
  }).replaceAll(PLACEHOLDER, `${CALLER_PREFIX}[call_number]`);
}

export function runCallers(load: CallerLoad): Promise<CallerResult> {
  const scenario = join(load.dir, `callers-${load.name}.xml`);
  const statFile = join(load.dir, `callers-${load.name}-stat.csv`);
  const errorFile = join(load.dir, `callers-${load.name}-errors.log`);
  writeFileSync(scenario, callerScenario(load));
  const args = [
    load.target,
    '-sf',
    scenario,
    '-s',
    '1022',
    '-l',
    String(load.concurrent),
    '-m',
    String(load.total),
    '-r',
    String(load.rate),
    '-i',
    '127.0.0.1',
    '-mi',
    '127.0.0.1',
    '-p',
    String(load.localPort),
    '-mp',
    String(load.mediaPort),
    '-timeout',
    `${load.deadlineSeconds}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_stat',
    '-stf',
    statFile,
    '-fd',
    '1',
    '-trace_err',
    '-error_file',
    errorFile,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { stdio: ['ignore', 'ignore', 'ignore'], cwd: load.dir });
    child.once('error', reject);
    child.once('exit', (code) => {
      let errors = '';
      try {
        errors = readFileSync(errorFile, 'utf8').split('\n').slice(0, 20).join('\n');
      } catch {
        // No error file: no errors.
      }
      try {
        resolve({ exitCode: code ?? -1, errors, ...parseSippStats(readFileSync(statFile, 'utf8')) });
      } catch (err) {
        reject(
          new Error(
            `sipp exited with ${code} and no statistics (${String(err)}); files: ${readdirSync(load.dir).join(', ')}`,
          ),
        );
      }
    });
  });
}
