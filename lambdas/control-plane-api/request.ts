/** Checking the typed fields of control-plane request bodies (JSON objects: lambdas/http/json-object-body.ts). */
import { ValidationError } from '../domain/errors';
import type { JsonObject } from '../http/json-object-body';

const MAX_NAME_LENGTH = 200;
const MAX_TEXT_LENGTH = 4000;

/** A required name: a non-blank string of at most 200 characters, trimmed. */
export function requiredName(body: JsonObject, field: string): string {
  const value = optionalName(body, field);
  if (value === undefined) throw new ValidationError(`${field} is required`);
  return value;
}

export function optionalName(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_NAME_LENGTH) {
    throw new ValidationError(`${field} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
  }
  return value.trim();
}

export function optionalText(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > MAX_TEXT_LENGTH) {
    throw new ValidationError(`${field} must be a string of at most ${MAX_TEXT_LENGTH} characters`);
  }
  return value;
}

export function optionalEnum<T extends string>(
  body: JsonObject,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function optionalEnumList<T extends string>(
  body: JsonObject,
  field: string,
  allowed: readonly T[],
): T[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((item) => !(allowed as readonly unknown[]).includes(item))
  ) {
    throw new ValidationError(`${field} must be a non-empty list of ${allowed.join(', ')}`);
  }
  return value as T[];
}

export function optionalInteger(body: JsonObject, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new ValidationError(`${field} must be an integer`);
  return value;
}
