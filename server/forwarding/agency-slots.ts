/**
 * Deliveries in flight per agency, so one slow agency cannot hold every forward worker while
 * tickets for the others wait. A delivery that finds its agency's slots full is put back on the
 * queue for a moment without spending one of its attempts. Counted per job process.
 */
export interface AgencySlots {
  /** Takes a slot of `agency`; false when it already has `limit` deliveries in flight. */
  tryAcquire(agency: string): boolean;
  release(agency: string): void;
  inFlight(agency: string): number;
}

export function createAgencySlots(limit: number): AgencySlots {
  const busy = new Map<string, number>();
  return {
    tryAcquire(agency) {
      const n = busy.get(agency) ?? 0;
      if (n >= limit) return false;
      busy.set(agency, n + 1);
      return true;
    },
    release(agency) {
      const n = (busy.get(agency) ?? 0) - 1;
      if (n > 0) busy.set(agency, n);
      else busy.delete(agency);
    },
    inFlight: (agency) => busy.get(agency) ?? 0,
  };
}

/** The agency's slots are all taken; not a failure of the delivery. */
export class AgencyBusyError extends Error {
  constructor(agency: string) {
    super(`agency ${agency} has every delivery slot in use`);
    this.name = 'AgencyBusyError';
  }
}
