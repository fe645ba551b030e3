/**
 * Fields of a `/proc/<pid>/stat` line, numbered from 1 as in proc(5). The process name (field 2)
 * may hold spaces and parentheses, so the fields after it are counted from its last `)`.
 */
export function procStatFields(stat: string): (field: number) => string | undefined {
  const end = stat.lastIndexOf(')');
  if (end < 0) throw new Error('not a /proc/<pid>/stat line');
  // After the name comes the state, field 3.
  const after = stat
    .slice(end + 2)
    .trim()
    .split(/\s+/);
  return (field) => after[field - 3];
}
