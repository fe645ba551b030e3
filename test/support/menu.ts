/** The shipped menu configuration (`ivr/menu.json`), validated, for tests of the flow and the adapter. */
import { readFileSync } from 'node:fs';
import { type IvrConfig, parseMenuConfig } from '../../ivr/menu.ts';

export const MENU_FILE = 'ivr/menu.json';

/** The shipped file as parsed JSON, to copy and change in a test. */
export function defaultMenuJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(MENU_FILE, 'utf8')) as Record<string, unknown>;
}

/** Validates a configuration a test built; throws with the validator's errors if it is not valid. */
export function configOf(json: unknown): IvrConfig {
  const parsed = parseMenuConfig(JSON.stringify(json));
  if (!parsed.ok) throw new Error(`test menu is invalid: ${parsed.errors.join('; ')}`);
  return parsed.config;
}

export const DEFAULT_MENU: IvrConfig = configOf(defaultMenuJson());
