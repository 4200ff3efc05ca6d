/**
 * The periods limits count in, all in UTC: a budget's day and month, a rate limit's minute (a fixed
 * window: the counter of 12:03 covers 12:03:00.000-12:03:59.999). Each has a label for counter
 * names, its end, and how long after its end its counter is kept (for a look back, then expiry).
 */
export type PeriodKind = 'day' | 'month' | 'minute';

export interface Period {
  kind: PeriodKind;
  /** `2026-12-03`, `2026-12` or `2026-12-03T10:41`. */
  label: string;
  /** Epoch ms of the first instant after the period. */
  endsAt: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export function periodOf(kind: PeriodKind, at: number): Period {
  const date = new Date(at);
  if (kind === 'minute') {
    const start = Math.floor(at / MINUTE) * MINUTE;
    return { kind, label: new Date(start).toISOString().slice(0, 16), endsAt: start + MINUTE };
  }
  if (kind === 'day') {
    const start = Math.floor(at / DAY) * DAY;
    return { kind, label: date.toISOString().slice(0, 10), endsAt: start + DAY };
  }
  return {
    kind,
    label: date.toISOString().slice(0, 7),
    endsAt: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
  };
}

/** Whole seconds from `at` to the period's end, at least 1 (a Retry-After of 0 invites a spin). */
export function secondsUntilEnd(period: Period, at: number): number {
  return Math.max(1, Math.ceil((period.endsAt - at) / 1000));
}

/** When a counter may expire (epoch seconds): a day after its period, so recent usage can be read. */
export function counterExpiry(period: Period): number {
  return Math.ceil((period.endsAt + DAY) / 1000);
}
