/**
 * Datetime filter and dateRange values -> epoch milliseconds. Only two forms are read: ISO 8601
 * (a date, or a date-time with an optional `Z` or `±HH:MM` offset) and epoch milliseconds (a number,
 * or text of digits only). Date.parse is not used: it reads almost anything as some date (`"' OR
 * '1'='1"` is 2001-01-01 to V8), so a mistyped or hostile value would silently match every event.
 */

/** How the accepted forms are described in 400 answers. */
export const DATETIME_FORMATS =
  'an ISO 8601 date or date-time (2026-11-01, 2026-11-01T10:00:00Z, 2026-11-01T10:00:00.123+02:00; UTC when no offset is given) or epoch milliseconds (a number or digits only)';

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/;
/** Digits enough for any epoch ms up to year 9999 (15), with room for a leading zero or two. */
const EPOCH_DIGITS = /^\d{1,16}$/;

/** Epoch ms from a finite number, all-digits text, or ISO 8601 text; undefined for anything else. */
export function parseEpochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (EPOCH_DIGITS.test(value)) return Number(value);
  return parseIso8601(value);
}

function parseIso8601(text: string): number | undefined {
  const match = ISO_8601.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone, sign, offsetHours, offsetMinutes] = match;
  const parts = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
  };
  if (parts.month < 1 || parts.month > 12) return undefined;
  if (parts.day < 1 || parts.day > daysInMonth(parts.year, parts.month)) return undefined;
  if (parts.hour > 23 || parts.minute > 59 || parts.second > 59) return undefined;
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(parts.year, parts.month - 1, parts.day);
  date.setUTCHours(
    parts.hour,
    parts.minute,
    parts.second,
    Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
  );
  let offsetMs = 0;
  if (zone !== undefined && zone !== 'Z') {
    const hours = Number(offsetHours);
    const minutes = Number(offsetMinutes);
    if (hours > 23 || minutes > 59) return undefined;
    offsetMs = (sign === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  return date.getTime() - offsetMs;
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}
