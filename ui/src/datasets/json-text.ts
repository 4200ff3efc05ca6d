/**
 * JSON typed into the console's datapoint editor, checked before anything is sent: an object
 * (inputs, ground truth, metadata) or a list of objects (chat history). An empty box is `{}` / `[]`.
 * Pure: the editor shows each error under its box.
 */
import type { JsonRecord } from '../api/experiments';

export type Parsed<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

function parse(text: string): Parsed<unknown> {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function isJsonRecord(value: unknown): value is JsonRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A JSON object; an empty box is `{}`. */
export function parseJsonObject(text: string): Parsed<JsonRecord> {
  if (text.trim() === '') return { value: {} };
  const parsed = parse(text);
  if (parsed.error !== undefined) return parsed;
  if (!isJsonRecord(parsed.value)) return { error: 'Must be a JSON object, such as {"question": "..."}' };
  return { value: parsed.value };
}

/** A JSON list of objects (chat messages); an empty box is `[]`. */
export function parseJsonObjectList(text: string): Parsed<JsonRecord[]> {
  if (text.trim() === '') return { value: [] };
  const parsed = parse(text);
  if (parsed.error !== undefined) return parsed;
  if (!Array.isArray(parsed.value) || !parsed.value.every(isJsonRecord))
    return { error: 'Must be a JSON list of objects, such as [{"role": "user", "content": "..."}]' };
  return { value: parsed.value };
}

/** A value as the editor shows it: indented JSON, empty for an empty object or list. */
export function jsonText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value) && value.length === 0) return '';
  if (isJsonRecord(value) && Object.keys(value).length === 0) return '';
  return JSON.stringify(value, null, 2);
}

/** A short one-line rendering of a section for a table cell. */
export function shortJson(value: unknown, maxChars = 120): string {
  if (value === undefined || value === null) return '';
  if (isJsonRecord(value) && Object.keys(value).length === 0) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
