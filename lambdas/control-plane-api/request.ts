/** Reading and checking control-plane request bodies: small JSON objects with typed fields. */
import { ValidationError } from '../domain/errors';
import type { HttpRequest } from '../http/router';

/** Control-plane bodies are small JSON objects: 64 KiB, sent or inflated. */
export const CONTROL_PLANE_BODY_LIMITS = { maxBodyBytes: 64 * 1024, maxDecompressedBytes: 64 * 1024 };
const MAX_NAME_LENGTH = 200;
const MAX_TEXT_LENGTH = 4000;

export type JsonObject = Record<string, unknown>;

/** The body as a JSON object; no body is an empty one. */
export function parseJsonObject(request: HttpRequest): JsonObject {
  if (request.event.body === undefined || request.event.body === '') return {};
  const bytes = request.body();
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ValidationError('The body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError('The body must be a JSON object');
  return value as JsonObject;
}

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
