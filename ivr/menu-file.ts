/**
 * Keeps the current IVR configuration from its JSON file: validated at start (an invalid file
 * stops the hotline from starting), reloaded when the file changes or on request. A valid new
 * file applies to calls that start afterwards, once its prompts are generated; an invalid one is
 * rejected, logged, and the previous configuration stays.
 */
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { configSounds, type IvrConfig, parseMenuConfig } from './menu.ts';
import { writePrompts } from './prompt-files.ts';

export type MenuReloadResult = { ok: true } | { ok: false; errors: string[] };

/** The configuration file is unreadable or invalid at start-up. */
export class MenuConfigError extends Error {
  readonly code = 'IVR_MENU_INVALID';
  constructor(
    readonly path: string,
    readonly errors: string[],
  ) {
    super(`IVR menu ${path} is invalid:\n  ${errors.join('\n  ')}`);
  }
}

export interface MenuStore {
  /** The configuration new calls start with. */
  current(): IvrConfig;
  /** Reads the file again; applies it when valid. Concurrent calls run one after another. */
  reload(): Promise<MenuReloadResult>;
  close(): void;
}

export interface MenuStoreOptions {
  path: string;
  /** Asterisk's sounds folder; prompts are generated there. Null leaves prompts to `npm run setup`. */
  soundsDir: string | null;
  logger: Logger;
  /** Reload when the file changes (default true). */
  watch?: boolean;
  debounceMs?: number;
}

async function load(
  path: string,
  soundsDir: string | null,
): Promise<{ config: IvrConfig } | { errors: string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { errors: [`(file): cannot read ${path}: ${(err as Error).message}`] };
  }
  const parsed = parseMenuConfig(text);
  if (!parsed.ok) return { errors: parsed.errors };
  if (soundsDir) {
    try {
      await writePrompts(soundsDir, configSounds(parsed.config));
    } catch (err) {
      return { errors: [`(prompts): could not generate the prompts: ${(err as Error).message}`] };
    }
  }
  return { config: parsed.config };
}

/** Loads the file; throws `MenuConfigError` when it is invalid. */
export async function openMenuStore(opts: MenuStoreOptions): Promise<MenuStore> {
  const { path, soundsDir, logger } = opts;
  const first = await load(path, soundsDir);
  if ('errors' in first) throw new MenuConfigError(path, first.errors);
  let config = first.config;
  let chain: Promise<unknown> = Promise.resolve();

  const reload = (): Promise<MenuReloadResult> => {
    const next = chain.then(async (): Promise<MenuReloadResult> => {
      const loaded = await load(path, soundsDir);
      if ('errors' in loaded) {
        logger.error({ path, errors: loaded.errors }, 'IVR menu rejected; keeping the previous one');
        return { ok: false, errors: loaded.errors };
      }
      config = loaded.config;
      logger.info({ path }, 'IVR menu reloaded');
      return { ok: true };
    });
    chain = next;
    return next;
  };

  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  if (opts.watch ?? true) {
    // The folder is watched, not the file: editors replace files by renaming, which ends a file watch.
    const name = basename(path);
    watcher = watch(dirname(path), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        void reload();
      }, opts.debounceMs ?? 300);
    });
    watcher.on('error', (err) => logger.warn({ err, path }, 'cannot watch the IVR menu file'));
  }

  return {
    current: () => config,
    reload,
    close() {
      watcher?.close();
      if (timer) clearTimeout(timer);
    },
  };
}
