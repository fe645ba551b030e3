/**
 * The province's settings: coaching visibility, the TV wallboard's thresholds and the report
 * schedule. Each section has a default until an admin saves it; every save is checked, audited
 * and announced to the listeners (the wallboard, the report scheduler).
 */
import { eq } from 'drizzle-orm';
import type {
  CoachingSettings,
  HotlineSettings,
  ReportScheduleSettings,
  SettingsSection,
  Threshold,
  WallboardSettings,
} from '../../common/api.ts';
import { audit } from '../audit/service.ts';
import type { Db } from '../db/index.ts';
import { settings } from '../db/schema.ts';
import { AppError } from '../errors.ts';

const DEFAULTS: HotlineSettings = {
  coaching: { operatorSees: 'audible' },
  wallboard: {
    waiting: { amber: 3, red: 6 },
    longestWaitSeconds: { amber: 60, red: 120 },
    serviceLevelPercent: { amber: 80, red: 60 },
    abandoned: { amber: 10, red: 25 },
  },
  reportSchedule: { recipients: [], daily: false, weekly: false, sendAt: '07:00' },
};
export const DEFAULT_SETTINGS: Readonly<HotlineSettings> = Object.freeze(DEFAULTS);

export const SETTINGS_SECTIONS = Object.keys(DEFAULT_SETTINGS) as SettingsSection[];

export class InvalidSettingError extends AppError {
  constructor(message: string) {
    super('INVALID_SETTING', 400, message);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function checkThreshold(t: Threshold, label: string, lowerIsWorse: boolean): void {
  if (!Number.isFinite(t.amber) || !Number.isFinite(t.red) || t.amber < 0 || t.red < 0) {
    throw new InvalidSettingError(`Ngưỡng "${label}" phải là số không âm.`);
  }
  if (lowerIsWorse ? t.red > t.amber : t.red < t.amber) {
    throw new InvalidSettingError(
      lowerIsWorse
        ? `Ngưỡng đỏ của "${label}" phải nhỏ hơn hoặc bằng ngưỡng vàng.`
        : `Ngưỡng đỏ của "${label}" phải lớn hơn hoặc bằng ngưỡng vàng.`,
    );
  }
}

/** Throws `InvalidSettingError` with a message the admin can act on; returns the value tidied. */
export function checkSection<S extends SettingsSection>(
  section: S,
  value: HotlineSettings[S],
): HotlineSettings[S] {
  switch (section) {
    case 'coaching': {
      const v = value as CoachingSettings;
      if (!['never', 'audible', 'always'].includes(v.operatorSees)) {
        throw new InvalidSettingError('Chế độ báo cho tổng đài viên không hợp lệ.');
      }
      return { operatorSees: v.operatorSees } as HotlineSettings[S];
    }
    case 'wallboard': {
      const v = value as WallboardSettings;
      checkThreshold(v.waiting, 'Đang chờ', false);
      checkThreshold(v.longestWaitSeconds, 'Chờ lâu nhất', false);
      checkThreshold(v.serviceLevelPercent, 'Tỷ lệ phục vụ', true);
      checkThreshold(v.abandoned, 'Bỏ máy', false);
      if (v.serviceLevelPercent.amber > 100) throw new InvalidSettingError('Tỷ lệ phục vụ tối đa 100%.');
      return {
        waiting: { ...v.waiting },
        longestWaitSeconds: { ...v.longestWaitSeconds },
        serviceLevelPercent: { ...v.serviceLevelPercent },
        abandoned: { ...v.abandoned },
      } as HotlineSettings[S];
    }
    case 'reportSchedule': {
      const v = value as ReportScheduleSettings;
      const recipients = [
        ...new Set(v.recipients.map((r) => r.trim().toLowerCase()).filter((r) => r !== '')),
      ];
      const bad = recipients.find((r) => !EMAIL.test(r));
      if (bad !== undefined) throw new InvalidSettingError(`Địa chỉ thư "${bad}" không hợp lệ.`);
      if (recipients.length > 50) throw new InvalidSettingError('Tối đa 50 người nhận.');
      if (!TIME.test(v.sendAt)) throw new InvalidSettingError('Giờ gửi phải có dạng HH:MM, ví dụ 07:00.');
      if ((v.daily || v.weekly) && recipients.length === 0) {
        throw new InvalidSettingError('Cần ít nhất một người nhận để gửi báo cáo định kỳ.');
      }
      return { recipients, daily: v.daily, weekly: v.weekly, sendAt: v.sendAt } as HotlineSettings[S];
    }
    default:
      throw new InvalidSettingError(`Không có nhóm cài đặt "${String(section)}".`);
  }
}

export type SettingsListener = <S extends SettingsSection>(section: S, value: HotlineSettings[S]) => void;

export interface SettingsStore {
  /** Every section: the saved value, or its default. */
  all(): HotlineSettings;
  get<S extends SettingsSection>(section: S): HotlineSettings[S];
  /** Checks, saves and audits (`settings.update`); returns the value saved. */
  update<S extends SettingsSection>(
    section: S,
    value: HotlineSettings[S],
    actorId: number,
    at?: Date,
  ): HotlineSettings[S];
  /** Called after each save; returns the unsubscribe function. */
  subscribe(listener: SettingsListener): () => void;
}

const stores = new WeakMap<Db, SettingsStore>();

/** One store per database, so a save reaches every listener. */
export function settingsStore(db: Db): SettingsStore {
  let store = stores.get(db);
  if (!store) {
    store = createSettingsStore(db);
    stores.set(db, store);
  }
  return store;
}

function createSettingsStore(db: Db): SettingsStore {
  const listeners = new Set<SettingsListener>();
  const get = <S extends SettingsSection>(section: S): HotlineSettings[S] => {
    const row = db
      .select({ value: settings.value })
      .from(settings)
      .where(eq(settings.section, section))
      .get();
    // A saved section read back over its default, so a field added later has a value.
    return { ...DEFAULT_SETTINGS[section], ...((row?.value ?? {}) as object) } as HotlineSettings[S];
  };
  return {
    get,
    all() {
      return Object.fromEntries(SETTINGS_SECTIONS.map((s) => [s, get(s)])) as unknown as HotlineSettings;
    },
    update(section, value, actorId, at = new Date()) {
      const checked = checkSection(section, value);
      db.transaction((tx) => {
        const before = get(section);
        tx.insert(settings)
          .values({ section, value: checked, updatedAt: at, updatedBy: actorId })
          .onConflictDoUpdate({
            target: settings.section,
            set: { value: checked, updatedAt: at, updatedBy: actorId },
          })
          .run();
        audit(
          tx,
          {
            actorId,
            action: 'settings.update',
            entity: 'settings',
            entityId: section,
            before,
            after: checked,
          },
          at,
        );
      });
      for (const listener of listeners) listener(section, checked);
      return checked;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
