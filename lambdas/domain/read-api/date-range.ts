/**
 * `dateRange` -> an inclusive epoch-ms range on start_time. HoneyHive sends `{ $gte, $lte }` with
 * ISO strings (epoch ms accepted too), GET routes may carry it JSON-encoded, and the spec's
 * RelativeDateRange `{ relative: "7d" }` means "the last 7 days up to now".
 */
import { describeType, invalidField, isJsonObject } from '../honeyhive/fields';
import { DATETIME_FORMATS } from '../query/epoch-ms';
import type { DateRange } from '../query/types';
import { decodeJson, toEpochMs } from './filters';

const RELATIVE = /^(\d{1,5})\s*(m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDateRange(value: unknown, now: number, where = 'dateRange'): DateRange | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const range = typeof value === 'string' ? decodeDateRangeText(value, where) : value;
  if (!isJsonObject(range))
    throw invalidField(where, `must be an object with $gte and $lte, got ${describeType(range)}`);
  if (range.relative !== undefined) return relativeRange(range.relative, now, `${where}.relative`);
  const from = bound(range.$gte, `${where}.$gte`);
  const to = bound(range.$lte, `${where}.$lte`);
  if (from > to) throw invalidField(where, '$gte is later than $lte');
  return { from, to };
}

/** A JSON-encoded object, or bare relative text such as "7d". */
function decodeDateRangeText(text: string, where: string): unknown {
  if (RELATIVE.test(text.trim())) return { relative: text.trim() };
  return decodeJson(text, where);
}

function bound(value: unknown, where: string): number {
  if (value === undefined || value === null) throw invalidField(where, 'is required');
  const epochMs = toEpochMs(value);
  if (epochMs === undefined) throw invalidField(where, `must be ${DATETIME_FORMATS}`);
  return epochMs;
}

function relativeRange(value: unknown, now: number, where: string): DateRange {
  const match = typeof value === 'string' ? RELATIVE.exec(value.trim()) : null;
  if (!match) throw invalidField(where, 'must be a duration such as "30m", "24h", "7d" or "2w"');
  const span = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  return { from: Math.max(0, now - span), to: now };
}
