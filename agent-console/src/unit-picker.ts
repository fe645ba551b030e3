/**
 * The commune picker: a text input with a suggestion list (ARIA combobox, list autocomplete),
 * fed by `GET /api/units?q=` as the user types, without diacritics if they like. Choosing a
 * suggestion sets the commune; typing again clears it; an empty field means "Chưa xác định".
 * Text that names no chosen commune makes the input invalid, so a form cannot be sent with it.
 */
import { api } from './api.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';
import {
  CLOSED,
  type ComboboxInput,
  type ComboboxState,
  comboboxStep,
  exactUnit,
  FORMER_MARK,
  rankUnits,
  type UnitSuggestion,
  unitOptionLabel,
} from './unit-picker-rules.ts';

const DEBOUNCE_MS = 150;
const LIMIT = 10;

/** The commune chosen; what tickets and routing exceptions store is its code. */
export interface PickedUnit {
  code: string;
  name: string;
}

export interface UnitPickerParts {
  input: HTMLInputElement;
  listbox: HTMLUListElement;
  /** Polite live region: how many suggestions, or that there are none. */
  status: HTMLElement;
}

export interface UnitPickerOptions extends UnitPickerParts {
  /** The chosen commune changed (null: none, or the text was edited). */
  onChange?(unit: PickedUnit | null): void;
  search?(query: string): Promise<UnitSuggestion[]>;
  debounceMs?: number;
}

export interface UnitPicker {
  value(): PickedUnit | null;
  /** Shows `unit` as chosen (null empties the field); does not call `onChange`. */
  set(unit: PickedUnit | null): void;
}

let counter = 0;

/** The markup of a picker for a page that builds it in script (the admin's exception lines). */
export function unitPickerParts(
  label: string,
  placeholder = t('unit.placeholder'),
): UnitPickerParts & { field: HTMLElement; label: HTMLLabelElement } {
  const id = `unit-picker-${++counter}`;
  const input = h('input', {
    id,
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder,
  });
  const listbox = h('ul', { id: `${id}-options`, hidden: '' });
  const status = h('p', { id: `${id}-status`, class: 'combo-status' });
  return {
    input,
    listbox,
    status,
    label: h('label', { for: id }, label),
    field: h('div', { class: 'combobox' }, input, listbox, status),
  };
}

export function createUnitPicker(options: UnitPickerOptions): UnitPicker {
  const { input, listbox, status } = options;
  const search = options.search ?? ((q: string) => api.searchUnits(q, LIMIT));
  const debounceMs = options.debounceMs ?? DEBOUNCE_MS;

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', listbox.id);
  input.setAttribute('aria-describedby', status.id);
  listbox.setAttribute('role', 'listbox');
  listbox.setAttribute('aria-label', t('unit.suggestions'));
  status.setAttribute('aria-live', 'polite');

  let state: ComboboxState = CLOSED;
  let results: UnitSuggestion[] = [];
  let chosen: PickedUnit | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;

  const optionId = (index: number) => `${listbox.id}-${index}`;

  function validate(): void {
    input.setCustomValidity(chosen === null && input.value.trim() !== '' ? t('unit.pickFromList') : '');
  }

  function render(): void {
    input.setAttribute('aria-expanded', String(state.open));
    listbox.hidden = !state.open;
    if (state.active >= 0) input.setAttribute('aria-activedescendant', optionId(state.active));
    else input.removeAttribute('aria-activedescendant');
    listbox.querySelectorAll('[role=option]').forEach((node, index) => {
      node.setAttribute('aria-selected', String(index === state.active));
      if (index === state.active) node.scrollIntoView?.({ block: 'nearest' });
    });
  }

  function apply(inputEvent: ComboboxInput, event?: KeyboardEvent): void {
    const step = comboboxStep(state, inputEvent);
    state = step.state;
    if (step.handled) event?.preventDefault();
    if (step.effect.type === 'choose') {
      const unit = results[step.effect.index];
      if (unit) choose(unit);
    } else if (step.effect.type === 'clear' && input.value !== '') {
      input.value = '';
      changeTo(null);
    }
    render();
  }

  function changeTo(unit: PickedUnit | null): void {
    const before = chosen?.code ?? null;
    chosen = unit;
    validate();
    if ((unit?.code ?? null) !== before) options.onChange?.(unit);
  }

  function choose(unit: UnitSuggestion): void {
    input.value = unit.name;
    status.textContent = '';
    changeTo({ code: unit.code, name: unit.name });
  }

  function showResults(list: UnitSuggestion[], query: string): void {
    results = rankUnits(list, query);
    listbox.replaceChildren(
      ...results.map((unit, index) => {
        const label = unitOptionLabel(unit);
        const item = h(
          'li',
          {
            id: optionId(index),
            role: 'option',
            'aria-selected': 'false',
            'data-unit-code': unit.code,
            class: label.former ? 'via-former' : undefined,
          },
          ...(label.former
            ? [`${label.former} ${FORMER_MARK} → `, h('strong', {}, unit.name)]
            : [label.text]),
          unit.active ? null : h('span', { class: 'muted' }, ` ${t('unit.inactive')}`),
        );
        // Keeps the focus in the input, so choosing with the mouse does not blur it first.
        item.addEventListener('mousedown', (event) => event.preventDefault());
        item.addEventListener('mousemove', () => {
          if (state.active !== index) apply({ type: 'hover', index });
        });
        item.addEventListener('click', () => {
          choose(unit);
          apply({ type: 'close' });
        });
        return item;
      }),
    );
    status.textContent =
      results.length === 0 ? t('unit.noMatch', { query }) : t('unit.count', { count: results.length });
    apply({ type: 'results', count: document.activeElement === input ? results.length : 0 });
  }

  function query(): void {
    const text = input.value.trim();
    const request = ++seq;
    clearTimeout(timer);
    if (text === '') {
      results = [];
      listbox.replaceChildren();
      status.textContent = '';
      apply({ type: 'results', count: 0 });
      return;
    }
    timer = setTimeout(() => {
      search(text)
        .then((list) => {
          if (request === seq) showResults(list, text);
        })
        .catch((err: unknown) => {
          if (request !== seq) return;
          console.warn('unit search failed', err);
          status.textContent = t('unit.searchFailed');
        });
    }, debounceMs);
  }

  input.addEventListener('input', () => {
    changeTo(null);
    query();
  });
  input.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    apply({ type: 'key', key: event.key }, event);
  });
  input.addEventListener('focus', () => {
    if (chosen === null && results.length > 0) apply({ type: 'results', count: results.length });
  });
  input.addEventListener('blur', () => {
    // Typed out in full ("Phường Biên Hòa") but not picked: that is a choice too.
    const exact = chosen === null ? exactUnit(results, input.value) : null;
    if (exact) choose(exact);
    apply({ type: 'close' });
  });

  return {
    value: () => chosen,
    set(unit) {
      clearTimeout(timer);
      seq++;
      chosen = unit;
      input.value = unit?.name ?? '';
      results = [];
      listbox.replaceChildren();
      status.textContent = '';
      state = CLOSED;
      validate();
      render();
    },
  };
}
