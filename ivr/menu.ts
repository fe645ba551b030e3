/**
 * The IVR menu as configuration: what the caller hears and where each key leads, the opening
 * hours and the after-hours message. `ivr/menu.json` is the default; `menu-file.ts` loads and
 * watches it. Everything here is pure: `validateMenuConfig` turns parsed JSON into a checked
 * `IvrConfig` or a list of errors naming the bad field (`menu.options["4"].queue: …`).
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { QUEUE_NAMES, type QueueName } from '../common/domain.ts';

/** Where a menu key leads: exactly one of these. */
export type MenuOption =
  | { queue: QueueName }
  | { menu: MenuNode }
  /** Plays the announcements, then the menu that holds this option again. */
  | { announcements: Announcement[] }
  /** The status line ("tra cứu kết quả"). */
  | { statusLookup: true };

/** A menu: its prompt and its keys. `id` names the prompt's sound (`menu-<id>`). */
export interface MenuNode {
  id: string;
  prompt: string;
  options: Record<string, MenuOption>;
}

/** A text read to callers; `id` names its sound (`announcement-<id>`), which a recording may replace. */
export interface Announcement {
  id: string;
  text: string;
}

/** Local times `HH:MM`; `close` may be `24:00`, or earlier than `open` for hours past midnight. */
export interface OpeningSpan {
  open: string;
  close: string;
}
export type DaySchedule = OpeningSpan | { closed: true };

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A date (`YYYY-MM-DD`, local) with its own hours, or closed. */
export type Holiday = { date: string; name?: string } & DaySchedule;

/**
 * Opening hours in one time zone: `open`–`close` every day, unless a weekday or a holiday says
 * otherwise (a holiday wins over its weekday). The hotline's calendar (the server's
 * `server/calendar/`) supplies the holidays: each gets `holidayHours` (`withCalendarHolidays` in
 * `hours.ts`). `holidays` in the file is optional and kept for a date of the hotline's own (it
 * wins over the calendar's schedule for that date).
 */
export interface OpeningHours extends OpeningSpan {
  timeZone: string;
  weekdays?: Partial<Record<Weekday, DaySchedule>>;
  /** The schedule of every calendar holiday; without it holidays keep their weekday's hours. */
  holidayHours?: DaySchedule;
  holidays: Holiday[];
}

export interface AfterHours {
  /** Read to callers outside the opening hours, before the beep. */
  prompt: string;
  /** Longest message a caller may leave. */
  maxMessageSeconds: number;
  /** A message ends after this much silence. */
  maxSilenceSeconds: number;
}

/** The whole, validated configuration a call runs with. */
export interface IvrConfig {
  welcome: string;
  menu: MenuNode;
  hours: OpeningHours;
  afterHours: AfterHours;
}

/** The sound of a menu's prompt, of an announcement, and of the fixed texts of the config. */
export const menuSound = (menu: MenuNode) => `menu-${menu.id}`;
export const announcementSound = (a: Announcement) => `announcement-${a.id}`;
export const WELCOME_SOUND = 'config-welcome';
export const AFTER_HOURS_SOUND = 'config-after-hours';

/** Hard cap on an after-hours message, whatever the file says. */
export const MAX_MESSAGE_SECONDS = 600;

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' });
const Text = Type.String({ minLength: 1, maxLength: 1000 });
const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' });
const Span = { open: Time, close: Time };
/** Either `open` and `close`, or `closed: true`; checked after the schema so the error can say so. */
const DayFields = {
  open: Type.Optional(Time),
  close: Type.Optional(Time),
  closed: Type.Optional(Type.Literal(true)),
};
const DayScheduleSchema = Type.Object(DayFields, { additionalProperties: false });
const AnnouncementSchema = Type.Object({ id: Id, text: Text }, { additionalProperties: false });

const MenuSchema = Type.Recursive(
  (Self) =>
    Type.Object(
      {
        id: Id,
        prompt: Text,
        options: Type.Record(
          Type.String({ pattern: '^[0-9]$' }),
          Type.Object(
            {
              queue: Type.Optional(Type.String()),
              menu: Type.Optional(Self),
              announcements: Type.Optional(Type.Array(AnnouncementSchema, { minItems: 1, maxItems: 20 })),
              statusLookup: Type.Optional(Type.Literal(true)),
            },
            { additionalProperties: false },
          ),
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
  { $id: 'MenuNode' },
);

const HolidaySchema = Type.Object(
  { date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), name: Type.Optional(Text), ...DayFields },
  { additionalProperties: false },
);

export const IvrConfigSchema = Type.Object(
  {
    welcome: Text,
    menu: MenuSchema,
    hours: Type.Object(
      {
        timeZone: Type.String({ minLength: 1 }),
        ...Span,
        weekdays: Type.Optional(
          Type.Object(Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Optional(DayScheduleSchema)])), {
            additionalProperties: false,
          }),
        ),
        holidayHours: Type.Optional(DayScheduleSchema),
        holidays: Type.Optional(Type.Array(HolidaySchema)),
      },
      { additionalProperties: false },
    ),
    afterHours: Type.Object(
      {
        prompt: Text,
        maxMessageSeconds: Type.Integer({ minimum: 1, maximum: MAX_MESSAGE_SECONDS }),
        maxSilenceSeconds: Type.Integer({ minimum: 1, maximum: 60 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type MenuValidation = { ok: true; config: IvrConfig } | { ok: false; errors: string[] };

/** `/menu/options/4/queue` → `menu.options["4"].queue`. */
export function formatPath(pointer: string): string {
  if (pointer === '') return '(file)';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else if (/^\d+$/.test(part) && !out.endsWith('options')) out += `[${part}]`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** The schema errors, the first one per path. */
function schemaErrors(schema: TSchema, value: unknown): string[] {
  const byPath = new Map<string, string>();
  for (const error of Value.Errors(schema, value)) {
    const path = formatPath(error.path);
    if (byPath.has(path)) continue;
    const badKey = /options\["[^"]*"\]$/.test(path) && error.message.includes('nexpected property');
    byPath.set(path, badKey ? 'is not a menu key: keys are the digits 0 to 9' : error.message.toLowerCase());
  }
  return [...byPath].map(([path, message]) => `${path}: ${message}`);
}

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

function spanErrors(path: string, span: OpeningSpan): string[] {
  return minutes(span.open) === minutes(span.close)
    ? [`${path}: open and close are the same time ("${span.open}"); use {"closed": true} for a closed day`]
    : [];
}

/** A day's schedule is `open` and `close`, or `closed: true`, never a mix. */
function dayErrors(path: string, day: Partial<OpeningSpan> & { closed?: true }): string[] {
  const { open, close, closed } = day;
  if (closed) return open || close ? [`${path}: a closed day has no open or close time`] : [];
  if (!open || !close) return [`${path}: needs both open and close, or "closed": true`];
  return spanErrors(path, { open, close });
}

/** Checks what the schema cannot: known queues, one target per key, unique ids, real dates and zones. */
function meaningErrors(config: IvrConfig): string[] {
  const errors: string[] = [];
  const menuIds = new Map<string, string>();
  const announcementIds = new Map<string, string>();
  const walk = (menu: MenuNode, path: string) => {
    const seen = menuIds.get(menu.id);
    if (seen) errors.push(`${path}.id: menu id "${menu.id}" is already used by ${seen}`);
    else menuIds.set(menu.id, path);
    if (Object.keys(menu.options).length === 0) errors.push(`${path}.options: a menu needs at least one key`);
    for (const [key, option] of Object.entries(menu.options)) {
      const at = `${path}.options["${key}"]`;
      const targets = Object.keys(option);
      if (targets.length !== 1) {
        errors.push(
          `${at}: needs exactly one of queue, menu, announcements, statusLookup (has ${targets.length ? targets.join(', ') : 'none'})`,
        );
        continue;
      }
      if ('queue' in option && !QUEUE_NAMES.includes(option.queue)) {
        errors.push(`${at}.queue: unknown queue "${option.queue}" (known: ${QUEUE_NAMES.join(', ')})`);
      }
      if ('menu' in option) walk(option.menu, `${at}.menu`);
      if ('announcements' in option) {
        option.announcements.forEach((a, i) => {
          const other = announcementIds.get(a.id);
          if (other)
            errors.push(
              `${at}.announcements[${i}].id: announcement id "${a.id}" is already used by ${other}`,
            );
          else announcementIds.set(a.id, `${at}.announcements[${i}]`);
        });
      }
    }
  };
  walk(config.menu, 'menu');

  const { hours } = config;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: hours.timeZone });
  } catch {
    errors.push(`hours.timeZone: unknown time zone "${hours.timeZone}"`);
  }
  errors.push(...spanErrors('hours', hours));
  for (const [day, schedule] of Object.entries(hours.weekdays ?? {})) {
    if (schedule) errors.push(...dayErrors(`hours.weekdays.${day}`, schedule));
  }
  if (hours.holidayHours) errors.push(...dayErrors('hours.holidayHours', hours.holidayHours));
  const dates = new Set<string>();
  hours.holidays.forEach((holiday, i) => {
    const at = `hours.holidays[${i}]`;
    const parsed = new Date(`${holiday.date}T00:00:00Z`);
    if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== holiday.date) {
      errors.push(`${at}.date: "${holiday.date}" is not a calendar date`);
    }
    if (dates.has(holiday.date)) errors.push(`${at}.date: ${holiday.date} is listed twice`);
    dates.add(holiday.date);
    errors.push(...dayErrors(at, holiday));
  });
  return errors;
}

/** Validates parsed JSON; a valid result is a deep copy, frozen, safe to share between calls. */
export function validateMenuConfig(value: unknown): MenuValidation {
  const structural = schemaErrors(IvrConfigSchema, value);
  if (structural.length > 0) return { ok: false, errors: structural };
  const config = structuredClone(value) as IvrConfig;
  config.hours.holidays ??= [];
  const errors = meaningErrors(config);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: deepFreeze(config) };
}

/** Parses and validates the file's text; a JSON syntax error is reported like any other. */
export function parseMenuConfig(text: string): MenuValidation {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`(file): not valid JSON: ${(err as Error).message}`] };
  }
  return validateMenuConfig(value);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Every sound the config needs, by name, with the text to speak. */
export function configSounds(config: IvrConfig): Map<string, string> {
  const sounds = new Map<string, string>([
    [WELCOME_SOUND, config.welcome],
    [AFTER_HOURS_SOUND, config.afterHours.prompt],
  ]);
  const walk = (menu: MenuNode) => {
    sounds.set(menuSound(menu), menu.prompt);
    for (const option of Object.values(menu.options)) {
      if ('menu' in option) walk(option.menu);
      if ('announcements' in option)
        for (const a of option.announcements) sounds.set(announcementSound(a), a.text);
    }
  };
  walk(config.menu);
  return sounds;
}

/** The menu reached by following `path` (keys) from the top; undefined when the path leads nowhere. */
export function menuAt(config: IvrConfig, path: readonly string[]): MenuNode | undefined {
  let menu: MenuNode = config.menu;
  for (const key of path) {
    const option = menu.options[key];
    if (!option || !('menu' in option)) return undefined;
    menu = option.menu;
  }
  return menu;
}
