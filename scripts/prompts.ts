/**
 * Generates the IVR's Vietnamese prompts with espeak-ng into Asterisk's sounds folder
 * (`sound:hotline/vi/<name>`): the fixed prompts and those of the menu configuration
 * (`HOTLINE_IVR_MENU`, default `ivr/menu.json`). A recorded WAV in `dialplan/sounds/vi/<name>.wav`
 * replaces the generated one. Skips prompts whose text has not changed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSounds, parseMenuConfig } from '../ivr/menu.ts';
import { writePrompts } from '../ivr/prompt-files.ts';
import { ALL_PROMPTS } from '../ivr/prompts.ts';
import { loadConfig } from '../server/config.ts';
import { ASTERISK_SOUNDS_DIR, DEFAULT_ASTERISK_ROOT } from './lib/asterisk.ts';

/** Every prompt the hotline needs with the given menu file. */
export function allPrompts(menuPath: string): [string, string][] {
  const parsed = parseMenuConfig(readFileSync(menuPath, 'utf8'));
  if (!parsed.ok) throw new Error(`IVR menu ${menuPath} is invalid:\n  ${parsed.errors.join('\n  ')}`);
  return [...Object.entries(ALL_PROMPTS), ...configSounds(parsed.config)];
}

export function generatePrompts(soundsDir: string, menuPath: string): Promise<string[]> {
  return writePrompts(soundsDir, allPrompts(menuPath));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.env.HOTLINE_ASTERISK_ROOT ?? DEFAULT_ASTERISK_ROOT;
  const config = loadConfig({ ...process.env, HOTLINE_ARI_ENABLED: 'false' });
  const written = await generatePrompts(join(root, ASTERISK_SOUNDS_DIR), config.ivr.menuPath);
  console.log(`[setup] prompts: ${written.length ? `generated ${written.join(', ')}` : 'up to date'}`);
}
