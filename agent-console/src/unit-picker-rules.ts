/**
 * The commune picker's pure rules: the combobox's keyboard state machine, the order of its
 * suggestions and how each one reads. No DOM, so unit tests run them in Node.
 *
 *   closed ──results (n > 0) / ArrowDown / ArrowUp──► open (one option active)
 *   open ──ArrowDown / ArrowUp / hover──► open (another option active; the ends wrap)
 *   open ──Enter / Tab / click──► closed, that option chosen
 *   open ──Escape / blur──► closed, nothing chosen;  closed ──Escape──► text cleared
 */
import { foldVietnamese } from '../../common/text.ts';

export interface ComboboxState {
  open: boolean;
  /** The highlighted option (`aria-activedescendant`), -1 for none. */
  active: number;
  /** How many options the list holds. */
  count: number;
}

export type ComboboxInput =
  | { type: 'results'; count: number }
  | { type: 'key'; key: string }
  | { type: 'hover'; index: number }
  | { type: 'close' };

export type ComboboxEffect = { type: 'none' } | { type: 'choose'; index: number } | { type: 'clear' };

export interface ComboboxStep {
  state: ComboboxState;
  effect: ComboboxEffect;
  /** The key was the combobox's: the page must not also act on it (no form submit on Enter). */
  handled: boolean;
}

export const CLOSED: ComboboxState = { open: false, active: -1, count: 0 };

const NONE: ComboboxEffect = { type: 'none' };

export function comboboxStep(state: ComboboxState, input: ComboboxInput): ComboboxStep {
  const stay = (next: ComboboxState, handled = false): ComboboxStep => ({
    state: next,
    effect: NONE,
    handled,
  });
  switch (input.type) {
    case 'results':
      // The first suggestion is active at once, so "bien hoa" + Enter picks the best match.
      return stay(input.count > 0 ? { open: true, active: 0, count: input.count } : { ...CLOSED, count: 0 });
    case 'hover':
      if (!state.open || input.index < 0 || input.index >= state.count) return stay(state);
      return stay({ ...state, active: input.index });
    case 'close':
      return stay({ ...state, open: false, active: -1 });
    case 'key':
      return keyStep(state, input.key);
  }
}

function keyStep(state: ComboboxState, key: string): ComboboxStep {
  const { count } = state;
  switch (key) {
    case 'ArrowDown':
      if (count === 0) return { state, effect: NONE, handled: false };
      return {
        state: { open: true, active: state.open ? (state.active + 1) % count : 0, count },
        effect: NONE,
        handled: true,
      };
    case 'ArrowUp':
      if (count === 0) return { state, effect: NONE, handled: false };
      return {
        state: {
          open: true,
          active: state.open && state.active > 0 ? state.active - 1 : count - 1,
          count,
        },
        effect: NONE,
        handled: true,
      };
    case 'Enter':
      if (!state.open || state.active < 0) return { state, effect: NONE, handled: false };
      return {
        state: { ...state, open: false, active: -1 },
        effect: { type: 'choose', index: state.active },
        handled: true,
      };
    case 'Tab':
      // Tabbing on from a highlighted suggestion keeps it: the operator moves on to the address.
      if (!state.open || state.active < 0) return { state, effect: NONE, handled: false };
      return {
        state: { ...state, open: false, active: -1 },
        effect: { type: 'choose', index: state.active },
        handled: false,
      };
    case 'Escape':
      if (state.open) return { state: { ...state, open: false, active: -1 }, effect: NONE, handled: true };
      return { state, effect: { type: 'clear' }, handled: true };
    default:
      return { state, effect: NONE, handled: false };
  }
}

/** A commune as the picker shows it: `GET /api/units` answers these. */
export interface UnitSuggestion {
  code: string;
  name: string;
  active: boolean;
  formerNames: string[];
  /** Set when the query matched a former name rather than the current one. */
  matchedFormerName?: string;
}

/** Marks a name from before 1 July 2025. */
export const FORMER_MARK = '(cũ)';

/** "Phường Tam Hiệp (cũ) → Phường Trấn Biên" for a match through a former name, else the name. */
export function unitOptionLabel(unit: UnitSuggestion): { text: string; former: string | null } {
  const former = unit.matchedFormerName ?? null;
  return { text: former ? `${former} ${FORMER_MARK} → ${unit.name}` : unit.name, former };
}

/** A unit's kind at the start of its folded name, old kinds included (for former names). */
const KIND_PREFIX = /^(phuong|xa|dac khu|thi tran|thi xa|thanh pho|huyen) /;

/** How well `text` (folded) matches `query` (folded): 0 = starts with it, … 3 = no match. */
function closeness(text: string, query: string): number {
  // "phuong bien hoa" for "bien hoa": the name after its kind is the name a caller says.
  if (text.startsWith(query) || text.replace(KIND_PREFIX, '').startsWith(query)) return 0;
  if (text.split(' ').some((_, i, words) => words.slice(i).join(' ').startsWith(query))) return 1;
  if (text.includes(query)) return 2;
  return 3;
}

/**
 * Suggestions best first: a match on the current name before one through a former name; within
 * each, a name that starts with the query (its kind aside), then a word that does, then
 * anywhere; then by name.
 * Communes no longer in use go last.
 */
export function rankUnits<T extends UnitSuggestion>(units: readonly T[], query: string): T[] {
  const q = foldVietnamese(query);
  const score = (unit: T) => {
    const current = closeness(foldVietnamese(unit.name), q);
    const former = Math.min(3, ...unit.formerNames.map((n) => closeness(foldVietnamese(n), q)));
    const viaFormer = unit.matchedFormerName !== undefined || (current === 3 && former < 3);
    return (unit.active ? 0 : 100) + (viaFormer ? 10 + former : current);
  };
  return units
    .map((unit) => ({ unit, score: score(unit) }))
    .sort((a, b) => a.score - b.score || a.unit.name.localeCompare(b.unit.name, 'vi'))
    .map((x) => x.unit);
}

/** The one suggestion whose name is exactly what was typed (diacritics aside), if any. */
export function exactUnit<T extends UnitSuggestion>(units: readonly T[], typed: string): T | null {
  const q = foldVietnamese(typed);
  if (q === '') return null;
  const hits = units.filter((u) => foldVietnamese(u.name) === q);
  return hits.length === 1 ? (hits[0] ?? null) : null;
}
