/**
 * The audit page's compact diff: the fields an entry changed, each as `before → after`, read from
 * its `before` and `after` snapshots. Pure, for the page and its tests.
 */

export interface FieldChange {
  field: string;
  /** Undefined: the field was not there (a creation, or a field added). */
  before?: string;
  after?: string;
}

/** A short text for a value: strings as they are, the rest as compact JSON, long ones cut. */
export function shortValue(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Changed fields, in the order they first appear. Two objects compare field by field (equal
 * values left out); anything else is one change named `value`.
 */
export function auditDiff(before: unknown, after: unknown): FieldChange[] {
  const absent = (v: unknown) => v === null || v === undefined;
  if (!isRecord(before) && !isRecord(after)) {
    if (absent(before) && absent(after)) return [];
    return [
      {
        field: 'value',
        ...(absent(before) ? {} : { before: shortValue(before) }),
        ...(absent(after) ? {} : { after: shortValue(after) }),
      },
    ];
  }
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields.flatMap((field) => {
    const was = b[field];
    const now = a[field];
    if (JSON.stringify(was) === JSON.stringify(now)) return [];
    return [
      {
        field,
        ...(field in b ? { before: shortValue(was) } : {}),
        ...(field in a ? { after: shortValue(now) } : {}),
      },
    ];
  });
}
