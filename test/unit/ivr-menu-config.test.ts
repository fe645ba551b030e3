import { describe, expect, it } from 'vitest';
import { configSounds, formatPath, parseMenuConfig, validateMenuConfig } from '../../ivr/menu.ts';
import { PROMPTS } from '../../ivr/prompts.ts';
import { DEFAULT_MENU, defaultMenuJson } from '../support/menu.ts';

// biome-ignore lint/suspicious/noExplicitAny: each case edits the parsed JSON freely
type Json = Record<string, any>;

/** The shipped file with one change applied. */
function withChange(change: (json: Json) => void): Json {
  const json = defaultMenuJson() as Json;
  change(json);
  return json;
}

describe('menu configuration validator', () => {
  it('accepts the shipped ivr/menu.json, frozen', () => {
    const result = validateMenuConfig(defaultMenuJson());
    expect(result.ok).toBe(true);
    if (result.ok) expect(Object.isFrozen(result.config.menu.options)).toBe(true);
  });

  it.each<[string, (json: Json) => void, string]>([
    [
      'an unknown queue',
      (j) => (j.menu.options['4'].queue = 'roads'),
      'menu.options["4"].queue: unknown queue "roads"',
    ],
    [
      'a key that is not a digit',
      (j) => (j.menu.options['*'] = { queue: 'health' }),
      'menu.options["*"]: is not a menu key',
    ],
    [
      'a key with two targets',
      (j) => (j.menu.options['1'] = { queue: 'health', statusLookup: true }),
      'menu.options["1"]: needs exactly one of queue, menu, announcements, statusLookup (has queue, statusLookup)',
    ],
    ['a key with no target', (j) => (j.menu.options['1'] = {}), 'menu.options["1"]: needs exactly one of'],
    [
      'an unknown target',
      (j) => (j.menu.options['1'] = { transfer: '113' }),
      'menu.options["1"].transfer: unexpected property',
    ],
    ['a menu without a prompt', (j) => delete j.menu.prompt, 'menu.prompt: expected required property'],
    [
      'an empty prompt',
      (j) => (j.menu.prompt = ''),
      'menu.prompt: expected string length greater or equal to 1',
    ],
    ['a menu without keys', (j) => (j.menu.options = {}), 'menu.options: a menu needs at least one key'],
    ['a bad id', (j) => (j.menu.id = 'Main Menu'), 'menu.id: expected string to match'],
    [
      'a sub-menu reusing an id',
      (j) =>
        (j.menu.options['6'] = { menu: { id: 'main', prompt: 'x', options: { '1': { queue: 'health' } } } }),
      'menu.options["6"].menu.id: menu id "main" is already used by menu',
    ],
    [
      'an unknown queue deep in a sub-menu',
      (j) => (j.menu.options['6'] = { menu: { id: 'sub', prompt: 'x', options: { '2': { queue: 'x' } } } }),
      'menu.options["6"].menu.options["2"].queue: unknown queue "x"',
    ],
    [
      'no announcements',
      (j) => (j.menu.options['5'].announcements = []),
      'menu.options["5"].announcements: expected array length to be greater or equal to 1',
    ],
    [
      'two announcements with one id',
      (j) => j.menu.options['5'].announcements.push({ id: 'official-info', text: 'x' }),
      'menu.options["5"].announcements[1].id: announcement id "official-info" is already used',
    ],
    [
      'an unknown time zone',
      (j) => (j.hours.timeZone = 'Asia/Hanoi_City'),
      'hours.timeZone: unknown time zone "Asia/Hanoi_City"',
    ],
    ['a bad time', (j) => (j.hours.open = '7:00'), 'hours.open: expected string to match'],
    [
      'open equal to close',
      (j) => (j.hours.close = '07:00'),
      'hours: open and close are the same time ("07:00")',
    ],
    [
      'a weekday with only an open time',
      (j) => (j.hours.weekdays = { sun: { open: '08:00' } }),
      'hours.weekdays.sun: needs both open and close',
    ],
    [
      'an unknown weekday',
      (j) => (j.hours.weekdays = { sunday: { closed: true } }),
      'hours.weekdays.sunday: unexpected property',
    ],
    [
      'a holiday that is not a date',
      (j) => (j.hours.holidays = [{ date: '2026-02-30', closed: true }]),
      'hours.holidays[0].date: "2026-02-30" is not a calendar date',
    ],
    [
      'a holiday twice',
      (j) =>
        (j.hours.holidays = [
          { date: '2026-09-02', closed: true },
          { date: '2026-09-02', closed: true },
        ]),
      'hours.holidays[1].date: 2026-09-02 is listed twice',
    ],
    [
      'a closed holiday with hours',
      (j) => (j.hours.holidays = [{ date: '2026-09-02', closed: true, open: '08:00' }]),
      'hours.holidays[0]: a closed day has no open or close time',
    ],
    [
      'holiday hours with only an open time',
      (j) => (j.hours.holidayHours = { open: '08:00' }),
      'hours.holidayHours: needs both open and close',
    ],
    [
      'closed holiday hours with a time',
      (j) => (j.hours.holidayHours = { closed: true, close: '17:00' }),
      'hours.holidayHours: a closed day has no open or close time',
    ],
    [
      'a message cap above the limit',
      (j) => (j.afterHours.maxMessageSeconds = 3600),
      'afterHours.maxMessageSeconds: expected integer to be less or equal to 600',
    ],
    ['a missing section', (j) => delete j.afterHours, 'afterHours: expected required property'],
    ['an unknown top-level field', (j) => (j.colour = 'red'), 'colour: unexpected property'],
  ])('rejects %s', (_label, change, error) => {
    const result = validateMenuConfig(withChange(change));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.some((e) => e.startsWith(error))).toBe(true);
  });

  it('gives the calendar holidays the shipped holiday hours, with no per-date list in the file', () => {
    expect(defaultMenuJson().hours).not.toHaveProperty('holidays');
    expect(DEFAULT_MENU.hours.holidayHours).toEqual({ open: '07:30', close: '17:00' });
    expect(DEFAULT_MENU.hours.holidays).toEqual([]);
  });

  it('reports every error, not just the first', () => {
    const result = validateMenuConfig(
      withChange((j) => {
        j.menu.options['4'].queue = 'roads';
        j.hours.timeZone = 'Nowhere';
      }),
    );
    expect(result.ok ? [] : result.errors).toHaveLength(2);
  });

  it('reports a file that is not JSON', () => {
    const result = parseMenuConfig('{ "menu": ');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(/^\(file\): not valid JSON/);
  });

  it.each([
    ['/menu/options/4/queue', 'menu.options["4"].queue'],
    ['/hours/holidays/0/date', 'hours.holidays[0].date'],
    ['/menu/options/5/announcements/1/id', 'menu.options["5"].announcements[1].id'],
    ['', '(file)'],
  ])('names %s as %s', (pointer, path) => {
    expect(formatPath(pointer)).toBe(path);
  });
});

describe('configSounds', () => {
  it('names every text of the default menu by a stable id, apart from the fixed prompts', () => {
    const sounds = configSounds(DEFAULT_MENU);
    expect([...sounds.keys()].sort()).toEqual([
      'announcement-official-info',
      'config-after-hours',
      'config-welcome',
      'menu-main',
    ]);
    for (const name of sounds.keys()) expect(Object.keys(PROMPTS)).not.toContain(name);
    expect(sounds.get('menu-main')).toContain('Hạ tầng đô thị và dịch vụ công, bấm phím 4');
  });
});
