import { describe, expect, it } from 'vitest';
import { auditDiff, shortValue } from '../../agent-console/src/audit-diff.ts';

describe('auditDiff', () => {
  it.each<[string, unknown, unknown, ReturnType<typeof auditDiff>]>([
    [
      'an update: only changed fields',
      { name: 'A', kind: 'department', forwardUrl: null },
      { name: 'B', kind: 'department', forwardUrl: 'https://x.vn' },
      [
        { field: 'name', before: 'A', after: 'B' },
        { field: 'forwardUrl', before: 'null', after: 'https://x.vn' },
      ],
    ],
    ['a creation: after only', null, { code: 'syt' }, [{ field: 'code', after: 'syt' }]],
    ['a deletion: before only', { date: '2026-09-01' }, null, [{ field: 'date', before: '2026-09-01' }]],
    ['nothing recorded', null, null, []],
    [
      'nested values as JSON',
      { ids: [1, 2] },
      { ids: [1, 2, 3] },
      [{ field: 'ids', before: '[1,2]', after: '[1,2,3]' }],
    ],
    ['a plain value', 'a', 'b', [{ field: 'value', before: 'a', after: 'b' }]],
  ])('%s', (_label, before, after, expected) => {
    expect(auditDiff(before, after)).toEqual(expected);
  });

  it('cuts long values', () => {
    expect(shortValue('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
