/**
 * Small guards that read one field of an untrusted, already parsed JSON body. Each either returns a
 * value of the promised type or throws ValidationError naming the field, so handlers never see a half-read body.
 * `null` counts as absent for optional fields: the HoneyHive Python SDK sends `"parent_id": null` and the like.
 */

import { ValidationError } from '../errors';
import type { JsonObject } from '../events/event';
import { assertJsonValuesWithin } from '../json/json-values';
import {
  MAX_CHILDREN_IDS,
  MAX_EPOCH_MS,
  MAX_ID_LENGTH,
  MAX_JSON_DEPTH,
  MAX_JSON_VALUES,
  MAX_LABEL_LENGTH,
} from './limits';

export function invalidField(field: string, problem: string): ValidationError {
  return new ValidationError(`${field} ${problem}`);
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function fieldPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** Rejects structures nested deeper than MAX_JSON_DEPTH. Iterative, so hostile depth cannot overflow the stack. */
export function assertJsonDepth(value: unknown, field: string): void {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth >= MAX_JSON_DEPTH) {
      throw invalidField(field, `is nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    for (const child of Object.values(item.value)) pending.push({ value: child, depth: item.depth + 1 });
  }
}

export function requireObject(value: unknown, field: string): JsonObject {
  if (!isJsonObject(value)) throw invalidField(field, `must be an object, got ${describeType(value)}`);
  return value;
}

/** HoneyHive documents some wrappers (`session`, `event`) as JSON-encoded strings while SDKs send objects: accept both. */
export function objectOrJsonString(value: unknown, field: string): JsonObject {
  if (typeof value !== 'string') return requireObject(value, field);
  // The body's own scan skipped this string's contents: count its values before parsing them too.
  assertJsonValuesWithin(value, MAX_JSON_VALUES, field);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidField(field, 'is a string but not valid JSON');
  }
  assertJsonDepth(parsed, field);
  if (!isJsonObject(parsed))
    throw invalidField(field, `must encode a JSON object, got ${describeType(parsed)}`);
  return parsed;
}

/** A required wrapper field (`session`, `event`, `model_event`) holding an object or its JSON encoding. */
export function requiredObjectOrJsonString(source: JsonObject, key: string, description: string): JsonObject {
  const value = source[key];
  if (value === undefined || value === null) throw invalidField(key, `is required (${description})`);
  return objectOrJsonString(value, key);
}

export function optionalObject(source: JsonObject, key: string, parent: string): JsonObject | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  return requireObject(value, fieldPath(parent, key));
}

export function optionalString(
  source: JsonObject,
  key: string,
  parent: string,
  maxLength = MAX_LABEL_LENGTH,
): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  const field = fieldPath(parent, key);
  if (typeof value !== 'string') throw invalidField(field, `must be a string, got ${describeType(value)}`);
  if (value.length > maxLength) throw invalidField(field, `is longer than ${maxLength} characters`);
  return value;
}

/** An id: a non-empty string of at most MAX_ID_LENGTH characters. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_ID_LENGTH;
}

export function requireIdValue(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalidField(field, `must be a string id, got ${describeType(value)}`);
  if (value === '') throw invalidField(field, 'must not be empty');
  if (value.length > MAX_ID_LENGTH) throw invalidField(field, `is longer than ${MAX_ID_LENGTH} characters`);
  return value;
}

export function optionalId(source: JsonObject, key: string, parent: string): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  return requireIdValue(value, fieldPath(parent, key));
}

export function optionalIdList(source: JsonObject, key: string, parent: string): string[] | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  const field = fieldPath(parent, key);
  if (!Array.isArray(value)) throw invalidField(field, `must be an array of ids, got ${describeType(value)}`);
  if (value.length > MAX_CHILDREN_IDS) throw invalidField(field, `has more than ${MAX_CHILDREN_IDS} entries`);
  return value.map((id, index) => requireIdValue(id, `${field}[${index}]`));
}

function optionalNumber(source: JsonObject, key: string, parent: string): number | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  const field = fieldPath(parent, key);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidField(field, `must be a finite number, got ${describeType(value)}`);
  }
  return value;
}

export function optionalNonNegativeNumber(
  source: JsonObject,
  key: string,
  parent: string,
): number | undefined {
  const value = optionalNumber(source, key, parent);
  if (value !== undefined && value < 0) throw invalidField(fieldPath(parent, key), 'must not be negative');
  return value;
}

/** Epoch milliseconds between 1970 and the year 9999. Seconds are not guessed at: the spec says milliseconds. */
export function optionalTimestamp(source: JsonObject, key: string, parent: string): number | undefined {
  const value = optionalNonNegativeNumber(source, key, parent);
  if (value !== undefined && value > MAX_EPOCH_MS) {
    throw invalidField(fieldPath(parent, key), 'must be epoch milliseconds before the year 10000');
  }
  return value;
}

export function optionalBoolean(source: JsonObject, key: string, parent: string): boolean | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    throw invalidField(fieldPath(parent, key), `must be a boolean, got ${describeType(value)}`);
  }
  return value;
}

/** A non-negative finite number found in a free-form section, or null: metadata may hold anything. */
export function countOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
