/**
 * The IVR menu file on a real file system with real prompt generation (espeak-ng, sox): a valid
 * change is picked up by the file watch and by POST /api/admin/ivr/reload and applies to calls
 * that start afterwards; an invalid one is rejected with the bad field named, and the previous
 * menu stays. The hotline refuses to start on an invalid file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROMPT_DIR } from '../../ivr/constants.ts';
import { type CallState, initialState, step } from '../../ivr/flow.ts';
import type { IvrConfig } from '../../ivr/menu.ts';
import { MenuConfigError, type MenuStore, openMenuStore } from '../../ivr/menu-file.ts';
import { waitFor } from '../../scripts/lib/ports.ts';
import { loadConfig } from '../../server/config.ts';
import { startHotline } from '../../server/main.ts';
import { defaultMenuJson } from '../support/menu.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

const logger = pino({ level: 'silent' });
const OPEN_AT = new Date('2026-03-11T03:00:00Z'); // 10:00 local

let dir: string;
let menuPath: string;
let soundsDir: string;
let store: MenuStore | undefined;
let fx: Fixture | undefined;

// biome-ignore lint/suspicious/noExplicitAny: the test edits the parsed JSON freely
function writeMenu(change: (json: any) => void = () => {}): void {
  const json = defaultMenuJson();
  change(json);
  writeFileSync(menuPath, JSON.stringify(json, null, 2));
}

/** What a call arriving now hears first, and where key 4 takes it. */
function newCall(config: IvrConfig): { sounds: string[]; key4: CallState } {
  const started = step(initialState(config), { type: 'started' }, OPEN_AT);
  const play = started.commands.find((c) => c.type === 'play');
  return {
    sounds: play?.type === 'play' ? play.sounds : [],
    key4: step(started.state, { type: 'dtmf', digit: '4' }, OPEN_AT).state,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-menu-'));
  menuPath = join(dir, 'menu.json');
  soundsDir = join(dir, 'sounds');
  writeMenu();
});

afterEach(async () => {
  store?.close();
  store = undefined;
  await fx?.close();
  fx = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('IVR menu file', () => {
  it('generates a prompt per text at start, named by its stable id', async () => {
    store = await openMenuStore({ path: menuPath, soundsDir, logger, watch: false });
    for (const name of ['menu-main', 'config-welcome', 'announcement-official-info', 'config-after-hours']) {
      const wav = join(soundsDir, PROMPT_DIR, `${name}.wav`);
      expect(statSync(wav).size).toBeGreaterThan(1000);
      expect(readFileSync(wav).subarray(0, 4).toString()).toBe('RIFF');
    }
  });

  it('applies a valid change to calls that start afterwards, noticed by the file watch', async () => {
    store = await openMenuStore({ path: menuPath, soundsDir, logger, debounceMs: 50 });
    const before = store.current();
    const inProgress = newCall(before);
    expect(inProgress.key4).toMatchObject({ name: 'queued', queue: 'infrastructure' });

    writeMenu((j) => {
      j.menu.prompt = 'Menu mới: bấm phím 4 để gặp bộ phận y tế.';
      j.menu.options['4'] = { queue: 'health' };
    });
    await waitFor('the new menu to apply', async () => store?.current() !== before, 15_000);

    const after = newCall(store.current());
    expect(after.key4).toMatchObject({ name: 'queued', queue: 'health' });
    expect(readFileSync(join(soundsDir, PROMPT_DIR, 'menu-main.txt'), 'utf8')).toBe(
      'Menu mới: bấm phím 4 để gặp bộ phận y tế.',
    );
    // The call that started before the change keeps its menu.
    const started = step(initialState(before), { type: 'started' }, OPEN_AT).state;
    expect(step(started, { type: 'dtmf', digit: '4' }, OPEN_AT).state).toMatchObject({
      queue: 'infrastructure',
    });
  });

  it('rejects an invalid change, keeps the previous menu, and says which field is wrong', async () => {
    store = await openMenuStore({ path: menuPath, soundsDir, logger, watch: false });
    const before = store.current();
    writeMenu((j) => {
      j.menu.options['4'].queue = 'roads';
    });
    const result = await store.reload();
    expect(result).toEqual({
      ok: false,
      errors: [expect.stringContaining('menu.options["4"].queue: unknown queue "roads"')],
    });
    expect(store.current()).toBe(before);
    expect(newCall(store.current()).key4).toMatchObject({ queue: 'infrastructure' });
  });

  it('POST /api/admin/ivr/reload: 200 for a valid file, 400 naming the field for an invalid one, admins only', async () => {
    store = await openMenuStore({ path: menuPath, soundsDir: null, logger, watch: false });
    fx = await buildFixture({ ivrMenu: store });
    const admin = await fx.session('quantri');
    const operator = await fx.session('tdv01');
    const reload = (headers: Record<string, string>) =>
      fx?.app.inject({ method: 'POST', url: '/api/admin/ivr/reload', headers });

    expect((await reload(operator))?.statusCode).toBe(403);

    writeMenu((j) => {
      j.menu.options['4'] = { queue: 'goods' };
    });
    const ok = await reload(admin);
    expect(ok?.statusCode).toBe(200);
    expect(ok?.json()).toEqual({ data: { applied: true } });
    expect(newCall(store.current()).key4).toMatchObject({ queue: 'goods' });

    writeMenu((j) => {
      j.hours.timeZone = 'Asia/Hanoi_City';
    });
    const bad = await reload(admin);
    expect(bad?.statusCode).toBe(400);
    expect(bad?.json().error.code).toBe('IVR_MENU_INVALID');
    expect(bad?.json().error.message).toContain('hours.timeZone: unknown time zone "Asia/Hanoi_City"');
    expect(newCall(store.current()).key4).toMatchObject({ queue: 'goods' });
  });

  it('the hotline refuses to start on an invalid file', async () => {
    writeMenu((j) => {
      j.menu.options['1'] = { queue: 'health', menu: { id: 'x', prompt: 'x', options: {} } };
    });
    const config = loadConfig({
      HOTLINE_ARI_ENABLED: 'false',
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_DB_PATH: ':memory:',
      HOTLINE_IVR_MENU: menuPath,
    });
    const start = startHotline(config, { logger });
    await expect(start).rejects.toBeInstanceOf(MenuConfigError);
    await expect(start).rejects.toThrow('menu.options["1"]: needs exactly one of');
    expect(existsSync(join(soundsDir, PROMPT_DIR))).toBe(false);
  });
});
