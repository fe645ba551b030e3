/** Opening hours for runs that must take calls at any hour (tests, benchmarks), whatever the date. */

/** `hours` (a menu file's `hours`) open all day, every day, holidays included. */
export function openAroundTheClock<T extends object>(hours: T): T & Record<string, unknown> {
  return {
    ...hours,
    open: '00:00',
    close: '24:00',
    weekdays: {},
    holidays: [],
    holidayHours: { open: '00:00', close: '24:00' },
  };
}
