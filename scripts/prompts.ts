/**
 * Generates the IVR's Vietnamese prompts with espeak-ng into Asterisk's sounds folder
 * (`sound:hotline/vi/<name>`). A recorded WAV in `dialplan/sounds/vi/<name>.wav` replaces the
 * generated one. Skips prompts whose text has not changed.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROMPT_DIR } from '../ivr/constants.ts';
import { PROMPTS } from '../ivr/prompts.ts';
import { DEFAULT_ASTERISK_ROOT } from './lib/asterisk.ts';

const RECORDED_DIR = 'dialplan/sounds/vi';
const VOICE = 'vi';

export function generatePrompts(soundsDir: string): string[] {
  const outDir = join(soundsDir, PROMPT_DIR);
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(PROMPTS)) {
    const target = join(outDir, `${name}.wav`);
    const recorded = join(RECORDED_DIR, `${name}.wav`);
    if (existsSync(recorded)) {
      copyFileSync(recorded, target);
      continue;
    }
    const stamp = join(outDir, `${name}.txt`);
    if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8') === text) continue;
    const raw = join(outDir, `${name}.espeak.wav`);
    execFileSync('espeak-ng', ['-v', VOICE, '-s', '150', '-w', raw, text]);
    execFileSync('sox', [
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
    rmSync(raw);
    writeFileSync(stamp, text);
    written.push(name);
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.env.HOTLINE_ASTERISK_ROOT ?? DEFAULT_ASTERISK_ROOT;
  const written = generatePrompts(join(root, 'usr/share/asterisk/sounds'));
  console.log(`[setup] prompts: ${written.length ? `generated ${written.join(', ')}` : 'up to date'}`);
}
