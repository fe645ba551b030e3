import { describe, expect, it } from 'vitest';
import {
  CLOSED,
  type ComboboxInput,
  type ComboboxState,
  comboboxStep,
  exactUnit,
  rankUnits,
  type UnitSuggestion,
  unitOptionLabel,
} from '../../agent-console/src/unit-picker-rules.ts';

const open = (active: number, count = 3): ComboboxState => ({ open: true, active, count });
const closed = (count = 3): ComboboxState => ({ open: false, active: -1, count });
const key = (k: string): ComboboxInput => ({ type: 'key', key: k });

describe('comboboxStep', () => {
  it.each<[string, ComboboxState, ComboboxInput, ComboboxState, string, boolean]>([
    ['results open the list on the first', CLOSED, { type: 'results', count: 3 }, open(0), 'none', false],
    ['no results close it', open(1), { type: 'results', count: 0 }, closed(0), 'none', false],
    ['ArrowDown moves on', open(0), key('ArrowDown'), open(1), 'none', true],
    ['ArrowDown wraps to the first', open(2), key('ArrowDown'), open(0), 'none', true],
    ['ArrowDown opens a closed list', closed(), key('ArrowDown'), open(0), 'none', true],
    ['ArrowUp moves back', open(2), key('ArrowUp'), open(1), 'none', true],
    ['ArrowUp wraps to the last', open(0), key('ArrowUp'), open(2), 'none', true],
    ['ArrowUp opens on the last', closed(), key('ArrowUp'), open(2), 'none', true],
    ['arrows do nothing without suggestions', closed(0), key('ArrowDown'), closed(0), 'none', false],
    ['Escape closes an open list', open(1), key('Escape'), closed(), 'none', true],
    ['Escape on a closed list clears the text', closed(), key('Escape'), closed(), 'clear', true],
    ['Enter on a closed list is the form’s', closed(), key('Enter'), closed(), 'none', false],
    ['hover moves the highlight', open(0), { type: 'hover', index: 2 }, open(2), 'none', false],
    ['hover outside the list is ignored', open(0), { type: 'hover', index: 5 }, open(0), 'none', false],
    ['blur closes', open(1), { type: 'close' }, closed(), 'none', false],
    ['other keys are the input’s', open(1), key('a'), open(1), 'none', false],
  ])('%s', (_name, state, input, next, effect, handled) => {
    const step = comboboxStep(state, input);
    expect(step.state).toEqual(next);
    expect(step.effect.type).toBe(effect);
    expect(step.handled).toBe(handled);
  });

  it('Enter chooses the highlighted suggestion and keeps the form from submitting', () => {
    expect(comboboxStep(open(1), key('Enter'))).toEqual({
      state: closed(),
      effect: { type: 'choose', index: 1 },
      handled: true,
    });
  });

  it('Tab chooses the highlighted suggestion and lets the focus move on', () => {
    expect(comboboxStep(open(2), key('Tab'))).toEqual({
      state: closed(),
      effect: { type: 'choose', index: 2 },
      handled: false,
    });
    expect(comboboxStep(closed(), key('Tab')).effect.type).toBe('none');
  });

  it('types "bien hoa", Enter: the first (best) suggestion', () => {
    let state = comboboxStep(CLOSED, { type: 'results', count: 4 }).state;
    const step = comboboxStep(state, key('Enter'));
    state = step.state;
    expect(step.effect).toEqual({ type: 'choose', index: 0 });
    expect(state.open).toBe(false);
  });
});

const unit = (name: string, over: Partial<UnitSuggestion> = {}): UnitSuggestion => ({
  code: name,
  name,
  active: true,
  formerNames: [],
  ...over,
});

describe('rankUnits', () => {
  it('puts the commune named so before those that merely contain the words', () => {
    const ranked = rankUnits(
      [
        unit('Phường Tam Hiệp', { formerNames: ['Phường Biên Hòa cũ'] }),
        unit('Xã Tân Biên Hòa'),
        unit('Phường Biên Hòa'),
      ],
      'bien hoa',
    );
    expect(ranked.map((u) => u.name)).toEqual(['Phường Biên Hòa', 'Xã Tân Biên Hòa', 'Phường Tam Hiệp']);
  });

  it('ranks a match through a former name after current names, and inactive communes last', () => {
    const ranked = rankUnits(
      [
        unit('Xã Cũ', { active: false }),
        unit('Phường Trấn Biên', { formerNames: ['Phường Tam Hiệp'], matchedFormerName: 'Phường Tam Hiệp' }),
        unit('Xã Tam An'),
      ],
      'tam',
    );
    expect(ranked.map((u) => u.name)).toEqual(['Xã Tam An', 'Phường Trấn Biên', 'Xã Cũ']);
  });

  it('reads a name after its kind: "bien hoa" is Xã Biên Hòa before Phường An Biên Hòa', () => {
    const ranked = rankUnits([unit('Phường An Biên Hòa'), unit('Xã Biên Hòa')], 'bien hoa');
    expect(ranked.map((u) => u.name)).toEqual(['Xã Biên Hòa', 'Phường An Biên Hòa']);
  });

  it('orders equal matches by Vietnamese name', () => {
    const ranked = rankUnits([unit('Xã Xuân Phú'), unit('Xã Xuân Bắc'), unit('Xã Xuân Định')], 'xuan');
    expect(ranked.map((u) => u.name)).toEqual(['Xã Xuân Bắc', 'Xã Xuân Định', 'Xã Xuân Phú']);
  });
});

describe('unitOptionLabel', () => {
  it('shows a former name as the way to the current commune', () => {
    expect(unitOptionLabel(unit('Phường Trấn Biên', { matchedFormerName: 'Phường Tam Hiệp' })).text).toBe(
      'Phường Tam Hiệp (cũ) → Phường Trấn Biên',
    );
    expect(unitOptionLabel(unit('Phường Biên Hòa'))).toEqual({ text: 'Phường Biên Hòa', former: null });
  });
});

describe('exactUnit', () => {
  const list = [unit('Phường Biên Hòa'), unit('Xã Tân Biên Hòa')];
  it('finds the one commune typed out in full, diacritics optional', () => {
    expect(exactUnit(list, 'phuong bien hoa')?.name).toBe('Phường Biên Hòa');
    expect(exactUnit(list, ' Phường  Biên Hoà ')?.name).toBe('Phường Biên Hòa');
  });
  it('finds nothing for part of a name or an empty field', () => {
    expect(exactUnit(list, 'bien hoa')).toBeNull();
    expect(exactUnit(list, '')).toBeNull();
  });
});
