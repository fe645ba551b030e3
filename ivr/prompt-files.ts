/**
 * Writes the IVR's Vietnamese prompts into Asterisk's sounds folder (`sound:hotline/vi/<name>`)
 * with espeak-ng and sox. A recorded WAV `dialplan/sounds/vi/<name>.wav` replaces the generated
 * one. A prompt whose text has not changed since it was generated is left alone.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROMPT_DIR } from './constants.ts';

const exec = promisify(execFile);

/** Recorded prompts, by sound name, shipped with the project (or added by an admin). */
export const RECORDED_PROMPTS_DIR = 'dialplan/sounds/vi';
const VOICE = 'vi';

/** Generates (or copies the recording of) each prompt; returns the names it wrote. */
export async function writePrompts(
  soundsDir: string,
  texts: Iterable<[name: string, text: string]>,
  recordedDir = RECORDED_PROMPTS_DIR,
): Promise<string[]> {
  const outDir = join(soundsDir, PROMPT_DIR);
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of texts) {
    const target = join(outDir, `${name}.wav`);
    const recorded = join(recordedDir, `${name}.wav`);
    const stamp = join(outDir, `${name}.txt`);
    if (existsSync(recorded)) {
      await copyFile(recorded, target);
      await rm(stamp, { force: true });
      continue;
    }
    if (existsSync(target) && existsSync(stamp) && (await readFile(stamp, 'utf8')) === text) continue;
    const raw = join(outDir, `${name}.espeak.wav`);
    await exec('espeak-ng', ['-v', VOICE, '-s', '150', '-w', raw, text]);
    await exec('sox', [
      raw,
      '-r',
      '8000',
      '-c',
      '1',
      '-b',
      '16',
      '-e',
      'signed-integer',
      target,
      'norm',
      '-3',
    ]);
    await rm(raw);
    await writeFile(stamp, text);
    written.push(name);
  }
  return written;
}
